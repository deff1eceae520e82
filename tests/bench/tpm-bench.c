// SPDX-License-Identifier: GPL-2.0
/*
 * TPM round trips, timed.
 *
 *   tpm-bench [-d /dev/tpmN | -u socket] [-N] [-t secs] [-n max] [-w warmup]
 *	     workload
 *	workload: getrandom, pcr-read, pcr-extend, nv-read (a 1 KiB
 *	response), create-primary (RSA-2048, flushed after each, untimed),
 *	sign-ecc, sign-rsa (TPM2_Sign of a SHA-256 digest with a loaded ECC
 *	P-256 or RSA-2048 key, made untimed before)
 *	-d  a TPM character device (default /dev/tpm0); -N opens it with
 *	    O_NONBLOCK and waits in poll() before each read
 *	-c  this many clients, each a process with its own file (and key),
 *	    all timed over the same period; the figures cover them all
 *	-u  swtpm's unix socket (swtpm socket --server type=unixio): the floor,
 *	    what the TPM itself costs
 *   tpm-bench vtpm-server
 *	Creates a TPM 2.0 vtpm proxy device, prints its number and answers
 *	GetRandom until killed.
 *
 * Prints one line of key=value pairs: ops, secs, rate (round trips per
 * second), p50_us, p99_us, max_us, cpu_us (this process's CPU time per
 * round trip) and sys_us (the whole machine's busy time per round trip,
 * from /proc/stat, so that kernel threads and interrupts count too).
 * Every response is checked; a bad one ends the run with exit status 1.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "tpmtool.h"

#define CC_NV_UNDEFINE	0x122
#define CC_NV_DEFINE	0x12A
#define CC_NV_WRITE	0x137
#define CC_NV_READ	0x14E
#define CC_FLUSH	0x165
#define CC_PCR_READ	0x17E
#define CC_PCR_EXTEND	0x182
#define CC_SIGN		0x15D
#define RC_RETRY	0x922
#define ALG_RSASSA	0x0014
#define ALG_ECDSA	0x0018
#define NV_INDEX	0x0150BE0C
#define NV_SIZE		1024
#define PCR_DEBUG	16
#define RSP_MAX		4096
#define WAIT_MS		60000

struct conn {
	int fd;
	int sock;	/* a byte stream: the response is read in two steps */
	int nonblock;
	uint32_t key;	/* sign-*: the key's handle */
};

/*
 * TPMT_PUBLIC of the signing keys: SHA-256 name; fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, sign; ECDSA with SHA-256 on NIST
 * P-256, and RSASSA with SHA-256 on RSA-2048 (default exponent).
 */
