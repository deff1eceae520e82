// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the TIS core against a TIS register file simulated here, driven
 * through the same phy callbacks as the MMIO driver, with the device
 * misbehaving on purpose.
 */
#include <kunit/test.h>
#include "tpm_tis_core.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

enum sim_state { SIM_IDLE, SIM_READY, SIM_RECEPTION, SIM_COMPLETION, SIM_CANCELED };

/**
 * struct tis_sim - a TIS device with fault knobs
 * @data:		what the TIS core sees
 * @test:		the test, failed on an access the interface does not take
 * @wide:		the interface takes 4-byte FIFO accesses (TPM_INTF_CAPS)
 * @active:		locality 0 is active
 * @state:		the FIFO state machine
 * @cmd:		the command written so far
 * @cmd_len:		its length
 * @ran_len:		the length of the last command run
 * @rsp:		the response the device answers with
 * @rsp_len:		its length (including any extra bytes)
 * @rd:			read offset into @rsp
 * @did_vid:		TPM_DID_VID
 * @burst:		the burst count reported (0: 64)
 * @burst_zero:		the next this many STS reads report burstCount 0;
 *			negative: forever
 * @burst_zero_until:	burstCount is 0 until then (jiffies; 0: never)
 * @cancel_sts:		if set, the command is cancelled at tpmGo and STS
 *			reads this (the vendor's cancelled status)
 * @never_valid:	stsValid never set
 * @never_avail:	dataAvail never set
 * @expect_early:	Expect drops before the command is complete
 * @expect_late:	Expect stays set after the command is complete
 * @expect_early_left:	as @expect_early, for this many commands (each
 *			attempt the core aborts counts one)
 * @hdr_len:		if set, the response header claims this length
 * @extra:		bytes left over after the declared length
 * @dup_at:		index of a byte delivered twice ...
 * @drop_at:		... or skipped (-1: none)
 * @glitches:		how many reads of the response suffer it
 * @no_locality:	locality requests are never granted
 * @ignore_ready:	commandReady writes are ignored
 * @gone:		everything reads as all ones
 * @retries:		responseRetry writes seen
 * @sts_reads:		reads of STS
 */
struct tis_sim {
	struct tpm_tis_data data;
	struct kunit *test;
	bool wide;
	bool active;
	enum sim_state state;
	u8 cmd[TPM_BUFSIZE];
	size_t cmd_len;
	size_t ran_len;
	u8 rsp[TPM_BUFSIZE + 16];
	int rsp_len;
	int rd;
	u32 did_vid;
	u32 burst;
	int burst_zero;
	unsigned long burst_zero_until;
	u8 cancel_sts;
	bool never_valid, never_avail, expect_early, expect_late;
	int expect_early_left;
	u32 hdr_len;
	int extra;
	int dup_at, drop_at, glitches;
	bool no_locality, ignore_ready, gone;
	int retries;
	int sts_reads;
};

static struct tis_sim *to_sim(struct tpm_tis_data *data)
{
	return container_of(data, struct tis_sim, data);
}

static bool sim_cmd_complete(struct tis_sim *s)
{
	return s->cmd_len >= 6 && s->cmd_len >= tpm_hdr_len(s->cmd);
}

static u32 sim_sts(struct tis_sim *s)
{
	u32 sts = s->never_valid ? 0 : TPM_STS_VALID;
	u32 burst = s->burst ?: 64;

	if (s->burst_zero) {
		burst = 0;
		if (s->burst_zero > 0)
			s->burst_zero--;
	}
	if (s->burst_zero_until && time_before(jiffies, s->burst_zero_until))
		burst = 0;
	switch (s->state) {
	case SIM_CANCELED:
		return s->cancel_sts;
	case SIM_READY:
		sts |= TPM_STS_COMMAND_READY;
		break;
	case SIM_RECEPTION:
		if (s->expect_late ||
		    (!sim_cmd_complete(s) &&
		     !((s->expect_early || s->expect_early_left > 0) && s->cmd_len > 4)))
			sts |= TPM_STS_EXPECT;
		break;
	case SIM_COMPLETION:
		if (s->rd < s->rsp_len && !s->never_avail)
			sts |= TPM_STS_DATA_AVAIL;
		break;
	default:
		break;
	}
	return sts | burst << TPM_STS_BURST_SHIFT;
}

