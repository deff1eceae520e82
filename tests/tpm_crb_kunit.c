// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the CRB driver against a CRB register file simulated here, driven
 * through the same register access callbacks as MMIO, with the device
 * misbehaving on purpose: start never clears, cmdReady never comes, goIdle
 * ignored, a response larger than its buffer, cancel ignored, locality
 * never granted, a fatal error, buffers outside the device's memory.
 */
#include <kunit/test.h>
#include "tpm_crb.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define SIM_BASE	0xFED40000ULL
#define SIM_LEN		0x1000
#define SIM_BUF		0x80
#define SIM_BUF_LEN	(SIM_LEN - SIM_BUF)

/**
 * struct crb_sim - a CRB device with fault knobs
 * @crb:		what the driver sees
 * @mem:		the device's memory: registers, then the buffer
 * @commands:		commands started
 * @cancels:		cancels written while a command ran
 * @start_stuck:	start never clears by itself
 * @ignore_cancel:	a cancel leaves start set
 * @ignore_ready:	cmdReady stays requested
 * @ignore_idle:	goIdle stays requested
 * @no_locality:	locality 0 is never granted
 * @rsp_claims:		if set, the response header claims this length
 * @fatal:		the status register reports a fatal error
 */
struct crb_sim {
	struct tpm_crb crb;
	u8 mem[SIM_LEN];
	int commands, cancels;
	bool start_stuck, ignore_cancel, ignore_ready, ignore_idle;
	bool no_locality, fatal;
	u32 rsp_claims;
};

static struct crb_sim *to_sim(struct tpm_crb *crb)
{
	return container_of(crb, struct crb_sim, crb);
}

static u32 *sim_reg(struct crb_sim *s, u32 off)
{
	return (u32 *)(s->mem + off);
}

static u32 *sim_ctrl(struct crb_sim *s, u32 reg)
{
	return sim_reg(s, CRB_CTRL_AREA_OFFSET + reg);
}

/* GetRandom(n): a response of n bytes of 0x5a, in the same buffer. */
static void sim_execute(struct crb_sim *s)
{
	u8 *buf = s->mem + SIM_BUF;
	u16 n = get_unaligned_be16(buf + TPM_HEADER_SIZE);
	u32 len = TPM_HEADER_SIZE + 2 + n;

	s->commands++;
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(s->rsp_claims ?: len, buf + 2);
	put_unaligned_be32(0, buf + 6);
	put_unaligned_be16(n, buf + TPM_HEADER_SIZE);
	memset(buf + TPM_HEADER_SIZE + 2, 0x5a, n);
	if (!s->start_stuck)
		*sim_ctrl(s, CRB_CTRL_START) = 0;
}

static u32 sim_read32(struct tpm_crb *crb, u32 off)
{
	struct crb_sim *s = to_sim(crb);

	if (off == CRB_CTRL_AREA_OFFSET + CRB_CTRL_STS)
		return (*sim_reg(s, off) & ~CRB_CTRL_STS_ERROR) |
		       (s->fatal ? CRB_CTRL_STS_ERROR : 0);
	return *sim_reg(s, off);
}

static void sim_loc_ctrl(struct crb_sim *s, u32 v)
{
	u32 *state = sim_reg(s, CRB_LOC_STATE);

	if ((v & CRB_LOC_CTRL_REQUEST) && !s->no_locality)
		*state |= CRB_LOC_STATE_ASSIGNED;
	if (v & CRB_LOC_CTRL_RELINQUISH)
		*state &= ~CRB_LOC_STATE_ASSIGNED;
}

static void sim_ctrl_req(struct crb_sim *s, u32 v)
{
	u32 *sts = sim_ctrl(s, CRB_CTRL_STS);

	*sim_ctrl(s, CRB_CTRL_REQ) = 0;
	if (v & CRB_CTRL_REQ_CMD_READY) {
		if (s->ignore_ready)
			*sim_ctrl(s, CRB_CTRL_REQ) |= CRB_CTRL_REQ_CMD_READY;
		else
			*sts &= ~CRB_CTRL_STS_IDLE;
	}
	if (v & CRB_CTRL_REQ_GO_IDLE) {
		if (s->ignore_idle)
			*sim_ctrl(s, CRB_CTRL_REQ) |= CRB_CTRL_REQ_GO_IDLE;
		else
			*sts |= CRB_CTRL_STS_IDLE;
	}
}

