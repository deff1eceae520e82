// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the arithmetic of the kernel's TPM 2.0 session (tpm2-session.c).
 * The KDF against NIST's SP 800-108 vector (the one the kernel's own
 * kdf_sp800108 self-test uses); KDFa, KDFe, cpHash and rpHash HMACs and
 * AES-CFB parameter encryption against vectors computed independently
 * with Python's hmac, hashlib and cryptography (tests/lib/session-vectors.py
 * prints them); and the response check: a changed or replayed response is
 * refused, its parameters wiped and the session dropped; rpHash kept for
 * answers with no parameters serves only their own command.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <crypto/hash.h>
#include "tpm.h"
#include "tpm2-session.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define SESS_HANDLE	0x02000000
#define SESS_RH_PLATFORM	0x4000000c
#define ATTRS(cc, nh, rh)	((cc) | (nh) << 25 | ((rh) ? BIT(28) : 0))

static const u32 sess_cc_attrs[] = {
	ATTRS(TPM2_CC_PCR_EXTEND, 1, 0),
	ATTRS(TPM2_CC_CREATE, 1, 0),
	ATTRS(TPM2_CC_GET_RANDOM, 0, 0),
	ATTRS(TPM2_CC_FLUSH_CONTEXT, 0, 0),
	ATTRS(TPM2_CC_HIERARCHY_CONTROL, 1, 0),
};

/* SP 800-108 counter mode, HMAC-SHA256 (NIST CAVP, as crypto/kdf_sp800108.c). */
static const u8 nist_key[] =
	"\xdd\x1d\x91\xb7\xd9\x0b\x2b\xd3\x13\x85\x33\xce\x92\xb2\x72\xfb"
	"\xf8\xa3\x69\x31\x6a\xef\xe2\x42\xe6\x59\xcc\x0a\xe2\x38\xaf\xe0";
static const u8 nist_info[] =
	"\x01\x32\x2b\x96\xb3\x0a\xcd\x19\x79\x79\x44\x4e\x46\x8e\x1c\x5c"
	"\x68\x59\xbf\x1b\x1c\xf9\x51\xb7\xe7\x25\x30\x3e\x23\x7e\x46\xb8"
	"\x64\xa1\x45\xfa\xb2\x5e\x51\x7b\x08\xf8\x68\x3d\x03\x15\xbb\x29"
	"\x11\xd8\x0a\x0e\x8a\xba\x17\xf3\xb4\x13\xfa\xac";
static const u8 nist_out[] =
	"\x10\x62\x13\x42\xbf\xb0\xfd\x40\x04\x6c\x0e\x29\xf2\xcf\xdb\xf0";

/* KDFa(0x00..0x1f, "ATH", 0x11 x 32, 0x22 x 32, 384 bits): two blocks. */
static const u8 kdfa_out[] =
	"\x79\x37\xeb\xb7\x01\xe7\xab\x3e\xc0\x18\x6d\x67\xc8\x67\x02\x72"
	"\x99\x5e\xae\xf9\x3b\xa5\x16\x9c\xcd\xe3\xf2\x7c\x9e\x0b\x3d\x85"
	"\x0c\xbb\x05\xa6\xea\x94\x29\xbc\x91\x24\xe6\xfb\x3c\x9b\x5d\x24";

/* KDFe(0x33 x 32, "SECRET", 0x44 x 32, 0x55 x 32). */
static const u8 kdfe_out[] =
	"\xc9\xab\x85\xa3\x8d\xb8\x73\x05\x62\xa1\x2b\x39\xb6\x3e\xf3\xc3"
	"\x17\x26\x91\xf5\x61\x4a\xde\x7c\x43\x36\x3d\x7d\xba\xd3\x2e\xb9";

/*
 * Session key 0x66 x 32, the TPM's nonce 0x77 x 16, ours 0x88 x 16:
 * TPM2_PCR_Extend of PCR 16 with one SHA-256 digest 0x99 x 32, sealed.
 */
static const u8 extend_cmd[] =
	"\x80\x02\x00\x00\x00\x71\x00\x00\x01\x82\x00\x00\x00\x10\x00\x00"
	"\x00\x39\x02\x00\x00\x00\x00\x10\x88\x88\x88\x88\x88\x88\x88\x88"
	"\x88\x88\x88\x88\x88\x88\x88\x88\x01\x00\x20\x7c\xe7\xce\xe0\x22"
	"\x28\xfd\xb6\xc8\x1e\xe1\x65\x49\x3b\xbf\x68\xcc\xc3\x7b\x37\xf8"
	"\x18\x40\xae\xb4\xe0\xf5\x71\xb9\x43\xe7\x86\x00\x00\x00\x01\x00"
	"\x0b\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99"
	"\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99"
	"\x99";

/*
 * The same session: TPM2_Create under 0x81000001 (name 000b || 0xaa x 32)
 * with the passphrase "pass\0\0" and TPM2_SA_DECRYPT: its first parameter,
 * "secret data!", AES-CFB encrypted, the HMAC keyed with "pass".
 */
