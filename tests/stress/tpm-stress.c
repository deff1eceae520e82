// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-unplug stress: clients hammer /dev/tpmN while the chip is unplugged
 * and plugged again, and every client operation must end as a valid
 * response or a clean errno -- never a hang, a malformed response or a
 * response meant for another command.
 *
 *   tpm-stress vtpm [-n cycles] [-c clients]
 *	Each cycle forks a vtpm proxy server (a child answering GetRandom),
 *	a TPM 1.2 one every third cycle, lets the clients run, then SIGKILLs
 *	the server (even cycles) or has it close its fd (odd cycles).
 *   tpm-stress bus [-n cycles] [-c clients] -d <device> [-D <driver dir>]
 *	Each cycle unbinds the device (MSFT0101:00, say) from its driver and
 *	binds it again; the driver's sysfs directory is -D, by default
 *	/sys/bus/platform/drivers/tpm_tis ("tis" is another name for bus).
 *
 * Clients open, write GetRandom(n) with n varying per command, wait
 * (blocking read, or poll with O_NONBLOCK), check the response carries
 * exactly n bytes, and close.  Client i uses /dev/tpmrmN when bit 1 of i
 * is set, /dev/tpmN otherwise, and O_NONBLOCK when bit 0 is.  One more
 * thread reads /dev/hwrng throughout (-H turns it off).  Output: cycles, commands, outcomes by
 * errno, cycles per second, the worst time from unplug to the last
 * sleeper woken and from unplug to /dev/tpmN gone.  Exit status 0 only if
 * nothing went wrong.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tpmtool.h"

#define MAX_CLIENTS	16
#define HANG_NS		(10LL * 1000000000)

enum {
	O_OK, O_EPIPE, O_ECANCELED, O_ENODEV, O_EBUSY, O_ENOENT, O_ENXIO,
	O_HUP, O_NR
};
static const char *const outcome_name[O_NR] = {
	"ok", "EPIPE", "ECANCELED", "ENODEV", "EBUSY", "ENOENT", "ENXIO",
	"poll-HUP",
};
static atomic_long outcomes[O_NR];
static atomic_long bad;		/* malformed or misrouted responses, odd errnos */
static atomic_long commands;
static atomic_long hwrng_ok, hwrng_gone;
static atomic_long ok_tpm12;	/* valid responses from TPM 1.2 chips */

struct client {
	pthread_t thread;
	int id;
	int nonblock;
	int rm;
	atomic_llong call_start;	/* ns; 0 when not in a blocking call */
	atomic_llong call_end;
};

static struct client clients[MAX_CLIENTS];
static int nr_clients = 4;
static atomic_int stop;
static char dev_path[64];
static int dev_tpm2 = 1;	/* the family of the chip at dev_path */
static unsigned int dev_gen;	/* bumped by every set_path() */
static pthread_mutex_t path_lock = PTHREAD_MUTEX_INITIALIZER;

/* The errnos an unplug may legitimately produce, by outcome slot. */
static const int clean_errno[O_NR] = {
	[O_EPIPE] = EPIPE, [O_ECANCELED] = ECANCELED, [O_ENODEV] = ENODEV,
	[O_EBUSY] = EBUSY, [O_ENOENT] = ENOENT, [O_ENXIO] = ENXIO,
};

static void count_errno(int err, const char *what, int id)
{
	int i;

	for (i = 0; i < O_NR; i++) {
		if (clean_errno[i] && clean_errno[i] == err) {
			outcomes[i]++;
			return;
		}
	}
	bad++;
	fprintf(stderr, "client %d: %s: unexpected %s\n", id, what,
		strerror(err));
}

static void call_begin(struct client *c)
{
	c->call_start = now_ns();
}

static void call_done(struct client *c)
{
	c->call_end = now_ns();
	c->call_start = 0;
}

/* GetRandom(@n) in @cmd for a TPM 2.0 or 1.2; returns its length. */
static size_t get_random_cmd(uint8_t *cmd, int tpm2, uint16_t n)
{
	if (tpm2) {
		put_be16(cmd, ST_NO_SESSIONS);
		put_be32(cmd + 2, 12);
		put_be32(cmd + 6, CC_GET_RANDOM);
		put_be16(cmd + 10, n);
		return 12;
	}
	put_be16(cmd, TAG_RQU_COMMAND);
	put_be32(cmd + 2, 14);
	put_be32(cmd + 6, ORD_GET_RANDOM);
	put_be32(cmd + 10, n);
	return 14;
}

