// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what the kernel's TPM users get (<linux/tpm.h>) on a fake TPM --
 * the default chip, PCR banks, PCR reads and extends, raw commands -- and
 * the firmware event log parser fed with logs that lie.
 */
#include <kunit/test.h>
#include <linux/hash_info.h>
#include <linux/slab.h>
#include "tpm.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define FAKE_PCRS		24
#define FAKE_BANKS		3
#define TPM1_ORD_EXTEND		0x0014
#define TPM1_ORD_PCR_READ	0x0015

/**
 * struct fake_tpm - a TPM 2.0 (or 1.2) that keeps PCR banks
 * @banks:	the banks GetCapability(PCRS) lists, allocated or not
 * @size:	each bank's digest size
 * @used:	whether each bank has PCRs allocated
 * @nbanks:	how many it lists
 * @pcr:	each bank's PCR values (a PCR's bytes are its number, until
 *		extended)
 * @caps:	if set, the raw answer to GetCapability(PCRS), @caps_len bytes
 *		past the header
 * @caps_len:	see @caps
 * @read_size:	if set, the digest size PCR_Read claims (and sends)
 * @rc:		if set, every command is answered with this code
 * @cmd:	the last command
 * @rsp:	its response
 * @rsp_len:	the response's length
 */
struct fake_tpm {
	u16 banks[FAKE_BANKS];
	u16 size[FAKE_BANKS];
	bool used[FAKE_BANKS];
	int nbanks;
	u8 pcr[FAKE_BANKS][FAKE_PCRS][TPM2_MAX_DIGEST_SIZE];
	const u8 *caps;
	u32 caps_len;
	u16 read_size;
	u32 rc;
	u8 cmd[TPM_BUFSIZE];
	u8 rsp[TPM_BUFSIZE];
	u32 rsp_len;
};

static struct fake_tpm *to_fake(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static void put_u8(struct fake_tpm *f, u8 v)
{
	f->rsp[f->rsp_len++] = v;
}

static void put_u16(struct fake_tpm *f, u16 v)
{
	put_unaligned_be16(v, f->rsp + f->rsp_len);
	f->rsp_len += 2;
}

static void put_u32(struct fake_tpm *f, u32 v)
{
	put_unaligned_be32(v, f->rsp + f->rsp_len);
	f->rsp_len += 4;
}

static int fake_bank(struct fake_tpm *f, u16 alg)
{
	int i;

	for (i = 0; i < f->nbanks; i++)
		if (f->banks[i] == alg)
			return i;
	return -1;
}

static void fake_get_cap_pcrs(struct fake_tpm *f)
{
	int i;

	put_u8(f, 0);
	put_u32(f, TPM2_CAP_PCRS);
	if (f->caps) {
		memcpy(f->rsp + f->rsp_len, f->caps, f->caps_len);
		f->rsp_len += f->caps_len;
		return;
	}
	put_u32(f, f->nbanks);
	for (i = 0; i < f->nbanks; i++) {
		put_u16(f, f->banks[i]);
		put_u8(f, 3);
		put_u8(f, f->used[i] ? 0xff : 0);
		put_u8(f, f->used[i] ? 0xff : 0);
		put_u8(f, f->used[i] ? 0xff : 0);
	}
}

/* PCR_Read of one PCR of one bank, as the core asks it. */
static void fake_pcr_read(struct fake_tpm *f, const u8 *p)
{
	u16 alg = get_unaligned_be16(p + 4);
	int b = fake_bank(f, alg), pcr = ffs(p[7]) - 1;
	u16 size;

	put_u32(f, 7);
	put_u32(f, 1);
	memcpy(f->rsp + f->rsp_len, p + 4, 6);
	f->rsp_len += 6;
	if (b < 0 || !f->used[b] || pcr < 0) {
		put_u32(f, 0);
		return;
	}
	size = f->read_size ?: f->size[b];
	put_u32(f, 1);
	put_u16(f, size);
	memcpy(f->rsp + f->rsp_len, f->pcr[b][pcr],
	       min_t(u16, size, sizeof(f->pcr[b][pcr])));
	f->rsp_len += min_t(u16, size, sizeof(f->pcr[b][pcr]));
}

/* PCR_Extend: the digests are copied into the PCRs, to be checked. */
static void fake_pcr_extend(struct fake_tpm *f, const u8 *p, u32 len)
{
	u32 pcr = get_unaligned_be32(p), n, i, off = 4 + 4 + 9 + 4;
	int b;

	n = get_unaligned_be32(p + off - 4);
	for (i = 0; i < n && off + 2 <= len; i++) {
		b = fake_bank(f, get_unaligned_be16(p + off));
		off += 2;
		if (b < 0)
			return;
		memcpy(f->pcr[b][pcr], p + off, f->size[b]);
		off += f->size[b];
	}
}

static int fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm *f = to_fake(chip);
	u32 cc = tpm_hdr_code(buf);
	const u8 *p = buf + TPM_HEADER_SIZE;

	memcpy(f->cmd, buf, len);
	put_unaligned_be16(chip->flags & TPM_CHIP_FLAG_TPM2 ?
			   TPM2_ST_NO_SESSIONS : 0x00C4, f->rsp);
	put_unaligned_be32(0, f->rsp + 6);
	f->rsp_len = TPM_HEADER_SIZE;
	if (f->rc) {
		put_unaligned_be32(f->rc, f->rsp + 6);
	} else if (!(chip->flags & TPM_CHIP_FLAG_TPM2)) {
		if (cc == TPM1_ORD_PCR_READ || cc == TPM1_ORD_EXTEND) {
			if (cc == TPM1_ORD_EXTEND)
				memcpy(f->pcr[0][get_unaligned_be32(p)], p + 4,
				       TPM_DIGEST_SIZE);
			memcpy(f->rsp + f->rsp_len,
			       f->pcr[0][get_unaligned_be32(p)],
			       TPM_DIGEST_SIZE);
			f->rsp_len += TPM_DIGEST_SIZE;
		}
	} else if (cc == TPM2_CC_GET_CAPABILITY &&
		   get_unaligned_be32(p) == TPM2_CAP_PCRS) {
		fake_get_cap_pcrs(f);
	} else if (cc == TPM2_CC_PCR_READ) {
		fake_pcr_read(f, p);
	} else if (cc == TPM2_CC_PCR_EXTEND) {
		fake_pcr_extend(f, p, len - TPM_HEADER_SIZE);
	}
	put_unaligned_be32(f->rsp_len, f->rsp + 2);
	return 0;
}

