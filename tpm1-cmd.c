// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM 1.2 commands the core sends on its own: start-up, the interface
 * timeouts and command durations the TPM reports, saving the state before
 * a suspend and resuming after it, random numbers, capabilities, PCR
 * reads and extends.
 */
#include <linux/hash_info.h>
#include <linux/module.h>
#include "tpm.h"

#define TPM_ORD_EXTEND			0x0014
#define TPM_ORD_PCR_READ		0x0015
#define TPM_ORD_GET_RANDOM		0x0046
#define TPM_ORD_CONTINUE_SELFTEST	0x0053
#define TPM_ORD_GET_CAPABILITY		0x0065
#define TPM_ORD_SAVE_STATE		0x0098
#define TPM_ORD_STARTUP			0x0099
#define TPM_CAP_PROP_TIS_TIMEOUT	0x0115
#define TPM_CAP_PROP_TIS_DURATION	0x0120

/* Upstream's patience: polling for the self test, retrying SaveState. */
#define TPM1_POLL_MS			100
#define TPM1_SAVE_STATE_PATIENCE_MS	5000

/* Response codes the start-up cares about. */
#define TPM_ERR_INVALID_POSTINIT	0x0026
#define TPM_ERR_FAILEDSELFTEST		0x001C

/*
 * What a TPM that reports nothing (0) gets, in milliseconds: never less
 * than upstream gives it (B of 4 s, medium and long durations of 120 s).
 */
static const unsigned int tpm1_default_timeout_ms[TPM1_TIMEOUTS] = {
	750, 4000, 750, 750,		/* TIS 1.2: A, B, C, D */
};

static const unsigned int tpm1_default_duration_ms[TPM1_DURATIONS] = {
	2000, 120000, 120000,		/* short, medium, long */
};

/* A short duration reported in milliseconds gets at least this. */
#define TPM1_MS_SHORT_MIN_US		USEC_PER_SEC

/*
 * Below these, the smallest value reported was meant in milliseconds: no
 * TIS timeout is under a millisecond, no short duration under ten.
 */
#define TPM1_MIN_TIMEOUT_US		USEC_PER_MSEC
#define TPM1_MIN_DURATION_US		(10 * USEC_PER_MSEC)

/* Whether the smallest value given (0 is "not given") is under @min_us. */
static bool tpm1_in_ms(const u32 *us, int n, u32 min_us)
{
	u32 least = U32_MAX;
	int i;

	for (i = 0; i < n; i++)
		if (us[i])
			least = min(least, us[i]);
	return least < min_us;
}

/**
 * tpm1_fix_units() - make reported timeouts or durations usable
 * @us:		the values as the TPM reported them, in microseconds;
 *		replaced by the values to use
 * @dflt_ms:	what each defaults to, in milliseconds
 * @n:		how many values
 * @min_us:	the smallest plausible value in microseconds
 *
 * Some TPMs report milliseconds where the specification says
 * microseconds: when the smallest value given (0 is "not given") is under
 * @min_us, they are all taken as milliseconds.  A value of 0 gets its
 * default; any other is used, however long (as upstream does).
 *
 * Context: any context.
 * Return: true if any value was changed, false if all are as reported.
 */
bool tpm1_fix_units(u32 *us, const unsigned int *dflt_ms, int n, u32 min_us)
{
	bool changed = false, in_ms = tpm1_in_ms(us, n, min_us);
	int i;

	for (i = 0; i < n; i++) {
		if (in_ms && us[i]) {
			us[i] = min_t(u64, (u64)us[i] * USEC_PER_MSEC, U32_MAX);
			changed = true;
		}
		if (!us[i]) {
			us[i] = dflt_ms[i] * USEC_PER_MSEC;
			changed = true;
		}
	}
	return changed;
}
EXPORT_SYMBOL_IF_KUNIT(tpm1_fix_units);

/**
 * tpm1_set_timeouts() - set a TPM 1.2 chip's timeouts and durations
 * @chip:	the chip
 * @timeout_us:	timeouts A-D as reported (0: not reported)
 * @duration_us: the short, medium and long durations as reported
 *
 * The values go through tpm1_fix_units(); chip->timeout_adjusted and
 * chip->duration_adjusted say whether any was not used as reported.  A
 * short duration given in milliseconds gets at least a second, as
 * upstream gives it.
 *
 * Context: any context.
 */
