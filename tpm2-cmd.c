// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM 2.0 commands the core sends on its own: family probe, start-up,
 * shutdown, random numbers, the command list, PCR banks, PCR reads and
 * extends, flushing a context; and the TPM 2.0 timeouts.
 */
#include <linux/hash_info.h>
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
 * tpm2_get_tpm_pt() - read one TPM property
 * @chip:	the chip
 * @property:	the property (TPM_PT_*)
 * @value:	out: its value
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0; -ENODATA if the answer does not hold the property asked for;
 * the TPM's response code (> 0); or a negative errno.
 */
int tpm2_get_tpm_pt(struct tpm_chip *chip, u32 property, u32 *value)
{
	/* moreData, capability, count, then (property, value) pairs */
	const u32 first = 1 + 4 + 4;
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, TPM2_CAP_TPM_PROPERTIES);
	tpm_cmd_put_u32(&cmd, property);
	tpm_cmd_put_u32(&cmd, 1);
	rc = tpm_cmd_run(chip, &cmd, 0, NULL);
	if (rc)
		goto out;
	rc = -ENODATA;
	if (cmd.len >= TPM_HEADER_SIZE + first + 8 &&
	    get_unaligned_be32(cmd.data + TPM_HEADER_SIZE + 5) >= 1 &&
	    get_unaligned_be32(cmd.data + TPM_HEADER_SIZE + first) == property) {
		*value = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE + first + 4);
		rc = 0;
	}
out:
	tpm_cmd_free(&cmd);
	return rc;
}

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

/*
 * The hash algorithms a PCR bank may use that the kernel knows by name:
 * their digest sizes and the kernel's identifiers (<linux/hash_info.h>).
 */
static const struct tpm_bank_info tpm2_known_banks[] = {
	{ TPM_ALG_SHA1,		20, HASH_ALGO_SHA1 },
	{ TPM_ALG_SHA256,	32, HASH_ALGO_SHA256 },
	{ TPM_ALG_SHA384,	48, HASH_ALGO_SHA384 },
	{ TPM_ALG_SHA512,	64, HASH_ALGO_SHA512 },
	{ TPM_ALG_SM3_256,	32, HASH_ALGO_SM3_256 },
};

/* A TPML_PCR_SELECTION of one bank, one PCR. */
static void tpm2_put_pcr_select(struct tpm_cmd *cmd, u16 alg, u32 pcr)
{
	u8 select[TPM2_PCR_SELECT_MIN] = { 0 };

	select[pcr / 8] = BIT(pcr % 8);
	tpm_cmd_put_u32(cmd, 1);
	tpm_cmd_put_u16(cmd, alg);
	tpm_cmd_put_u8(cmd, sizeof(select));
	tpm_cmd_put(cmd, select, sizeof(select));
}

/**
 * tpm2_pcr_want() - may this PCR of this bank be read, and how long is it?
 * @chip:	the chip
 * @pcr:	the PCR
 * @digest:	the bank (alg_id)
 * @any:	the bank need not be one of the chip's (its size is not known)
 * @want:	out: the digest's size, or 0 if @any and not known
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a PCR out of range or a bank the chip lacks.
 */
int tpm2_pcr_want(struct tpm_chip *chip, u32 pcr,
		  const struct tpm_digest *digest, bool any, u16 *want)
{
	int i;

	*want = 0;
	if (pcr >= TPM2_PLATFORM_PCR)
		return -EINVAL;
	for (i = 0; !any && i < chip->nr_allocated_banks; i++)
		if (chip->allocated_banks[i].alg_id == digest->alg_id)
			*want = chip->allocated_banks[i].digest_size;
	return !any && !*want ? -EINVAL : 0;
}

/**
 * tpm2_pcr_read_rsp() - the digest a TPM2_PCR_Read response holds
 * @data:	the response
 * @len:	its length
 * @off:	where its parameters start
 * @digest:	out: the PCR's value
 * @want:	the size it must have, or 0
 * @size:	out: its size, or NULL
 *
 * Context: any context.
 * Return: 0; -EINVAL if the TPM has no value for the bank; -EFAULT for a
 * response that makes no sense.
 */
int tpm2_pcr_read_rsp(const u8 *data, u32 len, u32 off,
		      struct tpm_digest *digest, u16 want, u16 *size)
{
	u32 sel, n;
	u16 got;

	/* pcrUpdateCounter, then the selection read and the digests. */
	if (off + 8 > len)
		return -EFAULT;
	off += 4;
	sel = get_unaligned_be32(data + off);
	off += 4;
	for (n = 0; n < sel && off + 3 <= len; n++)
		off += 3 + data[off + 2];
	if (n < sel || off + 4 > len)
		return -EFAULT;
	if (get_unaligned_be32(data + off) != 1)
		return -EINVAL;
	off += 4;
	if (off + 2 > len)
		return -EFAULT;
	got = get_unaligned_be16(data + off);
	off += 2;
	if (got > sizeof(digest->digest) || off + got > len ||
	    (want && got != want))
		return -EFAULT;
	memcpy(digest->digest, data + off, got);
	if (size)
		*size = got;
	return 0;
}

/**
 * tpm2_pcr_read() - read one PCR of one bank
 * @chip:	the chip
 * @pcr:	the PCR, below TPM2_PLATFORM_PCR
 * @digest:	in: the bank (alg_id); out: the PCR's value
 * @size:	out: the digest's size; NULL if the bank is one of the
 *		chip's, whose size must then match
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0; -EINVAL for a PCR out of range or a bank the TPM has no
 * value for; -EFAULT for a response that makes no sense; the TPM's
 * response code (> 0); or a negative errno.
 */
