// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM chips: allocation, device numbers (and which registered chip is the
 * default one), bringing the TPM up, system suspend and resume, and the
 * unregister fence.  The locking rules are described at the top of
 * include/tpm.h.
 */
#include <linux/cdev.h>
#include <linux/hw_random.h>
#include <linux/idr.h>
#include <linux/major.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "tpm.h"
#include "tpm2-session.h"

static DEFINE_IDR(tpm_idr);
static DEFINE_MUTEX(tpm_idr_lock);
dev_t tpm_devt;
dev_t tpmrm_devt;

/* System shutdown: the TPM sees its Shutdown command and nothing after. */
static int tpm_class_shutdown(struct device *dev)
{
	tpm_chip_fence(to_tpm_chip(dev));
	return 0;
}

struct class tpm_class = {
	.name = "tpm",
	.shutdown_pre = tpm_class_shutdown,
};

struct class tpmrm_class = {
	.name = "tpmrm",
};

void tpm_free_dev_num(struct tpm_chip *chip)
{
	if (chip->dev_num < 0)
		return;
	mutex_lock(&tpm_idr_lock);
	idr_remove(&tpm_idr, chip->dev_num);
	mutex_unlock(&tpm_idr_lock);
	chip->dev_num = -1;
}

static void tpm_dev_release(struct device *dev)
{
	struct tpm_chip *chip = to_tpm_chip(dev);

	tpm_free_dev_num(chip);
	/* A chip never fenced (never registered) may still have some. */
	mutex_lock(&chip->tpm_mutex);
	tpm2_rm_forget_closed(chip);
	tpm2_sess_free(chip);
	mutex_unlock(&chip->tpm_mutex);
	kfree(chip->cc_attrs_tbl);
	kfree(tpm_chip_priv(chip)->pcr_groups);
	kfree(tpm_chip_priv(chip)->ppi_ops);
	kvfree(chip->log.bios_event_log);
	kfree(tpm_chip_priv(chip));
}

static int tpm_alloc_dev_num(struct tpm_chip *chip)
{
	int rc;

	mutex_lock(&tpm_idr_lock);
	rc = idr_alloc(&tpm_idr, NULL, 0, TPM_NUM_DEVICES, GFP_KERNEL);
	mutex_unlock(&tpm_idr_lock);
	if (rc < 0)
		return rc;
	chip->dev_num = rc;
	return 0;
}

/**
 * tpm_chip_alloc() - allocate a chip
 * @pdev:	the parent device: the bus device that owns the hardware
 * @ops:	the driver's callbacks
 *
 * The chip is not visible until tpm_chip_register().  Its memory belongs
 * to the reference count of chip->dev: drop the caller's reference with
 * put_device() (or use tpmm_chip_alloc()).
 *
 * Context: process context, may sleep.
 * Return: the chip, or an ERR_PTR().
 */
struct tpm_chip *tpm_chip_alloc(struct device *pdev,
				const struct tpm_class_ops *ops)
{
	struct tpm_chip_priv *priv;
	struct tpm_chip *chip;
	int rc, i;

	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return ERR_PTR(-ENOMEM);
	chip = &priv->chip;

	init_rwsem(&chip->ops_sem);
	mutex_init(&chip->tpm_mutex);
	init_waitqueue_head(&priv->event_wq);
	INIT_LIST_HEAD(&priv->rm_saved);
	INIT_LIST_HEAD(&priv->rm_loaded);
	INIT_LIST_HEAD(&priv->rm_spaces);
	for (i = 0; i < TPM_RM_ORPHANS; i++)
		INIT_LIST_HEAD(&priv->rm_orphan[i].node);
	chip->ops = ops;
	chip->locality = -1;
	chip->dev_num = -1;
#if !TPM_COMPAT_BANKS_IN_CHIP
	chip->allocated_banks = priv->banks;
#endif

	rc = tpm_alloc_dev_num(chip);
	if (rc) {
		kfree(priv);
		return ERR_PTR(rc);
	}

	device_initialize(&chip->dev);
	chip->dev.class = &tpm_class;
	chip->dev.release = tpm_dev_release;
	chip->dev.parent = pdev;
	/* /dev/tpm0 keeps the misc number user space has always known. */
	if (chip->dev_num == 0)
		chip->dev.devt = MKDEV(MISC_MAJOR, TPM_MISC_MINOR);
	else
		chip->dev.devt = MKDEV(MAJOR(tpm_devt), chip->dev_num);

	rc = dev_set_name(&chip->dev, "tpm%d", chip->dev_num);
	if (rc) {
		put_device(&chip->dev);
		return ERR_PTR(rc);
	}

	return chip;
}
EXPORT_SYMBOL_GPL(tpm_chip_alloc);

