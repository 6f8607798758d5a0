/* SPDX-License-Identifier: BSD-3-Clause
 * Regions for test_stat.py, made by the lib itself:
 *   live FILE  two attached peers, MACs set, 5 frames 0->1 of which 3
 *              consumed, peer 0 armed for a doorbell on 1->0; then exits
 *   run FILE   the same, then keeps peer 0's heartbeat moving and passes
 *              one frame 0->1 per millisecond until SIGTERM
 *   half FILE  formatted, then format_state put back to FORMATTING
 *   corrupt FILE formatted, then ring_size changed in the header
 *   multi FILE 3 peers, 2 queues: channel p->c queue q carries
 *              1 + 6p + 2c + q frames (each channel its own count)
 * FILE must exist with the region's size (a shm file or a server's -M).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ring_over_shm.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void *map_rw(const char *path, uint64_t *size)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	*size = (uint64_t)st.st_size;
	p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int die(const char *what, int rc)
{
	fprintf(stderr, "stat_fixture: %s: %s\n", what, ivshm_strerror(rc));
	return 1;
}

static void pass_frames(struct ivshm_tx *tx, struct ivshm_rx *rx, uint32_t sent,
			uint32_t consumed)
{
	uint8_t frame[64] = { 0xaa }, back[2048];
	struct ivshm_pkt in = { frame, sizeof(frame) }, out = { back, 0 };
	bool bell;
	uint32_t i;

	for (i = 0; i < sent; i++)
		ivshm_tx_burst(tx, &in, 1, &bell);
	for (i = 0; i < consumed; i++)
		ivshm_rx_burst(rx, &out, 1, sizeof(back));
}

static int live(void *base, uint64_t size, bool run)
{
	static const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x10 };
	static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x11 };
	struct ivshm_region r0, r1;
	struct ivshm_tx tx01;
	struct ivshm_rx rx01, rx10;
	int rc;

	if ((rc = ivshm_region_attach(&r0, base, size, 0, NULL, IVSHM_ATTACH_FORMAT)) ||
	    (rc = ivshm_region_attach(&r1, base, size, 1, NULL, 0)))
		return die("attach", rc);
	ivshm_region_set_mac(&r0, mac0);
	ivshm_region_set_mac(&r1, mac1);
	if ((rc = ivshm_tx_open(&tx01, &r0, 1, 0)) || (rc = ivshm_rx_open(&rx01, &r1, 0, 0)) ||
	    (rc = ivshm_rx_open(&rx10, &r0, 1, 0)))
		return die("open", rc);
	ivshm_rx_sync(&rx01);
	pass_frames(&tx01, &rx01, 5, 3);
	ivshm_rx_arm(&rx10);
	ivshm_region_heartbeat(&r0);
	ivshm_region_heartbeat(&r1);
	printf("ready\n");
	fflush(stdout);
	while (run && !stop) {
		struct timespec ms = { 0, 1000000 };

		ivshm_region_heartbeat(&r0);
		pass_frames(&tx01, &rx01, 1, 1);
		nanosleep(&ms, NULL);
	}
	return 0;
}

static int multi(void *base, uint64_t size)
{
	const struct ivshm_geometry g = { .max_peers = 3, .queues = 2, .ring_size = 64,
					  .buf_size = 256 };
	struct ivshm_region r[3];
	uint8_t frame[64] = { 0 };
	struct ivshm_pkt pkt = { frame, sizeof(frame) };
	struct ivshm_tx tx;
	uint16_t p, c, q;
	uint32_t n;
	bool bell;
	int rc;

	for (p = 0; p < 3; p++)
		if ((rc = ivshm_region_attach(&r[p], base, size, p, &g, IVSHM_ATTACH_FORMAT)))
			return die("attach", rc);
	for (p = 0; p < 3; p++)
		for (c = 0; c < 3; c++)
			for (q = 0; q < 2 && c != p; q++) {
				if ((rc = ivshm_tx_open(&tx, &r[p], c, q)))
					return die("tx_open", rc);
				for (n = 0; n < 1u + 6u * p + 2u * c + q; n++)
					ivshm_tx_burst(&tx, &pkt, 1, &bell);
			}
	return 0;
}

int main(int argc, char **argv)
{
	struct ivshm_geometry g = IVSHM_GEOMETRY_DEFAULT;
	struct ivshm_wire_hdr *h;
	uint64_t size;
	void *base;
	int rc;

	if (argc != 3 || (base = map_rw(argv[2], &size)) == NULL) {
		fprintf(stderr, "usage: stat_fixture live|run|multi|half|corrupt FILE (existing)\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	if (strcmp(argv[1], "multi") == 0)
		return multi(base, size);
	if (strcmp(argv[1], "live") == 0 || strcmp(argv[1], "run") == 0)
		return live(base, size, argv[1][0] == 'r');
	if ((rc = ivshm_region_format(base, size, &g, 0)) != IVSHM_OK)
		return die("format", rc);
	h = base;
	if (strcmp(argv[1], "half") == 0)
		atomic_store(&h->format_state, IVSHM_FORMAT_FORMATTING);
	else
		h->ring_size = 2048; /* not the default geometry's */
	return 0;
}
