// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the TPM core with a fake driver -- the unregister fence, suspend
 * and resume, and the transmit path's checks, timeouts and retries.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hw_random.h>
#include <linux/kthread.h>
#include "tpm.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define FAKE_MAX_SENT	64

/* TPM 1.2 ordinals and answers the suspend cases look for. */
#define TPM1_ORD_CONTINUE_SELFTEST	0x0053
#define TPM1_ORD_PCR_READ		0x0015
#define TPM1_ORD_SAVE_STATE		0x0098
#define TPM1_ORD_STARTUP		0x0099
#define TPM1_ST_STATE			0x0002
#define TPM1_ERR_INVALID_POSTINIT	0x0026
#define TPM1_ORD_GET_CAPABILITY		0x0065
#define TPM1_CAP_PROP_TIS_TIMEOUT	0x0115

#define FAKE_PT_MANUFACTURER		0x105
#define FAKE_RC_VALUE			0x1c4
#define FAKE_AMD			0x414d4400	/* "AMD" */
#define FAKE_IBM			0x49424d00	/* "IBM" */

#define KUNIT_EXPECT_US(test, jiffies, us) \
	KUNIT_EXPECT_EQ(test, jiffies, usecs_to_jiffies(us))

struct fake_tpm {
	u32 sent[FAKE_MAX_SENT];
	bool sent_suspended[FAKE_MAX_SENT];	/* the chip was marked suspended */
	u16 sent_param[FAKE_MAX_SENT];	/* each command's first u16 parameter */
	int nsent;
	u8 rsp[TPM_BUFSIZE];
	size_t rsp_len;
	int retries;		/* answer TPM2_RC_RETRY this many times */
	bool never_complete;
	unsigned long complete_at;	/* status says complete from then on */
	unsigned long delay;	/* if set, complete_at is this after each send */
	bool lie_len;		/* the response header's length is wrong */
	u32 caps_cc;		/* GetCapability(COMMANDS) lists this one, or none */
	bool caps_bare;		/* ... or answers with a bare header */
	u32 manufacturer;	/* GetCapability(TPM_PT_MANUFACTURER), if set, */
	int mfr_shape;		/* in this shape: */
#define MFR_RIGHT	0	/* as the specification says */
#define MFR_OTHER_PT	1	/* another property than the one asked for */
#define MFR_COUNT0	2	/* a list of none, the pair after it anyway */
#define MFR_SHORT	3	/* the value cut off */
#define MFR_REFUSED	4	/* TPM_RC_VALUE */
	int mfr_asked;		/* times it was asked */
	u32 postinit_rc;	/* answer everything but TPM_Startup with this */
	int selftest_busy;	/* TPM_PCRRead: TPM_DOING_SELFTEST this often */
	int save_busy;		/* TPM_SaveState: TPM_RETRY this often */
	int tpm1_caps;		/* TPM_GetCapability(TIS_TIMEOUT, DURATION): */
#define CAPS_RIGHT	1	/* as the specification says */
#define CAPS_SIZE0	2	/* a size field of 0, then the values */
#define CAPS_SHORT	3	/* a size field of 0 and nothing after it */
	int cancels;
	unsigned long sent_at;	/* jiffies at the last send */
	long first_look;	/* jiffies from it to the first status read, or -1 */
	int status_reads;	/* since the last send */
	unsigned long seen_at;	/* jiffies when completion was first read */
};

