/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-traffic: a lossless, checked traffic peer for the PMD tests (host
 * and guest). Sends --count packets of random sizes carrying a sequence
 * number and a checksum, receives the peer's, and exits 0 only if nothing
 * was lost, reordered or corrupted and the ethdev stats agree.
 * Usage: ivshmem-traffic <EAL args> -- [--count N] [--expect N]
 *        [--min-size B] [--max-size B] [--segs] [--rx-intr] [--timeout S]
 *        [--seed N] [--link-sequence up,down,up [--hold S]] [--survive S]
 *        [--pace-us N]  (sleep N us after each Tx burst) [--unplug]
 *        [--queues N] [--tx-queue Q] [--reconfigure-to N] [--close-in-lsc]
 *        [--bad-mbufs N] [--leave-mbufs N] [--start-delay S] [--stop-hold S]
 *        [--ether]
 * --ether: each frame starts with a real, constant Ethernet header
 * (02:00:00:00:00:01 -> 02:00:00:00:00:02, EtherType 0x88b5) before the
 * checked header, for a switch in the path (OVS) that parses and classifies
 * frames: without it the sequence number sits in the MAC addresses and every
 * frame is a new flow.
 * --start-delay S: S seconds between probe and port start (an application
 * slow to start, as testpmd creating its pools): prints 'STARTING real=MS'.
 * --stop-hold S: after --link-sequence, stops the port ('STOPPED real=MS')
 * and stays attached S seconds before closing.
 * Every run ends with 'LSC events=N': the LSC callbacks seen before close.
 * --unplug: end with rte_dev_remove() of the still started port (not
 * stop + close): prints 'UNPLUG rc=N port_valid=0|1'.
 * --survive S (fault tests): for S seconds (or until SIGINT) sends and
 * receives without end while peers come and go; a peer restarting at
 * sequence 0 is a new life, not a reorder. Prints 'LINK down/up real=MS'
 * (CLOCK_REALTIME ms) and 'RESUMED life=N' at each life's first packet;
 * SIGUSR1 marks a point after which packets are counted (after_mark).
 * PASS if nothing was corrupt or reordered.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>

#define BURST 32
#define HDR_MAGIC 0x50545649u /* "IVTP" */
#define MIN_PKT 16u

struct pkt_hdr {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;
	uint32_t csum; /* over the bytes after the header */
};

struct opts {
	uint64_t count, expect;
	uint32_t min_size, max_size;
	bool segs, rx_intr;
	double timeout_s, hold_s;
	uint32_t seed;
	char link_seq[128];
	double survive_s;
	uint32_t pace_us; /* pause after each Tx burst: lets the peer go idle */
	bool unplug;      /* end with rte_dev_remove of the started port */
	uint16_t queues;  /* Rx and Tx queues configured (default 1) */
	uint16_t tx_queue; /* the queue we send on */
	uint16_t reconfigure_to; /* after the first start: stop, configure this
				  * many queues (none set up again), start */
	bool close_in_lsc; /* wait for link up then down; close from the LSC
			    * callback itself */
	uint32_t bad_mbufs; /* first send this many mbufs whose data_len does
			     * not match pkt_len: the PMD must drop them */
	uint32_t leave_mbufs; /* hold all but this many mbufs of the pool */
	double stop_hold_s; /* --stop-hold */
};

struct state {
	uint64_t sent, received, lost, reordered, corrupt;
	uint32_t next_rx_seq;
	uint64_t rng;
};

static volatile bool stop_requested;
static uint16_t tx_queue; /* --tx-queue */
static volatile sig_atomic_t mark_requested;
static double start_delay_s; /* --start-delay */
static volatile uint32_t lsc_events; /* LSC callbacks seen */
/* --ether: where the checked header starts (0, or after this header) */
static const uint8_t ether_hdr[RTE_ETHER_HDR_LEN] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5 };
static uint32_t hdr_off;

static int count_lsc(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	lsc_events++;
	return 0;
}

static void on_mark(int sig)
{
	(void)sig;
	mark_requested = 1;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = true;
}

static uint32_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Payload byte i of packet seq: cheap, deterministic, position-dependent. */
static uint8_t payload_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

/* FNV-1a: cheap per byte (no division), so the checker is not what limits
 * a soak, and any changed, dropped or swapped byte changes it. */
