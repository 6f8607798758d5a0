/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: a read-only view of a BAR2 region. Validates a private copy
 * of the header (nothing in the region is trusted) and samples the peer
 * table and every channel's control lines with plain atomic loads: it never
 * writes, so it works on a PROT_READ mapping. No DPDK.
 */
#ifndef STAT_REGION_H
#define STAT_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring_over_shm.h"

/* A region whose header passed validation. */
struct stat_view {
	const uint8_t *base;
	uint64_t size;
	struct ivshm_wire_hdr hdr;  /* the validated copy */
	struct ivshm_region region; /* for ivshm_peer_read(): reads only */
	uint64_t nchan;             /* max_peers * (max_peers - 1) * queues */
};

/* One channel's control lines as read now. */
struct stat_chan {
	uint16_t prod, cons, queue;
	uint32_t head, tail, prod_gen, ack_gen, gen_start, need_wakeup;
};

/* One reading of the whole region. */
struct stat_sample {
	int64_t at_ms;               /* ivshm_now_ms() clock */
	uint32_t format_state;
	struct ivshm_peer_view *peers; /* max_peers entries */
	struct stat_chan *chans;       /* nchan entries */
};

/* Validates the region [base, base + size). Returns 0, or -1 with a
 * one-line reason in err (blank, half-formatted, foreign, other version,
 * inconsistent header, too small). */
int stat_view_open(struct stat_view *v, const void *base, uint64_t size,
		   char *err, size_t errlen);

/* Allocates a sample for v; 0 or -1 (out of memory). */
int stat_sample_alloc(const struct stat_view *v, struct stat_sample *s);
void stat_sample_free(struct stat_sample *s);
/* Reads the peer table and every channel of v into s. */
void stat_sample_read(const struct stat_view *v, struct stat_sample *s);

/* Descriptors queued in a channel (head - tail), or -1 when head and tail
 * are inconsistent (the producer's head is not in [tail, tail + ring]). */
int64_t stat_chan_fill(const struct stat_view *v, const struct stat_chan *c);

/* Heartbeat ages: when each peer's heartbeat (or generation) was last seen
 * to change. The heartbeat is a counter, so its age needs two readings. */
struct stat_ages {
	uint32_t n;
	int64_t since_ms;     /* first reading */
	uint64_t *heartbeat;  /* as last read */
	uint32_t *generation;
	int64_t *changed_ms;  /* -1: no change seen since since_ms */
};
int stat_ages_init(struct stat_ages *a, const struct stat_view *v,
		   const struct stat_sample *first);
void stat_ages_update(struct stat_ages *a, const struct stat_sample *s);
/* Milliseconds since peer p's heartbeat last moved, as of s; -1 when it has
 * not moved since the first reading. */
int64_t stat_age_ms(const struct stat_ages *a, uint32_t p, const struct stat_sample *s);
void stat_ages_free(struct stat_ages *a);

const char *stat_peer_state_name(uint32_t state);
const char *stat_format_state_name(uint32_t format_state);

#endif /* STAT_REGION_H */