static struct fake_tpm *to_fake(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

/* TPM 1.2 timeouts A-D or durations, in microseconds, as f->tpm1_caps says. */
static void fake_tpm1_caps(struct fake_tpm *f, u32 prop)
{
	static const u32 timeouts[] = { 750000, 2000000, 750000, 750000 };
	static const u32 durations[] = { 100000, 2000000, 60000000 };
	bool to = prop == TPM1_CAP_PROP_TIS_TIMEOUT;
	const u32 *v = to ? timeouts : durations;
	int i, n = to ? ARRAY_SIZE(timeouts) : ARRAY_SIZE(durations);

	put_unaligned_be32(f->tpm1_caps == CAPS_RIGHT ? 4 * n : 0,
			   f->rsp + TPM_HEADER_SIZE);
	f->rsp_len += 4;
	if (f->tpm1_caps == CAPS_SHORT)
		return;
	for (i = 0; i < n; i++, f->rsp_len += 4)
		put_unaligned_be32(v[i], f->rsp + f->rsp_len);
}

static void fake_answer(struct fake_tpm *f, u32 ordinal, const u8 *cmd)
{
	bool mfr = ordinal == TPM2_CC_GET_CAPABILITY &&
		   get_unaligned_be32(cmd + TPM_HEADER_SIZE + 4) == FAKE_PT_MANUFACTURER;
	u32 rc = 0;
	u16 n = 0;

	if (f->postinit_rc && ordinal != TPM1_ORD_STARTUP) {
		rc = f->postinit_rc;
	} else if (ordinal == TPM1_ORD_STARTUP) {
		f->postinit_rc = 0;
	} else if (ordinal == TPM1_ORD_PCR_READ && f->selftest_busy > 0) {
		f->selftest_busy--;
		rc = TPM1_WARN_DOING_SELFTEST;
	} else if (ordinal == TPM1_ORD_SAVE_STATE && f->save_busy > 0) {
		f->save_busy--;
		rc = TPM1_WARN_RETRY;
	} else if (f->retries > 0) {
		f->retries--;
		rc = TPM2_RC_RETRY;
	} else if (ordinal == TPM2_CC_GET_RANDOM) {
		n = get_unaligned_be16(cmd + TPM_HEADER_SIZE);
	} else if (mfr) {
		f->mfr_asked++;
		if (f->manufacturer && f->mfr_shape == MFR_REFUSED)
			rc = FAKE_RC_VALUE;
	}
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, f->rsp);
	put_unaligned_be32(rc, f->rsp + 6);
	f->rsp_len = TPM_HEADER_SIZE;
	if (!rc && ordinal == TPM2_CC_GET_CAPABILITY && !f->caps_bare) {
		/* No more data, the capability asked for, a list of 0 or 1. */
		memset(f->rsp + TPM_HEADER_SIZE, 0, 9);
		memcpy(f->rsp + TPM_HEADER_SIZE + 1, cmd + TPM_HEADER_SIZE, 4);
		f->rsp_len += 9;
		if (mfr && f->manufacturer) {
			put_unaligned_be32(f->mfr_shape != MFR_COUNT0, f->rsp + f->rsp_len - 4);
			put_unaligned_be32(FAKE_PT_MANUFACTURER +
					   (f->mfr_shape == MFR_OTHER_PT), f->rsp + f->rsp_len);
			put_unaligned_be32(f->manufacturer, f->rsp + f->rsp_len + 4);
			f->rsp_len += f->mfr_shape == MFR_SHORT ? 6 : 8;
		} else if (f->caps_cc) {
			put_unaligned_be32(1, f->rsp + f->rsp_len - 4);
			put_unaligned_be32(f->caps_cc, f->rsp + f->rsp_len);
			f->rsp_len += 4;
		}
	}
	if (!rc && ordinal == TPM1_ORD_GET_CAPABILITY && f->tpm1_caps)
		fake_tpm1_caps(f, get_unaligned_be32(cmd + 18));
	if (n) {
		put_unaligned_be16(n, f->rsp + TPM_HEADER_SIZE);
		memset(f->rsp + TPM_HEADER_SIZE + 2, 0x5a, n);
		f->rsp_len += 2 + n;
	}
	put_unaligned_be32(f->rsp_len + (f->lie_len ? 1 : 0), f->rsp + 2);
}

static int fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm *f = to_fake(chip);
	u32 ordinal = tpm_hdr_code(buf);

	if (f->nsent < FAKE_MAX_SENT) {
		f->sent_param[f->nsent] = len >= TPM_HEADER_SIZE + 2 ?
			get_unaligned_be16(buf + TPM_HEADER_SIZE) : 0;
		f->sent_suspended[f->nsent] = tpm_chip_priv(chip)->suspended;
		f->sent[f->nsent++] = ordinal;
	}
	f->sent_at = jiffies;
	f->first_look = -1;
	f->status_reads = 0;
	f->seen_at = 0;
	if (f->delay)
		f->complete_at = jiffies + f->delay;
	fake_answer(f, ordinal, buf);
	return 0;
}

static int fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm *f = to_fake(chip);

	memcpy(buf, f->rsp, f->rsp_len);
	return f->rsp_len;
}

static u8 fake_status(struct tpm_chip *chip)
{
	struct fake_tpm *f = to_fake(chip);

	if (f->first_look < 0)
		f->first_look = jiffies - f->sent_at;
	f->status_reads++;
	if (f->never_complete || time_before(jiffies, f->complete_at))
		return 0;
	if (!f->seen_at)
		f->seen_at = jiffies;
	return FAKE_COMPLETE;
}

static void fake_cancel(struct tpm_chip *chip)
{
	to_fake(chip)->cancels++;
}

static const struct tpm_class_ops fake_ops = {
	.req_complete_mask = FAKE_COMPLETE,
	.req_complete_val = FAKE_COMPLETE,
	.req_canceled = fake_never_canceled,
	.status = fake_status,
	.send = fake_send,
	.recv = fake_recv,
	.cancel = fake_cancel,
};

static struct tpm_chip *fake_chip(struct kunit *test, struct fake_tpm **fp)
{
	struct fake_tpm *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, f);
	chip = fake_chip_new(test, &fake_ops, f);
	chip->flags |= TPM_CHIP_FLAG_HWRNG_DISABLED;
	*fp = f;
	return chip;
}

static void get_random_cmd(u8 *buf, u16 n)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(12, buf + 2);
	put_unaligned_be32(TPM2_CC_GET_RANDOM, buf + 6);
	put_unaligned_be16(n, buf + 10);
}

