// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM chips: allocation, device numbers, registration (/dev/tpmN,
 * /dev/tpmrmN, the hwrng), system suspend and resume, and the unregister
 * fence.  The locking rules are described at the top of include/tpm.h.
 */
#include <kunit/visibility.h>
#include <linux/cdev.h>
#include <linux/hw_random.h>
#include <linux/idr.h>
#include <linux/major.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "tpm.h"

static DEFINE_IDR(tpm_idr);
static DEFINE_MUTEX(tpm_idr_lock);
dev_t tpm_devt;
dev_t tpmrm_devt;

static bool hwrng = true;
module_param(hwrng, bool, 0644);
MODULE_PARM_DESC(hwrng, "Register each TPM as a hardware random number generator (for chips registered from then on)");

static ssize_t tpm_version_major_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct tpm_chip *chip = to_tpm_chip(dev);

	return sysfs_emit(buf, "%d\n", chip->flags & TPM_CHIP_FLAG_TPM2 ? 2 : 1);
}
static DEVICE_ATTR_RO(tpm_version_major);

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

static struct attribute *tpm_dev_attrs[] = {
	&dev_attr_tpm_version_major.attr,
	&dev_attr_durations.attr,
	&dev_attr_timeouts.attr,
	NULL,
};

/* durations and timeouts are TPM 1.2's (TPM 2.0 has fixed ones). */
static umode_t tpm_dev_attr_visible(struct kobject *kobj,
				    struct attribute *attr, int n)
{
	struct tpm_chip *chip = to_tpm_chip(kobj_to_dev(kobj));

	if ((chip->flags & TPM_CHIP_FLAG_TPM2) &&
	    attr != &dev_attr_tpm_version_major.attr)
		return 0;
	return attr->mode;
}

static const struct attribute_group tpm_dev_group = {
	.attrs = tpm_dev_attrs,
	.is_visible = tpm_dev_attr_visible,
};

static const struct attribute_group *tpm_dev_groups[] = {
	&tpm_dev_group,
	NULL,
};

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

/**
 * tpm_chip_start() - make the device ready to take commands
 * @chip: the chip
 *
 * Requests locality 0 if the chip holds none, turns on its clock and
 * moves it to the command-ready state, for the drivers that have those
 * callbacks.
 *
 * Context: process context; the caller holds chip->ops_sem and
 * chip->tpm_mutex (tpm_try_get_ops() does this).
 * Return: 0, or the driver's error.
 */
int tpm_chip_start(struct tpm_chip *chip)
{
	const struct tpm_class_ops *ops = chip->ops;
	int rc;

	if (ops->clk_enable)
		ops->clk_enable(chip, true);

	if (chip->locality == -1 && ops->request_locality) {
		rc = ops->request_locality(chip, 0);
		if (rc < 0)
			goto err_clk;
		chip->locality = 0;
	}

	if (ops->cmd_ready) {
		rc = ops->cmd_ready(chip);
		if (rc)
			goto err_locality;
	}
	return 0;

err_locality:
	if (chip->locality != -1 && ops->relinquish_locality)
		ops->relinquish_locality(chip, chip->locality);
	chip->locality = -1;
err_clk:
	if (ops->clk_enable)
		ops->clk_enable(chip, false);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_chip_start);

/**
 * tpm_chip_stop() - undo tpm_chip_start()
 * @chip: the chip
 *
 * Context: process context; the caller holds chip->ops_sem and
 * chip->tpm_mutex.
 */
void tpm_chip_stop(struct tpm_chip *chip)
{
	const struct tpm_class_ops *ops = chip->ops;

	if (ops->go_idle)
		ops->go_idle(chip);
	if (chip->locality != -1 && ops->relinquish_locality)
		ops->relinquish_locality(chip, chip->locality);
	chip->locality = -1;
	if (ops->clk_enable)
		ops->clk_enable(chip, false);
}
EXPORT_SYMBOL_GPL(tpm_chip_stop);

/* tpm_try_get_ops(), saying whether it failed for a suspend. */
static int tpm_get_ops(struct tpm_chip *chip, bool *suspended)
{
	int rc = -ENODEV;

	*suspended = false;
	get_device(&chip->dev);
	down_read(&chip->ops_sem);
	if (!chip->ops)
		goto err_unlock;

	mutex_lock(&chip->tpm_mutex);
	rc = -EBUSY;
	*suspended = tpm_chip_priv(chip)->suspended;
	if (*suspended)
		goto err_mutex;
	rc = tpm_chip_start(chip);
	if (rc)
		goto err_mutex;
	return 0;

err_mutex:
	mutex_unlock(&chip->tpm_mutex);
err_unlock:
	up_read(&chip->ops_sem);
	put_device(&chip->dev);
	return rc;
}

