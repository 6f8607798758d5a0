/* SPDX-License-Identifier: BSD-3-Clause
 * Bit helpers shared by the plain-C layers (lib/, host/).
 */
#ifndef IVSHM_BITS_H
#define IVSHM_BITS_H

#include <stdbool.h>
#include <stdint.h>

static inline bool ivshm_is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* v rounded up to a multiple of a, a power of two. */
static inline uint64_t ivshm_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* log2 of x, a power of two. */
static inline uint32_t ivshm_log2(uint64_t x)
{
	uint32_t n = 0;

	while (x > 1) {
		x >>= 1;
		n++;
	}
	return n;
}

#endif /* IVSHM_BITS_H */
