// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the CRB driver against a CRB device simulated here, driven
 * through the same device access callbacks as MMIO and ACPI, with the
 * device misbehaving on purpose (start never clears, cmdReady never comes,
 * goIdle ignored, a response larger than its buffer, cancel ignored,
 * locality never granted, a fatal error) and firmware laying it out as
 * machines ship it: every start method the driver takes, buffers in
 * separate resources, outside them, past their end, above 4 GiB.  The
 * simulator fails the test on any access to an address the driver did not
 * map first, or that is not the device's.
 */
#include <kunit/test.h>
#include "tpm_crb.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* QEMU's layout: one resource, registers, then one buffer. */
#define SIM_BASE	0xFED40000ULL
#define SIM_LEN		0x1000
#define SIM_CTRL	(SIM_BASE + CRB_CTRL_AREA_OFFSET)
#define SIM_BUF		(SIM_BASE + 0x80)
#define SIM_BUF_LEN	(SIM_LEN - 0x80)
/* What backs each simulated buffer. */
#define SIM_MEM_LEN	0x1000
#define SIM_MAX_MAPS	TPM_CRB_MAX_WIN

/**
 * struct crb_sim - a CRB device with fault knobs
 * @crb:		what the driver sees
 * @test:		the test, failed on a stray access
 * @regs_pa:		the locality registers; the control area follows
 * @regs:		their contents
 * @cmd_pa:		the command buffer
 * @cmd_mem:		its contents
 * @rsp_pa:		the response buffer (the command buffer's, or its own)
 * @rsp_mem:		its contents, when it has its own
 * @maps:		what the driver mapped
 * @nmaps:		how many
 * @db_start:		Pluton's start doorbell's address
 * @db_reply:		its reply doorbell's
 * @doorbells:		start doorbells rung
 * @commands:		commands started
 * @cancels:		cancels written while a command ran
 * @req_writes:		writes to the request register
 * @loc_writes:		writes to the locality control register
 * @dsm_calls:		ACPI start calls
 * @dsm_rc:		what they return
 * @start_stuck:	start never clears by itself
 * @ignore_cancel:	a cancel leaves start set
 * @ignore_ready:	cmdReady stays requested
 * @ignore_idle:	goIdle stays requested
 * @no_locality:	locality 0 is never granted
 * @deaf_from:		Pluton's reply doorbell stops saying it listens
 *			before the start doorbell's ring of this number (0: never)
 * @rsp_claims:		if set, the response header claims this length
 * @fatal:		the status register reports a fatal error
 */
struct crb_sim {
	struct tpm_crb crb;
	struct kunit *test;
	u64 regs_pa;
	u8 regs[CRB_CTRL_AREA_OFFSET + CRB_CTRL_AREA_LEN];
	u64 cmd_pa;
	u8 cmd_mem[SIM_MEM_LEN];
	u64 rsp_pa;
	u8 rsp_mem[SIM_MEM_LEN];
	struct tpm_crb_range maps[SIM_MAX_MAPS];
	unsigned int nmaps;
	u64 db_start, db_reply;
	int doorbells, commands, cancels, req_writes, loc_writes, dsm_calls;
	int dsm_rc;
	bool start_stuck, ignore_cancel, ignore_ready, ignore_idle;
	bool no_locality, fatal;
	int deaf_from;
	u32 rsp_claims;
};

static struct crb_sim *to_sim(struct tpm_crb *crb)
{
	return container_of(crb, struct crb_sim, crb);
}

static bool sim_in(u64 pa, size_t len, u64 start, u64 size)
{
	return pa >= start && pa - start < size && len <= size - (pa - start);
}

static bool sim_mapped(struct crb_sim *s, u64 pa, size_t len)
{
	unsigned int i;

	for (i = 0; i < s->nmaps; i++)
		if (sim_in(pa, len, s->maps[i].pa, s->maps[i].len))
			return true;
	KUNIT_FAIL(s->test, "access to 0x%llx (%zu bytes), not mapped", pa, len);
	return false;
}

