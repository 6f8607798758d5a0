/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-frames: checked frames. An Ethernet frame (ethertype 0x88b5, the
 * IEEE local experimental one) carrying a magic, a sequence number, its own
 * length, bytes derived from the sequence number, and an FNV-1a checksum of
 * everything before it in its last 4 bytes.
 */
#ifndef IVSHMEM_FRAMES_FRAME_H
#define IVSHMEM_FRAMES_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_MIN_LEN 64u  /* header, magic, seq, len, checksum and some */
#define FRAME_MAX_LEN 65535u

/* Size of frame seq between min and max (a spread, the same for both ends). */
uint32_t frame_size(uint32_t seq, uint32_t min, uint32_t max);
/* Writes frame seq of len bytes (FRAME_MIN_LEN..FRAME_MAX_LEN) into buf. */
void frame_build(uint8_t *buf, uint32_t len, uint32_t seq, const uint8_t dst[6],
		 const uint8_t src[6]);
/* Checks a received frame; *seq gets its sequence number. Returns NULL if
 * it is intact, else what is wrong. */
const char *frame_check(const uint8_t *buf, uint32_t len, uint32_t *seq);
/* True for testpmd's txonly frames: IPv4 + UDP, 64 bytes by default. */
bool frame_is_txonly(const uint8_t *buf, uint32_t len);

#endif /* IVSHMEM_FRAMES_FRAME_H */