static ssize_t send_get_random(struct tpm_chip *chip, u8 *buf, u16 n)
{
	ssize_t rc;

	get_random_cmd(buf, n);
	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tpm_transmit(chip, buf, TPM_BUFSIZE);
	tpm_put_ops(chip);
	return rc;
}

static void fence_shutdown_is_last(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	int nsent;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_EQ(test, 44, send_get_random(chip, buf, 32));
	tpm_chip_unregister(chip);

	KUNIT_ASSERT_GT(test, f->nsent, 1);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	KUNIT_EXPECT_NULL(test, chip->ops);
	nsent = f->nsent;
	KUNIT_EXPECT_EQ(test, -ENODEV, tpm_try_get_ops(chip));
	KUNIT_EXPECT_EQ(test, -ENODEV, send_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
}

/* /dev/tpmrmN exists only for a TPM whose command list could be read. */
static void register_tpmrm_needs_command_list(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->caps_cc = TPM2_CC_GET_RANDOM;
	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_EQ(test, chip->nr_commands, 1);
	KUNIT_EXPECT_EQ(test, chip->cc_attrs_tbl[0], (u32)TPM2_CC_GET_RANDOM);
	KUNIT_EXPECT_TRUE(test, device_is_registered(&chip->devs));
	tpm_chip_unregister(chip);
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->devs));

	chip = fake_chip(test, &f);
	f->caps_bare = true;
	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_EQ(test, chip->nr_commands, 0);
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->devs));
	tpm_chip_unregister(chip);
}

/* A TPM whose start-up answers make no sense is not registered. */
static void register_fails_when_startup_garbled(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->lie_len = true;
	if (!tpm_chip_register(chip)) {
		tpm_chip_unregister(chip);
		KUNIT_FAIL(test, "a TPM that answers nonsense was registered");
	}
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->dev));
}

static int blocker_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	return 0;
}

/*
 * Registration fails after /dev/tpmN appeared (another hwrng already has
 * the chip's name): the chip leaves as an unplug does, through the fence,
 * so a file opened in that window can never reach the driver.
 */
static void register_failure_after_node_fences(struct kunit *test)
{
	struct hwrng *blocker = kunit_kzalloc(test, sizeof(*blocker), GFP_KERNEL);
	char *name = kunit_kzalloc(test, 32, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, blocker);
	KUNIT_ASSERT_NOT_NULL(test, name);
	chip->flags &= ~TPM_CHIP_FLAG_HWRNG_DISABLED;
	f->caps_cc = TPM2_CC_GET_RANDOM;
	snprintf(name, 32, "tpm-rng-%d", chip->dev_num);
	blocker->name = name;
	blocker->read = blocker_read;
	KUNIT_ASSERT_EQ(test, 0, hwrng_register(blocker));
	rc = tpm_chip_register(chip);
	hwrng_unregister(blocker);

	if (!rc) {
		tpm_chip_unregister(chip);
		KUNIT_FAIL(test, "registered beside a hwrng of the same name");
		return;
	}
	KUNIT_EXPECT_EQ(test, -EEXIST, rc);
	KUNIT_EXPECT_NULL(test, chip->ops);
	KUNIT_ASSERT_GT(test, f->nsent, 0);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->dev));
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->devs));
	rc = tpm_try_get_ops(chip);
	if (!rc)
		tpm_put_ops(chip);
	KUNIT_EXPECT_EQ(test, -ENODEV, rc);
	KUNIT_EXPECT_EQ(test, -1, chip->dev_num);
}

/*
 * Whether a registered chip got its hwrng: a hwrng of the same name can
 * be registered only if it did not.
 */
static bool chip_has_hwrng(struct kunit *test, struct tpm_chip *chip)
{
	struct hwrng *probe = kunit_kzalloc(test, sizeof(*probe), GFP_KERNEL);
	char *name = kunit_kzalloc(test, 32, GFP_KERNEL);
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, probe);
	KUNIT_ASSERT_NOT_NULL(test, name);
	snprintf(name, 32, "tpm-rng-%d", chip->dev_num);
	probe->name = name;
	probe->read = blocker_read;
	rc = hwrng_register(probe);
	if (!rc)
		hwrng_unregister(probe);
	else
		KUNIT_EXPECT_EQ(test, rc, -EEXIST);
	return rc == -EEXIST;
}

/*
 * AMD's firmware TPMs (manufacturer "AMD") get no hwrng (AMD PA-410);
 * another manufacturer's TPM gets one, and so does a TPM whose answer does
 * not say "AMD" in so many words (registration goes on whatever it says).
 * A chip whose driver turned the hwrng off is not asked.
 */
