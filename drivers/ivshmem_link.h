/* SPDX-License-Identifier: BSD-3-Clause
 * Link state: monitor, link_update (ivshmem_link.c); the liveness rule is
 * lib/ivshm_peer.c's.
 */
#ifndef IVSHMEM_LINK_H
#define IVSHMEM_LINK_H

#include "ivshmem_state.h"

#define IVSHMEM_HEARTBEAT_US   IVSHM_HEARTBEAT_US    /* heartbeat, link check period */
#define IVSHMEM_LINK_TIMEOUT_US IVSHM_LINK_TIMEOUT_US /* peer silent: link down */

void ivshmem_link_start(struct rte_eth_dev *dev);
void ivshmem_link_port_started(struct pmd_internals *pmd, bool started);
void ivshmem_link_stop(struct rte_eth_dev *dev);
int ivshmem_link_update(struct rte_eth_dev *dev, int wait);

#endif /* IVSHMEM_LINK_H */
