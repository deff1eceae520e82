// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's entry points: registering a chip, which makes it visible to
 * user space and to the kernel's TPM users, and unregistering it; and
 * loading and unloading tpm.ko.  Everything else in the core is below.
 */
#include <linux/cdev.h>
#include <linux/hw_random.h>
#include <linux/module.h>
#include "tpm.h"
#include "tpm2-session.h"

static bool hwrng = true;
module_param(hwrng, bool, 0644);
MODULE_PARM_DESC(hwrng, "Register each TPM as a hardware random number generator (for chips registered from then on)");

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

	/* A reader that must not sleep gets nothing while a file holds the TPM alone. */
	if (!wait && tpm_ops_excluded(chip, NULL))
		return 0;
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
 * when needed and TPM_ContinueSelfTest; and the PCR banks.  Then creates
 * /dev/tpmN with its sysfs files, /dev/tpmrmN (TPM 2.0), the hwrng and
 * the firmware's event log in securityfs, and makes the chip findable by
 * the kernel's TPM users (tpm_default_chip()).  On failure nothing is
 * visible and the caller still owns its reference.  A failure after /dev/tpmN appeared
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
	tpm2_sess_init(chip);
	rc = tpm_sysfs_add_groups(chip);
	if (rc)
		goto err_stop_session;

	cdev_init(&chip->cdev, &tpm_fops);
	chip->cdev.owner = THIS_MODULE;
	rc = cdev_device_add(&chip->cdev, &chip->dev);
	if (rc) {
		dev_err(&chip->dev, "cannot add %s: %d\n",
			dev_name(&chip->dev), rc);
		goto err_stop_session;
	}
	rc = tpm_sysfs_add_legacy(chip);
	if (rc)
		goto err_unplug_tpm;
	if (tpm_has_rm(chip)) {
		rc = tpm_rm_add(chip);
		if (rc)
			goto err_del_legacy;
	}
	rc = tpm_hwrng_add(chip);
	if (rc)
		goto err_unplug_rm;
	tpm_eventlog_add(chip);
	tpm_chip_priv(chip)->registered = true;
	tpm_chip_publish(chip, true);
	return 0;

err_unplug_rm:
	if (tpm_has_rm(chip))
		tpm_rm_del(chip);
err_del_legacy:
	tpm_sysfs_del_legacy(chip);
err_unplug_tpm:
	tpm_chip_unplug(chip);
	return rc;

err_stop_session:
	tpm2_sess_stop(chip);
	return rc;
}
EXPORT_SYMBOL_GPL(tpm_chip_register);

/**
 * tpm_chip_unregister() - unplug a chip: the strong fence
 * @chip: a registered chip
 *
 * Hides the chip from the kernel's TPM users, removes the event log,
 * unregisters the hwrng and removes /dev/tpmN and /dev/tpmrmN so nobody
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
	WRITE_ONCE(priv->leaving, true);
	wake_up_all(&priv->event_wq);
	tpm_chip_publish(chip, false);
	tpm_eventlog_del(chip);
	tpm_hwrng_del(chip);
	if (tpm_has_rm(chip))
		tpm_rm_del(chip);
	tpm_sysfs_del_legacy(chip);
	tpm_chip_unplug(chip);
}
EXPORT_SYMBOL_GPL(tpm_chip_unregister);

static int __init tpm_init(void)
{
	int rc;

	rc = tpm_chip_subsys_init();
	if (rc)
		return rc;
	rc = tpm_dev_init();
	if (rc)
		goto err_chip;
	return 0;

err_chip:
	tpm_chip_subsys_exit();
	return rc;
}

static void __exit tpm_exit(void)
{
	tpm_dev_exit();
	tpm_chip_subsys_exit();
}

module_init(tpm_init);
module_exit(tpm_exit);
MODULE_DESCRIPTION("TPM core: chips, commands and /dev/tpmN");
MODULE_LICENSE("GPL");
