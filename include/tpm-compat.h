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
 * With CONFIG_TCG_TPM2_HMAC, <linux/tpm.h> gives struct tpm_chip the
 * session fields and leaves tpm2_start_auth_session() and the HMAC
 * helpers to tpm.ko; this core implements neither, so a kernel user
 * built that way could not load on it.
 */
#ifdef CONFIG_TCG_TPM2_HMAC
#error "tpm-oot does not implement CONFIG_TCG_TPM2_HMAC's session API"
#endif

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
