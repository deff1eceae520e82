// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resource manager behind /dev/tpmrmN: each open file has a space of
 * its own transient objects and sessions.
 *
 * Between two commands nothing of a space is loaded in the TPM.  Objects
 * and sessions are kept here as saved contexts (TPMS_CONTEXT, as
 * TPM2_ContextSave returns them); a session stays known to the TPM under
 * its handle while it is saved, an object does not exist there at all.
 * A command gets loaded exactly the contexts it names, in its handle area
 * and its authorization area; afterwards everything loaded is saved again
 * and the objects are flushed.  So one space can hold more objects than
 * the TPM has slots, and one space filling the TPM cannot make another's
 * commands fail.
 *
 * Clients see virtual object handles, TPM_RM_VHANDLE plus the slot; the
 * TPM sees the physical ones.  Session handles are the TPM's own (a
 * session keeps its handle across save and load); a space may only name
 * the sessions it started or loaded.
 *
 * Everything here runs with the chip's ops held, hence under
 * chip->tpm_mutex: no other command can see the contexts loaded for this
 * one.  The space belongs to one open file, which runs one command at a
 * time; only its sessions are touched from outside (making room in the
 * context gap), and only under chip->tpm_mutex too.
 */
#include <kunit/visibility.h>
#include <linux/bitfield.h>
#include <linux/slab.h>
#include <linux/vtpm_proxy.h>
#include "tpm.h"

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
#define TPM_RM_CC_START_AUTH_SESSION 0x0176
/* Format 0 with the warning bit: the TPM may do it later. */
#define TPM2_RC_IS_WARNING(rc)	(((rc) & 0x0980) == 0x0900)
/* What a space answers to GetCapability(HANDLES) with sessions. */
#define TPM2_RC_AUTH_CONTEXT	0x0145

/* Response codes of the resource-manager layer (TSS2_RESMGR_TPM_RC_LAYER). */
#define TPM_RM_RC_LAYER		(11 << 16)
#define TPM_RM_RC_OBJECT_MEMORY	0x0902
#define TPM_RM_RC_SESSION_MEMORY 0x0903

/*
 * What one space may hold.  Objects cost only memory here (up to a few KiB
 * each); every saved session keeps one of the TPM's active-session slots.
 */
#define TPM_SPACE_OBJECTS	16
#define TPM_SPACE_SESSIONS	4

/* A command names at most this many handles (the TPMA_CC field's range). */
#define TPM_RM_MAX_HANDLES	7
/* ... and at most three sessions in its authorization area. */
#define TPM_RM_MAX_AUTHS	3

/**
 * struct tpm_space_ctx - a saved context
 * @data:	the TPMS_CONTEXT, or NULL for a free slot
 * @len:	its length
 * @handle:	for a session, its handle; unused for an object
 * @saved:	for a session, its place among the sessions saved in the
 *		TPM (on the chip's list while it is saved there)
 */
struct tpm_space_ctx {
	u8 *data;
	u16 len;
	u32 handle;
	struct tpm_rm_saved saved;
};

/**
 * struct tpm_rm_space - the objects and sessions of one /dev/tpmrmN file
 * @obj:	objects, by slot; the client knows slot i as TPM_RM_VHANDLE + i
 * @sess:	sessions
 * @kept:	sessions the client saved for itself (it holds the context);
 *		orphans of the chip once the file closes
 */
struct tpm_rm_space {
	struct tpm_space_ctx obj[TPM_SPACE_OBJECTS];
	struct tpm_space_ctx sess[TPM_SPACE_SESSIONS];
	struct tpm_rm_saved kept[TPM_SPACE_SESSIONS];
};

/**
 * struct tpm_space_run - what one command has loaded
 * @obj:	the object slots loaded
 * @phandle:	their handles in the TPM
 * @nr_obj:	how many
 * @sess:	the session slots loaded (or new: @data still NULL)
 * @nr_sess:	how many
 * @at:		for each handle-area entry, the index into @obj it names,
 *		or -1
 * @attrs:	the command's TPMA_CC
 * @flush_sess:	TPM2_FlushContext of this session slot, or -1
 * @lost:	the TPM did not answer one of the space's own commands (a
 *		timeout, a broken response): it is sent nothing more for
 *		this command, rather than one more long wait per context
 * @client_saved: the session the command is the client's TPM2_ContextSave
 *		of, or 0
 * @client_seq:	... the sequence number of the context the client got
 * @handles:	GetCapability(HANDLES) of objects or sessions: the type
 * @first:	... from this handle on
 * @max:	... at most this many
 */
struct tpm_space_run {
	int obj[TPM_RM_MAX_HANDLES];
	u32 phandle[TPM_RM_MAX_HANDLES];
	int nr_obj;
	int sess[TPM_RM_MAX_HANDLES + TPM_RM_MAX_AUTHS];
	int nr_sess;
	int at[TPM_RM_MAX_HANDLES];
	u32 attrs;
	int flush_sess;
	bool lost;
	u32 client_saved;
	u64 client_seq;
	u8 handles;
	u32 first;
	u32 max;
};

/**
 * tpm2_space_alloc() - a new, empty space
 *
 * Context: process context, may sleep.
 * Return: the space, or NULL.
 */
struct tpm_rm_space *tpm2_space_alloc(void)
{
	struct tpm_rm_space *space;
	int i;

