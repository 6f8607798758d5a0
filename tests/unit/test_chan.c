/* SPDX-License-Identifier: BSD-3-Clause
 * SPSC channel: data path, index wrap-around, full/empty, burst sizes,
 * every validation rule, interrupt suppression and generation resync.
 * Peer 0 produces, peer 1 consumes, both views on one private region.
 */
#include <string.h>

#include "../check.h"
#include "region_fixture.h"

struct pair {
	uint8_t *base;
	struct ivshm_region a, b; /* producer's and consumer's views */
	struct ivshm_tx tx;       /* a -> b */
	struct ivshm_rx rx;       /* b <- a */
};

static struct ivshm_geometry geo(uint32_t ring, uint32_t buf)
{
	return (struct ivshm_geometry){ .max_peers = 2, .queues = 1,
					.ring_size = ring, .buf_size = buf };
}

/* Both ends open; the consumer has synced so the producer is ready. */
static int pair_open(struct pair *p, struct ivshm_geometry g)
{
	uint64_t size = ivshm_layout_size(&g);

	memset(p, 0, sizeof(*p));
	p->base = region_alloc(size);
	if (ivshm_region_attach(&p->a, p->base, size, 0, &g, IVSHM_ATTACH_FORMAT) ||
	    ivshm_region_attach(&p->b, p->base, size, 1, NULL, 0) ||
	    ivshm_tx_open(&p->tx, &p->a, 1, 0) || ivshm_rx_open(&p->rx, &p->b, 0, 0))
		return -1;
	ivshm_rx_avail(&p->rx, 1);
	return ivshm_tx_ready(&p->tx) ? 0 : -1;
}

static void pair_close(struct pair *p)
{
	free(p->base);
	p->base = NULL;
}

/* Packet k: length 1 + k % maxlen, bytes derived from k. */
static uint32_t pkt_len(uint32_t k, uint32_t maxlen)
{
	return 1 + k % maxlen;
}

static void pkt_fill(uint8_t *d, uint32_t k, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(k * 31 + i);
}

static int pkt_ok(const uint8_t *d, uint32_t len, uint32_t k, uint32_t maxlen)
{
	uint32_t i;

	if (len != pkt_len(k, maxlen))
		return 0;
	for (i = 0; i < len; i++)
		if (d[i] != (uint8_t)(k * 31 + i))
			return 0;
	return 1;
}

/* Sends packets first..first+n-1 with the zero-copy API; returns how many. */
static uint32_t send_seq(struct ivshm_tx *tx, uint32_t first, uint32_t n,
			 uint32_t maxlen)
{
	uint32_t i, room = ivshm_tx_space(tx, n);

	for (i = 0; i < room; i++) {
		uint32_t len = pkt_len(first + i, maxlen);

		pkt_fill(ivshm_tx_buf_for(tx, i, len), first + i, len);
		ivshm_tx_set(tx, i, len);
	}
	ivshm_tx_publish(tx, room);
	return room;
}

/* Receives up to n packets with rx_burst and checks they are first.. in
 * order; returns how many, or -1 on a wrong packet. */
static int recv_seq(struct ivshm_rx *rx, uint32_t first, uint32_t n,
		    uint32_t maxlen)
{
	static uint8_t store[256][2048];
	struct ivshm_pkt pkts[256];
	uint32_t i, got;

	for (i = 0; i < n && i < 256; i++)
		pkts[i].data = store[i];
	got = ivshm_rx_burst(rx, pkts, n, sizeof(store[0]));
	for (i = 0; i < got; i++)
		if (!pkt_ok(pkts[i].data, pkts[i].len, first + i, maxlen))
			return -1;
	return (int)got;
}

static void test_ready_needs_consumer(void)
{
	struct ivshm_geometry g = geo(8, 64);
	uint64_t size = ivshm_layout_size(&g);
	uint8_t *base = region_alloc(size);
	struct ivshm_region a, b;
	struct ivshm_tx tx;
	struct ivshm_rx rx;

	CHECK_EQ(ivshm_region_attach(&a, base, size, 0, &g, IVSHM_ATTACH_FORMAT), 0);
	CHECK_EQ(ivshm_region_attach(&b, base, size, 1, NULL, 0), 0);
	/* Consumer first: no producer yet, nothing acked. */
	CHECK_EQ(ivshm_rx_open(&rx, &b, 0, 0), 0);
	CHECK_EQ(ivshm_rx_avail(&rx, 8), 0);
	CHECK_EQ(atomic_load(&rx.ctl->ack_gen), 0);
	CHECK_EQ(ivshm_tx_open(&tx, &a, 1, 0), 0);
	CHECK_EQ(atomic_load(&tx.ctl->prod_gen), a.gen);
	CHECK(!ivshm_tx_ready(&tx));
	CHECK_EQ(ivshm_rx_avail(&rx, 8), 0);
	CHECK(ivshm_tx_ready(&tx));
	CHECK_EQ(rx.err.resyncs, 0); /* the first sync is not a resync */
	free(base);
}

static void test_single_packet_roundtrip(void)
{
	struct pair p;
	const uint8_t *data;
	uint32_t len;

	CHECK_EQ(pair_open(&p, geo(8, 128)), 0);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	memcpy(ivshm_tx_buf_for(&p.tx, 0, 5), "hello", 5);
	ivshm_tx_set(&p.tx, 0, 5);
	/* 3.0: the tagged descriptor is the publication; head only follows */
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	CHECK_EQ(atomic_load(&p.tx.ctl->head), 0);
	CHECK(!ivshm_tx_publish(&p.tx, 1));
	CHECK_EQ(atomic_load(&p.tx.ctl->head), 1);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 1);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_OK);
	CHECK_EQ(len, 5);
	CHECK(memcmp(data, "hello", 5) == 0);
	CHECK(data == p.tx.bufs); /* slot 0's data lives in buffer 0 */
	ivshm_rx_release(&p.rx, 1);
	CHECK_EQ(atomic_load(&p.rx.ctl->tail), 1);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	pair_close(&p);
}

