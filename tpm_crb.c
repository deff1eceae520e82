// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Command Response Buffer interface (TCG PC Client Platform TPM
 * Profile, CRB): a TPM 2.0 described in ACPI as MSFT0101, with a TPM2
 * table that says how commands are started and where the control area is.
 *
 * The registers: locality 0's state and control (where the PTP puts them,
 * just before the control area, at the start of a _CRS memory resource),
 * then the control area the TPM2 table points to (request, status,
 * cancel, start, and where the command and response buffers are and how
 * large).  A command is written to the command buffer and started by
 * setting start (and, by the start method, through the ACPI _DSM start
 * function or Pluton's doorbell); the TPM clears start when the response
 * is in the response buffer, which the core finds by polling status.
 *
 * Firmware as machines ship it: the start methods 2 and 8 (the _DSM
 * starts a command; cmdReady and goIdle are not used), 7 (plain CRB) and
 * 13 (Pluton: doorbells, no _CRS), up to three _CRS memory resources with
 * the control area and the buffers in any of them or in none (then mapped
 * where they are), a buffer that runs past the end of its resource
 * trimmed to it, 64-bit buffer addresses.  Every wait for the device is
 * bounded by a TPM 2.0 timeout, and nothing is accessed that was not
 * mapped for it (tpm_crb_io.map).
 *
 * Device access goes through struct tpm_crb_io, so the KUnit tests can put
 * a simulated device that misbehaves, and firmware that lays it out
 * oddly, in place of MMIO and ACPI.
 */
#include <linux/acpi.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include "tpm_crb.h"

/* Status bits the core polls (tpm_class_ops.status). */
#define CRB_DRV_COMPLETE	BIT(0)

/**
 * tpm_crb_read32() - read a register of the device
 * @crb:	the device
 * @pa:		its bus address
 *
 * Context: any context.
 * Return: the register's value.
 */
static u32 tpm_crb_read32(struct tpm_crb *crb, u64 pa)
{
	return crb->io->read32(crb, pa);
}

static void tpm_crb_write32(struct tpm_crb *crb, u64 pa, u32 v)
{
	crb->io->write32(crb, pa, v);
}

static u32 tpm_crb_ctrl(struct tpm_crb *crb, u32 reg)
{
	return tpm_crb_read32(crb, crb->ctrl + reg);
}

static void tpm_crb_set_ctrl(struct tpm_crb *crb, u32 reg, u32 v)
{
	tpm_crb_write32(crb, crb->ctrl + reg, v);
}

/*
 * Wait until (register & @mask) == @want, for at most @timeout_ms; the
 * register is read once more after the deadline, so a device that got
 * there during the last sleep is not called late.
 */
static bool tpm_crb_wait(struct tpm_crb *crb, u64 pa, u32 mask, u32 want,
			 unsigned int timeout_ms)
{
	unsigned long stop = jiffies + msecs_to_jiffies(timeout_ms);
	unsigned int step = TPM_POLL_MIN_US;
	bool expired;

	for (;;) {
		expired = time_after(jiffies, stop);
		if ((tpm_crb_read32(crb, pa) & mask) == want)
			return true;
		if (expired)
			return false;
		tpm_poll_sleep(&step);
	}
}

/* The start methods whose firmware starts commands through the _DSM. */
static bool tpm_crb_acpi_starts(struct tpm_crb *crb)
{
	return crb->sm == TPM_CRB_SM_ACPI || crb->sm == TPM_CRB_SM_CRB_ACPI;
}

/*
 * Pluton's doorbell: once the reply doorbell says it listens, ring start;
 * with @wait, until Pluton took it.
 */
static int tpm_crb_doorbell(struct tpm_crb *crb, bool wait)
{
	if (!tpm_crb_wait(crb, crb->pluton_reply, ~0U, 1, TPM2_TIMEOUT_C))
		return -ETIME;
	tpm_crb_write32(crb, crb->pluton_start, 1);
	if (wait && !tpm_crb_wait(crb, crb->pluton_start, ~0U, 0,
				  TPM2_TIMEOUT_C))
		return -ETIME;
	return 0;
}

/* The TPM reports a fatal error: nothing it says can be trusted. */
static bool tpm_crb_failed(struct tpm_crb *crb)
{
	return tpm_crb_ctrl(crb, CRB_CTRL_STS) & CRB_CTRL_STS_ERROR;
}

static int tpm_crb_request_locality(struct tpm_crb *crb)
{
	u32 want = CRB_LOC_STATE_ASSIGNED | CRB_LOC_STATE_VALID;

	if (!crb->has_loc)
		return 0;
	tpm_crb_write32(crb, crb->loc + CRB_LOC_CTRL, CRB_LOC_CTRL_REQUEST);
	if (tpm_crb_wait(crb, crb->loc + CRB_LOC_STATE, want, want,
			 TPM2_TIMEOUT_A))
		return 0;
	dev_warn(crb->dev, "locality 0 not granted\n");
	return -ETIME;
}

static int tpm_crb_relinquish_locality(struct tpm_crb *crb)
{
	if (!crb->has_loc)
		return 0;
	tpm_crb_write32(crb, crb->loc + CRB_LOC_CTRL, CRB_LOC_CTRL_RELINQUISH);
	if (tpm_crb_wait(crb, crb->loc + CRB_LOC_STATE, CRB_LOC_STATE_ASSIGNED,
			 0, TPM2_TIMEOUT_A))
		return 0;
	dev_warn(crb->dev, "locality 0 not relinquished\n");
	return -ETIME;
}

/*
 * Ask for cmdReady or goIdle; the TPM clears the bit when it is done.
 * Not with the start methods that start through the _DSM, as upstream:
 * 4th generation Intel PTT, which reports them, implements neither.
 */
static int tpm_crb_request(struct tpm_crb *crb, u32 req, const char *what)
{
	if (tpm_crb_acpi_starts(crb))
		return 0;
	if (tpm_crb_failed(crb))
		return -EIO;
	tpm_crb_set_ctrl(crb, CRB_CTRL_REQ, req);
	if (crb->sm == TPM_CRB_SM_PLUTON && tpm_crb_doorbell(crb, true)) {
		dev_warn(crb->dev, "Pluton's doorbell did not answer\n");
		return -ETIME;
	}
	if (tpm_crb_wait(crb, crb->ctrl + CRB_CTRL_REQ, req, 0, TPM2_TIMEOUT_C))
		return 0;
	dev_warn(crb->dev, "%s not acknowledged\n", what);
	return -ETIME;
}

static struct tpm_crb *to_crb(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static int crb_request_locality(struct tpm_chip *chip, int loc)
{
	int rc = tpm_crb_request_locality(to_crb(chip));

	return rc ?: loc;
}

static int crb_relinquish_locality(struct tpm_chip *chip, int loc)
{
	return tpm_crb_relinquish_locality(to_crb(chip));
}

static int crb_cmd_ready(struct tpm_chip *chip)
{
	return tpm_crb_request(to_crb(chip), CRB_CTRL_REQ_CMD_READY,
			       "cmdReady");
}

static int crb_go_idle(struct tpm_chip *chip)
{
	return tpm_crb_request(to_crb(chip), CRB_CTRL_REQ_GO_IDLE, "goIdle");
}

static u8 crb_status(struct tpm_chip *chip)
{
	struct tpm_crb *crb = to_crb(chip);

	return tpm_crb_ctrl(crb, CRB_CTRL_START) & CRB_START_INVOKE ?
	       0 : CRB_DRV_COMPLETE;
}

static bool crb_req_canceled(struct tpm_chip *chip, u8 status)
{
	return false;
}

/*
 * Cancel the command: for a command that ran past its duration (the
 * core's cancel), or one whose start failed half way.  The TPM clears
 * start once it stopped; one that ignores the cancel keeps start set, and
 * then the next send refuses rather than overwrite a running command.
 * Firmware that starts through the _DSM is called to see the cancel, as
 * upstream calls it.
 */
static void tpm_crb_cancel(struct tpm_crb *crb)
{
	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, CRB_CANCEL_INVOKE);
	if (tpm_crb_acpi_starts(crb) && crb->io->acpi_start(crb))
		dev_err(crb->dev, "the ACPI start function failed\n");
	if (!tpm_crb_wait(crb, crb->ctrl + CRB_CTRL_START, CRB_START_INVOKE, 0,
			  TPM2_TIMEOUT_B))
		dev_err(crb->dev, "the TPM ignored the cancel\n");
	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, 0);
}

