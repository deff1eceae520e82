// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resource manager behind /dev/tpmrmN: each open file has a space of
 * its own transient objects and sessions, and its commands run there.
 *
 * This file owns what one command of a space names and does: it checks
 * the command against the TPM's command list and the space, has what it
 * names loaded (tpm2-rm.c does the loading and keeps the books), rewrites
 * the handles, sends it, and maps the response back.  An object that
 * vanished from the TPM unseen (the TPM answers that its handle is not
 * loaded) is loaded again from its context and the command sent again,
 * once.
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
#include <linux/bitfield.h>
#include <linux/slab.h>
#include <linux/vtpm_proxy.h>
#include "tpm.h"
#include "tpm2-rm.h"

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
 * @new_sess:	the command starts a session or loads one (StartAuthSession,
 *		or the client's TPM2_ContextLoad of a session)
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
	bool new_sess;
	u8 handles;
	u32 first;
	u32 max;
};

static ssize_t tpm_space_rm_error(u8 *buf, u32 rc)
{
	return tpm_cmd_reply(buf, TPM_RM_RC_LAYER | rc);
}

/* Note a space command the TPM did not answer; true once one was lost. */
static bool tpm_space_lost(struct tpm_space_run *run, ssize_t rc)
{
	if (rc < 0 && rc != -ENOMEM)
		run->lost = true;
	return run->lost;
}

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
	struct tpm2_auth_entry auths[TPM_RM_MAX_AUTHS];
	int n, i, slot;
	u32 h;

	n = tpm2_auths_parse(buf, off, len, auths);
	if (n < 0) {
		run->unparsed = true;
		return 0;
	}
	for (i = 0; i < n; i++) {
		h = auths[i].handle;
		if (TPM2_HT(h) != TPM2_HT_HMAC && TPM2_HT(h) != TPM2_HT_POLICY)
			continue;
		slot = tpm_space_use_sess(space, run, h);
		if (slot < 0)
			return slot;
		if (!(auths[i].attrs & TPM2_SA_CONTINUE_SESSION))
			__set_bit(slot, &run->ends);
	}
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
		return tpm_cmd_reply(buf, TPM2_RC_SUCCESS);
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
	tpm_cmd_reply(buf, TPM2_RC_SUCCESS);
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
	u32 len = tpm_hdr_len(buf), cc = tpm_hdr_code(buf), nh, i, h, loads;
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
	/* A session started or loaded by the client. */
	run->new_sess = cc == TPM_RM_CC_START_AUTH_SESSION ||
			(cc == TPM2_CC_CONTEXT_LOAD && !run->client_ctx);
	if (run->attrs & TPM2_CC_ATTR_RHANDLE) {
		/* A new session or object: within the uid's share. */
		loads = 0;
		if (run->new_sess && cc == TPM2_CC_CONTEXT_LOAD &&
		    len >= TPM_HEADER_SIZE + TPM_SPACE_CTX_MIN)
			loads = get_unaligned_be32(buf + TPM_HEADER_SIZE + 8);
		if (tpm_rm_over_share(chip, space, run->new_sess, loads))
			return tpm_space_rm_error(buf, run->new_sess ?
						  TPM2_RC_SESSION_MEMORY :
						  TPM2_RC_OBJECT_MEMORY);
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
			  run->client_saved, get_unaligned_be64(buf + i),
			  space->uid);
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
	if (run->new_sess) {
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
	len = tpm_rm_reap(chip);
	if (len)
		return len;
	tpm_rm_join(chip, space);
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

