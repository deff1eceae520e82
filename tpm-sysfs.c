// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chip's files in sysfs (/sys/class/tpm/tpmN/): the family; a TPM
 * 1.2's timeouts, durations and state (pubek, pcrs, caps, enabled,
 * active, owned, temp_deactivated, cancel), read from the TPM each time
 * they are read; and one directory per PCR bank, pcr-<hash>/<N>, each
 * file the PCR's value in hex, as upstream's.  A file read after unplug
 * fails with -ENODEV.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include "tpm.h"
#include "tpm2-session.h"

#define TPM1_ORD_READ_PUBEK	0x007C
#define TPM1_PUBEK_MODULUS	256

/* The names sysfs knows the banks by, as upstream names them. */
static const struct {
	u16 alg_id;
	const char *name;
} tpm_bank_names[] = {
	{ TPM_ALG_SHA1, "sha1" },
	{ TPM_ALG_SHA256, "sha256" },
	{ TPM_ALG_SHA384, "sha384" },
	{ TPM_ALG_SHA512, "sha512" },
	{ TPM_ALG_SM3_256, "sm3" },
};

static const char *const tpm_pcr_names[TPM2_PLATFORM_PCR] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
	"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
};

/**
 * struct tpm_pcr_attr - one PCR file
 * @attr:	the file
 * @bank:	an index into chip->allocated_banks
 * @pcr:	the PCR
 */
struct tpm_pcr_attr {
	struct device_attribute attr;
	u8 bank;
	u8 pcr;
};

/**
 * struct tpm_pcr_group - the directory of one PCR bank
 * @group:	the directory
 * @name:	"pcr-<hash>"
 * @attrs:	@pcr's attributes, NULL-terminated
 * @pcr:	the files
 */
struct tpm_pcr_group {
	struct attribute_group group;
	char name[16];
	struct attribute *attrs[TPM2_PLATFORM_PCR + 1];
	struct tpm_pcr_attr pcr[TPM2_PLATFORM_PCR];
};

static ssize_t tpm_version_major_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);

	return sysfs_emit(buf, "%d\n", chip->flags & TPM_CHIP_FLAG_TPM2 ? 2 : 1);
}
static DEVICE_ATTR_RO(tpm_version_major);

#ifdef CONFIG_TCG_TPM2_HMAC
/*
 * TPM 2.0: the name of the null key the kernel's session is salted to
 * (tpm2-session.c), for user space to certify; zeros without protection.
 * After the key changed (a TPM reset), writing the new key's name, as the
 * kernel logged it, accepts it.
 */
static ssize_t null_name_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	u8 name[TPM2_NAME_SIZE];

	mutex_lock(&chip->tpm_mutex);
	memcpy(name, chip->null_key_name, sizeof(name));
	mutex_unlock(&chip->tpm_mutex);
	return sysfs_emit(buf, "%*phN\n", TPM2_NAME_SIZE, name);
}

static ssize_t null_name_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	u8 name[TPM2_NAME_SIZE];
	size_t len = count;
	int rc;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len != 2 * TPM2_NAME_SIZE || hex2bin(name, buf, TPM2_NAME_SIZE))
		return -EINVAL;
	rc = tpm2_sess_accept_name(chip, name);
	return rc ? rc : count;
}
static DEVICE_ATTR_RW(null_name);
#endif

/* TPM 1.2: "short medium long [adjusted|original]", microseconds. */
static ssize_t durations_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);

	return sysfs_emit(buf, "%u %u %u [%s]\n",
			  jiffies_to_usecs(chip->duration[TPM_SHORT]),
			  jiffies_to_usecs(chip->duration[TPM_MEDIUM]),
			  jiffies_to_usecs(chip->duration[TPM_LONG]),
			  chip->duration_adjusted ? "adjusted" : "original");
}
static DEVICE_ATTR_RO(durations);

/* TPM 1.2: "a b c d [adjusted|original]", microseconds. */
static ssize_t timeouts_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);

	return sysfs_emit(buf, "%u %u %u %u [%s]\n",
			  jiffies_to_usecs(chip->timeout_a),
			  jiffies_to_usecs(chip->timeout_b),
			  jiffies_to_usecs(chip->timeout_c),
			  jiffies_to_usecs(chip->timeout_d),
			  chip->timeout_adjusted ? "adjusted" : "original");
}
static DEVICE_ATTR_RO(timeouts);

/* TPM_GetCapability under the ops; -ENODEV once the chip is gone. */
static int tpm1_sysfs_cap(struct tpm_chip *chip, u32 cap, u32 subcap,
			  bool has_subcap, void *out, size_t len)
{
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tpm1_get_cap(chip, cap, has_subcap ? &subcap : NULL, out, len);
	tpm_put_ops(chip);
	return rc > 0 ? -EIO : rc;
}

