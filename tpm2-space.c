// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resource manager behind /dev/tpmrmN: each open file has a space of
 * its own transient objects and sessions.
 *
 * A context stays loaded in the TPM after the command that used it, until
 * the room is needed: the TPM answers TPM_RC_OBJECT_MEMORY or
 * TPM_RC_SESSION_MEMORY to any space's command (or the resource manager
 * knows from such an answer how many objects fit), the file closes, a
 * command not run in a space comes (/dev/tpmN, a suspend's TPM2_Shutdown,
 * or one that flushes objects of its own accord, such as TPM2_Clear), so
 * that nobody else ever meets a space's context in the TPM.  The chip
 * keeps what is loaded in the order it was used (priv->rm_loaded) and
 * evicts the least recently used context that the running command does
 * not name.  An object is saved once, when it joins the space, and
 * evicted with a bare flush: its context never changes, except a sequence
 * object's, which is saved when it is evicted.  A session is saved when it
 * is evicted and stays in the TPM under its handle.  So one space can hold
 * more objects than the TPM has slots, and one space filling the TPM
 * cannot make another's commands fail.  An object that vanished from the
 * TPM unseen (the TPM answers that its handle is not loaded) is loaded
 * again from its context and the command sent again, once.
 *
 * Clients see virtual object handles, TPM_RM_VHANDLE plus the slot; the
 * TPM sees the physical ones.  Session handles are the TPM's own (a
 * session keeps its handle across save and load); a space may only name
 * the sessions it started or loaded.
 *
 * Everything here runs with the chip's ops held, hence under
 * chip->tpm_mutex: no other command can see the contexts loaded for this
 * one.  The space belongs to one open file, which runs one command at a
 * time; only its loaded contexts and saved sessions are touched from
 * outside (evicted for another command, refreshed in the context gap),
 * and only under chip->tpm_mutex too.
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
 */
struct tpm_rm_space {
	struct tpm_space_ctx obj[TPM_SPACE_OBJECTS];
	struct tpm_space_ctx sess[TPM_SPACE_SESSIONS];
	struct tpm_rm_saved kept[TPM_SPACE_SESSIONS];
};

/**
 * struct tpm_space_run - what one command names and does
 * @obj:	the object slots it names
 * @phandle:	their handles in the TPM
 * @nr_obj:	how many
 * @sess:	the session slots it names
 * @nr_sess:	how many
 * @at:		for each handle-area entry, the index into @obj it names,
 *		or -1
 * @attrs:	the command's TPMA_CC
 * @flush_sess:	TPM2_FlushContext of this session slot, or -1
 * @lost:	the TPM did not answer one of the space's own commands (a
 *		timeout, a broken response): it is sent nothing more for
 *		this command, rather than one more long wait per context
 * @ends:	session slots the command ends if it succeeds (authorizations
 *		without continueSession), a bitmap
 * @unparsed:	the authorization area did not parse
 * @consumes:	the handle-area entry a sequence command ends, or -1
 * @client_saved: the session the command is the client's TPM2_ContextSave
 *		of, or 0
 * @client_ctx:	the object context the client's TPM2_ContextLoad loads
 * @client_ctx_len: its length
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
	unsigned long ends;
	bool unparsed;
	int consumes;
	u32 client_saved;
	u8 *client_ctx;
	u32 client_ctx_len;
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
		INIT_LIST_HEAD(&space->sess[i].lru);
		space->sess[i].session = true;
		INIT_LIST_HEAD(&space->kept[i].node);
		space->kept[i].orphan = true;
	}
	for (i = 0; i < TPM_SPACE_OBJECTS; i++) {
		INIT_LIST_HEAD(&space->obj[i].saved.node);
		INIT_LIST_HEAD(&space->obj[i].lru);
	}
	return space;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_alloc);

/*
 * Forget @ctx (nothing is sent).  Called with chip->tpm_mutex held where
 * @ctx may be loaded or a saved session.
 */
static void tpm_space_ctx_drop(struct tpm_space_ctx *ctx)
{
	list_del_init(&ctx->saved.node);
	list_del_init(&ctx->lru);
	kfree_sensitive(ctx->data);
	ctx->data = NULL;
	ctx->len = 0;
	ctx->handle = 0;
	ctx->loaded = 0;
	ctx->changes = false;
}

