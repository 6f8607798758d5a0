/* SPDX-License-Identifier: BSD-3-Clause
 * Zero-copy Tx: the pool-mode burst and its Tx completion; see
 * ivshmem_ztx.h and doc/threat-model.md "Zero-copy Tx".
 */
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "ivshmem_ztx.h"
#include "ivshmem_doorbell.h"
#include "ivshmem_rxtx.h"

#define FRAME_NO_ROOM (-1) /* the ring is short: the frame stays the caller's */
#define FRAME_NO_MBUF (-2) /* the pool is empty: likewise */

struct ivshmem_ztx *ivshmem_ztx_create(const struct ivshmem_txq *txq,
				       struct rte_mempool *mp)
{
	uint32_t size = txq->ch.mask + 1;
	struct ivshmem_ztx *z;

	/* rte_zmalloc: DPDK memory, the held pointers valid in every process */
	z = rte_zmalloc("ivshmem_ztx", sizeof(*z) + size * sizeof(z->held[0]),
			RTE_CACHE_LINE_SIZE);
	if (z == NULL)
		return NULL;
	z->mp = mp;
	z->area = (uintptr_t)txq->ch.bufs;
	z->area_len = (uint64_t)size * txq->ch.buf_size;
	z->mask = size - 1;
	z->done = txq->ch.head;
	z->head = txq->ch.head;
	return z;
}

/* Frees the mbufs of descriptors [done, done + n). */
static void reap(struct ivshmem_ztx *z, uint32_t n)
{
	uint32_t first = z->done & z->mask;
	uint32_t run = RTE_MIN(n, z->mask + 1 - first);

	rte_pktmbuf_free_bulk(&z->held[first], run);
	rte_pktmbuf_free_bulk(&z->held[0], n - run);
	z->done += n;
}

/* Completes up to the consumer's tail as ivshm_tx_space validated it (in
 * [tail_seen, head], never back). A tail behind done can only follow a
 * re-open, where the ring trusts [head - size, head] again: nothing to
 * free then, and nothing is freed twice. */
static uint32_t reap_to(struct ivshmem_ztx *z, uint32_t tail, uint32_t max)
{
	uint32_t n = tail - z->done;

	if (n > z->head - z->done)
		return 0;
	if (max != 0 && n > max)
		n = max;
	reap(z, n);
	return n;
}

uint32_t ivshmem_ztx_complete(struct ivshmem_ztx *z, struct ivshm_tx *ch, uint32_t max)
{
	ivshm_tx_space(ch, ch->mask + 1); /* reads the tail unless nothing is out */
	return reap_to(z, ch->tail_seen, max);
}

void ivshmem_ztx_destroy(struct ivshmem_ztx *z)
{
	if (z == NULL)
		return;
	reap(z, z->head - z->done);
	rte_free(z);
}

void ivshmem_ztx_reopened(struct ivshmem_ztx *z, const struct ivshm_tx *ch)
{
	if (ch->head == z->head)
		return;
	IVSHMEM_LOG(WARNING, "Tx channel head moved from %u to %u while its queue was "
		    "released: %u zero-copy mbufs freed", z->head, ch->head,
		    ivshmem_ztx_held(z));
	reap(z, z->head - z->done);
	z->done = ch->head;
	z->head = ch->head;
}

int ivshmem_ztx_done_cleanup(void *queue, uint32_t free_cnt)
{
	struct ivshmem_txq *txq = queue;

	if (txq->ztx == NULL)
		return 0; /* copy mode frees every mbuf in tx_burst */
	return (int)ivshmem_ztx_complete(txq->ztx, &txq->ch, free_cnt);
}

/* A pool mbuf of one segment: published where its data lies, held. Its
 * data range is checked against the area by ivshm_tx_set_at (the pool
 * pointer alone says nothing about data_off and data_len; an address
 * below the area wraps to a huge offset). Returns 1, or 0 when dropped. */
static inline int send_in_place(struct ivshmem_txq *txq, struct ivshmem_ztx *z,
				struct rte_mbuf *m, uint32_t slot)
{
	uintptr_t off = rte_pktmbuf_mtod(m, uintptr_t) - z->area;

	if (unlikely(m->pkt_len != m->data_len ||
		     !ivshm_tx_set_at(&txq->ch, slot, off, m->data_len, 0))) {
		z->refused++;
		txq->bad_mbuf++;
		rte_pktmbuf_free(m);
		return 0;
	}
	z->held[(txq->ch.head + slot) & z->mask] = m;
	return 1;
}

/* segs mbufs of the pool into held[] from descriptor position pos, or none. */
static bool take_buffers(struct ivshmem_ztx *z, uint32_t pos, uint32_t segs)
{
	uint32_t k;

	for (k = 0; k < segs; k++) {
		z->held[(pos + k) & z->mask] = rte_pktmbuf_alloc(z->mp);
		if (z->held[(pos + k) & z->mask] == NULL)
			break;
	}
	if (k == segs)
		return true;
	while (k-- > 0)
		rte_pktmbuf_free(z->held[(pos + k) & z->mask]);
	return false;
}

