// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own TPM 2.0 session: salted HMAC sessions with parameter
 * encryption for the commands the kernel sends (CONFIG_TCG_TPM2_HMAC's
 * API in <linux/tpm.h>), so that someone on the TPM's bus can neither read
 * what the kernel unseals or draws at random nor forge what it reads back.
 *
 * Threat model: the attacker sits between the kernel and the TPM (a probe
 * on LPC, SPI or I2C, or inside the path to a virtual TPM) and sees and
 * changes every byte.  The kernel trusts the TPM's null-hierarchy primary
 * key whose name it shows in sysfs (null_name), which user space can
 * certify against the endorsement key.  Sessions are salted to that key
 * with ECDH P-256 (KDFe), so the session key (KDFa) never crosses the bus;
 * every command and response carries an HMAC over its parameters and both
 * nonces, so a changed, dropped or replayed response is caught; the first
 * parameter of a command (TPM2_SA_DECRYPT) or response (TPM2_SA_ENCRYPT)
 * travels AES-128-CFB encrypted.  Not protected: commands with no session
 * (the core's start-up, capability reads, TPM2_Shutdown, context
 * management), /dev/tpmN and /dev/tpmrmN users' commands (theirs to
 * protect), and the null key's creation itself (its name is what user
 * space checks).  Documentation/session.rst says more.
 *
 * One session per chip, started at registration and kept: it is a context
 * in the resource manager's books like a space's (tpm2-rm.c), left loaded
 * between commands, saved when room is needed or before a /dev/tpmN
 * command, and loaded again at its next use; flushed at a suspend.  So a
 * protected command costs one round trip and a few hashes, and no null-key
 * load or ECDH.  If
 * the session is lost (flushed through /dev/tpmN, the TPM reset, a
 * response that fails its check), the next use starts another.  Nobody
 * else can name it: a space's handles are its own (tpm2-space.c), and
 * /dev/tpmN finds it saved, usable only with a context only the kernel
 * holds.
 *
 * The session's per-command state (names, passphrase, nonces) lives in
 * chip->auth and belongs to the holder of chip->tpm_mutex, which every
 * caller holds through tpm_try_get_ops() from tpm2_start_auth_session()
 * to tpm_buf_check_hmac_response() or tpm2_end_auth_session().
 */
#include <linux/bitfield.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "tpm.h"
#include "tpm2-rm.h"
#include "tpm2-session.h"

/* Nothing here without the option (v6.10 on; never on 6.1). */
#ifdef CONFIG_TCG_TPM2_HMAC
#include <crypto/aes.h>
#include <crypto/ecdh.h>
#include <crypto/hash.h>
#include <crypto/kpp.h>
#include <crypto/sha2.h>
#include <crypto/utils.h>

static bool hmac = true;
module_param(hmac, bool, 0644);
MODULE_PARM_DESC(hmac, "Protect the kernel's TPM 2.0 commands with a salted HMAC session and parameter encryption (for chips registered from then on)");

static bool disable_pcr_integrity;
module_param(disable_pcr_integrity, bool, 0444);
MODULE_PARM_DESC(disable_pcr_integrity, "Send TPM2_PCR_Extend without the session (as upstream's parameter)");

/*
 * The session's nonces: the shortest TPM 2.0 takes (TPM2_StartAuthSession
 * answers TPM_RC_SIZE below 16 octets; the TPM's nonces take the size of
 * the caller's first), as fresh per command as a digest-sized one and 16
 * bytes less each way, which a TIS moves four bytes per register access.
 * A TPM that refuses them gets digest-sized ones, as upstream sends
 * (tpm2_sess_start_sized()).
 */
#define TPM2_SESS_NONCE_MIN	16
#define TPM2_SESS_NONCE_MAX	SHA256_DIGEST_SIZE
#define TPM2_SESS_NAMES		3
#define TPM2_SESS_NAME_MAX	(2 + SHA512_DIGEST_SIZE)
#define TPM2_SESS_AUTH_MAX	SHA512_DIGEST_SIZE
#define TPM2_SESS_AES_BITS	128
#define TPM2_SESS_AES_BYTES	(TPM2_SESS_AES_BITS / 8)
#define TPM2_ECC_NIST_P256	0x0003
/* The null key's TPMT_PUBLIC: its template, then the two 32-byte points. */
#define TPM2_NULL_TEMPLATE	22
#define TPM2_NULL_PUBLIC	(TPM2_NULL_TEMPLATE + 2 * (2 + EC_PT_SZ))
#define TPM2_NULL_KEY_ATTRS	(TPM2_OA_FIXED_TPM | TPM2_OA_FIXED_PARENT | \
				 TPM2_OA_SENSITIVE_DATA_ORIGIN |	\
				 TPM2_OA_USER_WITH_AUTH | TPM2_OA_NO_DA | \
				 TPM2_OA_RESTRICTED | TPM2_OA_DECRYPT)
#define TPM2_CC_NV_READ_PUBLIC	0x0169
/* A format-1 response code about a session (its number in bits 8..10). */
#define TPM2_RC_FMT1_SESSION	BIT(11)
#define TPM2_RC_REFERENCE_S0	0x0918

/**
 * struct tpm2_auth - the kernel's session on a chip (chip->auth)
 * @ctx:	the session in the resource manager's books; unused (see
 *		tpm_space_ctx_used()) while there is none
 * @hmac:	HMAC-SHA256, from the crypto API
 * @mac_keyed:	@hmac holds @session_key alone (not the salt, nor an
 *		authValue; tpm2_sess_keyed())
 * @session_key: the key KDFa made from the salt and the first nonces
 * @nonce_len:	the length of the session's nonces (TPM2_SESS_NONCE_MIN,
 *		or _MAX once the TPM refused that), kept for the chip
 * @our_nonce:	the caller's nonce of the command being built
 * @tpm_nonce:	the TPM's latest nonce
 * @name_h:	the handles the command names, in order
 * @name:	their names (a handle's own bytes for those without one)
 * @name_len:	the length of each
 * @nr_names:	how many
 * @passphrase:	the authorization value of the entity the session
 *		authorizes, trailing zeros stripped
 * @passphrase_len: its length
 * @attrs:	the session's attributes in the command
 * @ordinal:	the command's code, big-endian
 * @cc_attrs:	its TPMA_CC (the chip's table), for reading the response
 * @rp_cc:	a command code, big-endian
 * @rp_empty:	rpHash of a success with no parameters to @rp_cc, which is
 *		the same for every such response (most extends': a block of
 *		SHA-256 less per command); public, as rpHash is
 * @pos:	the session's place among the command's sessions (from 0)
 * @nr_sess:	how many sessions the command has
 * @active:	a command is being built or sent with the session
 * @appended:	tpm_buf_append_hmac_session() put the session in it
 * @broken:	building it went wrong (tpm_buf_fill_hmac_session() says so)
 * @rp_known:	@rp_empty holds rpHash for @rp_cc
 * @new_name:	the name of a null key made again that differs from the one
 *		user space certified (null_name): sessions are refused until
 *		root writes this name to null_name; all zeros if none
 */
struct tpm2_auth {
	struct tpm_space_ctx ctx;
	struct crypto_shash *hmac;
	bool mac_keyed;
	u8 session_key[SHA256_DIGEST_SIZE];
	u16 nonce_len;
	u8 our_nonce[TPM2_SESS_NONCE_MAX];
	u8 tpm_nonce[TPM2_SESS_NONCE_MAX];
	u32 name_h[TPM2_SESS_NAMES];
	u8 name[TPM2_SESS_NAMES][TPM2_SESS_NAME_MAX];
	u16 name_len[TPM2_SESS_NAMES];
	int nr_names;
	u8 passphrase[TPM2_SESS_AUTH_MAX];
	int passphrase_len;
	u8 attrs;
	__be32 ordinal;
	u32 cc_attrs;
	__be32 rp_cc;
	u8 rp_empty[SHA256_DIGEST_SIZE];
	int pos;
	int nr_sess;
	bool active;
	bool appended;
	bool broken;
	bool rp_known;
	u8 new_name[TPM2_NAME_SIZE];
};

/*
 * Arithmetic (TPM 2.0 Part 1, 11.4.9 and 11.4.10)
 */

/*
 * HMAC-SHA256 of the concatenated @v[0..@n) under @key (NULL: the key
 * @tfm holds already).
 */
static int tpm2_sess_hmac(struct crypto_shash *tfm, const u8 *key,
			  unsigned int key_len, const struct kvec *v, int n,
			  u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int rc, i;

	if (key) {
		rc = crypto_shash_setkey(tfm, key, key_len);
		if (rc)
			return rc;
	}
	desc->tfm = tfm;
	rc = crypto_shash_init(desc);
	for (i = 0; !rc && i < n; i++)
		rc = crypto_shash_update(desc, v[i].iov_base, v[i].iov_len);
	if (!rc)
		rc = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return rc;
}

