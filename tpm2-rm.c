// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resource manager's books: what the spaces behind /dev/tpmrmN have
 * in the TPM, across the chip.
 *
 * A context stays loaded in the TPM after the command that used it, until
 * the room is needed: the TPM answers TPM_RC_OBJECT_MEMORY or
 * TPM_RC_SESSION_MEMORY to any space's command (or the resource manager
 * knows from such an answer how many objects fit), the file closes, a
 * command not run in a space comes (/dev/tpmN, a suspend's TPM2_Shutdown,
 * or one that flushes objects of its own accord, such as TPM2_Clear), or
 * a kernel user's command names it, so that nobody else ever meets a
 * space's context in the TPM.  The chip keeps what is loaded in the order
 * it was used (priv->rm_loaded) and evicts the least recently used context
 * that the running command does not name.  An object is saved once, when
 * it joins the space, and evicted with a bare flush: its context never
 * changes, except a sequence object's, which is saved when it is evicted.
 * A session is saved when it is evicted and stays in the TPM under its
 * handle.  So one space can hold more objects than the TPM has slots, and
 * one space filling the TPM cannot make another's commands fail.
 *
 * This file owns: saving, loading and flushing a space's contexts; the
 * sessions saved in the TPM (priv->rm_saved) and the context gap; the
 * contexts loaded in the TPM (priv->rm_loaded) and eviction; the sessions
 * clients saved and left (orphans); the spaces (priv->rm_spaces), closed
 * ones until they are flushed, and what each uid holds through them; and
 * the guard before a kernel user's command.  It
 * knows a space only as its slots of contexts; what a command names, and
 * the handles a client sees, are tpm2-space.c's.
 *
 * Everything here runs under chip->tpm_mutex (the caller holds the ops,
 * or the fence or a closing file holds the mutex itself).
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/bitfield.h>
#include <linux/slab.h>
#include <linux/vtpm_proxy.h>
#include "tpm.h"
#include "tpm2-rm.h"

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
	space->uid = current_euid();
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
	/* On the chip's books from its first command (tpm2_rm_join()). */
	INIT_LIST_HEAD(&space->node);
	return space;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_alloc);

/*
 * Forget @ctx (nothing is sent).  Called with chip->tpm_mutex held where
 * @ctx may be loaded or a saved session.
 */
void tpm_space_ctx_drop(struct tpm_space_ctx *ctx)
{
	list_del_init(&ctx->saved.node);
	list_del_init(&ctx->lru);
	kfree_sensitive(ctx->data);
	ctx->data = NULL;
	ctx->len = 0;
	ctx->handle = 0;
	ctx->loaded = 0;
	ctx->changes = false;
	ctx->pinned = false;
}

/* @ctx is loaded and its context changes with use: the one held is stale. */
void tpm_space_ctx_stale(struct tpm_space_ctx *ctx)
{
	kfree_sensitive(ctx->data);
	ctx->data = NULL;
	ctx->len = 0;
}

/* Does the slot hold an object or session? */
bool tpm_space_ctx_used(const struct tpm_space_ctx *ctx)
{
	return ctx->data || ctx->loaded;
}

