// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API <linux/tpm.h> gives the kernel's TPM users (trusted keys, IMA,
 * the hwrng): finding the default chip, its family, random numbers, PCR
 * reads and extends, and raw commands.  Names, prototypes and outcomes
 * are upstream's for the kernel being built (tpm-compat.h says which
 * kernel has what).  A function that takes a chip also takes NULL for the
 * default chip, and the chip's ops for the duration of the call; a chip
 * unplugged meanwhile gives -ENODEV.  tpm_transmit_cmd() is the exception:
 * its caller holds the ops.
 */
#include <linux/module.h>
#include "tpm.h"
#include "tpm2-session.h"

/**
 * tpm_default_chip() - the chip a kernel user gets when it names none
 *
 * Context: process context, may sleep.
 * Return: the registered chip numbered lowest, with a reference the
 * caller drops with put_device(); NULL if there is none.
 */
struct tpm_chip *tpm_default_chip(void)
{
	return tpm_chip_find_get();
}
EXPORT_SYMBOL_GPL(tpm_default_chip);

/* @chip, or the default chip, with its ops taken; NULL if neither works. */
static struct tpm_chip *tpm_find_get_ops(struct tpm_chip *chip)
{
	struct tpm_chip *found;
	int rc;

	if (chip)
		return tpm_try_get_ops(chip) ? NULL : chip;
	found = tpm_chip_find_get();
	if (!found)
		return NULL;
	rc = tpm_try_get_ops(found);
	put_device(&found->dev);
	return rc ? NULL : found;
}

/**
 * tpm_is_tpm2() - does a chip speak TPM 2.0?
 * @chip: the chip, or NULL for the default chip
 *
 * Context: process context, may sleep.
 * Return: 1 for TPM 2.0, 0 for TPM 1.2, -ENODEV if there is no such chip.
 */
int tpm_is_tpm2(struct tpm_chip *chip)
{
	int rc;

	chip = tpm_find_get_ops(chip);
	if (!chip)
		return -ENODEV;
	rc = !!(chip->flags & TPM_CHIP_FLAG_TPM2);
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_is_tpm2);

#ifdef CONFIG_TCG_TPM2_HMAC
/*
 * The core's own commands through the chip's session (tpm2-session.c),
 * with the calls a kernel user such as trusted keys makes.
 */

/* Seal @buf, send it, check the response; the session is let go. */
static int tpm2_api_sealed(struct tpm_chip *chip, struct tpm_buf *buf,
			   size_t min_body, const char *desc)
{
	int rc;

	rc = tpm_buf_fill_hmac_session(chip, buf);
	if (rc)
		return rc;
	rc = tpm_transmit_cmd(chip, buf, min_body, desc);
	return tpm_buf_check_hmac_response(chip, buf, rc);
}

/* A command with the session and no handles: the session held, @buf begun. */
static int tpm2_api_begin(struct tpm_chip *chip, struct tpm_buf *buf, u32 cc)
{
	int rc;

	rc = tpm2_start_auth_session(chip);
	if (rc)
		return rc;
	rc = tpm_buf_init(buf, TPM2_ST_SESSIONS, cc);
	if (rc)
		tpm2_end_auth_session(chip);
	return rc;
}

/*
 * The PCR's handle, and its name for the session; a failure lets the
 * session go (tpm_buf_append_name() returns void before 6.12.66: it then
 * marks the command, which tpm_buf_fill_hmac_session() refuses).
 */
static int tpm2_api_append_pcr(struct tpm_chip *chip, struct tpm_buf *buf,
			       u32 pcr)
{
#if TPM_COMPAT_APPEND_NAME_INT
	return tpm_buf_append_name(chip, buf, pcr, NULL);
#else
	tpm_buf_append_name(chip, buf, pcr, NULL);
	return 0;
#endif
}

