/* SPDX-License-Identifier: BSD-3-Clause
 * Helpers shared by the unit tests: a zeroed, page-aligned region in private
 * memory stands in for BAR2 (the library never makes syscalls).
 */
#ifndef IVSHM_TESTS_REGION_FIXTURE_H
#define IVSHM_TESTS_REGION_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "ring_over_shm.h"

static inline void *region_alloc(uint64_t size)
{
	void *p = aligned_alloc(4096, (size + 4095) & ~(uint64_t)4095);

	if (p == NULL)
		abort();
	memset(p, 0, size);
	return p;
}

static inline struct ivshm_wire_hdr *region_hdr(void *base)
{
	return (struct ivshm_wire_hdr *)base;
}

static inline struct ivshm_wire_peer *region_peer(void *base, unsigned int id)
{
	return (struct ivshm_wire_peer *)((uint8_t *)base + 256) + id;
}

/* Descriptor d as a producer publishes it for free-running position pos
 * of a ring of 2^shift slots: with pos's lap tag (layout 3.0). */
static inline uint64_t desc_at(uint64_t d, uint32_t pos, uint32_t shift)
{
	return (d & ~((uint64_t)0xff << 56)) | (uint64_t)IVSHM_LAP_TAG(pos, shift) << 56;
}

#endif /* IVSHM_TESTS_REGION_FIXTURE_H */
