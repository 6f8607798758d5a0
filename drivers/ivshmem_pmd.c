/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem: the ethdev ops (configure, queues, start/stop/close, info,
 * MTU, packet types) and the creation of a port over a bus device. The
 * bursts, doorbells, interrupts, statistics, link and attach live in their
 * own files (see ivshmem_pmd.h). No protocol or register logic lives here:
 * the bus device gives BAR2 and doorbells, the ring library owns the layout.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ivshmem_pmd.h"
#include "ivshmem_attach.h"
#include "ivshmem_doorbell.h"
#include "ivshmem_intr.h"
#include "ivshmem_link.h"
#include "ivshmem_rxtx.h"
#include "ivshmem_stats.h"
#include "ivshmem_zc.h"
#include "ivshmem_ztx.h"
#include "ivshmem_cksum.h"
#include "ivshmem_ptype.h"


/* ---- queues ------------------------------------------------------------ */

/* Queue qid serves channels qid, qid + nb_rxq, ...: none is orphaned when
 * the peer has more Tx queues than we have Rx queues, and none is served
 * twice. Mapped at start with the queue count of that moment: configure
 * may change it after the queues were set up. */
/* The state of a held mbuf outlives the queue; its data only as long as
 * BAR2 stays mapped (until close): say so when mbufs are still out. */
static void rxq_release_zc(struct ivshmem_rxq *rxq)
{
	uint32_t out = 0;
	uint16_t c;

	rxq->zero_copy = false;
	for (c = 0; c < IVSHM_MAX_QUEUES; c++) {
		if (rxq->zc[c] != NULL)
			out += ivshmem_zc_outstanding(rxq->zc[c]);
		ivshmem_zc_release(rxq->zc[c]);
		rxq->zc[c] = NULL;
	}
	if (out != 0)
		IVSHMEM_LOG(WARNING, "port %u Rx queue %u released with %u zero-copy mbufs "
			    "still held: free them before the port is closed (BAR2 is unmapped)",
			    rxq->port_id, rxq->queue_id, out);
}

/* zero_copy=1 only where a held buffer cannot fault in the application
 * later: BAR2 sealed against shrinking, or under the SIGBUS guard (a shrink
 * then turns held data into zeros, doc/threat-model.md). */
static bool zero_copy_safe(const struct pmd_internals *pmd)
{
	return pmd->bus->bar2_guard != NULL || !pmd->bus->bar2_unsealed;
}

/* One zero-copy state per mapped channel (zero_copy=1). */
static int rxq_setup_zc(struct pmd_internals *pmd, struct ivshmem_rxq *rxq, int socket)
{
	uint16_t c;

	rxq_release_zc(rxq);
	if (!pmd->args.zero_copy)
		return 0;
	if (!zero_copy_safe(pmd)) {
		IVSHMEM_LOG(WARNING, "%s: zero_copy=1 refused: BAR2 is neither sealed against "
			    "shrinking nor guarded; Rx copies", pmd->bus->name);
		return 0;
	}
	for (c = 0; c < rxq->nb_ch; c++) {
		rxq->zc[c] = ivshmem_zc_create(rxq->ch[c].ring_size, socket);
		if (rxq->zc[c] == NULL) {
			rxq_release_zc(rxq);
			return -ENOMEM;
		}
	}
	rxq->zero_copy = true;
	return 0;
}

static int rxq_map_channels(struct pmd_internals *pmd, struct ivshmem_rxq *rxq,
			    uint16_t qid, uint16_t nb_rxq)
{
	uint16_t q;
	int rc;

	if (rxq->mapped_for == nb_rxq)
		return 0; /* unchanged: keep the channels and their counters */
	rxq_release_zc(rxq); /* the held slots of the old mapping stay held */
	rxq->nb_ch = 0;
	rxq->next_ch = 0;
	for (q = qid; q < pmd->region.geo.queues; q = (uint16_t)(q + nb_rxq)) {
		rc = ivshm_rx_open(&rxq->ch[rxq->nb_ch], &pmd->region, pmd->peer, q);
		if (rc != IVSHM_OK) {
			IVSHMEM_LOG(ERR, "%s: rx channel %u: %s", pmd->bus->name, q,
				    ivshm_strerror(rc));
			rxq->nb_ch = 0;
			rxq->mapped_for = 0;
			return -EINVAL;
		}
		rxq->nb_ch++;
	}
	rc = rxq_setup_zc(pmd, rxq, rte_socket_id());
	if (rc != 0)
		return rc;
	rxq->mapped_for = nb_rxq;
	return 0;
}

