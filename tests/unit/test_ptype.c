/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/ivshmem_ptype.h on real frames: IPv4 with and without options,
 * IPv6, 802.1Q, fragments, non-IP, malformed headers, and every truncation
 * of each frame (parsed from a heap copy of exactly that length, so the
 * ASan build catches any read past the end).
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "ivshmem_ptype.h"

#define L2 RTE_PTYPE_L2_ETHER
#define L2V RTE_PTYPE_L2_ETHER_VLAN
#define V4 RTE_PTYPE_L3_IPV4_EXT_UNKNOWN
#define V6 RTE_PTYPE_L3_IPV6_EXT_UNKNOWN

struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void eth(struct frame *f, uint16_t etype, int vlan)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x07 };
	uint8_t et[2] = { (uint8_t)(etype >> 8), (uint8_t)etype };

	f->len = 0;
	put(f, macs, sizeof(macs));
	if (vlan)
		put(f, tag, sizeof(tag));
	put(f, et, sizeof(et));
}

/* IPv4 header with opt_words 32-bit option words and the given flags/offset
 * field, then an l4len-byte L4 header. */
static void ipv4(struct frame *f, uint8_t proto, uint8_t opt_words,
		 uint16_t frag, uint32_t l4len)
{
	uint8_t h[60] = { 0 };
	uint32_t hl = 20 + 4u * opt_words;

	h[0] = (uint8_t)(0x40 | (5 + opt_words));
	h[2] = (uint8_t)((hl + l4len) >> 8), h[3] = (uint8_t)(hl + l4len);
	h[6] = (uint8_t)(frag >> 8), h[7] = (uint8_t)frag;
	h[8] = 64, h[9] = proto;
	h[12] = 10, h[15] = 1, h[16] = 10, h[19] = 2;
	for (uint32_t i = 20; i < hl; i++)
		h[i] = 1; /* NOP options */
	put(f, h, hl);
	memset(f->b + f->len, 0xab, l4len);
	f->len += l4len;
}

static void ipv6(struct frame *f, uint8_t next, uint32_t rest)
{
	uint8_t h[40] = { 0x60 };

	h[4] = (uint8_t)(rest >> 8), h[5] = (uint8_t)rest, h[6] = next, h[7] = 64;
	h[23] = 1, h[39] = 2;
	put(f, h, sizeof(h));
	memset(f->b + f->len, 0, rest);
	f->len += rest;
}

static uint32_t parse_exact(const struct frame *f, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	uint32_t t;

	memcpy(copy, f->b, len);
	t = ivshmem_ptype_parse(copy, len);
	free(copy);
	return t;
}

static int is_supported(uint32_t t)
{
	const uint32_t masks[] = { RTE_PTYPE_L2_MASK, RTE_PTYPE_L3_MASK, RTE_PTYPE_L4_MASK };
	const uint32_t *s;
	int found;

	if (t & ~(RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK))
		return 0;
	for (unsigned int m = 0; m < 3; m++) {
		if ((t & masks[m]) == 0)
			continue;
		found = 0;
		for (s = ivshmem_ptype_supported(); *s != RTE_PTYPE_UNKNOWN; s++)
			found |= *s == (t & masks[m]);
		if (!found)
			return 0;
	}
	return 1;
}

/* Whole frame gives want; every prefix claims only layers whose headers fit:
 * each L3/L4 layer of a prefix is unknown or the whole frame's, and is listed
 * as supported (L2 may be plain Ethernet while a VLAN tag is cut short). */
static int check_frame(const struct frame *f, uint32_t want)
{
	uint32_t t;

	if (parse_exact(f, f->len) != want || !is_supported(want))
		return 0;
	for (uint32_t len = 0; len < f->len; len++) {
		t = parse_exact(f, len);
		if (!is_supported(t) ||
		    ((t & RTE_PTYPE_L3_MASK) && (t & RTE_PTYPE_L3_MASK) != (want & RTE_PTYPE_L3_MASK)) ||
		    ((t & RTE_PTYPE_L4_MASK) && (t & RTE_PTYPE_L4_MASK) != (want & RTE_PTYPE_L4_MASK)))
			return 0;
	}
	return 1;
}

