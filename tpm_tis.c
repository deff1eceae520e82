// SPDX-License-Identifier: GPL-2.0-only
/*
 * TIS over memory-mapped I/O: the TPM as firmware describes it in ACPI
 * (MSFT0101 for a TPM 2.0 whose TPM2 table gives the TIS start method, as
 * QEMU's tpm-tis presents it; PNP0C31, or one of the vendor IDs older
 * firmware used, for a TPM 1.2, which ACPI hands to the PNP bus; one more
 * ID with hid=), or at the legacy address when asked to with force=1.  An
 * Intel iTPM (INTC0102, or itpm=1) does not report Expect as TIS says.
 * The registers and the chip's reference are managed on the bus device;
 * tpm_chip_unregister() fences the chip before devres unmaps anything.
 * At system suspend the TPM saves its state (the firmware restores it at
 * resume); the bus device's drvdata is the chip.
 */
#include <linux/acpi.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pnp.h>
#include "tpm_tis_core.h"

#define TIS_LEGACY_BASE		0xFED40000
#define TIS_LEGACY_LEN		0x5000

static bool force;
module_param(force, bool, 0444);
MODULE_PARM_DESC(force, "Probe the legacy address 0xFED40000 without ACPI");

static bool itpm;
module_param(itpm, bool, 0444);
MODULE_PARM_DESC(itpm, "The TPM is an Intel iTPM: do not look at Expect");

struct tpm_tis_mmio {
	struct tpm_tis_data tis;
	void __iomem *regs;
};

static struct tpm_tis_mmio *to_mmio(struct tpm_tis_data *data)
{
	return container_of(data, struct tpm_tis_mmio, tis);
}

static int tis_mmio_read(struct tpm_tis_data *data, u32 addr,
			 unsigned int width, u32 *v)
{
	void __iomem *reg = to_mmio(data)->regs + addr;

	*v = width == 4 ? ioread32(reg) : ioread8(reg);
	return 0;
}

static int tis_mmio_write(struct tpm_tis_data *data, u32 addr,
			  unsigned int width, u32 v)
{
	void __iomem *reg = to_mmio(data)->regs + addr;

	if (width == 4)
		iowrite32(v, reg);
	else
		iowrite8(v, reg);
	return 0;
}

static const struct tpm_tis_phy_ops tis_mmio_phy_ops = {
	.read = tis_mmio_read,
	.write = tis_mmio_write,
};

/* An iTPM, by its ACPI ID (its PNP device is a PNP0C31 too) or as told. */
static bool tpm_tis_is_itpm(struct device *dev)
{
	struct acpi_device *adev = ACPI_COMPANION(dev);

	return itpm || (adev && !strcmp(acpi_device_hid(adev), "INTC0102"));
}

static int tpm_tis_mmio_probe(struct device *dev, struct resource *res)
{
	struct tpm_tis_mmio *mmio;

	mmio = devm_kzalloc(dev, sizeof(*mmio), GFP_KERNEL);
	if (!mmio)
		return -ENOMEM;
	mmio->regs = devm_ioremap_resource(dev, res);
	if (IS_ERR(mmio->regs))
		return PTR_ERR(mmio->regs);
	mmio->tis.itpm = tpm_tis_is_itpm(dev);
	return tpm_tis_core_init(dev, &mmio->tis, &tis_mmio_phy_ops);
}

static int tpm_tis_suspend(struct device *dev)
{
	tpm_chip_suspend(dev_get_drvdata(dev));
	return 0;
}

static int tpm_tis_resume(struct device *dev)
{
	tpm_chip_resume(dev_get_drvdata(dev));
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(tpm_tis_pm, tpm_tis_suspend, tpm_tis_resume);

/*
 * MSFT0101 is also what a CRB device is (tpm_crb's): the TPM2 table's
 * start method says which.  A TPM2 table that names another interface
 * leaves the device to its driver.
 */
static bool tpm_tis_acpi_is_fifo(struct device *dev)
{
	struct acpi_table_tpm2 *tbl;
	bool fifo = true;

	if (!has_acpi_companion(dev) ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_TPM2, 1,
					(struct acpi_table_header **)&tbl)))
		return true;
	if (tbl->header.length >= sizeof(*tbl) &&
	    tbl->start_method != ACPI_TPM2_MEMORY_MAPPED)
		fifo = false;
	acpi_put_table((struct acpi_table_header *)tbl);
	return fifo;
}