/* ivshm_tx_set_at (zero-copy Tx): a descriptor at any offset inside the
 * area is written and read back as written (buffer 7 for slot 0, and a
 * frame ending exactly at the area's end); one reaching past the end, an
 * empty one, or one at the end writes nothing. */
static void test_set_at_any_offset(void)
{
	struct pair p;
	const uint8_t *data;
	uint32_t len;
	uint64_t before;

	CHECK_EQ(pair_open(&p, geo(8, 128)), 0); /* area: 1024 bytes */
	memcpy(p.tx.bufs + 7 * 128 + 3, "seven", 5);
	CHECK(ivshm_tx_set_at(&p.tx, 0, 7 * 128 + 3, 5, 0));
	CHECK(ivshm_tx_set_at(&p.tx, 1, 1024 - 40, 40, 0));
	before = atomic_load(&p.tx.descs[2]);
	CHECK(!ivshm_tx_set_at(&p.tx, 2, 1024 - 40, 41, 0));
	CHECK(!ivshm_tx_set_at(&p.tx, 2, 100, 0, 0));
	CHECK(!ivshm_tx_set_at(&p.tx, 2, 1024, 1, 0));
	CHECK(!ivshm_tx_set_at(&p.tx, 2, UINT64_MAX - 2, 8, 0)); /* wraps */
	CHECK_EQ(atomic_load(&p.tx.descs[2]), before);
	ivshm_tx_publish(&p.tx, 2);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 2);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_OK);
	CHECK(len == 5 && memcmp(data, "seven", 5) == 0);
	CHECK(data == p.rx.bufs + 7 * 128 + 3);
	CHECK_EQ(ivshm_rx_get(&p.rx, 1, &data, &len), IVSHM_OK);
	CHECK(len == 40 && data == p.rx.bufs + 1024 - 40);
	pair_close(&p);
}

static void test_full_and_empty(void)
{
	struct pair p;
	uint32_t n = 16;

	CHECK_EQ(pair_open(&p, geo(n, 64)), 0);
	CHECK_EQ(ivshm_tx_space(&p.tx, 100), n);
	CHECK_EQ(ivshm_tx_space(&p.tx, 3), 3);
	CHECK_EQ(send_seq(&p.tx, 0, n - 1, 64), n - 1);
	CHECK_EQ(ivshm_tx_space(&p.tx, 100), 1);
	CHECK_EQ(send_seq(&p.tx, n - 1, 5, 64), 1);
	CHECK_EQ(ivshm_tx_space(&p.tx, 1), 0); /* full */
	CHECK_EQ(send_seq(&p.tx, n, 1, 64), 0);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 100), n);
	CHECK_EQ(recv_seq(&p.rx, 0, 3, 64), 3);
	CHECK_EQ(ivshm_tx_space(&p.tx, 100), 3); /* the producer re-reads tail */
	CHECK_EQ(recv_seq(&p.rx, 3, 100, 64), n - 3);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 100), 0); /* empty */
	CHECK_EQ(recv_seq(&p.rx, 0, 8, 64), 0);
	CHECK_EQ(ivshm_tx_space(&p.tx, 100), n);
	CHECK_EQ(p.tx.err.bad_index + p.rx.err.bad_index + p.rx.err.bad_desc, 0);
	pair_close(&p);
}

/* Indices start just below 2^32 so head and tail wrap during the test. */
static void test_index_wraparound(void)
{
	struct ivshm_geometry g = geo(16, 64);
	uint64_t size = ivshm_layout_size(&g);
	struct ivshm_wire_chan *ctl;
	struct pair p;
	uint32_t sent = 0, got = 0;
	int r;

	memset(&p, 0, sizeof(p));
	p.base = region_alloc(size);
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, size, 0, &g, IVSHM_ATTACH_FORMAT), 0);
	CHECK_EQ(ivshm_region_attach(&p.b, p.base, size, 1, NULL, 0), 0);
	ctl = (struct ivshm_wire_chan *)(p.base + p.a.chans_off); /* 0 -> 1 */
	atomic_store(&ctl->head, UINT32_MAX - 20);
	atomic_store(&ctl->tail, UINT32_MAX - 20);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK_EQ(ivshm_rx_open(&p.rx, &p.b, 0, 0), 0);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 1), 0);
	CHECK(ivshm_tx_ready(&p.tx));
	CHECK_EQ(p.rx.tail, UINT32_MAX - 20);
	while (got < 100) {
		sent += send_seq(&p.tx, sent, 7, 64);
		r = recv_seq(&p.rx, got, 5, 64);
		CHECK(r >= 0);
		got += (uint32_t)r;
		CHECK(sent - got <= 16);
	}
	CHECK_EQ(atomic_load(&ctl->head), (uint32_t)(UINT32_MAX - 20 + sent));
	CHECK(atomic_load(&ctl->head) < 100); /* it did wrap */
	CHECK_EQ(p.tx.err.bad_index + p.rx.err.bad_index + p.rx.err.bad_desc, 0);
	pair_close(&p);
}

