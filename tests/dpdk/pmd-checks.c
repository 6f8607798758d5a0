/* SPDX-License-Identifier: BSD-3-Clause
 * pmd-checks: drives net_ivshmem (loaded with -d, real DPDK) through the
 * ethdev API while this process plays the peer itself, through
 * lib/ring_over_shm on its own mapping of the same shm file. So a case can
 * publish exactly the descriptors it needs (bad ones too), act as a consumer
 * that misuses its wake-up flag, and read the peer table.
 * It links librte_net_ivshmem.so for the API of rte_pmd_ivshmem.h (the -d
 * load finds the same object).
 * Usage: pmd-checks <EAL args> -- SHM_FILE CASE [VDEV_ARGS | SECONDARY_CMD]
 * Prints one line per failed check and PASS or FAIL at the end.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ring_over_shm.h"
#include "rte_pmd_ivshmem.h"

#define SHM_SIZE (4u << 20)
#define VDEV "net_ivshmem_ck0"
#define PEER_ID 1 /* the PMD is peer 0 */

static const char *shm_path;
static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("CHECK FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)
#define CHECK_EQ(a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		printf("CHECK FAILED %s:%d: %s == %s (%" PRIu64 " != %" PRIu64 ")\n", \
		       __FILE__, __LINE__, #a, #b, a_, b_); \
		failures++; \
	} \
} while (0)

/* ---- allocation failure injection ----------------------------------------
 * The one test double here: rte_zmalloc cannot be made to fail on demand,
 * so this executable exports its own, which the PMD's calls resolve to, and
 * fails the MAC address allocation (6 bytes) while armed, or the zero-copy
 * Tx state. */
static bool fail_mac_alloc;
static bool fail_ztx_alloc; /* the PMD's zero-copy Tx state */

void *rte_zmalloc(const char *type, size_t size, unsigned int align);
void *rte_zmalloc(const char *type, size_t size, unsigned int align)
{
	static void *(*real)(const char *, size_t, unsigned int);

	if (fail_mac_alloc && size == RTE_ETHER_ADDR_LEN)
		return NULL;
	if (fail_ztx_alloc && type != NULL && strcmp(type, "ivshmem_ztx") == 0)
		return NULL;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "rte_zmalloc");
	return real(type, size, align);
}

/* ---- the port ------------------------------------------------------------ */

static uint16_t port_probe(const char *extra)
{
	char args[512];
	uint16_t port = RTE_MAX_ETHPORTS;

	snprintf(args, sizeof(args), "shm=%s,size=4M,id=0%s", shm_path, extra);
	if (rte_vdev_init(VDEV, args) != 0 ||
	    rte_eth_dev_get_port_by_name(VDEV, &port) != 0) {
		printf("cannot probe " VDEV ",%s\n", args);
		exit(2);
	}
	return port;
}

static struct rte_mempool *pool(const char *name, unsigned int n, uint16_t data_room)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, 0, 0, data_room,
							  rte_socket_id());

	if (mp == NULL) {
		printf("cannot create pool %s\n", name);
		exit(2);
	}
	return mp;
}

static int configure(uint16_t port, uint16_t nb_rx, uint16_t nb_tx, uint64_t rx_offloads)
{
	struct rte_eth_conf conf = { .rxmode.offloads = rx_offloads };

	return rte_eth_dev_configure(port, nb_rx, nb_tx, &conf);
}

static int rxq_setup(uint16_t port, uint16_t q, struct rte_mempool *mp)
{
	return rte_eth_rx_queue_setup(port, q, 0, rte_socket_id(), NULL, mp);
}

/* Configures nb_rx Rx queues over mp and one Tx queue, and starts. */
static void port_start(uint16_t port, uint16_t nb_rx, struct rte_mempool *mp,
		       uint64_t rx_offloads)
{
	uint16_t q;
	int rc = configure(port, nb_rx, 1, rx_offloads);

	for (q = 0; rc == 0 && q < nb_rx; q++)
		rc = rxq_setup(port, q, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		printf("port %u setup failed: %s\n", port, rte_strerror(-rc));
		exit(2);
	}
}

static uint64_t xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1) {
		printf("xstat %s missing\n", name);
		failures++;
		return UINT64_MAX;
	}
	return v;
}

static struct rte_eth_stats stats(uint16_t port)
{
	struct rte_eth_stats st;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(port, &st);
	return st;
}

static uint64_t now_us(void)
{
	return rte_get_timer_cycles() * 1000000 / rte_get_timer_hz();
}

/* ---- the peer: this process, through lib/ring_over_shm ------------------- */

struct peer {
	uint8_t *base;
	struct ivshm_region r;
	struct ivshm_tx tx[IVSHM_MAX_QUEUES]; /* to the PMD */
	struct ivshm_rx rx;                   /* from the PMD, queue 0 */
};

static void peer_map(struct peer *p)
{
	int fd = open(shm_path, O_RDWR);

	memset(p, 0, sizeof(*p));
	p->base = fd < 0 ? MAP_FAILED :
		  mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p->base == MAP_FAILED) {
		printf("cannot map %s\n", shm_path);
		exit(2);
	}
}

/* Attaches as peer 1 and opens Tx channels 0..nb_tx-1 and Rx channel 0. */
static void peer_attach(struct peer *p, uint16_t nb_tx)
{
	uint16_t q;
	int rc = ivshm_region_attach(&p->r, p->base, SHM_SIZE, PEER_ID, NULL, 0);

	for (q = 0; rc == IVSHM_OK && q < nb_tx; q++)
		rc = ivshm_tx_open(&p->tx[q], &p->r, 0, q);
	if (rc == IVSHM_OK)
		rc = ivshm_rx_open(&p->rx, &p->r, 0, 0);
	if (rc != IVSHM_OK) {
		printf("peer attach: %s\n", ivshm_strerror(rc));
		exit(2);
	}
	/* as a peer port does at start: the PMD's Tx writes once acked (3.0) */
	ivshm_rx_sync(&p->rx);
}

/* The usual start of a case: a port on a fresh region, started with one
 * queue each way over mp, and this process attached as its peer. */
static uint16_t started_port(struct peer *p, struct rte_mempool *mp)
{
	uint16_t port = port_probe("");

	peer_map(p);
	peer_attach(p, 1);
	port_start(port, 1, mp, 0);
	return port;
}

/* Byte i of frame `tag`: the receiver can tell frames and channels apart. */
static uint8_t frame_byte(uint32_t tag, uint32_t i)
{
	return (uint8_t)(tag * 29u + i * 3u + (i >> 8));
}

/* Publishes n frames of len bytes on channel q, tags tag, tag+1, ... */
static uint32_t peer_send(struct peer *p, uint16_t q, uint32_t n, uint32_t len, uint32_t tag)
{
	static uint8_t data[IVSHM_MAX_FRAME_LEN];
	struct ivshm_pkt pkt = { data, len };
	uint32_t k, i, sent = 0;
	bool bell;

	for (k = 0; k < n; k++) {
		for (i = 0; i < len; i++)
			data[i] = frame_byte(tag + k, i);
		sent += ivshm_tx_burst(&p->tx[q], &pkt, 1, &bell);
	}
	return sent;
}

static bool frame_ok(struct rte_mbuf *m, uint32_t len, uint32_t tag)
{
	static uint8_t tmp[IVSHM_MAX_FRAME_LEN];
	const uint8_t *d;
	uint32_t i;

	if (m->pkt_len != len)
		return false;
	d = rte_pktmbuf_read(m, 0, len, tmp);
	for (i = 0; d != NULL && i < len; i++)
		if (d[i] != frame_byte(tag, i))
			return false;
	return d != NULL;
}

/* Receives on queue q until `want` mbufs arrived or 1 s passed. */
static uint16_t rx_wait(uint16_t port, uint16_t q, struct rte_mbuf **bufs, uint16_t want)
{
	uint64_t end = now_us() + 1000000;
	uint16_t got = 0;

	while (got < want && now_us() < end)
		got += rte_eth_rx_burst(port, q, bufs + got, want - got);
	return got;
}

/* ---- item 4: Rx channels follow the final queue count --------------------- */

/* Sends 10 frames on each of channels 0 (64 bytes) and 1 (65 bytes), polls
 * queues 0..nb_rx-1 in turn, and counts per queue the frames of each
 * channel. */
static void remap_round(uint16_t port, struct peer *p, uint16_t nb_rx,
			unsigned int got[2][2])
{
	struct rte_mbuf *bufs[32];
	uint64_t end = now_us() + 1000000;
	unsigned int total = 0;
	uint16_t q, n, i;

	memset(got, 0, sizeof(unsigned int) * 4);
	CHECK_EQ(peer_send(p, 0, 10, 64, 0), 10);
	CHECK_EQ(peer_send(p, 1, 10, 65, 0), 10);
	while (total < 20 && now_us() < end) {
		for (q = 0; q < nb_rx; q++) {
			n = rte_eth_rx_burst(port, q, bufs, 32);
			for (i = 0; i < n; i++)
				got[q][bufs[i]->pkt_len == 65]++;
			rte_pktmbuf_free_bulk(bufs, n);
			total += n;
		}
	}
	CHECK_EQ(total, 20);
}