static uint32_t checksum(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "count", 1, 0, 'c' }, { "expect", 1, 0, 'e' },
		{ "min-size", 1, 0, 'm' }, { "max-size", 1, 0, 'M' },
		{ "segs", 0, 0, 's' }, { "rx-intr", 0, 0, 'i' },
		{ "timeout", 1, 0, 't' }, { "seed", 1, 0, 'r' },
		{ "link-sequence", 1, 0, 'l' }, { "hold", 1, 0, 'h' },
		{ "survive", 1, 0, 'S' }, { "pace-us", 1, 0, 'p' },
		{ "unplug", 0, 0, 'u' }, { "queues", 1, 0, 'q' },
		{ "tx-queue", 1, 0, 'T' }, { "reconfigure-to", 1, 0, 'R' },
		{ "close-in-lsc", 0, 0, 'C' }, { "bad-mbufs", 1, 0, 'B' },
		{ "leave-mbufs", 1, 0, 'L' }, { "start-delay", 1, 0, 'D' },
		{ "stop-hold", 1, 0, 'P' }, { "ether", 0, 0, 'E' },
		{ 0, 0, 0, 0 },
	};
	int c;

	*o = (struct opts){ .count = 100000, .expect = UINT64_MAX, .min_size = 60,
			    .max_size = 1514, .timeout_s = 30, .seed = 1, .queues = 1 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->count = strtoull(optarg, NULL, 0); break;
		case 'e': o->expect = strtoull(optarg, NULL, 0); break;
		case 'm': o->min_size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'M': o->max_size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': o->segs = true; break;
		case 'i': o->rx_intr = true; break;
		case 't': o->timeout_s = strtod(optarg, NULL); break;
		case 'r': o->seed = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'h': o->hold_s = strtod(optarg, NULL); break;
		case 'S': o->survive_s = strtod(optarg, NULL); break;
		case 'p': o->pace_us = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'u': o->unplug = true; break;
		case 'q': o->queues = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'T': tx_queue = o->tx_queue = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'R': o->reconfigure_to = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'C': o->close_in_lsc = true; break;
		case 'B': o->bad_mbufs = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'L': o->leave_mbufs = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'l': snprintf(o->link_seq, sizeof(o->link_seq), "%s", optarg); break;
		case 'D': start_delay_s = strtod(optarg, NULL); break;
		case 'P': o->stop_hold_s = strtod(optarg, NULL); break;
		case 'E': hdr_off = sizeof(ether_hdr); break;
		default:
			fprintf(stderr, "ivshmem-traffic: unknown option\n");
			return -1;
		}
	}
	if (o->expect == UINT64_MAX)
		o->expect = o->count;
	if (o->min_size < hdr_off + MIN_PKT || o->max_size < o->min_size) {
		fprintf(stderr, "ivshmem-traffic: sizes must satisfy %u <= min <= max\n",
			hdr_off + MIN_PKT);
		return -1;
	}
	return 0;
}

static long long real_ms(void);

static int port_setup(uint16_t port, struct rte_mempool *mp, bool rx_intr,
		      uint16_t nq, uint32_t max_size)
{
	struct rte_eth_conf conf = { .intr_conf = { .rxq = rx_intr ? 1 : 0, .lsc = 1 } };
	int rc;

	if (max_size > RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN) { /* jumbo */
		conf.rxmode.mtu = max_size - RTE_ETHER_HDR_LEN;
		conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
		conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	for (uint16_t q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, 0, rte_eth_dev_socket_id(port), NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, 0, rte_eth_dev_socket_id(port), NULL);
	}
	if (rc == 0 && start_delay_s > 0) {
		rte_delay_us_sleep((unsigned int)(start_delay_s * 1e6));
		printf("STARTING real=%lld\n", real_ms());
		fflush(stdout);
	}
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, "ivshmem-traffic: port %u setup failed: %s\n", port,
			rte_strerror(-rc));
	return rc;
}

/* Changes the queue count of a started port the way an application may:
 * stop, configure, start, without setting the remaining queues up again. */
static int port_reconfigure(uint16_t port, bool rx_intr, uint16_t nq)
{
	struct rte_eth_conf conf = { .intr_conf = { .rxq = rx_intr ? 1 : 0, .lsc = 1 } };
	int rc = rte_eth_dev_stop(port);

	if (rc == 0)
		rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	printf("RECONFIGURED queues=%u rc=%d\n", nq, rc);
	return rc;
}

