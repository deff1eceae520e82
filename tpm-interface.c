// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sending a command to a chip and getting its response back, and the
 * module's entry points.
 */
#include <linux/module.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include "tpm.h"

/**
 * tpm_calc_ordinal_duration() - how long a command may take to complete
 * @chip:	the chip
 * @ordinal:	the command code
 *
 * A chip whose durations are not known yet (a driver probing the family
 * before registration) gets the generous default rather than none.
 *
 * Context: any context.
 * Return: the duration in jiffies.
 */
unsigned long tpm_calc_ordinal_duration(struct tpm_chip *chip, u32 ordinal)
{
	unsigned long duration = chip->flags & TPM_CHIP_FLAG_TPM2 ?
				 tpm2_duration(chip, ordinal) :
				 tpm1_duration(chip, ordinal);

	return duration ?: msecs_to_jiffies(TPM2_DURATION_DEFAULT);
}
EXPORT_SYMBOL_GPL(tpm_calc_ordinal_duration);

/**
 * tpm_poll_sleep() - one sleep of an adaptive polling loop
 * @step_us:	the current step, TPM_POLL_MIN_US at first; grown here by a
 *		quarter, up to TPM_POLL_MAX_US
 *
 * Context: process context, sleeps.
 */
void tpm_poll_sleep(unsigned int *step_us)
{
	usleep_range(*step_us, *step_us + *step_us / 8);
	*step_us = min(*step_us + *step_us / 4, TPM_POLL_MAX_US);
}
EXPORT_SYMBOL_GPL(tpm_poll_sleep);

static bool tpm_req_complete(struct tpm_chip *chip, u8 status)
{
	return (status & chip->ops->req_complete_mask) ==
	       chip->ops->req_complete_val;
}

/*
 * Past TPM_POLL_MAX_US a step may grow to an eighth of what the command
 * has taken so far (up to TPM_POLL_SLOW_MAX_US): a slow command costs a
 * few dozen wake-ups, none is seen much later than an eighth of its own
 * run time, and what earlier commands took does not matter.
 */
static void tpm_poll_sleep_since(ktime_t start, unsigned int *step_us)
{
	s64 waited_us;

	tpm_poll_sleep(step_us);
	waited_us = ktime_us_delta(ktime_get(), start);
	if (waited_us / 8 > *step_us)
		*step_us = min_t(s64, waited_us / 8, TPM_POLL_SLOW_MAX_US);
}

/*
 * Poll the status until the command completes, the device cancels it or
 * its duration runs out.  The deadline is tested before the status is
 * read, so the last look at the status always comes after the deadline
 * passed: a command that completed during the last sleep is found.
 */
static int tpm_wait_for_completion(struct tpm_chip *chip, u32 ordinal)
{
	unsigned long stop = jiffies + tpm_calc_ordinal_duration(chip, ordinal);
	unsigned int step = TPM_POLL_MIN_US;
	ktime_t start = ktime_get();
	bool expired;
	u8 status;

	for (;;) {
		expired = time_after(jiffies, stop);
		status = chip->ops->status(chip);
		if (tpm_req_complete(chip, status))
			return 0;
		if (chip->ops->req_canceled(chip, status))
			return -ECANCELED;
		if (expired)
			break;
		tpm_poll_sleep_since(start, &step);
	}

	chip->ops->cancel(chip);
	dev_err(&chip->dev, "command 0x%04x timed out\n", ordinal);
	return -ETIME;
}

/* A device going away (EPIPE, ECANCELED) is an outcome, not an error. */
static void tpm_log_failure(struct tpm_chip *chip, const char *what,
			    u32 ordinal, long rc)
{
	if (rc != -EPIPE && rc != -ECANCELED)
		dev_err_ratelimited(&chip->dev, "%s of 0x%04x failed: %ld\n",
				    what, ordinal, rc);
}