static const u8 create_cmd[] =
	"\x80\x02\x00\x00\x00\x5b\x00\x00\x01\x53\x81\x00\x00\x01\x00\x00"
	"\x00\x39\x02\x00\x00\x00\x00\x10\x88\x88\x88\x88\x88\x88\x88\x88"
	"\x88\x88\x88\x88\x88\x88\x88\x88\x21\x00\x20\xa4\x02\xea\x9b\x0d"
	"\x67\xa1\xea\xa4\x64\x0b\xc9\x47\x08\xd6\x58\x94\xdb\xb2\x38\x64"
	"\xcf\xe2\x28\x28\x99\x57\x58\xa7\xd2\x32\xcd\x00\x0c\x37\x8d\x12"
	"\x77\x49\x80\x86\x9a\x86\xa9\x96\x29\x00\x00";

/*
 * The TPM's answer to TPM2_GetRandom sealed with TPM2_SA_ENCRYPT: 16 bytes,
 * "0123456789abcdef", encrypted, the TPM's new nonce 0xbb x 16, its HMAC.
 */
static const u8 random_rsp[] =
	"\x80\x02\x00\x00\x00\x55\x00\x00\x00\x00\x00\x00\x00\x12\x00\x10"
	"\x53\x68\x42\xa5\x01\x24\xff\x75\x55\xff\x49\xf3\xf8\x45\x4f\x23"
	"\x00\x10\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb"
	"\xbb\xbb\x41\x00\x20\xfc\x9f\x52\x55\xd3\x43\x75\xdd\x1f\xc3\x19"
	"\x3a\x90\x2e\xe5\xc7\xb5\x23\x66\x57\x44\xd6\x12\xc5\x1d\xfa\x4f"
	"\xe1\x95\x72\x63\x4a";

/* The next answer to it, with our nonce 0x89 x 16: "fedcba9876543210". */
static const u8 random_rsp2[] =
	"\x80\x02\x00\x00\x00\x55\x00\x00\x00\x00\x00\x00\x00\x12\x00\x10"
	"\x86\xc5\x7a\x04\x9a\xc1\xbb\xe5\xfd\xf1\x4b\x2a\x52\xdd\x02\xab"
	"\x00\x10\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc\xbc"
	"\xbc\xbc\x41\x00\x20\x90\xd4\x27\xbd\xea\xb1\xd4\x95\x00\xb9\x86"
	"\xbe\x72\x60\x98\xe5\x94\x4e\x24\xe8\x04\xb2\x59\xd2\x7d\x75\x45"
	"\x08\xa9\xc9\xd1\x93";

#define RANDOM_AT	(TPM_HEADER_SIZE + 4 + 2)

/* extend_cmd's parameters: one SHA-256 digest, 0x99 x 32. */
static const u8 extend_params[] = "\x00\x00\x00\x01\x00\x0b"
	"\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99"
	"\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99\x99";

/*
 * Answers with no parameters, each with the TPM's next nonce: to the
 * extend above (0xcc x 16), to another extend with our nonce 0x89 x 16
 * (0xdd x 16), to a TPM2_HierarchyControl after them with our nonce
 * 0x8a x 16 (0xee x 16), and the last with the extend's rpHash in its
 * HMAC instead of its own.
 */
static const u8 extend_rsp1[] =
	"\x80\x02\x00\x00\x00\x43\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"
	"\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc"
	"\x01\x00\x20\x79\xa8\x75\xf1\x76\xf2\xd4\x90\x3f\xeb\x01\xd8\x9a"
	"\xd1\x07\x00\x03\x2b\x53\xa8\x24\x4e\xed\xee\x11\xa2\x00\xc0\x86"
	"\x1b\xf1\xfd";
static const u8 extend_rsp2[] =
	"\x80\x02\x00\x00\x00\x43\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"
	"\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd\xdd"
	"\x01\x00\x20\xf1\xc6\x44\x48\x26\x7d\xae\x4f\xdc\x33\xf9\x8d\x09"
	"\x59\x33\x31\xb2\xa6\xdd\x36\xc0\x4d\x9c\x08\x2e\x79\x13\x17\x13"
	"\x09\x6b\xcf";
static const u8 hc_rsp[] =
	"\x80\x02\x00\x00\x00\x43\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"
	"\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee"
	"\x01\x00\x20\x32\xcc\x47\x12\xbf\x80\x58\x7f\xb4\x6e\x72\xaa\xa1"
	"\x65\x82\xd7\x89\xbc\x6d\xc7\x3c\xbd\xc8\x26\x00\x32\xc3\x1a\x5f"
	"\x55\x93\xbe";
static const u8 hc_rsp_stale[] =
	"\x80\x02\x00\x00\x00\x43\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"
	"\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee\xee"
	"\x01\x00\x20\xd8\xd4\x21\x87\x6b\xf8\x84\x77\xf1\x10\xbc\xbc\xed"
	"\x5d\x6f\x56\x58\x0d\xd2\x3b\x3f\x1a\xc3\x73\xfb\x9f\x13\xb4\xe4"
	"\x29\x5c\xdb";

static u8 sess_key[32], sess_tpm_nonce[16], sess_our_nonce[16];

/* What the fake TPM was last sent. */
struct sess_fake {
	u32 last_cc;
	u32 last_handle;
	int sent;
};

