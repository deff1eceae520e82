// SPDX-License-Identifier: GPL-2.0
/*
 * tpm-suspend <family: 1|2> <wake after, seconds>
 *
 * One suspend to RAM (ACPI S3) of the test guest with clients holding the
 * TPM, and what must hold after it.  QEMU resets the TPM on the way back
 * and the firmware (SeaBIOS) restarts it with Startup(STATE), which only
 * works if the driver had the TPM save its state (TPM2_Shutdown(STATE),
 * TPM_SaveState) and sent it nothing afterwards.
 *
 * Before: /dev/tpm0 is opened and held; PCR 10 is extended.  For a TPM 2.0
 * also /dev/tpmrm0: a primary HMAC key is created and used, a policy
 * session started and a command code bound to it, and TPM2_ReadClock
 * gives the reset and restart counts.  Then the CMOS RTC is set to wake
 * the guest, a slow command (an RSA primary key) is written to
 * /dev/tpmrm0 with O_NONBLOCK, and "mem" is written to /sys/power/state
 * (mem_sleep "deep") at once, so the suspend may find it still running.
 *
 * After: the held /dev/tpm0 still works, PCR 10 kept its value; a TPM 2.0
 * counts one more restart and no reset (a TPM Resume), the slow command's
 * answer can be read, and the key and the session in the /dev/tpmrm0
 * space still work and give the same HMAC and policy digest; /dev/hwrng
 * gives bytes.
 *
 * Statically linked: it runs from tmpfs after the 9p root file system is
 * gone (virtio-9p does not survive a suspend of the guest).  Prints
 * "TEST-PASS: suspend/<name>" or "TEST-FAIL: suspend/<name>: <why>" lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include "tpmtool.h"

#define PCR		10	/* no firmware measures into it */
#define SHA1_SIZE	20
#define SHA256_SIZE	32
#define RH_NULL		0x40000007
#define ALG_NULL	0x0010
#define CC_HMAC			0x155
#define CC_POLICY_COMMAND_CODE	0x16C
#define CC_START_AUTH_SESSION	0x176
#define CC_PCR_READ		0x17E
#define CC_READ_CLOCK		0x181
#define CC_PCR_EXTEND		0x182
#define CC_POLICY_GET_DIGEST	0x189
#define ORD_EXTEND		0x0014
#define ORD_PCR_READ		0x0015

static int failed;