/* Every burst size 1..256 both ways through a 256-slot ring, and odd sizes
 * where receive bursts differ from send bursts. */
static void test_burst_sizes(void)
{
	static uint8_t src[256][128];
	struct ivshm_pkt pkts[256];
	uint32_t n, i, k = 0;
	bool bell;
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(256, 128)), 0);
	for (n = 1; n <= 256; n++) {
		for (i = 0; i < n; i++) {
			pkts[i].data = src[i];
			pkts[i].len = pkt_len(k + i, 128);
			pkt_fill(src[i], k + i, pkts[i].len);
		}
		CHECK_EQ(ivshm_tx_burst(&p.tx, pkts, n, &bell), n);
		CHECK(!bell);
		CHECK_EQ(ivshm_rx_avail(&p.rx, 1000), n);
		CHECK_EQ(recv_seq(&p.rx, k, n, 128), n);
		k += n;
	}
	for (n = 3; n < 200; n += 14) {
		uint32_t sent = 0, got = 0, rxb = n / 2 + 1;
		int r;

		while (got < 5 * n) {
			sent += send_seq(&p.tx, k + sent, n, 128);
			r = recv_seq(&p.rx, k + got, rxb, 128);
			CHECK(r >= 0 && (uint32_t)r <= rxb);
			got += (uint32_t)r;
		}
		CHECK_EQ(recv_seq(&p.rx, k + got, 256, 128), sent - got);
		k += sent;
	}
	CHECK_EQ(p.rx.err.bad_desc + p.rx.err.bad_index, 0);
	pair_close(&p);
}

static void test_tx_burst_stops_at_bad_length(void)
{
	uint8_t big[200] = { 0 };
	/* 65536 B: longer than any frame, even chained */
	struct ivshm_pkt pkts[3] = { { big, 10 }, { big, 65536 }, { big, 10 } };
	bool bell;
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 128)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, pkts, 3, &bell), 1);
	pkts[1].len = 0;
	CHECK_EQ(ivshm_tx_burst(&p.tx, pkts + 1, 2, &bell), 0);
	pkts[1].len = 128; /* exactly buf_size is fine */
	CHECK_EQ(ivshm_tx_burst(&p.tx, pkts + 1, 2, &bell), 2);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 3);
	pair_close(&p);
}

/* A 65536 B buffer still carries at most 65535 B: the descriptor's length
 * is 16 bits, and 65536 would be encoded as 0. */
static void test_max_frame_is_16_bit_length(void)
{
	static uint8_t big[65536];
	struct ivshm_pkt pkts[2] = { { big, 65536 }, { big, 65535 } };
	const uint8_t *data;
	uint32_t len;
	bool bell;
	struct pair p;

	CHECK_EQ(ivshm_max_frame(&(struct ivshm_geometry){ .buf_size = 65536 }), 65535);
	CHECK_EQ(ivshm_max_frame(&(struct ivshm_geometry){ .buf_size = 2048 }), 2048);
	CHECK_EQ(pair_open(&p, geo(2, 65536)), 0);
	CHECK_EQ(p.tx.max_len, 65535);
	CHECK_EQ(ivshm_tx_burst(&p.tx, pkts, 2, &bell), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, pkts + 1, 1, &bell), 1);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 2), 1);
	CHECK_EQ(ivshm_rx_get(&p.rx, 0, &data, &len), IVSHM_OK);
	CHECK_EQ(len, 65535);
	pair_close(&p);
}

/* ---- validation: the consumer never trusts the producer (and v.v.) ---- */

/* 3.0: the consumer goes by the lap tags, never by the producer's head:
 * a head set to anything (even "full") makes nothing ready and counts no
 * error; tagged descriptors are ready without any head. */
static void test_consumer_ignores_head(void)
{
	static const uint32_t heads[] = { 8, 9, UINT32_MAX, 3 };
	struct pair p;
	size_t i;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		atomic_store(&p.tx.ctl->head, heads[i]);
		CHECK_EQ(ivshm_rx_avail(&p.rx, 100), 0);
		CHECK_EQ(p.rx.tail, 0);
	}
	CHECK_EQ(p.rx.err.bad_index, 0);
	for (i = 0; i < 8; i++)
		atomic_store(&p.tx.descs[i], desc_at(IVSHM_DESC_MAKE(i * 64, 1, 0), (uint32_t)i,
						     p.tx.lap_shift));
	CHECK_EQ(ivshm_rx_avail(&p.rx, 100), 8); /* never more than the ring */
	pair_close(&p);
}

static void test_tail_beyond_head_rejected(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 8, 64), 8);
	atomic_store(&p.rx.ctl->tail, 9); /* consumed more than published */
	CHECK_EQ(ivshm_tx_space(&p.tx, 1), 0);
	CHECK_EQ(p.tx.err.bad_index, 1);
	pair_close(&p);
}

static void test_tail_too_far_behind_rejected(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 8, 64), 8);
	atomic_store(&p.rx.ctl->tail, 0); /* head - ring_size: full, valid */
	CHECK_EQ(ivshm_tx_space(&p.tx, 1), 0);
	CHECK_EQ(p.tx.err.bad_index, 0);
	atomic_store(&p.rx.ctl->tail, UINT32_MAX); /* head - ring_size - 1 */
	CHECK_EQ(ivshm_tx_space(&p.tx, 1), 0);
	CHECK_EQ(p.tx.err.bad_index, 1);
	pair_close(&p);
}

/* A tail seen moving backwards (still inside [head - R, head]) in the
 * middle of a burst is bad: the producer keeps the last good tail, so
 * head - tail_seen never exceeds R, and with the consumer frozen there it
 * stalls instead of writing over slots the consumer has not read. */