/* The device's memory at @pa: the test fails if it is not the device's. */
static u8 *sim_mem(struct crb_sim *s, u64 pa, size_t len)
{
	static u8 scratch[SIM_MEM_LEN];

	sim_mapped(s, pa, len);
	if (sim_in(pa, len, s->regs_pa, sizeof(s->regs)))
		return s->regs + (pa - s->regs_pa);
	if (sim_in(pa, len, s->cmd_pa, SIM_MEM_LEN))
		return s->cmd_mem + (pa - s->cmd_pa);
	if (sim_in(pa, len, s->rsp_pa, SIM_MEM_LEN))
		return s->rsp_mem + (pa - s->rsp_pa);
	KUNIT_FAIL(s->test, "access to 0x%llx (%zu bytes), not the device's",
		   pa, len);
	return scratch;
}

static u32 *sim_reg(struct crb_sim *s, u32 off)
{
	return (u32 *)(s->regs + off);
}

static u32 *sim_ctrl(struct crb_sim *s, u32 reg)
{
	return sim_reg(s, CRB_CTRL_AREA_OFFSET + reg);
}

static u8 *sim_rsp(struct crb_sim *s)
{
	return s->rsp_pa == s->cmd_pa ? s->cmd_mem : s->rsp_mem;
}

/* GetRandom(n): a response of n bytes of 0x5a. */
static void sim_execute(struct crb_sim *s)
{
	u16 n = get_unaligned_be16(s->cmd_mem + TPM_HEADER_SIZE);
	u8 *buf = sim_rsp(s);
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

/* The start methods where the firmware, not the start register, runs it. */
static bool sim_acpi(struct crb_sim *s)
{
	return s->crb.sm == TPM_CRB_SM_ACPI || s->crb.sm == TPM_CRB_SM_CRB_ACPI;
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

/*
 * Pluton does what the request and start registers ask only when its
 * start doorbell rings.
 */
static void sim_doorbell(struct crb_sim *s)
{
	u32 req = *sim_ctrl(s, CRB_CTRL_REQ);

	s->doorbells++;
	if (req)
		sim_ctrl_req(s, req);
	if (*sim_ctrl(s, CRB_CTRL_START) & CRB_START_INVOKE)
		sim_execute(s);
}

static u32 sim_read32(struct tpm_crb *crb, u64 pa)
{
	struct crb_sim *s = to_sim(crb);

	if (s->db_reply && pa == s->db_reply && sim_mapped(s, pa, 4))
		return s->deaf_from && s->doorbells + 1 >= s->deaf_from ? 0 : 1;
	if (s->db_start && pa == s->db_start && sim_mapped(s, pa, 4))
		return 0;
	if (pa == s->regs_pa + CRB_CTRL_AREA_OFFSET + CRB_CTRL_STS)
		return (*(u32 *)sim_mem(s, pa, 4) & ~CRB_CTRL_STS_ERROR) |
		       (s->fatal ? CRB_CTRL_STS_ERROR : 0);
	return *(u32 *)sim_mem(s, pa, 4);
}

static void sim_loc_ctrl(struct crb_sim *s, u32 v)
{
	u32 *state = sim_reg(s, CRB_LOC_STATE);

	s->loc_writes++;
	if ((v & CRB_LOC_CTRL_REQUEST) && !s->no_locality)
		*state |= CRB_LOC_STATE_ASSIGNED;
	if (v & CRB_LOC_CTRL_RELINQUISH)
		*state &= ~CRB_LOC_STATE_ASSIGNED;
}

static void sim_start(struct crb_sim *s, u32 v)
{
	u32 *start = sim_ctrl(s, CRB_CTRL_START);

	if (!(v & CRB_START_INVOKE) || (*start & CRB_START_INVOKE))
		return;
	*start = CRB_START_INVOKE;
	/* The firmware (the _DSM) or Pluton's doorbell starts it. */
	if (!sim_acpi(s) && s->crb.sm != TPM_CRB_SM_PLUTON)
		sim_execute(s);
}

static void sim_write32(struct tpm_crb *crb, u64 pa, u32 v)
{
	struct crb_sim *s = to_sim(crb);
	u32 *start = sim_ctrl(s, CRB_CTRL_START);
	u32 *reg;

	if (s->db_start && pa == s->db_start && sim_mapped(s, pa, 4)) {
		if (v == 1)
			sim_doorbell(s);
		return;
	}
	reg = (u32 *)sim_mem(s, pa, 4);
	if (reg == sim_ctrl(s, CRB_CTRL_REQ)) {
		s->req_writes++;
		if (s->crb.sm == TPM_CRB_SM_PLUTON)
			*reg = v;
		else
			sim_ctrl_req(s, v);
	} else if (reg == start) {
		sim_start(s, v);
	} else if (reg == sim_ctrl(s, CRB_CTRL_CANCEL)) {
		*reg = v;
		if ((v & CRB_CANCEL_INVOKE) && (*start & CRB_START_INVOKE)) {
			s->cancels++;
			if (!s->ignore_cancel)
				*start = 0;
		}
	} else if (reg == sim_reg(s, CRB_LOC_CTRL)) {
		sim_loc_ctrl(s, v);
	} else {
		*reg = v;
	}
}

static void sim_read(struct tpm_crb *crb, u64 pa, void *to, size_t len)
{
	memcpy(to, sim_mem(to_sim(crb), pa, len), len);
}

static void sim_write(struct tpm_crb *crb, u64 pa, const void *from,
		      size_t len)
{
	memcpy(sim_mem(to_sim(crb), pa, len), from, len);
}

static int sim_map(struct tpm_crb *crb, u64 pa, u64 len)
{
	struct crb_sim *s = to_sim(crb);
	unsigned int i;

	/*
	 * As MMIO: a mapping that covers it already will do; one that
	 * overlaps it is a region requested twice.
	 */
	for (i = 0; i < s->nmaps; i++) {
		if (sim_in(pa, len, s->maps[i].pa, s->maps[i].len))
			return 0;
		if (pa < s->maps[i].pa + s->maps[i].len && s->maps[i].pa < pa + len)
			return -EBUSY;
	}
	KUNIT_ASSERT_LT(s->test, s->nmaps, SIM_MAX_MAPS);
	s->maps[s->nmaps].pa = pa;
	s->maps[s->nmaps].len = len;
	s->nmaps++;
	return 0;
}

/* The _DSM: runs a started command (or a cancel); its result. */
static int sim_acpi_start(struct tpm_crb *crb)
{
	struct crb_sim *s = to_sim(crb);

	s->dsm_calls++;
	if (s->dsm_rc)
		return s->dsm_rc;
	if ((*sim_ctrl(s, CRB_CTRL_START) & CRB_START_INVOKE) &&
	    !(*sim_ctrl(s, CRB_CTRL_CANCEL) & CRB_CANCEL_INVOKE))
		sim_execute(s);
	return 0;
}

static const struct tpm_crb_io sim_io = {
	.map = sim_map,
	.read32 = sim_read32,
	.write32 = sim_write32,
	.read = sim_read,
	.write = sim_write,
	.acpi_start = sim_acpi_start,
};

/* The buffers' registers: where they are and how large. */
static void sim_buffers(struct crb_sim *s, u64 cmd, u32 cmd_size, u64 rsp,
			u32 rsp_size)
{
	s->cmd_pa = cmd;
	s->rsp_pa = rsp;
	*sim_ctrl(s, CRB_CTRL_CMD_SIZE) = cmd_size;
	*sim_ctrl(s, CRB_CTRL_CMD_LADDR) = lower_32_bits(cmd);
	*sim_ctrl(s, CRB_CTRL_CMD_HADDR) = upper_32_bits(cmd);
	*sim_ctrl(s, CRB_CTRL_RSP_SIZE) = rsp_size;
	*sim_ctrl(s, CRB_CTRL_RSP_ADDR) = lower_32_bits(rsp);
	*sim_ctrl(s, CRB_CTRL_RSP_ADDR + 4) = upper_32_bits(rsp);
}

/* _CRS's memory resource @i, the last one. */
static void sim_res(struct crb_sim *s, unsigned int i, u64 pa, u64 len)
{
	s->crb.res[i].pa = pa;
	s->crb.res[i].len = len;
	s->crb.nres = i + 1;
}

/* A TPM2 table of @len bytes for start method @sm and the control area. */
static u8 *sim_table(struct kunit *test, u32 sm, u64 ctrl, u32 len)
{
	u8 *t = kunit_kzalloc(test, 128, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	memcpy(t, "TPM2", 4);
	put_unaligned_le32(len, t + 4);
	put_unaligned_le64(ctrl, t + TPM_CRB_TABLE_CTRL);
	put_unaligned_le32(sm, t + TPM_CRB_TABLE_SM);
	return t;
}

/* Parse a table of @len bytes for start method @sm. */
static int sim_parse(struct kunit *test, struct crb_sim *s, u32 sm, u32 len)
{
	return tpm_crb_parse_table(&s->crb, sim_table(test, sm, SIM_CTRL, len),
				   len);
}

/*
 * The device as QEMU lays it out (start method 7, one resource, one
 * buffer for command and response), the table parsed; not set up.
 */
static struct crb_sim *sim_new(struct kunit *test)
{
	struct crb_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u8 *t = sim_table(test, TPM_CRB_SM_CRB, SIM_CTRL, 76);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->crb.io = &sim_io;
	KUNIT_ASSERT_EQ(test, 0, tpm_crb_parse_table(&s->crb, t, 76));
	sim_res(s, 0, SIM_BASE, SIM_LEN);
	s->regs_pa = SIM_BASE;
	*sim_reg(s, CRB_LOC_STATE) = CRB_LOC_STATE_VALID;
	*sim_ctrl(s, CRB_CTRL_STS) = CRB_CTRL_STS_IDLE;
	sim_buffers(s, SIM_BUF, SIM_BUF_LEN, SIM_BUF, SIM_BUF_LEN);
	return s;
}

/* A chip for a device set up. */
static struct tpm_chip *sim_chip_of(struct kunit *test, struct crb_sim *s)
{
	struct tpm_chip *chip;

	KUNIT_ASSERT_EQ(test, 0, tpm_crb_setup(&s->crb));
	chip = fake_chip_new(test, &tpm_crb_ops, &s->crb);
	/* Keep the failing cases short. */
	chip->duration[TPM_LONG] = msecs_to_jiffies(100);
	return chip;
}

static struct tpm_chip *sim_chip(struct kunit *test, struct crb_sim **sp)
{
	*sp = sim_new(test);
	return sim_chip_of(test, *sp);
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

/*
 * Buffers as firmware describes them: one past the end of the resource
 * is cut to it (a command that fits still works), one in no resource or
 * above 4 GiB is mapped where it is; refused: a shared buffer with two
 * sizes, a buffer too small for a header.
 */
static void crb_setup_buffers(struct kunit *test)
{
	struct crb_sim *s = sim_new(test);
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Both sizes past the end: both cut, then the same again. */
	sim_buffers(s, SIM_BUF, 0xffffffff, SIM_BUF, SIM_BUF_LEN + 1);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_EQ(test, s->crb.cmd_size, SIM_BUF_LEN);
	KUNIT_EXPECT_EQ(test, s->crb.rsp_size, SIM_BUF_LEN);
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->nmaps, 1);
	/* Above 4 GiB, in no resource: mapped by itself. */
	s = sim_new(test);
	sim_buffers(s, 0x100000000ULL + SIM_BUF, 0x800, 0x100000000ULL + SIM_BUF,
		    0x800);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_EQ(test, s->crb.cmd, 0x100000000ULL + SIM_BUF);
	KUNIT_EXPECT_EQ(test, s->nmaps, 2);
	KUNIT_EXPECT_EQ(test, s->maps[1].pa, 0x100000000ULL + SIM_BUF);
	KUNIT_EXPECT_EQ(test, s->maps[1].len, 0x800);
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	/* Refused, and the device let go. */
	s = sim_new(test);
	sim_buffers(s, SIM_BUF, 0x400, SIM_BUF, SIM_BUF_LEN);
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_crb_setup(&s->crb));
	KUNIT_EXPECT_FALSE(test, *sim_reg(s, CRB_LOC_STATE) &
			   CRB_LOC_STATE_ASSIGNED);
	s = sim_new(test);
	sim_buffers(s, SIM_BASE + SIM_LEN - 4, 0x400, SIM_BUF, SIM_BUF_LEN);
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_crb_setup(&s->crb));
	s = sim_new(test);
	sim_buffers(s, SIM_BUF, 4, SIM_BASE + 0x800, 0x400);
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_crb_setup(&s->crb));
}

