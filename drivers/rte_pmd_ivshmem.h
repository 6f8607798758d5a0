/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef RTE_PMD_IVSHMEM_H
#define RTE_PMD_IVSHMEM_H

/**
 * @file
 * net_ivshmem specific API: zero-copy Tx.
 *
 * A Tx queue of a net_ivshmem port can own a pktmbuf pool whose packet
 * data buffers are the queue's own Tx buffers in the shared region (BAR2).
 * Frames built in mbufs of that pool are published where they lie, without
 * a copy; the PMD frees each one once the peer has consumed it. Frames from
 * any other pool (or of several segments) are still accepted: they are
 * copied into a buffer taken from the Tx pool. See doc/nic-guide.md,
 * "Zero-copy Tx".
 *
 * Rules:
 * - Each buffer is buf_size bytes (the region's geometry) and keeps
 *   RTE_PKTMBUF_HEADROOM in front of the data: a frame built in place has
 *   buf_size - RTE_PKTMBUF_HEADROOM bytes of room (a 1514 B frame needs
 *   buf_size >= 2048).
 * - The pool has ring_size mbufs. An mbuf the application keeps is a buffer
 *   the queue cannot use: hold few, free or send them soon.
 * - Mbuf headers and every PMD state live in DPDK memory; only the packet
 *   data lies in BAR2. The data of an mbuf sent is readable by the peer
 *   until the PMD frees it.
 * - Lifetime: the pool must be freed (rte_mempool_free) only after the
 *   port is closed; no mbuf of it may be used after the close (BAR2 is
 *   unmapped then). rte_eth_dev_close() frees the mbufs the queue holds.
 * - Primary process only: the pool cannot be created in a secondary, and
 *   a secondary's rte_eth_tx_burst() on a queue in pool mode sends nothing
 *   (counted in the xstat tx_zero_copy_refused).
 */

#include <stdint.h>

#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Creates the zero-copy Tx pool of a Tx queue and puts the queue in pool
 * mode. Call it after rte_eth_tx_queue_setup() and before the first
 * rte_eth_tx_burst() on the queue (the port may be started, the queue must
 * be idle, with no frame in flight).
 *
 * @param port_id
 *   A net_ivshmem port.
 * @param tx_queue_id
 *   One of its Tx queues, set up.
 * @param name
 *   Name of the mempool (unique among mempools).
 * @param cache_size
 *   Per-lcore cache of the mempool (see rte_mempool_create(); at most
 *   ring_size / 1.5).
 * @return
 *   The pool (ring_size mbufs of data room buf_size), or NULL with
 *   rte_errno set:
 *   - ENODEV: no such port;
 *   - EINVAL: not a net_ivshmem port, queue not set up, name NULL, a
 *     buf_size that leaves no room after the headroom or exceeds 65535, or
 *     a cache_size the mempool refuses;
 *   - E_RTE_SECONDARY: called in a secondary process;
 *   - EEXIST: the queue has a pool already (or the name is taken);
 *   - EBUSY: frames are in flight on the queue;
 *   - ENOMEM: out of memory.
 */
struct rte_mempool *rte_pmd_ivshmem_tx_pool_create(uint16_t port_id, uint16_t tx_queue_id,
						   const char *name,
						   unsigned int cache_size);

/**
 * The zero-copy Tx pool of a Tx queue.
 *
 * @param port_id
 *   A net_ivshmem port.
 * @param tx_queue_id
 *   One of its Tx queues.
 * @return
 *   The pool made by rte_pmd_ivshmem_tx_pool_create(), or NULL with
 *   rte_errno set: ENODEV or EINVAL as there, ENOENT if the queue has none.
 */
struct rte_mempool *rte_pmd_ivshmem_tx_pool_get(uint16_t port_id, uint16_t tx_queue_id);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_IVSHMEM_H */
