// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the resource manager's spaces against a fake TPM 2.0 that keeps
 * objects and sessions the way a TPM does -- three object slots, three
 * loaded sessions, contexts saved and loaded -- and refuses whatever names
 * a handle it does not have loaded.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/vtpm_proxy.h>
#include "tpm.h"
#include "tpm2-rm.h"
#include "tpm_kunit_fake.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define FAKE_OBJ_SLOTS		3
#define FAKE_SESSIONS		16
#define FAKE_LOADED_SESSIONS	3
#define FAKE_OBJ		0x80000000
#define FAKE_SESS		0x03000000
#define FAKE_CTX_LEN		22	/* TPMS_CONTEXT with a 4-byte blob */

#define RC_HANDLE_1		0x018B	/* TPM_RC_HANDLE + TPM_RC_1 */
#define RC_REFERENCE_H0		0x0910	/* handle 1 is not loaded */
#define RC_CONTEXT_GAP		0x0901
#define RC_TOO_MANY_CONTEXTS	0x012E
#define RC_OBJECT_MEMORY	0x0902
#define RC_SESSION_MEMORY	0x0903
#define RM_LAYER		(11 << 16)

#define RH_OWNER		0x40000001
#define RH_NULL			0x40000007

/* Not in 6.1's <linux/tpm.h>: named here for every kernel. */
#define RC_INTEGRITY		0x009F
#define CC_START_AUTH_SESS	0x0176
#define CC_SEQUENCE_COMPLETE	0x013E
#define CC_POLICY_GET_DIGEST	0x0189
#define CC_HASH_SEQ_START	0x0186
#define CC_SEQUENCE_UPDATE	0x015C
#define CC_CLEAR		0x0126
#define RH_LOCKOUT		0x4000000A
#define SAVED_SEQUENCE		0x80000001
/* Object ids with this bit are sequence objects. */
#define FAKE_SEQ_ID		0x40000000
#define TPM2_RC_AUTH_CONTEXT	0x0145

/* TPMA_CC: command index, cHandles, rHandle. */
#define ATTRS(cc, nh, rh)	((cc) | (nh) << 25 | ((rh) ? BIT(28) : 0))

static const u32 fake_cc_attrs[] = {
	ATTRS(TPM2_CC_CREATE_PRIMARY, 1, 1),
	ATTRS(CC_SEQUENCE_COMPLETE, 1, 0),
	ATTRS(TPM2_CC_CONTEXT_LOAD, 0, 1),
	ATTRS(TPM2_CC_CONTEXT_SAVE, 1, 0),
	ATTRS(TPM2_CC_FLUSH_CONTEXT, 0, 0),
	ATTRS(TPM2_CC_READ_PUBLIC, 1, 0),
	ATTRS(CC_START_AUTH_SESS, 2, 1),
	ATTRS(TPM2_CC_GET_CAPABILITY, 0, 0),
	ATTRS(TPM2_CC_GET_RANDOM, 0, 0),
	ATTRS(CC_POLICY_GET_DIGEST, 1, 0),
	ATTRS(CC_HASH_SEQ_START, 0, 1),
	ATTRS(CC_SEQUENCE_UPDATE, 1, 0),
	ATTRS(CC_CLEAR, 1, 0),
	ATTRS(TPM2_CC_SHUTDOWN, 0, 0),
};

enum fake_sess_state { SESS_NONE, SESS_LOADED, SESS_SAVED };

/**
 * struct fake_tpm2 - the TPM's side
 * @obj:	object slot i holds the object with this id (0: empty);
 *		its handle is FAKE_OBJ + i
 * @sess:	the state of session i, handle FAKE_SESS + i
 * @next_id:	the id the next new object gets
 * @sent:	commands received
 * @gen:	session i's generation: a context of an older one is stale
 * @save_error:	if set, ContextSave of a session answers this and leaves
 *		the session as it was
 * @load_error:	if set, ContextLoad of a session answers this
 * @gap_max:	if set, the context gap: a session may not be saved (or,
 *		with one loaded-session slot left, loaded, unless it is the
 *		oldest) when the oldest saved one is this many saves old
 * @counter:	sessions saved so far
 * @saved_at:	the value of @counter when session i was saved
 * @flush_errno: if set, FlushContext fails with it (no answer)
 * @locality_errno: if set, the device refuses locality with it
 * @handle_error: if set, ReadPublic of a loaded object answers
 *		TPM_RC_HANDLE (a handle of the wrong kind)
 * @state:	a sequence object's state: how many updates it has had
 * @loaded_at_flush_all: objects and sessions loaded when the last
 *		TPM2_Shutdown or TPM2_Clear came
 * @memory_body: TPM_RC_OBJECT_MEMORY comes with 4 bytes after the header
 *		(a malformed answer)
 * @rsp:	the response to the last one
 * @rsp_len:	its length
 */
struct fake_tpm2 {
	u32 obj[FAKE_OBJ_SLOTS];
	u32 state[FAKE_OBJ_SLOTS];
	int flush_errno;
	int locality_errno;
	bool handle_error;
	int loaded_at_flush_all;
	enum fake_sess_state sess[FAKE_SESSIONS];
	u32 next_id;
	int sent;
	u32 gen[FAKE_SESSIONS];
	u32 save_error;
	u32 load_error;
	u32 gap_max;
	u32 counter;
	u32 saved_at[FAKE_SESSIONS];
	bool memory_body;
	u8 rsp[TPM_BUFSIZE];
	size_t rsp_len;
};

static struct fake_tpm2 *to_fake(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static void fake_reply(struct fake_tpm2 *f, u32 rc)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, f->rsp);
	put_unaligned_be32(rc, f->rsp + 6);
	f->rsp_len = TPM_HEADER_SIZE;
}

static void fake_put_u32(struct fake_tpm2 *f, u32 v)
{
	put_unaligned_be32(v, f->rsp + f->rsp_len);
	f->rsp_len += 4;
}

static int fake_loaded_sessions(struct fake_tpm2 *f)
{
	int i, n = 0;

	for (i = 0; i < FAKE_SESSIONS; i++)
		n += f->sess[i] == SESS_LOADED;
	return n;
}

static int fake_free_sessions(struct fake_tpm2 *f)
{
	int i, n = 0;

	for (i = 0; i < FAKE_SESSIONS; i++)
		n += f->sess[i] == SESS_NONE;
	return n;
}

static int fake_loaded_objects(struct fake_tpm2 *f)
{
	int i, n = 0;

	for (i = 0; i < FAKE_OBJ_SLOTS; i++)
		n += !!f->obj[i];
	return n;
}

/* Every object slot holds object @id (0: every slot is empty). */
static void fake_fill_objects(struct fake_tpm2 *f, u32 id)
{
	int i;

	for (i = 0; i < FAKE_OBJ_SLOTS; i++)
		f->obj[i] = id;
}

/* The slot of a loaded object handle, or -1. */
static int fake_obj(struct fake_tpm2 *f, u32 h)
{
	u32 i = h - FAKE_OBJ;

	return h >= FAKE_OBJ && i < FAKE_OBJ_SLOTS && f->obj[i] ? i : -1;
}

static int fake_sess(struct fake_tpm2 *f, u32 h, enum fake_sess_state st)
{
	u32 i = h - FAKE_SESS;

	return h >= FAKE_SESS && i < FAKE_SESSIONS && f->sess[i] == st ? i : -1;
}

/* The oldest saved session, or -1. */
static int fake_oldest_saved(struct fake_tpm2 *f)
{
	int i, oldest = -1;

	for (i = 0; i < FAKE_SESSIONS; i++)
		if (f->sess[i] == SESS_SAVED &&
		    (oldest < 0 || f->saved_at[i] < f->saved_at[oldest]))
			oldest = i;
	return oldest;
}

/* Would one more save go past the context gap? */
static bool fake_gap_full(struct fake_tpm2 *f)
{
	int oldest = fake_oldest_saved(f);

	return f->gap_max && oldest >= 0 &&
	       f->counter + 1 - f->saved_at[oldest] >= f->gap_max;
}

static void fake_new_object(struct fake_tpm2 *f, u32 id)
{
	int i;

	for (i = 0; i < FAKE_OBJ_SLOTS; i++) {
		if (!f->obj[i]) {
			f->obj[i] = id;
			f->state[i] = 0;
			fake_put_u32(f, FAKE_OBJ + i);
			return;
		}
	}
	fake_reply(f, RC_OBJECT_MEMORY);
	if (f->memory_body)
		fake_put_u32(f, 0xdeadbeef);
}

/*
 * TPMS_CONTEXT: sequence (an object's id; a session's save number),
 * handle, hierarchy, and a 4-byte blob the fake checks when it is loaded
 * (an object's id scrambled; a session's generation).
 */
