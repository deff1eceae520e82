/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pieces shared by the user-space test tools (tests/stress, tests/bench,
 * tests/guest): big-endian fields, a monotonic clock, a command builder,
 * and a minimal vtpm proxy server
 * that answers what a registering chip asks and GetRandom, fast enough
 * that the driver, not the server, is what a benchmark measures.
 */
#ifndef TPMTOOL_H
#define TPMTOOL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/vtpm_proxy.h>

#define TPM_HDR		10
#define TAG_RQU_COMMAND	0x00C1	/* TPM 1.2 */
#define TAG_RSP_COMMAND	0x00C4
#define ORD_GET_RANDOM	0x0046
#define ORD_GET_CAP	0x0065
#define ORD_STARTUP	0x0099
#define ORD_SET_LOCALITY 0x20001000
#define RC_INVALID_POSTINIT 0x0026
#define ST_NO_SESSIONS	0x8001
#define ST_SESSIONS	0x8002
#define CC_GET_RANDOM	0x17B
#define CC_GET_CAP	0x17A
#define CAP_COMMANDS	2
#define CAP_PCRS	5
#define CAP_PROPERTIES	6
#define RS_PW		0x40000009	/* the password session */
#define ALG_SHA256	0x000B

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Wait for @path to disappear: the ns from @t0 until it did, or -1 if it
 * is still there @limit_ns after @t0.
 */
