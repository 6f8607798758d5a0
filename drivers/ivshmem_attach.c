/* SPDX-License-Identifier: BSD-3-Clause
 * Attaching a net_ivshmem port to its region: format a blank BAR2 or wait
 * for the peer formatting it (taking over a format whose writer stopped),
 * take over our id from a peer that stopped (the ring library's
 * ivshm_port_attach, shared with libivshmem), then pick the peer and the
 * MAC address.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>

#include "ivshmem_attach.h"

static int choose_peer(struct pmd_internals *pmd)
{
	const struct ivshm_geometry *g = &pmd->region.geo;
	int rc = ivshm_choose_peer(g, pmd->bus->id, pmd->args.peer, &pmd->peer);

	if (rc == IVSHM_EINVAL)
		IVSHMEM_LOG(ERR, "%s: the region has %u peers: devarg peer= is required",
			    pmd->bus->name, g->max_peers);
	else if (rc != IVSHM_OK)
		IVSHMEM_LOG(ERR, "%s: peer=%d is not another peer of this region "
			    "(own id %u, max_peers %u)", pmd->bus->name, pmd->args.peer,
			    pmd->bus->id, g->max_peers);
	return rc == IVSHM_OK ? 0 : -EINVAL;
}

static uint64_t timer_now(void)
{
	return rte_get_timer_cycles();
}

static void nap_1ms(void)
{
	rte_delay_us_sleep(1000);
}

static void attach_event(void *arg, enum ivshm_attach_event ev)
{
	const struct pmd_internals *pmd = arg;

	if (ev == IVSHM_ATTACH_EV_ID_TAKEOVER)
		IVSHMEM_LOG(NOTICE, "%s: taking over id %u from a peer that stopped",
			    pmd->bus->name, pmd->bus->id);
	else
		IVSHMEM_LOG(NOTICE, "%s: the region stayed in FORMATTING for %u ms "
			    "(its formatter stopped): %s", pmd->bus->name,
			    IVSHM_FORMAT_STALL_MS, ev == IVSHM_ATTACH_EV_FORMAT_REDONE ?
			    "formatted it again" : "another peer took it over");
}

/* Attaches to BAR2 by the ring library's rule for a port (waiting for a
 * concurrent formatter, taking over one that stopped, taking the id over
 * from a peer whose heartbeat has stopped), on EAL's clock. */
static int attach_region(struct pmd_internals *pmd)
{
	struct ivshmem_bus_dev *bus = pmd->bus;
	const struct ivshm_port_clock clock = { timer_now, nap_1ms, rte_get_timer_hz() / 1000 };
	int rc = ivshm_port_attach(&pmd->region, bus->bar2, bus->bar2_size, bus->id,
				   &pmd->args.geo, &clock, attach_event, pmd);

	if (rc == IVSHM_EINUSE) {
		IVSHMEM_LOG(ERR, "%s: peer id %u is already attached and alive "
			    "(two peers claim the same id)", bus->name, bus->id);
		return -EADDRINUSE;
	}
	if (rc == IVSHM_ETOOSMALL)
		IVSHMEM_LOG(ERR, "%s: BAR2 is %" PRIu64 " bytes, the geometry max_peers=%u "
			    "queues=%u ring_size=%u buf_size=%u inline_size=%u needs %" PRIu64
			    ": lower any of max_peers, queues, ring_size, buf_size, "
			    "inline_size, or give a larger region (size=, the server's -l; "
			    "formula in doc/bar2-layout.md)",
			    bus->name, bus->bar2_size, pmd->args.geo.max_peers,
			    pmd->args.geo.queues, pmd->args.geo.ring_size,
			    pmd->args.geo.buf_size, pmd->args.geo.inline_size,
			    ivshm_layout_size(&pmd->args.geo));
	else if (rc == IVSHM_EVERSION) {
		char why[320];

		IVSHMEM_LOG(ERR, "%s: cannot attach to BAR2 as peer %u: %s", bus->name,
			    bus->id, ivshm_version_refusal(bus->bar2, why, sizeof(why)));
	} else if (rc != IVSHM_OK)
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
		{ "inline_size", IVSHMEM_GIVEN_INLINE_SIZE,
		  offsetof(struct ivshm_geometry, inline_size) },
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
	if (pmd->args.has_mac)
		memcpy(pmd->mac.addr_bytes, pmd->args.mac, 6);
	else
		ivshm_mac_derived(pmd->bus->id, pmd->mac.addr_bytes);
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