static void fake_context_save(struct fake_tpm2 *f, u32 h)
{
	int i = fake_obj(f, h);
	u32 seq, blob;

	if (i >= 0 && (f->obj[i] & FAKE_SEQ_ID)) {
		seq = f->obj[i];
		blob = f->state[i];
		h = SAVED_SEQUENCE;
	} else if (i >= 0) {
		seq = f->obj[i];
		blob = seq ^ 0x5a5a5a5a;
		h = FAKE_OBJ;	/* savedHandle of an ordinary object */
	} else {
		i = fake_sess(f, h, SESS_LOADED);
		if (i < 0 || f->save_error || fake_gap_full(f)) {
			fake_reply(f, i < 0 ? RC_HANDLE_1 :
				   f->save_error ?: RC_CONTEXT_GAP);
			return;
		}
		f->sess[i] = SESS_SAVED;
		f->saved_at[i] = ++f->counter;
		seq = f->counter;
		blob = f->gen[i];
	}
	fake_put_u32(f, 0);
	fake_put_u32(f, seq);
	fake_put_u32(f, h);
	fake_put_u32(f, RH_NULL);
	put_unaligned_be16(4, f->rsp + f->rsp_len);
	f->rsp_len += 2;
	fake_put_u32(f, blob);
}

static void fake_context_load(struct fake_tpm2 *f, const u8 *ctx)
{
	u32 seq = get_unaligned_be32(ctx + 4), h = get_unaligned_be32(ctx + 8);
	u32 blob = get_unaligned_be32(ctx + 18);
	int i;

	if (h == SAVED_SEQUENCE) {
		fake_new_object(f, seq);
		if (tpm_hdr_code(f->rsp) == TPM2_RC_SUCCESS)
			f->state[get_unaligned_be32(f->rsp + f->rsp_len - 4) -
				 FAKE_OBJ] = blob;
		return;
	}
	if (h >= FAKE_OBJ) {
		if (blob != (seq ^ 0x5a5a5a5a))
			fake_reply(f, RC_INTEGRITY);
		else
			fake_new_object(f, seq);
		return;
	}
	i = fake_sess(f, h, SESS_SAVED);
	if (i >= 0 && (blob != f->gen[i] || seq != f->saved_at[i])) {
		fake_reply(f, RC_INTEGRITY);
		return;
	}
	if (i >= 0 && f->load_error) {
		fake_reply(f, f->load_error);
		return;
	}
	if (i >= 0 && fake_gap_full(f) && i != fake_oldest_saved(f) &&
	    fake_loaded_sessions(f) == FAKE_LOADED_SESSIONS - 1) {
		fake_reply(f, RC_CONTEXT_GAP);
		return;
	}
	if (i < 0 || fake_loaded_sessions(f) == FAKE_LOADED_SESSIONS) {
		fake_reply(f, i < 0 ? RC_HANDLE_1 : RC_SESSION_MEMORY);
		return;
	}
	f->sess[i] = SESS_LOADED;
	fake_put_u32(f, h);
}

/* GetCapability(HANDLES) of saved sessions: all of them. */
static void fake_get_cap(struct fake_tpm2 *f, const u8 *cmd)
{
	u32 n = 0;
	int i;

	if (get_unaligned_be32(cmd) != TPM2_CAP_HANDLES ||
	    get_unaligned_be32(cmd + 4) != FAKE_SESS)
		return;
	f->rsp[f->rsp_len++] = 0;
	fake_put_u32(f, TPM2_CAP_HANDLES);
	fake_put_u32(f, 0);
	/* As a TPM lists them: under HMAC-session handles, whatever the type. */
	for (i = 0; i < FAKE_SESSIONS; i++) {
		if (f->sess[i] == SESS_SAVED) {
			fake_put_u32(f, 0x02000000 + i);
			n++;
		}
	}
	put_unaligned_be32(n, f->rsp + TPM_HEADER_SIZE + 5);
}

static void fake_flush(struct fake_tpm2 *f, u32 h)
{
	int i = fake_obj(f, h);

	if (i >= 0) {
		f->obj[i] = 0;
		return;
	}
	i = h - FAKE_SESS;
	if (h >= FAKE_SESS && i < FAKE_SESSIONS && f->sess[i] != SESS_NONE)
		f->sess[i] = SESS_NONE;
	else
		fake_reply(f, RC_HANDLE_1);
}

static void fake_start_session(struct fake_tpm2 *f)
{
	int i;

	if (fake_loaded_sessions(f) == FAKE_LOADED_SESSIONS) {
		fake_reply(f, RC_SESSION_MEMORY);
		return;
	}
	for (i = 0; i < FAKE_SESSIONS; i++) {
		if (f->sess[i] == SESS_NONE) {
			f->sess[i] = SESS_LOADED;
			f->gen[i]++;
			fake_put_u32(f, FAKE_SESS + i);
			return;
		}
	}
	fake_reply(f, RC_SESSION_MEMORY);
}

/* Sessions in the authorization area must be loaded. */
static bool fake_auths_loaded(struct fake_tpm2 *f, const u8 *buf, u32 off)
{
	u32 h;

	if (get_unaligned_be16(buf) != TPM2_ST_SESSIONS)
		return true;
	h = get_unaligned_be32(buf + off + 4);
	return h == TPM2_RS_PW || fake_sess(f, h, SESS_LOADED) >= 0;
}

/* A session authorizing without continueSession ends with the command. */
static void fake_auths_done(struct fake_tpm2 *f, const u8 *buf, u32 off)
{
	u32 h = get_unaligned_be32(buf + off + 4);
	int i = fake_sess(f, h, SESS_LOADED);

	/* One session with an empty nonce: its attributes follow. */
	if (i >= 0 && !(buf[off + 10] & 1))
		f->sess[i] = SESS_NONE;
}

static int fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm2 *f = to_fake(chip);
	u32 h = get_unaligned_be32(buf + TPM_HEADER_SIZE);
	int i;

	f->sent++;
	if (tpm_hdr_code(buf) == TPM2_CC_FLUSH_CONTEXT && f->flush_errno)
		return f->flush_errno;
	fake_reply(f, TPM2_RC_SUCCESS);
	switch (tpm_hdr_code(buf)) {
	case TPM2_CC_CREATE_PRIMARY:
		if (!fake_auths_loaded(f, buf, TPM_HEADER_SIZE + 4)) {
			fake_reply(f, RC_HANDLE_1);
			break;
		}
		fake_new_object(f, f->next_id + 1);
		if (tpm_hdr_code(f->rsp) == TPM2_RC_SUCCESS) {
			f->next_id++;
			fake_auths_done(f, buf, TPM_HEADER_SIZE + 4);
		}
		break;
	case CC_HASH_SEQ_START:
		fake_new_object(f, FAKE_SEQ_ID | (f->next_id + 1));
		if (tpm_hdr_code(f->rsp) == TPM2_RC_SUCCESS)
			f->next_id++;
		break;
	case CC_SEQUENCE_UPDATE:
		i = fake_obj(f, h);
		if (i >= 0)
			fake_put_u32(f, ++f->state[i]);
		else
			fake_reply(f, RC_HANDLE_1);
		break;
	case TPM2_CC_SHUTDOWN:
	case CC_CLEAR:
		f->loaded_at_flush_all = fake_loaded_objects(f) +
					 fake_loaded_sessions(f);
		break;
	case TPM2_CC_READ_PUBLIC:
		i = fake_obj(f, h);
		if (i >= 0 && f->handle_error)
			fake_reply(f, RC_HANDLE_1);
		else if (i >= 0)
			fake_put_u32(f, f->obj[i]);
		else
			fake_reply(f, RC_REFERENCE_H0);
		break;
	case CC_SEQUENCE_COMPLETE:
		if (fake_obj(f, h) >= 0)
			f->obj[fake_obj(f, h)] = 0;
		else
			fake_reply(f, RC_HANDLE_1);
		break;
	case CC_START_AUTH_SESS:
		fake_start_session(f);
		break;
	case CC_POLICY_GET_DIGEST:
		if (fake_sess(f, h, SESS_LOADED) < 0)
			fake_reply(f, RC_HANDLE_1);
		else
			fake_put_u32(f, h);
		break;
	case TPM2_CC_CONTEXT_SAVE:
		fake_context_save(f, h);
		break;
	case TPM2_CC_CONTEXT_LOAD:
		fake_context_load(f, buf + TPM_HEADER_SIZE);
		break;
	case TPM2_CC_FLUSH_CONTEXT:
		fake_flush(f, h);
		break;
	case TPM2_CC_GET_CAPABILITY:
		fake_get_cap(f, buf + TPM_HEADER_SIZE);
		break;
	default:
		break;
	}
	put_unaligned_be32(f->rsp_len, f->rsp + 2);
	return 0;
}

static int fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm2 *f = to_fake(chip);

	memcpy(buf, f->rsp, f->rsp_len);
	return f->rsp_len;
}

static int fake_request_locality(struct tpm_chip *chip, int loc)
{
	return to_fake(chip)->locality_errno ?: loc;
}

static const struct tpm_class_ops fake_ops = {
	.req_complete_mask = FAKE_COMPLETE,
	.req_complete_val = FAKE_COMPLETE,
	.req_canceled = fake_never_canceled,
	.status = fake_status_complete,
	.send = fake_send,
	.recv = fake_recv,
	.cancel = fake_no_cancel,
	.request_locality = fake_request_locality,
};

