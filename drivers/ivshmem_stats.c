/* SPDX-License-Identifier: BSD-3-Clause
 * Statistics of net_ivshmem: the basic stats and the xstats, summed from
 * the per-queue counters the bursts keep (no atomics on the data path: a
 * queue is polled by one lcore), plus what released queues had counted.
 */
#include <assert.h>
#include <string.h>

#include <ethdev_driver.h>

#include "ivshmem_stats.h"
#include "ivshmem_zc.h"
#include "ivshmem_ztx.h"

enum xstat_id {
	XS_RX_BAD_DESC, XS_RX_BAD_INDEX, XS_RX_RESYNCS, XS_RX_NOMBUF_BURSTS,
	XS_RX_DROPPED, XS_RX_OVER_MTU, XS_TX_RING_FULL, XS_TX_PEER_DOWN,
	XS_TX_TOO_BIG, XS_TX_BAD_MBUF, XS_TX_BAD_INDEX, XS_TX_DOORBELLS,
	XS_TX_DOORBELLS_DEFERRED, XS_LINK_CHANGES,
	XS_REGION_UNSEALED, XS_REGION_TRUNCATED,
	XS_RX_ZERO_COPY, XS_RX_ZERO_COPY_COPIED, XS_RX_ZERO_COPY_HELD,
	XS_TX_ZERO_COPY, XS_TX_ZERO_COPY_COPIED, XS_TX_ZERO_COPY_NO_MBUF,
	XS_TX_ZERO_COPY_REFUSED, XS_TX_ZERO_COPY_HELD, XS_COUNT
};

/* pmd->retired: the xstats above, then the basic stats of released queues */
enum retired_id {
	RET_IPACKETS = XS_COUNT, RET_IBYTES, RET_IERRORS, RET_IMISSED, RET_RX_NOMBUF,
	RET_OPACKETS, RET_OBYTES, RET_OERRORS, RET_COUNT
};
static_assert(RET_COUNT <= IVSHMEM_RETIRED_COUNTERS, "pmd->retired is too small");

static void rxq_add_stats(const struct ivshmem_rxq *rxq, struct rte_eth_stats *st)
{
	uint64_t bad;
	uint16_t c;

	st->ipackets += rxq->ipackets;
	st->ibytes += rxq->ibytes;
	/* A bad descriptor is an error (ierrors), counted once: imissed
	 * gets the other drops (no mbuf for a segment, lost region). */
	for (bad = 0, c = 0; c < rxq->nb_ch; c++)
		bad += rxq->ch[c].err.bad_desc;
	bad += rxq->over_mtu; /* errors too, not misses */
	st->ierrors += bad;
	st->imissed += rxq->dropped > bad ? rxq->dropped - bad : 0;
	st->rx_nombuf += rxq->nombuf_mbufs;
}

static void txq_add_stats(const struct ivshmem_txq *txq, struct rte_eth_stats *st)
{
	st->opackets += txq->opackets;
	st->obytes += txq->obytes;
	st->oerrors += txq->too_big + txq->bad_mbuf;
}

int ivshmem_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	const struct pmd_internals *pmd = dev->data->dev_private;
	const uint64_t *ret = pmd->retired;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q;

	st->ipackets = ret[RET_IPACKETS];
	st->ibytes = ret[RET_IBYTES];
	st->ierrors = ret[RET_IERRORS];
	st->imissed = ret[RET_IMISSED];
	st->rx_nombuf = ret[RET_RX_NOMBUF];
	st->opackets = ret[RET_OPACKETS];
	st->obytes = ret[RET_OBYTES];
	st->oerrors = ret[RET_OERRORS];
	IVSHMEM_FOREACH_RXQ(dev, q, rxq) {
		rxq_add_stats(rxq, st);
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->ipackets;
			st->q_ibytes[q] = rxq->ibytes;
		}
	}
	IVSHMEM_FOREACH_TXQ(dev, q, txq) {
		txq_add_stats(txq, st);
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->opackets;
			st->q_obytes[q] = txq->obytes;
		}
	}
	return 0;
}

