// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer for /dev/tpmN, /dev/tpmrmN and the vtpm proxy, reproducible by
 * seed: every outcome must be a valid response or a clean errno, never a
 * hang, a malformed response or a crash.
 *
 *   tpm-fuzz client -d DEV [-s SEED] [-n OPS] [-f FILES] [-1] [-u] [-c TPM0]
 *	FILES threads (1 for the exclusive /dev/tpmN), each with a file of
 *	its own, run OPS operations in all.  Each takes a valid command from
 *	a small corpus (TPM 2.0, or TPM 1.2 with -1), built from the handles
 *	and saved contexts the thread got earlier, mutates it (bits, bytes,
 *	handles, authorization area, tag, command code, lying header or
 *	write size, truncation) and sends it with an I/O pattern of its own
 *	(blocking, O_NONBLOCK and poll, partial reads, a second write before
 *	the read, close without reading, reopen).  -u: never a header length
 *	of 6..9 (upstream's tpm_tis forwards those and QEMU's tpm-tis hangs).
 *	Afterwards: through /dev/tpmN, every object and session left is
 *	flushed; through /dev/tpmrmN, a new file must see no handle; a fresh
 *	open must give GetRandom(16).  -c TPM0: also say what the TPM itself
 *	holds (informational).  Thread i uses seed + i; with one thread a run
 *	is the same sequence of commands as long as the TPM answers the same.
 *   tpm-fuzz server [-s SEED] [-n CYCLES] [-c CLIENTS]
 *	Each cycle creates a vtpm proxy chip (TPM 1.2 every fourth) and
 *	forks a hostile server for it that answers each request correctly or
 *	not (random bytes, truncated, lying header, oversized, empty, late,
 *	twice, never, or dies), sometimes from the first start-up command
 *	on, while CLIENTS threads send GetRandom(n) through /dev/tpmN (and
 *	/dev/tpmrmN).  A client must get n bytes, a TPM error or a clean
 *	errno; the node must go and every sleeper wake within 10 s of the
 *	server's end.  Last, a well-behaved chip must still work.
 *
 * The seed and argv are printed first; a summary line "result: ..." last.
 * Exit status 0 only if nothing was bad and the checks afterwards passed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tpmtool.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TPM_BUF		4096		/* the driver's buffer */
#define WBUF		8192		/* room for oversized writes */
#define MAX_THREADS	16
#define MAX_HANDLES	8
#define MAX_CTX		4
#define MAX_AUTHS	6
#define MAX_BAD_PRINTS	20
#define SEC		1000000000LL
#define HANG_NS		(60 * SEC)	/* a call blocked this long is bad */
#define GIVE_UP_NS	(90 * SEC)	/* ... and this long ends the run */
#define GONE_NS		(10 * SEC)	/* server gone: node gone, sleepers woken */

/* TPM 2.0 */
#define CC_SEQ_COMPLETE		0x13E
#define CC_DA_LOCK_RESET	0x139
#define CC_SEQ_UPDATE		0x15C
#define CC_CONTEXT_LOAD		0x161
#define CC_CONTEXT_SAVE		0x162
#define CC_FLUSH_CONTEXT	0x165
#define CC_READ_PUBLIC		0x173
#define CC_START_AUTH_SESSION	0x176
#define CC_PCR_READ		0x17E
#define CC_POLICY_PCR		0x17F
#define CC_READ_CLOCK		0x181
#define CC_HASH_SEQ_START	0x186
#define CAP_HANDLES		1
#define HT_TRANSIENT		0x80000000
#define HT_HMAC			0x02000000
#define HT_POLICY		0x03000000
#define RH_NULL			0x40000007
#define RH_LOCKOUT		0x4000000A
#define PT_LOCKOUT_COUNTER	0x20E
#define ALG_SHA1		0x0004
#define ALG_NULL		0x0010
/* TPM 1.2 */
#define TAG_RQU_AUTH1		0x00C2
#define TAG_RQU_AUTH2		0x00C3
#define TAG_RSP_AUTH1		0x00C5
#define TAG_RSP_AUTH2		0x00C6
#define ORD_OIAP		0x0A
#define ORD_OSAP		0x0B
#define ORD_EXTEND		0x14
#define ORD_PCR_READ		0x15
#define ORD_FLUSH_SPECIFIC	0xBA
#define CAP12_HANDLE		0x14
#define RT_AUTH			2

/* Marks the clients' GetRandom in server mode, after its parameters. */
#define MARKER			0x46555A5A

/* ---- the PRNG ---- */

struct rng {
	uint64_t s;
};