struct space_test {
	struct tpm_chip *chip;
	struct fake_tpm2 *tpm;
	u8 buf[TPM_BUFSIZE];
};

struct space_ref {
	struct tpm_chip *chip;
	struct tpm_rm_space *space;
};

static void free_space(void *data)
{
	struct space_ref *ref = data;

	tpm2_space_free(ref->chip, ref->space);
}

static struct space_test *setup(struct kunit *test)
{
	struct space_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->tpm = kunit_kzalloc(test, sizeof(*t->tpm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->tpm);
	chip = fake_chip_new(test, &fake_ops, t->tpm);
	/* Freed with the chip. */
	chip->cc_attrs_tbl = kmemdup(fake_cc_attrs, sizeof(fake_cc_attrs),
				     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chip->cc_attrs_tbl);
	chip->nr_commands = ARRAY_SIZE(fake_cc_attrs);
	t->chip = chip;
	return t;
}

/* A space freed when the test ends. */
static struct tpm_rm_space *new_space(struct kunit *test, struct space_test *t)
{
	struct space_ref *ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ref);
	ref->chip = t->chip;
	ref->space = tpm2_space_alloc();
	KUNIT_ASSERT_NOT_NULL(test, ref->space);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_space, ref));
	return ref->space;
}

static void cmd_start(u8 *buf, u16 tag, u32 cc)
{
	put_unaligned_be16(tag, buf);
	put_unaligned_be32(TPM_HEADER_SIZE, buf + 2);
	put_unaligned_be32(cc, buf + 6);
}

static void cmd_u32(u8 *buf, u32 v)
{
	u32 len = tpm_hdr_len(buf);

	put_unaligned_be32(v, buf + len);
	put_unaligned_be32(len + 4, buf + 2);
}

/* Run the command in t->buf in @space; the response's code, or an errno. */
static s64 run(struct space_test *t, struct tpm_rm_space *space)
{
	ssize_t len;

	len = tpm_try_get_ops(t->chip);
	if (len)
		return len;
	len = tpm2_space_transmit(t->chip, space, t->buf, sizeof(t->buf));
	tpm_put_ops(t->chip);
	if (len < 0)
		return len;
	if (len < TPM_HEADER_SIZE || len != tpm_hdr_len(t->buf))
		return -EBADMSG;
	return tpm_hdr_code(t->buf);
}

/* An authorization area of one session with @attrs, empty nonce and hmac. */
static void cmd_auth(u8 *buf, u32 session, u8 attrs)
{
	cmd_u32(buf, 9);
	cmd_u32(buf, session);
	cmd_u32(buf, attrs << 8);	/* empty nonce, attributes */
	put_unaligned_be16(0, buf + tpm_hdr_len(buf) - 1);
	put_unaligned_be32(tpm_hdr_len(buf) + 1, buf + 2);
}

/* ... that continues the session, as CreatePrimary needs. */
static void cmd_pw_auth(u8 *buf, u32 session)
{
	cmd_auth(buf, session, 1);
}

/* CreatePrimary in @space; the virtual handle. */
static u32 create(struct kunit *test, struct space_test *t,
		  struct tpm_rm_space *space)
{
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_pw_auth(t->buf, TPM2_RS_PW);
	KUNIT_ASSERT_EQ(test, run(t, space), 0);
	return get_unaligned_be32(t->buf + TPM_HEADER_SIZE);
}

/* ReadPublic of @h in @space: the object's id, or the error. */
static s64 read_public(struct space_test *t, struct tpm_rm_space *space, u32 h)
{
	s64 rc;

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, TPM2_CC_READ_PUBLIC);
	cmd_u32(t->buf, h);
	rc = run(t, space);
	return rc ? rc : get_unaligned_be32(t->buf + TPM_HEADER_SIZE);
}

static s64 one_handle_cmd(struct space_test *t, struct tpm_rm_space *space,
			  u32 cc, u32 h)
{
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, cc);
	cmd_u32(t->buf, h);
	return run(t, space);
}

static u32 start_session(struct kunit *test, struct space_test *t,
			 struct tpm_rm_space *space)
{
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, CC_START_AUTH_SESS);
	cmd_u32(t->buf, RH_NULL);
	cmd_u32(t->buf, RH_NULL);
	KUNIT_ASSERT_EQ(test, run(t, space), 0);
	return get_unaligned_be32(t->buf + TPM_HEADER_SIZE);
}

/* As before a /dev/tpmN command: every space's context out of the TPM. */
static int try_evict_all(struct kunit *test, struct space_test *t)
{
	int rc;

	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	rc = tpm2_rm_evict_all(t->chip);
	tpm_put_ops(t->chip);
	return rc;
}

static void evict_all(struct kunit *test, struct space_test *t)
{
	KUNIT_EXPECT_EQ(test, try_evict_all(test, t), 0);
}

/* Once evicted, nothing of any space is left loaded: nothing leaked. */
static void expect_tpm_empty(struct kunit *test, struct space_test *t)
{
	evict_all(test, t);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 0);
}

static void space_more_objects_than_slots(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h[6];
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = create(test, t, a);
		KUNIT_EXPECT_EQ(test, h[i], 0x80000000 + i);
		expect_tpm_empty(test, t);
	}
	for (i = ARRAY_SIZE(h) - 1; i >= 0; i--)
		KUNIT_EXPECT_EQ(test, read_public(t, a, h[i]), i + 1);
	expect_tpm_empty(test, t);
}

static void space_objects_private(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 ha, hb;

	ha = create(test, t, a);
	create(test, t, a);
	KUNIT_EXPECT_EQ(test, read_public(t, b, ha), -EINVAL);
	KUNIT_EXPECT_EQ(test, read_public(t, b, ha + 1), -EINVAL);
	hb = create(test, t, b);
	KUNIT_EXPECT_EQ(test, hb, ha);
	KUNIT_EXPECT_EQ(test, read_public(t, b, hb), 3);
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);
	/* A physical handle means nothing in a space. */
	KUNIT_EXPECT_EQ(test, read_public(t, b, 0x80000002), -EINVAL);
}

static void space_flush_object(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	int sent;
	u32 h;

	h = create(test, t, a);
	sent = t->tpm->sent;
	/* Still loaded: the TPM flushes it. */
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, h), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent + 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), -EINVAL);
	/* Evicted, it is only a context here: nothing to ask the TPM. */
	h = create(test, t, a);
	evict_all(test, t);
	sent = t->tpm->sent;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, h), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), -EINVAL);
}

static void space_flushed_by_command(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h;

	h = create(test, t, a);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_SEQUENCE_COMPLETE, h), 0);
	/* The TPM flushed it: the space forgets it rather than keep a stale context. */
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), -EINVAL);
	expect_tpm_empty(test, t);
}

static void space_sessions(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 s;

	s = start_session(test, t, a);
	expect_tpm_empty(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, TPM2_CC_FLUSH_CONTEXT, s),
			-EINVAL);
	/* In the authorization area too. */
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_pw_auth(t->buf, s);
	KUNIT_EXPECT_EQ(test, run(t, b), -EINVAL);
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_pw_auth(t->buf, s);
	KUNIT_EXPECT_EQ(test, run(t, a), 0);
	expect_tpm_empty(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
}

static void space_free_flushes_sessions(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = tpm2_space_alloc();
	u32 s;

	KUNIT_ASSERT_NOT_NULL(test, a);
	s = start_session(test, t, a);
	create(test, t, a);
	tpm2_space_free(t->chip, a);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_NONE);
	expect_tpm_empty(test, t);
}

static void space_free_after_fence(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = tpm2_space_alloc();
	int sent;

	KUNIT_ASSERT_NOT_NULL(test, a);
	start_session(test, t, a);
	tpm_chip_fence(t->chip);
	sent = t->tpm->sent;
	/* The driver is gone: the session is forgotten, nothing is sent. */
	tpm2_space_free(t->chip, a);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
}

static void space_limits(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	int i;

	for (i = 0; i < 16; i++)
		create(test, t, a);
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_pw_auth(t->buf, TPM2_RS_PW);
	KUNIT_EXPECT_EQ(test, run(t, a), RM_LAYER | RC_OBJECT_MEMORY);
	for (i = 0; i < 4; i++)
		start_session(test, t, a);
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, CC_START_AUTH_SESS);
	cmd_u32(t->buf, RH_NULL);
	cmd_u32(t->buf, RH_NULL);
	KUNIT_EXPECT_EQ(test, run(t, a), RM_LAYER | RC_SESSION_MEMORY);
	/* What was refused left nothing behind in the TPM. */
	expect_tpm_empty(test, t);
	KUNIT_EXPECT_EQ(test, fake_free_sessions(t->tpm), FAKE_SESSIONS - 4);
}