	space = kzalloc(sizeof(*space), GFP_KERNEL);
	if (!space)
		return NULL;
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		INIT_LIST_HEAD(&space->sess[i].saved.node);
		INIT_LIST_HEAD(&space->kept[i].node);
		space->kept[i].orphan = true;
	}
	for (i = 0; i < TPM_SPACE_OBJECTS; i++)
		INIT_LIST_HEAD(&space->obj[i].saved.node);
	return space;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_alloc);

/* Called with chip->tpm_mutex held where @ctx may be a saved session. */
static void tpm_space_ctx_drop(struct tpm_space_ctx *ctx)
{
	list_del_init(&ctx->saved.node);
	kfree_sensitive(ctx->data);
	ctx->data = NULL;
	ctx->len = 0;
	ctx->handle = 0;
}

/* The TPMA_CC of @cc, or 0 if the TPM does not implement it. */
static u32 tpm2_cc_attrs(struct tpm_chip *chip, u32 cc)
{
	bool vendor = cc & TPM2_CC_ATTR_VENDOR;
	u32 i, a;

	if (cc & ~(TPM2_CC_ATTR_INDEX | TPM2_CC_ATTR_VENDOR))
		return 0;
	for (i = 0; i < chip->nr_commands; i++) {
		a = chip->cc_attrs_tbl[i];
		if ((a & TPM2_CC_ATTR_INDEX) == (cc & TPM2_CC_ATTR_INDEX) &&
		    !!(a & TPM2_CC_ATTR_VENDOR) == vendor)
			return a;
	}
	return 0;
}

/* Replace @buf with a bare response carrying @rc; returns its length. */
static ssize_t tpm_space_reply(u8 *buf, u32 rc)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, buf);
	put_unaligned_be32(TPM_HEADER_SIZE, buf + 2);
	put_unaligned_be32(rc, buf + 6);
	return TPM_HEADER_SIZE;
}

static ssize_t tpm_space_rm_error(u8 *buf, u32 rc)
{
	return tpm_space_reply(buf, TPM_RM_RC_LAYER | rc);
}

/* TPM2_ContextLoad: the TPM's handle for a saved context in *@handle. */
static ssize_t tpm_space_ctx_load(struct tpm_chip *chip,
				  const struct tpm_space_ctx *ctx, u32 *handle)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_CONTEXT_LOAD);
	if (rc)
		return rc;
	tpm_cmd_put(&cmd, ctx->data, ctx->len);
	rc = tpm_cmd_run(chip, &cmd, 4, NULL);
	if (!rc)
		*handle = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE);
	tpm_cmd_free(&cmd);
	return rc;
}

/*
 * TPM2_ContextSave of @handle into @ctx, replacing what @ctx held.  On a
 * TPM error (> 0, the handle is gone) or an errno, @ctx is unchanged.
 */
static ssize_t tpm_space_ctx_save(struct tpm_chip *chip, u32 handle,
				  struct tpm_space_ctx *ctx)
{
	struct tpm_cmd cmd;
	ssize_t rc;
	u8 *data;
	u32 len;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_CONTEXT_SAVE);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, handle);
	rc = tpm_cmd_run(chip, &cmd, TPM_SPACE_CTX_MIN, NULL);
	if (rc)
		goto out;
	len = cmd.len - TPM_HEADER_SIZE;
	data = kmemdup(cmd.data + TPM_HEADER_SIZE, len, GFP_KERNEL);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	kfree_sensitive(ctx->data);
	ctx->data = data;
	ctx->len = len;
	ctx->handle = handle;
out:
	memzero_explicit(cmd.data, TPM_BUFSIZE);
	tpm_cmd_free(&cmd);
	return rc;
}

/* Did the TPM answer that the handle is not loaded (nothing to flush)? */
static bool tpm_space_handle_gone(ssize_t rc)
{
	if (rc <= 0)
		return false;
	if (rc & TPM2_RC_FMT1)
		return (rc & TPM2_RC_FMT1_ERROR) ==
		       (TPM2_RC_HANDLE & TPM2_RC_FMT1_ERROR);
	return rc >= TPM2_RC_REFERENCE_H0 && rc <= TPM2_RC_REFERENCE_LAST;
}

static ssize_t tpm_space_flush(struct tpm_chip *chip, u32 handle)
{
	struct tpm_cmd cmd;
	ssize_t rc;

	rc = tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	if (rc)
		return rc;
	tpm_cmd_put_u32(&cmd, handle);
	rc = tpm_cmd_run(chip, &cmd, 0, NULL);
	tpm_cmd_free(&cmd);
	return rc;
}

/* Note a space command the TPM did not answer; true once one was lost. */
static bool tpm_space_lost(struct tpm_space_run *run, ssize_t rc)
{
	if (rc < 0 && rc != -ENOMEM)
		run->lost = true;
	return run->lost;
}

/*
 * A saved session the TPM refuses to load with an error (it was flushed
 * through /dev/tpmN, or the TPM was reset and the context is stale) leaves
 * the space, so that it does not hold one of the space's slots for ever.
 * It is not flushed: after a reset its handle may be another space's
 * session by now.  A warning (no room, TPM_RC_CONTEXT_GAP, retry) is not
 * the session's fault, and a transport error says nothing about it: it
 * stays.
 */
