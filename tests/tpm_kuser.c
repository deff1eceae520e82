// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel user of the TPM for the guest tests and benchmarks: it calls
 * tpm_pcr_extend(), tpm_pcr_read() and tpm_get_random() on the default
 * chip, as IMA and the hwrng do, and says how long each took.
 *
 *   echo "extend N" > /sys/kernel/debug/tpm_kuser/run
 *       N extends of PCR 16, every bank, with digests 0x01.., 0x02.., ...
 *   echo "random N" > .../run	N reads of 32 random bytes
 *   echo "pcrread N" > .../run	N reads of PCR 16's SHA-256 value
 *   echo "sessmath N" > .../run	N times the arithmetic a protected
 *       extend's session does, with the same primitives on the same
 *       sizes, no TPM (CONFIG_TCG_TPM2_HMAC): a 16-byte nonce, cpHash
 *       (SHA-256 of 184 bytes: an extend of four banks, as swtpm's),
 *       the command's HMAC-SHA256 under a kept key (65 bytes) and the
 *       response's (an extend's answer has no parameters: its rpHash is
 *       kept): what the session costs besides the bytes it adds on the bus
 *   echo "phases N" > .../run	N extends as tpm_pcr_extend() makes them
 *       with the kernel's session (CONFIG_TCG_TPM2_HMAC), through the
 *       calls trusted keys makes, each step timed: where a call's time
 *       goes, for ours and upstream's tpm.ko alike (without a session,
 *       ours builds a password session and the session's steps do
 *       nothing)
 *   cat .../result
 *       "<op> <n> <total ns> <ns per op> <rc> <last bytes, hex>", and for
 *       phases the total ns of each step: " begin=<> build=<> fill=<>
 *       send=<> check=<>"
 *
 * A write fails with the first failure's errno (a TPM error is -EIO) and
 * the result says which call failed (its rc).  A test module: it is not
 * installed (Makefile), and it extends PCR 16, the debug PCR.
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "tpm.h"

#ifdef CONFIG_TCG_TPM2_HMAC
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/random.h>
#endif

#define KUSER_PCR	16
/* The session's nonces (tpm2-session.c): 16 bytes. */
#define KUSER_NONCE	16

static DEFINE_MUTEX(kuser_lock);
static char kuser_result[384];
static struct dentry *kuser_dir;

/*
 * The steps of a protected extend, as tpm_pcr_extend() takes them: the
 * session ready and the command begun; its handle, session and digests;
 * the HMAC; the round trip; the response's HMAC checked.
 */
enum {
	KUSER_BEGIN, KUSER_BUILD, KUSER_FILL, KUSER_SEND, KUSER_CHECK,
	KUSER_STEPS
};

static const char * const kuser_step_names[KUSER_STEPS] = {
	"begin", "build", "fill", "send", "check"
};

static s64 kuser_step_ns[KUSER_STEPS];

/* " begin=<ns> build=<ns> ..." after the result's line, for phases. */
static void kuser_steps_result(void)
{
	size_t len = strlen(kuser_result);
	int s;

	if (len && kuser_result[len - 1] == '\n')
		len--;
	for (s = 0; s < KUSER_STEPS; s++)
		len += scnprintf(kuser_result + len, sizeof(kuser_result) - len,
				 " %s=%lld", kuser_step_names[s], kuser_step_ns[s]);
	scnprintf(kuser_result + len, sizeof(kuser_result) - len, "\n");
}

#ifdef CONFIG_TCG_TPM2_HMAC
static struct crypto_shash *kuser_hmac;

/* HMAC(kept key, @p_hash || @newer || @older || attrs), as the session. */
static noinline_for_stack int kuser_mac(const u8 *p_hash,
					const u8 *newer, const u8 *older,
					u8 *out)
{
	u8 msg[SHA256_DIGEST_SIZE + 2 * KUSER_NONCE + 1];

	memcpy(msg, p_hash, SHA256_DIGEST_SIZE);
	memcpy(msg + SHA256_DIGEST_SIZE, newer, KUSER_NONCE);
	memcpy(msg + SHA256_DIGEST_SIZE + KUSER_NONCE, older, KUSER_NONCE);
	msg[sizeof(msg) - 1] = 1;
	return crypto_shash_tfm_digest(kuser_hmac, msg, sizeof(msg), out);
}