static void space_refused_commands(struct kunit *test)
{
	static const u32 codes[] = { TPM2_CC_SET_LOCALITY, 0x0000ffff,
				     TPM2_CC_PCR_EXTEND, 0x8000017b };
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		cmd_start(t->buf, TPM2_ST_NO_SESSIONS, codes[i]);
		KUNIT_EXPECT_EQ(test, run(t, a), RM_LAYER | TPM2_RC_COMMAND_CODE);
	}
	KUNIT_EXPECT_EQ(test, t->tpm->sent, 0);
}

static void space_get_handles(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h0, h1, h2;

	h0 = create(test, t, a);
	h1 = create(test, t, a);
	h2 = create(test, t, a);
	one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, h1);

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	cmd_u32(t->buf, TPM2_CAP_HANDLES);
	cmd_u32(t->buf, 0x80000000);
	cmd_u32(t->buf, 1);
	KUNIT_ASSERT_EQ(test, run(t, a), 0);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 1);	/* moreData */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 15), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 19), h0);

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	cmd_u32(t->buf, TPM2_CAP_HANDLES);
	cmd_u32(t->buf, h0 + 1);
	cmd_u32(t->buf, 8);
	KUNIT_ASSERT_EQ(test, run(t, a), 0);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 15), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 19), h2);
	KUNIT_EXPECT_EQ(test, tpm_hdr_len(t->buf), 23);
}

/*
 * A session the TPM cannot save (here TPM_RC_TOO_MANY_CONTEXTS) is still
 * loaded there: it is flushed, not stranded where no space can name it.
 */
static void space_save_failure_flushes_session(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 s = start_session(test, t, a);

	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	t->tpm->save_error = RC_TOO_MANY_CONTEXTS;
	evict_all(test, t);
	t->tpm->save_error = 0;
	expect_tpm_empty(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_NONE);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
}

/*
 * A session the client saved for itself is not loaded when the space
 * saves it ("handle" answer): it is left in the TPM for the client's
 * context, which another space may load.
 */
static void space_client_saved_session_kept(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u8 ctx[FAKE_CTX_LEN];
	u32 s = start_session(test, t, a);

	KUNIT_ASSERT_EQ(test, one_handle_cmd(t, a, TPM2_CC_CONTEXT_SAVE, s), 0);
	memcpy(ctx, t->buf + TPM_HEADER_SIZE, sizeof(ctx));
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, TPM2_CC_CONTEXT_LOAD);
	memcpy(t->buf + TPM_HEADER_SIZE, ctx, sizeof(ctx));
	put_unaligned_be32(TPM_HEADER_SIZE + sizeof(ctx), t->buf + 2);
	KUNIT_ASSERT_EQ(test, run(t, b), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, s), 0);
	expect_tpm_empty(test, t);
}

/*
 * A session flushed behind the space's back (through /dev/tpmN) no longer
 * loads: it leaves the space instead of holding one of its slots for
 * ever; a FlushContext the TPM answers "no such handle" forgets it too.
 */
static void space_session_gone_frees_slot(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 s[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = start_session(test, t, a);
	t->tpm->sess[s[0] - FAKE_SESS] = SESS_NONE;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s[0]),
			RM_LAYER | RC_HANDLE_1);
	start_session(test, t, a);
	t->tpm->sess[s[1] - FAKE_SESS] = SESS_NONE;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, s[1]),
			RC_HANDLE_1);
	start_session(test, t, a);
	expect_tpm_empty(test, t);
}

/*
 * A session whose context the TPM refuses with a warning (here
 * TPM_RC_CONTEXT_GAP) is not at fault: it stays and works later.  One
 * refused as stale (the TPM was reset; its handle is another space's
 * session by now) leaves the space and is not flushed: the other space's
 * session lives on.
 */
static void space_session_load_failures(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 s = start_session(test, t, a), sb;

	evict_all(test, t);
	t->tpm->load_error = RC_CONTEXT_GAP;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			RM_LAYER | RC_CONTEXT_GAP);
	t->tpm->load_error = 0;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);

	/* A reset: the context is stale, and refused as such. */
	evict_all(test, t);
	t->tpm->gen[s - FAKE_SESS]++;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			RM_LAYER | RC_INTEGRITY);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
	/*
	 * Another reset, and another space's new session gets the handle
	 * first: the stale session is forgotten then, never flushed.
	 */
	s = start_session(test, t, a);
	t->tpm->sess[s - FAKE_SESS] = SESS_NONE;
	sb = start_session(test, t, b);
	KUNIT_ASSERT_EQ(test, sb, s);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, sb), 0);
	expect_tpm_empty(test, t);
}

static int fake_saved_sessions(struct fake_tpm2 *f)
{
	int i, n = 0;

	for (i = 0; i < FAKE_SESSIONS; i++)
		n += f->sess[i] == SESS_SAVED;
	return n;
}

/*
 * The context gap (16 saves here): six idle sessions started back to back
 * in two spaces while four sessions of two other spaces take turns, more
 * than stay loaded, so that each command saves one.  The oldest saved
 * session is refreshed as often as needed (each refresh gains one number
 * when the idle ones were saved back to back); no session is lost, no
 * command fails.
 */
static void space_context_gap(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	struct tpm_rm_space *c = new_space(test, t), *d = new_space(test, t);
	u32 idle[6], busy[4], counter;
	int i;

	t->tpm->gap_max = 16;
	for (i = 0; i < ARRAY_SIZE(idle); i++)
		idle[i] = start_session(test, t, i < 4 ? a : b);
	for (i = 0; i < ARRAY_SIZE(busy); i++)
		busy[i] = start_session(test, t, i < 2 ? c : d);
	counter = t->tpm->counter;
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test,
				one_handle_cmd(t, i % 4 < 2 ? c : d,
					       CC_POLICY_GET_DIGEST, busy[i % 4]), 0);
	/* The gap was met: more saves than it allows. */
	KUNIT_EXPECT_GT(test, t->tpm->counter - counter, 16);
	for (i = 0; i < ARRAY_SIZE(idle); i++) {
		KUNIT_EXPECT_EQ(test, t->tpm->sess[idle[i] - FAKE_SESS],
				SESS_SAVED);
		KUNIT_EXPECT_EQ(test, one_handle_cmd(t, i < 4 ? a : b,
						     CC_POLICY_GET_DIGEST,
						     idle[i]), 0);
	}
	for (i = 0; i < ARRAY_SIZE(busy); i++)
		KUNIT_EXPECT_EQ(test,
				one_handle_cmd(t, i < 2 ? c : d,
					       CC_POLICY_GET_DIGEST, busy[i]), 0);
	expect_tpm_empty(test, t);
}

/* TPM2_ContextSave (or Load) of @s by the client; the response code. */
static s64 client_ctx(struct space_test *t, struct tpm_rm_space *space,
		      u32 cc, u32 s, u8 *ctx)
{
	s64 rc;

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, cc);
	if (cc == TPM2_CC_CONTEXT_SAVE) {
		cmd_u32(t->buf, s);
	} else {
		memcpy(t->buf + TPM_HEADER_SIZE, ctx, FAKE_CTX_LEN);
		put_unaligned_be32(TPM_HEADER_SIZE + FAKE_CTX_LEN, t->buf + 2);
	}
	rc = run(t, space);
	if (!rc && cc == TPM2_CC_CONTEXT_SAVE)
		memcpy(ctx, t->buf + TPM_HEADER_SIZE, FAKE_CTX_LEN);
	return rc;
}

/*
 * The client's own ContextSave and ContextLoad meet the gap too (tpm2-tools
 * save every session to a file): room is made and the command sent again.
 */
static void space_context_gap_client_commands(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u8 ctx[FAKE_CTX_LEN];
	u32 sa, sb;
	int i;

	t->tpm->gap_max = 4;
	sa = start_session(test, t, a);
	evict_all(test, t);	/* sa is saved, and the oldest */
	sb = start_session(test, t, b);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, client_ctx(t, b, TPM2_CC_CONTEXT_SAVE, sb,
						 ctx), 0);
		KUNIT_EXPECT_EQ(test, client_ctx(t, b, TPM2_CC_CONTEXT_LOAD, 0,
						 ctx), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + TPM_HEADER_SIZE),
				sb);
	}
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, sa), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, sb), 0);
	expect_tpm_empty(test, t);
}

/*
 * The TPM's oldest saved session is one the resource manager does not know
 * (saved through /dev/tpm0): refreshing its own oldest would not make
 * room, and loading it only to have its save refused would lose it.  So
 * it is left alone: only the session the TPM refuses to save is lost.
 */
static void space_context_gap_unknown_oldest(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 sa, sb;
	int i;

	t->tpm->gap_max = 16;
	t->tpm->sess[FAKE_SESSIONS - 1] = SESS_SAVED;	/* someone else's */
	t->tpm->saved_at[FAKE_SESSIONS - 1] = ++t->tpm->counter;
	sa = start_session(test, t, a);
	sb = start_session(test, t, b);
	/* Used, and saved before each /dev/tpm0 command, until lost. */
	for (i = 0; i < 20 && t->tpm->sess[sb - FAKE_SESS] != SESS_NONE; i++) {
		one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, sb);
		evict_all(test, t);
	}
	KUNIT_EXPECT_EQ(test, t->tpm->sess[sb - FAKE_SESS], SESS_NONE);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[sa - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, sa), 0);
	expect_tpm_empty(test, t);
}