/* splitmix64: any seed gives a good stream. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? rng_next(r) % n : 0;
}

static int rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

static void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rng_next(r);
}

/* An index into @weights, chosen in proportion to them. */
static int rng_weighted(struct rng *r, const int *weights, int n)
{
	int i, total = 0, x;

	for (i = 0; i < n; i++)
		total += weights[i];
	x = rng_below(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* ---- outcomes ---- */

static const struct {
	int err;
	const char *name;
} errnos[] = {
	{ EINVAL, "EINVAL" }, { E2BIG, "E2BIG" }, { EBUSY, "EBUSY" },
	{ EAGAIN, "EAGAIN" }, { EFAULT, "EFAULT" }, { EIO, "EIO" },
	{ ETIME, "ETIME" }, { ECANCELED, "ECANCELED" }, { EPIPE, "EPIPE" },
	{ ENODEV, "ENODEV" }, { ENOENT, "ENOENT" }, { ENXIO, "ENXIO" },
};

#define NR_ERRNOS	ARRAY_SIZE(errnos)

static struct {
	atomic_long ops, valid, tpm_errors, abandoned, unread, hup, bad;
	atomic_long err[NR_ERRNOS];
} tally;

/* One file's (client mode) or one client's (server mode) state. */
struct fthread {
	pthread_t thread;
	int id;
	const char *kind;	/* "thread", "client" or "post" */
	struct rng rng;		/* one draw per op seeds the op's own */
	long nr_ops;
	long op;
	int fd;
	uint32_t handles[MAX_HANDLES];
	char kinds[MAX_HANDLES];	/* see handle_add() */
	int nr_handles;
	uint32_t want_list;	/* list handles of this type next (1.2: 1) */
	struct {
		uint16_t len;
		uint8_t b[TPM_BUF];
	} ctx[MAX_CTX];
	int nr_ctx;
	uint8_t wbuf[WBUF];	/* what the op wrote */
	size_t wlen;
	uint8_t rsp[TPM_BUF + 64];
	atomic_llong call_start;	/* ns; 0 outside a system call */
	atomic_llong call_end;
	atomic_int hang_reported;
};

static struct fthread threads[MAX_THREADS + 1];	/* the last: post checks */
static int nr_threads;
static uint64_t seed = 1;
static int server_mode;
static atomic_int stop;		/* the clients' */
static atomic_int watch_stop;	/* the watchdog's */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static long long t_start;
static void (*print_summary)(void);

static void hexdump(const uint8_t *b, size_t len)
{
	size_t i, n = len > TPM_BUF ? 64 : len;

	for (i = 0; i < n; i++)
		printf("%s%02x%s", i % 32 ? "" : "  ", b[i],
		       i % 32 == 31 || i == n - 1 ? "\n" : "");
	if (n < len)
		printf("  ... (%zu bytes in all)\n", len);
}

/* Something went wrong: count it and say what, with the command. */
static void report_bad(struct fthread *t, const char *fmt, ...)
{
	long n = ++tally.bad;
	va_list ap;

	if (n > MAX_BAD_PRINTS)
		return;
	pthread_mutex_lock(&print_lock);
	printf("BAD: seed %llu %s %d op %ld: ", (unsigned long long)seed,
	       t->kind, t->id, t->op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (t->wlen) {
		printf("  command (%zu bytes written):\n", t->wlen);
		hexdump(t->wbuf, t->wlen);
	}
	if (n == MAX_BAD_PRINTS)
		printf("BAD: (further reports only counted)\n");
	pthread_mutex_unlock(&print_lock);
}

/*
 * The errnos the ABI gives for a client's input against a healthy TPM:
 * a bad write (EINVAL, E2BIG), a file busy with another command (EBUSY),
 * a non-blocking read too early (EAGAIN).  A transport error (EIO, ETIME,
 * ECANCELED, EFAULT for a response that disagrees with its header) or an
 * unplug's (EPIPE, ENODEV) only comes from a hostile server or an unplug,
 * so only in server mode.
 */
static int healthy_errno(int err)
{
	return err == EINVAL || err == E2BIG || err == EBUSY || err == EAGAIN;
}

/*
 * Count an errno; bad unless it is one the driver may give: EAGAIN only to
 * a non-blocking read, ENOENT and ENXIO only to an open racing an unplug,
 * and in client mode (a healthy TPM) only healthy_errno()'s.
 */
static void count_errno(struct fthread *t, int err, const char *what,
			int nonblock_read)
{
	size_t i;

	for (i = 0; i < NR_ERRNOS; i++)
		if (errnos[i].err == err)
			break;
	if (i == NR_ERRNOS || (err == EAGAIN && !nonblock_read) ||
	    (!server_mode && !healthy_errno(err))) {
		report_bad(t, "%s: unexpected errno %d (%s)", what, err,
			   strerror(err));
		return;
	}
	tally.err[i]++;
}

static void print_errnos(void)
{
	size_t i;

	for (i = 0; i < NR_ERRNOS; i++)
		if (tally.err[i])
			printf(" %s=%ld", errnos[i].name, (long)tally.err[i]);
}

/* ---- system calls, timed for the watchdog ---- */

static void call_begin(struct fthread *t)
{
	t->hang_reported = 0;
	t->call_start = now_ns();
}

static void call_done(struct fthread *t)
{
	t->call_end = now_ns();
	t->call_start = 0;
}

static ssize_t t_write(struct fthread *t, int fd, const void *b, size_t n)
{
	ssize_t rc;
	int err;

	call_begin(t);
	rc = write(fd, b, n);
	err = errno;
	call_done(t);
	return rc < 0 ? -err : rc;
}

static ssize_t t_read(struct fthread *t, int fd, void *b, size_t n)
{
	ssize_t rc;
	int err;

	call_begin(t);
	rc = read(fd, b, n);
	err = errno;
	call_done(t);
	return rc < 0 ? -err : rc;
}

/* poll for POLLIN; returns revents, 0 on timeout or -errno. */
static int t_poll(struct fthread *t, int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc, err;

	call_begin(t);
	rc = poll(&p, 1, timeout_ms);
	err = errno;
	call_done(t);
	if (rc < 0)
		return -err;
	return rc ? p.revents : 0;
}

static int t_open(struct fthread *t, const char *path, int flags)
{
	int fd, err;

	call_begin(t);
	fd = open(path, O_RDWR | flags);
	err = errno;
	call_done(t);
	return fd < 0 ? -err : fd;
}

static void t_close(struct fthread *t, int fd)
{
	call_begin(t);
	close(fd);
	call_done(t);
}

/*
 * Every half second: a call blocked over HANG_NS is bad (once per call);
 * one blocked over GIVE_UP_NS ends the run with the summary.
 */
static void *watchdog_main(void *arg __attribute__((unused)))
{
	int i;

	while (!watch_stop) {
		usleep(500000);
		for (i = 0; i < nr_threads; i++) {
			struct fthread *t = &threads[i];
			long long s = t->call_start;

			if (!s || now_ns() - s < HANG_NS)
				continue;
			if (!t->hang_reported) {
				t->hang_reported = 1;
				report_bad(t, "a system call hung for 60 s");
			}
			if (now_ns() - s > GIVE_UP_NS) {
				printf("giving up: %s %d hung for 90 s\n",
				       t->kind, t->id);
				print_summary();
				fflush(stdout);
				_exit(1);
			}
		}
	}
	return NULL;
}

static int valid_tag(uint16_t tag)
{
	return tag == ST_NO_SESSIONS || tag == ST_SESSIONS ||
	       tag == TAG_RSP_COMMAND || tag == TAG_RSP_AUTH1 ||
	       tag == TAG_RSP_AUTH2;
}

/* A whole response of @n bytes in t->rsp: as long as its header says? */
static int check_response(struct fthread *t, ssize_t n)
{
	const uint8_t *b = t->rsp;

	if (n < TPM_HDR) {
		report_bad(t, "a response of %zd bytes", n);
		return 0;
	}
	if (be32(b + 2) != (uint32_t)n) {
		report_bad(t, "read %zd bytes, the header says %u", n,
			   be32(b + 2));
		return 0;
	}
	if (!valid_tag(be16(b))) {
		report_bad(t, "a response tag 0x%04x", be16(b));
		return 0;
	}
	tally.valid++;
	return 1;
}

/* ---- client mode: the commands ---- */

static const char *dev;		/* -d */
static const char *look_dev;	/* -c in client mode */
static int tpm12;		/* -1 */
static int upstream_tis;	/* -u */
static int is_rm;

struct auth {
	uint32_t h;
	uint16_t nonce_len;
	uint16_t hmac_len;
	uint8_t attrs;
	uint8_t nonce[32];
	uint8_t hmac[32];
};

/* A command before serialization, and where serialize() put things. */
struct tcmd {
	uint16_t tag;
	uint32_t cc;
	uint32_t h[3];
	int nh;
	int param_handle;	/* the parameters start with a handle */
	struct auth a[MAX_AUTHS];
	int na;
	uint8_t p[TPM_BUF];
	size_t plen;
	int off_auth_size;	/* -1: no authorization area */
	int off_nonce[MAX_AUTHS];
	int off_hmac[MAX_AUTHS];
};

static void c_start(struct tcmd *c, uint16_t tag, uint32_t cc)
{
	memset(c, 0, offsetof(struct tcmd, p));
	c->tag = tag;
	c->cc = cc;
	c->plen = 0;
}

static void p_bytes(struct tcmd *c, const void *b, size_t n)
{
	if (n > sizeof(c->p) - c->plen)
		n = sizeof(c->p) - c->plen;
	memcpy(c->p + c->plen, b, n);
	c->plen += n;
}

static void p_u8(struct tcmd *c, uint8_t v)
{
	p_bytes(c, &v, 1);
}

static void p_u16(struct tcmd *c, uint16_t v)
{
	uint8_t b[2];

	put_be16(b, v);
	p_bytes(c, b, 2);
}

static void p_u32(struct tcmd *c, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	p_bytes(c, b, 4);
}

static void p_random(struct tcmd *c, struct rng *r, size_t n)
{
	uint8_t b[TPM_BUF];

	if (n > sizeof(b))
		n = sizeof(b);
	rng_fill(r, b, n);
	p_bytes(c, b, n);
}

static void add_pw_auth(struct tcmd *c)
{
	struct auth *a = &c->a[c->na++];

	memset(a, 0, sizeof(*a));
	a->h = RS_PW;
	a->attrs = 1;		/* continueSession */
}

/* Session handles seen by any thread: another space's, for /dev/tpmrmN. */
static _Atomic uint32_t shared_sessions[16];
static atomic_uint shared_next;

static void share_session(uint32_t h)
{
	shared_sessions[shared_next++ % ARRAY_SIZE(shared_sessions)] = h;
}

/* Handles worth trying whatever the command names. */
static uint32_t pool_handle(struct rng *r)
{
	static const uint32_t fixed[] = {
		RH_OWNER, RH_NULL, 0x4000000B, 0x4000000C, RS_PW,
		0x81000001, 0x01000001, 0xFFFFFFFF, 0,
	};

	switch (rng_below(r, 6)) {
	case 0:
		return HT_TRANSIENT + rng_below(r, 4);
	case 1:
		return HT_HMAC + rng_below(r, 4);
	case 2:
		return HT_POLICY + rng_below(r, 4);
	case 3:
		return fixed[rng_below(r, ARRAY_SIZE(fixed))];
	case 4:
		return shared_sessions[rng_below(r, ARRAY_SIZE(shared_sessions))];
	default:
		return rng_next(r);
	}
}

/* How many of the thread's handles are of one of @kinds (NULL: any). */
static int handles_of(struct fthread *t, const char *kinds, uint32_t *cand)
{
	int i, n = 0;

	for (i = 0; i < t->nr_handles; i++)
		if (!kinds || strchr(kinds, t->kinds[i]))
			cand[n++] = t->handles[i];
	return n;
}

/* One of the thread's handles of one of @kinds, or from the pool. */
static uint32_t pick_handle(struct fthread *t, struct rng *r,
			    const char *kinds)
{
	uint32_t cand[MAX_HANDLES];
	int n = handles_of(t, kinds, cand);

	if (!n || rng_pct(r, 15))
		return pool_handle(r);
	return cand[rng_below(r, n)];
}

static int handle_find(struct fthread *t, uint32_t h)
{
	int i;

	for (i = 0; i < t->nr_handles; i++)
		if (t->handles[i] == h)
			return i;
	return -1;
}

static void handle_del(struct fthread *t, uint32_t h)
{
	int i = handle_find(t, h);

	if (i < 0)
		return;
	memmove(&t->handles[i], &t->handles[i + 1],
		(t->nr_handles - i - 1) * sizeof(t->handles[0]));
	memmove(&t->kinds[i], &t->kinds[i + 1], t->nr_handles - i - 1);
	t->nr_handles--;
}

/*
 * Kinds: 'k' a key, 's' a hash sequence, 'o' another object, 'h' an HMAC
 * session (TPM 1.2: an OIAP one), 'p' a policy session, 'a' an object
 * adopted from a list of handles (see adopt()).
 */
static void handle_add(struct fthread *t, uint32_t h, char kind)
{
	if (handle_find(t, h) >= 0)
		return;
	if (t->nr_handles == MAX_HANDLES)
		handle_del(t, t->handles[0]);
	t->kinds[t->nr_handles] = kind;
	t->handles[t->nr_handles++] = h;
}

static char kind_of(uint32_t h, char object_kind)
{
	switch (h >> 24) {
	case HT_HMAC >> 24:
		return 'h';
	case HT_POLICY >> 24:
		return 'p';
	default:
		return object_kind;
	}
}

static void ctx_add(struct fthread *t, struct rng *r, const uint8_t *b,
		    size_t len)
{
	int i = t->nr_ctx < MAX_CTX ? t->nr_ctx++ : (int)rng_below(r, MAX_CTX);

	if (len > sizeof(t->ctx[i].b))
		len = sizeof(t->ctx[i].b);
	memcpy(t->ctx[i].b, b, len);
	t->ctx[i].len = len;
}

static void pcr_selection(struct tcmd *c, struct rng *r)
{
	p_u32(c, 1);
	p_u16(c, rng_pct(r, 70) ? ALG_SHA256 : ALG_SHA1);
	p_u8(c, 3);
	p_random(c, r, 3);
}

static void b_get_random(struct fthread *t __attribute__((unused)),
			 struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_GET_RANDOM);
	p_u16(c, 1 + rng_below(r, 64));
}

static void b_pcr_read(struct fthread *t __attribute__((unused)),
		       struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_PCR_READ);
	pcr_selection(c, r);
}

static void b_get_cap(struct fthread *t __attribute__((unused)),
		      struct rng *r, struct tcmd *c)
{
	static const uint32_t caps[][3] = {
		{ 0, 1, 16 },				/* algorithms */
		{ CAP_HANDLES, HT_TRANSIENT, 16 },
		{ CAP_HANDLES, HT_HMAC, 16 },
		{ CAP_HANDLES, HT_POLICY, 16 },
		{ CAP_HANDLES, 0x81000000, 16 },	/* persistent */
		{ CAP_HANDLES, 0x40000000, 16 },	/* permanent */
		{ CAP_COMMANDS, 0x11F, 16 },
		{ CAP_PCRS, 0, 1 },
		{ CAP_PROPERTIES, 0x100, 16 },		/* fixed */
		{ CAP_PROPERTIES, 0x200, 16 },		/* variable */
		{ 8, 0, 8 },				/* ECC curves */
	};
	int i = rng_below(r, ARRAY_SIZE(caps));

	c_start(c, ST_NO_SESSIONS, CC_GET_CAP);
	p_u32(c, caps[i][0]);
	p_u32(c, caps[i][1]);
	p_u32(c, caps[i][2]);
}

static void b_list_handles(struct tcmd *c, uint32_t first)
{
	c_start(c, ST_NO_SESSIONS, CC_GET_CAP);
	p_u32(c, CAP_HANDLES);
	p_u32(c, first);
	p_u32(c, 16);
}

static void b_read_clock(struct fthread *t __attribute__((unused)),
			 struct rng *r __attribute__((unused)), struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_READ_CLOCK);
}

/* Unbound, unsalted: an HMAC session, a policy session or a trial one. */
static void b_start_session(struct fthread *t __attribute__((unused)),
			    struct rng *r, struct tcmd *c)
{
	uint16_t n = 16 + rng_below(r, 17);

	c_start(c, ST_NO_SESSIONS, CC_START_AUTH_SESSION);
	c->h[0] = RH_NULL;		/* tpmKey */
	c->h[1] = RH_NULL;		/* bind */
	c->nh = 2;
	p_u16(c, n);			/* nonceCaller */
	p_random(c, r, n);
	p_u16(c, 0);			/* encryptedSalt */
	p_u8(c, rng_pct(r, 45) ? 0 : rng_pct(r, 90) ? 1 : 3);
	p_u16(c, ALG_NULL);		/* symmetric */
	p_u16(c, ALG_SHA256);		/* authHash */
}

static void b_flush(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_FLUSH_CONTEXT);
	c->param_handle = 1;
	p_u32(c, pick_handle(t, r, NULL));
}

static void b_context_save(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_CONTEXT_SAVE);
	c->h[0] = pick_handle(t, r, NULL);
	c->nh = 1;
}

static void b_context_load(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_CONTEXT_LOAD);
	if (t->nr_ctx) {
		int i = rng_below(r, t->nr_ctx);

		p_bytes(c, t->ctx[i].b, t->ctx[i].len);
	} else {
		p_random(c, r, 18 + rng_below(r, 64));
	}
}

/*
 * An ECC P-256 storage key (SHA-256 name; fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, noDA, restricted, decrypt; AES-128-CFB,
 * no scheme, no KDF): quick to make, and no authorization failure on it
 * counts towards the dictionary-attack lockout.
 */