/* The device runs the command: GetRandom(n) gets n bytes, anything else OK. */
static void sim_execute(struct tis_sim *s)
{
	u16 n = 0;

	s->ran_len = s->cmd_len;
	if (tpm_hdr_code(s->cmd) == TPM2_CC_GET_RANDOM)
		n = get_unaligned_be16(s->cmd + TPM_HEADER_SIZE);
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, s->rsp);
	put_unaligned_be32(0, s->rsp + 6);
	s->rsp_len = TPM_HEADER_SIZE;
	if (n) {
		put_unaligned_be16(n, s->rsp + TPM_HEADER_SIZE);
		get_random_bytes(s->rsp + TPM_HEADER_SIZE + 2, n);
		s->rsp_len += 2 + n;
	}
	put_unaligned_be32(s->hdr_len ?: s->rsp_len, s->rsp + 2);
	memset(s->rsp + s->rsp_len, 0xee, s->extra);
	s->rsp_len += s->extra;
	s->rd = 0;
	s->state = SIM_COMPLETION;
}

static u8 sim_fifo_read(struct tis_sim *s)
{
	u8 v;

	if (s->state != SIM_COMPLETION || s->rd >= s->rsp_len)
		return 0xff;
	if (s->glitches && s->drop_at >= 0 && s->rd == s->drop_at) {
		s->glitches--;
		s->rd++;	/* this byte is lost on the way */
		if (s->rd >= s->rsp_len)
			return 0xff;
	}
	v = s->rsp[s->rd];
	if (s->glitches && s->dup_at >= 0 && s->rd == s->dup_at) {
		s->glitches--;
		return v;	/* the next read delivers it again */
	}
	s->rd++;
	return v;
}

/* A FIFO access of @width bytes, where the interface takes it. */
static u32 sim_fifo_read_width(struct tis_sim *s, unsigned int width)
{
	u32 v = 0;
	unsigned int i;

	if (width == 4 && !s->wide)
		KUNIT_FAIL(s->test, "a 4-byte FIFO access to a byte-wide interface");
	for (i = 0; i < width; i++)
		v |= (u32)sim_fifo_read(s) << (8 * i);
	return v;
}

static int sim_read(struct tpm_tis_data *data, u32 addr, unsigned int width,
		    u32 *result)
{
	struct tis_sim *s = to_sim(data);
	u32 v = 0;

	KUNIT_EXPECT_TRUE(s->test, width == 1 || width == 4);
	if (s->gone) {
		*result = width == 4 ? ~0U : 0xff;
		return 0;
	}
	switch (addr) {
	case TPM_ACCESS(0):
		v = TPM_ACCESS_VALID | (s->active ? TPM_ACCESS_ACTIVE_LOCALITY : 0);
		break;
	case TPM_STS(0):
		s->sts_reads++;
		v = s->active ? sim_sts(s) : ~0U;
		break;
	case TPM_INTF_CAPS(0):
		v = s->wide ? TPM_INTF_XFER_SIZE_MASK : 0;
		break;
	case TPM_DID_VID(0):
		v = s->did_vid;
		break;
	case TPM_RID(0):
		v = 1;
		break;
	case TPM_DATA_FIFO(0):
		*result = sim_fifo_read_width(s, width);
		return 0;
	}
	*result = width == 4 ? v : v & 0xff;
	return 0;
}

static void sim_sts_write(struct tis_sim *s, u8 v)
{
	if (v & TPM_STS_COMMAND_READY && !s->ignore_ready) {
		if (s->state == SIM_RECEPTION && s->expect_early_left > 0)
			s->expect_early_left--;
		s->state = SIM_READY;
		s->cmd_len = 0;
	}
	if (v & TPM_STS_GO && s->state == SIM_RECEPTION && sim_cmd_complete(s)) {
		if (s->cancel_sts)
			s->state = SIM_CANCELED;
		else
			sim_execute(s);
	}
	if (v & TPM_STS_RESPONSE_RETRY && s->state == SIM_COMPLETION) {
		s->rd = 0;
		s->retries++;
	}
}

static void sim_fifo_write(struct tis_sim *s, unsigned int width, u32 v)
{
	unsigned int i;

	if (width == 4 && !s->wide)
		KUNIT_FAIL(s->test, "a 4-byte FIFO access to a byte-wide interface");
	if (s->state == SIM_READY)
		s->state = SIM_RECEPTION;
	for (i = 0; i < width; i++)
		if (s->state == SIM_RECEPTION && s->cmd_len < sizeof(s->cmd))
			s->cmd[s->cmd_len++] = v >> (8 * i);
}

