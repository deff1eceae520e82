/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's own TPM 2.0 session (tpm2-session.c): what the core's other
 * files and the KUnit tests use of it.  The API the kernel's TPM users call
 * is <linux/tpm.h>'s.
 */
#ifndef __TPM2_SESSION_H__
#define __TPM2_SESSION_H__

#ifdef CONFIG_TCG_TPM2_HMAC
#include <linux/uio.h>
#include <crypto/hash.h>

void tpm2_sess_init(struct tpm_chip *chip);
void tpm2_sess_stop(struct tpm_chip *chip);
void tpm2_sess_suspend(struct tpm_chip *chip);
void tpm2_sess_free(struct tpm_chip *chip);
void tpm2_sess_unhold(struct tpm_chip *chip);
int tpm2_sess_accept_name(struct tpm_chip *chip, const u8 *name);
bool tpm2_sess_protects(struct tpm_chip *chip, u32 cc);
int tpm2_kdf_ctr(struct crypto_shash *tfm, const u8 *key,
		 unsigned int key_len, const struct kvec *fixed, int n,
		 u8 *out, size_t len);
int tpm2_kdfa(struct crypto_shash *tfm, const u8 *key, unsigned int key_len,
	      const char *label, const u8 *u, size_t ulen, const u8 *v,
	      size_t vlen, u8 *out, size_t len);
void tpm2_kdfe(const u8 z[EC_PT_SZ], const char *label,
	       const u8 pu[EC_PT_SZ], const u8 pv[EC_PT_SZ],
	       u8 out[SHA256_DIGEST_SIZE]);
int tpm2_sess_kunit_hold(struct tpm_chip *chip, u32 handle, const u8 *key,
			 const u8 *tpm_nonce);
void tpm2_sess_kunit_nonce(struct tpm_chip *chip, struct tpm_buf *buf,
			   const u8 *nonce);
bool tpm2_sess_kunit_live(struct tpm_chip *chip);
#else
static inline void tpm2_sess_init(struct tpm_chip *chip)
{
}

static inline void tpm2_sess_stop(struct tpm_chip *chip)
{
}

static inline void tpm2_sess_suspend(struct tpm_chip *chip)
{
}

static inline void tpm2_sess_free(struct tpm_chip *chip)
{
}

static inline void tpm2_sess_unhold(struct tpm_chip *chip)
{
}

static inline bool tpm2_sess_protects(struct tpm_chip *chip, u32 cc)
{
	return false;
}
#endif

#endif /* __TPM2_SESSION_H__ */
