// SPDX-License-Identifier: GPL-2.0-only
/*
 * The firmware's event log: what it measured into the PCRs before the
 * kernel ran.  Read at registration from the area the ACPI TPM2 table
 * (TPM 2.0) or TCPA table (TPM 1.2) describes or, for a TPM 2.0 where ACPI
 * has none, from the copy a UEFI boot's EFI stub handed over (with the
 * events logged after that copy, from the final events table); checked
 * event by event, and shown in securityfs as
 * tpmN/binary_bios_measurements (the events as the firmware wrote them)
 * and, for a TPM 1.2, ascii_bios_measurements (one line per event,
 * upstream's format).  A vtpm has none.
 *
 * A log whose events run past its area, or that is cut in the middle of
 * an event, is refused with a message: nothing of it is shown, and nothing
 * past the area is ever read.
 *
 * Files and memory: the checked events are copied into chip->log
 * (kvmalloc), freed with the chip.  An open file holds a reference on the chip; the files
 * are removed at unregister, and one opened just before sees the chip
 * through the inode's i_private, cleared under the inode lock first.
 */
#include <linux/acpi.h>
#include <linux/efi.h>
#include <linux/tpm_eventlog.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "tpm.h"

/* The largest log area read; QEMU's is 64 KiB, a PC's a few hundred. */
#define TPM_LOG_MAX_LEN		SZ_16M

/* A TPM 1.2 event (TCG_PCClientPCREvent): pcr, type, SHA-1, size, data. */
#define TPM_LOG_EV1_HDR		32
#define TPM_LOG_EV1_SIZE_OFF	28
/* A TPM 2.0 event (TCG_PCR_EVENT2): pcr, type, digest count, ... */
#define TPM_LOG_EV2_HDR		12
#define TPM_LOG_EV_NO_ACTION	3
#define TPM_LOG_EV_SEPARATOR	4
#define TPM_LOG_EV_ACTION	5
#define TPM_LOG_EV_EVENT_TAG	6
/* The first event of a TPM 2.0 log, in the TPM 1.2 format. */
#define TPM_LOG_SPEC_ID		"Spec ID Event03"
#define TPM_LOG_SPEC_ID_HDR	28
#define TPM_LOG_MAX_ALGS	16

/**
 * struct tpm_log_algs - the digests each TPM 2.0 event carries
 * @n:		how many algorithms the log's Spec ID event lists
 * @id:		each one's TPM_ALG_*
 * @size:	each one's digest size
 */
struct tpm_log_algs {
	u32 n;
	u16 id[TPM_LOG_MAX_ALGS];
	u16 size[TPM_LOG_MAX_ALGS];
};

/*
 * The size of the TPM 1.2 format event at @ev, @rest bytes before the end
 * of the area; 0 at the end of the log (a zero type and size, or too few
 * bytes left for an event, all of them zero).
 */
static ssize_t tpm_log_ev1_size(const u8 *ev, size_t rest, const char **why)
{
	u32 type, size;

	if (rest < TPM_LOG_EV1_HDR) {
		if (!memchr_inv(ev, 0, rest))
			return 0;
		*why = "an event header runs past the log area";
		return -EBADMSG;
	}
	type = get_unaligned_le32(ev + 4);
	size = get_unaligned_le32(ev + TPM_LOG_EV1_SIZE_OFF);
	if (!type && !size)
		return 0;
	if (size > rest - TPM_LOG_EV1_HDR) {
		*why = "an event's data runs past the log area";
		return -EBADMSG;
	}
	return TPM_LOG_EV1_HDR + size;
}

/* The algorithms of the Spec ID event's data, @len bytes at @data. */
static int tpm_log_spec_id(const u8 *data, u32 len, struct tpm_log_algs *algs,
			   const char **why)
{
	u32 i, off = TPM_LOG_SPEC_ID_HDR;

	*why = "the Spec ID event is malformed";
	if (len < TPM_LOG_SPEC_ID_HDR ||
	    memcmp(data, TPM_LOG_SPEC_ID, sizeof(TPM_LOG_SPEC_ID)))
		return -EBADMSG;
	algs->n = get_unaligned_le32(data + 24);
	if (!algs->n || algs->n > TPM_LOG_MAX_ALGS ||
	    algs->n * 4 > len - off)
		return -EBADMSG;
	for (i = 0; i < algs->n; i++, off += 4) {
		algs->id[i] = get_unaligned_le16(data + off);
		algs->size[i] = get_unaligned_le16(data + off + 2);
		if (!algs->size[i] || algs->size[i] > TPM2_MAX_DIGEST_SIZE)
			return -EBADMSG;
	}
	/* vendorInfoSize, then the vendor's bytes. */
	if (off >= len || data[off] > len - off - 1)
		return -EBADMSG;
	return 0;
}