/* Any other frame (another pool, several segments, longer than a buffer):
 * copied into whole buffers of the pool, chained when it needs several,
 * each held by its descriptor. Returns the descriptors used (0: dropped,
 * counted), or FRAME_NO_ROOM / FRAME_NO_MBUF. */
static __rte_noinline int send_copy(struct ivshmem_txq *txq, struct ivshmem_ztx *z,
				    struct rte_mbuf *m, uint32_t slot, uint32_t space)
{
	struct ivshm_tx *ch = &txq->ch;
	uint32_t len = m->pkt_len, segs = ivshm_tx_segs(ch, len), k, off, chunk;
	uint32_t pos = ch->head + slot;
	const void *src;
	uint8_t *dst;

	if (len == 0 || len > IVSHM_MAX_CHAIN_LEN || segs > z->mask + 1) {
		txq->too_big++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (!ivshmem_tx_segments_add_up(m, len)) {
		txq->bad_mbuf++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (segs > space)
		return FRAME_NO_ROOM;
	if (!take_buffers(z, pos, segs))
		return FRAME_NO_MBUF;
	for (k = 0, off = 0; k < segs; k++, off += chunk) {
		chunk = RTE_MIN(len - off, ch->buf_size);
		dst = z->held[(pos + k) & z->mask]->buf_addr; /* the whole buffer */
		src = rte_pktmbuf_read(m, off, chunk, dst);
		if (src != dst)
			rte_memcpy(dst, src, chunk);
	}
	/* Every descriptor store publishes (layout 3.0): the chain's last
	 * segment first, its first one last, so a consumer that sees the
	 * first sees them all. Inside the area: the pool's buffers are. */
	for (k = segs; k-- > 0;) {
		dst = z->held[(pos + k) & z->mask]->buf_addr;
		chunk = k + 1 < segs ? ch->buf_size : len - k * ch->buf_size;
		ivshm_tx_set_at(ch, slot + k, (uintptr_t)dst - z->area, chunk,
				k + 1 < segs ? IVSHM_DESC_F_MORE : 0);
	}
	rte_pktmbuf_free(m);
	z->copied++;
	return (int)segs;
}

/* A secondary's burst on a queue in pool mode: refused, said once per
 * process (the flag is this process's memory). */
static __rte_noinline uint16_t refuse_secondary(struct ivshmem_txq *txq, uint16_t nb)
{
	static bool said;

	if (!said) {
		said = true;
		IVSHMEM_LOG(ERR, "port %u Tx queue %u is in zero-copy pool mode: a secondary "
			    "process cannot send on it (frames refused, xstat "
			    "tx_zero_copy_refused)", txq->pmd->port_id, txq->queue_id);
	}
	txq->ztx->refused += nb;
	return 0;
}

/* Frames the burst left to the caller: the reason counted as it happens. */
static void count_left(struct ivshmem_txq *txq, uint32_t n, int why)
{
	if (why == FRAME_NO_MBUF)
		txq->ztx->no_mbuf += n;
	else if (__atomic_load_n(&txq->pmd->link_up, __ATOMIC_RELAXED))
		txq->ring_full += n;
	else
		txq->peer_down += n;
}

uint16_t ivshmem_ztx_burst(struct ivshmem_txq *txq, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_ztx *z = txq->ztx;
	struct ivshm_tx *ch = &txq->ch;
	uint32_t space, slot = 0, frames = 0, in_place = 0, len, i;
	uint64_t bytes = 0;
	int used = FRAME_NO_ROOM;
	uint32_t token;

	/* The free of a held mbuf and the pool are shared memory, but this
	 * path is tested in the primary only: refuse rather than guess. */
	if (unlikely(rte_eal_process_type() != RTE_PROC_PRIMARY))
		return refuse_secondary(txq, nb);
	if (unlikely(ivshmem_own_bar2_lost(txq->pmd->port_id))) {
		txq->peer_down += nb;
		return 0;
	}
	space = ivshm_tx_space(ch, ch->mask + 1);
	reap_to(z, ch->tail_seen, 0); /* completion first: the pool refills */
	for (i = 0; i < nb && slot < space; i++) {
		len = bufs[i]->pkt_len;
		if (likely(bufs[i]->pool == z->mp && bufs[i]->next == NULL)) {
			used = send_in_place(txq, z, bufs[i], slot);
			in_place += (uint32_t)used;
		} else {
			used = send_copy(txq, z, bufs[i], slot, space - slot);
		}
		if (used < 0)
			break;
		slot += (uint32_t)used;
		frames += used != 0;
		bytes += used != 0 ? len : 0;
	}
	token = ivshm_tx_publish(ch, slot);
	z->head = ch->head;
	z->frames += in_place;
	if (unlikely(token != IVSHM_WAKE_NONE))
		ivshmem_doorbell_request(txq, token);
	txq->opackets += frames;
	txq->obytes += bytes;
	if (i < nb)
		count_left(txq, nb - i, used);
	return (uint16_t)i;
}
