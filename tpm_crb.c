// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Command Response Buffer interface (TCG PC Client Platform TPM
 * Profile, CRB): a TPM 2.0 described in ACPI as MSFT0101 with the CRB
 * start method in the TPM2 table, as QEMU's tpm-crb presents it.
 *
 * The registers: locality 0's state and control at the start of the
 * device's memory (when the control area follows them, as the PTP lays
 * them out), then the control area the TPM2 table points to (request,
 * status, cancel, start, and where the command and response buffers are
 * and how large).  A command is written to the command buffer and started
 * by setting start; the TPM clears start when the response is in the
 * response buffer, which the core finds by polling status.  Every wait
 * for the device is bounded by a TPM 2.0 timeout, and nothing outside the
 * device's ACPI memory resource is ever read or written: a table or a
 * control area that points elsewhere is refused at probe.
 *
 * Register access goes through struct tpm_crb_io, so the KUnit tests can
 * put a simulated register file that misbehaves in place of the MMIO one.
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
 * @off:	its offset in the device's memory
 *
 * Context: any context.
 * Return: the register's value.
 */
static u32 tpm_crb_read32(struct tpm_crb *crb, u32 off)
{
	return crb->io->read32(crb, off);
}

static void tpm_crb_write32(struct tpm_crb *crb, u32 off, u32 v)
{
	crb->io->write32(crb, off, v);
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
static bool tpm_crb_wait(struct tpm_crb *crb, u32 off, u32 mask, u32 want,
			 unsigned int timeout_ms)
{
	unsigned long stop = jiffies + msecs_to_jiffies(timeout_ms);
	unsigned int step = TPM_POLL_MIN_US;
	bool expired;

	for (;;) {
		expired = time_after(jiffies, stop);
		if ((tpm_crb_read32(crb, off) & mask) == want)
			return true;
		if (expired)
			return false;
		tpm_poll_sleep(&step);
	}
}

/* The TPM reports a fatal error: nothing it says can be trusted. */
static bool tpm_crb_failed(struct tpm_crb *crb)
{
	return tpm_crb_ctrl(crb, CRB_CTRL_STS) & CRB_CTRL_STS_ERROR;
}

static int tpm_crb_request_locality(struct tpm_crb *crb, struct device *dev)
{
	u32 want = CRB_LOC_STATE_ASSIGNED | CRB_LOC_STATE_VALID;

	if (!crb->has_loc)
		return 0;
	tpm_crb_write32(crb, CRB_LOC_CTRL, CRB_LOC_CTRL_REQUEST);
	if (tpm_crb_wait(crb, CRB_LOC_STATE, want, want, TPM2_TIMEOUT_A))
		return 0;
	dev_warn(dev, "locality 0 not granted\n");
	return -ETIME;
}

static int tpm_crb_relinquish_locality(struct tpm_crb *crb,
				       struct device *dev)
{
	if (!crb->has_loc)
		return 0;
	tpm_crb_write32(crb, CRB_LOC_CTRL, CRB_LOC_CTRL_RELINQUISH);
	if (tpm_crb_wait(crb, CRB_LOC_STATE, CRB_LOC_STATE_ASSIGNED, 0,
			 TPM2_TIMEOUT_A))
		return 0;
	dev_warn(dev, "locality 0 not relinquished\n");
	return -ETIME;
}

/* Ask for cmdReady or goIdle; the TPM clears the bit when it is done. */
static int tpm_crb_request(struct tpm_crb *crb, struct device *dev, u32 req,
			   const char *what)
{
	if (tpm_crb_failed(crb))
		return -EIO;
	tpm_crb_set_ctrl(crb, CRB_CTRL_REQ, req);
	if (tpm_crb_wait(crb, crb->ctrl + CRB_CTRL_REQ, req, 0, TPM2_TIMEOUT_C))
		return 0;
	dev_warn(dev, "%s not acknowledged\n", what);
	return -ETIME;
}

static struct tpm_crb *to_crb(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static int crb_request_locality(struct tpm_chip *chip, int loc)
{
	int rc = tpm_crb_request_locality(to_crb(chip), &chip->dev);

	return rc ?: loc;
}

static int crb_relinquish_locality(struct tpm_chip *chip, int loc)
{
	return tpm_crb_relinquish_locality(to_crb(chip), &chip->dev);
}

static int crb_cmd_ready(struct tpm_chip *chip)
{
	return tpm_crb_request(to_crb(chip), &chip->dev, CRB_CTRL_REQ_CMD_READY,
			       "cmdReady");
}

static int crb_go_idle(struct tpm_chip *chip)
{
	return tpm_crb_request(to_crb(chip), &chip->dev, CRB_CTRL_REQ_GO_IDLE,
			       "goIdle");
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
	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, 0);
	crb->io->write(crb, crb->cmd, buf, len);
	/* The command is in the buffer before the TPM is told to start. */
	wmb();
	tpm_crb_set_ctrl(crb, CRB_CTRL_START, CRB_START_INVOKE);
	return 0;
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

/*
 * The core cancels a command that ran past its duration.  The TPM clears
 * start once it stopped; one that ignores the cancel keeps start set, and
 * then the next send refuses rather than overwrite a running command.
 */
static void crb_cancel(struct tpm_chip *chip)
{
	struct tpm_crb *crb = to_crb(chip);

	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, CRB_CANCEL_INVOKE);
	if (!tpm_crb_wait(crb, crb->ctrl + CRB_CTRL_START, CRB_START_INVOKE, 0,
			  TPM2_TIMEOUT_B))
		dev_err(&chip->dev, "the TPM ignored the cancel\n");
	tpm_crb_set_ctrl(crb, CRB_CTRL_CANCEL, 0);
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

/* A buffer [@pa, @pa + @size) inside the device's memory: its offset. */
static int tpm_crb_buffer(struct device *dev, const char *what, u64 pa,
			  u32 size, u64 start, u64 len, u32 *off)
{
	if (size < TPM_HEADER_SIZE || pa < start || pa - start > len ||
	    size > len - (pa - start)) {
		dev_err(dev, FW_BUG "%s buffer at 0x%llx (%u bytes) is not in the device's memory [0x%llx, +0x%llx)\n",
			what, pa, size, start, len);
		return -EINVAL;
	}
	*off = pa - start;
	return 0;
}

/**
 * tpm_crb_setup() - learn where the device's buffers are
 * @crb:	the device, its control area and register access set
 * @dev:	for messages
 * @start:	the bus address of the device's memory
 * @len:	its size
 *
 * Takes locality 0 and cmdReady (some TPMs keep their registers only
 * then), reads where the command and response buffers are, checks that
 * both lie in the device's memory (and, if they are the same buffer, that
 * they are the same size, as the PTP requires), and lets the device go.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for buffers the device's memory does not hold, or
 * -ETIME/-EIO for a device that does not answer.
 */
int tpm_crb_setup(struct tpm_crb *crb, struct device *dev, u64 start, u64 len)
{
	u64 cmd_pa, rsp_pa;
	int rc;

	rc = tpm_crb_request_locality(crb, dev);
	if (rc)
		return rc;
	rc = tpm_crb_request(crb, dev, CRB_CTRL_REQ_CMD_READY, "cmdReady");
	if (rc)
		goto out_locality;
	cmd_pa = (u64)tpm_crb_ctrl(crb, CRB_CTRL_CMD_HADDR) << 32 |
		 tpm_crb_ctrl(crb, CRB_CTRL_CMD_LADDR);
	rsp_pa = (u64)tpm_crb_ctrl(crb, CRB_CTRL_RSP_ADDR + 4) << 32 |
		 tpm_crb_ctrl(crb, CRB_CTRL_RSP_ADDR);
	crb->cmd_size = tpm_crb_ctrl(crb, CRB_CTRL_CMD_SIZE);
	crb->rsp_size = tpm_crb_ctrl(crb, CRB_CTRL_RSP_SIZE);
	rc = tpm_crb_buffer(dev, "command", cmd_pa, crb->cmd_size, start, len,
			    &crb->cmd);
	if (!rc)
		rc = tpm_crb_buffer(dev, "response", rsp_pa, crb->rsp_size,
				    start, len, &crb->rsp);
	if (!rc && cmd_pa == rsp_pa && crb->cmd_size != crb->rsp_size) {
		dev_err(dev, FW_BUG "one buffer, two sizes (%u, %u)\n",
			crb->cmd_size, crb->rsp_size);
		rc = -EINVAL;
	}
	tpm_crb_request(crb, dev, CRB_CTRL_REQ_GO_IDLE, "goIdle");
out_locality:
	tpm_crb_relinquish_locality(crb, dev);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_crb_setup);

static u32 tpm_crb_mmio_read32(struct tpm_crb *crb, u32 off)
{
	return ioread32(crb->regs + off);
}

static void tpm_crb_mmio_write32(struct tpm_crb *crb, u32 off, u32 v)
{
	iowrite32(v, crb->regs + off);
}

static void tpm_crb_mmio_read(struct tpm_crb *crb, u32 off, void *to,
			      size_t len)
{
	memcpy_fromio(to, crb->regs + off, len);
}

static void tpm_crb_mmio_write(struct tpm_crb *crb, u32 off,
			       const void *from, size_t len)
{
	memcpy_toio(crb->regs + off, from, len);
}

static const struct tpm_crb_io tpm_crb_mmio = {
	.read32 = tpm_crb_mmio_read32,
	.write32 = tpm_crb_mmio_write32,
	.read = tpm_crb_mmio_read,
	.write = tpm_crb_mmio_write,
};

#ifdef CONFIG_ACPI
/* The TPM2 table's start method and control area, for a CRB device. */
static int tpm_crb_acpi_table(struct device *dev, u64 *ctrl)
{
	struct acpi_table_tpm2 *tbl;
	int rc = 0;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_TPM2, 1,
					(struct acpi_table_header **)&tbl)))
		return -ENODEV;
	if (tbl->header.length < sizeof(*tbl)) {
		dev_err(dev, FW_BUG "TPM2 table of %u bytes\n",
			tbl->header.length);
		rc = -EINVAL;
	} else if (tbl->start_method != ACPI_TPM2_COMMAND_BUFFER) {
		/* A TIS device (start method 6), or one this driver lacks. */
		dev_dbg(dev, "start method %u is not CRB\n", tbl->start_method);
		rc = -ENODEV;
	} else {
		*ctrl = tbl->control_address;
	}
	acpi_put_table((struct acpi_table_header *)tbl);
	return rc;
}

