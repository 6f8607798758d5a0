/* SPDX-License-Identifier: BSD-3-Clause
 * Two peers over one region, each producer on one channel and consumer on
 * the other, both directions at once. Packets have random sizes 1..2048
 * and carry a sequence number and a checksum; every packet is checked.
 * Peer 0 uses the zero-copy API, peer 1 the copy helpers (tx/rx_burst).
 *   ring_stress [--threads] [--count N] [--send-for SECONDS] [--timeout SECONDS]
 * Default: two processes (fork) sharing a memfd. --threads: two threads
 * (the ThreadSanitizer build runs this way). A side sends N packets, or
 * what it sent in --send-for seconds (30) if that is fewer: then it
 * publishes its final count and the peer expects exactly that many. So a
 * slow machine checks fewer packets instead of failing; --timeout (120)
 * is only the bound past which a side is taken as stuck.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring_over_shm.h"

#define MAX_PKT   2048u
#define MAX_BURST 64u
#define HDR_LEN   8u /* u32 seq, u32 checksum of bytes [8, len) */

static const struct ivshm_geometry stress_geo = {
	.max_peers = 2, .queues = 1, .ring_size = 256, .buf_size = MAX_PKT };

struct side_result {
	uint64_t sent, received, lost, reordered, corrupted;
	uint64_t tx_bad_index, rx_bad_index, rx_bad_desc, resyncs;
	double seconds;
	int timed_out, setup_failed;
	_Atomic uint64_t final_sent; /* 0 until the side stops sending early */
};