/*
 * Start the command in the buffer: the start register always (upstream
 * writes it for every MSFT0101 device: 4th generation Intel PTT reports
 * the ACPI start method and still needs it), then what the start method
 * adds.  A start that failed after start was set is cancelled, so that
 * the next command is not refused as if this one still ran.
 */
static int tpm_crb_start(struct tpm_crb *crb)
{
	int rc = 0;

	tpm_crb_set_ctrl(crb, CRB_CTRL_START, CRB_START_INVOKE);
	if (tpm_crb_acpi_starts(crb)) {
		rc = crb->io->acpi_start(crb);
		if (rc)
			dev_err(crb->dev, "the ACPI start function failed\n");
	} else if (crb->sm == TPM_CRB_SM_PLUTON) {
		rc = tpm_crb_doorbell(crb, false);
		if (rc)
			dev_err(crb->dev, "Pluton's doorbell did not answer\n");
	}
	if (rc)
		tpm_crb_cancel(crb);
	return rc;
}

static int crb_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct tpm_crb *crb = to_crb(chip);

	if (len > crb->cmd_size) {
		dev_err(&chip->dev, "command of %zu bytes; the buffer holds %u\n",
			len, crb->cmd_size);
		return -E2BIG;
	}
	if (tpm_crb_failed(crb))
		return -EIO;
	/* A command the TPM did not finish (nor cancel) is still running. */
	if (tpm_crb_ctrl(crb, CRB_CTRL_START) & CRB_START_INVOKE) {
		dev_err(&chip->dev, "the previous command never completed\n");
		return -EBUSY;
	}
	/* Pluton takes a command only after cmdReady, each time. */
	if (crb->sm == TPM_CRB_SM_PLUTON)
		tpm_crb_request(crb, CRB_CTRL_REQ_CMD_READY, "cmdReady");
	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, 0);
	crb->io->write(crb, crb->cmd, buf, len);
	/* The command is in the buffer before the TPM is told to start. */
	wmb();
	return tpm_crb_start(crb);
}