/* The digest size of algorithm @id in this log; 0 if it lists no such. */
static u16 tpm_log_alg_size(const struct tpm_log_algs *algs, u16 id)
{
	u32 i;

	for (i = 0; i < algs->n; i++)
		if (algs->id[i] == id)
			return algs->size[i];
	return 0;
}

/* As tpm_log_ev1_size(), for a TPM 2.0 (crypto agile) event. */
static ssize_t tpm_log_ev2_size(const u8 *ev, size_t rest,
				const struct tpm_log_algs *algs,
				const char **why)
{
	size_t off = TPM_LOG_EV2_HDR;
	u32 type, count, i, size;
	u16 dsize;

	*why = "an event runs past the log area";
	if (rest < TPM_LOG_EV2_HDR) {
		if (!memchr_inv(ev, 0, rest))
			return 0;
		return -EBADMSG;
	}
	type = get_unaligned_le32(ev + 4);
	count = get_unaligned_le32(ev + 8);
	if (!type && !count)
		return 0;
	if (count > algs->n) {
		*why = "an event has more digests than the log has algorithms";
		return -EBADMSG;
	}
	for (i = 0; i < count; i++) {
		if (rest - off < 2)
			return -EBADMSG;
		dsize = tpm_log_alg_size(algs, get_unaligned_le16(ev + off));
		if (!dsize) {
			*why = "an event's digest is of an algorithm the log does not list";
			return -EBADMSG;
		}
		off += 2;
		if (rest - off < dsize)
			return -EBADMSG;
		off += dsize;
	}
	if (rest - off < 4)
		return -EBADMSG;
	size = get_unaligned_le32(ev + off);
	off += 4;
	if (size > rest - off)
		return -EBADMSG;
	return off + size;
}

/*
 * Firmware leaves the rest of its log area as it found it: zeros, or 0xFF
 * (edk2 fills the area with 0xFF before the first event).
 */
static bool tpm_log_padding(const u8 *p, size_t n)
{
	return !memchr_inv(p, 0, n) || !memchr_inv(p, 0xff, n);
}

/**
 * tpm_eventlog_parse() - check a firmware event log, event by event
 * @log:	the log area
 * @len:	its size
 * @tpm2:	a TPM 2.0's log: a Spec ID event, then crypto agile events
 * @used:	out: the bytes the events take, up to the end of the log
 * @why:	out: on failure, what is wrong with the log
 *
 * The log ends at an event whose type and size (TPM 1.2) or type and
 * digest count (TPM 2.0) are zero, as upstream reads it, or where only
 * padding is left (zeros or 0xFF).  An area that is all padding holds no
 * log (*@used is 0).  Anything else that is not a whole event is a lie.
 * Nothing past @len is read.
 *
 * Context: any context.
 * Return: 0, or -EBADMSG for a log that runs past its area, is cut in the
 * middle of an event, or (TPM 2.0) does not describe its digests.
 */
int tpm_eventlog_parse(const u8 *log, size_t len, bool tpm2, size_t *used,
		       const char **why)
{
	struct tpm_log_algs algs;
	size_t off = 0;
	ssize_t n;
	int rc;

	*used = 0;
	if (tpm_log_padding(log, len))
		return 0;
	if (tpm2) {
		n = tpm_log_ev1_size(log, len, why);
		if (n <= 0) {
			*why = n ? *why : "no Spec ID event";
			return -EBADMSG;
		}
		if (get_unaligned_le32(log + 4) != TPM_LOG_EV_NO_ACTION) {
			*why = "the first event is not the Spec ID event";
			return -EBADMSG;
		}
		rc = tpm_log_spec_id(log + TPM_LOG_EV1_HDR,
				     n - TPM_LOG_EV1_HDR, &algs, why);
		if (rc)
			return rc;
		off = n;
	}
	while (off < len) {
		n = tpm2 ? tpm_log_ev2_size(log + off, len - off, &algs, why) :
			   tpm_log_ev1_size(log + off, len - off, why);
		if (n < 0 && tpm_log_padding(log + off, len - off))
			n = 0;
		if (n < 0)
			return n;
		if (!n)
			break;
		off += n;
	}
	*used = off;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_eventlog_parse);