static void case_rx_remap(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port = port_probe(",queues=2,ring_size=256");
	unsigned int got[2][2];
	struct peer p;

	peer_map(&p);
	peer_attach(&p, 2);
	/* grow: queue 0 set up while the port had one Rx queue, queue 1 added */
	port_start(port, 1, mp, 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(configure(port, 2, 1, 0), 0);
	CHECK_EQ(rxq_setup(port, 1, mp), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	remap_round(port, &p, 2, got);
	printf("grow: queue 0 got %u+%u, queue 1 got %u+%u (channel 0 + channel 1)\n",
	       got[0][0], got[0][1], got[1][0], got[1][1]);
	CHECK(got[0][0] == 10 && got[0][1] == 0); /* channel 0 only */
	CHECK(got[1][0] == 0 && got[1][1] == 10); /* channel 1 only */
	/* shrink: queue 0 set up while the port had two Rx queues, then one */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rxq_setup(port, 0, mp), 0);
	CHECK_EQ(configure(port, 1, 1, 0), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	remap_round(port, &p, 1, got);
	printf("shrink: queue 0 got %u+%u\n", got[0][0], got[0][1]);
	CHECK(got[0][0] == 10 && got[0][1] == 10); /* no channel orphaned */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* ---- item 6: frames fit the mbufs without SCATTER; over-MTU frames drop --- */

/* Receives one frame per entry of lens[] sent by the peer (tags 0..), and
 * checks the ones that must arrive: len <= max_frame. */
static void mtu_round(uint16_t port, struct peer *p, const uint32_t *lens,
		      unsigned int n, uint32_t max_frame, uint16_t max_segs)
{
	struct rte_mbuf *bufs[8];
	unsigned int k, want = 0, got, i = 0;

	for (k = 0; k < n; k++) {
		CHECK_EQ(peer_send(p, 0, 1, lens[k], k), 1);
		want += lens[k] <= max_frame;
	}
	got = rx_wait(port, 0, bufs, (uint16_t)want);
	CHECK_EQ(got, want);
	for (k = 0; k < n && i < got; k++) {
		if (lens[k] > max_frame)
			continue;
		CHECK(frame_ok(bufs[i], lens[k], k));
		CHECK(bufs[i]->nb_segs <= max_segs);
		i++;
	}
	rte_pktmbuf_free_bulk(bufs, got);
	CHECK_EQ(rte_eth_rx_burst(port, 0, bufs, 8), 0);
}

static void case_rx_mtu(void)
{
	/* 1024 data bytes per mbuf; and none at all */
	struct rte_mempool *small = pool("small", 255, RTE_PKTMBUF_HEADROOM + 1024);
	struct rte_mempool *none = pool("none", 255, RTE_PKTMBUF_HEADROOM);
	const uint32_t lens[] = { 1400, 1518, 1519, 60, 2048 };
	const uint32_t lens_1000[] = { 1018, 1019, 64 };
	uint16_t port = port_probe("");
	struct peer p;

	peer_map(&p);
	peer_attach(&p, 1);
	/* MTU 1500 (default): a 1518-byte frame (one VLAN tag) needs 2 mbufs */
	CHECK_EQ(configure(port, 1, 1, 0), 0);
	CHECK(rxq_setup(port, 0, small) < 0);
	CHECK_EQ(configure(port, 1, 1, RTE_ETH_RX_OFFLOAD_SCATTER), 0);
	CHECK(rxq_setup(port, 0, none) < 0); /* no room, not even chained */
	CHECK_EQ(rxq_setup(port, 0, small), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	mtu_round(port, &p, lens, RTE_DIM(lens), 1518, 2);
	CHECK_EQ(xstat(port, "rx_over_mtu"), 2);
	CHECK_EQ(stats(port).ierrors, 2);
	CHECK_EQ(stats(port).imissed, 0);
	CHECK_EQ(stats(port).ipackets, 3);
	/* without SCATTER the queue set up above no longer fits MTU 1500 */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(configure(port, 1, 1, 0), 0);
	CHECK(rte_eth_dev_start(port) < 0);
	CHECK_EQ(rte_eth_dev_set_mtu(port, 1000), 0); /* 1018 fits 1024 */
	CHECK_EQ(rte_eth_dev_start(port), 0);
	mtu_round(port, &p, lens_1000, RTE_DIM(lens_1000), 1018, 1);
	CHECK_EQ(xstat(port, "rx_over_mtu"), 3);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK(rte_eth_dev_set_mtu(port, 1500) < 0);
	/* without SCATTER the room must hold MTU + 14 + 4 (the VLAN tag Rx
	 * accepts), not just MTU + 14: 1006 + 18 = 1024 fits, 1007 does not */
	CHECK(rte_eth_dev_set_mtu(port, 1007) < 0);
	CHECK_EQ(rte_eth_dev_set_mtu(port, 1006), 0);
	rte_eth_dev_close(port);
}

/* A queue without SCATTER whose mbufs hold MTU + 14 bytes but not a VLAN
 * tag more is refused: Rx accepts MTU + 18 and would have to chain. */
static void case_rx_no_scatter_vlan(void)
{
	struct rte_mempool *exact = pool("exact", 255, RTE_PKTMBUF_HEADROOM + 1514);
	struct rte_mempool *vlan = pool("vlan", 255, RTE_PKTMBUF_HEADROOM + 1518);
	const uint32_t lens[] = { 1514, 1518, 1519 };
	uint16_t port = port_probe("");
	struct peer p;

	peer_map(&p);
	peer_attach(&p, 1);
	CHECK_EQ(configure(port, 1, 1, 0), 0);
	CHECK(rxq_setup(port, 0, exact) < 0);
	CHECK_EQ(rxq_setup(port, 0, vlan), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	mtu_round(port, &p, lens, RTE_DIM(lens), 1518, 1); /* one segment each */
	CHECK_EQ(xstat(port, "rx_over_mtu"), 1);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* ---- item 7: removing a started port marks it LEFT ------------------------ */

static uint32_t peer_state(struct peer *p, uint16_t id)
{
	struct ivshm_peer_view v;

	return ivshm_peer_read(&p->r, id, &v) == IVSHM_OK ? v.state : UINT32_MAX;
}

static void case_remove_started(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port;
	struct rte_eth_dev_info info;
	struct peer p;

	port = started_port(&p, mp);
	CHECK_EQ(peer_state(&p, 0), IVSHM_PEER_UP);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_EQ(rte_dev_remove(info.device), 0);
	CHECK_EQ(peer_state(&p, 0), IVSHM_PEER_LEFT);
	CHECK(!rte_eth_dev_is_valid_port(port));
}

static void case_cleanup_started(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	struct peer p;

	started_port(&p, mp);
	CHECK_EQ(peer_state(&p, 0), IVSHM_PEER_UP);
	CHECK_EQ(rte_eal_cleanup(), 0);
	/* our own mapping of the file outlives EAL */
	CHECK_EQ(peer_state(&p, 0), IVSHM_PEER_LEFT);
}

/* ---- item 8: one doorbell per arming, a limit for a peer that keeps asking */

static void tx_one(uint16_t port, struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL || rte_pktmbuf_append(m, 64) == NULL) {
		printf("no mbuf\n");
		exit(2);
	}
	memset(rte_pktmbuf_mtod(m, void *), 0x5a, 64);
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		failures++;
	}
}

/* The peer consumes what the PMD sent (one frame) so the ring never fills. */
static void peer_drain(struct peer *p)
{
	uint8_t data[64];
	struct ivshm_pkt pkt = { data, 0 };

	CHECK_EQ(ivshm_rx_burst(&p->rx, &pkt, 1, sizeof(data)), 1);
}

static void case_doorbells(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port;
	uint64_t t0, elapsed_us, rung, deadline, bound;
	const unsigned int requests = 2000;
	struct peer p;
	unsigned int k;

	port = started_port(&p, mp);
	/* a consumer that arms once and then never disarms: one doorbell */
	CHECK(ivshm_rx_sync(&p.rx));
	CHECK(ivshm_rx_arm(&p.rx));
	for (k = 0; k < 100; k++) {
		tx_one(port, mp);
		peer_drain(&p);
	}
	CHECK_EQ(xstat(port, "tx_doorbells"), 1);
	CHECK_EQ(xstat(port, "tx_doorbells_deferred"), 0);
	if (failures != 0)
		return;
	/* a consumer that asks again after every burst: rate-limited, and what
	 * is held back is either rung later or folded into one that is */
	t0 = now_us();
	for (k = 0; k < requests; k++) {
		atomic_store(&p.rx.ctl->need_wakeup, 1);
		tx_one(port, mp);
		peer_drain(&p);
	}
	elapsed_us = now_us() - t0;
	deadline = now_us() + 1000000;
	do {
		rung = xstat(port, "tx_doorbells") - 1;
	} while (rung + xstat(port, "tx_doorbells_deferred") != requests &&
		 now_us() < deadline);
	/* at most a burst of 32, then one per 20 us (and one held back) */
	bound = 32 + elapsed_us / 20 + 1;
	printf("%u requests in %" PRIu64 " us: %" PRIu64 " doorbells (bound %" PRIu64
	       "), %" PRIu64 " deferred\n", requests, elapsed_us, rung, bound,
	       xstat(port, "tx_doorbells_deferred"));
	CHECK_EQ(rung + xstat(port, "tx_doorbells_deferred"), requests);
	CHECK(rung <= bound);
	CHECK(rung >= 1);
	CHECK_EQ(atomic_load(&p.rx.ctl->need_wakeup), 0); /* consumed */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* ---- item 9 ---------------------------------------------------------------- */

/* A short mempool gives what it has: those frames are received now. */
static void case_rx_partial_alloc(void)
{
	struct rte_mempool *mp = pool("mp", 64, RTE_MBUF_DEFAULT_BUF_SIZE);
	struct rte_mbuf *held[64], *bufs[32];
	uint16_t port;
	unsigned int nheld = 0, got, k;
	struct peer p;

	port = started_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 32, 64, 0), 32);
	while (rte_mempool_avail_count(mp) > 10)
		held[nheld++] = rte_pktmbuf_alloc(mp);
	got = rte_eth_rx_burst(port, 0, bufs, 32);
	CHECK_EQ(got, 10);
	for (k = 0; k < got; k++)
		CHECK(frame_ok(bufs[k], 64, k));
	rte_pktmbuf_free_bulk(held, nheld);
	rte_pktmbuf_free_bulk(bufs, got);
	got = rx_wait(port, 0, bufs, 22);
	CHECK_EQ(got, 22);
	for (k = 0; k < got; k++)
		CHECK(frame_ok(bufs[k], 64, 10 + k));
	rte_pktmbuf_free_bulk(bufs, got);
	CHECK_EQ(stats(port).ipackets, 32);
	CHECK_EQ(stats(port).rx_nombuf, 22);
	CHECK_EQ(stats(port).imissed, 0);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* An mbuf chain of the given segment lengths, pkt_len and nb_segs as given;
 * byte i of the frame is frame_byte(tag, i). */
static struct rte_mbuf *chain(struct rte_mempool *mp, const uint16_t *seg_len,
			      unsigned int nsegs, uint32_t pkt_len, uint16_t nb_segs,
			      uint32_t tag)
{
	struct rte_mbuf *head = NULL, *prev = NULL, *m;
	uint32_t off = 0, i;
	unsigned int s;

	for (s = 0; s < nsegs; s++) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			printf("no mbuf\n");
			exit(2);
		}
		for (i = 0; i < seg_len[s]; i++)
			rte_pktmbuf_mtod(m, uint8_t *)[i] = frame_byte(tag, off + i);
		m->data_len = seg_len[s];
		off += seg_len[s];
		if (head == NULL)
			head = m;
		else
			prev->next = m;
		prev = m;
	}
	head->pkt_len = pkt_len;
	head->nb_segs = nb_segs;
	return head;
}

/* Mbufs whose segment lengths do not add up are dropped, never copied past
 * the slot. */
static void case_tx_bad_chain(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	const uint16_t big[] = { 1500, 1500 }, one[] = { 100 }, halves[] = { 50, 50 },
		       good[] = { 60, 40 };
	uint8_t data[2][2048];
	struct ivshm_pkt pkts[2] = { { data[0], 0 }, { data[1], 0 } };
	uint16_t port;
	struct rte_mbuf *m[5];
	struct peer p;
	uint32_t i;

	port = started_port(&p, mp);
	m[0] = chain(mp, one, 1, 100, 1, 1);       /* good */
	m[1] = chain(mp, big, 2, 100, 2, 2);       /* 3000 bytes claim 100 */
	m[2] = chain(mp, one, 1, 200, 1, 3);       /* 100 bytes claim 200 */
	m[3] = chain(mp, halves, 2, 100, 1, 4);    /* longer than nb_segs */
	m[4] = chain(mp, good, 2, 100, 2, 5);      /* good, two segments */
	CHECK_EQ(rte_eth_tx_burst(port, 0, m, 5), 5);
	CHECK_EQ(ivshm_rx_burst(&p.rx, pkts, 2, sizeof(data[0])), 2);
	CHECK_EQ(pkts[0].len, 100);
	CHECK_EQ(pkts[1].len, 100);
	for (i = 0; i < 100; i++) {
		CHECK_EQ(data[0][i], frame_byte(1, i));
		CHECK_EQ(data[1][i], frame_byte(5, i));
		if (failures)
			break;
	}
	CHECK_EQ(ivshm_rx_avail(&p.rx, 8), 0);
	CHECK_EQ(xstat(port, "tx_bad_mbuf"), 3);
	CHECK_EQ(stats(port).oerrors, 3);
	CHECK_EQ(stats(port).opackets, 2);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* A bad descriptor is an error (ierrors), counted once, not a miss. */
static void case_rx_bad_desc(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port;
	struct rte_mbuf *bufs[4];
	struct peer p;

	port = started_port(&p, mp);
	memset(ivshm_tx_buf_for(&p.tx[0], 1, 64), 7, 64);
	ivshm_tx_set(&p.tx[0], 0, 0); /* length 0: invalid */
	ivshm_tx_set(&p.tx[0], 1, 64);
	ivshm_tx_publish(&p.tx[0], 2);
	CHECK_EQ(rx_wait(port, 0, bufs, 1), 1);
	rte_pktmbuf_free_bulk(bufs, 1);
	CHECK_EQ(rte_eth_rx_burst(port, 0, bufs, 4), 0);
	CHECK_EQ(stats(port).ipackets, 1);
	CHECK_EQ(stats(port).ierrors, 1);
	CHECK_EQ(stats(port).imissed, 0);
	CHECK_EQ(xstat(port, "rx_bad_descriptor"), 1);
	CHECK_EQ(xstat(port, "rx_dropped"), 1); /* every reason (nic-guide) */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

static bool link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

/* Heartbeats as peer 1 until the port's link is up (2 s at most). */
static bool peer_bring_link_up(struct peer *p, uint16_t port)
{
	uint64_t end = now_us() + 2000000;

	while (!link_up(port) && now_us() < end) {
		ivshm_region_heartbeat(&p->r);
		rte_delay_us_sleep(2000);
	}
	return link_up(port);
}

/* Sends n frames in bursts of 32 without retrying; returns how many were
 * refused. */
static unsigned int tx_many(uint16_t port, struct rte_mempool *mp, unsigned int n)
{
	struct rte_mbuf *m[32];
	unsigned int refused = 0, b, sent;

	while (n > 0) {
		b = n < 32 ? n : 32;
		if (rte_pktmbuf_alloc_bulk(mp, m, b) != 0) {
			printf("no mbufs\n");
			exit(2);
		}
		for (sent = 0; sent < b; sent++)
			rte_pktmbuf_append(m[sent], 64);
		sent = rte_eth_tx_burst(port, 0, m, (uint16_t)b);
		rte_pktmbuf_free_bulk(m + sent, b - sent);
		refused += b - sent;
		n -= b;
	}
	return refused;
}

/* A jumbo frame at the head of a burst goes when it fits by itself: the
 * burst ends early rather than the frame waiting for room for the whole
 * burst (which never comes under a slow consumer). Ring of 32, burst of 32
 * starting with a 3000 B frame (2 descriptors): the jumbo and 30 more go. */
static void case_tx_jumbo_head(void)
{
	struct rte_mempool *mp = pool("mp", 1023, 4096 + RTE_PKTMBUF_HEADROOM);
	uint16_t port = port_probe(",ring_size=32");
	static uint8_t data[32][4096];
	struct ivshm_pkt pkts[32];
	struct rte_mbuf *m[32];
	struct peer p;
	unsigned int i, sent, got;

	peer_map(&p);
	peer_attach(&p, 1);
	port_start(port, 1, mp, 0);
	CHECK(ivshm_rx_sync(&p.rx));
	CHECK(peer_bring_link_up(&p, port));
	for (i = 0; i < 32; i++) {
		m[i] = rte_pktmbuf_alloc(mp);
		CHECK(m[i] != NULL && rte_pktmbuf_append(m[i], i == 0 ? 3000 : 60) != NULL);
		pkts[i].data = data[i];
	}
	sent = rte_eth_tx_burst(port, 0, m, 32);
	CHECK_EQ(sent, 31); /* 2 + 30 descriptors: the ring is full */
	rte_pktmbuf_free_bulk(m + sent, 32 - sent);
	got = ivshm_rx_burst(&p.rx, pkts, 32, sizeof(data[0]));
	CHECK_EQ(got, sent);
	CHECK_EQ(pkts[0].len, 3000);
	for (i = 1; i < got; i++)
		CHECK_EQ(pkts[i].len, 60);
	CHECK_EQ(xstat(port, "tx_ring_full"), 32 - sent);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* Refusals are split into ring full / peer down when they happen: the
 * counters never go backwards when the link changes. */
static void case_tx_counters(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port = port_probe("");
	unsigned int refused;
	struct peer p;

	peer_map(&p);
	port_start(port, 1, mp, 0);
	CHECK(!link_up(port));
	refused = tx_many(port, mp, 1100); /* nobody consumes: 1024 fit */
	CHECK_EQ(refused, 76);
	CHECK_EQ(xstat(port, "tx_peer_down"), 76);
	CHECK_EQ(xstat(port, "tx_ring_full"), 0);
	peer_attach(&p, 1);
	CHECK(peer_bring_link_up(&p, port));
	CHECK_EQ(xstat(port, "tx_peer_down"), 76);
	CHECK_EQ(xstat(port, "tx_ring_full"), 0);
	CHECK_EQ(tx_many(port, mp, 10), 10);
	CHECK_EQ(xstat(port, "tx_peer_down"), 76);
	CHECK_EQ(xstat(port, "tx_ring_full"), 10);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* The LSC callback closes the port and probes a new one in its place (the
 * same ethdev slot). The closed port's link monitor must not keep running
 * on it: the new port's heartbeat then moves once per period, not twice. */
static volatile bool lsc_replaced;

static int close_in_lsc(uint16_t port, enum rte_eth_event_type ev, void *arg, void *out)
{
	char args[512];

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(out);
	if (lsc_replaced || !link_up(port))
		return 0;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	snprintf(args, sizeof(args), "shm=%s,size=4M,id=0", shm_path);
	if (rte_vdev_init("net_ivshmem_ck1", args) != 0)
		printf("re-probe failed\n");
	lsc_replaced = true;
	return 0;
}

static void case_close_in_lsc(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port = port_probe(""), port2 = RTE_MAX_ETHPORTS;
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	struct ivshm_peer_view v0, v1;
	uint64_t end, t0, t1, beats;
	struct peer p;

	peer_map(&p);
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, close_in_lsc, NULL), 0);
	CHECK_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CHECK_EQ(rxq_setup(port, 0, mp), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	peer_attach(&p, 1);
	end = now_us() + 3000000;
	while (!lsc_replaced && now_us() < end) {
		ivshm_region_heartbeat(&p.r);
		rte_delay_us_sleep(2000);
	}
	CHECK(lsc_replaced);
	CHECK_EQ(rte_eth_dev_get_port_by_name("net_ivshmem_ck1", &port2), 0);
	CHECK_EQ(port2, port); /* the same slot: a stale monitor would drive it */
	/* peer 0's heartbeat over 300 ms: one tick per 10 ms, at most */
	ivshm_peer_read(&p.r, 0, &v0);
	t0 = now_us();
	rte_delay_us_sleep(300000);
	ivshm_peer_read(&p.r, 0, &v1);
	t1 = now_us();
	beats = v1.heartbeat - v0.heartbeat;
	printf("heartbeats in %" PRIu64 " us: %" PRIu64 "\n", t1 - t0, beats);
	CHECK(beats <= (t1 - t0) / 10000 + 3);
	CHECK(beats > 0);
	rte_eth_dev_close(port2);
}

static uint64_t heap_allocated(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* A failed probe (here: the MAC address allocation) frees what it took. */
static void case_mac_alloc_fail(void)
{
	char args[512];
	uint64_t before;
	int rc;

	/* once successfully: ethdev's one-time allocations happen here */
	snprintf(args, sizeof(args), "shm=%s,size=4M,id=0", shm_path);
	CHECK_EQ(rte_vdev_init(VDEV, args), 0);
	CHECK_EQ(rte_vdev_uninit(VDEV), 0);
	before = heap_allocated();
	fail_mac_alloc = true;
	rc = rte_vdev_init(VDEV, args);
	fail_mac_alloc = false;
	CHECK(rc != 0);
	printf("DPDK heap: %" PRIu64 " bytes before the failed probe, %" PRIu64 " after\n",
	       before, heap_allocated());
	CHECK_EQ(heap_allocated(), before);
}

/* Rx interrupts need vector 1 + q for queue q and a doorbell vector is
 * below 64: at most 63 queues, refused at configure with a reason. */
static void case_intr_queues(const char *vdev_args)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	/* 128-byte buffers (the region must hold 64 queues) */
	struct rte_eth_conf conf = { .intr_conf.rxq = 1, .rxmode.mtu = 100 };
	uint16_t port = RTE_MAX_ETHPORTS, q;
	int rc;

	if (rte_vdev_init(VDEV, vdev_args) != 0 ||
	    rte_eth_dev_get_port_by_name(VDEV, &port) != 0) {
		printf("cannot probe " VDEV ",%s\n", vdev_args);
		exit(2);
	}
	CHECK(rte_eth_dev_configure(port, 64, 1, &conf) < 0);
	rc = rte_eth_dev_configure(port, 63, 1, &conf);
	CHECK_EQ(rc, 0);
	for (q = 0; rc == 0 && q < 63; q++)
		rc = rxq_setup(port, q, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL);
	CHECK_EQ(rc, 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	CHECK_EQ(rte_eth_dev_rx_intr_enable(port, 62), 0);
	CHECK_EQ(rte_eth_dev_rx_intr_disable(port, 62), 0);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* ---- hot-path harness (not a test): deterministic bursts for callgrind ---
 * Rx: the peer publishes 32 frames of 64 B, rx_burst takes them; Tx: the
 * reverse; then empty Rx polls. Same calls and packets on every run, so
 * callgrind's inclusive counts of eth_ivshmem_rx/tx divide exactly
 * (doc/performance.md). */
#define HOTPATH_BURSTS 20000u
#define HOTPATH_EMPTY_POLLS 100000u

static void case_hotpath(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE);
	static uint8_t data[32][64];
	struct ivshm_pkt pkts[32];
	struct rte_mbuf *bufs[32];
	unsigned int k, i;
	uint16_t port;
	struct peer p;
	bool bell;

	port = started_port(&p, mp);
	for (i = 0; i < 32; i++)
		pkts[i] = (struct ivshm_pkt){ data[i], 64 };
	for (k = 0; k < HOTPATH_BURSTS; k++) {
		CHECK_EQ(ivshm_tx_burst(&p.tx[0], pkts, 32, &bell), 32);
		CHECK_EQ(rte_eth_rx_burst(port, 0, bufs, 32), 32);
		for (i = 0; i < 32; i++)
			bufs[i]->data_len = bufs[i]->pkt_len = 64;
		CHECK_EQ(rte_eth_tx_burst(port, 0, bufs, 32), 32);
		CHECK_EQ(ivshm_rx_burst(&p.rx, pkts, 32, 64), 32);
		if (failures)
			return;
	}
	for (k = 0; k < HOTPATH_EMPTY_POLLS; k++)
		CHECK_EQ(rte_eth_rx_burst(port, 0, bufs, 32), 0);
	printf("hotpath: %u Rx and Tx bursts of 32 x 64 B, %u empty Rx polls\n",
	       HOTPATH_BURSTS, HOTPATH_EMPTY_POLLS);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}


/* Tx alone under callgrind (scripts: doc/performance.md "Zero-copy Tx"):
 * HOTPATH_BURSTS bursts of 32 frames of env HOTPATH_LEN bytes (64), the
 * peer reading each burst; with env HOTPATH_ZTX=1 the frames come from the
 * queue's zero-copy Tx pool (buf_size 2048, ring_size 512 when they need it). Inclusive
 * ivshmem_tx_burst / (32 x HOTPATH_BURSTS) is the Tx cost per packet. */
static void case_hotpath_tx(void)
{
	struct rte_mempool *mp = pool("mp", 1023, RTE_MBUF_DEFAULT_BUF_SIZE), *src = mp;
	const char *len_env = getenv("HOTPATH_LEN");
	uint32_t len = len_env != NULL ? (uint32_t)atoi(len_env) : 64;
	static uint8_t data[32][2048];
	struct ivshm_pkt pkts[32];
	struct rte_mbuf *bufs[32];
	unsigned int k, i;
	uint16_t port = port_probe(len > 1408 ? ",buf_size=2048,ring_size=512" : "");
	struct peer p;

	peer_map(&p);
	peer_attach(&p, 1);
	port_start(port, 1, mp, 0);
	if (getenv("HOTPATH_ZTX") != NULL)
		src = rte_pmd_ivshmem_tx_pool_create(port, 0, "ztx", 32);
	for (i = 0; i < 32; i++)
		pkts[i] = (struct ivshm_pkt){ data[i], 0 };
	for (k = 0; k < HOTPATH_BURSTS && src != NULL; k++) {
		CHECK_EQ(rte_pktmbuf_alloc_bulk(src, bufs, 32), 0);
		for (i = 0; i < 32; i++)
			CHECK(rte_pktmbuf_append(bufs[i], (uint16_t)len) != NULL);
		CHECK_EQ(rte_eth_tx_burst(port, 0, bufs, 32), 32);
		CHECK_EQ(ivshm_rx_burst(&p.rx, pkts, 32, sizeof(data[0])), 32);
		if (failures)
			return;
	}
	CHECK(src != NULL);
	printf("hotpath-tx: %u Tx bursts of 32 x %u B%s\n", HOTPATH_BURSTS, len,
	       src != mp ? " from the zero-copy Tx pool" : "");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	if (src != mp)
		rte_mempool_free(src);
}

/* ---- zero-copy Rx (zero_copy=1) ------------------------------------------ */

#define ZC_RING 16u /* ring_size of the zero-copy cases: bound 8 */

static uint16_t zc_port(struct peer *p, struct rte_mempool *mp)
{
	uint16_t port = port_probe(",zero_copy=1,ring_size=16");

	peer_map(p);
	peer_attach(p, 1);
	port_start(port, 1, mp, 0);
	return port;
}

static bool is_zero_copy(const struct rte_mbuf *m)
{
	return RTE_MBUF_HAS_EXTBUF(m) && m->nb_segs == 1;
}

/* Slots the peer may fill now (the PMD's tail as the producer sees it). */
static uint32_t peer_space(struct peer *p)
{
	return ivshm_tx_space(&p->tx[0], ZC_RING);
}

/* An empty poll: the PMD gives back the slots freed since the last one. */
static void rx_poll(uint16_t port)
{
	struct rte_mbuf *m[4];

	CHECK_EQ(rte_eth_rx_burst(port, 0, m, 4), 0);
}

/* The end of a case, every mbuf freed: the peer has its whole ring back
 * (p NULL: its mapping is gone), every mbuf is back in the pool (none
 * leaked, none freed twice). */
static void zc_end(uint16_t port, struct peer *p, struct rte_mempool *mp, unsigned int avail)
{
	rx_poll(port);
	if (p != NULL)
		CHECK_EQ(peer_space(p), ZC_RING);
	CHECK_EQ(rte_mempool_avail_count(mp), avail);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

/* Frames arrive intact as external buffers over BAR2: a byte the peer
 * changes after delivery shows in the mbuf (what "zero-copy" means, and
 * what a hostile peer can still do, doc/threat-model.md). */
static void case_zc_rx(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *bufs[8];
	uint16_t port, i;
	struct peer p;

	port = zc_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 6, 60 + 100, 0), 6);
	CHECK_EQ(rx_wait(port, 0, bufs, 6), 6);
	for (i = 0; i < 6; i++) {
		CHECK(frame_ok(bufs[i], 160, i));
		CHECK(is_zero_copy(bufs[i]));
	}
	p.tx[0].bufs[0] ^= 0xff; /* slot 0's buffer, after delivery */
	CHECK_EQ(rte_pktmbuf_mtod(bufs[0], uint8_t *)[0], (uint8_t)(frame_byte(0, 0) ^ 0xff));
	CHECK_EQ(peer_space(&p), ZC_RING - 6); /* all six held */
	rte_pktmbuf_free_bulk(bufs, 6);
	zc_end(port, &p, mp, avail);
}

/* Freed out of order: the tail moves over the contiguous prefix only. */
static void case_zc_out_of_order(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *bufs[8];
	uint16_t port, i;
	struct peer p;

	port = zc_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 8, 64, 0), 8);
	CHECK_EQ(rx_wait(port, 0, bufs, 8), 8);
	static const uint16_t odd[] = { 7, 5, 3, 1 };

	for (i = 0; i < RTE_DIM(odd); i++)
		rte_pktmbuf_free(bufs[odd[i]]);
	rx_poll(port);
	CHECK_EQ(peer_space(&p), ZC_RING - 8); /* slot 0 still held */
	rte_pktmbuf_free(bufs[0]);
	rx_poll(port);
	CHECK_EQ(peer_space(&p), ZC_RING - 6); /* 0, 1 back; 2 held */
	rte_pktmbuf_free(bufs[4]);
	rte_pktmbuf_free(bufs[2]);
	rx_poll(port);
	CHECK_EQ(peer_space(&p), ZC_RING - 2); /* 2..5 back; 6 held */
	rte_pktmbuf_free(bufs[6]);
	zc_end(port, &p, mp, avail);
}

/* One mbuf held: frames beyond the bound are copied and keep flowing for
 * the rest of the ring; once it is freed the ring flows on. */
static void case_zc_held(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *held, *bufs[ZC_RING];
	uint32_t tag = 1, zc = 0, copied = 0, k;
	uint16_t port, i, n;
	struct peer p;

	port = zc_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 1, 64, 0), 1);
	CHECK_EQ(rx_wait(port, 0, &held, 1), 1);
	CHECK(is_zero_copy(held));
	/* ZC_RING - 1 more frames fit behind the held slot, a few at a time */
	for (k = 0; k < 5; k++) {
		n = (uint16_t)peer_send(&p, 0, 3, 64, tag);
		CHECK_EQ(n, 3);
		CHECK_EQ(rx_wait(port, 0, bufs, n), n);
		for (i = 0; i < n; i++) {
			CHECK(frame_ok(bufs[i], 64, tag + i));
			zc += is_zero_copy(bufs[i]);
			copied += !RTE_MBUF_HAS_EXTBUF(bufs[i]);
		}
		rte_pktmbuf_free_bulk(bufs, n);
		tag += n;
	}
	CHECK_EQ(zc, 7);     /* slots 1..7: inside the bound of 8 */
	CHECK_EQ(copied, 8); /* slots 8..15 copied */
	CHECK_EQ(xstat(port, "rx_zero_copy"), 8);
	CHECK_EQ(xstat(port, "rx_zero_copy_copied"), 8);
	CHECK_EQ(xstat(port, "rx_zero_copy_held"), 1);
	CHECK_EQ(peer_space(&p), 0); /* the held slot pins the tail */
	rte_pktmbuf_free(held);
	rx_poll(port);
	CHECK_EQ(peer_space(&p), ZC_RING);
	for (k = 0; k < 20; k++) { /* and it flows on, zero-copy again */
		CHECK_EQ(peer_send(&p, 0, 8, 64, tag), 8);
		CHECK_EQ(rx_wait(port, 0, bufs, 8), 8);
		for (i = 0; i < 8; i++)
			CHECK(frame_ok(bufs[i], 64, tag + i) && is_zero_copy(bufs[i]));
		rte_pktmbuf_free_bulk(bufs, 8);
		tag += 8;
	}
	zc_end(port, &p, mp, avail);
}

/* The peer restarts while we hold its buffers: the new producer's ring
 * gets none of the old slots back (its tail does not move when they are
 * freed), the new frames flow, no mbuf is lost. */
static void case_zc_peer_restart(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *old[4], *bufs[4];
	uint32_t tail;
	uint16_t port, i;
	struct peer p;

	port = zc_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 4, 64, 0), 4);
	CHECK_EQ(rx_wait(port, 0, old, 4), 4);
	/* the peer's next life: attach again (a new generation), reopen */
	ivshm_region_detach(&p.r);
	CHECK_EQ(ivshm_region_attach(&p.r, p.base, SHM_SIZE, PEER_ID, NULL, 0), IVSHM_OK);
	CHECK_EQ(ivshm_tx_open(&p.tx[0], &p.r, 0, 0), IVSHM_OK);
	CHECK_EQ(peer_send(&p, 0, 4, 64, 100), 0); /* 3.0: not before the ack */
	rx_poll(port); /* the idle poll sees the new generation and acks it */
	CHECK(ivshm_tx_ready(&p.tx[0]));
	CHECK_EQ(peer_send(&p, 0, 4, 64, 100), 4);
	CHECK_EQ(rx_wait(port, 0, bufs, 4), 4);
	for (i = 0; i < 4; i++)
		CHECK(frame_ok(bufs[i], 64, 100 + i));
	rte_pktmbuf_free_bulk(bufs, 4);
	rx_poll(port);
	CHECK_EQ(peer_space(&p), ZC_RING);
	tail = atomic_load(&p.tx[0].ctl->tail);
	rte_pktmbuf_free_bulk(old, 4); /* stale: a no-op on the ring */
	rx_poll(port);
	CHECK_EQ(atomic_load(&p.tx[0].ctl->tail), tail);
	CHECK_EQ(peer_space(&p), ZC_RING);
	CHECK_EQ(peer_send(&p, 0, 4, 64, 200), 4); /* and the new ring flows */
	CHECK_EQ(rx_wait(port, 0, bufs, 4), 4);
	for (i = 0; i < 4; i++)
		CHECK(frame_ok(bufs[i], 64, 200 + i));
	rte_pktmbuf_free_bulk(bufs, 4);
	zc_end(port, &p, mp, avail);
}