/* The TPMA_CC of @cc, or 0 if the TPM does not implement it. */
u32 tpm2_cc_attrs(struct tpm_chip *chip, u32 cc)
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
ssize_t tpm_space_ctx_save(struct tpm_chip *chip, u32 handle,
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
bool tpm_space_handle_gone(ssize_t rc)
{
	if (rc <= 0)
		return false;
	if (rc & TPM2_RC_FMT1)
		return (rc & TPM2_RC_FMT1_ERROR) ==
		       (TPM2_RC_HANDLE & TPM2_RC_FMT1_ERROR);
	return rc >= TPM2_RC_REFERENCE_H0 && rc <= TPM2_RC_REFERENCE_LAST;
}

ssize_t tpm_space_flush(struct tpm_chip *chip, u32 handle)
{
	return tpm2_flush_handle(chip, handle, NULL);
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
void tpm_space_forget_unloadable(struct tpm_space_ctx *ctx, ssize_t rc)
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

struct tpm_chip_priv *tpm_rm(struct tpm_chip *chip)
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
void tpm_rm_used(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
		 u32 h)
{
	ctx->loaded = h;
	list_move_tail(&ctx->lru, &tpm_rm(chip)->rm_loaded);
}

/* @ctx is no longer loaded; a context that changes is lost with it. */
void tpm_rm_unloaded(struct tpm_space_ctx *ctx)
{
	if (!ctx->data) {
		tpm_space_ctx_drop(ctx);
		return;
	}
	ctx->loaded = 0;
	list_del_init(&ctx->lru);
}

void tpm_rm_orphan_drop(struct tpm_rm_saved *o)
{
	list_del_init(&o->node);
	o->handle = 0;
}

/*
 * Keep a session @uid's client saved for itself in one of @n slots; if
 * they are all taken, the oldest of @uid's own there is flushed, or the
 * oldest of all if @uid has none.
 */
void tpm_rm_orphan_add(struct tpm_chip *chip, struct tpm_rm_saved *slots,
		       int n, u32 handle, u64 seq, kuid_t uid)
{
	struct tpm_rm_saved *o = NULL, *mine = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!slots[i].handle) {
			o = &slots[i];
			break;
		}
		if (uid_eq(slots[i].uid, uid) && (!mine || slots[i].seq < mine->seq))
			mine = &slots[i];
		if (!o || slots[i].seq < o->seq)
			o = &slots[i];
	}
	if (o->handle && mine)
		o = mine;
	if (o->handle) {
		tpm_space_flush(chip, o->handle);
		tpm_rm_orphan_drop(o);
	}
	o->handle = handle;
	o->seq = seq;
	o->orphan = true;
	o->uid = uid;
	tpm_rm_list_add(chip, o);
}

/*
 * A session with @handle has joined a space: the TPM gave it that handle,
 * so a session known under it before is gone (an orphan adopted by a
 * client that loaded its context, or a stale one after a TPM reset).  By
 * index: HMAC and policy sessions share the TPM's session slots.
 */
void tpm_rm_adopt(struct tpm_chip *chip, u32 handle)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_space_ctx *ctx, *next_ctx;
	struct tpm_rm_saved *e, *next;

	handle &= TPM2_HANDLE_INDEX;
	list_for_each_entry_safe(e, next, &priv->rm_saved, node) {
		if ((e->handle & TPM2_HANDLE_INDEX) != handle)
			continue;
		if (e->orphan)
			tpm_rm_orphan_drop(e);
		else
			tpm_space_ctx_drop(container_of(e, struct tpm_space_ctx,
							saved));
	}
	list_for_each_entry_safe(ctx, next_ctx, &priv->rm_loaded, lru)
		if (ctx->session && ctx->loaded &&
		    (ctx->loaded & TPM2_HANDLE_INDEX) == handle)
			tpm_space_ctx_drop(ctx);
}
EXPORT_SYMBOL_IF_KUNIT(tpm_rm_adopt);

/*
 * The TPM gave a new object @handle: an object a space took as loaded
 * there is not (it vanished unseen), and is loaded from its context when
 * it is named again.
 */