/* TPM2_PCR_Extend, authorized by the session (HMAC over the digests). */
static int tpm2_api_extend(struct tpm_chip *chip, u32 pcr,
			   const struct tpm_digest *digests)
{
	struct tpm_buf buf;
	int rc;
	u32 i;

	rc = tpm2_api_begin(chip, &buf, TPM2_CC_PCR_EXTEND);
	if (rc)
		return rc;
	rc = tpm2_api_append_pcr(chip, &buf, pcr);
	if (rc) {
		tpm_buf_destroy(&buf);
		return rc;
	}
	tpm_buf_append_hmac_session(chip, &buf, 0, NULL, 0);
	tpm_buf_append_u32(&buf, chip->nr_allocated_banks);
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		tpm_buf_append_u16(&buf, digests[i].alg_id);
		tpm_buf_append(&buf, digests[i].digest,
			       chip->allocated_banks[i].digest_size);
	}
	rc = tpm2_api_sealed(chip, &buf, 0, "TPM2_PCR_Extend");
	tpm_buf_destroy(&buf);
	return rc;
}

/* TPM2_GetRandom, its answer encrypted and checked. */
static int tpm2_api_get_random(struct tpm_chip *chip, u8 *dest, size_t max)
{
	const u32 off = TPM_HEADER_SIZE + 4;
	struct tpm_buf buf;
	size_t done = 0;
	int rc;
	u16 got;

	while (done < max) {
		rc = tpm2_api_begin(chip, &buf, TPM2_CC_GET_RANDOM);
		if (rc)
			return rc;
		tpm_buf_append_hmac_session(chip, &buf, TPM2_SA_ENCRYPT, NULL, 0);
		tpm_buf_append_u16(&buf, min_t(size_t, max - done, 128));
		rc = tpm2_api_sealed(chip, &buf, 4 + 2, "TPM2_GetRandom");
		got = rc ? 0 : get_unaligned_be16(buf.data + off);
		if (!rc && (!got || got > max - done ||
			    tpm_hdr_len(buf.data) < off + 2 + got))
			rc = -EIO;
		if (!rc)
			memcpy(dest + done, buf.data + off + 2, got);
		memzero_explicit(buf.data, PAGE_SIZE);
		tpm_buf_destroy(&buf);
		if (rc)
			return done ? done : (rc > 0 ? -EIO : rc);
		done += got;
	}
	return done;
}

/* TPM2_PCR_Read, its answer checked (the session audits it). */
static int tpm2_api_pcr_read(struct tpm_chip *chip, u32 pcr,
			     struct tpm_digest *digest)
{
	u8 select[TPM2_PCR_SELECT_MIN] = { 0 };
	struct tpm_buf buf;
	u16 want;
	int rc;

	rc = tpm2_pcr_want(chip, pcr, digest, false, &want);
	if (rc)
		return rc;
	rc = tpm2_api_begin(chip, &buf, TPM2_CC_PCR_READ);
	if (rc)
		return rc;
	tpm_buf_append_hmac_session(chip, &buf, TPM2_SA_AUDIT, NULL, 0);
	select[pcr / 8] = BIT(pcr % 8);
	tpm_buf_append_u32(&buf, 1);
	tpm_buf_append_u16(&buf, digest->alg_id);
	tpm_buf_append_u8(&buf, sizeof(select));
	tpm_buf_append(&buf, select, sizeof(select));
	rc = tpm2_api_sealed(chip, &buf, 4 + 4 + 4, "TPM2_PCR_Read");
	/* The parameters alone: the session follows them. */
	if (!rc)
		rc = tpm2_pcr_read_rsp(buf.data, TPM_HEADER_SIZE + 4 +
				       get_unaligned_be32(buf.data + TPM_HEADER_SIZE),
				       TPM_HEADER_SIZE + 4, digest, want, NULL);
	tpm_buf_destroy(&buf);
	return rc;
}
#else
static int tpm2_api_extend(struct tpm_chip *chip, u32 pcr,
			   const struct tpm_digest *digests)
{
	return -EOPNOTSUPP;
}

static int tpm2_api_get_random(struct tpm_chip *chip, u8 *dest, size_t max)
{
	return -EOPNOTSUPP;
}

static int tpm2_api_pcr_read(struct tpm_chip *chip, u32 pcr,
			     struct tpm_digest *digest)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_TCG_TPM2_HMAC */

/**
 * tpm_get_random() - random bytes from a TPM
 * @chip:	the chip, or NULL for the default chip
 * @data:	where the bytes go
 * @max:	how many are wanted
 *
 * Context: process context, may sleep.
 * Return: the number of bytes written (fewer than @max if the TPM ran
 * short), -EINVAL for no buffer, or a negative errno (-ENODEV if there is
 * no such chip).
 */