/* zero_copy=1 with a jumbo chain between two small frames, and a UDP frame:
 * the chain is copied (scattered over mbufs, intact), the small ones stay
 * zero-copy, the packet type is read off the peer's bytes. */
static void case_zc_chain_ptype(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	static uint8_t udp[64];
	struct ivshm_pkt pkt = { udp, sizeof(udp) };
	struct rte_mbuf *bufs[3];
	uint16_t port = port_probe(",zero_copy=1,ring_size=16");
	struct peer p;
	bool bell;

	peer_map(&p);
	peer_attach(&p, 1);
	port_start(port, 1, mp, RTE_ETH_RX_OFFLOAD_SCATTER);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_set_mtu(port, 3000), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	udp[12] = 0x08;                  /* IPv4 */
	udp[14] = 0x45;                  /* version 4, 20-byte header */
	udp[17] = sizeof(udp) - 14;      /* total length */
	udp[23] = 17;                    /* UDP */
	CHECK_EQ(ivshm_tx_burst(&p.tx[0], &pkt, 1, &bell), 1);
	CHECK_EQ(peer_send(&p, 0, 1, 3000, 7), 1);
	CHECK_EQ(peer_send(&p, 0, 1, 64, 8), 1);
	CHECK_EQ(rx_wait(port, 0, bufs, 3), 3);
	CHECK(is_zero_copy(bufs[0]));
	CHECK_EQ(bufs[0]->packet_type, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN |
		 RTE_PTYPE_L4_UDP);
	CHECK(!RTE_MBUF_HAS_EXTBUF(bufs[1]) && bufs[1]->nb_segs >= 2);
	CHECK(frame_ok(bufs[1], 3000, 7));
	CHECK(is_zero_copy(bufs[2]) && frame_ok(bufs[2], 64, 8));
	rte_pktmbuf_free_bulk(bufs, 3);
	zc_end(port, &p, mp, avail);
}