static noinline_for_stack int kuser_sessmath(u32 i, u8 *out)
{
	u8 ours[KUSER_NONCE], theirs[KUSER_NONCE] = { 2 };
	u8 params[184] = { i }, hash[SHA256_DIGEST_SIZE];
	static const u8 rp_hash[SHA256_DIGEST_SIZE] = { 4 };
	u8 key[SHA256_DIGEST_SIZE] = { 3 };
	int rc;

	if (!kuser_hmac) {
		kuser_hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
		if (IS_ERR(kuser_hmac)) {
			rc = PTR_ERR(kuser_hmac);
			kuser_hmac = NULL;
			return rc;
		}
		rc = crypto_shash_setkey(kuser_hmac, key, sizeof(key));
		if (rc) {
			crypto_free_shash(kuser_hmac);
			kuser_hmac = NULL;
			return rc;
		}
	}
	get_random_bytes(ours, sizeof(ours));
	sha256(params, sizeof(params), hash);
	rc = kuser_mac(hash, ours, theirs, out);
	if (rc)
		return rc;
	/* rpHash of an answer with no parameters: kept per command code. */
	return kuser_mac(rp_hash, theirs, ours, out);
}

static void kuser_build_extend(struct tpm_chip *chip, struct tpm_buf *buf,
			       u32 i)
{
	u8 digest[TPM2_MAX_DIGEST_SIZE];
	int b;

	tpm_buf_append_hmac_session(chip, buf, 0, NULL, 0);
	memset(digest, i + 1, sizeof(digest));
	tpm_buf_append_u32(buf, chip->nr_allocated_banks);
	for (b = 0; b < chip->nr_allocated_banks; b++) {
		tpm_buf_append_u16(buf, chip->allocated_banks[b].alg_id);
		tpm_buf_append(buf, digest,
			       chip->allocated_banks[b].digest_size);
	}
}

static int kuser_extend_steps(struct tpm_chip *chip, u32 i, ktime_t *t)
{
	struct tpm_buf buf;
	int rc;

	rc = tpm2_start_auth_session(chip);
	if (rc)
		return rc;
	rc = tpm_buf_init(&buf, TPM2_ST_SESSIONS, TPM2_CC_PCR_EXTEND);
	if (rc) {
		tpm2_end_auth_session(chip);
		return rc;
	}
	t[KUSER_BEGIN] = ktime_get();
#if TPM_COMPAT_APPEND_NAME_INT
	rc = tpm_buf_append_name(chip, &buf, KUSER_PCR, NULL);
	if (rc) {
		tpm_buf_destroy(&buf);
		return rc;
	}
#else
	tpm_buf_append_name(chip, &buf, KUSER_PCR, NULL);
#endif
	kuser_build_extend(chip, &buf, i);
	t[KUSER_BUILD] = ktime_get();
	rc = tpm_buf_fill_hmac_session(chip, &buf);
	t[KUSER_FILL] = ktime_get();
	/* Not sealed: the session was let go, nothing is sent (tpm-api.c). */
	if (rc) {
		tpm_buf_destroy(&buf);
		return rc;
	}
	rc = tpm_transmit_cmd(chip, &buf, 0, "TPM2_PCR_Extend");
	t[KUSER_SEND] = ktime_get();
	rc = tpm_buf_check_hmac_response(chip, &buf, rc);
	t[KUSER_CHECK] = ktime_get();
	tpm_buf_destroy(&buf);
	return rc;
}

static noinline_for_stack int kuser_phases(struct tpm_chip *chip, u32 i)
{
	ktime_t t0, t[KUSER_STEPS];
	int rc, s;

	if (!(chip->flags & TPM_CHIP_FLAG_TPM2))
		return -EOPNOTSUPP;
	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	t0 = ktime_get();
	rc = kuser_extend_steps(chip, i, t);
	tpm_put_ops(chip);
	if (rc)
		return rc;
	for (s = 0; s < KUSER_STEPS; s++)
		kuser_step_ns[s] += ktime_to_ns(ktime_sub(t[s], s ? t[s - 1] : t0));
	return 0;
}