void tpm1_set_timeouts(struct tpm_chip *chip, u32 *timeout_us,
		       u32 *duration_us)
{
	bool dur_in_ms = tpm1_in_ms(duration_us, TPM1_DURATIONS,
				    TPM1_MIN_DURATION_US);

	chip->timeout_adjusted = tpm1_fix_units(timeout_us,
						tpm1_default_timeout_ms,
						TPM1_TIMEOUTS,
						TPM1_MIN_TIMEOUT_US);
	chip->duration_adjusted = tpm1_fix_units(duration_us,
						 tpm1_default_duration_ms,
						 TPM1_DURATIONS,
						 TPM1_MIN_DURATION_US);
	if (dur_in_ms && duration_us[0] < TPM1_MS_SHORT_MIN_US)
		duration_us[0] = TPM1_MS_SHORT_MIN_US;
	chip->timeout_a = usecs_to_jiffies(timeout_us[0]);
	chip->timeout_b = usecs_to_jiffies(timeout_us[1]);
	chip->timeout_c = usecs_to_jiffies(timeout_us[2]);
	chip->timeout_d = usecs_to_jiffies(timeout_us[3]);
	chip->duration[TPM_SHORT] = usecs_to_jiffies(duration_us[0]);
	chip->duration[TPM_MEDIUM] = usecs_to_jiffies(duration_us[1]);
	chip->duration[TPM_LONG] = usecs_to_jiffies(duration_us[2]);
	chip->duration[TPM_LONG_LONG] = chip->duration[TPM_LONG];
	chip->flags |= TPM_CHIP_FLAG_HAVE_TIMEOUTS;
}
EXPORT_SYMBOL_IF_KUNIT(tpm1_set_timeouts);

/**
 * tpm1_get_cap() - TPM_GetCapability
 * @chip:	the chip
 * @cap:	the capability area (TPM_CAP_*)
 * @subcap:	the sub-capability, or NULL for an area that has none
 * @out:	where the first @len bytes of the answer go
 * @len:	how many are wanted
 *
 * Only bytes the response holds are read.  The answer's own size field
 * may say less (some vTPM servers answer 0): upstream takes the bytes
 * that follow anyway, and so does this, with a warning.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0), -EFAULT for an answer too
 * short, or a negative errno.
 */
int tpm1_get_cap(struct tpm_chip *chip, u32 cap, const u32 *subcap,
		 void *out, size_t len)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u32 size;

	rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, TPM_ORD_GET_CAPABILITY);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, cap);
	tpm_cmd_put_u32(&cmd, subcap ? 4 : 0);
	if (subcap)
		tpm_cmd_put_u32(&cmd, *subcap);
	rc = tpm_cmd_run(chip, &cmd, 4, NULL);
	if (rc)
		goto out;
	if (cmd.len < TPM_HEADER_SIZE + 4 + len) {
		rc = -EFAULT;
		goto out;
	}
	size = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE);
	if (size < len)
		dev_warn(&chip->dev,
			 "TPM_GetCapability(0x%x, 0x%x): size field %u for %zu bytes; using them\n",
			 cap, subcap ? *subcap : 0, size, len);
	memcpy(out, cmd.data + TPM_HEADER_SIZE + 4, len);
out:
	tpm_cmd_free(&cmd);
	return rc;
}

/* TPM_GetCapability(PROPERTY, @prop): @n values into @out. */
static ssize_t tpm1_get_cap_u32s(struct tpm_chip *chip, u32 prop, u32 *out,
				 int n)
{
	__be32 be[4];
	ssize_t rc;
	int i;

	if (WARN_ON(n > ARRAY_SIZE(be)))
		return -EINVAL;
	rc = tpm1_get_cap(chip, TPM_CAP_PROPERTY, &prop, be, 4 * n);
	for (i = 0; !rc && i < n; i++)
		out[i] = be32_to_cpu(be[i]);
	return rc;
}

static ssize_t tpm1_get_timeouts(struct tpm_chip *chip)
{
	u32 timeout[TPM1_TIMEOUTS], duration[TPM1_DURATIONS];
	ssize_t rc;

	rc = tpm1_get_cap_u32s(chip, TPM_CAP_PROP_TIS_TIMEOUT, timeout,
			       TPM1_TIMEOUTS);
	if (rc)
		return rc;
	rc = tpm1_get_cap_u32s(chip, TPM_CAP_PROP_TIS_DURATION, duration,
			       TPM1_DURATIONS);
	if (rc)
		return rc;
	tpm1_set_timeouts(chip, timeout, duration);
	if (chip->timeout_adjusted || chip->duration_adjusted)
		dev_info(&chip->dev, "timeouts or durations adjusted (see sysfs)\n");
	return 0;
}

/* TPM_Startup's parameter: a fresh start, or the state saved at suspend. */
static const u8 tpm1_st_clear[] = { 0x00, 0x01 };
static const u8 tpm1_st_state[] = { 0x00, 0x02 };