static int crb_recv(struct tpm_chip *chip, u8 *buf, size_t count)
{
	struct tpm_crb *crb = to_crb(chip);
	u32 len;

	if (count < TPM_HEADER_SIZE)
		return -EIO;
	if (tpm_crb_failed(crb)) {
		dev_err(&chip->dev, "the TPM reports a fatal error\n");
		return -EIO;
	}
	crb->io->read(crb, crb->rsp, buf, TPM_HEADER_SIZE);
	len = tpm_hdr_len(buf);
	if (len < TPM_HEADER_SIZE || len > count || len > crb->rsp_size) {
		dev_err(&chip->dev, "response of %u bytes (buffer %u, room %zu)\n",
			len, crb->rsp_size, count);
		return -EIO;
	}
	crb->io->read(crb, crb->rsp + TPM_HEADER_SIZE, buf + TPM_HEADER_SIZE,
		      len - TPM_HEADER_SIZE);
	return len;
}

static void crb_cancel(struct tpm_chip *chip)
{
	tpm_crb_cancel(to_crb(chip));
}

VISIBLE_IF_KUNIT const struct tpm_class_ops tpm_crb_ops = {
	.req_complete_mask = CRB_DRV_COMPLETE,
	.req_complete_val = CRB_DRV_COMPLETE,
	.req_canceled = crb_req_canceled,
	.status = crb_status,
	.send = crb_send,
	.recv = crb_recv,
	.cancel = crb_cancel,
	.request_locality = crb_request_locality,
	.relinquish_locality = crb_relinquish_locality,
	.cmd_ready = crb_cmd_ready,
	.go_idle = crb_go_idle,
};
EXPORT_SYMBOL_IF_KUNIT(tpm_crb_ops);