void tpm_rm_adopt_object(struct tpm_chip *chip, u32 handle)
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
ssize_t tpm_rm_trim(struct tpm_chip *chip, bool session,
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
ssize_t tpm_rm_room_for(struct tpm_chip *chip, bool session)
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
bool tpm_rm_retry(struct tpm_chip *chip, ssize_t *rc, int *tries)
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
ssize_t tpm_rm_load(struct tpm_chip *chip, struct tpm_space_ctx *ctx,
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

/*
 * Closing a space
 *
 * A file that closes has its space's sessions and loaded objects flushed
 * from the TPM, and the sessions its client saved for itself become the
 * chip's orphans.  If the chip cannot be used just then (suspended, or
 * the device refused locality or cmdReady), or the TPM does not answer a
 * flush, the space stays on the chip's priv->rm_spaces, closed, with what it
 * still has in the TPM: its contexts stay on the chip's lists, counted as
 * loaded or saved and evictable like any other, and are flushed at the
 * next chance, before the next command of a space or of the kernel, or
 * of /dev/tpmN.  The fence forgets what is left (after flushing it, as
 * everything else, if the TPM can still be reached).
 */

/* Has @ctx left the TPM (flushed, or it was not there)? */
static bool tpm_space_ctx_flushed(struct tpm_chip *chip,
				  struct tpm_space_ctx *ctx, u32 h)
{
	if (h && tpm_space_flush(chip, h) < 0)
		return false;
	tpm_space_ctx_drop(ctx);
	return true;
}

/*
 * Take everything of @space out of the TPM.  Returns false if the TPM did
 * not answer: what is left stays on the chip's books.
 */
static bool tpm_space_release(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	struct tpm_space_ctx *ctx;
	int i;
	u32 h;

	for (i = 0; i < TPM_SPACE_OBJECTS; i++) {
		ctx = &space->obj[i];
		if (!tpm_space_ctx_flushed(chip, ctx, ctx->loaded))
			return false;
	}
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		ctx = &space->sess[i];
		h = tpm_space_ctx_used(ctx) ? ctx->handle : 0;
		if (!tpm_space_ctx_flushed(chip, ctx, h))
			return false;
	}
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		if (!space->kept[i].handle)
			continue;
		h = space->kept[i].handle;
		tpm_rm_orphan_drop(&space->kept[i]);
		tpm_rm_orphan_add(chip, tpm_rm(chip)->rm_orphan, TPM_RM_ORPHANS,
				  h, space->kept[i].seq, space->uid);
	}
	return true;
}

/**
 * tpm_rm_join() - put @space on the chip's books, if it is not yet
 * @chip:	the chip, with tpm_mutex held
 * @space:	the space, before its command
 */
void tpm_rm_join(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	if (list_empty(&space->node))
		list_add_tail(&space->node, &tpm_rm(chip)->rm_spaces);
}

/* @space's file closed: on the books until what it has in the TPM is flushed. */
static void tpm_rm_close(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	tpm_rm_join(chip, space);
	space->closed = true;
	tpm_rm(chip)->rm_nr_closed++;
}

/* Does @space hold anything that is in the TPM? */
static bool tpm_space_in_tpm(struct tpm_rm_space *space)
{
	int i;

	for (i = 0; i < TPM_SPACE_OBJECTS; i++)
		if (space->obj[i].loaded)
			return true;
	for (i = 0; i < TPM_SPACE_SESSIONS; i++)
		if (tpm_space_ctx_used(&space->sess[i]) || space->kept[i].handle)
			return true;
	return false;
}

/* Forget @space (nothing is sent) and free it. */
static void tpm_space_forget(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	int i;

	for (i = 0; i < TPM_SPACE_OBJECTS; i++)
		tpm_space_ctx_drop(&space->obj[i]);
	for (i = 0; i < TPM_SPACE_SESSIONS; i++) {
		tpm_space_ctx_drop(&space->sess[i]);
		tpm_rm_orphan_drop(&space->kept[i]);
	}
	list_del_init(&space->node);
	if (space->closed)
		tpm_rm(chip)->rm_nr_closed--;
	kfree(space);
}

/*
 * Flush what closed spaces left in the TPM.  Returns 0, or the errno of a
 * TPM that did not answer (nothing more is sent then).
 */
int tpm_rm_reap(struct tpm_chip *chip)
{
	struct tpm_rm_space *space, *next;

	/* Not while a file holds the TPM alone: nothing foreign meanwhile. */
	if (!tpm_rm(chip)->rm_nr_closed || tpm_rm(chip)->excl)
		return 0;
	list_for_each_entry_safe(space, next, &tpm_rm(chip)->rm_spaces, node) {
		if (!space->closed)
			continue;
		if (!tpm_space_release(chip, space))
			return -EIO;
		tpm_space_forget(chip, space);
	}
	return 0;
}

/**
 * tpm2_auths_parse() - the sessions of a command's authorization area
 * @buf:	the command
 * @off:	where the area starts (its size field)
 * @len:	the command's length
 * @auths:	the sessions' handles and attributes, TPM_RM_MAX_AUTHS at most
 *
 * Return: how many sessions, or -EBADMSG for an area that does not parse
 * or names more than a command may.
 */