static int sess_fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct sess_fake *f = dev_get_drvdata(&chip->dev);

	f->last_cc = tpm_hdr_code(buf);
	f->last_handle = len >= 14 ? get_unaligned_be32(buf + 10) : 0;
	f->sent++;
	return 0;
}

/* Every command succeeds, with nothing to say. */
static int sess_fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(TPM_HEADER_SIZE, buf + 2);
	put_unaligned_be32(TPM2_RC_SUCCESS, buf + 6);
	return TPM_HEADER_SIZE;
}

static const struct tpm_class_ops sess_fake_ops = {
	.req_complete_mask = FAKE_COMPLETE,
	.req_complete_val = FAKE_COMPLETE,
	.req_canceled = fake_never_canceled,
	.status = fake_status_complete,
	.send = sess_fake_send,
	.recv = sess_fake_recv,
	.cancel = fake_no_cancel,
};

/* A chip holding a session with the vectors' key and nonces. */
static struct tpm_chip *sess_chip(struct kunit *test, struct sess_fake **fp)
{
	struct sess_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, f);
	chip = fake_chip_new(test, &sess_fake_ops, f);
	/* The chip's release frees it. */
	chip->cc_attrs_tbl = kmemdup(sess_cc_attrs, sizeof(sess_cc_attrs),
				     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chip->cc_attrs_tbl);
	chip->nr_commands = ARRAY_SIZE(sess_cc_attrs);
	memset(sess_key, 0x66, sizeof(sess_key));
	memset(sess_tpm_nonce, 0x77, sizeof(sess_tpm_nonce));
	memset(sess_our_nonce, 0x88, sizeof(sess_our_nonce));
	KUNIT_ASSERT_EQ(test, 0, tpm2_sess_kunit_hold(chip, SESS_HANDLE,
						      sess_key,
						      sess_tpm_nonce));
	*fp = f;
	return chip;
}

static struct crypto_shash *sess_hmac(struct kunit *test)
{
	struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	return tfm;
}

static void kdf_nist_vector(struct kunit *test)
{
	struct crypto_shash *tfm = sess_hmac(test);
	struct kvec v = { .iov_base = (void *)nist_info,
			  .iov_len = sizeof(nist_info) - 1 };
	u8 out[16];

	KUNIT_EXPECT_EQ(test, 0, tpm2_kdf_ctr(tfm, nist_key,
					      sizeof(nist_key) - 1, &v, 1,
					      out, sizeof(out)));
	KUNIT_EXPECT_MEMEQ(test, out, nist_out, sizeof(out));
	crypto_free_shash(tfm);
}

static void kdfa_two_blocks(struct kunit *test)
{
	struct crypto_shash *tfm = sess_hmac(test);
	u8 key[32], u[32], v[32], out[48];
	int i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	memset(u, 0x11, sizeof(u));
	memset(v, 0x22, sizeof(v));
	KUNIT_EXPECT_EQ(test, 0, tpm2_kdfa(tfm, key, sizeof(key), "ATH", u,
					   sizeof(u), v, sizeof(v), out,
					   sizeof(out)));
	KUNIT_EXPECT_MEMEQ(test, out, kdfa_out, sizeof(out));
	crypto_free_shash(tfm);
}

static void kdfe_vector(struct kunit *test)
{
	u8 z[32], pu[32], pv[32], out[32];

	memset(z, 0x33, sizeof(z));
	memset(pu, 0x44, sizeof(pu));
	memset(pv, 0x55, sizeof(pv));
	tpm2_kdfe(z, "SECRET", pu, pv, out);
	KUNIT_EXPECT_MEMEQ(test, out, kdfe_out, sizeof(out));
}

/* A PCR extend authorized by the session: the HMAC over cpHash and nonces. */
static void seal_pcr_extend(struct kunit *test)
{
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;
	u8 digest[32];

	memset(digest, 0x99, sizeof(digest));
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_init(&buf, TPM2_ST_SESSIONS,
					      TPM2_CC_PCR_EXTEND));
	tpm_buf_append_name(chip, &buf, 16, NULL);
	tpm_buf_append_hmac_session(chip, &buf, 0, NULL, 0);
	tpm2_sess_kunit_nonce(chip, &buf, sess_our_nonce);
	tpm_buf_append_u32(&buf, 1);
	tpm_buf_append_u16(&buf, TPM_ALG_SHA256);
	tpm_buf_append(&buf, digest, sizeof(digest));
	KUNIT_EXPECT_EQ(test, 0, tpm_buf_fill_hmac_session(chip, &buf));
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), sizeof(extend_cmd) - 1);
	KUNIT_EXPECT_MEMEQ(test, buf.data, extend_cmd, sizeof(extend_cmd) - 1);
	KUNIT_EXPECT_EQ(test, 0, f->sent);
	tpm2_end_auth_session(chip);
	tpm_buf_destroy(&buf);
}

/*
 * An object's given name goes into cpHash, the passphrase (its trailing
 * zeros stripped) into the key, and the first parameter is encrypted.
 */
