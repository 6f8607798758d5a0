/* SPDX-License-Identifier: BSD-3-Clause
 * The PMD-specific public API (rte_pmd_ivshmem.h): the zero-copy Tx pool
 * of a Tx queue. Checks its arguments and builds the pool; the data path
 * is ivshmem_ztx.c.
 */
#include <errno.h>

#include <ethdev_driver.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "rte_pmd_ivshmem.h"
#include "ivshmem_rxtx.h"
#include "ivshmem_ztx.h"

/* Tx queue q of a net_ivshmem port, set up; or a negative errno, said. */
static int tx_queue_of(uint16_t port, uint16_t q, struct ivshmem_txq **txq)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port)) {
		IVSHMEM_LOG(ERR, "port %u: no such port", port);
		return -ENODEV;
	}
	dev = &rte_eth_devices[port];
	if (dev->tx_pkt_burst != ivshmem_tx_burst) {
		IVSHMEM_LOG(ERR, "port %u (%s): not a net_ivshmem port", port, dev->data->name);
		return -EINVAL;
	}
	if (q >= dev->data->nb_tx_queues || dev->data->tx_queues[q] == NULL) {
		IVSHMEM_LOG(ERR, "port %u: Tx queue %u is not set up", port, q);
		return -EINVAL;
	}
	*txq = dev->data->tx_queues[q];
	return 0;
}

/* The queue may get a pool now: a primary, none yet, a usable geometry, and
 * no descriptor in flight (its buffer would become a pool buffer the
 * application may write while the peer reads it). */
static int pool_allowed(struct ivshmem_txq *txq, uint16_t port, const char *name)
{
	struct ivshm_tx *ch = &txq->ch;
	uint32_t size = ch->mask + 1;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IVSHMEM_LOG(ERR, "port %u: the zero-copy Tx pool is made by the primary "
			    "process only", port);
		return -E_RTE_SECONDARY;
	}
	if (txq->pmd->ztx[txq->queue_id] != NULL) {
		IVSHMEM_LOG(ERR, "port %u: Tx queue %u has a zero-copy Tx pool already (%s)",
			    port, txq->queue_id, txq->pmd->ztx[txq->queue_id]->mp->name);
		return -EEXIST;
	}
	if (name == NULL)
		return -EINVAL;
	if (ch->buf_size <= RTE_PKTMBUF_HEADROOM || ch->buf_size > UINT16_MAX) {
		IVSHMEM_LOG(ERR, "port %u: buf_size %u cannot be a pktmbuf data room (%u B of "
			    "headroom, at most %u B)", port, ch->buf_size,
			    RTE_PKTMBUF_HEADROOM, UINT16_MAX);
		return -EINVAL;
	}
	if (ivshm_tx_space(ch, size) < size) {
		IVSHMEM_LOG(ERR, "port %u: Tx queue %u has %u frames in flight: make the pool "
			    "before the first Tx burst (or once the peer has read them)",
			    port, txq->queue_id, size - ivshm_tx_space(ch, size));
		return -EBUSY;
	}
	return 0;
}

/* ring_size mbufs whose buffers are the channel's buf_size buffers. */
static struct rte_mempool *pool_over_area(const struct ivshmem_txq *txq, const char *name,
					  unsigned int cache_size)
{
	const struct ivshm_tx *ch = &txq->ch;
	struct rte_pktmbuf_extmem area = {
		.buf_ptr = ch->bufs,
		.buf_iova = RTE_BAD_IOVA, /* BAR2 is not DPDK memory */
		.buf_len = (size_t)(ch->mask + 1) * ch->buf_size,
		.elt_size = (uint16_t)ch->buf_size,
	};

	return rte_pktmbuf_pool_create_extbuf(name, ch->mask + 1, cache_size, 0,
					      (uint16_t)ch->buf_size, SOCKET_ID_ANY, &area, 1);
}

struct rte_mempool *rte_pmd_ivshmem_tx_pool_create(uint16_t port_id, uint16_t tx_queue_id,
						   const char *name, unsigned int cache_size)
{
	struct ivshmem_txq *txq = NULL;
	struct rte_mempool *mp;
	struct ivshmem_ztx *z;
	int rc = tx_queue_of(port_id, tx_queue_id, &txq);

	if (rc == 0)
		rc = pool_allowed(txq, port_id, name);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	mp = pool_over_area(txq, name, cache_size);
	if (mp == NULL) {
		IVSHMEM_LOG(ERR, "port %u: zero-copy Tx pool %s: %s", port_id, name,
			    rte_strerror(rte_errno));
		return NULL;
	}
	z = ivshmem_ztx_create(txq, mp);
	if (z == NULL) {
		IVSHMEM_LOG(ERR, "port %u: zero-copy Tx state of queue %u: out of memory",
			    port_id, tx_queue_id);
		rte_mempool_free(mp);
		rte_errno = ENOMEM;
		return NULL;
	}
	txq->pmd->ztx[tx_queue_id] = z;
	txq->ztx = z;
	IVSHMEM_LOG(INFO, "port %u: Tx queue %u in pool mode: pool %s, %u buffers of %u B "
		    "(%u B of room after the headroom)", port_id, tx_queue_id, name,
		    txq->ch.mask + 1, txq->ch.buf_size, txq->ch.buf_size - RTE_PKTMBUF_HEADROOM);
	return mp;
}

struct rte_mempool *rte_pmd_ivshmem_tx_pool_get(uint16_t port_id, uint16_t tx_queue_id)
{
	struct ivshmem_txq *txq = NULL;
	int rc = tx_queue_of(port_id, tx_queue_id, &txq);

	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	if (txq->ztx == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	return txq->ztx->mp;
}
