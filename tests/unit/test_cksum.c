/* SPDX-License-Identifier: BSD-3-Clause
 * Software Rx checksum offload (drivers/ivshmem_cksum.h) on real frames:
 * good, bad IPv4 header, bad UDP/TCP payload, lengths that lie, fragments.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "../check.h"
#include "ivshmem_cksum.h"
#include "ivshmem_ptype.h"

#define ALL IVSHMEM_RX_CKSUM_OFFLOADS

static uint8_t buf[2048];
static struct rte_mbuf mb;

/* Ethernet + IPv4 + UDP (or TCP) + 64 B payload, checksums correct. */
static uint32_t build(uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	uint32_t l4len = proto == IPPROTO_UDP ? 8 : 20, len = 14 + 20 + l4len + 64;

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0xc6120001);
	for (uint32_t i = 14 + 20 + l4len; i < len; i++)
		buf[i] = (uint8_t)(i * 7);
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4len + 64));
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	} else {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

		t->data_off = 5 << 4;
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(&mb, 0, sizeof(mb));
	mb.buf_addr = buf;
	mb.data_len = (uint16_t)len;
	mb.pkt_len = len;
	mb.nb_segs = 1;
	return len;
}

static uint64_t flags(uint64_t offloads)
{
	return ivshmem_rx_cksum_flags(&mb, ivshmem_ptype_parse(buf, mb.data_len), offloads);
}

static void test_good(void)
{
	build(IPPROTO_UDP);
	CHECK_EQ(flags(ALL), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	build(IPPROTO_TCP);
	CHECK_EQ(flags(ALL), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	CHECK_EQ(flags(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM), RTE_MBUF_F_RX_IP_CKSUM_GOOD);
}

static void test_bad(void)
{
	build(IPPROTO_UDP);
	buf[14 + 8] ^= 1; /* TTL: header checksum now wrong */
	CHECK_EQ(flags(ALL) & RTE_MBUF_F_RX_IP_CKSUM_MASK, RTE_MBUF_F_RX_IP_CKSUM_BAD);
	build(IPPROTO_TCP);
	buf[mb.data_len - 1] ^= 0x40; /* payload */
	CHECK_EQ(flags(ALL), RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD);
}

static void test_lengths_that_lie_and_fragments(void)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);

	build(IPPROTO_UDP);
	ip->total_length = rte_cpu_to_be_16(1500); /* more than the frame holds */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CHECK_EQ(flags(ALL), RTE_MBUF_F_RX_IP_CKSUM_GOOD); /* L4 unknown, no overread */
	build(IPPROTO_UDP);
	ip->version_ihl = 0x4f; /* 60 B header claimed */
	mb.data_len = 14 + 40;
	CHECK_EQ(flags(ALL), 0);
	build(IPPROTO_UDP);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CHECK_EQ(flags(ALL), RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	build(IPPROTO_UDP);
	buf[12] = 0x86; /* not IPv4 */
	buf[13] = 0xdd;
	CHECK_EQ(flags(ALL), 0);
}

int main(void)
{
	RUN(test_good);
	RUN(test_bad);
	RUN(test_lengths_that_lie_and_fragments);
	return check_exit_code();
}
