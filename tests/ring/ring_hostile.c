/* SPDX-License-Identifier: BSD-3-Clause
 * Peers at the same time: our producer and consumer run on one channel
 * while a hostile thread rewrites that channel's control words under them,
 * and a second consumer runs on another channel whose producer side
 * (indices, generation, descriptors) a second hostile thread rewrites at
 * random. The fuzz targets are single-threaded: this is where a tail that
 * moves inside one burst, a double fetch or an ordering bug shows.
 *
 * Channel q0 (peer 0 -> peer 1), invariants checked:
 *  - no slot overwritten before it was consumed: every frame carries its
 *    sequence number, length and a pattern derived from both, and arrives
 *    intact, in order, exactly once (no loss either: the hostile writes
 *    only values a conforming peer could never have written, so nothing
 *    may be dropped); the zero-copy producer also checks, before writing,
 *    that the slots it writes were released by the real consumer;
 *  - the producer's private head - tail_seen stays <= R;
 *  - no frame delivered that was not sent (sequence < frames written);
 *  - error counters only grow.
 *  Hostile writes: tail moved back behind the real one or far ahead of the
 *  head, head far from the tail, need_wakeup and ack_gen at random. Our
 *  peers re-assert their own index when idle (as a conforming peer does at
 *  its next burst), so a write they never see again cannot stall the test.
 * Channel q1 (peer 0 -> peer 1), no producer of ours: everything the
 *  producer owns is garbage; the consumer's results must stay within what
 *  was asked (count <= n, lengths 1..cap into exactly-sized heap buffers,
 *  prefetch hints inside the buffer area), with guard pages around the
 *  region (ASan and the MMU catch any stray access).
 *
 *   ring_hostile [--seconds S]   (or env RING_HOSTILE_SECONDS; default 2)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ring_over_shm.h"

#define RING 16u
#define BUF 64u
#define MAX_FRAME (RING * BUF / 2) /* chains of up to 8 descriptors */
#define HDR 8u                     /* u32 seq, u32 len */
#define BURST 16u

static const struct ivshm_geometry geo = {
	.max_peers = 2, .queues = 2, .ring_size = RING, .buf_size = BUF };

static struct ivshm_region prod_view, cons_view;
static _Atomic int stop_hostile, stop_producer, stop_chaos, failed, consumer_synced;
/* set once the producer has left its loop: only then is `written` final */
static _Atomic int producer_done;
/* the producer has opened its channel: the hostile may start (before, its
 * far-off head could become the producer's starting head) */
static _Atomic int producer_ready;
static _Atomic uint64_t written;  /* frames the producer wrote (before publish) */
static _Atomic uint64_t received; /* frames the consumer delivered intact */
static _Atomic uint32_t released; /* consumer's tail, set before it is shared */
static uint64_t chaos_bursts;

#define FAIL(...) do { \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	atomic_store(&failed, 1); \
} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Region of `size` bytes between two PROT_NONE guard pages. */
static uint8_t *guarded(uint64_t size)
{
	const uint64_t pg = 4096, sz = (size + pg - 1) & ~(pg - 1);
	uint8_t *p = mmap(NULL, sz + 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + pg, sz, PROT_READ | PROT_WRITE) != 0) {
		perror("guarded region");
		exit(2);
	}
	return p + pg;
}

/* ---- frames: both ends derive them from the sequence number ---- */

static uint32_t frame_len(uint64_t seq)
{
	uint64_t h = (seq + 7) * 0x9e3779b97f4a7c15ull;

	return HDR + (uint32_t)((h ^ h >> 31) % (MAX_FRAME - HDR + 1));
}