/*
 * AMD firmware TPMs: the control area, the command and the response
 * buffer each in a resource of its own; the response buffer runs past its
 * resource and is cut.  Each resource is mapped whole, once.
 */
static void crb_split_resources(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s = sim_new(test);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	sim_res(s, 1, 0xFED50000, 0x1000);
	sim_res(s, 2, 0xFED60000, 0x800);
	sim_buffers(s, 0xFED50100, 0x800, 0xFED60000, 0x1000);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_EQ(test, s->crb.cmd_size, 0x800);
	KUNIT_EXPECT_EQ(test, s->crb.rsp_size, 0x800);
	KUNIT_EXPECT_EQ(test, s->nmaps, 3);
	KUNIT_EXPECT_EQ(test, s->maps[0].pa, SIM_BASE);
	KUNIT_EXPECT_EQ(test, s->maps[0].len, SIM_LEN);
	KUNIT_EXPECT_EQ(test, s->maps[1].pa, 0xFED50000);
	KUNIT_EXPECT_EQ(test, s->maps[1].len, 0x1000);
	KUNIT_EXPECT_EQ(test, s->maps[2].pa, 0xFED60000);
	KUNIT_EXPECT_EQ(test, s->maps[2].len, 0x800);
	KUNIT_EXPECT_EQ(test, 44, sim_get_random(chip, buf, 32));
	KUNIT_EXPECT_EQ(test, s->rsp_mem[43], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[43], 0x5a);
	/* A response larger than the cut buffer is refused. */
	KUNIT_EXPECT_EQ(test, -EIO, sim_get_random(chip, buf, 0x800));
}