/**
 * tpm_try_get_ops() - get the right to call the chip's driver
 * @chip: the chip
 *
 * On success the caller holds a reference on the chip, chip->ops_sem for
 * read and chip->tpm_mutex, and the device has been started; it must call
 * tpm_put_ops() when done.  Holding the ops delays tpm_chip_unregister()
 * until they are put; the fence never interrupts a holder.
 *
 * Context: process context, may sleep.
 * Return: 0; -ENODEV if the chip has been unregistered; -EBUSY while the
 * system is suspended (the TPM has saved its state); the driver's error
 * if the device could not be started.
 */
int tpm_try_get_ops(struct tpm_chip *chip)
{
	bool suspended;

	return tpm_get_ops(chip, &suspended);
}
EXPORT_SYMBOL_GPL(tpm_try_get_ops);

/**
 * tpm_put_ops() - give back what tpm_try_get_ops() took
 * @chip: the chip
 *
 * Context: process context, may sleep.
 */
void tpm_put_ops(struct tpm_chip *chip)
{
	tpm_chip_stop(chip);
	mutex_unlock(&chip->tpm_mutex);
	up_read(&chip->ops_sem);
	put_device(&chip->dev);
}
EXPORT_SYMBOL_GPL(tpm_put_ops);

/**
 * tpm_try_get_ops_resumed() - tpm_try_get_ops(), waiting out a suspend
 * @chip: the chip
 *
 * For a command a client already handed over (an O_NONBLOCK write queued
 * when the system began to suspend): it waits, without the ops, until the
 * system has resumed or the chip is unplugged, instead of failing.  User
 * tasks are frozen before the TPM saves its state, so only kernel threads
 * ever wait here.
 *
 * Context: process context, may sleep.
 * Return: as tpm_try_get_ops(), but never -EBUSY for a suspend.
 */
int tpm_try_get_ops_resumed(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(chip);
	bool suspended;
	int rc;

	for (;;) {
		rc = tpm_get_ops(chip, &suspended);
		if (!suspended)
			return rc;
		/* The condition is checked first: a resume meanwhile is seen. */
		wait_event_idle(priv->event_wq, !READ_ONCE(priv->suspended) ||
				tpm_chip_gone(chip));
	}
}
EXPORT_SYMBOL_IF_KUNIT(tpm_try_get_ops_resumed);

static void tpm_free_dev_num(struct tpm_chip *chip)
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
	kfree(chip->cc_attrs_tbl);
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
	for (i = 0; i < TPM_RM_ORPHANS; i++)
		INIT_LIST_HEAD(&priv->rm_orphan[i].node);
	chip->ops = ops;
	chip->locality = -1;
	chip->dev_num = -1;

	rc = tpm_alloc_dev_num(chip);
	if (rc) {
		kfree(priv);
		return ERR_PTR(rc);
	}

	device_initialize(&chip->dev);
	chip->dev.class = &tpm_class;
	chip->dev.release = tpm_dev_release;
	chip->dev.parent = pdev;
	chip->dev.groups = tpm_dev_groups;
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

	cdev_init(&chip->cdev, &tpm_fops);
	chip->cdev.owner = THIS_MODULE;
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

static int tpm_chip_bootstrap(struct tpm_chip *chip)
{
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	if (!(chip->flags & TPM_CHIP_FLAG_TPM2)) {
		rc = tpm1_auto_startup(chip);
	} else {
		rc = tpm2_auto_startup(chip);
		if (!rc)
			rc = tpm_chip_read_commands(chip);
	}
	tpm_put_ops(chip);
	return rc;
}

/* The tpmrm device's reference on the chip goes with its last user. */
static void tpm_rm_dev_release(struct device *dev)
{
	struct tpm_chip *chip = container_of(dev, struct tpm_chip, devs);

	put_device(&chip->dev);
}

/* /dev/tpmrmN, for a TPM 2.0 whose command list is known. */
static int tpm_rm_add(struct tpm_chip *chip)
{
	int rc;

	device_initialize(&chip->devs);
	chip->devs.class = &tpmrm_class;
	chip->devs.release = tpm_rm_dev_release;
	chip->devs.parent = chip->dev.parent;
	chip->devs.devt = MKDEV(MAJOR(tpmrm_devt), chip->dev_num);
	get_device(&chip->dev);
	rc = dev_set_name(&chip->devs, "tpmrm%d", chip->dev_num);
	if (rc)
		goto err_put;
	cdev_init(&chip->cdevs, &tpmrm_fops);
	chip->cdevs.owner = THIS_MODULE;
	rc = cdev_device_add(&chip->cdevs, &chip->devs);
	if (rc)
		goto err_put;
	return 0;

err_put:
	dev_err(&chip->dev, "cannot add tpmrm%d: %d\n", chip->dev_num, rc);
	put_device(&chip->devs);
	return rc;
}

static void tpm_rm_del(struct tpm_chip *chip)
{
	cdev_device_del(&chip->cdevs, &chip->devs);
	put_device(&chip->devs);
}

static bool tpm_has_rm(struct tpm_chip *chip)
{
	return chip->nr_commands;
}

static int tpm_hwrng_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	struct tpm_chip *chip = container_of(rng, struct tpm_chip, hwrng);

	return tpm_get_random(chip, data, max);
}