static ssize_t tpm_try_transmit(struct tpm_chip *chip, u8 *buf, size_t bufsiz)
{
	u32 count, ordinal;
	ssize_t len;
	int rc;

	if (bufsiz < TPM_HEADER_SIZE)
		return -EINVAL;
	bufsiz = min_t(size_t, bufsiz, TPM_BUFSIZE);
	count = tpm_hdr_len(buf);
	ordinal = tpm_hdr_code(buf);
	if (count < TPM_HEADER_SIZE)
		return -EINVAL;
	if (count > bufsiz)
		return -E2BIG;

	rc = chip->ops->send(chip, buf, count);
	if (rc < 0) {
		tpm_log_failure(chip, "send", ordinal, rc);
		return rc;
	}

	/* TPM_CHIP_FLAG_IRQ: the driver's send or recv waits by itself. */
	if (!(chip->flags & TPM_CHIP_FLAG_IRQ)) {
		rc = tpm_wait_for_completion(chip, ordinal);
		if (rc)
			return rc;
	}

	len = chip->ops->recv(chip, buf, bufsiz);
	if (len < 0) {
		tpm_log_failure(chip, "receive", ordinal, len);
		return len;
	}
	if (len < TPM_HEADER_SIZE || len != tpm_hdr_len(buf)) {
		dev_err(&chip->dev, "response to 0x%04x: %zd bytes, header says %u\n",
			ordinal, len, len >= TPM_HEADER_SIZE ? tpm_hdr_len(buf) : 0);
		return -EFAULT;
	}
	return len;
}

static bool tpm_should_retry(struct tpm_chip *chip, u32 ordinal, u32 rc)
{
	if (!(chip->flags & TPM_CHIP_FLAG_TPM2))
		return rc == TPM1_WARN_RETRY || rc == TPM1_WARN_DOING_SELFTEST;
	return rc == TPM2_RC_RETRY ||
	       (rc == TPM2_RC_TESTING && ordinal != TPM2_CC_SELF_TEST);
}

/**
 * tpm_transmit() - send a command and receive its response in @buf
 * @chip:	the chip, whose ops the caller holds
 * @buf:	the command on entry, the response on return
 * @bufsiz:	the size of @buf
 *
 * The command's length is taken from its header.  A TPM that answers
 * TPM2_RC_RETRY (or TPM2_RC_TESTING to anything but the self test) gets
 * the command again after a growing delay, for up to TPM_RETRY_TOTAL_MS;
 * so does a TPM 1.2 that answers TPM_RETRY or TPM_DOING_SELFTEST.
 * Such an answer is a bare header, so only the first TPM_HEADER_SIZE
 * bytes of @buf were overwritten and restoring them restores the command.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: the response's length, or a negative errno: -EINVAL or -E2BIG
 * for a command whose header is wrong, -ETIME when it did not complete in
 * its duration (it was cancelled), -EFAULT for a response whose length
 * disagrees with its header, or the driver's error.
 */
ssize_t tpm_transmit(struct tpm_chip *chip, u8 *buf, size_t bufsiz)
{
	unsigned int delay = TPM_RETRY_FIRST_MS, waited = 0;
	u8 header[TPM_HEADER_SIZE];
	ssize_t len;
	u32 ordinal;

	if (bufsiz < TPM_HEADER_SIZE)
		return -EINVAL;
	memcpy(header, buf, TPM_HEADER_SIZE);
	ordinal = tpm_hdr_code(header);

	for (;;) {
		len = tpm_try_transmit(chip, buf, bufsiz);
		if (len != TPM_HEADER_SIZE ||
		    !tpm_should_retry(chip, ordinal, tpm_hdr_code(buf)) ||
		    waited + delay > TPM_RETRY_TOTAL_MS)
			return len;
		msleep(delay);
		waited += delay;
		delay *= 2;
		memcpy(buf, header, TPM_HEADER_SIZE);
	}
}
EXPORT_SYMBOL_GPL(tpm_transmit);

static int __init tpm_init(void)
{
	int rc;

	rc = tpm_chip_subsys_init();
	if (rc)
		return rc;
	rc = tpm_dev_init();
	if (rc)
		goto err_chip;
	return 0;

err_chip:
	tpm_chip_subsys_exit();
	return rc;
}

static void __exit tpm_exit(void)
{
	tpm_dev_exit();
	tpm_chip_subsys_exit();
}

module_init(tpm_init);
module_exit(tpm_exit);
MODULE_DESCRIPTION("TPM core: chips, commands and /dev/tpmN");
MODULE_LICENSE("GPL");