static void sim_write32(struct tpm_crb *crb, u32 off, u32 v)
{
	struct crb_sim *s = to_sim(crb);
	u32 *start = sim_ctrl(s, CRB_CTRL_START);

	switch (off - CRB_CTRL_AREA_OFFSET) {
	case CRB_CTRL_REQ:
		sim_ctrl_req(s, v);
		return;
	case CRB_CTRL_START:
		if ((v & CRB_START_INVOKE) && !(*start & CRB_START_INVOKE)) {
			*start = CRB_START_INVOKE;
			sim_execute(s);
		}
		return;
	case CRB_CTRL_CANCEL:
		*sim_ctrl(s, CRB_CTRL_CANCEL) = v;
		if ((v & CRB_CANCEL_INVOKE) && (*start & CRB_START_INVOKE)) {
			s->cancels++;
			if (!s->ignore_cancel)
				*start = 0;
		}
		return;
	}
	if (off == CRB_LOC_CTRL)
		sim_loc_ctrl(s, v);
	else
		*sim_reg(s, off) = v;
}

static void sim_read(struct tpm_crb *crb, u32 off, void *to, size_t len)
{
	memcpy(to, to_sim(crb)->mem + off, len);
}

static void sim_write(struct tpm_crb *crb, u32 off, const void *from,
		      size_t len)
{
	memcpy(to_sim(crb)->mem + off, from, len);
}

static const struct tpm_crb_io sim_io = {
	.read32 = sim_read32,
	.write32 = sim_write32,
	.read = sim_read,
	.write = sim_write,
};

/* The device as QEMU lays it out: one buffer for command and response. */
static struct crb_sim *sim_new(struct kunit *test)
{
	struct crb_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->crb.io = &sim_io;
	s->crb.ctrl = CRB_CTRL_AREA_OFFSET;
	s->crb.has_loc = true;
	*sim_reg(s, CRB_LOC_STATE) = CRB_LOC_STATE_VALID;
	*sim_ctrl(s, CRB_CTRL_STS) = CRB_CTRL_STS_IDLE;
	*sim_ctrl(s, CRB_CTRL_CMD_SIZE) = SIM_BUF_LEN;
	*sim_ctrl(s, CRB_CTRL_CMD_LADDR) = lower_32_bits(SIM_BASE + SIM_BUF);
	*sim_ctrl(s, CRB_CTRL_CMD_HADDR) = upper_32_bits(SIM_BASE + SIM_BUF);
	*sim_ctrl(s, CRB_CTRL_RSP_SIZE) = SIM_BUF_LEN;
	*sim_ctrl(s, CRB_CTRL_RSP_ADDR) = lower_32_bits(SIM_BASE + SIM_BUF);
	*sim_ctrl(s, CRB_CTRL_RSP_ADDR + 4) = upper_32_bits(SIM_BASE + SIM_BUF);
	return s;
}

static struct tpm_chip *sim_chip(struct kunit *test, struct crb_sim **sp)
{
	struct crb_sim *s = sim_new(test);
	struct tpm_chip *chip;

	KUNIT_ASSERT_EQ(test, 0, tpm_crb_setup(&s->crb, NULL, SIM_BASE,
					       SIM_LEN));
	chip = fake_chip_new(test, &tpm_crb_ops, &s->crb);
	/* Keep the failing cases short. */
	chip->duration[TPM_LONG] = msecs_to_jiffies(100);
	*sp = s;
	return chip;
}

/* GetRandom(n) through the core; the response length or an errno. */
static ssize_t sim_get_random(struct tpm_chip *chip, u8 *buf, u16 n)
{
	ssize_t rc;

	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(12, buf + 2);
	put_unaligned_be32(TPM2_CC_GET_RANDOM, buf + 6);
	put_unaligned_be16(n, buf + 10);
	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tpm_transmit(chip, buf, TPM_BUFSIZE);
	tpm_put_ops(chip);
	return rc;
}

/* The device let go after each command: locality released, idle. */
static void expect_released(struct kunit *test, struct crb_sim *s)
{
	KUNIT_EXPECT_FALSE(test, *sim_reg(s, CRB_LOC_STATE) &
			   CRB_LOC_STATE_ASSIGNED);
	KUNIT_EXPECT_TRUE(test, *sim_ctrl(s, CRB_CTRL_STS) & CRB_CTRL_STS_IDLE);
}

/* A good command afterwards: nothing was left stuck. */
static void expect_recovers(struct kunit *test, struct tpm_chip *chip,
			    struct crb_sim *s, u8 *buf)
{
	s->start_stuck = false;
	s->ignore_cancel = false;
	s->ignore_ready = false;
	s->ignore_idle = false;
	s->no_locality = false;
	s->fatal = false;
	s->rsp_claims = 0;
	*sim_ctrl(s, CRB_CTRL_START) = 0;
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	expect_released(test, s);
}