/**
 * tpm2_kdf_ctr() - the counter-mode KDF of SP 800-108 with HMAC-SHA256
 * @tfm:	an "hmac(sha256)" transform
 * @key:	the key (NULL: the one @tfm holds already)
 * @key_len:	its length (may be 0)
 * @fixed:	the fixed input, in pieces
 * @n:		how many pieces
 * @out:	where the @len bytes go
 * @len:	how many bytes are wanted
 *
 * Each block is HMAC(key, [i]32 || fixed) for i = 1, 2, ...; KDFa is this
 * with Label || 0 || contextU || contextV || [bits]32 as the fixed input.
 *
 * Context: any context that may use the crypto API.
 * Return: 0, or the crypto API's errno.
 */
int tpm2_kdf_ctr(struct crypto_shash *tfm, const u8 *key,
		 unsigned int key_len, const struct kvec *fixed, int n,
		 u8 *out, size_t len)
{
	struct kvec v[6];
	u8 block[SHA256_DIGEST_SIZE];
	__be32 counter;
	size_t done;
	int rc = 0;

	if (n > ARRAY_SIZE(v) - 1)
		return -EINVAL;
	v[0].iov_base = &counter;
	v[0].iov_len = sizeof(counter);
	memcpy(&v[1], fixed, n * sizeof(*fixed));
	for (done = 0; !rc && done < len; done += sizeof(block)) {
		counter = cpu_to_be32(done / sizeof(block) + 1);
		rc = tpm2_sess_hmac(tfm, key, key_len, v, n + 1, block);
		if (!rc)
			memcpy(out + done, block, min(len - done, sizeof(block)));
	}
	memzero_explicit(block, sizeof(block));
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_kdf_ctr);

/**
 * tpm2_kdfa() - KDFa with SHA-256
 * @tfm:	an "hmac(sha256)" transform
 * @key:	the key
 * @key_len:	its length
 * @label:	the label, a string (its terminating zero is part of it)
 * @u:		contextU, @ulen bytes
 * @ulen:	its length
 * @v:		contextV, @vlen bytes
 * @vlen:	its length
 * @out:	where the @len bytes go
 * @len:	how many bytes are wanted
 *
 * Context: any context that may use the crypto API.
 * Return: 0, or the crypto API's errno.
 */
int tpm2_kdfa(struct crypto_shash *tfm, const u8 *key, unsigned int key_len,
	      const char *label, const u8 *u, size_t ulen, const u8 *v,
	      size_t vlen, u8 *out, size_t len)
{
	__be32 bits = cpu_to_be32(len * 8);
	struct kvec fixed[] = {
		{ .iov_base = (void *)label, .iov_len = strlen(label) + 1 },
		{ .iov_base = (void *)u, .iov_len = ulen },
		{ .iov_base = (void *)v, .iov_len = vlen },
		{ .iov_base = &bits, .iov_len = sizeof(bits) },
	};

	return tpm2_kdf_ctr(tfm, key, key_len, fixed, ARRAY_SIZE(fixed), out,
			    len);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_kdfa);

/**
 * tpm2_kdfe() - KDFe with SHA-256, for 32 bytes (one block)
 * @z:		the shared secret's x coordinate
 * @label:	the label, a string (its terminating zero is part of it)
 * @pu:		partyUInfo: the caller's ephemeral point's x coordinate
 * @pv:		partyVInfo: the TPM key's point's x coordinate
 * @out:	the 32-byte salt
 *
 * Context: any context.
 */
void tpm2_kdfe(const u8 z[EC_PT_SZ], const char *label,
	       const u8 pu[EC_PT_SZ], const u8 pv[EC_PT_SZ],
	       u8 out[SHA256_DIGEST_SIZE])
{
	__be32 counter = cpu_to_be32(1);
	struct sha256_state s;

	sha256_init(&s);
	sha256_update(&s, (u8 *)&counter, sizeof(counter));
	sha256_update(&s, z, EC_PT_SZ);
	sha256_update(&s, label, strlen(label) + 1);
	sha256_update(&s, pu, EC_PT_SZ);
	sha256_update(&s, pv, EC_PT_SZ);
	sha256_final(&s, out);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_kdfe);

/*
 * Key the session's HMAC with sessionKey || authValue.  With no
 * authValue (the core's own commands) the key stays in the transform
 * between commands, so its ipad and opad blocks are hashed once per
 * session, not twice per command.  An authValue (a trusted key's) is
 * keyed in again at each use and no copy of it is kept here: it is wiped
 * with the command's other state (tpm2_sess_idle()).
 */
static int tpm2_sess_keyed(struct tpm2_auth *auth)
{
	u8 key[SHA256_DIGEST_SIZE + TPM2_SESS_AUTH_MAX];
	int rc;

	if (auth->mac_keyed && !auth->passphrase_len)
		return 0;
	memcpy(key, auth->session_key, sizeof(auth->session_key));
	memcpy(key + sizeof(auth->session_key), auth->passphrase,
	       auth->passphrase_len);
	rc = crypto_shash_setkey(auth->hmac, key, sizeof(auth->session_key) +
				 auth->passphrase_len);
	auth->mac_keyed = !rc && !auth->passphrase_len;
	memzero_explicit(key, sizeof(key));
	return rc;
}

/*
 * AES-128-CFB over @len bytes at @p, with key and IV from KDFa(key, "CFB",
 * @newer, @older): the caller's nonce first for a command, the TPM's for
 * a response.
 */
static int tpm2_sess_cfb(struct tpm2_auth *auth, const u8 *newer,
			 const u8 *older, u8 *p, u32 len, bool encrypt)
{
	u8 kiv[TPM2_SESS_AES_BYTES + AES_BLOCK_SIZE];
	struct crypto_aes_ctx aes;
	int rc;

	rc = tpm2_sess_keyed(auth);
	if (!rc)
		rc = tpm2_kdfa(auth->hmac, NULL, 0, "CFB", newer,
			       auth->nonce_len, older, auth->nonce_len, kiv,
			       sizeof(kiv));
	if (!rc)
		rc = aes_expandkey(&aes, kiv, TPM2_SESS_AES_BYTES);
	if (!rc && encrypt)
		aescfb_encrypt(&aes, p, p, len, kiv + TPM2_SESS_AES_BYTES);
	else if (!rc)
		aescfb_decrypt(&aes, p, p, len, kiv + TPM2_SESS_AES_BYTES);
	memzero_explicit(&aes, sizeof(aes));
	memzero_explicit(kiv, sizeof(kiv));
	return rc;
}

/*
 * HMAC(sessionKey || authValue, @p_hash || @newer || @older || attrs): the
 * command's with cpHash and the caller's nonce first, the response's with
 * rpHash and the TPM's.
 */
static int tpm2_sess_mac(struct tpm2_auth *auth, const u8 *p_hash,
			 const u8 *newer, const u8 *older, u8 attrs, u8 *out)
{
	u8 msg[SHA256_DIGEST_SIZE + 2 * TPM2_SESS_NONCE_MAX + 1];
	u32 n = auth->nonce_len;
	int rc;

	/* One digest call over the message in one piece. */
	memcpy(msg, p_hash, SHA256_DIGEST_SIZE);
	memcpy(msg + SHA256_DIGEST_SIZE, newer, n);
	memcpy(msg + SHA256_DIGEST_SIZE + n, older, n);
	msg[SHA256_DIGEST_SIZE + 2 * n] = attrs;
	rc = tpm2_sess_keyed(auth);
	if (!rc)
		rc = crypto_shash_tfm_digest(auth->hmac, msg,
					     SHA256_DIGEST_SIZE + 2 * n + 1,
					     out);
	return rc;
}

/*
 * The session's commands
 */

/* tpm_cmd_run(), making room in the TPM as a space's load would. */
static ssize_t tpm2_sess_run(struct tpm_chip *chip, struct tpm_cmd *cmd,
			     size_t min_body, const char *what)
{
	u8 header[TPM_HEADER_SIZE];
	int tries = 0;
	ssize_t rc;

	memcpy(header, cmd->data, sizeof(header));
	for (;;) {
		rc = tpm_cmd_run(chip, cmd, min_body, NULL);
		if (!tpm_rm_retry(chip, &rc, &tries))
			break;
		/* An answer that asks for room is a bare header. */
		memcpy(cmd->data, header, sizeof(header));
	}
	if (rc > 0 && what)
		dev_err_ratelimited(&chip->dev, "%s: TPM returned 0x%zx\n",
				    what, rc);
	return rc;
}