/* A client's own saved session, then close: the chip's orphan. */
static u32 orphan_session(struct kunit *test, struct space_test *t, u8 *ctx)
{
	struct tpm_rm_space *a = tpm2_space_alloc();
	u8 tmp[FAKE_CTX_LEN];
	u32 s;

	KUNIT_ASSERT_NOT_NULL(test, a);
	s = start_session(test, t, a);
	KUNIT_EXPECT_EQ(test, client_ctx(t, a, TPM2_CC_CONTEXT_SAVE, s,
					 ctx ?: tmp), 0);
	tpm2_space_free(t->chip, a);
	return s;
}

/*
 * Sessions clients saved for themselves: up to four per open file, then,
 * once the files close, up to eight per TPM; the oldest beyond a bound is
 * flushed.  One loaded into another space is that space's and no longer
 * counts; an orphan in the way of the context gap is flushed.
 */
static void space_orphans_bounded(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u8 ctx[FAKE_CTX_LEN];
	u32 s[12], sb;
	int i;

	for (i = 0; i < 6; i++) {
		s[i] = start_session(test, t, a);
		KUNIT_EXPECT_EQ(test, client_ctx(t, a, TPM2_CC_CONTEXT_SAVE,
						 s[i], ctx), 0);
	}
	KUNIT_EXPECT_EQ(test, fake_saved_sessions(t->tpm), 4);

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = orphan_session(test, t, NULL);
	/* Four in the open file, eight orphans; the rest flushed. */
	KUNIT_EXPECT_EQ(test, fake_saved_sessions(t->tpm), 4 + TPM_RM_ORPHANS);
	for (i = ARRAY_SIZE(s) - TPM_RM_ORPHANS; i < ARRAY_SIZE(s); i++)
		KUNIT_EXPECT_EQ(test, t->tpm->sess[s[i] - FAKE_SESS], SESS_SAVED);

	/* The gap: the oldest orphan cannot be refreshed, so it goes. */
	t->tpm->gap_max = t->tpm->counter + 1 -
			  t->tpm->saved_at[s[4] - FAKE_SESS];
	sb = start_session(test, t, b);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, sb), 0);
	evict_all(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s[4] - FAKE_SESS], SESS_NONE);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[sb - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s[11] - FAKE_SESS], SESS_SAVED);
	expect_tpm_empty(test, t);
}

/* An orphan's context loaded by another client: adopted, not evicted. */
static void space_orphan_adopted(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *b = new_space(test, t);
	u8 ctx[FAKE_CTX_LEN];
	u32 s;
	int i;

	s = orphan_session(test, t, ctx);
	KUNIT_ASSERT_EQ(test, client_ctx(t, b, TPM2_CC_CONTEXT_LOAD, 0, ctx), 0);
	for (i = 0; i < TPM_RM_ORPHANS + 2; i++)
		orphan_session(test, t, NULL);
	evict_all(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, b, CC_POLICY_GET_DIGEST, s), 0);
}

/*
 * The TPM hands out a session at the index of an orphan the books hold,
 * as another type (an HMAC session where the orphan was a policy one:
 * they share the TPM's slots): the orphan is gone, and the books forget
 * it; they hold nothing under its handle any more.
 */
static void space_adopt_by_index(struct kunit *test)
{
	struct space_test *t = setup(test);
	u32 s = orphan_session(test, t, NULL);
	u32 hmac = (s & TPM2_HANDLE_INDEX) | 0x02000000;	/* HMAC session */

	KUNIT_ASSERT_NE(test, hmac, s);
	mutex_lock(&t->chip->tpm_mutex);
	KUNIT_EXPECT_TRUE(test, tpm2_rm_holds(t->chip, s));
	tpm_rm_adopt(t->chip, hmac);
	KUNIT_EXPECT_FALSE(test, tpm2_rm_holds(t->chip, s));
	mutex_unlock(&t->chip->tpm_mutex);
}

/* GetCapability(HANDLES); the response's length, or 0 if it failed. */
static u32 get_handles(struct space_test *t, struct tpm_rm_space *space,
		       u32 first, u32 max)
{
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	cmd_u32(t->buf, TPM2_CAP_HANDLES);
	cmd_u32(t->buf, first);
	cmd_u32(t->buf, max);
	return run(t, space) ? 0 : tpm_hdr_len(t->buf);
}

/*
 * Sessions listed are the space's own, paged by handle index: a page that
 * ends the list says so (no moreData with nothing to continue from).
 * Between commands none is loaded.  With an authorization area (where
 * only an audit session could succeed, and its HMAC would cover the TPM's
 * list) the space refuses, parsing the parameters after the area, and
 * the TPM is not asked.
 */
static void space_get_handles_sessions(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	int sent;
	u32 s1, s2;

	start_session(test, t, b);
	s1 = start_session(test, t, a);
	s2 = start_session(test, t, a);
	KUNIT_ASSERT_EQ(test, get_handles(t, a, 0x03000000, 1), 23);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 15), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 19), s1);

	KUNIT_ASSERT_EQ(test, get_handles(t, a, s1 + 1, 8), 23);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 19), s2);

	KUNIT_ASSERT_EQ(test, get_handles(t, a, s2 + 1, 8), 19);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 15), 0);

	KUNIT_ASSERT_EQ(test, get_handles(t, a, 0x02000000, 8), 19);
	KUNIT_EXPECT_EQ(test, t->buf[TPM_HEADER_SIZE], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + 15), 0);

	sent = t->tpm->sent;
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_GET_CAPABILITY);
	cmd_pw_auth(t->buf, s1);
	cmd_u32(t->buf, TPM2_CAP_HANDLES);
	cmd_u32(t->buf, 0x80000000);
	cmd_u32(t->buf, 8);
	KUNIT_EXPECT_EQ(test, run(t, a), RM_LAYER | TPM2_RC_AUTH_CONTEXT);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	expect_tpm_empty(test, t);
}

/* Authorization areas that lie about their sizes are left to the TPM. */
static void space_malformed_auths(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 s = start_session(test, t, a);

	/* authSize runs past the command. */
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_u32(t->buf, 4000);
	cmd_u32(t->buf, s);
	KUNIT_EXPECT_EQ(test, run(t, a), RC_HANDLE_1);
	/* A nonce longer than the area. */
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_u32(t->buf, 9);
	cmd_u32(t->buf, s);
	cmd_u32(t->buf, 0xfff00000);
	cmd_u32(t->buf, 0);
	KUNIT_EXPECT_EQ(test, run(t, a), RC_HANDLE_1);
	/* authSize wraps the area's end around to its start. */
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_u32(t->buf, 0xfffffffc);
	cmd_u32(t->buf, s);
	cmd_u32(t->buf, 0x00000100);
	KUNIT_EXPECT_EQ(test, run(t, a), RC_HANDLE_1);
	/* No room for the handles the command must name. */
	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, CC_START_AUTH_SESS);
	cmd_u32(t->buf, RH_NULL);
	KUNIT_EXPECT_EQ(test, run(t, a), -EINVAL);
	expect_tpm_empty(test, t);
}

/*
 * Lazy contexts: what a command used stays loaded, so the next command
 * that names it costs the TPM that command alone.
 */
static void space_lazy_no_extra_commands(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h = create(test, t, a), s = start_session(test, t, a);
	int i, sent = t->tpm->sent;

	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
		KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST,
						     s), 0);
	}
	KUNIT_EXPECT_EQ(test, t->tpm->sent - sent, 10);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 1);
	expect_tpm_empty(test, t);
}

/*
 * Four spaces, one object each, three object slots: each space's command
 * evicts another's object, which comes back from its context when named.
 * Once the TPM said it was full, room is made before a load: a miss costs
 * a bare flush, a load and the command.
 */
static void space_eviction_across_spaces(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *sp[4];
	u32 h[4];
	int i, sent;

	for (i = 0; i < 4; i++) {
		sp[i] = new_space(test, t);
		h[i] = create(test, t, sp[i]);
	}
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, read_public(t, sp[i % 4], h[i % 4]),
				i % 4 + 1);
	sent = t->tpm->sent;
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, read_public(t, sp[i % 4], h[i % 4]),
				i % 4 + 1);
	KUNIT_EXPECT_EQ(test, t->tpm->sent - sent, 3 * 8);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 3);
	expect_tpm_empty(test, t);
}

/*
 * A /dev/tpm0 user flushes every transient handle (tpm2_flushcontext -t):
 * the spaces' objects were evicted before its commands, so theirs were
 * not there to flush, and the spaces' next commands work.  An object that
 * vanished unseen is loaded again and its command sent again; one whose
 * handle the TPM gave to another object meanwhile is not taken for it.
 */
