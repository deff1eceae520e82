/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CRB interface's registers (TCG PC Client Platform TPM Profile),
 * and what tpm_crb.c shares with its KUnit tests.
 */
#ifndef __TPM_CRB_H__
#define __TPM_CRB_H__

#include "tpm.h"

/* Locality 0's registers, at the start of the device's memory. */
#define CRB_LOC_STATE			0x00
#define CRB_LOC_STATE_ASSIGNED		BIT(1)
#define CRB_LOC_STATE_VALID		BIT(7)
#define CRB_LOC_CTRL			0x08
#define CRB_LOC_CTRL_REQUEST		BIT(0)
#define CRB_LOC_CTRL_RELINQUISH		BIT(1)

/* Where the PTP puts the control area, after the locality registers. */
#define CRB_CTRL_AREA_OFFSET		0x40

/* The control area's registers, from its start. */
#define CRB_CTRL_REQ			0x00
#define CRB_CTRL_REQ_CMD_READY		BIT(0)
#define CRB_CTRL_REQ_GO_IDLE		BIT(1)
#define CRB_CTRL_STS			0x04
#define CRB_CTRL_STS_ERROR		BIT(0)
#define CRB_CTRL_STS_IDLE		BIT(1)
#define CRB_CTRL_CANCEL			0x08
#define CRB_CANCEL_INVOKE		BIT(0)
#define CRB_CTRL_START			0x0C
#define CRB_START_INVOKE		BIT(0)
#define CRB_CTRL_CMD_SIZE		0x18
#define CRB_CTRL_CMD_LADDR		0x1C
#define CRB_CTRL_CMD_HADDR		0x20
#define CRB_CTRL_RSP_SIZE		0x24
#define CRB_CTRL_RSP_ADDR		0x28
#define CRB_CTRL_AREA_LEN		0x30

struct tpm_crb;

/**
 * struct tpm_crb_io - access to the device's memory
 * @read32:	a register at an offset
 * @write32:	a register at an offset
 * @read:	bytes of a buffer
 * @write:	bytes into a buffer
 *
 * Offsets are from the start of the device's memory; the driver never
 * passes one outside it.
 */
struct tpm_crb_io {
	u32 (*read32)(struct tpm_crb *crb, u32 off);
	void (*write32)(struct tpm_crb *crb, u32 off, u32 v);
	void (*read)(struct tpm_crb *crb, u32 off, void *to, size_t len);
	void (*write)(struct tpm_crb *crb, u32 off, const void *from,
		      size_t len);
};

/**
 * struct tpm_crb - one CRB device
 * @io:		register access
 * @regs:	the device's memory, mapped (MMIO access)
 * @ctrl:	the control area's offset
 * @has_loc:	locality registers precede the control area
 * @cmd:	the command buffer's offset
 * @cmd_size:	its size
 * @rsp:	the response buffer's offset
 * @rsp_size:	its size
 */
struct tpm_crb {
	const struct tpm_crb_io *io;
	void __iomem *regs;
	u32 ctrl;
	bool has_loc;
	u32 cmd;
	u32 cmd_size;
	u32 rsp;
	u32 rsp_size;
};

int tpm_crb_setup(struct tpm_crb *crb, struct device *dev, u64 start,
		  u64 len);
#if IS_ENABLED(CONFIG_KUNIT)
extern const struct tpm_class_ops tpm_crb_ops;
#endif

#endif /* __TPM_CRB_H__ */