/* Tailroom of a fresh mbuf of pool mp: what one segment holds. */
static uint32_t pool_mbuf_room(struct rte_mempool *mp)
{
	uint32_t data_room = rte_pktmbuf_data_room_size(mp);

	return data_room > RTE_PKTMBUF_HEADROOM ? data_room - RTE_PKTMBUF_HEADROOM : 0;
}

/* Without RTE_ETH_RX_OFFLOAD_SCATTER every frame Rx accepts at this MTU
 * (ivshmem_rx_max_frame: one VLAN tag included) must fit one mbuf, so such
 * a queue never delivers a chained mbuf. */
static bool rx_frame_fits(struct rte_eth_dev *dev, struct rte_mempool *mp,
			  uint16_t mtu, uint64_t offloads)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t room = pool_mbuf_room(mp), frame = ivshmem_rx_max_frame(mtu);

	if (frame <= room ||
	    ((offloads | dev->data->dev_conf.rxmode.offloads) &
	     RTE_ETH_RX_OFFLOAD_SCATTER))
		return true;
	IVSHMEM_LOG(ERR, "%s: a %u B frame (MTU %u + %u B Ethernet header and VLAN "
		    "tag) does not fit one %u B mbuf of pool %s: enable Rx scatter "
		    "(testpmd: --enable-scatter) or use larger mbufs (--mbuf-size)",
		    pmd->bus->name, frame, mtu, frame - mtu, room, mp->name);
	return false;
}

/* Queue rxq as set up can take frames of this MTU (configure may have
 * dropped SCATTER since). */
static bool rxq_fits(struct rte_eth_dev *dev, const struct ivshmem_rxq *rxq, uint16_t mtu)
{
	return rx_frame_fits(dev, rxq->mp, mtu, rxq->queue_offloads);
}