static void amd_ftpm_gets_no_hwrng(struct kunit *test)
{
	static const struct {
		u32 vendor;
		int shape;
		bool hwrng;
	} cases[] = {
		{ FAKE_AMD, MFR_RIGHT, false },
		{ FAKE_IBM, MFR_RIGHT, true },
		{ FAKE_AMD, MFR_OTHER_PT, true },
		{ FAKE_AMD, MFR_COUNT0, true },
		{ FAKE_AMD, MFR_SHORT, true },
		{ FAKE_AMD, MFR_REFUSED, true },
	};
	struct fake_tpm *f;
	struct tpm_chip *chip;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		chip = fake_chip(test, &f);
		chip->flags &= ~TPM_CHIP_FLAG_HWRNG_DISABLED;
		f->caps_cc = TPM2_CC_GET_RANDOM;
		f->manufacturer = cases[i].vendor;
		f->mfr_shape = cases[i].shape;
		KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
		KUNIT_EXPECT_EQ(test, f->mfr_asked, 1);
		KUNIT_EXPECT_EQ_MSG(test, chip_has_hwrng(test, chip), cases[i].hwrng,
				    "manufacturer %08x, shape %d",
				    cases[i].vendor, cases[i].shape);
		tpm_chip_unregister(chip);
	}

	chip = fake_chip(test, &f);
	f->caps_cc = TPM2_CC_GET_RANDOM;
	f->manufacturer = FAKE_AMD;
	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_EQ(test, f->mfr_asked, 0);
	tpm_chip_unregister(chip);
}

/* Suspend: TPM2_Shutdown(STATE) is the last command until resume. */
static void suspend_tpm2_saves_state_last(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	int nsent;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	tpm_chip_suspend(chip);
	KUNIT_ASSERT_GT(test, f->nsent, 0);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, f->sent_param[f->nsent - 1], (u16)TPM2_SU_STATE);
	nsent = f->nsent;
	KUNIT_EXPECT_EQ(test, -EBUSY, send_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);

	tpm_chip_resume(chip);
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
	tpm_chip_unregister(chip);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, f->sent_param[f->nsent - 1], (u16)TPM2_SU_CLEAR);
}

struct resumed_ctx {
	struct tpm_chip *chip;
	u8 buf[TPM_BUFSIZE];
	ssize_t rc;
	struct completion entered;
	struct completion done;
};

/* What an O_NONBLOCK command queued before the suspend does. */
static int resumed_thread(void *data)
{
	struct resumed_ctx *ctx = data;

	complete(&ctx->entered);
	ctx->rc = tpm_try_get_ops_resumed(ctx->chip);
	if (!ctx->rc) {
		get_random_cmd(ctx->buf, 8);
		ctx->rc = tpm_transmit(ctx->chip, ctx->buf, TPM_BUFSIZE);
		tpm_put_ops(ctx->chip);
	}
	complete(&ctx->done);
	return 0;
}

static struct resumed_ctx *start_resumed_thread(struct kunit *test,
						struct tpm_chip *chip)
{
	struct resumed_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->chip = chip;
	init_completion(&ctx->entered);
	init_completion(&ctx->done);
	t = kthread_run(resumed_thread, ctx, "tpm-resumed-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&ctx->entered);
	return ctx;
}

static bool done_within(struct resumed_ctx *ctx, unsigned int ms)
{
	return wait_for_completion_timeout(&ctx->done, msecs_to_jiffies(ms));
}

/*
 * A command handed over while the system suspends is not failed with
 * EBUSY: it waits, without the ops, and runs after the resume; an unplug
 * meanwhile ends it with ENODEV.
 */
static void suspend_command_waits_for_resume(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct resumed_ctx *ctx;
	int nsent;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	tpm_chip_suspend(chip);
	nsent = f->nsent;
	ctx = start_resumed_thread(test, chip);
	KUNIT_EXPECT_FALSE(test, done_within(ctx, 200));
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
	tpm_chip_resume(chip);
	/* Each thread ends (the resume, or the unplug below) before @ctx goes. */
	KUNIT_EXPECT_TRUE(test, done_within(ctx, 5000));
	KUNIT_EXPECT_EQ(test, 20, ctx->rc);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_GET_RANDOM);
	KUNIT_EXPECT_FALSE(test, f->sent_suspended[f->nsent - 1]);

	tpm_chip_suspend(chip);
	ctx = start_resumed_thread(test, chip);
	KUNIT_EXPECT_FALSE(test, done_within(ctx, 100));
	tpm_chip_unregister(chip);
	wait_for_completion(&ctx->done);
	KUNIT_EXPECT_EQ(test, -ENODEV, ctx->rc);
}

/* A chip unplugged while suspended gets no Shutdown(CLEAR) after its save. */
static void suspend_then_unplug_sends_nothing(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	int nsent;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	tpm_chip_suspend(chip);
	nsent = f->nsent;
	tpm_chip_unregister(chip);
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
	KUNIT_EXPECT_NULL(test, chip->ops);
	tpm_chip_suspend(chip);
	tpm_chip_resume(chip);
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
}

static struct tpm_chip *tpm1_fake_chip(struct kunit *test,
				       struct fake_tpm **fp)
{
	struct tpm_chip *chip = fake_chip(test, fp);

	chip->flags &= ~TPM_CHIP_FLAG_TPM2;
	return chip;
}

