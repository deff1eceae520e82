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

/* The TPM2 table's start methods (TCG ACPI Specification). */
#define TPM_CRB_SM_ACPI			2	/* the ACPI _DSM starts it */
#define TPM_CRB_SM_TIS			6	/* FIFO: tpm_tis's */
#define TPM_CRB_SM_CRB			7
#define TPM_CRB_SM_CRB_ACPI		8	/* CRB, and the _DSM too */
#define TPM_CRB_SM_ARM_SMC		11
#define TPM_CRB_SM_PLUTON		13

/*
 * The TPM2 table: its control area's address and its start method (little
 * endian, after the 36-byte ACPI header and two 16-bit fields), then
 * Pluton's start and reply doorbells' addresses.
 */
#define TPM_CRB_TABLE_CTRL		40
#define TPM_CRB_TABLE_SM		48
#define TPM_CRB_TABLE_LEN		52
#define TPM_CRB_TABLE_PLUTON_START	52
#define TPM_CRB_TABLE_PLUTON_REPLY	60
#define TPM_CRB_TABLE_PLUTON_LEN	(TPM_CRB_TABLE_LEN + 16)

/* Memory resources used from _CRS, as upstream: at most three. */
#define TPM_CRB_MAX_RES			3
/*
 * Mappings: the resources, and the areas outside them (the control area
 * and the two buffers; Pluton, without resources, its two doorbells too).
 */
#define TPM_CRB_MAX_WIN			(TPM_CRB_MAX_RES + 3)

struct tpm_crb;

/**
 * struct tpm_crb_io - access to the device
 * @map:	make [pa, pa + len) accessible (a mapping that covers it
 *		already will do); 0 or an errno
 * @read32:	a register at a bus address
 * @write32:	a register at a bus address
 * @read:	bytes of a buffer
 * @write:	bytes into a buffer
 * @acpi_start:	the ACPI _DSM start function (start methods 2 and 8);
 *		0 or -ENXIO
 *
 * The driver accesses nothing it has not mapped first.
 */
struct tpm_crb_io {
	int (*map)(struct tpm_crb *crb, u64 pa, u64 len);
	u32 (*read32)(struct tpm_crb *crb, u64 pa);
	void (*write32)(struct tpm_crb *crb, u64 pa, u32 v);
	void (*read)(struct tpm_crb *crb, u64 pa, void *to, size_t len);
	void (*write)(struct tpm_crb *crb, u64 pa, const void *from,
		      size_t len);
	int (*acpi_start)(struct tpm_crb *crb);
};

/**
 * struct tpm_crb_range - a range of bus addresses
 * @pa:		where it starts
 * @len:	its length
 */
struct tpm_crb_range {
	u64 pa;
	u64 len;
};

/**
 * struct tpm_crb_win - a mapping (MMIO access)
 * @range:	the bus addresses it covers
 * @va:		where they are mapped
 */
struct tpm_crb_win {
	struct tpm_crb_range range;
	void __iomem *va;
};

/**
 * struct tpm_crb - one CRB device
 * @io:		device access
 * @dev:	the bus device (messages, mappings, the _DSM's handle)
 * @sm:		the TPM2 table's start method
 * @res:	the memory resources of _CRS (none for Pluton)
 * @nres:	how many
 * @win:	the mappings made (MMIO access)
 * @nwin:	how many
 * @ctrl:	the control area's bus address
 * @loc:	the locality registers' (if @has_loc)
 * @has_loc:	locality registers precede the control area
 * @cmd:	the command buffer's bus address
 * @cmd_size:	its size
 * @rsp:	the response buffer's
 * @rsp_size:	its size
 * @pluton_start: Pluton's start doorbell
 * @pluton_reply: Pluton's reply doorbell
 */
struct tpm_crb {
	const struct tpm_crb_io *io;
	struct device *dev;
	u32 sm;
	struct tpm_crb_range res[TPM_CRB_MAX_RES];
	unsigned int nres;
	struct tpm_crb_win win[TPM_CRB_MAX_WIN];
	unsigned int nwin;
	u64 ctrl;
	u64 loc;
	bool has_loc;
	u64 cmd;
	u32 cmd_size;
	u64 rsp;
	u32 rsp_size;
	u64 pluton_start;
	u64 pluton_reply;
};

int tpm_crb_parse_table(struct tpm_crb *crb, const void *table, u32 len);
int tpm_crb_setup(struct tpm_crb *crb);
#if IS_ENABLED(CONFIG_KUNIT)
extern const struct tpm_class_ops tpm_crb_ops;
#endif

#endif /* __TPM_CRB_H__ */