static int ivshmem_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
				  unsigned int socket, const struct rte_eth_rxconf *conf,
			  struct rte_mempool *mp)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	if (pool_mbuf_room(mp) == 0) {
		/* every segment would take 0 bytes: a frame would drain the pool */
		IVSHMEM_LOG(ERR, "%s: mbufs of pool %s have no room for data (data room %u, "
			    "headroom %u)", pmd->bus->name, mp->name,
			    rte_pktmbuf_data_room_size(mp), RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	if (!rx_frame_fits(dev, mp, dev->data->mtu, conf != NULL ? conf->offloads : 0))
		return -EINVAL;
	/* ethdev has released a queue set up before (rx_queue_release) */
	rxq = rte_zmalloc_socket("ivshmem_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->mp = mp;
	rxq->mbuf_room = pool_mbuf_room(mp);
	rxq->pmd = pmd;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->parse_ptypes = !pmd->ptypes_off;
	rxq->max_frame = ivshmem_rx_max_frame(dev->data->mtu);
	rxq->queue_offloads = conf != NULL ? conf->offloads : 0;
	rxq->cksum_offloads = (dev->data->dev_conf.rxmode.offloads |
			       (conf != NULL ? conf->offloads : 0)) & IVSHMEM_RX_CKSUM_OFFLOADS;
	/* channels are mapped at dev_start, from the final queue count */
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int ivshmem_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			  unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_txq *txq;
	int rc;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	txq = rte_zmalloc_socket("ivshmem_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, socket);
	if (txq == NULL)
		return -ENOMEM;
	rc = ivshm_tx_open(&txq->ch, &pmd->region, pmd->peer, qid);
	if (rc != IVSHM_OK) {
		IVSHMEM_LOG(ERR, "%s: tx channel %u: %s", pmd->bus->name, qid,
			    ivshm_strerror(rc));
		rte_free(txq);
		return -EINVAL;
	}
	txq->pmd = pmd;
	txq->queue_id = qid;
	txq->ztx = pmd->ztx[qid]; /* pool mode survives a re-setup */
	if (txq->ztx != NULL)
		ivshmem_ztx_reopened(txq->ztx, &txq->ch);
	dev->data->tx_queues[qid] = txq;
	return 0;
}

/* A release keeps what the queue counted (a re-setup, as OVS does on an
 * MTU change, must not take the port's stats back). */
static void ivshmem_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	if (dev->data->rx_queues[qid] != NULL) {
		ivshmem_stats_retire_rxq(dev->data->dev_private, dev->data->rx_queues[qid]);
		rxq_release_zc(dev->data->rx_queues[qid]);
	}
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void ivshmem_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	if (dev->data->tx_queues[qid] != NULL)
		ivshmem_stats_retire_txq(dev->data->dev_private, dev->data->tx_queues[qid]);
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

/* ---- device ops -------------------------------------------------------- */

static int ivshmem_dev_configure(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (dev->data->nb_rx_queues > pmd->region.geo.queues ||
	    dev->data->nb_tx_queues > pmd->region.geo.queues) {
		IVSHMEM_LOG(ERR, "%s: %u rx / %u tx queues requested, the region has %u "
			    "(devarg queues= when formatting)", pmd->bus->name,
			    dev->data->nb_rx_queues, dev->data->nb_tx_queues,
			    pmd->region.geo.queues);
		return -EINVAL;
	}
	if (conf->intr_conf.rxq && dev->data->nb_rx_queues > IVSHM_MAX_VECTORS - 1) {
		IVSHMEM_LOG(ERR, "%s: Rx interrupts for %u queues: at most %u (vector 0 is "
			    "the device's, queue q uses vector q + 1 of %u)", pmd->bus->name,
			    dev->data->nb_rx_queues, IVSHM_MAX_VECTORS - 1, IVSHM_MAX_VECTORS);
		return -EINVAL;
	}
	if (conf->intr_conf.rxq && !pmd->bus->has_interrupts) {
		IVSHMEM_LOG(ERR, "%s: Rx interrupts requested but the device has no "
			    "doorbell interrupts (uio_pci_generic, ivshmem-plain or shm file)",
			    pmd->bus->name);
		return -ENOTSUP;
	}
	return 0;
}

static void rxq_sync(struct ivshmem_rxq *rxq)
{
	uint16_t c;

	for (c = 0; rxq != NULL && c < rxq->nb_ch; c++)
		ivshm_rx_sync(&rxq->ch[c]);
}

static int ivshmem_dev_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t q;
	int rc;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		if (dev->data->rx_queues[q] == NULL) {
			IVSHMEM_LOG(ERR, "%s: Rx queue %u was not set up", pmd->bus->name, q);
			return -EINVAL;
		}
		if (!rxq_fits(dev, dev->data->rx_queues[q], dev->data->mtu))
			return -EINVAL;
		rc = rxq_map_channels(pmd, dev->data->rx_queues[q], q,
				      dev->data->nb_rx_queues);
		if (rc != 0)
			return rc;
		((struct ivshmem_rxq *)dev->data->rx_queues[q])->max_frame =
			ivshmem_rx_max_frame(dev->data->mtu);
	}
	if (dev->data->dev_conf.intr_conf.rxq) {
		rc = ivshmem_rx_intr_setup(dev);
		if (rc != 0)
			return rc;
		pmd->rx_intr = true;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		/* Ack a producer that is already there: its link comes up
		 * before our first poll. */
		rxq_sync(dev->data->rx_queues[q]);
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	ivshmem_link_port_started(pmd, true);
	return 0;
}

static int ivshmem_dev_stop(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q;

	if (pmd->rx_intr) {
		IVSHMEM_FOREACH_RXQ(dev, q, rxq)
			ivshmem_rx_queue_intr_disable(dev, q);
		ivshmem_rx_intr_teardown(dev);
		pmd->rx_intr = false;
	}
	/* Doorbells held back by the rate limit announce frames that are in
	 * the peer's rings: ring them now. */
	ivshmem_doorbell_stop(pmd);
	/* Zero-copy Tx: what the peer consumed goes back to the pool; what it
	 * may still read stays held (until it does, or close). */
	IVSHMEM_FOREACH_TXQ(dev, q, txq)
		if (txq->ztx != NULL)
			ivshmem_ztx_complete(txq->ztx, &txq->ch, 0);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	ivshmem_link_port_started(pmd, false);
	return 0;
}

static int ivshmem_dev_close(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		ivshmem_bus_close(dev->process_private);
		dev->process_private = NULL;
		return 0;
	}
	if (pmd->started)
		ivshmem_dev_stop(dev);
	ivshmem_link_stop(dev);
	ivshmem_doorbell_stop(pmd); /* Tx after stop may have held one */
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		ivshmem_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		ivshmem_tx_queue_release(dev, q);
	/* We publish nothing more: the held Tx mbufs go back to their pools
	 * (their data is unmapped next: the pools are freed after close). */
	for (q = 0; q < IVSHM_MAX_QUEUES; q++) {
		ivshmem_ztx_destroy(pmd->ztx[q]);
		pmd->ztx[q] = NULL;
	}
	ivshm_region_detach(&pmd->region);
	ivshmem_bus_close(pmd->bus);
	pmd->bus = NULL;
	return 0;
}

static int ivshmem_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct ivshm_geometry *g = &pmd->region.geo;

	info->max_mac_addrs = 1;
	info->max_rx_queues = (uint16_t)g->queues;
	info->max_tx_queues = (uint16_t)g->queues;
	info->max_rx_pktlen = ivshm_max_chain_frame(g); /* chained buffers */
	info->min_rx_bufsize = 0; /* segments are chained as needed */
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = (uint16_t)(ivshm_max_chain_frame(g) - RTE_ETHER_HDR_LEN);
	/* The ring size is the region's (ring_size devarg when formatting);
	 * any descriptor count an application asks for is accepted. */
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = (uint16_t)RTE_MIN(g->ring_size, (uint32_t)UINT16_MAX);
	info->default_txportconf.ring_size = info->default_rxportconf.ring_size;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER | IVSHMEM_RX_CKSUM_OFFLOADS;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

static int ivshmem_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t max_frame = ivshm_max_chain_frame(&pmd->region.geo);
	struct ivshmem_rxq *rxq;
	uint16_t q;

	if ((uint32_t)mtu + RTE_ETHER_HDR_LEN > max_frame) {
		IVSHMEM_LOG(ERR, "%s: MTU %u exceeds the largest frame %u - %u",
			    pmd->bus->name, mtu, max_frame, RTE_ETHER_HDR_LEN);
		return -EINVAL;
	}
	IVSHMEM_FOREACH_RXQ(dev, q, rxq)
		if (!rxq_fits(dev, rxq, mtu))
			return -EINVAL;
	IVSHMEM_FOREACH_RXQ(dev, q, rxq) /* also while started */
		rxq->max_frame = ivshmem_rx_max_frame(mtu);
	return 0;
}