static void space_flush_through_tpm0(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 ha = create(test, t, a), hb;
	int sent;

	evict_all(test, t);
	fake_fill_objects(t->tpm, 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);

	/* Unseen: the command is refused, then sent again. */
	t->tpm->obj[0] = 0;
	sent = t->tpm->sent;
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);
	KUNIT_EXPECT_EQ(test, t->tpm->sent - sent, 3);

	/* Unseen, and the handle given out again: to a new object ... */
	t->tpm->obj[0] = 0;
	hb = create(test, t, b);
	KUNIT_EXPECT_EQ(test, t->tpm->obj[0], 2);
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);
	/* ... and to an object loaded from its context. */
	evict_all(test, t);
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);
	t->tpm->obj[0] = 0;
	KUNIT_EXPECT_EQ(test, read_public(t, b, hb), 2);
	KUNIT_EXPECT_EQ(test, t->tpm->obj[0], 2);
	KUNIT_EXPECT_EQ(test, read_public(t, a, ha), 1);
	expect_tpm_empty(test, t);
}

/*
 * A session that authorized a command without continueSession ended with
 * it: it leaves the space at once (its slot is free, nothing is flushed);
 * after a failed command it stays.
 */
static void space_session_ended_by_command(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 s = start_session(test, t, a);
	int i, sent;

	fake_fill_objects(t->tpm, 99);	/* someone else's */
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_auth(t->buf, s, 0);
	KUNIT_EXPECT_EQ(test, run(t, a), RC_OBJECT_MEMORY);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	fake_fill_objects(t->tpm, 0);

	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_auth(t->buf, s, 0);
	KUNIT_EXPECT_EQ(test, run(t, a), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_NONE);
	sent = t->tpm->sent;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	for (i = 0; i < 4; i++)
		start_session(test, t, a);
	expect_tpm_empty(test, t);
}

/*
 * A sequence object's context changes with every update: evicting it
 * saves it, and it comes back with its updates.
 */
static void space_sequence_object_saved(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h;

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, CC_HASH_SEQ_START);
	KUNIT_ASSERT_EQ(test, run(t, a), 0);
	h = get_unaligned_be32(t->buf + TPM_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_SEQUENCE_UPDATE, h), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_SEQUENCE_UPDATE, h), 0);
	evict_all(test, t);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_SEQUENCE_UPDATE, h), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(t->buf + TPM_HEADER_SIZE), 3);
	expect_tpm_empty(test, t);
}

/*
 * Nothing of a space is loaded when the TPM saves its state for a suspend
 * (transient objects do not survive it) or a command that flushes objects
 * of its own accord comes; afterwards they load again from their contexts.
 */
static void space_evicted_before_shutdown_and_clear(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h = create(test, t, a), s = start_session(test, t, a);

	t->tpm->loaded_at_flush_all = -1;
	tpm_chip_suspend(t->chip);
	KUNIT_EXPECT_EQ(test, t->tpm->loaded_at_flush_all, 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	tpm_chip_resume(t->chip);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);

	t->tpm->loaded_at_flush_all = -1;
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_CLEAR, RH_LOCKOUT), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->loaded_at_flush_all, 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	expect_tpm_empty(test, t);
}

/* TPM_RC_HANDLE is not "not loaded": no second copy is loaded. */
static void space_handle_error_not_vanished(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h = create(test, t, a);
	int sent = t->tpm->sent;

	t->tpm->handle_error = true;
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), RC_HANDLE_1);
	t->tpm->handle_error = false;
	KUNIT_EXPECT_EQ(test, t->tpm->sent - sent, 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 1);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	expect_tpm_empty(test, t);
}

/*
 * An eviction whose FlushContext gets no answer leaves the object taken
 * as loaded (it may well be), and evicting everything reports it, so that
 * a /dev/tpm0 command is not sent beside it; later it is flushed.  A
 * session whose save is refused with a warning (the gap) when another
 * space's command wants its slot stays loaded rather than being lost.
 */
static void space_eviction_failures_keep_track(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t), *b = new_space(test, t);
	u32 h = create(test, t, a), s = start_session(test, t, a);

	t->tpm->flush_errno = -EIO;
	KUNIT_EXPECT_EQ(test, try_evict_all(test, t), -EIO);
	t->tpm->flush_errno = 0;
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 1);

	start_session(test, t, a);
	t->tpm->save_error = RC_CONTEXT_GAP;
	start_session(test, t, b);
	t->tpm->save_error = 0;
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_LOADED);
	expect_tpm_empty(test, t);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
}

/*
 * The fence flushes whatever the resource manager has in the TPM (loaded
 * contexts, saved sessions, sessions a client saved for itself): binding
 * a driver again does not reset the TPM.  The files' spaces are freed
 * later without a command.
 */
static void space_fence_flushes_everything(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = tpm2_space_alloc();
	u8 ctx[FAKE_CTX_LEN];
	int i, sent;
	u32 s;

	KUNIT_ASSERT_NOT_NULL(test, a);
	create(test, t, a);
	for (i = 0; i < 3; i++)
		start_session(test, t, a);
	s = start_session(test, t, a);
	KUNIT_EXPECT_EQ(test, client_ctx(t, a, TPM2_CC_CONTEXT_SAVE, s, ctx), 0);
	orphan_session(test, t, NULL);
	KUNIT_EXPECT_GE(test, fake_saved_sessions(t->tpm), 3);
	tpm_chip_fence(t->chip);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, fake_free_sessions(t->tpm), FAKE_SESSIONS);
	sent = t->tpm->sent;
	tpm2_space_free(t->chip, a);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
}

/* A kernel user's CreatePrimary under the owner, built as trusted keys do. */
static void kernel_create_primary(struct kunit *test, struct tpm_buf *buf)
{
	KUNIT_ASSERT_EQ(test, tpm_buf_init(buf, TPM2_ST_SESSIONS,
					   TPM2_CC_CREATE_PRIMARY), 0);
	tpm_buf_append_u32(buf, RH_OWNER);
	tpm_buf_append_u32(buf, 9);
	tpm_buf_append_u32(buf, TPM2_RS_PW);
	tpm_buf_append_u16(buf, 0);
	tpm_buf_append_u8(buf, 1);
	tpm_buf_append_u16(buf, 0);
}

/*
 * A kernel user's command (tpm_transmit_cmd(), as trusted keys send theirs)
 * finds every object slot taken by a space's lazily loaded contexts: the
 * contexts make room and the command goes through; the space's objects
 * still work afterwards.
 */
static void space_kernel_user_gets_room(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	struct tpm_buf buf;
	u32 h[FAKE_OBJ_SLOTS], kh;
	ssize_t rc;
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = create(test, t, a);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), FAKE_OBJ_SLOTS);

	kernel_create_primary(test, &buf);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	rc = tpm_transmit_cmd(t->chip, &buf, 4, "kunit CreatePrimary");
	kh = get_unaligned_be32(buf.data + TPM_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, kh & 0xff000000, FAKE_OBJ);
	if (!rc)
		tpm2_flush_context(t->chip, kh);
	tpm_put_ops(t->chip);
	tpm_buf_destroy(&buf);

	for (i = 0; i < ARRAY_SIZE(h); i++)
		KUNIT_EXPECT_EQ(test, read_public(t, a, h[i]), i + 1);
	expect_tpm_empty(test, t);
}

/*
 * The same, but the TPM's TPM_RC_OBJECT_MEMORY has a body: the command in
 * the buffer is no longer whole, so it is not sent again; the answer goes
 * to the caller and the TPM saw the command once.
 */
static void space_kernel_user_malformed_memory(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	struct tpm_buf buf;
	ssize_t rc;
	int i, sent;

	for (i = 0; i < FAKE_OBJ_SLOTS; i++)
		create(test, t, a);
	t->tpm->memory_body = true;
	kernel_create_primary(test, &buf);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	sent = t->tpm->sent;
	rc = tpm_transmit_cmd(t->chip, &buf, 4, NULL);
	KUNIT_EXPECT_EQ(test, rc, RC_OBJECT_MEMORY);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent + 1);
	tpm_put_ops(t->chip);
	tpm_buf_destroy(&buf);
	t->tpm->memory_body = false;
	expect_tpm_empty(test, t);
}

/* Send @buf as a kernel user does (tpm_transmit_cmd()) and free it. */
static s64 kernel_send(struct kunit *test, struct space_test *t,
		       struct tpm_buf *buf)
{
	s64 rc;

	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	rc = tpm_transmit_cmd(t->chip, buf, 0, NULL);
	tpm_put_ops(t->chip);
	tpm_buf_destroy(buf);
	return rc;
}

/* A kernel user's command of @cc naming @h in its handle area. */
static s64 kernel_cmd(struct kunit *test, struct space_test *t, u32 cc,
		      const u32 *h, int nh, u32 auth)
{
	struct tpm_buf buf;
	int i;

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, auth ? TPM2_ST_SESSIONS :
					   TPM2_ST_NO_SESSIONS, cc), 0);
	for (i = 0; i < nh; i++)
		tpm_buf_append_u32(&buf, h[i]);
	if (auth) {
		tpm_buf_append_u32(&buf, 9);
		tpm_buf_append_u32(&buf, auth);
		tpm_buf_append_u16(&buf, 0);
		tpm_buf_append_u8(&buf, 1);	/* continueSession */
		tpm_buf_append_u16(&buf, 0);
	}
	return kernel_send(test, t, &buf);
}