/**
 * tpm_crb_parse_table() - what the TPM2 table says of a CRB device
 * @crb:	the device: its start method, control area and doorbells
 * @table:	the TPM2 table, whole
 * @len:	its length (the header's)
 *
 * Start methods 2, 7, 8, 13 and any other value are this driver's, as
 * upstream's (another value gets cmdReady, goIdle and the start register,
 * but no locality registers, which are start method 7's); 6 is tpm_tis's,
 * and 11 (Arm SMC) is not handled.
 *
 * Context: any context.
 * Return: 0, -ENODEV for a device this driver does not drive, or -EINVAL
 * for a table too short for what it says.
 */
int tpm_crb_parse_table(struct tpm_crb *crb, const void *table, u32 len)
{
	const u8 *t = table;

	if (len < TPM_CRB_TABLE_LEN) {
		dev_err(crb->dev, FW_BUG "TPM2 table of %u bytes\n", len);
		return -EINVAL;
	}
	crb->sm = get_unaligned_le32(t + TPM_CRB_TABLE_SM);
	crb->ctrl = get_unaligned_le64(t + TPM_CRB_TABLE_CTRL);
	switch (crb->sm) {
	case TPM_CRB_SM_TIS:
		dev_dbg(crb->dev, "start method 6 is tpm_tis's\n");
		return -ENODEV;
	case TPM_CRB_SM_ARM_SMC:
		dev_info(crb->dev, "start method 11 (Arm SMC) is not supported\n");
		return -ENODEV;
	case TPM_CRB_SM_PLUTON:
		if (len < TPM_CRB_TABLE_PLUTON_LEN) {
			dev_err(crb->dev, FW_BUG "TPM2 table of %u bytes for Pluton\n",
				len);
			return -EINVAL;
		}
		crb->pluton_start = get_unaligned_le64(t + TPM_CRB_TABLE_PLUTON_START);
		crb->pluton_reply = get_unaligned_le64(t + TPM_CRB_TABLE_PLUTON_REPLY);
		break;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_crb_parse_table);

/* @r holds [@pa, @pa + @len) (no overflow whatever the values). */
static bool tpm_crb_holds(const struct tpm_crb_range *r, u64 pa, u64 len)
{
	return pa >= r->pa && pa - r->pa < r->len && len <= r->len - (pa - r->pa);
}

/* The resource holding [@pa, @pa + @len), or NULL. */
static const struct tpm_crb_range *tpm_crb_res_of(struct tpm_crb *crb,
						  u64 pa, u64 len)
{
	const struct tpm_crb_range *r;

	for (r = crb->res; r < crb->res + crb->nres; r++)
		if (tpm_crb_holds(r, pa, len))
			return r;
	return NULL;
}

/* Map [@pa, @pa + @len) through the resource holding it, or by itself. */
static int tpm_crb_map(struct tpm_crb *crb, u64 pa, u64 len)
{
	const struct tpm_crb_range *r = tpm_crb_res_of(crb, pa, len);

	if (!len || pa + len - 1 < pa) {
		dev_err(crb->dev, FW_BUG "an area at 0x%llx of 0x%llx bytes\n",
			pa, len);
		return -EINVAL;
	}
	return r ? crb->io->map(crb, r->pa, r->len) : crb->io->map(crb, pa, len);
}

/*
 * The control area, and whether locality registers precede it: only for
 * plain CRB, and where the PTP lays them out, at the start of a resource.
 */
static int tpm_crb_map_ctrl(struct tpm_crb *crb)
{
	const struct tpm_crb_range *r;
	int rc;

	rc = tpm_crb_map(crb, crb->ctrl, CRB_CTRL_AREA_LEN);
	if (rc)
		return rc;
	r = tpm_crb_res_of(crb, crb->ctrl, CRB_CTRL_AREA_LEN);
	crb->has_loc = crb->sm == TPM_CRB_SM_CRB && r &&
		       crb->ctrl - r->pa == CRB_CTRL_AREA_OFFSET;
	crb->loc = crb->has_loc ? r->pa : 0;
	if (crb->sm == TPM_CRB_SM_CRB && !crb->has_loc)
		dev_warn(crb->dev, FW_BUG "no locality registers before the control area at 0x%llx\n",
			 crb->ctrl);
	return 0;
}

/*
 * A buffer's size: one that runs past the end of the resource it starts
 * in is cut to it (broken BIOSes, as upstream).
 */
static int tpm_crb_buffer_size(struct tpm_crb *crb, const char *what, u64 pa,
			       u32 *size)
{
	const struct tpm_crb_range *r = tpm_crb_res_of(crb, pa, 1);

	if (r && *size > r->len - (pa - r->pa)) {
		dev_warn(crb->dev, FW_BUG "%s buffer at 0x%llx (%u bytes) cut to the end of its region\n",
			 what, pa, *size);
		*size = r->len - (pa - r->pa);
	}
	if (*size < TPM_HEADER_SIZE) {
		dev_err(crb->dev, FW_BUG "%s buffer at 0x%llx of %u bytes\n",
			what, pa, *size);
		return -EINVAL;
	}
	return 0;
}

/* A 64-bit address in two registers, the high half read first. */
static u64 tpm_crb_ctrl64(struct tpm_crb *crb, u32 hi, u32 lo)
{
	u64 v = (u64)tpm_crb_ctrl(crb, hi) << 32;

	return v | tpm_crb_ctrl(crb, lo);
}

/*
 * Where the buffers are, and their sizes; both mapped (through the
 * resource each starts in, or where they are; one shared buffer once).
 */
static int tpm_crb_buffers(struct tpm_crb *crb)
{
	int rc;

	crb->cmd = tpm_crb_ctrl64(crb, CRB_CTRL_CMD_HADDR, CRB_CTRL_CMD_LADDR);
	crb->rsp = tpm_crb_ctrl64(crb, CRB_CTRL_RSP_ADDR + 4, CRB_CTRL_RSP_ADDR);
	crb->cmd_size = tpm_crb_ctrl(crb, CRB_CTRL_CMD_SIZE);
	crb->rsp_size = tpm_crb_ctrl(crb, CRB_CTRL_RSP_SIZE);
	rc = tpm_crb_buffer_size(crb, "command", crb->cmd, &crb->cmd_size);
	if (!rc)
		rc = tpm_crb_buffer_size(crb, "response", crb->rsp,
					 &crb->rsp_size);
	if (rc)
		return rc;
	if (crb->cmd == crb->rsp && crb->cmd_size != crb->rsp_size) {
		dev_err(crb->dev, FW_BUG "one buffer, two sizes (%u, %u)\n",
			crb->cmd_size, crb->rsp_size);
		return -EINVAL;
	}
	rc = tpm_crb_map(crb, crb->cmd, crb->cmd_size);
	if (!rc && crb->rsp != crb->cmd)
		rc = tpm_crb_map(crb, crb->rsp, crb->rsp_size);
	return rc;
}

/**
 * tpm_crb_setup() - map the device and learn where its buffers are
 * @crb:	the device: its access, start method, control area, resources
 *		and (Pluton) doorbells set
 *
 * Maps the control area (and Pluton's doorbells), takes locality 0 and
 * cmdReady (some TPMs keep their registers only then), reads where the
 * command and response buffers are and maps them (through the resource
 * each starts in, cut to its end, or where they are), checks that a
 * buffer shared by command and response has one size, as the PTP
 * requires, and lets the device go.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for areas that cannot be used, an errno from mapping,
 * or -ETIME/-EIO for a device that does not answer.
 */
int tpm_crb_setup(struct tpm_crb *crb)
{
	int rc;

	if (crb->sm == TPM_CRB_SM_PLUTON) {
		rc = tpm_crb_map(crb, crb->pluton_start, 4);
		if (!rc)
			rc = tpm_crb_map(crb, crb->pluton_reply, 4);
		if (rc)
			return rc;
	}
	rc = tpm_crb_map_ctrl(crb);
	if (rc)
		return rc;
	rc = tpm_crb_request_locality(crb);
	if (rc)
		return rc;
	rc = tpm_crb_request(crb, CRB_CTRL_REQ_CMD_READY, "cmdReady");
	if (rc)
		goto out_locality;
	rc = tpm_crb_buffers(crb);
	tpm_crb_request(crb, CRB_CTRL_REQ_GO_IDLE, "goIdle");
out_locality:
	tpm_crb_relinquish_locality(crb);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_crb_setup);

#ifdef CONFIG_ACPI
/* The mapping that holds [@pa, @pa + @len): its address for @pa. */
static void __iomem *tpm_crb_va(struct tpm_crb *crb, u64 pa, u64 len)
{
	struct tpm_crb_win *w;

	for (w = crb->win; w < crb->win + crb->nwin; w++)
		if (tpm_crb_holds(&w->range, pa, len))
			return w->va + (pa - w->range.pa);
	return NULL;
}

static int tpm_crb_mmio_map(struct tpm_crb *crb, u64 pa, u64 len)
{
	struct resource res = DEFINE_RES_MEM(pa, len);
	struct tpm_crb_win *w;

	if (tpm_crb_va(crb, pa, len))
		return 0;
	if (crb->nwin == TPM_CRB_MAX_WIN || res.start != pa ||
	    res.end < res.start || resource_size(&res) != len)
		return -EINVAL;
	w = &crb->win[crb->nwin];
	w->va = devm_ioremap_resource(crb->dev, &res);
	if (IS_ERR(w->va))
		return PTR_ERR(w->va);
	w->range.pa = pa;
	w->range.len = len;
	crb->nwin++;
	return 0;
}

/*
 * The driver accesses only what tpm_crb_setup() mapped; anything else is
 * a bug of its own, not touched: reads give all ones.
 */
static void __iomem *tpm_crb_mapped(struct tpm_crb *crb, u64 pa, u64 len)
{
	void __iomem *va = tpm_crb_va(crb, pa, len);

	WARN_ONCE(!va, "tpm_crb: access to 0x%llx not mapped\n", pa);
	return va;
}

static u32 tpm_crb_mmio_read32(struct tpm_crb *crb, u64 pa)
{
	void __iomem *va = tpm_crb_mapped(crb, pa, 4);

	return va ? ioread32(va) : ~0U;
}

static void tpm_crb_mmio_write32(struct tpm_crb *crb, u64 pa, u32 v)
{
	void __iomem *va = tpm_crb_mapped(crb, pa, 4);

	if (va)
		iowrite32(v, va);
}

static void tpm_crb_mmio_read(struct tpm_crb *crb, u64 pa, void *to,
			      size_t len)
{
	void __iomem *va = tpm_crb_mapped(crb, pa, len);

	if (va)
		memcpy_fromio(to, va, len);
	else
		memset(to, 0xff, len);
}

static void tpm_crb_mmio_write(struct tpm_crb *crb, u64 pa,
			       const void *from, size_t len)
{
	void __iomem *va = tpm_crb_mapped(crb, pa, len);

	if (va)
		memcpy_toio(va, from, len);
}

/* TCG ACPI Specification: the _DSM that starts a command. */
static const guid_t tpm_crb_start_guid =
	GUID_INIT(0x6bbf6cab, 0x5463, 0x4714,
		  0xb7, 0xcd, 0xf0, 0x20, 0x3c, 0x03, 0x68, 0xd4);

static int tpm_crb_mmio_acpi_start(struct tpm_crb *crb)
{
	union acpi_object *obj;
	int rc;

	obj = acpi_evaluate_dsm(ACPI_HANDLE(crb->dev), &tpm_crb_start_guid, 1,
				1, NULL);
	if (!obj)
		return -ENXIO;
	rc = obj->type == ACPI_TYPE_INTEGER && !obj->integer.value ? 0 : -ENXIO;
	ACPI_FREE(obj);
	return rc;
}

static const struct tpm_crb_io tpm_crb_mmio = {
	.map = tpm_crb_mmio_map,
	.read32 = tpm_crb_mmio_read32,
	.write32 = tpm_crb_mmio_write32,
	.read = tpm_crb_mmio_read,
	.write = tpm_crb_mmio_write,
	.acpi_start = tpm_crb_mmio_acpi_start,
};

static int tpm_crb_acpi_table(struct tpm_crb *crb)
{
	struct acpi_table_header *tbl;
	int rc;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_TPM2, 1, &tbl)))
		return -ENODEV;
	rc = tpm_crb_parse_table(crb, tbl, tbl->length);
	acpi_put_table(tbl);
	return rc;
}