/* Exactly @n random bytes, in the family's format? */
static int get_random_ok(const uint8_t *rsp, ssize_t len, int tpm2, uint16_t n)
{
	if (len < 10 || be32(rsp + 2) != len || be32(rsp + 6) != 0)
		return 0;
	if (tpm2)
		return be16(rsp) == ST_NO_SESSIONS && len == 12 + n &&
		       be16(rsp + 10) == n;
	return be16(rsp) == TAG_RSP_COMMAND && len == 14 + n &&
	       be32(rsp + 10) == n;
}

/* One command; returns 0 to go on with this fd, -1 to close it. */
static int client_command(struct client *c, int fd, int tpm2, unsigned int seq)
{
	uint8_t cmd[14], rsp[4096];
	uint16_t n = 1 + (seq * 7 + c->id) % 32;
	size_t size = get_random_cmd(cmd, tpm2, n);
	ssize_t len;

	call_begin(c);
	len = write(fd, cmd, size);
	call_done(c);
	if (len < 0) {
		count_errno(errno, "write", c->id);
		return -1;
	}
	commands++;
	if (c->nonblock) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int rc;

		call_begin(c);
		rc = poll(&p, 1, HANG_NS / 1000000);
		call_done(c);
		if (rc == 0) {
			bad++;
			fprintf(stderr, "client %d: poll hung\n", c->id);
			return -1;
		}
		if ((p.revents & POLLHUP) && !(p.revents & POLLIN)) {
			outcomes[O_HUP]++;
			return -1;
		}
	}
	call_begin(c);
	len = read(fd, rsp, sizeof(rsp));
	call_done(c);
	if (len < 0) {
		count_errno(errno, "read", c->id);
		return -1;
	}
	if (!get_random_ok(rsp, len, tpm2, n)) {
		bad++;
		fprintf(stderr, "client %d: bad response (%zd bytes) to TPM %s GetRandom(%u)\n",
			c->id, len, tpm2 ? "2.0" : "1.2", n);
		return -1;
	}
	outcomes[O_OK]++;
	if (!tpm2)
		ok_tpm12++;
	return 0;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	unsigned int seq = 0, gen;
	char path[80];
	int fd, i, tpm2;

	while (!stop) {
		pthread_mutex_lock(&path_lock);
		/* dev_path is /dev/tpmN; the tpmrm node is /dev/tpmrmN. */
		if (c->rm && dev_path[0])
			snprintf(path, sizeof(path), "/dev/tpmrm%s", dev_path + 8);
		else
			snprintf(path, sizeof(path), "%s", dev_path);
		tpm2 = dev_tpm2;
		gen = dev_gen;
		pthread_mutex_unlock(&path_lock);
		if (!path[0]) {
			usleep(1000);
			continue;
		}
		fd = open(path, O_RDWR | (c->nonblock ? O_NONBLOCK : 0));
		if (fd < 0) {
			count_errno(errno, "open", c->id);
			usleep(200 + c->id * 100);
			continue;
		}
		/*
		 * A chip that came after the one asked for, under the same
		 * name, may be of the other family: ask again.
		 */
		pthread_mutex_lock(&path_lock);
		i = gen != dev_gen ? 8 : 0;
		pthread_mutex_unlock(&path_lock);
		for (; i < 8 && !stop; i++)
			if (client_command(c, fd, tpm2, seq++))
				break;
		close(fd);
	}
	return NULL;
}

/*
 * /dev/hwrng while TPMs come and go: bytes, or the errors of an rng being
 * unplugged (ENODEV: none registered; EPIPE, ECANCELED: the TPM went away
 * during the read).
 */
static void *hwrng_main(void *arg __attribute__((unused)))
{
	uint8_t buf[32];
	ssize_t len;
	int fd;

	while (!stop) {
		fd = open("/dev/hwrng", O_RDONLY);
		if (fd < 0) {
			bad++;
			fprintf(stderr, "hwrng: open: %s\n", strerror(errno));
			return NULL;
		}
		while (!stop) {
			len = read(fd, buf, sizeof(buf));
			if (len > 0) {
				hwrng_ok++;
				continue;
			}
			if (len < 0 && (errno == ENODEV || errno == EPIPE ||
					errno == ECANCELED)) {
				hwrng_gone++;
				usleep(2000);
				break;
			}
			bad++;
			fprintf(stderr, "hwrng: read gave %zd (%s)\n", len,
				len < 0 ? strerror(errno) : "no error");
			break;
		}
		close(fd);
	}
	return NULL;
}