/* @n bytes in upper-case hex, each followed by @sep if it is not 0. */
static ssize_t tpm_emit_hex(char *buf, ssize_t at, const u8 *bytes, int n,
			    char sep)
{
	int i;

	for (i = 0; i < n; i++)
		at += sep ? sysfs_emit_at(buf, at, "%02X%c", bytes[i], sep) :
			    sysfs_emit_at(buf, at, "%02X", bytes[i]);
	return at;
}

/* One byte of a capability, shown as 0 or 1 (inverted if @invert). */
static ssize_t tpm1_flag_show(struct device *dev, char *buf, u32 cap,
			      u32 subcap, size_t off, bool invert)
{
	u8 flags[8];
	int rc;

	rc = tpm1_sysfs_cap(to_tpm_chip(dev), cap, subcap, true, flags,
			    off + 1);
	if (rc)
		return rc;
	return sysfs_emit(buf, "%d\n", !flags[off] ^ !invert);
}

/* TPM_PERMANENT_FLAGS: tag, disable, ownership, deactivated, ... */
static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return tpm1_flag_show(dev, buf, TPM_CAP_FLAG, TPM_CAP_FLAG_PERM, 2,
			      true);
}
static DEVICE_ATTR_RO(enabled);

static ssize_t active_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return tpm1_flag_show(dev, buf, TPM_CAP_FLAG, TPM_CAP_FLAG_PERM, 4,
			      true);
}
static DEVICE_ATTR_RO(active);

static ssize_t owned_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return tpm1_flag_show(dev, buf, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
			      0, false);
}
static DEVICE_ATTR_RO(owned);

/* TPM_STCLEAR_FLAGS: tag, deactivated, ... */
static ssize_t temp_deactivated_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return tpm1_flag_show(dev, buf, TPM_CAP_FLAG, TPM_CAP_FLAG_VOL, 2,
			      false);
}
static DEVICE_ATTR_RO(temp_deactivated);

static ssize_t caps_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	u8 ver[6], *v = ver + 2;
	__be32 manufacturer;
	int rc;

	rc = tpm1_sysfs_cap(chip, TPM_CAP_PROPERTY, TPM_CAP_PROP_MANUFACTURER,
			    true, &manufacturer, sizeof(manufacturer));
	if (rc)
		return rc;
	/* TPM_CAP_VERSION_INFO (a tag, then the version), or a 1.1's. */
	rc = tpm1_sysfs_cap(chip, TPM_CAP_VERSION_1_2, 0, false, ver,
			    sizeof(ver));
	if (rc) {
		v = ver;
		rc = tpm1_sysfs_cap(chip, TPM_CAP_VERSION_1_1, 0, false, ver,
				    4);
	}
	if (rc)
		return rc;
	return sysfs_emit(buf, "Manufacturer: 0x%x\nTCG version: %d.%d\nFirmware version: %d.%d\n",
			  be32_to_cpu(manufacturer), v[0], v[1], v[2], v[3]);
}
static DEVICE_ATTR_RO(caps);

/* The number of PCRs, and each one's value. */
static ssize_t pcrs_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	u8 digest[TPM_DIGEST_SIZE];
	u32 n, i, subcap;
	ssize_t len = 0;
	__be32 be;
	int rc;

	/* The count and the PCRs under one hold of the ops. */
	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	n = 0;
	subcap = TPM_CAP_PROP_PCR;
	rc = tpm1_get_cap(chip, TPM_CAP_PROPERTY, &subcap, &be, sizeof(be));
	if (!rc)
		n = be32_to_cpu(be);
	for (i = 0; i < n && len < PAGE_SIZE - 1; i++) {
		rc = tpm1_pcr_read(chip, i, digest);
		if (rc)
			break;
		len += sysfs_emit_at(buf, len, "PCR-%02d: ", i);
		len = tpm_emit_hex(buf, len, digest, TPM_DIGEST_SIZE, ' ');
		len += sysfs_emit_at(buf, len, "\n");
	}
	tpm_put_ops(chip);
	return rc > 0 ? -EIO : rc ?: len;
}
static DEVICE_ATTR_RO(pcrs);