static void seal_create_decrypt(struct kunit *test)
{
	static const char secret[] = "secret data!";
	u8 name[34], pass[] = "pass\0";
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;

	put_unaligned_be16(TPM_ALG_SHA256, name);
	memset(name + 2, 0xaa, 32);
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_init(&buf, TPM2_ST_SESSIONS,
					      TPM2_CC_CREATE));
	tpm_buf_append_name(chip, &buf, 0x81000001, name);
	tpm_buf_append_hmac_session(chip, &buf, TPM2_SA_DECRYPT, pass,
				    sizeof(pass));
	tpm2_sess_kunit_nonce(chip, &buf, sess_our_nonce);
	tpm_buf_append_u16(&buf, sizeof(secret) - 1);
	tpm_buf_append(&buf, secret, sizeof(secret) - 1);
	tpm_buf_append_u16(&buf, 0);
	KUNIT_EXPECT_EQ(test, 0, tpm_buf_fill_hmac_session(chip, &buf));
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), sizeof(create_cmd) - 1);
	KUNIT_EXPECT_MEMEQ(test, buf.data, create_cmd, sizeof(create_cmd) - 1);
	/* No ReadPublic: the name was given. */
	KUNIT_EXPECT_EQ(test, 0, f->sent);
	tpm2_end_auth_session(chip);
	tpm_buf_destroy(&buf);
}

/* A GetRandom sealed with TPM2_SA_ENCRYPT, our nonce @nonce (16 bytes). */
static void sess_get_random(struct kunit *test, struct tpm_chip *chip,
			    struct tpm_buf *buf, const u8 *nonce)
{
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_init(buf, TPM2_ST_SESSIONS,
					      TPM2_CC_GET_RANDOM));
	tpm_buf_append_hmac_session(chip, buf, TPM2_SA_ENCRYPT, NULL, 0);
	tpm2_sess_kunit_nonce(chip, buf, nonce);
	tpm_buf_append_u16(buf, 16);
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_fill_hmac_session(chip, buf));
}

/* Check @rsp (@len bytes) as the answer to a sealed GetRandom. */
static int sess_check(struct tpm_chip *chip, struct tpm_buf *buf,
		      const u8 *rsp, size_t len)
{
	int rc;

	memcpy(buf->data, rsp, len);
	mutex_lock(&chip->tpm_mutex);
	rc = tpm_buf_check_hmac_response(chip, buf, 0);
	mutex_unlock(&chip->tpm_mutex);
	return rc;
}

/*
 * The TPM's answers pass and come out decrypted, two in a row, each with
 * its own bytes (their rpHash is not kept: they have parameters).
 */
static void check_response_decrypts(struct kunit *test)
{
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;
	u8 nonce[16];

	sess_get_random(test, chip, &buf, sess_our_nonce);
	KUNIT_EXPECT_EQ(test, 0, sess_check(chip, &buf, random_rsp,
					    sizeof(random_rsp) - 1));
	KUNIT_EXPECT_MEMEQ(test, buf.data + RANDOM_AT, "0123456789abcdef", 16);
	KUNIT_EXPECT_TRUE(test, tpm2_sess_kunit_live(chip));
	tpm_buf_destroy(&buf);
	KUNIT_ASSERT_EQ(test, 0, tpm2_sess_kunit_hold(chip, SESS_HANDLE, NULL,
						      NULL));
	memset(nonce, 0x89, sizeof(nonce));
	sess_get_random(test, chip, &buf, nonce);
	KUNIT_EXPECT_EQ(test, 0, sess_check(chip, &buf, random_rsp2,
					    sizeof(random_rsp2) - 1));
	KUNIT_EXPECT_MEMEQ(test, buf.data + RANDOM_AT, "fedcba9876543210", 16);
	KUNIT_EXPECT_TRUE(test, tpm2_sess_kunit_live(chip));
	KUNIT_EXPECT_EQ(test, 0, f->sent);
	tpm_buf_destroy(&buf);
}

/*
 * A byte of the answer changed on the way, in its parameters, its nonce
 * or its HMAC: refused, nothing of it reaches the caller, and the session
 * is flushed and forgotten.
 */
static void check_response_tampered(struct kunit *test)
{
	static const size_t at[] = { RANDOM_AT + 3, 40, sizeof(random_rsp) - 2 };
	u8 rsp[sizeof(random_rsp) - 1];
	struct sess_fake *f;
	struct tpm_chip *chip;
	struct tpm_buf buf;
	int i;

	for (i = 0; i < ARRAY_SIZE(at); i++) {
		chip = sess_chip(test, &f);
		sess_get_random(test, chip, &buf, sess_our_nonce);
		memcpy(rsp, random_rsp, sizeof(rsp));
		rsp[at[i]] ^= 0x01;
		KUNIT_EXPECT_EQ(test, -EINVAL,
				sess_check(chip, &buf, rsp, sizeof(rsp)));
		KUNIT_EXPECT_TRUE(test, !memchr_inv(buf.data + TPM_HEADER_SIZE,
						    0, sizeof(rsp) -
						    TPM_HEADER_SIZE));
		KUNIT_EXPECT_FALSE(test, tpm2_sess_kunit_live(chip));
		KUNIT_EXPECT_EQ(test, TPM2_CC_FLUSH_CONTEXT, f->last_cc);
		KUNIT_EXPECT_EQ(test, SESS_HANDLE, f->last_handle);
		tpm_buf_destroy(&buf);
	}
}

