/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the resource manager's two files share: tpm2-rm.c keeps the books
 * of what the spaces have in the TPM, across the chip; tpm2-space.c runs
 * one file's commands in its space, calling down into tpm2-rm.c.
 */
#ifndef __TPM2_RM_H__
#define __TPM2_RM_H__

/* TPMA_CC: the command attributes TPM2_GetCapability(COMMANDS) reports. */
#define TPM2_CC_ATTR_INDEX	GENMASK(15, 0)
#define TPM2_CC_ATTR_CHANDLES	GENMASK(27, 25)
#define TPM2_CC_ATTR_RHANDLE	BIT(28)
#define TPM2_CC_ATTR_VENDOR	BIT(29)

/* Handle types, the top byte of a handle. */
#define TPM2_HT(h)		((h) >> 24)
#define TPM2_HT_HMAC		0x02
#define TPM2_HT_POLICY		0x03
#define TPM2_HT_OBJECT		0x80
#define TPM2_HANDLE_INDEX	GENMASK(23, 0)

/*
 * Virtual handles number from the first transient handle, as a TPM's own
 * do: clients (the kernel's selftests among them) list handles by asking
 * for one at a time from 0x80000000 on, one number higher each time.
 */
#define TPM_RM_VHANDLE		0x80000000

/* The fixed part of a TPMS_CONTEXT: sequence, handle, hierarchy, size. */
#define TPM_SPACE_CTX_MIN	18

/*
 * TPM answers that say a handle is not loaded: TPM_RC_HANDLE (format 1,
 * with the handle's position) and TPM_RC_REFERENCE_H0..S6 (warnings).
 */
#define TPM2_RC_FMT1		0x0080
#define TPM2_RC_FMT1_ERROR	GENMASK(5, 0)
#define TPM2_RC_REFERENCE_LAST	0x091E
#define TPM2_RC_CONTEXT_GAP	0x0901
#define TPM2_RC_SESSION_HANDLES	0x0905
/* Where a format-1 code names the handle (1..7) or session (9..15). */
#define TPM2_RC_FMT1_PARAM	BIT(6)
#define TPM2_RC_FMT1_N		GENMASK(11, 8)

/* Commands the resource manager looks into. */
#define TPM_RM_CC_START_AUTH_SESSION	0x0176
#define TPM_RM_CC_SEQUENCE_COMPLETE	0x013E
#define TPM_RM_CC_EVENT_SEQ_COMPLETE	0x0185
#define TPM_RM_CC_HIERARCHY_CONTROL	0x0121
#define TPM_RM_CC_CHANGE_EPS		0x0124
#define TPM_RM_CC_CHANGE_PPS		0x0125
#define TPM_RM_CC_CLEAR			0x0126
#define TPM_RM_CC_STARTUP		0x0144
#define TPM_RM_CC_SHUTDOWN		0x0145
/* TPMA_SESSION: keep the session after the command succeeds. */
#define TPM2_SA_CONTINUE_SESSION	BIT(0)
/* TPMS_CONTEXT.savedHandle of a sequence object, whose state changes. */
#define TPM2_SAVED_SEQUENCE	0x80000001
/* Format 0 with the warning bit: the TPM may do it later. */
#define TPM2_RC_IS_WARNING(rc)	(((rc) & 0x0980) == 0x0900)
/* What a space answers to GetCapability(HANDLES) with sessions. */
#define TPM2_RC_AUTH_CONTEXT	0x0145

/* Response codes of the resource-manager layer (TSS2_RESMGR_TPM_RC_LAYER). */
#define TPM_RM_RC_LAYER		(11 << 16)

/*
 * What one space may hold.  Objects cost only memory here (up to a few KiB
 * each); every saved session keeps one of the TPM's active-session slots.
 */
#define TPM_SPACE_OBJECTS	16
#define TPM_SPACE_SESSIONS	4

/*
 * Sessions left loaded between commands, across spaces: one less than the
 * three loaded sessions a PC Client TPM has at least (TPM_PT_HR_LOADED_MIN),
 * so that a slot is always free to refresh the oldest saved session in the
 * context gap (a session can be saved only once that is done).
 */
#define TPM_RM_LAZY_SESSIONS	2

/* A command names at most this many handles (the TPMA_CC field's range). */
#define TPM_RM_MAX_HANDLES	7
/* ... and at most three sessions in its authorization area. */
#define TPM_RM_MAX_AUTHS	3

