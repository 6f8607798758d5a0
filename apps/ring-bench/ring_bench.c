/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-ring-bench: lib/ring_over_shm between two processes pinned to two
 * cores over a memfd region (no DPDK, no device):
 *   - one-direction throughput per packet size: the producer copies the
 *     payload into the ring buffers, the consumer copies it out into local
 *     buffers (as a PMD does with mbufs);
 *   - 1-packet ping-pong round trip;
 *   - raw cache-line ping-pong on the same memory: the floor.
 * Options: --sizes 64,1500 --burst 32 --seconds 2 --samples 1000000
 *          --cores 0,1
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "ring_over_shm.h"

#define MAX_SIZES   8
#define LOCAL_BUFS  512  /* consumer's "mbufs", cycled */
#define SETUP_LIMIT 5.0  /* seconds to wait for the peer to show up */

static const struct ivshm_geometry bench_geo = {
	.max_peers = 2, .queues = 1, .ring_size = 512, .buf_size = 2048 };

struct options {
	uint32_t sizes[MAX_SIZES];
	unsigned int nsizes;
	uint32_t burst;
	double seconds;
	uint32_t samples;
	int cores[2]; /* producer/echo side, consumer/measuring side */
};

/* After the layout, on lines of their own: a stop flag the measuring side
 * raises, and the line the raw ping-pong bounces. */
struct bench_ctl {
	_Atomic uint32_t stop;
	uint8_t pad0[IVSHM_CACHE_LINE - 4];
	_Atomic uint64_t ball;
	uint8_t pad1[IVSHM_CACHE_LINE - 8];
};

struct bench {
	uint8_t *base;
	uint64_t layout_size, size;
	struct bench_ctl *ctl;
	double tsc_per_ns;
};

/* ---- time ---- */

static double mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* TSC read that neither earlier nor later instructions move across, so a
 * round trip cannot appear shorter than it was. */
static inline uint64_t ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int aux;
	uint64_t t;

	_mm_lfence();
	t = __rdtscp(&aux);
	_mm_lfence();
	return t;
#else
	return (uint64_t)mono_ns();
#endif
}

/* Ticks per ns, measured against CLOCK_MONOTONIC over 100 ms. */
static double calibrate_ticks(void)
{
	double t0 = mono_ns(), t1;
	uint64_t c0 = ticks(), c1;

	do {
		t1 = mono_ns();
	} while (t1 - t0 < 100e6);
	c1 = ticks();
	return (double)(c1 - c0) / (t1 - t0);
}

/* ---- processes ---- */

static void pin(int core)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(core, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "warning: cannot pin to core %d: %s\n", core,
			strerror(errno));
}

/* Runs fn(b, arg) in a child pinned to `core`; returns its pid. */
static pid_t spawn(struct bench *b, int core,
		   int (*fn)(struct bench *, const void *), const void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin(core);
		_exit(fn(b, arg) == 0 ? 0 : 1);
	}
	return pid;
}