static const uint8_t ecc_sign_public[] = {
	0x00, 0x23, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x72, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x18, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x10,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t rsa_sign_public[] = {
	0x00, 0x01, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x72, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x14, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

struct workload {
	const char *name;
	int (*setup)(struct conn *c);
	/* One round trip; *ns is how long the measured part took. */
	int (*run)(struct conn *c, long long *ns);
	void (*teardown)(struct conn *c);
};

static int read_all(int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static ssize_t xfer_sock(struct conn *c, const struct cmd *cmd, uint8_t *rsp)
{
	uint32_t len;

	if (write(c->fd, cmd->b, cmd->len) != (ssize_t)cmd->len ||
	    read_all(c->fd, rsp, TPM_HDR))
		return -1;
	len = be32(rsp + 2);
	if (len < TPM_HDR || len > RSP_MAX ||
	    read_all(c->fd, rsp + TPM_HDR, len - TPM_HDR))
		return -1;
	return len;
}

/* Send @cmd, get the response in @rsp; its length, or -1 with a message. */
static ssize_t xfer(struct conn *c, struct cmd *cmd, uint8_t *rsp)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t len;

	put_be32(cmd->b + 2, cmd->len);
	if (c->sock) {
		/* TPM_RC_RETRY: sent again, as the kernel would. */
		do {
			len = xfer_sock(c, cmd, rsp);
		} while (len == TPM_HDR && be32(rsp + 6) == RC_RETRY);
		if (len < 0)
			perror("socket");
		return len;
	}
	len = write(c->fd, cmd->b, cmd->len);
	if (len != (ssize_t)cmd->len) {
		perror("write");
		return -1;
	}
	if (c->nonblock && poll(&p, 1, WAIT_MS) != 1) {
		fprintf(stderr, "poll: no response after %d ms\n", WAIT_MS);
		return -1;
	}
	len = read(c->fd, rsp, RSP_MAX);
	if (len < 0)
		perror("read");
	return len;
}

/* Send @cmd and check the response: rc 0 and at least @min bytes. */
static ssize_t xfer_ok(struct conn *c, struct cmd *cmd, uint8_t *rsp,
		       size_t min)
{
	ssize_t len = xfer(c, cmd, rsp);

	if (len < 0)
		return -1;
	if (len < TPM_HDR || be32(rsp + 2) != len || be32(rsp + 6) ||
	    (size_t)len < min) {
		fprintf(stderr, "command 0x%x: bad response: %zd bytes, rc 0x%x\n",
			be32(cmd->b + 6), len,
			len >= TPM_HDR ? be32(rsp + 6) : 0);
		return -1;
	}
	return len;
}

/* Time one command whose response must have rc 0 and @min bytes. */
static ssize_t timed(struct conn *c, struct cmd *cmd, uint8_t *rsp,
		     size_t min, long long *ns)
{
	long long t0 = now_ns();
	ssize_t len = xfer_ok(c, cmd, rsp, min);

	*ns = now_ns() - t0;
	return len;
}

static int run_getrandom(struct conn *c, long long *ns)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_NO_SESSIONS, CC_GET_RANDOM);
	cmd_u16(&cmd, 32);
	if (timed(c, &cmd, rsp, 12 + 32, ns) < 0)
		return -1;
	return be16(rsp + 10) == 32 ? 0 : -1;
}

static int run_pcr_read(struct conn *c, long long *ns)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_NO_SESSIONS, CC_PCR_READ);
	cmd_u32(&cmd, 1);
	cmd_u16(&cmd, ALG_SHA256);
	cmd_u8(&cmd, 3);		/* select PCR 16 only */
	cmd_u8(&cmd, 0);
	cmd_u8(&cmd, 0);
	cmd_u8(&cmd, 1 << (PCR_DEBUG - 16));
	/* header, update counter, one selection, one digest */
	if (timed(c, &cmd, rsp, TPM_HDR + 4 + 10 + 4 + 2 + 32, ns) < 0)
		return -1;
	return be32(rsp + 24) == 1 && be16(rsp + 28) == 32 ? 0 : -1;
}

static int run_pcr_extend(struct conn *c, long long *ns)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_SESSIONS, CC_PCR_EXTEND);
	cmd_u32(&cmd, PCR_DEBUG);
	cmd_pw_session(&cmd);
	cmd_u32(&cmd, 1);
	cmd_u16(&cmd, ALG_SHA256);
	cmd_fill(&cmd, 0xA5, 32);
	return timed(c, &cmd, rsp, TPM_HDR, ns) < 0 ? -1 : 0;
}

static void nv_undefine(struct conn *c, uint8_t *rsp)
{
	struct cmd cmd;

	cmd_init(&cmd, ST_SESSIONS, CC_NV_UNDEFINE);
	cmd_u32(&cmd, RH_OWNER);
	cmd_u32(&cmd, NV_INDEX);
	cmd_pw_session(&cmd);
	xfer(c, &cmd, rsp);	/* TPM_RC_HANDLE when it is not there */
}

