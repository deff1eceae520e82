// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Physical Presence Interface: operations on the TPM (clear it, enable
 * it, change its PCR banks) that the OS asks for and the firmware carries
 * out at the next boot, with someone at the console to confirm.  The
 * firmware offers it as an ACPI _DSM on the TPM's device (TCG PC Client
 * Platform Physical Presence Interface, GUID 3DDDFAA6-...); it is shown as
 * /sys/class/tpm/tpmN/ppi/, upstream's files in upstream's format:
 *
 *   version            the interface's version, as the firmware says it
 *   request            the operation pending for the next boot (and its
 *                      parameter, for operation 23); written to ask for one
 *   transition_action  what the user must do for it to happen (reboot)
 *   response           the last operation carried out and its outcome
 *   tcg_operations     what the firmware allows of each TCG operation
 *   vs_operations      the same for the vendor's operations
 *
 * The two operations files ask the firmware about each of 102 and 128
 * operations.  Upstream asked on every read of these world-readable
 * files, a local denial of service on slow firmware (fixed upstream for
 * 6.18); here each file's answers are asked for once, at the first read
 * that gets them all, under a mutex a waiting reader can be killed out
 * of, kept with the chip; the output is bounded by the page.
 *
 * Nothing here sends a TPM command: the files need no ops.  The group is
 * part of chip->dev's groups, so device_del() at unregister waits for a
 * read in progress and later ones find no file.
 */
#include <linux/acpi.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "tpm.h"

#ifdef CONFIG_ACPI
#define TPM_PPI_REV1		1
#define TPM_PPI_REV2		2
#define TPM_PPI_FN_VERSION	1
#define TPM_PPI_FN_SUBREQ	2
#define TPM_PPI_FN_GETREQ	3
#define TPM_PPI_FN_GETACT	4
#define TPM_PPI_FN_GETRSP	5
#define TPM_PPI_FN_SUBREQ2	7
#define TPM_PPI_FN_GETOPR	8
/* TCG operations 0..101, the vendor's 128..255. */
#define TPM_PPI_TCG_LAST	101
#define TPM_PPI_VS_FIRST	128
#define TPM_PPI_VS_LAST		255
/* The one operation with a parameter: set the PCR banks. */
#define TPM_PPI_OP_SET_BANKS	23

static const guid_t tpm_ppi_guid =
	GUID_INIT(0x3dddfaa6, 0x361b, 0x4eb4,
		  0xa4, 0x24, 0x8d, 0x10, 0x08, 0x9d, 0x16, 0x53);

/**
 * struct tpm_ppi_ops - the firmware's answers about each operation
 * @lock:	taken to ask, and to see whether it was asked
 * @known_tcg:	@flags holds the answers for the TCG operations
 * @known_vs:	... and for the vendor's
 * @flags:	per operation: 0 not implemented, 1 firmware only, 2 blocked
 *		for the OS, 3 user confirmation required, 4 not required
 */
struct tpm_ppi_ops {
	struct mutex lock;	/* guards the rest */
	bool known_tcg, known_vs;
	u32 flags[TPM_PPI_VS_LAST + 1];
};

static acpi_handle tpm_ppi_handle(struct tpm_chip *chip)
{
	return chip->acpi_dev_handle;
}

static union acpi_object *tpm_ppi_dsm(struct tpm_chip *chip, u64 rev,
				      u64 fn, union acpi_object *arg,
				      acpi_object_type type)
{
	return acpi_evaluate_dsm_typed(tpm_ppi_handle(chip), &tpm_ppi_guid,
				       rev, fn, arg, type);
}

static bool tpm_ppi_has(struct tpm_chip *chip, u64 fn)
{
	return acpi_check_dsm(tpm_ppi_handle(chip), &tpm_ppi_guid,
			      TPM_PPI_REV1, BIT_ULL(fn));
}

/* Whether the interface's version is at least @v ("1.2", "1.3"). */
static bool tpm_ppi_at_least(struct tpm_chip *chip, const char *v)
{
	return strcmp(chip->ppi_version, v) >= 0;
}

/* @n integers from @obj, a package of at least that many. */
static bool tpm_ppi_ints(const union acpi_object *obj, u32 n, u64 *out)
{
	u32 i;

	if (obj->package.count < n)
		return false;
	for (i = 0; i < n; i++) {
		if (obj->package.elements[i].type != ACPI_TYPE_INTEGER)
			return false;
		out[i] = obj->package.elements[i].integer.value;
	}
	return true;
}

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_tpm_chip(dev)->ppi_version);
}

/*
 * The firmware answers {status, operation} or, from version 1.2 on (asked
 * with revision 2), {status, operation, parameter}.
 */