/* A peer shrinks BAR2 while we hold its buffers: the guard turns them into
 * zeros (no SIGBUS in the application reading them), frees and polls after
 * it are safe, no mbuf is lost. This process's own peer mapping is not
 * guarded: it is not touched after the truncation. */
static void case_zc_truncate(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *bufs[4];
	uint32_t nonzero = 0, k;
	uint16_t port, i;
	struct peer p;

	port = zc_port(&p, mp);
	CHECK_EQ(peer_send(&p, 0, 4, 200, 1), 4);
	CHECK_EQ(rx_wait(port, 0, bufs, 4), 4);
	for (i = 0; i < 4; i++)
		CHECK(frame_ok(bufs[i], 200, 1 + i) && is_zero_copy(bufs[i]));
	CHECK_EQ(truncate(shm_path, 0), 0);
	for (i = 0; i < 4; i++)
		for (k = 0; k < 200; k++)
			nonzero += rte_pktmbuf_mtod(bufs[i], const uint8_t *)[k] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK(xstat(port, "region_truncated") >= 1);
	rte_pktmbuf_free_bulk(bufs, 4);
	zc_end(port, NULL, mp, avail); /* the peer's mapping is not guarded */
}

/* ---- zero-copy Tx (rte_pmd_ivshmem_tx_pool_create) ------------------------ */