/*
 * Whether the chip gets a hwrng is decided once, at registration; a driver
 * may opt out with TPM_CHIP_FLAG_HWRNG_DISABLED.
 */
static int tpm_hwrng_add(struct tpm_chip *chip)
{
	int rc;

	if (!IS_REACHABLE(CONFIG_HW_RANDOM) || !READ_ONCE(hwrng) ||
	    tpm_is_firmware_upgrade(chip) ||
	    (chip->flags & TPM_CHIP_FLAG_HWRNG_DISABLED)) {
		chip->flags |= TPM_CHIP_FLAG_HWRNG_DISABLED;
		return 0;
	}
	snprintf(chip->hwrng_name, sizeof(chip->hwrng_name), "tpm-rng-%d",
		 chip->dev_num);
	chip->hwrng.name = chip->hwrng_name;
	chip->hwrng.read = tpm_hwrng_read;
	rc = hwrng_register(&chip->hwrng);
	if (rc)
		dev_err(&chip->dev, "cannot register %s: %d\n",
			chip->hwrng_name, rc);
	return rc;
}

static void tpm_hwrng_del(struct tpm_chip *chip)
{
	if (IS_REACHABLE(CONFIG_HW_RANDOM) &&
	    !(chip->flags & TPM_CHIP_FLAG_HWRNG_DISABLED))
		hwrng_unregister(&chip->hwrng);
}

/*
 * The last steps of every way out once /dev/tpmN was visible, unplug or a
 * failed registration: no new opens, the fence, the device number free.
 */
static void tpm_chip_unplug(struct tpm_chip *chip)
{
	cdev_device_del(&chip->cdev, &chip->dev);
	tpm_chip_fence(chip);
	tpm_free_dev_num(chip);
}

/**
 * tpm_chip_register() - start the TPM and make it visible to user space
 * @chip: a chip from tpm_chip_alloc()
 *
 * Brings the TPM up: for TPM 2.0, the timeouts, the self test,
 * TPM2_Startup when the TPM has not been started and the command list;
 * for TPM 1.2, the timeouts and durations the TPM reports, TPM_Startup
 * when needed and TPM_ContinueSelfTest.  Then creates /dev/tpmN,
 * /dev/tpmrmN (TPM 2.0) and the hwrng.  On failure nothing is visible and the
 * caller still owns its reference.  A failure after /dev/tpmN appeared
 * leaves the way an unplug does, through the fence: a file opened in
 * that window keeps the chip's memory but never reaches the driver, which
 * the caller may then tear down.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int tpm_chip_register(struct tpm_chip *chip)
{
	int rc;

	rc = tpm_chip_bootstrap(chip);
	if (rc)
		return rc;

	rc = cdev_device_add(&chip->cdev, &chip->dev);
	if (rc) {
		dev_err(&chip->dev, "cannot add %s: %d\n",
			dev_name(&chip->dev), rc);
		return rc;
	}
	if (tpm_has_rm(chip)) {
		rc = tpm_rm_add(chip);
		if (rc)
			goto err_unplug_tpm;
	}
	rc = tpm_hwrng_add(chip);
	if (rc)
		goto err_unplug_rm;
	tpm_chip_priv(chip)->registered = true;
	return 0;

err_unplug_rm:
	if (tpm_has_rm(chip))
		tpm_rm_del(chip);
err_unplug_tpm:
	tpm_chip_unplug(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_chip_register);

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
		WRITE_ONCE(chip->ops, NULL);
		mutex_unlock(&chip->tpm_mutex);
	}
	up_write(&chip->ops_sem);
	wake_up_all(&tpm_chip_priv(chip)->event_wq);
}

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
	if (tpm_try_get_ops(chip))
		return;
	if (!tpm_is_firmware_upgrade(chip)) {
		if (chip->flags & TPM_CHIP_FLAG_TPM2) {
			/*
			 * Transient objects do not survive Shutdown(STATE);
			 * if they cannot be evicted, they are lost anyway.
			 */
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

/**
 * tpm_chip_unregister() - unplug a chip: the strong fence
 * @chip: a registered chip
 *
 * Unregisters the hwrng and removes /dev/tpmN and /dev/tpmrmN so nobody
 * new can open them, then waits for every holder of the ops, sends
 * TPM2_Shutdown(CLEAR) as the last command the device sees and makes the
 * ops NULL.  When it returns no driver callback
 * is running and none will ever run again, so the driver may free its
 * IRQ, unmap its registers and unload.  Open files stay valid and get
 * -EPIPE; sleepers in read and poll are woken.  The device number is
 * released at once, so a device bound again gets the same /dev/tpmN.
 *
 * Context: process context, may sleep.
 */
void tpm_chip_unregister(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(chip);

	if (WARN_ON(!priv->registered))
		return;
	priv->registered = false;
	tpm_hwrng_del(chip);
	if (tpm_has_rm(chip))
		tpm_rm_del(chip);
	tpm_chip_unplug(chip);
}
EXPORT_SYMBOL_GPL(tpm_chip_unregister);

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
