// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM Interface Specification (FIFO interface) core.
 *
 * A command goes in through the FIFO in bursts of at most burstCount
 * bytes, with Expect checked after each burst (set: the TPM wants more)
 * and after the last byte (clear: it has it all); tpmGo starts it.  The
 * core polls STS until dataAvail|stsValid.  The response comes out as its
 * 10-byte header, then the body up to its last byte, then that byte, with
 * dataAvail checked before every burst and found clear at the end.  A read
 * that goes wrong (a byte dropped or delivered twice, a header that makes
 * no sense) is asked for again with responseRetry, and a command the TPM
 * took wrongly (Expect out of place) is sent again, each a bounded number
 * of times, as upstream does.  Every wait on the device is bounded by one
 * of the timeouts A-D.
 *
 * Chips upstream knows get its quirks: the status a cancelled command
 * leaves differs by vendor (Winbond, STMicro), and an Intel iTPM does not
 * report Expect as the specification says (tpm_tis_data.itpm: it is not
 * looked at).
 */
#include <linux/module.h>
#include "tpm_tis_core.h"

/*
 * Interface timeouts used until the TPM's family is known: TIS 1.2's,
 * with B the longest either family allows (TPM 2.0's 4 s).
 */
#define TIS_TIMEOUT_A_MS	750
#define TIS_TIMEOUT_B_MS	4000
#define TIS_TIMEOUT_C_MS	750
#define TIS_TIMEOUT_D_MS	750

/* Vendor IDs whose cancelled commands leave a status of their own. */
#define TIS_VID_WINBOND		0x1050
#define TIS_VID_STM		0x104A

static bool wide_fifo = true;
module_param(wide_fifo, bool, 0444);
MODULE_PARM_DESC(wide_fifo,
		 "Move FIFO data 4 bytes per access where the interface allows it");