#define ZTX_RING 16u  /* ring_size of the zero-copy Tx cases: the pool has 16 */
#define ZTX_BUF 1536u /* buf_size: 1408 B of room after the headroom */

/* A port on a fresh region (ring_size 16) started with one queue each way,
 * its Tx queue in pool mode, and this process attached as the peer. */
static uint16_t ztx_port(struct peer *p, struct rte_mempool *rx_mp, struct rte_mempool **tx_mp)
{
	uint16_t port = port_probe(",ring_size=16");

	peer_map(p);
	peer_attach(p, 1);
	port_start(port, 1, rx_mp, 0);
	*tx_mp = rte_pmd_ivshmem_tx_pool_create(port, 0, "ztx", 0);
	if (*tx_mp == NULL) {
		printf("tx pool: %s\n", rte_strerror(rte_errno));
		exit(2);
	}
	return port;
}

/* Appends bytes [from, from + len) of frame `tag` to the last segment of m. */
static void ztx_fill(struct rte_mbuf *m, uint32_t from, uint32_t len, uint32_t tag)
{
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	uint32_t j;

	if (d == NULL) {
		printf("no room for %u B of frame %u\n", len, tag);
		exit(2);
	}
	for (j = 0; j < len; j++)
		d[j] = frame_byte(tag, from + j);
}