/* A space with an object (physical FAKE_OBJ) and a session, both loaded. */
static void loaded_space(struct kunit *test, struct space_test *t,
			 struct tpm_rm_space *a, u32 *h, u32 *s)
{
	*h = create(test, t, a);
	*s = start_session(test, t, a);
	KUNIT_ASSERT_GE(test, fake_obj(t->tpm, FAKE_OBJ), 0);
	KUNIT_ASSERT_GE(test, fake_sess(t->tpm, *s, SESS_LOADED), 0);
}

/*
 * trusted.ko's keyhandle= and policyhandle=: a kernel user's command that
 * names, by its TPM handle, an object or a session a space left loaded
 * finds nothing there, in the handle area or the authorization area; the
 * space's next command still works.
 */
static void space_kernel_user_meets_no_context(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h, s, obj = FAKE_OBJ, owner = RH_OWNER;

	loaded_space(test, t, a, &h, &s);
	KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, TPM2_CC_READ_PUBLIC, &obj, 1,
					 0), RC_REFERENCE_H0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);

	KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, CC_POLICY_GET_DIGEST, &s, 1,
					 0), RC_HANDLE_1);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);

	/* A session the kernel's command would end: it is not ended. */
	KUNIT_ASSERT_GE(test, fake_sess(t->tpm, s, SESS_LOADED), 0);
	KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, TPM2_CC_CREATE_PRIMARY,
					 &owner, 1, s), RC_HANDLE_1);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	expect_tpm_empty(test, t);
}

/*
 * A kernel user's command that names none of the spaces' contexts costs
 * them nothing: it is the only command the TPM sees, and what they left
 * loaded stays loaded.
 */
static void space_kernel_user_costs_nothing(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h, s, owner = RH_OWNER;
	int sent;

	loaded_space(test, t, a, &h, &s);
	sent = t->tpm->sent;
	KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, TPM2_CC_GET_RANDOM, NULL, 0,
					 0), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent + 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 1);
	/* A password session and a permanent handle name nothing of theirs. */
	KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, TPM2_CC_CREATE_PRIMARY,
					 &owner, 1, TPM2_RS_PW), 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent + 2);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 1);
	KUNIT_EXPECT_GE(test, fake_obj(t->tpm, FAKE_OBJ), 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	/* The kernel user's own object, which it flushes. */
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	tpm2_flush_context(t->chip, FAKE_OBJ + 1);
	tpm_put_ops(t->chip);
	expect_tpm_empty(test, t);
}

/*
 * Where the handles a kernel user's command names cannot be told, or it
 * lists loaded handles, every space's context leaves the TPM first.
 */
static void space_kernel_user_unknown_evicts_all(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h, s, cap[3] = { TPM2_CAP_HANDLES, FAKE_OBJ, 8 };
	struct tpm_buf buf;
	int i;

	loaded_space(test, t, a, &h, &s);
	/* A command code the TPM did not list. */
	kernel_cmd(test, t, 0x0199, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 0);

	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_ASSERT_EQ(test, fake_loaded_objects(t->tpm), 1);
	/* GetCapability(HANDLES) of transient objects: the parameters. */
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
					   TPM2_CC_GET_CAPABILITY), 0);
	for (i = 0; i < ARRAY_SIZE(cap); i++)
		tpm_buf_append_u32(&buf, cap[i]);
	kernel_send(test, t, &buf);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);

	/* An authorization area that does not parse. */
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, TPM2_ST_SESSIONS,
					   TPM2_CC_CREATE_PRIMARY), 0);
	tpm_buf_append_u32(&buf, RH_OWNER);
	tpm_buf_append_u32(&buf, 100);
	kernel_send(test, t, &buf);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	expect_tpm_empty(test, t);
}

/*
 * tpm2_flush_context() of a handle under which a space has a context,
 * loaded or saved, is not sent: the space keeps it.
 */
static void space_kernel_flush_refused(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h, s;
	int sent;

	loaded_space(test, t, a, &h, &s);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	sent = t->tpm->sent;
	tpm2_flush_context(t->chip, FAKE_OBJ);
	tpm2_flush_context(t->chip, s);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	tpm_put_ops(t->chip);
	/* Saved, the session is still the space's. */
	evict_all(test, t);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	sent = t->tpm->sent;
	tpm2_flush_context(t->chip, s);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	/* A handle that is nobody's goes to the TPM. */
	tpm2_flush_context(t->chip, FAKE_SESS + 9);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent + 1);
	tpm_put_ops(t->chip);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_EXPECT_EQ(test, read_public(t, a, h), 1);
	expect_tpm_empty(test, t);
}

static unsigned int nr_closed(struct space_test *t)
{
	unsigned int n;

	mutex_lock(&t->chip->tpm_mutex);
	n = tpm2_rm_nr_closed(t->chip);
	mutex_unlock(&t->chip->tpm_mutex);
	return n;
}

/* Close a space with an object and a session while the chip is unusable. */
static struct tpm_rm_space *close_unusable(struct kunit *test,
					   struct space_test *t, int how)
{
	struct tpm_rm_space *a = tpm2_space_alloc();
	u32 h, s;
	int sent;

	KUNIT_ASSERT_NOT_NULL(test, a);
	loaded_space(test, t, a, &h, &s);
	if (how == 0)
		tpm_chip_priv(t->chip)->suspended = true;
	else if (how == 1)
		t->tpm->locality_errno = -EBUSY;
	else
		t->tpm->flush_errno = -ETIME;
	sent = t->tpm->sent;
	tpm2_space_free(t->chip, a);
	/* Still in the TPM, and still on the books. */
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 1);
	KUNIT_EXPECT_EQ(test, fake_loaded_sessions(t->tpm), 1);
	KUNIT_EXPECT_EQ(test, nr_closed(t), 1);
	KUNIT_EXPECT_LE(test, t->tpm->sent, sent + 1);
	tpm_chip_priv(t->chip)->suspended = false;
	t->tpm->locality_errno = 0;
	t->tpm->flush_errno = 0;
	return a;
}

/*
 * A file that closes while the chip cannot be used (suspended, locality
 * refused, a flush unanswered) leaves its contexts on the chip's books;
 * they are flushed before the next command, a space's, a kernel user's or
 * /dev/tpmN's, and count as loaded until then.
 */
static void space_closed_flushed_later(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *b = new_space(test, t);
	u32 hb;
	int how;

	hb = create(test, t, b);
	for (how = 0; how < 3; how++) {
		evict_all(test, t);
		close_unusable(test, t, how);
		if (how == 0)
			KUNIT_EXPECT_EQ(test, read_public(t, b, hb), 1);
		else if (how == 1)
			KUNIT_EXPECT_EQ(test, kernel_cmd(test, t, TPM2_CC_GET_RANDOM,
							 NULL, 0, 0), 0);
		else
			evict_all(test, t);
		KUNIT_EXPECT_EQ(test, nr_closed(t), 0);
		KUNIT_EXPECT_EQ(test, fake_free_sessions(t->tpm), FAKE_SESSIONS);
		KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), how == 0);
	}
	expect_tpm_empty(test, t);
}

/* The fence forgets closed spaces it cannot flush; nothing leaks. */
static void space_closed_forgotten_at_fence(struct kunit *test)
{
	struct space_test *t = setup(test);

	close_unusable(test, t, 0);
	tpm_chip_priv(t->chip)->suspended = true;
	tpm_chip_fence(t->chip);
	KUNIT_EXPECT_EQ(test, nr_closed(t), 0);
	tpm_chip_priv(t->chip)->suspended = false;
	/* ... and flushes the ones it can. */
	t = setup(test);
	close_unusable(test, t, 1);
	tpm_chip_fence(t->chip);
	KUNIT_EXPECT_EQ(test, nr_closed(t), 0);
	KUNIT_EXPECT_EQ(test, fake_loaded_objects(t->tpm), 0);
	KUNIT_EXPECT_EQ(test, fake_free_sessions(t->tpm), FAKE_SESSIONS);
}

static void restore_shares(void *unused)
{
	tpm_rm_uid_sessions = 0;
	tpm_rm_uid_objects = 0;
}

/*
 * A space opened by @uid, freed when the test ends, or by the test itself
 * if @mine.
 */
static struct tpm_rm_space *uid_space(struct kunit *test, struct space_test *t,
				      uid_t uid, bool mine)
{
	const struct cred *old;
	struct tpm_rm_space *space;
	struct cred *new;

	new = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, new);
	new->euid = KUIDT_INIT(uid);
	old = override_creds(new);
	space = mine ? tpm2_space_alloc() : new_space(test, t);
	revert_creds(old);
	put_cred(new);
	KUNIT_ASSERT_NOT_NULL(test, space);
	return space;
}