static struct tpm_tis_data *tis_data(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static int tis_read8(struct tpm_tis_data *d, u32 addr, u8 *v)
{
	u32 x = 0;
	int rc;

	rc = d->phy_ops->read(d, addr, 1, &x);
	*v = x;
	return rc;
}

static int tis_write8(struct tpm_tis_data *d, u32 addr, u8 v)
{
	return d->phy_ops->write(d, addr, 1, v);
}

static int tis_read32(struct tpm_tis_data *d, u32 addr, u32 *v)
{
	return d->phy_ops->read(d, addr, 4, v);
}

/* The FIFO access width for the @len bytes still to move. */
static unsigned int tis_fifo_width(struct tpm_tis_data *d, size_t len)
{
	return d->wide_fifo && len >= 4 ? 4 : 1;
}

/* @len bytes out of the FIFO: four per access where it takes that. */
static int tis_fifo_read(struct tpm_tis_data *d, u8 *buf, size_t len)
{
	unsigned int w;
	u32 v = 0;
	int rc;

	for (; len; len -= w, buf += w) {
		w = tis_fifo_width(d, len);
		rc = d->phy_ops->read(d, TPM_DATA_FIFO(d->locality), w, &v);
		if (rc)
			return rc;
		if (w == 4)
			put_unaligned_le32(v, buf);
		else
			*buf = v;
	}
	return 0;
}

/* @len bytes into the FIFO, the same way. */
static int tis_fifo_write(struct tpm_tis_data *d, const u8 *buf, size_t len)
{
	unsigned int w;
	int rc;

	for (; len; len -= w, buf += w) {
		w = tis_fifo_width(d, len);
		rc = d->phy_ops->write(d, TPM_DATA_FIFO(d->locality), w,
				       w == 4 ? get_unaligned_le32(buf) : *buf);
		if (rc)
			return rc;
	}
	return 0;
}

/* STS, or -ENODEV when it reads as all ones: the device is gone. */
static int tis_read_sts(struct tpm_tis_data *d, u32 *sts)
{
	int rc;

	rc = tis_read32(d, TPM_STS(d->locality), sts);
	if (rc)
		return rc;
	return *sts == ~0U ? -ENODEV : 0;
}

/*
 * Wait until every bit of @mask is set in STS.  The deadline is tested
 * before each read, so the last read comes after it: a device that got
 * there during the last sleep is not given up on.
 */
static int tis_wait_sts(struct tpm_tis_data *d, u8 mask,
			unsigned long timeout, u32 *sts)
{
	unsigned long stop = jiffies + timeout;
	unsigned int step = TPM_POLL_MIN_US;
	bool expired;
	int rc;

	for (;;) {
		expired = time_after(jiffies, stop);
		rc = tis_read_sts(d, sts);
		if (rc)
			return rc;
		if ((*sts & mask) == mask)
			return 0;
		if (expired)
			return -ETIME;
		tpm_poll_sleep(&step);
	}
}

/*
 * The burst count in @sts, the status the caller just read; while it is
 * zero, in fresh reads of STS, for up to timeout D (TPM 1.2) or A (TPM
 * 2.0, whose D of 30 ms is too short for a burst count, as upstream
 * found).  One read of STS serves both the caller's check and the burst
 * count, which matters where each access is a trip to a device model or
 * across a bus.
 */
static int tis_burst_count(struct tpm_chip *chip, struct tpm_tis_data *d,
			   u32 sts)
{
	unsigned long stop = jiffies + (chip->flags & TPM_CHIP_FLAG_TPM2 ?
					chip->timeout_a : chip->timeout_d);
	unsigned int step = TPM_POLL_MIN_US;
	u32 burst;
	int rc;

	for (;;) {
		burst = (sts >> TPM_STS_BURST_SHIFT) & TPM_STS_BURST_MASK;
		if (burst)
			return burst;
		if (time_after(jiffies, stop))
			return -ETIME;
		tpm_poll_sleep(&step);
		rc = tis_read_sts(d, &sts);
		if (rc)
			return rc;
	}
}

static int tis_access(struct tpm_tis_data *d, int l, u8 *access)
{
	int rc;

	rc = tis_read8(d, TPM_ACCESS(l), access);
	if (rc)
		return rc;
	/* A reserved bit set means nothing answers at this address. */
	return *access & TPM_ACCESS_RESERVED ? -ENODEV : 0;
}

static bool tis_locality_granted(u8 access)
{
	return (access & (TPM_ACCESS_VALID | TPM_ACCESS_ACTIVE_LOCALITY)) ==
	       (TPM_ACCESS_VALID | TPM_ACCESS_ACTIVE_LOCALITY);
}

static int tpm_tis_request_locality(struct tpm_chip *chip, int l)
{
	struct tpm_tis_data *d = tis_data(chip);
	unsigned long stop = jiffies + chip->timeout_a;
	unsigned int step = TPM_POLL_MIN_US;
	u8 access;
	int rc;

	rc = tis_access(d, l, &access);
	if (rc)
		return rc;
	if (!tis_locality_granted(access)) {
		rc = tis_write8(d, TPM_ACCESS(l), TPM_ACCESS_REQUEST_USE);
		if (rc)
			return rc;
	}
	for (;;) {
		rc = tis_access(d, l, &access);
		if (rc)
			return rc;
		if (tis_locality_granted(access))
			break;
		if (time_after(jiffies, stop)) {
			dev_err(&chip->dev, "locality %d not granted\n", l);
			return -EBUSY;
		}
		tpm_poll_sleep(&step);
	}
	d->locality = l;
	return 0;
}

static int tpm_tis_relinquish_locality(struct tpm_chip *chip, int l)
{
	return tis_write8(tis_data(chip), TPM_ACCESS(l),
			  TPM_ACCESS_ACTIVE_LOCALITY);
}

static u8 tpm_tis_status(struct tpm_chip *chip)
{
	u32 sts;

	if (tis_read_sts(tis_data(chip), &sts))
		return 0xff;
	return sts & 0xff;
}

/* commandReady: abort whatever the TPM is doing and make it ready. */
static int tis_abort(struct tpm_tis_data *d)
{
	return tis_write8(d, TPM_STS(d->locality), TPM_STS_COMMAND_READY);
}

static void tpm_tis_cancel(struct tpm_chip *chip)
{
	tis_abort(tis_data(chip));
}

/*
 * A command cancelled (by the TPM, or from another locality) leaves
 * commandReady; a Winbond chip leaves stsValid, with or without it, and
 * an STMicro chip both.
 */
static bool tpm_tis_req_canceled(struct tpm_chip *chip, u8 status)
{
	switch (tis_data(chip)->vendor) {
	case TIS_VID_WINBOND:
		return status == TPM_STS_VALID ||
		       status == (TPM_STS_VALID | TPM_STS_COMMAND_READY);
	case TIS_VID_STM:
		return status == (TPM_STS_VALID | TPM_STS_COMMAND_READY);
	default:
		return status == TPM_STS_COMMAND_READY;
	}
}

/* Make the TPM ready for a command; @sts is its status then. */
static int tis_ready(struct tpm_chip *chip, struct tpm_tis_data *d, u32 *sts)
{
	int rc;

	rc = tis_read_sts(d, sts);
	if (rc || (*sts & TPM_STS_COMMAND_READY))
		return rc;
	rc = tis_abort(d);
	if (rc)
		return rc;
	return tis_wait_sts(d, TPM_STS_COMMAND_READY, chip->timeout_b, sts);
}

/*
 * Write @len bytes through the FIFO, @sts being the status read last;
 * Expect must still be set after them.
 */
static int tis_send_data(struct tpm_chip *chip, struct tpm_tis_data *d,
			 const u8 *buf, size_t len, u32 sts)
{
	size_t done = 0;
	int burst, rc;

	while (done < len) {
		burst = tis_burst_count(chip, d, sts);
		if (burst < 0)
			return burst;
		burst = min_t(size_t, burst, len - done);
		rc = tis_fifo_write(d, buf + done, burst);
		if (rc)
			return rc;
		done += burst;
		rc = tis_wait_sts(d, TPM_STS_VALID, chip->timeout_c, &sts);
		if (rc)
			return rc;
		if (!(sts & TPM_STS_EXPECT) && !d->itpm)
			return -EIO;
	}
	return 0;
}

/* One attempt at writing the command; -EIO when sending again may help. */
static int tis_send_once(struct tpm_chip *chip, struct tpm_tis_data *d,
			 const u8 *buf, size_t len)
{
	u32 sts;
	int rc;

	rc = tis_ready(chip, d, &sts);
	if (rc)
		return rc;
	rc = tis_send_data(chip, d, buf, len - 1, sts);
	if (rc)
		return rc;
	/* The last byte: afterwards the TPM must expect nothing more. */
	rc = tis_fifo_write(d, buf + len - 1, 1);
	if (rc)
		return rc;
	rc = tis_wait_sts(d, TPM_STS_VALID, chip->timeout_c, &sts);
	if (rc)
		return rc;
	if ((sts & TPM_STS_EXPECT) && !d->itpm)
		return -EIO;
	return 0;
}

static int tpm_tis_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct tpm_tis_data *d = tis_data(chip);
	unsigned int try;
	int rc;

	for (try = 0; ; try++) {
		rc = tis_send_once(chip, d, buf, len);
		if (rc != -EIO || try == TPM_TIS_SEND_RETRIES)
			break;
		/* Start over: commandReady drops what the TPM took. */
		d->send_retries++;
		tis_abort(d);
	}
	if (!rc)
		rc = tis_write8(d, TPM_STS(d->locality), TPM_STS_GO);
	if (rc)
		tis_abort(d);
	return rc;
}