int tpm2_auths_parse(const u8 *buf, u32 off, u32 len, struct tpm2_auth_entry *auths)
{
	u32 end;
	int n;

	if (off + 4 > len || get_unaligned_be32(buf + off) > len - off - 4)
		return -EBADMSG;
	end = off + 4 + get_unaligned_be32(buf + off);
	for (off += 4, n = 0; off < end; n++) {
		/* handle, nonce (TPM2B), attributes, hmac (TPM2B) */
		if (n == TPM_RM_MAX_AUTHS || off + 7 > end)
			return -EBADMSG;
		auths[n].handle = get_unaligned_be32(buf + off);
		off += 6 + get_unaligned_be16(buf + off + 4);
		if (off + 3 > end)
			return -EBADMSG;
		auths[n].attrs = buf[off++];
		off += 2 + get_unaligned_be16(buf + off);
		if (off > end)
			return -EBADMSG;
	}
	return n;
}

/* Commands that flush transient objects the TPM holds, not just named ones. */
bool tpm_rm_flushes_all(u32 cc)
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

	rc = tpm_rm_reap(chip);
	if (rc)
		return rc;
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

/*
 * Shares
 *
 * A uid's spaces, open or closed (until what they have in the TPM is
 * flushed), may hold between them at most uid_sessions sessions in the
 * TPM (their own and those their clients saved for themselves) and
 * uid_objects objects.  Sessions are what a TPM has few of for everyone
 * (TPM_PT_ACTIVE_SESSIONS_MAX: the kernel, /dev/tpmN and every space share
 * them); objects cost the TPM nothing between commands here (loaded
 * lazily, evicted at will) but kernel memory.  Past its share, a uid's
 * command that would add one more is answered at once with the resource
 * manager's TPM_RC_SESSION_MEMORY or OBJECT_MEMORY; the TPM never sees it.
 * The default session share is a quarter of the TPM's active sessions (at
 * least one file's worth), so that one uid opening file after file leaves
 * three quarters to the others.
 */
#define TPM2_PT_ACTIVE_SESSIONS_MAX	0x111
/* What a PC Client TPM has at least, if the TPM does not say. */
#define TPM_RM_SESSIONS_MAX_MIN		64
#define TPM_RM_UID_OBJECTS		(8 * TPM_SPACE_OBJECTS)

unsigned int tpm_rm_uid_sessions;
EXPORT_SYMBOL_IF_KUNIT(tpm_rm_uid_sessions);
module_param_named(uid_sessions, tpm_rm_uid_sessions, uint, 0644);
MODULE_PARM_DESC(uid_sessions,
		 "Sessions one uid may hold in the TPM through /dev/tpmrmN (0: a quarter of the TPM's active sessions, at least 4)");

unsigned int tpm_rm_uid_objects;
EXPORT_SYMBOL_IF_KUNIT(tpm_rm_uid_objects);
module_param_named(uid_objects, tpm_rm_uid_objects, uint, 0644);
MODULE_PARM_DESC(uid_objects,
		 "Objects one uid may hold through /dev/tpmrmN (0: 128)");

/* What @space holds: sessions in the TPM, or objects. */
static unsigned int tpm_space_holds(const struct tpm_rm_space *space,
				    bool session)
{
	unsigned int n = 0;
	int i;

	if (!session) {
		for (i = 0; i < TPM_SPACE_OBJECTS; i++)
			n += tpm_space_ctx_used(&space->obj[i]);
		return n;
	}
	for (i = 0; i < TPM_SPACE_SESSIONS; i++)
		n += tpm_space_ctx_used(&space->sess[i]) + !!space->kept[i].handle;
	return n;
}

/*
 * What @uid's spaces hold, open or closed, and for sessions the chip's
 * orphans its files left.
 */
static unsigned int tpm_rm_uid_holds(struct tpm_chip *chip, kuid_t uid,
				     bool session)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	struct tpm_rm_space *space;
	unsigned int n = 0;
	int i;

	list_for_each_entry(space, &priv->rm_spaces, node)
		if (uid_eq(space->uid, uid))
			n += tpm_space_holds(space, session);
	for (i = 0; session && i < TPM_RM_ORPHANS; i++)
		n += priv->rm_orphan[i].handle &&
		     uid_eq(priv->rm_orphan[i].uid, uid);
	return n;
}

