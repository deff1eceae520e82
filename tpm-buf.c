// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command builder of <linux/tpm.h> (struct tpm_buf), for the kernel's
 * TPM users: a page that holds a command or a TPM2B being built, then the
 * response tpm_transmit_cmd() put there.  Kernels before v6.8 have these
 * inline in <linux/tpm.h>; later ones expect them from tpm.ko, and from
 * v6.10 also the session helpers at the end of this file.  The core's own
 * commands use struct tpm_cmd (tpm-cmd.c).
 *
 * A builder never fails halfway: an append that does not fit marks the
 * buffer (TPM_BUF_OVERFLOW) and changes nothing, and a read past the
 * response marks it (TPM_BUF_BOUNDARY_ERROR) and yields zero.  Both are
 * the caller's programming error and warn once.
 */
#include <linux/gfp.h>
#include <linux/module.h>
#include "tpm.h"

#if TPM_COMPAT_BUF_IN_CORE

/* The header's length field, or a TPM2B's size field, follows the data. */
static void tpm_buf_sync_length(struct tpm_buf *buf)
{
	if (buf->flags & TPM_BUF_TPM2B)
		put_unaligned_be16(buf->length - 2, buf->data);
	else
		put_unaligned_be32(buf->length, buf->data + 2);
}

/**
 * tpm_buf_reset() - start a new command in a buffer
 * @buf:	the buffer
 * @tag:	the command's tag
 * @ordinal:	the command code
 *
 * Context: any context.
 */
void tpm_buf_reset(struct tpm_buf *buf, u16 tag, u32 ordinal)
{
	buf->flags = 0;
	buf->handles = 0;
	buf->length = TPM_HEADER_SIZE;
	put_unaligned_be16(tag, buf->data);
	put_unaligned_be32(ordinal, buf->data + 6);
	tpm_buf_sync_length(buf);
}
EXPORT_SYMBOL_GPL(tpm_buf_reset);

/**
 * tpm_buf_init() - allocate a buffer and start a command in it
 * @buf:	the buffer
 * @tag:	the command's tag
 * @ordinal:	the command code
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int tpm_buf_init(struct tpm_buf *buf, u16 tag, u32 ordinal)
{
	buf->data = (u8 *)__get_free_page(GFP_KERNEL);
	if (!buf->data)
		return -ENOMEM;
	tpm_buf_reset(buf, tag, ordinal);
	return 0;
}
EXPORT_SYMBOL_GPL(tpm_buf_init);

/**
 * tpm_buf_reset_sized() - start a new TPM2B (a big-endian size, then data)
 * @buf:	the buffer
 *
 * Context: any context.
 */
void tpm_buf_reset_sized(struct tpm_buf *buf)
{
	buf->flags = TPM_BUF_TPM2B;
	buf->handles = 0;
	buf->length = 2;
	tpm_buf_sync_length(buf);
}
EXPORT_SYMBOL_GPL(tpm_buf_reset_sized);

/**
 * tpm_buf_init_sized() - allocate a buffer and start a TPM2B in it
 * @buf:	the buffer
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int tpm_buf_init_sized(struct tpm_buf *buf)
{
	buf->data = (u8 *)__get_free_page(GFP_KERNEL);
	if (!buf->data)
		return -ENOMEM;
	tpm_buf_reset_sized(buf);
	return 0;
}
EXPORT_SYMBOL_GPL(tpm_buf_init_sized);

/**
 * tpm_buf_destroy() - free a buffer's page
 * @buf:	the buffer
 *
 * Context: any context.
 */
void tpm_buf_destroy(struct tpm_buf *buf)
{
	free_page((unsigned long)buf->data);
	buf->data = NULL;
}
EXPORT_SYMBOL_GPL(tpm_buf_destroy);

/**
 * tpm_buf_length() - the bytes a buffer holds
 * @buf:	the buffer
 *
 * Context: any context.
 * Return: the command (or TPM2B) built so far, header included; after
 * tpm_transmit_cmd(), the response's length.
 */
u32 tpm_buf_length(struct tpm_buf *buf)
{
	return buf->length;
}
EXPORT_SYMBOL_GPL(tpm_buf_length);

/**
 * tpm_buf_append() - append bytes
 * @buf:	the buffer
 * @new_data:	the bytes
 * @new_length:	how many
 *
 * Context: any context.
 */
