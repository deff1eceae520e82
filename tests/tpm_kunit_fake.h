/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the KUnit suites' fake and simulated devices share: a chip for a
 * driver's ops, freed when the test ends, and the callbacks of a device
 * that completes every command at once and never cancels.  Each suite is
 * a module of its own, so these are static.
 */
#ifndef __TPM_KUNIT_FAKE_H__
#define __TPM_KUNIT_FAKE_H__

#include <kunit/test.h>
#include "tpm.h"

/* The status bit a fake device reports for a completed command. */
#define FAKE_COMPLETE		BIT(0)

static inline u8 fake_status_complete(struct tpm_chip *chip)
{
	return FAKE_COMPLETE;
}

static inline bool fake_never_canceled(struct tpm_chip *chip, u8 status)
{
	return false;
}

static inline void fake_no_cancel(struct tpm_chip *chip)
{
}

static inline void fake_put_chip(void *chip)
{
	put_device(&((struct tpm_chip *)chip)->dev);
}

/*
 * A TPM 2.0 chip with @ops and @drvdata, TPM 2.0's default timeouts, put
 * when the test ends; not registered.
 */
static inline struct tpm_chip *fake_chip_new(struct kunit *test,
					     const struct tpm_class_ops *ops,
					     void *drvdata)
{
	struct tpm_chip *chip = tpm_chip_alloc(NULL, ops);

	KUNIT_ASSERT_FALSE(test, IS_ERR(chip));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fake_put_chip,
							   chip));
	dev_set_drvdata(&chip->dev, drvdata);
	chip->flags |= TPM_CHIP_FLAG_TPM2;
	tpm2_set_default_timeouts(chip);
	return chip;
}

#endif /* __TPM_KUNIT_FAKE_H__ */