/* The null key's template (TPMT_PUBLIC without its points). */
static void tpm2_sess_put_template(struct tpm_cmd *cmd)
{
	tpm_cmd_put_u16(cmd, TPM_ALG_ECC);
	tpm_cmd_put_u16(cmd, TPM_ALG_SHA256);
	tpm_cmd_put_u32(cmd, TPM2_NULL_KEY_ATTRS);
	tpm_cmd_put_u16(cmd, 0);			/* authPolicy */
	tpm_cmd_put_u16(cmd, TPM_ALG_AES);		/* symmetric */
	tpm_cmd_put_u16(cmd, TPM2_SESS_AES_BITS);
	tpm_cmd_put_u16(cmd, TPM_ALG_CFB);
	tpm_cmd_put_u16(cmd, TPM_ALG_NULL);		/* scheme */
	tpm_cmd_put_u16(cmd, TPM2_ECC_NIST_P256);
	tpm_cmd_put_u16(cmd, TPM_ALG_NULL);		/* kdf */
}

/*
 * The created key's public area: the template asked for and two 32-byte
 * coordinates; its name is nameAlg || SHA-256(TPMT_PUBLIC).
 */
static int tpm2_sess_parse_null(struct tpm_chip *chip, const u8 *tmpl,
				const struct tpm_cmd *cmd, u8 *name)
{
	const u8 *pub = cmd->data + TPM_HEADER_SIZE + 4 + 4 + 2;
	u32 off = TPM2_NULL_TEMPLATE;

	if (cmd->len < TPM_HEADER_SIZE + 10 + TPM2_NULL_PUBLIC ||
	    get_unaligned_be16(pub - 2) != TPM2_NULL_PUBLIC ||
	    memcmp(pub, tmpl, TPM2_NULL_TEMPLATE) ||
	    get_unaligned_be16(pub + off) != EC_PT_SZ ||
	    get_unaligned_be16(pub + off + 2 + EC_PT_SZ) != EC_PT_SZ)
		return -EFAULT;
	memcpy(chip->null_ec_key_x, pub + off + 2, EC_PT_SZ);
	memcpy(chip->null_ec_key_y, pub + off + 4 + EC_PT_SZ, EC_PT_SZ);
	put_unaligned_be16(TPM_ALG_SHA256, name);
	sha256(pub, TPM2_NULL_PUBLIC, name + 2);
	return 0;
}

/*
 * TPM2_CreatePrimary of the null key: its handle in *@h, its public point
 * in chip->null_ec_key_x/y, its name in @name (TPM2_NAME_SIZE bytes).
 */
static ssize_t tpm2_sess_create_null(struct tpm_chip *chip, u32 *h, u8 *name)
{
	struct tpm_cmd cmd;
	u8 tmpl[TPM2_NULL_TEMPLATE];
	ssize_t rc;
	u32 at;

	rc = tpm_cmd_init(&cmd, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, TPM2_RH_NULL);
	/* The empty password, the empty sensitive area. */
	tpm_cmd_put_u32(&cmd, 9);
	tpm_cmd_put_u32(&cmd, TPM2_RS_PW);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u8(&cmd, 0);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u16(&cmd, 4);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u16(&cmd, 0);
	tpm_cmd_put_u16(&cmd, TPM2_NULL_TEMPLATE + 4);
	at = cmd.len;
	tpm2_sess_put_template(&cmd);
	memcpy(tmpl, cmd.data + at, sizeof(tmpl));
	tpm_cmd_put_u16(&cmd, 0);			/* unique.x */
	tpm_cmd_put_u16(&cmd, 0);			/* unique.y */
	tpm_cmd_put_u16(&cmd, 0);			/* outsideInfo */
	tpm_cmd_put_u32(&cmd, 0);			/* creationPCR */
	rc = tpm_rm_room_for(chip, false);
	if (!rc)
		rc = tpm2_sess_run(chip, &cmd, 4 + 4, "null key");
	if (!rc) {
		*h = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE);
		rc = tpm2_sess_parse_null(chip, tmpl, &cmd, name);
		if (rc)
			tpm2_flush_handle(chip, *h, NULL);
	}
	tpm_cmd_free(&cmd);
	return rc;
}

/* One step of the kpp request: generate the public key or the secret. */
static int tpm2_sess_kpp(struct kpp_request *req, const u8 *in, u8 *out,
			 unsigned int out_len)
{
	struct scatterlist sin, sout;
	DECLARE_CRYPTO_WAIT(wait);

	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				 crypto_req_done, &wait);
	sg_init_one(&sout, out, out_len);
	kpp_request_set_output(req, &sout, out_len);
	if (!in) {
		kpp_request_set_input(req, NULL, 0);
		return crypto_wait_req(crypto_kpp_generate_public_key(req),
				       &wait);
	}
	sg_init_one(&sin, in, 2 * EC_PT_SZ);
	kpp_request_set_input(req, &sin, 2 * EC_PT_SZ);
	return crypto_wait_req(crypto_kpp_compute_shared_secret(req), &wait);
}

/* The ECDH exchange's buffers: the crypto API's scatterlists want the heap. */
struct tpm2_sess_ecdh {
	u8 eph[2 * EC_PT_SZ];
	u8 tpm_pt[2 * EC_PT_SZ];
	u8 z[EC_PT_SZ];
};

/*
 * An ephemeral private key from get_random_bytes(): the crypto API would
 * draw one from its default RNG, which need not be there (a module).  A
 * draw outside [1, n - 1] is refused and drawn again.
 */
static int tpm2_sess_ephemeral(struct crypto_kpp *kpp)
{
	u8 key[EC_PT_SZ], secret[EC_PT_SZ + 16];
	struct ecdh p = { .key = key, .key_size = sizeof(key) };
	unsigned int len = crypto_ecdh_key_len(&p);
	int rc = -EINVAL, tries;

	for (tries = 0; rc == -EINVAL && tries < 8; tries++) {
		get_random_bytes(key, sizeof(key));
		rc = len <= sizeof(secret) ?
		     crypto_ecdh_encode_key(secret, len, &p) : -EOVERFLOW;
		if (!rc)
			rc = crypto_kpp_set_secret(kpp, secret, len);
	}
	memzero_explicit(key, sizeof(key));
	memzero_explicit(secret, sizeof(secret));
	return rc;
}

/*
 * The salt (TPM 2.0 Part 1, C.6.1): an ephemeral ECDH P-256 key's public
 * point goes into @cmd as the encrypted salt; the salt, KDFe of the secret
 * it shares with the null key, into @salt.
 */
static int tpm2_sess_put_salt(struct tpm_chip *chip, struct tpm_cmd *cmd,
			      u8 *salt)
{
	struct tpm2_sess_ecdh *e;
	struct kpp_request *req;
	struct crypto_kpp *kpp;
	int rc;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	kpp = crypto_alloc_kpp("ecdh-nist-p256", 0, 0);
	rc = PTR_ERR_OR_ZERO(kpp);
	if (rc)
		goto free_e;
	req = kpp_request_alloc(kpp, GFP_KERNEL);
	rc = -ENOMEM;
	if (!req)
		goto free_kpp;
	rc = tpm2_sess_ephemeral(kpp);
	if (!rc)
		rc = tpm2_sess_kpp(req, NULL, e->eph, sizeof(e->eph));
	memcpy(e->tpm_pt, chip->null_ec_key_x, EC_PT_SZ);
	memcpy(e->tpm_pt + EC_PT_SZ, chip->null_ec_key_y, EC_PT_SZ);
	if (!rc)
		rc = tpm2_sess_kpp(req, e->tpm_pt, e->z, sizeof(e->z));
	if (rc)
		goto free_req;
	/* TPM2B_ENCRYPTED_SECRET holding a TPMS_ECC_POINT. */
	tpm_cmd_put_u16(cmd, 2 * (2 + EC_PT_SZ));
	tpm_cmd_put_u16(cmd, EC_PT_SZ);
	tpm_cmd_put(cmd, e->eph, EC_PT_SZ);
	tpm_cmd_put_u16(cmd, EC_PT_SZ);
	tpm_cmd_put(cmd, e->eph + EC_PT_SZ, EC_PT_SZ);
	tpm2_kdfe(e->z, "SECRET", e->eph, chip->null_ec_key_x, salt);
free_req:
	kpp_request_free(req);
free_kpp:
	crypto_free_kpp(kpp);
free_e:
	kfree_sensitive(e);
	return rc;
}