static int ivshmem_accept_all(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0; /* a point-to-point link: every frame is for us */
}

static int ivshmem_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	ivshm_region_set_mac(&pmd->region, addr->addr_bytes);
	return 0;
}

static const uint32_t *ivshmem_supported_ptypes_get(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return ivshmem_ptype_supported();
}

/* Any non-zero mask parses all our types (a superset is allowed); 0 turns
 * parsing off so packet_type stays 0 and costs nothing. */
static int ivshmem_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	uint16_t q;

	pmd->ptypes_off = ptype_mask == 0;
	IVSHMEM_FOREACH_RXQ(dev, q, rxq)
		rxq->parse_ptypes = !pmd->ptypes_off;
	return 0;
}

static const struct eth_dev_ops ivshmem_ops = {
	.dev_configure = ivshmem_dev_configure,
	.dev_start = ivshmem_dev_start,
	.dev_stop = ivshmem_dev_stop,
	.dev_close = ivshmem_dev_close,
	.dev_infos_get = ivshmem_dev_infos_get,
	.link_update = ivshmem_link_update,
	.mtu_set = ivshmem_mtu_set,
	.promiscuous_enable = ivshmem_accept_all,
	.promiscuous_disable = ivshmem_accept_all,
	.allmulticast_enable = ivshmem_accept_all,
	.allmulticast_disable = ivshmem_accept_all,
	.mac_addr_set = ivshmem_mac_addr_set,
	.rx_queue_setup = ivshmem_rx_queue_setup,
	.tx_queue_setup = ivshmem_tx_queue_setup,
	.rx_queue_release = ivshmem_rx_queue_release,
	.tx_queue_release = ivshmem_tx_queue_release,
	.tx_done_cleanup = ivshmem_ztx_done_cleanup,
	.rx_queue_intr_enable = ivshmem_rx_queue_intr_enable,
	.rx_queue_intr_disable = ivshmem_rx_queue_intr_disable,
	.stats_get = ivshmem_stats_get,
	.stats_reset = ivshmem_stats_reset,
	.xstats_get = ivshmem_xstats_get,
	.xstats_get_names = ivshmem_xstats_get_names,
	.xstats_reset = ivshmem_stats_reset,
	.dev_supported_ptypes_get = ivshmem_supported_ptypes_get,
	.dev_ptypes_set = ivshmem_ptypes_set,
};