static int fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm *f = to_fake(chip);

	memcpy(buf, f->rsp, f->rsp_len);
	return f->rsp_len;
}

static const struct tpm_class_ops fake_ops = {
	.req_complete_mask = FAKE_COMPLETE,
	.req_complete_val = FAKE_COMPLETE,
	.req_canceled = fake_never_canceled,
	.status = fake_status_complete,
	.send = fake_send,
	.recv = fake_recv,
	.cancel = fake_no_cancel,
};

/* A TPM 2.0 with SHA-1 and SHA-256 allocated and SHA-384 not. */
static struct tpm_chip *fake_chip(struct kunit *test, struct fake_tpm **fp)
{
	struct fake_tpm *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tpm_chip *chip;
	int b, i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->nbanks = 3;
	f->banks[0] = TPM_ALG_SHA1;
	f->size[0] = 20;
	f->banks[1] = TPM_ALG_SHA384;
	f->size[1] = 48;
	f->banks[2] = TPM_ALG_SHA256;
	f->size[2] = 32;
	f->used[0] = true;
	f->used[2] = true;
	for (b = 0; b < FAKE_BANKS; b++)
		for (i = 0; i < FAKE_PCRS; i++)
			memset(f->pcr[b][i], i, sizeof(f->pcr[b][i]));
	chip = fake_chip_new(test, &fake_ops, f);
	chip->flags |= TPM_CHIP_FLAG_HWRNG_DISABLED;
	*fp = f;
	return chip;
}

static int get_banks(struct tpm_chip *chip)
{
	int rc = tpm_try_get_ops(chip);

	if (rc)
		return rc;
	rc = tpm2_get_pcr_banks(chip);
	tpm_put_ops(chip);
	return rc;
}

/* The allocated banks, in the TPM's order, with their sizes. */
static void api_pcr_banks(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	KUNIT_ASSERT_EQ(test, get_banks(chip), 0);
	KUNIT_ASSERT_EQ(test, chip->nr_allocated_banks, 2);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].alg_id, TPM_ALG_SHA1);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].digest_size, 20);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].crypto_id,
			HASH_ALGO_SHA1);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[1].alg_id, TPM_ALG_SHA256);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[1].digest_size, 32);
}