static void test_tail_moving_back_stalls_producer(void)
{
	static uint8_t payload[64];
	struct ivshm_pkt pk[32];
	uint32_t h, i, sent = 0, b;
	bool bell;
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	h = p.tx.head;
	CHECK_EQ(ivshm_tx_space(&p.tx, 7), 7); /* reads tail = h: empty */
	for (i = 0; i < 7; i++)
		ivshm_tx_set(&p.tx, i, 64);
	atomic_store(&p.rx.ctl->tail, h - 7); /* moves back, "in range" */
	CHECK_EQ(ivshm_tx_space(&p.tx, 12), 0);
	CHECK_EQ(p.tx.err.bad_index, 1);
	ivshm_tx_publish(&p.tx, 7);
	CHECK(p.tx.head - p.tx.tail_seen <= 8);
	for (i = 0; i < 32; i++)
		pk[i] = (struct ivshm_pkt){ payload, 60 };
	for (b = 0; b < 1000; b++) /* the consumer stays frozen at h - 7 */
		sent += ivshm_tx_burst(&p.tx, pk, 32, &bell);
	CHECK_EQ(sent, 1); /* the one slot free by the last good tail, h */
	CHECK_EQ(atomic_load(&p.tx.ctl->head) - h, 8); /* nothing unread overwritten */
	CHECK(p.tx.head - p.tx.tail_seen <= 8);
	CHECK(p.tx.err.bad_index >= 1000);
	/* the consumer comes back and really consumes: the producer resumes */
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 8);
	ivshm_rx_release(&p.rx, 8);
	CHECK_EQ(ivshm_tx_burst(&p.tx, pk, 32, &bell), 8);
	pair_close(&p);
}

/* Publishes one hand-made descriptor and checks rx_get's verdict. */
static int get_one(uint64_t desc, struct ivshm_chan_errors *err)
{
	struct pair p;
	const uint8_t *data = NULL;
	uint32_t len = 0;
	int rc;

	if (pair_open(&p, geo(8, 64)) != 0)
		return 99;
	atomic_store(&p.tx.descs[0], desc_at(desc, 0, p.tx.lap_shift));
	ivshm_tx_publish(&p.tx, 1);
	if (ivshm_rx_avail(&p.rx, 8) != 1)
		rc = 98;
	else
		rc = ivshm_rx_get(&p.rx, 0, &data, &len);
	if (rc == IVSHM_OK && (data != p.rx.bufs + IVSHM_DESC_OFFSET(desc) ||
			       len != IVSHM_DESC_LEN(desc)))
		rc = 97;
	*err = p.rx.err;
	pair_close(&p);
	return rc;
}

static void test_desc_zero_len_rejected(void)
{
	struct ivshm_chan_errors e;

	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 0, 0), &e), IVSHM_ECORRUPT);
	CHECK_EQ(e.bad_desc, 1);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 1, 0), &e), IVSHM_OK);
	CHECK_EQ(e.bad_desc, 0);
}

static void test_desc_len_past_area_rejected(void)
{
	struct ivshm_chan_errors e;

	/* buffer area: 8 * 64 = 512 bytes */
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(500, 12, 0), &e), IVSHM_OK);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(500, 13, 0), &e), IVSHM_ECORRUPT);
	CHECK_EQ(e.bad_desc, 1);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 513, 0), &e), IVSHM_ECORRUPT);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 0xffff, 0), &e), IVSHM_ECORRUPT);
}

static void test_desc_offset_past_area_rejected(void)
{
	struct ivshm_chan_errors e;

	CHECK_EQ(get_one(IVSHM_DESC_MAKE(511, 1, 0), &e), IVSHM_OK);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(512, 1, 0), &e), IVSHM_ECORRUPT);
	CHECK_EQ(e.bad_desc, 1);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(UINT32_MAX, 1, 0), &e), IVSHM_ECORRUPT);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(UINT32_MAX - 10, 64, 0), &e),
		 IVSHM_ECORRUPT);
}

static void test_desc_unknown_flags_rejected(void)
{
	struct ivshm_chan_errors e;

	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 1, 2), &e), IVSHM_ECORRUPT);
	CHECK_EQ(e.bad_desc, 1);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 1, 0x80), &e), IVSHM_ECORRUPT);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 1, 0x4), &e), IVSHM_ECORRUPT);
	/* F_MORE starts a chain: not an error, not counted */
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(0, 1, IVSHM_DESC_F_MORE), &e), IVSHM_ECHAIN);
	CHECK_EQ(e.bad_desc, 0);
	CHECK_EQ(get_one(IVSHM_DESC_MAKE(512, 1, IVSHM_DESC_F_MORE), &e), IVSHM_ECORRUPT);
	CHECK_EQ(e.bad_desc, 1);
}

/* rx_burst: a bad descriptor or one longer than the caller's buffer is
 * dropped and counted; the packets around it still arrive, in order, and
 * all the slots are released. */
static void test_rx_burst_drops_bad_and_oversize(void)
{
	uint8_t out[4][64];
	struct ivshm_pkt pkts[4] = { { out[0], 0 }, { out[1], 0 },
				     { out[2], 0 }, { out[3], 0 } };
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 4, 64), 4); /* lengths 1, 2, 3, 4 */
	atomic_store(&p.tx.descs[1], desc_at(IVSHM_DESC_MAKE(64, 0, 0), 1,
					     p.tx.lap_shift)); /* zero len */
	CHECK_EQ(ivshm_rx_burst(&p.rx, pkts, 4, 3), 2); /* cap 3: drops len 4 */
	CHECK_EQ(p.rx.err.bad_desc, 2);
	CHECK(pkt_ok(out[0], pkts[0].len, 0, 64));
	CHECK(pkt_ok(out[1], pkts[1].len, 2, 64));
	CHECK_EQ(atomic_load(&p.rx.ctl->tail), 4);
	CHECK_EQ(ivshm_tx_space(&p.tx, 8), 8);
	pair_close(&p);
}

