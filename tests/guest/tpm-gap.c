// SPDX-License-Identifier: GPL-2.0
/*
 * The context gap through /dev/tpmrm0, against a real TPM (swtpm).
 *
 *   tpm-gap [-n extra]
 *
 * Reads TPM_PT_CONTEXT_GAP_MAX through /dev/tpm0, starts a policy session
 * in one /dev/tpmrm0 file (A), then three in a second file (B), which
 * leaves A's saved (the resource manager keeps two sessions loaded), and
 * runs TPM2_PolicyGetDigest on B's sessions in turn gap + extra times:
 * each command has the resource manager save another of B's sessions to
 * make room, so the TPM's context counter passes the gap behind A's
 * session and the TPM answers TPM_RC_CONTEXT_GAP unless the oldest
 * session is refreshed.  The counter is read before and after (the
 * sequence number of a session saved through /dev/tpm0) and must have
 * moved by more than the gap.  Every command must succeed, and A's session
 * must still work at the end; nothing may be left in the TPM once both
 * files are closed.
 * Saved sessions earlier suites left in the TPM are flushed first.
 * Prints TEST- lines (suite gap) and the figures.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include "tpmtool.h"

#define CC_START_AUTH_SESSION	0x176
#define CC_POLICY_GET_DIGEST	0x189
#define CC_FLUSH_CONTEXT	0x165
#define CC_CONTEXT_SAVE		0x162
#define SESSIONS_B		3
#define CAP_HANDLES		1
#define PT_CONTEXT_GAP_MAX	0x114
#define HT_SAVED_SESSION	0x03000000
#define RH_NULL			0x40000007
#define ALG_NULL		0x0010

static int failed;

static void result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("TEST-%s: gap/%s", ok ? "PASS" : "FAIL", name);
	if (fmt) {
		printf(ok ? " (" : ": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		if (ok)
			printf(")");
	}
	printf("\n");
	fflush(stdout);
	failed += !ok;
}

/* Send and receive; the response code, or -errno (-EPROTO: bad answer). */
static long run(int fd, struct cmd *c, uint8_t *rsp)
{
	ssize_t len;

	put_be32(c->b + 2, c->len);
	if (write(fd, c->b, c->len) != (ssize_t)c->len)
		return -errno;
	len = read(fd, rsp, 4096);
	if (len < 0)
		return -errno;
	if (len < TPM_HDR || be32(rsp + 2) != (uint32_t)len)
		return -EPROTO;
	return be32(rsp + 6);
}

static long start_policy_session(int fd, uint32_t *session)
{
	uint8_t rsp[4096];
	struct cmd c;
	long rc;

	cmd_init(&c, ST_NO_SESSIONS, CC_START_AUTH_SESSION);
	cmd_u32(&c, RH_NULL);
	cmd_u32(&c, RH_NULL);
	cmd_u16(&c, 16);
	cmd_fill(&c, 0x5a, 16);
	cmd_u16(&c, 0);
	cmd_u8(&c, 0x01);		/* TPM_SE_POLICY */
	cmd_u16(&c, ALG_NULL);
	cmd_u16(&c, ALG_SHA256);
	rc = run(fd, &c, rsp);
	if (!rc)
		*session = be32(rsp + TPM_HDR);
	return rc;
}

static long policy_digest(int fd, uint32_t session)
{
	uint8_t rsp[4096];
	struct cmd c;

	cmd_init(&c, ST_NO_SESSIONS, CC_POLICY_GET_DIGEST);
	cmd_u32(&c, session);
	return run(fd, &c, rsp);
}

/* GetCapability(TPM_PROPERTIES, @prop): its value, or -1. */
static long tpm_property(int fd, uint32_t prop)
{
	uint8_t rsp[4096];
	struct cmd c;

	cmd_init(&c, ST_NO_SESSIONS, CC_GET_CAP);
	cmd_u32(&c, CAP_PROPERTIES);
	cmd_u32(&c, prop);
	cmd_u32(&c, 1);
	if (run(fd, &c, rsp) || be32(rsp + TPM_HDR + 5) != 1 ||
	    be32(rsp + TPM_HDR + 9) != prop)
		return -1;
	return be32(rsp + TPM_HDR + 13);
}

/*
 * The TPM's context counter: the sequence number of a session saved (and
 * flushed) through /dev/tpm0; -1 if that fails.
 */