/*
 * The null key, created (left loaded: its handle in *@h).  The first time,
 * its name becomes null_name.  Later, another name means the null seed
 * changed: the TPM was reset (a hibernation), or someone on the bus made
 * up the key to learn the salt.  The kernel cannot tell which, so no
 * session is salted to it until root, having certified it, writes its
 * name to null_name (tpm2_sess_accept_name()); the chip stays usable for
 * everything else.
 */
static ssize_t tpm2_sess_null_key(struct tpm_chip *chip,
				  struct tpm2_auth *auth, u32 *h)
{
	u8 name[TPM2_NAME_SIZE];
	ssize_t rc;

	rc = tpm2_sess_create_null(chip, h, name);
	if (rc)
		return rc;
	if (!memchr_inv(chip->null_key_name, 0, sizeof(name))) {
		memcpy(chip->null_key_name, name, sizeof(name));
		return 0;
	}
	if (!memcmp(chip->null_key_name, name, sizeof(name)))
		return 0;
	memcpy(auth->new_name, name, sizeof(name));
	tpm2_flush_handle(chip, *h, NULL);
	dev_err_ratelimited(&chip->dev, "the null key changed (TPM reset, or a forged key?): kernel sessions refused until %*phN, certified, is written to null_name\n",
			    TPM2_NAME_SIZE, name);
	return -ENODEV;
}

/*
 * The session's handle and the TPM's first nonce; the session key.  The
 * handle is taken first, from any success long enough to hold an HMAC
 * session's: the TPM made that session whatever follows, and it must not
 * be left there.  (Another kind of handle is not one this command makes,
 * and flushing it could take someone else's object.)
 */
static int tpm2_sess_parse_start(struct tpm2_auth *auth,
				 const struct tpm_cmd *cmd, const u8 *salt)
{
	const u8 *p = cmd->data + TPM_HEADER_SIZE;

	if (cmd->len < TPM_HEADER_SIZE + 4 ||
	    tpm2_handle_mso(get_unaligned_be32(p)) != TPM2_MSO_SESSION)
		return -EFAULT;
	auth->ctx.handle = get_unaligned_be32(p);
	if (cmd->len != TPM_HEADER_SIZE + 4 + 2 + auth->nonce_len ||
	    get_unaligned_be16(p + 4) != auth->nonce_len)
		return -EFAULT;
	memcpy(auth->tpm_nonce, p + 6, auth->nonce_len);
	/* The HMAC is keyed with the salt now. */
	auth->mac_keyed = false;
	return tpm2_kdfa(auth->hmac, salt, SHA256_DIGEST_SIZE, "ATH",
			 auth->tpm_nonce, auth->nonce_len, auth->our_nonce,
			 auth->nonce_len, auth->session_key,
			 sizeof(auth->session_key));
}

/*
 * TPM2_StartAuthSession: salted with the null key, bound to nothing, HMAC
 * with AES-128-CFB parameter encryption and SHA-256.
 */
static ssize_t tpm2_sess_start_cmd(struct tpm_chip *chip,
				   struct tpm2_auth *auth, u32 null_key)
{
	u8 salt[SHA256_DIGEST_SIZE];
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_START_AUTH_SESS);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, null_key);
	tpm_cmd_put_u32(&cmd, TPM2_RH_NULL);
	get_random_bytes(auth->our_nonce, auth->nonce_len);
	tpm_cmd_put_u16(&cmd, auth->nonce_len);
	tpm_cmd_put(&cmd, auth->our_nonce, auth->nonce_len);
	rc = tpm2_sess_put_salt(chip, &cmd, salt);
	if (rc)
		goto out;
	tpm_cmd_put_u8(&cmd, TPM2_SE_HMAC);
	tpm_cmd_put_u16(&cmd, TPM_ALG_AES);
	tpm_cmd_put_u16(&cmd, TPM2_SESS_AES_BITS);
	tpm_cmd_put_u16(&cmd, TPM_ALG_CFB);
	tpm_cmd_put_u16(&cmd, TPM_ALG_SHA256);
	rc = tpm_rm_room_for(chip, true);
	if (!rc)
		rc = tpm2_sess_run(chip, &cmd, 0, "TPM2_StartAuthSession");
	if (!rc)
		rc = tpm2_sess_parse_start(auth, &cmd, salt);
out:
	memzero_explicit(salt, sizeof(salt));
	tpm_cmd_free(&cmd);
	return rc;
}

/*
 * Start the chip's session and put it in the resource manager's books,
 * loaded (tpm_rm_load() pins it there for the command).
 */
static ssize_t tpm2_sess_start(struct tpm_chip *chip, struct tpm2_auth *auth)
{
	ssize_t rc, err;
	u32 null_key;

	rc = tpm2_sess_null_key(chip, auth, &null_key);
	if (rc)
		return rc;
	tpm_rm_adopt_object(chip, null_key);
	auth->ctx.handle = 0;
	rc = tpm2_sess_start_cmd(chip, auth, null_key);
	err = tpm2_flush_handle(chip, null_key, "null key");
	if (rc || err) {
		/*
		 * A session the TPM started (its answer refused, or the null
		 * key left behind) but not kept: out of the TPM, and out of
		 * the books if they had something under its handle.
		 */
		if (auth->ctx.handle) {
			tpm_rm_adopt(chip, auth->ctx.handle);
			tpm2_flush_handle(chip, auth->ctx.handle, NULL);
		}
		auth->ctx.handle = 0;
		memzero_explicit(auth->session_key, sizeof(auth->session_key));
		return rc ? rc : err;
	}
	/* The TPM gave the handle: what the books had under it is gone. */
	tpm_rm_adopt(chip, auth->ctx.handle);
	tpm_rm_used(chip, &auth->ctx, auth->ctx.handle);
	return 0;
}

/*
 * A definite no to the session: an error from the TPM (not a warning,
 * which says "later"), or an answer the kernel refused.  A timeout, a
 * lack of memory or of room in the TPM says nothing about the TPM.
 */
static bool tpm2_sess_refused_start(ssize_t rc)
{
	if (rc == -EFAULT)
		return true;
	return rc > 0 && !TPM2_RC_IS_WARNING(rc);
}

/*
 * tpm2_sess_start(), and for a TPM that refuses 16-byte nonces (or answers
 * them malformed), again with digest-sized ones, which the session keeps.
 */
static ssize_t tpm2_sess_start_sized(struct tpm_chip *chip,
				     struct tpm2_auth *auth)
{
	ssize_t rc = tpm2_sess_start(chip, auth);

	if (!tpm2_sess_refused_start(rc) ||
	    auth->nonce_len == TPM2_SESS_NONCE_MAX)
		return rc;
	auth->nonce_len = TPM2_SESS_NONCE_MAX;
	return tpm2_sess_start(chip, auth);
}

/* The session is lost: out of the TPM if it may still be there, and forgotten. */
static void tpm2_sess_drop(struct tpm_chip *chip, struct tpm2_auth *auth,
			   bool flush)
{
	if (flush && tpm_space_ctx_used(&auth->ctx))
		tpm_space_flush(chip, auth->ctx.handle);
	auth->ctx.pinned = false;
	tpm_space_ctx_drop(&auth->ctx);
	memzero_explicit(auth->session_key, sizeof(auth->session_key));
}

/* The command is done with the session (which stays). */
static void tpm2_sess_idle(struct tpm2_auth *auth)
{
	auth->pos = 0;
	auth->nr_sess = 0;
	auth->active = false;
	auth->appended = false;
	auth->broken = false;
	auth->nr_names = 0;
	auth->ctx.pinned = false;
	memzero_explicit(auth->passphrase, sizeof(auth->passphrase));
	auth->passphrase_len = 0;
}

static inline struct tpm2_auth *tpm2_sess_active(struct tpm_chip *chip)
{
	struct tpm2_auth *auth = chip->auth;

	return auth && auth->active ? auth : NULL;
}

/* A negative errno for a TPM code, as upstream's callers expect. */
static int tpm2_sess_err(ssize_t rc)
{
	if (rc <= 0)
		return rc;
	return tpm2_rc_value(rc) == TPM2_RC_SESSION_MEMORY ? -ENOMEM : -EFAULT;
}

/**
 * tpm2_start_auth_session() - have the chip's session ready for a command
 * @chip:	the chip, whose ops the caller holds
 *
 * The session the chip keeps is loaded (started first if there is none)
 * and held for one command, which the caller builds with
 * tpm_buf_append_name() and tpm_buf_append_hmac_session(), seals with
 * tpm_buf_fill_hmac_session(), sends, and checks with
 * tpm_buf_check_hmac_response(); or gives up with tpm2_end_auth_session().
 * Without protection (the hmac parameter, or a TPM without what it takes:
 * chip->auth is NULL) it does nothing and those build password sessions.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0, or a negative errno (-ENOMEM for a TPM with no room).
 */
