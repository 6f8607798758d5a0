/* SPDX-License-Identifier: BSD-3-Clause
 * Link monitor of net_ivshmem: from probe to close, every
 * IVSHMEM_HEARTBEAT_US on the EAL interrupt thread, it bumps our heartbeat
 * and decides whether the peer is up (our port started; the peer's state UP,
 * i.e. its port started too, heartbeat moving, same generation). Our entry
 * says STOPPED from attach until our port starts and again once it stops:
 * a peer sees us neither before we can take traffic nor after.
 * It need not wait for the peer to sync to our generation: what we send
 * before it does is kept (it resumes at our generation's start), so two
 * apps that each wait for link up before polling cannot deadlock.
 * Changes raise LSC.
 * The data path never depends on it: it only reports.
 * The liveness rule and the link decision are the ring library's
 * (lib/ivshm_peer.c), shared with libivshmem; this file runs them on EAL
 * timers.
 */
#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_cycles.h>

#include "ivshmem_link.h"

/* In timer cycles: converting the clock to microseconds would overflow
 * (cycles * 10^6 wraps after ~1.7 h of uptime at 3 GHz). */
static uint64_t link_timeout_cycles(const struct pmd_internals *pmd)
{
	return rte_get_timer_hz() / 1000ull * pmd->args.link_timeout_ms;
}

/* A peer shrank BAR2 and the bus guard put zeros in its place: final, the
 * region is gone for this port. Said once, at error level. */
static const char *region_lost_reason(struct pmd_internals *pmd)
{
	if (!pmd->region_lost) {
		pmd->region_lost = true;
		IVSHMEM_LOG(ERR, "%s: region truncated by a peer (%" PRIu64 " bus errors "
			    "absorbed, BAR2 now reads zeros): link down until the port "
			    "is closed", pmd->bus->name,
			    ivshmem_bar2_guard_faults(pmd->bus->bar2_guard));
	}
	return "region truncated by a peer";
}

int ivshmem_link_update(struct rte_eth_dev *dev, int wait)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = __atomic_load_n(&pmd->link_up, __ATOMIC_RELAXED) ?
			       RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	RTE_SET_USED(wait);
	return rte_eth_linkstatus_set(dev, &link);
}

static void link_tick(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct pmd_internals *pmd = dev->data->dev_private;
	const char *why;
	bool up;

	if (pmd == NULL || pmd->bus == NULL)
		return;
	ivshm_region_heartbeat(&pmd->region);
	/* Like a NIC, the link is down while the port is stopped. */
	if (ivshmem_bus_bar2_lost(pmd->bus))
		why = region_lost_reason(pmd);
	else if (!__atomic_load_n(&pmd->started, __ATOMIC_ACQUIRE))
		why = "port stopped";
	else
		why = ivshm_link_peer_down_reason(&pmd->region, pmd->peer, &pmd->peer_live,
						  &pmd->peer_gen, rte_get_timer_cycles(),
						  link_timeout_cycles(pmd));
	up = why == NULL;
	/* Re-armed before the callbacks: an application that closes the port
	 * from its LSC callback cancels this very alarm (ivshmem_link_stop).
	 * A check after the callback could not tell our port from one created
	 * again in the same slot with its private data at the same address. */
	rte_eal_alarm_set(IVSHMEM_HEARTBEAT_US, link_tick, dev);
	if (up == __atomic_load_n(&pmd->link_up, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&pmd->link_up, up, __ATOMIC_RELAXED);
	pmd->link_changes++;
	IVSHMEM_LOG(NOTICE, "%s: link %s (peer %u%s%s)", pmd->bus->name,
		    up ? "up" : "down", pmd->peer, up ? "" : ": ", up ? "" : why);
	ivshmem_link_update(dev, 0);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	/* pmd may be freed here: nothing after the callbacks */
}

/* Our port's state as the peer sees it (the peer table entry), and as our
 * own monitor sees it. */
void ivshmem_link_port_started(struct pmd_internals *pmd, bool started)
{
	ivshm_region_set_ready(&pmd->region, started);
	__atomic_store_n(&pmd->started, started, __ATOMIC_RELEASE);
}

void ivshmem_link_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	ivshm_region_heartbeat(&pmd->region);
	rte_eal_alarm_set(IVSHMEM_HEARTBEAT_US, link_tick, dev);
}

void ivshmem_link_stop(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	rte_eal_alarm_cancel(link_tick, dev);
	if (__atomic_load_n(&pmd->link_up, __ATOMIC_RELAXED)) {
		__atomic_store_n(&pmd->link_up, false, __ATOMIC_RELAXED);
		ivshmem_link_update(dev, 0);
	}
}