/* TPM 1.2: TPM_SaveState at suspend, TPM_ContinueSelfTest at resume. */
static void suspend_tpm1_save_state(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = tpm1_fake_chip(test, &f);

	tpm_chip_suspend(chip);
	KUNIT_ASSERT_EQ(test, f->nsent, 1);
	KUNIT_EXPECT_EQ(test, f->sent[0], (u32)TPM1_ORD_SAVE_STATE);
	KUNIT_EXPECT_EQ(test, -EBUSY, send_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, f->nsent, 1);

	tpm_chip_resume(chip);
	/* ContinueSelfTest, then a PCR read to see the self test is done. */
	KUNIT_ASSERT_EQ(test, f->nsent, 3);
	KUNIT_EXPECT_EQ(test, f->sent[1], (u32)TPM1_ORD_CONTINUE_SELFTEST);
	KUNIT_EXPECT_EQ(test, f->sent[2], (u32)TPM1_ORD_PCR_READ);
	/* Nobody else could reach the TPM before it was restarted ... */
	KUNIT_EXPECT_TRUE(test, f->sent_suspended[1]);
	KUNIT_EXPECT_TRUE(test, f->sent_suspended[2]);
	/* ... and everybody can afterwards. */
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
}

/* A TPM 1.2 the firmware did not restart gets TPM_Startup(ST_STATE). */
static void resume_tpm1_not_restarted(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = tpm1_fake_chip(test, &f);
	static const u32 want[] = {
		TPM1_ORD_SAVE_STATE, TPM1_ORD_CONTINUE_SELFTEST,
		TPM1_ORD_STARTUP, TPM1_ORD_CONTINUE_SELFTEST, TPM1_ORD_PCR_READ,
	};
	int i;

	tpm_chip_suspend(chip);
	f->postinit_rc = TPM1_ERR_INVALID_POSTINIT;
	tpm_chip_resume(chip);
	KUNIT_ASSERT_EQ(test, f->nsent, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ(test, f->sent[i], want[i]);
	KUNIT_EXPECT_EQ(test, f->sent_param[2], (u16)TPM1_ST_STATE);
	KUNIT_EXPECT_EQ(test, f->postinit_rc, 0);
}

/*
 * A vTPM server that answers TPM_GetCapability(TIS_TIMEOUT) with a size
 * field of 0 followed by the values registers, as upstream: the values
 * are in the response.  One whose response holds no values does not.
 */
static void tpm1_caps_size_field_zero(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = tpm1_fake_chip(test, &f);

	f->tpm1_caps = CAPS_SIZE0;
	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_US(test, chip->timeout_b, 2000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_SHORT], 100000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_LONG], 60000000);
	KUNIT_EXPECT_FALSE(test, chip->timeout_adjusted);
	tpm_chip_unregister(chip);

	chip = tpm1_fake_chip(test, &f);
	f->tpm1_caps = CAPS_SHORT;
	KUNIT_EXPECT_EQ(test, -EFAULT, tpm_chip_register(chip));
	KUNIT_EXPECT_FALSE(test, device_is_registered(&chip->dev));

	chip = tpm1_fake_chip(test, &f);
	f->tpm1_caps = CAPS_RIGHT;
	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	KUNIT_EXPECT_US(test, chip->timeout_a, 750000);
	tpm_chip_unregister(chip);
}

/*
 * Upstream's patience with a TPM 1.2: after TPM_ContinueSelfTest, PCR
 * reads until the self test is no longer running, past the 2.54 s the
 * transmit path retries one command; TPM_SaveState answered TPM_RETRY
 * for as long too, for up to 5 s.
 */
static void tpm1_selftest_and_save_state_waited(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = tpm1_fake_chip(test, &f);
	int i, reads = 0, saves = 0;

	chip->duration[TPM_LONG] = msecs_to_jiffies(10000);
	f->selftest_busy = 9;
	tpm_chip_resume(chip);
	for (i = 0; i < f->nsent; i++)
		reads += f->sent[i] == TPM1_ORD_PCR_READ;
	KUNIT_EXPECT_EQ(test, f->selftest_busy, 0);
	KUNIT_EXPECT_EQ(test, reads, 10);

	f->nsent = 0;
	f->save_busy = 9;
	tpm_chip_suspend(chip);
	for (i = 0; i < f->nsent; i++)
		saves += f->sent[i] == TPM1_ORD_SAVE_STATE;
	KUNIT_EXPECT_EQ(test, f->save_busy, 0);
	KUNIT_EXPECT_EQ(test, saves, 10);
	tpm_chip_resume(chip);
}

/* A TPM 1.2 chip with the timeouts and durations it reported set. */
static struct tpm_chip *tpm1_chip(struct kunit *test, u32 *t, u32 *d)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = tpm1_fake_chip(test, &f);

	tpm1_set_timeouts(chip, t, d);
	return chip;
}