void tpm_buf_append(struct tpm_buf *buf, const u8 *new_data, u16 new_length)
{
	if ((buf->flags & TPM_BUF_OVERFLOW) || !new_length)
		return;
	if (new_length > PAGE_SIZE - buf->length) {
		WARN_ONCE(1, "tpm_buf: a command outgrew its page\n");
		buf->flags |= TPM_BUF_OVERFLOW;
		return;
	}
	memcpy(buf->data + buf->length, new_data, new_length);
	buf->length += new_length;
	tpm_buf_sync_length(buf);
}
EXPORT_SYMBOL_GPL(tpm_buf_append);

/**
 * tpm_buf_append_u8() - append a byte
 * @buf:	the buffer
 * @value:	the byte
 *
 * Context: any context.
 */
void tpm_buf_append_u8(struct tpm_buf *buf, const u8 value)
{
	tpm_buf_append(buf, &value, 1);
}
EXPORT_SYMBOL_GPL(tpm_buf_append_u8);

/**
 * tpm_buf_append_u16() - append a big-endian 16-bit value
 * @buf:	the buffer
 * @value:	the value
 *
 * Context: any context.
 */
void tpm_buf_append_u16(struct tpm_buf *buf, const u16 value)
{
	__be16 be = cpu_to_be16(value);

	tpm_buf_append(buf, (const u8 *)&be, sizeof(be));
}
EXPORT_SYMBOL_GPL(tpm_buf_append_u16);

/**
 * tpm_buf_append_u32() - append a big-endian 32-bit value
 * @buf:	the buffer
 * @value:	the value
 *
 * Context: any context.
 */
void tpm_buf_append_u32(struct tpm_buf *buf, const u32 value)
{
	__be32 be = cpu_to_be32(value);

	tpm_buf_append(buf, (const u8 *)&be, sizeof(be));
}
EXPORT_SYMBOL_GPL(tpm_buf_append_u32);

/**
 * tpm_buf_append_handle() - append a handle of the command's handle area
 * @chip:	the chip, for the message
 * @buf:	the buffer, a command
 * @handle:	the handle
 *
 * Context: any context.
 */
void tpm_buf_append_handle(struct tpm_chip *chip, struct tpm_buf *buf,
			   u32 handle)
{
	if (buf->flags & TPM_BUF_TPM2B) {
		dev_err(&chip->dev, "a TPM2B has no handles\n");
		return;
	}
	tpm_buf_append_u32(buf, handle);
	buf->handles++;
}
EXPORT_SYMBOL_GPL(tpm_buf_append_handle);

/* Copy @count bytes at *@offset of the response, and move past them. */
static void tpm_buf_read(struct tpm_buf *buf, off_t *offset, size_t count,
			 void *out)
{
	if (buf->flags & TPM_BUF_BOUNDARY_ERROR)
		return;
	if (*offset < 0 || *offset > buf->length ||
	    count > buf->length - *offset) {
		WARN_ONCE(1, "tpm_buf: a read past the response\n");
		buf->flags |= TPM_BUF_BOUNDARY_ERROR;
		return;
	}
	memcpy(out, buf->data + *offset, count);
	*offset += count;
}

/**
 * tpm_buf_read_u8() - read a byte of the response
 * @buf:	the buffer
 * @offset:	where, moved past it
 *
 * Context: any context.
 * Return: the byte; 0 past the response (and the buffer is marked).
 */
u8 tpm_buf_read_u8(struct tpm_buf *buf, off_t *offset)
{
	u8 v = 0;

	tpm_buf_read(buf, offset, sizeof(v), &v);
	return v;
}
EXPORT_SYMBOL_GPL(tpm_buf_read_u8);

/**
 * tpm_buf_read_u16() - read a big-endian 16-bit value of the response
 * @buf:	the buffer
 * @offset:	where, moved past it
 *
 * Context: any context.
 * Return: the value; 0 past the response (and the buffer is marked).
 */
u16 tpm_buf_read_u16(struct tpm_buf *buf, off_t *offset)
{
	__be16 v = 0;

	tpm_buf_read(buf, offset, sizeof(v), &v);
	return be16_to_cpu(v);
}
EXPORT_SYMBOL_GPL(tpm_buf_read_u16);

