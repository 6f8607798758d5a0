/* SPDX-License-Identifier: BSD-3-Clause
 * txonly / flowgen packet generation: Ethernet + IPv4 + UDP, sizes cycled
 * from --txpkts; flowgen varies the source address and UDP ports. With
 * --udp-cksum every payload byte is written and the UDP checksum is valid,
 * so a receiver that recomputes it (testpmd's csum engine skips a zero
 * checksum) has to read every byte. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "app_common.h"
#include "fwd.h"

#define GEN_HDR_LEN (sizeof(struct rte_ether_hdr) + \
		     sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

static void fill_headers(struct fwd_ctx *c, struct fwd_stream *s,
			 uint8_t *p, uint16_t len, uint32_t flow)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	rte_ether_addr_copy(&c->args.eth_peer[s->tx_port], &eh->dst_addr);
	rte_ether_addr_copy(&c->port_mac[s->tx_port], &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eh));
	/* unsigned octets: DPDK 22.11's RTE_IPV4 shifts an int 198 << 24 (UB) */
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18u, 0u, 1u) + flow);
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 19u, 0u, 1u));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + flow));
	udp->dst_port = rte_cpu_to_be_16(4789);
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eh) - sizeof(*ip));
	udp->dgram_cksum = 0;
}

#define GEN_PAYLOAD_BYTE 0xa5

/* The payload is the same for every frame of a size, and txonly's headers
 * too: its checksum is computed once per size and stream (reading the
 * payload per frame would make the sender, not the path, the bottleneck). */
static void fill_payload_and_cksum(const struct fwd_ctx *c, struct fwd_stream *s,
				   uint8_t *p, uint16_t len, uint32_t seq)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t *cached = &s->udp_cksum[seq % c->args.nb_txpkts];

	memset(p + GEN_HDR_LEN, GEN_PAYLOAD_BYTE, len - GEN_HDR_LEN);
	if (c->args.mode == FWD_TXONLY && *cached != 0) {
		udp->dgram_cksum = *cached;
		return;
	}
	/* never 0 for UDP: rte_ipv4_udptcp_cksum gives 0xffff instead */
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	if (c->args.mode == FWD_TXONLY)
		*cached = udp->dgram_cksum;
}

uint16_t fwd_gen_burst(struct fwd_ctx *c, struct fwd_stream *s,
		       struct rte_mbuf **pkts, uint16_t n)
{
	const struct fwd_args *a = &c->args;
	uint16_t i;

	if (unlikely(s->tx_mp != NULL)) { /* --tx-zero-copy */
		if (app_tx_alloc_bulk(s->tx_mp, s->tx_port, s->tx_queue, pkts, n) != 0)
			return 0;
	} else if (rte_pktmbuf_alloc_bulk(c->mp, pkts, n) != 0) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t seq = s->gen_seq++;
		uint16_t len = (uint16_t)a->txpkts[seq % a->nb_txpkts];
		uint32_t flow = a->mode == FWD_FLOWGEN ? seq % a->flows : 0;
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(pkts[i], len);

		if (p == NULL) { /* larger than one mbuf: clamp */
			len = (uint16_t)rte_pktmbuf_tailroom(pkts[i]);
			p = (uint8_t *)rte_pktmbuf_append(pkts[i], len);
		}
		fill_headers(c, s, p, len, flow);
		if (a->udp_cksum)
			fill_payload_and_cksum(c, s, p, len, seq);
	}
	return n;
}