static int finish(struct bench *b, pid_t pid)
{
	int status;

	atomic_store(&b->ctl->stop, 1);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static bool stopped(const struct bench *b)
{
	return atomic_load_explicit(&b->ctl->stop, memory_order_relaxed) != 0;
}

/* A fresh layout for every phase, so no phase sees another's state. */
static int reset_region(struct bench *b)
{
	memset(b->base, 0, 4096);
	atomic_store(&b->ctl->stop, 0);
	atomic_store(&b->ctl->ball, 0);
	return ivshm_region_format(b->base, b->size, &bench_geo, 0);
}

/* Attaches as `me` and opens the channels to the other peer. */
static int open_ends(struct bench *b, uint16_t me, struct ivshm_tx *tx,
		     struct ivshm_rx *rx)
{
	struct ivshm_region r;

	if (ivshm_region_attach(&r, b->base, b->size, me, NULL, 0) != IVSHM_OK)
		return -1;
	if (tx != NULL && ivshm_tx_open(tx, &r, (uint16_t)(1 - me), 0) != IVSHM_OK)
		return -1;
	if (rx != NULL && ivshm_rx_open(rx, &r, (uint16_t)(1 - me), 0) != IVSHM_OK)
		return -1;
	return 0;
}

/* Polls rx (so it syncs to the producer and acks it) until rx has synced
 * and tx is acked, each if given; false after SETUP_LIMIT. */
static bool wait_ready(struct ivshm_tx *tx, struct ivshm_rx *rx)
{
	double limit = mono_ns() + SETUP_LIMIT * 1e9;

	for (;;) {
		if (rx != NULL)
			ivshm_rx_avail(rx, 1);
		if ((tx == NULL || ivshm_tx_ready(tx)) &&
		    (rx == NULL || rx->expect_gen != 0))
			return true;
		if (mono_ns() > limit)
			return false;
	}
}

/* Starts the child side and waits until the channels are synced. */
static pid_t start_peer(struct bench *b, const struct options *o,
			int (*fn)(struct bench *, const void *), const void *arg,
			struct ivshm_tx *tx, struct ivshm_rx *rx)
{
	pid_t pid = spawn(b, o->cores[0], fn, arg);

	if (pid > 0 && !wait_ready(tx, rx)) {
		finish(b, pid);
		return -1;
	}
	return pid;
}

/* ---- throughput ---- */

struct tput_arg {
	uint32_t size, burst;
};

/* Producer: copies the payload into as many buffers as are free. */
static int tput_producer(struct bench *b, const void *argp)
{
	const struct tput_arg *a = argp;
	static uint8_t payload[2048];
	struct ivshm_tx tx;
	uint32_t i, n;

	memset(payload, 0x5a, sizeof(payload));
	if (open_ends(b, 0, &tx, NULL) != 0)
		return -1;
	while (!ivshm_tx_ready(&tx))
		if (stopped(b))
			return -1;
	while (!stopped(b)) {
		n = ivshm_tx_space(&tx, a->burst);
		for (i = 0; i < n; i++) {
			memcpy(ivshm_tx_buf_for(&tx, i, a->size), payload, a->size);
			ivshm_tx_set(&tx, i, a->size);
		}
		ivshm_tx_publish(&tx, n);
	}
	return 0;
}

/* Consumer: copies packets out into local buffers; returns packets. */
static uint64_t consume(struct ivshm_rx *rx, uint32_t burst, uint8_t *local,
			uint64_t *slot)
{
	uint32_t i, len, n = ivshm_rx_avail(rx, burst);
	const uint8_t *d;

	for (i = 0; i < n; i++) {
		if (ivshm_rx_get(rx, i, &d, &len) != IVSHM_OK)
			continue;
		memcpy(local + (*slot)++ % LOCAL_BUFS * 2048, d, len);
	}
	ivshm_rx_release(rx, n);
	return n;
}

struct tput_result {
	double mpps, gbps, ns_per_pkt;
	uint64_t bad;
};

static int run_tput(struct bench *b, const struct options *o, uint32_t size,
		    struct tput_result *res)
{
	struct tput_arg a = { size, o->burst };
	static uint8_t local[LOCAL_BUFS * 2048];
	uint64_t pkts = 0, slot = 0, base_pkts = 0, it = 0;
	double t, t_begin = 0, warm_end, end;
	struct ivshm_rx rx;
	pid_t pid;

	if (reset_region(b) != IVSHM_OK || open_ends(b, 1, NULL, &rx) != 0)
		return -1;
	pid = start_peer(b, o, tput_producer, &a, NULL, &rx);
	if (pid < 0)
		return -1;
	t = mono_ns();
	warm_end = t + 0.2e9;
	end = warm_end + o->seconds * 1e9;
	while (t < end) {
		pkts += consume(&rx, o->burst, local, &slot);
		if ((++it & 63) != 0)
			continue;
		t = mono_ns();
		if (t_begin == 0 && t >= warm_end) {
			t_begin = t;
			base_pkts = pkts;
		}
	}
	res->mpps = (double)(pkts - base_pkts) / (t - t_begin) * 1e3;
	res->gbps = res->mpps * size * 8 / 1e3;
	res->ns_per_pkt = 1e3 / res->mpps;
	res->bad = rx.err.bad_desc + rx.err.bad_index;
	return finish(b, pid);
}

/* ---- round trips ---- */

/* Echo side: sends back every packet it receives. */
static int echo(struct bench *b, const void *unused)
{
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	const uint8_t *d;
	uint32_t len;

	(void)unused;
	if (open_ends(b, 0, &tx, &rx) != 0 || !wait_ready(&tx, &rx))
		return -1;
	while (!stopped(b)) {
		if (ivshm_rx_avail(&rx, 1) == 0)
			continue;
		if (ivshm_rx_get(&rx, 0, &d, &len) == IVSHM_OK) {
			while (ivshm_tx_space(&tx, 1) == 0)
				;
			memcpy(ivshm_tx_buf_for(&tx, 0, len), d, len);
			ivshm_tx_set(&tx, 0, len);
			ivshm_tx_publish(&tx, 1);
		}
		ivshm_rx_release(&rx, 1);
	}
	return 0;
}

/* One measured round trip of a 64 B packet; returns ticks. */
static uint64_t ring_round_trip(struct ivshm_tx *tx, struct ivshm_rx *rx,
				const uint8_t *payload, uint8_t *local)
{
	uint64_t t0 = ticks();
	const uint8_t *d;
	uint32_t len;

	ivshm_tx_space(tx, 1);
	memcpy(ivshm_tx_buf_for(tx, 0, 64), payload, 64);
	ivshm_tx_set(tx, 0, 64);
	ivshm_tx_publish(tx, 1);
	while (ivshm_rx_avail(rx, 1) == 0)
		;
	if (ivshm_rx_get(rx, 0, &d, &len) == IVSHM_OK)
		memcpy(local, d, len);
	ivshm_rx_release(rx, 1);
	return ticks() - t0;
}

/* Bounce side of the raw ping-pong: odd values come in, +1 goes back. */
static int bounce(struct bench *b, const void *unused)
{
	uint64_t v;

	(void)unused;
	while (!stopped(b)) {
		v = atomic_load_explicit(&b->ctl->ball, memory_order_acquire);
		if (v & 1)
			atomic_store_explicit(&b->ctl->ball, v + 1,
					      memory_order_release);
	}
	return 0;
}

static uint64_t line_round_trip(struct bench_ctl *c, uint64_t i)
{
	uint64_t t0 = ticks();

	atomic_store_explicit(&c->ball, 2 * i + 1, memory_order_release);
	while (atomic_load_explicit(&c->ball, memory_order_acquire) != 2 * i + 2)
		;
	return ticks() - t0;
}

struct rtt_stats {
	double min, p50, p99, max;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void summarize(uint64_t *t, uint32_t n, double tsc_per_ns,
		      struct rtt_stats *s)
{
	qsort(t, n, sizeof(*t), cmp_u64);
	s->min = (double)t[0] / tsc_per_ns;
	s->p50 = (double)t[n / 2] / tsc_per_ns;
	s->p99 = (double)t[(uint64_t)n * 99 / 100] / tsc_per_ns;
	s->max = (double)t[n - 1] / tsc_per_ns;
}

static int run_ring_rtt(struct bench *b, const struct options *o,
			uint64_t *t, struct rtt_stats *s)
{
	uint32_t i, warm = o->samples / 10 + 1000;
	uint8_t payload[64] = { 1 }, local[2048];
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	pid_t pid;

	if (reset_region(b) != IVSHM_OK || open_ends(b, 1, &tx, &rx) != 0)
		return -1;
	pid = start_peer(b, o, echo, NULL, &tx, &rx);
	if (pid < 0)
		return -1;
	for (i = 0; i < warm; i++)
		ring_round_trip(&tx, &rx, payload, local);
	for (i = 0; i < o->samples; i++)
		t[i] = ring_round_trip(&tx, &rx, payload, local);
	summarize(t, o->samples, b->tsc_per_ns, s);
	return finish(b, pid);
}

static int run_line_rtt(struct bench *b, const struct options *o,
			uint64_t *t, struct rtt_stats *s)
{
	uint32_t i, warm = o->samples / 10 + 1000;
	pid_t pid;

	if (reset_region(b) != IVSHM_OK)
		return -1;
	pid = spawn(b, o->cores[0], bounce, NULL);
	if (pid < 0)
		return -1;
	for (i = 0; i < warm; i++)
		line_round_trip(b->ctl, i);
	for (i = 0; i < o->samples; i++)
		t[i] = line_round_trip(b->ctl, warm + i);
	summarize(t, o->samples, b->tsc_per_ns, s);
	return finish(b, pid);
}

/* ---- main ---- */

static int parse_sizes(const char *s, struct options *o)
{
	char *end;

	o->nsizes = 0;
	while (*s != '\0' && o->nsizes < MAX_SIZES) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < 1 || v > bench_geo.buf_size)
			return -1;
		o->sizes[o->nsizes++] = (uint32_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return o->nsizes > 0 ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int i;

	*o = (struct options){ .sizes = { 64, 1500 }, .nsizes = 2, .burst = 32,
			       .seconds = 2, .samples = 1000000, .cores = { 0, 1 } };
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--sizes") == 0 && parse_sizes(v, o) == 0)
			continue;
		if (strcmp(k, "--burst") == 0 && (o->burst = (uint32_t)atoi(v)) >= 1 &&
		    o->burst <= bench_geo.ring_size)
			continue;
		if (strcmp(k, "--seconds") == 0 && (o->seconds = atof(v)) > 0)
			continue;
		if (strcmp(k, "--samples") == 0 && (o->samples = (uint32_t)atoi(v)) >= 100)
			continue;
		if (strcmp(k, "--cores") == 0 &&
		    sscanf(v, "%d,%d", &o->cores[0], &o->cores[1]) == 2)
			continue;
		return -1;
	}
	return i == argc ? 0 : -1;
}

static int setup(struct bench *b)
{
	int fd = memfd_create("ivshmem-ring-bench", 0);

	b->layout_size = ivshm_layout_size(&bench_geo);
	b->size = b->layout_size + 4096;
	if (fd < 0 || ftruncate(fd, (off_t)b->size) != 0)
		return -1;
	b->base = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (b->base == MAP_FAILED)
		return -1;
	b->ctl = (struct bench_ctl *)(b->base + b->layout_size);
	b->tsc_per_ns = calibrate_ticks();
	return 0;
}

static void print_rtt(const char *name, const struct rtt_stats *s)
{
	printf("  %-22s %8.1f %8.1f %8.1f %10.1f\n", name, s->min, s->p50,
	       s->p99, s->max);
}

int main(int argc, char **argv)
{
	struct options o;
	struct bench b;
	struct tput_result tr;
	struct rtt_stats ring, line;
	uint64_t *samples;
	unsigned int i;

	if (parse_options(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: %s [--sizes 64,1500] [--burst 32] [--seconds 2]"
			" [--samples 1000000] [--cores 0,1]\n", argv[0]);
		return 2;
	}
	samples = malloc(sizeof(*samples) * o.samples);
	if (samples == NULL || setup(&b) != 0) {
		perror("setup");
		return 1;
	}
	pin(o.cores[1]);
	printf("ivshmem-ring-bench: ring %u x %u B, producer/echo on core %d, "
	       "consumer/timer on core %d, TSC %.3f GHz\n", bench_geo.ring_size,
	       bench_geo.buf_size, o.cores[0], o.cores[1], b.tsc_per_ns);
	printf("\nthroughput, one direction, burst %u, %.1f s per size "
	       "(consumer copies out)\n", o.burst, o.seconds);
	printf("  %6s %10s %10s %10s %12s\n", "size", "Mpps", "Gbit/s", "ns/pkt",
	       "cycles/pkt");
	for (i = 0; i < o.nsizes; i++) {
		if (run_tput(&b, &o, o.sizes[i], &tr) != 0 || tr.bad != 0) {
			fprintf(stderr, "throughput run for %u B failed\n", o.sizes[i]);
			return 1;
		}
		printf("  %6u %10.2f %10.2f %10.2f %12.1f\n", o.sizes[i], tr.mpps,
		       tr.gbps, tr.ns_per_pkt, tr.ns_per_pkt * b.tsc_per_ns);
	}
	if (run_ring_rtt(&b, &o, samples, &ring) != 0 ||
	    run_line_rtt(&b, &o, samples, &line) != 0) {
		fprintf(stderr, "round-trip run failed\n");
		return 1;
	}
	printf("\nround trip, %u samples after warm-up (ns)\n", o.samples);
	printf("  %-22s %8s %8s %8s %10s\n", "", "min", "p50", "p99", "max");
	print_rtt("ring ping-pong, 64 B", &ring);
	print_rtt("cache-line ping-pong", &line);
	free(samples);
	return 0;
}
