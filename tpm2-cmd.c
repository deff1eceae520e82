// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM 2.0 commands the core sends on its own: family probe, start-up,
 * shutdown, random numbers; and TPM 2.0 timeouts and durations.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "tpm.h"

#define TPM2_CAP_TPM_PROPERTIES		6
#define TPM2_PT_TOTAL_COMMANDS		0x129

/**
 * tpm2_probe() - find out whether the device speaks TPM 2.0
 * @chip: an allocated, not yet registered chip
 *
 * Sends TPM2_GetCapability; a TPM 2.0 answers with a TPM 2.0 tag whatever
 * its response code, a TPM 1.2 with its own error tag.  Sets
 * TPM_CHIP_FLAG_TPM2 accordingly.
 *
 * Context: process context, may sleep; takes the chip's ops.
 * Return: 0 when the family is known, or a negative errno if the device
 * did not answer.
 */
int tpm2_probe(struct tpm_chip *chip)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	if (rc)
		goto out_ops;
	tpm_cmd_put_u32(&cmd, TPM2_CAP_TPM_PROPERTIES);
	tpm_cmd_put_u32(&cmd, TPM2_PT_TOTAL_COMMANDS);
	tpm_cmd_put_u32(&cmd, 1);
	rc = tpm_cmd_run(chip, &cmd, 0, NULL);
	if (rc >= 0) {
		rc = 0;
		if (get_unaligned_be16(cmd.data) == TPM2_ST_NO_SESSIONS)
			chip->flags |= TPM_CHIP_FLAG_TPM2;
	}
	tpm_cmd_free(&cmd);
out_ops:
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm2_probe);

/**
 * tpm2_set_default_timeouts() - the TPM 2.0 interface timeouts and durations
 * @chip: the chip
 *
 * Context: any context.
 */
void tpm2_set_default_timeouts(struct tpm_chip *chip)
{
	chip->timeout_a = msecs_to_jiffies(TPM2_TIMEOUT_A);
	chip->timeout_b = msecs_to_jiffies(TPM2_TIMEOUT_B);
	chip->timeout_c = msecs_to_jiffies(TPM2_TIMEOUT_C);
	chip->timeout_d = msecs_to_jiffies(TPM2_TIMEOUT_D);
	chip->duration[TPM_SHORT] = msecs_to_jiffies(TPM2_DURATION_SHORT);
	chip->duration[TPM_MEDIUM] = msecs_to_jiffies(TPM2_DURATION_MEDIUM);
	chip->duration[TPM_LONG] = msecs_to_jiffies(TPM2_DURATION_LONG);
	chip->duration[TPM_LONG_LONG] =
		msecs_to_jiffies(TPM2_DURATION_LONG_LONG);
	chip->flags |= TPM_CHIP_FLAG_HAVE_TIMEOUTS;
}
EXPORT_SYMBOL_GPL(tpm2_set_default_timeouts);

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

static ssize_t tpm2_self_test(struct tpm_chip *chip)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u8 full;

	/* A quick test first; a full one if the TPM wants it. */
	for (full = 0; full < 2; full++) {
		rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_SELF_TEST);
		if (rc)
			return rc;
		tpm_cmd_put_u8(&cmd, full);
		rc = tpm_cmd_run(chip, &cmd, 0, NULL);
		tpm_cmd_free(&cmd);
		if (rc == TPM2_RC_TESTING)
			rc = TPM2_RC_SUCCESS;
		if (rc == TPM2_RC_SUCCESS || rc == TPM2_RC_INITIALIZE)
			return rc;
	}
	return rc;
}

static ssize_t tpm2_startup(struct tpm_chip *chip)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	dev_info(&chip->dev, "starting up the TPM\n");
	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_STARTUP);
	if (rc)
		return rc;
	tpm_cmd_put_u16(&cmd, TPM2_SU_CLEAR);
	rc = tpm_cmd_run(chip, &cmd, 0, "TPM2_Startup");
	tpm_cmd_free(&cmd);
	return rc;
}

/**
 * tpm2_auto_startup() - bring a TPM 2.0 to the operational state
 * @chip: the chip
 *
 * Sets the default timeouts and runs the self test; a TPM that has not
 * been started (the firmware did not do it) gets TPM2_Startup(CLEAR) and
 * the self test again.  A TPM in field upgrade mode is left alone and
 * marked so.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, or a negative errno (-ENODEV if the TPM refused to start).
 */
int tpm2_auto_startup(struct tpm_chip *chip)
{
	ssize_t rc;

	if (!(chip->flags & TPM_CHIP_FLAG_HAVE_TIMEOUTS))
		tpm2_set_default_timeouts(chip);

	rc = tpm2_self_test(chip);
	if (rc == TPM2_RC_INITIALIZE) {
		rc = tpm2_startup(chip);
		if (!rc)
			rc = tpm2_self_test(chip);
	}
	if (rc == TPM2_RC_UPGRADE) {
		dev_info(&chip->dev, "TPM in field upgrade mode\n");
		chip->flags |= TPM_CHIP_FLAG_FIRMWARE_UPGRADE;
		return 0;
	}
	if (rc > 0) {
		dev_err(&chip->dev, "TPM failed to start: 0x%zx\n", rc);
		return -ENODEV;
	}
	return rc;
}

