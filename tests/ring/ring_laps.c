/* SPDX-License-Identifier: BSD-3-Clause
 * Layout 3.0 ring rules, one thread: lap tags past 256 laps and across
 * the 2^32 index wrap, stale tags after a producer restart (published
 * leftovers and descriptors stored by a life that died before its
 * publish), inline frames at inline_size and inline_size + 1, chains
 * among inline frames, and a hostile producer writing tags, offsets and
 * head at random (frames appear early or late, never out of bounds).
 */
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "../unit/region_fixture.h"

struct pair {
	uint8_t *base;
	uint64_t size;
	struct ivshm_region a, b; /* producer's and consumer's views */
	struct ivshm_tx tx;
	struct ivshm_rx rx;
};

static struct ivshm_geometry geo(uint32_t ring, uint32_t buf, uint32_t inl)
{
	return (struct ivshm_geometry){ .max_peers = 2, .queues = 1, .ring_size = ring,
					.buf_size = buf, .inline_size = inl };
}

/* Formats, optionally starts the channel's indices at `start` (as a
 * long-lived channel would be), opens both ends, syncs the consumer. */
static int pair_open_at(struct pair *p, struct ivshm_geometry g, uint32_t start)
{
	struct ivshm_wire_chan *ctl;

	memset(p, 0, sizeof(*p));
	p->size = ivshm_layout_size(&g);
	p->base = region_alloc(p->size);
	if (ivshm_region_attach(&p->a, p->base, p->size, 0, &g, IVSHM_ATTACH_FORMAT) ||
	    ivshm_region_attach(&p->b, p->base, p->size, 1, NULL, 0))
		return -1;
	ctl = (struct ivshm_wire_chan *)(p->base + p->a.chans_off);
	atomic_store(&ctl->head, start);
	atomic_store(&ctl->tail, start);
	if (ivshm_tx_open(&p->tx, &p->a, 1, 0) || ivshm_rx_open(&p->rx, &p->b, 0, 0))
		return -1;
	return ivshm_rx_sync(&p->rx) && ivshm_tx_space(&p->tx, 1) == 1 ? 0 : -1;
}

static void pair_close(struct pair *p)
{
	free(p->base);
}

static void fill(uint8_t *d, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		d[i] = (uint8_t)(seq * 13 + i);
}

static bool same(const uint8_t *d, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != (uint8_t)(seq * 13 + i))
			return false;
	return true;
}

/* Sends frames seq.. of length len(k) with ivshm_tx_burst; returns how many. */
static uint32_t send_frames(struct pair *p, uint32_t seq, uint32_t n,
			    uint32_t (*len)(uint32_t))
{
	static uint8_t data[64][4096];
	struct ivshm_pkt pk[64];
	bool bell;

	for (uint32_t i = 0; i < n; i++) {
		pk[i] = (struct ivshm_pkt){ data[i], len(seq + i) };
		fill(data[i], pk[i].len, seq + i);
	}
	return ivshm_tx_burst(&p->tx, pk, n, &bell);
}

/* Receives up to n frames and checks they are seq.., in order. Returns
 * how many, or -1 on a wrong one. */
static int recv_frames(struct pair *p, uint32_t seq, uint32_t n,
		       uint32_t (*len)(uint32_t))
{
	static uint8_t data[64][4096];
	struct ivshm_pkt pk[64];
	uint32_t got;

	for (uint32_t i = 0; i < n; i++)
		pk[i].data = data[i];
	got = ivshm_rx_burst(&p->rx, pk, n, sizeof(data[0]));
	for (uint32_t i = 0; i < got; i++)
		if (pk[i].len != len(seq + i) || !same(data[i], pk[i].len, seq + i))
			return -1;
	return (int)got;
}

static uint32_t len_small(uint32_t k)
{
	return 1 + k % 100;
}

/* Laps past 256 (the tag wraps to 0 and on) and the 2^32 index wrap: with
 * ring 4 and one frame per burst, 4 x 300 laps, every frame exact. */