/* Is @h a session @space's uid saved for itself (kept, or its orphan)? */
static bool tpm_rm_uid_saved(struct tpm_chip *chip, struct tpm_rm_space *space,
			     u32 h)
{
	struct tpm_rm_saved *slots[2] = { space->kept, tpm_rm(chip)->rm_orphan };
	int n[2] = { TPM_SPACE_SESSIONS, TPM_RM_ORPHANS }, i, j;

	for (j = 0; j < 2; j++)
		for (i = 0; i < n[j]; i++)
			if (slots[j][i].handle &&
			    uid_eq(slots[j][i].uid, space->uid) &&
			    (slots[j][i].handle & TPM2_HANDLE_INDEX) ==
			    (h & TPM2_HANDLE_INDEX))
				return true;
	return false;
}

/* A uid's share of sessions (or objects). */
static unsigned int tpm_rm_share(struct tpm_chip *chip, bool session)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	unsigned int v;
	u32 max;

	v = session ? READ_ONCE(tpm_rm_uid_sessions) :
		      READ_ONCE(tpm_rm_uid_objects);
	if (v)
		return v;
	if (!session)
		return TPM_RM_UID_OBJECTS;
	if (!priv->rm_sessions_max) {
		if (tpm2_get_tpm_pt(chip, TPM2_PT_ACTIVE_SESSIONS_MAX, &max) ||
		    max < TPM_SPACE_SESSIONS)
			max = TPM_RM_SESSIONS_MAX_MIN;
		priv->rm_sessions_max = max;
	}
	return max_t(unsigned int, TPM_SPACE_SESSIONS,
		     priv->rm_sessions_max / 4);
}

/**
 * tpm_rm_over_share() - would one more session (or object) take @space's
 * uid past its share?
 * @chip:	the chip, with tpm_mutex held
 * @space:	the space whose command would add it
 * @session:	a session, not an object
 * @loads:	for a session's TPM2_ContextLoad, its handle, else 0: a
 *		session the uid saved for itself comes back, and that adds
 *		nothing
 *
 * Return: true if it would.
 */
bool tpm_rm_over_share(struct tpm_chip *chip, struct tpm_rm_space *space,
		       bool session, u32 loads)
{
	if (loads && tpm_rm_uid_saved(chip, space, loads))
		return false;
	return tpm_rm_uid_holds(chip, space->uid, session) >=
	       tpm_rm_share(chip, session);
}

/*
 * Kernel users and the spaces
 *
 * The kernel's own TPM users (trusted keys through tpm_transmit_cmd(),
 * anything calling tpm2_flush_context()) name TPM handles as they are: a
 * caller that lets user space choose a handle (trusted keys' keyhandle=
 * and policyhandle=) would reach whatever a space left loaded under it.
 * Before such a command, the contexts it names are evicted: what it names
 * in its handle area or its authorization area then refers to nothing
 * loaded, as with upstream's resource manager, which keeps nothing loaded
 * between commands.  Contexts it does not name stay where they are, so
 * the hwrng's GetRandom or a PCR extend costs the spaces nothing.  A
 * command whose handles cannot be told (a command code the TPM did not
 * list, an authorization area that does not parse), one that lists loaded
 * handles, or one that flushes the TPM's objects of its own accord, has
 * every space's context evicted instead.  TPM2_FlushContext names its
 * handle as a parameter, and it flushes saved sessions too: naming
 * anything the resource manager holds, it is answered TPM_RC_HANDLE
 * without being sent.
 *
 * The core's own commands (TPM2_GetRandom, PCR_Read, PCR_Extend,
 * GetCapability of properties, PCRs and commands, SelfTest, Startup, and
 * Shutdown after tpm2_rm_evict_all()) name no transient object and no
 * session but the password one, so they need no guard.
 */

/* TPM_RC_HANDLE for the first parameter: what a TPM says of a bad handle. */
#define TPM2_RC_HANDLE_P1	(TPM2_RC_HANDLE | TPM2_RC_FMT1_PARAM | BIT(8))
#define TPM2_HT_TRANSIENT	TPM2_HT_OBJECT

static bool tpm_rm_is_session(u32 h)
{
	return TPM2_HT(h) == TPM2_HT_HMAC || TPM2_HT(h) == TPM2_HT_POLICY;
}