/* Builds packet seq of length len, split into up to three segments. */
static struct rte_mbuf *build_packet(struct rte_mempool *mp, uint32_t seq,
				     uint32_t len, bool segs)
{
	uint32_t parts = segs && len >= 64 ? 1 + seq % 3 : 1, p, i, off = 0;
	uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;
	struct rte_mbuf *head = NULL, *m;
	uint8_t tmp[9216];
	uint32_t body = hdr_off + (uint32_t)sizeof(struct pkt_hdr);
	struct pkt_hdr h;

	memcpy(tmp, ether_hdr, hdr_off);
	for (i = body; i < len; i++)
		tmp[i] = payload_byte(seq, i);
	h = (struct pkt_hdr){ HDR_MAGIC, seq, len, checksum(tmp + body, len - body) };
	memcpy(tmp + hdr_off, &h, sizeof(h));
	if (parts < (len + room - 1) / room) /* a jumbo frame spans mbufs */
		parts = (len + room - 1) / room;
	for (p = 0; p < parts; p++) {
		uint32_t chunk = p + 1 == parts ? len - off : len / parts;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL || rte_pktmbuf_tailroom(m) < chunk) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), tmp + off, chunk);
		m->data_len = (uint16_t)chunk;
		m->pkt_len = chunk;
		off += chunk;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			return NULL;
	}
	return head;
}

static void check_packet(struct state *st, struct rte_mbuf *m)
{
	uint8_t tmp[9216];
	const uint8_t *f;
	struct pkt_hdr h;
	uint32_t len = m->pkt_len, body = hdr_off + (uint32_t)sizeof(h);

	if (len < body || len > sizeof(tmp)) {
		st->corrupt++;
		return;
	}
	f = rte_pktmbuf_read(m, 0, len, tmp);
	memcpy(&h, f + hdr_off, sizeof(h));
	if (memcmp(f, ether_hdr, hdr_off) != 0 || h.magic != HDR_MAGIC || h.len != len ||
	    h.csum != checksum(f + body, len - body)) {
		st->corrupt++;
		return;
	}
	if (h.seq != st->next_rx_seq) {
		if (h.seq > st->next_rx_seq)
			st->lost += h.seq - st->next_rx_seq;
		else
			st->reordered++;
	}
	st->next_rx_seq = h.seq + 1;
	st->received++;
}

static void receive_some(uint16_t port, struct state *st, unsigned int *got)
{
	struct rte_mbuf *bufs[BURST];
	uint16_t n = rte_eth_rx_burst(port, 0, bufs, BURST), i;

	for (i = 0; i < n; i++) {
		check_packet(st, bufs[i]);
		rte_pktmbuf_free(bufs[i]);
	}
	*got = n;
}

/* Sends one burst; unsent packets are kept and retried (lossless). */
static void send_some(uint16_t port, struct rte_mempool *mp, const struct opts *o,
		      struct state *st)
{
	static struct rte_mbuf *pending[BURST];
	static uint16_t nb_pending;
	uint16_t sent, i;

	while (nb_pending < BURST && st->sent + nb_pending < o->count) {
		uint32_t len = o->min_size + next_rand(&st->rng) % (o->max_size - o->min_size + 1);
		struct rte_mbuf *m = build_packet(mp, (uint32_t)(st->sent + nb_pending), len, o->segs);

		if (m == NULL)
			break;
		pending[nb_pending++] = m;
	}
	sent = rte_eth_tx_burst(port, tx_queue, pending, nb_pending);
	for (i = sent; i < nb_pending; i++)
		pending[i - sent] = pending[i];
	nb_pending -= sent;
	st->sent += sent;
}

static void sleep_on_rx_intr(uint16_t port)
{
	struct rte_epoll_event ev;

	if (rte_eth_dev_rx_intr_enable(port, 0) == 0) {
		rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 100);
		rte_eth_dev_rx_intr_disable(port, 0);
	}
}

/* Waits for the link state. With drain, discards what arrives meanwhile
 * like a live application would (the --link-sequence watcher); without it,
 * leaves received packets for the checked traffic loop. */