static ssize_t request_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	u64 rev = tpm_ppi_at_least(chip, "1.2") ? TPM_PPI_REV2 : TPM_PPI_REV1;
	union acpi_object *obj;
	ssize_t rc = -EINVAL;
	u64 v[3];

	obj = tpm_ppi_dsm(chip, rev, TPM_PPI_FN_GETREQ, NULL,
			  ACPI_TYPE_PACKAGE);
	if (!obj)
		return -ENXIO;
	if ((obj->package.count == 3 || obj->package.count == 2) &&
	    tpm_ppi_ints(obj, obj->package.count, v)) {
		if (v[0])
			rc = -EFAULT;
		else if (obj->package.count == 3 && v[1] == TPM_PPI_OP_SET_BANKS)
			rc = sysfs_emit(buf, "%llu %llu\n", v[1], v[2]);
		else
			rc = sysfs_emit(buf, "%llu\n", v[1]);
	}
	ACPI_FREE(obj);
	return rc;
}

/*
 * Ask for an operation: "op" or, from version 1.3, "op parameter".  How
 * the argument is passed depends on the version (firmware before 1.2
 * wants a buffer holding a u32), as upstream passes it.
 */
static ssize_t request_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	union acpi_object args[2] = {}, *obj;
	union acpi_object arg = ACPI_INIT_DSM_ARGV4(1, args);
	u64 fn = TPM_PPI_FN_SUBREQ, rev = TPM_PPI_REV1, ret, v[2];
	int n, op32;

	/* Before 1.2 the operation is a signed int, as upstream reads it. */
	if (!tpm_ppi_at_least(chip, "1.2"))
		n = sscanf(buf, "%d %llu", &op32, &v[1]);
	else
		n = sscanf(buf, "%llu %llu", &v[0], &v[1]);
	if (n < 1)
		return -EINVAL;
	if (tpm_ppi_has(chip, TPM_PPI_FN_SUBREQ2))
		fn = TPM_PPI_FN_SUBREQ2;
	args[0].type = ACPI_TYPE_INTEGER;
	args[0].integer.value = v[0];
	if (!strcmp(chip->ppi_version, "1.3") && n == 2) {
		args[1].type = ACPI_TYPE_INTEGER;
		args[1].integer.value = v[1];
		arg.package.count = 2;
		rev = TPM_PPI_REV2;
	} else if (!tpm_ppi_at_least(chip, "1.2")) {
		arg.type = ACPI_TYPE_BUFFER;
		arg.buffer.length = sizeof(op32);
		arg.buffer.pointer = (u8 *)&op32;
	}
	obj = tpm_ppi_dsm(chip, rev, fn, &arg, ACPI_TYPE_INTEGER);
	if (!obj)
		return -ENXIO;
	ret = obj->integer.value;
	ACPI_FREE(obj);
	if (!ret)
		return count;
	return ret == 1 ? -EPERM : -EFAULT;
}

static ssize_t transition_action_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	static const char * const what[] = {
		"None", "Shutdown", "Reboot", "OS Vendor-specific",
	};
	struct tpm_chip *chip = to_tpm_chip(dev);
	union acpi_object empty = { .buffer.type = ACPI_TYPE_BUFFER };
	union acpi_object *obj;
	int v;

	/* Before 1.2 some firmware wants a buffer where a package belongs. */
	obj = tpm_ppi_dsm(chip, TPM_PPI_REV1, TPM_PPI_FN_GETACT,
			  tpm_ppi_at_least(chip, "1.2") ? NULL : &empty,
			  ACPI_TYPE_INTEGER);
	if (!obj)
		return -ENXIO;
	v = obj->integer.value;
	ACPI_FREE(obj);
	return sysfs_emit(buf, "%d: %s\n", v,
			  v >= 0 && v < ARRAY_SIZE(what) ? what[v] : "Error");
}

static ssize_t response_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);
	union acpi_object *obj;
	ssize_t rc = -EINVAL;
	u64 v[3];

	obj = tpm_ppi_dsm(chip, TPM_PPI_REV1, TPM_PPI_FN_GETRSP, NULL,
			  ACPI_TYPE_PACKAGE);
	if (!obj)
		return -ENXIO;
	if (!tpm_ppi_ints(obj, 3, v))
		goto out;
	if (v[0])
		rc = -EFAULT;
	else if (!v[1])
		rc = sysfs_emit(buf, "%llu: No Recent Request\n", v[1]);
	else if (!v[2])
		rc = sysfs_emit(buf, "%llu 0: Success\n", v[1]);
	else if (v[2] == 0xFFFFFFF0)
		rc = sysfs_emit(buf, "%llu 0xFFFFFFF0: User Abort\n", v[1]);
	else if (v[2] == 0xFFFFFFF1)
		rc = sysfs_emit(buf, "%llu 0xFFFFFFF1: BIOS Failure\n", v[1]);
	else if (v[2] <= 0xFFF)
		rc = sysfs_emit(buf, "%llu %llu: Corresponding TPM error\n",
				v[1], v[2]);
	else
		rc = sysfs_emit(buf, "%llu %llu: Error\n", v[1], v[2]);
out:
	ACPI_FREE(obj);
	return rc;
}