/* The memory resources of _CRS (Pluton's firmware describes none). */
static int tpm_crb_resources(struct tpm_crb *crb, struct platform_device *pdev)
{
	struct resource *res;
	unsigned int i;

	if (crb->sm == TPM_CRB_SM_PLUTON)
		return 0;
	for (i = 0; (res = platform_get_resource(pdev, IORESOURCE_MEM, i)); i++) {
		if (i == TPM_CRB_MAX_RES) {
			dev_warn(crb->dev, FW_BUG "more than %u memory resources; the rest are not used\n",
				 TPM_CRB_MAX_RES);
			break;
		}
		crb->res[i].pa = res->start;
		crb->res[i].len = resource_size(res);
	}
	crb->nres = i;
	if (!i) {
		dev_err(crb->dev, FW_BUG "no memory resource\n");
		return -EINVAL;
	}
	return 0;
}

static int tpm_crb_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct tpm_chip *chip;
	struct tpm_crb *crb;
	int rc;

	crb = devm_kzalloc(dev, sizeof(*crb), GFP_KERNEL);
	if (!crb)
		return -ENOMEM;
	crb->dev = dev;
	crb->io = &tpm_crb_mmio;
	rc = tpm_crb_acpi_table(crb);
	if (!rc)
		rc = tpm_crb_resources(crb, pdev);
	if (!rc)
		rc = tpm_crb_setup(crb);
	if (rc)
		return rc;

	chip = tpmm_chip_alloc(dev, &tpm_crb_ops);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	dev_set_drvdata(&chip->dev, crb);
	chip->flags |= TPM_CHIP_FLAG_TPM2;
	dev_info(dev, "CRB (start method %u), command buffer %u bytes, response buffer %u\n",
		 crb->sm, crb->cmd_size, crb->rsp_size);
	return tpm_chip_register(chip);
}