static const uint8_t ecc_storage_public[] = {
	0x00, 0x23, 0x00, 0x0B, 0x00, 0x03, 0x04, 0x72, 0x00, 0x00,
	0x00, 0x06, 0x00, 0x80, 0x00, 0x43, 0x00, 0x10, 0x00, 0x03,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
};

static void b_create_primary(struct fthread *t __attribute__((unused)),
			     struct rng *r __attribute__((unused)),
			     struct tcmd *c)
{
	c_start(c, ST_SESSIONS, CC_CREATE_PRIMARY);
	c->h[0] = RH_OWNER;
	c->nh = 1;
	add_pw_auth(c);
	p_u16(c, 4);			/* inSensitive: no auth, no data */
	p_u16(c, 0);
	p_u16(c, 0);
	p_u16(c, sizeof(ecc_storage_public));
	p_bytes(c, ecc_storage_public, sizeof(ecc_storage_public));
	p_u16(c, 0);			/* outsideInfo */
	p_u32(c, 0);			/* creationPCR */
}

static void b_read_public(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_READ_PUBLIC);
	c->h[0] = pick_handle(t, r, "ko");
	c->nh = 1;
}

static void b_policy_pcr(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_POLICY_PCR);
	c->h[0] = pick_handle(t, r, "p");
	c->nh = 1;
	p_u16(c, 0);			/* pcrDigest */
	pcr_selection(c, r);
}

static void b_hash_start(struct fthread *t __attribute__((unused)),
			 struct rng *r __attribute__((unused)), struct tcmd *c)
{
	c_start(c, ST_NO_SESSIONS, CC_HASH_SEQ_START);
	p_u16(c, 0);			/* auth */
	p_u16(c, ALG_SHA256);
}

static void b_seq_update(struct fthread *t, struct rng *r, struct tcmd *c)
{
	uint16_t n = rng_below(r, 129);

	c_start(c, ST_SESSIONS, CC_SEQ_UPDATE);
	c->h[0] = pick_handle(t, r, "s");
	c->nh = 1;
	add_pw_auth(c);
	p_u16(c, n);
	p_random(c, r, n);
}

static void b_seq_complete(struct fthread *t, struct rng *r, struct tcmd *c)
{
	b_seq_update(t, r, c);
	c->cc = CC_SEQ_COMPLETE;
	p_u32(c, RH_NULL);		/* hierarchy for the ticket */
}

/* TPM 1.2 */

static void b1_get_random(struct fthread *t __attribute__((unused)),
			  struct rng *r, struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_GET_RANDOM);
	p_u32(c, 1 + rng_below(r, 64));
}

static void b1_pcr_read(struct fthread *t __attribute__((unused)),
			struct rng *r, struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_PCR_READ);
	p_u32(c, rng_below(r, 24));
}

static void b1_get_cap(struct fthread *t __attribute__((unused)),
		       struct rng *r, struct tcmd *c)
{
	static const uint32_t caps[][3] = {	/* area, subcap size, subcap */
		{ 5, 4, 0x101 },	/* property: PCRs */
		{ 5, 4, 0x115 },	/* property: TIS timeouts */
		{ 5, 4, 0x120 },	/* property: durations */
		{ 0x1A, 0, 0 },		/* version */
		{ CAP12_HANDLE, 4, RT_AUTH },
		{ 1, 4, ORD_GET_RANDOM },	/* ordinal supported? */
		{ 4, 4, 0x108 },	/* flags: permanent */
	};
	int i = rng_below(r, ARRAY_SIZE(caps));

	c_start(c, TAG_RQU_COMMAND, ORD_GET_CAP);
	p_u32(c, caps[i][0]);
	p_u32(c, caps[i][1]);
	if (caps[i][1])
		p_u32(c, caps[i][2]);
}

static void b1_list_auth(struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_GET_CAP);
	p_u32(c, CAP12_HANDLE);
	p_u32(c, 4);
	p_u32(c, RT_AUTH);
}

static void b1_oiap(struct fthread *t __attribute__((unused)),
		    struct rng *r __attribute__((unused)), struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_OIAP);
}

static void b1_extend(struct fthread *t __attribute__((unused)),
		      struct rng *r, struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_EXTEND);
	p_u32(c, 10 + rng_below(r, 6));
	p_random(c, r, 20);
}

static void b1_flush(struct fthread *t, struct rng *r, struct tcmd *c)
{
	c_start(c, TAG_RQU_COMMAND, ORD_FLUSH_SPECIFIC);
	c->param_handle = 1;
	p_u32(c, pick_handle(t, r, NULL));
	p_u32(c, RT_AUTH);
}

typedef void (*builder_fn)(struct fthread *, struct rng *, struct tcmd *);

static const builder_fn builders2[] = {
	b_get_random, b_pcr_read, b_get_cap, b_read_clock, b_start_session,
	b_flush, b_context_save, b_context_load, b_create_primary,
	b_read_public, b_policy_pcr, b_hash_start, b_seq_update,
	b_seq_complete,
};

static const int weights2[ARRAY_SIZE(builders2)] = {
	10, 8, 12, 4, 10, 10, 6, 5, 6, 6, 6, 6, 6, 3,
};

/* What each builder names, so as to make one first if the thread has none. */
static const char *const needs2[ARRAY_SIZE(builders2)] = {
	[5] = "kso", [6] = "ksohp", [9] = "ko", [10] = "p", [12] = "s",
	[13] = "s",
};

static const builder_fn builders1[] = {
	b1_get_random, b1_pcr_read, b1_get_cap, b1_oiap, b1_extend, b1_flush,
};

static const int weights1[ARRAY_SIZE(builders1)] = { 15, 10, 15, 15, 10, 12 };

/*
 * A valid command from the corpus.  A thread holding many handles flushes
 * one first more often: swtpm has three object and three session slots.
 */
static void build(struct fthread *t, struct rng *r, struct tcmd *c)
{
	uint32_t cand[MAX_HANDLES];
	int limit = is_rm ? 6 : 3, i;

	if (t->want_list) {
		if (tpm12)
			b1_list_auth(c);
		else
			b_list_handles(c, t->want_list);
		t->want_list = 0;
		return;
	}
	if (t->nr_handles >= limit && rng_pct(r, 50)) {
		(tpm12 ? b1_flush : b_flush)(t, r, c);
		return;
	}
	if (tpm12) {
		builders1[rng_weighted(r, weights1, ARRAY_SIZE(weights1))](t, r, c);
		return;
	}
	i = rng_weighted(r, weights2, ARRAY_SIZE(weights2));
	if (!needs2[i] || handles_of(t, needs2[i], cand) || rng_pct(r, 25)) {
		builders2[i](t, r, c);
	} else if (strchr(needs2[i], 'k')) {
		b_create_primary(t, r, c);
	} else if (needs2[i][0] == 's') {
		b_hash_start(t, r, c);
	} else {
		b_start_session(t, r, c);
		c->p[c->plen - 5] = 1;		/* sessionType: policy */
	}
}

/* TPM 2.0 form: header, handles, authorization area, parameters. */
static size_t serialize2(struct tcmd *c, uint8_t *b)
{
	size_t off = TPM_HDR, start;
	int i;

	for (i = 0; i < c->nh; i++, off += 4)
		put_be32(b + off, c->h[i]);
	c->off_auth_size = -1;
	if (c->na) {
		c->off_auth_size = off;
		off += 4;
		start = off;
		for (i = 0; i < c->na; i++) {
			struct auth *a = &c->a[i];

			put_be32(b + off, a->h);
			c->off_nonce[i] = off + 4;
			put_be16(b + off + 4, a->nonce_len);
			memcpy(b + off + 6, a->nonce, a->nonce_len);
			off += 6 + a->nonce_len;
			b[off++] = a->attrs;
			c->off_hmac[i] = off;
			put_be16(b + off, a->hmac_len);
			memcpy(b + off + 2, a->hmac, a->hmac_len);
			off += 2 + a->hmac_len;
		}
		put_be32(b + c->off_auth_size, off - start);
	}
	memcpy(b + off, c->p, c->plen);
	return off + c->plen;
}

/* TPM 1.2 form: header, parameters, then the authorization blocks. */
static size_t serialize1(struct tcmd *c, uint8_t *b)
{
	size_t off = TPM_HDR;
	int i;

	c->off_auth_size = -1;
	memcpy(b + off, c->p, c->plen);
	off += c->plen;
	for (i = 0; i < c->na; i++) {
		put_be32(b + off, c->a[i].h);
		memcpy(b + off + 4, c->a[i].nonce, 20);
		b[off + 24] = c->a[i].attrs;
		memcpy(b + off + 25, c->a[i].hmac, 20);
		off += 45;
	}
	return off;
}

static void serialize(struct fthread *t, struct tcmd *c)
{
	memset(t->wbuf, 0, sizeof(t->wbuf));
	put_be16(t->wbuf, c->tag);
	put_be32(t->wbuf + 6, c->cc);
	t->wlen = tpm12 ? serialize1(c, t->wbuf) : serialize2(c, t->wbuf);
	put_be32(t->wbuf + 2, t->wlen);
}

/* ---- client mode: mutations ---- */

enum {
	/* of the command's structure, before serialization */
	SM_HANDLE, SM_TAG, SM_SESSIONS, SM_SESS_CONTENT, SM_CC, SM_PARAMS,
	/* of the bytes written */
	BM_BITS, BM_BYTES, BM_AUTH_SIZE, BM_SESS_SIZE, BM_TRUNC, BM_APPEND,
	BM_HDR_LEN, BM_WRITE_SIZE,
	M_NR
};

/*
 * Command codes a mutated command may carry: none changes the TPM's
 * state for later tests (no Clear, HierarchyChangeAuth, PCR_Extend,
 * NV writes, Shutdown, ...).
 */
static const uint32_t safe_cc2[] = {
	0x131, 0x13E, 0x146, 0x15C, 0x161, 0x162, 0x165, 0x169, 0x16B, 0x16C,
	0x173, 0x176, 0x178, 0x17A, 0x17B, 0x17C, 0x17D, 0x17E, 0x17F, 0x180,
	0x181, 0x186, 0x189, 0x18A, 0x18C,
};

static const uint32_t safe_cc1[] = {
	ORD_OIAP, ORD_OSAP, ORD_EXTEND, ORD_PCR_READ, 0x46, 0x50, 0x53, 0x54,
	0x65, 0x7C, 0xA0, 0xA1, 0xA2, ORD_FLUSH_SPECIFIC, 0xF1,
};

static int in_list(const uint32_t *l, size_t n, uint32_t v)
{
	while (n--)
		if (*l++ == v)
			return 1;
	return 0;
}

/*
 * Safe for the TPM to see: a command of the list, one no TPM implements,
 * or the vtpm proxy's set-locality, which the driver must refuse.  A TPM
 * 2.0 may look at the low 16 bits only, so those decide.
 */
static int cc_safe(uint32_t cc)
{
	uint32_t idx = cc & 0xFFFF;

	if (cc == ORD_SET_LOCALITY)
		return 1;
	if (tpm12)
		return in_list(safe_cc1, ARRAY_SIZE(safe_cc1), cc) ||
		       ((cc & 0xFF00) && !(cc & 0x60000000));
	if (in_list(safe_cc2, ARRAY_SIZE(safe_cc2), idx))
		return 1;
	return !(cc & 0x20000000) && (idx < 0x11F || idx >= 0x1C0);
}