int tpm2_start_auth_session(struct tpm_chip *chip)
{
	struct tpm2_auth *auth = chip->auth;
	ssize_t rc;
	u32 h;

	if (!auth)
		return 0;
	tpm2_sess_idle(auth);
	if (tpm_space_ctx_used(&auth->ctx)) {
		rc = tpm_rm_load(chip, &auth->ctx, &h);
		if (!rc)
			goto ready;
		/*
		 * Refused with an error (flushed through /dev/tpmN, or stale
		 * after a TPM reset): forgotten, and another started.  A
		 * warning or no answer says nothing about it: it stays.
		 */
		tpm_space_forget_unloadable(&auth->ctx, rc);
		if (tpm_space_ctx_used(&auth->ctx))
			return tpm2_sess_err(rc);
		dev_dbg(&chip->dev, "kernel session lost (0x%zx): starting another\n",
			rc);
	}
	rc = tpm2_sess_start_sized(chip, auth);
	if (!rc)
		rc = tpm_rm_load(chip, &auth->ctx, &h);
	if (rc) {
		tpm2_sess_drop(chip, auth, false);
		return tpm2_sess_err(rc);
	}
ready:
	auth->active = true;
	return 0;
}
EXPORT_SYMBOL_GPL(tpm2_start_auth_session);

/**
 * tpm2_end_auth_session() - give up the command being built
 * @chip:	the chip, whose ops the caller holds
 *
 * For a caller's error path between tpm2_start_auth_session() and
 * tpm_buf_check_hmac_response().  The session stays for the next command
 * (nothing was sent with it, so it is as it was).
 *
 * Context: process context; the caller holds the ops.
 */
void tpm2_end_auth_session(struct tpm_chip *chip)
{
	if (chip->auth)
		tpm2_sess_idle(chip->auth);
}
EXPORT_SYMBOL_GPL(tpm2_end_auth_session);

/* Has a handle of this kind a name of its own (else its name is itself)? */
static bool tpm2_sess_has_name(u32 handle)
{
	switch (tpm2_handle_mso(handle)) {
	case TPM2_MSO_PERSISTENT:
	case TPM2_MSO_VOLATILE:
	case TPM2_MSO_NVRAM:
		return true;
	default:
		return false;
	}
}

/* The length of a name (TPMT_HA: its algorithm says its size), or 0. */
static u16 tpm2_sess_name_len(const u8 *name, size_t room)
{
	u16 len;

	if (room < 2)
		return 0;
	switch (get_unaligned_be16(name)) {
	case TPM_ALG_SHA1:
		len = SHA1_DIGEST_SIZE;
		break;
	case TPM_ALG_SHA256:
		len = SHA256_DIGEST_SIZE;
		break;
	case TPM_ALG_SHA384:
		len = SHA384_DIGEST_SIZE;
		break;
	case TPM_ALG_SHA512:
		len = SHA512_DIGEST_SIZE;
		break;
	default:
		return 0;
	}
	return 2 + len <= room ? 2 + len : 0;
}

/*
 * The name of an object or NV index, as the TPM gives it (TPM2_ReadPublic,
 * TPM2_NV_ReadPublic: the name follows the public area).  A kernel user's
 * command: a space's context under @handle is evicted first, so that the
 * name of nobody else's object is read (tpm2_rm_shield()).
 */
static ssize_t tpm2_sess_read_name(struct tpm_chip *chip, u32 handle,
				   u8 *name, u16 *len)
{
	u32 cc = tpm2_handle_mso(handle) == TPM2_MSO_NVRAM ?
		 TPM2_CC_NV_READ_PUBLIC : TPM2_CC_READ_PUBLIC;
	struct tpm_cmd cmd;
	u32 off = TPM_HEADER_SIZE;
	ssize_t rc;
	u16 n;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, cc);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, handle);
	put_unaligned_be32(cmd.len, cmd.data + 2);
	rc = tpm2_rm_shield(chip, cmd.data, cmd.len);
	if (!rc)
		rc = tpm_cmd_run(chip, &cmd, 4, NULL);
	if (rc)
		goto out;
	rc = -EFAULT;
	off += 2 + get_unaligned_be16(cmd.data + off);
	if (off + 2 > cmd.len)
		goto out;
	n = get_unaligned_be16(cmd.data + off);
	off += 2;
	if (n > TPM2_SESS_NAME_MAX || off + n > cmd.len ||
	    tpm2_sess_name_len(cmd.data + off, n) != n)
		goto out;
	memcpy(name, cmd.data + off, n);
	*len = n;
	rc = 0;
out:
	tpm_cmd_free(&cmd);
	return rc;
}

/* tpm_buf_append_name() with the session: the name, for cpHash. */
static int tpm2_sess_add_name(struct tpm_chip *chip, struct tpm2_auth *auth,
			      u32 handle, const u8 *name)
{
	int i = auth->nr_names;
	ssize_t rc;

	if (i >= TPM2_SESS_NAMES)
		return -EIO;
	auth->name_h[i] = handle;
	if (!tpm2_sess_has_name(handle)) {
		if (name)
			return -EINVAL;
		put_unaligned_be32(handle, auth->name[i]);
		auth->name_len[i] = 4;
	} else if (name) {
		auth->name_len[i] = tpm2_sess_name_len(name,
						       TPM2_SESS_NAME_MAX);
		if (!auth->name_len[i])
			return -EINVAL;
		memcpy(auth->name[i], name, auth->name_len[i]);
	} else {
		rc = tpm2_sess_read_name(chip, handle, auth->name[i],
					 &auth->name_len[i]);
		if (rc)
			return rc < 0 ? rc : tpm2_sess_err(rc);
	}
	auth->nr_names++;
	return 0;
}

/**
 * tpm_buf_append_name() - append a handle of the command's handle area
 * @chip:	the chip, whose ops the caller holds
 * @buf:	the buffer, a command
 * @handle:	the handle
 * @name:	the entity's name, or NULL to have it read from the TPM (for
 *		an object or NV index; other handles are their own name)
 *
 * With the session held (tpm2_start_auth_session()), the name goes into
 * the command's HMAC.  On failure the session is let go, as upstream does.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: 0 or a negative errno (nothing on kernels where it returns void).
 */
#if TPM_COMPAT_APPEND_NAME_INT
int tpm_buf_append_name(struct tpm_chip *chip, struct tpm_buf *buf,
			u32 handle, u8 *name)
#else
void tpm_buf_append_name(struct tpm_chip *chip, struct tpm_buf *buf,
			 u32 handle, u8 *name)
#endif
{
	struct tpm2_auth *auth = tpm2_sess_active(chip);
	int rc = 0;

	tpm_buf_append_handle(chip, buf, handle);
	if (auth) {
		rc = tpm2_sess_add_name(chip, auth, handle, name);
		if (rc) {
			dev_err(&chip->dev, "no name for 0x%08x: %d\n", handle,
				rc);
			if (TPM_COMPAT_APPEND_NAME_INT)
				tpm2_sess_idle(auth);
			else
				auth->broken = true;
		}
	}
#if TPM_COMPAT_APPEND_NAME_INT
	return rc;
#endif
}
EXPORT_SYMBOL_GPL(tpm_buf_append_name);

/* What a command's HMAC holds until tpm_buf_fill_hmac_session() fills it. */
static const u8 tpm2_sess_no_mac[SHA256_DIGEST_SIZE];

/**
 * tpm_buf_append_hmac_session() - append the chip's session to a command
 * @chip:		the chip, whose ops the caller holds
 * @buf:		the buffer, a command whose handles are all there
 * @attributes:		TPM2_SA_DECRYPT to have the first parameter sent
 *			encrypted, TPM2_SA_ENCRYPT to have the response's
 *			come back so, TPM2_SA_AUDIT; continueSession is
 *			always added (the chip keeps its session)
 * @passphrase:		the authorization value of the entity the session
 *			authorizes, or NULL
 * @passphrase_len:	its length
 *
 * The session goes in with a fresh nonce and room for its HMAC, which
 * tpm_buf_fill_hmac_session() computes once the parameters are there.
 * Without the session held, a password session (tpm_buf_append_auth()).
 *
 * Context: process context; the caller holds the ops.
 */
