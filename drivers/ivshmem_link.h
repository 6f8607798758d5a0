/* SPDX-License-Identifier: BSD-3-Clause
 * Link state: monitor, liveness rule, link_update (ivshmem_link.c).
 */
#ifndef IVSHMEM_LINK_H
#define IVSHMEM_LINK_H

#include "ivshmem_state.h"

#define IVSHMEM_HEARTBEAT_US   10000u /* heartbeat and link check period */
#define IVSHMEM_LINK_TIMEOUT_US 60000u /* peer silent this long: link down */

void ivshmem_link_start(struct rte_eth_dev *dev);
void ivshmem_link_port_started(struct pmd_internals *pmd, bool started);
void ivshmem_link_stop(struct rte_eth_dev *dev);
int ivshmem_link_update(struct rte_eth_dev *dev, int wait);
/* True if peer id's heartbeat stays still for two link timeouts (its
 * process stopped), false as soon as it moves. */
bool ivshmem_link_peer_silent(struct ivshm_region *r, uint16_t id);

#endif /* IVSHMEM_LINK_H */