/* An mbuf of mp holding frame `tag` of len bytes (frame_byte pattern),
 * in segs segments. */
static struct rte_mbuf *ztx_frame(struct rte_mempool *mp, uint32_t len, uint32_t tag,
				  uint32_t segs)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t from = 0, k, chunk;

	for (k = 0; k < segs; k++, from += chunk) {
		chunk = k + 1 < segs ? len / segs : len - from;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			printf("pool %s empty\n", mp->name);
			exit(2);
		}
		ztx_fill(m, from, chunk, tag);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			exit(2);
	}
	return head;
}

/* The peer reads up to n frames (copying them out) and checks that they are
 * frames tag, tag + 1, ... of lens[k] bytes. Returns how many it read. */
static uint32_t peer_read(struct peer *p, uint32_t n, const uint32_t *lens, uint32_t tag)
{
	static uint8_t data[32][IVSHM_MAX_FRAME_LEN];
	struct ivshm_pkt pkts[32];
	uint32_t got, k, i;

	for (k = 0; k < 32; k++)
		pkts[k].data = data[k];
	got = ivshm_rx_burst(&p->rx, pkts, n < 32 ? n : 32, IVSHM_MAX_FRAME_LEN);
	for (k = 0; k < got; k++) {
		CHECK_EQ(pkts[k].len, lens[k]);
		for (i = 0; i < pkts[k].len && i < lens[k]; i++)
			if (data[k][i] != frame_byte(tag + k, i))
				break;
		CHECK_EQ(i, lens[k]); /* every byte of frame tag + k */
	}
	return got;
}

/* Sends n frames of mp (tags tag..) in one burst; returns how many went. */
static uint16_t ztx_send(uint16_t port, struct rte_mempool *mp, uint32_t n, uint32_t len,
			 uint32_t tag)
{
	struct rte_mbuf *m[32];
	uint16_t k, sent;

	rte_eth_tx_done_cleanup(port, 0, 0); /* what the peer read: back to the pool */
	for (k = 0; k < n; k++)
		m[k] = ztx_frame(mp, len, tag + k, 1);
	sent = rte_eth_tx_burst(port, 0, m, (uint16_t)n);
	rte_pktmbuf_free_bulk(m + sent, n - sent);
	return sent;
}

/* One frame of mp (64 B) on Tx queue q. */
static uint16_t ztx_send_q(uint16_t port, uint16_t q, struct rte_mempool *mp, uint32_t len)
{
	struct rte_mbuf *m = ztx_frame(mp, len, 0, 1);
	uint16_t sent = rte_eth_tx_burst(port, q, &m, 1);

	if (sent == 0)
		rte_pktmbuf_free(m);
	return sent;
}

static void ztx_lens(uint32_t *lens, uint32_t n, uint32_t len)
{
	while (n-- > 0)
		lens[n] = len;
}

/* Pool frames go out without a copy at the offset where they lie (each
 * descriptor says its own mbuf's buffer, not slot s at buffer s) and arrive
 * intact at a copying consumer; once it read them, the pool is whole
 * again, and the ring turns over on completions alone. */
static void case_ztx_copy_rx(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	struct rte_mbuf *all[ZTX_RING];
	uintptr_t area = UINTPTR_MAX;
	uint32_t lens[32], tag = 0, k, off_by_slot = 0;
	uint64_t d;
	uint16_t port;
	struct peer p;

	port = ztx_port(&p, mp, &tx_mp);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(rte_pktmbuf_alloc_bulk(tx_mp, all, ZTX_RING), 0);
	for (k = 0; k < ZTX_RING; k++) /* the pool covers the area: its lowest buffer */
		area = RTE_MIN(area, (uintptr_t)all[k]->buf_addr);
	/* all[0] stays with the application: frames 0..7 are in all[1..8] */
	for (k = 0; k < 8; k++)
		ztx_fill(all[1 + k], 0, 100, k);
	rte_pktmbuf_free_bulk(all + 9, ZTX_RING - 9);
	CHECK_EQ(rte_eth_tx_burst(port, 0, all + 1, 8), 8);
	for (k = 0; k < 8; k++) {
		d = atomic_load(&p.rx.descs[k]);
		CHECK_EQ(IVSHM_DESC_OFFSET(d), rte_pktmbuf_mtod(all[1 + k], uintptr_t) - area);
		off_by_slot += IVSHM_DESC_OFFSET(d) / ZTX_BUF != k; /* not buffer k */
	}
	CHECK(off_by_slot > 0);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING - 9); /* 8 held, 1 ours */
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 8);
	ztx_lens(lens, 8, 100);
	CHECK_EQ(peer_read(&p, 8, lens, tag), 8);
	rte_pktmbuf_free(all[0]);
	tag += 8;
	for (k = 0; k < 20; k++) {
		CHECK_EQ(ztx_send(port, tx_mp, 12, 60 + k * 50, tag), 12);
		ztx_lens(lens, 12, 60 + k * 50);
		CHECK_EQ(peer_read(&p, 12, lens, tag), 12);
		tag += 12;
	}
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 12);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(xstat(port, "tx_zero_copy"), tag);
	CHECK_EQ(xstat(port, "tx_zero_copy_copied"), 0);
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 0);
	CHECK_EQ(stats(port).opackets, tag);
	printf("%u frames sent in place, %u of the first 8 off the slot convention\n",
	       tag, off_by_slot);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(tx_mp); /* after the close, as the API says */
}

/* Buffer index of each of the n pool mbufs in m (the lowest buffer of the
 * whole pool is the area's first); returns how many differ from slot
 * first + k, the copy path's convention. */
static uint32_t off_convention(struct rte_mempool *tx_mp, struct rte_mbuf **m, uint32_t n,
			       uint32_t first)
{
	struct rte_mbuf *all[ZTX_RING];
	uintptr_t area = UINTPTR_MAX;
	uint32_t k, off = 0;

	if (rte_pktmbuf_alloc_bulk(tx_mp, all, rte_mempool_avail_count(tx_mp)) == 0) {
		for (k = 0; k < ZTX_RING - n; k++)
			area = RTE_MIN(area, (uintptr_t)all[k]->buf_addr);
		rte_pktmbuf_free_bulk(all, ZTX_RING - n);
	}
	for (k = 0; k < n; k++)
		area = RTE_MIN(area, (uintptr_t)m[k]->buf_addr);
	for (k = 0; k < n; k++)
		off += ((uintptr_t)m[k]->buf_addr - area) / ZTX_BUF != first + k;
	return off;
}

/* Port A (pool mode) to port B of this process over one region, B copying
 * (zc false) or on zero_copy=1: frames intact and in order, among them a
 * 3000 B chain over two pool buffers, at offsets off the slot convention
 * (the pool is handed out reversed first); A copies nothing; with
 * zero_copy=1 B's mbufs lie in A's Tx buffers and each comes back to A's
 * pool once B's application freed it. */