int ivshmem_stats_reset(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q, c;

	IVSHMEM_FOREACH_RXQ(dev, q, rxq) {
		rxq->ipackets = rxq->ibytes = rxq->nombuf = rxq->dropped = 0;
		rxq->nombuf_mbufs = rxq->over_mtu = 0;
		for (c = 0; c < rxq->nb_ch; c++) {
			memset(&rxq->ch[c].err, 0, sizeof(rxq->ch[c].err));
			if (rxq->zc[c] != NULL)
				rxq->zc[c]->zc_frames = rxq->zc[c]->zc_copied = 0;
		}
	}
	for (q = 0; q < IVSHM_MAX_QUEUES; q++)
		if (pmd->ztx[q] != NULL)
			pmd->ztx[q]->frames = pmd->ztx[q]->copied = pmd->ztx[q]->no_mbuf =
				pmd->ztx[q]->refused = 0;
	IVSHMEM_FOREACH_TXQ(dev, q, txq) {
		txq->opackets = txq->obytes = txq->ring_full = txq->peer_down = 0;
		txq->too_big = txq->bad_mbuf = txq->doorbells = 0;
		txq->doorbells_deferred = 0;
		memset(&txq->ch.err, 0, sizeof(txq->ch.err));
	}
	__atomic_store_n(&pmd->doorbells_late, 0, __ATOMIC_RELAXED);
	memset(pmd->retired, 0, sizeof(pmd->retired));
	return 0;
}

static const char *const xstat_names[XS_COUNT] = {
	[XS_RX_BAD_DESC] = "rx_bad_descriptor",
	[XS_RX_BAD_INDEX] = "rx_bad_index",
	[XS_RX_RESYNCS] = "rx_peer_restarts",
	[XS_RX_NOMBUF_BURSTS] = "rx_no_mbuf_bursts",
	[XS_RX_DROPPED] = "rx_dropped",
	[XS_RX_OVER_MTU] = "rx_over_mtu",
	[XS_TX_RING_FULL] = "tx_ring_full",
	[XS_TX_PEER_DOWN] = "tx_peer_down",
	[XS_TX_TOO_BIG] = "tx_too_big",
	[XS_TX_BAD_MBUF] = "tx_bad_mbuf",
	[XS_TX_BAD_INDEX] = "tx_bad_index",
	[XS_TX_DOORBELLS] = "tx_doorbells",
	[XS_TX_DOORBELLS_DEFERRED] = "tx_doorbells_deferred", /* rode on a held one */
	[XS_LINK_CHANGES] = "link_changes",
	[XS_REGION_UNSEALED] = "region_unsealed",     /* 1: a peer can shrink BAR2 */
	[XS_REGION_TRUNCATED] = "region_truncated",   /* bus errors absorbed */
	[XS_RX_ZERO_COPY] = "rx_zero_copy",               /* zero_copy=1: not copied */
	[XS_RX_ZERO_COPY_COPIED] = "rx_zero_copy_copied", /* copied: bound reached */
	[XS_RX_ZERO_COPY_HELD] = "rx_zero_copy_held",     /* mbufs held now */
	/* pool mode (rte_pmd_ivshmem_tx_pool_create) */
	[XS_TX_ZERO_COPY] = "tx_zero_copy",               /* published in place */
	[XS_TX_ZERO_COPY_COPIED] = "tx_zero_copy_copied", /* copied into a pool buffer */
	[XS_TX_ZERO_COPY_NO_MBUF] = "tx_zero_copy_no_mbuf", /* left: pool empty */
	[XS_TX_ZERO_COPY_REFUSED] = "tx_zero_copy_refused", /* data outside the area,
							     * or a secondary's */
	[XS_TX_ZERO_COPY_HELD] = "tx_zero_copy_held",     /* mbufs held now */
};

static void rxq_add_xstats(const struct ivshmem_rxq *rxq, uint64_t *v)
{
	uint16_t c;

	for (c = 0; c < rxq->nb_ch; c++) {
		v[XS_RX_BAD_DESC] += rxq->ch[c].err.bad_desc;
		v[XS_RX_BAD_INDEX] += rxq->ch[c].err.bad_index;
		v[XS_RX_RESYNCS] += rxq->ch[c].err.resyncs;
		if (rxq->zc[c] != NULL) {
			v[XS_RX_ZERO_COPY] += rxq->zc[c]->zc_frames;
			v[XS_RX_ZERO_COPY_COPIED] += rxq->zc[c]->zc_copied;
			v[XS_RX_ZERO_COPY_HELD] += ivshmem_zc_outstanding(rxq->zc[c]);
		}
	}
	v[XS_RX_NOMBUF_BURSTS] += rxq->nombuf;
	v[XS_RX_DROPPED] += rxq->dropped;
	v[XS_RX_OVER_MTU] += rxq->over_mtu;
}