/**
 * struct tpm_space_ctx - an object or a session of a space
 * @data:	its saved context (TPMS_CONTEXT), or NULL: a free slot, or a
 *		session or sequence object while it is loaded (its context
 *		changes with every command)
 * @len:	its length
 * @handle:	for a session, its handle; unused for an object
 * @loaded:	its handle in the TPM while it is loaded there, else 0
 * @session:	a session slot, not an object slot
 * @changes:	a sequence object: evicting it saves it
 * @pinned:	named by the command running now: not to be evicted
 * @lru:	on the chip's rm_loaded while loaded
 * @saved:	for a session, its place among the sessions saved in the
 *		TPM (on the chip's list while it is saved there)
 */
struct tpm_space_ctx {
	u8 *data;
	u16 len;
	u32 handle;
	u32 loaded;
	bool session;
	bool changes;
	bool pinned;
	struct list_head lru;
	struct tpm_rm_saved saved;
};

/**
 * struct tpm_rm_space - the objects and sessions of one /dev/tpmrmN file
 * @obj:	objects, by slot; the client knows slot i as TPM_RM_VHANDLE + i
 * @sess:	sessions
 * @kept:	sessions the client saved for itself (it holds the context);
 *		orphans of the chip once the file closes
 * @node:	on the chip's rm_spaces from its first command until it is
 *		freed (after its file closed and what it had in the TPM was
 *		flushed)
 * @uid:	the effective uid that opened the file, whose share it uses
 * @closed:	the file closed (the space is on the books until flushed)
 */
struct tpm_rm_space {
	struct tpm_space_ctx obj[TPM_SPACE_OBJECTS];
	struct tpm_space_ctx sess[TPM_SPACE_SESSIONS];
	struct tpm_rm_saved kept[TPM_SPACE_SESSIONS];
	struct list_head node;
	kuid_t uid;
	bool closed;
};

/* tpm2-rm.c: a space's contexts in the TPM, and the chip's books */
void tpm_space_ctx_drop(struct tpm_space_ctx *ctx);
void tpm_space_ctx_stale(struct tpm_space_ctx *ctx);
bool tpm_space_ctx_used(const struct tpm_space_ctx *ctx);
u32 tpm2_cc_attrs(struct tpm_chip *chip, u32 cc);
ssize_t tpm_space_ctx_save(struct tpm_chip *chip, u32 handle,
			   struct tpm_space_ctx *ctx);
bool tpm_space_handle_gone(ssize_t rc);
ssize_t tpm_space_flush(struct tpm_chip *chip, u32 handle);
void tpm_space_forget_unloadable(struct tpm_space_ctx *ctx, ssize_t rc);
struct tpm_chip_priv *tpm_rm(struct tpm_chip *chip);
void tpm_rm_used(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
		 u32 h);
void tpm_rm_unloaded(struct tpm_space_ctx *ctx);
void tpm_rm_orphan_drop(struct tpm_rm_saved *o);
void tpm_rm_orphan_add(struct tpm_chip *chip, struct tpm_rm_saved *slots,
		       int n, u32 handle, u64 seq, kuid_t uid);
void tpm_rm_adopt(struct tpm_chip *chip, u32 handle);
void tpm_rm_adopt_object(struct tpm_chip *chip, u32 handle);
ssize_t tpm_rm_trim(struct tpm_chip *chip, bool session,
		    unsigned int keep);
ssize_t tpm_rm_room_for(struct tpm_chip *chip, bool session);
bool tpm_rm_retry(struct tpm_chip *chip, ssize_t *rc, int *tries);
ssize_t tpm_rm_load(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
		    u32 *h);
/**
 * struct tpm2_auth_entry - one session of an authorization area
 * @handle:	the session's handle (TPM2_RS_PW for a password)
 * @attrs:	its TPMA_SESSION
 */
struct tpm2_auth_entry {
	u32 handle;
	u8 attrs;
};

int tpm2_auths_parse(const u8 *buf, u32 off, u32 len, struct tpm2_auth_entry *auths);
int tpm_rm_reap(struct tpm_chip *chip);
void tpm_rm_join(struct tpm_chip *chip, struct tpm_rm_space *space);
bool tpm_rm_over_share(struct tpm_chip *chip, struct tpm_rm_space *space,
		       bool session, u32 loads);
bool tpm_rm_flushes_all(u32 cc);

#endif /* __TPM2_RM_H__ */
