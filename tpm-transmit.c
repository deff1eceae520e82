// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lowest layer of the core: whether a chip's driver may be called (the
 * ops), how long a command may take, and sending a command and getting
 * its response back.
 */
#include <linux/module.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include "tpm.h"

/**
 * tpm_chip_start() - make the device ready to take commands
 * @chip: the chip
 *
 * Requests locality 0 if the chip holds none, turns on its clock and
 * moves it to the command-ready state, for the drivers that have those
 * callbacks.
 *
 * Context: process context; the caller holds chip->ops_sem and
 * chip->tpm_mutex (tpm_try_get_ops() does this).
 * Return: 0, or the driver's error.
 */
int tpm_chip_start(struct tpm_chip *chip)
{
	const struct tpm_class_ops *ops = chip->ops;
	int rc;

	if (ops->clk_enable)
		ops->clk_enable(chip, true);

	if (chip->locality == -1 && ops->request_locality) {
		rc = ops->request_locality(chip, 0);
		if (rc < 0)
			goto err_clk;
		chip->locality = 0;
	}

	if (ops->cmd_ready) {
		rc = ops->cmd_ready(chip);
		if (rc)
			goto err_locality;
	}
	return 0;

err_locality:
	if (chip->locality != -1 && ops->relinquish_locality)
		ops->relinquish_locality(chip, chip->locality);
	chip->locality = -1;
err_clk:
	if (ops->clk_enable)
		ops->clk_enable(chip, false);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_chip_start);

/**
 * tpm_chip_stop() - undo tpm_chip_start()
 * @chip: the chip
 *
 * Context: process context; the caller holds chip->ops_sem and
 * chip->tpm_mutex.
 */
void tpm_chip_stop(struct tpm_chip *chip)
{
	const struct tpm_class_ops *ops = chip->ops;

	if (ops->go_idle)
		ops->go_idle(chip);
	if (chip->locality != -1 && ops->relinquish_locality)
		ops->relinquish_locality(chip, chip->locality);
	chip->locality = -1;
	if (ops->clk_enable)
		ops->clk_enable(chip, false);
}
EXPORT_SYMBOL_GPL(tpm_chip_stop);

/*
 * A /dev/tpmN file opened with O_EXCL for writing holds the TPM alone
 * (priv->excl, set and cleared under tpm_mutex by tpm-dev.c): the ops go
 * to its commands only.  Everyone else waits for it to close, for at most
 * TPM_EXCL_WAIT_MS, and then gets -EBUSY; the suspend's own command does
 * not wait (TPM_OPS_ANYONE).
 */
#define TPM_EXCL_WAIT_MS	TPM2_DURATION_DEFAULT

/**
 * tpm_ops_excluded() - is @who kept out by another's exclusive hold?
 * @chip:	the chip
 * @who:	as for tpm_try_get_ops_as()
 *
 * A lock-free hint, as tpm_chip_gone().
 *
 * Context: any context.
 * Return: true while a /dev/tpmN file other than @who holds the TPM alone.
 */
bool tpm_ops_excluded(struct tpm_chip *chip, const void *who)
{
	const void *excl = READ_ONCE(tpm_chip_priv(chip)->excl);

	return excl && excl != who && who != TPM_OPS_ANYONE;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_ops_excluded);

/*
 * Take the ops for @who, once; *@suspended and *@excluded say whether it
 * failed for a suspend or for another's exclusive hold.
 */
static int tpm_get_ops(struct tpm_chip *chip, const void *who,
		       bool *suspended, bool *excluded)
{
	int rc = -ENODEV;

	*suspended = false;
	*excluded = false;
	get_device(&chip->dev);
	down_read(&chip->ops_sem);
	if (!chip->ops)
		goto err_unlock;

	mutex_lock(&chip->tpm_mutex);
	rc = -EBUSY;
	*suspended = tpm_chip_priv(chip)->suspended;
	*excluded = tpm_ops_excluded(chip, who);
	if (*suspended || *excluded)
		goto err_mutex;
	rc = tpm_chip_start(chip);
	if (rc)
		goto err_mutex;
	return 0;

err_mutex:
	mutex_unlock(&chip->tpm_mutex);
err_unlock:
	up_read(&chip->ops_sem);
	put_device(&chip->dev);
	return rc;
}

