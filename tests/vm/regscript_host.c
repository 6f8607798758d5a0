/* SPDX-License-Identifier: BSD-3-Clause
 * Host side of the register-fidelity test: runs the same register script on
 * our device model (host/ivshm_device.h), so its output can be diffed with
 * QEMU's in a guest.
 * Usage: regscript-host --shm PATH --size BYTES --id N
 *        regscript-host --server SOCK --vectors N [--peer P]
 * --peer: before the script, wait (2 s at most) until peer P's eventfds are
 * known, as they are to a guest that has been up for a while.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ivshm_device.h"
#include "regscript.h"

static uint32_t model_read(void *ctx, uint32_t off)
{
	return ivshm_device_reg_read(ctx, off);
}

static void model_write(void *ctx, uint32_t off, uint32_t val)
{
	ivshm_device_reg_write(ctx, off, val);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int wait_peer(struct ivshm_device *dev, unsigned int peer,
		     unsigned int vectors)
{
	char err[256];
	double deadline = now_s() + 2.0;

	while (ivshm_device_peer_vectors(dev, peer) < vectors) {
		if (now_s() > deadline) {
			fprintf(stderr, "peer %u: eventfds not received\n", peer);
			return -1;
		}
		if (ivshm_device_wait(dev, 100, err, sizeof(err)) < 0) {
			fprintf(stderr, "device: %s\n", err);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shm", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "id", required_argument, NULL, 'i' },
		{ "server", required_argument, NULL, 'S' },
		{ "vectors", required_argument, NULL, 'n' },
		{ "peer", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct ivshm_device_config cfg = { .protocol = IVSHM_PROTO_V0,
					   .irq_mode = IVSHM_IRQ_MSIX };
	int peer = -1;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cfg.shm_path = optarg; break;
		case 'z': cfg.size = strtoull(optarg, NULL, 0); break;
		case 'i': cfg.id = atoi(optarg); break;
		case 'S': cfg.server_path = optarg; break;
		case 'n': cfg.vectors = (unsigned int)atoi(optarg); break;
		case 'p': peer = atoi(optarg); break;
		default: return 2;
		}
	}
	cfg.wait_vectors = cfg.server_path != NULL ? cfg.vectors : 0;

	struct ivshm_device *dev;
	char err[256];
	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "open: %s\n", err);
		return 1;
	}
	if (peer >= 0 && wait_peer(dev, (unsigned int)peer, cfg.vectors) < 0) {
		ivshm_device_close(dev);
		return 1;
	}
	struct regscript_bar0 ops = { model_read, model_write, dev };
	regscript_run(&ops, stdout);
	ivshm_device_close(dev);
	return 0;
}