/* A command whose parameters are @params and whose answer is its code. */
static ssize_t tpm1_simple(struct tpm_chip *chip, u32 ordinal,
			   const u8 *params, size_t len, const char *what)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, ordinal);
	if (rc)
		return rc;
	if (len)
		tpm_cmd_put(&cmd, params, len);
	rc = tpm_cmd_run(chip, &cmd, 0, what);
	tpm_cmd_free(&cmd);
	return rc;
}

static ssize_t tpm1_startup(struct tpm_chip *chip, const u8 *type)
{
	return tpm1_simple(chip, TPM_ORD_STARTUP, type, sizeof(tpm1_st_clear),
			   "TPM_Startup");
}

/*
 * TPM_ContinueSelfTest, then, as upstream does, wait for the self test to
 * end: a PCR read every TPM1_POLL_MS answers TPM_DOING_SELFTEST
 * (or, on some chips, times out) until it has, for up to the long
 * duration (each read is retried by the transmit path for 2.54 s too).
 * The outcome is the first other answer: 0, a TPM that failed its self
 * test (TPM_FAILEDSELFTEST), one disabled or deactivated, or an error.
 */
static ssize_t tpm1_continue_selftest(struct tpm_chip *chip)
{
	static const u8 pcr0[4];	/* TPM_PCRRead's index: PCR 0 */
	unsigned long stop = jiffies + chip->duration[TPM_LONG];
	ssize_t rc;

	rc = tpm1_simple(chip, TPM_ORD_CONTINUE_SELFTEST, NULL, 0, NULL);
	if (rc)
		return rc;
	for (;;) {
		rc = tpm1_simple(chip, TPM_ORD_PCR_READ, pcr0, 4, NULL);
		if (rc != TPM1_WARN_DOING_SELFTEST && rc != -ETIME)
			return rc;
		if (time_after(jiffies, stop))
			break;
		msleep(TPM1_POLL_MS);
	}
	dev_warn(&chip->dev, "self test still running after %u ms\n",
		 jiffies_to_msecs(chip->duration[TPM_LONG]));
	return rc;
}

/* Whether the TPM works, if maybe disabled or deactivated by its owner. */
static bool tpm1_operational(struct tpm_chip *chip, ssize_t rc)
{
	if (rc == TPM_ERR_DISABLED || rc == TPM_ERR_DEACTIVATED) {
		dev_info(&chip->dev, "TPM is disabled or deactivated (0x%zx)\n",
			 rc);
		return true;
	}
	return !rc;
}

/**
 * tpm1_auto_startup() - bring a TPM 1.2 to the operational state
 * @chip: the chip
 *
 * Reads the timeouts and durations; a TPM that has not been started (the
 * firmware did not do it) gets TPM_Startup(ST_CLEAR) first.  Then
 * TPM_ContinueSelfTest.  A disabled or deactivated TPM is still
 * registered (its owner may enable it through /dev/tpmN).
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, or a negative errno (-ENODEV if the TPM refused to start).
 */
int tpm1_auto_startup(struct tpm_chip *chip)
{
	ssize_t rc;

	rc = tpm1_get_timeouts(chip);
	if (rc == TPM_ERR_INVALID_POSTINIT) {
		dev_info(&chip->dev, "starting up the TPM\n");
		rc = tpm1_startup(chip, tpm1_st_clear);
		if (!rc)
			rc = tpm1_get_timeouts(chip);
	}
	if (!rc)
		rc = tpm1_continue_selftest(chip);
	if (rc == TPM_ERR_FAILEDSELFTEST) {
		/* Such a TPM may take a firmware upgrade, and nothing else. */
		dev_warn(&chip->dev, "TPM failed its self test: firmware upgrade mode\n");
		chip->flags |= TPM_CHIP_FLAG_FIRMWARE_UPGRADE;
		return 0;
	}
	if (tpm1_operational(chip, rc))
		return 0;
	if (rc > 0) {
		dev_err(&chip->dev, "TPM failed to start: 0x%zx\n", rc);
		return -ENODEV;
	}
	return rc;
}

/**
 * tpm1_save_state() - TPM_SaveState, before the system suspends
 * @chip: the chip
 *
 * The TPM keeps what TPM_Startup(ST_STATE) restores at resume (the PCRs
 * among it).  A TPM busy with something else answers TPM_RETRY: the
 * transmit path retries that, and this for as long as upstream does
 * (TPM1_SAVE_STATE_PATIENCE_MS in all).
 *
 * Context: process context, may sleep; the caller holds the ops.
 */
void tpm1_save_state(struct tpm_chip *chip)
{
	unsigned long stop = jiffies +
			     msecs_to_jiffies(TPM1_SAVE_STATE_PATIENCE_MS);
	ssize_t rc;

	for (;;) {
		rc = tpm1_simple(chip, TPM_ORD_SAVE_STATE, NULL, 0, NULL);
		if (rc != TPM1_WARN_RETRY || time_after(jiffies, stop))
			break;
		msleep(TPM1_POLL_MS);
	}
	if (rc)
		dev_err(&chip->dev, "TPM_SaveState failed: %zd\n", rc);
}