static void pass(const char *name)
{
	printf("TEST-PASS: suspend/%s\n", name);
	fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("TEST-FAIL: suspend/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failed++;
}

/*
 * Send, receive into rsp (4096 bytes); the response length, or -1 with
 * *why set.  A TPM error is a failure too.
 */
static ssize_t run(int fd, struct cmd *c, uint8_t *rsp, const char **why)
{
	static char msg[80];
	ssize_t len;

	put_be32(c->b + 2, c->len);
	if (write(fd, c->b, c->len) != (ssize_t)c->len) {
		snprintf(msg, sizeof(msg), "write: %s", strerror(errno));
		*why = msg;
		return -1;
	}
	len = read(fd, rsp, 4096);
	if (len < TPM_HDR || be32(rsp + 2) != (uint32_t)len) {
		snprintf(msg, sizeof(msg), "read: %zd bytes (%s)", len,
			 len < 0 ? strerror(errno) : "short or bad header");
		*why = msg;
		return -1;
	}
	if (be32(rsp + 6)) {
		snprintf(msg, sizeof(msg), "command 0x%x: TPM error 0x%x",
			 be32(c->b + 6), be32(rsp + 6));
		*why = msg;
		return -1;
	}
	return len;
}

/* Each query fills out[] and returns 0, or -1 with *why set. */

static int pcr_read(int fd, int tpm2, uint8_t *out, const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;
	ssize_t len;
	size_t n = tpm2 ? SHA256_SIZE : SHA1_SIZE;

	if (tpm2) {
		cmd_init(&c, ST_NO_SESSIONS, CC_PCR_READ);
		cmd_u32(&c, 1);
		cmd_u16(&c, ALG_SHA256);
		cmd_u8(&c, 3);
		cmd_u8(&c, 0);
		cmd_u8(&c, 1 << (PCR - 8));
		cmd_u8(&c, 0);
	} else {
		cmd_init(&c, TAG_RQU_COMMAND, ORD_PCR_READ);
		cmd_u32(&c, PCR);
	}
	len = run(fd, &c, rsp, why);
	if (len < 0)
		return -1;
	if ((size_t)len < TPM_HDR + n) {
		*why = "PCR read: short response";
		return -1;
	}
	memcpy(out, rsp + len - n, n);
	return 0;
}

static int pcr_extend(int fd, int tpm2, const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;

	if (tpm2) {
		cmd_init(&c, ST_SESSIONS, CC_PCR_EXTEND);
		cmd_u32(&c, PCR);
		cmd_pw_session(&c);
		cmd_u32(&c, 1);
		cmd_u16(&c, ALG_SHA256);
		cmd_fill(&c, 0x5a, SHA256_SIZE);
	} else {
		cmd_init(&c, TAG_RQU_COMMAND, ORD_EXTEND);
		cmd_u32(&c, PCR);
		cmd_fill(&c, 0x5a, SHA1_SIZE);
	}
	return run(fd, &c, rsp, why) < 0 ? -1 : 0;
}

static int get_random(int fd, int tpm2, const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;
	ssize_t len;

	cmd_init(&c, tpm2 ? ST_NO_SESSIONS : TAG_RQU_COMMAND,
	      tpm2 ? CC_GET_RANDOM : ORD_GET_RANDOM);
	if (tpm2)
		cmd_u16(&c, 16);
	else
		cmd_u32(&c, 16);
	len = run(fd, &c, rsp, why);
	if (len < 0)
		return -1;
	if (len != TPM_HDR + (tpm2 ? 2 : 4) + 16) {
		*why = "GetRandom: wrong length";
		return -1;
	}
	return 0;
}

/* TPM2_ReadClock: resetCount and restartCount. */
static int read_clock(int fd, uint32_t *reset, uint32_t *restart,
		      const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;
	ssize_t len;

	cmd_init(&c, ST_NO_SESSIONS, CC_READ_CLOCK);
	len = run(fd, &c, rsp, why);
	if (len < 0)
		return -1;
	if (len < TPM_HDR + 25) {
		*why = "ReadClock: short response";
		return -1;
	}
	*reset = be32(rsp + TPM_HDR + 16);
	*restart = be32(rsp + TPM_HDR + 20);
	return 0;
}

/*
 * A primary HMAC key (SHA-256) in the owner hierarchy: SHA-256 name;
 * fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign.
 */
static const uint8_t hmac_key_public[] = {
	0x00, 0x08, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x72, 0x00, 0x00,
	0x00, 0x05, 0x00, 0x0B, 0x00, 0x00,
};

static int create_hmac_key(int fd, uint32_t *handle, const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;

	cmd_create_primary(&c, hmac_key_public, sizeof(hmac_key_public));
	if (run(fd, &c, rsp, why) < 0)
		return -1;
	*handle = be32(rsp + TPM_HDR);
	return 0;
}

static int hmac(int fd, uint32_t key, uint8_t *out, const char **why)
{
	static const char data[] = "tpm-oot suspend";
	uint8_t rsp[4096];
	struct cmd c;
	ssize_t len;

	cmd_init(&c, ST_SESSIONS, CC_HMAC);
	cmd_u32(&c, key);
	cmd_pw_session(&c);
	cmd_u16(&c, sizeof(data));
	cmd_bytes(&c, data, sizeof(data));
	cmd_u16(&c, ALG_NULL);
	len = run(fd, &c, rsp, why);
	if (len < 0)
		return -1;
	if (len < TPM_HDR + 4 + 2 + SHA256_SIZE ||
	    be16(rsp + TPM_HDR + 4) != SHA256_SIZE) {
		*why = "HMAC: unexpected response";
		return -1;
	}
	memcpy(out, rsp + TPM_HDR + 6, SHA256_SIZE);
	return 0;
}

/* A policy session whose digest says "only for TPM2_HMAC"; its handle. */
static int start_policy(int fd, uint32_t *session, const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;

	cmd_init(&c, ST_NO_SESSIONS, CC_START_AUTH_SESSION);
	cmd_u32(&c, RH_NULL);		/* unsalted */
	cmd_u32(&c, RH_NULL);		/* unbound */
	cmd_u16(&c, 16);		/* nonceCaller */
	cmd_fill(&c, 0xa5, 16);
	cmd_u16(&c, 0);			/* no salt */
	cmd_u8(&c, 0x01);			/* TPM_SE_POLICY */
	cmd_u16(&c, ALG_NULL);		/* no parameter encryption */
	cmd_u16(&c, ALG_SHA256);
	if (run(fd, &c, rsp, why) < 0)
		return -1;
	*session = be32(rsp + TPM_HDR);

	cmd_init(&c, ST_NO_SESSIONS, CC_POLICY_COMMAND_CODE);
	cmd_u32(&c, *session);
	cmd_u32(&c, CC_HMAC);
	return run(fd, &c, rsp, why) < 0 ? -1 : 0;
}

static int policy_digest(int fd, uint32_t session, uint8_t *out,
			 const char **why)
{
	uint8_t rsp[4096];
	struct cmd c;
	ssize_t len;

	cmd_init(&c, ST_NO_SESSIONS, CC_POLICY_GET_DIGEST);
	cmd_u32(&c, session);
	len = run(fd, &c, rsp, why);
	if (len < 0)
		return -1;
	if (len != TPM_HDR + 2 + SHA256_SIZE) {
		*why = "PolicyGetDigest: unexpected response";
		return -1;
	}
	memcpy(out, rsp + TPM_HDR + 2, SHA256_SIZE);
	return 0;
}

/* An RSA-2048 storage primary (prime search), written O_NONBLOCK. */
static int start_slow(int fd, const char **why)
{
	struct cmd c;

	cmd_create_primary(&c, tpm_rsa_storage_public,
			   sizeof(tpm_rsa_storage_public));
	put_be32(c.b + 2, c.len);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    write(fd, c.b, c.len) != (ssize_t)c.len) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* Its answer, after the resume. */
static void finish_slow(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t rsp[4096];
	ssize_t len;

	if (poll(&p, 1, 60000) != 1) {
		fail("inflight-command", "no POLLIN within 60 s of the resume");
		return;
	}
	len = read(fd, rsp, sizeof(rsp));
	fcntl(fd, F_SETFL, 0);
	if (len < TPM_HDR || be32(rsp + 2) != (uint32_t)len)
		fail("inflight-command", "read gave %zd (%s)", len,
		     len < 0 ? strerror(errno) : "bad header");
	else if (be32(rsp + 6))
		fail("inflight-command", "TPM error 0x%x", be32(rsp + 6));
	else
		pass("inflight-command");
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

/* State taken before the suspend and compared after it. */
struct seen {
	uint8_t pcr[SHA256_SIZE];
	uint8_t mac[SHA256_SIZE];
	uint8_t policy[SHA256_SIZE];
	uint32_t reset, restart;
};

/* Extend PCR 10 and read it; TPM 2.0: the space's key, session, clock. */
static int before(int fd, int rm, int tpm2, struct seen *s, uint32_t *key,
		  uint32_t *session)
{
	uint8_t pcr0[SHA256_SIZE];
	const char *why = NULL;

	if (pcr_read(fd, tpm2, pcr0, &why) || pcr_extend(fd, tpm2, &why) ||
	    pcr_read(fd, tpm2, s->pcr, &why)) {
		fail("before-pcr", "%s", why);
		return -1;
	}
	if (!memcmp(pcr0, s->pcr, sizeof(pcr0))) {
		fail("before-pcr", "PCR %d did not change on extend", PCR);
		return -1;
	}
	if (!tpm2)
		return 0;
	if (read_clock(fd, &s->reset, &s->restart, &why) ||
	    create_hmac_key(rm, key, &why) || hmac(rm, *key, s->mac, &why) ||
	    start_policy(rm, session, &why) ||
	    policy_digest(rm, *session, s->policy, &why)) {
		fail("before-tpmrm", "%s", why);
		return -1;
	}
	printf("guest:   before: resetCount %u restartCount %u, key 0x%x, session 0x%x\n",
	       s->reset, s->restart, *key, *session);
	return 0;
}

/*
 * ACPI S3, woken by the CMOS RTC after @secs seconds; with a slow command
 * just sent to @rm if that is open.
 */
static int suspend_to_ram(int secs, int rm)
{
	long ok = read_long("/sys/power/suspend_stats/success");
	struct pollfd p = { .fd = rm, .events = POLLIN };
	const char *why = NULL;
	long long t0;
	char alarm[16];
	int rc;

	rc = write_file("/sys/power/mem_sleep", "deep");
	if (rc) {
		fail("s3", "mem_sleep deep: %s (no S3 in this guest?)",
		     strerror(-rc));
		return -1;
	}
	snprintf(alarm, sizeof(alarm), "+%d", secs);
	if (write_file("/sys/class/rtc/rtc0/wakealarm", "0") ||
	    write_file("/sys/class/rtc/rtc0/wakealarm", alarm)) {
		fail("s3", "cannot set the RTC wake alarm");
		return -1;
	}
	if (rm >= 0 && start_slow(rm, &why)) {
		fail("inflight-command", "%s", why);
		return -1;
	}
	if (rm >= 0)
		printf("guest:   the slow command was %s when the suspend began\n",
		       poll(&p, 1, 0) == 1 ? "done" : "still running");
	fflush(stdout);
	t0 = now_ns();
	rc = write_file("/sys/power/state", "mem");
	if (rc) {
		fail("s3", "writing mem to /sys/power/state: %s", strerror(-rc));
		return -1;
	}
	if (read_long("/sys/power/suspend_stats/success") != ok + 1) {
		fail("s3", "suspend_stats/success did not count it");
		return -1;
	}
	printf("guest:   suspended and resumed in %lld ms\n",
	       (now_ns() - t0) / 1000000);
	pass("s3");
	return 0;
}

static void check_same(const char *name, const uint8_t *was, const uint8_t *now,
		       size_t n)
{
	if (memcmp(was, now, n))
		fail(name, "value before the suspend differs from after");
	else
		pass(name);
}

static void after(int fd, int rm, int tpm2, const struct seen *s, uint32_t key,
		  uint32_t session)
{
	uint8_t v[SHA256_SIZE];
	uint32_t reset, restart;
	const char *why = NULL;

	if (get_random(fd, tpm2, &why))
		fail("held-tpm0", "%s", why);
	else
		pass("held-tpm0");
	if (pcr_read(fd, tpm2, v, &why))
		fail("pcr-kept", "%s", why);
	else
		check_same("pcr-kept", s->pcr, v, tpm2 ? SHA256_SIZE : SHA1_SIZE);
	if (!tpm2)
		return;
	finish_slow(rm);
	if (read_clock(fd, &reset, &restart, &why)) {
		fail("tpm-resume", "%s", why);
	} else if (reset != s->reset || restart != s->restart + 1) {
		fail("tpm-resume", "resetCount %u -> %u, restartCount %u -> %u: not a TPM Resume",
		     s->reset, reset, s->restart, restart);
	} else {
		pass("tpm-resume");
	}
	if (hmac(rm, key, v, &why))
		fail("tpmrm-key-kept", "%s", why);
	else
		check_same("tpmrm-key-kept", s->mac, v, SHA256_SIZE);
	if (policy_digest(rm, session, v, &why))
		fail("tpmrm-session-kept", "%s", why);
	else
		check_same("tpmrm-session-kept", s->policy, v, SHA256_SIZE);
}

static void hwrng_check(void)
{
	uint8_t b[32];
	int fd = open("/dev/hwrng", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b));

	if (n == sizeof(b))
		pass("hwrng");
	else
		fail("hwrng", "read gave %zd (%s)", n, strerror(errno));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	int tpm2, secs, fd, rm = -1;
	uint32_t key = 0, session = 0;
	struct seen s;

	if (argc != 3) {
		fprintf(stderr, "usage: tpm-suspend <1|2> <wake after, seconds>\n");
		return 2;
	}
	tpm2 = atoi(argv[1]) == 2;
	secs = atoi(argv[2]);
	fd = open("/dev/tpm0", O_RDWR);
	if (fd < 0 || (tpm2 && (rm = open("/dev/tpmrm0", O_RDWR)) < 0)) {
		fail("open", "%s", strerror(errno));
		return 1;
	}
	if (!before(fd, rm, tpm2, &s, &key, &session) && !suspend_to_ram(secs, rm)) {
		after(fd, rm, tpm2, &s, key, session);
		hwrng_check();
	}
	if (rm >= 0)
		close(rm);
	close(fd);
	return failed ? 1 : 0;
}
