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
 * The stable series took fixes that changed <linux/tpm.h>, so a 6.1.y or
 * 6.12.y header depends on the point release; each entry names the first
 * that has the change (tests/lib/compat-check.sh builds against headers
 * with each reverted).
 *
 * v6.19's "tpm: Cap the number of PCR banks" (6.1.160, 6.12.64) made
 * chip->allocated_banks an array of TPM2_MAX_PCR_BANKS and renamed
 * TPM_MAX_DIGEST_SIZE; before, it is a pointer the core fills in:
 * TPM_COMPAT_BANKS_IN_CHIP is 0 and struct tpm_chip_priv holds the array.
 * The macro, not the version, says which: it came with the change.
 */
#ifdef TPM2_MAX_PCR_BANKS
#define TPM_COMPAT_BANKS_IN_CHIP	1
#else
#define TPM_COMPAT_BANKS_IN_CHIP	0
#define TPM2_MAX_PCR_BANKS		8
#endif
#ifndef TPM2_MAX_DIGEST_SIZE
#define TPM2_MAX_DIGEST_SIZE		TPM_MAX_DIGEST_SIZE
#endif

/*
 * v6.5's "tpm: Disable RNG for all AMD fTPMs" (6.1.46) added
 * TPM_CHIP_FLAG_HWRNG_DISABLED to enum tpm_chip_flags (an enumerator, so
 * only the version tells); the bit it took was free before.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 46)
#define TPM_CHIP_FLAG_HWRNG_DISABLED	BIT(9)
#endif

/*
 * v6.2 added <kunit/visibility.h> (6.1.63): before it, what it defines,
 * as it defines it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 63)
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol)					\
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

/* v6.10 added TPM2_CC_READ_PUBLIC to enum tpm2_command_codes. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define TPM2_CC_READ_PUBLIC	0x0173
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

/*
 * The API <linux/tpm.h> declares for the kernel's TPM users (tpm-api.c,
 * tpm-buf.c).  The struct tpm_buf builders were inline there before
 * v6.8, which moved them into tpm.ko; v6.10 added the session helpers
 * (tpm_buf_append_name() and company) and dropped tpm_send().  Built and
 * tested here: v6.1 and v6.12.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define TPM_COMPAT_BUF_IN_CORE		1
static inline void tpm_compat_buf_set_length(struct tpm_buf *buf, u32 len)
{
	buf->length = len;
}
#else
/* The length is the header's: the response's own header says it. */
#define TPM_COMPAT_BUF_IN_CORE		0
static inline void tpm_compat_buf_set_length(struct tpm_buf *buf, u32 len)
{
}
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define TPM_COMPAT_SESSION_HELPERS	1
#define TPM_COMPAT_HAVE_TPM_SEND	0
#else
#define TPM_COMPAT_SESSION_HELPERS	0
#define TPM_COMPAT_HAVE_TPM_SEND	1
#endif
/*
 * tpm_buf_append_name() returns int from v6.19's "tpm2-sessions: Fix out
 * of range indexing in name_size" (6.12.66); void before.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0) ||			\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 66) &&		\
	 LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0))
#define TPM_COMPAT_APPEND_NAME_INT	1
#else
#define TPM_COMPAT_APPEND_NAME_INT	0
#endif
/*
 * With CONFIG_TCG_TPM2_HMAC (v6.10 on), <linux/tpm.h> gives struct
 * tpm_chip the session fields and leaves tpm2_start_auth_session() and
 * the HMAC helpers to tpm.ko: tpm2-session.c.
 */

/*
 * KUnit, for the test files (which include <kunit/test.h> first).
 * v6.2 added KUNIT_EXPECT_MEMEQ; v6.5 added kunit_add_action_or_reset(),
 * emulated on v6.1 with a KUnit resource whose release runs the action.
 */
#ifdef _KUNIT_TEST_H
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define KUNIT_EXPECT_MEMEQ(test, left, right, size)			\
	KUNIT_EXPECT_EQ(test, 0, memcmp(left, right, size))
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#include <kunit/resource.h>

struct tpm_kunit_action {
	void (*fn)(void *ctx);
	void *ctx;
};

static inline int tpm_kunit_action_init(struct kunit_resource *res, void *a)
{
	res->data = a;
	return 0;
}

static inline void tpm_kunit_action_run(struct kunit_resource *res)
{
	struct tpm_kunit_action *a = res->data;

	a->fn(a->ctx);
}

static inline int kunit_add_action_or_reset(struct kunit *test,
					    void (*fn)(void *ctx), void *ctx)
{
	struct tpm_kunit_action *a = kunit_kzalloc(test, sizeof(*a),
						   GFP_KERNEL);

	if (a) {
		a->fn = fn;
		a->ctx = ctx;
	}
	if (!a || !kunit_alloc_resource(test, tpm_kunit_action_init,
					tpm_kunit_action_run, GFP_KERNEL, a)) {
		fn(ctx);
		return -ENOMEM;
	}
	return 0;
}
#endif
#endif /* _KUNIT_TEST_H */

#endif /* __TPM_COMPAT_H__ */