static void tpm1_timeouts_as_reported(struct kunit *test)
{
	u32 t[] = { 750000, 2000000, 750000, 750000 };
	u32 d[] = { 750000, 2000000, 60000000 };
	struct tpm_chip *chip = tpm1_chip(test, t, d);

	KUNIT_EXPECT_US(test, chip->timeout_a, 750000);
	KUNIT_EXPECT_US(test, chip->timeout_b, 2000000);
	KUNIT_EXPECT_US(test, chip->timeout_d, 750000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_SHORT], 750000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_LONG], 60000000);
	KUNIT_EXPECT_EQ(test, chip->duration[TPM_LONG_LONG],
			chip->duration[TPM_LONG]);
	KUNIT_EXPECT_FALSE(test, chip->timeout_adjusted);
	KUNIT_EXPECT_FALSE(test, chip->duration_adjusted);
	KUNIT_EXPECT_TRUE(test, chip->flags & TPM_CHIP_FLAG_HAVE_TIMEOUTS);
}

/*
 * Milliseconds where microseconds belong: the values are scaled, and the
 * short duration is at least the second upstream gives it.
 */
static void tpm1_timeouts_in_milliseconds(struct kunit *test)
{
	u32 t[] = { 750, 2000, 750, 750 };
	u32 d[] = { 750, 2000, 60000 };
	struct tpm_chip *chip = tpm1_chip(test, t, d);

	KUNIT_EXPECT_US(test, chip->timeout_a, 750000);
	KUNIT_EXPECT_US(test, chip->timeout_b, 2000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_SHORT], 1000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_MEDIUM], 2000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_LONG], 60000000);
	KUNIT_EXPECT_TRUE(test, chip->timeout_adjusted);
	KUNIT_EXPECT_TRUE(test, chip->duration_adjusted);
}

/*
 * Zeros get defaults no shorter than upstream's (B 4 s, medium and long
 * 120 s); the rest stay as reported, however long (as upstream's do).
 */
static void tpm1_timeouts_zero_or_absurd(struct kunit *test)
{
	u32 t[] = { 0, 0, 0, 0 };
	u32 d[] = { 0, 0, U32_MAX };
	struct tpm_chip *chip = tpm1_chip(test, t, d);

	KUNIT_EXPECT_US(test, chip->timeout_a, 750000);
	KUNIT_EXPECT_US(test, chip->timeout_b, 4000000);
	KUNIT_EXPECT_US(test, chip->timeout_c, 750000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_SHORT], 2000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_MEDIUM], 120000000);
	KUNIT_EXPECT_US(test, chip->duration[TPM_LONG], U32_MAX);
	KUNIT_EXPECT_TRUE(test, chip->timeout_adjusted);
	KUNIT_EXPECT_TRUE(test, chip->duration_adjusted);
}

/* Upstream's duration classes: none shorter, none longer. */
static void tpm1_ordinal_durations(struct kunit *test)
{
	u32 t[] = { 750000, 2000000, 750000, 750000 };
	u32 d[] = { 100000, 2000000, 60000000 };
	struct tpm_chip *chip = tpm1_chip(test, t, d);
	static const u32 shrt[] = { 0x0A, 0x14, 0x15, 0x46, 0x65, 0x99, 0xBA };
	static const u32 medium[] = { 0x16, 0x17, 0x18, 0x98 };
	static const u32 lng[] = { 0x0D, 0x1F, 0x29, 0x31, 0x50, 0x53, 0xAA,
				   0xE7 };
	static const u32 none[] = { 0x00, 0x01, 0xF3, 0xFF, 0x100, 0x4000000A };
	int i;

	for (i = 0; i < ARRAY_SIZE(shrt); i++)
		KUNIT_EXPECT_US(test, tpm_calc_ordinal_duration(chip, shrt[i]),
				100000);
	for (i = 0; i < ARRAY_SIZE(medium); i++)
		KUNIT_EXPECT_US(test, tpm_calc_ordinal_duration(chip, medium[i]),
				2000000);
	for (i = 0; i < ARRAY_SIZE(lng); i++)
		KUNIT_EXPECT_US(test, tpm_calc_ordinal_duration(chip, lng[i]),
				60000000);
	for (i = 0; i < ARRAY_SIZE(none); i++)
		KUNIT_EXPECT_US(test, tpm_calc_ordinal_duration(chip, none[i]),
				120000000);
}

static void tpm2_ordinal_durations(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	static const u32 dflt[] = {
		TPM2_CC_SHUTDOWN, TPM2_CC_CONTEXT_SAVE, TPM2_CC_CONTEXT_LOAD,
		TPM2_CC_FLUSH_CONTEXT, TPM2_CC_PCR_READ, TPM2_CC_NV_READ,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(dflt); i++)
		KUNIT_EXPECT_EQ(test, tpm_calc_ordinal_duration(chip, dflt[i]),
				msecs_to_jiffies(TPM2_DURATION_DEFAULT));
	KUNIT_EXPECT_EQ(test,
			tpm_calc_ordinal_duration(chip, TPM2_CC_VERIFY_SIGNATURE),
			msecs_to_jiffies(TPM2_DURATION_LONG_LONG));
	KUNIT_EXPECT_EQ(test,
			tpm_calc_ordinal_duration(chip, TPM2_CC_GET_RANDOM),
			msecs_to_jiffies(TPM2_DURATION_LONG));
}