void tpm_buf_append_hmac_session(struct tpm_chip *chip, struct tpm_buf *buf,
				 u8 attributes, u8 *passphrase,
				 int passphrase_len)
{
	struct tpm2_auth *auth = tpm2_sess_active(chip);
	u32 area = TPM_HEADER_SIZE + 4 * buf->handles;
	u32 size;

	if (!auth) {
		tpm_buf_append_auth(chip, buf, attributes, passphrase,
				    passphrase_len);
		return;
	}
	size = 4 + 2 + auth->nonce_len + 1 + 2 + SHA256_DIGEST_SIZE;
	/* The Architecture's rule: trailing zeros are not part of it. */
	while (passphrase && passphrase_len > 0 &&
	       !passphrase[passphrase_len - 1])
		passphrase_len--;
	if (passphrase_len < 0 || passphrase_len > TPM2_SESS_AUTH_MAX ||
	    auth->appended || tpm_buf_length(buf) < area) {
		auth->broken = true;
		return;
	}
	auth->passphrase_len = passphrase_len;
	if (passphrase_len)
		memcpy(auth->passphrase, passphrase, passphrase_len);
	auth->attrs = attributes | TPM2_SA_CONTINUE_SESSION;
	auth->appended = true;
	if (tpm_buf_length(buf) == area)
		tpm_buf_append_u32(buf, size);
	else
		put_unaligned_be32(get_unaligned_be32(buf->data + area) + size,
				   buf->data + area);
	get_random_bytes(auth->our_nonce, auth->nonce_len);
	tpm_buf_append_u32(buf, auth->ctx.handle);
	tpm_buf_append_u16(buf, auth->nonce_len);
	tpm_buf_append(buf, auth->our_nonce, auth->nonce_len);
	tpm_buf_append_u8(buf, auth->attrs);
	tpm_buf_append_u16(buf, SHA256_DIGEST_SIZE);
	/* The HMAC's place, filled in by tpm_buf_fill_hmac_session(). */
	tpm_buf_append(buf, tpm2_sess_no_mac, SHA256_DIGEST_SIZE);
}
EXPORT_SYMBOL_GPL(tpm_buf_append_hmac_session);

/*
 * Walk the authorization area at @off (@len bytes of command): where the
 * parameters start, where the chip's session's HMAC is, and the session's
 * place among how many (auth->pos, auth->nr_sess: the response has them
 * in the same order).
 */
static int tpm2_sess_find(struct tpm2_auth *auth, const u8 *cmd, u32 len,
			  u32 off, u32 *params, u32 *mac)
{
	u32 end, h, n;

	if (off + 4 > len)
		return -EIO;
	end = off + 4 + get_unaligned_be32(cmd + off);
	if (end > len || end < off)
		return -EIO;
	*mac = 0;
	for (off += 4; off < end; ) {
		if (off + 4 + 2 > end)
			return -EIO;
		h = get_unaligned_be32(cmd + off);
		off += 4;
		off += 2 + get_unaligned_be16(cmd + off);	/* nonce */
		if (off + 1 + 2 > end)
			return -EIO;
		off += 1;
		n = get_unaligned_be16(cmd + off);
		off += 2;
		if (h == auth->ctx.handle && n == SHA256_DIGEST_SIZE && !*mac) {
			*mac = off;
			auth->pos = auth->nr_sess;
		}
		off += n;
		auth->nr_sess++;
	}
	if (off != end || !*mac || auth->nr_sess > TPM_RM_MAX_AUTHS)
		return -EIO;
	*params = end;
	return 0;
}

/* cpHash: SHA-256 of the command code, the names and the parameters. */
static void tpm2_sess_cp_hash(const struct tpm2_auth *auth, const u8 *params,
			      u32 len, u8 *out)
{
	struct sha256_state s;
	int i;

	sha256_init(&s);
	sha256_update(&s, (const u8 *)&auth->ordinal, sizeof(auth->ordinal));
	for (i = 0; i < auth->nr_names; i++)
		sha256_update(&s, auth->name[i], auth->name_len[i]);
	sha256_update(&s, params, len);
	sha256_final(&s, out);
}

/* The first parameter, if it is a TPM2B: its bytes at *@at, how many. */
static u32 tpm2_sess_first_2b(const u8 *p, u32 len, u32 *at)
{
	u32 n;

	if (len < 2)
		return 0;
	n = get_unaligned_be16(p);
	*at = 2;
	return n <= len - 2 ? n : 0;
}

/* Seal the command: encrypt its first parameter if asked, then its HMAC. */
static int tpm2_sess_fill(struct tpm_chip *chip, struct tpm2_auth *auth,
			  struct tpm_buf *buf)
{
	u32 len = tpm_buf_length(buf), cc, nh, params, mac, at, n;
	u8 cp_hash[SHA256_DIGEST_SIZE];
	int i, rc;

	if (auth->broken || !auth->appended || len < TPM_HEADER_SIZE)
		return -EIO;
	cc = tpm_hdr_code(buf->data);
	auth->cc_attrs = tpm2_cc_attrs(chip, cc);
	nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, auth->cc_attrs);
	if (nh != auth->nr_names || nh != buf->handles)
		return -EIO;
	for (i = 0; i < nh; i++)
		if (get_unaligned_be32(buf->data + TPM_HEADER_SIZE + 4 * i) !=
		    auth->name_h[i])
			return -EIO;
	rc = tpm2_sess_find(auth, buf->data, len, TPM_HEADER_SIZE + 4 * nh,
			    &params, &mac);
	if (rc)
		return rc;
	if (auth->attrs & TPM2_SA_DECRYPT) {
		n = tpm2_sess_first_2b(buf->data + params, len - params, &at);
		rc = tpm2_sess_cfb(auth, auth->our_nonce, auth->tpm_nonce,
				   buf->data + params + at, n, true);
		if (rc)
			return rc;
	}
	auth->ordinal = cpu_to_be32(cc);
	tpm2_sess_cp_hash(auth, buf->data + params, len - params, cp_hash);
	return tpm2_sess_mac(auth, cp_hash, auth->our_nonce, auth->tpm_nonce,
			     auth->attrs, buf->data + mac);
}

/**
 * tpm_buf_fill_hmac_session() - seal a command built with the session
 * @chip:	the chip, whose ops the caller holds
 * @buf:	the command, complete
 *
 * Encrypts the first parameter if the session asked for it
 * (TPM2_SA_DECRYPT), then computes the session's HMAC over the command
 * code, the names of its handles and its parameters.  On failure the
 * session is let go (the command must not be sent).
 *
 * Context: process context; the caller holds the ops.
 * Return: 0, or a negative errno.
 */
int tpm_buf_fill_hmac_session(struct tpm_chip *chip, struct tpm_buf *buf)
{
	struct tpm2_auth *auth = tpm2_sess_active(chip);
	int rc;

	if (!auth)
		return 0;
	rc = tpm2_sess_fill(chip, auth, buf);
	if (rc) {
		dev_err(&chip->dev, "kernel session: command 0x%x not sealed: %d\n",
			tpm_hdr_code(buf->data), rc);
		tpm2_sess_idle(auth);
	}
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_buf_fill_hmac_session);

/*
 * The response's sessions, after its parameters at @off: as many as the
 * command had, ending exactly at @len.  Where the chip's session's nonce
 * is, in *@nonce (its attributes and HMAC follow).
 */
static int tpm2_sess_rsp_find(const struct tpm2_auth *auth, const u8 *rsp,
			      u32 len, u32 off, u32 *nonce)
{
	u32 n;
	int i;

	*nonce = 0;
	for (i = 0; i < auth->nr_sess; i++) {
		if (off + 2 > len)
			return -EBADMSG;
		n = get_unaligned_be16(rsp + off);
		if (i == auth->pos) {
			if (n != auth->nonce_len)
				return -EBADMSG;
			*nonce = off + 2;
		}
		off += 2 + n + 1;
		if (off + 2 > len)
			return -EBADMSG;
		n = get_unaligned_be16(rsp + off);
		if (i == auth->pos && n != SHA256_DIGEST_SIZE)
			return -EBADMSG;
		off += 2 + n;
	}
	return off == len && *nonce ? 0 : -EBADMSG;
}

/*
 * rpHash: SHA-256 of the response code, the command code and the
 * parameters (@len bytes at @params of @rsp).  A success with none is
 * the same for every response to the command, so it is kept for the next.
 */
static void tpm2_sess_rp_hash(struct tpm2_auth *auth, const u8 *rsp,
			      const u8 *params, u32 len, u8 *out)
{
	bool empty = !len && !get_unaligned_be32(rsp + 6);
	struct sha256_state s;

	if (empty && auth->rp_known && auth->rp_cc == auth->ordinal) {
		memcpy(out, auth->rp_empty, SHA256_DIGEST_SIZE);
		return;
	}
	sha256_init(&s);
	sha256_update(&s, rsp + 6, 4);		/* responseCode */
	sha256_update(&s, (const u8 *)&auth->ordinal, sizeof(auth->ordinal));
	sha256_update(&s, params, len);
	sha256_final(&s, out);
	if (!empty)
		return;
	memcpy(auth->rp_empty, out, SHA256_DIGEST_SIZE);
	auth->rp_cc = auth->ordinal;
	auth->rp_known = true;
}

