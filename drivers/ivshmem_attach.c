/* SPDX-License-Identifier: BSD-3-Clause
 * Attaching a net_ivshmem port to its region: format a blank BAR2 or wait
 * for the peer formatting it (taking over a format whose writer stopped),
 * take over our id from a peer that stopped, then pick the peer and the
 * MAC address.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>

#include "ivshmem_attach.h"
#include "ivshmem_link.h"

static int choose_peer(struct pmd_internals *pmd)
{
	const struct ivshm_geometry *g = &pmd->region.geo;
	int peer = pmd->args.peer;

	if (peer < 0 && g->max_peers == 2)
		peer = 1 - pmd->bus->id;
	if (peer < 0) {
		IVSHMEM_LOG(ERR, "%s: the region has %u peers: devarg peer= is required",
			    pmd->bus->name, g->max_peers);
		return -EINVAL;
	}
	if ((uint32_t)peer >= g->max_peers || peer == pmd->bus->id) {
		IVSHMEM_LOG(ERR, "%s: peer=%d is not another peer of this region "
			    "(own id %u, max_peers %u)", pmd->bus->name, peer,
			    pmd->bus->id, g->max_peers);
		return -EINVAL;
	}
	pmd->peer = (uint16_t)peer;
	return 0;
}

/* A format takes microseconds; one that has not moved for this long was
 * left by a peer that died mid-format and is taken over. */
#define IVSHMEM_FORMAT_STALL_MS 1000u

/* Called while attach says EBUSY: waits 1 ms, and takes the format over
 * once format_state has not changed for IVSHMEM_FORMAT_STALL_MS. */
static void wait_for_formatter(struct pmd_internals *pmd, uint32_t *seen,
			       uint64_t *seen_since)
{
	struct ivshmem_bus_dev *bus = pmd->bus;
	uint32_t now_state = ivshm_region_format_state(bus->bar2);
	uint64_t now = rte_get_timer_cycles();
	int rc;

	if (now_state != *seen) {
		*seen = now_state;
		*seen_since = now;
	} else if (IVSHM_FORMAT_STATE(now_state) == IVSHM_FORMAT_FORMATTING &&
		   now - *seen_since >= rte_get_timer_hz() / 1000 * IVSHMEM_FORMAT_STALL_MS) {
		rc = ivshm_region_format_takeover(bus->bar2, bus->bar2_size,
						  &pmd->args.geo, bus->id, now_state);
		IVSHMEM_LOG(NOTICE, "%s: the region stayed in FORMATTING for %u ms "
			    "(its formatter stopped): %s", bus->name,
			    IVSHMEM_FORMAT_STALL_MS, rc == IVSHM_OK ?
			    "formatted it again" : "another peer took it over");
		*seen_since = now;
		return;
	}
	rte_delay_us_sleep(1000);
}

/* Attaches to BAR2, waiting for a concurrent formatter (taking over one
 * that stopped) and taking the id over from a peer whose heartbeat has
 * stopped. */
