/* SPDX-License-Identifier: BSD-3-Clause
 * Rx checksum offload of net_ivshmem, done in software on the frame Rx has
 * just copied (hot in cache): the IPv4 header checksum, and the UDP/TCP
 * checksum of an unfragmented single-segment IPv4 frame. Only when the
 * application enabled the offload; every read is bounded by the segment
 * and by the lengths the frame itself claims, both checked first.
 */
#ifndef IVSHMEM_CKSUM_H
#define IVSHMEM_CKSUM_H

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define IVSHMEM_RX_CKSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | \
	RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)

/* L4 flags of an IPv4 frame whose header (ihl bytes at ip) is intact. */
static inline uint64_t ivshmem_l4_cksum_flags(const struct rte_ipv4_hdr *ip,
					      uint32_t ihl, uint32_t room,
					      uint32_t ptype)
{
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;
	uint32_t total = rte_be_to_cpu_16(ip->total_length);
	const void *hdr = (const uint8_t *)ip + ihl;

	if ((l4 != RTE_PTYPE_L4_UDP && l4 != RTE_PTYPE_L4_TCP) ||
	    total < ihl + sizeof(struct rte_udp_hdr) || total > room)
		return RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
	if (l4 == RTE_PTYPE_L4_UDP &&
	    ((const struct rte_udp_hdr *)hdr)->dgram_cksum == 0)
		return RTE_MBUF_F_RX_L4_CKSUM_GOOD; /* sender left it out */
	return rte_ipv4_udptcp_cksum_verify(ip, hdr) == 0 ?
	       RTE_MBUF_F_RX_L4_CKSUM_GOOD : RTE_MBUF_F_RX_L4_CKSUM_BAD;
}

/* ol_flags for frame m of type ptype (ivshmem_ptype_parse), 0 (unknown)
 * for anything but an IPv4 header that fits the first segment. */
static inline uint64_t ivshmem_rx_cksum_flags(const struct rte_mbuf *m,
					      uint32_t ptype, uint64_t offloads)
{
	uint32_t l2 = (ptype & RTE_PTYPE_L2_MASK) == RTE_PTYPE_L2_ETHER_VLAN ? 18 : 14;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, room;
	uint64_t flags = 0;

	if (!RTE_ETH_IS_IPV4_HDR(ptype) || m->data_len < l2 + sizeof(*ip))
		return 0;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	room = m->data_len - l2;
	if (ihl < sizeof(*ip) || ihl > room)
		return 0;
	if (offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		flags |= rte_raw_cksum(ip, ihl) == 0xffff ?
			 RTE_MBUF_F_RX_IP_CKSUM_GOOD : RTE_MBUF_F_RX_IP_CKSUM_BAD;
	if ((offloads & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) &&
	    m->nb_segs == 1) /* a fragment has L4 type FRAG: unknown */
		flags |= ivshmem_l4_cksum_flags(ip, ihl, room, ptype);
	return flags;
}

#endif /* IVSHMEM_CKSUM_H */