/* StartAuthSession in @space: the response code; the TPM saw it or not. */
static s64 try_session(struct space_test *t, struct tpm_rm_space *space,
		       bool *seen)
{
	int sent = t->tpm->sent;
	s64 rc;

	cmd_start(t->buf, TPM2_ST_NO_SESSIONS, CC_START_AUTH_SESS);
	cmd_u32(t->buf, RH_NULL);
	cmd_u32(t->buf, RH_NULL);
	rc = run(t, space);
	*seen = t->tpm->sent != sent;
	return rc;
}

/*
 * One uid's spaces share its share of sessions and objects: past it, a
 * command that would add one is refused at once with the resource
 * manager's error, before the TPM sees it; another uid's spaces are not
 * affected, and what the uid gives back (a flushed session, a closed file)
 * is its again, a closed file's only once flushed.
 */
static void space_uid_share(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a1, *a2, *a3, *b;
	bool seen;
	u32 s;
	int i;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, restore_shares,
							   NULL));
	tpm_rm_uid_sessions = 5;
	tpm_rm_uid_objects = 3;
	a1 = uid_space(test, t, 1000, false);
	a2 = uid_space(test, t, 1000, false);
	b = uid_space(test, t, 1001, false);
	/* A space holds four. */
	for (i = 0; i < 4; i++)
		s = start_session(test, t, a1);
	start_session(test, t, a2);
	KUNIT_EXPECT_EQ(test, try_session(t, a2, &seen),
			RM_LAYER | RC_SESSION_MEMORY);
	KUNIT_EXPECT_FALSE(test, seen);
	KUNIT_EXPECT_EQ(test, try_session(t, b, &seen), 0);
	KUNIT_EXPECT_TRUE(test, seen);

	create(test, t, a1);
	create(test, t, a2);
	create(test, t, a2);
	cmd_start(t->buf, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	cmd_u32(t->buf, RH_OWNER);
	cmd_pw_auth(t->buf, TPM2_RS_PW);
	i = t->tpm->sent;
	KUNIT_EXPECT_EQ(test, run(t, a1), RM_LAYER | RC_OBJECT_MEMORY);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, i);
	create(test, t, b);

	/* A session given back is the uid's again. */
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a1, TPM2_CC_FLUSH_CONTEXT, s), 0);
	KUNIT_EXPECT_EQ(test, try_session(t, a2, &seen), 0);
	KUNIT_EXPECT_EQ(test, try_session(t, a2, &seen),
			RM_LAYER | RC_SESSION_MEMORY);

	/* A file closed unflushed still counts, until it is flushed. */
	tpm_rm_uid_sessions = 6;
	a3 = uid_space(test, t, 1000, true);
	start_session(test, t, a3);
	tpm_chip_priv(t->chip)->suspended = true;
	tpm2_space_free(t->chip, a3);
	tpm_chip_priv(t->chip)->suspended = false;
	KUNIT_EXPECT_EQ(test, nr_closed(t), 1);
	/* The next command flushes it first: the share is free again. */
	KUNIT_EXPECT_EQ(test, try_session(t, a2, &seen), 0);
	KUNIT_EXPECT_EQ(test, nr_closed(t), 0);
}

/*
 * A TPM finds a session by its index alone: a kernel user's command that
 * names a space's loaded session under the other session type's handle
 * must not reach it either, nor flush it.
 */
static void space_kernel_user_other_session_type(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a = new_space(test, t);
	u32 h, s, other;
	int sent;

	loaded_space(test, t, a, &h, &s);
	other = (s & 0x00ffffff) | 0x02000000;
	kernel_cmd(test, t, CC_POLICY_GET_DIGEST, &other, 1, 0);
	KUNIT_EXPECT_EQ(test, t->tpm->sess[s - FAKE_SESS], SESS_SAVED);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(t->chip), 0);
	sent = t->tpm->sent;
	tpm2_flush_context(t->chip, other);
	KUNIT_EXPECT_EQ(test, t->tpm->sent, sent);
	tpm_put_ops(t->chip);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	expect_tpm_empty(test, t);
}

/*
 * Sessions a uid's clients saved for themselves count in its share, kept
 * by an open file or orphaned by a closed one; loading one back adds
 * nothing, so it is not refused at the share.
 */
static void space_uid_share_saved_sessions(struct kunit *test)
{
	struct space_test *t = setup(test);
	struct tpm_rm_space *a, *a2, *b, *gone;
	u8 ctx[FAKE_CTX_LEN];
	bool seen;
	u32 s, s1;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, restore_shares,
							   NULL));
	tpm_rm_uid_sessions = 2;
	a = uid_space(test, t, 1000, false);
	a2 = uid_space(test, t, 1000, false);
	b = uid_space(test, t, 1001, false);
	s1 = start_session(test, t, a);
	s = start_session(test, t, a);
	KUNIT_EXPECT_EQ(test, client_ctx(t, a, TPM2_CC_CONTEXT_SAVE, s, ctx), 0);
	KUNIT_EXPECT_EQ(test, try_session(t, a, &seen),
			RM_LAYER | RC_SESSION_MEMORY);
	/* Back from the client's context: within the share. */
	KUNIT_EXPECT_EQ(test, client_ctx(t, a, TPM2_CC_CONTEXT_LOAD, s, ctx), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, CC_POLICY_GET_DIGEST, s), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, s), 0);
	KUNIT_EXPECT_EQ(test, one_handle_cmd(t, a, TPM2_CC_FLUSH_CONTEXT, s1), 0);

	/* Orphaned by a closed file, still the uid's. */
	tpm_rm_uid_sessions = 1;
	gone = uid_space(test, t, 1000, true);
	s = start_session(test, t, gone);
	KUNIT_EXPECT_EQ(test, client_ctx(t, gone, TPM2_CC_CONTEXT_SAVE, s, ctx),
			0);
	tpm2_space_free(t->chip, gone);
	KUNIT_EXPECT_EQ(test, try_session(t, a2, &seen),
			RM_LAYER | RC_SESSION_MEMORY);
	KUNIT_EXPECT_FALSE(test, seen);
	KUNIT_EXPECT_EQ(test, try_session(t, b, &seen), 0);
	/* ... and the uid may take it back. */
	KUNIT_EXPECT_EQ(test, client_ctx(t, a2, TPM2_CC_CONTEXT_LOAD, s, ctx), 0);
}

static struct kunit_case tpm_space_cases[] = {
	KUNIT_CASE(space_more_objects_than_slots),
	KUNIT_CASE(space_objects_private),
	KUNIT_CASE(space_flush_object),
	KUNIT_CASE(space_flushed_by_command),
	KUNIT_CASE(space_sessions),
	KUNIT_CASE(space_free_flushes_sessions),
	KUNIT_CASE(space_free_after_fence),
	KUNIT_CASE(space_limits),
	KUNIT_CASE(space_refused_commands),
	KUNIT_CASE(space_get_handles),
	KUNIT_CASE(space_malformed_auths),
	KUNIT_CASE(space_save_failure_flushes_session),
	KUNIT_CASE(space_client_saved_session_kept),
	KUNIT_CASE(space_session_gone_frees_slot),
	KUNIT_CASE(space_session_load_failures),
	KUNIT_CASE(space_context_gap),
	KUNIT_CASE(space_context_gap_client_commands),
	KUNIT_CASE(space_context_gap_unknown_oldest),
	KUNIT_CASE(space_orphans_bounded),
	KUNIT_CASE(space_orphan_adopted),
	KUNIT_CASE(space_adopt_by_index),
	KUNIT_CASE(space_get_handles_sessions),
	KUNIT_CASE(space_lazy_no_extra_commands),
	KUNIT_CASE(space_eviction_across_spaces),
	KUNIT_CASE(space_flush_through_tpm0),
	KUNIT_CASE(space_session_ended_by_command),
	KUNIT_CASE(space_sequence_object_saved),
	KUNIT_CASE(space_evicted_before_shutdown_and_clear),
	KUNIT_CASE(space_handle_error_not_vanished),
	KUNIT_CASE(space_eviction_failures_keep_track),
	KUNIT_CASE(space_fence_flushes_everything),
	KUNIT_CASE(space_kernel_user_gets_room),
	KUNIT_CASE(space_kernel_user_malformed_memory),
	KUNIT_CASE(space_kernel_user_meets_no_context),
	KUNIT_CASE(space_kernel_user_costs_nothing),
	KUNIT_CASE(space_kernel_user_unknown_evicts_all),
	KUNIT_CASE(space_kernel_flush_refused),
	KUNIT_CASE(space_closed_flushed_later),
	KUNIT_CASE(space_closed_forgotten_at_fence),
	KUNIT_CASE(space_uid_share),
	KUNIT_CASE(space_kernel_user_other_session_type),
	KUNIT_CASE(space_uid_share_saved_sessions),
	{}
};

static struct kunit_suite tpm_space_suite = {
	.name = "tpm_space",
	.test_cases = tpm_space_cases,
};

kunit_test_suite(tpm_space_suite);

MODULE_DESCRIPTION("KUnit tests for the TPM resource manager's spaces");
MODULE_LICENSE("GPL");