/**
 * tpm_try_get_ops() - get the right to call the chip's driver
 * @chip: the chip
 *
 * On success the caller holds a reference on the chip, chip->ops_sem for
 * read and chip->tpm_mutex, and the device has been started; it must call
 * tpm_put_ops() when done.  Holding the ops delays tpm_chip_unregister()
 * until they are put; the fence never interrupts a holder.
 *
 * Context: process context, may sleep.
 * Return: 0; -ENODEV if the chip has been unregistered; -EBUSY while the
 * system is suspended (the TPM has saved its state), or when a /dev/tpmN
 * file held the TPM alone for longer than the wait allows (see
 * tpm_try_get_ops_as()); the driver's error if the device could not be
 * started.
 */
int tpm_try_get_ops(struct tpm_chip *chip)
{
	return tpm_try_get_ops_as(chip, NULL, false);
}
EXPORT_SYMBOL_GPL(tpm_try_get_ops);

/**
 * tpm_put_ops() - give back what tpm_try_get_ops() took
 * @chip: the chip
 *
 * Context: process context, may sleep.
 */
void tpm_put_ops(struct tpm_chip *chip)
{
	tpm_chip_stop(chip);
	mutex_unlock(&chip->tpm_mutex);
	up_read(&chip->ops_sem);
	put_device(&chip->dev);
}
EXPORT_SYMBOL_GPL(tpm_put_ops);

/**
 * tpm_try_get_ops_as() - tpm_try_get_ops() for a given user
 * @chip:	the chip
 * @who:	the user: the /dev/tpmN file that may hold the TPM alone,
 *		TPM_OPS_ANYONE for the suspend's own command (neither a
 *		suspend nor an exclusive holder keeps it out), or NULL
 * @resumed:	wait out a suspend instead of failing: for a command a
 *		client already handed over (an O_NONBLOCK write queued when
 *		the system began to suspend).  User tasks are frozen before
 *		the TPM saves its state, so only kernel threads ever wait so.
 *
 * While another file holds the TPM alone, waits (without the ops) until
 * it closes or the chip is being unregistered (-ENODEV then: the hwrng
 * and the other users unregister waits for are not held up), for at most
 * TPM_EXCL_WAIT_MS: the longest a command the core does not know may take.
 *
 * Context: process context, may sleep.
 * Return: as tpm_try_get_ops(); -EBUSY also once the wait for an
 * exclusive holder ran out.
 */
int tpm_try_get_ops_as(struct tpm_chip *chip, const void *who, bool resumed)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(chip);
	long left = msecs_to_jiffies(TPM_EXCL_WAIT_MS);
	bool suspended, excluded;
	int rc;

	for (;;) {
		rc = tpm_get_ops(chip, who, &suspended, &excluded);
		if (suspended && resumed) {
			/* The condition is checked first: a resume is seen. */
			wait_event_idle(priv->event_wq,
					!READ_ONCE(priv->suspended) ||
					tpm_chip_gone(chip));
			continue;
		}
		if (!excluded || !left)
			return rc;
		/* Unregistering: no waiting for the holder to let go. */
		if (READ_ONCE(priv->leaving))
			return -ENODEV;
		left = wait_event_idle_timeout(priv->event_wq,
					       !tpm_ops_excluded(chip, who) ||
					       tpm_chip_gone(chip) ||
					       READ_ONCE(priv->leaving), left);
	}
}
EXPORT_SYMBOL_IF_KUNIT(tpm_try_get_ops_as);

/**
 * tpm_try_get_ops_resumed() - tpm_try_get_ops(), waiting out a suspend
 * @chip: the chip
 *
 * See tpm_try_get_ops_as().
 *
 * Context: process context, may sleep.
 * Return: as tpm_try_get_ops(), but never -EBUSY for a suspend.
 */
int tpm_try_get_ops_resumed(struct tpm_chip *chip)
{
	return tpm_try_get_ops_as(chip, NULL, true);
}
EXPORT_SYMBOL_IF_KUNIT(tpm_try_get_ops_resumed);

/**
 * tpm_try_get_ops_nowait() - tpm_try_get_ops(), not waiting for an
 * exclusive holder
 * @chip: the chip
 *
 * For those who must not sleep for another user (the hwrng's non-blocking
 * reads, a closing file).
 *
 * Context: process context, may sleep (for the command running now).
 * Return: as tpm_try_get_ops(); -EBUSY at once while another file holds
 * the TPM alone.
 */
