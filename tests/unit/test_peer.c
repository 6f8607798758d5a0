/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests of lib/ivshm_peer.c: the peer protocol the PMD and libivshmem
 * share (liveness rule, link decision, peer choice, MAC, format stall).
 */
#include "../check.h"
#include "ivshm_peer.h"
#include "region_fixture.h"

#define SIZE (4u << 20)

static void test_liveness(void)
{
	struct ivshm_liveness l;

	ivshm_liveness_reset(&l, 5, 100);
	CHECK(!ivshm_liveness_stopped(&l, 5, 159, 60));
	CHECK(ivshm_liveness_stopped(&l, 5, 160, 60));   /* still for 60 */
	CHECK(!ivshm_liveness_stopped(&l, 6, 161, 60));  /* moved: alive again */
	CHECK_EQ(l.last_seen, 161);
	CHECK(!ivshm_liveness_stopped(&l, 6, 220, 60));
	CHECK(ivshm_liveness_stopped(&l, 6, 221, 60));
}

/* The link of peer 0 as peer 1 sees it, through its states. */
static void test_link_decision(void)
{
	void *base = region_alloc(SIZE);
	struct ivshm_region a, b;
	struct ivshm_liveness l = { 0, 0 };
	uint32_t gen = 0;

	CHECK_EQ(ivshm_region_attach(&b, base, SIZE, 1, NULL, IVSHM_ATTACH_FORMAT), IVSHM_OK);
	CHECK(strcmp(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 0, 60), "peer not attached") == 0);
	CHECK_EQ(ivshm_region_attach(&a, base, SIZE, 0, NULL, IVSHM_ATTACH_STOPPED), IVSHM_OK);
	/* a new generation is reported down once */
	CHECK(strcmp(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 10, 60), "peer (re)attached") == 0);
	CHECK_EQ(gen, a.gen);
	CHECK(strcmp(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 20, 60), "peer port stopped") == 0);
	ivshm_region_set_ready(&a, true);
	CHECK(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 30, 60) == NULL);
	ivshm_region_heartbeat(&a);
	CHECK(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 80, 60) == NULL); /* moved at 80 */
	CHECK(strcmp(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 140, 60),
		     "peer heartbeat stopped") == 0);
	ivshm_region_detach(&a);
	CHECK(strcmp(ivshm_link_peer_down_reason(&b, 0, &l, &gen, 150, 60), "peer not attached") == 0);
	free(base);
}

/* A fake clock for ivshm_peer_silent: each nap is one tick; it may move
 * the watched peer's heartbeat. */
static uint64_t fake_clock;
static const struct ivshm_region *beating; /* heartbeat it bumps, or NULL */
static uint64_t fake_now(void) { return fake_clock; }
static void fake_nap(void)
{
	fake_clock++;
	if (beating != NULL && fake_clock == 5)
		ivshm_region_heartbeat(beating);
}

static void test_peer_silent(void)
{
	void *base = region_alloc(SIZE);
	struct ivshm_region a, b;

	CHECK_EQ(ivshm_region_attach(&a, base, SIZE, 0, NULL, IVSHM_ATTACH_FORMAT), IVSHM_OK);
	CHECK_EQ(ivshm_region_attach(&b, base, SIZE, 1, NULL, 0), IVSHM_OK);
	fake_clock = 0;
	beating = NULL;
	CHECK(ivshm_peer_silent(&b, 0, 20, fake_now, fake_nap));
	CHECK_EQ(fake_clock, 20); /* waited the whole timeout */
	fake_clock = 0;
	beating = &a;
	CHECK(!ivshm_peer_silent(&b, 0, 20, fake_now, fake_nap));
	CHECK_EQ(fake_clock, 5);  /* answered at the first move */
	free(base);
}

static int events[3];
static void count_event(void *arg, enum ivshm_attach_event ev)
{
	(void)arg;
	events[ev]++;
}

/* ivshm_port_attach: our id held by a silent peer is taken over, by a
 * live one refused; a format that stalled is done again. */