/**
 * tpm1_resume() - make a TPM 1.2 fully operational after a resume
 * @chip: the chip
 *
 * The firmware restarts the TPM with TPM_Startup(ST_STATE); the TPM then
 * wants TPM_ContinueSelfTest.  A TPM the firmware left unstarted (it
 * answers TPM_INVALID_POSTINIT) gets TPM_Startup(ST_STATE) here, so it
 * comes back with what it saved at suspend rather than not at all.
 * Failures are logged: the TPM's clients will see its errors.
 *
 * Context: process context, may sleep; the caller holds the ops.
 */
void tpm1_resume(struct tpm_chip *chip)
{
	ssize_t rc;

	rc = tpm1_continue_selftest(chip);
	if (rc == TPM_ERR_INVALID_POSTINIT) {
		dev_warn(&chip->dev, "not restarted at resume; sending TPM_Startup(ST_STATE)\n");
		rc = tpm1_startup(chip, tpm1_st_state);
		if (!rc)
			rc = tpm1_continue_selftest(chip);
	}
	if (!tpm1_operational(chip, rc))
		dev_err(&chip->dev, "TPM did not resume: %zd\n", rc);
}

/**
 * tpm1_get_random() - fill a buffer from a TPM 1.2's random number generator
 * @chip:	the chip
 * @dest:	where the bytes go
 * @max:	how many are wanted
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: the number of bytes written (at most @max, fewer if the TPM ran
 * short), or a negative errno.
 */
int tpm1_get_random(struct tpm_chip *chip, u8 *dest, size_t max)
{
	size_t done = 0;
	struct tpm_cmd cmd;
	ssize_t rc;
	u32 got;

	while (done < max) {
		rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, TPM_ORD_GET_RANDOM);
		if (rc)
			return rc;
		tpm_cmd_put_u32(&cmd, min_t(size_t, max - done, 128));
		rc = tpm_cmd_run(chip, &cmd, 4, "TPM_GetRandom");
		if (rc) {
			tpm_cmd_free(&cmd);
			return rc > 0 ? -EIO : rc;
		}
		got = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE);
		if (!got || got > max - done ||
		    cmd.len < TPM_HEADER_SIZE + 4 + got) {
			tpm_cmd_free(&cmd);
			return done ? done : -EIO;
		}
		memcpy(dest + done, cmd.data + TPM_HEADER_SIZE + 4, got);
		done += got;
		tpm_cmd_free(&cmd);
	}
	return done;
}

/**
 * tpm1_pcr_read() - read a PCR
 * @chip:	the chip
 * @pcr:	the PCR
 * @out:	its SHA-1 value, TPM_DIGEST_SIZE bytes
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0) or a negative errno.
 */
int tpm1_pcr_read(struct tpm_chip *chip, u32 pcr, u8 *out)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, TPM_ORD_PCR_READ);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, pcr);
	rc = tpm_cmd_run(chip, &cmd, TPM_DIGEST_SIZE, "TPM_PCRRead");
	if (!rc)
		memcpy(out, cmd.data + TPM_HEADER_SIZE, TPM_DIGEST_SIZE);
	tpm_cmd_free(&cmd);
	return rc;
}

/**
 * tpm1_pcr_extend() - extend a PCR
 * @chip:	the chip
 * @pcr:	the PCR
 * @sha1:	the SHA-1 digest to extend it with
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0) or a negative errno.
 */
int tpm1_pcr_extend(struct tpm_chip *chip, u32 pcr, const u8 *sha1)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, TPM_ORD_EXTEND);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, pcr);
	tpm_cmd_put(&cmd, sha1, TPM_DIGEST_SIZE);
	rc = tpm_cmd_run(chip, &cmd, TPM_DIGEST_SIZE, "TPM_Extend");
	tpm_cmd_free(&cmd);
	return rc;
}

/**
 * tpm1_get_pcr_banks() - a TPM 1.2's one PCR bank, SHA-1
 * @chip: the chip
 *
 * Context: any context.
 */
void tpm1_get_pcr_banks(struct tpm_chip *chip)
{
	chip->allocated_banks[0].alg_id = TPM_ALG_SHA1;
	chip->allocated_banks[0].digest_size = TPM_DIGEST_SIZE;
	chip->allocated_banks[0].crypto_id = HASH_ALGO_SHA1;
	chip->nr_allocated_banks = 1;
}
EXPORT_SYMBOL_IF_KUNIT(tpm1_get_pcr_banks);