/*
 * An answer to an earlier command, replayed for the next one, is refused,
 * whether the next was sealed (with another nonce) or only held and never
 * sealed (sealing finds the command's sessions, and holding the session
 * again forgets them).
 */
static void check_response_replayed(struct kunit *test)
{
	struct sess_fake *f;
	struct tpm_chip *chip;
	struct tpm_buf buf;
	u8 nonce[16];
	int sealed;

	for (sealed = 0; sealed < 2; sealed++) {
		chip = sess_chip(test, &f);
		sess_get_random(test, chip, &buf, sess_our_nonce);
		KUNIT_ASSERT_EQ(test, 0, sess_check(chip, &buf, random_rsp,
						    sizeof(random_rsp) - 1));
		KUNIT_ASSERT_EQ(test, 0, tpm2_sess_kunit_hold(chip, SESS_HANDLE,
							      NULL, NULL));
		if (sealed) {
			tpm_buf_destroy(&buf);
			memset(nonce, 0x89, sizeof(nonce));
			sess_get_random(test, chip, &buf, nonce);
		}
		KUNIT_EXPECT_EQ(test, -EINVAL,
				sess_check(chip, &buf, random_rsp,
					   sizeof(random_rsp) - 1));
		KUNIT_EXPECT_FALSE(test, tpm2_sess_kunit_live(chip));
		tpm_buf_destroy(&buf);
	}
}

/* A command with one handle and @plen bytes of parameters, sealed. */
static void sess_seal(struct kunit *test, struct tpm_chip *chip,
		      struct tpm_buf *buf, u32 cc, u32 handle, const u8 *nonce,
		      const u8 *params, u32 plen)
{
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_init(buf, TPM2_ST_SESSIONS, cc));
	tpm_buf_append_name(chip, buf, handle, NULL);
	tpm_buf_append_hmac_session(chip, buf, 0, NULL, 0);
	tpm2_sess_kunit_nonce(chip, buf, nonce);
	tpm_buf_append(buf, params, plen);
	KUNIT_ASSERT_EQ(test, 0, tpm_buf_fill_hmac_session(chip, buf));
}

/*
 * Answers with no parameters share rpHash per command code, which the
 * session keeps: two extends and then a TPM2_HierarchyControl each pass
 * with their own, and the last is refused if its HMAC was made with the
 * extend's rpHash.
 */
static void check_response_no_params(struct kunit *test)
{
	static const u8 hc[] = "\x40\x00\x00\x0b\x00";
	const struct {
		u32 cc, handle;
		u8 nonce;
		const u8 *params, *rsp;
		u32 plen, rlen;
	} steps[] = {
		{ TPM2_CC_PCR_EXTEND, 16, 0x88, extend_params, extend_rsp1,
		  sizeof(extend_params) - 1, sizeof(extend_rsp1) - 1 },
		{ TPM2_CC_PCR_EXTEND, 16, 0x89, extend_params, extend_rsp2,
		  sizeof(extend_params) - 1, sizeof(extend_rsp2) - 1 },
		{ TPM2_CC_HIERARCHY_CONTROL, SESS_RH_PLATFORM, 0x8a, hc, hc_rsp,
		  sizeof(hc) - 1, sizeof(hc_rsp) - 1 },
	};
	struct tpm_chip *chip;
	struct sess_fake *f;
	struct tpm_buf buf;
	int stale, i, last = ARRAY_SIZE(steps) - 1;
	bool bad;
	u8 nonce[16];

	for (stale = 0; stale < 2; stale++) {
		chip = sess_chip(test, &f);
		for (i = 0; i <= last; i++) {
			bad = stale && i == last;
			if (i)
				KUNIT_ASSERT_EQ(test, 0,
						tpm2_sess_kunit_hold(chip, SESS_HANDLE,
								     NULL, NULL));
			memset(nonce, steps[i].nonce, sizeof(nonce));
			sess_seal(test, chip, &buf, steps[i].cc, steps[i].handle,
				  nonce, steps[i].params, steps[i].plen);
			if (!i)
				KUNIT_EXPECT_MEMEQ(test, buf.data, extend_cmd,
						   sizeof(extend_cmd) - 1);
			KUNIT_EXPECT_EQ(test, bad ? -EINVAL : 0,
					sess_check(chip, &buf,
						   bad ? hc_rsp_stale : steps[i].rsp,
						   steps[i].rlen));
			tpm_buf_destroy(&buf);
		}
		KUNIT_EXPECT_EQ(test, !stale, tpm2_sess_kunit_live(chip));
	}
}

/*
 * Only a success shares rpHash: an extend's answer with its response code
 * changed after one was kept is refused.
 */