static void test_laps_past_256_and_index_wrap(void)
{
	const uint32_t starts[] = { 0, UINT32_MAX - 37 };
	struct pair p;
	uint32_t seq, s, zero_tags = 0;

	for (s = 0; s < 2; s++) {
		CHECK_EQ(pair_open_at(&p, geo(4, 128, 64), starts[s]), 0);
		CHECK_EQ(p.rx.tail, starts[s]);
		for (seq = 0; seq < 4 * 300; seq += 3) {
			CHECK_EQ(send_frames(&p, seq, 3, len_small), 3);
			zero_tags += IVSHM_DESC_TAG(p.tx.descs[(p.tx.head - 1) & 3]) == 0;
			CHECK_EQ(recv_frames(&p, seq, 8, len_small), 3);
			CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
		}
		CHECK_EQ(p.rx.tail, starts[s] + seq);
		CHECK_EQ(p.rx.err.bad_desc + p.rx.err.bad_index + p.rx.err.resyncs, 0);
		CHECK_EQ(p.tx.err.bad_index, 0);
		pair_close(&p);
	}
	CHECK(zero_tags > 0); /* lap 255's tag is 0: it was used, and it worked */
}

/* A descriptor of the previous lap (tag one behind) is never taken as
 * ready, nor one of the next lap (a hostile producer's, early). */
static void test_other_laps_not_ready(void)
{
	struct pair p;
	uint32_t pos;

	CHECK_EQ(pair_open_at(&p, geo(8, 64, 0), 100), 0);
	pos = p.rx.tail;
	atomic_store(&p.tx.descs[pos & 7], desc_at(IVSHM_DESC_MAKE(0, 5, 0), pos - 8, 3));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	atomic_store(&p.tx.descs[pos & 7], desc_at(IVSHM_DESC_MAKE(0, 5, 0), pos + 8, 3));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	atomic_store(&p.tx.descs[pos & 7], desc_at(IVSHM_DESC_MAKE(0, 5, 0), pos, 3));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	pair_close(&p);
}

/* The producer restarts twice: once with published frames unread (they
 * are dropped), once after storing descriptors it never published (it
 * died between the descriptors and head). Neither shows up, the new
 * life's frames arrive exact, and nothing counts as bad. */
static void test_stale_tags_after_producer_restart(void)
{
	struct pair p;
	uint32_t i, head;

	CHECK_EQ(pair_open_at(&p, geo(8, 64, 64), 5), 0);
	CHECK_EQ(send_frames(&p, 0, 6, len_small), 6);
	CHECK_EQ(recv_frames(&p, 0, 2, len_small), 2); /* 4 published, unread */
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, p.size, 0, NULL, IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK_EQ(recv_frames(&p, 2, 8, len_small), 0);
	CHECK_EQ(p.rx.err.resyncs, 1);
	CHECK_EQ(send_frames(&p, 100, 8, len_small), 8);
	CHECK_EQ(recv_frames(&p, 100, 8, len_small), 8);
	/* stored, never published: the descriptors are tagged ready */
	head = p.tx.head;
	CHECK_EQ(ivshm_tx_space(&p.tx, 5), 5);
	for (i = 0; i < 5; i++) {
		fill(ivshm_tx_buf_for(&p.tx, i, 40), 40, 900 + i);
		ivshm_tx_set(&p.tx, i, 40);
	}
	CHECK_EQ(atomic_load(&p.tx.ctl->head), head);
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, p.size, 0, NULL, IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK_EQ(p.tx.head, head);
	CHECK_EQ(recv_frames(&p, 200, 8, len_small), 0); /* none of the 5 */
	CHECK_EQ(p.rx.err.resyncs, 2);
	CHECK_EQ(p.rx.tail, head);
	CHECK_EQ(send_frames(&p, 200, 3, len_small), 3);
	CHECK_EQ(recv_frames(&p, 200, 8, len_small), 3);
	CHECK_EQ(p.rx.err.bad_desc + p.rx.err.bad_index, 0);
	CHECK_EQ(p.tx.err.bad_index, 0);
	pair_close(&p);
}

static uint32_t fixed_len;

static uint32_t len_fixed(uint32_t k)
{
	(void)k;
	return fixed_len;
}

/* A frame of inline_size bytes goes inline (flag, offset slot x I in the
 * inline area, the hint there); one more byte goes to the buffer. */