struct fence_ctx {
	struct tpm_chip *chip;
	struct completion done;
};

static int fence_thread(void *data)
{
	struct fence_ctx *ctx = data;

	tpm_chip_unregister(ctx->chip);
	complete(&ctx->done);
	return 0;
}

static void fence_waits_for_holder(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fence_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct task_struct *t;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	ctx->chip = chip;
	init_completion(&ctx->done);

	KUNIT_ASSERT_EQ(test, 0, tpm_try_get_ops(chip));
	t = kthread_run(fence_thread, ctx, "tpm-fence-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* The fence must wait while we hold the ops ... */
	KUNIT_EXPECT_EQ(test, 0UL,
			wait_for_completion_timeout(&ctx->done, msecs_to_jiffies(200)));
	/* ... and must not interrupt us: our command still goes through. */
	get_random_cmd(buf, 16);
	KUNIT_EXPECT_EQ(test, 28, tpm_transmit(chip, buf, TPM_BUFSIZE));
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_GET_RANDOM);
	tpm_put_ops(chip);

	KUNIT_EXPECT_NE(test, 0UL,
			wait_for_completion_timeout(&ctx->done, 5 * HZ));
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	KUNIT_EXPECT_NULL(test, chip->ops);
}

static void transmit_bad_sizes(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	KUNIT_ASSERT_EQ(test, 0, tpm_try_get_ops(chip));
	get_random_cmd(buf, 8);
	put_unaligned_be32(8, buf + 2);
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_transmit(chip, buf, TPM_BUFSIZE));
	get_random_cmd(buf, 8);
	KUNIT_EXPECT_EQ(test, -E2BIG, tpm_transmit(chip, buf, 11));
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_transmit(chip, buf, 9));
	tpm_put_ops(chip);
	KUNIT_EXPECT_EQ(test, 0, f->nsent);
}

static void transmit_length_mismatch(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->lie_len = true;
	KUNIT_EXPECT_EQ(test, -EFAULT, send_get_random(chip, buf, 8));
}

static void transmit_timeout_cancels(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	chip->duration[TPM_LONG] = msecs_to_jiffies(50);
	f->never_complete = true;
	KUNIT_EXPECT_EQ(test, -ETIME, send_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, 1, f->cancels);
}

/*
 * The command completes only after its duration has run out: the core
 * must look at the status once more before cancelling.
 */
static void transmit_completion_after_deadline(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	chip->duration[TPM_LONG] = msecs_to_jiffies(20);
	f->complete_at = jiffies + msecs_to_jiffies(20) + 1;
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, 0, f->cancels);
}

/*
 * How long one command took says nothing about the next one with the same
 * code (an RSA and an ECC CreatePrimary): after a 200 ms command, one that
 * completes at once is looked at straight away and found complete.
 */
static void transmit_slow_then_fast_same_code(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->delay = msecs_to_jiffies(200);
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
	f->delay = 0;
	f->complete_at = jiffies;
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
	/* A jiffy or two of scheduling noise, not the 150 ms of a hint. */
	KUNIT_EXPECT_LT(test, f->first_look, (long)msecs_to_jiffies(50));
	KUNIT_EXPECT_LT(test, f->seen_at - f->sent_at, msecs_to_jiffies(50));
}

/*
 * A slow command is polled with steps that grow with the time waited: a
 * 1 s command costs a few dozen status reads (steps of at most 1 ms would
 * take a thousand; the learned sleep of old took about a hundred here) and
 * is found at most an eighth of its time late (the bound allows a quarter
 * and a few jiffies for timer rounding on a loaded host).
 */
static void transmit_slow_command_few_wakeups(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	unsigned long delay = msecs_to_jiffies(1000);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->delay = delay;
	KUNIT_EXPECT_EQ(test, 20, send_get_random(chip, buf, 8));
	kunit_info(test, "%d status reads, seen %lu jiffies late\n",
		   f->status_reads, f->seen_at - f->complete_at);
	KUNIT_EXPECT_LT(test, f->status_reads, 60);
	KUNIT_EXPECT_LE(test, f->seen_at - f->complete_at, delay / 4 + 3);
	KUNIT_EXPECT_EQ(test, 0, f->cancels);
}

static void transmit_retry_backoff(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	unsigned long t0 = jiffies;

	f->retries = 2;
	KUNIT_EXPECT_EQ(test, 28, send_get_random(chip, buf, 16));
	KUNIT_EXPECT_EQ(test, 3, f->nsent);
	KUNIT_EXPECT_EQ(test, 0U, tpm_hdr_code(buf));
	/* 20 ms, then 40 ms */
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - t0), 60U);
}

static void transmit_retry_gives_up(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);

	f->retries = 1000;
	KUNIT_EXPECT_EQ(test, TPM_HEADER_SIZE, send_get_random(chip, buf, 16));
	KUNIT_EXPECT_EQ(test, (u32)TPM2_RC_RETRY, tpm_hdr_code(buf));
	/*
	 * Delays of 20, 40, ..., 1280 ms (2.54 s, as upstream waits); the
	 * next, 2560 ms, is past TPM_RETRY_MAX_DELAY_MS.
	 */
	KUNIT_EXPECT_EQ(test, 8, f->nsent);
}