static int tpm_crb_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct tpm_chip *chip;
	struct resource *res;
	struct tpm_crb *crb;
	u64 ctrl;
	int rc;

	rc = tpm_crb_acpi_table(dev, &ctrl);
	if (rc)
		return rc;
	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res)
		return -ENODEV;
	if (ctrl < res->start || ctrl - res->start > resource_size(res) ||
	    resource_size(res) - (ctrl - res->start) < CRB_CTRL_AREA_LEN) {
		dev_err(dev, FW_BUG "control area at 0x%llx is not in %pR\n",
			ctrl, res);
		return -EINVAL;
	}
	crb = devm_kzalloc(dev, sizeof(*crb), GFP_KERNEL);
	if (!crb)
		return -ENOMEM;
	crb->regs = devm_ioremap_resource(dev, res);
	if (IS_ERR(crb->regs))
		return PTR_ERR(crb->regs);
	crb->io = &tpm_crb_mmio;
	crb->ctrl = ctrl - res->start;
	/* Locality registers where the PTP has them, before the control area. */
	crb->has_loc = crb->ctrl == CRB_CTRL_AREA_OFFSET;
	rc = tpm_crb_setup(crb, dev, res->start, resource_size(res));
	if (rc)
		return rc;

	chip = tpmm_chip_alloc(dev, &tpm_crb_ops);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	dev_set_drvdata(&chip->dev, crb);
	chip->flags |= TPM_CHIP_FLAG_TPM2;
	dev_info(dev, "CRB, command buffer %u bytes, response buffer %u\n",
		 crb->cmd_size, crb->rsp_size);
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