int tpm_try_get_ops_nowait(struct tpm_chip *chip)
{
	bool suspended, excluded;

	return tpm_get_ops(chip, NULL, &suspended, &excluded);
}
EXPORT_SYMBOL_IF_KUNIT(tpm_try_get_ops_nowait);

/*
 * Upstream's duration class of each TPM 1.2 ordinal from 0x00 to 0xff, one
 * bit per ordinal.  Short: OIAP, OSAP, Extend, PCRRead, GetRandom,
 * GetCapability, Startup, FlushSpecific among others; medium: Seal,
 * Unseal, Quote, SaveState among others; long: key and endorsement key
 * creation, the self tests, DAA, FieldUpgrade, ExecuteTransport.
 */
static const u32 tpm1_short_ords[8] = {
	0x36330c00, 0x8001f80e, 0x7c1000c1, 0x703fc060,
	0x06403027, 0x0420000f, 0xf803f100, 0x00010041,
};

static const u32 tpm1_medium_ords[8] = {
	0x49c49000, 0x700c0531, 0x00040002, 0x04000010,
	0x01800048, 0x03d00000, 0x01740000, 0x00040100,
};

static const u32 tpm1_long_ords[8] = {
	0x80086000, 0x00020200, 0x00090000, 0x83000000,
	0x00000000, 0x00000400, 0x00000000, 0x00000080,
};

static bool tpm1_ord_in(const u32 *map, u32 ordinal)
{
	return ordinal < 256 && (map[ordinal / 32] >> (ordinal % 32)) & 1;
}

/**
 * tpm1_duration() - the longest a TPM 1.2 command may take
 * @chip:	the chip
 * @ordinal:	the command's ordinal
 *
 * As upstream: each ordinal it classes gets the TPM's short, medium or
 * long duration; every other ordinal the generous default.
 *
 * Context: any context.
 * Return: the duration in jiffies (0 while the TPM's are not known).
 */
unsigned long tpm1_duration(struct tpm_chip *chip, u32 ordinal)
{
	if (tpm1_ord_in(tpm1_long_ords, ordinal))
		return chip->duration[TPM_LONG];
	if (tpm1_ord_in(tpm1_medium_ords, ordinal))
		return chip->duration[TPM_MEDIUM];
	if (tpm1_ord_in(tpm1_short_ords, ordinal))
		return chip->duration[TPM_SHORT];
	return msecs_to_jiffies(TPM2_DURATION_DEFAULT);
}

/**
 * tpm2_duration() - the longest a TPM 2.0 command may take
 * @chip:	the chip
 * @ordinal:	the command code
 *
 * Never shorter than upstream gives the same command: key generation and
 * signature checks may take minutes; the self test and the commands the
 * core sends most (random numbers, capabilities, PCR extends) the long
 * duration; anything else, context management and TPM2_Shutdown among
 * it, the generous default (a Shutdown(STATE) cut short loses the state
 * a suspend saved).
 *
 * Context: any context.
 * Return: the duration in jiffies.
 */
unsigned long tpm2_duration(struct tpm_chip *chip, u32 ordinal)
{
	switch (ordinal) {
	case TPM2_CC_CREATE_PRIMARY:
	case TPM2_CC_CREATE:
	case TPM2_CC_CREATE_LOADED:
	case TPM2_CC_VERIFY_SIGNATURE:
		return chip->duration[TPM_LONG_LONG];
	case TPM2_CC_STARTUP:
	case TPM2_CC_SELF_TEST:
	case TPM2_CC_GET_CAPABILITY:
	case TPM2_CC_GET_RANDOM:
	case TPM2_CC_PCR_EXTEND:
		return chip->duration[TPM_LONG];
	default:
		return msecs_to_jiffies(TPM2_DURATION_DEFAULT);
	}
}
EXPORT_SYMBOL_GPL(tpm2_duration);

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
 * the command again after a delay that starts at TPM_RETRY_FIRST_MS and
 * doubles, as long as it is at most TPM_RETRY_MAX_DELAY_MS (eight sends
 * over 2.54 s, upstream's patience); so does a TPM 1.2 that answers
 * TPM_RETRY or TPM_DOING_SELFTEST.
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
	unsigned int delay = TPM_RETRY_FIRST_MS;
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
		    delay > TPM_RETRY_MAX_DELAY_MS)
			return len;
		msleep(delay);
		delay *= 2;
		memcpy(buf, header, TPM_HEADER_SIZE);
	}
}
EXPORT_SYMBOL_GPL(tpm_transmit);