static int sim_write(struct tpm_tis_data *data, u32 addr, unsigned int width,
		     u32 v)
{
	struct tis_sim *s = to_sim(data);

	KUNIT_EXPECT_TRUE(s->test, width == 1 || width == 4);
	if (s->gone)
		return 0;
	switch (addr) {
	case TPM_ACCESS(0):
		if (v & TPM_ACCESS_REQUEST_USE && !s->no_locality)
			s->active = true;
		if (v & TPM_ACCESS_ACTIVE_LOCALITY)
			s->active = false;
		break;
	case TPM_STS(0):
		if (s->active)
			sim_sts_write(s, v);
		break;
	case TPM_DATA_FIFO(0):
		if (s->active)
			sim_fifo_write(s, width, v);
		break;
	}
	return 0;
}

static const struct tpm_tis_phy_ops sim_phy_ops = {
	.read = sim_read,
	.write = sim_write,
};

/*
 * The interface takes 4-byte FIFO accesses (it says so in TPM_INTF_CAPS)
 * in the case running now (TIS_BOTH_WIDTHS; cases run one at a time).
 */
static bool tis_wide;

static struct tpm_chip *sim_chip(struct kunit *test, struct tis_sim **sp)
{
	struct tis_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->data.phy_ops = &sim_phy_ops;
	s->wide = tis_wide;
	s->data.wide_fifo = s->wide;
	s->did_vid = 0x00011014;
	s->dup_at = -1;
	s->drop_at = -1;
	chip = fake_chip_new(test, &tpm_tis_ops, &s->data);
	/* Keep the failing cases short. */
	chip->timeout_a = msecs_to_jiffies(50);
	chip->timeout_b = msecs_to_jiffies(50);
	chip->duration[TPM_LONG] = msecs_to_jiffies(100);
	*sp = s;
	return chip;
}

/* GetRandom(n) through the core; returns the response length or errno. */
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

/* A good command afterwards: nothing was left stuck. */
static void expect_recovers(struct kunit *test, struct tpm_chip *chip,
			    struct tis_sim *s, u8 *buf)
{
	s->burst_zero = 0;
	s->never_valid = false;
	s->never_avail = false;
	s->expect_early = false;
	s->expect_late = false;
	s->hdr_len = 0;
	s->extra = 0;
	s->glitches = 0;
	s->ignore_ready = false;
	s->cancel_sts = 0;
	s->burst_zero_until = 0;
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_FALSE(test, s->active);
}

static void tis_round_trip_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_MEMEQ(test, buf, s->rsp, 44);
	KUNIT_EXPECT_EQ(test, 0, s->retries);
	KUNIT_EXPECT_FALSE(test, s->active);
}

/*
 * Each STS read is a trip to the device.  With a device that completes at
 * once and takes the whole command in one burst, a command costs: ready
 * (2 on the first command: read, then wait after commandReady), Expect
 * after the body and after the last byte (2), completion (1), and for the
 * response dataAvail before the header, the body and the last byte, and
 * clear at the end (4) -- the burst counts come from those same reads.
 */
static void tis_sts_reads_per_command_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 9, s->sts_reads);
	/* The device was left ready: one read fewer from now on. */
	s->sts_reads = 0;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 8, s->sts_reads);
}

static void tis_burst_zero_then_recovers_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->burst_zero = 3;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 0, s->burst_zero);
}

static void tis_burst_zero_forever_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->burst_zero = -1;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_FALSE(test, s->active);
	expect_recovers(test, chip, s, buf);
}

static void tis_sts_valid_never_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->never_valid = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 32));
	expect_recovers(test, chip, s, buf);
}

static void tis_data_avail_never_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->never_avail = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 32));
	expect_recovers(test, chip, s, buf);
}

static void tis_expect_wrong_during_write_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->expect_early = true;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_SEND_RETRIES, s->data.send_retries);
	expect_recovers(test, chip, s, buf);
}

/* A command the TPM took wrongly a few times is sent again, as upstream. */
static void tis_expect_wrong_then_sent_again_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->expect_early_left = 3;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 3U, s->data.send_retries);
	KUNIT_EXPECT_EQ(test, 0, s->expect_early_left);
}

/* An Intel iTPM's Expect is wrong both ways; it is not looked at. */
static void tis_itpm_expect_ignored_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->data.itpm = true;
	s->expect_late = true;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	s->expect_late = false;
	s->expect_early = true;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 0U, s->data.send_retries);
}

/*
 * A cancelled command leaves a status that differs by vendor (as the
 * TPM's DID_VID says): each is taken as cancelled at once, not waited
 * on for the command's whole duration (2 s for GetRandom).
 */
