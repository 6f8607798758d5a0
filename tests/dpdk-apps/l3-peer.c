/* SPDX-License-Identifier: BSD-3-Clause
 * l3-peer: the checked IPv4/UDP peer of a DPDK forwarding example (l3fwd,
 * l3fwd-power) on the other end of a net_ivshmem link. Sends --count
 * frames to --dst-ip with at most --window in flight (the forwarder may
 * drop what does not fit its Tx ring), each carrying a sequence number and
 * a payload checksum, and checks every frame that comes back: in order,
 * payload intact, TTL decremented once, IPv4 header checksum valid, and
 * mbuf->packet_type as net_ivshmem parses it (0 with --ptypes-off, which
 * turns parsing off through rte_eth_dev_set_ptypes).
 * --l2: the forwarder is a switch (l2fwd): TTL unchanged.
 * --no-ip-cksum: leave the IPv4 header checksum unchecked (l3fwd-power 22.11
 * zeroes it in is_valid_ipv4_pkt before its incremental TTL update).
 * --idle-ms M: after the first half, prints "IDLE", sends nothing for M ms,
 * prints "RESUME" and sends the second half.
 * Prints "RESULT sent=.. received=.. lost=.. corrupt=.. reordered=.."; PASS
 * and exit 0 only if every frame came back intact and in order.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BURST 32
#define MAGIC 0x4c335054u /* "L3PT" */
#define TTL 64
#define HDRS (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
	      sizeof(struct rte_udp_hdr))

struct payload_hdr { /* at offset 42: packed, no alignment */
	uint32_t magic, seq, csum; /* csum: rte_raw_cksum of what follows */
} __rte_packed;

struct opts {
	uint32_t count, window, idle_ms;
	uint32_t dst_ip; /* host order */
	double timeout_s;
	bool ptypes_off;
	uint8_t ttl_dec; /* 1 behind a router (l3fwd), 0 behind l2fwd */
	bool check_ip_cksum;
};

struct tally {
	uint32_t sent, received, corrupt, reordered, bad_ptype;
	uint32_t next_seq;
};

/* RTE_IPV4 shifts an int: 198 << 24 overflows (UBSan). */
static uint32_t ipv4_addr(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "count", 1, 0, 'c' }, { "window", 1, 0, 'w' },
		{ "idle-ms", 1, 0, 'i' }, { "dst-ip", 1, 0, 'd' },
		{ "timeout", 1, 0, 't' }, { "ptypes-off", 0, 0, 'p' }, { "l2", 0, 0, 'l' },
		{ "no-ip-cksum", 0, 0, 'n' },
		{ 0, 0, 0, 0 } };
	unsigned int a, b, c, d;
	int opt;

	*o = (struct opts){ .count = 10000, .window = 64, .timeout_s = 30, .ttl_dec = 1,
			    .check_ip_cksum = true,
			    .dst_ip = ipv4_addr(198, 18, 0, 1) };
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'c': o->count = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'w': o->window = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'i': o->idle_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': o->timeout_s = strtod(optarg, NULL); break;
		case 'p': o->ptypes_off = true; break;
		case 'l': o->ttl_dec = 0; break;
		case 'n': o->check_ip_cksum = false; break;
		case 'd':
			if (sscanf(optarg, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 ||
			    (a | b | c | d) > 255)
				return -1;
			o->dst_ip = ipv4_addr(a, b, c, d);
			break;
		default: return -1;
		}
	}
	return o->window == 0 || o->window > 512 ? -1 : 0;
}

/* Frame seq: 60..1000 bytes (varies with seq), payload bytes from seq. */
static struct rte_mbuf *make_frame(struct rte_mempool *mp, const struct opts *o,
				   uint32_t seq)
{
	uint16_t len = (uint16_t)(60 + (seq * 37u) % 941);
	uint16_t plen = (uint16_t)(len - HDRS - sizeof(struct payload_hdr));
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct payload_hdr *ph;
	uint8_t *body;

	if (m == NULL || rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eth, 0, HDRS);
	eth->dst_addr.addr_bytes[0] = 0x02, eth->dst_addr.addr_bytes[5] = 0x01;
	eth->src_addr.addr_bytes[0] = 0x02, eth->src_addr.addr_bytes[5] = 0x02;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(ipv4_addr(10, 0, 0, 2));
	ip->dst_addr = rte_cpu_to_be_32(o->dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9), udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
	ph = (struct payload_hdr *)(udp + 1);
	body = (uint8_t *)(ph + 1);
	for (uint16_t i = 0; i < plen; i++)
		body[i] = (uint8_t)(seq * 7 + i);
	ph->magic = MAGIC, ph->seq = seq, ph->csum = rte_raw_cksum(body, plen);
	return m;
}

static const char *const corrupt_why[] = { "", "not our frame",
	"TTL not decremented as expected", "bad IPv4 header checksum",
	"bad payload checksum" };

