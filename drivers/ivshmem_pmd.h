/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem's ethdev (ivshmem_pmd.c): ops and port creation, for the
 * probe. Files of the PMD:
 *   ivshmem_pmd.c      ethdev ops (configure, start/stop, queues), creation
 *   ivshmem_rxtx.c     Rx/Tx bursts
 *   ivshmem_doorbell.c doorbells to the peer, rate-limited
 *   ivshmem_intr.c     Rx interrupts
 *   ivshmem_stats.c    stats and xstats
 *   ivshmem_link.c     link state: monitor, liveness rule, link_update
 *   ivshmem_attach.c   attaching to the region: format wait, id takeover
 *   ivshmem_probe.c    PCI driver and vdev, devargs to bus device to port
 *   ivshmem_mp.c       secondary processes
 *   ivshmem_zc.c       zero-copy Rx (zero_copy=1)
 *   ivshmem_ztx.c      zero-copy Tx: the pool-mode burst, Tx completion
 *   rte_pmd_ivshmem.c  the public API (rte_pmd_ivshmem.h): the Tx pool
 * each with its own header; ivshmem_state.h is the state they share.
 */
#ifndef IVSHMEM_PMD_H
#define IVSHMEM_PMD_H

#include "ivshmem_state.h"

struct rte_device;

/* Creates the ethdev on top of an opened bus device. Takes ownership of
 * bus (closed on failure). */
int ivshmem_eth_create(struct rte_device *rdev, const char *name,
		       struct ivshmem_bus_dev *bus,
		       const struct ivshmem_port_args *args, struct rte_eth_dev **out);
int ivshmem_eth_destroy(struct rte_eth_dev *dev);
/* Secondary process: the port the primary created, over this process's own
 * bus handle (BAR2 at the primary's address). Takes ownership of bus. */
int ivshmem_eth_attach_secondary(struct rte_device *rdev, const char *name,
				 struct ivshmem_bus_dev *bus);

#endif /* IVSHMEM_PMD_H */