/* ---- interrupt suppression ---- */

static void test_arm_on_empty_requests_doorbell(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 0);
	CHECK(ivshm_rx_arm(&p.rx)); /* safe to sleep */
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 1);
	CHECK(!ivshm_tx_publish(&p.tx, 0)); /* nothing published, no bell */
	CHECK_EQ(atomic_load(&p.tx.ctl->head), 0);
	ivshm_tx_set(&p.tx, 0, 1);
	CHECK_EQ(ivshm_tx_publish(&p.tx, 1), 1); /* the default token */
	CHECK_EQ(atomic_load(&p.tx.ctl->head), 1);
	pair_close(&p);
}

static void test_publish_reports_need_wakeup(void)
{
	uint8_t b[8] = { 1 };
	struct ivshm_pkt pkt = { b, 8 };
	bool bell = true;
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &pkt, 1, &bell), 1);
	CHECK(!bell); /* consumer polling: no doorbell */
	CHECK_EQ(recv_seq(&p.rx, 0, 0, 64), 0);
	ivshm_rx_release(&p.rx, ivshm_rx_avail(&p.rx, 8));
	CHECK(ivshm_rx_arm(&p.rx));
	CHECK_EQ(ivshm_tx_burst(&p.tx, &pkt, 1, &bell), 1);
	CHECK(bell);
	/* One doorbell per arming: the producer consumed the request, so a
	 * consumer that never disarms does not cost a doorbell per burst. */
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &pkt, 1, &bell), 1);
	CHECK(!bell);
	/* A new arming gets a new doorbell. */
	ivshm_rx_release(&p.rx, ivshm_rx_avail(&p.rx, 8));
	CHECK(ivshm_rx_arm(&p.rx));
	CHECK_EQ(ivshm_tx_burst(&p.tx, &pkt, 1, &bell), 1);
	CHECK(bell);
	pair_close(&p);
}

/* A head the producer garbled is never received (the consumer goes by
 * the tags), so arm must let the consumer sleep instead of answering
 * "pending" forever (interrupt mode would spin): only a ready tag keeps
 * it awake. */
static void test_arm_sleeps_over_invalid_head(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	atomic_store(&p.rx.ctl->head, p.rx.tail + 9);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	CHECK(ivshm_rx_arm(&p.rx));
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 1);
	atomic_store(&p.rx.ctl->head, p.rx.tail - 1);
	CHECK(ivshm_rx_arm(&p.rx));
	atomic_store(&p.rx.ctl->head, p.rx.tail + 8); /* "full", but no tag */
	CHECK(ivshm_rx_arm(&p.rx));
	atomic_store(&p.tx.descs[0], desc_at(IVSHM_DESC_MAKE(0, 1, 0), 0, p.tx.lap_shift));
	CHECK(!ivshm_rx_arm(&p.rx));
	pair_close(&p);
}

/* The consumer's wake token (doorbell vector + 1 in the PMD) reaches the
 * producer unchanged. */
static void test_wake_token_returned_by_publish(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(p.rx.wake_token, 1);
	p.rx.wake_token = 5;
	CHECK(ivshm_rx_arm(&p.rx));
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 5);
	ivshm_tx_set(&p.tx, 0, 1);
	CHECK_EQ(ivshm_tx_publish(&p.tx, 1), 5);
	pair_close(&p);
}

static void test_arm_with_pending_refuses_to_sleep(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 1, 64), 1);
	CHECK(!ivshm_rx_arm(&p.rx)); /* not cached yet: arm must re-read head */
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 0);
	CHECK(!ivshm_rx_arm(&p.rx)); /* cached this time */
	CHECK_EQ(recv_seq(&p.rx, 0, 8, 64), 1);
	CHECK(ivshm_rx_arm(&p.rx));
	pair_close(&p);
}

static void test_rx_open_clears_stale_need_wakeup(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK(ivshm_rx_arm(&p.rx));
	CHECK_EQ(ivshm_rx_open(&p.rx, &p.b, 0, 0), 0); /* consumer restarts */
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 0);
	pair_close(&p);
}

/* ---- generations ---- */

static void test_producer_restart_drops_stale(void)
{
	uint64_t size;
	struct pair p;
	uint32_t gen1;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	size = p.a.size;
	gen1 = p.a.gen;
	CHECK_EQ(send_seq(&p.tx, 0, 5, 64), 5);
	CHECK_EQ(recv_seq(&p.rx, 0, 2, 64), 2); /* 3 left in the ring */
	/* The producer dies and comes back (new generation, same id). */
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, size, 0, NULL,
				     IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(p.a.gen, gen1 + 1);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK(!ivshm_tx_ready(&p.tx));
	CHECK_EQ(recv_seq(&p.rx, 2, 8, 64), 0); /* stale 3 dropped */
	CHECK_EQ(p.rx.err.resyncs, 1);
	CHECK_EQ(atomic_load(&p.rx.ctl->ack_gen), gen1 + 1);
	CHECK_EQ(atomic_load(&p.rx.ctl->tail), 5);
	CHECK(ivshm_tx_ready(&p.tx));
	CHECK_EQ(ivshm_tx_space(&p.tx, 8), 8);
	CHECK_EQ(send_seq(&p.tx, 100, 2, 64), 2);
	CHECK_EQ(recv_seq(&p.rx, 100, 8, 64), 2); /* only the new life's */
	CHECK_EQ(p.rx.err.bad_index + p.rx.err.bad_desc, 0);
	pair_close(&p);
}