/*
 * The control area in no resource (so no locality registers either) and
 * the buffers after it: mapped where they are; the locality registers are
 * never touched.
 */
static void crb_ctrl_outside(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s = sim_new(test);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	sim_res(s, 0, 0xFE000000, SIM_LEN);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_FALSE(test, s->crb.has_loc);
	KUNIT_EXPECT_EQ(test, s->maps[0].pa, SIM_CTRL);
	KUNIT_EXPECT_EQ(test, s->maps[0].len, CRB_CTRL_AREA_LEN);
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->loc_writes, 0);
	/* In a resource, but not after locality registers. */
	s = sim_new(test);
	sim_res(s, 0, SIM_BASE + 0x20, SIM_LEN - 0x20);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_FALSE(test, s->crb.has_loc);
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->loc_writes, 0);
}

/*
 * Start methods 2 and 8 (Intel PTT): the _DSM starts each command (and
 * sees a cancel); cmdReady, goIdle and locality are never asked for.  A
 * failing _DSM fails the command, and the next one works.
 */
static void crb_acpi_start(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	u32 sms[] = { TPM_CRB_SM_ACPI, TPM_CRB_SM_CRB_ACPI };
	struct tpm_chip *chip;
	struct crb_sim *s;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(sms); i++) {
		s = sim_new(test);
		KUNIT_ASSERT_EQ(test, 0, sim_parse(test, s, sms[i], 52));
		chip = sim_chip_of(test, s);
		KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
		KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
		KUNIT_EXPECT_EQ(test, s->commands, 2);
		KUNIT_EXPECT_EQ(test, s->dsm_calls, 2);
		KUNIT_EXPECT_EQ(test, s->req_writes, 0);
		KUNIT_EXPECT_EQ(test, s->loc_writes, 0);
		/* The failed start is cancelled (the _DSM called for it). */
		s->dsm_rc = -ENXIO;
		KUNIT_EXPECT_EQ(test, -ENXIO, sim_get_random(chip, buf, 8));
		KUNIT_EXPECT_EQ(test, s->cancels, 1);
		KUNIT_EXPECT_EQ(test, s->dsm_calls, 4);
		s->dsm_rc = 0;
		KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
		/* A command that never ends: cancelled through the _DSM too. */
		s->start_stuck = true;
		KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
		KUNIT_EXPECT_EQ(test, s->cancels, 2);
		KUNIT_EXPECT_EQ(test, s->dsm_calls, 7);
		KUNIT_EXPECT_EQ(test, s->req_writes, 0);
	}
}