static void tis_cancel_status_by_vendor_at(struct kunit *test)
{
	static const struct { u16 vid; u8 sts; } cases[] = {
		{ 0x1014, TPM_STS_COMMAND_READY },
		{ 0x1050, TPM_STS_VALID },			/* Winbond */
		{ 0x1050, TPM_STS_VALID | TPM_STS_COMMAND_READY },
		{ 0x104A, TPM_STS_VALID | TPM_STS_COMMAND_READY },	/* STM */
	};
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	unsigned long t0;
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s->did_vid = 0x00010000 | cases[i].vid;
		KUNIT_ASSERT_EQ(test, 0, tpm_tis_identify(chip, &s->data));
		KUNIT_EXPECT_EQ(test, s->data.vendor, cases[i].vid);
		s->cancel_sts = cases[i].sts;
		t0 = jiffies;
		KUNIT_EXPECT_EQ_MSG(test, -ECANCELED, sim_get_random(chip, buf, 8),
				    "vendor 0x%04x status 0x%02x", cases[i].vid,
				    cases[i].sts);
		KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - t0), 1000U);
		expect_recovers(test, chip, s, buf);
	}
}

/*
 * A TPM 2.0's burst count may stay 0 for longer than its timeout D (30
 * ms): it is waited for up to timeout A, as upstream does.
 */
static void tis_burst_count_tpm2_timeout_a_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	chip->timeout_a = msecs_to_jiffies(500);
	chip->timeout_d = msecs_to_jiffies(5);
	s->burst_zero_until = jiffies + msecs_to_jiffies(50);
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
}

static void tis_expect_wrong_after_write_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->expect_late = true;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	expect_recovers(test, chip, s, buf);
}

static void tis_header_too_short_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->hdr_len = 6;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_READ_RETRIES, s->retries);
	expect_recovers(test, chip, s, buf);
}

static void tis_header_too_long_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->hdr_len = TPM_BUFSIZE + 1;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_READ_RETRIES, s->retries);
	expect_recovers(test, chip, s, buf);
}

static void tis_left_over_data_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->extra = 2;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_READ_RETRIES, s->retries);
	expect_recovers(test, chip, s, buf);
}

static void tis_byte_twice_recovered_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->dup_at = 20;
	s->glitches = 1;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 1, s->retries);
	KUNIT_EXPECT_MEMEQ(test, buf, s->rsp, 44);
}

static void tis_byte_dropped_recovered_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->drop_at = 20;
	s->glitches = 1;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 1, s->retries);
	KUNIT_EXPECT_MEMEQ(test, buf, s->rsp, 44);
}

static void tis_byte_in_header_twice_recovered_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->dup_at = 3;
	s->glitches = 1;
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, 1, s->retries);
	KUNIT_EXPECT_MEMEQ(test, buf, s->rsp, 44);
}

static void tis_byte_twice_always_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->dup_at = 20;
	s->glitches = INT_MAX;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_READ_RETRIES, s->retries);
	expect_recovers(test, chip, s, buf);
}

/*
 * A byte lost every time: each read waits out timeout C for the last
 * byte, so it is asked for again only TPM_TIS_SLOW_RETRIES times (not
 * the 50 a read that fails at once gets).
 */
static void tis_byte_dropped_always_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->drop_at = 20;
	s->glitches = INT_MAX;
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, TPM_TIS_SLOW_RETRIES, s->retries);
	expect_recovers(test, chip, s, buf);
}

static void tis_locality_never_granted_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->no_locality = true;
	KUNIT_EXPECT_EQ(test, -EBUSY, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_FALSE(test, s->active);
	s->no_locality = false;
	expect_recovers(test, chip, s, buf);
}

static void tis_command_ready_ignored_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->ignore_ready = true;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_FALSE(test, s->active);
	expect_recovers(test, chip, s, buf);
}

static void tis_device_gone_at(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);

	s->gone = true;
	KUNIT_EXPECT_EQ(test, -ENODEV, sim_get_random(chip, buf, 32));
}

/*
 * The FIFO moved in bursts of every size, responses of every length
 * modulo 4: the 4-byte accesses and the single bytes around them carry
 * every byte where it belongs, both ways.
 */