static void test_inline_at_inline_size_and_one_more(void)
{
	struct pair p;
	const uint8_t *data;
	uint32_t len, slot;
	uint64_t d;

	CHECK_EQ(pair_open_at(&p, geo(8, 256, 128), 3), 0);
	slot = p.tx.head & 7;
	fixed_len = 128;
	CHECK(ivshm_tx_buf_for(&p.tx, 0, 128) == p.tx.inl + slot * 128);
	CHECK(ivshm_tx_buf_for(&p.tx, 0, 129) == p.tx.bufs + slot * 256);
	CHECK_EQ(send_frames(&p, 7, 1, len_fixed), 1);
	d = p.tx.descs[slot];
	CHECK_EQ(IVSHM_DESC_FLAGS(d), IVSHM_DESC_F_INLINE);
	CHECK_EQ(IVSHM_DESC_OFFSET(d), slot * 128);
	CHECK_EQ(IVSHM_DESC_LEN(d), 128);
	CHECK(ivshm_rx_data_hint(&p.rx, 0) == p.rx.inl + slot * 128);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	CHECK(ivshm_rx_frame_hint(&p.rx, 0, &len) == p.rx.inl + slot * 128);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_OK);
	CHECK(data == p.rx.inl + slot * 128 && len == 128 && same(data, 128, 7));
	ivshm_rx_release(&p.rx, 1);
	fixed_len = 129;
	CHECK_EQ(send_frames(&p, 8, 1, len_fixed), 1);
	d = p.tx.descs[(slot + 1) & 7];
	CHECK_EQ(IVSHM_DESC_FLAGS(d), 0);
	CHECK_EQ(IVSHM_DESC_OFFSET(d), ((slot + 1) & 7) * 256);
	CHECK_EQ(recv_frames(&p, 8, 8, len_fixed), 1);
	/* an inline descriptor must lie inside the inline area (8 x 128) */
	atomic_store(&p.tx.descs[p.rx.tail & 7],
		     desc_at(IVSHM_DESC_MAKE(7 * 128, 129, IVSHM_DESC_F_INLINE), p.rx.tail, 3));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_ECORRUPT);
	CHECK_EQ(p.rx.err.bad_desc, 1);
	pair_close(&p);
}

/* Without an inline area (inline_size 0) every frame uses the buffers and
 * an inline descriptor is bad. */
static void test_no_inline_area(void)
{
	struct pair p;
	const uint8_t *data;
	uint32_t len;

	CHECK_EQ(pair_open_at(&p, geo(8, 64, 0), 0), 0);
	fixed_len = 1;
	CHECK_EQ(send_frames(&p, 1, 1, len_fixed), 1);
	CHECK_EQ(IVSHM_DESC_FLAGS(p.tx.descs[0]), 0);
	CHECK_EQ(recv_frames(&p, 1, 8, len_fixed), 1);
	atomic_store(&p.tx.descs[1], desc_at(IVSHM_DESC_MAKE(0, 1, IVSHM_DESC_F_INLINE), 1, 3));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_ECORRUPT);
	pair_close(&p);
}

static uint32_t len_mixed(uint32_t k)
{
	static const uint32_t lens[] = { 1, 64, 65, 128, 129, 600, 64, 1500, 2, 256 };

	return lens[k % 10];
}

/* Chains (600 and 1500 B over 256 B buffers) among inline and buffered
 * frames, wrapping a small ring many times: all exact, in order. */