static void tpm_space_forget_unloadable(struct tpm_space_ctx *ctx, ssize_t rc)
{
	if (rc > 0 && !TPM2_RC_IS_WARNING(rc))
		tpm_space_ctx_drop(ctx);
}

/*
 * The sessions saved in the TPM, across spaces
 *
 * A TPM numbers the contexts it saves.  It keeps the distance from the
 * oldest saved session to the next number within a window (the context
 * gap, TPM_PT_CONTEXT_GAP_MAX), and when saving or loading a session would
 * go past it, answers TPM_RC_CONTEXT_GAP: the oldest saved session must be
 * loaded and saved again first.  The chip keeps every saved session the
 * resource manager knows, by sequence number (priv->rm_saved, under
 * tpm_mutex), so that it can: a space's session is refreshed from its
 * context; one a client saved for itself cannot be, and is flushed.
 *
 * The oldest known session is refreshed only when the TPM holds no saved
 * session the chip does not know (one saved through /dev/tpmN): that one
 * might be the TPM's oldest, and loading a space's session only to have
 * its save refused would lose it.
 *
 * A session a client saved for itself stays in the TPM for the client's
 * context (tpm2-tools hand sessions from process to process that way):
 * while the file is open it is one of up to TPM_SPACE_SESSIONS the space
 * keeps beside its own sessions, then the chip's orphan, up to
 * TPM_RM_ORPHANS; beyond either bound the
 * oldest is flushed, so clients that exit never use up the TPM's sessions.
 */

/* The most saved sessions asked of the TPM at once (a TPM has dozens). */
#define TPM_RM_MAX_LISTED	128

static struct tpm_chip_priv *tpm_rm(struct tpm_chip *chip)
{
	lockdep_assert_held(&chip->tpm_mutex);
	return tpm_chip_priv(chip);
}

/* Put @e on the chip's list by its sequence number. */
static void tpm_rm_list_add(struct tpm_chip *chip, struct tpm_rm_saved *e)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_rm_saved *pos;

	list_for_each_entry_reverse(pos, &priv->rm_saved, node) {
		if (pos->seq <= e->seq) {
			list_add(&e->node, &pos->node);
			return;
		}
	}
	list_add(&e->node, &priv->rm_saved);
}

/* @ctx's session has just been saved in the TPM. */
static void tpm_rm_saved_now(struct tpm_chip *chip, struct tpm_space_ctx *ctx)
{
	list_del_init(&ctx->saved.node);
	ctx->saved.handle = ctx->handle;
	ctx->saved.seq = get_unaligned_be64(ctx->data);
	tpm_rm_list_add(chip, &ctx->saved);
}

static void tpm_rm_orphan_drop(struct tpm_rm_saved *o)
{
	list_del_init(&o->node);
	o->handle = 0;
}

/*
 * Keep a session a client saved for itself in one of @n slots, flushing
 * the oldest there if they are all taken.
 */
static void tpm_rm_orphan_add(struct tpm_chip *chip, struct tpm_rm_saved *slots,
			      int n, u32 handle, u64 seq)
{
	struct tpm_rm_saved *o = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!slots[i].handle) {
			o = &slots[i];
			break;
		}
		if (!o || slots[i].seq < o->seq)
			o = &slots[i];
	}
	if (o->handle) {
		tpm_space_flush(chip, o->handle);
		tpm_rm_orphan_drop(o);
	}
	o->handle = handle;
	o->seq = seq;
	o->orphan = true;
	tpm_rm_list_add(chip, o);
}

/*
 * A session with @handle has joined a space: the TPM gave it that handle,
 * so a session known under it before is gone (an orphan adopted by a
 * client that loaded its context, or a stale one after a TPM reset).
 */
static void tpm_rm_adopt(struct tpm_chip *chip, u32 handle)
{
	struct tpm_rm_saved *e, *next;

	list_for_each_entry_safe(e, next, &tpm_rm(chip)->rm_saved, node) {
		if (e->handle != handle)
			continue;
		if (e->orphan)
			tpm_rm_orphan_drop(e);
		else
			tpm_space_ctx_drop(container_of(e, struct tpm_space_ctx,
							saved));
	}
}

/*
 * Is @handle a saved session the chip knows?  By index only: a TPM lists
 * a saved session under an HMAC-session handle whatever its type (the
 * type is in the context, which the TPM does not hold).
 */
static bool tpm_rm_known(struct tpm_chip *chip, u32 handle)
{
	struct tpm_rm_saved *e;

	list_for_each_entry(e, &tpm_rm(chip)->rm_saved, node)
		if ((e->handle & TPM2_HANDLE_INDEX) ==
		    (handle & TPM2_HANDLE_INDEX))
			return true;
	return false;
}

/*
 * Does the chip know every session saved in the TPM?  Then the oldest it
 * knows is the TPM's oldest.  Asked of the TPM (GetCapability(HANDLES) of
 * saved sessions) only when a context gap is met.
 */