/* The names upstream's ascii_bios_measurements gives TPM 1.2 events. */
static const char *const tpm_log_type_names[] = {
	"PREBOOT", "POST CODE", "", "NO ACTION", "SEPARATOR", "ACTION",
	"EVENT TAG", "S-CRTM Contents", "S-CRTM Version", "CPU Microcode",
	"Platform Config Flags", "Table of Devices", "Compact Hash", "IPL",
	"IPL Partition Data", "Non-Host Code", "Non-Host Config",
	"Non-Host Info",
};

/* The EV_EVENT_TAG event IDs whose text is followed by a SHA-1 digest. */
#define TPM_LOG_TAG_HASHED	(BIT(3) | BIT(4) | BIT(10) | BIT(12) | BIT(13))

static const char *const tpm_log_tag_names[] = {
	"", "SMBIOS", "BIS Certificate", "POST BIOS ", "ESCD ", "CMOS",
	"NVRAM", "Option ROM", "Option ROM config", "",
	"Option ROM microcode ", "S-CRTM Version", "S-CRTM Contents ",
	"POST Contents ",
};

/* The text of an EV_EVENT_TAG: its ID's name, and a digest for some. */
static void tpm_log_show_tag(struct seq_file *m, const u8 *data, u32 size)
{
	u32 id;

	if (size < 8)
		return;
	id = get_unaligned_le32(data);
	if (id >= ARRAY_SIZE(tpm_log_tag_names) || !tpm_log_tag_names[id][0])
		return;
	seq_puts(m, tpm_log_tag_names[id]);
	if ((TPM_LOG_TAG_HASHED & BIT(id)) && size >= 8 + TPM_DIGEST_SIZE)
		seq_printf(m, "%*phN", TPM_DIGEST_SIZE, data + 8);
}

/* "PCR SHA-1 type [text]" for the TPM 1.2 event at @ev. */
static void tpm_log_show_ev1(struct seq_file *m, const u8 *ev)
{
	u32 type = get_unaligned_le32(ev + 4);
	u32 size = get_unaligned_le32(ev + TPM_LOG_EV1_SIZE_OFF);
	const u8 *data = ev + TPM_LOG_EV1_HDR;

	seq_printf(m, "%2u %*phN %02x [", get_unaligned_le32(ev),
		   TPM_DIGEST_SIZE, ev + 8, type);
	/* The text of a separator or action, if it is under 1000 bytes. */
	if (type == TPM_LOG_EV_SEPARATOR || type == TPM_LOG_EV_ACTION)
		seq_printf(m, "%.*s", size < 1000 ? (int)size : 0, data);
	else if (type == TPM_LOG_EV_EVENT_TAG)
		tpm_log_show_tag(m, data, size);
	else if (type < ARRAY_SIZE(tpm_log_type_names))
		seq_puts(m, tpm_log_type_names[type]);
	seq_puts(m, "]\n");
}

/* The events were checked when the log was read: sizes are in bounds. */
static int tpm_log_ascii_show(struct seq_file *m, void *unused)
{
	struct tpm_chip *chip = m->private;
	const u8 *log = chip->log.bios_event_log;
	size_t len = chip->log.bios_event_log_end - chip->log.bios_event_log;
	size_t off = 0;
	const char *why;
	ssize_t n;

	while (off < len) {
		n = tpm_log_ev1_size(log + off, len - off, &why);
		if (n <= 0)
			break;
		tpm_log_show_ev1(m, log + off);
		off += n;
	}
	return 0;
}

/* The chip of an open file, with a reference; NULL once it is unplugged. */
static struct tpm_chip *tpm_log_get_chip(struct inode *inode)
{
	struct tpm_chip *chip;

	inode_lock(inode);
	chip = inode->i_private;
	if (chip)
		get_device(&chip->dev);
	inode_unlock(inode);
	return chip;
}

static int tpm_log_binary_open(struct inode *inode, struct file *file)
{
	file->private_data = tpm_log_get_chip(inode);
	return file->private_data ? 0 : -ENODEV;
}

static ssize_t tpm_log_binary_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct tpm_chip *chip = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos,
				       chip->log.bios_event_log,
				       chip->log.bios_event_log_end -
				       chip->log.bios_event_log);
}

static int tpm_log_binary_release(struct inode *inode, struct file *file)
{
	struct tpm_chip *chip = file->private_data;

	put_device(&chip->dev);
	return 0;
}