/* A bank the kernel has no name for: its size is asked of the TPM. */
static void api_pcr_bank_unknown(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->banks[0] = 0x0027;	/* TPM_ALG_SHA3_256 */
	f->size[0] = 32;
	KUNIT_ASSERT_EQ(test, get_banks(chip), 0);
	KUNIT_ASSERT_EQ(test, chip->nr_allocated_banks, 2);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].alg_id, 0x0027);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].digest_size, 32);
	KUNIT_EXPECT_EQ(test, chip->allocated_banks[0].crypto_id,
			HASH_ALGO__LAST);
}

/* A bank list that runs past the response is refused, nothing kept. */
static void api_pcr_banks_lie(struct kunit *test)
{
	static const u8 count_lies[] = { 0, 0, 0, 9, 0x00, 0x04, 3, 1, 0, 0 };
	static const u8 select_lies[] = { 0, 0, 0, 1, 0x00, 0x04, 200, 1, 0 };
	static const u8 cut[] = { 0, 0, 0, 1, 0x00 };
	const u8 *lies[] = { count_lies, select_lies, cut };
	const u32 lens[] = { sizeof(count_lies), sizeof(select_lies), sizeof(cut) };
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	int i;

	for (i = 0; i < ARRAY_SIZE(lies); i++) {
		f->caps = lies[i];
		f->caps_len = lens[i];
		KUNIT_EXPECT_EQ(test, get_banks(chip), -EFAULT);
		KUNIT_EXPECT_EQ(test, chip->nr_allocated_banks, 0);
	}
}

/* tpm_pcr_read() per bank; a bank the chip lacks, or a lying size. */
static void api_pcr_read(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct tpm_digest d = { .alg_id = TPM_ALG_SHA256 };

	KUNIT_ASSERT_EQ(test, get_banks(chip), 0);
	f->pcr[2][7][31] = 0xaa;
	KUNIT_ASSERT_EQ(test, tpm_pcr_read(chip, 7, &d), 0);
	KUNIT_EXPECT_EQ(test, d.digest[0], 7);
	KUNIT_EXPECT_EQ(test, d.digest[31], 0xaa);
	d.alg_id = TPM_ALG_SHA384;
	KUNIT_EXPECT_EQ(test, tpm_pcr_read(chip, 7, &d), -EINVAL);
	d.alg_id = TPM_ALG_SHA1;
	KUNIT_EXPECT_EQ(test, tpm_pcr_read(chip, 24, &d), -EINVAL);
	/* SHA-1: 32 bytes, all there, where the bank has 20. */
	f->read_size = 32;
	KUNIT_EXPECT_EQ(test, tpm_pcr_read(chip, 7, &d), -EFAULT);
	/* More than the response holds. */
	f->read_size = 0xffff;
	KUNIT_EXPECT_EQ(test, tpm_pcr_read(chip, 7, &d), -EFAULT);
}

/* tpm_pcr_extend(): the chip's banks in order, each digest its size. */
static void api_pcr_extend(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct tpm_digest d[2] = {
		{ .alg_id = TPM_ALG_SHA1 }, { .alg_id = TPM_ALG_SHA256 },
	};

	KUNIT_ASSERT_EQ(test, get_banks(chip), 0);
	memset(d[0].digest, 0x11, sizeof(d[0].digest));
	memset(d[1].digest, 0x22, sizeof(d[1].digest));
	KUNIT_ASSERT_EQ(test, tpm_pcr_extend(chip, 16, d), 0);
	KUNIT_EXPECT_EQ(test, f->pcr[0][16][19], 0x11);
	KUNIT_EXPECT_EQ(test, f->pcr[0][16][20], 16);
	KUNIT_EXPECT_EQ(test, f->pcr[2][16][31], 0x22);
	KUNIT_EXPECT_EQ(test, f->pcr[2][16][32], 16);
	/* The banks out of order: refused before anything is sent. */
	d[0].alg_id = TPM_ALG_SHA256;
	d[1].alg_id = TPM_ALG_SHA1;
	memset(f->cmd, 0, TPM_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, tpm_pcr_extend(chip, 16, d), -EINVAL);
	KUNIT_EXPECT_EQ(test, tpm_hdr_code(f->cmd), 0);
}

/*
 * Banks not known (a list that lies, or more banks than a chip holds): an
 * extend is refused, never sent as an extend of no bank.
 */