static void check_response_code_changed(struct kunit *test)
{
	u8 nonce[16], rsp[sizeof(extend_rsp2) - 1];
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;

	sess_seal(test, chip, &buf, TPM2_CC_PCR_EXTEND, 16, sess_our_nonce,
		  extend_params, sizeof(extend_params) - 1);
	KUNIT_EXPECT_EQ(test, 0, sess_check(chip, &buf, extend_rsp1,
					    sizeof(extend_rsp1) - 1));
	tpm_buf_destroy(&buf);
	KUNIT_ASSERT_EQ(test, 0, tpm2_sess_kunit_hold(chip, SESS_HANDLE, NULL,
						      NULL));
	memset(nonce, 0x89, sizeof(nonce));
	sess_seal(test, chip, &buf, TPM2_CC_PCR_EXTEND, 16, nonce,
		  extend_params, sizeof(extend_params) - 1);
	memcpy(rsp, extend_rsp2, sizeof(rsp));
	rsp[9] ^= 0x01;
	KUNIT_EXPECT_EQ(test, -EINVAL, sess_check(chip, &buf, rsp, sizeof(rsp)));
	KUNIT_EXPECT_FALSE(test, tpm2_sess_kunit_live(chip));
	tpm_buf_destroy(&buf);
}

/* What a TPM error (or no answer) does to the session, which stays or goes. */
static void sess_error(struct kunit *test, int rc, bool live, bool flushed)
{
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;

	sess_get_random(test, chip, &buf, sess_our_nonce);
	mutex_lock(&chip->tpm_mutex);
	KUNIT_EXPECT_EQ(test, rc, tpm_buf_check_hmac_response(chip, &buf, rc));
	mutex_unlock(&chip->tpm_mutex);
	KUNIT_EXPECT_EQ(test, live, tpm2_sess_kunit_live(chip));
	KUNIT_EXPECT_EQ(test, flushed, f->last_cc == TPM2_CC_FLUSH_CONTEXT &&
			f->last_handle == SESS_HANDLE);
	tpm_buf_destroy(&buf);
}

/*
 * A TPM error passes through.  One about another session leaves the
 * kernel's; one that says it is not loaded drops it; any other about it
 * (a wrong passphrase, or nonces out of step) and no answer at all (the
 * command may have run) flush it too.
 */
static void check_tpm_error(struct kunit *test)
{
	/* TPM_RC_REFERENCE_S1: the second session, not the kernel's. */
	sess_error(test, 0x919, true, false);
	/* TPM_RC_AUTH_FAIL for session 2. */
	sess_error(test, 0xa8e, true, false);
	/* TPM_RC_REFERENCE_S0: the kernel's session is not loaded. */
	sess_error(test, 0x918, false, false);
	/* TPM_RC_HANDLE for session 1. */
	sess_error(test, 0x98b, false, false);
	/* TPM_RC_AUTH_FAIL for session 1. */
	sess_error(test, 0x98e, false, true);
	sess_error(test, -ETIME, false, true);
}

/*
 * The TPM's good answer, its size field saying it ends early (at every
 * length from the header's to one byte short): refused every time,
 * whichever of the parameters, the nonce, the attributes or the HMAC the
 * cut falls in, though the rest of the good answer is still in the buffer
 * past the size (a check that read past it would pass).
 */
static void check_response_short(struct kunit *test)
{
	u8 rsp[sizeof(random_rsp) - 1];
	struct sess_fake *f;
	struct tpm_chip *chip;
	struct tpm_buf buf;
	u32 len;

	for (len = TPM_HEADER_SIZE; len < sizeof(rsp); len++) {
		chip = sess_chip(test, &f);
		sess_get_random(test, chip, &buf, sess_our_nonce);
		memcpy(rsp, random_rsp, sizeof(rsp));
		put_unaligned_be32(len, rsp + 2);
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    sess_check(chip, &buf, rsp, sizeof(rsp)),
				    "cut at %u", len);
		KUNIT_EXPECT_FALSE(test, tpm2_sess_kunit_live(chip));
		tpm_buf_destroy(&buf);
	}
}

/* A command with handles the session was not told the names of is not sealed. */
static void seal_refuses_unnamed_handle(struct kunit *test)
{
	struct sess_fake *f;
	struct tpm_chip *chip = sess_chip(test, &f);
	struct tpm_buf buf;

	KUNIT_ASSERT_EQ(test, 0, tpm_buf_init(&buf, TPM2_ST_SESSIONS,
					      TPM2_CC_PCR_EXTEND));
	tpm_buf_append_handle(chip, &buf, 16);
	tpm_buf_append_hmac_session(chip, &buf, 0, NULL, 0);
	tpm_buf_append_u32(&buf, 0);
	KUNIT_EXPECT_EQ(test, -EIO, tpm_buf_fill_hmac_session(chip, &buf));
	tpm_buf_destroy(&buf);
}

/*
 * A fake TPM for the session's start at registration: TPM2_CreatePrimary
 * makes the null key (handle START_NULL_KEY, the template the command
 * asked for, P-256's base point as its public point: a valid one);
 * TPM2_StartAuthSession answers as @start says, its nonce as long as the
 * caller's; every handle flushed is noted.
 */
enum {
	START_GOOD,		/* a session */
	START_CUT,		/* a session, the answer cut short */
	START_REFUSED,		/* TPM_RC_SIZE */
	START_NOT_SESSION,	/* an object's handle */
	START_WANTS_32,		/* TPM_RC_SIZE for a nonce shorter than 32 */
	START_BUSY,		/* TPM_RC_SESSION_HANDLES, a warning */
};

