/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem private state, shared by the ethdev ops, the link monitor and
 * the probe code.
 */
#ifndef IVSHMEM_PMD_H
#define IVSHMEM_PMD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_log.h>

#include "ivshmem_bus.h"
#include "ivshmem_devargs.h"
#include "ring_over_shm.h"

extern int ivshmem_logtype;
#define IVSHMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ivshmem_logtype, "net_ivshmem: " fmt "\n", \
		##__VA_ARGS__)

#define IVSHMEM_HEARTBEAT_US   10000u /* heartbeat and link check period */
#define IVSHMEM_LINK_TIMEOUT_US 60000u /* peer silent this long: link down */

struct pmd_internals;
struct rte_eth_dev;
struct rte_device;

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
	uint32_t max_frame;     /* MTU + Ethernet header + one VLAN tag */
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
} __rte_cache_aligned;

struct pmd_internals {
	struct ivshmem_bus_dev *bus;
	struct ivshmem_devargs args;
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
	uint64_t peer_heartbeat;
	uint32_t peer_gen;
	uint64_t peer_last_seen;     /* timer cycles */
	uint64_t link_changes;
	bool region_lost;            /* BAR2 truncated by a peer: link stays down */
};

/* ivshmem_link.c */
void ivshmem_link_start(struct rte_eth_dev *dev);
void ivshmem_link_stop(struct rte_eth_dev *dev);

/* ivshmem_pmd.c: creates the ethdev on top of an opened bus device. Takes
 * ownership of bus (closed on failure). */
int ivshmem_eth_create(struct rte_device *rdev, const char *name,
		       struct ivshmem_bus_dev *bus,
		       const struct ivshmem_devargs *args, struct rte_eth_dev **out);
int ivshmem_eth_destroy(struct rte_eth_dev *dev);
/* Secondary process: the port the primary created, over this process's own
 * bus handle (BAR2 at the primary's address). Takes ownership of bus. */
int ivshmem_eth_attach_secondary(struct rte_device *rdev, const char *name,
				 struct ivshmem_bus_dev *bus);

/* ivshmem_bus_pci.c: args supplies the own id where the device has no server. */
struct rte_pci_device;
int ivshmem_bus_pci_open(struct rte_pci_device *pdev, const struct ivshmem_devargs *args,
			 struct ivshmem_bus_dev **out);
/* Secondary: BARs are already mapped at the primary's addresses by DPDK's
 * PCI bus; the handle rings doorbells through BAR0, has no interrupts. */
int ivshmem_bus_pci_open_secondary(struct rte_pci_device *pdev,
				   struct ivshmem_bus_dev **out);

#endif /* IVSHMEM_PMD_H */