static void ztx_port_to_port(bool zc)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	struct rte_mempool *mp_b = pool("mp_b", 255, RTE_MBUF_DEFAULT_BUF_SIZE);
	struct rte_mbuf *bufs[8], *m[8], *all[ZTX_RING];
	uint16_t a = port_probe(",ring_size=16"), b = RTE_MAX_ETHPORTS, i, n;
	uint32_t tag = 0, k, off = 0, len;
	char args[512];

	snprintf(args, sizeof(args), "shm=%s,size=4M,id=1%s", shm_path, zc ? ",zero_copy=1" : "");
	if (rte_vdev_init("net_ivshmem_ck1", args) != 0 ||
	    rte_eth_dev_get_port_by_name("net_ivshmem_ck1", &b) != 0)
		exit(2);
	port_start(a, 1, mp, 0);
	port_start(b, 1, mp_b, RTE_ETH_RX_OFFLOAD_SCATTER);
	CHECK_EQ(rte_eth_dev_stop(b), 0);
	CHECK_EQ(rte_eth_dev_set_mtu(b, 3000), 0);
	CHECK_EQ(rte_eth_dev_start(b), 0);
	tx_mp = rte_pmd_ivshmem_tx_pool_create(a, 0, "ztx", 0);
	CHECK(tx_mp != NULL);
	if (tx_mp == NULL)
		return;
	CHECK_EQ(rte_pktmbuf_alloc_bulk(tx_mp, all, ZTX_RING), 0);
	for (k = ZTX_RING; k-- > 0;)
		rte_pktmbuf_free(all[k]);
	for (k = 0; k < 30; k++) {
		for (i = 0; i < 7; i++)
			m[i] = ztx_frame(tx_mp, 64 + 40 * i, tag + i, 1);
		m[7] = ztx_frame(mp, 3000, tag + 7, 2); /* copied: a chain of two */
		if (k == 0)
			off = off_convention(tx_mp, m, 7, 0);
		CHECK_EQ(rte_eth_tx_burst(a, 0, m, 8), 8);
		n = rx_wait(b, 0, bufs, 8);
		CHECK_EQ(n, 8);
		for (i = 0; i < n; i++) {
			len = i < 7 ? 64u + 40u * i : 3000u;
			CHECK(frame_ok(bufs[i], len, tag + i));
			CHECK(i == 7 || is_zero_copy(bufs[i]) == zc);
		}
		if (k == 0 && zc) /* B reads A's buffers themselves */
			CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING - 9);
		rte_pktmbuf_free_bulk(bufs, n);
		rx_poll(b); /* B gives the slots back: A's tail passes them */
		tag += 8;
	}
	CHECK(off > 0);
	CHECK_EQ(rte_eth_tx_done_cleanup(a, 0, 0), 9);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(xstat(a, "tx_zero_copy"), 30 * 7);
	CHECK_EQ(xstat(a, "tx_zero_copy_copied"), 30);
	CHECK_EQ(stats(b).ipackets, tag);
	if (zc) {
		CHECK_EQ(xstat(b, "rx_zero_copy"), 30 * 7);
		CHECK_EQ(xstat(b, "rx_zero_copy_copied"), 0);
	}
	CHECK_EQ(rte_mempool_avail_count(mp_b), 255);
	CHECK_EQ(rte_mempool_avail_count(mp), 255);
	printf("A to B%s: %u frames (%" PRIu64 " in place, %u of the first 7 off the slot "
	       "convention), %" PRIu64 " zero-copy Rx\n", zc ? " (zero_copy=1)" : "", tag,
	       xstat(a, "tx_zero_copy"), off, zc ? xstat(b, "rx_zero_copy") : 0);
	rte_eth_dev_stop(b);
	rte_eth_dev_close(b);
	rte_eth_dev_stop(a);
	rte_eth_dev_close(a);
	rte_mempool_free(tx_mp);
}

static void case_ztx_pmd_rx(void)
{
	ztx_port_to_port(false);
}

static void case_ztx_zc_rx(void)
{
	ztx_port_to_port(true);
}

/* One burst mixing pool frames, frames of another pool, a two-segment
 * frame and a 3000 B two-segment one (chained over two pool buffers): all
 * arrive in order and intact; only the pool frames are not copied. */
static void case_ztx_mixed(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	static const uint32_t lens[] = { 200, 300, 400, 3000, 500, 64, 1000 };
	struct rte_mbuf *m[7];
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);

	m[0] = ztx_frame(tx_mp, lens[0], 0, 1);
	m[1] = ztx_frame(mp, lens[1], 1, 1);    /* another pool: copied */
	m[2] = ztx_frame(mp, lens[2], 2, 2);    /* two segments: copied */
	m[3] = ztx_frame(mp, lens[3], 3, 2);    /* longer than a buffer: a chain */
	m[4] = ztx_frame(tx_mp, lens[4], 4, 1);
	m[5] = ztx_frame(tx_mp, lens[5], 5, 2); /* pool mbufs, chained: copied */
	m[6] = ztx_frame(tx_mp, lens[6], 6, 1);
	CHECK_EQ(rte_eth_tx_burst(port, 0, m, 7), 7);
	CHECK_EQ(peer_read(&p, 8, lens, 0), 7); /* 8 descriptors: the chain takes 2 */
	CHECK_EQ(xstat(port, "tx_zero_copy"), 3);
	CHECK_EQ(xstat(port, "tx_zero_copy_copied"), 4);
	CHECK_EQ(stats(port).opackets, 7);
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 8); /* 3 in place, 4 copies in 5 buffers */
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(rte_mempool_avail_count(mp), 255);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(tx_mp);
}

/* Ring full, then pool empty: the burst stops there, the rest stays the
 * caller's (counted), nothing is lost; both pools are whole at the end. */
static void case_ztx_backpressure(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	struct rte_mbuf *mine[8], *foreign[3];
	uint32_t lens[16];
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp), k;

	CHECK_EQ(ztx_send(port, tx_mp, ZTX_RING, 80, 0), ZTX_RING); /* the ring is full */
	for (k = 0; k < 3; k++)
		foreign[k] = ztx_frame(mp, 90, 100 + k, 1);
	CHECK_EQ(rte_eth_tx_burst(port, 0, foreign, 3), 0);
	CHECK_EQ(xstat(port, "tx_ring_full") + xstat(port, "tx_peer_down"), 3);
	ztx_lens(lens, 8, 80);
	CHECK_EQ(peer_read(&p, 8, lens, 0), 8); /* 8 slots free, 8 buffers complete */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 8);
	CHECK_EQ(rte_pktmbuf_alloc_bulk(tx_mp, mine, 8), 0); /* the app holds them all */
	CHECK_EQ(rte_mempool_avail_count(tx_mp), 0);
	CHECK_EQ(rte_eth_tx_burst(port, 0, foreign, 3), 0); /* ring room, no buffer */
	CHECK_EQ(xstat(port, "tx_zero_copy_no_mbuf"), 3);
	for (k = 0; k < 8; k++)
		ztx_fill(mine[k], 0, 70, 16 + k);
	CHECK_EQ(rte_eth_tx_burst(port, 0, mine, 8), 8); /* in place: no buffer needed */
	ztx_lens(lens, 16, 80);
	ztx_lens(lens + 8, 8, 70);
	CHECK_EQ(peer_read(&p, 16, lens, 8), 16); /* frames 8..23, in order */
	CHECK_EQ(rte_eth_tx_burst(port, 0, foreign, 3), 3); /* copied now */
	ztx_lens(lens, 3, 90);
	CHECK_EQ(peer_read(&p, 3, lens, 100), 3);
	CHECK_EQ(rte_eth_dev_stop(port), 0); /* stop completes what was read */
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(rte_mempool_avail_count(mp), 255);
	CHECK_EQ(xstat(port, "tx_zero_copy"), 24);
	CHECK_EQ(xstat(port, "tx_zero_copy_copied"), 3);
	rte_eth_dev_close(port);
	rte_mempool_free(tx_mp);
}

/* The consumer stops reading with 10 mbufs held, then restarts (a new
 * life, same id): it reads them where it left off, intact (we never wrote
 * a held buffer again), and they all come back. A port stop in between
 * frees none of them (the peer could still read them). */
static void case_ztx_peer_restart(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	uint32_t lens[10];
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);

	CHECK_EQ(ztx_send(port, tx_mp, 10, 300, 0), 10);
	ztx_lens(lens, 10, 300);
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 10);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING - 10);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	ivshm_region_detach(&p.r);
	CHECK_EQ(ivshm_region_attach(&p.r, p.base, SHM_SIZE, PEER_ID, NULL, 0), IVSHM_OK);
	CHECK_EQ(ivshm_rx_open(&p.rx, &p.r, 0, 0), IVSHM_OK);
	CHECK_EQ(peer_read(&p, 10, lens, 0), 10);
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 10);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(ztx_send(port, tx_mp, 5, 64, 50), 5); /* and it flows on */
	ztx_lens(lens, 5, 64);
	CHECK_EQ(peer_read(&p, 5, lens, 50), 5);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	rte_mempool_free(tx_mp);
}

/* A consumer that never reads: the close frees every held mbuf, once (a
 * double free would overfill the pool's count or abort in the mempool). A
 * re-setup of the queue before that keeps them held. */
static void case_ztx_close_held(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);

	CHECK_EQ(ztx_send(port, tx_mp, 12, 200, 0), 12);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL), 0);
	CHECK(rte_pmd_ivshmem_tx_pool_get(port, 0) == tx_mp);
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 12);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING - 12);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	rte_mempool_free(tx_mp);
}

/* A hostile consumer moves its tail back, then further on than a ring can
 * be: neither is believed (tx_bad_index; the ring stalls, as for a copying
 * producer), nothing is freed twice; a tail back in range frees exactly
 * what it passed. A tail past our head but within a ring (layout 3.0: a
 * consumer sees each descriptor as it is stored, before head moves) counts
 * as the head: it frees what was published, never more. */
static void case_ztx_hostile_tail(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	uint32_t lens[4], head;
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);

	CHECK_EQ(ztx_send(port, tx_mp, 8, 64, 0), 8);
	ztx_lens(lens, 4, 64);
	CHECK_EQ(peer_read(&p, 4, lens, 0), 4); /* tail 4 */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 4);
	head = atomic_load(&p.rx.ctl->head);
	atomic_store(&p.rx.ctl->tail, head - 6); /* back, behind what was freed */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 0);
	atomic_store(&p.rx.ctl->tail, head + ZTX_RING); /* more than a ring on */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 0);
	CHECK_EQ(ztx_send(port, tx_mp, 1, 64, 8), 0); /* stalled: nothing published */
	CHECK(xstat(port, "tx_bad_index") >= 3);
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 4);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING - 4);
	atomic_store(&p.rx.ctl->tail, head - 2); /* two of the four left */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 1), 1); /* free_cnt honoured */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 1);
	atomic_store(&p.rx.ctl->tail, head + 5); /* past the head, within a ring */
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 2); /* the published two only */
	CHECK_EQ(xstat(port, "tx_zero_copy_held"), 0);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(ztx_send(port, tx_mp, 3, 64, 9), 3); /* flows again */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	rte_mempool_free(tx_mp);
}

