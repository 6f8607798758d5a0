/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem's private state, shared by its files: the queues and the
 * port's internals. Structs (and the inline accessors of this process's bus
 * handle) only: each file's functions are declared in its own header
 * (ivshmem_pmd.h, ivshmem_rxtx.h, ivshmem_doorbell.h, ivshmem_intr.h,
 * ivshmem_stats.h, ivshmem_link.h, ivshmem_attach.h), so that includes run
 * one way as the calls do (doc/architecture.md).
 */
#ifndef IVSHMEM_STATE_H
#define IVSHMEM_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_ether.h>

#include "ivshmem_bus.h"
#include "ivshmem_devargs.h" /* struct ivshmem_port_args */
#include "ivshmem_log.h"
#include "ring_over_shm.h"
#include "ivshm_peer.h"    /* the peer protocol, shared with libivshmem */

/* pmd_internals.retired: what released queues counted (ivshmem_stats.c) */
#define IVSHMEM_RETIRED_COUNTERS 32

struct pmd_internals;
struct rte_eth_dev;
struct rte_device;
struct rte_mbuf;
struct ivshmem_zc;
struct ivshmem_ztx;

struct ivshmem_rxq {
	struct ivshm_rx ch[IVSHM_MAX_QUEUES]; /* channels q, q+nb_rxq, ... */
	uint16_t nb_ch;
	uint16_t mapped_for;    /* Rx queue count the channels were mapped for
				 * (0: not yet), see rxq_map_channels() */
	uint16_t next_ch;       /* round-robin start */
	uint16_t port_id, queue_id;
	struct rte_mempool *mp;
	struct pmd_internals *pmd;
	uint64_t ipackets, ibytes;
	uint64_t nombuf;        /* bursts deferred: mempool empty */
	uint64_t nombuf_mbufs;  /* mbufs those bursts asked for (rx_nombuf) */
	uint64_t dropped;       /* bad descriptors + segments we could not get */
	bool parse_ptypes;      /* fill packet_type (off after set_ptypes(0)) */
	uint64_t cksum_offloads; /* Rx checksum offloads enabled (software) */
	uint64_t queue_offloads; /* the queue's own, from rx_queue_setup */
	uint32_t max_frame;     /* MTU + Ethernet header + one VLAN tag */
	uint32_t mbuf_room;     /* tailroom of a fresh mbuf from mp */
	uint64_t over_mtu;      /* dropped: longer than max_frame */
	bool zero_copy;         /* zero_copy=1: zc[] set for every channel */
	struct ivshmem_zc *zc[IVSHM_MAX_QUEUES]; /* per channel (ivshmem_zc.h) */
} __rte_cache_aligned;

struct ivshmem_txq {
	struct ivshm_tx ch;
	uint16_t queue_id;
	struct pmd_internals *pmd;
	struct ivshmem_ztx *ztx; /* pool mode (zero-copy Tx) or NULL: pmd->ztx[queue_id] */
	uint64_t opackets, obytes;
	uint64_t ring_full;     /* refused: no free descriptor, link up */
	uint64_t peer_down;     /* refused while the link was down */
	uint64_t too_big;       /* dropped: empty or longer than a frame may be */
	uint64_t bad_mbuf;      /* dropped: segment lengths do not add up */
	uint64_t doorbells;
	uint64_t doorbells_deferred; /* requests riding on a held-back one */
} __rte_cache_aligned;

struct pmd_internals {
	struct ivshmem_bus_dev *bus;
	struct ivshmem_port_args args;
	struct ivshm_region region;
	uint16_t peer;
	uint16_t port_id;
	struct rte_ether_addr mac;
	bool started;
	bool ptypes_off;         /* rte_eth_dev_set_ptypes(port, 0, ...) */
	bool rx_intr;            /* Rx interrupts configured */
	struct rte_intr_handle *rx_intr_handle; /* our efd list over the bus's vector fds */
	/* link monitor (runs on the EAL interrupt thread) */
	bool link_up;
	struct ivshm_liveness peer_live; /* timer cycles */
	uint32_t peer_gen;
	uint64_t link_changes;
	bool region_lost;            /* BAR2 truncated by a peer: link stays down */
	/* doorbell rate limit (ivshmem_doorbell.c), shared by the Tx queues
	 * and by processes: atomics */
	uint64_t doorbell_tat;       /* GCRA theoretical arrival, timer cycles */
	uint32_t doorbell_held[IVSHM_MAX_QUEUES]; /* held-back token per Tx queue */
	uint64_t doorbells_late;     /* held-back doorbells rung later */
	/* counted by released queues (ivshmem_stats.c): kept across re-setup */
	uint64_t retired[IVSHMEM_RETIRED_COUNTERS];
	/* zero-copy Tx per Tx queue (ivshmem_ztx.h): outlives a queue
	 * release, so a re-setup keeps the held mbufs; freed at close */
	struct ivshmem_ztx *ztx[IVSHM_MAX_QUEUES];
};

/* This process's bus handle of a port: queue structs and pmd_internals are
 * shared with secondary processes, which map BAR2 themselves (pmd->bus is
 * the primary's private object). */
static inline struct ivshmem_bus_dev *ivshmem_own_bus(uint16_t port)
{
	return rte_eth_devices[port].process_private;
}

/* A peer shrank BAR2 under this process (the guard put zeros in place). */
static inline bool ivshmem_own_bar2_lost(uint16_t port)
{
	const struct ivshmem_bus_dev *bus = ivshmem_own_bus(port);

	return bus != NULL && ivshmem_bus_bar2_lost(bus);
}

/* The per-queue walks (start, stop, stats, reset): queues that are set up. */
#define IVSHMEM_FOREACH_RXQ(dev, q, rxq) \
	for ((q) = 0; (q) < (dev)->data->nb_rx_queues; (q)++) \
		if (((rxq) = (dev)->data->rx_queues[(q)]) == NULL) {} else
#define IVSHMEM_FOREACH_TXQ(dev, q, txq) \
	for ((q) = 0; (q) < (dev)->data->nb_tx_queues; (q)++) \
		if (((txq) = (dev)->data->tx_queues[(q)]) == NULL) {} else

#endif /* IVSHMEM_STATE_H */