static int tpm_tis_plat_probe(struct platform_device *pdev)
{
	if (!tpm_tis_acpi_is_fifo(&pdev->dev))
		return -ENODEV;
	return tpm_tis_mmio_probe(&pdev->dev,
				  platform_get_resource(pdev, IORESOURCE_MEM, 0));
}

static void tpm_tis_plat_remove(struct platform_device *pdev)
{
	tpm_tis_remove(platform_get_drvdata(pdev));
}

TPM_PLATFORM_REMOVE(tpm_tis_plat_remove_cb, tpm_tis_plat_remove);

static const struct acpi_device_id tpm_tis_acpi_ids[] = {
	{ "MSFT0101" },
	{ }
};
MODULE_DEVICE_TABLE(acpi, tpm_tis_acpi_ids);

static struct platform_driver tpm_tis_driver = {
	.probe = tpm_tis_plat_probe,
	.TPM_PLATFORM_REMOVE_MEMBER = tpm_tis_plat_remove_cb,
	.driver = {
		.name = "tpm_tis",
		.acpi_match_table = tpm_tis_acpi_ids,
		.pm = pm_sleep_ptr(&tpm_tis_pm),
	},
};

/* A PNP device without memory (an I/O port TPM) is not this driver's. */
static int tpm_tis_pnp_probe(struct pnp_dev *pnp,
			     const struct pnp_device_id *id)
{
	struct resource *res = pnp_get_resource(pnp, IORESOURCE_MEM, 0);

	if (!res)
		return -ENODEV;
	return tpm_tis_mmio_probe(&pnp->dev, res);
}

static void tpm_tis_pnp_remove(struct pnp_dev *pnp)
{
	tpm_tis_remove(pnp_get_drvdata(pnp));
}

/* The last entry before the end is the one hid= sets. */
static struct pnp_device_id tpm_tis_pnp_ids[] = {
	{ "PNP0C31" },		/* TCG's */
	{ "ATM1200" },		/* Atmel */
	{ "IFX0102" },		/* Infineon */
	{ "BCM0101" },		/* Broadcom */
	{ "BCM0102" },		/* Broadcom */
	{ "NSC1200" },		/* National */
	{ "ICO0102" },		/* Intel */
	{ "" },			/* hid= */
	{ }
};
MODULE_DEVICE_TABLE(pnp, tpm_tis_pnp_ids);
module_param_string(hid, tpm_tis_pnp_ids[ARRAY_SIZE(tpm_tis_pnp_ids) - 2].id,
		    sizeof(tpm_tis_pnp_ids[0].id), 0444);
MODULE_PARM_DESC(hid, "One more PNP ID of a TIS TPM to bind");

static struct pnp_driver tpm_tis_pnp_driver = {
	.name = "tpm_tis",
	.id_table = tpm_tis_pnp_ids,
	.probe = tpm_tis_pnp_probe,
	.remove = tpm_tis_pnp_remove,
	.driver.pm = pm_sleep_ptr(&tpm_tis_pm),
};

static struct platform_device *tpm_tis_forced;

static int tpm_tis_force_device(void)
{
	static const struct resource res =
		DEFINE_RES_MEM(TIS_LEGACY_BASE, TIS_LEGACY_LEN);

	tpm_tis_forced = platform_device_register_simple("tpm_tis", -1,
							 &res, 1);
	return PTR_ERR_OR_ZERO(tpm_tis_forced);
}

static int __init tpm_tis_init(void)
{
	int rc;

	if (force) {
		rc = tpm_tis_force_device();
		if (rc)
			return rc;
	}
	rc = platform_driver_register(&tpm_tis_driver);
	if (rc)
		goto err_forced;
	if (IS_ENABLED(CONFIG_PNP)) {
		rc = pnp_register_driver(&tpm_tis_pnp_driver);
		if (rc)
			goto err_platform;
	}
	return 0;

err_platform:
	platform_driver_unregister(&tpm_tis_driver);
err_forced:
	if (tpm_tis_forced)
		platform_device_unregister(tpm_tis_forced);
	return rc;
}

static void __exit tpm_tis_exit(void)
{
	if (IS_ENABLED(CONFIG_PNP))
		pnp_unregister_driver(&tpm_tis_pnp_driver);
	platform_driver_unregister(&tpm_tis_driver);
	if (tpm_tis_forced)
		platform_device_unregister(tpm_tis_forced);
}

module_init(tpm_tis_init);
module_exit(tpm_tis_exit);
MODULE_DESCRIPTION("TPM TIS driver for memory-mapped registers");
MODULE_LICENSE("GPL");