static uint32_t pick_cc(struct rng *r)
{
	switch (rng_below(r, 10)) {
	case 0:
		return ORD_SET_LOCALITY;
	case 1:
		return rng_next(r);
	case 2:
	case 3:
	case 4:
		return tpm12 ? 0x100 + rng_below(r, 0xFF00) :
			rng_pct(r, 50) ? rng_below(r, 0x11F) :
			0x1C0 + rng_below(r, 0xFE40);
	default:
		return tpm12 ? safe_cc1[rng_below(r, ARRAY_SIZE(safe_cc1))] :
			safe_cc2[rng_below(r, ARRAY_SIZE(safe_cc2))];
	}
}

static void sm_handle(struct fthread *t, struct rng *r, struct tcmd *c)
{
	uint32_t h = rng_pct(r, 50) ? pool_handle(r) : pick_handle(t, r, NULL);

	if (c->nh)
		c->h[rng_below(r, c->nh)] = h;
	else if (c->param_handle && c->plen >= 4)
		put_be32(c->p, h);
}

static void sm_tag(struct rng *r, struct tcmd *c)
{
	static const uint16_t tags[] = {
		ST_NO_SESSIONS, ST_SESSIONS, TAG_RQU_COMMAND, TAG_RQU_AUTH1,
		TAG_RQU_AUTH2,
	};

	if (rng_pct(r, 60) && !tpm12)
		c->tag = c->tag == ST_SESSIONS ? ST_NO_SESSIONS : ST_SESSIONS;
	else if (rng_pct(r, 80))
		c->tag = tags[rng_below(r, ARRAY_SIZE(tags))];
	else
		c->tag = rng_next(r);
}

static void random_auth(struct fthread *t, struct rng *r, struct auth *a)
{
	memset(a, 0, sizeof(*a));
	a->h = rng_pct(r, 40) ? RS_PW :
	       rng_pct(r, 50) ? pick_handle(t, r, "hp") :
	       pool_handle(r);
	a->attrs = rng_pct(r, 80) ? 1 : rng_next(r);
	a->nonce_len = tpm12 ? 20 : rng_below(r, 33);
	a->hmac_len = tpm12 ? 20 : rng_pct(r, 50) ? 0 : rng_below(r, 33);
	rng_fill(r, a->nonce, sizeof(a->nonce));
	rng_fill(r, a->hmac, sizeof(a->hmac));
}

/* Several sessions, often more than a command may carry. */
static void sm_sessions(struct fthread *t, struct rng *r, struct tcmd *c)
{
	int i;

	c->na = 1 + rng_below(r, tpm12 ? 2 : MAX_AUTHS);
	for (i = 0; i < c->na; i++)
		random_auth(t, r, &c->a[i]);
	if (tpm12)
		c->tag = c->na == 1 ? TAG_RQU_AUTH1 : TAG_RQU_AUTH2;
	else if (rng_pct(r, 80))
		c->tag = ST_SESSIONS;
}

static void sm_params(struct rng *r, struct tcmd *c)
{
	size_t i, n;

	switch (rng_below(r, 3)) {
	case 0:
		for (i = 0, n = 1 + rng_below(r, 4); c->plen && i < n; i++)
			c->p[rng_below(r, c->plen)] = rng_next(r);
		break;
	case 1:
		c->plen = rng_below(r, c->plen + 1);
		break;
	default:
		p_random(c, r, rng_pct(r, 90) ? 1 + rng_below(r, 64) :
			 rng_below(r, 3000));
	}
}

static void mutate_struct(struct fthread *t, struct rng *r, struct tcmd *c,
			  int m)
{
	switch (m) {
	case SM_HANDLE:
		sm_handle(t, r, c);
		break;
	case SM_TAG:
		sm_tag(r, c);
		break;
	case SM_SESSIONS:
		sm_sessions(t, r, c);
		break;
	case SM_SESS_CONTENT:
		if (c->na)
			random_auth(t, r, &c->a[rng_below(r, c->na)]);
		else
			sm_sessions(t, r, c);
		break;
	case SM_CC:
		c->cc = pick_cc(r);
		break;
	case SM_PARAMS:
		sm_params(r, c);
		break;
	}
}

/* Grow the write to @len, with random bytes; the header is left alone. */
static void grow(struct fthread *t, struct rng *r, size_t len)
{
	if (len > WBUF)
		len = WBUF;
	if (len > t->wlen)
		rng_fill(r, t->wbuf + t->wlen, len - t->wlen);
	t->wlen = len;
}

static void bm_hdr_len(struct fthread *t, struct rng *r)
{
	uint32_t len;

	switch (rng_below(r, 6)) {
	case 0:			/* shorter than the write */
		len = t->wlen > TPM_HDR ?
		      TPM_HDR + rng_below(r, t->wlen - TPM_HDR) : t->wlen;
		break;
	case 1:			/* longer */
		len = t->wlen + 1 + rng_below(r, 64);
		break;
	case 2:			/* under a header */
		len = rng_below(r, TPM_HDR);
		break;
	case 3:
		len = 0;
		break;
	case 4:			/* over the buffer */
		len = TPM_BUF + 1 + rng_below(r, 60000);
		break;
	default:
		len = rng_pct(r, 50) ? 0xFFFFFFFF : rng_next(r);
	}
	put_be32(t->wbuf + 2, len);
}

static void bm_write_size(struct fthread *t, struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:			/* longer: the driver sends the header's */
		grow(t, r, t->wlen + 1 + rng_below(r, 64));
		break;
	case 1:			/* shorter than the header */
		if (t->wlen > 1)
			t->wlen = 1 + rng_below(r, t->wlen - 1);
		break;
	case 2:			/* shorter than a header */
		t->wlen = 1 + rng_below(r, TPM_HDR - 1);
		break;
	default:		/* over the buffer */
		grow(t, r, TPM_BUF + 1 + rng_below(r, WBUF - TPM_BUF));
	}
}

static void bm_auth_size(struct fthread *t, struct rng *r,
			 const struct tcmd *c)
{
	uint8_t *p = t->wbuf + c->off_auth_size;

	switch (rng_below(r, 4)) {
	case 0:
		put_be32(p, be32(p) + rng_below(r, 17) - 8);
		break;
	case 1:
		put_be32(p, 0);
		break;
	case 2:
		put_be32(p, 0xFFFFFFFF);
		break;
	default:
		put_be32(p, rng_next(r));
	}
}

static void bm_sess_size(struct fthread *t, struct rng *r,
			 const struct tcmd *c)
{
	int i = rng_below(r, c->na);
	uint8_t *p = t->wbuf + (rng_pct(r, 50) ? c->off_nonce[i] :
				c->off_hmac[i]);

	switch (rng_below(r, 4)) {
	case 0:
		put_be16(p, be16(p) + 1 + rng_below(r, 40));
		break;
	case 1:
		put_be16(p, be16(p) - 1);
		break;
	case 2:
		put_be16(p, 0xFFFF);
		break;
	default:
		put_be16(p, 0);
	}
}

static void bm_bits(struct fthread *t, struct rng *r)
{
	int i, n = 1 + rng_below(r, 8);

	for (i = 0; i < n; i++)
		t->wbuf[rng_below(r, t->wlen)] ^= 1 << rng_below(r, 8);
}

static void bm_bytes(struct fthread *t, struct rng *r)
{
	static const uint8_t vals[] = { 0, 0xFF, 0x7F, 0x80, 1 };
	int i, n = 1 + rng_below(r, 4);

	for (i = 0; i < n; i++)
		t->wbuf[rng_below(r, t->wlen)] = rng_pct(r, 50) ?
			vals[rng_below(r, ARRAY_SIZE(vals))] : rng_next(r);
}

static void mutate_bytes(struct fthread *t, struct rng *r,
			 const struct tcmd *c, int m)
{
	if ((m == BM_AUTH_SIZE && c->off_auth_size < 0) ||
	    (m == BM_SESS_SIZE && (!c->na || tpm12)))
		m = BM_BITS;
	switch (m) {
	case BM_BITS:
		bm_bits(t, r);
		break;
	case BM_BYTES:
		bm_bytes(t, r);
		break;
	case BM_AUTH_SIZE:
		bm_auth_size(t, r, c);
		break;
	case BM_SESS_SIZE:
		bm_sess_size(t, r, c);
		break;
	case BM_TRUNC:		/* a consistent, truncated command */
		if (t->wlen > TPM_HDR)
			t->wlen = TPM_HDR + rng_below(r, t->wlen - TPM_HDR);
		put_be32(t->wbuf + 2, t->wlen);
		break;
	case BM_APPEND:		/* a consistent, longer command */
		grow(t, r, t->wlen + (rng_pct(r, 95) ? 1 + rng_below(r, 64) :
				      rng_below(r, WBUF - t->wlen)));
		put_be32(t->wbuf + 2, t->wlen);
		break;
	case BM_HDR_LEN:
		bm_hdr_len(t, r);
		break;
	case BM_WRITE_SIZE:
		bm_write_size(t, r);
		break;
	}
}

/*
 * No command the TPM would run may change its state for later tests;
 * with -u, no header length of 6..9 (it would hang upstream's TIS).
 */
static void sanitize(struct fthread *t, uint32_t orig_cc)
{
	uint32_t len;

	if (t->wlen >= 6 && upstream_tis) {
		len = be32(t->wbuf + 2);
		if (len >= 6 && len < TPM_HDR)
			put_be32(t->wbuf + 2, len - 5);
	}
	if (t->wlen >= TPM_HDR && !cc_safe(be32(t->wbuf + 6)))
		put_be32(t->wbuf + 6, orig_cc);
}

/* A command from the corpus, mutated, in t->wbuf. */
static void make_command(struct fthread *t, struct rng *r, struct tcmd *c)
{
	int m[3], n = 0, i;
	uint32_t orig_cc;

	build(t, r, c);
	orig_cc = c->cc;
	if (!rng_pct(r, 30)) {
		n = 1 + rng_below(r, 3);
		for (i = 0; i < n; i++)
			m[i] = rng_below(r, M_NR);
	}
	for (i = 0; i < n; i++)
		if (m[i] < BM_BITS)
			mutate_struct(t, r, c, m[i]);
	serialize(t, c);
	for (i = 0; i < n; i++)
		if (m[i] >= BM_BITS)
			mutate_bytes(t, r, c, m[i]);
	sanitize(t, orig_cc);
}

/* Must the driver refuse this write (E2BIG, EINVAL)? */
static int must_refuse(const struct fthread *t)
{
	uint32_t len;

	if (t->wlen > TPM_BUF || t->wlen < TPM_HDR)
		return 1;
	len = be32(t->wbuf + 2);
	return len < TPM_HDR || len > t->wlen;
}

/* ---- client mode: what the TPM answered ---- */

/* A TPM 2.0 response code naming a handle or a parameter that is bad. */
static int rc_bad_handle(uint32_t rc)
{
	return (rc & 0xBF) == 0x8B || (rc >= 0x910 && rc <= 0x916);
}