static uint8_t frame_byte(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

static void frame_fill(uint8_t *d, uint64_t seq, uint32_t len)
{
	uint32_t s = (uint32_t)seq, i;

	memcpy(d, &s, 4);
	memcpy(d + 4, &len, 4);
	for (i = HDR; i < len; i++)
		d[i] = frame_byte(seq, i);
}

static bool frame_ok(const uint8_t *d, uint32_t len, uint64_t seq)
{
	uint32_t s, l, i;

	if (len < HDR)
		return false;
	memcpy(&s, d, 4);
	memcpy(&l, d + 4, 4);
	if (s != (uint32_t)seq || l != len || len != frame_len(seq))
		return false;
	for (i = HDR; i < len; i++)
		if (d[i] != frame_byte(seq, i))
			return false;
	return true;
}

/* Error counters only grow. */
static void counters_grow(struct ivshm_chan_errors *last, const struct ivshm_chan_errors *now,
			  const char *who)
{
	if (now->bad_index < last->bad_index || now->bad_desc < last->bad_desc ||
	    now->resyncs < last->resyncs)
		FAIL("%s: an error counter went backwards", who);
	*last = *now;
}

/* ---- q0: our producer ---- */

/* The slots [head, head + n) were all released by the real consumer. */
static void check_no_overwrite(const struct ivshm_tx *tx, uint32_t n)
{
	uint32_t done = atomic_load_explicit(&released, memory_order_acquire);

	if (tx->head + n - done > RING)
		FAIL("producer writes slots not yet consumed: head %u + %u, consumer at %u",
		     tx->head, n, done);
}

/* One frame per descriptor chain with the zero-copy API, space asked per
 * frame as the PMD does (several tail reads inside one burst). */
static uint32_t send_zero_copy(struct ivshm_tx *tx, uint64_t seq, uint32_t n)
{
	uint8_t frame[MAX_FRAME];
	uint32_t i, slot = 0, segs, len, k;

	for (i = 0; i < n; i++) {
		len = frame_len(seq + i);
		segs = ivshm_tx_segs(tx, len);
		if (ivshm_tx_space(tx, slot + segs) < slot + segs)
			break;
		check_no_overwrite(tx, slot + segs);
		frame_fill(frame, seq + i, len);
		for (k = 0; k < segs; k++)
			memcpy(ivshm_tx_buf(tx, slot + k), frame + k * BUF,
			       len - k * BUF < BUF ? len - k * BUF : BUF);
		/* 3.0: the descriptor store publishes: written first */
		atomic_store_explicit(&written, seq + i + 1, memory_order_release);
		slot += ivshm_tx_set_chain(tx, slot, len);
	}
	atomic_store_explicit(&written, seq + i, memory_order_release);
	ivshm_tx_publish(tx, slot);
	return i;
}

/* The copy helper (ivshm_tx_burst). */
static uint32_t send_copy(struct ivshm_tx *tx, uint64_t seq, uint32_t n)
{
	static uint8_t frames[BURST][MAX_FRAME];
	struct ivshm_pkt p[BURST];
	uint32_t i, sent, free_before;
	bool bell;

	for (i = 0; i < n; i++) {
		p[i] = (struct ivshm_pkt){ frames[i], frame_len(seq + i) };
		frame_fill(frames[i], seq + i, p[i].len);
	}
	/* written is raised first: a frame may be visible before we return */
	atomic_store_explicit(&written, seq + n, memory_order_release);
	free_before = ivshm_tx_space(tx, RING);
	check_no_overwrite(tx, free_before);
	sent = ivshm_tx_burst(tx, p, n, &bell);
	atomic_store_explicit(&written, seq + sent, memory_order_release);
	return sent;
}

static void *producer_main(void *arg)
{
	struct ivshm_tx tx;
	struct ivshm_chan_errors last = { 0, 0, 0 };
	uint64_t seq = 0, s = 0x51ed, idle = 0;
	uint32_t n, sent;

	(void)arg;
	if (ivshm_tx_open(&tx, &prod_view, 1, 0) != IVSHM_OK) {
		FAIL("tx_open");
		return NULL;
	}
	atomic_store(&producer_ready, 1);
	while (!atomic_load_explicit(&stop_producer, memory_order_relaxed) &&
	       !atomic_load_explicit(&failed, memory_order_relaxed)) {
		n = 1 + (uint32_t)(rnd(&s) % BURST);
		sent = (rnd(&s) & 1) ? send_zero_copy(&tx, seq, n) : send_copy(&tx, seq, n);
		seq += sent;
		if (tx.head - tx.tail_seen > RING)
			FAIL("producer: head - tail_seen = %u > R", tx.head - tx.tail_seen);
		counters_grow(&last, &tx.err, "producer");
		if (sent == 0 && ++idle % 64 == 0) /* our own line: re-assert it */
			atomic_store_explicit(&tx.ctl->head, tx.head, memory_order_release);
	}
	/* a conforming producer's head is where it left it (the hostile
	 * stopped first): the consumer drains what was sent */
	atomic_store_explicit(&tx.ctl->head, tx.head, memory_order_release);
	atomic_store_explicit(&producer_done, 1, memory_order_release);
	printf("producer: %llu frames, tail bad_index %llu\n", (unsigned long long)seq,
	       (unsigned long long)tx.err.bad_index);
	return NULL;
}

/* ---- q0: our consumer ---- */

/* Copies the chain that starts at ready index i into out; returns its
 * length (0: bad) and sets *end past its last descriptor. */
static uint32_t read_chain(struct ivshm_rx *rx, uint32_t i, uint32_t *end, uint8_t *out)
{
	struct ivshm_rx_chain c;
	const uint8_t *data = NULL;
	uint32_t len = 0;
	int rc;

	ivshm_rx_chain_start(&c, i);
	do {
		rc = ivshm_rx_chain_next(rx, &c, &data, &len);
		if (rc >= 0 && c.total <= MAX_FRAME)
			memcpy(out + c.total - len, data, len);
	} while (rc == IVSHM_CHAIN_MORE);
	*end = c.first + c.used;
	return rc < 0 || c.total > MAX_FRAME ? 0 : c.total;
}

/* One burst with the zero-copy consumer API, as the PMD reads: the frames
 * are checked, then `released` is raised, then the tail is shared, so any
 * honest tail the producer reads is <= released. */
static uint32_t consume(struct ivshm_rx *rx, uint64_t *next)
{
	static uint8_t out[MAX_FRAME];
	const uint8_t *data = NULL;
	uint32_t i, n = ivshm_rx_avail(rx, BURST), len = 0, got = 0, end;
	uint64_t w;
	int rc;

	for (i = 0; i < n; i++) {
		rc = ivshm_rx_get(rx, i, &data, &len);
		if (rc == IVSHM_ECHAIN) {
			len = read_chain(rx, i, &end, out);
			i = end - 1; /* it may reach past n: all of it is released */
			if (end > n)
				n = end;
		} else if (rc == IVSHM_OK && len <= MAX_FRAME) {
			memcpy(out, data, len);
		} else {
			len = 0;
		}
		w = atomic_load_explicit(&written, memory_order_acquire);
		if (*next >= w)
			FAIL("frame %llu delivered, only %llu written", (unsigned long long)*next,
			     (unsigned long long)w);
		if (!frame_ok(out, len, *next)) {
			FAIL("frame %llu: wrong content or length %u (overwritten, lost or reordered)",
			     (unsigned long long)*next, len);
			break;
		}
		(*next)++;
		got++;
	}
	atomic_store_explicit(&released, rx->tail + n, memory_order_release);
	ivshm_rx_release(rx, n);
	atomic_store_explicit(&received, *next, memory_order_release);
	return got;
}

static void *consumer_main(void *arg)
{
	struct ivshm_rx rx;
	struct ivshm_chan_errors last = { 0, 0, 0 };
	uint64_t next = 0, idle = 0;
	double drain_end = 0;

	(void)arg;
	if (ivshm_rx_open(&rx, &cons_view, 0, 0) != IVSHM_OK) {
		FAIL("rx_open");
		return NULL;
	}
	ivshm_rx_sync(&rx);
	atomic_store(&consumer_synced, 1); /* the hostile may start */
	while (!atomic_load_explicit(&failed, memory_order_relaxed)) {
		if (consume(&rx, &next) == 0) {
			/* after stop_producer the producer may still finish a
			 * burst: drain until it has left and all it wrote arrived */
			if (atomic_load_explicit(&producer_done, memory_order_acquire)) {
				if (next == atomic_load_explicit(&written, memory_order_acquire))
					break;
				if (drain_end == 0)
					drain_end = now_s() + 10;
				if (now_s() > drain_end) {
					FAIL("the consumer cannot drain what was sent");
					break;
				}
			}
			if (++idle % 64 == 0) /* our own line: re-assert it */
				atomic_store_explicit(&rx.ctl->tail, rx.tail, memory_order_release);
			if (idle % 1024 == 0 && ivshm_rx_arm(&rx))
				ivshm_rx_disarm(&rx);
		}
		counters_grow(&last, &rx.err, "consumer");
		if (rx.err.bad_desc != 0 || rx.err.resyncs != 0)
			FAIL("consumer dropped frames: bad_desc %llu resyncs %llu",
			     (unsigned long long)rx.err.bad_desc,
			     (unsigned long long)rx.err.resyncs);
	}
	printf("consumer: %llu frames, head bad_index %llu\n", (unsigned long long)next,
	       (unsigned long long)rx.err.bad_index);
	return NULL;
}

/* ---- q0: the hostile writer of control words ---- */

static void *hostile_main(void *arg)
{
	struct ivshm_wire_chan *ctl = arg;
	uint64_t s = 0xdeadbeefcafe, r;
	uint32_t done, head;

	while (!atomic_load_explicit(&stop_hostile, memory_order_relaxed)) {
		r = rnd(&s);
		done = atomic_load_explicit(&released, memory_order_acquire);
		head = atomic_load_explicit(&ctl->head, memory_order_relaxed);
		switch (r % 6) {
		case 0: /* tail moved back, behind what the consumer released */
			atomic_store(&ctl->tail, done - 1 - (uint32_t)(r >> 8) % (RING + 4));
			break;
		case 1: /* tail far ahead of any head */
			atomic_store(&ctl->tail, head + 0x80000000u + (uint32_t)(r >> 8) % 0x40000000u);
			break;
		case 2: /* head far from any tail */
			atomic_store(&ctl->head, done + 0x80000000u + (uint32_t)(r >> 8) % 0x40000000u);
			break;
		case 3:
			atomic_store(&ctl->need_wakeup, (uint32_t)(r >> 8));
			break;
		case 4:
			atomic_store(&ctl->ack_gen, (uint32_t)(r >> 8));
			break;
		default: {
			const struct timespec pause = { 0, (long)((r >> 8) % 20000) };

			nanosleep(&pause, NULL); /* let the peers run a little */
		}
		}
	}
	return NULL;
}

/* ---- q1: garbage from the producer side, our consumer ---- */

static uint64_t chaos_desc(uint64_t r)
{
	const uint32_t area = RING * BUF;

	switch ((r >> 20) % 4) {
	case 0:
		return r; /* garbage */
	case 1:
		return IVSHM_DESC_MAKE((r >> 24) % (area + 64), (r >> 40) % (area + 64), (r >> 60) & 1);
	case 2:
		return IVSHM_DESC_MAKE(0, area, IVSHM_DESC_F_MORE);
	default:
		return IVSHM_DESC_MAKE(area - 1, 1, (r >> 30) & 1);
	}
}

static void *chaos_writer_main(void *arg)
{
	struct ivshm_rx *rx = arg; /* where the channel is; its fields are not touched */
	struct ivshm_wire_chan *ctl = rx->ctl;
	_Atomic uint64_t *descs = rx->descs;
	uint64_t s = 88172645463325292ull, r;
	uint32_t t;

	while (!atomic_load_explicit(&stop_chaos, memory_order_relaxed)) {
		r = rnd(&s);
		t = atomic_load_explicit(&ctl->tail, memory_order_relaxed);
		switch (r % 8) {
		case 0: atomic_store(&ctl->head, t + (uint32_t)(r >> 8) % (RING + 2)); break;
		case 1: atomic_store(&ctl->head, (uint32_t)(r >> 8)); break;
		case 2: atomic_store(&ctl->prod_gen, (uint32_t)(r >> 8) % 3); break;
		case 3: atomic_store(&ctl->gen_start, t + (uint32_t)(r >> 8) % 16 - 8); break;
		case 4: atomic_store(&ctl->tail, (uint32_t)(r >> 8)); break;
		default:
			atomic_store_explicit(&descs[(r >> 8) % RING], chaos_desc(r),
					      memory_order_relaxed);
		}
	}
	return NULL;
}

static void chaos_round(struct ivshm_rx *rx, uint64_t *s)
{
	struct ivshm_pkt pkts[64];
	uint32_t n = 1 + (uint32_t)(rnd(s) % 64), cap = 1 + (uint32_t)(rnd(s) % 300);
	uint32_t i, got, av, len;
	uint8_t *buf = malloc(cap); /* exactly cap: ASan sees an overrun */
	const uint8_t *hint;

	if (buf == NULL)
		abort();
	for (i = 0; i < n; i++)
		pkts[i] = (struct ivshm_pkt){ buf, 0 };
	switch (rnd(s) % 4) {
	case 0:
	case 1:
		got = ivshm_rx_burst(rx, pkts, n, cap);
		if (got > n)
			FAIL("chaos: rx_burst gave %u of %u", got, n);
		for (i = 0; i < got; i++)
			if (pkts[i].len < 1 || pkts[i].len > cap)
				FAIL("chaos: length %u outside 1..%u", pkts[i].len, cap);
		break;
	case 2:
		av = ivshm_rx_avail(rx, n);
		if (av > n || av > RING)
			FAIL("chaos: avail %u for %u", av, n);
		for (i = 0; i < av; i++) {
			hint = ivshm_rx_frame_hint(rx, i, &len);
			if (hint < rx->bufs || hint + len > rx->bufs + rx->bufs_len)
				FAIL("chaos: prefetch hint outside the buffer area");
		}
		break;
	default:
		if (ivshm_rx_arm(rx))
			ivshm_rx_disarm(rx);
		ivshm_rx_sync(rx);
	}
	if (rx->head_seen - rx->tail > RING)
		FAIL("chaos: head_seen - tail = %u > R", rx->head_seen - rx->tail);
	free(buf);
}

static void *chaos_reader_main(void *arg)
{
	struct ivshm_rx *rx = arg;
	struct ivshm_chan_errors last = { 0, 0, 0 };
	uint64_t s = 12345;

	while (!atomic_load_explicit(&stop_chaos, memory_order_relaxed) &&
	       !atomic_load_explicit(&failed, memory_order_relaxed)) {
		chaos_round(rx, &s);
		counters_grow(&last, &rx->err, "chaos consumer");
		chaos_bursts++;
	}
	return NULL;
}

static double run_seconds(int argc, char **argv)
{
	const char *env = getenv("RING_HOSTILE_SECONDS");

	if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
		return atof(argv[2]);
	return env != NULL ? atof(env) : 2.0;
}

int main(int argc, char **argv)
{
	double secs = run_seconds(argc, argv), start, last_progress;
	uint64_t size = ivshm_layout_size(&geo), seen = 0, now;
	uint8_t *base = guarded(size);
	static struct ivshm_rx chaos_rx;
	pthread_t prod, cons, host, cw, cr;
	struct ivshm_tx probe;

	if (secs <= 0 || ivshm_region_attach(&prod_view, base, size, 0, &geo, IVSHM_ATTACH_FORMAT) ||
	    ivshm_region_attach(&cons_view, base, size, 1, NULL, 0) ||
	    ivshm_tx_open(&probe, &prod_view, 1, 0) ||
	    ivshm_rx_open(&chaos_rx, &cons_view, 0, 1)) {
		fprintf(stderr, "usage: ring_hostile [--seconds S] (setup failed)\n");
		return 2;
	}
	pthread_create(&cons, NULL, consumer_main, NULL);
	pthread_create(&prod, NULL, producer_main, NULL);
	while (!atomic_load(&consumer_synced) || !atomic_load(&producer_ready)) {
		const struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	pthread_create(&host, NULL, hostile_main, probe.ctl);
	pthread_create(&cw, NULL, chaos_writer_main, &chaos_rx);
	pthread_create(&cr, NULL, chaos_reader_main, &chaos_rx);
	start = last_progress = now_s();
	while (now_s() - start < secs && !atomic_load(&failed)) {
		const struct timespec tick = { 0, 10000000 };

		nanosleep(&tick, NULL);
		now = atomic_load(&received);
		if (now != seen) {
			seen = now;
			last_progress = now_s();
		} else if (now_s() - last_progress > 10) {
			FAIL("no frame for 10 s: the pair stalled");
		}
	}
	atomic_store(&stop_hostile, 1);
	atomic_store(&stop_chaos, 1);
	pthread_join(host, NULL);
	pthread_join(cw, NULL);
	pthread_join(cr, NULL);
	atomic_store(&stop_producer, 1);
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	if (atomic_load(&received) != atomic_load(&written))
		FAIL("received %llu of %llu frames", (unsigned long long)atomic_load(&received),
		     (unsigned long long)atomic_load(&written));
	if (atomic_load(&received) < 100) /* a loaded 2-core machine under TSan: ~400 in 3 s */
		FAIL("only %llu frames in %.1f s: the test did not test much",
		     (unsigned long long)atomic_load(&received), secs);
	printf("%s: %.1f s, %llu frames intact, %llu chaos bursts (bad_index %llu, bad_desc %llu, "
	       "resyncs %llu)\n", atomic_load(&failed) ? "FAIL" : "PASS", now_s() - start,
	       (unsigned long long)atomic_load(&received), (unsigned long long)chaos_bursts,
	       (unsigned long long)chaos_rx.err.bad_index, (unsigned long long)chaos_rx.err.bad_desc,
	       (unsigned long long)chaos_rx.err.resyncs);
	return atomic_load(&failed) ? 1 : 0;
}