int tpm_get_random(struct tpm_chip *chip, u8 *data, size_t max)
{
	int rc;

	if (!data || !max)
		return -EINVAL;
	chip = tpm_find_get_ops(chip);
	if (!chip)
		return -ENODEV;
	if (tpm2_sess_protects(chip, TPM2_CC_GET_RANDOM))
		rc = tpm2_api_get_random(chip, data, max);
	else if (chip->flags & TPM_CHIP_FLAG_TPM2)
		rc = tpm2_get_random(chip, data, max);
	else
		rc = tpm1_get_random(chip, data, max);
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_get_random);

/**
 * tpm_pcr_read() - read a PCR
 * @chip:	the chip, or NULL for the default chip
 * @pcr_idx:	the PCR
 * @digest:	in: the bank (alg_id; a TPM 1.2 has SHA-1 only); out: the
 *		PCR's value in that bank
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a PCR or bank the chip does not have; the TPM's
 * response code (> 0); or a negative errno (-ENODEV if there is no such
 * chip).
 */
int tpm_pcr_read(struct tpm_chip *chip, u32 pcr_idx,
		 struct tpm_digest *digest)
{
	int rc;

	chip = tpm_find_get_ops(chip);
	if (!chip)
		return -ENODEV;
	if (tpm2_sess_protects(chip, TPM2_CC_PCR_READ))
		rc = tpm2_api_pcr_read(chip, pcr_idx, digest);
	else if (chip->flags & TPM_CHIP_FLAG_TPM2)
		rc = tpm2_pcr_read(chip, pcr_idx, digest, NULL);
	else
		rc = tpm1_pcr_read(chip, pcr_idx, digest->digest);
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_pcr_read);

/**
 * tpm_pcr_extend() - extend a PCR in every bank
 * @chip:	the chip, or NULL for the default chip
 * @pcr_idx:	the PCR
 * @digests:	one digest per bank of chip->allocated_banks, in its order
 *		(a TPM 1.2: one SHA-1 digest)
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if @digests does not list the chip's banks in order;
 * the TPM's response code (> 0); or a negative errno (-ENODEV if there is
 * no such chip, or its banks are not known).
 */
int tpm_pcr_extend(struct tpm_chip *chip, u32 pcr_idx,
		   struct tpm_digest *digests)
{
	u32 i;
	int rc;

	chip = tpm_find_get_ops(chip);
	if (!chip)
		return -ENODEV;
	/* Banks not known: the TPM would take an extend of none. */
	rc = -ENODEV;
	if (!chip->nr_allocated_banks)
		goto out;
	rc = -EINVAL;
	for (i = 0; i < chip->nr_allocated_banks; i++)
		if (digests[i].alg_id != chip->allocated_banks[i].alg_id)
			goto out;
	if (tpm2_sess_protects(chip, TPM2_CC_PCR_EXTEND))
		rc = tpm2_api_extend(chip, pcr_idx, digests);
	else if (chip->flags & TPM_CHIP_FLAG_TPM2)
		rc = tpm2_pcr_extend(chip, pcr_idx, digests);
	else
		rc = tpm1_pcr_extend(chip, pcr_idx, digests[0].digest);
out:
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_pcr_extend);

/*
 * A kernel user's command found no room in the TPM: the contexts spaces
 * left loaded there (lazily, tpm2-space.c) are what a /dev/tpmrmN client
 * could not have taken without the resource manager, so they make room
 * and the command is sent once more.
 */
static bool tpm_api_make_room(struct tpm_chip *chip, u32 rc)
{
	if (!(chip->flags & TPM_CHIP_FLAG_TPM2))
		return false;
	if (rc != TPM2_RC_OBJECT_MEMORY && rc != TPM2_RC_SESSION_MEMORY)
		return false;
	return !tpm2_rm_evict_all(chip);
}

/**
 * tpm2_flush_context() - remove a context from the TPM
 * @chip:	the chip
 * @handle:	a loaded object or a session of the caller's
 *
 * Errors are logged: a kernel user that flushes a handle has nothing else
 * to do with it either way.  A handle under which the resource manager
 * holds a context is not flushed (tpm2_rm_holds()).
 *
 * Context: process context, may sleep; the caller holds the ops.
 */
