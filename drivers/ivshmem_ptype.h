/* SPDX-License-Identifier: BSD-3-Clause
 * Packet type of a received frame (mbuf->packet_type), parsed from the
 * bytes Rx has just copied (hot in cache). Every read is bounded by len:
 * a truncated header yields the types proven so far, never a read past it.
 */
#ifndef IVSHMEM_PTYPE_H
#define IVSHMEM_PTYPE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf_ptype.h>

#define IVSHMEM_ETH_HLEN 14
#define IVSHMEM_VLAN_HLEN 4
#define IVSHMEM_IPV6_HLEN 40
#define IVSHMEM_IPV6_FRAG_HLEN 8
#define IVSHMEM_IPPROTO_ICMP 1
#define IVSHMEM_IPPROTO_TCP 6
#define IVSHMEM_IPPROTO_UDP 17
#define IVSHMEM_IPPROTO_IPV6_FRAG 44
#define IVSHMEM_IPPROTO_ICMPV6 58

/* The types the parser can set; terminated by RTE_PTYPE_UNKNOWN (the
 * dev_supported_ptypes_get list). */
const uint32_t *ivshmem_ptype_supported(void);

static inline uint16_t ivshmem_ptype_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* L4 type of IP protocol proto whose header starts at off; 0 when unknown
 * or when its fixed header does not fit in len. */
static inline uint32_t ivshmem_ptype_l4(uint8_t proto, uint32_t off, uint32_t len)
{
	uint32_t type, need;

	switch (proto) {
	case IVSHMEM_IPPROTO_TCP:
		type = RTE_PTYPE_L4_TCP, need = 20;
		break;
	case IVSHMEM_IPPROTO_UDP:
		type = RTE_PTYPE_L4_UDP, need = 8;
		break;
	case IVSHMEM_IPPROTO_ICMP:
	case IVSHMEM_IPPROTO_ICMPV6:
		type = RTE_PTYPE_L4_ICMP, need = 4;
		break;
	default:
		return 0;
	}
	return off + need <= len ? type : 0;
}

/* IPv4 at off: L3 (options or not: IPV4_EXT_UNKNOWN, as l3fwd asks) and L4;
 * a fragment (MF set or offset != 0) is L4_FRAG whatever its protocol. */
static inline uint32_t ivshmem_ptype_ipv4(const uint8_t *f, uint32_t off, uint32_t len)
{
	const uint8_t *ip = f + off;
	uint32_t ihl;

	if (off + 20 > len || ip[0] >> 4 != 4)
		return 0;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	if (ihl < 20 || off + ihl > len)
		return 0;
	if (ivshmem_ptype_be16(ip + 6) & 0x3fff) /* MF | fragment offset */
		return RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_FRAG;
	return RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | ivshmem_ptype_l4(ip[9], off + ihl, len);
}

/* IPv6 at off: L4 only when the next header is directly L4 or a fragment
 * header; other extension headers leave L4 unknown. */
static inline uint32_t ivshmem_ptype_ipv6(const uint8_t *f, uint32_t off, uint32_t len)
{
	const uint8_t *ip = f + off;
	uint32_t l4 = off + IVSHMEM_IPV6_HLEN;

	if (l4 > len || ip[0] >> 4 != 6)
		return 0;
	if (ip[6] == IVSHMEM_IPPROTO_IPV6_FRAG)
		return RTE_PTYPE_L3_IPV6_EXT_UNKNOWN |
		       (l4 + IVSHMEM_IPV6_FRAG_HLEN <= len ? RTE_PTYPE_L4_FRAG : 0);
	return RTE_PTYPE_L3_IPV6_EXT_UNKNOWN | ivshmem_ptype_l4(ip[6], l4, len);
}

/* Packet type of the len-byte Ethernet frame f (one optional 802.1Q tag). */
static inline uint32_t ivshmem_ptype_parse(const uint8_t *f, uint32_t len)
{
	uint32_t off = IVSHMEM_ETH_HLEN, l2 = RTE_PTYPE_L2_ETHER;
	uint16_t etype;

	if (len < IVSHMEM_ETH_HLEN)
		return RTE_PTYPE_UNKNOWN;
	etype = ivshmem_ptype_be16(f + 12);
	if (etype == 0x8100) {
		if (len < IVSHMEM_ETH_HLEN + IVSHMEM_VLAN_HLEN)
			return l2;
		l2 = RTE_PTYPE_L2_ETHER_VLAN;
		etype = ivshmem_ptype_be16(f + 16);
		off += IVSHMEM_VLAN_HLEN;
	}
	if (etype == 0x0800)
		return l2 | ivshmem_ptype_ipv4(f, off, len);
	if (etype == 0x86dd)
		return l2 | ivshmem_ptype_ipv6(f, off, len);
	return l2;
}

#endif