/*
 * After an unplug at @t_unplug: wait until every client that was inside a
 * blocking call then has returned; return the worst wake-up time in ns,
 * or -1 if one is still asleep after HANG_NS.
 */
static long long wait_sleepers(long long t_unplug)
{
	long long worst = 0;
	int i, asleep;

	do {
		asleep = 0;
		for (i = 0; i < nr_clients; i++) {
			long long s = clients[i].call_start;

			if (s && s < t_unplug)
				asleep++;
		}
		if (!asleep)
			break;
		if (now_ns() - t_unplug > HANG_NS)
			return -1;
		usleep(500);
	} while (asleep);

	for (i = 0; i < nr_clients; i++) {
		long long e = clients[i].call_end;

		if (e > t_unplug && e - t_unplug > worst)
			worst = e - t_unplug;
	}
	return worst;
}

static int wait_present(const char *path)
{
	long long t0 = now_ns();
	struct stat st;

	while (stat(path, &st) != 0) {
		if (now_ns() - t0 > HANG_NS)
			return -1;
		usleep(200);
	}
	return 0;
}

static void set_path(const char *p, int tpm2)
{
	pthread_mutex_lock(&path_lock);
	snprintf(dev_path, sizeof(dev_path), "%s", p);
	dev_tpm2 = tpm2;
	dev_gen++;
	pthread_mutex_unlock(&path_lock);
}