static bool tpm_rm_knows_all(struct tpm_chip *chip)
{
	struct tpm_cmd cmd;
	bool all = false;
	u32 n, i;

	if (tpm_cmd_init(&cmd, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY))
		return false;
	tpm_cmd_put_u32(&cmd, TPM2_CAP_HANDLES);
	tpm_cmd_put_u32(&cmd, TPM2_HT_POLICY << 24);
	tpm_cmd_put_u32(&cmd, TPM_RM_MAX_LISTED);
	if (tpm_cmd_run(chip, &cmd, 9, NULL) || cmd.data[TPM_HEADER_SIZE])
		goto out;
	n = get_unaligned_be32(cmd.data + TPM_HEADER_SIZE + 5);
	if (n > TPM_RM_MAX_LISTED || cmd.len < TPM_HEADER_SIZE + 9 + 4 * n)
		goto out;
	for (i = 0; i < n; i++)
		if (!tpm_rm_known(chip, get_unaligned_be32(cmd.data +
						TPM_HEADER_SIZE + 9 + 4 * i)))
			goto out;
	all = true;
out:
	tpm_cmd_free(&cmd);
	return all;
}

/*
 * Make room in the context gap: the oldest known saved session is loaded
 * and saved again, so that it becomes the newest, or, if no space holds
 * its context, flushed; a space's session that no longer loads leaves its
 * space (that is room too).  Returns 0 when there may be room now, else
 * why not (nothing was touched unless it was a TPM error or an errno).
 */
static ssize_t tpm_rm_refresh_oldest(struct tpm_chip *chip)
{
	struct tpm_space_ctx *ctx;
	struct tpm_rm_saved *e;
	ssize_t rc;
	u32 h;

	e = list_first_entry_or_null(&tpm_rm(chip)->rm_saved,
				     struct tpm_rm_saved, node);
	if (!e || !tpm_rm_knows_all(chip))
		return -ENOENT;
	if (e->orphan) {
		rc = tpm_space_flush(chip, e->handle);
		tpm_rm_orphan_drop(e);
		return rc < 0 ? rc : 0;
	}
	ctx = container_of(e, struct tpm_space_ctx, saved);
	rc = tpm_space_ctx_load(chip, ctx, &h);
	if (rc) {
		tpm_space_forget_unloadable(ctx, rc);
		return ctx->data ? rc : 0;
	}
	list_del_init(&ctx->saved.node);
	rc = tpm_space_ctx_save(chip, h, ctx);
	if (rc) {
		/* Loaded, unsaved, and nobody will name it again. */
		tpm_space_flush(chip, h);
		tpm_space_ctx_drop(ctx);
		return rc;
	}
	tpm_rm_saved_now(chip, ctx);
	return 0;
}

/*
 * Make room in the context gap until @rc is no longer TPM_RC_CONTEXT_GAP
 * or there is nothing left to do; each refresh may gain only one number,
 * so as many as there are saved sessions may be needed.  Returns true to
 * try the refused command again, false with *@rc set to the outcome.
 */
static bool tpm_rm_gap_retry(struct tpm_chip *chip, ssize_t *rc, int *tries)
{
	struct list_head *pos;
	ssize_t err;
	int n = 1;

	if (*rc != TPM2_RC_CONTEXT_GAP)
		return false;
	list_for_each(pos, &tpm_rm(chip)->rm_saved)
		n++;
	if (++*tries > n)
		return false;
	err = tpm_rm_refresh_oldest(chip);
	if (err < 0 && err != -ENOENT)
		*rc = err;
	return !err;
}

/* TPM2_ContextSave of a space's session, through the context gap. */
static ssize_t tpm_space_sess_save(struct tpm_chip *chip,
				   struct tpm_space_ctx *ctx, u32 handle)
{
	int tries = 0;
	ssize_t rc;

	do {
		rc = tpm_space_ctx_save(chip, handle, ctx);
	} while (tpm_rm_gap_retry(chip, &rc, &tries));
	if (!rc)
		tpm_rm_saved_now(chip, ctx);
	return rc;
}

/* TPM2_ContextLoad of a space's session, through the context gap. */
static ssize_t tpm_space_sess_load(struct tpm_chip *chip,
				   struct tpm_space_ctx *ctx, u32 *handle)
{
	int tries = 0;
	ssize_t rc;

	do {
		rc = tpm_space_ctx_load(chip, ctx, handle);
	} while (tpm_rm_gap_retry(chip, &rc, &tries));
	if (!rc)
		list_del_init(&ctx->saved.node);
	return rc;
}

static int tpm_space_find_sess(struct tpm_rm_space *space, u32 handle)
{
	int i;

	for (i = 0; i < TPM_SPACE_SESSIONS; i++)
		if (space->sess[i].data && space->sess[i].handle == handle)
			return i;
	return -1;
}

static int tpm_space_free_slot(struct tpm_space_ctx *ctx, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!ctx[i].data)
			return i;
	return -1;
}

static bool tpm_space_has_sessions(struct tpm_rm_space *space)
{
	int i;

	/* Unlocked in tpm2_space_free(): other files only ever clear these. */
	for (i = 0; i < TPM_SPACE_SESSIONS; i++)
		if (READ_ONCE(space->sess[i].data) ||
		    READ_ONCE(space->kept[i].handle))
			return true;
	return false;
}

/* The object slot a virtual handle names, or -1. */
static int tpm_space_obj_slot(struct tpm_rm_space *space, u32 vhandle)
{
	u32 slot = vhandle - TPM_RM_VHANDLE;

	if (vhandle < TPM_RM_VHANDLE || slot >= TPM_SPACE_OBJECTS ||
	    !space->obj[slot].data)
		return -1;
	return slot;
}

