/* SPDX-License-Identifier: BSD-3-Clause
 * fuzz_rx: a hostile peer owns part of a region. The input picks a small
 * geometry, then is a script of records that either overwrite bytes of
 * what the peer controls (header, peer table, its channel's control line,
 * descriptors and buffers, the consumer lines of our Tx channel) or make
 * us act (attach, rx burst, tx burst, arm, peer read). The region is an
 * exactly sized heap block and packet buffers are exactly `cap` bytes, so
 * ASan flags any access outside them; the asserts check the API contract
 * (counts bounded by what was asked, lengths within the buffer). The peer
 * also sends well-formed frames, chained ones (longer than a buffer)
 * among them; while nothing corrupted a channel, we must receive exactly
 * those frames, in order, dropping and counting only the ones longer than
 * our buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring_over_shm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ME   0u
#define PEER 1u
#define MAX_BURST 64u
#define FIFO 128u /* > the largest ring: every frame in flight */

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_rx: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned int take(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

struct world {
	uint8_t *base;
	uint64_t size;
	struct ivshm_geometry geo;
	struct ivshm_region peer, me;
	struct ivshm_tx peer_tx[2], my_tx[2];
	struct ivshm_rx my_rx[2];
	bool attached, failed;
	/* per queue: lengths of the frames the peer sent, until received */
	uint32_t sent_len[2][FIFO];
	uint32_t sent_head[2], sent_tail[2];
	bool tainted[2]; /* the peer corrupted the channel: no exact checks */
};

/* What the peer may write, as (start, length) in the region. Offsets come
 * from a correctly formatted layout: a hostile peer writes whatever it
 * likes there, we only choose where it aims. */
static void peer_area(const struct world *w, unsigned int kind, unsigned int q,
		      uint64_t *start, uint64_t *len)
{
	const struct ivshm_region *r = &w->peer;
	uint64_t ring = w->geo.ring_size;
	uint64_t to_me = (uint64_t)(PEER * (w->geo.max_peers - 1) + ME) *
			 w->geo.queues + q;
	uint64_t from_me = (uint64_t)(ME * (w->geo.max_peers - 1) + PEER - 1) *
			   w->geo.queues + q;
	uint64_t chan_to_me = r->chans_off + to_me * r->chan_stride;
	uint64_t chan_from_me = r->chans_off + from_me * r->chan_stride;

	switch (kind) {
	case 0: *start = 0; *len = sizeof(struct ivshm_wire_hdr); break;
	case 1: *start = sizeof(struct ivshm_wire_hdr);
		*len = (uint64_t)w->geo.max_peers * sizeof(struct ivshm_wire_peer);
		break;
	case 2: *start = chan_to_me; *len = r->desc_off; break;
	case 3: *start = chan_to_me + r->desc_off; *len = ring * 8; break;
	case 4: /* the inline slots and the buffers after them: data only */
		*start = chan_to_me + r->inline_off;
		*len = r->bufs_off - r->inline_off + ring * w->geo.buf_size;
		break;
	default: /* the consumer lines of our Tx channel */
		*start = chan_from_me + 64; *len = 128; break;
	}
}

static void patch(struct world *w, unsigned int kind, unsigned int q,
		  struct input *in)
{
	uint64_t start, len, off;
	unsigned int n = take(in) % 17, i;

	off = take(in) | take(in) << 8;
	peer_area(w, kind, q, &start, &len);
	if (kind == 2 || kind == 3)
		w->tainted[q] = true; /* indices or descriptors */
	off %= len;
	for (i = 0; i < n && off + i < len; i++)
		w->base[start + off + i] = (uint8_t)take(in);
}

static void attach_me(struct world *w, unsigned int flags)
{
	int rc;

	if (w->attached || w->failed)
		return;
	rc = ivshm_region_attach(&w->me, w->base, w->size, ME, &w->geo, flags);
	if (rc != IVSHM_OK) {
		/* a clean refusal with a named reason */
		CHECK(rc < 0 && rc >= IVSHM_EINUSE);
		CHECK(strcmp(ivshm_strerror(rc), "") != 0);
		w->failed = true;
		return;
	}
	CHECK(w->me.size == w->size);
	CHECK(ivshm_layout_size(&w->me.geo) <= w->size);
	for (unsigned int q = 0; q < w->geo.queues && q < 2; q++) {
		CHECK(ivshm_rx_open(&w->my_rx[q], &w->me, PEER, q) == IVSHM_OK);
		CHECK(ivshm_tx_open(&w->my_tx[q], &w->me, PEER, q) == IVSHM_OK);
	}
	w->attached = true;
}

/* The prefetch hint of every ready frame stays inside the buffer area or
 * the inline area, whatever the peer wrote into the descriptors. */
static void check_frame_hints(struct ivshm_rx *rx, uint32_t avail, uint32_t asked)
{
	uint32_t i, len;
	const uint8_t *p;

	CHECK(avail <= asked);
	for (i = 0; i < avail; i++) {
		p = ivshm_rx_frame_hint(rx, i, &len);
		CHECK((p >= rx->bufs && p + len <= rx->bufs + rx->bufs_len) ||
		      (p >= rx->inl && p + len <= rx->inl + rx->inl_len));
	}
}

/* Packet buffers of exactly `cap` bytes, one per cap, kept across inputs:
 * all packets of a burst share it (their contents do not matter), so ASan
 * still flags any copy longer than cap without a malloc per packet. */
#define MAX_CAP 2048u
static uint8_t *cap_bufs[MAX_CAP + 1];

static uint8_t *cap_buf(uint32_t cap)
{
	if (cap_bufs[cap] == NULL) {
		cap_bufs[cap] = malloc(cap);
		CHECK(cap_bufs[cap] != NULL);
	}
	return cap_bufs[cap];
}

static void my_rx_burst(struct world *w, unsigned int q, unsigned int n,
			uint32_t cap)
{
	struct ivshm_pkt pkts[MAX_BURST];
	uint8_t *buf = cap_buf(cap);
	uint32_t got, i;

	for (i = 0; i < n; i++) {
		pkts[i].data = buf;
		pkts[i].len = 0;
	}
	uint64_t bad = w->my_rx[q].err.bad_desc, skipped = 0;

	got = ivshm_rx_burst(&w->my_rx[q], pkts, n, cap);
	CHECK(got <= n);
	for (i = 0; i < got; i++)
		CHECK(pkts[i].len >= 1 && pkts[i].len <= cap);
	if (w->tainted[q] || w->my_rx[q].err.resyncs != 0)
		return;
	/* an intact channel: exactly what the peer sent, in order; frames
	 * longer than cap are dropped and counted one each */
	for (i = 0; i < got; i++) {
		while (w->sent_tail[q] != w->sent_head[q] &&
		       w->sent_len[q][w->sent_tail[q] % FIFO] > cap) {
			w->sent_tail[q]++;
			skipped++;
		}
		CHECK(w->sent_tail[q] != w->sent_head[q]);
		CHECK(pkts[i].len == w->sent_len[q][w->sent_tail[q]++ % FIFO]);
	}
	/* drops after the last frame delivered: the next ones sent, too long */
	for (bad = w->my_rx[q].err.bad_desc - bad; skipped < bad; skipped++) {
		CHECK(w->sent_tail[q] != w->sent_head[q]);
		CHECK(w->sent_len[q][w->sent_tail[q]++ % FIFO] > cap);
	}
	CHECK(w->my_rx[q].err.bad_index == 0);
}

static void my_tx_burst(struct world *w, unsigned int q, unsigned int n,
			uint32_t len)
{
	static uint8_t payload[IVSHM_MAX_BUF_SIZE];
	struct ivshm_pkt pkts[MAX_BURST];
	bool bell;
	uint32_t sent;

	for (unsigned int i = 0; i < n; i++) {
		pkts[i].data = payload;
		pkts[i].len = len;
	}
	sent = ivshm_tx_burst(&w->my_tx[q], pkts, n, &bell);
	CHECK(sent <= n);
	/* Against the geometry we adopted, not the one we asked for: the peer
	 * may have formatted another one whose offsets match (bar2-layout §2). */
	CHECK(ivshm_tx_space(&w->my_tx[q], n) <= w->me.geo.ring_size);
	CHECK(w->me.geo.ring_size == w->my_tx[q].mask + 1);
}

/* The peer sends well-formed packets too, so the fuzzer starts from a
 * working channel and corrupts it: short ones and, when `chains`, frames
 * of up to three buffers (chained descriptors). */
static void peer_tx_burst(struct world *w, unsigned int q, unsigned int n,
			  bool chains)
{
	static uint8_t payload[3 * 512];
	struct ivshm_pkt pkts[MAX_BURST];
	uint32_t max = chains ? 3 * w->geo.buf_size : 64, sent;
	bool bell;

	memset(payload, 0xa5, sizeof(payload));
	for (unsigned int i = 0; i < n; i++) {
		pkts[i].data = payload;
		pkts[i].len = 1 + (i * 97) % max;
	}
	sent = ivshm_tx_burst(&w->peer_tx[q], pkts, n, &bell);
	CHECK(sent <= n);
	for (unsigned int i = 0; i < sent; i++)
		w->sent_len[q][w->sent_head[q]++ % FIFO] = pkts[i].len;
}

static void act(struct world *w, unsigned int op, unsigned int q,
		struct input *in)
{
	unsigned int arg = take(in);
	struct ivshm_peer_view v;

	if (op == 6) {
		attach_me(w, arg & IVSHM_ATTACH_TAKEOVER);
		return;
	}
	if (op == 7) {
		peer_tx_burst(w, q, arg % MAX_BURST, arg & 0x40);
		return;
	}
	attach_me(w, 0);
	if (!w->attached)
		return;
	switch (op) {
	case 8: my_rx_burst(w, q, arg % MAX_BURST, 1 + take(in) % MAX_CAP); break;
	case 9: my_tx_burst(w, q, arg % MAX_BURST, take(in) << 4); break;
	case 10:
		check_frame_hints(&w->my_rx[q], ivshm_rx_avail(&w->my_rx[q], arg), arg);
		break;
	case 11:
		if (ivshm_rx_arm(&w->my_rx[q]))
			ivshm_rx_disarm(&w->my_rx[q]);
		break;
	case 12:
		ivshm_rx_sync(&w->my_rx[q]);
		(void)ivshm_tx_ready(&w->my_tx[q]);
		break;
	default:
		CHECK(ivshm_peer_read(&w->me, (uint16_t)arg, &v) ==
		      (arg < w->me.geo.max_peers ? IVSHM_OK : IVSHM_EINVAL));
		break;
	}
}

/* Small geometries keep a region at a few pages (ring 2..64, buffers
 * 64..512 B, inline slots 0..128 B, 2..4 peers, 1..2 queues): every
 * layout rule still applies, and an input costs microseconds instead of
 * formatting megabytes. */
static void pick_geometry(struct ivshm_geometry *g, unsigned int shape)
{
	unsigned int ring_bits = (shape >> 1) & 7;

	g->max_peers = 2 + (shape >> 7) + ((shape >> 7) & (shape >> 6) & 1);
	g->queues = 1 + (shape & 1);
	g->ring_size = 2u << (ring_bits < 5 ? ring_bits : 5);
	g->buf_size = 64u << ((shape >> 4) & 3);
	/* 0, 64 or 128 B inline slots (3.0), from bits the rest uses too */
	g->inline_size = ((shape >> 3) & 1) ? 64u << (shape >> 7) : 0;
}

/* One exactly sized region per geometry byte, allocated once: allocating
 * and zeroing a region per input dominated the run time. Per input only
 * the header is cleared; the format then zeroes the peer table and every
 * channel's control lines and descriptors. Stale buffer bytes carry over,
 * which changes no control flow (buffers are copied, never interpreted). */
static uint8_t *regions[256];

static uint8_t *region_for(unsigned int shape, uint64_t size)
{
	if (regions[shape] == NULL) {
		regions[shape] = aligned_alloc(4096, size);
		CHECK(regions[shape] != NULL);
		memset(regions[shape], 0, size);
	}
	memset(regions[shape], 0, sizeof(struct ivshm_wire_hdr));
	return regions[shape];
}

static int setup(struct world *w, unsigned int shape)
{
	pick_geometry(&w->geo, shape);
	w->size = ivshm_layout_size(&w->geo);
	CHECK(w->size != 0 && w->size % 4096 == 0);
	w->base = region_for(shape, w->size);
	CHECK(ivshm_region_attach(&w->peer, w->base, w->size, PEER, &w->geo,
				  IVSHM_ATTACH_FORMAT) == IVSHM_OK);
	for (unsigned int q = 0; q < w->geo.queues; q++)
		CHECK(ivshm_tx_open(&w->peer_tx[q], &w->peer, ME, q) == IVSHM_OK);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct world w;
	unsigned int steps = 0;

	memset(&w, 0, sizeof(w));
	if (size < 1)
		return 0;
	setup(&w, take(&in));
	/* bounded script: at most 512 records */
	while (in.left > 0 && steps++ < 512) {
		unsigned int b = take(&in), op = b & 15, q = (b >> 4) % w.geo.queues;

		if (op < 6)
			patch(&w, op, q, &in);
		else
			act(&w, op, q, &in);
	}
	if (w.attached)
		ivshm_region_detach(&w.me);
	return 0;
}