static const struct file_operations tpm_log_binary_fops = {
	.owner = THIS_MODULE,
	.open = tpm_log_binary_open,
	.read = tpm_log_binary_read,
	.release = tpm_log_binary_release,
	.llseek = default_llseek,
};

static int tpm_log_ascii_open(struct inode *inode, struct file *file)
{
	struct tpm_chip *chip = tpm_log_get_chip(inode);
	int rc;

	if (!chip)
		return -ENODEV;
	rc = single_open(file, tpm_log_ascii_show, chip);
	if (rc)
		put_device(&chip->dev);
	return rc;
}

static int tpm_log_ascii_release(struct inode *inode, struct file *file)
{
	struct tpm_chip *chip = ((struct seq_file *)file->private_data)->private;

	single_release(inode, file);
	put_device(&chip->dev);
	return 0;
}

static const struct file_operations tpm_log_ascii_fops = {
	.owner = THIS_MODULE,
	.open = tpm_log_ascii_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = tpm_log_ascii_release,
};

#ifdef CONFIG_ACPI
/* The TCPA table's header, before its platform class (u16). */
#define TPM_LOG_TCPA_HDR	sizeof(struct acpi_table_header)

/* Where the ACPI table of the chip's family says the log area is. */
static int tpm_log_acpi_area(struct tpm_chip *chip, u64 *start, u64 *len)
{
	struct acpi_table_header *hdr;
	bool tpm2 = chip->flags & TPM_CHIP_FLAG_TPM2;
	const u8 *t;
	int rc = 0;

	if (ACPI_FAILURE(acpi_get_table(tpm2 ? ACPI_SIG_TPM2 : ACPI_SIG_TCPA,
					1, &hdr)))
		return -ENODEV;
	t = (const u8 *)hdr;
	if (tpm2 && hdr->length >= sizeof(struct acpi_table_tpm2) + 24) {
		/* After 12 bytes of start method parameters: LAML, LASA. */
		t += sizeof(struct acpi_table_tpm2) + 12;
		*len = get_unaligned_le32(t);
		*start = get_unaligned_le64(t + 4);
	} else if (!tpm2 && hdr->length >= TPM_LOG_TCPA_HDR + 2 &&
		   get_unaligned_le16(t + TPM_LOG_TCPA_HDR) ==
		   ACPI_TCPA_SERVER_TABLE) {
		/* A reserved u16, then the length and address, both u64. */
		if (hdr->length >= TPM_LOG_TCPA_HDR + 2 + 2 + 16) {
			t += TPM_LOG_TCPA_HDR + 4;
			*len = get_unaligned_le64(t);
			*start = get_unaligned_le64(t + 8);
		} else {
			rc = -ENODEV;
		}
	} else if (!tpm2 && hdr->length >= TPM_LOG_TCPA_HDR + 2 + 12) {
		/* A client's: the length (u32), then the address (u64). */
		t += TPM_LOG_TCPA_HDR + 2;
		*len = get_unaligned_le32(t);
		*start = get_unaligned_le64(t + 4);
	} else {
		rc = -ENODEV;
	}
	acpi_put_table(hdr);
	if (!rc && (!*len || !*start))
		rc = -ENODEV;
	return rc;
}

/* A copy of the log area; checked by the caller. */
static u8 *tpm_log_acpi_copy(struct tpm_chip *chip, size_t *len)
{
	void __iomem *area;
	u64 start, size;
	u8 *log;

	if (tpm_log_acpi_area(chip, &start, &size))
		return NULL;
	if (size > TPM_LOG_MAX_LEN) {
		dev_warn(&chip->dev, "event log area of %llu bytes is too large; no event log\n",
			 size);
		return NULL;
	}
	log = kvmalloc(size, GFP_KERNEL);
	if (!log)
		return NULL;
	area = acpi_os_map_iomem(start, size);
	if (!area) {
		dev_warn(&chip->dev, "cannot map the event log area at 0x%llx\n",
			 start);
		kvfree(log);
		return NULL;
	}
	memcpy_fromio(log, area, size);
	acpi_os_unmap_iomem(area, size);
	*len = size;
	return log;
}
#else
static u8 *tpm_log_acpi_copy(struct tpm_chip *chip, size_t *len)
{
	return NULL;
}
#endif