static void forget_named(struct fthread *t, const struct tcmd *c)
{
	int i;

	for (i = 0; i < c->nh; i++)
		handle_del(t, c->h[i]);
	if (c->param_handle && c->plen >= 4)
		handle_del(t, be32(c->p));
}

/*
 * Handles the TPM (or the space) lists: adopt a few the thread does not
 * know, lost when a file was closed unread or a response left half read.
 */
static void adopt(struct fthread *t, const uint8_t *h, int n, int size)
{
	int i, added = 0;
	uint32_t v;

	for (i = 0; i < n && added < 4; i++) {
		v = be32(h + 4 * i);
		if (handle_find(t, v) >= 0 || 4 * i + 4 > size)
			continue;
		handle_add(t, v, tpm12 ? 'h' : kind_of(v, 'a'));
		added++;
	}
}

/* The TPM is full: look at what it holds with the next command. */
static void want_list(struct fthread *t, uint32_t rc)
{
	if (tpm12) {
		t->want_list = rc == 0x15;	/* TPM_RESOURCES */
		return;
	}
	switch (rc & 0xFFF) {
	case 0x902:	/* OBJECT_MEMORY */
		t->want_list = HT_TRANSIENT;
		break;
	case 0x903:	/* SESSION_MEMORY: loaded sessions */
		t->want_list = HT_HMAC;
		break;
	case 0x905:	/* SESSION_HANDLES: active sessions */
		t->want_list = HT_POLICY;
		break;
	}
}

static void note_response12(struct fthread *t, uint32_t cc, uint32_t rc,
			    size_t len)
{
	if (cc == ORD_FLUSH_SPECIFIC && t->wlen >= 14)
		handle_del(t, be32(t->wbuf + 10));
	else if (cc == ORD_OIAP && !rc && len >= 14)
		handle_add(t, be32(t->rsp + 10), 'h');
	else if (cc == ORD_GET_CAP && !rc && len >= 16 && t->wlen >= 14 &&
		 be32(t->wbuf + 10) == CAP12_HANDLE)
		adopt(t, t->rsp + 16, be16(t->rsp + 14), len - 16);
	else if (rc)
		want_list(t, rc);
}

/* Keep the handles and contexts the thread got; forget those that went. */
static void note_response(struct fthread *t, struct rng *r,
			  const struct tcmd *c, size_t len)
{
	uint32_t cc = be32(t->wbuf + 6), rc = be32(t->rsp + 6);

	if (tpm12) {
		note_response12(t, cc, rc, len);
		return;
	}
	if (rc) {
		if (rc_bad_handle(rc) || cc == CC_FLUSH_CONTEXT)
			forget_named(t, c);
		want_list(t, rc);
		return;
	}
	if (len < 14)
		return;
	switch (cc) {
	case CC_START_AUTH_SESSION:
		share_session(be32(t->rsp + 10));
		/* fall through */
	case CC_CONTEXT_LOAD:
		handle_add(t, be32(t->rsp + 10), kind_of(be32(t->rsp + 10), 'o'));
		break;
	case CC_CREATE_PRIMARY:
		handle_add(t, be32(t->rsp + 10), 'k');
		break;
	case CC_HASH_SEQ_START:
		handle_add(t, be32(t->rsp + 10), 's');
		break;
	case CC_FLUSH_CONTEXT:
	case CC_SEQ_COMPLETE:
		if (t->wlen >= 14)
			handle_del(t, be32(t->wbuf + 10));
		break;
	case CC_CONTEXT_SAVE:
		if (be16(t->rsp) == ST_NO_SESSIONS)
			ctx_add(t, r, t->rsp + TPM_HDR, len - TPM_HDR);
		break;
	case CC_GET_CAP:
		if (len >= 19 && t->wlen >= 14 &&
		    be32(t->wbuf + 10) == CAP_HANDLES)
			adopt(t, t->rsp + 19, be32(t->rsp + 15), len - 19);
		break;
	}
}

/* ---- client mode: I/O patterns ---- */

static int open_dev(struct fthread *t)
{
	int i, fd = -EBUSY;

	/* The exclusive node may still be held by the file just closed. */
	for (i = 0; i < 100 && fd == -EBUSY; i++) {
		fd = t_open(t, dev, 0);
		if (fd == -EBUSY)
			usleep(10000);
	}
	if (fd < 0)
		report_bad(t, "open %s: %s", dev, strerror(-fd));
	return fd;
}

static void reopen(struct fthread *t)
{
	if (t->fd >= 0)
		t_close(t, t->fd);
	t->fd = open_dev(t);
	if (is_rm)
		t->nr_handles = 0;	/* a new space */
}

static void set_nonblock(struct fthread *t, int on)
{
	fcntl(t->fd, F_SETFL, on ? O_NONBLOCK : 0);
}

/* Write the op's command; > 0 if the driver took it. */
static ssize_t do_write(struct fthread *t, const struct tcmd *c, int refuse)
{
	ssize_t n = t_write(t, t->fd, t->wbuf, t->wlen);

	if (n < 0) {
		count_errno(t, -n, "write", 0);
		if (n == -EINVAL && !refuse)
			forget_named(t, c);
		return n;
	}
	if (refuse)
		report_bad(t, "a write the driver must refuse was taken (%zu bytes, header %u)",
			   t->wlen, t->wlen >= 6 ? be32(t->wbuf + 2) : 0);
	else if ((size_t)n != t->wlen)
		report_bad(t, "write returned %zd of %zu", n, t->wlen);
	return n;
}

/* One read of the whole response; its length if valid, else 0. */
static ssize_t read_whole(struct fthread *t, int nonblock)
{
	ssize_t n = t_read(t, t->fd, t->rsp, sizeof(t->rsp));

	if (n < 0) {
		count_errno(t, -n, "read", nonblock);
		return 0;
	}
	if (!n) {
		report_bad(t, "read gave 0 bytes after the command was taken");
		return 0;
	}
	return check_response(t, n) ? n : 0;
}

/* After an O_NONBLOCK write: maybe an early read, then poll and read. */
static ssize_t wait_nonblock(struct fthread *t, struct rng *r)
{
	ssize_t n;
	int ev;

	if (rng_pct(r, 50)) {
		n = t_read(t, t->fd, t->rsp, sizeof(t->rsp));
		if (n > 0)
			return check_response(t, n) ? n : 0;
		if (!n) {
			report_bad(t, "an early read gave 0 bytes");
			return 0;
		}
		count_errno(t, -n, "early read", 1);
		if (n != -EAGAIN)
			return 0;
	}
	ev = t_poll(t, t->fd, 70000);
	if (ev <= 0) {
		if (!t->hang_reported)
			report_bad(t, "poll: %s", ev ? strerror(-ev) : "no POLLIN in 70 s");
		return 0;
	}
	if (!(ev & POLLIN)) {
		report_bad(t, "poll gave 0x%x without POLLIN", ev);
		return 0;
	}
	return read_whole(t, 1);
}

static ssize_t io_block(struct fthread *t, const struct tcmd *c, int refuse)
{
	return do_write(t, c, refuse) > 0 ? read_whole(t, 0) : 0;
}

static ssize_t io_nonblock(struct fthread *t, struct rng *r,
			   const struct tcmd *c, int refuse)
{
	ssize_t n;

	set_nonblock(t, 1);
	n = do_write(t, c, refuse);
	if (n > 0)
		n = wait_nonblock(t, r);
	set_nonblock(t, 0);
	return n > 0 ? n : 0;
}

/* The response in random pieces; sometimes left half read. */
static ssize_t io_partial(struct fthread *t, struct rng *r,
			  const struct tcmd *c, int refuse)
{
	size_t total = 0, want = 0, chunk;
	ssize_t n;

	if (do_write(t, c, refuse) <= 0)
		return 0;
	for (;;) {
		chunk = rng_pct(r, 30) ? 1 + rng_below(r, 4) :
			1 + rng_below(r, 600);
		if (chunk > sizeof(t->rsp) - total)
			chunk = sizeof(t->rsp) - total;
		n = t_read(t, t->fd, t->rsp + total, chunk);
		if (n < 0 && !total) {
			count_errno(t, -n, "read", 0);
			return 0;
		}
		if (n <= 0) {
			report_bad(t, "the response ended after %zu bytes: %s",
				   total, n ? strerror(-n) : "read gave 0");
			return 0;
		}
		total += n;
		if (total >= 6)
			want = be32(t->rsp + 2);
		if (total >= 6 && (total >= want || want < TPM_HDR ||
				   want > TPM_BUF))
			break;
		if (rng_pct(r, 4)) {
			tally.abandoned++;
			return 0;
		}
	}
	return check_response(t, total) ? total : 0;
}

/* A second write while the first command or its response is pending. */
static ssize_t io_double(struct fthread *t, struct rng *r,
			 const struct tcmd *c, int refuse)
{
	int nonblock = rng_pct(r, 50);
	uint8_t second[14];
	ssize_t n;

	set_nonblock(t, nonblock);
	n = do_write(t, c, refuse);
	if (n > 0) {
		if (tpm12) {
			put_be16(second, TAG_RQU_COMMAND);
			put_be32(second + 2, 14);
			put_be32(second + 6, ORD_GET_RANDOM);
			put_be32(second + 10, 8);
		} else {
			put_be16(second, ST_NO_SESSIONS);
			put_be32(second + 2, 12);
			put_be32(second + 6, CC_GET_RANDOM);
			put_be16(second + 10, 8);
		}
		n = t_write(t, t->fd, second, be32(second + 2));
		if (n >= 0)
			report_bad(t, "a second write was taken before the first response was read");
		else
			count_errno(t, -n, "second write", 0);
		n = nonblock ? wait_nonblock(t, r) : read_whole(t, 0);
	}
	set_nonblock(t, 0);
	return n > 0 ? n : 0;
}

/* Close with the command in flight or its response unread; reopen. */
static void io_noread(struct fthread *t, struct rng *r, const struct tcmd *c,
		      int refuse)
{
	set_nonblock(t, rng_pct(r, 50));
	if (do_write(t, c, refuse) > 0)
		tally.unread++;
	reopen(t);
}

enum { IO_BLOCK, IO_NONBLOCK, IO_PARTIAL, IO_DOUBLE, IO_NOREAD, IO_NR };
static const int io_weights[IO_NR] = { 45, 20, 15, 10, 10 };

static void client_op(struct fthread *t)
{
	struct rng r = { rng_next(&t->rng) };
	struct tcmd c;
	ssize_t n = 0;
	int refuse;

	if (t->fd < 0 || rng_pct(&r, 3))
		reopen(t);
	make_command(t, &r, &c);
	refuse = must_refuse(t);
	tally.ops++;
	if (t->fd < 0)
		return;
	switch (rng_weighted(&r, io_weights, IO_NR)) {
	case IO_BLOCK:
		n = io_block(t, &c, refuse);
		break;
	case IO_NONBLOCK:
		n = io_nonblock(t, &r, &c, refuse);
		break;
	case IO_PARTIAL:
		n = io_partial(t, &r, &c, refuse);
		break;
	case IO_DOUBLE:
		n = io_double(t, &r, &c, refuse);
		break;
	default:
		io_noread(t, &r, &c, refuse);
	}
	if (n > 0 && t->wlen >= TPM_HDR)
		note_response(t, &r, &c, n);
}