/* Ask the firmware about operations @first..@last. */
static int tpm_ppi_ops_read(struct tpm_chip *chip, struct tpm_ppi_ops *ops,
			    u32 first, u32 last)
{
	union acpi_object op = { .integer.type = ACPI_TYPE_INTEGER };
	union acpi_object arg = ACPI_INIT_DSM_ARGV4(1, &op);
	union acpi_object *obj;
	u32 i;

	for (i = first; i <= last; i++) {
		op.integer.value = i;
		obj = tpm_ppi_dsm(chip, TPM_PPI_REV1, TPM_PPI_FN_GETOPR, &arg,
				  ACPI_TYPE_INTEGER);
		if (!obj)
			return -ENOMEM;
		ops->flags[i] = obj->integer.value;
		ACPI_FREE(obj);
	}
	return 0;
}

/*
 * Operations @first..@last the firmware implements, one per line; *@known
 * says whether their answers were asked for already.
 */
static ssize_t tpm_ppi_ops_show(struct device *dev, char *buf, u32 first,
				u32 last, bool *known)
{
	static const char * const what[] = {
		"Not implemented", "BIOS only", "Blocked for OS by BIOS",
		"User required", "User not required",
	};
	struct tpm_chip *chip = to_tpm_chip(dev);
	struct tpm_ppi_ops *ops = tpm_chip_priv(chip)->ppi_ops;
	ssize_t len = 0;
	int rc = 0;
	u32 i;

	if (!tpm_ppi_has(chip, TPM_PPI_FN_GETOPR))
		return -EPERM;
	if (mutex_lock_killable(&ops->lock))
		return -EINTR;
	if (!*known) {
		rc = tpm_ppi_ops_read(chip, ops, first, last);
		*known = !rc;
	}
	for (i = first; !rc && i <= last; i++)
		if (ops->flags[i] && ops->flags[i] < ARRAY_SIZE(what))
			len += sysfs_emit_at(buf, len, "%u %u: %s\n", i,
					     ops->flags[i], what[ops->flags[i]]);
	mutex_unlock(&ops->lock);
	return rc ?: len;
}

static ssize_t tcg_operations_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct tpm_ppi_ops *ops = tpm_chip_priv(to_tpm_chip(dev))->ppi_ops;

	return tpm_ppi_ops_show(dev, buf, 0, TPM_PPI_TCG_LAST, &ops->known_tcg);
}

static ssize_t vs_operations_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct tpm_ppi_ops *ops = tpm_chip_priv(to_tpm_chip(dev))->ppi_ops;

	return tpm_ppi_ops_show(dev, buf, TPM_PPI_VS_FIRST, TPM_PPI_VS_LAST,
				&ops->known_vs);
}

static DEVICE_ATTR_RO(version);
/* Writable by root's group too, as upstream's. */
static struct device_attribute dev_attr_request =
	__ATTR(request, 0664, request_show, request_store);
static DEVICE_ATTR_RO(transition_action);
static DEVICE_ATTR_RO(response);
static DEVICE_ATTR_RO(tcg_operations);
static DEVICE_ATTR_RO(vs_operations);

static struct attribute *tpm_ppi_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_request.attr,
	&dev_attr_transition_action.attr,
	&dev_attr_response.attr,
	&dev_attr_tcg_operations.attr,
	&dev_attr_vs_operations.attr,
	NULL,
};

static const struct attribute_group tpm_ppi_group = {
	.name = "ppi",
	.attrs = tpm_ppi_attrs,
};

/**
 * tpm_ppi_add() - the ppi/ group, if the firmware offers the interface
 * @chip: the chip, not yet added
 *
 * The interface is the _DSM of the chip's bus device's ACPI node (which
 * becomes chip->acpi_dev_handle when the driver set none); its version
 * string is read once here.  A vtpm, or a chip firmware does not describe,
 * has none.
 *
 * Context: process context, may sleep.
 * Return: the group to add to chip->dev, or NULL (no interface, or no
 * memory for it: the chip goes on without).
 */
const struct attribute_group *tpm_ppi_add(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(chip);
	union acpi_object *obj;
	struct tpm_ppi_ops *ops;

	if (!chip->acpi_dev_handle && chip->dev.parent &&
	    !(chip->flags & TPM_CHIP_FLAG_VIRTUAL))
		chip->acpi_dev_handle = ACPI_HANDLE(chip->dev.parent);
	if (!chip->acpi_dev_handle ||
	    !tpm_ppi_has(chip, TPM_PPI_FN_VERSION))
		return NULL;
	obj = tpm_ppi_dsm(chip, TPM_PPI_REV1, TPM_PPI_FN_VERSION, NULL,
			  ACPI_TYPE_STRING);
	if (obj) {
		strscpy(chip->ppi_version, obj->string.pointer,
			sizeof(chip->ppi_version));
		ACPI_FREE(obj);
	}
	ops = priv->ppi_ops ?: kzalloc(sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return NULL;
	if (!priv->ppi_ops)
		mutex_init(&ops->lock);
	priv->ppi_ops = ops;
	return &tpm_ppi_group;
}
#else
const struct attribute_group *tpm_ppi_add(struct tpm_chip *chip)
{
	return NULL;
}
#endif
