/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interface of the TPM core: what the core's own files share and
 * what the bus drivers (TIS, vtpm proxy) need beyond <linux/tpm.h>.
 *
 * Object model
 * ------------
 * A chip is one struct tpm_chip_priv.  Its memory is owned by the refcount
 * of chip->dev: every open file and every driver that allocated the chip
 * holds a reference.  Whether the driver may be called is a separate
 * question, answered by chip->ops under chip->ops_sem:
 *
 *   chip->ops_sem   rwsem.  Held for read by anyone calling a driver callback
 *                   (tpm_try_get_ops()), for write by the unregister fence,
 *                   which sets chip->ops to NULL.  Never held while sleeping
 *                   for an event that the fence itself must deliver.
 *   chip->tpm_mutex Serialises commands on the device; taken inside ops_sem.
 *   chip->is_open   Bit 0: /dev/tpmN is open (exclusive open).  /dev/tpmrmN
 *                   has no such limit: each file has its own space, and
 *                   spaces touch the TPM only under chip->tpm_mutex.
 *   tpm_idr_lock    Guards the idr of device numbers.
 *   priv->event_wq  Woken when a file's command completes, when the chip
 *                   is unplugged and when it resumes; file sleepers, and
 *                   commands waiting out a suspend
 *                   (tpm_try_get_ops_resumed()), wait here without
 *                   ops_sem.
 *   priv->rm_saved  The sessions the resource manager saved in the TPM,
 *                   oldest first, across spaces, and priv->rm_loaded,
 *                   the contexts spaces left loaded there, least
 *                   recently used first; guarded by chip->tpm_mutex.
 *                   Making room (in the context gap, or for another
 *                   command's context) changes another space's contexts,
 *                   so a space's contexts are under chip->tpm_mutex too;
 *                   the rest of a space belongs to its file's one command.
 *   priv->excl      The /dev/tpmN file opened with O_EXCL for writing,
 *                   set and cleared under chip->tpm_mutex: while set,
 *                   tpm_try_get_ops() gives the ops to its commands only
 *                   and everyone else waits on priv->event_wq, without
 *                   ops_sem, for a bounded time (tpm_try_get_ops_as()).
 *   priv->ppi_ops->lock  Mutex: the Physical Presence Interface's
 *                   operations lists, asked of the firmware once
 *                   (tpm-ppi.c); taken by sysfs readers alone, with no
 *                   other lock held and no TPM command sent.
 *   priv->suspended Set under chip->tpm_mutex once the TPM has saved its
 *                   state for a system suspend, cleared at resume; while
 *                   set, tpm_try_get_ops() refuses (the TPM must see no
 *                   command after it saved its state).
 *
 * chip->devs, the tpmrm device, holds a reference on chip->dev from
 * registration until its own last user (an open /dev/tpmrmN) is gone.
 *
 * The order of the fence in tpm_chip_unregister() is the contract with the
 * drivers; see the kernel-doc there.
 *
 * Completion: by default the core polls ops->status until the command
 * completes.  A driver that sets TPM_CHIP_FLAG_IRQ waits in its own send
 * or recv instead (bounded by tpm_calc_ordinal_duration()), and need not
 * provide status, cancel or req_canceled.
 */
#ifndef __TPM_INTERNAL_H__
#define __TPM_INTERNAL_H__

/*
 * <linux/tpm.h> declares the TPM API only when the kernel's own TPM core
 * is configured (otherwise it gives inline stubs).  This tree is a TPM
 * core, so it wants the declarations whatever that option says: built
 * into a UML kernel for KUnit, or against a kernel with TCG_TPM=n.
 */
#if !defined(CONFIG_TCG_TPM) && !defined(CONFIG_TCG_TPM_MODULE)
#define CONFIG_TCG_TPM 1
#endif
#include <linux/tpm.h>
#include <linux/wait.h>
#include <linux/delay.h>
#include "tpm-compat.h"

#define TPM_BUFSIZE		4096
#define TPM_NUM_DEVICES		65536
/* The misc minor /dev/tpm0 has always had. */
#define TPM_MISC_MINOR		224

/* TPM 2.0 warnings: no room for another object, or session, in the TPM. */
#define TPM2_RC_OBJECT_MEMORY	0x0902
#define TPM2_RC_SESSION_MEMORY	0x0903

/*
 * Retrying a command that answered TPM2_RC_RETRY/TESTING: the first delay,
 * doubled each time while it stays at most the last (20 ms to 1280 ms).
 */
#define TPM_RETRY_FIRST_MS	20
#define TPM_RETRY_MAX_DELAY_MS	TPM2_DURATION_LONG

/*
 * Sessions saved in the TPM that the resource manager knows of: those of
 * every space, those a client saved for itself (TPM2_ContextSave through
 * /dev/tpmrmN), and up to TPM_RM_ORPHANS such sessions whose files have
 * closed.
 */
#define TPM_RM_ORPHANS		8

/**
 * struct tpm_rm_saved - a session saved in the TPM
 * @node:	on tpm_chip_priv.rm_saved, by @seq
 * @handle:	the session's handle; 0 for an unused orphan slot
 * @seq:	the sequence number of its saved context
 * @orphan:	no space holds its context (a client saved it itself)
 * @uid:	for such a session, the uid whose file saved it (its share)
 */
struct tpm_rm_saved {
	struct list_head node;
	u32 handle;
	u64 seq;
	bool orphan;
	kuid_t uid;
};

/**
 * struct tpm_chip_priv - the core's state around a chip
 * @chip:	the chip as drivers and <linux/tpm.h> know it
 * @event_wq:	see the locking comment at the top of this file
 * @registered:	tpm_chip_register() succeeded and unregister has not run
 * @leaving:	unregister has begun: those waiting for an exclusive holder
 *		give up (tpm_try_get_ops_as())
 * @suspended:	the TPM saved its state for a system suspend; see the
 *		locking comment at the top of this file
 * @excl:	the /dev/tpmN file that holds the TPM alone (opened with
 *		O_EXCL for writing), or NULL; see the locking comment
 * @rm_saved:	struct tpm_rm_saved, in the order the TPM saved them (the
 *		first is the one a context gap is about); under tpm_mutex,
 *		as are the fields below
 * @rm_orphan:	slots for sessions clients saved and left (unused: handle 0)
 * @rm_loaded:	the contexts spaces left loaded in the TPM, least recently
 *		used first
 * @rm_spaces:	every space of the chip (struct tpm_rm_space): those of open
 *		/dev/tpmrmN files, and those whose files closed while what
 *		they had in the TPM could not be flushed (tpm2-rm.c,
 *		"Closing a space")
 * @rm_nr_closed: how many of them are closed (the next command flushes them)
 * @rm_sessions_max: TPM_PT_ACTIVE_SESSIONS_MAX, once asked (0: not yet)
 * @rm_obj_room: how many of them may be objects, as far as is known (0:
 *		not known), learned when the TPM last had no room
 * @pcr_groups:	the sysfs directories of the PCR banks (tpm-sysfs.c)
 * @ppi_ops:	the Physical Presence Interface's answers (tpm-ppi.c), or
 *		NULL without one
 * @banks:	chip->allocated_banks, on kernels where <linux/tpm.h> makes
 *		that a pointer (tpm-compat.h)
 */
struct tpm_chip_priv {
	struct tpm_chip chip;
	wait_queue_head_t event_wq;
	bool registered;
	bool leaving;
	bool suspended;
	const void *excl;
	struct list_head rm_saved;
	struct tpm_rm_saved rm_orphan[TPM_RM_ORPHANS];
	struct list_head rm_loaded;
	struct list_head rm_spaces;
	unsigned int rm_nr_closed;
	unsigned int rm_sessions_max;
	unsigned int rm_obj_room;
	void *pcr_groups;
	struct tpm_ppi_ops *ppi_ops;
#if !TPM_COMPAT_BANKS_IN_CHIP
	struct tpm_bank_info banks[TPM2_MAX_PCR_BANKS];
#endif
};

static inline struct tpm_chip_priv *tpm_chip_priv(struct tpm_chip *chip)
{
	return container_of(chip, struct tpm_chip_priv, chip);
}

/**
 * tpm_chip_gone() - has the unregister fence run?
 * @chip: the chip
 *
 * A lock-free hint for wait conditions and poll: once it returns true it
 * stays true.  Callers that go on to use the driver must still take the
 * ops with tpm_try_get_ops().
 */
static inline bool tpm_chip_gone(struct tpm_chip *chip)
{
	return !READ_ONCE(chip->ops);
}

static inline u32 tpm_hdr_len(const void *buf)
{
	return be32_to_cpu(((const struct tpm_header *)buf)->length);
}

static inline u32 tpm_hdr_code(const void *buf)
{
	return be32_to_cpu(((const struct tpm_header *)buf)->ordinal);
}

extern struct class tpm_class;
extern struct class tpmrm_class;
extern dev_t tpm_devt;
extern dev_t tpmrm_devt;
extern const struct file_operations tpm_fops;
extern const struct file_operations tpmrm_fops;

/**
 * struct tpm_cmd - a command being built, then its response
 * @data:	TPM_BUFSIZE bytes
 * @len:	bytes used: the command so far, then the response's length
 * @overflow:	an append did not fit; tpm_cmd_run() refuses the command
 */
struct tpm_cmd {
	u8 *data;
	u32 len;
	bool overflow;
};

/* tpm-cmd.c */
int tpm_cmd_init(struct tpm_cmd *cmd, u16 tag, u32 code);
void tpm_cmd_free(struct tpm_cmd *cmd);
ssize_t tpm_cmd_reply(u8 *buf, u32 rc);
void tpm_cmd_put(struct tpm_cmd *cmd, const void *src, size_t n);
void tpm_cmd_put_u8(struct tpm_cmd *cmd, u8 v);
void tpm_cmd_put_u16(struct tpm_cmd *cmd, u16 v);
void tpm_cmd_put_u32(struct tpm_cmd *cmd, u32 v);
ssize_t tpm_cmd_run(struct tpm_chip *chip, struct tpm_cmd *cmd,
		    size_t min_body, const char *what);

/*
 * The files of the core, lowest first; each calls only the ones above it
 * in this list (tests/layering.sh checks):
 *   tpm-transmit.c	the ops (may the driver be called?), durations, sending
 *   tpm-cmd.c		the core's own command builder (struct tpm_cmd)
 *   tpm-buf.c		<linux/tpm.h>'s builder (struct tpm_buf), for users
 *   tpm1-cmd.c		TPM 1.2 commands
 *   tpm2-cmd.c		TPM 2.0 commands
 *   tpm2-rm.c		the resource manager's books: what the spaces have
 *			in the TPM, eviction, the kernel users' guard
 *   tpm2-space.c	the resource manager: a file's commands in its space
 *   tpm2-session.c	the kernel's own session: HMAC and encryption on
 *			the bus (CONFIG_TCG_TPM2_HMAC)
 *   tpm-chip.c		chips: allocation, numbers, start-up, fence, suspend
 *   tpm-dev.c		/dev/tpmN and /dev/tpmrmN
 *   tpm-api.c		the kernel's TPM users (<linux/tpm.h>)
 *   tpm-ppi.c		the Physical Presence Interface (ppi/ in sysfs)
 *   tpm-sysfs.c	the chip's sysfs files (PCRs, TPM 1.2 state)
 *   tpm-eventlog.c	the firmware's event log (ACPI, UEFI), in securityfs
 *   tpm-module.c	registration, and loading tpm.ko
 */

/* tpm-transmit.c */
int tpm_chip_start(struct tpm_chip *chip);
void tpm_chip_stop(struct tpm_chip *chip);
int tpm_try_get_ops_resumed(struct tpm_chip *chip);
/* tpm_try_get_ops_as()'s user that no exclusive holder keeps out. */
#define TPM_OPS_ANYONE		((const void *)1)
int tpm_try_get_ops_as(struct tpm_chip *chip, const void *who, bool resumed);
int tpm_try_get_ops_nowait(struct tpm_chip *chip);
bool tpm_ops_excluded(struct tpm_chip *chip, const void *who);
ssize_t tpm_transmit(struct tpm_chip *chip, u8 *buf, size_t bufsiz);
unsigned long tpm_calc_ordinal_duration(struct tpm_chip *chip, u32 ordinal);
unsigned long tpm1_duration(struct tpm_chip *chip, u32 ordinal);
unsigned long tpm2_duration(struct tpm_chip *chip, u32 ordinal);
void tpm_poll_sleep(unsigned int *step_us);

/*
 * Polling a device: the first sleep is short and each next one a quarter
 * longer, up to TPM_POLL_MAX_US.  A command is seen at most a quarter of
 * its run time (or TPM_POLL_MAX_US) after it completed, so fast commands
 * stay fast.  While waiting for a command to complete the steps go on
 * growing with the time waited (an eighth of it, up to
 * TPM_POLL_SLOW_MAX_US), so a slow command costs a few dozen wake-ups.
 * Nothing is learned from earlier commands: how long one client's command
 * took must not decide how long the next client's sleeps.
 */
#define TPM_POLL_MIN_US		16
#define TPM_POLL_MAX_US		1024
#define TPM_POLL_SLOW_MAX_US	250000

/* tpm1-cmd.c */
#define TPM_TAG_RQU_COMMAND	0x00C1	/* a TPM 1.2 command without auth */
#define TPM1_TIMEOUTS		4	/* A, B, C, D */
#define TPM1_DURATIONS		3	/* short, medium, long */
/* Answers after which a TPM 1.2 command is sent again. */
#define TPM1_WARN_RETRY		0x0800
#define TPM1_WARN_DOING_SELFTEST 0x0802
/* Answers a disabled or deactivated TPM 1.2 gives. */
#define TPM_ERR_DEACTIVATED	0x0006
#define TPM_ERR_DISABLED	0x0007
/* TPM_GetCapability's areas and the sub-capabilities the core asks. */
#define TPM_CAP_FLAG		0x0004
#define TPM_CAP_PROPERTY	0x0005
#define TPM_CAP_VERSION_1_1	0x0006
#define TPM_CAP_VERSION_1_2	0x001A
#define TPM_CAP_PROP_PCR	0x0101
#define TPM_CAP_PROP_MANUFACTURER 0x0103
#define TPM_CAP_PROP_OWNER	0x0111
#define TPM_CAP_FLAG_PERM	0x0108
#define TPM_CAP_FLAG_VOL	0x0109
bool tpm1_fix_units(u32 *us, const unsigned int *dflt_ms, int n, u32 min_us);
void tpm1_set_timeouts(struct tpm_chip *chip, u32 *timeout_us,
		       u32 *duration_us);
int tpm1_get_cap(struct tpm_chip *chip, u32 cap, const u32 *subcap,
		 void *out, size_t len);
int tpm1_auto_startup(struct tpm_chip *chip);
void tpm1_save_state(struct tpm_chip *chip);
void tpm1_resume(struct tpm_chip *chip);
int tpm1_get_random(struct tpm_chip *chip, u8 *dest, size_t max);
int tpm1_pcr_read(struct tpm_chip *chip, u32 pcr, u8 *out);
int tpm1_pcr_extend(struct tpm_chip *chip, u32 pcr, const u8 *sha1);
void tpm1_get_pcr_banks(struct tpm_chip *chip);

/* tpm2-cmd.c */
int tpm2_probe(struct tpm_chip *chip);
int tpm2_auto_startup(struct tpm_chip *chip);
int tpm2_get_tpm_pt(struct tpm_chip *chip, u32 property, u32 *value);
ssize_t tpm2_flush_handle(struct tpm_chip *chip, u32 handle, const char *what);
void tpm2_shutdown(struct tpm_chip *chip, u16 shutdown_type);
void tpm2_set_default_timeouts(struct tpm_chip *chip);
int tpm2_get_random(struct tpm_chip *chip, u8 *dest, size_t max);
int tpm2_get_cc_attrs(struct tpm_chip *chip);
int tpm2_get_pcr_banks(struct tpm_chip *chip);
int tpm2_pcr_want(struct tpm_chip *chip, u32 pcr,
		  const struct tpm_digest *digest, bool any, u16 *want);
int tpm2_pcr_read_rsp(const u8 *data, u32 len, u32 off,
		      struct tpm_digest *digest, u16 want, u16 *size);
int tpm2_pcr_read(struct tpm_chip *chip, u32 pcr, struct tpm_digest *digest,
		  u16 *size);
int tpm2_pcr_extend(struct tpm_chip *chip, u32 pcr,
		    const struct tpm_digest *digests);

/* tpm2-rm.c */
struct tpm_rm_space;
struct tpm_rm_space *tpm2_space_alloc(void);
void tpm2_space_free(struct tpm_chip *chip, struct tpm_rm_space *space);
int tpm2_rm_evict_all(struct tpm_chip *chip);
ssize_t tpm2_rm_shield(struct tpm_chip *chip, const u8 *buf, u32 len);
bool tpm2_rm_holds(struct tpm_chip *chip, u32 h);
void tpm2_rm_flush_all(struct tpm_chip *chip);
void tpm2_rm_forget_closed(struct tpm_chip *chip);
unsigned int tpm2_rm_nr_closed(struct tpm_chip *chip);
extern unsigned int tpm_rm_uid_sessions;
extern unsigned int tpm_rm_uid_objects;

/* tpm2-space.c */
ssize_t tpm2_space_transmit(struct tpm_chip *chip, struct tpm_rm_space *space,
			    u8 *buf, size_t bufsiz);

/* tpm-chip.c */
struct tpm_chip *tpm_chip_alloc(struct device *pdev,
				const struct tpm_class_ops *ops);
struct tpm_chip *tpmm_chip_alloc(struct device *pdev,
				 const struct tpm_class_ops *ops);
int tpm_chip_bootstrap(struct tpm_chip *chip);
void tpm_chip_publish(struct tpm_chip *chip, bool visible);
struct tpm_chip *tpm_chip_find_get(void);
void tpm_free_dev_num(struct tpm_chip *chip);
void tpm_chip_fence(struct tpm_chip *chip);
void tpm_chip_suspend(struct tpm_chip *chip);
void tpm_chip_resume(struct tpm_chip *chip);
int tpm_chip_subsys_init(void);
void tpm_chip_subsys_exit(void);

/* tpm-ppi.c */
const struct attribute_group *tpm_ppi_add(struct tpm_chip *chip);

/* tpm-sysfs.c */
int tpm_sysfs_add_groups(struct tpm_chip *chip);
int tpm_sysfs_add_legacy(struct tpm_chip *chip);
void tpm_sysfs_del_legacy(struct tpm_chip *chip);

/* tpm-eventlog.c */
void tpm_eventlog_add(struct tpm_chip *chip);
void tpm_eventlog_del(struct tpm_chip *chip);
u8 *tpm_eventlog_efi_join(const u8 *stub, size_t stub_len, size_t preboot,
			  const u8 *final, size_t final_len, size_t *len,
			  const char **why);
int tpm_eventlog_parse(const u8 *log, size_t len, bool tpm2, size_t *used,
		       const char **why);

/* tpm-dev.c */
int tpm_dev_init(void);
void tpm_dev_exit(void);

/* tpm-module.c */
int tpm_chip_register(struct tpm_chip *chip);
void tpm_chip_unregister(struct tpm_chip *chip);

#endif /* __TPM_INTERNAL_H__ */