static void api_pcr_extend_banks_unknown(struct kunit *test)
{
	static const u8 lie[] = { 0, 0, 0, 9, 0x00, 0x04, 3, 1, 0, 0 };
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct tpm_digest d[TPM2_MAX_PCR_BANKS + 1] = {};
	u8 *many;
	int i;

	f->caps = lie;
	f->caps_len = sizeof(lie);
	KUNIT_EXPECT_EQ(test, get_banks(chip), -EFAULT);
	memset(f->cmd, 0, TPM_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, tpm_pcr_extend(chip, 16, d), -ENODEV);
	KUNIT_EXPECT_EQ(test, tpm_hdr_code(f->cmd), 0);

	many = kunit_kzalloc(test, 4 + 6 * (TPM2_MAX_PCR_BANKS + 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	many[3] = TPM2_MAX_PCR_BANKS + 1;
	for (i = 0; i <= TPM2_MAX_PCR_BANKS; i++) {
		put_unaligned_be16(TPM_ALG_SHA256, many + 4 + 6 * i);
		many[4 + 6 * i + 2] = 3;
		many[4 + 6 * i + 3] = 1;
	}
	f->caps = many;
	f->caps_len = 4 + 6 * (TPM2_MAX_PCR_BANKS + 1);
	KUNIT_EXPECT_EQ(test, get_banks(chip), -E2BIG);
	KUNIT_EXPECT_EQ(test, chip->nr_allocated_banks, 0);
	KUNIT_EXPECT_EQ(test, tpm_pcr_extend(chip, 16, d), -ENODEV);
}

/* A TPM 1.2: one SHA-1 bank, TPM_Extend and TPM_PCRRead. */
static void api_tpm1_pcrs(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct tpm_digest d = { .alg_id = TPM_ALG_SHA1 };

	chip->flags &= ~TPM_CHIP_FLAG_TPM2;
	tpm1_get_pcr_banks(chip);
	KUNIT_ASSERT_EQ(test, chip->nr_allocated_banks, 1);
	memset(d.digest, 0x33, TPM_DIGEST_SIZE);
	KUNIT_ASSERT_EQ(test, tpm_pcr_extend(chip, 10, &d), 0);
	memset(d.digest, 0, TPM_DIGEST_SIZE);
	KUNIT_ASSERT_EQ(test, tpm_pcr_read(chip, 10, &d), 0);
	KUNIT_EXPECT_EQ(test, d.digest[0], 0x33);
	KUNIT_EXPECT_EQ(test, d.digest[19], 0x33);
	KUNIT_EXPECT_EQ(test, tpm_is_tpm2(chip), 0);
}

/*
 * The default chip: the registered one numbered lowest; none once it is
 * unregistered, and a kernel user holding it gets -ENODEV.
 */
static void api_default_chip(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f), *found;
	u8 byte;

	found = tpm_default_chip();
	if (found)
		put_device(&found->dev);
	KUNIT_ASSERT_NULL_MSG(test, found, "another TPM is registered");
	KUNIT_ASSERT_EQ(test, tpm_is_tpm2(NULL), -ENODEV);
	KUNIT_ASSERT_EQ(test, tpm_chip_register(chip), 0);
	found = tpm_default_chip();
	KUNIT_EXPECT_PTR_EQ(test, found, chip);
	KUNIT_EXPECT_EQ(test, tpm_is_tpm2(NULL), 1);
	KUNIT_EXPECT_EQ(test, chip->nr_allocated_banks, 2);
	tpm_chip_unregister(chip);
	KUNIT_EXPECT_NULL(test, tpm_default_chip());
	KUNIT_EXPECT_EQ(test, tpm_is_tpm2(found), -ENODEV);
	KUNIT_EXPECT_EQ(test, tpm_get_random(found, &byte, 1), -ENODEV);
	if (found)
		put_device(&found->dev);
}

/* tpm_transmit_cmd(): the response code, and a response too short. */
static void api_transmit_cmd(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct tpm_buf buf;

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
					   TPM2_CC_GET_CAPABILITY), 0);
	tpm_buf_append_u32(&buf, TPM2_CAP_PCRS);
	tpm_buf_append_u32(&buf, 0);
	tpm_buf_append_u32(&buf, 1);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(chip), 0);
	KUNIT_EXPECT_EQ(test, tpm_transmit_cmd(chip, &buf, 5, NULL), 0);