struct side {
	void *base;
	uint64_t size;
	uint16_t me;
	uint64_t count;              /* to send; lowered when send_for runs out */
	uint64_t count_asked;        /* --count: what the peer sends, unless it stops early */
	double send_for, timeout;
	struct side_result *res;
	struct side_result *peer_res;
	/* private state */
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	uint64_t next_rx_seq;
	uint64_t rng;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Length of packet `seq` in direction `dir`: both ends derive it. */
static uint32_t pkt_len(uint64_t seq, unsigned int dir)
{
	uint64_t h = (seq + 1) * 0x9e3779b97f4a7c15ull ^ (uint64_t)dir << 63;

	return 1 + (uint32_t)((h ^ h >> 29) % MAX_PKT);
}

static uint64_t pattern_word(uint64_t seq, uint32_t j)
{
	return (seq * 0xbf58476d1ce4e5b9ull) ^ ((uint64_t)j * 0x94d049bb133111ebull);
}

struct csum {
	uint64_t a, b;
};

static void csum_add(struct csum *c, uint64_t w)
{
	c->a += w;
	c->b += c->a;
}

static uint32_t csum_final(const struct csum *c)
{
	return (uint32_t)(c->a ^ c->a >> 32 ^ c->b ^ c->b >> 29);
}

/* Writes packet seq (len bytes) to d. Bytes past HDR_LEN are a pattern;
 * a short packet holds a prefix of the header. */
static void pkt_write(uint8_t *d, uint64_t seq, uint32_t len)
{
	uint8_t hdr[HDR_LEN];
	struct csum c = { 0, 0 };
	uint32_t off, j = 0;
	uint32_t s32 = (uint32_t)seq, sum;

	for (off = HDR_LEN; off + 8 <= len; off += 8, j++) {
		uint64_t w = pattern_word(seq, j);

		memcpy(d + off, &w, 8);
		csum_add(&c, w);
	}
	if (off < len) {
		uint64_t w = pattern_word(seq, j), tailw = 0;

		memcpy(&tailw, &w, len - off);
		memcpy(d + off, &w, len - off);
		csum_add(&c, tailw);
	}
	sum = csum_final(&c);
	memcpy(hdr, &s32, 4);
	memcpy(hdr + 4, &sum, 4);
	memcpy(d, hdr, len < HDR_LEN ? len : HDR_LEN);
}

/* Checksum of bytes [HDR_LEN, len) as read. */
static uint32_t pkt_sum(const uint8_t *d, uint32_t len)
{
	struct csum c = { 0, 0 };
	uint32_t off;
	uint64_t w;

	for (off = HDR_LEN; off + 8 <= len; off += 8) {
		memcpy(&w, d + off, 8);
		csum_add(&c, w);
	}
	if (off < len) {
		w = 0;
		memcpy(&w, d + off, len - off);
		csum_add(&c, w);
	}
	return csum_final(&c);
}

/* Accounts one received packet against the expected sequence number. */
static void pkt_check(struct side *s, const uint8_t *d, uint32_t len)
{
	unsigned int dir = 1u - s->me; /* direction of the peer's traffic */
	uint64_t seq = s->next_rx_seq;
	uint32_t s32 = (uint32_t)seq, sum;
	uint8_t want[HDR_LEN];

	if (len >= 4) {
		memcpy(&s32, d, 4);
		if (s32 != (uint32_t)seq) {
			int32_t delta = (int32_t)(s32 - (uint32_t)seq);

			if (delta < 0) {
				s->res->reordered++;
				return;
			}
			s->res->lost += (uint64_t)delta;
			seq += (uint64_t)delta;
		}
	}
	s->next_rx_seq = seq + 1;
	s->res->received++;
	if (len != pkt_len(seq, dir)) {
		s->res->corrupted++;
	} else if (len >= HDR_LEN) {
		sum = pkt_sum(d, len);
		if (memcmp(d + 4, &sum, 4) != 0)
			s->res->corrupted++;
	} else {
		pkt_write(want, seq, len);
		if (memcmp(d, want, len) != 0)
			s->res->corrupted++;
	}
}

static uint32_t burst_size(struct side *s, uint64_t left)
{
	uint32_t n = 1 + (uint32_t)(xorshift(&s->rng) % MAX_BURST);

	return left < n ? (uint32_t)left : n;
}

/* Zero-copy producer: packets are built in place in the buffers. */
static void send_zero_copy(struct side *s, uint32_t want)
{
	uint32_t i, n = ivshm_tx_space(&s->tx, want);

	for (i = 0; i < n; i++) {
		uint64_t seq = s->res->sent + i;
		uint32_t len = pkt_len(seq, s->me);

		pkt_write(ivshm_tx_buf_for(&s->tx, i, len), seq, len);
		ivshm_tx_set(&s->tx, i, len);
	}
	ivshm_tx_publish(&s->tx, n);
	s->res->sent += n;
}

static void recv_zero_copy(struct side *s, uint32_t want)
{
	uint32_t i, len, n = ivshm_rx_avail(&s->rx, want);
	const uint8_t *d;

	for (i = 0; i < n; i++)
		if (ivshm_rx_get(&s->rx, i, &d, &len) == IVSHM_OK)
			pkt_check(s, d, len);
	ivshm_rx_release(&s->rx, n);
}

/* Copy helpers: packets go through private buffers, as a PMD's mbufs. */
static uint8_t (*private_bufs(void))[MAX_PKT]
{
	static _Thread_local uint8_t bufs[MAX_BURST][MAX_PKT];

	return bufs;
}

static void send_copy(struct side *s, uint32_t want)
{
	uint8_t (*bufs)[MAX_PKT] = private_bufs();
	struct ivshm_pkt pkts[MAX_BURST];
	uint32_t i;
	bool bell;

	for (i = 0; i < want; i++) {
		pkts[i].data = bufs[i];
		pkts[i].len = pkt_len(s->res->sent + i, s->me);
		pkt_write(bufs[i], s->res->sent + i, pkts[i].len);
	}
	s->res->sent += ivshm_tx_burst(&s->tx, pkts, want, &bell);
}

static void recv_copy(struct side *s, uint32_t want)
{
	uint8_t (*bufs)[MAX_PKT] = private_bufs();
	struct ivshm_pkt pkts[MAX_BURST];
	uint32_t i, n;

	for (i = 0; i < want; i++)
		pkts[i].data = bufs[i];
	n = ivshm_rx_burst(&s->rx, pkts, want, MAX_PKT);
	for (i = 0; i < n; i++)
		pkt_check(s, pkts[i].data, pkts[i].len);
}

static int side_open(struct side *s)
{
	struct ivshm_region r;
	uint16_t peer = (uint16_t)(1u - s->me);

	if (ivshm_region_attach(&r, s->base, s->size, s->me, NULL, 0) != IVSHM_OK ||
	    ivshm_tx_open(&s->tx, &r, peer, 0) != IVSHM_OK ||
	    ivshm_rx_open(&s->rx, &r, peer, 0) != IVSHM_OK)
		return -1;
	s->rng = 0x2545f4914f6cdd1dull * (s->me + 1u);
	return 0;
}

/* What the peer sends: its final count once it has stopped early. */
static uint64_t peer_count(const struct side *s)
{
	uint64_t n = atomic_load(&s->peer_res->final_sent);

	return n == 0 ? s->count_asked : n == UINT64_MAX ? 0 : n;
}

static void side_run(struct side *s)
{
	struct side_result *res = s->res;
	double start = now_s(), t = start;
	bool zero_copy = s->me == 0;
	uint64_t iter = 0, idle = 0, progress;

	if (side_open(s) != 0) {
		res->setup_failed = 1;
		return;
	}
	while (res->sent < s->count || res->received + res->lost < peer_count(s)) {
		if ((++iter & 1023) == 0 && (t = now_s()) - start > s->timeout) {
			res->timed_out = 1;
			break;
		}
		if (res->sent < s->count && t - start > s->send_for) {
			s->count = res->sent;
			atomic_store(&res->final_sent, res->sent ? res->sent : UINT64_MAX);
		}
		progress = res->sent + res->received;
		if (res->sent < s->count && ivshm_tx_ready(&s->tx)) {
			uint32_t n = burst_size(s, s->count - res->sent);

			if (zero_copy)
				send_zero_copy(s, n);
			else
				send_copy(s, n);
		}
		if (zero_copy)
			recv_zero_copy(s, burst_size(s, MAX_BURST));
		else
			recv_copy(s, burst_size(s, MAX_BURST));
		/* Stuck (ring full and empty): the peer may share our core when
		 * the machine is busy; let it run instead of spinning out our
		 * time slice. Costs nothing while both make progress. */
		idle = res->sent + res->received == progress ? idle + 1 : 0;
		if (idle >= 64)
			sched_yield();
	}
	res->seconds = now_s() - start;
	res->tx_bad_index = s->tx.err.bad_index;
	res->rx_bad_index = s->rx.err.bad_index;
	res->rx_bad_desc = s->rx.err.bad_desc;
	res->resyncs = s->rx.err.resyncs;
}

static void *side_thread(void *arg)
{
	side_run(arg);
	return NULL;
}

/* What side r should have sent: --count, or its final count. */
static uint64_t sent_target(const struct side_result *r, uint64_t count)
{
	uint64_t n = atomic_load(&r->final_sent);

	return n == 0 ? count : n == UINT64_MAX ? 0 : n;
}

static int report(const struct side_result *r, const struct side_result *peer,
		  unsigned int me, uint64_t count)
{
	uint64_t want_sent = sent_target(r, count), want_rx = sent_target(peer, count);
	int ok = !r->setup_failed && !r->timed_out && r->sent == want_sent &&
		 want_sent > 0 && r->received == want_rx && r->lost == 0 && r->reordered == 0 &&
		 r->corrupted == 0 && r->tx_bad_index == 0 && r->rx_bad_index == 0 &&
		 r->rx_bad_desc == 0 && r->resyncs == 0;

	printf("peer %u: %s sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64
	       " reordered %" PRIu64 " corrupted %" PRIu64 " bad_index tx/rx %"
	       PRIu64 "/%" PRIu64 " bad_desc %" PRIu64 " resyncs %" PRIu64
	       " in %.2f s (%.2f Mpps rx)%s%s\n", me, ok ? "ok" : "FAIL",
	       r->sent, r->received, r->lost, r->reordered, r->corrupted,
	       r->tx_bad_index, r->rx_bad_index, r->rx_bad_desc, r->resyncs,
	       r->seconds, r->seconds > 0 ? (double)r->received / r->seconds / 1e6 : 0,
	       r->timed_out ? " TIMED OUT" : "", r->setup_failed ? " SETUP FAILED" : "");
	if (want_sent != count)
		printf("peer %u: stopped sending after --send-for (a slow machine): "
		       "%" PRIu64 " of %" PRIu64 "\n", me, want_sent, count);
	return ok;
}

static void init_sides(struct side sides[2], void *base, uint64_t size,
		       struct side_result *res, uint64_t count, double send_for,
		       double timeout)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memset(&sides[i], 0, sizeof(sides[i]));
		sides[i].base = base;
		sides[i].size = size;
		sides[i].me = (uint16_t)i;
		sides[i].count = sides[i].count_asked = count;
		sides[i].send_for = send_for;
		sides[i].timeout = timeout;
		sides[i].res = &res[i];
		sides[i].peer_res = &res[1 - i];
	}
}