static int tpm_space_use_obj(struct tpm_space_run *run, int slot)
{
	int i;

	for (i = 0; i < run->nr_obj; i++)
		if (run->obj[i] == slot)
			return i;
	run->obj[run->nr_obj] = slot;
	return run->nr_obj++;
}

/* A session named by the command: it must be this space's. */
static int tpm_space_use_sess(struct tpm_rm_space *space,
			      struct tpm_space_run *run, u32 handle)
{
	int slot = tpm_space_find_sess(space, handle);
	int i;

	if (slot < 0)
		return -EINVAL;
	for (i = 0; i < run->nr_sess; i++)
		if (run->sess[i] == slot)
			return 0;
	run->sess[run->nr_sess++] = slot;
	return 0;
}

/* One handle of the handle area; @i is its position. */
static int tpm_space_claim_handle(struct tpm_rm_space *space,
				  struct tpm_space_run *run, u32 h, int i)
{
	int slot;

	switch (TPM2_HT(h)) {
	case TPM2_HT_OBJECT:
		slot = tpm_space_obj_slot(space, h);
		if (slot < 0)
			return -EINVAL;
		run->at[i] = tpm_space_use_obj(run, slot);
		return 0;
	case TPM2_HT_HMAC:
	case TPM2_HT_POLICY:
		return tpm_space_use_sess(space, run, h);
	default:
		return 0;
	}
}

/*
 * The sessions of the authorization area.  A malformed area is left for
 * the TPM to refuse; parsing just stops there.
 */