static void crb_round_trip(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, s->crb.cmd, SIM_BUF);
	KUNIT_EXPECT_EQ(test, s->crb.rsp_size, SIM_BUF_LEN);
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, buf[TPM_HEADER_SIZE + 2], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[43], 0x5a);
	KUNIT_EXPECT_EQ(test, s->commands, 1);
	expect_released(test, s);
}

/* Start never clears: the command times out and is cancelled. */
static void crb_start_never_clears(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->start_stuck = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->cancels, 1);
	KUNIT_EXPECT_EQ(test, *sim_ctrl(s, CRB_CTRL_CANCEL), 0);
	expect_recovers(test, chip, s, buf);
}

/*
 * Cancel ignored too: start stays set, so the next command is refused
 * rather than written over the one still running; once the device
 * finishes, commands go through again.
 */
static void crb_cancel_ignored(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->start_stuck = true;
	s->ignore_cancel = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, -EBUSY, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 1);
	expect_recovers(test, chip, s, buf);
}

/* cmdReady never acknowledged: the chip cannot be started. */
static void crb_cmd_ready_never(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->ignore_ready = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 0);
	KUNIT_EXPECT_FALSE(test, *sim_reg(s, CRB_LOC_STATE) &
			   CRB_LOC_STATE_ASSIGNED);
	expect_recovers(test, chip, s, buf);
}

/* goIdle ignored: the command still works, nothing hangs. */
static void crb_idle_ignored(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->ignore_idle = true;
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	expect_recovers(test, chip, s, buf);
}

/* A response whose header claims more than the buffer, or too little. */
static void crb_response_lies(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->rsp_claims = SIM_BUF_LEN + 1;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 8));
	s->rsp_claims = 0xffffffff;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 8));
	s->rsp_claims = TPM_HEADER_SIZE - 1;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 8));
	expect_recovers(test, chip, s, buf);
}

/* Locality never granted; a fatal error; a command larger than the buffer. */
static void crb_device_refuses(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s->no_locality = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 0);
	s->no_locality = false;
	s->fatal = true;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 0);
	s->fatal = false;
	s->crb.cmd_size = 11;
	KUNIT_EXPECT_EQ(test, -E2BIG, sim_get_random(chip, buf, 8));
	s->crb.cmd_size = SIM_BUF_LEN;
	expect_recovers(test, chip, s, buf);
}

/* Buffers the device's memory does not hold are refused at setup. */
static void crb_setup_refuses_buffers(struct kunit *test)
{
	struct crb_sim *s = sim_new(test);

	*sim_ctrl(s, CRB_CTRL_CMD_LADDR) = lower_32_bits(SIM_BASE + SIM_LEN);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	s = sim_new(test);
	*sim_ctrl(s, CRB_CTRL_RSP_SIZE) = SIM_BUF_LEN + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	s = sim_new(test);
	*sim_ctrl(s, CRB_CTRL_CMD_HADDR) = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	s = sim_new(test);
	*sim_ctrl(s, CRB_CTRL_RSP_SIZE) = 0xffffffff;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	/* Separate buffers: fine, and one buffer must have one size. */
	s = sim_new(test);
	*sim_ctrl(s, CRB_CTRL_CMD_SIZE) = 0x400;
	*sim_ctrl(s, CRB_CTRL_RSP_ADDR) = lower_32_bits(SIM_BASE + 0x500);
	*sim_ctrl(s, CRB_CTRL_RSP_SIZE) = 0x400;
	KUNIT_EXPECT_EQ(test, 0, tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	KUNIT_EXPECT_EQ(test, s->crb.rsp, 0x500);
	s = sim_new(test);
	*sim_ctrl(s, CRB_CTRL_CMD_SIZE) = 0x400;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tpm_crb_setup(&s->crb, NULL, SIM_BASE, SIM_LEN));
	KUNIT_EXPECT_FALSE(test, *sim_reg(s, CRB_LOC_STATE) &
			   CRB_LOC_STATE_ASSIGNED);
}

static struct kunit_case tpm_crb_cases[] = {
	KUNIT_CASE(crb_round_trip),
	KUNIT_CASE(crb_start_never_clears),
	KUNIT_CASE(crb_cancel_ignored),
	KUNIT_CASE(crb_cmd_ready_never),
	KUNIT_CASE(crb_idle_ignored),
	KUNIT_CASE(crb_response_lies),
	KUNIT_CASE(crb_device_refuses),
	KUNIT_CASE(crb_setup_refuses_buffers),
	{}
};

static struct kunit_suite tpm_crb_suite = {
	.name = "tpm_crb",
	.test_cases = tpm_crb_cases,
};

kunit_test_suite(tpm_crb_suite);

MODULE_DESCRIPTION("KUnit tests of the CRB driver against a misbehaving simulated device");
MODULE_LICENSE("GPL");