static void test_chains_among_inline_frames(void)
{
	struct pair p;
	uint32_t seq = 0, rcvd = 0;
	int got;

	CHECK_EQ(pair_open_at(&p, geo(16, 256, 128), UINT32_MAX - 40), 0);
	while (rcvd < 3000) {
		seq += send_frames(&p, seq, 1 + seq % 5, len_mixed);
		got = recv_frames(&p, rcvd, 1 + rcvd % 7, len_mixed);
		CHECK(got >= 0);
		if (got < 0)
			break;
		rcvd += (uint32_t)got;
	}
	CHECK_EQ(p.rx.err.bad_desc + p.rx.err.bad_index + p.rx.err.resyncs, 0);
	pair_close(&p);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Every frame the consumer takes lies inside the inline or buffer area. */
static bool inside(const struct ivshm_rx *rx, const uint8_t *d, uint32_t len)
{
	return (d >= rx->bufs && d + len <= rx->bufs + rx->bufs_len) ||
	       (d >= rx->inl && d + len <= rx->inl + rx->inl_len);
}

/* Random descriptors: half of them with the tag the consumer expects next
 * (frames "early"), random offsets, lengths and flags; a random head. */
static void hostile_write(struct pair *p, uint64_t *s)
{
	uint32_t pos = p->rx.tail + (uint32_t)(rnd(s) % 12);
	uint64_t d = rnd(s);

	if (d & 1)
		d = desc_at(d, pos, p->rx.lap_shift);
	if (d & 2)
		d = (d & ~(uint64_t)0xffffffff) | (uint32_t)(d >> 40) % (16 * 256);
	atomic_store(&p->tx.descs[pos & p->tx.mask], d);
	if ((d & 0x1c) == 0)
		atomic_store(&p->tx.ctl->head, (uint32_t)rnd(s));
}

/* A hostile producer (random tags, offsets, lengths, flags, head) cannot
 * make the consumer read outside its areas, take more than the ring, or
 * stall; after it, a conforming producer life is received exactly. */
static void test_hostile_producer_random(void)
{
	static uint8_t out[64][2048];
	struct ivshm_pkt pk[64];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	const uint8_t *data;
	uint32_t i, k, n, len, taken = 0;
	struct ivshm_rx_chain c;
	struct pair p;
	int rc;

	CHECK_EQ(pair_open_at(&p, geo(16, 256, 128), 0), 0);
	for (i = 0; i < 20000; i++) {
		for (k = rnd(&s) % 4; k > 0; k--)
			hostile_write(&p, &s);
		n = ivshm_rx_avail(&p.rx, 1 + (uint32_t)(rnd(&s) % 20));
		CHECK(n <= 16);
		for (k = 0; k < n; k++) {
			rc = ivshm_rx_get(&p.rx, k, &data, &len);
			if (rc == IVSHM_OK) {
				CHECK(inside(&p.rx, data, len));
			} else if (rc == IVSHM_ECHAIN) {
				ivshm_rx_chain_start(&c, k);
				do {
					rc = ivshm_rx_chain_next(&p.rx, &c, &data, &len);
					if (rc >= 0)
						CHECK(inside(&p.rx, data, len));
				} while (rc == IVSHM_CHAIN_MORE);
				CHECK(c.first + c.used <= 16);
				k = c.first + c.used - 1;
				if (k + 1 > n)
					n = k + 1;
			}
		}
		taken += n;
		ivshm_rx_release(&p.rx, n);
		CHECK(p.rx.head_seen - p.rx.tail <= 16);
		for (k = 0; k < 64; k++)
			pk[k].data = out[k];
		n = ivshm_rx_burst(&p.rx, pk, 64, (uint32_t)(1 + rnd(&s) % 2048));
		for (k = 0; k < n; k++)
			CHECK(pk[k].len >= 1 && pk[k].len <= 2048);
		if (!ivshm_rx_arm(&p.rx)) /* a ready tag keeps us up; never spins */
			CHECK(ivshm_rx_avail(&p.rx, 64) > 0);
		ivshm_rx_disarm(&p.rx);
	}
	CHECK(taken > 1000); /* "early" frames were taken (and validated) */
	CHECK(p.rx.err.bad_desc > 0);
	/* The hostile life ends; a conforming one restarts the producer. */
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, p.size, 0, NULL, IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 64), 0); /* resyncs, acks */
	for (i = 0; i < 40; i++) {
		CHECK_EQ(send_frames(&p, i * 4, 4, len_mixed), 4);
		CHECK_EQ(recv_frames(&p, i * 4, 64, len_mixed), 4);
	}
	pair_close(&p);
}

int main(void)
{
	RUN(test_laps_past_256_and_index_wrap);
	RUN(test_other_laps_not_ready);
	RUN(test_stale_tags_after_producer_restart);
	RUN(test_inline_at_inline_size_and_one_more);
	RUN(test_no_inline_area);
	RUN(test_chains_among_inline_frames);
	RUN(test_hostile_producer_random);
	return check_exit_code();
}