#define START_NULL_KEY	0x80000000
#define START_SESSION	0x02000000
/* TPM_RC_SIZE about parameter 3 (nonceCaller). */
#define START_RC_SIZE	0x3d5
#define START_RC_BUSY	0x905
/* Where the null key's template is in the kernel's TPM2_CreatePrimary. */
#define START_TMPL_AT	35
#define START_TMPL_LEN	22

struct start_fake {
	int start;
	int starts;
	u16 nonce;
	u32 cc;
	u8 tmpl[START_TMPL_LEN];
	u32 flushed[8];
	int nr_flushed;
};

static const u8 p256_gx[] =
	"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47\xf8\xbc\xe6\xe5\x63\xa4\x40\xf2"
	"\x77\x03\x7d\x81\x2d\xeb\x33\xa0\xf4\xa1\x39\x45\xd8\x98\xc2\x96";
static const u8 p256_gy[] =
	"\x4f\xe3\x42\xe2\xfe\x1a\x7f\x9b\x8e\xe7\xeb\x4a\x7c\x0f\x9e\x16"
	"\x2b\xce\x33\x57\x6b\x31\x5e\xce\xcb\xb6\x40\x68\x37\xbf\x51\xf5";

static int start_fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct start_fake *f = dev_get_drvdata(&chip->dev);

	f->cc = tpm_hdr_code(buf);
	if (f->cc == TPM2_CC_START_AUTH_SESS && len >= 20) {
		f->starts++;
		f->nonce = get_unaligned_be16(buf + 18);
	}
	if (f->cc == TPM2_CC_CREATE_PRIMARY &&
	    len >= START_TMPL_AT + START_TMPL_LEN)
		memcpy(f->tmpl, buf + START_TMPL_AT, START_TMPL_LEN);
	if (f->cc == TPM2_CC_FLUSH_CONTEXT && len >= 14 &&
	    f->nr_flushed < ARRAY_SIZE(f->flushed))
		f->flushed[f->nr_flushed++] = get_unaligned_be32(buf + 10);
	return 0;
}

static size_t start_fake_answer(struct start_fake *f, u8 *p)
{
	u8 *q = p;

	if (f->cc == TPM2_CC_CREATE_PRIMARY) {
		put_unaligned_be32(START_NULL_KEY, q);
		put_unaligned_be32(2 + START_TMPL_LEN + 2 * (2 + 32), q + 4);
		put_unaligned_be16(START_TMPL_LEN + 2 * (2 + 32), q + 8);
		q += 10;
		memcpy(q, f->tmpl, START_TMPL_LEN);
		q += START_TMPL_LEN;
		put_unaligned_be16(32, q);
		memcpy(q + 2, p256_gx, 32);
		put_unaligned_be16(32, q + 34);
		memcpy(q + 36, p256_gy, 32);
		return q + 68 - p;
	}
	if (f->cc != TPM2_CC_START_AUTH_SESS)
		return 0;
	put_unaligned_be32(f->start == START_NOT_SESSION ? START_NULL_KEY + 1 :
			   START_SESSION, q);
	/* The nonce, as long as the caller's; or cut 8 bytes short. */
	put_unaligned_be16(f->nonce, q + 4);
	memset(q + 6, 0xbb, f->nonce);
	return 4 + 2 + f->nonce - (f->start == START_CUT ? 8 : 0);
}

/* TPM2_StartAuthSession's refusal, if this TPM refuses it. */
static u32 start_fake_refusal(const struct start_fake *f)
{
	if (f->cc != TPM2_CC_START_AUTH_SESS)
		return 0;
	if (f->start == START_BUSY)
		return START_RC_BUSY;
	if (f->start == START_REFUSED ||
	    (f->start == START_WANTS_32 && f->nonce < 32))
		return START_RC_SIZE;
	return 0;
}

static int start_fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct start_fake *f = dev_get_drvdata(&chip->dev);
	u32 rc = start_fake_refusal(f);
	size_t n = rc ? 0 : start_fake_answer(f, buf + TPM_HEADER_SIZE);

	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(TPM_HEADER_SIZE + n, buf + 2);
	put_unaligned_be32(rc, buf + 6);
	return TPM_HEADER_SIZE + n;
}

static const struct tpm_class_ops start_fake_ops = {
	.req_complete_mask = FAKE_COMPLETE,
	.req_complete_val = FAKE_COMPLETE,
	.req_canceled = fake_never_canceled,
	.status = fake_status_complete,
	.send = start_fake_send,
	.recv = start_fake_recv,
	.cancel = fake_no_cancel,
};

/* A chip given its session (tpm2_sess_init()) by a TPM answering @start. */
static struct tpm_chip *start_chip(struct kunit *test, int start,
				   struct start_fake **fp)
{
	struct start_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->start = start;
	chip = fake_chip_new(test, &start_fake_ops, f);
	/* A TPM that lists its commands (the chip's release frees them). */
	chip->cc_attrs_tbl = kmemdup(sess_cc_attrs, sizeof(sess_cc_attrs),
				     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chip->cc_attrs_tbl);
	chip->nr_commands = ARRAY_SIZE(sess_cc_attrs);
	tpm2_sess_init(chip);
	*fp = f;
	return chip;
}