/* A pool mbuf whose data the application moved out of the area (data_off
 * far out; a length running past its end) is dropped, counted, never
 * published; the good frame after it goes. */
static void case_ztx_bad_data(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	struct rte_mbuf *m[3];
	uint32_t lens[1] = { 64 };
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);

	m[0] = ztx_frame(tx_mp, 64, 0, 1);
	m[0]->data_off = UINT16_MAX - 64; /* beyond the 24 KiB area */
	m[1] = ztx_frame(tx_mp, 64, 0, 1);
	m[1]->data_len = 30000;           /* runs past the area's end */
	m[1]->pkt_len = 30000;
	m[2] = ztx_frame(tx_mp, 64, 7, 1);
	CHECK_EQ(rte_eth_tx_burst(port, 0, m, 3), 3);
	CHECK_EQ(xstat(port, "tx_zero_copy_refused"), 2);
	CHECK_EQ(xstat(port, "tx_bad_mbuf"), 2);
	CHECK_EQ(stats(port).oerrors, 2);
	CHECK_EQ(stats(port).opackets, 1);
	CHECK_EQ(ivshm_rx_avail(&p.rx, 32), 1); /* only the good one */
	CHECK_EQ(peer_read(&p, 1, lens, 7), 1);
	CHECK_EQ(rte_eth_tx_done_cleanup(port, 0, 0), 1);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(tx_mp);
}

static void expect_pool_error(struct rte_mempool *mp, int err, const char *what)
{
	if (mp != NULL || rte_errno != err)
		printf("%s: pool %p, rte_errno %d (%s), want %d\n", what, (void *)mp,
		       rte_errno, rte_strerror(rte_errno), err);
	CHECK(mp == NULL && rte_errno == err);
}

/* The API's refusals, each with its errno and nothing left behind. */
static void case_ztx_api_errors(void)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	uint16_t port = port_probe(",ring_size=16,queues=2"), null_port;
	struct peer p;

	peer_map(&p);
	peer_attach(&p, 1);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(RTE_MAX_ETHPORTS - 1, 0, "z", 0),
			  ENODEV, "no such port");
	CHECK_EQ(rte_vdev_init("net_null0", NULL), 0);
	CHECK_EQ(rte_eth_dev_get_port_by_name("net_null0", &null_port), 0);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(null_port, 0, "z", 0), EINVAL,
			  "net_null port");
	CHECK_EQ(configure(port, 1, 2, 0), 0);
	CHECK_EQ(rxq_setup(port, 0, mp), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(port, 0, 0, rte_socket_id(), NULL), 0);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 1, "z", 0), EINVAL,
			  "queue 1 not set up");
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 2, "z", 0), EINVAL,
			  "queue 2 beyond the count");
	CHECK_EQ(rte_eth_tx_queue_setup(port, 1, 0, rte_socket_id(), NULL), 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 0, NULL, 0), EINVAL, "no name");
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 0, "z", 512), EINVAL,
			  "cache larger than the pool");
	CHECK(rte_mempool_lookup("z") == NULL);
	fail_ztx_alloc = true;
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 0, "z", 0), ENOMEM,
			  "out of memory");
	fail_ztx_alloc = false;
	CHECK(rte_mempool_lookup("z") == NULL); /* the pool went with the failure */
	expect_pool_error(rte_pmd_ivshmem_tx_pool_get(port, 0), ENOENT, "get before create");
	tx_mp = rte_pmd_ivshmem_tx_pool_create(port, 0, "z", 4);
	CHECK(tx_mp != NULL && rte_pmd_ivshmem_tx_pool_get(port, 0) == tx_mp);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 0, "z2", 0), EEXIST,
			  "second pool");
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 1, "z", 0), EEXIST,
			  "name taken");
	/* a frame in flight on queue 1 (copy mode): its buffer is not free */
	CHECK_EQ(ztx_send_q(port, 1, mp, 64), 1);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 1, "z1", 0), EBUSY,
			  "frames in flight");
	CHECK(rte_mempool_lookup("z1") == NULL);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_get(null_port, 0), EINVAL, "get on net_null");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(tx_mp);
	rte_vdev_uninit("net_null0");
}

/* A secondary process and a queue in pool mode (the primary runs this case
 * on hugepages; SECONDARY_CMD is the command of this executable as its
 * secondary, case ztx-secondary-child): the secondary cannot make a pool
 * (E_RTE_SECONDARY), finds the primary's, and its Tx burst on the queue
 * sends nothing (counted); nothing is lost, the primary's Tx goes on. */
static void case_ztx_secondary(const char *secondary_cmd)
{
	struct rte_mempool *mp = pool("mp", 255, RTE_MBUF_DEFAULT_BUF_SIZE), *tx_mp;
	uint32_t lens[4];
	struct peer p;
	uint16_t port = ztx_port(&p, mp, &tx_mp);
	int rc;

	fflush(stdout);
	rc = system(secondary_cmd);
	CHECK_EQ(rc, 0);
	CHECK_EQ(xstat(port, "tx_zero_copy_refused"), 3);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	CHECK_EQ(ztx_send(port, tx_mp, 4, 64, 0), 4);
	ztx_lens(lens, 4, 64);
	CHECK_EQ(peer_read(&p, 4, lens, 0), 4);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	CHECK_EQ(rte_mempool_avail_count(tx_mp), ZTX_RING);
	rte_mempool_free(tx_mp);
}

static void case_ztx_secondary_child(void)
{
	struct rte_mempool *tx_mp;
	struct rte_mbuf *m[3];
	uint16_t port = RTE_MAX_ETHPORTS;

	CHECK_EQ(rte_eth_dev_get_port_by_name(VDEV, &port), 0);
	expect_pool_error(rte_pmd_ivshmem_tx_pool_create(port, 0, "z2", 0), E_RTE_SECONDARY,
			  "pool in a secondary");
	tx_mp = rte_pmd_ivshmem_tx_pool_get(port, 0);
	CHECK(tx_mp != NULL && tx_mp == rte_mempool_lookup("ztx"));
	if (tx_mp == NULL)
		return;
	CHECK_EQ(rte_pktmbuf_alloc_bulk(tx_mp, m, 3), 0);
	CHECK_EQ(rte_eth_tx_burst(port, 0, m, 3), 0);
	rte_pktmbuf_free_bulk(m, 3);
	CHECK_EQ(xstat(port, "tx_zero_copy_refused"), 3);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "rx-remap", case_rx_remap },
	{ "rx-mtu", case_rx_mtu },
	{ "rx-no-scatter-vlan", case_rx_no_scatter_vlan },
	{ "tx-jumbo-head", case_tx_jumbo_head },
	{ "remove-started", case_remove_started },
	{ "cleanup-started", case_cleanup_started },
	{ "doorbells", case_doorbells },
	{ "rx-partial-alloc", case_rx_partial_alloc },
	{ "tx-bad-chain", case_tx_bad_chain },
	{ "rx-bad-desc", case_rx_bad_desc },
	{ "tx-counters", case_tx_counters },
	{ "close-in-lsc", case_close_in_lsc },
	{ "mac-alloc-fail", case_mac_alloc_fail },
	{ "hotpath", case_hotpath },
	{ "hotpath-tx", case_hotpath_tx },
	{ "zc-rx", case_zc_rx },
	{ "zc-out-of-order", case_zc_out_of_order },
	{ "zc-held", case_zc_held },
	{ "zc-peer-restart", case_zc_peer_restart },
	{ "zc-truncate", case_zc_truncate },
	{ "zc-chain-ptype", case_zc_chain_ptype },
	{ "ztx-copy-rx", case_ztx_copy_rx },
	{ "ztx-pmd-rx", case_ztx_pmd_rx },
	{ "ztx-zc-rx", case_ztx_zc_rx },
	{ "ztx-mixed", case_ztx_mixed },
	{ "ztx-backpressure", case_ztx_backpressure },
	{ "ztx-peer-restart", case_ztx_peer_restart },
	{ "ztx-close-held", case_ztx_close_held },
	{ "ztx-hostile-tail", case_ztx_hostile_tail },
	{ "ztx-bad-data", case_ztx_bad_data },
	{ "ztx-api-errors", case_ztx_api_errors },
	{ "ztx-secondary-child", case_ztx_secondary_child },
};

int main(int argc, char **argv)
{
	const char *name;
	unsigned int i;
	int n = rte_eal_init(argc, argv);

	if (n < 0 || argc - n < 3) {
		fprintf(stderr, "usage: pmd-checks <EAL args> -- SHM_FILE CASE [VDEV_ARGS]\n");
		return 2;
	}
	shm_path = argv[n + 1];
	name = argv[n + 2];
	if (strcmp(name, "intr-queues") == 0 && argc - n > 3) {
		case_intr_queues(argv[n + 3]);
	} else if (strcmp(name, "ztx-secondary") == 0 && argc - n > 3) {
		case_ztx_secondary(argv[n + 3]);
	} else {
		for (i = 0; i < RTE_DIM(cases) && strcmp(cases[i].name, name) != 0; i++)
			;
		if (i == RTE_DIM(cases)) {
			printf("unknown case %s\n", name);
			return 2;
		}
		cases[i].run();
	}
	printf("%s %s\n", failures == 0 ? "PASS" : "FAIL", name);
	if (strcmp(name, "cleanup-started") != 0)
		rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
