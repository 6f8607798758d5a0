/* SPDX-License-Identifier: BSD-3-Clause
 * Rx and Tx bursts (ivshmem_rxtx.c).
 */
#ifndef IVSHMEM_RXTX_H
#define IVSHMEM_RXTX_H

#include "ivshmem_state.h"

uint16_t ivshmem_rx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb);
uint16_t ivshmem_tx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb);
/* Longest frame Rx delivers at this MTU (header and one VLAN tag on top). */
uint32_t ivshmem_rx_max_frame(uint16_t mtu);
/* True if m's segments (at most nb_segs of them) hold exactly len bytes. */
bool ivshmem_tx_segments_add_up(const struct rte_mbuf *m, uint32_t len);

#endif /* IVSHMEM_RXTX_H */