static int nv_setup(struct conn *c)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	nv_undefine(c, rsp);
	cmd_init(&cmd, ST_SESSIONS, CC_NV_DEFINE);
	cmd_u32(&cmd, RH_OWNER);
	cmd_pw_session(&cmd);
	cmd_u16(&cmd, 0);		/* auth */
	cmd_u16(&cmd, 14);		/* TPMS_NV_PUBLIC */
	cmd_u32(&cmd, NV_INDEX);
	cmd_u16(&cmd, ALG_SHA256);
	cmd_u32(&cmd, 1 << 1 | 1 << 17);	/* OWNERWRITE | OWNERREAD */
	cmd_u16(&cmd, 0);		/* policy */
	cmd_u16(&cmd, NV_SIZE);
	if (xfer_ok(c, &cmd, rsp, TPM_HDR) < 0)
		return -1;

	cmd_init(&cmd, ST_SESSIONS, CC_NV_WRITE);
	cmd_u32(&cmd, RH_OWNER);
	cmd_u32(&cmd, NV_INDEX);
	cmd_pw_session(&cmd);
	cmd_u16(&cmd, NV_SIZE);
	cmd_fill(&cmd, 0x5A, NV_SIZE);
	cmd_u16(&cmd, 0);		/* offset */
	return xfer_ok(c, &cmd, rsp, TPM_HDR) < 0 ? -1 : 0;
}

static void nv_teardown(struct conn *c)
{
	uint8_t rsp[RSP_MAX];

	nv_undefine(c, rsp);
}

static int run_nv_read(struct conn *c, long long *ns)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_SESSIONS, CC_NV_READ);
	cmd_u32(&cmd, RH_OWNER);
	cmd_u32(&cmd, NV_INDEX);
	cmd_pw_session(&cmd);
	cmd_u16(&cmd, NV_SIZE);
	cmd_u16(&cmd, 0);		/* offset */
	/* header, parameter size, the data, the session's answer */
	if (timed(c, &cmd, rsp, TPM_HDR + 4 + 2 + NV_SIZE + 5, ns) < 0)
		return -1;
	return be16(rsp + 14) == NV_SIZE && rsp[16] == 0x5A ? 0 : -1;
}

static int run_create_primary(struct conn *c, long long *ns)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;
	uint32_t handle;

	cmd_create_primary(&cmd, tpm_rsa_storage_public,
			   sizeof(tpm_rsa_storage_public));
	if (timed(c, &cmd, rsp, TPM_HDR + 4, ns) < 0)
		return -1;
	handle = be32(rsp + TPM_HDR);
	if (handle >> 24 != 0x80) {
		fprintf(stderr, "CreatePrimary: handle 0x%08x\n", handle);
		return -1;
	}
	cmd_init(&cmd, ST_NO_SESSIONS, CC_FLUSH);
	cmd_u32(&cmd, handle);
	return xfer_ok(c, &cmd, rsp, TPM_HDR) < 0 ? -1 : 0;
}

static int sign_setup(struct conn *c, const uint8_t *pub, size_t n)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_create_primary(&cmd, pub, n);
	if (xfer_ok(c, &cmd, rsp, TPM_HDR + 4) < 0)
		return -1;
	c->key = be32(rsp + TPM_HDR);
	return 0;
}

static int sign_ecc_setup(struct conn *c)
{
	return sign_setup(c, ecc_sign_public, sizeof(ecc_sign_public));
}

static int sign_rsa_setup(struct conn *c)
{
	return sign_setup(c, rsa_sign_public, sizeof(rsa_sign_public));
}

static void sign_teardown(struct conn *c)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_NO_SESSIONS, CC_FLUSH);
	cmd_u32(&cmd, c->key);
	xfer(c, &cmd, rsp);
}

/* TPM2_Sign of a digest with the key's own scheme; @alg: the signature's. */
static int run_sign(struct conn *c, long long *ns, uint16_t alg)
{
	uint8_t rsp[RSP_MAX];
	struct cmd cmd;

	cmd_init(&cmd, ST_SESSIONS, CC_SIGN);
	cmd_u32(&cmd, c->key);
	cmd_pw_session(&cmd);
	cmd_u16(&cmd, 32);		/* digest */
	cmd_fill(&cmd, 0x3C, 32);
	cmd_u16(&cmd, 0x0010);		/* inScheme: the key's */
	cmd_u16(&cmd, 0x8024);		/* validation: a null hash check */
	cmd_u32(&cmd, 0x40000007);
	cmd_u16(&cmd, 0);
	/* header, parameter size, sigAlg, hash */
	if (timed(c, &cmd, rsp, TPM_HDR + 4 + 4, ns) < 0)
		return -1;
	return be16(rsp + 14) == alg && be16(rsp + 16) == ALG_SHA256 ? 0 : -1;
}