static void *client_thread(void *arg)
{
	struct fthread *t = arg;

	t->fd = open_dev(t);
	for (t->op = 0; t->op < t->nr_ops; t->op++)
		client_op(t);
	if (t->fd >= 0)
		t_close(t, t->fd);
	t->fd = -1;
	return NULL;
}

/* ---- client mode: checks afterwards ---- */

static void cmd_done(struct cmd *c)
{
	put_be32(c->b + 2, c->len);
}

/* A command and its whole response (in t->rsp): its length or -errno. */
static ssize_t transact(struct fthread *t, int fd, struct cmd *c)
{
	ssize_t n;

	cmd_done(c);
	memcpy(t->wbuf, c->b, c->len);
	t->wlen = c->len;
	n = t_write(t, fd, c->b, c->len);
	if (n < 0)
		return n;
	n = t_read(t, fd, t->rsp, sizeof(t->rsp));
	if (n < 0)
		return n;
	if (n < TPM_HDR || be32(t->rsp + 2) != (uint32_t)n)
		return -EBADMSG;
	return n;
}

/* GetCapability(HANDLES) from @first: how many (up to @max in @h), or -1. */
static int get_handles(struct fthread *t, int fd, uint32_t first,
		       uint32_t *h, int max)
{
	struct cmd c;
	ssize_t n;
	int i, count;

	cmd_init(&c, ST_NO_SESSIONS, CC_GET_CAP);
	cmd_u32(&c, CAP_HANDLES);
	cmd_u32(&c, first);
	cmd_u32(&c, max);
	n = transact(t, fd, &c);
	if (n < 19 || be32(t->rsp + 6))
		return -1;
	count = be32(t->rsp + 15);
	for (i = 0; i < count && i < max && 19 + 4 * i + 4 <= n; i++)
		h[i] = be32(t->rsp + 19 + 4 * i);
	return count;
}

static const uint32_t handle_types[] = { HT_TRANSIENT, HT_HMAC, HT_POLICY };
static const char *const handle_type_names[] = {
	"objects", "loaded sessions", "saved sessions",
};

/* Flush every object and session through @fd; how many are left. */
static int flush_all2(struct fthread *t, int fd, int *flushed)
{
	uint32_t h[64];
	struct cmd c;
	int i, k, n, round, left = 0;

	for (k = 0; k < 3; k++) {
		for (round = 0; round < 8; round++) {
			n = get_handles(t, fd, handle_types[k], h, 64);
			if (n <= 0)
				break;
			for (i = 0; i < n && i < 64; i++) {
				cmd_init(&c, ST_NO_SESSIONS, CC_FLUSH_CONTEXT);
				cmd_u32(&c, h[i]);
				if (transact(t, fd, &c) >= TPM_HDR &&
				    !be32(t->rsp + 6))
					(*flushed)++;
			}
		}
		n = get_handles(t, fd, handle_types[k], h, 64);
		left += n < 0 ? 1 : n;
	}
	return left;
}

/* TPM 1.2: the authorization sessions loaded (up to @max in @h), or -1. */
static int auth_handles12(struct fthread *t, int fd, uint32_t *h, int max)
{
	struct cmd c;
	ssize_t n;
	int i, count;

	cmd_init(&c, TAG_RQU_COMMAND, ORD_GET_CAP);
	cmd_u32(&c, CAP12_HANDLE);
	cmd_u32(&c, 4);
	cmd_u32(&c, RT_AUTH);
	n = transact(t, fd, &c);
	if (n < 16 || be32(t->rsp + 6))
		return -1;
	count = be16(t->rsp + 14);
	for (i = 0; i < count && i < max && 16 + 4 * i + 4 <= n; i++)
		h[i] = be32(t->rsp + 16 + 4 * i);
	return count;
}

/* TPM 1.2: flush every authorization session; how many are left. */
static int flush_all1(struct fthread *t, int fd, int *flushed)
{
	uint32_t h[64];
	struct cmd c;
	int i, n, round;

	for (round = 0; round < 4; round++) {
		n = auth_handles12(t, fd, h, 64);
		if (n <= 0)
			return n;
		for (i = 0; i < n && i < 64; i++) {
			cmd_init(&c, TAG_RQU_COMMAND, ORD_FLUSH_SPECIFIC);
			cmd_u32(&c, h[i]);
			cmd_u32(&c, RT_AUTH);
			if (transact(t, fd, &c) >= TPM_HDR && !be32(t->rsp + 6))
				(*flushed)++;
		}
	}
	return auth_handles12(t, fd, h, 64);
}

/*
 * Authorization failures on objects without noDA count towards the
 * lockout; leave the TPM as the fuzzer found it for later suites.
 */
static void da_reset(struct fthread *t, int fd)
{
	struct cmd c;
	uint32_t count;
	ssize_t n;

	cmd_init(&c, ST_NO_SESSIONS, CC_GET_CAP);
	cmd_u32(&c, CAP_PROPERTIES);
	cmd_u32(&c, PT_LOCKOUT_COUNTER);
	cmd_u32(&c, 1);
	n = transact(t, fd, &c);
	if (n < 27 || be32(t->rsp + 6) || be32(t->rsp + 19) != PT_LOCKOUT_COUNTER)
		return;
	count = be32(t->rsp + 23);
	if (!count)
		return;
	cmd_init(&c, ST_SESSIONS, CC_DA_LOCK_RESET);
	cmd_u32(&c, RH_LOCKOUT);
	cmd_pw_session(&c);
	n = transact(t, fd, &c);
	printf("post: lockout counter was %u; DictionaryAttackLockReset: %s\n",
	       count, n >= TPM_HDR && !be32(t->rsp + 6) ? "ok" : "failed");
}

/* Through a fresh open, GetRandom(16) must give 16 bytes. */
static int check_random(struct fthread *t)
{
	int fd = open_dev(t), ok;
	struct cmd c;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (tpm12) {
		cmd_init(&c, TAG_RQU_COMMAND, ORD_GET_RANDOM);
		cmd_u32(&c, 16);
	} else {
		cmd_init(&c, ST_NO_SESSIONS, CC_GET_RANDOM);
		cmd_u16(&c, 16);
	}
	n = transact(t, fd, &c);
	ok = tpm12 ? n == 30 && !be32(t->rsp + 6) && be32(t->rsp + 10) == 16 :
		     n == 28 && !be32(t->rsp + 6) && be16(t->rsp + 10) == 16;
	printf("post: GetRandom(16) through a fresh open: %s\n",
	       ok ? "16 bytes" : n < 0 ? strerror(-n) : "a wrong answer");
	t_close(t, fd);
	return ok;
}

/* /dev/tpmN: nothing of the fuzzer may stay in the TPM. */
static int cleanup_tpm(struct fthread *t)
{
	int fd = open_dev(t), flushed = 0, left;

	if (fd < 0)
		return 0;
	left = tpm12 ? flush_all1(t, fd, &flushed) :
		       flush_all2(t, fd, &flushed);
	if (!tpm12)
		da_reset(t, fd);
	printf("post: flushed %d objects and sessions left by the fuzzer; %d left\n",
	       flushed, left);
	t_close(t, fd);
	return left == 0;
}

/* /dev/tpmrmN: a new space sees no handle of any kind. */
static int check_new_space(struct fthread *t)
{
	int fd = open_dev(t), k, n, ok = 1;
	uint32_t h[16];

	if (fd < 0)
		return 0;
	for (k = 0; k < 3; k++) {
		n = get_handles(t, fd, handle_types[k], h, 16);
		printf("post: a new space lists %d %s\n", n,
		       handle_type_names[k]);
		ok &= n == 0;
	}
	da_reset(t, fd);
	t_close(t, fd);
	return ok;
}

/* Informational: what the TPM itself holds, seen through @path. */
static void look_through(struct fthread *t, const char *path)
{
	int fd = t_open(t, path, 0), k;
	uint32_t h[64];

	if (fd < 0) {
		printf("post: cannot open %s: %s\n", path, strerror(-fd));
		return;
	}
	printf("post: the TPM holds (through %s):", path);
	for (k = 0; k < 3; k++)
		printf(" %d %s", get_handles(t, fd, handle_types[k], h, 64),
		       handle_type_names[k]);
	printf("\n");
	t_close(t, fd);
}

static double elapsed_s(void)
{
	return (now_ns() - t_start) / 1e9;
}

static void client_summary(void)
{
	double s = elapsed_s();

	printf("result: ops=%ld valid=%ld abandoned=%ld unread=%ld errnos:",
	       (long)tally.ops, (long)tally.valid, (long)tally.abandoned,
	       (long)tally.unread);
	print_errnos();
	printf(" bad=%ld elapsed=%.1fs ops/s=%.1f\n", (long)tally.bad, s,
	       tally.ops / (s > 0 ? s : 1));
}

static int client_main(int nr_files, long ops)
{
	struct fthread *post;
	pthread_t watchdog;
	int i, ok = 1;

	is_rm = !!strstr(dev, "tpmrm");
	if (tpm12 && is_rm) {
		fprintf(stderr, "a TPM 1.2 has no /dev/tpmrmN\n");
		return 2;
	}
	if (!is_rm && nr_files > 1) {
		fprintf(stderr, "%s is exclusive: one file only\n", dev);
		return 2;
	}
	print_summary = client_summary;
	nr_threads = nr_files + 1;
	post = &threads[nr_files];
	post->kind = "post";
	post->id = 0;
	post->fd = -1;
	pthread_create(&watchdog, NULL, watchdog_main, NULL);
	t_start = now_ns();
	for (i = 0; i < nr_files; i++) {
		threads[i].id = i;
		threads[i].kind = "thread";
		threads[i].rng.s = seed + i;
		threads[i].nr_ops = ops / nr_files + (i < ops % nr_files);
		pthread_create(&threads[i].thread, NULL, client_thread,
			       &threads[i]);
	}
	for (i = 0; i < nr_files; i++)
		pthread_join(threads[i].thread, NULL);
	printf("client %s: %d files, TPM %s\n", dev, nr_files,
	       tpm12 ? "1.2" : "2.0");
	client_summary();

	if (!is_rm)
		ok &= cleanup_tpm(post);
	else
		ok &= check_new_space(post);
	ok &= check_random(post);
	if (look_dev && !tpm12)
		look_through(post, look_dev);
	watch_stop = 1;
	pthread_join(watchdog, NULL);
	printf("post: %s\n", ok ? "passed" : "FAILED");
	return !ok || tally.bad;
}

/* ---- server mode: the hostile server (a child process) ---- */

enum {
	B_OK, B_ERROR, B_GARBAGE, B_TRUNC, B_LONG_HDR, B_SHORT_HDR,
	B_OVERSIZE, B_ZERO, B_LATE, B_DOUBLE, B_CLOSE, B_DIE, B_NR
};

static const char *const behaviour_name[B_NR] = {
	"ok", "error", "garbage", "truncated", "long-header", "short-header",
	"oversized", "empty", "late", "twice", "close", "die",
};

/* How often each misbehaviour is chosen (B_OK is never chosen here). */
static const int hostile_weights[B_NR] = {
	0, 14, 14, 10, 8, 5, 8, 6, 16, 8, 1, 1,
};