static void test_port_attach(void)
{
	const struct ivshm_port_clock clk = { fake_now, fake_nap, 1 };
	void *base = region_alloc(SIZE);
	struct ivshm_region old, r, other;

	CHECK_EQ(ivshm_region_attach(&old, base, SIZE, 0, NULL, IVSHM_ATTACH_FORMAT), IVSHM_OK);
	memset(events, 0, sizeof(events));
	fake_clock = 0;
	beating = &old; /* the holder is alive: refused */
	CHECK_EQ(ivshm_port_attach(&r, base, SIZE, 0, NULL, &clk, count_event, NULL), IVSHM_EINUSE);
	CHECK_EQ(events[IVSHM_ATTACH_EV_ID_TAKEOVER], 0);
	beating = NULL; /* silent for two link timeouts (120 ms): taken over */
	CHECK_EQ(ivshm_port_attach(&r, base, SIZE, 0, NULL, &clk, count_event, NULL), IVSHM_OK);
	CHECK_EQ(events[IVSHM_ATTACH_EV_ID_TAKEOVER], 1);
	CHECK(r.gen > old.gen);
	CHECK(ivshm_peer_read(&r, 0, &(struct ivshm_peer_view){ 0 }) == IVSHM_OK);
	/* a format left in FORMATTING: after IVSHM_FORMAT_STALL_MS it is redone */
	memset(base, 0, SIZE);
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_CLAIMED(0));
	fake_clock = 0;
	CHECK_EQ(ivshm_port_attach(&other, base, SIZE, 1, NULL, &clk, count_event, NULL), IVSHM_OK);
	CHECK_EQ(events[IVSHM_ATTACH_EV_FORMAT_REDONE], 1);
	CHECK(fake_clock >= IVSHM_FORMAT_STALL_MS);
	CHECK_EQ(IVSHM_FORMAT_STATE(ivshm_region_format_state(base)), IVSHM_FORMAT_READY);
	free(base);
}

static void test_choose_peer(void)
{
	struct ivshm_geometry g = IVSHM_GEOMETRY_DEFAULT;
	uint16_t peer = 99;

	CHECK_EQ(ivshm_choose_peer(&g, 0, -1, &peer), IVSHM_OK);
	CHECK_EQ(peer, 1);
	CHECK_EQ(ivshm_choose_peer(&g, 1, -1, &peer), IVSHM_OK);
	CHECK_EQ(peer, 0);
	CHECK_EQ(ivshm_choose_peer(&g, 1, 1, &peer), IVSHM_EPEERID);  /* itself */
	CHECK_EQ(ivshm_choose_peer(&g, 1, 2, &peer), IVSHM_EPEERID);  /* outside */
	g.max_peers = 4;
	CHECK_EQ(ivshm_choose_peer(&g, 1, -1, &peer), IVSHM_EINVAL);  /* which one? */
	CHECK_EQ(ivshm_choose_peer(&g, 1, 3, &peer), IVSHM_OK);
	CHECK_EQ(peer, 3);
}

static void test_mac(void)
{
	static const uint8_t want[6] = { 0x02, 0x69, 0x76, 0x00, 0x01, 0x02 };
	uint8_t mac[6];

	ivshm_mac_derived(0x102, mac);
	CHECK(memcmp(mac, want, 6) == 0);
}

static void test_format_stall(void)
{
	struct ivshm_format_watch w;
	uint32_t formatting = IVSHM_FORMAT_CLAIMED(0);

	ivshm_format_watch_init(&w, 0);
	CHECK(!ivshm_format_stalled(&w, formatting, 0, 100));   /* first reading */
	CHECK(!ivshm_format_stalled(&w, formatting, 99, 100));
	CHECK(ivshm_format_stalled(&w, formatting, 100, 100));  /* unchanged 100 */
	CHECK_EQ(w.seen, formatting);
	CHECK(!ivshm_format_stalled(&w, formatting, 150, 100)); /* clock restarted */
	CHECK(!ivshm_format_stalled(&w, IVSHM_FORMAT_CLAIMED(1), 250, 100)); /* moved */
	CHECK(!ivshm_format_stalled(&w, IVSHM_FORMAT_READY, 300, 100));
	CHECK(!ivshm_format_stalled(&w, IVSHM_FORMAT_READY, 900, 100)); /* not formatting */
}

int main(void)
{
	RUN(test_liveness);
	RUN(test_link_decision);
	RUN(test_peer_silent);
	RUN(test_port_attach);
	RUN(test_choose_peer);
	RUN(test_mac);
	RUN(test_format_stall);
	return check_exit_code();
}