static void txq_add_xstats(const struct ivshmem_txq *txq, uint64_t *v)
{
	/* split at Tx time (count_refused) */
	v[XS_TX_RING_FULL] += txq->ring_full;
	v[XS_TX_PEER_DOWN] += txq->peer_down;
	v[XS_TX_TOO_BIG] += txq->too_big;
	v[XS_TX_BAD_MBUF] += txq->bad_mbuf;
	v[XS_TX_BAD_INDEX] += txq->ch.err.bad_index;
	v[XS_TX_DOORBELLS] += txq->doorbells;
	v[XS_TX_DOORBELLS_DEFERRED] += txq->doorbells_deferred;
}

/* Zero-copy Tx: per queue id, kept across a queue's release. */
static void ztx_add_xstats(const struct pmd_internals *pmd, uint64_t *v)
{
	const struct ivshmem_ztx *z;
	uint16_t q;

	for (q = 0; q < IVSHM_MAX_QUEUES; q++) {
		z = pmd->ztx[q];
		if (z == NULL)
			continue;
		v[XS_TX_ZERO_COPY] += z->frames;
		v[XS_TX_ZERO_COPY_COPIED] += z->copied;
		v[XS_TX_ZERO_COPY_NO_MBUF] += z->no_mbuf;
		v[XS_TX_ZERO_COPY_REFUSED] += z->refused;
		v[XS_TX_ZERO_COPY_HELD] += ivshmem_ztx_held(z);
	}
}

/* What a released queue counted stays in the port's totals: a re-setup of
 * the queues (OVS does one on every MTU change) must not take the port's
 * counters back; only stats_reset does. Called by the primary. */
static void retire_stats(struct pmd_internals *pmd, const struct rte_eth_stats *st)
{
	uint64_t *ret = pmd->retired;

	ret[RET_IPACKETS] += st->ipackets;
	ret[RET_IBYTES] += st->ibytes;
	ret[RET_IERRORS] += st->ierrors;
	ret[RET_IMISSED] += st->imissed;
	ret[RET_RX_NOMBUF] += st->rx_nombuf;
	ret[RET_OPACKETS] += st->opackets;
	ret[RET_OBYTES] += st->obytes;
	ret[RET_OERRORS] += st->oerrors;
}

void ivshmem_stats_retire_rxq(struct pmd_internals *pmd, const struct ivshmem_rxq *rxq)
{
	struct rte_eth_stats st = { 0 };

	uint64_t v[XS_COUNT] = { 0 };
	unsigned int i;

	rxq_add_stats(rxq, &st);
	retire_stats(pmd, &st);
	rxq_add_xstats(rxq, v);
	v[XS_RX_ZERO_COPY_HELD] = 0; /* a gauge of the queue's, not a count */
	for (i = 0; i < XS_COUNT; i++)
		pmd->retired[i] += v[i];
}

void ivshmem_stats_retire_txq(struct pmd_internals *pmd, const struct ivshmem_txq *txq)
{
	struct rte_eth_stats st = { 0 };

	txq_add_stats(txq, &st);
	retire_stats(pmd, &st);
	txq_add_xstats(txq, pmd->retired);
}

static void xstats_collect(struct rte_eth_dev *dev, uint64_t v[XS_COUNT])
{
	const struct ivshmem_bus_dev *bus = dev->process_private;
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q;

	memcpy(v, pmd->retired, sizeof(uint64_t) * XS_COUNT);
	IVSHMEM_FOREACH_RXQ(dev, q, rxq)
		rxq_add_xstats(rxq, v);
	IVSHMEM_FOREACH_TXQ(dev, q, txq)
		txq_add_xstats(txq, v);
	ztx_add_xstats(pmd, v);
	v[XS_TX_DOORBELLS] += __atomic_load_n(&pmd->doorbells_late, __ATOMIC_RELAXED);
	v[XS_LINK_CHANGES] = pmd->link_changes;
	/* this process's mapping: pmd->bus is the primary's private object */
	v[XS_REGION_UNSEALED] = bus != NULL && bus->bar2_unsealed;
	v[XS_REGION_TRUNCATED] = ivshmem_bar2_guard_faults(bus != NULL ? bus->bar2_guard : NULL);
}

int ivshmem_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	uint64_t v[XS_COUNT];
	unsigned int i;

	if (xs == NULL || n < XS_COUNT)
		return XS_COUNT;
	xstats_collect(dev, v);
	for (i = 0; i < XS_COUNT; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return XS_COUNT;
}

int ivshmem_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			     unsigned int n)
{
	unsigned int i;

	RTE_SET_USED(dev);
	if (names == NULL || n < XS_COUNT)
		return XS_COUNT;
	for (i = 0; i < XS_COUNT; i++)
		strlcpy(names[i].name, xstat_names[i], sizeof(names[i].name));
	return XS_COUNT;
}