/* Shared with the server children (MAP_SHARED). */
struct srv_stats {
	atomic_long requests, client_requests;
	atomic_long behaviour[B_NR];
	atomic_long oversize_refused, second_refused, bad;
};

static struct srv_stats *ss;

enum { P_TAME, P_STARTUP, P_FIRST, P_NR };
static const int profile_weights[P_NR] = { 50, 30, 20 };

struct srv {
	int fd;
	int ctl;
	struct rng r;
	int profile;
	int startup;		/* no client request seen yet */
	int first;
	uint8_t req[TPM_BUF];
	uint8_t rsp[WBUF];
};

/* Async-signal-safe enough after fork(): no stdio, no malloc. */
static void child_say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1) < 0)
		return;
}

static void srv_bad(const char *what, ssize_t n)
{
	if (++ss->bad <= MAX_BAD_PRINTS)
		child_say("BAD: seed %llu server %d: %s (%zd bytes written)\n",
			  (unsigned long long)seed, (int)getpid(), what, n);
}

static void srv_close_exit(struct srv *s)
{
	close(s->fd);
	_exit(0);
}

/* A client's GetRandom: its format says the family, then the marker. */
static int is_marker(const uint8_t *req, size_t n)
{
	return (n == 16 && be16(req) == ST_NO_SESSIONS &&
		be32(req + 6) == CC_GET_RANDOM && be32(req + 12) == MARKER) ||
	       (n == 18 && be16(req) == TAG_RQU_COMMAND &&
		be32(req + 6) == ORD_GET_RANDOM && be32(req + 14) == MARKER);
}

/* The right answer: n bytes to a client, what start-up needs otherwise. */
static size_t srv_answer(struct srv *s, size_t n, int marker)
{
	uint8_t *b = s->rsp;
	uint32_t k;

	if (n < TPM_HDR) {
		memset(b, 0, TPM_HDR);
		put_be16(b, ST_NO_SESSIONS);
		put_be32(b + 2, TPM_HDR);
		return TPM_HDR;
	}
	if (!marker)
		return vtpm_answer(s->req, n, b);
	memset(b, 0, 16);
	if (n == 16) {
		k = be16(s->req + 10);
		put_be16(b, ST_NO_SESSIONS);
		put_be16(b + 10, k);
		rng_fill(&s->r, b + 12, k);
		k += 12;
	} else {
		k = be32(s->req + 10);
		put_be16(b, TAG_RSP_COMMAND);
		put_be32(b + 10, k);
		rng_fill(&s->r, b + 14, k);
		k += 14;
	}
	put_be32(b + 2, k);
	return k;
}

/* A bare header with an error, some of which the driver retries. */
static size_t srv_error(struct srv *s)
{
	static const uint32_t rc2[] = { 0x101, 0x922, 0x90A, 0x100, 0x12D, 0x143 };
	static const uint32_t rc1[] = { 0x09, 0x800, 0x802, 0x26 };
	int tpm2 = be16(s->req) != TAG_RQU_COMMAND;

	put_be16(s->rsp, tpm2 ? ST_NO_SESSIONS : TAG_RSP_COMMAND);
	put_be32(s->rsp + 2, TPM_HDR);
	put_be32(s->rsp + 6, tpm2 ? rc2[rng_below(&s->r, ARRAY_SIZE(rc2))] :
			     rc1[rng_below(&s->r, ARRAY_SIZE(rc1))]);
	return TPM_HDR;
}

/*
 * Random bytes.  To a client, always with a header length that is not
 * the length written (the driver must catch it: a client cannot tell a
 * consistent lie from the truth); to the driver's own commands often a
 * consistent success header with a random body, for its parsers.
 */
static size_t srv_garbage(struct srv *s, int marker)
{
	size_t len = rng_pct(&s->r, 80) ? rng_below(&s->r, 80) :
		     rng_below(&s->r, TPM_BUF + 1);
	uint8_t *b = s->rsp;

	rng_fill(&s->r, b, len);
	if (!marker && len >= TPM_HDR && rng_pct(&s->r, 60)) {
		put_be16(b, be16(s->req) == TAG_RQU_COMMAND ? TAG_RSP_COMMAND :
			 ST_NO_SESSIONS);
		put_be32(b + 2, len);
		put_be32(b + 6, 0);
	} else if (len >= 6 && be32(b + 2) == len) {
		put_be32(b + 2, len + 1);
	}
	return len;
}

static void srv_write(struct srv *s, size_t len)
{
	if (write(s->fd, s->rsp, len) < 0 && errno == EPIPE)
		_exit(0);
}

/* Sleep @ms, or close and exit when told to. */
static void srv_sleep(struct srv *s, int ms)
{
	struct pollfd p = { .fd = s->ctl, .events = POLLIN };

	if (poll(&p, 1, ms) > 0)
		srv_close_exit(s);
}

static int srv_choose(struct srv *s, int marker)
{
	int first = s->first, pct;

	s->first = 0;
	if (marker)
		s->startup = 0;
	if (first && s->profile == P_FIRST)
		return rng_weighted(&s->r, hostile_weights, B_NR);
	switch (s->profile) {
	case P_TAME:
		if (s->startup)
			return B_OK;
		pct = 35;
		break;
	case P_STARTUP:
		pct = 30;
		break;
	default:
		pct = 20;
	}
	return rng_pct(&s->r, pct) ?
	       rng_weighted(&s->r, hostile_weights, B_NR) : B_OK;
}

static void srv_one(struct srv *s, size_t n)
{
	int marker = is_marker(s->req, n), b = srv_choose(s, marker);
	size_t len = srv_answer(s, n, marker);
	ssize_t rc;

	ss->requests++;
	ss->client_requests += marker;
	ss->behaviour[b]++;
	switch (b) {
	case B_ERROR:
		len = srv_error(s);
		break;
	case B_GARBAGE:
		len = srv_garbage(s, marker);
		break;
	case B_TRUNC:
		len = rng_below(&s->r, len);
		break;
	case B_LONG_HDR:
		put_be32(s->rsp + 2, len + 1 + rng_below(&s->r, 200));
		break;
	case B_SHORT_HDR:
		put_be32(s->rsp + 2, rng_below(&s->r, len));
		break;
	case B_OVERSIZE:
		rc = write(s->fd, s->rsp, TPM_BUF + 1 +
			   rng_below(&s->r, WBUF - TPM_BUF));
		if (rc >= 0)
			srv_bad("an oversized answer was taken", rc);
		else
			ss->oversize_refused++;
		break;
	case B_ZERO:
		len = 0;
		break;
	case B_LATE:
		srv_sleep(s, rng_pct(&s->r, 90) ? 1 + rng_below(&s->r, 200) :
			  2000 + rng_below(&s->r, 600));
		break;
	case B_DOUBLE:
		srv_write(s, len);
		rc = write(s->fd, s->rsp, len);
		if (rc >= 0)
			srv_bad("a second answer to one request was taken", rc);
		else
			ss->second_refused++;
		return;
	case B_CLOSE:
		srv_close_exit(s);
		break;
	case B_DIE:
		if (rng_pct(&s->r, 50))
			kill(getpid(), SIGKILL);
		_exit(0);
	}
	srv_write(s, len);
}

static void srv_loop(struct srv *s)
{
	struct pollfd p[2] = { { .fd = s->fd, .events = POLLIN },
			       { .fd = s->ctl, .events = POLLIN } };
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		if (p[1].revents)
			srv_close_exit(s);
		if (!p[0].revents)
			continue;
		n = read(s->fd, s->req, sizeof(s->req));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			/* EPIPE: registration failed, or the chip went. */
			_exit(errno == EPIPE ? 0 : 3);
		}
		srv_one(s, n);
	}
}

static struct srv srv;	/* only a server child uses it */

static void srv_main(int fd, int ctl, uint64_t srv_seed)
{
	int i;

	/* Hold no client's file open: only the server fd and ctl. */
	for (i = 3; i < 1024; i++)
		if (i != fd && i != ctl)
			close(i);
	srv.fd = fd;
	srv.ctl = ctl;
	srv.r.s = srv_seed;
	srv.profile = rng_weighted(&srv.r, profile_weights, P_NR);
	srv.startup = 1;
	srv.first = 1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	srv_loop(&srv);
}

/* ---- server mode: the clients ---- */

static char dev_path[64];	/* /dev/tpmN of the current chip, or "" */
static int dev_tpm2;
static pthread_mutex_t path_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_path(const char *p, int tpm2)
{
	pthread_mutex_lock(&path_lock);
	snprintf(dev_path, sizeof(dev_path), "%s", p);
	dev_tpm2 = tpm2;
	pthread_mutex_unlock(&path_lock);
}

/* GetRandom(@n) with the marker after it, in t->wbuf. */
static void marker_cmd(struct fthread *t, int tpm2, uint32_t n)
{
	uint8_t *b = t->wbuf;

	if (tpm2) {
		put_be16(b, ST_NO_SESSIONS);
		put_be32(b + 6, CC_GET_RANDOM);
		put_be16(b + 10, n);
		put_be32(b + 12, MARKER);
		t->wlen = 16;
	} else {
		put_be16(b, TAG_RQU_COMMAND);
		put_be32(b + 6, ORD_GET_RANDOM);
		put_be32(b + 10, n);
		put_be32(b + 14, MARKER);
		t->wlen = 18;
	}
	put_be32(b + 2, t->wlen);
}

/* Exactly @n random bytes in the family's format, or a TPM error. */
static int random_answer_ok(struct fthread *t, ssize_t len, int tpm2,
			    uint32_t n)
{
	const uint8_t *b = t->rsp;

	if (len < TPM_HDR || be32(b + 2) != (uint32_t)len || !valid_tag(be16(b)))
		return 0;
	if (be32(b + 6)) {
		tally.tpm_errors++;
		return len == TPM_HDR;
	}
	if (tpm2)
		return be16(b) == ST_NO_SESSIONS && len == 12 + n &&
		       be16(b + 10) == n;
	return be16(b) == TAG_RSP_COMMAND && len == 14 + n &&
	       be32(b + 10) == n;
}

/* One GetRandom; returns 0 to go on with this fd, -1 to close it. */
static int sclient_command(struct fthread *t, struct rng *r, int fd,
			   int tpm2, int nonblock)
{
	uint32_t n = 1 + rng_below(r, 48);
	ssize_t len;
	int ev;

	t->op++;
	marker_cmd(t, tpm2, n);
	len = t_write(t, fd, t->wbuf, t->wlen);
	if (len < 0) {
		count_errno(t, -len, "write", 0);
		return -1;
	}
	tally.ops++;
	if (nonblock) {
		ev = t_poll(t, fd, 70000);
		if (ev <= 0) {
			report_bad(t, "poll: %s", ev ? strerror(-ev) : "no POLLIN in 70 s");
			return -1;
		}
		if (!(ev & POLLIN)) {
			tally.hup++;
			return -1;
		}
	}
	len = t_read(t, fd, t->rsp, sizeof(t->rsp));
	if (len < 0) {
		count_errno(t, -len, "read", nonblock);
		return -1;
	}
	if (!random_answer_ok(t, len, tpm2, n)) {
		report_bad(t, "a wrong answer (%zd bytes) to TPM %s GetRandom(%u)",
			   len, tpm2 ? "2.0" : "1.2", n);
		return -1;
	}
	tally.valid++;
	return 0;
}

