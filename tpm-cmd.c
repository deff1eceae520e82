// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building the commands the core sends itself and checking their responses.
 */
#include <linux/slab.h>
#include "tpm.h"

/**
 * tpm_cmd_init() - start a command
 * @cmd:	the command to initialise
 * @tag:	the header's tag (e.g. TPM2_ST_NO_SESSIONS)
 * @code:	the command code
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int tpm_cmd_init(struct tpm_cmd *cmd, u16 tag, u32 code)
{
	cmd->data = kmalloc(TPM_BUFSIZE, GFP_KERNEL);
	if (!cmd->data)
		return -ENOMEM;
	cmd->len = 0;
	cmd->overflow = false;
	tpm_cmd_put_u16(cmd, tag);
	tpm_cmd_put_u32(cmd, TPM_HEADER_SIZE);
	tpm_cmd_put_u32(cmd, code);
	return 0;
}
EXPORT_SYMBOL_GPL(tpm_cmd_init);

/**
 * tpm_cmd_reply() - replace a command with a bare response
 * @buf:	the command, at least TPM_HEADER_SIZE bytes
 * @rc:		the response code
 *
 * For an answer the core gives in the TPM's place.
 *
 * Context: any context.
 * Return: the response's length, TPM_HEADER_SIZE.
 */
ssize_t tpm_cmd_reply(u8 *buf, u32 rc)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(TPM_HEADER_SIZE, buf + 2);
	put_unaligned_be32(rc, buf + 6);
	return TPM_HEADER_SIZE;
}

/**
 * tpm_cmd_free() - release a command's buffer
 * @cmd:	the command
 *
 * Context: any context.
 */
void tpm_cmd_free(struct tpm_cmd *cmd)
{
	kfree(cmd->data);
	cmd->data = NULL;
}
EXPORT_SYMBOL_GPL(tpm_cmd_free);

/**
 * tpm_cmd_put() - append bytes to a command
 * @cmd:	the command
 * @src:	the bytes
 * @n:		how many
 *
 * Context: any context.
 */
void tpm_cmd_put(struct tpm_cmd *cmd, const void *src, size_t n)
{
	if (cmd->overflow || n > TPM_BUFSIZE - cmd->len) {
		cmd->overflow = true;
		return;
	}
	memcpy(cmd->data + cmd->len, src, n);
	cmd->len += n;
}
EXPORT_SYMBOL_GPL(tpm_cmd_put);

/**
 * tpm_cmd_put_u8() - append a byte to a command
 * @cmd:	the command
 * @v:		the byte
 *
 * Context: any context.
 */
void tpm_cmd_put_u8(struct tpm_cmd *cmd, u8 v)
{
	tpm_cmd_put(cmd, &v, 1);
}
EXPORT_SYMBOL_GPL(tpm_cmd_put_u8);

/**
 * tpm_cmd_put_u16() - append a big-endian 16-bit value to a command
 * @cmd:	the command
 * @v:		the value
 *
 * Context: any context.
 */
void tpm_cmd_put_u16(struct tpm_cmd *cmd, u16 v)
{
	__be16 be = cpu_to_be16(v);

	tpm_cmd_put(cmd, &be, sizeof(be));
}
EXPORT_SYMBOL_GPL(tpm_cmd_put_u16);

/**
 * tpm_cmd_put_u32() - append a big-endian 32-bit value to a command
 * @cmd:	the command
 * @v:		the value
 *
 * Context: any context.
 */
void tpm_cmd_put_u32(struct tpm_cmd *cmd, u32 v)
{
	__be32 be = cpu_to_be32(v);

	tpm_cmd_put(cmd, &be, sizeof(be));
}
EXPORT_SYMBOL_GPL(tpm_cmd_put_u32);

/**
 * tpm_cmd_run() - send a command built with tpm_cmd_init() and check the answer
 * @chip:	the chip, whose ops the caller holds
 * @cmd:	the command; on return ->data holds the response, ->len its length
 * @min_body:	the fewest bytes a successful response carries after its header
 * @what:	what the command is for, for the log; NULL to stay quiet on
 *		a TPM error code
 *
 * Context: process context, may sleep; the caller holds the chip's ops.
 * Return: 0 on success, the TPM's response code (> 0) if it refused the
 * command, or a negative errno if the command did not complete or the
 * response is too short.
 */
ssize_t tpm_cmd_run(struct tpm_chip *chip, struct tpm_cmd *cmd,
		    size_t min_body, const char *what)
{
	ssize_t len;
	u32 rc;

	if (cmd->overflow)
		return -E2BIG;
	put_unaligned_be32(cmd->len, cmd->data + 2);
	len = tpm_transmit(chip, cmd->data, TPM_BUFSIZE);
	if (len < 0)
		return len;
	cmd->len = len;
	rc = tpm_hdr_code(cmd->data);
	if (rc) {
		if (what)
			dev_err(&chip->dev, "%s: TPM returned 0x%x\n", what, rc);
		return rc;
	}
	if (len < TPM_HEADER_SIZE + min_body)
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_GPL(tpm_cmd_run);