/**
 * tpm2_shutdown() - send TPM2_Shutdown
 * @chip:		the chip
 * @shutdown_type:	TPM2_SU_CLEAR or TPM2_SU_STATE
 *
 * Errors are logged and otherwise ignored: nothing can be done about them.
 *
 * Context: process context, may sleep; the caller holds the ops.
 */
void tpm2_shutdown(struct tpm_chip *chip, u16 shutdown_type)
{
	struct tpm_cmd cmd;

	if (tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_SHUTDOWN))
		return;
	tpm_cmd_put_u16(&cmd, shutdown_type);
	tpm_cmd_run(chip, &cmd, 0, "TPM2_Shutdown");
	tpm_cmd_free(&cmd);
}

/**
 * tpm2_get_random() - fill a buffer from the TPM's random number generator
 * @chip:	the chip
 * @dest:	where the bytes go
 * @max:	how many are wanted
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: the number of bytes written (at most @max, fewer if the TPM ran
 * short), or a negative errno.
 */
int tpm2_get_random(struct tpm_chip *chip, u8 *dest, size_t max)
{
	size_t done = 0;
	struct tpm_cmd cmd;
	ssize_t rc;
	u16 got;

	while (done < max) {
		rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_RANDOM);
		if (rc)
			return rc;
		tpm_cmd_put_u16(&cmd, min_t(size_t, max - done, 128));
		rc = tpm_cmd_run(chip, &cmd, 2, "TPM2_GetRandom");
		if (rc) {
			tpm_cmd_free(&cmd);
			return rc > 0 ? -EIO : rc;
		}
		got = get_unaligned_be16(cmd.data + TPM_HEADER_SIZE);
		if (!got || got > max - done ||
		    cmd.len < TPM_HEADER_SIZE + 2 + got) {
			tpm_cmd_free(&cmd);
			return done ? done : -EIO;
		}
		memcpy(dest + done, cmd.data + TPM_HEADER_SIZE + 2, got);
		done += got;
		tpm_cmd_free(&cmd);
	}
	return done;
}

/**
 * tpm_get_random() - random bytes from a TPM
 * @chip:	the chip
 * @data:	where the bytes go
 * @max:	how many are wanted
 *
 * Context: process context, may sleep; takes the chip's ops.
 * Return: the number of bytes written, or a negative errno (-ENODEV if
 * the chip is gone).
 */
int tpm_get_random(struct tpm_chip *chip, u8 *data, size_t max)
{
	int rc;

	if (!chip || !data || !max)
		return -EINVAL;
	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	if (chip->flags & TPM_CHIP_FLAG_TPM2)
		rc = tpm2_get_random(chip, data, max);
	else
		rc = tpm1_get_random(chip, data, max);
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_get_random);

/**
 * tpm_is_tpm2() - does the chip speak TPM 2.0?
 * @chip: the chip
 *
 * Context: process context.
 * Return: 1 for TPM 2.0, 0 for TPM 1.2, -ENODEV if the chip is gone.
 */
int tpm_is_tpm2(struct tpm_chip *chip)
{
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = !!(chip->flags & TPM_CHIP_FLAG_TPM2);
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_is_tpm2);

/* The most commands a TPM is asked to list (TPM 2.0 defines about 120). */
#define TPM2_MAX_COMMANDS	256

/* One TPM2_GetCapability(COMMANDS) from @first on, appended to @tbl. */
static ssize_t tpm2_get_cc_page(struct tpm_chip *chip, u32 first, u32 *tbl,
				u32 *n, bool *more)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u32 got, i;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, TPM2_CAP_COMMANDS);
	tpm_cmd_put_u32(&cmd, first);
	tpm_cmd_put_u32(&cmd, TPM2_MAX_COMMANDS - *n);
	rc = tpm_cmd_run(chip, &cmd, 9, NULL);
	if (rc)
		goto out;
	*more = cmd.data[TPM_HEADER_SIZE];
	got = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE + 5);
	if (got > TPM2_MAX_COMMANDS - *n ||
	    cmd.len < TPM_HEADER_SIZE + 9 + 4 * got) {
		rc = -EIO;
		goto out;
	}
	for (i = 0; i < got; i++)
		tbl[(*n)++] = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE +
						 9 + 4 * i);
	if (!got)
		*more = false;
out:
	tpm_cmd_free(&cmd);
	return rc;
}

/**
 * tpm2_get_cc_attrs() - read the list of commands the TPM implements
 * @chip: the chip
 *
 * Fills chip->cc_attrs_tbl (freed with the chip) and chip->nr_commands:
 * the resource manager refuses what is not there, and learns from each
 * entry how many handles a command names.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0) if it refused the query, or a
 * negative errno.
 */
int tpm2_get_cc_attrs(struct tpm_chip *chip)
{
	u32 *tbl, n = 0, last;
	bool more = true;
	ssize_t rc = 0;

	tbl = kcalloc(TPM2_MAX_COMMANDS, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	while (more && n < TPM2_MAX_COMMANDS) {
		/* The next code after the last entry, vendor bit included. */
		last = n ? tbl[n - 1] & (GENMASK(15, 0) | BIT(29)) :
			   TPM2_CC_FIRST - 1;
		rc = tpm2_get_cc_page(chip, last + 1, tbl, &n, &more);
		if (rc)
			break;
	}
	if (rc) {
		kfree(tbl);
		return rc;
	}
	chip->cc_attrs_tbl = tbl;
	chip->nr_commands = n;
	return 0;
}
