/* SPDX-License-Identifier: BSD-3-Clause
 * The peer protocol above the BAR2 layout (ivshm_peer.h): one
 * implementation for the PMD and libivshmem.
 */
#include "ivshm_peer.h"

#include <string.h>

void ivshm_liveness_reset(struct ivshm_liveness *l, uint64_t heartbeat, uint64_t now)
{
	l->heartbeat = heartbeat;
	l->last_seen = now;
}

bool ivshm_liveness_stopped(struct ivshm_liveness *l, uint64_t heartbeat,
			    uint64_t now, uint64_t timeout)
{
	if (heartbeat != l->heartbeat)
		ivshm_liveness_reset(l, heartbeat, now);
	return now - l->last_seen >= timeout;
}

bool ivshm_peer_silent(const struct ivshm_region *r, uint16_t id, uint64_t timeout,
		       uint64_t (*now)(void), void (*nap)(void))
{
	struct ivshm_liveness l;
	struct ivshm_peer_view v;
	uint64_t start = now();

	ivshm_peer_read(r, id, &v);
	ivshm_liveness_reset(&l, v.heartbeat, start);
	do {
		nap();
		ivshm_peer_read(r, id, &v);
		if (ivshm_liveness_stopped(&l, v.heartbeat, now(), timeout))
			return true;
	} while (l.last_seen == start); /* a move means alive: answer at once */
	return false;
}

const char *ivshm_link_peer_down_reason(const struct ivshm_region *r, uint16_t peer,
					struct ivshm_liveness *l, uint32_t *peer_gen,
					uint64_t now, uint64_t timeout)
{
	struct ivshm_peer_view v;

	if (ivshm_peer_read(r, peer, &v) != IVSHM_OK ||
	    (v.state != IVSHM_PEER_UP && v.state != IVSHM_PEER_STOPPED))
		return "peer not attached";
	if (v.generation != *peer_gen) {
		/* A restart: report down once so apps see the flap. */
		*peer_gen = v.generation;
		ivshm_liveness_reset(l, v.heartbeat, now);
		return "peer (re)attached";
	}
	if (ivshm_liveness_stopped(l, v.heartbeat, now, timeout))
		return "peer heartbeat stopped";
	if (v.state == IVSHM_PEER_STOPPED)
		return "peer port stopped";
	return NULL;
}

int ivshm_choose_peer(const struct ivshm_geometry *g, uint16_t me, int want,
		      uint16_t *peer)
{
	if (want < 0 && g->max_peers == 2)
		want = 1 - me;
	if (want < 0)
		return IVSHM_EINVAL;
	if ((uint32_t)want >= g->max_peers || want == me)
		return IVSHM_EPEERID;
	*peer = (uint16_t)want;
	return IVSHM_OK;
}

void ivshm_mac_derived(uint16_t id, uint8_t mac[6])
{
	const uint8_t derived[6] = { 0x02, 0x69, 0x76, 0x00, (uint8_t)(id >> 8),
				     (uint8_t)id };

	memcpy(mac, derived, sizeof(derived));
}

void ivshm_format_watch_init(struct ivshm_format_watch *w, uint64_t now)
{
	w->seen = UINT32_MAX;
	w->since = now;
}

bool ivshm_format_stalled(struct ivshm_format_watch *w, uint32_t state,
			  uint64_t now, uint64_t stall)
{
	if (state != w->seen) {
		w->seen = state;
		w->since = now;
		return false;
	}
	if (IVSHM_FORMAT_STATE(state) != IVSHM_FORMAT_FORMATTING ||
	    now - w->since < stall)
		return false;
	w->since = now;
	return true;
}

static void tell(void (*event)(void *, enum ivshm_attach_event), void *arg,
		 enum ivshm_attach_event ev)
{
	if (event != NULL)
		event(arg, ev);
}

int ivshm_port_attach(struct ivshm_region *r, void *base, uint64_t size, uint16_t me,
		      const struct ivshm_geometry *want, const struct ivshm_port_clock *clk,
		      void (*event)(void *arg, enum ivshm_attach_event ev), void *arg)
{
	uint64_t deadline = clk->now() + IVSHM_ATTACH_DEADLINE_MS * clk->per_ms;
	uint64_t silent = 2 * (IVSHM_LINK_TIMEOUT_US / 1000u) * clk->per_ms;
	unsigned int flags = IVSHM_ATTACH_FORMAT | IVSHM_ATTACH_STOPPED;
	struct ivshm_format_watch watch;
	int rc;

	ivshm_format_watch_init(&watch, clk->now());
	for (;;) {
		rc = ivshm_region_attach(r, base, size, me, want, flags);
		if (rc == IVSHM_EBUSY && clk->now() < deadline) {
			if (!ivshm_format_stalled(&watch, ivshm_region_format_state(base),
						  clk->now(), IVSHM_FORMAT_STALL_MS * clk->per_ms))
				clk->nap();
			else if (ivshm_region_format_takeover(base, size, want, me,
							      watch.seen) == IVSHM_OK)
				tell(event, arg, IVSHM_ATTACH_EV_FORMAT_REDONE);
			else
				tell(event, arg, IVSHM_ATTACH_EV_FORMAT_LOST);
			continue;
		}
		if (rc != IVSHM_EINUSE || (flags & IVSHM_ATTACH_TAKEOVER))
			return rc;
		/* The failed attach left the geometry in r for peer_read. */
		if (!ivshm_peer_silent(r, me, silent, clk->now, clk->nap))
			return IVSHM_EINUSE;
		tell(event, arg, IVSHM_ATTACH_EV_ID_TAKEOVER);
		flags |= IVSHM_ATTACH_TAKEOVER;
	}
}