static long long context_counter(void)
{
	long long seq = -1;
	uint8_t rsp[4096];
	uint32_t s;
	struct cmd c;
	int fd;

	fd = open("/dev/tpm0", O_RDWR);
	if (fd < 0 || start_policy_session(fd, &s))
		goto out;
	cmd_init(&c, ST_NO_SESSIONS, CC_CONTEXT_SAVE);
	cmd_u32(&c, s);
	if (!run(fd, &c, rsp))
		seq = (long long)be32(rsp + TPM_HDR) << 32 | be32(rsp + TPM_HDR + 4);
	cmd_init(&c, ST_NO_SESSIONS, CC_FLUSH_CONTEXT);
	cmd_u32(&c, s);
	run(fd, &c, rsp);
out:
	if (fd >= 0)
		close(fd);
	return seq;
}

/*
 * Saved sessions in the TPM, through /dev/tpm0; -1 if that fails.  With
 * @flush, they are flushed too (what earlier suites left, which the
 * resource manager may not know: the gap is then not its to mend).
 */
static long saved_sessions(int flush)
{
	uint8_t rsp[4096];
	struct cmd c, f;
	long n = -1, i;
	int fd;

	fd = open("/dev/tpm0", O_RDWR);
	if (fd < 0)
		return -1;
	cmd_init(&c, ST_NO_SESSIONS, CC_GET_CAP);
	cmd_u32(&c, CAP_HANDLES);
	cmd_u32(&c, HT_SAVED_SESSION);
	cmd_u32(&c, 64);
	if (!run(fd, &c, rsp))
		n = be32(rsp + TPM_HDR + 5);
	for (i = 0; flush && i < n && i < 64; i++) {
		uint8_t frsp[4096];

		cmd_init(&f, ST_NO_SESSIONS, CC_FLUSH_CONTEXT);
		cmd_u32(&f, be32(rsp + TPM_HDR + 9 + 4 * i));
		run(fd, &f, frsp);
	}
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	long extra = 100, gap, i, rc = 0, before;
	uint32_t sa, sb[SESSIONS_B];
	long long t0, c0, c1;
	int fd, a, b;

	if (argc == 3 && !strcmp(argv[1], "-n"))
		extra = atol(argv[2]);
	fd = open("/dev/tpm0", O_RDWR);
	gap = fd < 0 ? -1 : tpm_property(fd, PT_CONTEXT_GAP_MAX);
	if (fd >= 0)
		close(fd);
	before = saved_sessions(1);
	if (before > 0)
		printf("guest:   flushed %ld saved sessions left by earlier suites\n",
		       before);
	before = saved_sessions(0);
	if (gap <= 0 || gap > 1000000 || before < 0) {
		result(0, "context-gap", "TPM_PT_CONTEXT_GAP_MAX: %ld", gap);
		return 1;
	}
	a = open("/dev/tpmrm0", O_RDWR);
	b = open("/dev/tpmrm0", O_RDWR);
	if (a < 0 || b < 0 || start_policy_session(a, &sa)) {
		result(0, "context-gap", "cannot start the sessions");
		return 1;
	}
	for (i = 0; i < SESSIONS_B; i++) {
		if (start_policy_session(b, &sb[i])) {
			result(0, "context-gap", "cannot start the sessions");
			return 1;
		}
	}
	c0 = context_counter();
	t0 = now_ns();
	for (i = 0; i < gap + extra && !rc; i++)
		rc = policy_digest(b, sb[i % SESSIONS_B]);
	t0 = now_ns() - t0;
	c1 = context_counter();
	if (rc)
		result(0, "context-gap-commands", "command %ld of %ld: %ld",
		       i, gap + extra, rc);
	else if (c0 < 0 || c1 - c0 <= gap)
		result(0, "context-gap-commands",
		       "the context counter moved from %lld to %lld, the gap is %ld",
		       c0, c1, gap);
	else
		result(1, "context-gap-commands",
		       "%ld commands, %lld saves, a gap of %ld, %.0f/s",
		       gap + extra, c1 - c0, gap, (gap + extra) * 1e9 / t0);
	rc = policy_digest(a, sa);
	if (rc)
		result(0, "context-gap-oldest-kept", "%ld", rc);
	else
		result(1, "context-gap-oldest-kept", NULL);
	close(a);
	close(b);
	rc = saved_sessions(0);
	result(rc == before, "context-gap-nothing-left",
	       "%ld saved sessions before, %ld after", before, rc);
	return failed ? 1 : 0;
}