#if TPM_COMPAT_BUF_IN_CORE
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), tpm_hdr_len(buf.data));
#endif
	tpm_buf_reset(&buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	tpm_buf_append_u32(&buf, TPM2_CAP_PCRS);
	tpm_buf_append_u32(&buf, 0);
	tpm_buf_append_u32(&buf, 1);
	KUNIT_EXPECT_EQ(test, tpm_transmit_cmd(chip, &buf, 1000, NULL),
			-EFAULT);
	/* The TPM's refusal is the return value, as upstream. */
	f->rc = TPM2_RC_INITIALIZE;
	tpm_buf_reset(&buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	KUNIT_EXPECT_EQ(test, tpm_transmit_cmd(chip, &buf, 0, "kunit"),
			TPM2_RC_INITIALIZE);
	f->rc = 0;
	tpm_put_ops(chip);
	tpm_buf_destroy(&buf);
}

#if TPM_COMPAT_HAVE_TPM_SEND
/*
 * tpm_send() (Linux before 6.10; trusted keys' TPM 1.2 path, which passes
 * its whole buffer's size): the response in the caller's page, the TPM's
 * refusal as the return value, a header that claims more than the caller
 * gave or less than a header refused unsent, -ENODEV once unplugged.
 */
static void api_tpm_send(struct kunit *test)
{
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	static const u8 getcap[] = {
		0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7a,
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	/* TPM_PCRRead of PCR 10 */
	static const u8 pcrread[] = {
		0x00, 0xc1, 0, 0, 0, 14, 0, 0, 0, 0x15, 0, 0, 0, 10,
	};
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page, getcap, sizeof(getcap));
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, 1024), 0);
	KUNIT_EXPECT_EQ(test, tpm_hdr_code(f->cmd), (u32)TPM2_CC_GET_CAPABILITY);
	KUNIT_EXPECT_EQ(test, tpm_hdr_code(page), 0);
	KUNIT_EXPECT_EQ(test, tpm_hdr_len(page), f->rsp_len);
	KUNIT_EXPECT_EQ(test, memcmp(page, f->rsp, f->rsp_len), 0);

	/* Refused before anything is sent. */
	memset(f->cmd, 0, TPM_HEADER_SIZE);
	memcpy(page, getcap, sizeof(getcap));
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, sizeof(getcap) - 1), -EINVAL);
	put_unaligned_be32(TPM_HEADER_SIZE - 1, page + 2);
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, TPM_HEADER_SIZE - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, tpm_hdr_code(f->cmd), 0);

	f->rc = TPM2_RC_INITIALIZE;
	memcpy(page, getcap, sizeof(getcap));
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, sizeof(getcap)),
			TPM2_RC_INITIALIZE);
	f->rc = 0;

	/* A TPM 1.2, as trusted keys send to it. */
	chip->flags &= ~TPM_CHIP_FLAG_TPM2;
	memset(f->pcr[0][10], 0x5a, TPM_DIGEST_SIZE);
	memcpy(page, pcrread, sizeof(pcrread));
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, 1024), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page), 0x00c4);
	KUNIT_EXPECT_EQ(test, tpm_hdr_len(page), (u32)TPM_HEADER_SIZE + TPM_DIGEST_SIZE);
	KUNIT_EXPECT_EQ(test, page[TPM_HEADER_SIZE + TPM_DIGEST_SIZE - 1], 0x5a);
	chip->flags |= TPM_CHIP_FLAG_TPM2;

	tpm_chip_fence(chip);
	memcpy(page, getcap, sizeof(getcap));
	KUNIT_EXPECT_EQ(test, tpm_send(chip, page, sizeof(getcap)), -ENODEV);
}
#endif

#if TPM_COMPAT_SESSION_HELPERS
/* The session helpers without HMAC sessions: handles and a password. */
static void api_session_helpers(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	static const u8 want[] = {
		0x80, 0x02, 0, 0, 0, 0x28, 0, 0, 0x01, 0x5e,
		0x81, 0, 0, 1,				/* the handle */
		0, 0, 0, 0x15,				/* two sessions */
		0x40, 0, 0, 9, 0, 0, 0, 0, 3, 'a', 'b', 'c',
		0x40, 0, 0, 9, 0, 0, 0, 0, 0,
		0xbe,
	};
	struct tpm_buf buf;

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, TPM2_ST_SESSIONS, 0x15e), 0);
#if TPM_COMPAT_APPEND_NAME_INT
	KUNIT_EXPECT_EQ(test, tpm_buf_append_name(chip, &buf, 0x81000001,
						  NULL), 0);
#else
	tpm_buf_append_name(chip, &buf, 0x81000001, NULL);