/*
 * Is @ctx what @h names in the TPM?  A TPM finds a session by the index
 * alone: the handle's type byte only says how the command means to use
 * it, so an HMAC-session handle names a policy session of the same index.
 */
static bool tpm_rm_names(const struct tpm_space_ctx *ctx, u32 h)
{
	if (ctx->session && tpm_rm_is_session(h))
		return (ctx->loaded & TPM2_HANDLE_INDEX) ==
		       (h & TPM2_HANDLE_INDEX);
	return ctx->loaded == h;
}

/*
 * Evict the context loaded under @h, if a space has one there.  What the
 * running command pinned is its own (the kernel's session, tpm2-session.c).
 */
static ssize_t tpm_rm_evict_handle(struct tpm_chip *chip, u32 h)
{
	struct tpm_space_ctx *ctx;

	list_for_each_entry(ctx, &tpm_rm(chip)->rm_loaded, lru)
		if (!ctx->pinned && tpm_rm_names(ctx, h))
			return tpm_rm_evict(chip, ctx, true);
	return 0;
}

/**
 * tpm2_rm_holds() - does the resource manager hold anything in the TPM under @h?
 * @chip:	the chip, whose ops the caller holds
 * @h:		a handle
 *
 * A context a space left loaded there, or a session saved there (a
 * space's, or one a client saved for itself); sessions by index.
 *
 * Context: process context; the caller holds the chip's ops.
 * Return: true if it does: a kernel user must not flush @h.
 */
bool tpm2_rm_holds(struct tpm_chip *chip, u32 h)
{
	struct tpm_space_ctx *ctx;

	list_for_each_entry(ctx, &tpm_rm(chip)->rm_loaded, lru)
		if (tpm_rm_names(ctx, h))
			return true;
	return tpm_rm_is_session(h) && tpm_rm_known(chip, h);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_holds);

/*
 * Evict what the authorization area at @off names.  Returns 0, an errno
 * of the TPM, or -EBADMSG for an area that does not parse.
 */
static ssize_t tpm_rm_evict_auths(struct tpm_chip *chip, const u8 *buf,
				  u32 len, u32 off)
{
	struct tpm2_auth_entry auths[TPM_RM_MAX_AUTHS];
	ssize_t rc;
	int n, i;

	n = tpm2_auths_parse(buf, off, len, auths);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		rc = tpm_rm_evict_handle(chip, auths[i].handle);
		if (rc)
			return rc;
	}
	return 0;
}

/* Does @buf ask for the handles of loaded objects or sessions? */
static bool tpm_rm_lists_loaded(const u8 *buf, u32 len)
{
	u8 ht;

	if (tpm_hdr_code(buf) != TPM2_CC_GET_CAPABILITY)
		return false;
	/* With an (audit) session the parameters follow it: take it as asking. */
	if (len < TPM_HEADER_SIZE + 8 ||
	    get_unaligned_be16(buf) == TPM2_ST_SESSIONS)
		return true;
	if (get_unaligned_be32(buf + TPM_HEADER_SIZE) != TPM2_CAP_HANDLES)
		return false;
	ht = TPM2_HT(get_unaligned_be32(buf + TPM_HEADER_SIZE + 4));
	return ht == TPM2_HT_TRANSIENT || ht == TPM2_HT_HMAC;
}

/* Evict what @buf names; -EBADMSG if that cannot be told. */
static ssize_t tpm_rm_evict_named(struct tpm_chip *chip, const u8 *buf,
				  u32 len)
{
	u32 cc = tpm_hdr_code(buf), attrs, nh, i, off = TPM_HEADER_SIZE;
	ssize_t rc;

	attrs = tpm2_cc_attrs(chip, cc);
	if (!attrs || tpm_rm_flushes_all(cc) || tpm_rm_lists_loaded(buf, len))
		return -EBADMSG;
	nh = FIELD_GET(TPM2_CC_ATTR_CHANDLES, attrs);
	if (len < off + 4 * nh)
		return -EBADMSG;
	for (i = 0; i < nh; i++, off += 4) {
		rc = tpm_rm_evict_handle(chip, get_unaligned_be32(buf + off));
		if (rc)
			return rc;
	}
	if (get_unaligned_be16(buf) != TPM2_ST_SESSIONS)
		return 0;
	return tpm_rm_evict_auths(chip, buf, len, off);
}