static void tpm_put_chip_action(void *data)
{
	put_device(data);
}

/**
 * tpmm_chip_alloc() - tpm_chip_alloc() whose reference is managed by devres
 * @pdev:	the parent device, whose unbind drops the reference
 * @ops:	the driver's callbacks
 *
 * The devres action only drops the allocation's reference; open files
 * keep the chip's memory alive after the parent is unbound.
 *
 * Context: process context, may sleep.
 * Return: the chip, or an ERR_PTR().
 */
struct tpm_chip *tpmm_chip_alloc(struct device *pdev,
				 const struct tpm_class_ops *ops)
{
	struct tpm_chip *chip;
	int rc;

	chip = tpm_chip_alloc(pdev, ops);
	if (IS_ERR(chip))
		return chip;

	rc = devm_add_action_or_reset(pdev, tpm_put_chip_action, &chip->dev);
	if (rc)
		return ERR_PTR(rc);

	dev_set_drvdata(pdev, chip);
	return chip;
}
EXPORT_SYMBOL_GPL(tpmm_chip_alloc);

/*
 * The command list only decides whether there is a resource manager: a
 * TPM that refuses it, or answers it with nonsense, still works through
 * /dev/tpmN.  Any other failure is the caller's.
 */
static int tpm_chip_read_commands(struct tpm_chip *chip)
{
	int rc;

	if (tpm_is_firmware_upgrade(chip))
		return 0;
	rc = tpm2_get_cc_attrs(chip);
	if (rc > 0 || rc == -EFAULT || rc == -EIO) {
		dev_warn(&chip->dev, "no command list (%d): no tpmrm device\n",
			 rc);
		rc = 0;
	}
	return rc;
}

/*
 * The PCR banks are what the kernel's users extend and sysfs shows; a TPM
 * whose banks are not all known still works through /dev/tpmN, but has
 * no PCR files and refuses tpm_pcr_extend() (upstream refuses the chip).
 */
static int tpm_chip_read_banks(struct tpm_chip *chip)
{
	int rc;

	if (tpm_is_firmware_upgrade(chip))
		return 0;
	rc = tpm2_get_pcr_banks(chip);
	if (rc > 0 || rc == -EFAULT || rc == -EIO || rc == -E2BIG) {
		dev_warn(&chip->dev, "PCR banks not known (%d): no PCR extends\n",
			 rc);
		rc = 0;
	}
	return rc;
}

#define TPM2_PT_MANUFACTURER	0x105
#define TPM_MANUFACTURER_AMD	0x414d4400	/* "AMD" */

/*
 * AMD's firmware TPMs stall the whole system while they run a command
 * (AMD's advisory PA-410), which the hwrng's steady reads make felt: they
 * get no hwrng.  Upstream tells them by the CPU (every CRB TPM on an AMD
 * CPU); the defect is the TPM's, so here it is the manufacturer the TPM
 * reports that tells.
 */
