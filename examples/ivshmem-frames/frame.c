/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-frames: building and checking frames (frame.h).
 */
#include "frame.h"

#include <string.h>

#define ETH_HDR_LEN   14u
#define ETHERTYPE     0x88b5u
#define FRAME_MAGIC   0x464c5649u /* "IVLF" */
#define BODY_OFF      (ETH_HDR_LEN + 12u) /* magic, seq, len */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

uint32_t frame_size(uint32_t seq, uint32_t min, uint32_t max)
{
	uint32_t x = seq * 2654435761u;

	return min + (max > min ? (x >> 8) % (max - min + 1) : 0);
}

void frame_build(uint8_t *buf, uint32_t len, uint32_t seq, const uint8_t dst[6],
		 const uint8_t src[6])
{
	uint32_t i, x = seq | 1u;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = ETHERTYPE >> 8;
	buf[13] = ETHERTYPE & 0xff;
	put32(buf + ETH_HDR_LEN, FRAME_MAGIC);
	put32(buf + ETH_HDR_LEN + 4, seq);
	put32(buf + ETH_HDR_LEN + 8, len);
	for (i = BODY_OFF; i < len - 4; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5; /* xorshift32 */
		buf[i] = (uint8_t)x;
	}
	put32(buf + len - 4, fnv1a(buf, len - 4));
}

const char *frame_check(const uint8_t *buf, uint32_t len, uint32_t *seq)
{
	if (len < FRAME_MIN_LEN)
		return "shorter than a checked frame";
	if (buf[12] != ETHERTYPE >> 8 || buf[13] != (ETHERTYPE & 0xff) ||
	    get32(buf + ETH_HDR_LEN) != FRAME_MAGIC)
		return "not a checked frame (ethertype or magic)";
	*seq = get32(buf + ETH_HDR_LEN + 4);
	if (get32(buf + ETH_HDR_LEN + 8) != len)
		return "length differs from the one it was sent with";
	if (get32(buf + len - 4) != fnv1a(buf, len - 4))
		return "checksum mismatch";
	return NULL;
}

bool frame_is_txonly(const uint8_t *buf, uint32_t len)
{
	return len >= 42 && buf[12] == 0x08 && buf[13] == 0x00 && /* IPv4 */
	       (buf[14] >> 4) == 4 && buf[23] == 17;               /* UDP */
}
