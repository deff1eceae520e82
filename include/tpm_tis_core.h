/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM Interface Specification (FIFO) core, shared by the bus drivers that
 * reach a TIS register file (MMIO here; SPI or I2C would fit the same
 * phy callbacks) and by the KUnit suite's simulated device.
 */
#ifndef __TPM_TIS_CORE_H__
#define __TPM_TIS_CORE_H__

#include "tpm.h"

/* Register offsets within a locality's 4 KiB window. */
#define TPM_ACCESS(l)		(0x0000 | ((l) << 12))
#define TPM_INT_ENABLE(l)	(0x0008 | ((l) << 12))
#define TPM_INTF_CAPS(l)	(0x0014 | ((l) << 12))
#define TPM_STS(l)		(0x0018 | ((l) << 12))
#define TPM_DATA_FIFO(l)	(0x0024 | ((l) << 12))
#define TPM_DID_VID(l)		(0x0F00 | ((l) << 12))
#define TPM_RID(l)		(0x0F04 | ((l) << 12))

enum tpm_tis_access {
	TPM_ACCESS_ESTABLISHMENT	= 0x01,
	TPM_ACCESS_REQUEST_USE		= 0x02,
	TPM_ACCESS_REQUEST_PENDING	= 0x04,
	TPM_ACCESS_SEIZE		= 0x08,
	TPM_ACCESS_BEEN_SEIZED		= 0x10,
	TPM_ACCESS_ACTIVE_LOCALITY	= 0x20,
	TPM_ACCESS_RESERVED		= 0x40,
	TPM_ACCESS_VALID		= 0x80,
};

enum tpm_tis_status {
	TPM_STS_RESPONSE_RETRY		= 0x02,
	TPM_STS_EXPECT			= 0x08,
	TPM_STS_DATA_AVAIL		= 0x10,
	TPM_STS_GO			= 0x20,
	TPM_STS_COMMAND_READY		= 0x40,
	TPM_STS_VALID			= 0x80,
};

#define TPM_STS_BURST_SHIFT	8
#define TPM_STS_BURST_MASK	0xffff

/* TPM_INTF_CAPS: transfers wider than one byte (0: legacy, byte only). */
#define TPM_INTF_XFER_SIZE_MASK	(3U << 9)

/*
 * How often a response read that went wrong is asked for again, and a
 * command the TPM took wrongly sent again (upstream's TPM_RETRY).
 */
#define TPM_TIS_READ_RETRIES	50
#define TPM_TIS_SEND_RETRIES	50
/* ... and a read that waited out timeout C for data that did not come. */
#define TPM_TIS_SLOW_RETRIES	3

struct tpm_tis_data;

/**
 * struct tpm_tis_phy_ops - one access to the register file
 * @read:	read @width bytes (1 or 4) at register @addr into @v
 * @write:	write the low @width bytes (1 or 4) of @v to register @addr
 *
 * One call is one bus access: the FIFO stays at one address and moves
 * @width bytes, which the core asks for four at a time only where the
 * data says wide_fifo, and splits a transfer into such accesses itself
 * (tpm_tis_core.c), so that a simulated register file sees every access
 * the bus does.  Multi-byte registers are little-endian on the bus; @v
 * holds their value.  Both return 0 or a negative errno.
 */
struct tpm_tis_phy_ops {
	int (*read)(struct tpm_tis_data *data, u32 addr, unsigned int width,
		    u32 *v);
	int (*write)(struct tpm_tis_data *data, u32 addr, unsigned int width,
		     u32 v);
};

/**
 * struct tpm_tis_data - a TIS device
 * @phy_ops:	register access
 * @locality:	the locality commands are sent in
 * @wide_fifo:	the interface takes 4-byte FIFO accesses (set by the core
 *		from TPM_INTF_CAPS before the first command)
 * @itpm:	an Intel iTPM, whose Expect bit is not to be believed (set
 *		by the bus driver before tpm_tis_core_init())
 * @vendor:	the vendor ID from TPM_DID_VID (set by the core)
 * @read_retries: responseRetry requests made so far (for the tests)
 * @send_retries: commands sent again so far (for the tests)
 */
struct tpm_tis_data {
	const struct tpm_tis_phy_ops *phy_ops;
	int locality;
	bool wide_fifo;
	bool itpm;
	u16 vendor;
	unsigned int read_retries;
	unsigned int send_retries;
};

int tpm_tis_core_init(struct device *dev, struct tpm_tis_data *data,
		      const struct tpm_tis_phy_ops *phy_ops);
void tpm_tis_remove(struct tpm_chip *chip);

#if IS_ENABLED(CONFIG_KUNIT)
extern const struct tpm_class_ops tpm_tis_ops;
int tpm_tis_identify(struct tpm_chip *chip, struct tpm_tis_data *d);
#endif

#endif /* __TPM_TIS_CORE_H__ */