/**
 * tpm2_rm_shield() - keep a kernel user's command away from the spaces
 * @chip:	the chip, whose ops the caller holds
 * @buf:	the command
 * @len:	its length
 *
 * Before a command a kernel user built: the spaces' contexts it names are
 * evicted (see "Kernel users and the spaces" above).
 *
 * Context: process context, may sleep; the caller holds the chip's ops.
 * Return: 0 to send the command; a TPM response code (> 0) to answer it
 * with instead of sending it (TPM_RC_HANDLE for a TPM2_FlushContext of
 * the resource manager's context); or the errno of a TPM that did not
 * answer an eviction: the command must not be sent then.
 */
ssize_t tpm2_rm_shield(struct tpm_chip *chip, const u8 *buf, u32 len)
{
	struct tpm_chip_priv *priv = tpm_rm(chip);
	ssize_t rc;

	if (!(chip->flags & TPM_CHIP_FLAG_TPM2) || len < TPM_HEADER_SIZE)
		return 0;
	rc = tpm_rm_reap(chip);
	if (rc)
		return rc;
	if (tpm_hdr_code(buf) == TPM2_CC_FLUSH_CONTEXT)
		return len >= TPM_HEADER_SIZE + 4 &&
		       tpm2_rm_holds(chip, get_unaligned_be32(buf +
							      TPM_HEADER_SIZE)) ?
		       TPM2_RC_HANDLE_P1 : 0;
	if (list_empty(&priv->rm_loaded))
		return 0;
	rc = tpm_rm_evict_named(chip, buf, len);
	if (rc == -EBADMSG)
		rc = tpm2_rm_evict_all(chip);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_shield);

/**
 * tpm2_rm_forget_closed() - free the closed spaces, sending nothing
 * @chip: the chip, with tpm_mutex held
 *
 * At the fence, after tpm2_rm_flush_all() if the TPM could be reached:
 * nothing will be sent to it again.
 *
 * Context: process context; the unregister fence.
 */
void tpm2_rm_forget_closed(struct tpm_chip *chip)
{
	struct tpm_rm_space *space, *next;

	list_for_each_entry_safe(space, next, &tpm_rm(chip)->rm_spaces, node)
		if (space->closed)
			tpm_space_forget(chip, space);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_forget_closed);

/**
 * tpm2_rm_nr_closed() - how many closed spaces still hold something in the TPM
 * @chip: the chip, with tpm_mutex held
 *
 * Context: any context that holds tpm_mutex.
 * Return: the number of closed spaces still on the chip's books.
 */
unsigned int tpm2_rm_nr_closed(struct tpm_chip *chip)
{
	return tpm_rm(chip)->rm_nr_closed;
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_rm_nr_closed);

/**
 * tpm2_space_free() - flush what a space has in the TPM and free it
 * @chip:	the chip
 * @space:	the space, or NULL
 *
 * The space's sessions and loaded objects are flushed from the TPM;
 * sessions the client saved for itself become the chip's orphans.  If
 * that cannot be done now (the chip suspended, the device refusing, a
 * /dev/tpmN file holding the TPM alone), the space stays on the chip's
 * books until it can (see "Closing a space" above); once the chip is fenced, whatever it
 * held is forgotten.
 *
 * Context: process context, may sleep; takes the chip's ops.
 */
void tpm2_space_free(struct tpm_chip *chip, struct tpm_rm_space *space)
{
	if (!space)
		return;
	/* A file holding the TPM alone is not waited for: the books keep it. */
	if (!tpm_try_get_ops_nowait(chip)) {
		tpm_rm_close(chip, space);
		tpm_rm_reap(chip);
		tpm_put_ops(chip);
		return;
	}
	/*
	 * The chip's lists are under tpm_mutex; the fence sets chip->ops
	 * under it too, after which nothing is in the TPM for anyone.
	 */
	mutex_lock(&chip->tpm_mutex);
	tpm_rm_close(chip, space);
	if (!chip->ops || !tpm_space_in_tpm(space))
		tpm_space_forget(chip, space);
	mutex_unlock(&chip->tpm_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(tpm2_space_free);
