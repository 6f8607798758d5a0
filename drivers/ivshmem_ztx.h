/* SPDX-License-Identifier: BSD-3-Clause
 * Zero-copy Tx (ivshmem_ztx.c): a Tx queue in "pool mode" owns a pktmbuf
 * pool whose data buffers are the queue's Tx buffers in BAR2
 * (rte_pmd_ivshmem_tx_pool_create). A frame already in one of them is
 * published where it lies; any other frame is copied into a buffer taken
 * from the pool. Either way the descriptor holds an mbuf of the pool, freed
 * once the consumer's tail has passed the descriptor: owning the mbuf is
 * owning the buffer, so nothing we published is ever written again.
 *
 * Who runs what: the Tx lcore (tx_burst, tx_done_cleanup) publishes and
 * frees; control ops (stop, queue setup, close) run with the queue idle,
 * as ethdev requires. See doc/threat-model.md "Zero-copy Tx".
 */
#ifndef IVSHMEM_ZTX_H
#define IVSHMEM_ZTX_H

#include <stdint.h>

#include "ivshmem_state.h"

/* A queue's zero-copy Tx state, in DPDK memory (never in BAR2). */
struct ivshmem_ztx {
	struct rte_mempool *mp;  /* the application's pool over the area */
	uintptr_t area;          /* the channel's Tx buffer area, this mapping */
	uint64_t area_len;       /* ring_size x buf_size */
	uint32_t mask;
	uint32_t done;           /* descriptors before it are completed: freed */
	uint32_t head;           /* the channel's head after our last publish */
	uint64_t frames;         /* published without a copy */
	uint64_t copied;         /* copied into a buffer of the pool */
	uint64_t no_mbuf;        /* frames left to the caller: pool empty */
	uint64_t refused;        /* pool mbufs dropped: data outside the area;
				  * frames refused in a secondary process */
	struct rte_mbuf *held[]; /* per descriptor position [done, head) */
};

/* Pool mode for txq over pool mp (its buffers are txq's area); NULL if
 * out of memory. The caller checked that no descriptor is in flight. */
struct ivshmem_ztx *ivshmem_ztx_create(const struct ivshmem_txq *txq,
				       struct rte_mempool *mp);
/* Close: frees every mbuf still held (the port no longer publishes; the
 * pool is whole again), then the state. */
void ivshmem_ztx_destroy(struct ivshmem_ztx *z);
/* The queue was set up again over the channel ch (same head, new
 * generation): keep the held mbufs, or free them all if the head we find is
 * not the one we left (the ring was written under us). */
void ivshmem_ztx_reopened(struct ivshmem_ztx *z, const struct ivshm_tx *ch);
/* Frees the mbufs of completed descriptors, at most max (0: all), reading
 * the consumer's tail again; returns how many. */
uint32_t ivshmem_ztx_complete(struct ivshmem_ztx *z, struct ivshm_tx *ch, uint32_t max);
/* Mbufs held now (descriptors published and not completed). */
static inline uint32_t ivshmem_ztx_held(const struct ivshmem_ztx *z)
{
	return z->head - z->done;
}
/* tx_burst of a queue in pool mode (ivshmem_tx_burst branches here). */
uint16_t ivshmem_ztx_burst(struct ivshmem_txq *txq, struct rte_mbuf **bufs, uint16_t nb);
/* The tx_done_cleanup op: frees completed mbufs (pool mode; a copy-mode
 * queue holds none). */
int ivshmem_ztx_done_cleanup(void *queue, uint32_t free_cnt);

#endif /* IVSHMEM_ZTX_H */