static int tpm_space_claim_auths(struct tpm_rm_space *space,
				 struct tpm_space_run *run, const u8 *buf,
				 u32 off, u32 len)
{
	u32 end, h;
	int n, rc;

	if (off + 4 > len)
		return 0;
	end = off + 4 + get_unaligned_be32(buf + off);
	if (end > len || end < off)
		return 0;
	off += 4;
	for (n = 0; n < TPM_RM_MAX_AUTHS && off + 7 <= end; n++) {
		h = get_unaligned_be32(buf + off);
		off += 6 + get_unaligned_be16(buf + off + 4);	/* nonce */
		off += 1;					/* attributes */
		if (off + 2 > end)
			break;
		off += 2 + get_unaligned_be16(buf + off);	/* hmac */
		if (off > end)
			break;
		if (TPM2_HT(h) == TPM2_HT_HMAC || TPM2_HT(h) == TPM2_HT_POLICY) {
			rc = tpm_space_use_sess(space, run, h);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/*
 * TPM2_FlushContext names its handle as a parameter.  An object is not in
 * the TPM: dropping its context is the whole flush.  A session is flushed
 * by the TPM, and forgotten here once that succeeded.
 */
static ssize_t tpm_space_flush_cmd(struct tpm_rm_space *space,
				   struct tpm_space_run *run, u8 *buf, u32 len)
{
	int slot;
	u32 h;

	if (len < TPM_HEADER_SIZE + 4)
		return -EINVAL;
	h = get_unaligned_be32(buf + TPM_HEADER_SIZE);
	switch (TPM2_HT(h)) {
	case TPM2_HT_OBJECT:
		slot = tpm_space_obj_slot(space, h);
		if (slot < 0)
			return -EINVAL;
		tpm_space_ctx_drop(&space->obj[slot]);
		return tpm_space_reply(buf, TPM2_RC_SUCCESS);
	case TPM2_HT_HMAC:
	case TPM2_HT_POLICY:
		run->flush_sess = tpm_space_find_sess(space, h);
		return run->flush_sess < 0 ? -EINVAL : 0;
	default:
		return 0;
	}
}

/* Where the parameters of a command naming @nh handles start, or @len. */
static u32 tpm_space_params_at(const u8 *buf, u32 len, u32 nh)
{
	u32 off = TPM_HEADER_SIZE + 4 * nh, size;

	if (get_unaligned_be16(buf) != TPM2_ST_SESSIONS)
		return min(off, len);
	if (off > len || len - off < 4)
		return len;
	size = get_unaligned_be32(buf + off);
	if (size > len - off - 4)
		return len;
	return off + 4 + size;
}

/*
 * GetCapability(HANDLES) of objects, loaded or saved sessions: the type
 * asked for, with run->first and run->max; else 0.  Its parameters follow
 * the authorization area, if it has one.
 */
static u8 tpm_space_handles_asked(const u8 *buf, u32 len,
				  struct tpm_space_run *run)
{
	u32 p = tpm_space_params_at(buf, len, 0);
	u8 type;

	if (tpm_hdr_code(buf) != TPM2_CC_GET_CAPABILITY || len - p < 12 ||
	    get_unaligned_be32(buf + p) != TPM2_CAP_HANDLES)
		return 0;
	/* Any other tag is the TPM's to refuse. */
	if (get_unaligned_be16(buf) != TPM2_ST_NO_SESSIONS &&
	    get_unaligned_be16(buf) != TPM2_ST_SESSIONS)
		return 0;
	run->first = get_unaligned_be32(buf + p + 4);
	run->max = get_unaligned_be32(buf + p + 8);
	type = TPM2_HT(run->first);
	if (type != TPM2_HT_OBJECT && type != TPM2_HT_HMAC &&
	    type != TPM2_HT_POLICY)
		return 0;
	return type;
}

/* The space's sessions, by index (the low 24 bits of the handle). */
static int tpm_space_sess_handles(struct tpm_rm_space *space, u32 *h)
{
	int i, j, n = 0;
	u32 v;

	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		if (!space->sess[i].data)
			continue;
		v = space->sess[i].handle;
		for (j = n++; j > 0 && (h[j - 1] & TPM2_HANDLE_INDEX) >
				       (v & TPM2_HANDLE_INDEX); j--)
			h[j] = h[j - 1];
		h[j] = v;
	}
	return n;
}

/*
 * The space's objects, loaded sessions (TPM2_HT_HMAC) or saved sessions
 * (TPM2_HT_POLICY) from run->first on, at most run->max of them, as a
 * TPMS_CAPABILITY_DATA at @out (moreData, capability, count, handles);
 * returns its length.  Like a TPM, it pages by handle index and sets
 * moreData only when it left an entry out.
 */
static u32 tpm_space_list_handles(struct tpm_rm_space *space,
				  struct tpm_space_run *run, u8 *out)
{
	u32 h[TPM_SPACE_OBJECTS], kept = 0;
	bool more = false;
	int i, n = 0;

	BUILD_BUG_ON(TPM_SPACE_SESSIONS > TPM_SPACE_OBJECTS);
	/* Between commands none of the space's sessions is loaded. */
	if (run->handles == TPM2_HT_OBJECT) {
		for (i = 0; i < TPM_SPACE_OBJECTS; i++)
			if (space->obj[i].data)
				h[n++] = TPM_RM_VHANDLE + i;
	} else if (run->handles == TPM2_HT_POLICY) {
		n = tpm_space_sess_handles(space, h);
	}
	for (i = 0; i < n; i++) {
		if ((h[i] & TPM2_HANDLE_INDEX) < (run->first & TPM2_HANDLE_INDEX))
			continue;
		if (kept == run->max) {
			more = true;
			break;
		}
		put_unaligned_be32(h[i], out + 9 + 4 * kept++);
	}
	out[0] = more;
	put_unaligned_be32(TPM2_CAP_HANDLES, out + 1);
	put_unaligned_be32(kept, out + 5);
	return 9 + 4 * kept;
}

/*
 * GetCapability(HANDLES) is answered from the space.  With an
 * authorization area it could succeed only with an audit session, whose
 * response HMAC and audit digest cover the TPM's own list: a space can
 * neither show that list nor sign its own, so it refuses.
 */
static ssize_t tpm_space_reply_handles(struct tpm_rm_space *space,
				       struct tpm_space_run *run, u8 *buf)
{
	u32 n;

	if (get_unaligned_be16(buf) == TPM2_ST_SESSIONS)
		return tpm_space_rm_error(buf, TPM2_RC_AUTH_CONTEXT);
	n = tpm_space_list_handles(space, run, buf + TPM_HEADER_SIZE);
	tpm_space_reply(buf, TPM2_RC_SUCCESS);
	put_unaligned_be32(TPM_HEADER_SIZE + n, buf + 2);
	return TPM_HEADER_SIZE + n;
}

/*
 * Check the command against the TPM's command list and the space, and
 * note what must be loaded.  Returns 0 to go on, the length of a response
 * written into @buf, or a negative errno.
 */
static ssize_t tpm_space_prepare(struct tpm_chip *chip,
				 struct tpm_rm_space *space,
				 struct tpm_space_run *run, u8 *buf)
{
	u32 len = tpm_hdr_len(buf), cc = tpm_hdr_code(buf), nh, i, h;
	int rc;

	run->flush_sess = -1;
	run->attrs = tpm2_cc_attrs(chip, cc);
	if (!run->attrs || cc == TPM2_CC_SET_LOCALITY)
		return tpm_space_rm_error(buf, TPM2_RC_COMMAND_CODE);
	if (cc == TPM2_CC_FLUSH_CONTEXT)
		return tpm_space_flush_cmd(space, run, buf, len);
	run->handles = tpm_space_handles_asked(buf, len, run);
	if (run->handles)
		return tpm_space_reply_handles(space, run, buf);

	nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, run->attrs);
	if (len < TPM_HEADER_SIZE + 4 * nh)
		return -EINVAL;
	for (i = 0; i < nh; i++) {
		run->at[i] = -1;
		h = get_unaligned_be32(buf + TPM_HEADER_SIZE + 4 * i);
		rc = tpm_space_claim_handle(space, run, h, i);
		if (rc)
			return rc;
		if (cc == TPM2_CC_CONTEXT_SAVE &&
		    (TPM2_HT(h) == TPM2_HT_HMAC || TPM2_HT(h) == TPM2_HT_POLICY))
			run->client_saved = h;
	}
	if (get_unaligned_be16(buf) == TPM2_ST_SESSIONS)
		return tpm_space_claim_auths(space, run, buf,
					     TPM_HEADER_SIZE + 4 * nh, len);
	return 0;
}

/* Load what the command names; 0, a TPM error or an errno. */
static ssize_t tpm_space_load(struct tpm_chip *chip, struct tpm_rm_space *space,
			      struct tpm_space_run *run, u8 *buf)
{
	u32 nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, run->attrs), i, h;
	int nr_obj = run->nr_obj, nr_sess = run->nr_sess;
	struct tpm_space_ctx *ctx;
	ssize_t rc;

	/* Count only what is loaded, so that an error unloads just that. */
	run->nr_obj = 0;
	run->nr_sess = 0;
	while (run->nr_obj < nr_obj) {
		i = run->nr_obj;
		rc = tpm_space_ctx_load(chip, &space->obj[run->obj[i]],
					&run->phandle[i]);
		if (rc) {
			tpm_space_lost(run, rc);
			return rc;
		}
		run->nr_obj++;
	}
	while (run->nr_sess < nr_sess) {
		ctx = &space->sess[run->sess[run->nr_sess]];
		rc = tpm_space_sess_load(chip, ctx, &h);
		if (rc) {
			tpm_space_lost(run, rc);
			tpm_space_forget_unloadable(ctx, rc);
			return rc;
		}
		run->nr_sess++;
	}
	for (i = 0; i < nh; i++)
		if (run->at[i] >= 0)
			put_unaligned_be32(run->phandle[run->at[i]],
					   buf + TPM_HEADER_SIZE + 4 * i);
	return 0;
}