int ivshmem_eth_create(struct rte_device *rdev, const char *name,
		       struct ivshmem_bus_dev *bus,
		       const struct ivshmem_port_args *args, struct rte_eth_dev **out)
{
	struct rte_eth_dev *dev;
	struct pmd_internals *pmd;
	int rc = -ENOMEM;

	dev = rte_eth_dev_allocate(name);
	if (dev == NULL) {
		ivshmem_bus_close(bus);
		return -ENOMEM;
	}
	pmd = rte_zmalloc_socket(name, sizeof(*pmd), RTE_CACHE_LINE_SIZE, rdev->numa_node);
	/* owned by the port from here: release_port frees both on failure */
	dev->data->dev_private = pmd;
	dev->data->mac_addrs = rte_zmalloc(name, RTE_ETHER_ADDR_LEN, 0);
	if (pmd == NULL || dev->data->mac_addrs == NULL)
		goto fail;
	dev->device = rdev;
	dev->process_private = bus;
	pmd->bus = bus;
	pmd->args = *args;
	pmd->port_id = dev->data->port_id;
	rc = ivshmem_attach(pmd);
	if (rc != 0)
		goto fail;
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	dev->dev_ops = &ivshmem_ops;
	dev->rx_pkt_burst = ivshmem_rx_burst;
	dev->tx_pkt_burst = ivshmem_tx_burst;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	ivshmem_link_start(dev);
	IVSHMEM_LOG(INFO, "%s: port %u, peer id %u -> %u, BAR2 %" PRIu64 " bytes (%s), "
		    "%u queues x %u descriptors x %u bytes, %u doorbell vectors",
		    bus->name, dev->data->port_id, bus->id, pmd->peer, bus->bar2_size,
		    bus->mapping, pmd->region.geo.queues, pmd->region.geo.ring_size,
		    pmd->region.geo.buf_size, bus->nb_vectors);
	rte_eth_dev_probing_finish(dev);
	*out = dev;
	return 0;
fail:
	if (pmd != NULL && pmd->region.base != NULL && pmd->region.gen != 0)
		ivshm_region_detach(&pmd->region);
	ivshmem_bus_close(bus);
	if (pmd != NULL)
		pmd->bus = NULL;
	rte_eth_dev_release_port(dev);
	return rc;
}

/* A secondary may look and poll, not reconfigure: what the primary set up
 * (queues, start/stop, interrupts, counters reset) stays the primary's. */
static const struct eth_dev_ops ivshmem_secondary_ops = {
	.dev_close = ivshmem_dev_close,
	.dev_infos_get = ivshmem_dev_infos_get,
	.link_update = ivshmem_link_update,
	.promiscuous_enable = ivshmem_accept_all, /* dpdk-dumpcap asks: we accept all */
	.promiscuous_disable = ivshmem_accept_all,
	.allmulticast_enable = ivshmem_accept_all,
	.allmulticast_disable = ivshmem_accept_all,
	.stats_get = ivshmem_stats_get,
	.xstats_get = ivshmem_xstats_get,
	.xstats_get_names = ivshmem_xstats_get_names,
};

int ivshmem_eth_attach_secondary(struct rte_device *rdev, const char *name,
				 struct ivshmem_bus_dev *bus)
{
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(name);

	if (dev == NULL) {
		IVSHMEM_LOG(ERR, "%s: the primary has no such port", name);
		ivshmem_bus_close(bus);
		return -ENODEV;
	}
	dev->device = rdev;
	dev->process_private = bus;
	dev->dev_ops = &ivshmem_secondary_ops;
	dev->rx_pkt_burst = ivshmem_rx_burst;
	dev->tx_pkt_burst = ivshmem_tx_burst;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

/* Removal (rte_dev_remove, hot-unplug) of a started port: ethdev refuses
 * to close a started port, and the region would never hear that we left. */
int ivshmem_eth_destroy(struct rte_eth_dev *dev)
{
	int rc;

	if (dev->data->dev_started) {
		rc = rte_eth_dev_stop(dev->data->port_id);
		if (rc != 0)
			return rc;
	}
	return rte_eth_dev_close(dev->data->port_id);
}