static void set_excl(struct tpm_chip *chip, const void *who)
{
	mutex_lock(&chip->tpm_mutex);
	WRITE_ONCE(tpm_chip_priv(chip)->excl, who);
	mutex_unlock(&chip->tpm_mutex);
	wake_up_all(&tpm_chip_priv(chip)->event_wq);
}

/*
 * A /dev/tpmN file that holds the TPM alone: its own commands get the
 * ops, nobody else's reach the TPM (a waiter sleeps, a non-waiting user
 * gets EBUSY at once), the suspend still saves the state, and the
 * waiter's command runs once the hold ends; an unplug during a hold ends
 * the waiter with ENODEV.
 */
static void excl_holder_alone(struct kunit *test)
{
	struct fake_tpm *f;
	struct tpm_chip *chip = fake_chip(test, &f);
	struct resumed_ctx *ctx;
	static const int holder;
	int nsent;

	KUNIT_ASSERT_EQ(test, 0, tpm_chip_register(chip));
	set_excl(chip, &holder);
	KUNIT_EXPECT_EQ(test, -EBUSY, tpm_try_get_ops_nowait(chip));
	KUNIT_EXPECT_TRUE(test, tpm_ops_excluded(chip, NULL));
	KUNIT_EXPECT_FALSE(test, tpm_ops_excluded(chip, &holder));
	KUNIT_ASSERT_EQ(test, 0, tpm_try_get_ops_as(chip, &holder, false));
	tpm_put_ops(chip);

	nsent = f->nsent;
	ctx = start_resumed_thread(test, chip);
	KUNIT_EXPECT_FALSE(test, done_within(ctx, 300));
	KUNIT_EXPECT_EQ(test, nsent, f->nsent);
	/* The suspend is not kept out. */
	tpm_chip_suspend(chip);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_SHUTDOWN);
	tpm_chip_resume(chip);
	KUNIT_EXPECT_FALSE(test, done_within(ctx, 100));
	set_excl(chip, NULL);
	KUNIT_EXPECT_TRUE(test, done_within(ctx, 5000));
	KUNIT_EXPECT_EQ(test, 20, ctx->rc);
	KUNIT_EXPECT_EQ(test, f->sent[f->nsent - 1], (u32)TPM2_CC_GET_RANDOM);

	set_excl(chip, &holder);
	ctx = start_resumed_thread(test, chip);
	KUNIT_EXPECT_FALSE(test, done_within(ctx, 100));
	tpm_chip_unregister(chip);
	KUNIT_EXPECT_TRUE(test, done_within(ctx, 5000));
	KUNIT_EXPECT_EQ(test, -ENODEV, ctx->rc);
}

static struct kunit_case tpm_core_cases[] = {
	KUNIT_CASE(fence_shutdown_is_last),
	KUNIT_CASE(fence_waits_for_holder),
	KUNIT_CASE(register_tpmrm_needs_command_list),
	KUNIT_CASE(register_fails_when_startup_garbled),
	KUNIT_CASE(register_failure_after_node_fences),
	KUNIT_CASE(amd_ftpm_gets_no_hwrng),
	KUNIT_CASE(suspend_tpm2_saves_state_last),
	KUNIT_CASE(suspend_then_unplug_sends_nothing),
	KUNIT_CASE(suspend_command_waits_for_resume),
	KUNIT_CASE(excl_holder_alone),
	KUNIT_CASE(suspend_tpm1_save_state),
	KUNIT_CASE(resume_tpm1_not_restarted),
	KUNIT_CASE(tpm1_selftest_and_save_state_waited),
	KUNIT_CASE(tpm1_timeouts_as_reported),
	KUNIT_CASE(tpm1_caps_size_field_zero),
	KUNIT_CASE(tpm1_timeouts_in_milliseconds),
	KUNIT_CASE(tpm1_timeouts_zero_or_absurd),
	KUNIT_CASE(tpm1_ordinal_durations),
	KUNIT_CASE(tpm2_ordinal_durations),
	KUNIT_CASE(transmit_bad_sizes),
	KUNIT_CASE(transmit_length_mismatch),
	KUNIT_CASE(transmit_timeout_cancels),
	KUNIT_CASE(transmit_completion_after_deadline),
	KUNIT_CASE(transmit_slow_then_fast_same_code),
	KUNIT_CASE(transmit_slow_command_few_wakeups),
	KUNIT_CASE(transmit_retry_backoff),
	KUNIT_CASE(transmit_retry_gives_up),
	{}
};

static struct kunit_suite tpm_core_suite = {
	.name = "tpm_core",
	.test_cases = tpm_core_cases,
};

kunit_test_suite(tpm_core_suite);

MODULE_DESCRIPTION("KUnit tests for the TPM core");
MODULE_LICENSE("GPL");