void tpm2_flush_context(struct tpm_chip *chip, u32 handle)
{
	if (tpm2_rm_holds(chip, handle))
		dev_err(&chip->dev, "TPM2_FlushContext: 0x%08x is not the caller's\n",
			handle);
	else
		tpm2_flush_handle(chip, handle, "TPM2_FlushContext");
}
EXPORT_SYMBOL_GPL(tpm2_flush_context);

/* tpm_transmit() of a kernel user's command, after tpm2_rm_shield(). */
static ssize_t tpm_api_transmit(struct tpm_chip *chip, u8 *buf)
{
	ssize_t rc;

	rc = tpm2_rm_shield(chip, buf, min_t(u32, tpm_hdr_len(buf), PAGE_SIZE));
	if (rc < 0)
		return rc;
	if (rc > 0)
		return tpm_cmd_reply(buf, rc);
	return tpm_transmit(chip, buf, PAGE_SIZE);
}

/**
 * tpm_transmit_cmd() - send a kernel user's command and check the answer
 * @chip:			the chip, whose ops the caller holds
 * @buf:			the command on entry, the response on return: a
 *				page (tpm_buf_init())
 * @min_rsp_body_length:	the least the response must hold past its header
 * @desc:			what the command is for the error message, or
 *				NULL for none
 *
 * A TPM 2.0 that answers TPM_RC_OBJECT_MEMORY or TPM_RC_SESSION_MEMORY
 * (a bare header, which left the rest of the command as it was) gets the
 * command once more after the resource manager's contexts made room.  As
 * upstream, the TPM's refusal of the command is logged (unless it is a
 * disabled or deactivated TPM 1.2's, or TPM2_RC_TESTING).
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0 (and the response's length is the buffer's), the TPM's
 * response code (> 0), -EFAULT for a response shorter than wanted, or a
 * negative errno from the transport.
 */
ssize_t tpm_transmit_cmd(struct tpm_chip *chip, struct tpm_buf *buf,
			 size_t min_rsp_body_length, const char *desc)
{
	u8 header[TPM_HEADER_SIZE];
	ssize_t len;
	u32 rc;

	memcpy(header, buf->data, sizeof(header));
	len = tpm_api_transmit(chip, buf->data);
	if (len < 0)
		return len;
	rc = tpm_hdr_code(buf->data);
	if (len == TPM_HEADER_SIZE && tpm_api_make_room(chip, rc)) {
		/* An error response is a bare header: the command is intact. */
		memcpy(buf->data, header, sizeof(header));
		len = tpm_api_transmit(chip, buf->data);
		if (len < 0)
			return len;
		rc = tpm_hdr_code(buf->data);
	}
	if (rc && rc != TPM_ERR_DISABLED && rc != TPM_ERR_DEACTIVATED &&
	    rc != TPM2_RC_TESTING && desc)
		dev_err(&chip->dev, "TPM error 0x%x %s\n", rc, desc);
	if (rc)
		return rc;
	if (len < TPM_HEADER_SIZE + min_rsp_body_length)
		return -EFAULT;
	tpm_compat_buf_set_length(buf, len);
	return 0;
}
EXPORT_SYMBOL_GPL(tpm_transmit_cmd);

#if TPM_COMPAT_HAVE_TPM_SEND
/**
 * tpm_send() - send a kernel user's raw command
 * @chip:	the chip, or NULL for the default chip
 * @cmd:	the command on entry, the response on return; as upstream,
 *		a page (the command's length is taken from its header)
 * @buflen:	the command's length
 *
 * Context: process context, may sleep.
 * Return: 0, the TPM's response code (> 0), -EINVAL for a command whose
 * header says more than @buflen, or a negative errno (-ENODEV if there is
 * no such chip).
 */
int tpm_send(struct tpm_chip *chip, void *cmd, size_t buflen)
{
	struct tpm_buf buf = { .data = cmd };
	int rc;

	if (buflen < TPM_HEADER_SIZE || tpm_hdr_len(cmd) > buflen)
		return -EINVAL;
	chip = tpm_find_get_ops(chip);
	if (!chip)
		return -ENODEV;
	rc = tpm_transmit_cmd(chip, &buf, 0, "(a kernel user's command)");
	tpm_put_ops(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_send);
#endif