static void tis_fifo_every_length_at(struct kunit *test)
{
	static const u32 bursts[] = { 1, 2, 3, 5, 7, 64 };
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tis_sim *s;
	struct tpm_chip *chip = sim_chip(test, &s);
	unsigned int i, n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(bursts); i++) {
		s->burst = bursts[i];
		for (n = 1; n <= 9; n++) {
			KUNIT_EXPECT_EQ(test, TPM_HEADER_SIZE + 2 + n,
					sim_get_random(chip, buf, n));
			KUNIT_EXPECT_EQ(test, s->ran_len, 12);
			KUNIT_EXPECT_EQ(test, get_unaligned_be16(s->cmd + 10), n);
			KUNIT_EXPECT_EQ(test, 0, memcmp(buf, s->rsp, TPM_HEADER_SIZE + 2 + n));
		}
	}
}

/* Every case runs with 1-byte FIFO accesses, then with 4-byte ones. */
#define TIS_BOTH_WIDTHS(name)					\
static void name(struct kunit *test)				\
{								\
	tis_wide = false;					\
	name##_at(test);					\
	kunit_info(test, "now with 4-byte FIFO accesses\n");	\
	tis_wide = true;					\
	name##_at(test);					\
}

TIS_BOTH_WIDTHS(tis_round_trip)
TIS_BOTH_WIDTHS(tis_sts_reads_per_command)
TIS_BOTH_WIDTHS(tis_burst_zero_then_recovers)
TIS_BOTH_WIDTHS(tis_burst_zero_forever)
TIS_BOTH_WIDTHS(tis_sts_valid_never)
TIS_BOTH_WIDTHS(tis_data_avail_never)
TIS_BOTH_WIDTHS(tis_expect_wrong_during_write)
TIS_BOTH_WIDTHS(tis_expect_wrong_then_sent_again)
TIS_BOTH_WIDTHS(tis_itpm_expect_ignored)
TIS_BOTH_WIDTHS(tis_cancel_status_by_vendor)
TIS_BOTH_WIDTHS(tis_burst_count_tpm2_timeout_a)
TIS_BOTH_WIDTHS(tis_expect_wrong_after_write)
TIS_BOTH_WIDTHS(tis_header_too_short)
TIS_BOTH_WIDTHS(tis_header_too_long)
TIS_BOTH_WIDTHS(tis_left_over_data)
TIS_BOTH_WIDTHS(tis_byte_twice_recovered)
TIS_BOTH_WIDTHS(tis_byte_dropped_recovered)
TIS_BOTH_WIDTHS(tis_byte_in_header_twice_recovered)
TIS_BOTH_WIDTHS(tis_byte_twice_always)
TIS_BOTH_WIDTHS(tis_byte_dropped_always)
TIS_BOTH_WIDTHS(tis_locality_never_granted)
TIS_BOTH_WIDTHS(tis_command_ready_ignored)
TIS_BOTH_WIDTHS(tis_device_gone)
TIS_BOTH_WIDTHS(tis_fifo_every_length)

static struct kunit_case tpm_tis_cases[] = {
	KUNIT_CASE(tis_round_trip),
	KUNIT_CASE(tis_sts_reads_per_command),
	KUNIT_CASE(tis_burst_zero_then_recovers),
	KUNIT_CASE(tis_burst_zero_forever),
	KUNIT_CASE(tis_sts_valid_never),
	KUNIT_CASE(tis_data_avail_never),
	KUNIT_CASE(tis_expect_wrong_during_write),
	KUNIT_CASE(tis_expect_wrong_then_sent_again),
	KUNIT_CASE(tis_itpm_expect_ignored),
	KUNIT_CASE(tis_cancel_status_by_vendor),
	KUNIT_CASE(tis_burst_count_tpm2_timeout_a),
	KUNIT_CASE(tis_expect_wrong_after_write),
	KUNIT_CASE(tis_header_too_short),
	KUNIT_CASE(tis_header_too_long),
	KUNIT_CASE(tis_left_over_data),
	KUNIT_CASE(tis_byte_twice_recovered),
	KUNIT_CASE(tis_byte_dropped_recovered),
	KUNIT_CASE(tis_byte_in_header_twice_recovered),
	KUNIT_CASE(tis_byte_twice_always),
	KUNIT_CASE(tis_byte_dropped_always),
	KUNIT_CASE(tis_locality_never_granted),
	KUNIT_CASE(tis_command_ready_ignored),
	KUNIT_CASE(tis_device_gone),
	KUNIT_CASE(tis_fifo_every_length),
	{}
};

static struct kunit_suite tpm_tis_suite = {
	.name = "tpm_tis_core",
	.test_cases = tpm_tis_cases,
};

kunit_test_suite(tpm_tis_suite);

MODULE_DESCRIPTION("KUnit tests for the TIS core against a simulated device");
MODULE_LICENSE("GPL");