/**
 * tpm_eventlog_efi_join() - the EFI log with the events logged after it
 * @stub:	the log the EFI stub copied (GetEventLog()'s), @stub_len bytes
 * @stub_len:	its size
 * @preboot:	how many bytes of @final were logged before GetEventLog()
 *		returned, and so are in @stub too
 * @final:	the final events table's events, @final_len bytes
 * @final_len:	their size (0: none)
 * @len:	out: the size of the joined log
 * @why:	out: why the final events are left out, or NULL
 *
 * Events logged between GetEventLog() and ExitBootServices() are in both
 * logs; the final events after those follow the copy's events.  A final
 * events table shorter than its own preboot part is a firmware bug: the
 * stub's copy is kept alone, with @why saying so.
 *
 * Context: process context, may sleep.
 * Return: the joined log (kvmalloc), or NULL when out of memory.
 */
u8 *tpm_eventlog_efi_join(const u8 *stub, size_t stub_len, size_t preboot,
			  const u8 *final, size_t final_len, size_t *len,
			  const char **why)
{
	u8 *log;

	*why = NULL;
	if (preboot > final_len) {
		*why = "the final events table is shorter than its preboot part";
		final_len = 0;
	} else {
		final_len -= preboot;
	}
	log = kvmalloc(stub_len + final_len, GFP_KERNEL);
	if (!log)
		return NULL;
	memcpy(log, stub, stub_len);
	if (final_len)
		memcpy(log + stub_len, final + preboot, final_len);
	*len = stub_len + final_len;
	return log;
}
EXPORT_SYMBOL_IF_KUNIT(tpm_eventlog_efi_join);

#ifdef CONFIG_EFI
/* The final events (efi.tpm_final_log), joined after @stub. */
static u8 *tpm_log_efi_final(struct tpm_chip *chip, const u8 *stub,
			     size_t stub_len, size_t preboot, size_t *len)
{
	struct efi_tcg2_final_events_table *tbl = NULL;
	size_t final_len = 0;
	const char *why;
	u8 *log;

	if (efi.tpm_final_log != EFI_INVALID_TABLE_ADDR &&
	    efi_tpm_final_log_size > 0 &&
	    efi_tpm_final_log_size <= TPM_LOG_MAX_LEN) {
		final_len = efi_tpm_final_log_size;
		tbl = memremap(efi.tpm_final_log, sizeof(*tbl) + final_len,
			       MEMREMAP_WB);
		if (!tbl)
			dev_warn(&chip->dev, "cannot map the final events table\n");
	}
	/* Without the table, nothing of it is joined (nor missed). */
	if (!tbl) {
		final_len = 0;
		preboot = 0;
	}
	log = tpm_eventlog_efi_join(stub, stub_len, preboot,
				    tbl ? tbl->events : NULL, final_len, len,
				    &why);
	if (why)
		dev_warn(&chip->dev, FW_BUG "%s; the final events are left out\n",
			 why);
	if (tbl)
		memunmap(tbl);
	return log;
}

/*
 * A copy of the log the EFI stub handed over (efi.tpm_log), its final
 * events joined in a TPM 2.0 format log; *@agile says which format it is.
 */
static u8 *tpm_log_efi_copy(struct tpm_chip *chip, size_t *len, bool *agile)
{
	struct linux_efi_tpm_eventlog *tbl;
	u32 size, preboot;
	u8 *log = NULL;

	if (efi.tpm_log == EFI_INVALID_TABLE_ADDR)
		return NULL;
	tbl = memremap(efi.tpm_log, sizeof(*tbl), MEMREMAP_WB);
	if (!tbl)
		return NULL;
	size = tbl->size;
	memunmap(tbl);
	if (!size || size > TPM_LOG_MAX_LEN) {
		dev_warn(&chip->dev, "EFI event log of %u bytes; no event log\n",
			 size);
		return NULL;
	}
	tbl = memremap(efi.tpm_log, sizeof(*tbl) + size, MEMREMAP_WB);
	if (!tbl)
		return NULL;
	preboot = tbl->final_events_preboot_size;
	*agile = tbl->version == EFI_TCG2_EVENT_LOG_FORMAT_TCG_2;
	if (*agile) {
		log = tpm_log_efi_final(chip, tbl->log, size, preboot, len);
	} else {
		log = kvmalloc(size, GFP_KERNEL);
		if (log)
			memcpy(log, tbl->log, size);
		*len = size;
	}
	memunmap(tbl);
	return log;
}
#else
static u8 *tpm_log_efi_copy(struct tpm_chip *chip, size_t *len, bool *agile)
{
	return NULL;
}
#endif

/*
 * Keep the events of @area in chip->log if they are a checked log, in the
 * crypto agile format or not (@agile); -ENODEV if it holds no event.
 */