static int run_threads(struct side sides[2])
{
	pthread_t th;

	if (pthread_create(&th, NULL, side_thread, &sides[1]) != 0)
		return -1;
	side_run(&sides[0]);
	return pthread_join(th, NULL) == 0 ? 0 : -1;
}

/* Waits for the child until the deadline, then kills it. */
static int reap(pid_t pid, double deadline)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_s() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "child did not finish: killed\n");
			return -1;
		}
		usleep(1000); /* polling the child's exit, not synchronising */
	}
}

static int run_processes(struct side sides[2], double timeout)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		side_run(&sides[1]);
		_exit(0);
	}
	side_run(&sides[0]);
	return reap(pid, now_s() + timeout + 5);
}

/* The region: a memfd (shared across fork) or private memory (threads). */
static void *map_region(uint64_t size, int threads)
{
	void *p;
	int fd;

	if (threads)
		return aligned_alloc(4096, size);
	fd = memfd_create("ring_stress", 0);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
	uint64_t count = 10000000, size = ivshm_layout_size(&stress_geo);
	double timeout = 120, send_for = 30;
	int threads = 0, i, ok;
	struct side_result *res;
	struct side sides[2];
	void *base;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0)
			threads = 1;
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--send-for") == 0 && i + 1 < argc)
			send_for = strtod(argv[++i], NULL);
		else {
			fprintf(stderr, "usage: %s [--threads] [--count N] [--send-for S] "
				"[--timeout S]\n",
				argv[0]);
			return 2;
		}
	}
	base = map_region(size, threads);
	res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == NULL || res == MAP_FAILED) {
		perror("region");
		return 1;
	}
	memset(res, 0, 2 * sizeof(*res));
	memset(base, 0, 4096);
	if (ivshm_region_format(base, size, &stress_geo, 0) != IVSHM_OK) {
		fprintf(stderr, "format failed\n");
		return 1;
	}
	init_sides(sides, base, size, res, count, send_for, timeout);
	printf("%s, %" PRIu64 " packets each way, sizes 1..%u\n",
	       threads ? "two threads" : "two processes", count, MAX_PKT);
	ok = (threads ? run_threads(sides) : run_processes(sides, timeout)) == 0;
	ok &= report(&res[0], &res[1], 0, count);
	ok &= report(&res[1], &res[0], 1, count);
	return ok ? 0 : 1;
}
