/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: prints what a live ivshmem-pmd region holds (layout,
 * geometry, peer table, every channel) without ever writing to it. See
 * doc/apps.md. Exit: 0 shown, 1 region missing or invalid, 2 bad usage.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ivshm_util.h"
#include "stat_print.h"
#include "stat_region.h"
#include "stat_source.h"

struct options {
	const char *shm, *server, *pci;
	bool json;
	double watch_s;    /* 0: one report */
	long count;        /* --watch reports, 0: until SIGINT */
	int sample_ms;     /* one report: how long to watch heartbeats */
	int timeout_ms;    /* server greeting */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A region file cut short under our mapping faults on the next read: say
 * so and exit, as for any region we cannot show. */
static void on_sigbus(int sig)
{
	static const char msg[] = "ivshmem-stat: the region shrank while being read (SIGBUS)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ivshmem-stat (--shm FILE | --server SOCKET | --pci BDF) [--json]\n"
		"                    [--watch[=SECONDS]] [--count N] [--sample-ms MS]\n"
		"  --shm FILE        a region file, e.g. /dev/shm/NAME (ivshmem-plain)\n"
		"  --server SOCKET   an ivshmem-server: connects, takes its shm, disconnects\n"
		"                    (the server counts it as a peer meanwhile)\n"
		"  --pci BDF         a guest's ivshmem device, sysfs resource2\n"
		"  --json            one JSON object per report\n"
		"  --watch[=S]       a report every S seconds (default 1) with per-channel rates\n"
		"  --count N         with --watch: stop after N reports\n"
		"  --sample-ms MS    without --watch: heartbeat watch window (default 100)\n"
		"  --timeout-ms MS   server greeting deadline (default 5000)\n"
		"  -h, --help        this help;  --version  the version\n");
}

static bool parse_number(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

static int bad_option(const char *message)
{
	fprintf(stderr, "ivshmem-stat: %s\n", message);
	return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "shm", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "pci", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "sample-ms", required_argument, NULL, 'm' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	*o = (struct options){ .sample_ms = 100, .timeout_ms = 5000 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->shm = optarg; break;
		case 'S': o->server = optarg; break;
		case 'p': o->pci = optarg; break;
		case 'j': o->json = true; break;
		case 'w':
			if (optarg == NULL)
				v = 1;
			else if (!parse_number(optarg, 0.01, 86400, &v))
				return bad_option("--watch: seconds in [0.01, 86400]");
			o->watch_s = v;
			break;
		case 'c':
			if (!parse_number(optarg, 1, 1e9, &v))
				return bad_option("--count: a number >= 1");
			o->count = (long)v;
			break;
		case 'm':
			if (!parse_number(optarg, 0, 600000, &v))
				return bad_option("--sample-ms: milliseconds in [0, 600000]");
			o->sample_ms = (int)v;
			break;
		case 't':
			if (!parse_number(optarg, 1, 600000, &v))
				return bad_option("--timeout-ms: milliseconds in [1, 600000]");
			o->timeout_ms = (int)v;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("ivshmem-stat %s\n", IVSHMEM_PMD_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || (!!o->shm + !!o->server + !!o->pci) != 1) {
		usage(stderr);
		return bad_option("give exactly one of --shm, --server, --pci");
	}
	return 0;
}

static const char *source_name(const struct options *o)
{
	return o->shm ? o->shm : o->server ? o->server : o->pci;
}

static int open_source(const struct options *o, struct stat_source *s, char *err)
{
	if (o->shm)
		return stat_source_open_file(s, o->shm, err, IVSHM_ERR_LEN);
	if (o->server)
		return stat_source_open_server(s, o->server, o->timeout_ms, err, IVSHM_ERR_LEN);
	return stat_source_open_pci(s, o->pci, err, IVSHM_ERR_LEN);
}

static void sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };

	nanosleep(&ts, NULL);
}

static void report(const struct options *o, struct stat_report *r)
{
	if (o->json)
		stat_print_json(stdout, r);
	else
		stat_print_text(stdout, r);
}

/* One report: heartbeats watched for sample_ms, so that their age means
 * something (the PMD bumps its heartbeat every 10 ms). */
static void run_once(const struct options *o, struct stat_report *r,
		     struct stat_sample *now, struct stat_ages *ages)
{
	int64_t end = now->at_ms + o->sample_ms;

	while (!stop && ivshm_now_ms() < end) {
		sleep_ms(2);
		stat_sample_read(r->view, now);
		stat_ages_update(ages, now);
	}
	report(o, r);
}

static void run_watch(const struct options *o, struct stat_report *r,
		      struct stat_sample *a, struct stat_sample *b, struct stat_ages *ages)
{
	struct stat_sample *prev = a, *now = b, *t;
	long n;

	for (n = 0; !stop && (o->count == 0 || n < o->count); n++) {
		sleep_ms(o->watch_s * 1000);
		stat_sample_read(r->view, now);
		stat_ages_update(ages, now);
		r->now = now;
		r->prev = prev;
		report(o, r);
		if (!o->json)
			fputc('\n', stdout);
		t = prev;
		prev = now;
		now = t;
	}
}

static int inspect(const struct options *o, const struct stat_source *src)
{
	struct stat_sample a, b;
	struct stat_ages ages;
	struct stat_view view;
	struct stat_report r;
	char err[IVSHM_ERR_LEN];
	int rc = 1;

	if (stat_view_open(&view, src->base, src->size, err, sizeof(err)) < 0) {
		fprintf(stderr, "ivshmem-stat: %s: %s\n", source_name(o), err);
		return 1;
	}
	if (stat_sample_alloc(&view, &a) < 0 || stat_sample_alloc(&view, &b) < 0) {
		fprintf(stderr, "ivshmem-stat: out of memory\n");
		goto out;
	}
	stat_sample_read(&view, &a);
	if (stat_ages_init(&ages, &view, &a) < 0) {
		fprintf(stderr, "ivshmem-stat: out of memory\n");
		goto out;
	}
	r = (struct stat_report){ .source = source_name(o),
				  .view = &view, .now = &a, .ages = &ages };
	if (o->watch_s > 0)
		run_watch(o, &r, &a, &b, &ages);
	else
		run_once(o, &r, &a, &ages);
	stat_ages_free(&ages);
	rc = 0;
out:
	stat_sample_free(&a);
	stat_sample_free(&b);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct stat_source src = { 0 };
	char err[IVSHM_ERR_LEN];
	int rc;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGBUS, on_sigbus);
	if (open_source(&o, &src, err) < 0) {
		fprintf(stderr, "ivshmem-stat: %s\n", err);
		return 1;
	}
	rc = inspect(&o, &src);
	stat_source_close(&src);
	return rc;
}