static void test_ipv4(void)
{
	struct frame f;

	eth(&f, 0x0800, 0), ipv4(&f, 17, 0, 0, 8 + 18);
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_UDP));
	CHECK_EQ(parse_exact(&f, 14 + 20 + 8), L2 | V4 | RTE_PTYPE_L4_UDP);
	CHECK_EQ(parse_exact(&f, 14 + 20 + 7), L2 | V4);
	CHECK_EQ(parse_exact(&f, 14 + 19), L2);
	CHECK_EQ(parse_exact(&f, 13), RTE_PTYPE_UNKNOWN);
	eth(&f, 0x0800, 0), ipv4(&f, 1, 0, 0, 8);
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_ICMP));
	eth(&f, 0x0800, 0), ipv4(&f, 47, 0, 0, 8); /* GRE: L4 not ours */
	CHECK(check_frame(&f, L2 | V4));
}

static void test_ipv4_options(void)
{
	struct frame f;

	eth(&f, 0x0800, 0), ipv4(&f, 6, 3, 0x4000 /* DF */, 20);
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_TCP));
	CHECK_EQ(parse_exact(&f, 14 + 32 + 20), L2 | V4 | RTE_PTYPE_L4_TCP);
	CHECK_EQ(parse_exact(&f, 14 + 32 + 19), L2 | V4);
	CHECK_EQ(parse_exact(&f, 14 + 31), L2); /* options cut short */
	eth(&f, 0x0800, 0), ipv4(&f, 6, 10, 0, 20); /* the largest header */
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_TCP));
}

static void test_ipv4_malformed(void)
{
	struct frame f;

	eth(&f, 0x0800, 0), ipv4(&f, 17, 0, 0, 8);
	f.b[14] = 0x44; /* IHL 4 < 5 */
	CHECK(check_frame(&f, L2));
	f.b[14] = 0x65; /* version 6 in an IPv4 ethertype */
	CHECK(check_frame(&f, L2));
	f.b[14] = 0x4f; /* IHL 15: 60 bytes, frame has 28 after L2 */
	CHECK(check_frame(&f, L2));
}

static void test_fragments(void)
{
	struct frame f;

	eth(&f, 0x0800, 0), ipv4(&f, 17, 0, 0x2000 /* MF, offset 0 */, 8);
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_FRAG));
	eth(&f, 0x0800, 0), ipv4(&f, 17, 0, 0x00b9 /* last, offset 185 */, 8);
	CHECK(check_frame(&f, L2 | V4 | RTE_PTYPE_L4_FRAG));
	eth(&f, 0x86dd, 0), ipv6(&f, 44, 8 + 8);
	CHECK(check_frame(&f, L2 | V6 | RTE_PTYPE_L4_FRAG));
	CHECK_EQ(parse_exact(&f, 14 + 40 + 7), L2 | V6);
}

static void test_ipv6(void)
{
	struct frame f;

	eth(&f, 0x86dd, 0), ipv6(&f, 17, 8 + 10);
	CHECK(check_frame(&f, L2 | V6 | RTE_PTYPE_L4_UDP));
	CHECK_EQ(parse_exact(&f, 14 + 40), L2 | V6);
	CHECK_EQ(parse_exact(&f, 14 + 39), L2);
	eth(&f, 0x86dd, 0), ipv6(&f, 6, 20);
	CHECK(check_frame(&f, L2 | V6 | RTE_PTYPE_L4_TCP));
	eth(&f, 0x86dd, 0), ipv6(&f, 58, 8);
	CHECK(check_frame(&f, L2 | V6 | RTE_PTYPE_L4_ICMP));
	eth(&f, 0x86dd, 0), ipv6(&f, 0 /* hop-by-hop: not followed */, 16);
	CHECK(check_frame(&f, L2 | V6));
}

static void test_vlan(void)
{
	struct frame f;

	eth(&f, 0x0800, 1), ipv4(&f, 17, 0, 0, 8);
	CHECK(check_frame(&f, L2V | V4 | RTE_PTYPE_L4_UDP));
	CHECK_EQ(parse_exact(&f, 17), L2);
	CHECK_EQ(parse_exact(&f, 18), L2V);
	eth(&f, 0x86dd, 1), ipv6(&f, 6, 20);
	CHECK(check_frame(&f, L2V | V6 | RTE_PTYPE_L4_TCP));
}

static void test_not_ip(void)
{
	struct frame f;

	eth(&f, 0x0806, 0); /* ARP */
	memset(f.b + f.len, 0, 28), f.len += 28;
	CHECK(check_frame(&f, L2));
	eth(&f, 0x88a8, 0); /* QinQ outer tag: not parsed */
	memset(f.b + f.len, 0, 30), f.len += 30;
	CHECK(check_frame(&f, L2));
}

int main(void)
{
	RUN(test_ipv4);
	RUN(test_ipv4_options);
	RUN(test_ipv4_malformed);
	RUN(test_fragments);
	RUN(test_ipv6);
	RUN(test_vlan);
	RUN(test_not_ip);
	return check_exit_code();
}
