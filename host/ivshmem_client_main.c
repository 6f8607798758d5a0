/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-client: a debugging peer built on the host device model.
 * Reads commands on stdin (see `help`), prints own-vector events as they
 * arrive, exits at `quit` or end of input. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ivshm_device.h"

static void print_help(void)
{
	puts("commands:\n"
	     "  list              own id, shm size, peers and their vectors\n"
	     "  int PEER VECTOR   ring one vector of a peer\n"
	     "  int PEER all      ring every vector of a peer\n"
	     "  int all           ring every vector of every other peer\n"
	     "  regs              dump BAR0 (reading INTRSTATUS clears it)\n"
	     "  stats             doorbell and peer counters\n"
	     "  help | quit");
}

static void cmd_list(struct ivshm_device *dev)
{
	unsigned int slots = ivshm_device_peer_slots(dev);

	/* the vectors the server gave us, not the -n limit we asked with */
	printf("own id %u, shm %" PRIu64 " bytes, %u vectors%s\n",
	       ivshm_device_id(dev), ivshm_device_bar2_size(dev),
	       ivshm_device_peer_vectors(dev, ivshm_device_id(dev)),
	       ivshm_device_server_fd(dev) < 0 ? ", server gone" : "");
	for (unsigned int p = 0; p < slots; p++) {
		unsigned int n = ivshm_device_peer_vectors(dev, p);

		if (n > 0)
			printf("peer %u: %u vectors%s\n", p, n,
			       p == ivshm_device_id(dev) ? " (self)" : "");
	}
}

/* Rings peer's vector (all of them if vector < 0); returns how many
 * eventfds were rung. A doorbell to an absent peer or vector is still
 * written, as a guest's would be: the device drops and counts it. */
static unsigned int ring_peer(struct ivshm_device *dev, unsigned int peer, int vector)
{
	unsigned int n = ivshm_device_peer_vectors(dev, peer), rung = 0;

	for (unsigned int v = 0; v < n; v++)
		if (vector < 0 || (unsigned int)vector == v) {
			ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL,
					       IVSHM_DOORBELL_VALUE(peer, v));
			rung++;
		}
	if (vector >= 0 && (unsigned int)vector >= n)
		ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL,
				       IVSHM_DOORBELL_VALUE(peer, vector));
	return rung;
}

static void say_rung(struct ivshm_device *dev, unsigned long peer, const char *b,
		     unsigned int rung)
{
	unsigned int n = ivshm_device_peer_vectors(dev, (unsigned int)peer);

	if (rung > 0)
		printf("rang peer %lu vector %s\n", peer, b);
	else if (n == 0)
		printf("peer %lu is not connected: nothing rung (the device counts a "
		       "bad peer)\n", peer);
	else
		printf("peer %lu has %u vectors: vector %s not rung (the device counts "
		       "a bad vector)\n", peer, n, b);
}

static void cmd_int(struct ivshm_device *dev, char *a, char *b)
{
	if (a != NULL && strcmp(a, "all") == 0 && b == NULL) {
		unsigned int slots = ivshm_device_peer_slots(dev);

		for (unsigned int p = 0; p < slots; p++)
			if (p != ivshm_device_id(dev))
				ring_peer(dev, p, -1);
		puts("rang all peers");
		return;
	}
	char *end;
	unsigned long peer = a ? strtoul(a, &end, 10) : 0;

	if (a == NULL || *end != '\0' || peer > IVSHM_MAX_PEER_ID || b == NULL) {
		puts("usage: int PEER VECTOR | int PEER all | int all");
		return;
	}
	unsigned int rung;

	if (strcmp(b, "all") == 0) {
		rung = ring_peer(dev, (unsigned int)peer, -1);
	} else {
		unsigned long v = strtoul(b, &end, 10);

		if (*end != '\0' || v > 255) {
			puts("vector must be 0..255 or all");
			return;
		}
		rung = ring_peer(dev, (unsigned int)peer, (int)v);
	}
	say_rung(dev, peer, b, rung);
}

static void cmd_regs(struct ivshm_device *dev)
{
	printf("INTRMASK   0x%08x\n", ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK));
	printf("INTRSTATUS 0x%08x\n", ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS));
	printf("IVPOSITION 0x%08x\n", ivshm_device_reg_read(dev, IVSHM_REG_IVPOSITION));
}

static void cmd_stats(struct ivshm_device *dev)
{
	struct ivshm_device_stats st;

	ivshm_device_get_stats(dev, &st);
	printf("doorbells %" PRIu64 ", bad peer %" PRIu64 ", bad vector %" PRIu64
	       ", peers joined %" PRIu64 ", left %" PRIu64 "\n", st.doorbells,
	       st.doorbell_bad_peer, st.doorbell_bad_vector, st.peers_joined,
	       st.peers_left);
}