/* @ctx is loaded and its context changes with use: the one held is stale. */
static void tpm_space_ctx_stale(struct tpm_space_ctx *ctx)
{
	kfree_sensitive(ctx->data);
	ctx->data = NULL;
	ctx->len = 0;
}

/* Does the slot hold an object or session? */
static bool tpm_space_ctx_used(const struct tpm_space_ctx *ctx)
{
	return ctx->data || ctx->loaded;
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
	return tpm2_flush_handle(chip, handle, NULL);
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

/* @ctx is loaded under @h and was used just now. */
static void tpm_rm_used(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
			u32 h)
{
	ctx->loaded = h;
	list_move_tail(&ctx->lru, &tpm_rm(chip)->rm_loaded);
}

/* @ctx is no longer loaded; a context that changes is lost with it. */
static void tpm_rm_unloaded(struct tpm_space_ctx *ctx)
{
	if (!ctx->data) {
		tpm_space_ctx_drop(ctx);
		return;
	}
	ctx->loaded = 0;
	list_del_init(&ctx->lru);
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
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_space_ctx *ctx, *next_ctx;
	struct tpm_rm_saved *e, *next;

	list_for_each_entry_safe(e, next, &priv->rm_saved, node) {
		if (e->handle != handle)
			continue;
		if (e->orphan)
			tpm_rm_orphan_drop(e);
		else
			tpm_space_ctx_drop(container_of(e, struct tpm_space_ctx,
							saved));
	}
	list_for_each_entry_safe(ctx, next_ctx, &priv->rm_loaded, lru)
		if (ctx->session && ctx->loaded == handle)
			tpm_space_ctx_drop(ctx);
}

/*
 * The TPM gave a new object @handle: an object a space took as loaded
 * there is not (it vanished unseen), and is loaded from its context when
 * it is named again.
 */
static void tpm_rm_adopt_object(struct tpm_chip *chip, u32 handle)
{
	struct tpm_space_ctx *ctx, *next;

	list_for_each_entry_safe(ctx, next, &tpm_rm(chip)->rm_loaded, lru)
		if (!ctx->session && ctx->loaded == handle)
			tpm_rm_unloaded(ctx);
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

/*
 * The contexts loaded in the TPM, across spaces
 *
 * priv->rm_loaded holds every context a space left loaded, least recently
 * used first (under tpm_mutex).  When the TPM has no room for one more,
 * the first there that the running command does not name is evicted.  How
 * many objects fitted when the TPM last said it was full is remembered
 * (priv->rm_obj_room), so that later loads make their room first instead
 * of being refused; a command that does not run in a space may change it,
 * and so forgets it.
 */

/*
 * Take @ctx out of the TPM: a session is saved (it stays in the TPM under
 * its handle), a sequence object saved and flushed, any other object just
 * flushed (the context it has is current).  A session or sequence object
 * the TPM refuses to save with an error leaves its space and is flushed,
 * unless the TPM says it is not loaded.  Refused with a warning (the
 * context gap could not be made room in), it stays loaded unless @force:
 * a command outside the spaces must find the TPM without it.  Returns 0
 * once @ctx is out of the TPM; -ENOSPC for a warning, or the errno of a
 * TPM that did not answer: @ctx then stays loaded as it was.
 */
static ssize_t tpm_rm_evict(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
			    bool force)
{
	u32 h = ctx->loaded;
	ssize_t rc = 0, err;

	if (ctx->session)
		rc = tpm_space_sess_save(chip, ctx, h);
	else if (ctx->changes)
		rc = tpm_space_ctx_save(chip, h, ctx);
	if (rc > 0 && TPM2_RC_IS_WARNING(rc) && !force)
		return -ENOSPC;
	if (rc < 0 && rc != -ENOMEM)
		return rc;
	/* A saved session stays in the TPM; anything else is flushed. */
	if ((!ctx->session || rc) && !tpm_space_handle_gone(rc)) {
		err = tpm_space_flush(chip, h);
		if (err < 0)
			return err;
	}
	if (rc)
		tpm_space_ctx_drop(ctx);
	else
		tpm_rm_unloaded(ctx);
	return 0;
}

/*
 * Evict the least recently used loaded object (or session) that the
 * running command does not name.  Returns 0, -ENOSPC if there is none, or
 * the errno of a TPM that did not answer.
 */
static ssize_t tpm_rm_evict_lru(struct tpm_chip *chip, bool session)
{
	struct tpm_space_ctx *ctx;

	list_for_each_entry(ctx, &tpm_rm(chip)->rm_loaded, lru)
		if (ctx->session == session && !ctx->pinned)
			return tpm_rm_evict(chip, ctx, false);
	return -ENOSPC;
}

static unsigned int tpm_rm_nr_loaded(struct tpm_chip *chip, bool session)
{
	struct tpm_space_ctx *ctx;
	unsigned int n = 0;

	list_for_each_entry(ctx, &tpm_rm(chip)->rm_loaded, lru)
		n += ctx->session == session;
	return n;
}

/*
 * Evict loaded objects (or sessions) the running command does not name
 * until at most @keep are left.  Returns 0, or the errno of a TPM that did
 * not answer.
 */
static ssize_t tpm_rm_trim(struct tpm_chip *chip, bool session,
			   unsigned int keep)
{
	ssize_t rc = 0;

	while (!rc && tpm_rm_nr_loaded(chip, session) > keep)
		rc = tpm_rm_evict_lru(chip, session);
	return rc == -ENOSPC ? 0 : rc;
}

/*
 * Before a context is loaded or a session started: room for it, as far as
 * the resource manager knows (for objects, the room the TPM had when it
 * was last full).
 */
static ssize_t tpm_rm_room_for(struct tpm_chip *chip, bool session)
{
	unsigned int room = tpm_rm(chip)->rm_obj_room;

	if (session)
		return tpm_rm_trim(chip, true, TPM_RM_LAZY_SESSIONS - 1);
	return room ? tpm_rm_trim(chip, false, room - 1) : 0;
}

/* The TPM has no session handle left: flush the oldest abandoned session. */
static ssize_t tpm_rm_flush_orphan(struct tpm_chip *chip)
{
	struct tpm_rm_saved *o = NULL, *slots = tpm_rm(chip)->rm_orphan;
	ssize_t rc;
	int i;

	for (i = 0; i < TPM_RM_ORPHANS; i++)
		if (slots[i].handle && (!o || slots[i].seq < o->seq))
			o = &slots[i];
	if (!o)
		return -ENOSPC;
	rc = tpm_space_flush(chip, o->handle);
	tpm_rm_orphan_drop(o);
	return rc < 0 ? rc : 0;
}

/*
 * The TPM refused a command for want of room (*@rc: the context gap, no
 * slot for an object or a session, no session handle): make some.
 * Returns true to send the command again (a warning means the TPM did
 * nothing), false with *@rc set to the outcome.  Each eviction takes one
 * context off a finite list, and the gap is bounded by @tries.
 */
static bool tpm_rm_retry(struct tpm_chip *chip, ssize_t *rc, int *tries)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	ssize_t err;

	switch (*rc) {
	case TPM2_RC_CONTEXT_GAP:
		return tpm_rm_gap_retry(chip, rc, tries);
	case TPM2_RC_OBJECT_MEMORY:
		priv->rm_obj_room = tpm_rm_nr_loaded(chip, false);
		err = tpm_rm_evict_lru(chip, false);
		break;
	case TPM2_RC_SESSION_MEMORY:
		err = tpm_rm_evict_lru(chip, true);
		break;
	case TPM2_RC_SESSION_HANDLES:
		err = tpm_rm_flush_orphan(chip);
		break;
	default:
		return false;
	}
	if (err && err != -ENOSPC)
		*rc = err;
	return !err;
}

/*
 * Have @ctx loaded for the running command, and pin it there: its handle
 * in the TPM in *@h.  A context that is not loaded any more is loaded,
 * after making room if need be.  Returns 0, a TPM error or an errno.
 */
static ssize_t tpm_rm_load(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
			   u32 *h)
{
	int tries = 0;
	ssize_t rc;

	if (ctx->loaded) {
		*h = ctx->loaded;
	} else {
		rc = tpm_rm_room_for(chip, ctx->session);
		if (rc)
			return rc;
		do {
			rc = tpm_space_ctx_load(chip, ctx, h);
		} while (tpm_rm_retry(chip, &rc, &tries));
		if (rc)
			return rc;
		list_del_init(&ctx->saved.node);
		if (!ctx->session)
			tpm_rm_adopt_object(chip, *h);
		if (ctx->session || ctx->changes)
			tpm_space_ctx_stale(ctx);
	}
	ctx->pinned = true;
	tpm_rm_used(chip, ctx, *h);
	return 0;
}

/**
 * tpm2_rm_evict_all() - take the spaces' contexts out of the TPM
 * @chip: the chip, whose ops the caller holds
 *
 * Before a command that does not run in a space (through /dev/tpmN, the
 * TPM2_Shutdown of a suspend) or that flushes objects of its own accord
 * (TPM2_Clear and the like), so that it meets the TPM as if no space kept
 * anything loaded: it cannot name, flush or list a space's context, and
 * finds the room free.  What the running space command names stays.
 *
 * A session the TPM will not save even then (the context gap, held by a
 * session saved through /dev/tpmN) is flushed: that command must get
 * through.
 *
 * Context: process context, may sleep; the caller holds the chip's ops.
 * Return: 0, or the errno of a TPM that did not answer (after which
 * nothing more is sent): the caller must not send its command then.
 */
int tpm2_rm_evict_all(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_space_ctx *ctx, *next;
	ssize_t rc;

	priv->rm_obj_room = 0;
	/* An eviction takes only its own context off the list. */
	list_for_each_entry_safe(ctx, next, &priv->rm_loaded, lru) {
		if (ctx->pinned)
			continue;
		rc = tpm_rm_evict(chip, ctx, true);
		if (rc)
			return rc;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_evict_all);

static int tpm_space_find_sess(struct tpm_rm_space *space, u32 handle)
{
	int i;

	for (i = 0; i < TPM_SPACE_SESSIONS; i++)
		if (tpm_space_ctx_used(&space->sess[i]) &&
		    space->sess[i].handle == handle)
			return i;
	return -1;
}

static int tpm_space_free_slot(struct tpm_space_ctx *ctx, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!tpm_space_ctx_used(&ctx[i]))
			return i;
	return -1;
}

/* The object slot a virtual handle names, or -1. */
static int tpm_space_obj_slot(struct tpm_rm_space *space, u32 vhandle)
{
	u32 slot = vhandle - TPM_RM_VHANDLE;

	if (vhandle < TPM_RM_VHANDLE || slot >= TPM_SPACE_OBJECTS ||
	    !tpm_space_ctx_used(&space->obj[slot]))
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

/* A session named by the command: it must be this space's; its slot. */
static int tpm_space_use_sess(struct tpm_rm_space *space,
			      struct tpm_space_run *run, u32 handle)
{
	int slot = tpm_space_find_sess(space, handle);
	int i;

	if (slot < 0)
		return -EINVAL;
	for (i = 0; i < run->nr_sess; i++)
		if (run->sess[i] == slot)
			return slot;
	run->sess[run->nr_sess++] = slot;
	return slot;
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
		slot = tpm_space_use_sess(space, run, h);
		return slot < 0 ? slot : 0;
	default:
		return 0;
	}
}

/*
 * The sessions of the authorization area, and which of them the command
 * ends if it succeeds (continueSession clear).  An area that does not
 * parse is left for the TPM to refuse, as upstream does; since the TPM
 * might see a session there that the space did not check, no session but
 * the ones checked is loaded when it is sent (run->unparsed).
 */
static int tpm_space_claim_auths(struct tpm_rm_space *space,
				 struct tpm_space_run *run, const u8 *buf,
				 u32 off, u32 len)
{
	u32 end, h;
	int n, slot;
	u8 attrs;

	if (off + 4 > len || get_unaligned_be32(buf + off) > len - off - 4)
		goto unparsed;
	end = off + 4 + get_unaligned_be32(buf + off);
	for (off += 4, n = 0; off < end; n++) {
		if (n == TPM_RM_MAX_AUTHS || off + 7 > end)
			goto unparsed;
		h = get_unaligned_be32(buf + off);
		off += 6 + get_unaligned_be16(buf + off + 4);	/* nonce */
		if (off + 3 > end)
			goto unparsed;
		attrs = buf[off++];
		off += 2 + get_unaligned_be16(buf + off);	/* hmac */
		if (off > end)
			goto unparsed;
		if (TPM2_HT(h) != TPM2_HT_HMAC && TPM2_HT(h) != TPM2_HT_POLICY)
			continue;
		slot = tpm_space_use_sess(space, run, h);
		if (slot < 0)
			return slot;
		if (!(attrs & TPM2_SA_CONTINUE_SESSION))
			__set_bit(slot, &run->ends);
	}
	return 0;
unparsed:
	run->unparsed = true;
	return 0;
}

/*
 * TPM2_FlushContext names its handle as a parameter.  An object is
 * answered here: flushed if it is loaded, and its context dropped.  A
 * session is flushed by the TPM, and forgotten here once that succeeded.
 */
static ssize_t tpm_space_flush_cmd(struct tpm_chip *chip,
				   struct tpm_rm_space *space,
				   struct tpm_space_run *run, u8 *buf, u32 len)
{
	struct tpm_space_ctx *ctx;
	ssize_t rc;
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
		ctx = &space->obj[slot];
		rc = ctx->loaded ? tpm_space_flush(chip, ctx->loaded) : 0;
		if (rc < 0)
			return rc;
		tpm_space_ctx_drop(ctx);
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
		if (!tpm_space_ctx_used(&space->sess[i]))
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
	/*
	 * To the client, none of its sessions is loaded between commands,
	 * whether or not the TPM still holds them.
	 */
	if (run->handles == TPM2_HT_OBJECT) {
		for (i = 0; i < TPM_SPACE_OBJECTS; i++)
			if (tpm_space_ctx_used(&space->obj[i]))
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
 * A client's TPM2_ContextLoad of an object: the context it loads is the
 * object's context in the space too, so that none need be saved.
 */
static int tpm_space_note_client_ctx(struct tpm_space_run *run, const u8 *buf,
				     u32 len)
{
	if (len < TPM_HEADER_SIZE + TPM_SPACE_CTX_MIN ||
	    TPM2_HT(get_unaligned_be32(buf + TPM_HEADER_SIZE + 8)) !=
	    TPM2_HT_OBJECT)
		return 0;
	run->client_ctx_len = len - TPM_HEADER_SIZE;
	run->client_ctx = kmemdup(buf + TPM_HEADER_SIZE, run->client_ctx_len,
				  GFP_KERNEL);
	return run->client_ctx ? 0 : -ENOMEM;
}

/* The handle-area entry whose object a sequence command ends, or -1. */
static int tpm_space_consumes(u32 cc)
{
	if (cc == TPM_RM_CC_SEQUENCE_COMPLETE)
		return 0;
	if (cc == TPM_RM_CC_EVENT_SEQ_COMPLETE)
		return 1;
	return -1;
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
	for (i = 0; i < TPM_RM_MAX_HANDLES; i++)
		run->at[i] = -1;
	run->attrs = tpm2_cc_attrs(chip, cc);
	if (!run->attrs || cc == TPM2_CC_SET_LOCALITY)
		return tpm_space_rm_error(buf, TPM2_RC_COMMAND_CODE);
	if (cc == TPM2_CC_FLUSH_CONTEXT)
		return tpm_space_flush_cmd(chip, space, run, buf, len);
	run->handles = tpm_space_handles_asked(buf, len, run);
	if (run->handles)
		return tpm_space_reply_handles(space, run, buf);
	if (cc == TPM2_CC_CONTEXT_LOAD) {
		rc = tpm_space_note_client_ctx(run, buf, len);
		if (rc)
			return rc;
	}
	run->consumes = tpm_space_consumes(cc);

	nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, run->attrs);
	if (len < TPM_HEADER_SIZE + 4 * nh)
		return -EINVAL;
	for (i = 0; i < nh; i++) {
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

/*
 * Have what the command names loaded, and the object handles in @buf
 * rewritten to the TPM's.  Returns 0, a TPM error or an errno.
 */
static ssize_t tpm_space_load(struct tpm_chip *chip, struct tpm_rm_space *space,
			      struct tpm_space_run *run, u8 *buf)
{
	u32 nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, run->attrs), i, h;
	struct tpm_space_ctx *ctx;
	ssize_t rc;
	int n;

	for (n = 0; n < run->nr_obj; n++) {
		rc = tpm_rm_load(chip, &space->obj[run->obj[n]],
				 &run->phandle[n]);
		if (rc) {
			tpm_space_lost(run, rc);
			return rc;
		}
	}
	for (n = 0; n < run->nr_sess; n++) {
		ctx = &space->sess[run->sess[n]];
		rc = tpm_rm_load(chip, ctx, &h);
		if (rc) {
			tpm_space_lost(run, rc);
			tpm_space_forget_unloadable(ctx, rc);
			return rc;
		}
	}
	for (i = 0; i < nh; i++)
		if (run->at[i] >= 0)
			put_unaligned_be32(run->phandle[run->at[i]],
					   buf + TPM_HEADER_SIZE + 4 * i);
	return 0;
}

/*
 * The command is over: what it named may be evicted again, and sessions
 * beyond TPM_RM_LAZY_SESSIONS (a command may name three) are.
 */
static void tpm_space_finish(struct tpm_chip *chip, struct tpm_rm_space *space,
			     struct tpm_space_run *run)
{
	int i;

	for (i = 0; i < run->nr_obj; i++)
		space->obj[run->obj[i]].pinned = false;
	for (i = 0; i < run->nr_sess; i++)
		space->sess[run->sess[i]].pinned = false;
	kfree_sensitive(run->client_ctx);
	if (!run->lost)
		tpm_rm_trim(chip, true, TPM_RM_LAZY_SESSIONS);
}

/*
 * A new object's context: the one the client loaded, or saved now.  A
 * sequence object's changes with every command, so it is saved only when
 * it is evicted.  Returns 0, a TPM error or an errno.
 */
static ssize_t tpm_space_obj_join(struct tpm_chip *chip,
				  struct tpm_space_ctx *ctx,
				  struct tpm_space_run *run, u32 h)
{
	ssize_t rc;

	if (run->client_ctx) {
		ctx->data = run->client_ctx;
		ctx->len = run->client_ctx_len;
		run->client_ctx = NULL;
	} else {
		rc = tpm_space_ctx_save(chip, h, ctx);
		if (rc)
			return rc;
	}
	if (get_unaligned_be32(ctx->data + 8) == TPM2_SAVED_SEQUENCE) {
		tpm_space_ctx_stale(ctx);
		ctx->changes = true;
	}
	tpm_rm_used(chip, ctx, h);
	return 0;
}

/*
 * A new object in the response takes a free slot, and the client gets its
 * virtual handle; a new session joins the space.  Both stay loaded.  With
 * no room in the space the TPM's copy is flushed.  Returns the response's
 * length.
 */
static ssize_t tpm_space_new_handle(struct tpm_chip *chip,
				    struct tpm_rm_space *space,
				    struct tpm_space_run *run, u8 *buf,
				    ssize_t len)
{
	u32 h = get_unaligned_be32(buf + TPM_HEADER_SIZE);
	ssize_t rc;
	int slot;

	switch (TPM2_HT(h)) {
	case TPM2_HT_OBJECT:
		tpm_rm_adopt_object(chip, h);
		slot = tpm_space_free_slot(space->obj, TPM_SPACE_OBJECTS);
		rc = slot < 0 ? TPM2_RC_OBJECT_MEMORY :
			tpm_space_obj_join(chip, &space->obj[slot], run, h);
		if (rc) {
			tpm_space_flush(chip, h);
			return tpm_space_rm_error(buf, rc > 0 ? rc :
						  TPM2_RC_OBJECT_MEMORY);
		}
		put_unaligned_be32(TPM_RM_VHANDLE + slot,
				   buf + TPM_HEADER_SIZE);
		return len;
	case TPM2_HT_HMAC:
	case TPM2_HT_POLICY:
		tpm_rm_adopt(chip, h);
		slot = tpm_space_free_slot(space->sess, TPM_SPACE_SESSIONS);
		if (slot < 0) {
			tpm_space_flush(chip, h);
			return tpm_space_rm_error(buf, TPM2_RC_SESSION_MEMORY);
		}
		space->sess[slot].handle = h;
		tpm_rm_used(chip, &space->sess[slot], h);
		return len;
	default:
		return len;
	}
}

/*
 * What the command's success ended: sessions it was authorized with
 * without continueSession and the sequence object it completed (the TPM
 * flushed them), and a session the client saved for itself (it holds the
 * context now: kept for it, out of the space).
 */
static void tpm_space_ended(struct tpm_chip *chip, struct tpm_rm_space *space,
			    struct tpm_space_run *run, const u8 *buf,
			    ssize_t len)
{
	int i = run->consumes, slot;

	for_each_set_bit(slot, &run->ends, TPM_SPACE_SESSIONS)
		tpm_space_ctx_drop(&space->sess[slot]);
	if (i >= 0 && run->at[i] >= 0)
		tpm_space_ctx_drop(&space->obj[run->obj[run->at[i]]]);
	/* With sessions, the parameters follow their size. */
	i = TPM_HEADER_SIZE +
	    (get_unaligned_be16(buf) == TPM2_ST_SESSIONS ? 4 : 0);
	if (!run->client_saved || len < i + TPM_SPACE_CTX_MIN)
		return;
	slot = tpm_space_find_sess(space, run->client_saved);
	if (slot < 0)
		return;
	tpm_space_ctx_drop(&space->sess[slot]);
	tpm_rm_orphan_add(chip, space->kept, TPM_SPACE_SESSIONS,
			  run->client_saved, get_unaligned_be64(buf + i));
}

static ssize_t tpm_space_map_response(struct tpm_chip *chip,
				      struct tpm_rm_space *space,
				      struct tpm_space_run *run, u8 *buf,
				      ssize_t len)
{
	u32 rc = tpm_hdr_code(buf);

	if (run->flush_sess >= 0) {
		/* Flushed now, or gone already. */
		if (!rc || tpm_space_handle_gone(rc))
			tpm_space_ctx_drop(&space->sess[run->flush_sess]);
		return len;
	}
	if (rc)
		return len;
	tpm_space_ended(chip, space, run, buf, len);
	if ((run->attrs & TPM2_CC_ATTR_RHANDLE) && len >= TPM_HEADER_SIZE + 4)
		return tpm_space_new_handle(chip, space, run, buf, len);
	return len;
}

/*
 * The TPM answered that an object the command names in its handle area is
 * not loaded (TPM_RC_REFERENCE_Hn: TPM_RC_HANDLE may also mean a handle
 * of the wrong kind), and the space took it as loaded: it vanished unseen
 * (the TPM was reset, someone flushed it).  It is taken as not loaded, so
 * that running the command again loads it from its context; a sequence
 * object, which has none, is lost.  Returns true to run it again.
 */
static bool tpm_space_vanished(struct tpm_rm_space *space,
			       struct tpm_space_run *run, u32 rc)
{
	u32 nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, run->attrs), n;
	struct tpm_space_ctx *ctx;

	n = rc - TPM2_RC_REFERENCE_H0;
	if (rc < TPM2_RC_REFERENCE_H0 || n >= nh || run->at[n] < 0)
		return false;
	ctx = &space->obj[run->obj[run->at[n]]];
	tpm_rm_unloaded(ctx);
	return ctx->data;
}

/* Commands that flush transient objects the TPM holds, not just named ones. */
static bool tpm_rm_flushes_all(u32 cc)
{
	switch (cc) {
	case TPM_RM_CC_HIERARCHY_CONTROL:
	case TPM_RM_CC_CHANGE_EPS:
	case TPM_RM_CC_CHANGE_PPS:
	case TPM_RM_CC_CLEAR:
	case TPM_RM_CC_STARTUP:
	case TPM_RM_CC_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

/*
 * Send the client's command.  Refused for want of room (the context gap,
 * no slot for an object or session, no session handle), it is sent again
 * once room is made: the TPM changed nothing, and its answer, a bare
 * header, overwrote only the command's header.
 */
static ssize_t tpm_space_send(struct tpm_chip *chip, struct tpm_space_run *run,
			      u8 *buf, size_t bufsiz)
{
	u32 cc = tpm_hdr_code(buf);
	u8 header[TPM_HEADER_SIZE];
	int tries = 0;
	ssize_t len, rc;

	if (tpm_rm_flushes_all(cc)) {
		rc = tpm2_rm_evict_all(chip);
		if (rc)
			return rc;
	}
	if (run->unparsed) {
		rc = tpm_rm_trim(chip, true, 0);
		if (rc)
			return rc;
	}
	/* A session started or loaded by the client. */
	if (cc == TPM_RM_CC_START_AUTH_SESSION ||
	    (cc == TPM2_CC_CONTEXT_LOAD && !run->client_ctx)) {
		rc = tpm_rm_room_for(chip, true);
		if (rc)
			return rc;
	}
	memcpy(header, buf, TPM_HEADER_SIZE);
	for (;;) {
		len = tpm_transmit(chip, buf, bufsiz);
		rc = len == TPM_HEADER_SIZE ? tpm_hdr_code(buf) : 0;
		if (!tpm_rm_retry(chip, &rc, &tries))
			break;
		memcpy(buf, header, TPM_HEADER_SIZE);
	}
	return rc < 0 ? rc : len;
}

/**
 * tpm2_rm_flush_all() - flush what the resource manager has in the TPM
 * @chip: the chip, with tpm_mutex held and the TPM started
 *
 * At the fence, before TPM2_Shutdown(CLEAR): the contexts spaces left
 * loaded, the sessions they saved and the sessions clients saved for
 * themselves are flushed and forgotten, so that a driver bound to the TPM
 * later (which does not reset it) finds none of them.  The files keep
 * their spaces, without these.  Once the TPM fails to answer, nothing more
 * is sent (each could wait out its whole duration).
 *
 * Context: process context, may sleep; the unregister fence.
 */
void tpm2_rm_flush_all(struct tpm_chip *chip)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_space_ctx *ctx, *next;
	struct tpm_rm_saved *e, *n;
	bool lost = false;

	list_for_each_entry_safe(ctx, next, &priv->rm_loaded, lru) {
		lost = lost || tpm_space_flush(chip, ctx->loaded) < 0;
		tpm_space_ctx_drop(ctx);
	}
	list_for_each_entry_safe(e, n, &priv->rm_saved, node) {
		lost = lost || tpm_space_flush(chip, e->handle) < 0;
		if (e->orphan)
			tpm_rm_orphan_drop(e);
		else
			tpm_space_ctx_drop(container_of(e, struct tpm_space_ctx,
							saved));
	}
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_flush_all);

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
	u8 header[TPM_HEADER_SIZE];
	bool again = true;
	ssize_t len;

	if (bufsiz < TPM_HEADER_SIZE || tpm_hdr_len(buf) > bufsiz ||
	    tpm_hdr_len(buf) < TPM_HEADER_SIZE)
		return -EINVAL;
	len = tpm_space_prepare(chip, space, &run, buf);
	if (len)
		goto out;
	memcpy(header, buf, TPM_HEADER_SIZE);
	for (;;) {
		len = tpm_space_load(chip, space, &run, buf);
		if (len) {
			if (len > 0)
				len = tpm_space_rm_error(buf, len);
			break;
		}
		len = tpm_space_send(chip, &run, buf, bufsiz);
		if (len == TPM_HEADER_SIZE && again &&
		    tpm_space_vanished(space, &run, tpm_hdr_code(buf))) {
			again = false;
			memcpy(buf, header, TPM_HEADER_SIZE);
			continue;
		}
		if (len >= TPM_HEADER_SIZE)
			len = tpm_space_map_response(chip, space, &run, buf,
						     len);
		break;
	}
out:
	tpm_space_finish(chip, space, &run);
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_transmit);

/**
 * tpm2_space_free() - flush what a space has in the TPM and free it
 * @chip:	the chip
 * @space:	the space, or NULL
 *
 * The space's sessions and loaded objects are flushed from the TPM if the
 * chip is still there; sessions the client saved for itself become the
 * chip's orphans.
 *
 * Context: process context, may sleep; takes the chip's ops.
 */
void tpm2_space_free(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	struct tpm_space_ctx *ctx;
	bool ops;
	int i;
	u32 h;

	if (!space)
		return;
	/*
	 * The chip's lists are under tpm_mutex, which the ops hold; other
	 * files' commands may be evicting this space's contexts until then.
	 */
	ops = !tpm_try_get_ops(chip);
	if (!ops)
		mutex_lock(&chip->tpm_mutex);
	for (i = 0; i < TPM_SPACE_OBJECTS; i++) {
		ctx = &space->obj[i];
		if (ops && ctx->loaded)
			tpm_space_flush(chip, ctx->loaded);
		tpm_space_ctx_drop(ctx);
	}
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		ctx = &space->sess[i];
		if (ops && tpm_space_ctx_used(ctx))
			tpm_space_flush(chip, ctx->handle);
		tpm_space_ctx_drop(ctx);
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
	for (i = 0; i < TPM_SPACE_OBJECTS; i++)
		tpm_space_ctx_drop(&space->obj[i]);
	kfree(space);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_free);