/* Read @count bytes; dataAvail must be set before every burst. */
static int tis_recv_data(struct tpm_chip *chip, struct tpm_tis_data *d,
			 u8 *buf, size_t count)
{
	size_t done = 0;
	int burst, rc;
	u32 sts;

	while (done < count) {
		rc = tis_wait_sts(d, TPM_STS_DATA_AVAIL | TPM_STS_VALID,
				  chip->timeout_c, &sts);
		if (rc)
			return rc;
		burst = tis_burst_count(chip, d, sts);
		if (burst < 0)
			return burst;
		burst = min_t(size_t, burst, count - done);
		rc = tis_fifo_read(d, buf + done, burst);
		if (rc)
			return rc;
		done += burst;
	}
	return 0;
}

/*
 * One attempt at the response: -EIO when asking again may help at once,
 * -ETIME when the device stopped short of what its header said.
 */
static int tis_recv_once(struct tpm_chip *chip, struct tpm_tis_data *d,
			 u8 *buf, size_t bufsiz)
{
	size_t size;
	u32 sts;
	int rc;

	rc = tis_recv_data(chip, d, buf, TPM_HEADER_SIZE);
	if (rc)
		return rc;
	size = tpm_hdr_len(buf);
	if (size < TPM_HEADER_SIZE || size > bufsiz)
		return -EIO;

	/*
	 * The last byte is read on its own so that a response one byte short
	 * (a byte dropped on the way) shows as dataAvail clear before it.
	 */
	if (size > TPM_HEADER_SIZE) {
		rc = tis_recv_data(chip, d, buf + TPM_HEADER_SIZE,
				   size - TPM_HEADER_SIZE - 1);
		if (!rc)
			rc = tis_recv_data(chip, d, buf + size - 1, 1);
		if (rc)
			return rc;
	}

	rc = tis_wait_sts(d, TPM_STS_VALID, chip->timeout_c, &sts);
	if (rc)
		return rc;
	if (sts & TPM_STS_DATA_AVAIL)
		return -EIO;
	return size;
}

static int tpm_tis_recv(struct tpm_chip *chip, u8 *buf, size_t bufsiz)
{
	struct tpm_tis_data *d = tis_data(chip);
	unsigned int try, slow = 0;
	int rc;

	/*
	 * A read that went wrong at once is asked for again up to
	 * TPM_TIS_READ_RETRIES times, as upstream does; one that waited out
	 * timeout C only TPM_TIS_SLOW_RETRIES times, so that a device that
	 * always stops short holds the chip for a few timeouts, not fifty.
	 */
	for (try = 0; ; try++) {
		rc = tis_recv_once(chip, d, buf, bufsiz);
		if (rc == -ETIME) {
			rc = -EIO;
			if (++slow > TPM_TIS_SLOW_RETRIES)
				break;
		}
		if (rc != -EIO || try == TPM_TIS_READ_RETRIES)
			break;
		d->read_retries++;
		rc = tis_write8(d, TPM_STS(d->locality), TPM_STS_RESPONSE_RETRY);
		if (rc)
			break;
	}
	if (rc == -EIO)
		dev_err(&chip->dev, "response unreadable after %u retries\n",
			try);
	/* Done with this response either way. */
	tis_abort(d);
	return rc;
}