#endif
	tpm_buf_append_hmac_session(chip, &buf, TPM2_SA_CONTINUE_SESSION,
				    (u8 *)"abc", 3);
	tpm_buf_append_auth(chip, &buf, 0, NULL, 0);
	tpm_buf_append_u8(&buf, 0xbe);
	KUNIT_EXPECT_EQ(test, buf.handles, 1);
	KUNIT_ASSERT_EQ(test, tpm_buf_length(&buf), sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, buf.data, want, sizeof(want));
	tpm_buf_destroy(&buf);
}
#endif

/* ---- the event log parser ---- */

#define EV1_HDR		32
#define EV_NO_ACTION	3
#define EV_SEPARATOR	4

/* A log being built: @len bytes of @b, with room for more. */
struct log {
	u8 b[1024];
	size_t len;
};

static void log_u8(struct log *l, u8 v)
{
	l->b[l->len++] = v;
}

static void log_u16(struct log *l, u16 v)
{
	put_unaligned_le16(v, l->b + l->len);
	l->len += 2;
}

static void log_u32(struct log *l, u32 v)
{
	put_unaligned_le32(v, l->b + l->len);
	l->len += 4;
}

static void log_bytes(struct log *l, u8 v, size_t n)
{
	memset(l->b + l->len, v, n);
	l->len += n;
}

/* A TPM 1.2 event with @size bytes of data. */
static void log_ev1(struct log *l, u32 pcr, u32 type, u32 size)
{
	log_u32(l, pcr);
	log_u32(l, type);
	log_bytes(l, 0xd1, TPM_DIGEST_SIZE);
	log_u32(l, size);
	log_bytes(l, 'x', size);
}

/* The Spec ID event: SHA-1 and SHA-256, @nalgs as it claims. */
static void log_spec_id(struct log *l, u32 nalgs)
{
	log_u32(l, 0);
	log_u32(l, EV_NO_ACTION);
	log_bytes(l, 0, TPM_DIGEST_SIZE);
	log_u32(l, 16 + 4 + 4 + 4 + 8 + 1);
	memcpy(l->b + l->len, "Spec ID Event03", 16);
	l->len += 16;
	log_u32(l, 0);			/* platform class */
	log_u32(l, 0x02000200);		/* 2.0, errata 0, uintn 2 */
	log_u32(l, nalgs);
	log_u16(l, TPM_ALG_SHA1);
	log_u16(l, 20);
	log_u16(l, TPM_ALG_SHA256);
	log_u16(l, 32);
	log_u8(l, 0);			/* no vendor info */
}

/* A TPM 2.0 event with both digests and @size bytes of data. */
static void log_ev2(struct log *l, u32 pcr, u32 type, u32 size)
{
	log_u32(l, pcr);
	log_u32(l, type);
	log_u32(l, 2);
	log_u16(l, TPM_ALG_SHA1);
	log_bytes(l, 0xd1, 20);
	log_u16(l, TPM_ALG_SHA256);
	log_bytes(l, 0xd2, 32);
	log_u32(l, size);
	log_bytes(l, 'y', size);
}

/*
 * Parse @l's first @len bytes from a buffer of exactly that size (so a
 * read past it is caught by KASAN): the outcome, and *@used.
 */
static int parse(struct kunit *test, const struct log *l, size_t len,
		 bool tpm2, size_t *used)
{
	u8 *copy = kunit_kmalloc(test, len ?: 1, GFP_KERNEL);
	const char *why = NULL;
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, l->b, len);
	*used = SIZE_MAX;
	rc = tpm_eventlog_parse(copy, len, tpm2, used, &why);
	if (rc)
		KUNIT_EXPECT_NOT_NULL(test, why);
	else
		KUNIT_EXPECT_LE(test, *used, len);
	return rc;
}

static void log_tpm1_good(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used, end;

	KUNIT_ASSERT_NOT_NULL(test, l);
	log_ev1(l, 0, 8, 5);
	log_ev1(l, 4, EV_SEPARATOR, 4);
	end = l->len;
	/* The rest of the area is zero: the log ends there. */
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 100, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	/* Fewer zero bytes than a header: the end too. */
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 7, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	/* Exactly full. */
	KUNIT_EXPECT_EQ(test, parse(test, l, end, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	/* The rest 0xFF, as edk2 leaves it: the end too, however long. */
	memset(l->b + end, 0xff, sizeof(l->b) - end);
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 100, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 7, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	/* Anything else after the events is a lie. */
	l->b[end + 50] = 0;
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 100, false, &used), -EBADMSG);
}