static bool wait_link(uint16_t port, bool up, double timeout_s, bool drain)
{
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(timeout_s * rte_get_timer_hz());
	struct rte_mbuf *bufs[BURST];
	struct rte_eth_link link;
	uint16_t n;

	while (rte_get_timer_cycles() < end && !stop_requested) {
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    (link.link_status == RTE_ETH_LINK_UP) == up)
			return true;
		if (drain) {
			n = rte_eth_rx_burst(port, 0, bufs, BURST);
			rte_pktmbuf_free_bulk(bufs, n);
		}
		rte_delay_us_sleep(200);
	}
	return false;
}

/* The PMD sets the link status, then calls the LSC callbacks (on its alarm
 * thread): waits, up to timeout_s, for the callback of a state we saw. */
static void wait_lsc_events(uint32_t n, double timeout_s)
{
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(timeout_s * rte_get_timer_hz());

	while (lsc_events < n && rte_get_timer_cycles() < end)
		rte_delay_us_sleep(1000);
}

/* --link-sequence up,down,up: waits for each state in turn. */
static int run_link_sequence(uint16_t port, const struct opts *o)
{
	char seq[128], *save = NULL, *tok;
	uint64_t t0 = rte_get_timer_cycles();
	uint32_t seen = 0;

	snprintf(seq, sizeof(seq), "%s", o->link_seq);
	for (tok = strtok_r(seq, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool up = strcmp(tok, "up") == 0;

		if (!wait_link(port, up, o->timeout_s, true)) {
			printf("LINK timeout waiting for %s\n", tok);
			return 1;
		}
		printf("LINK %s at %.1f ms real=%lld\n", tok,
		       (double)(rte_get_timer_cycles() - t0) * 1e3 / rte_get_timer_hz(),
		       real_ms());
		fflush(stdout);
		wait_lsc_events(++seen, o->timeout_s);
	}
	/* Stay attached so the peer can see us too. */
	wait_link(port, false, o->hold_s, true);
	if (o->stop_hold_s > 0) {
		rte_eth_dev_stop(port);
		printf("STOPPED real=%lld\n", real_ms());
		fflush(stdout);
		rte_delay_us_sleep((unsigned int)(o->stop_hold_s * 1e6));
	}
	return 0;
}

static void print_xstats(uint16_t port)
{
	struct rte_eth_xstat_name names[64];
	struct rte_eth_xstat xs[64];
	int n = rte_eth_xstats_get_names(port, names, 64), i;

	if (n <= 0 || n > 64 || rte_eth_xstats_get(port, xs, 64) != n)
		return;
	for (i = 0; i < n; i++)
		if (xs[i].value != 0 && strncmp(names[xs[i].id].name, "rx_q", 4) != 0 &&
		    strncmp(names[xs[i].id].name, "tx_q", 4) != 0)
			printf("XSTAT %s=%" PRIu64 "\n", names[xs[i].id].name, xs[i].value);
}

static int report(uint16_t port, const struct opts *o, const struct state *st)
{
	struct rte_eth_stats es;
	bool ok;

	rte_eth_stats_get(port, &es);
	printf("RESULT sent=%" PRIu64 " received=%" PRIu64 " lost=%" PRIu64
	       " reordered=%" PRIu64 " corrupt=%" PRIu64 " ipackets=%" PRIu64
	       " opackets=%" PRIu64 " ierrors=%" PRIu64 " imissed=%" PRIu64 "\n",
	       st->sent, st->received, st->lost, st->reordered, st->corrupt,
	       es.ipackets, es.opackets, es.ierrors, es.imissed);
	print_xstats(port);
	ok = st->sent == o->count && st->received == o->expect && st->lost == 0 &&
	     st->reordered == 0 && st->corrupt == 0 && es.ipackets == st->received &&
	     es.opackets == st->sent && es.ierrors == 0;
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

/* A pool that is almost empty (the application holds the rest): Rx must
 * still make progress with fewer mbufs than a burst asks for. */
static int hold_mbufs(struct rte_mempool *mp, uint32_t leave)
{
	struct rte_mbuf *m;

	while (rte_mempool_avail_count(mp) > leave) {
		m = rte_pktmbuf_alloc(mp); /* held until exit */
		if (m == NULL)
			return -1;
	}
	printf("MBUFS left=%u\n", rte_mempool_avail_count(mp));
	return 0;
}

/* Mbufs that lie about their length (pkt_len 100 B shorter than the one
 * segment's data_len, content not a test frame): a PMD that trusts
 * data_len delivers them to the peer, which counts them as corrupt. */
static int send_bad_mbufs(uint16_t port, struct rte_mempool *mp, uint32_t n)
{
	struct rte_mbuf *m;
	uint32_t i;

	for (i = 0; i < n; i++) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			return -1;
		memset(rte_pktmbuf_mtod(m, void *), 0xee, 300);
		m->data_len = 300;
		m->pkt_len = 200;
		while (rte_eth_tx_burst(port, tx_queue, &m, 1) == 0 && !stop_requested)
			rte_delay_us_sleep(10);
	}
	printf("BAD_MBUFS sent=%u\n", n);
	return 0;
}

static int run_traffic(uint16_t port, struct rte_mempool *mp, const struct opts *o)
{
	struct state st = { .rng = o->seed * 2654435761ull + 1 };
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(o->timeout_s * rte_get_timer_hz());
	unsigned int got;

	if (!wait_link(port, true, o->timeout_s, false)) {
		printf("LINK never came up\n");
		return 1;
	}
	if (o->bad_mbufs != 0 && send_bad_mbufs(port, mp, o->bad_mbufs) != 0)
		return 1;
	if (o->leave_mbufs != 0 && hold_mbufs(mp, o->leave_mbufs) != 0)
		return 1;
	while (!stop_requested && rte_get_timer_cycles() < end &&
	       (st.sent < o->count || st.received < o->expect)) {
		if (st.sent < o->count) {
			send_some(port, mp, o, &st);
			if (o->pace_us != 0)
				rte_delay_us_sleep(o->pace_us);
		}
		receive_some(port, &st, &got);
		if (got == 0 && st.sent >= o->count && o->rx_intr)
			sleep_on_rx_intr(port);
	}
	return report(port, o, &st);
}

static long long real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct survive_state {
	struct state st;
	uint64_t lives, after_mark, mark_at;
	bool link_up, marked;
	bool fresh; /* link came up since the last packet: a new peer life */
	long long last_rx_ms;
};

/* Checks one packet of --survive: a restart at 0 starts a new life. */
static void survive_packet(struct survive_state *s, struct rte_mbuf *m)
{
	uint64_t corrupt = s->st.corrupt;
	const struct pkt_hdr *h;
	struct pkt_hdr tmp;

	h = m->pkt_len >= hdr_off + sizeof(*h) ?
		rte_pktmbuf_read(m, hdr_off, sizeof(*h), &tmp) : NULL;
	if (h != NULL && h->magic == HDR_MAGIC &&
	    (h->seq == 0 || (s->fresh && h->seq < s->st.next_rx_seq))) {
		s->lives++;
		s->st.next_rx_seq = 0;
		printf("RESUMED life=%" PRIu64 " real=%lld\n", s->lives, real_ms());
		fflush(stdout);
	}
	check_packet(&s->st, m);
	if (s->st.corrupt != corrupt)
		printf("CORRUPT packet len=%u\n", m->pkt_len);
	s->fresh = false;
	if (s->marked)
		s->after_mark++;
	s->last_rx_ms = real_ms();
}

static void survive_link(uint16_t port, struct survive_state *s)
{
	struct rte_eth_link link;
	bool up;

	if (rte_eth_link_get_nowait(port, &link) != 0)
		return;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (up == s->link_up)
		return;
	s->link_up = up;
	s->fresh |= up;
	printf("LINK %s real=%lld last_rx=%lld\n", up ? "up" : "down", real_ms(),
	       s->last_rx_ms);
	fflush(stdout);
}

/* --survive: endless checked traffic while peers die and come back. */
static int run_survive(uint16_t port, struct rte_mempool *mp, struct opts *o)
{
	struct survive_state s = { .st.rng = o->seed * 2654435761ull + 1 };
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(o->survive_s * rte_get_timer_hz());
	struct rte_mbuf *bufs[BURST];
	uint16_t n, i;

	signal(SIGUSR1, on_mark);
	o->count = UINT64_MAX;
	while (!stop_requested && rte_get_timer_cycles() < end) {
		if (mark_requested && !s.marked) {
			s.marked = true;
			printf("MARK real=%lld\n", real_ms());
			fflush(stdout);
		}
		survive_link(port, &s);
		if (s.link_up)
			send_some(port, mp, o, &s.st);
		n = rte_eth_rx_burst(port, 0, bufs, BURST);
		for (i = 0; i < n; i++) {
			survive_packet(&s, bufs[i]);
			rte_pktmbuf_free(bufs[i]);
		}
		if (n == 0)
			rte_delay_us_sleep(50);
	}
	printf("RESULT received=%" PRIu64 " lost=%" PRIu64 " reordered=%" PRIu64
	       " corrupt=%" PRIu64 " lives=%" PRIu64 " after_mark=%" PRIu64 "\n",
	       s.st.received, s.st.lost, s.st.reordered, s.st.corrupt, s.lives,
	       s.after_mark);
	print_xstats(port);
	printf("%s\n", s.st.corrupt == 0 && s.st.reordered == 0 ? "PASS" : "FAIL");
	return s.st.corrupt == 0 && s.st.reordered == 0 ? 0 : 1;
}

/* --close-in-lsc: the application closes the port from its own LSC
 * callback (on the EAL interrupt thread) once the link goes down. */
static volatile int lsc_state; /* 0 waiting up, 1 up, 2 closed in callback */

static int close_on_down(uint16_t port, enum rte_eth_event_type type, void *arg,
			 void *ret)
{
	struct rte_eth_link link;

	(void)type; (void)arg; (void)ret;
	if (rte_eth_link_get_nowait(port, &link) != 0)
		return 0;
	if (link.link_status == RTE_ETH_LINK_UP && lsc_state == 0)
		lsc_state = 1;
	else if (link.link_status == RTE_ETH_LINK_DOWN && lsc_state == 1) {
		rte_eth_dev_stop(port);
		printf("CLOSE_IN_CALLBACK rc=%d\n", rte_eth_dev_close(port));
		fflush(stdout);
		lsc_state = 2;
	}
	return 0;
}

static int run_close_in_lsc(const struct opts *o)
{
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(o->timeout_s * rte_get_timer_hz());

	while (lsc_state != 2 && rte_get_timer_cycles() < end && !stop_requested)
		rte_delay_us_sleep(1000);
	if (lsc_state != 2)
		return 1;
	/* A link monitor that re-armed itself on the closed port would tick
	 * (every 10 ms) on freed state within this time: a duration to give it
	 * the chance, not a synchronisation. */
	rte_delay_us_sleep(300 * 1000);
	printf("PASS closed from the LSC callback, alive 300 ms later\n");
	return 0;
}

/* Hot-unplug as an application may do it: the port still started. */
static int unplug_started_port(uint16_t port)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port, &info);

	if (rc == 0)
		rc = rte_dev_remove(info.device);
	printf("UNPLUG rc=%d port_valid=%d\n", rc, rte_eth_dev_is_valid_port(port));
	fflush(stdout);
	return rc != 0 || rte_eth_dev_is_valid_port(port);
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct opts o;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "ivshmem-traffic: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	if (parse_opts(argc - n, argv + n, &o) != 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "ivshmem-traffic: no ethdev port\n");
		rte_eal_cleanup();
		return 2;
	}
	rte_eth_dev_callback_register(0, RTE_ETH_EVENT_INTR_LSC, count_lsc, NULL);
	mp = rte_pktmbuf_pool_create("traffic", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL || port_setup(0, mp, o.rx_intr, o.queues, o.max_size) != 0 ||
	    (o.reconfigure_to != 0 && port_reconfigure(0, o.rx_intr, o.reconfigure_to) != 0)) {
		rte_eal_cleanup();
		return 2;
	}
	if (o.close_in_lsc) {
		rte_eth_dev_callback_register(0, RTE_ETH_EVENT_INTR_LSC, close_on_down, NULL);
		rc = run_close_in_lsc(&o);
		rte_eal_cleanup(); /* the port is gone: no stop/close */
		return rc;
	}
	if (o.survive_s > 0)
		rc = run_survive(0, mp, &o);
	else
		rc = o.link_seq[0] != '\0' ? run_link_sequence(0, &o) : run_traffic(0, mp, &o);
	printf("LSC events=%u\n", lsc_events);
	fflush(stdout);
	if (o.unplug) {
		if (unplug_started_port(0) != 0)
			rc = 1;
	} else {
		if (o.stop_hold_s <= 0) /* else stopped already */
			rte_eth_dev_stop(0);
		rte_eth_dev_close(0);
	}
	rte_eal_cleanup();
	return rc;
}