static int tpm_log_keep(struct tpm_chip *chip, u8 *area, size_t len,
			bool agile, const char *source)
{
	const char *why;
	size_t used;
	int rc;

	rc = tpm_eventlog_parse(area, len, agile, &used, &why);
	if (rc) {
		dev_warn(&chip->dev, "%s event log refused: %s\n", source, why);
	} else if (!used) {
		rc = -ENODEV;
	} else {
		chip->log.bios_event_log = kvmalloc(used, GFP_KERNEL);
		rc = chip->log.bios_event_log ? 0 : -ENOMEM;
		if (!rc)
			memcpy(chip->log.bios_event_log, area, used);
		chip->log.bios_event_log_end = chip->log.bios_event_log + used;
	}
	kvfree(area);
	return rc;
}

/*
 * Where the log is: the area the ACPI table describes, for a chip ACPI
 * describes; then, for a TPM 2.0, the log the EFI stub handed over, when
 * the ACPI table has no log area (a TPM2 table of 52 bytes), the area
 * holds no event, or its log is not a TPM 2.0 one (OVMF leaves QEMU's
 * area empty).  A TPM 1.2's log is only ever ACPI's.
 */
static int tpm_log_read(struct tpm_chip *chip)
{
	bool tpm2 = chip->flags & TPM_CHIP_FLAG_TPM2;
	bool agile = tpm2;
	size_t len;
	u8 *area;

	if (chip->dev.parent && has_acpi_companion(chip->dev.parent)) {
		area = tpm_log_acpi_copy(chip, &len);
		if (area && !tpm_log_keep(chip, area, len, tpm2, "ACPI"))
			return 0;
	}
	if (!tpm2)
		return -ENODEV;
	area = tpm_log_efi_copy(chip, &len, &agile);
	if (!area)
		return -ENODEV;
	return tpm_log_keep(chip, area, len, agile, "EFI");
}

/* bios_dir[]: the binary file, the ascii file (TPM 1.2), the directory. */
#define TPM_LOG_DIR	(TPM_NUM_EVENT_LOG_FILES - 1)

/**
 * tpm_eventlog_add() - read the firmware's event log and show it
 * @chip: the chip, registered but not yet findable
 *
 * Only a chip firmware describes in ACPI has the log of the ACPI table (a
 * chip probed at a forced address may be another TPM); a TPM 2.0 that has
 * none takes the EFI log, as upstream does, and a vtpm has no log.  A
 * chip without a log (no table, an area with no event) or with one that
 * is refused gets no files; registration goes on either way.
 *
 * Context: process context, may sleep.
 */
void tpm_eventlog_add(struct tpm_chip *chip)
{
	struct dentry *d;

	if ((chip->flags & TPM_CHIP_FLAG_VIRTUAL) || tpm_log_read(chip))
		return;
	d = securityfs_create_dir(dev_name(&chip->dev), NULL);
	if (IS_ERR(d))
		goto err;
	chip->bios_dir[TPM_LOG_DIR] = d;
	d = securityfs_create_file("binary_bios_measurements", 0440,
				   chip->bios_dir[TPM_LOG_DIR], chip,
				   &tpm_log_binary_fops);
	if (IS_ERR(d))
		goto err;
	chip->bios_dir[0] = d;
	if (chip->flags & TPM_CHIP_FLAG_TPM2)
		return;
	d = securityfs_create_file("ascii_bios_measurements", 0440,
				   chip->bios_dir[TPM_LOG_DIR], chip,
				   &tpm_log_ascii_fops);
	if (IS_ERR(d))
		goto err;
	chip->bios_dir[1] = d;
	return;

err:
	dev_warn(&chip->dev, "cannot show the event log: %ld\n", PTR_ERR(d));
	tpm_eventlog_del(chip);
}

/**
 * tpm_eventlog_del() - remove the event log's files
 * @chip: the chip
 *
 * A file opened before keeps the chip (and the log) until it is closed.
 *
 * Context: process context, may sleep.
 */
void tpm_eventlog_del(struct tpm_chip *chip)
{
	struct inode *inode;
	int i;

	for (i = 0; i < TPM_NUM_EVENT_LOG_FILES; i++) {
		if (!chip->bios_dir[i])
			continue;
		inode = d_inode(chip->bios_dir[i]);
		inode_lock(inode);
		inode->i_private = NULL;
		inode_unlock(inode);
		securityfs_remove(chip->bios_dir[i]);
		chip->bios_dir[i] = NULL;
	}
}