/*
 * Check the response's HMAC (over rpHash and both nonces) and decrypt its
 * first parameter if asked.
 */
static int tpm2_sess_check(struct tpm2_auth *auth, u8 *rsp, u32 len)
{
	u32 off, plen, params, at, n, nonce;
	u8 rp_hash[SHA256_DIGEST_SIZE], mac[SHA256_DIGEST_SIZE];
	u8 attrs;
	int rc;

	if (len < TPM_HEADER_SIZE + 4 ||
	    get_unaligned_be16(rsp) != TPM2_ST_SESSIONS)
		return -EBADMSG;
	off = TPM_HEADER_SIZE;
	if (auth->cc_attrs & TPM2_CC_ATTR_RHANDLE)
		off += 4;
	if (off + 4 > len)
		return -EBADMSG;
	plen = get_unaligned_be32(rsp + off);
	params = off + 4;
	if (plen > len - params)
		return -EBADMSG;
	rc = tpm2_sess_rsp_find(auth, rsp, len, params + plen, &nonce);
	if (rc)
		return rc;
	attrs = rsp[nonce + auth->nonce_len];
	tpm2_sess_rp_hash(auth, rsp, rsp + params, plen, rp_hash);
	rc = tpm2_sess_mac(auth, rp_hash, rsp + nonce, auth->our_nonce, attrs,
			   mac);
	if (rc)
		return rc;
	if (crypto_memneq(mac, rsp + nonce + auth->nonce_len + 1 + 2,
			  sizeof(mac)))
		return -EBADMSG;
	memcpy(auth->tpm_nonce, rsp + nonce, auth->nonce_len);
	if (!(auth->attrs & TPM2_SA_ENCRYPT))
		return 0;
	n = tpm2_sess_first_2b(rsp + params, plen, &at);
	return tpm2_sess_cfb(auth, auth->tpm_nonce, auth->our_nonce,
			     rsp + params + at, n, false);
}

/*
 * What a refused command says of the chip's session, at @pos among the
 * command's sessions: TPM2_SESS_GONE if the TPM says it is not there
 * (TPM_RC_REFERENCE_S<pos>, or TPM_RC_HANDLE for it), TPM2_SESS_SUSPECT
 * for any other error about it (a wrong authorization value, or nonces
 * out of step: it cannot be told), else TPM2_SESS_FINE.
 */
enum { TPM2_SESS_FINE, TPM2_SESS_SUSPECT, TPM2_SESS_GONE };

static int tpm2_sess_refused(u32 rc, int pos)
{
	if (rc >= TPM2_RC_REFERENCE_S0 && rc <= TPM2_RC_REFERENCE_LAST)
		return rc - TPM2_RC_REFERENCE_S0 == pos ? TPM2_SESS_GONE :
							   TPM2_SESS_FINE;
	if (!(rc & TPM2_RC_FMT1) || (rc & TPM2_RC_FMT1_PARAM) ||
	    !(rc & TPM2_RC_FMT1_SESSION) ||
	    FIELD_GET(TPM2_RC_FMT1_N, rc) - 8 != pos + 1)
		return TPM2_SESS_FINE;
	if ((rc & TPM2_RC_FMT1_ERROR) == (TPM2_RC_HANDLE & TPM2_RC_FMT1_ERROR))
		return TPM2_SESS_GONE;
	return TPM2_SESS_SUSPECT;
}

/**
 * tpm_buf_check_hmac_response() - check a response to a sealed command
 * @chip:	the chip, whose ops the caller holds
 * @buf:	the command's buffer, now holding the response
 * @rc:		what tpm_transmit_cmd() returned
 *
 * On success (@rc 0), the response's HMAC must be the one the TPM makes
 * with the session key over the response's parameters and the nonces: a
 * response changed, replayed or made up on the way fails, is reported,
 * its parameters are wiped, and the session is dropped (its nonces can no
 * longer be trusted; the next command starts another).  Otherwise the
 * first response parameter is decrypted if the session asked for it
 * (TPM2_SA_ENCRYPT).  A TPM error passes through; one that says the
 * session itself is gone drops it too.
 *
 * Context: process context, may sleep; the caller holds the ops.
 * Return: @rc if it is not 0; else 0, or -EINVAL for a response that
 * fails the check or answers a command tpm_buf_fill_hmac_session() did
 * not seal.
 */
int tpm_buf_check_hmac_response(struct tpm_chip *chip, struct tpm_buf *buf,
				int rc)
{
	struct tpm2_auth *auth = tpm2_sess_active(chip);
	u32 len;
	int err;

	if (!auth)
		return rc;
	if (rc) {
		/*
		 * No answer (it may have run, and moved the nonce on), or an
		 * error about the session: flushed and dropped, the next
		 * command starts another.  Gone: just dropped.
		 */
		switch (rc < 0 ? TPM2_SESS_SUSPECT : tpm2_sess_refused(rc, auth->pos)) {
		case TPM2_SESS_SUSPECT:
			tpm2_sess_drop(chip, auth, true);
			break;
		case TPM2_SESS_GONE:
			tpm2_sess_drop(chip, auth, false);
			break;
		}
		tpm2_sess_idle(auth);
		return rc;
	}
	len = min_t(u32, tpm_hdr_len(buf->data), PAGE_SIZE);
	err = tpm2_sess_check(auth, buf->data, len);
	tpm2_sess_idle(auth);
	if (!err)
		return 0;
	dev_err_ratelimited(&chip->dev, "kernel session: the response to 0x%x failed its check (%d): changed on the way?\n",
			    be32_to_cpu(auth->ordinal), err);
	if (len > TPM_HEADER_SIZE)
		memzero_explicit(buf->data + TPM_HEADER_SIZE,
				 len - TPM_HEADER_SIZE);
	tpm2_sess_drop(chip, auth, true);
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(tpm_buf_check_hmac_response);

/**
 * tpm2_sess_accept_name() - accept a changed null key
 * @chip:	the chip
 * @name:	the name (TPM2_NAME_SIZE bytes) user space certified
 *
 * After the null key changed (tpm2_sess_null_key()), sessions are salted
 * to the new key once root writes its name to null_name.
 *
 * Context: process context, may sleep; takes tpm_mutex.
 * Return: 0, -ENODEV without a session, -EINVAL for any other name than
 * the new key's.
 */
int tpm2_sess_accept_name(struct tpm_chip *chip, const u8 *name)
{
	struct tpm2_auth *auth = chip->auth;
	int rc = -EINVAL;

	if (!auth)
		return -ENODEV;
	mutex_lock(&chip->tpm_mutex);
	if (memchr_inv(auth->new_name, 0, TPM2_NAME_SIZE) &&
	    !memcmp(auth->new_name, name, TPM2_NAME_SIZE)) {
		memcpy(chip->null_key_name, name, TPM2_NAME_SIZE);
		memset(auth->new_name, 0, TPM2_NAME_SIZE);
		rc = 0;
	}
	mutex_unlock(&chip->tpm_mutex);
	return rc;
}

/**
 * tpm2_sess_unhold() - let go of the session before the TPM is someone else's
 * @chip:	the chip, whose ops the caller holds
 *
 * Before a /dev/tpmN command or an exclusive open, which evict
 * whatever is not pinned: a kernel user that held the session and never
 * finished its command (its ops are given back, so it is not running)
 * must not leave the session loaded for them.
 *
 * Context: process context; the caller holds the ops.
 */
void tpm2_sess_unhold(struct tpm_chip *chip)
{
	if (chip->auth)
		tpm2_sess_idle(chip->auth);
}

/**
 * tpm2_sess_protects() - does the chip's session protect this command?
 * @chip:	the chip
 * @cc:		TPM2_CC_PCR_EXTEND, TPM2_CC_PCR_READ or TPM2_CC_GET_RANDOM
 *
 * Context: any context.
 * Return: true if the core sends it through the session.
 */
bool tpm2_sess_protects(struct tpm_chip *chip, u32 cc)
{
	if (!chip->auth)
		return false;
	return cc != TPM2_CC_PCR_EXTEND || !disable_pcr_integrity;
}

/**
 * tpm2_sess_free() - free the chip's session state
 * @chip:	the chip, being released (its last reference is gone)
 *
 * The fence flushed the session from the TPM if it could; whatever is
 * left of it on the resource manager's lists is taken off them here.
 *
 * Context: process context; tpm_mutex held.
 */
void tpm2_sess_free(struct tpm_chip *chip)
{
	struct tpm2_auth *auth = chip->auth;

	if (!auth)
		return;
	chip->auth = NULL;
	tpm_space_ctx_drop(&auth->ctx);
	crypto_free_shash(auth->hmac);
	kfree_sensitive(auth);
}

/*
 * What the session needs of the kernel (HMAC-SHA256, ECDH P-256) and of
 * the TPM (its command list; the null key: ECC P-256 with AES-128-CFB; a
 * salted HMAC session with AES-128-CFB and SHA-256).  The session is
 * started here and kept: null_name shows the key's name from the start,
 * and a TPM that refuses any of it is known now, not at each of the
 * kernel's commands.  A start that fails for a passing reason leaves the
 * chip protected, its session started at the first use.
 */
static int tpm2_sess_setup(struct tpm_chip *chip, struct tpm2_auth *auth)
{
	struct crypto_kpp *kpp;
	ssize_t rc;

	if (!chip->nr_commands) {
		dev_warn(&chip->dev, "kernel commands unprotected: the TPM lists no commands\n");
		return -ENODEV;
	}
	auth->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(auth->hmac)) {
		rc = PTR_ERR(auth->hmac);
		auth->hmac = NULL;
		dev_warn(&chip->dev, "kernel commands unprotected: no hmac(sha256) (%zd)\n",
			 rc);
		return rc;
	}
	kpp = crypto_alloc_kpp("ecdh-nist-p256", 0, 0);
	if (IS_ERR(kpp)) {
		dev_warn(&chip->dev, "kernel commands unprotected: no ecdh-nist-p256 (%ld)\n",
			 PTR_ERR(kpp));
		return PTR_ERR(kpp);
	}
	crypto_free_kpp(kpp);
	auth->nonce_len = TPM2_SESS_NONCE_MIN;
	rc = tpm_try_get_ops(chip);
	if (rc)
		return 0;
	rc = tpm2_sess_start_sized(chip, auth);
	tpm_put_ops(chip);
	if (!tpm2_sess_refused_start(rc))
		return 0;
	/* No session is salted to it: null_name shows none, as with hmac=0. */
	memset(chip->null_key_name, 0, sizeof(chip->null_key_name));
	if (rc > 0)
		dev_warn(&chip->dev, "kernel commands unprotected: no salted ECC P-256 session with AES-128-CFB (TPM returned 0x%zx)\n",
			 rc);
	else
		dev_warn(&chip->dev, "kernel commands unprotected: no salted ECC P-256 session with AES-128-CFB (its answer refused)\n");
	return -ENODEV;
}