static void tpm_crb_remove(struct platform_device *pdev)
{
	tpm_chip_unregister(platform_get_drvdata(pdev));
}

TPM_PLATFORM_REMOVE(tpm_crb_remove_cb, tpm_crb_remove);

static int tpm_crb_suspend(struct device *dev)
{
	tpm_chip_suspend(dev_get_drvdata(dev));
	return 0;
}

static int tpm_crb_resume(struct device *dev)
{
	tpm_chip_resume(dev_get_drvdata(dev));
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(tpm_crb_pm, tpm_crb_suspend, tpm_crb_resume);

static const struct acpi_device_id tpm_crb_acpi_ids[] = {
	{ "MSFT0101" },
	{ }
};
MODULE_DEVICE_TABLE(acpi, tpm_crb_acpi_ids);

static struct platform_driver tpm_crb_driver = {
	.probe = tpm_crb_probe,
	.TPM_PLATFORM_REMOVE_MEMBER = tpm_crb_remove_cb,
	.driver = {
		.name = "tpm_crb",
		.acpi_match_table = tpm_crb_acpi_ids,
		.pm = pm_sleep_ptr(&tpm_crb_pm),
	},
};
module_platform_driver(tpm_crb_driver);
#endif /* CONFIG_ACPI */

MODULE_DESCRIPTION("TPM Command Response Buffer (CRB) driver");
MODULE_LICENSE("GPL");