static void *sclient_thread(void *arg)
{
	struct fthread *t = arg;
	int nonblock = t->id & 1, rm = t->id & 2, tpm2, fd, i;
	char path[80];

	while (!stop) {
		pthread_mutex_lock(&path_lock);
		if (rm && dev_tpm2 && dev_path[0])
			snprintf(path, sizeof(path), "/dev/tpmrm%s", dev_path + 8);
		else
			snprintf(path, sizeof(path), "%s", dev_path);
		tpm2 = dev_tpm2;
		pthread_mutex_unlock(&path_lock);
		if (!path[0]) {
			usleep(1000);
			continue;
		}
		fd = t_open(t, path, nonblock ? O_NONBLOCK : 0);
		if (fd < 0) {
			count_errno(t, -fd, "open", 0);
			usleep(200 + t->id * 100);
			continue;
		}
		for (i = 0; i < 8 && !stop; i++)
			if (sclient_command(t, &t->rng, fd, tpm2, nonblock))
				break;
		t_close(t, fd);
	}
	return NULL;
}

/* ---- server mode: the cycles ---- */

static struct {
	int cycles, tpm12, registered, not_registered;
	long long worst_wake, worst_gone;
} sv;

/*
 * After the server went at @t_gone: every client call begun before then
 * must return within GONE_NS.  The worst wake-up time, or -1.
 */
static long long wait_sleepers(long long t_gone, int nr)
{
	long long worst = 0, s, e;
	int i, asleep;

	do {
		asleep = 0;
		for (i = 0; i < nr; i++) {
			s = threads[i].call_start;
			if (s && s < t_gone) {
				asleep++;
				if (now_ns() - t_gone > GONE_NS) {
					report_bad(&threads[i], "still asleep 10 s after the server went");
					return -1;
				}
			}
		}
		if (asleep)
			usleep(500);
	} while (asleep);
	for (i = 0; i < nr; i++) {
		e = threads[i].call_end;
		if (e > t_gone && e - t_gone > worst)
			worst = e - t_gone;
	}
	return worst;
}

/* Wait for a child until @ns; 1 if it exited. */
static int reap(pid_t pid, long long ns)
{
	long long t0 = now_ns();

	do {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 1;
		usleep(1000);
	} while (now_ns() - t0 < ns);
	return 0;
}

/* A new chip and its server child; the child's pid, or -1. */
static pid_t start_server(int tpm2, uint64_t srv_seed, unsigned int *num,
			  int *ctl_out, int tame)
{
	int fd = vtpm_create(num, tpm2), ctl[2];
	pid_t pid;

	if (fd < 0 || pipe(ctl)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(ctl[1]);
		if (tame)
			_exit(vtpm_serve(fd, ctl[0]));
		srv_main(fd, ctl[0], srv_seed);
	}
	close(fd);
	close(ctl[0]);
	*ctl_out = ctl[1];
	return pid;
}

/* The node appears (1), the server exits first (0), or neither (-1). */
static int wait_registered(pid_t pid, const char *path, int *exited)
{
	long long t0 = now_ns();
	struct stat st;

	while (now_ns() - t0 < HANG_NS) {
		if (stat(path, &st) == 0)
			return 1;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			*exited = 1;
			return 0;
		}
		usleep(1000);
	}
	return -1;
}

static struct fthread *main_thread(void)
{
	return &threads[nr_threads - 1];
}

/*
 * Let the clients at the chip for 20..300 ms, or one time in ten for
 * 2.5..4 s (past a command's timeout: a late answer must be dropped),
 * unless the server ends first.
 */
static long long run_cycle(pid_t pid, int ctl, int *exited, struct rng *r)
{
	long long ms = rng_pct(r, 10) ? 2500 + rng_below(r, 1500) :
		       20 + rng_below(r, 280);
	long long end = now_ns() + ms * 1000000LL;

	while (now_ns() < end) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			*exited = 1;
			return now_ns();
		}
		usleep(2000);
	}
	if (rng_pct(r, 50) || write(ctl, "x", 1) < 0)
		kill(pid, SIGKILL);
	return now_ns();
}

static void cycle(int c, struct rng *r, int nr_clients)
{
	struct fthread *m = main_thread();
	int tpm2 = c % 4 != 3, exited = 0, ctl, reg;
	long long t_gone, w, g;
	unsigned int num;
	char path[64], rm_path[64];
	pid_t pid;

	m->op = c;
	pid = start_server(tpm2, rng_next(r), &num, &ctl, 0);
	if (pid < 0) {
		report_bad(m, "cannot create a vtpm proxy chip: %s", strerror(errno));
		stop = 1;
		return;
	}
	sv.tpm12 += !tpm2;
	snprintf(path, sizeof(path), "/dev/tpm%u", num);
	snprintf(rm_path, sizeof(rm_path), "/dev/tpmrm%u", num);
	reg = wait_registered(pid, path, &exited);
	if (reg < 0)
		report_bad(m, "registration neither ended nor failed in 60 s");
	if (reg > 0) {
		sv.registered++;
		set_path(path, tpm2);
		t_gone = run_cycle(pid, ctl, &exited, r);
	} else {
		sv.not_registered++;
		t_gone = now_ns();
		if (!exited)
			kill(pid, SIGKILL);
	}
	if (!exited && !reap(pid, GONE_NS)) {
		report_bad(m, "the server did not end 10 s after it was told to");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(ctl);
	w = wait_sleepers(t_gone, nr_clients);
	g = wait_gone(path, t_gone, GONE_NS);
	if (g >= 0 && wait_gone(rm_path, t_gone, GONE_NS) < 0)
		g = -1;
	if (g < 0)
		report_bad(m, "%s or %s still there 10 s after the server went",
			   path, rm_path);
	set_path("", 1);
	if (w > sv.worst_wake)
		sv.worst_wake = w;
	if (g > sv.worst_gone)
		sv.worst_gone = g;
}

/* A well-behaved chip still works after all that. */
static int sanity_chip(void)
{
	struct fthread *m = main_thread();
	int ctl, fd, ok = 0, exited = 0;
	unsigned int num;
	char path[64];
	struct cmd c;
	ssize_t n;
	pid_t pid;

	m->op = sv.cycles;
	pid = start_server(1, 0, &num, &ctl, 1);
	if (pid < 0)
		return 0;
	snprintf(path, sizeof(path), "/dev/tpm%u", num);
	if (wait_registered(pid, path, &exited) > 0) {
		fd = t_open(m, path, 0);
		cmd_init(&c, ST_NO_SESSIONS, CC_GET_RANDOM);
		cmd_u16(&c, 16);
		n = fd < 0 ? fd : transact(m, fd, &c);
		ok = n == 28 && be16(m->rsp + 10) == 16;
		if (fd >= 0)
			t_close(m, fd);
	} else {
		ok = 0;
	}
	if (!exited && (write(ctl, "x", 1) < 0 || !reap(pid, GONE_NS))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(ctl);
	ok &= wait_gone(path, now_ns(), GONE_NS) >= 0;
	printf("post: a well-behaved chip answers GetRandom(16) and goes: %s\n",
	       ok ? "yes" : "NO");
	return ok;
}

static int count_chips(void)
{
	DIR *d = opendir("/sys/class/tpm");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void server_summary(void)
{
	double s = elapsed_s();
	int i;

	printf("server: %d cycles (%d TPM 1.2), %d registered, %d not; requests %ld (clients' %ld):",
	       sv.cycles, sv.tpm12, sv.registered, sv.not_registered,
	       (long)ss->requests, (long)ss->client_requests);
	for (i = 0; i < B_NR; i++)
		printf(" %s=%ld", behaviour_name[i], (long)ss->behaviour[i]);
	printf("; refused: oversized %ld, second answer %ld\n",
	       (long)ss->oversize_refused, (long)ss->second_refused);
	printf("worst server end to last sleeper woken %.1f ms, to node gone %.1f ms\n",
	       sv.worst_wake / 1e6, sv.worst_gone / 1e6);
	printf("result: cycles=%d registered=%d commands=%ld valid=%ld tpm-errors=%ld poll-HUP=%ld errnos:",
	       sv.cycles, sv.registered, (long)tally.ops, (long)tally.valid,
	       (long)tally.tpm_errors, (long)tally.hup);
	print_errnos();
	printf(" bad=%ld elapsed=%.1fs cycles/s=%.2f\n",
	       (long)(tally.bad + ss->bad), s, sv.cycles / (s > 0 ? s : 1));
}

static int server_main(int cycles, int nr_clients)
{
	struct rng r = { seed };
	pthread_t watchdog;
	int i, ok, chips = count_chips();

	ss = mmap(NULL, sizeof(*ss), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ss == MAP_FAILED)
		return 1;
	server_mode = 1;
	print_summary = server_summary;
	nr_threads = nr_clients + 1;
	main_thread()->kind = "cycle";
	pthread_create(&watchdog, NULL, watchdog_main, NULL);
	t_start = now_ns();
	for (i = 0; i < nr_clients; i++) {
		threads[i].id = i;
		threads[i].kind = "client";
		threads[i].rng.s = seed + 1000 + i;
		pthread_create(&threads[i].thread, NULL, sclient_thread,
			       &threads[i]);
	}
	for (sv.cycles = 0; sv.cycles < cycles && !stop; sv.cycles++)
		cycle(sv.cycles, &r, nr_clients);
	stop = 1;
	for (i = 0; i < nr_clients; i++)
		pthread_join(threads[i].thread, NULL);
	server_summary();
	ok = sanity_chip();
	i = count_chips();
	printf("post: TPM chips before %d, after %d\n", chips, i);
	ok &= i == chips;
	/* With a dozen chips or more, some client must have got its bytes. */
	if (cycles >= 12 && !tally.valid) {
		printf("post: no client ever got a valid answer\n");
		ok = 0;
	}
	watch_stop = 1;
	pthread_join(watchdog, NULL);
	printf("post: %s\n", ok ? "passed" : "FAILED");
	return !ok || tally.bad || ss->bad;
}

/* ---- main ---- */

static int usage(void)
{
	fprintf(stderr,
		"usage: tpm-fuzz client -d DEV [-s SEED] [-n OPS] [-f FILES] [-1] [-u] [-c TPM0]\n"
		"       tpm-fuzz server [-s SEED] [-n CYCLES] [-c CLIENTS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = -1;
	int opt, files = 1, clients = 4, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	optind = 2;
	while ((opt = getopt(argc, argv, "d:s:n:f:c:1u")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'f':
			files = atoi(optarg);
			break;
		case 'c':
			look_dev = optarg;
			clients = atoi(optarg);
			break;
		case '1':
			tpm12 = 1;
			break;
		case 'u':
			upstream_tis = 1;
			break;
		default:
			return usage();
		}
	}
	printf("tpm-fuzz: seed %llu; argv:", (unsigned long long)seed);
	for (i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (!strcmp(mode, "client")) {
		if (!dev || files < 1 || files > MAX_THREADS)
			return usage();
		return client_main(files, n < 0 ? 1000 : n);
	}
	if (!strcmp(mode, "server")) {
		if (clients < 1 || clients > MAX_THREADS)
			return usage();
		return server_main(n < 0 ? 40 : n, clients);
	}
	return usage();
}