/**
 * tpm2_sess_init() - give a registered TPM 2.0 chip its session
 * @chip:	the chip, registered (its commands known)
 *
 * Unless the hmac parameter says no: the chip's session state, freed with
 * the chip (tpm2_sess_free()), and its session, started (the null key
 * created, whose name null_name shows, and TPM2_StartAuthSession) and
 * kept in the resource manager's books.  A kernel without what protection
 * needs, or a TPM that refuses it, leaves the chip unprotected, with a
 * message and null_name zeros; the chip works either way.
 *
 * Context: process context, may sleep; not holding the ops.
 */
void tpm2_sess_init(struct tpm_chip *chip)
{
	struct tpm2_auth *auth;

	if (!READ_ONCE(hmac) || !(chip->flags & TPM_CHIP_FLAG_TPM2) ||
	    (chip->flags & TPM_CHIP_FLAG_FIRMWARE_UPGRADE))
		return;
	auth = kzalloc(sizeof(*auth), GFP_KERNEL);
	if (!auth)
		return;
	INIT_LIST_HEAD(&auth->ctx.lru);
	INIT_LIST_HEAD(&auth->ctx.saved.node);
	auth->ctx.session = true;
	if (tpm2_sess_setup(chip, auth)) {
		crypto_free_shash(auth->hmac);
		kfree_sensitive(auth);
		return;
	}
	chip->auth = auth;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_sess_init);

/**
 * tpm2_sess_stop() - take the chip's session out of the TPM
 * @chip:	the chip
 *
 * For a registration that failed before anything of the chip was visible
 * (later failures go through the fence, which flushes the session with
 * everything else).  chip->auth stays, freed with the chip.  A chip whose
 * ops cannot be had (the driver cannot start the TPM) keeps what it has
 * in the TPM, as the fence does.
 *
 * Context: process context, may sleep; not holding the ops.
 */
void tpm2_sess_stop(struct tpm_chip *chip)
{
	if (!chip->auth || tpm_try_get_ops(chip))
		return;
	tpm2_sess_drop(chip, chip->auth, true);
	tpm_put_ops(chip);
}

/**
 * tpm2_sess_suspend() - take the chip's session out of the TPM before a sleep
 * @chip:	the chip, whose ops the caller holds
 *
 * Not saved with the rest: after a hibernation the TPM was reset and the
 * session is gone anyway, and a hibernation's restore kernel, whose
 * quiesce ends here too, would leave a saved session in the TPM that the
 * resumed kernel does not know (an active-session slot lost per cycle).
 * A saved session is loaded first: its handle alone does not prove it is
 * still the kernel's (a /dev/tpmN client may have flushed it, and its
 * index gone to a session of the client's), its context does.  The next
 * kernel command after the resume starts another.
 *
 * Context: process context; the caller holds the ops.
 */
void tpm2_sess_suspend(struct tpm_chip *chip)
{
	struct tpm2_auth *auth = chip->auth;
	ssize_t rc;
	u32 h;

	if (!auth)
		return;
	tpm2_sess_idle(auth);
	if (!tpm_space_ctx_used(&auth->ctx))
		return;
	rc = tpm_rm_load(chip, &auth->ctx, &h);
	tpm2_sess_drop(chip, auth, !rc);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * tpm2_sess_kunit_hold() - for KUnit: a session held for one command
 * @chip:	a fake chip
 * @handle:	the session's handle
 * @key:	its session key (32 bytes); NULL to go on with the one set
 * @tpm_nonce:	the TPM's latest nonce (16 bytes), with @key
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int tpm2_sess_kunit_hold(struct tpm_chip *chip, u32 handle, const u8 *key,
			 const u8 *tpm_nonce)
{
	struct tpm2_auth *auth = chip->auth;

	if (!auth) {
		auth = kzalloc(sizeof(*auth), GFP_KERNEL);
		if (!auth)
			return -ENOMEM;
		INIT_LIST_HEAD(&auth->ctx.lru);
		INIT_LIST_HEAD(&auth->ctx.saved.node);
		auth->ctx.session = true;
		auth->nonce_len = TPM2_SESS_NONCE_MIN;
		auth->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
		if (IS_ERR(auth->hmac)) {
			kfree(auth);
			return -ENOENT;
		}
		chip->auth = auth;
	}
	if (key) {
		memcpy(auth->session_key, key, sizeof(auth->session_key));
		memcpy(auth->tpm_nonce, tpm_nonce, TPM2_SESS_NONCE_MIN);
	}
	tpm2_sess_idle(auth);
	auth->ctx.handle = handle;
	auth->ctx.loaded = handle;
	auth->active = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_sess_kunit_hold);

/**
 * tpm2_sess_kunit_nonce() - for KUnit: the caller's nonce of the command
 * @chip:	the fake chip
 * @buf:	the command, its session appended
 * @nonce:	the nonce (16 bytes), put in the session and in @buf
 *
 * Context: any context.
 */
void tpm2_sess_kunit_nonce(struct tpm_chip *chip, struct tpm_buf *buf,
			   const u8 *nonce)
{
	u8 *old = chip->auth->our_nonce;
	u32 i;

	/* The nonce where the session put it. */
	for (i = 0; i + TPM2_SESS_NONCE_MIN <= tpm_buf_length(buf); i++)
		if (!memcmp(buf->data + i, old, TPM2_SESS_NONCE_MIN))
			memcpy(buf->data + i, nonce, TPM2_SESS_NONCE_MIN);
	memcpy(old, nonce, TPM2_SESS_NONCE_MIN);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_sess_kunit_nonce);

/**
 * tpm2_sess_kunit_live() - for KUnit: does the chip still have its session?
 * @chip:	the fake chip
 *
 * Context: any context.
 * Return: true if it does.
 */
bool tpm2_sess_kunit_live(struct tpm_chip *chip)
{
	return chip->auth && tpm_space_ctx_used(&chip->auth->ctx);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_sess_kunit_live);
#endif

#endif /* CONFIG_TCG_TPM2_HMAC */
