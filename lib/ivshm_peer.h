/* SPDX-License-Identifier: BSD-3-Clause
 * The peer protocol of ivshmem-pmd above the BAR2 layout, written once for
 * every implementation of a port (the PMD in drivers/, libivshmem): the
 * liveness rule, when a peer's link is up, which peer a port talks to, the
 * MAC a port derives, and when a stalled format is taken over.
 * Plain C11, no syscalls: the caller supplies the clock (any monotonic
 * unit, the same for `now` and the timeouts).
 */
#ifndef IVSHM_PEER_H
#define IVSHM_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "ring_over_shm.h"

#define IVSHM_HEARTBEAT_US     10000u  /* heartbeat and link check period */
#define IVSHM_LINK_TIMEOUT_US  60000u  /* peer silent this long: link down */
#define IVSHM_FORMAT_STALL_MS  1000u   /* a format unchanged this long was
					* left by a peer that died mid-format */

/* A peer's heartbeat as last seen. */
struct ivshm_liveness {
	uint64_t heartbeat;
	uint64_t last_seen; /* caller's clock when it last moved */
};

void ivshm_liveness_reset(struct ivshm_liveness *l, uint64_t heartbeat, uint64_t now);
/* The liveness rule: feeds one sample of the peer's heartbeat; true once it
 * has not moved for `timeout`. */
bool ivshm_liveness_stopped(struct ivshm_liveness *l, uint64_t heartbeat,
			    uint64_t now, uint64_t timeout);

/* True if peer id's heartbeat stays still for `timeout` (its process
 * stopped), false as soon as it moves. Samples it after each nap() (about
 * 1 ms), on the caller's clock now(). */
bool ivshm_peer_silent(const struct ivshm_region *r, uint16_t id, uint64_t timeout,
		       uint64_t (*now)(void), void (*nap)(void));

/* One sample of the link to `peer`, for a port that is ready itself.
 * Returns NULL when the peer is up (attached and ready, heartbeat moving,
 * the generation seen before), else why not, for a log. A new generation
 * (the peer restarted) is reported down once, so the flap is seen. */
const char *ivshm_link_peer_down_reason(const struct ivshm_region *r, uint16_t peer,
					struct ivshm_liveness *l, uint32_t *peer_gen,
					uint64_t now, uint64_t timeout);

/* The peer a port talks to: `want` (-1: the other one of a two-peer
 * region). IVSHM_OK, IVSHM_EINVAL (none given on a region of more than two
 * peers) or IVSHM_EPEERID (not another peer of the region). */
int ivshm_choose_peer(const struct ivshm_geometry *g, uint16_t me, int want,
		      uint16_t *peer);

/* The MAC a port takes without one given: locally administered, "iv",
 * then the peer id. */
void ivshm_mac_derived(uint16_t id, uint8_t mac[6]);

/* Watching a format in progress (attach said IVSHM_EBUSY). */
struct ivshm_format_watch {
	uint32_t seen;  /* format_state as last read (UINT32_MAX: none yet) */
	uint64_t since; /* when it last changed */
};
void ivshm_format_watch_init(struct ivshm_format_watch *w, uint64_t now);
/* Feeds format_state as read now; true when it stayed FORMATTING for
 * `stall`: then call ivshm_region_format_takeover with w->seen (the watch
 * restarts its clock). */
bool ivshm_format_stalled(struct ivshm_format_watch *w, uint32_t state,
			  uint64_t now, uint64_t stall);

/* The clock of a port: any monotonic unit, per_ms of it to a millisecond;
 * nap() sleeps about 1 ms. */
struct ivshm_port_clock {
	uint64_t (*now)(void);
	void (*nap)(void);
	uint64_t per_ms;
};

/* What ivshm_port_attach did on the way, for the caller's log. */
enum ivshm_attach_event {
	IVSHM_ATTACH_EV_FORMAT_REDONE, /* a stalled format taken over: formatted again */
	IVSHM_ATTACH_EV_FORMAT_LOST,   /* a stalled format another peer took over first */
	IVSHM_ATTACH_EV_ID_TAKEOVER,   /* our id held by a silent peer: taken over */
};
#define IVSHM_ATTACH_DEADLINE_MS 5000u /* waiting for another peer's format */

/* Attaches peer `me` the way a port does: entering as STOPPED (ready
 * comes with ivshm_region_set_ready); formatting a blank region with
 * `want`; while another peer formats, waiting (up to
 * IVSHM_ATTACH_DEADLINE_MS) and taking over a format that stalled for
 * IVSHM_FORMAT_STALL_MS; taking our id over from a holder whose heartbeat
 * stays still for two link timeouts. Returns ivshm_region_attach's result,
 * or IVSHM_EINUSE when the holder of our id is alive. event (may be NULL)
 * hears each step above. */
int ivshm_port_attach(struct ivshm_region *r, void *base, uint64_t size, uint16_t me,
		      const struct ivshm_geometry *want, const struct ivshm_port_clock *clk,
		      void (*event)(void *arg, enum ivshm_attach_event ev), void *arg);

#endif /* IVSHM_PEER_H */