/* 3.0: a restarted producer writes no slot before the consumer acked its
 * generation (the consumer may still be reading the last life's slots by
 * their tags); then what it sends arrives and the old life's does not. A
 * consumer asleep meanwhile is rung, so that it wakes to sync. */
static void test_producer_restart_waits_for_ack(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 5, 64), 5);
	CHECK_EQ(recv_seq(&p.rx, 0, 2, 64), 2); /* 3 stale left */
	CHECK(ivshm_rx_arm(&p.rx) == false); /* 3 ready: stays awake */
	CHECK_EQ(ivshm_region_attach(&p.a, p.base, p.a.size, 0, NULL,
				     IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(ivshm_tx_open(&p.tx, &p.a, 1, 0), 0);
	CHECK(!p.tx.acked);
	CHECK_EQ(ivshm_tx_space(&p.tx, 8), 0);
	CHECK_EQ(send_seq(&p.tx, 200, 4, 64), 0);
	/* the consumer sleeps: the waiting producer rings it once */
	CHECK(ivshm_rx_arm(&p.rx) == false); /* prod_gen changed: poll first */
	atomic_store(&p.rx.ctl->need_wakeup, p.rx.wake_token);
	CHECK_EQ(ivshm_tx_publish(&p.tx, 0), p.rx.wake_token);
	CHECK_EQ(ivshm_tx_publish(&p.tx, 0), IVSHM_WAKE_NONE);
	CHECK_EQ(recv_seq(&p.rx, 2, 8, 64), 0); /* stale untagged: resync */
	CHECK_EQ(p.rx.err.resyncs, 1);
	CHECK_EQ(ivshm_tx_space(&p.tx, 8), 8);
	CHECK(p.tx.acked);
	CHECK_EQ(send_seq(&p.tx, 200, 4, 64), 4);
	CHECK_EQ(recv_seq(&p.rx, 200, 8, 64), 4);
	CHECK_EQ(p.rx.err.bad_index + p.rx.err.bad_desc, 0);
	pair_close(&p);
}

static void test_consumer_restart_syncs_without_resync_count(void)
{
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(send_seq(&p.tx, 0, 4, 64), 4);
	CHECK_EQ(ivshm_region_attach(&p.b, p.base, p.a.size, 1, NULL,
				     IVSHM_ATTACH_TAKEOVER), 0);
	CHECK_EQ(ivshm_rx_open(&p.rx, &p.b, 0, 0), 0);
	/* The producer is alive and unchanged: what it queued while we were
	 * dead is its current generation's, so the new life receives it. */
	CHECK_EQ(recv_seq(&p.rx, 0, 8, 64), 4);
	CHECK_EQ(p.rx.err.resyncs, 0);
	CHECK(ivshm_tx_ready(&p.tx));
	CHECK_EQ(ivshm_tx_space(&p.tx, 8), 8);
	CHECK_EQ(send_seq(&p.tx, 4, 3, 64), 3);
	CHECK_EQ(recv_seq(&p.rx, 4, 8, 64), 3);
	pair_close(&p);
}

/* ---- chained frames (layout 2.0) ---- */

static void fill_pattern(uint8_t *b, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + seed);
}

/* Publishes hand-made descriptors after the producer's head. */
static void publish_descs(struct pair *p, const uint64_t *d, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		atomic_store(&p->tx.descs[(p->tx.head + i) & p->tx.mask],
			     desc_at(d[i], p->tx.head + i, p->tx.lap_shift));
	ivshm_tx_publish(&p->tx, n);
}

/* A frame longer than a buffer goes out as a chain (F_MORE on all but the
 * last descriptor) between single frames and comes back whole, in order. */
static void test_chain_roundtrip(void)
{
	static uint8_t in[3][300], out[3][2048];
	struct ivshm_pkt tx[3] = { { in[0], 10 }, { in[1], 300 }, { in[2], 64 } };
	struct ivshm_pkt rx[3] = { { out[0], 0 }, { out[1], 0 }, { out[2], 0 } };
	bool bell;
	struct pair p;

	for (int i = 0; i < 3; i++)
		fill_pattern(in[i], 300, (uint32_t)i);
	CHECK_EQ(pair_open(&p, geo(16, 64)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, tx, 3, &bell), 3);
	CHECK_EQ(p.tx.head, 1 + 5 + 1); /* 300 B = 4 * 64 + 44 */
	for (uint32_t i = 1; i < 5; i++)
		CHECK_EQ(IVSHM_DESC_FLAGS(p.tx.descs[i]), IVSHM_DESC_F_MORE);
	CHECK_EQ(IVSHM_DESC_FLAGS(p.tx.descs[5]), 0);
	CHECK_EQ(IVSHM_DESC_LEN(p.tx.descs[5]), 44);
	CHECK_EQ(IVSHM_DESC_FLAGS(p.tx.descs[6]), 0);
	/* a burst ends after a chain that reached past its window */
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx, 3, 2048), 2);
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx + 2, 1, 2048), 1);
	CHECK_EQ(rx[0].len, 10);
	CHECK_EQ(rx[1].len, 300);
	CHECK_EQ(rx[2].len, 64);
	for (int i = 0; i < 3; i++)
		CHECK(memcmp(out[i], in[i], rx[i].len) == 0);
	CHECK_EQ(p.rx.tail, 7);
	CHECK_EQ(p.rx.err.bad_desc, 0);
	pair_close(&p);
}