/*
 * Save everything loaded for the command and flush the objects.  An object
 * the TPM no longer has (the command flushed it) leaves the space; one
 * that could not be saved for another reason keeps its older context,
 * which the TPM still accepts, and is flushed.  A session that cannot be
 * saved leaves the space: flushed, unless the TPM says it is not loaded
 * (the command ended it, or the client saved it for itself and holds its
 * context: it becomes an orphan).  Only such an answer lets a handle be
 * forgotten unflushed: any other leaves it loaded in the TPM.  A context
 * gap is made room in first (tpm_space_sess_save()).
 * Once the TPM failed to answer one of these commands, the rest are not
 * sent (each could wait out its whole duration): what is still loaded
 * stays loaded, and the space keeps its older contexts.
 */
static void tpm_space_unload(struct tpm_chip *chip, struct tpm_rm_space *space,
			     struct tpm_space_run *run)
{
	struct tpm_space_ctx *ctx;
	ssize_t rc;
	u32 h;
	int i;

	for (i = 0; i < run->nr_obj && !run->lost; i++) {
		ctx = &space->obj[run->obj[i]];
		rc = tpm_space_ctx_save(chip, run->phandle[i], ctx);
		if (tpm_space_lost(run, rc))
			return;
		if (tpm_space_handle_gone(rc)) {
			tpm_space_ctx_drop(ctx);
			continue;
		}
		tpm_space_lost(run, tpm_space_flush(chip, run->phandle[i]));
	}
	for (i = 0; i < run->nr_sess && !run->lost; i++) {
		ctx = &space->sess[run->sess[i]];
		h = ctx->handle;
		rc = tpm_space_sess_save(chip, ctx, h);
		if (!rc || tpm_space_lost(run, rc))
			continue;
		tpm_space_ctx_drop(ctx);
		if (!tpm_space_handle_gone(rc))
			tpm_space_lost(run, tpm_space_flush(chip, h));
		else if (h == run->client_saved && run->client_seq)
			tpm_rm_orphan_add(chip, space->kept, TPM_SPACE_SESSIONS,
					  h, run->client_seq);
	}
}

/*
 * A new object in the response becomes a context in a free slot and the
 * client gets its virtual handle; a new session joins the space and is
 * saved with the others.  Returns the response's length.
 */
static ssize_t tpm_space_new_handle(struct tpm_chip *chip,
				    struct tpm_rm_space *space, u8 *buf,
				    ssize_t len)
{
	u32 h = get_unaligned_be32(buf + TPM_HEADER_SIZE);
	ssize_t rc;
	int slot;

	switch (TPM2_HT(h)) {
	case TPM2_HT_OBJECT:
		slot = tpm_space_free_slot(space->obj, TPM_SPACE_OBJECTS);
		rc = slot < 0 ? TPM_RM_RC_OBJECT_MEMORY :
			tpm_space_ctx_save(chip, h, &space->obj[slot]);
		tpm_space_flush(chip, h);
		if (rc)
			return tpm_space_rm_error(buf, rc > 0 ? rc :
						  TPM_RM_RC_OBJECT_MEMORY);
		put_unaligned_be32(TPM_RM_VHANDLE + slot,
				   buf + TPM_HEADER_SIZE);
		return len;
	case TPM2_HT_HMAC:
	case TPM2_HT_POLICY:
		tpm_rm_adopt(chip, h);
		slot = tpm_space_free_slot(space->sess, TPM_SPACE_SESSIONS);
		if (slot < 0) {
			tpm_space_flush(chip, h);
			return tpm_space_rm_error(buf, TPM_RM_RC_SESSION_MEMORY);
		}
		rc = tpm_space_sess_save(chip, &space->sess[slot], h);
		if (rc) {
			tpm_space_flush(chip, h);
			return tpm_space_rm_error(buf, rc > 0 ? rc :
						  TPM_RM_RC_SESSION_MEMORY);
		}
		return len;
	default:
		return len;
	}
}