static int run_sign_ecc(struct conn *c, long long *ns)
{
	return run_sign(c, ns, ALG_ECDSA);
}

static int run_sign_rsa(struct conn *c, long long *ns)
{
	return run_sign(c, ns, ALG_RSASSA);
}

static const struct workload workloads[] = {
	{ "getrandom", NULL, run_getrandom, NULL },
	{ "pcr-read", NULL, run_pcr_read, NULL },
	{ "pcr-extend", NULL, run_pcr_extend, NULL },
	{ "nv-read", nv_setup, run_nv_read, nv_teardown },
	{ "create-primary", NULL, run_create_primary, NULL },
	{ "sign-ecc", sign_ecc_setup, run_sign_ecc, sign_teardown },
	{ "sign-rsa", sign_rsa_setup, run_sign_rsa, sign_teardown },
};

/* The machine's busy time so far, in microseconds (all CPUs). */
static long long busy_us(void)
{
	unsigned long long v[8] = { 0 };
	long long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return 0;
	/* user nice system [idle iowait] irq softirq steal */
	return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000000 / hz;
}

static long long cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int open_conn(struct conn *c, const char *dev, const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!sock) {
		c->fd = open(dev, O_RDWR | (c->nonblock ? O_NONBLOCK : 0));
		if (c->fd < 0)
			perror(dev);
		return c->fd < 0 ? -1 : 0;
	}
	c->sock = 1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(sock);
		return -1;
	}
	return 0;
}

static int vtpm_server(void)
{
	unsigned int num;
	int fd = vtpm_create(&num, 1);

	if (fd < 0) {
		perror("/dev/vtpmx");
		return 1;
	}
	printf("%u\n", num);
	fflush(stdout);
	return vtpm_serve(fd, -1);
}

static int usage(void)
{
	fprintf(stderr, "usage: tpm-bench [-d dev | -u socket] [-N] [-c clients] [-t secs] [-n max] [-w warmup] workload\n"
		"       tpm-bench vtpm-server\n"
		"workloads:");
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		fprintf(stderr, " %s", workloads[i].name);
	fprintf(stderr, "\n");
	return 2;
}

struct run {
	const struct workload *w;
	const char *dev, *sock;
	int nonblock;
	long max, warmup;
	long long secs_ns;
};

/* What one client measured: its round trips, their period, its CPU time. */
struct result {
	long n;
	long long ns;
	long long cpu_us;
	long long busy_us;
};

/*
 * A client of several says on @ready that it is ready ("r") or gave up
 * ("f"), so that the parent never waits for it in vain; a ready one then
 * waits for @go to close.  Nothing to do for a lone client (@ready < 0).
 */
static int client_start(int ready, int go, int ok)
{
	char b;

	if (ready < 0)
		return 0;
	if (write(ready, ok ? "r" : "f", 1) != 1)
		return -1;
	return ok && read(go, &b, 1) != 0 ? -1 : 0;
}

/*
 * One client: open, set up and warm up, say so on @ready (if any) and wait
 * for @go to close, then run the workload for the period.  The latencies
 * go to @lat, the rest to @res.  Returns 0 or 1.
 */
static int client(const struct run *r, long long *lat, struct result *res,
		  int ready, int go)
{
	struct conn c = { .nonblock = r->nonblock };
	long long t0;
	int rc = 0;
	long i;

	res->n = 0;
	if (open_conn(&c, r->dev, r->sock)) {
		client_start(ready, go, 0);
		return 1;
	}
	if (r->w->setup && r->w->setup(&c)) {
		fprintf(stderr, "%s: setup failed\n", r->w->name);
		client_start(ready, go, 0);
		return 1;
	}
	for (i = 0; i < r->warmup && !rc; i++)
		rc = r->w->run(&c, &lat[0]);
	if (client_start(ready, go, 1))
		rc = -1;
	res->cpu_us = cpu_us();
	res->busy_us = busy_us();
	t0 = now_ns();
	while (!rc && res->n < r->max && now_ns() - t0 < r->secs_ns)
		rc = r->w->run(&c, &lat[res->n++]);
	res->ns = now_ns() - t0;
	res->cpu_us = cpu_us() - res->cpu_us;
	res->busy_us = busy_us() - res->busy_us;
	if (r->w->teardown)
		r->w->teardown(&c);
	close(c.fd);
	if (rc)
		fprintf(stderr, "%s: round trip %ld failed\n", r->w->name, res->n);
	return !!rc;
}