/**
 * tpm_buf_read_u32() - read a big-endian 32-bit value of the response
 * @buf:	the buffer
 * @offset:	where, moved past it
 *
 * Context: any context.
 * Return: the value; 0 past the response (and the buffer is marked).
 */
u32 tpm_buf_read_u32(struct tpm_buf *buf, off_t *offset)
{
	__be32 v = 0;

	tpm_buf_read(buf, offset, sizeof(v), &v);
	return be32_to_cpu(v);
}
EXPORT_SYMBOL_GPL(tpm_buf_read_u32);

#endif /* TPM_COMPAT_BUF_IN_CORE */

#if TPM_COMPAT_SESSION_HELPERS

#ifndef CONFIG_TCG_TPM2_HMAC
/*
 * Without CONFIG_TCG_TPM2_HMAC the kernel's users get no session of the
 * chip's: a name is just its handle and a session is a password session,
 * as upstream does then.  With it, tpm2-session.c has these two.
 */

/**
 * tpm_buf_append_name() - append a handle of the command's handle area
 * @chip:	the chip
 * @buf:	the buffer, a command
 * @handle:	the handle
 * @name:	the entity's name; unused without HMAC sessions
 *
 * Context: any context.
 * Return: 0 (nothing on kernels where it returns void, see tpm-compat.h).
 */
#if TPM_COMPAT_APPEND_NAME_INT
int tpm_buf_append_name(struct tpm_chip *chip, struct tpm_buf *buf,
			u32 handle, u8 *name)
{
	tpm_buf_append_handle(chip, buf, handle);
	return 0;
}
#else
void tpm_buf_append_name(struct tpm_chip *chip, struct tpm_buf *buf,
			 u32 handle, u8 *name)
{
	tpm_buf_append_handle(chip, buf, handle);
}
#endif
EXPORT_SYMBOL_GPL(tpm_buf_append_name);
#endif /* !CONFIG_TCG_TPM2_HMAC */

/**
 * tpm_buf_append_auth() - append a password session
 * @chip:		the chip
 * @buf:		the buffer, a command whose handles are all there
 * @attributes:		the session attributes (a password session ignores
 *			them and is sent with none, as upstream does)
 * @passphrase:		the authorization value, or NULL
 * @passphrase_len:	its length
 *
 * The first session starts the authorization area (its size first); a
 * later one is added to it.
 *
 * Context: any context.
 */
void tpm_buf_append_auth(struct tpm_chip *chip, struct tpm_buf *buf,
			 u8 attributes, u8 *passphrase, int passphrase_len)
{
	u32 area = TPM_HEADER_SIZE + 4 * buf->handles;
	u32 size = 9 + passphrase_len;

	if (buf->length == area)
		tpm_buf_append_u32(buf, size);
	else if (buf->length >= area + 4 && !(buf->flags & TPM_BUF_OVERFLOW))
		put_unaligned_be32(get_unaligned_be32(buf->data + area) + size,
				   buf->data + area);
	tpm_buf_append_u32(buf, TPM2_RS_PW);
	tpm_buf_append_u16(buf, 0);
	tpm_buf_append_u8(buf, 0);
	tpm_buf_append_u16(buf, passphrase_len);
	tpm_buf_append(buf, passphrase, passphrase_len);
}
EXPORT_SYMBOL_GPL(tpm_buf_append_auth);

#ifndef CONFIG_TCG_TPM2_HMAC
/**
 * tpm_buf_append_hmac_session() - append the command's session
 * @chip:		the chip
 * @buf:		the buffer, a command whose handles are all there
 * @attributes:		the session attributes
 * @passphrase:		the authorization value, or NULL
 * @passphrase_len:	its length
 *
 * Without HMAC sessions, a password session: tpm_buf_append_auth().
 *
 * Context: any context.
 */
void tpm_buf_append_hmac_session(struct tpm_chip *chip, struct tpm_buf *buf,
				 u8 attributes, u8 *passphrase,
				 int passphrase_len)
{
	tpm_buf_append_auth(chip, buf, attributes, passphrase, passphrase_len);
}
EXPORT_SYMBOL_GPL(tpm_buf_append_hmac_session);
#endif /* !CONFIG_TCG_TPM2_HMAC */

#endif /* TPM_COMPAT_SESSION_HELPERS */