/*
 * A TPM that starts the session: the chip is protected, its session kept
 * (in the books, loaded), the null key flushed and its name shown.  One
 * that refuses 16-byte nonces (non-conforming, but upstream's digest-sized
 * ones would do) is asked again with 32 bytes, the null key made for each
 * try.
 */
static void start_at_registration(struct kunit *test)
{
	static const struct {
		int start;
		int starts;
		u16 nonce;
	} c[] = {
		{ START_GOOD, 1, 16 }, { START_WANTS_32, 2, 32 },
	};
	struct start_fake *f;
	struct tpm_chip *chip;
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		chip = start_chip(test, c[i].start, &f);
		KUNIT_EXPECT_NOT_NULL_MSG(test, chip->auth, "case %d", i);
		KUNIT_EXPECT_TRUE(test, tpm2_sess_kunit_live(chip));
		KUNIT_EXPECT_EQ_MSG(test, c[i].starts, f->starts, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, c[i].nonce, f->nonce, "case %d", i);
		KUNIT_EXPECT_EQ(test, c[i].starts, f->nr_flushed);
		KUNIT_EXPECT_EQ(test, START_NULL_KEY,
				f->flushed[f->nr_flushed - 1]);
		KUNIT_EXPECT_EQ(test, TPM_ALG_SHA256,
				get_unaligned_be16(chip->null_key_name));
	}
}

/*
 * A TPM that says "not now" (a warning) at registration: the chip stays
 * protected, without a session until its first use; null_name shows the
 * key.  A TPM that lists no commands is not asked at all (the session
 * could not tell an extend's handles from its parameters).
 */
static void start_later_or_never(struct kunit *test)
{
	struct start_fake *f;
	struct tpm_chip *chip = start_chip(test, START_BUSY, &f);

	KUNIT_EXPECT_NOT_NULL(test, chip->auth);
	KUNIT_EXPECT_FALSE(test, tpm2_sess_kunit_live(chip));
	KUNIT_EXPECT_EQ(test, 1, f->starts);
	KUNIT_EXPECT_EQ(test, TPM_ALG_SHA256,
			get_unaligned_be16(chip->null_key_name));

	/* The same fake TPM behind a chip that has no command list. */
	chip = fake_chip_new(test, &start_fake_ops, f);
	f->cc = 0;
	tpm2_sess_init(chip);
	KUNIT_EXPECT_NULL(test, chip->auth);
	KUNIT_EXPECT_EQ(test, 0, f->cc);
}

/*
 * A TPM that refuses the session, or answers with something else than an
 * HMAC session's handle and a nonce as long as the caller's, with either
 * nonce size (16 bytes, then 32): the chip is unprotected (no chip->auth: the kernel's
 * commands go without a session rather than fail), null_name shows zeros,
 * and whatever the TPM made is flushed: the null key always, the session
 * whenever its handle came back (a session handle only: another one is not
 * this command's to flush).
 */
static void start_refused_unprotected(struct kunit *test)
{
	static const struct {
		int start;
		int starts;
		int nr_flushed;
	} c[] = {
		{ START_REFUSED, 2, 2 }, { START_CUT, 2, 4 },
		{ START_NOT_SESSION, 2, 2 },
	};
	struct start_fake *f;
	struct tpm_chip *chip;
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		chip = start_chip(test, c[i].start, &f);
		KUNIT_EXPECT_NULL_MSG(test, chip->auth, "case %d", i);
		KUNIT_EXPECT_FALSE(test, memchr_inv(chip->null_key_name, 0,
						    sizeof(chip->null_key_name)));
		KUNIT_EXPECT_EQ_MSG(test, c[i].starts, f->starts, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, c[i].nr_flushed, f->nr_flushed,
				    "case %d", i);
		KUNIT_EXPECT_EQ(test, START_NULL_KEY, f->flushed[0]);
		KUNIT_EXPECT_EQ(test, c[i].start == START_CUT ? START_SESSION :
				START_NULL_KEY, f->flushed[1]);
	}
}

static struct kunit_case tpm_session_cases[] = {
	KUNIT_CASE(kdf_nist_vector),
	KUNIT_CASE(kdfa_two_blocks),
	KUNIT_CASE(kdfe_vector),
	KUNIT_CASE(seal_pcr_extend),
	KUNIT_CASE(seal_create_decrypt),
	KUNIT_CASE(check_response_decrypts),
	KUNIT_CASE(check_response_tampered),
	KUNIT_CASE(check_response_replayed),
	KUNIT_CASE(check_response_no_params),
	KUNIT_CASE(check_response_code_changed),
	KUNIT_CASE(check_tpm_error),
	KUNIT_CASE(check_response_short),
	KUNIT_CASE(seal_refuses_unnamed_handle),
	KUNIT_CASE(start_at_registration),
	KUNIT_CASE(start_refused_unprotected),
	KUNIT_CASE(start_later_or_never),
	{}
};

static struct kunit_suite tpm_session_suite = {
	.name = "tpm_session",
	.test_cases = tpm_session_cases,
};

kunit_test_suite(tpm_session_suite);

MODULE_DESCRIPTION("KUnit tests of the TPM core's HMAC and encrypted session");
MODULE_LICENSE("GPL");
