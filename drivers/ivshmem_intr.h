/* SPDX-License-Identifier: BSD-3-Clause
 * Rx interrupts, queue q on vector 1 + q (ivshmem_intr.c).
 */
#ifndef IVSHMEM_INTR_H
#define IVSHMEM_INTR_H

#include "ivshmem_state.h"

int ivshmem_rx_intr_setup(struct rte_eth_dev *dev);
void ivshmem_rx_intr_teardown(struct rte_eth_dev *dev);
int ivshmem_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int ivshmem_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);

#endif /* IVSHMEM_INTR_H */
