/* SPDX-License-Identifier: BSD-3-Clause */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app_common.h"
#include "perf.h"

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [EAL args] -- --role=initiator|reflector [options]\n"
		"  --mode=latency|throughput|raw  (latency)\n"
		"  --port=N               port to use (0)\n"
		"  --samples=N --warmup=N latency samples (100000) / warm-up "
		"(1000)\n"
		"  --size=B               latency packet size (64)\n"
		"  --sizes=B[,B..]        throughput sizes (64,128,256,512,"
		"1024,1500)\n"
		"  --burst=N              throughput burst (32)\n"
		"  --duration=S           seconds per size (2)\n"
		"  --bidir                reflector sends too\n"
		"  --rx-intr              reflector sleeps on Rx interrupts\n"
		"  --tx-zero-copy         build the frames sent in the zero-copy Tx\n"
		"                         pool of the Tx queue (net_ivshmem: sent\n"
		"                         without a copy; echoed frames are copied)\n"
		"  --raw-shm=FILE         shared file for the raw floor\n"
		"  --raw-offset=BYTES     cache line used (last 4 KiB of FILE)\n"
		"  --json=FILE --svg=FILE reports (initiator)\n"
		"  --timeout=S            wait for the peer (30)\n", prog);
}

enum {
	O_ROLE = 256, O_MODE, O_PORT, O_SAMPLES, O_WARMUP, O_SIZE, O_SIZES,
	O_BURST, O_DUR, O_BIDIR, O_INTR, O_RAW, O_RAWOFF, O_JSON, O_SVG,
	O_TIMEOUT, O_TXZC, O_HELP,
};

static const struct option long_opts[] = {
	{ "role", required_argument, NULL, O_ROLE },
	{ "mode", required_argument, NULL, O_MODE },
	{ "port", required_argument, NULL, O_PORT },
	{ "samples", required_argument, NULL, O_SAMPLES },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "size", required_argument, NULL, O_SIZE },
	{ "sizes", required_argument, NULL, O_SIZES },
	{ "burst", required_argument, NULL, O_BURST },
	{ "duration", required_argument, NULL, O_DUR },
	{ "bidir", no_argument, NULL, O_BIDIR },
	{ "rx-intr", no_argument, NULL, O_INTR },
	{ "tx-zero-copy", no_argument, NULL, O_TXZC },
	{ "raw-shm", required_argument, NULL, O_RAW },
	{ "raw-offset", required_argument, NULL, O_RAWOFF },
	{ "json", required_argument, NULL, O_JSON },
	{ "svg", required_argument, NULL, O_SVG },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *const role_names[] = {
	[ROLE_INITIATOR] = "initiator", [ROLE_REFLECTOR] = "reflector",
};
static const char *const mode_names[] = {
	[MODE_LATENCY] = "latency", [MODE_THROUGHPUT] = "throughput",
	[MODE_RAW] = "raw",
};

static int parse_scalar(int opt, const char *v, struct perf_args *a)
{
	uint64_t x;
	int rc = -1;

	switch (opt) {
	case O_PORT:
		rc = app_parse_u64(v, "--port", 0, RTE_MAX_ETHPORTS - 1, &x);
		a->port = (uint16_t)x;
		return rc;
	case O_SAMPLES:
		return app_parse_u64(v, "--samples", 1, 100000000, &a->samples);
	case O_WARMUP:
		return app_parse_u64(v, "--warmup", 0, 100000000, &a->warmup);
	case O_SIZE:
		rc = app_parse_u64(v, "--size", 64, 9000, &x);
		a->lat_size = (uint32_t)x;
		return rc;
	case O_BURST:
		rc = app_parse_u64(v, "--burst", 1, 512, &x);
		a->burst = (uint16_t)x;
		return rc;
	case O_RAWOFF:
		rc = app_parse_u64(v, "--raw-offset", 0, INT64_MAX, &x);
		a->raw_offset = (int64_t)x;
		return rc;
	case O_DUR:
		return app_parse_double(v, "--duration", 0.01, 3600,
					&a->duration);
	case O_TIMEOUT:
		return app_parse_double(v, "--timeout", 0.1, 3600, &a->timeout);
	default:
		return -1;
	}
}

static int parse_one(int opt, const char *v, void *ctx)
{
	struct perf_args *a = ctx;
	int e;

	switch (opt) {
	case O_ROLE:
		e = app_parse_enum(v, "--role", "value", role_names,
				   RTE_DIM(role_names));
		if (e < 0)
			return -1;
		a->role = (enum perf_role)e;
		a->role_set = true;
		return 0;
	case O_MODE:
		e = app_parse_enum(v, "--mode", "value", mode_names,
				   RTE_DIM(mode_names));
		if (e < 0)
			return -1;
		a->mode = (enum perf_mode)e;
		return 0;
	case O_SIZES:
		return app_parse_u32_list(v, "--sizes", 64, 9000, a->sizes,
					  PERF_MAX_SIZES, &a->nb_sizes);
	case O_BIDIR: a->bidir = true; return 0;
	case O_INTR: a->rx_intr = true; return 0;
	case O_TXZC: a->tx_zero_copy = true; return 0;
	case O_RAW: a->raw_shm = v; return 0;
	case O_JSON: a->json_path = v; return 0;
	case O_SVG: a->svg_path = v; return 0;
	default: return parse_scalar(opt, v, a);
	}
}

static void set_defaults(struct perf_args *a)
{
	static const uint32_t sizes[] = { 64, 128, 256, 512, 1024, 1500 };

	memset(a, 0, sizeof(*a));
	a->mode = MODE_LATENCY;
	a->burst = 32;
	memcpy(a->sizes, sizes, sizeof(sizes));
	a->nb_sizes = RTE_DIM(sizes);
	a->lat_size = 64;
	a->samples = 100000;
	a->warmup = 1000;
	a->duration = 2;
	a->raw_offset = -1;
	a->timeout = 30;
}

static int check(const struct perf_args *a)
{
	if (!a->role_set) {
		fprintf(stderr, "--role=initiator|reflector is required\n");
		return -1;
	}
	if (a->mode == MODE_RAW && a->raw_shm == NULL) {
		fprintf(stderr, "--mode=raw needs --raw-shm=FILE\n");
		return -1;
	}
	if (a->svg_path && a->mode == MODE_THROUGHPUT) {
		fprintf(stderr, "--svg draws latency: use it with --mode="
			"latency or raw\n");
		return -1;
	}
	return 0;
}

static const struct app_options perf_options = {
	.name = "ivshmem-perf", .table = long_opts, .help = O_HELP, .usage = usage, .handle = parse_one,
};

int perf_args_early(int argc, char **argv)
{
	return app_early_options(argc, argv, &perf_options);
}

/* argv/argc are what is left after rte_eal_init (argv[0] + app args). */
int perf_args_parse(int argc, char **argv, struct perf_args *a)
{
	set_defaults(a);
	int rc = app_parse_options(argc, argv, &perf_options, a);

	if (rc != APP_PARSE_RUN)
		return rc;
	return check(a);
}