VISIBLE_IF_KUNIT const struct tpm_class_ops tpm_tis_ops = {
	.req_complete_mask = TPM_STS_DATA_AVAIL | TPM_STS_VALID,
	.req_complete_val = TPM_STS_DATA_AVAIL | TPM_STS_VALID,
	.req_canceled = tpm_tis_req_canceled,
	.status = tpm_tis_status,
	.send = tpm_tis_send,
	.recv = tpm_tis_recv,
	.cancel = tpm_tis_cancel,
	.request_locality = tpm_tis_request_locality,
	.relinquish_locality = tpm_tis_relinquish_locality,
};
EXPORT_SYMBOL_IF_KUNIT(tpm_tis_ops);

static void tis_set_default_timeouts(struct tpm_chip *chip)
{
	chip->timeout_a = msecs_to_jiffies(TIS_TIMEOUT_A_MS);
	chip->timeout_b = msecs_to_jiffies(TIS_TIMEOUT_B_MS);
	chip->timeout_c = msecs_to_jiffies(TIS_TIMEOUT_C_MS);
	chip->timeout_d = msecs_to_jiffies(TIS_TIMEOUT_D_MS);
}

/*
 * Who the TPM is (its vendor picks the quirks) and whether its FIFO takes
 * 4-byte accesses.
 */
VISIBLE_IF_KUNIT int tpm_tis_identify(struct tpm_chip *chip,
				      struct tpm_tis_data *d)
{
	u32 did_vid, caps;
	u8 rid;
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tis_read32(d, TPM_DID_VID(d->locality), &did_vid);
	if (!rc)
		rc = tis_read8(d, TPM_RID(d->locality), &rid);
	if (!rc)
		rc = tis_read32(d, TPM_INTF_CAPS(d->locality), &caps);
	tpm_put_ops(chip);
	if (rc)
		return rc;
	if (did_vid == ~0U || !did_vid)
		return -ENODEV;
	d->vendor = did_vid & 0xffff;
	d->wide_fifo = wide_fifo && caps != ~0U &&
		       (caps & TPM_INTF_XFER_SIZE_MASK);
	dev_info(chip->dev.parent, "TIS device 0x%04x:0x%04x, revision %u, %s FIFO accesses\n",
		 did_vid & 0xffff, did_vid >> 16, rid,
		 d->wide_fifo ? "4-byte" : "1-byte");
	if (d->itpm)
		dev_info(chip->dev.parent, "Intel iTPM: Expect is not looked at\n");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_tis_identify);

/**
 * tpm_tis_core_init() - find a TPM behind a TIS register file and register it
 * @dev:	the bus device; the chip is its drvdata, its resources stay
 *		managed on it
 * @data:	the driver's TIS state, living as long as @dev is bound
 * @phy_ops:	register access
 *
 * Context: process context, may sleep.
 * Return: 0, -ENODEV if no TPM answers, or another negative errno.
 */
int tpm_tis_core_init(struct device *dev, struct tpm_tis_data *data,
		      const struct tpm_tis_phy_ops *phy_ops)
{
	struct tpm_chip *chip;
	int rc;

	chip = tpmm_chip_alloc(dev, &tpm_tis_ops);
	if (IS_ERR(chip))
		return PTR_ERR(chip);

	data->phy_ops = phy_ops;
	data->locality = 0;
	dev_set_drvdata(&chip->dev, data);
	tis_set_default_timeouts(chip);

	rc = tpm_tis_identify(chip, data);
	if (rc)
		return rc;
	rc = tpm2_probe(chip);
	if (rc)
		return rc;
	if (chip->flags & TPM_CHIP_FLAG_TPM2)
		tpm2_set_default_timeouts(chip);

	return tpm_chip_register(chip);
}
EXPORT_SYMBOL_GPL(tpm_tis_core_init);

/**
 * tpm_tis_remove() - unregister a TIS chip
 * @chip: the chip tpm_tis_core_init() registered
 *
 * After it returns the TIS core will not touch the registers again, so
 * the bus driver's managed resources may go.
 *
 * Context: process context, may sleep.
 */
void tpm_tis_remove(struct tpm_chip *chip)
{
	tpm_chip_unregister(chip);
}
EXPORT_SYMBOL_GPL(tpm_tis_remove);

MODULE_DESCRIPTION("TPM Interface Specification (FIFO) core");
MODULE_LICENSE("GPL");