/* A chain is published only when the ring has room for all of it. */
static void test_chain_needs_room_for_all(void)
{
	static uint8_t in[300], out[2][2048];
	struct ivshm_pkt small = { in, 10 }, big = { in, 300 };
	struct ivshm_pkt rx[2] = { { out[0], 0 }, { out[1], 0 } };
	bool bell;
	struct pair p;

	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &small, 1, &bell), 1);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &small, 1, &bell), 1);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &small, 1, &bell), 1);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &big, 1, &bell), 1); /* 3 + 5 = 8 */
	CHECK_EQ(ivshm_tx_burst(&p.tx, &small, 1, &bell), 0);
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx, 1, 2048), 1);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &big, 1, &bell), 0); /* 1 free, needs 5 */
	CHECK_EQ(p.tx.head, 8);
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx, 2, 2048), 2);
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx, 2, 2048), 1);
	CHECK_EQ(rx[0].len, 300);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &big, 1, &bell), 1); /* wraps the ring */
	CHECK_EQ(ivshm_rx_burst(&p.rx, rx, 2, 2048), 1);
	CHECK_EQ(rx[0].len, 300);
	CHECK(memcmp(out[0], in, 300) == 0);
	pair_close(&p);
}

/* Asked for one packet, the consumer still takes a whole chain (it may go
 * past what avail returned) and releases all of its descriptors. */
static void test_chain_read_past_avail(void)
{
	static uint8_t in[200], out[2048];
	struct ivshm_pkt tx = { in, 200 }, rx = { out, 0 };
	bool bell;
	struct pair p;

	fill_pattern(in, 200, 3);
	CHECK_EQ(pair_open(&p, geo(8, 64)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &tx, 1, &bell), 1);
	CHECK_EQ(ivshm_rx_burst(&p.rx, &rx, 1, 2048), 1);
	CHECK_EQ(rx.len, 200);
	CHECK(memcmp(out, in, 200) == 0);
	CHECK_EQ(p.rx.tail, 4);
	CHECK_EQ(atomic_load(&p.rx.ctl->tail), 4);
	pair_close(&p);
}

/* Hostile chains: each is dropped whole and counted once, nothing is read
 * out of bounds, and the well-formed frame after it still arrives. */
static uint32_t recv_after_hostile(const uint64_t *d, uint32_t n, uint32_t ring,
				   uint32_t buf, uint64_t *bad, uint32_t *len0)
{
	static uint8_t out[4][65536];
	struct ivshm_pkt rx[4] = { { out[0], 0 }, { out[1], 0 },
				   { out[2], 0 }, { out[3], 0 } };
	uint64_t good = IVSHM_DESC_MAKE(0, 42, 0);
	uint32_t got;
	struct pair p;

	if (pair_open(&p, geo(ring, buf)) != 0)
		return 99;
	publish_descs(&p, d, n);
	got = ivshm_rx_burst(&p.rx, rx, 4, 65536);
	publish_descs(&p, &good, 1);
	got += ivshm_rx_burst(&p.rx, rx + got, 4 - got, 65536);
	*bad = p.rx.err.bad_desc;
	*len0 = rx[0].len;
	if (p.rx.tail != p.tx.head)
		got = 98; /* something was left behind: a stall */
	pair_close(&p);
	return got;
}