/* 0 when m is a frame we sent, forwarded with ttl_dec, intact; else -reason. */
static int check_frame(const struct rte_mbuf *m, const struct opts *o, uint32_t *seq)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct payload_hdr *ph = (const struct payload_hdr *)
		((const uint8_t *)(ip + 1) + sizeof(struct rte_udp_hdr));
	struct rte_ipv4_hdr copy;

	if (m->nb_segs != 1 || m->pkt_len < HDRS + sizeof(*ph) ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ph->magic != MAGIC)
		return -1;
	if (ip->time_to_live != TTL - o->ttl_dec)
		return -2;
	if (!o->check_ip_cksum)
		goto payload;
	copy = *ip;
	copy.hdr_checksum = 0;
	if (rte_ipv4_cksum(&copy) != ip->hdr_checksum)
		return -3;
payload:
	*seq = ph->seq;
	return rte_raw_cksum(ph + 1, m->pkt_len - HDRS - sizeof(*ph)) == ph->csum ? 0 : -4;
}

static void receive(uint16_t port, const struct opts *o, struct tally *t)
{
	const uint32_t want = o->ptypes_off ? 0 :
		RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_UDP;
	struct rte_mbuf *bufs[BURST];
	uint16_t n = rte_eth_rx_burst(port, 0, bufs, BURST);
	uint32_t seq = 0;
	int rc;

	for (uint16_t i = 0; i < n; i++) {
		t->received++;
		if (bufs[i]->packet_type != want)
			t->bad_ptype++;
		rc = check_frame(bufs[i], o, &seq);
		if (rc != 0 && t->corrupt++ == 0)
			printf("first corrupt frame: %s\n", corrupt_why[-rc]);
		if (rc != 0)
			continue;
		else if (seq != t->next_seq)
			t->reordered++;
		t->next_seq = seq + 1;
	}
	rte_pktmbuf_free_bulk(bufs, n);
}

/* Sends frames [t->sent, end) keeping at most window in flight; then waits
 * until all have come back. Returns -1 at the deadline. */
static int exchange(uint16_t port, struct rte_mempool *mp, const struct opts *o,
		    struct tally *t, uint32_t end, uint64_t deadline)
{
	struct rte_mbuf *m;

	while (t->received < end) {
		if (rte_get_timer_cycles() > deadline)
			return -1;
		while (t->sent < end && t->sent - t->received < o->window) {
			m = make_frame(mp, o, t->sent);
			if (m == NULL)
				break;
			if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
				rte_pktmbuf_free(m);
				break;
			}
			t->sent++;
		}
		receive(port, o, t);
	}
	return 0;
}

static int port_start(uint16_t port, struct rte_mempool *mp, const struct opts *o)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, rte_socket_id(), NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 512, rte_socket_id(), NULL) != 0)
		return -1;
	if (o->ptypes_off && rte_eth_dev_set_ptypes(port, 0, NULL, 0) != 0)
		return -1;
	return rte_eth_dev_start(port);
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };
	struct rte_mempool *mp;
	struct opts o;
	uint64_t deadline;
	int n, rc = 0;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		rte_exit(1, "EAL init failed\n");
	if (parse_opts(argc - n, argv + n, &o) != 0)
		rte_exit(2, "usage: l3-peer <EAL> -- [--count N] [--window W] "
			 "[--idle-ms M] [--dst-ip A.B.C.D] [--timeout S] [--ptypes-off] [--l2] [--no-ip-cksum]\n");
	mp = rte_pktmbuf_pool_create("l3peer", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL || rte_eth_dev_count_avail() != 1 || port_start(0, mp, &o) != 0)
		rte_exit(1, "port 0 set-up failed\n");
	printf("supported ptypes: %d\n", rte_eth_dev_get_supported_ptypes(0,
	       RTE_PTYPE_ALL_MASK, NULL, 0));
	deadline = rte_get_timer_cycles() + (uint64_t)(o.timeout_s * rte_get_timer_hz());
	if (o.idle_ms != 0) {
		rc = exchange(0, mp, &o, &t, o.count / 2, deadline);
		printf("IDLE after %" PRIu32 "\n", t.received);
		fflush(stdout);
		rte_delay_us_sleep(o.idle_ms * 1000u);
		receive(0, &o, &t); /* anything arriving while silent is an error */
		printf("RESUME\n");
		fflush(stdout);
	}
	if (rc == 0)
		rc = exchange(0, mp, &o, &t, o.count, deadline);
	printf("RESULT sent=%" PRIu32 " received=%" PRIu32 " lost=%" PRIu32
	       " corrupt=%" PRIu32 " reordered=%" PRIu32 " bad_ptype=%" PRIu32 "\n",
	       t.sent, t.received, t.sent - t.received, t.corrupt, t.reordered, t.bad_ptype);
	if (rc == 0 && t.received == o.count && t.sent == o.count && t.corrupt == 0 &&
	    t.reordered == 0 && t.bad_ptype == 0)
		printf("PASS\n");
	else
		rc = 1;
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return rc;
}