static int attach_region(struct pmd_internals *pmd)
{
	struct ivshmem_bus_dev *bus = pmd->bus;
	uint64_t deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	uint64_t seen_since = rte_get_timer_cycles();
	/* STOPPED until the port starts: a peer must not take us for ready */
	unsigned int flags = IVSHM_ATTACH_FORMAT | IVSHM_ATTACH_STOPPED;
	uint32_t seen = UINT32_MAX;
	int rc;

	for (;;) {
		rc = ivshm_region_attach(&pmd->region, bus->bar2, bus->bar2_size,
					 bus->id, &pmd->args.geo, flags);
		if (rc == IVSHM_EBUSY && rte_get_timer_cycles() < deadline) {
			wait_for_formatter(pmd, &seen, &seen_since);
			continue;
		}
		if (rc != IVSHM_EINUSE || (flags & IVSHM_ATTACH_TAKEOVER))
			break;
		/* Someone holds our id: take it over only if it is silent. The
		 * failed attach left the geometry in pmd->region for peer_read. */
		if (!ivshmem_link_peer_silent(&pmd->region, bus->id)) {
			IVSHMEM_LOG(ERR, "%s: peer id %u is already attached and alive "
				    "(two peers claim the same id)", bus->name, bus->id);
			return -EADDRINUSE;
		}
		IVSHMEM_LOG(NOTICE, "%s: taking over id %u from a peer that stopped",
			    bus->name, bus->id);
		flags |= IVSHM_ATTACH_TAKEOVER;
	}
	if (rc == IVSHM_ETOOSMALL)
		IVSHMEM_LOG(ERR, "%s: BAR2 is %" PRIu64 " bytes, the geometry max_peers=%u "
			    "queues=%u ring_size=%u buf_size=%u needs %" PRIu64 ": lower any "
			    "of max_peers, queues, ring_size, buf_size, or give a larger "
			    "region (size=, the server's -l; formula in doc/bar2-layout.md)",
			    bus->name, bus->bar2_size, pmd->args.geo.max_peers,
			    pmd->args.geo.queues, pmd->args.geo.ring_size,
			    pmd->args.geo.buf_size, ivshm_layout_size(&pmd->args.geo));
	else if (rc != IVSHM_OK)
		IVSHMEM_LOG(ERR, "%s: cannot attach to BAR2 as peer %u: %s", bus->name,
			    bus->id, ivshm_strerror(rc));
	return rc == IVSHM_OK ? 0 : -EINVAL;
}

/* A region formatted before us (by a peer, or by an earlier run: a shm=
 * file outlives its processes) keeps its geometry: say so for each
 * geometry devarg asked for that the region does not have. */
static void note_geometry_not_honoured(const struct pmd_internals *pmd)
{
	static const struct {
		const char *key;
		uint32_t bit;
		size_t off;
	} fields[] = {
		{ "max_peers", IVSHMEM_GIVEN_MAX_PEERS, offsetof(struct ivshm_geometry, max_peers) },
		{ "queues", IVSHMEM_GIVEN_QUEUES, offsetof(struct ivshm_geometry, queues) },
		{ "ring_size", IVSHMEM_GIVEN_RING_SIZE, offsetof(struct ivshm_geometry, ring_size) },
		{ "buf_size", IVSHMEM_GIVEN_BUF_SIZE, offsetof(struct ivshm_geometry, buf_size) },
	};
	const uint8_t *want = (const uint8_t *)&pmd->args.geo;
	const uint8_t *have = (const uint8_t *)&pmd->region.geo;
	uint32_t w, h;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		memcpy(&w, want + fields[i].off, sizeof(w));
		memcpy(&h, have + fields[i].off, sizeof(h));
		if ((pmd->args.geo_given & fields[i].bit) && w != h)
			IVSHMEM_LOG(NOTICE, "%s: devarg %s=%u not honoured: the region "
				    "was formatted before (by a peer, or an earlier run: a "
				    "shm= file outlives its processes) with %s=%u, adopted",
				    pmd->bus->name, fields[i].key, w, fields[i].key, h);
	}
}

static void choose_mac(struct pmd_internals *pmd)
{
	/* Locally administered, "iv", then our peer id. */
	const uint8_t derived[6] = { 0x02, 0x69, 0x76, 0x00,
				     (uint8_t)(pmd->bus->id >> 8), (uint8_t)pmd->bus->id };

	memcpy(pmd->mac.addr_bytes, pmd->args.has_mac ? pmd->args.mac : derived, 6);
	ivshm_region_set_mac(&pmd->region, pmd->mac.addr_bytes);
}

int ivshmem_attach(struct pmd_internals *pmd)
{
	int rc = attach_region(pmd);

	if (rc == 0) {
		note_geometry_not_honoured(pmd);
		rc = choose_peer(pmd);
	}
	if (rc == 0)
		choose_mac(pmd);
	return rc;
}