#else
static noinline_for_stack int kuser_sessmath(u32 i, u8 *out)
{
	return -EOPNOTSUPP;
}

static int kuser_phases(struct tpm_chip *chip, u32 i)
{
	return -EOPNOTSUPP;
}
#endif

/* One call of @op; the bytes it returns, if any, in @out (32 bytes). */
static int kuser_call(struct tpm_chip *chip, const char *op, u32 i, u8 *out)
{
	struct tpm_digest d[TPM2_MAX_PCR_BANKS] = {};
	int b, rc;

	if (!strcmp(op, "sessmath"))
		return kuser_sessmath(i, out);
	if (!strcmp(op, "phases"))
		return kuser_phases(chip, i);
	if (!strcmp(op, "random")) {
		rc = tpm_get_random(chip, out, 32);
		return rc == 32 ? 0 : (rc < 0 ? rc : -EIO);
	}
	if (!strcmp(op, "pcrread")) {
		d[0].alg_id = TPM_ALG_SHA256;
		rc = tpm_pcr_read(chip, KUSER_PCR, &d[0]);
		memcpy(out, d[0].digest, 32);
		return rc;
	}
	for (b = 0; b < chip->nr_allocated_banks && b < TPM2_MAX_PCR_BANKS; b++) {
		d[b].alg_id = chip->allocated_banks[b].alg_id;
		memset(d[b].digest, i + 1, sizeof(d[b].digest));
	}
	return tpm_pcr_extend(chip, KUSER_PCR, d);
}

static int kuser_run(const char *op, u32 n)
{
	struct tpm_chip *chip = tpm_default_chip();
	u8 out[32] = {};
	ktime_t t0;
	s64 ns;
	int rc = 0;
	u32 i;

	if (!chip)
		return -ENODEV;
	memset(kuser_step_ns, 0, sizeof(kuser_step_ns));
	t0 = ktime_get();
	for (i = 0; i < n && !rc; i++)
		rc = kuser_call(chip, op, i, out);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	put_device(&chip->dev);
	snprintf(kuser_result, sizeof(kuser_result), "%s %u %lld %lld %d %*phN\n",
		 op, i, ns, i ? ns / i : 0, rc, 32, out);
	if (!strcmp(op, "phases"))
		kuser_steps_result();
	if (rc > 0)
		return -EIO;
	return rc;
}

static ssize_t kuser_run_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[32], op[16];
	u32 n;
	int rc;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%15s %u", op, &n) != 2 || !n ||
	    (strcmp(op, "extend") && strcmp(op, "random") &&
	     strcmp(op, "pcrread") && strcmp(op, "sessmath") &&
	     strcmp(op, "phases")))
		return -EINVAL;
	mutex_lock(&kuser_lock);
	rc = kuser_run(op, n);
	mutex_unlock(&kuser_lock);
	return rc ? rc : len;
}

static ssize_t kuser_result_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	ssize_t rc;

	mutex_lock(&kuser_lock);
	rc = simple_read_from_buffer(ubuf, len, ppos, kuser_result,
				     strlen(kuser_result));
	mutex_unlock(&kuser_lock);
	return rc;
}

static const struct file_operations kuser_run_fops = {
	.owner = THIS_MODULE,
	.write = kuser_run_write,
};

static const struct file_operations kuser_result_fops = {
	.owner = THIS_MODULE,
	.read = kuser_result_read,
};

static int __init kuser_init(void)
{
	kuser_dir = debugfs_create_dir("tpm_kuser", NULL);
	debugfs_create_file("run", 0200, kuser_dir, NULL, &kuser_run_fops);
	debugfs_create_file("result", 0400, kuser_dir, NULL,
			    &kuser_result_fops);
	return 0;
}

static void __exit kuser_exit(void)
{
	debugfs_remove_recursive(kuser_dir);
#ifdef CONFIG_TCG_TPM2_HMAC
	crypto_free_shash(kuser_hmac);
#endif
}

module_init(kuser_init);
module_exit(kuser_exit);
MODULE_DESCRIPTION("A TPM kernel user for the tests and benchmarks");
MODULE_LICENSE("GPL");