static pid_t start_server(int *ctl_out, unsigned int *num, int tpm2)
{
	int info[2], ctl[2];
	pid_t pid;

	if (pipe(info) || pipe(ctl))
		return -1;
	pid = fork();
	if (pid == 0) {
		unsigned int n;
		int fd = vtpm_create(&n, tpm2);

		if (fd < 0 || write(info[1], &n, sizeof(n)) < 0)
			_exit(2);
		close(ctl[1]);
		_exit(vtpm_serve(fd, ctl[0]));
	}
	close(info[1]);
	close(ctl[0]);
	if (read(info[0], num, sizeof(*num)) != sizeof(*num)) {
		close(info[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(info[0]);
	*ctl_out = ctl[1];
	return pid;
}

static const char *bus_dir = "/sys/bus/platform/drivers/tpm_tis";

/* The node of the chip bound to the device, once it exists. */
static int find_bus_node(const char *dev, char *path, size_t size)
{
	long long t0 = now_ns();
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/%s/tpm", bus_dir, dev);
	while (now_ns() - t0 < HANG_NS) {
		FILE *ls;
		char name[32];
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "ls %s 2>/dev/null", dir);
		ls = popen(cmd, "r");
		if (ls && fscanf(ls, "%31s", name) == 1) {
			pclose(ls);
			snprintf(path, size, "/dev/%s", name);
			if (!wait_present(path))
				return 0;
		} else if (ls) {
			pclose(ls);
		}
		usleep(1000);
	}
	return -1;
}

static int sysfs_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY);
	int rc = -1;

	if (fd >= 0) {
		rc = write(fd, val, strlen(val)) < 0 ? -1 : 0;
		close(fd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	long long worst_wake = 0, worst_gone = 0, t0, t_unplug, w, g;
	const char *mode = argc > 1 ? argv[1] : "";
	const char *bus_dev = NULL;
	int cycles = 20, i, cycle, opt, failed = 0, use_hwrng = 1;
	pthread_t hwrng_thread;
	char path[64], unbind[256], bind[256];

	optind = 2;
	if (!strcmp(mode, "tis"))
		mode = "bus";
	while ((opt = getopt(argc, argv, "n:c:d:D:H")) != -1) {
		if (opt == 'H')
			use_hwrng = 0;
		else if (opt == 'n')
			cycles = atoi(optarg);
		else if (opt == 'c')
			nr_clients = atoi(optarg);
		else if (opt == 'd')
			bus_dev = optarg;
		else if (opt == 'D')
			bus_dir = optarg;
	}
	if ((strcmp(mode, "vtpm") && strcmp(mode, "bus")) ||
	    (!strcmp(mode, "bus") && !bus_dev) ||
	    nr_clients < 1 || nr_clients > MAX_CLIENTS) {
		fprintf(stderr, "usage: tpm-stress vtpm|bus [-n cycles] [-c clients] [-d device] [-D driver-dir] [-H]\n");
		return 2;
	}
	snprintf(unbind, sizeof(unbind), "%s/unbind", bus_dir);
	snprintf(bind, sizeof(bind), "%s/bind", bus_dir);
	signal(SIGPIPE, SIG_IGN);
	srand(getpid());

	if (!strcmp(mode, "bus")) {
		if (find_bus_node(bus_dev, path, sizeof(path))) {
			fprintf(stderr, "no TPM bound to %s\n", bus_dev);
			return 1;
		}
		set_path(path, 1);
	}
	for (i = 0; i < nr_clients; i++) {
		clients[i].id = i;
		clients[i].nonblock = i & 1;
		clients[i].rm = !!(i & 2);
		pthread_create(&clients[i].thread, NULL, client_main, &clients[i]);
	}
	if (use_hwrng)
		pthread_create(&hwrng_thread, NULL, hwrng_main, NULL);

	t0 = now_ns();
	for (cycle = 0; cycle < cycles && !failed; cycle++) {
		if (!strcmp(mode, "vtpm")) {
			unsigned int num;
			int ctl;
			int tpm2 = cycle % 3 != 2;
			pid_t pid = start_server(&ctl, &num, tpm2);

			if (pid < 0) {
				fprintf(stderr, "cycle %d: cannot create a vtpm device\n", cycle);
				failed = 1;
				break;
			}
			snprintf(path, sizeof(path), "/dev/tpm%u", num);
			if (wait_present(path)) {
				fprintf(stderr, "cycle %d: %s never appeared\n", cycle, path);
				failed = 1;
			}
			set_path(path, tpm2);
			usleep(5000 + rand() % 20000);
			t_unplug = now_ns();
			if (cycle & 1) {
				if (write(ctl, "x", 1) < 0)
					failed = 1;
			} else {
				kill(pid, SIGKILL);
			}
			waitpid(pid, NULL, 0);
			close(ctl);
		} else {
			usleep(20000 + rand() % 30000);
			t_unplug = now_ns();
			if (sysfs_write(unbind, bus_dev)) {
				fprintf(stderr, "cycle %d: unbind failed\n", cycle);
				failed = 1;
			}
		}
		w = wait_sleepers(t_unplug);
		g = wait_gone(path, t_unplug, HANG_NS);
		if (w < 0 || g < 0) {
			fprintf(stderr, "cycle %d: %s\n", cycle,
				w < 0 ? "a sleeper was not woken within 10 s" :
					"the device node did not go away");
			failed = 1;
		}
		/* Nothing to open until the next chip is there. */
		if (!strcmp(mode, "vtpm"))
			set_path("", 1);
		if (w > worst_wake)
			worst_wake = w;
		if (g > worst_gone)
			worst_gone = g;
		if (!strcmp(mode, "bus")) {
			if (sysfs_write(bind, bus_dev) ||
			    find_bus_node(bus_dev, path, sizeof(path))) {
				fprintf(stderr, "cycle %d: bind failed\n", cycle);
				failed = 1;
			}
			set_path(path, 1);
		}
	}
	t0 = now_ns() - t0;
	stop = 1;
	for (i = 0; i < nr_clients; i++)
		pthread_join(clients[i].thread, NULL);
	if (use_hwrng)
		pthread_join(hwrng_thread, NULL);

	printf("mode %s: %d cycles, %d clients, %ld commands in %.1f s (%.2f cycles/s)\n",
	       mode, cycle, nr_clients, (long)commands, t0 / 1e9, cycle / (t0 / 1e9));
	printf("outcomes:");
	for (i = 0; i < O_NR; i++)
		printf(" %s=%ld", outcome_name[i], (long)outcomes[i]);
	printf(" bad=%ld\n", (long)bad);
	if (!strcmp(mode, "vtpm"))
		printf("TPM 1.2 chips: %d, responses from them: %ld\n",
		       cycle / 3, (long)ok_tpm12);
	if (use_hwrng)
		printf("hwrng: reads=%ld unplugged=%ld\n", (long)hwrng_ok,
		       (long)hwrng_gone);
	printf("worst unplug to last sleeper woken: %.1f ms\n", worst_wake / 1e6);
	printf("worst unplug to %s gone: %.1f ms\n", "device node", worst_gone / 1e6);
	/* With dozens of TPM 1.2 chips, some must have answered. */
	if (!strcmp(mode, "vtpm") && cycle >= 30 && !ok_tpm12)
		failed = 1;
	return failed || bad || !outcomes[O_OK] || (use_hwrng && !hwrng_ok) ?
	       1 : 0;
}