static inline long long wait_gone(const char *path, long long t0,
				  long long limit_ns)
{
	struct stat st;

	while (stat(path, &st) == 0) {
		if (now_ns() - t0 > limit_ns)
			return -1;
		usleep(200);
	}
	return now_ns() - t0;
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static inline uint16_t be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* A TPM command being built; the caller sets the length field. */
struct cmd {
	uint8_t b[4096];
	size_t len;
};

static inline void cmd_init(struct cmd *c, uint16_t tag, uint32_t cc)
{
	put_be16(c->b, tag);
	put_be32(c->b + 6, cc);
	c->len = TPM_HDR;
}

static inline void cmd_u8(struct cmd *c, uint8_t v)
{
	c->b[c->len++] = v;
}

static inline void cmd_u16(struct cmd *c, uint16_t v)
{
	put_be16(c->b + c->len, v);
	c->len += 2;
}

static inline void cmd_u32(struct cmd *c, uint32_t v)
{
	put_be32(c->b + c->len, v);
	c->len += 4;
}

static inline void cmd_fill(struct cmd *c, uint8_t v, size_t n)
{
	memset(c->b + c->len, v, n);
	c->len += n;
}

static inline void cmd_bytes(struct cmd *c, const void *p, size_t n)
{
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

/* The password session with an empty password, as the only session. */
static inline void cmd_pw_session(struct cmd *c)
{
	cmd_u32(c, 9);
	cmd_u32(c, RS_PW);
	cmd_u16(c, 0);		/* nonce */
	cmd_u8(c, 0);		/* attributes */
	cmd_u16(c, 0);		/* password */
}

#define RH_OWNER	0x40000001
#define CC_CREATE_PRIMARY 0x131

/*
 * A TPMT_PUBLIC for CreatePrimary: an RSA-2048 storage key (SHA-256 name;
 * fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, restricted,
 * decrypt; AES-128-CFB, no scheme, the default exponent).  Its prime
 * search makes it the slowest common command.
 */
static const uint8_t tpm_rsa_storage_public[] = {
	0x00, 0x01, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x72, 0x00, 0x00,
	0x00, 0x06, 0x00, 0x80, 0x00, 0x43, 0x00, 0x10, 0x08, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* TPM2_CreatePrimary in the owner hierarchy (empty password) of @pub. */
static inline void cmd_create_primary(struct cmd *c, const uint8_t *pub,
				      size_t n)
{
	cmd_init(c, ST_SESSIONS, CC_CREATE_PRIMARY);
	cmd_u32(c, RH_OWNER);
	cmd_pw_session(c);
	cmd_u16(c, 4);		/* inSensitive: no auth, no data */
	cmd_u16(c, 0);
	cmd_u16(c, 0);
	cmd_u16(c, n);		/* inPublic */
	cmd_bytes(c, pub, n);
	cmd_u16(c, 0);		/* outsideInfo */
	cmd_u32(c, 0);		/* creationPCR */
}

/*
 * GetCapability as much as a registering chip asks: the PCR banks (one
 * SHA-256 bank), a property (1) and the command list (GetRandom).
 * Returns the response length.
 */
static inline size_t vtpm_answer_get_cap(const uint8_t *req, uint8_t *rsp)
{
	uint32_t cap = be32(req + 10), prop = be32(req + 14);
	uint8_t *p = rsp + TPM_HDR;

	*p++ = 0;			/* moreData */
	put_be32(p, cap);
	p += 4;
	put_be32(p, 1);			/* one entry */
	p += 4;
	if (cap == CAP_PCRS) {
		put_be16(p, 0x000B);	/* TPM_ALG_SHA256 */
		p[2] = 3;
		p[3] = p[4] = p[5] = 0xff;
		p += 6;
	} else if (cap == CAP_PROPERTIES) {
		put_be32(p, prop);
		put_be32(p + 4, 1);
		p += 8;
	} else if (cap == CAP_COMMANDS) {
		put_be32(p, CC_GET_RANDOM);
		p += 4;
	}
	return p - rsp;
}

/*
 * A TPM 1.2 request.  Like a TPM the firmware did not start, it answers
 * TPM_INVALID_POSTINIT to everything until TPM_Startup.  Then
 * GetRandom(n <= 64) gets n bytes; GetCapability of the TIS timeouts and
 * the durations gets values in microseconds; anything else a bare success
 * header.  Returns the response length.
 */
static inline size_t vtpm_answer_tpm12(const uint8_t *req, size_t len,
				       uint8_t *rsp)
{
	static const uint32_t timeouts[] = { 750000, 2000000, 750000, 750000 };
	static const uint32_t durations[] = { 2000000, 20000000, 60000000 };
	uint32_t cc = be32(req + 6), n = 0, i;
	const uint32_t *v = NULL;
	static int started;

	memset(rsp, 0, TPM_HDR);
	put_be16(rsp, TAG_RSP_COMMAND);
	if (cc == ORD_STARTUP)
		started = 1;
	else if (!started && cc != ORD_SET_LOCALITY)
		put_be32(rsp + 6, RC_INVALID_POSTINIT);
	else if (cc == ORD_GET_RANDOM && len >= 14) {
		n = be32(req + 10) > 64 ? 64 : be32(req + 10);
		for (i = 0; i < n; i++)
			rsp[14 + i] = rand();
		put_be32(rsp + 10, n);
		n += 4;
	} else if (cc == ORD_GET_CAP && len >= 22) {
		v = be32(req + 18) == 0x115 ? timeouts : durations;
		n = be32(req + 18) == 0x115 ? 4 : 3;
		put_be32(rsp + 10, 4 * n);
		for (i = 0; i < n; i++)
			put_be32(rsp + 14 + 4 * i, v[i]);
		n = 4 + 4 * n;
	}
	put_be32(rsp + 2, TPM_HDR + n);
	return TPM_HDR + n;
}

/*
 * The answer to one request: GetRandom(n <= 64) gets n bytes, GetCapability
 * what vtpm_answer_get_cap() gives, anything else a bare success header;
 * TPM 1.2 requests as vtpm_answer_tpm12() says.  Returns the response
 * length.
 */
static inline size_t vtpm_answer(const uint8_t *req, size_t len, uint8_t *rsp)
{
	uint32_t cc = be32(req + 6);

	if (be16(req) == TAG_RQU_COMMAND)
		return vtpm_answer_tpm12(req, len, rsp);

	memset(rsp, 0, 12);
	put_be16(rsp, ST_NO_SESSIONS);
	put_be32(rsp + 2, TPM_HDR);
	if (cc == CC_GET_RANDOM && len >= 12) {
		uint16_t n = be16(req + 10);

		if (n > 64)
			n = 64;
		put_be16(rsp + 10, n);
		for (int i = 0; i < n; i++)
			rsp[12 + i] = rand();
		put_be32(rsp + 2, 12 + n);
	} else if (cc == CC_GET_CAP && len >= 22) {
		put_be32(rsp + 2, vtpm_answer_get_cap(req, rsp));
	}
	return be32(rsp + 2);
}

/*
 * Serve the vtpm proxy's server side @fd until the chip goes (0), a byte
 * arrives on @ctl (0, after closing @fd; pass -1 for none) or something
 * fails (1).
 */
static inline int vtpm_serve(int fd, int ctl)
{
	uint8_t req[4096], rsp[4096];
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			       { .fd = ctl, .events = POLLIN } };
	ssize_t len;

	for (;;) {
		if (poll(p, 2, -1) < 0)
			return errno == EINTR ? 0 : 1;
		if (p[1].revents) {
			close(fd);
			return 0;
		}
		len = read(fd, req, sizeof(req));
		if (len < 0)
			return errno == EPIPE ? 0 : 1;
		if (len < TPM_HDR)
			return 1;
		len = vtpm_answer(req, len, rsp);
		if (write(fd, rsp, len) < 0)
			return errno == EPIPE ? 0 : 1;
	}
}

/*
 * A new vtpm proxy device, TPM 2.0 if @tpm2, else TPM 1.2: its server fd,
 * and @num for /dev/tpmN.
 */
static inline int vtpm_create(unsigned int *num, int tpm2)
{
	struct vtpm_proxy_new_dev nd = {
		.flags = tpm2 ? VTPM_PROXY_FLAG_TPM2 : 0,
	};
	int vtpmx = open("/dev/vtpmx", O_RDWR);
	int rc;

	if (vtpmx < 0)
		return -1;
	rc = ioctl(vtpmx, VTPM_PROXY_IOC_NEW_DEV, &nd);
	close(vtpmx);
	if (rc)
		return -1;
	*num = nd.tpm_num;
	return nd.fd;
}

#endif
