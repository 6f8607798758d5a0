/* SPDX-License-Identifier: BSD-3-Clause
 * Zero-copy Rx (devarg zero_copy=1, ivshmem_zc.c): Rx mbufs whose data is
 * the peer's buffer in BAR2, attached as external buffers; each slot goes
 * back to the peer once its mbuf is freed, in any order, on any lcore.
 *
 * Who writes what: the free callback (any lcore) only clears its slot's
 * busy flag; the one lcore polling the queue advances the consumer tail
 * past the contiguous prefix of slots no longer busy. So the tail keeps
 * one writer. See doc/threat-model.md "Zero-copy Rx".
 */
#ifndef IVSHMEM_ZC_H
#define IVSHMEM_ZC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "ring_over_shm.h"

/* One slot of a channel: its external buffer's shared info, whose free
 * callback finds the channel through zc. */
struct ivshmem_zc_slot {
	struct rte_mbuf_ext_shared_info shinfo;
	struct ivshmem_zc *zc;
	uint8_t busy;   /* an mbuf holds the slot (atomic: set by Rx, cleared
			 * by the free callback) */
	uint8_t held;   /* Rx lcore only: delivered in generation gen, the
			 * tail not yet past it */
};

/* A channel's zero-copy state, in DPDK memory (rte_zmalloc, never in
 * BAR2): hugepages, shared with secondary processes. */
struct ivshmem_zc {
	uint32_t refs;       /* atomic: 1 for the queue + one per busy slot;
			      * the last one frees the state */
	uint32_t mask;
	uint32_t bound;      /* most slots held (tail..read position) before
			      * Rx copies instead */
	uint32_t returned;   /* tail given back to the peer (Rx lcore only) */
	uint32_t gen;        /* producer generation the held slots belong to */
	uint64_t zc_frames;  /* delivered without a copy */
	uint64_t zc_copied;  /* copied: beyond the bound, or slot still busy */
	struct ivshmem_zc_slot slot[];
};

/* Zero-copy state for a channel of ring_size slots, bound ring_size / 2;
 * NULL if out of memory. */
struct ivshmem_zc *ivshmem_zc_create(uint32_t ring_size, int socket);
/* The queue lets go of zc: freed now, or by the free callback of its last
 * held mbuf (whose data stays readable until the port is closed). */
void ivshmem_zc_release(struct ivshmem_zc *zc);

/* Every slot of ch is consumed and not yet given back: the producer
 * cannot publish (so it rings no doorbell) until we give some back. */
static inline bool ivshmem_zc_blocks_producer(const struct ivshmem_zc *zc,
					      const struct ivshm_rx *ch)
{
	return ch->tail - zc->returned >= ch->ring_size;
}

/* Mbufs of zc the application still holds. */
static inline uint32_t ivshmem_zc_outstanding(const struct ivshmem_zc *zc)
{
	return __atomic_load_n(&zc->refs, __ATOMIC_RELAXED) - 1;
}

/* Before a burst on ch: a new producer generation forgets the held slots
 * (never returned into the new producer's ring), then gives back the
 * contiguous prefix of slots whose mbufs were freed. */
void ivshmem_zc_sync(struct ivshmem_zc *zc, struct ivshm_rx *ch);
/* Ready index i of ch may go zero-copy: inside the bound, slot not busy. */
static inline bool ivshmem_zc_can_hold(const struct ivshmem_zc *zc,
				       const struct ivshm_rx *ch, uint32_t i)
{
	uint32_t pos = ch->tail + i;

	return pos - zc->returned < zc->bound &&
	       !__atomic_load_n(&zc->slot[pos & zc->mask].busy, __ATOMIC_ACQUIRE);
}
/* Attaches m to the data of ready index i (validated by ivshm_rx_get) and
 * holds its slot until m is freed; ivshmem_zc_held() counts the burst's. */
static inline void ivshmem_zc_attach(struct ivshmem_zc *zc, const struct ivshm_rx *ch,
				     uint32_t i, struct rte_mbuf *m, const uint8_t *data,
				     uint32_t len)
{
	struct ivshmem_zc_slot *s = &zc->slot[(ch->tail + i) & zc->mask];

	__atomic_store_n(&s->busy, 1, __ATOMIC_RELAXED);
	s->held = 1;
	rte_mbuf_ext_refcnt_set(&s->shinfo, 1);
	/* BAR2 is not DPDK memory: no IOVA, as for any other host memory */
	rte_pktmbuf_attach_extbuf(m, (void *)(uintptr_t)data, RTE_BAD_IOVA,
				  (uint16_t)len, &s->shinfo);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}
/* n slots of this burst were attached: one reference each, taken before
 * the application can free them. */
static inline void ivshmem_zc_held(struct ivshmem_zc *zc, uint32_t n)
{
	if (n == 0)
		return;
	__atomic_add_fetch(&zc->refs, n, __ATOMIC_RELAXED);
	zc->zc_frames += n;
}

#endif /* IVSHMEM_ZC_H */