/* An area of nothing but padding holds no log, either family. */
static void log_only_padding(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_EXPECT_EQ(test, parse(test, l, 500, true, &used), 0);
	KUNIT_EXPECT_EQ(test, used, 0);
	memset(l->b, 0xff, 500);
	KUNIT_EXPECT_EQ(test, parse(test, l, 500, true, &used), 0);
	KUNIT_EXPECT_EQ(test, used, 0);
	KUNIT_EXPECT_EQ(test, parse(test, l, 500, false, &used), 0);
	KUNIT_EXPECT_EQ(test, used, 0);
}

static void log_tpm1_lies(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used, len;

	KUNIT_ASSERT_NOT_NULL(test, l);
	/* Cut in the middle of an event's data, or of its header. */
	log_ev1(l, 1, 8, 40);
	for (len = 1; len < l->len; len++)
		KUNIT_EXPECT_EQ_MSG(test, parse(test, l, len, false, &used),
				    -EBADMSG, "cut at %zu", len);
	/* A size past the area, and one that wraps. */
	l->len = 0;
	log_ev1(l, 0, 8, 4);
	put_unaligned_le32(5, l->b + 28);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, false, &used), -EBADMSG);
	put_unaligned_le32(U32_MAX - 10, l->b + 28);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, false, &used), -EBADMSG);
}

static void log_tpm2_good(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used, end;

	KUNIT_ASSERT_NOT_NULL(test, l);
	log_spec_id(l, 2);
	log_ev2(l, 0, 8, 6);
	log_ev2(l, 7, EV_SEPARATOR, 4);
	end = l->len;
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 200, true, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 3, true, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	memset(l->b + end, 0xff, sizeof(l->b) - end);
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 200, true, &used), 0);
	KUNIT_EXPECT_EQ(test, used, end);
	l->b[end + 20] = 1;
	KUNIT_EXPECT_EQ(test, parse(test, l, end + 200, true, &used), -EBADMSG);
}

/*
 * Cut anywhere but between events: refused; between: that much.  Cut in
 * the Spec ID event's PCR index (zeros), the area so far is all padding:
 * no log.
 */
static void log_tpm2_cut_anywhere(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used, len, ev[3];
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, l);
	log_spec_id(l, 2);
	ev[0] = l->len;
	log_ev2(l, 1, 8, 6);
	ev[1] = l->len;
	log_ev2(l, 7, EV_SEPARATOR, 4);
	ev[2] = l->len;
	for (len = 0; len < l->len; len++) {
		rc = parse(test, l, len, true, &used);
		if (len <= 4) {
			KUNIT_EXPECT_EQ(test, rc, 0);
			KUNIT_EXPECT_EQ(test, used, 0);
		} else if (len == ev[0] || len == ev[1]) {
			KUNIT_EXPECT_EQ(test, rc, 0);
			KUNIT_EXPECT_EQ(test, used, len);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, rc, -EBADMSG, "cut at %zu", len);
		}
	}
	KUNIT_EXPECT_EQ(test, parse(test, l, ev[2], true, &used), 0);
}

static void log_tpm2_lies(struct kunit *test)
{
	struct log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	size_t used, ev;

	KUNIT_ASSERT_NOT_NULL(test, l);
	/* No Spec ID event: a TPM 1.2 format event first. */
	log_ev1(l, 0, 8, 4);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
	/* A Spec ID event that claims more algorithms than it holds. */
	l->len = 0;
	log_spec_id(l, 3);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
	l->len = 0;
	log_spec_id(l, 0x40000001);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
	/* A wrong signature. */
	l->len = 0;
	log_spec_id(l, 2);
	l->b[EV1_HDR + 8] = 'X';
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
	/* An event with more digests than the log has algorithms. */
	l->b[EV1_HDR + 8] = 'E';
	ev = l->len;
	log_ev2(l, 0, 8, 4);
	put_unaligned_le32(3, l->b + ev + 8);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len + 64, true, &used), -EBADMSG);
	/* A digest of an algorithm the log does not list. */
	put_unaligned_le32(2, l->b + ev + 8);
	put_unaligned_le16(TPM_ALG_SHA384, l->b + ev + 12);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len + 64, true, &used), -EBADMSG);
	/* An event size past the area, and one that wraps. */
	put_unaligned_le16(TPM_ALG_SHA1, l->b + ev + 12);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), 0);
	put_unaligned_le32(5, l->b + l->len - 8);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
	put_unaligned_le32(U32_MAX, l->b + l->len - 8);
	KUNIT_EXPECT_EQ(test, parse(test, l, l->len, true, &used), -EBADMSG);
}