static void tpm_chip_amd_ftpm_quirk(struct tpm_chip *chip)
{
	u32 vendor;

	if ((chip->flags & TPM_CHIP_FLAG_HWRNG_DISABLED) ||
	    tpm2_get_tpm_pt(chip, TPM2_PT_MANUFACTURER, &vendor) ||
	    vendor != TPM_MANUFACTURER_AMD)
		return;
	dev_info(&chip->dev, "AMD firmware TPM: no hwrng (AMD PA-410)\n");
	chip->flags |= TPM_CHIP_FLAG_HWRNG_DISABLED;
}

/**
 * tpm_chip_bootstrap() - bring the TPM up before the chip is made visible
 * @chip: the chip
 *
 * Context: process context, may sleep; takes the ops.
 * Return: 0 or a negative errno.
 */
int tpm_chip_bootstrap(struct tpm_chip *chip)
{
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	if (!(chip->flags & TPM_CHIP_FLAG_TPM2)) {
		rc = tpm1_auto_startup(chip);
		tpm1_get_pcr_banks(chip);
	} else {
		rc = tpm2_auto_startup(chip);
		if (!rc)
			rc = tpm_chip_read_commands(chip);
		if (!rc)
			rc = tpm_chip_read_banks(chip);
		if (!rc && !tpm_is_firmware_upgrade(chip))
			tpm_chip_amd_ftpm_quirk(chip);
	}
	tpm_put_ops(chip);
	return rc;
}

/**
 * tpm_chip_publish() - make a registered chip findable by the kernel's users
 * @chip:	the chip
 * @visible:	true once registered, false before it is unplugged
 *
 * Context: process context, may sleep.
 */
void tpm_chip_publish(struct tpm_chip *chip, bool visible)
{
	mutex_lock(&tpm_idr_lock);
	idr_replace(&tpm_idr, visible ? chip : NULL, chip->dev_num);
	mutex_unlock(&tpm_idr_lock);
}

/**
 * tpm_chip_find_get() - the default chip: the registered one numbered lowest
 *
 * Context: process context, may sleep.
 * Return: the chip with a reference the caller drops with put_device(),
 * or NULL if no chip is registered.
 */
struct tpm_chip *tpm_chip_find_get(void)
{
	struct tpm_chip *chip;
	int id = 0;

	mutex_lock(&tpm_idr_lock);
	chip = idr_get_next(&tpm_idr, &id);
	if (chip)
		get_device(&chip->dev);
	mutex_unlock(&tpm_idr_lock);
	return chip;
}

/**
 * tpm_chip_fence() - make the driver uncallable
 * @chip: the chip
 *
 * Waits for every holder of the ops to finish, sends TPM2_Shutdown(CLEAR)
 * as the last command (unless the TPM saved its state for a suspend and
 * must see nothing more), sets chip->ops to NULL and wakes the sleepers
 * in the file operations.  Calling it again does nothing.
 *
 * Context: process context, may sleep.
 */
void tpm_chip_fence(struct tpm_chip *chip)
{
	down_write(&chip->ops_sem);
	if (chip->ops) {
		mutex_lock(&chip->tpm_mutex);
		if ((chip->flags & TPM_CHIP_FLAG_TPM2) &&
		    !tpm_is_firmware_upgrade(chip) &&
		    !tpm_chip_priv(chip)->suspended && !tpm_chip_start(chip)) {
			/* Rebinding the driver does not reset the TPM. */
			tpm2_rm_flush_all(chip);
			tpm2_shutdown(chip, TPM2_SU_CLEAR);
			tpm_chip_stop(chip);
		}
		tpm2_rm_forget_closed(chip);
		WRITE_ONCE(chip->ops, NULL);
		mutex_unlock(&chip->tpm_mutex);
	}
	up_write(&chip->ops_sem);
	wake_up_all(&tpm_chip_priv(chip)->event_wq);
}
EXPORT_SYMBOL_IF_KUNIT(tpm_chip_fence);