/*
 * Pluton (start method 13): no _CRS, the doorbells' addresses in the
 * table; every request and start is followed by the doorbell (the
 * simulated Pluton does nothing without it): setup's cmdReady and goIdle,
 * then per command the core's cmdReady, send's own, the start, the
 * core's goIdle.  A Pluton that stops listening times out rather than
 * hangs: in a request, or at the start (which is then cancelled).
 */
static void crb_pluton(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	u8 *t = sim_table(test, TPM_CRB_SM_PLUTON, SIM_CTRL, 68);
	struct crb_sim *s = sim_new(test);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	put_unaligned_le64(0xFED70000, t + TPM_CRB_TABLE_PLUTON_START);
	put_unaligned_le64(0xFED70004, t + TPM_CRB_TABLE_PLUTON_REPLY);
	KUNIT_ASSERT_EQ(test, 0, tpm_crb_parse_table(&s->crb, t, 68));
	s->crb.nres = 0;
	s->db_start = 0xFED70000;
	s->db_reply = 0xFED70004;
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_FALSE(test, s->crb.has_loc);
	KUNIT_EXPECT_EQ(test, s->doorbells, 2);
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 1);
	KUNIT_EXPECT_EQ(test, s->doorbells, 6);
	KUNIT_EXPECT_TRUE(test, *sim_ctrl(s, CRB_CTRL_STS) & CRB_CTRL_STS_IDLE);
	s->deaf_from = 1;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	s->deaf_from = 0;
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	/* Deaf at the start's doorbell: the command is cancelled. */
	s->deaf_from = s->doorbells + 3;
	KUNIT_EXPECT_EQ(test, -ETIME, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->cancels, 1);
	s->deaf_from = 0;
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_EQ(test, s->commands, 3);
}