static ssize_t tpm_space_map_response(struct tpm_chip *chip,
				      struct tpm_rm_space *space,
				      struct tpm_space_run *run, u8 *buf,
				      ssize_t len)
{
	u32 rc = tpm_hdr_code(buf);

	if (run->flush_sess >= 0) {
		/* Flushed now, or gone already (through /dev/tpmN). */
		if (!rc || tpm_space_handle_gone(rc))
			tpm_space_ctx_drop(&space->sess[run->flush_sess]);
		return len;
	}
	if (rc)
		return len;
	if (run->client_saved && len >= TPM_HEADER_SIZE + TPM_SPACE_CTX_MIN)
		run->client_seq = get_unaligned_be64(buf + TPM_HEADER_SIZE);
	if ((run->attrs & TPM2_CC_ATTR_RHANDLE) && len >= TPM_HEADER_SIZE + 4)
		return tpm_space_new_handle(chip, space, buf, len);
	return len;
}

/*
 * A client's own StartAuthSession, ContextSave or ContextLoad may be
 * refused for the context gap too: room is made and it is sent again (the
 * TPM changed nothing when it refused it).
 */
static ssize_t tpm_space_send(struct tpm_chip *chip, u8 *buf, size_t bufsiz)
{
	u32 cc = tpm_hdr_code(buf), n = tpm_hdr_len(buf);
	int tries = 0;
	ssize_t len, rc;
	u8 *copy;

	if (cc != TPM_RM_CC_START_AUTH_SESSION && cc != TPM2_CC_CONTEXT_SAVE &&
	    cc != TPM2_CC_CONTEXT_LOAD)
		return tpm_transmit(chip, buf, bufsiz);
	copy = kmemdup(buf, n, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	for (;;) {
		len = tpm_transmit(chip, buf, bufsiz);
		rc = len == TPM_HEADER_SIZE ? tpm_hdr_code(buf) : 0;
		if (!tpm_rm_gap_retry(chip, &rc, &tries))
			break;
		memcpy(buf, copy, n);
	}
	kfree_sensitive(copy);
	return rc < 0 ? rc : len;
}

/**
 * tpm2_space_transmit() - run a command in a space
 * @chip:	the chip, whose ops the caller holds
 * @space:	the space
 * @buf:	the command on entry, the response on return
 * @bufsiz:	the size of @buf
 *
 * Commands the TPM does not implement, and the driver-private ones, get
 * the resource-manager layer's TPM2_RC_COMMAND_CODE.  A space that has no
 * room for a new object or session gets the layer's OBJECT_MEMORY or
 * SESSION_MEMORY (the TPM's copy is flushed).
 *
 * Context: process context, may sleep; the caller holds the chip's ops.
 * Return: the response's length, or a negative errno: -EINVAL for a
 * command that names an object or session not in the space, or what
 * tpm_transmit() returns.
 */
ssize_t tpm2_space_transmit(struct tpm_chip *chip, struct tpm_rm_space *space,
			    u8 *buf, size_t bufsiz)
{
	struct tpm_space_run run = {};
	ssize_t len;

	if (bufsiz < TPM_HEADER_SIZE || tpm_hdr_len(buf) > bufsiz ||
	    tpm_hdr_len(buf) < TPM_HEADER_SIZE)
		return -EINVAL;
	len = tpm_space_prepare(chip, space, &run, buf);
	if (len)
		return len;

	len = tpm_space_load(chip, space, &run, buf);
	if (len > 0) {
		len = tpm_space_rm_error(buf, len);
	} else if (!len) {
		len = tpm_space_send(chip, buf, bufsiz);
		if (len >= TPM_HEADER_SIZE)
			len = tpm_space_map_response(chip, space, &run, buf,
						     len);
	}
	tpm_space_unload(chip, space, &run);
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_transmit);

/**
 * tpm2_space_free() - flush a space's sessions and free it
 * @chip:	the chip
 * @space:	the space, or NULL
 *
 * The space's sessions are flushed from the TPM if the chip is still
 * there; its objects exist only here.
 *
 * Context: process context, may sleep; takes the chip's ops.
 */
void tpm2_space_free(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	bool ops;
	int i;
	u32 h;

	if (!space)
		return;
	/* Other files only ever take sessions away: none now is none later. */
	if (!tpm_space_has_sessions(space))
		goto free_objects;
	/* The chip's saved sessions are under tpm_mutex, which the ops hold. */
	ops = !tpm_try_get_ops(chip);
	if (!ops)
		mutex_lock(&chip->tpm_mutex);
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		if (ops && space->sess[i].data)
			tpm_space_flush(chip, space->sess[i].handle);
		tpm_space_ctx_drop(&space->sess[i]);
	}
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		if (!space->kept[i].handle)
			continue;
		h = space->kept[i].handle;
		tpm_rm_orphan_drop(&space->kept[i]);
		if (ops)
			tpm_rm_orphan_add(chip, tpm_chip_priv(chip)->rm_orphan,
					  TPM_RM_ORPHANS, h, space->kept[i].seq);
	}
	if (ops)
		tpm_put_ops(chip);
	else
		mutex_unlock(&chip->tpm_mutex);
free_objects:
	for (i = 0; i < TPM_SPACE_OBJECTS; i++)
		tpm_space_ctx_drop(&space->obj[i]);
	kfree(space);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_free);
