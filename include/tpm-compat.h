/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where kernel-version differences are handled.  Each entry
 * says which kernel changed what; drivers use the names defined here and
 * never test LINUX_VERSION_CODE themselves.
 */
#ifndef __TPM_COMPAT_H__
#define __TPM_COMPAT_H__

#include <linux/version.h>
#include <linux/platform_device.h>

/* v6.12 moved <asm/unaligned.h> to <linux/unaligned.h>. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * v6.11 made platform_driver.remove return void (v6.3..v6.10 called that
 * variant .remove_new; v6.1 only has the int-returning .remove).
 * TPM_PLATFORM_REMOVE(name, fn) defines @name with whatever signature the
 * running kernel wants, calling the void @fn.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define TPM_PLATFORM_REMOVE(name, fn)					\
	static void name(struct platform_device *pdev) { fn(pdev); }
#define TPM_PLATFORM_REMOVE_MEMBER	remove
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define TPM_PLATFORM_REMOVE(name, fn)					\
	static void name(struct platform_device *pdev) { fn(pdev); }
#define TPM_PLATFORM_REMOVE_MEMBER	remove_new
#else
#define TPM_PLATFORM_REMOVE(name, fn)					\
	static int name(struct platform_device *pdev) { fn(pdev); return 0; }
#define TPM_PLATFORM_REMOVE_MEMBER	remove
#endif

#endif /* __TPM_COMPAT_H__ */