/* TPM_ReadPubek's TPM_PUBKEY: parameters, then the modulus. */
static ssize_t tpm1_pubek_emit(char *buf, const u8 *key)
{
	ssize_t len;
	int i;

	len = sysfs_emit(buf, "Algorithm: %4ph\n", key);
	len += sysfs_emit_at(buf, len, "Encscheme: %2ph\n", key + 4);
	len += sysfs_emit_at(buf, len, "Sigscheme: %2ph\n", key + 6);
	len += sysfs_emit_at(buf, len, "Parameters: %12ph\n", key + 12);
	len += sysfs_emit_at(buf, len, "Modulus length: %u\nModulus:\n",
			     get_unaligned_be32(key + 24));
	for (i = 0; i < TPM1_PUBEK_MODULUS; i += 16)
		len += sysfs_emit_at(buf, len, "%16ph\n", key + 28 + i);
	return len;
}

static ssize_t pubek_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	u8 nonce[TPM_DIGEST_SIZE] = { 0 };
	struct tpm_chip *chip = to_tpm_chip(dev);
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	rc = tpm_cmd_init(&cmd, TPM_TAG_RQU_COMMAND, TPM1_ORD_READ_PUBEK);
	if (rc)
		goto out_ops;
	tpm_cmd_put(&cmd, nonce, sizeof(nonce));
	rc = tpm_cmd_run(chip, &cmd, 28 + TPM1_PUBEK_MODULUS,
			 "TPM_ReadPubek");
	if (!rc)
		rc = tpm1_pubek_emit(buf, cmd.data + TPM_HEADER_SIZE);
	else if (rc > 0)
		rc = -EIO;
	tpm_cmd_free(&cmd);
out_ops:
	tpm_put_ops(chip);
	return rc;
}
static DEVICE_ATTR_RO(pubek);

static ssize_t cancel_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	if (chip->ops->cancel)
		chip->ops->cancel(chip);
	tpm_put_ops(chip);
	return count;
}
static DEVICE_ATTR_WO(cancel);

static struct attribute *tpm_dev_attrs[] = {
	&dev_attr_tpm_version_major.attr,
#ifdef CONFIG_TCG_TPM2_HMAC
	&dev_attr_null_name.attr,
#endif
	&dev_attr_durations.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_pubek.attr,
	&dev_attr_pcrs.attr,
	&dev_attr_enabled.attr,
	&dev_attr_active.attr,
	&dev_attr_owned.attr,
	&dev_attr_temp_deactivated.attr,
	&dev_attr_caps.attr,
	&dev_attr_cancel.attr,
	NULL,
};

/*
 * All but tpm_version_major are TPM 1.2's (a TPM 2.0 has fixed timeouts),
 * except null_name, TPM 2.0's alone.
 */
static umode_t tpm_dev_attr_visible(struct kobject *kobj,
				    struct attribute *attr, int n)
{
	struct tpm_chip *chip = to_tpm_chip(kobj_to_dev(kobj));
	bool tpm2 = chip->flags & TPM_CHIP_FLAG_TPM2;

	if (attr == &dev_attr_tpm_version_major.attr)
		return attr->mode;
#ifdef CONFIG_TCG_TPM2_HMAC
	if (attr == &dev_attr_null_name.attr)
		return tpm2 ? attr->mode : 0;
#endif
	return tpm2 ? 0 : attr->mode;
}

static const struct attribute_group tpm_dev_group = {
	.attrs = tpm_dev_attrs,
	.is_visible = tpm_dev_attr_visible,
};

static ssize_t tpm_pcr_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct tpm_pcr_attr *pa = container_of(attr, struct tpm_pcr_attr, attr);
	struct tpm_chip *chip = to_tpm_chip(dev);
	struct tpm_digest digest;
	u16 size;
	int rc;

	digest.alg_id = chip->allocated_banks[pa->bank].alg_id;
	size = chip->allocated_banks[pa->bank].digest_size;
	rc = tpm_pcr_read(chip, pa->pcr, &digest);
	if (rc)
		return rc > 0 ? -EIO : rc;
	return tpm_emit_hex(buf, 0, digest.digest, size, 0) +
	       sysfs_emit_at(buf, size * 2, "\n");
}

static const char *tpm_bank_name(u16 alg_id)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tpm_bank_names); i++)
		if (tpm_bank_names[i].alg_id == alg_id)
			return tpm_bank_names[i].name;
	return NULL;
}

static void tpm_pcr_group_init(struct tpm_pcr_group *g, const char *name,
			       u8 bank)
{
	struct tpm_pcr_attr *pa;
	int i;

	snprintf(g->name, sizeof(g->name), "pcr-%s", name);
	g->group.name = g->name;
	g->group.attrs = g->attrs;
	for (i = 0; i < TPM2_PLATFORM_PCR; i++) {
		pa = &g->pcr[i];
		sysfs_attr_init(&pa->attr.attr);
		pa->attr.attr.name = tpm_pcr_names[i];
		pa->attr.attr.mode = 0444;
		pa->attr.show = tpm_pcr_show;
		pa->bank = bank;
		pa->pcr = i;
		g->attrs[i] = &pa->attr.attr;
	}
}

