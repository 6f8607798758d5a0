/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem private state and the functions its files give each other:
 *   ivshmem_pmd.c     ethdev ops (configure, start/stop, queues), creation
 *   ivshmem_rxtx.c    Rx/Tx bursts
 *   ivshmem_doorbell.c doorbells to the peer, rate-limited
 *   ivshmem_intr.c    Rx interrupts
 *   ivshmem_stats.c   stats and xstats
 *   ivshmem_link.c    link state: monitor, liveness rule, link_update
 *   ivshmem_attach.c  attaching to the region: format wait, id takeover
 *   ivshmem_probe.c   PCI driver and vdev, devargs to bus device to port
 *   ivshmem_mp.c      secondary processes
 */
#ifndef IVSHMEM_PMD_H
#define IVSHMEM_PMD_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "ivshmem_bus.h"
#include "ivshmem_devargs.h" /* struct ivshmem_port_args */
#include "ring_over_shm.h"

extern int ivshmem_logtype;
#define IVSHMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ivshmem_logtype, "net_ivshmem: " fmt "\n", \
		##__VA_ARGS__)

#define IVSHMEM_HEARTBEAT_US   10000u /* heartbeat and link check period */
#define IVSHMEM_LINK_TIMEOUT_US 60000u /* peer silent this long: link down */

#define IVSHMEM_RETIRED_COUNTERS 32

struct pmd_internals;
struct rte_eth_dev;
struct rte_device;
struct rte_mbuf;

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
} __rte_cache_aligned;

struct ivshmem_txq {
	struct ivshm_tx ch;
	uint16_t queue_id;
	struct pmd_internals *pmd;
	uint64_t opackets, obytes;
	uint64_t ring_full;     /* refused: no free descriptor, link up */
	uint64_t peer_down;     /* refused while the link was down */
	uint64_t too_big;       /* dropped: empty or longer than a frame may be */
	uint64_t bad_mbuf;      /* dropped: segment lengths do not add up */
	uint64_t doorbells;
	uint64_t doorbells_deferred; /* requests riding on a held-back one */
} __rte_cache_aligned;

/* A peer's heartbeat as last seen, for the liveness rule (ivshmem_link.c). */
struct ivshmem_liveness {
	uint64_t heartbeat;
	uint64_t last_seen;     /* timer cycles when it last moved */
};

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
	struct ivshmem_liveness peer_live;
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

/* ivshmem_rxtx.c */
uint16_t ivshmem_rx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb);
uint16_t ivshmem_tx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb);
/* Longest frame Rx delivers at this MTU (header and one VLAN tag on top). */
uint32_t ivshmem_rx_max_frame(uint16_t mtu);

/* ivshmem_doorbell.c: the consumer asked for a doorbell (a wake token
 * from shared memory): ring it, or hold it back under the rate limit. */
void ivshmem_doorbell_request(struct ivshmem_txq *txq, uint32_t token);
/* Rings every held-back doorbell now and cancels the alarm (stop, close):
 * the frames they announce are in the peer's rings. */
void ivshmem_doorbell_stop(struct pmd_internals *pmd);

/* ivshmem_intr.c */
int ivshmem_rx_intr_setup(struct rte_eth_dev *dev);
void ivshmem_rx_intr_teardown(struct rte_eth_dev *dev);
int ivshmem_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int ivshmem_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);

/* ivshmem_stats.c */
struct rte_eth_stats;
struct rte_eth_xstat;
struct rte_eth_xstat_name;
int ivshmem_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int ivshmem_stats_reset(struct rte_eth_dev *dev);
void ivshmem_stats_retire_rxq(struct pmd_internals *pmd, const struct ivshmem_rxq *rxq);
void ivshmem_stats_retire_txq(struct pmd_internals *pmd, const struct ivshmem_txq *txq);
int ivshmem_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n);
int ivshmem_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			     unsigned int n);

/* ivshmem_link.c */
void ivshmem_link_start(struct rte_eth_dev *dev);
void ivshmem_link_port_started(struct pmd_internals *pmd, bool started);
void ivshmem_link_stop(struct rte_eth_dev *dev);
int ivshmem_link_update(struct rte_eth_dev *dev, int wait);
/* True if peer id's heartbeat stays still for two link timeouts (its
 * process stopped), false as soon as it moves. */
bool ivshmem_link_peer_silent(struct ivshm_region *r, uint16_t id);

/* ivshmem_attach.c: attaches pmd to its bus device's BAR2 (formatting it
 * if blank, waiting for or taking over a formatter, taking over the id of
 * a silent peer), then picks the peer and the MAC address. */
int ivshmem_attach(struct pmd_internals *pmd);

/* ivshmem_pmd.c: creates the ethdev on top of an opened bus device. Takes
 * ownership of bus (closed on failure). */
int ivshmem_eth_create(struct rte_device *rdev, const char *name,
		       struct ivshmem_bus_dev *bus,
		       const struct ivshmem_port_args *args, struct rte_eth_dev **out);
int ivshmem_eth_destroy(struct rte_eth_dev *dev);
/* Secondary process: the port the primary created, over this process's own
 * bus handle (BAR2 at the primary's address). Takes ownership of bus. */
int ivshmem_eth_attach_secondary(struct rte_device *rdev, const char *name,
				 struct ivshmem_bus_dev *bus);

#endif /* IVSHMEM_PMD_H */