/*
 * A UEFI log: the EFI stub's copy, then the final events table, whose
 * first (preboot) events are in the copy too.  Joined, the log has each
 * event once and checks as one log; a preboot part longer than the table
 * (a firmware bug upstream would copy from before the table for) leaves
 * the final events out.
 */
static void log_efi_join(struct kunit *test)
{
	struct log *stub = kunit_kzalloc(test, sizeof(*stub), GFP_KERNEL);
	struct log *fin = kunit_kzalloc(test, sizeof(*fin), GFP_KERNEL);
	const char *why;
	size_t len, used, preboot;
	u8 *joined;

	KUNIT_ASSERT_NOT_NULL(test, stub);
	KUNIT_ASSERT_NOT_NULL(test, fin);
	log_spec_id(stub, 2);
	log_ev2(stub, 0, 8, 6);
	log_ev2(stub, 4, 0x80000003, 9);	/* also the first final event */
	log_ev2(fin, 4, 0x80000003, 9);
	preboot = fin->len;
	log_ev2(fin, 5, 0x80000006, 11);	/* after GetEventLog() */

	joined = tpm_eventlog_efi_join(stub->b, stub->len, preboot, fin->b,
				       fin->len, &len, &why);
	KUNIT_ASSERT_NOT_NULL(test, joined);
	KUNIT_EXPECT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, len, stub->len + fin->len - preboot);
	KUNIT_EXPECT_MEMEQ(test, joined, stub->b, stub->len);
	KUNIT_EXPECT_MEMEQ(test, joined + stub->len, fin->b + preboot,
			   fin->len - preboot);
	KUNIT_EXPECT_EQ(test, tpm_eventlog_parse(joined, len, true, &used,
						 &why), 0);
	KUNIT_EXPECT_EQ(test, used, len);
	kvfree(joined);

	/* No final events, or all of them preboot: the main log alone. */
	joined = tpm_eventlog_efi_join(stub->b, stub->len, 0, NULL, 0, &len,
				       &why);
	KUNIT_ASSERT_NOT_NULL(test, joined);
	KUNIT_EXPECT_EQ(test, len, stub->len);
	kvfree(joined);
	joined = tpm_eventlog_efi_join(stub->b, stub->len, preboot, fin->b,
				       preboot, &len, &why);
	KUNIT_ASSERT_NOT_NULL(test, joined);
	KUNIT_EXPECT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, len, stub->len);
	kvfree(joined);

	/* A preboot part past the table: refused, nothing read past it. */
	joined = tpm_eventlog_efi_join(stub->b, stub->len, fin->len + 1,
				       fin->b, fin->len, &len, &why);
	KUNIT_ASSERT_NOT_NULL(test, joined);
	KUNIT_EXPECT_NOT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, len, stub->len);
	KUNIT_EXPECT_MEMEQ(test, joined, stub->b, stub->len);
	kvfree(joined);
}

static struct kunit_case tpm_api_cases[] = {
	KUNIT_CASE(api_pcr_banks),
	KUNIT_CASE(api_pcr_bank_unknown),
	KUNIT_CASE(api_pcr_banks_lie),
	KUNIT_CASE(api_pcr_read),
	KUNIT_CASE(api_pcr_extend),
	KUNIT_CASE(api_pcr_extend_banks_unknown),
	KUNIT_CASE(api_tpm1_pcrs),
	KUNIT_CASE(api_default_chip),
	KUNIT_CASE(api_transmit_cmd),
#if TPM_COMPAT_HAVE_TPM_SEND
	KUNIT_CASE(api_tpm_send),
#endif
#if TPM_COMPAT_SESSION_HELPERS
	KUNIT_CASE(api_session_helpers),
#endif
	KUNIT_CASE(log_tpm1_good),
	KUNIT_CASE(log_tpm1_lies),
	KUNIT_CASE(log_only_padding),
	KUNIT_CASE(log_tpm2_good),
	KUNIT_CASE(log_tpm2_cut_anywhere),
	KUNIT_CASE(log_tpm2_lies),
	KUNIT_CASE(log_efi_join),
	{}
};

static struct kunit_suite tpm_api_suite = {
	.name = "tpm_api",
	.test_cases = tpm_api_cases,
};

kunit_test_suite(tpm_api_suite);

MODULE_DESCRIPTION("KUnit tests of the TPM core's API for kernel users and of the event log parser");
MODULE_LICENSE("GPL");