/**
 * tpm_chip_suspend() - have the TPM save its state before the system sleeps
 * @chip: the chip
 *
 * Sends TPM2_Shutdown(STATE) to a TPM 2.0, TPM_SaveState to a TPM 1.2:
 * what the firmware's Startup(STATE) restores at resume, PCRs and saved
 * contexts among it.  From then until tpm_chip_resume() every
 * tpm_try_get_ops() fails with -EBUSY, because a TPM may drop the state
 * it saved when it gets another command (the hwrng thread is not frozen).
 * A chip already unplugged is left alone.  The TPM's errors are logged,
 * not returned: a TPM that cannot save its state must not keep the
 * system from sleeping.
 *
 * Context: process context, may sleep; the bus driver's suspend callback.
 */
void tpm_chip_suspend(struct tpm_chip *chip)
{
	/* Not kept out by a file holding the TPM alone: the state must be saved. */
	if (tpm_try_get_ops_as(chip, TPM_OPS_ANYONE, false))
		return;
	if (!tpm_is_firmware_upgrade(chip)) {
		if (chip->flags & TPM_CHIP_FLAG_TPM2) {
			/*
			 * Transient objects do not survive Shutdown(STATE);
			 * if they cannot be evicted, they are lost anyway.
			 */
			tpm2_sess_suspend(chip);
			tpm2_rm_evict_all(chip);
			tpm2_shutdown(chip, TPM2_SU_STATE);
		} else {
			tpm1_save_state(chip);
		}
	}
	WRITE_ONCE(tpm_chip_priv(chip)->suspended, true);
	tpm_put_ops(chip);
}
EXPORT_SYMBOL_GPL(tpm_chip_suspend);

/**
 * tpm_chip_resume() - let commands reach the TPM again after a resume
 * @chip: the chip
 *
 * The firmware has restarted the TPM.  A TPM 1.2 gets
 * TPM_ContinueSelfTest (and TPM_Startup(ST_STATE) first if the firmware
 * did not start it) while the chip is still marked suspended, so that
 * nobody else reaches it before it is restarted; a TPM 2.0 needs nothing.
 * Then commands that waited for the resume go on.
 *
 * Context: process context, may sleep; the bus driver's resume callback.
 */
void tpm_chip_resume(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(chip);

	down_read(&chip->ops_sem);
	if (chip->ops) {
		mutex_lock(&chip->tpm_mutex);
		if (!(chip->flags & TPM_CHIP_FLAG_TPM2) &&
		    !tpm_chip_start(chip)) {
			tpm1_resume(chip);
			tpm_chip_stop(chip);
		}
		WRITE_ONCE(priv->suspended, false);
		mutex_unlock(&chip->tpm_mutex);
	}
	up_read(&chip->ops_sem);
	wake_up_all(&priv->event_wq);
}
EXPORT_SYMBOL_GPL(tpm_chip_resume);

int tpm_chip_subsys_init(void)
{
	int rc;

	rc = class_register(&tpm_class);
	if (rc)
		return rc;
	rc = class_register(&tpmrm_class);
	if (rc)
		goto err_tpm_class;
	rc = alloc_chrdev_region(&tpm_devt, 0, TPM_NUM_DEVICES, "tpm");
	if (rc)
		goto err_tpmrm_class;
	rc = alloc_chrdev_region(&tpmrm_devt, 0, TPM_NUM_DEVICES, "tpmrm");
	if (rc)
		goto err_tpm_devt;
	return 0;

err_tpm_devt:
	unregister_chrdev_region(tpm_devt, TPM_NUM_DEVICES);
err_tpmrm_class:
	class_unregister(&tpmrm_class);
err_tpm_class:
	class_unregister(&tpm_class);
	return rc;
}

void tpm_chip_subsys_exit(void)
{
	unregister_chrdev_region(tpmrm_devt, TPM_NUM_DEVICES);
	unregister_chrdev_region(tpm_devt, TPM_NUM_DEVICES);
	class_unregister(&tpmrm_class);
	class_unregister(&tpm_class);
	idr_destroy(&tpm_idr);
}