/*
 * The table: too short, tpm_tis's, Arm's, Pluton's without its doorbells
 * are not this driver's or refused; another start method gets cmdReady
 * and goIdle but no locality registers; a control area that wraps around
 * is refused.
 */
static void crb_table(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, TPM_BUFSIZE, GFP_KERNEL);
	struct crb_sim *s = sim_new(test);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, -EINVAL, sim_parse(test, s, TPM_CRB_SM_CRB, 51));
	KUNIT_EXPECT_EQ(test, -ENODEV, sim_parse(test, s, TPM_CRB_SM_TIS, 76));
	KUNIT_EXPECT_EQ(test, -ENODEV, sim_parse(test, s, TPM_CRB_SM_ARM_SMC, 76));
	KUNIT_EXPECT_EQ(test, -EINVAL, sim_parse(test, s, TPM_CRB_SM_PLUTON, 67));
	KUNIT_EXPECT_EQ(test, 0, sim_parse(test, s, 0, 52));
	KUNIT_EXPECT_EQ(test, s->crb.ctrl, SIM_CTRL);
	chip = sim_chip_of(test, s);
	KUNIT_EXPECT_FALSE(test, s->crb.has_loc);
	KUNIT_EXPECT_EQ(test, 20, sim_get_random(chip, buf, 8));
	KUNIT_EXPECT_GT(test, s->req_writes, 0);
	KUNIT_EXPECT_EQ(test, s->loc_writes, 0);
	/* A control area whose end wraps around: refused, nothing mapped. */
	s = sim_new(test);
	s->crb.ctrl = 0xFFFFFFFFFFFFFFF0ULL;
	KUNIT_EXPECT_EQ(test, -EINVAL, tpm_crb_setup(&s->crb));
	KUNIT_EXPECT_EQ(test, s->nmaps, 0);
}

static struct kunit_case tpm_crb_cases[] = {
	KUNIT_CASE(crb_round_trip),
	KUNIT_CASE(crb_start_never_clears),
	KUNIT_CASE(crb_cancel_ignored),
	KUNIT_CASE(crb_cmd_ready_never),
	KUNIT_CASE(crb_idle_ignored),
	KUNIT_CASE(crb_response_lies),
	KUNIT_CASE(crb_device_refuses),
	KUNIT_CASE(crb_setup_buffers),
	KUNIT_CASE(crb_split_resources),
	KUNIT_CASE(crb_ctrl_outside),
	KUNIT_CASE(crb_acpi_start),
	KUNIT_CASE(crb_pluton),
	KUNIT_CASE(crb_table),
	{}
};

static struct kunit_suite tpm_crb_suite = {
	.name = "tpm_crb",
	.test_cases = tpm_crb_cases,
};

kunit_test_suite(tpm_crb_suite);

MODULE_DESCRIPTION("KUnit tests of the CRB driver against a misbehaving simulated device");
MODULE_LICENSE("GPL");