/*
 * @clients processes at once, each with its own file, started together;
 * their latencies end up in @lat (@clients blocks of r->max), the rest in
 * @res.  The machine's busy time over the period in *@busy.  Returns 0 or 1.
 */
static int clients_run(const struct run *r, int clients, long long *lat,
		       struct result *res, long long *busy)
{
	int ready[2], go[2], rc = 0, st, i, started;
	pid_t pid;
	char b;

	if (pipe(ready) || pipe(go))
		return 1;
	for (started = 0; started < clients; started++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			rc = 1;
			break;
		}
		if (!pid) {
			close(ready[0]);
			close(go[1]);
			_exit(client(r, lat + started * r->max, &res[started],
				     ready[1], go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < started; i++)
		if (read(ready[0], &b, 1) != 1 || b != 'r')
			rc = 1;
	*busy = busy_us();
	close(go[1]);
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	*busy = busy_us() - *busy;
	return rc;
}

int main(int argc, char **argv)
{
	struct run r = { .dev = "/dev/tpm0", .max = 1000000, .warmup = 10 };
	long long *lat, ns = 0, cpu = 0, busy = 0;
	int opt, rc, clients = 1;
	struct result *res;
	double secs = 3;
	long n = 0, i;

	if (argc == 2 && !strcmp(argv[1], "vtpm-server"))
		return vtpm_server();
	while ((opt = getopt(argc, argv, "d:u:Nc:t:n:w:")) != -1) {
		switch (opt) {
		case 'd': r.dev = optarg; break;
		case 'u': r.sock = optarg; break;
		case 'N': r.nonblock = 1; break;
		case 'c': clients = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'n': r.max = atol(optarg); break;
		case 'w': r.warmup = atol(optarg); break;
		default: return usage();
		}
	}
	for (i = 0; optind == argc - 1 &&
		    i < (long)(sizeof(workloads) / sizeof(workloads[0])); i++)
		if (!strcmp(argv[optind], workloads[i].name))
			r.w = &workloads[i];
	if (!r.w || r.max < 1 || secs <= 0 || clients < 1 ||
	    (r.sock && (r.nonblock || clients > 1)))
		return usage();
	r.secs_ns = secs * 1e9;
	/* Shared with the clients, which write their figures there. */
	lat = mmap(NULL, clients * (r.max * sizeof(*lat) + sizeof(*res)),
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED)
		return 1;
	res = (struct result *)(lat + clients * r.max);

	if (clients == 1) {
		rc = client(&r, lat, &res[0], -1, -1);
		busy = res[0].busy_us;
	} else {
		rc = clients_run(&r, clients, lat, res, &busy);
	}
	if (rc)
		return 1;
	/* Pack the clients' latencies together; the period is the longest. */
	for (i = 0; i < clients; i++) {
		memmove(lat + n, lat + i * r.max, res[i].n * sizeof(*lat));
		n += res[i].n;
		cpu += res[i].cpu_us;
		ns = res[i].ns > ns ? res[i].ns : ns;
	}
	if (!n)
		return 1;
	qsort(lat, n, sizeof(*lat), cmp_ll);
	printf("workload=%s mode=%s clients=%d ops=%ld secs=%.2f rate=%.1f p50_us=%.0f p99_us=%.0f max_us=%.0f cpu_us=%.1f sys_us=%.1f\n",
	       r.w->name, r.sock ? "socket" : r.nonblock ? "nonblock" : "block",
	       clients, n, ns / 1e9, n / (ns / 1e9), lat[n / 2] / 1e3,
	       lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3,
	       (double)cpu / n, (double)busy / n);
	return 0;
}