/**
 * tpm_sysfs_add_groups() - the chip's sysfs files, before /dev/tpmN is added
 * @chip: the chip, its PCR banks known
 *
 * Sets chip->dev.groups: the device's own files, the ppi/ directory
 * where the firmware offers the Physical Presence Interface, and one
 * pcr-<hash> directory per bank the kernel has a name for (a bank it has
 * none for is reported and left out, as upstream does).  The directories' memory goes
 * with the chip's.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int tpm_sysfs_add_groups(struct tpm_chip *chip)
{
	struct tpm_pcr_group *groups;
	const char *name;
	u32 i;

	const struct attribute_group *ppi = tpm_ppi_add(chip);

	chip->groups_cnt = 0;
	chip->groups[chip->groups_cnt++] = &tpm_dev_group;
	if (ppi)
		chip->groups[chip->groups_cnt++] = ppi;
	chip->groups[chip->groups_cnt] = NULL;
	chip->dev.groups = chip->groups;
	if (!chip->nr_allocated_banks || tpm_is_firmware_upgrade(chip))
		return 0;
	groups = kcalloc(chip->nr_allocated_banks, sizeof(*groups), GFP_KERNEL);
	if (!groups)
		return -ENOMEM;
	tpm_chip_priv(chip)->pcr_groups = groups;
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		name = tpm_bank_name(chip->allocated_banks[i].alg_id);
		if (!name) {
			dev_info(&chip->dev, "PCR bank 0x%04x has no name: no sysfs files\n",
				 chip->allocated_banks[i].alg_id);
			continue;
		}
		/* groups[] holds the device group, the banks and a NULL. */
		if (chip->groups_cnt >= ARRAY_SIZE(chip->groups) - 1)
			break;
		tpm_pcr_group_init(&groups[i], name, i);
		chip->groups[chip->groups_cnt++] = &groups[i].group;
	}
	chip->groups[chip->groups_cnt] = NULL;
	return 0;
}

/* The links of the legacy layout: a TPM 1.2's files in its bus device. */
static bool tpm_sysfs_has_legacy(struct tpm_chip *chip)
{
	return chip->dev.parent &&
	       !(chip->flags & (TPM_CHIP_FLAG_TPM2 | TPM_CHIP_FLAG_VIRTUAL)) &&
	       !tpm_is_firmware_upgrade(chip);
}

/**
 * tpm_sysfs_del_legacy() - remove the links tpm_sysfs_add_legacy() made
 * @chip: the chip
 *
 * Context: process context, may sleep.
 */
void tpm_sysfs_del_legacy(struct tpm_chip *chip)
{
	struct attribute **a;

	if (!tpm_sysfs_has_legacy(chip))
		return;
	for (a = tpm_dev_attrs; *a; a++)
		if (tpm_dev_attr_visible(&chip->dev.kobj, *a, 0))
			sysfs_remove_link(&chip->dev.parent->kobj, (*a)->name);
	sysfs_remove_link(&chip->dev.parent->kobj, "ppi");
}

/**
 * tpm_sysfs_add_legacy() - a TPM 1.2's files where old user space looks
 * @chip: the chip, its device added
 *
 * The documented ABI (Documentation/ABI/stable/sysfs-class-tpm) has a TPM
 * 1.2's files in /sys/class/tpm/tpmN/device/: links there to each, as
 * upstream makes them.  A TPM 2.0 has none.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno (and no link is left).
 */
int tpm_sysfs_add_legacy(struct tpm_chip *chip)
{
	struct attribute **a;
	int rc;

	if (!tpm_sysfs_has_legacy(chip))
		return 0;
	for (a = tpm_dev_attrs; *a; a++) {
		/* The chip's own files: a TPM 2.0 one (null_name) is not. */
		if (!tpm_dev_attr_visible(&chip->dev.kobj, *a, 0))
			continue;
		rc = compat_only_sysfs_link_entry_to_kobj(&chip->dev.parent->kobj,
							  &chip->dev.kobj,
							  (*a)->name, NULL);
		if (rc) {
			dev_err(&chip->dev, "cannot link %s: %d\n", (*a)->name, rc);
			tpm_sysfs_del_legacy(chip);
			return rc;
		}
	}
	/* ppi/ too, where the chip has it. */
	rc = compat_only_sysfs_link_entry_to_kobj(&chip->dev.parent->kobj,
						  &chip->dev.kobj, "ppi", NULL);
	if (rc && rc != -ENOENT) {
		dev_err(&chip->dev, "cannot link ppi: %d\n", rc);
		tpm_sysfs_del_legacy(chip);
		return rc;
	}
	return 0;
}