/* Returns false on quit. */
static bool run_command(struct ivshm_device *dev, char *line)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t\r\n", &save);
	char *a = strtok_r(NULL, " \t\r\n", &save);
	char *b = strtok_r(NULL, " \t\r\n", &save);

	if (cmd == NULL)
		return true;
	if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0)
		return false;
	if (strcmp(cmd, "list") == 0 || strcmp(cmd, "dump") == 0)
		cmd_list(dev);
	else if (strcmp(cmd, "int") == 0)
		cmd_int(dev, a, b);
	else if (strcmp(cmd, "regs") == 0)
		cmd_regs(dev);
	else if (strcmp(cmd, "stats") == 0)
		cmd_stats(dev);
	else if (strcmp(cmd, "help") == 0)
		print_help();
	else
		printf("unknown command '%s' (try help)\n", cmd);
	fflush(stdout);
	return true;
}

static void report_vectors(struct ivshm_device *dev, const struct pollfd *p,
			   unsigned int first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t cnt;

		if ((p[first + i].revents & POLLIN) &&
		    read(p[first + i].fd, &cnt, sizeof(cnt)) == sizeof(cnt))
			printf("vector %u fired (count %" PRIu64 ")\n", i, cnt);
	}
	(void)dev;
	fflush(stdout);
}

static int event_loop(struct ivshm_device *dev)
{
	char err[IVSHM_ERR_LEN], line[512];
	struct pollfd p[2 + IVSHM_MAX_VECTORS];

	for (;;) {
		unsigned int n = 0, nv = 0;

		p[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = ivshm_device_server_fd(dev), .events = POLLIN };
		for (int fd; nv < ivshm_device_vectors(dev) &&
			     (fd = ivshm_device_vector_fd(dev, nv)) >= 0; nv++)
			p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(p, n, -1) < 0 && errno != EINTR)
			return 1;
		report_vectors(dev, p, 2, nv);
		if (p[1].revents && ivshm_device_poll(dev, err, sizeof(err)) < 0)
			printf("server: %s\n", err);
		if (p[0].revents == 0)
			continue;
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 0; /* end of input: done, no spinning */
		if (!run_command(dev, line))
			return 0;
	}
}

static void usage(const char *prog)
{
	printf("Usage: %s [-S socket] [-n max vectors]\n"
	       "  -S socket  the server's socket (default /tmp/ivshmem_socket)\n"
	       "  -n N       keep at most N of the eventfds each peer has, 1..%d\n"
	       "             (default %d; `list` shows what the server gave)\n"
	       "  -h, --help this help\n"
	       "  --version  print the version\n",
	       prog, IVSHM_MAX_VECTORS, IVSHM_MAX_VECTORS);
	print_help();
}

enum { OPT_VERSION = 256 };

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0 to run, 1 when done (help, version), -1 on bad arguments. */
static int parse_args(int argc, char **argv, struct ivshm_device_config *cfg)
{
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "S:n:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'S': cfg->server_path = optarg; break;
		case 'n':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > IVSHM_MAX_VECTORS) {
				fprintf(stderr, "ivshmem-client: -n must be 1..%d, not '%s'\n",
					IVSHM_MAX_VECTORS, optarg);
				return -1;
			}
			cfg->vectors = (unsigned int)v;
			break;
		case 'h': usage(argv[0]); return 1;
		case OPT_VERSION: puts("ivshmem-client " IVSHMEM_PMD_VERSION); return 1;
		default: /* getopt said what */
			fprintf(stderr, "ivshmem-client: see --help for the options\n");
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ivshmem-client: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ivshm_device_config cfg = {
		.server_path = "/tmp/ivshmem_socket", .vectors = IVSHM_MAX_VECTORS,
		.wait_vectors = 1, .irq_mode = IVSHM_IRQ_MSIX };
	char err[IVSHM_ERR_LEN];
	struct ivshm_device *dev;
	int parsed = parse_args(argc, argv, &cfg);

	if (parsed != 0)
		return parsed > 0 ? 0 : 2;
	setvbuf(stdin, NULL, _IONBF, 0); /* poll() must see what fgets has not */
	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "ivshmem-client: %s\n", err);
		return 1;
	}
	ivshm_device_settle_vectors(dev, 20); /* so `list` shows them all */
	printf("connected: own id %u\n", ivshm_device_id(dev));
	fflush(stdout);
	int rc = event_loop(dev);

	ivshm_device_close(dev);
	return rc;
}