static void test_chain_never_ends_dropped(void)
{
	uint64_t more = IVSHM_DESC_MAKE(0, 64, IVSHM_DESC_F_MORE);
	uint64_t d[8] = { more, more, more, more, more, more, more, more };
	uint64_t bad;
	uint32_t len0;

	/* three F_MORE then the published head: the chain has no end */
	CHECK_EQ(recv_after_hostile(d, 3, 8, 64, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 42);
	/* a whole ring of F_MORE: longer than the ring can hold */
	CHECK_EQ(recv_after_hostile(d, 8, 8, 64, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 42);
}

static void test_chain_bad_segment_dropped(void)
{
	uint64_t d[4] = { IVSHM_DESC_MAKE(0, 64, IVSHM_DESC_F_MORE),
			  IVSHM_DESC_MAKE(512, 64, IVSHM_DESC_F_MORE), /* past area */
			  IVSHM_DESC_MAKE(64, 7, 0), /* a frame of its own */
			  IVSHM_DESC_MAKE(0, 0, 0) };
	uint64_t bad;
	uint32_t len0;

	CHECK_EQ(recv_after_hostile(d, 3, 8, 64, &bad, &len0), 2);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 7);
	d[1] = IVSHM_DESC_MAKE(0, 0, IVSHM_DESC_F_MORE); /* empty segment */
	CHECK_EQ(recv_after_hostile(d, 3, 8, 64, &bad, &len0), 2);
	CHECK_EQ(bad, 1);
	d[1] = IVSHM_DESC_MAKE(0, 8, 0x4 | IVSHM_DESC_F_MORE); /* unknown flag */
	CHECK_EQ(recv_after_hostile(d, 3, 8, 64, &bad, &len0), 2);
	CHECK_EQ(bad, 1);
	d[2] = IVSHM_DESC_MAKE(448, 65, 0); /* last segment runs past the area */
	d[1] = IVSHM_DESC_MAKE(0, 8, IVSHM_DESC_F_MORE);
	CHECK_EQ(recv_after_hostile(d, 3, 8, 64, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 42);
}

/* More than IVSHM_MAX_CHAIN_LEN bytes: dropped through its last segment. */
static void test_chain_longer_than_max_frame_dropped(void)
{
	uint64_t d[3] = { IVSHM_DESC_MAKE(0, 65535, IVSHM_DESC_F_MORE),
			  IVSHM_DESC_MAKE(65536, 1, IVSHM_DESC_F_MORE),
			  IVSHM_DESC_MAKE(0, 1, 0) };
	uint64_t bad;
	uint32_t len0;

	CHECK_EQ(recv_after_hostile(d, 3, 4, 65536, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 42);
	d[1] = IVSHM_DESC_MAKE(65536, 1, 0); /* exactly one byte too many */
	CHECK_EQ(recv_after_hostile(d, 2, 4, 65536, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	d[0] = IVSHM_DESC_MAKE(0, 65534, IVSHM_DESC_F_MORE); /* 65535: fine */
	CHECK_EQ(recv_after_hostile(d, 2, 4, 65536, &bad, &len0), 2);
	CHECK_EQ(bad, 0);
	CHECK_EQ(len0, 65535);
}

/* Spec decisions (bar2-layout §4): a chain as long as the ring is a good
 * frame (our producer sends one whenever the ring is empty). */
static void test_chain_as_long_as_ring_accepted(void)
{
	static uint8_t in[256], out[256];
	struct ivshm_pkt tx = { in, 256 }, rx = { out, 0 };
	bool bell;
	struct pair p;

	fill_pattern(in, 256, 9);
	CHECK_EQ(pair_open(&p, geo(4, 64)), 0);
	CHECK_EQ(ivshm_tx_burst(&p.tx, &tx, 1, &bell), 1);
	CHECK_EQ(p.tx.head, 4);
	CHECK_EQ(ivshm_rx_burst(&p.rx, &rx, 1, sizeof(out)), 1);
	CHECK_EQ(rx.len, 256);
	CHECK(memcmp(in, out, 256) == 0);
	CHECK_EQ(p.rx.err.bad_desc, 0);
	pair_close(&p);
}

/* A frame is at most min(R x B, 65535) bytes: overlapping segments cannot
 * make one longer than the buffer area (here 2 x 128 B with R x B = 128). */
static void test_chain_longer_than_area_dropped(void)
{
	uint64_t d[2] = { IVSHM_DESC_MAKE(0, 128, IVSHM_DESC_F_MORE),
			  IVSHM_DESC_MAKE(0, 128, 0) };
	uint64_t bad;
	uint32_t len0;

	CHECK_EQ(recv_after_hostile(d, 2, 2, 64, &bad, &len0), 1);
	CHECK_EQ(bad, 1);
	CHECK_EQ(len0, 42);
	d[1] = IVSHM_DESC_MAKE(64, 64, 0); /* 128 B in all: the limit, fine */
	d[0] = IVSHM_DESC_MAKE(0, 64, IVSHM_DESC_F_MORE);
	CHECK_EQ(recv_after_hostile(d, 2, 2, 64, &bad, &len0), 2);
	CHECK_EQ(bad, 0);
	CHECK_EQ(len0, 128);
}

/* One descriptor may say more than B bytes as long as they lie inside the
 * buffer area (the wire leaves the data layout to the producer). */
static void test_desc_longer_than_buffer_accepted(void)
{
	struct ivshm_chan_errors err;

	CHECK_EQ(get_one(IVSHM_DESC_MAKE(64, 7 * 64, 0), &err), IVSHM_OK);
	CHECK_EQ(err.bad_desc, 0);
}

int main(void)
{
	RUN(test_ready_needs_consumer);
	RUN(test_single_packet_roundtrip);
	RUN(test_set_at_any_offset);
	RUN(test_full_and_empty);
	RUN(test_index_wraparound);
	RUN(test_burst_sizes);
	RUN(test_tx_burst_stops_at_bad_length);
	RUN(test_max_frame_is_16_bit_length);
	RUN(test_consumer_ignores_head);
	RUN(test_tail_beyond_head_rejected);
	RUN(test_tail_too_far_behind_rejected);
	RUN(test_tail_moving_back_stalls_producer);
	RUN(test_chain_as_long_as_ring_accepted);
	RUN(test_chain_longer_than_area_dropped);
	RUN(test_desc_longer_than_buffer_accepted);
	RUN(test_desc_zero_len_rejected);
	RUN(test_desc_len_past_area_rejected);
	RUN(test_desc_offset_past_area_rejected);
	RUN(test_desc_unknown_flags_rejected);
	RUN(test_rx_burst_drops_bad_and_oversize);
	RUN(test_arm_on_empty_requests_doorbell);
	RUN(test_publish_reports_need_wakeup);
	RUN(test_arm_sleeps_over_invalid_head);
	RUN(test_wake_token_returned_by_publish);
	RUN(test_arm_with_pending_refuses_to_sleep);
	RUN(test_rx_open_clears_stale_need_wakeup);
	RUN(test_producer_restart_drops_stale);
	RUN(test_producer_restart_waits_for_ack);
	RUN(test_consumer_restart_syncs_without_resync_count);
	RUN(test_chain_roundtrip);
	RUN(test_chain_needs_room_for_all);
	RUN(test_chain_read_past_avail);
	RUN(test_chain_never_ends_dropped);
	RUN(test_chain_bad_segment_dropped);
	RUN(test_chain_longer_than_max_frame_dropped);
	return check_exit_code();
}