int tpm2_pcr_read(struct tpm_chip *chip, u32 pcr, struct tpm_digest *digest,
		  u16 *size)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u16 want;

	rc = tpm2_pcr_want(chip, pcr, digest, !!size, &want);
	if (rc)
		return rc;
	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_PCR_READ);
	if (rc)
		return rc;
	tpm2_put_pcr_select(&cmd, digest->alg_id, pcr);
	rc = tpm_cmd_run(chip, &cmd, 4 + 4, "TPM2_PCR_Read");
	if (!rc)
		rc = tpm2_pcr_read_rsp(cmd.data, cmd.len, TPM_HEADER_SIZE,
				       digest, want, size);
	tpm_cmd_free(&cmd);
	return rc;
}

/**
 * tpm2_pcr_extend() - extend one PCR in every bank of the chip
 * @chip:	the chip
 * @pcr:	the PCR
 * @digests:	one digest per chip->allocated_banks entry, in that order
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0) or a negative errno.
 */
int tpm2_pcr_extend(struct tpm_chip *chip, u32 pcr,
		    const struct tpm_digest *digests)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u32 i;

	rc = tpm_cmd_init(&cmd, TPM2_ST_SESSIONS, TPM2_CC_PCR_EXTEND);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, pcr);
	/* A password session with the empty password. */
	tpm_cmd_put_u32(&cmd, 9);
	tpm_cmd_put_u32(&cmd, TPM2_RS_PW);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u8(&cmd, 0);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u32(&cmd, chip->nr_allocated_banks);
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		tpm_cmd_put_u16(&cmd, digests[i].alg_id);
		tpm_cmd_put(&cmd, digests[i].digest,
			    chip->allocated_banks[i].digest_size);
	}
	rc = tpm_cmd_run(chip, &cmd, 0, "TPM2_PCR_Extend");
	tpm_cmd_free(&cmd);
	return rc;
}

/* What is known of a bank's hash; an unknown one is asked its size. */
static int tpm2_bank_info(struct tpm_chip *chip, struct tpm_bank_info *bank)
{
	struct tpm_digest digest = { .alg_id = bank->alg_id };
	int i, rc;

	for (i = 0; i < ARRAY_SIZE(tpm2_known_banks); i++) {
		if (tpm2_known_banks[i].alg_id == bank->alg_id) {
			*bank = tpm2_known_banks[i];
			return 0;
		}
	}
	bank->crypto_id = HASH_ALGO__LAST;
	rc = tpm2_pcr_read(chip, 0, &digest, &bank->digest_size);
	return rc > 0 ? -EIO : rc;
}

/* A TPMS_PCR_SELECTION at @off: its bank, whether it has PCRs, its end. */
static int tpm2_parse_pcr_selection(const struct tpm_cmd *cmd, u32 off,
				    u16 *alg, bool *used, u32 *next)
{
	u8 n;

	if (off + 3 > cmd->len)
		return -EFAULT;
	*alg = get_unaligned_be16(cmd->data + off);
	n = cmd->data[off + 2];
	off += 3;
	if (off + n > cmd->len)
		return -EFAULT;
	*used = memchr_inv(cmd->data + off, 0, n);
	*next = off + n;
	return 0;
}

/**
 * tpm2_get_pcr_banks() - learn the chip's PCR banks
 * @chip: the chip
 *
 * Fills chip->allocated_banks with the banks that have PCRs allocated, in
 * the TPM's order, as TPM2_GetCapability(PCRS) lists them; the kernel's
 * users (tpm_pcr_extend()) and the sysfs PCR files go by this list.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0) or a negative errno (-EFAULT
 * for a list that runs past the response, -E2BIG for more banks than a
 * chip holds); on failure the chip has no banks.
 */
int tpm2_get_pcr_banks(struct tpm_chip *chip)
{
	u32 off = TPM_HEADER_SIZE + 5, count, i, next;
	struct tpm_bank_info *bank;
	struct tpm_cmd cmd;
	ssize_t rc;
	bool used;
	u16 alg;

	chip->nr_allocated_banks = 0;
	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, TPM2_CAP_PCRS);
	tpm_cmd_put_u32(&cmd, 0);
	tpm_cmd_put_u32(&cmd, 1);
	rc = tpm_cmd_run(chip, &cmd, 9, "TPM2_GetCapability(PCRS)");
	if (rc)
		goto out;
	count = get_unaligned_be32(cmd.data + off);
	off += 4;
	for (i = 0; i < count; i++, off = next) {
		rc = tpm2_parse_pcr_selection(&cmd, off, &alg, &used, &next);
		if (rc)
			break;
		if (!used)
			continue;
		/* Extending some banks and not others would be a lie. */
		if (chip->nr_allocated_banks == TPM2_MAX_PCR_BANKS) {
			rc = -E2BIG;
			break;
		}
		bank = &chip->allocated_banks[chip->nr_allocated_banks];
		bank->alg_id = alg;
		rc = tpm2_bank_info(chip, bank);
		if (rc)
			break;
		chip->nr_allocated_banks++;
	}
out:
	tpm_cmd_free(&cmd);
	if (rc)
		chip->nr_allocated_banks = 0;
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_get_pcr_banks);

/**
 * tpm2_flush_handle() - remove a context from the TPM, and say how it went
 * @chip:	the chip
 * @handle:	a loaded object or a session
 * @what:	for the log if the TPM refuses; NULL to stay quiet
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, the TPM's response code (> 0), or a negative errno.
 */
ssize_t tpm2_flush_handle(struct tpm_chip *chip, u32 handle, const char *what)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, handle);
	rc = tpm_cmd_run(chip, &cmd, 0, what);
	tpm_cmd_free(&cmd);
	return rc;
}
