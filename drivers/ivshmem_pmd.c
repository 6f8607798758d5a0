/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem: ethdev ops and Rx/Tx bursts over ring_over_shm channels.
 * No protocol or register logic lives here: the bus device gives BAR2 and
 * doorbells, the ring library owns the layout.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_interrupts.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "ivshmem_pmd.h"
#include "ivshmem_cksum.h"
#include "ivshmem_ptype.h"

RTE_LOG_REGISTER(ivshmem_logtype, pmd.net.ivshmem, NOTICE);

/* ---- Rx ---------------------------------------------------------------- */

#define IVSHMEM_RX_PREFETCH 4 /* packets whose data is fetched ahead */

/* Copies len bytes into m, chaining segments when one mbuf is too small. */
static int copy_into_mbuf(struct ivshmem_rxq *rxq, struct rte_mbuf *m,
			  const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *seg = m, *next;
	uint32_t room = rte_pktmbuf_tailroom(m), chunk;

	m->pkt_len = len;
	m->port = rxq->port_id;
	for (;;) {
		chunk = len < room ? len : room;
		rte_memcpy(rte_pktmbuf_mtod(seg, void *), data, chunk);
		seg->data_len = (uint16_t)chunk;
		data += chunk;
		len -= chunk;
		if (len == 0)
			return 0;
		next = rte_pktmbuf_alloc(rxq->mp);
		if (next == NULL)
			return -ENOMEM;
		seg->next = next;
		m->nb_segs++;
		seg = next;
		room = rte_pktmbuf_tailroom(seg);
	}
}

/* This process's BAR2 guard: queue structs are shared with secondary
 * processes, which map BAR2 themselves (each has its own bus handle). */
static inline const struct ivshmem_bar2_guard *own_guard(uint16_t port)
{
	const struct ivshmem_bus_dev *bus = rte_eth_devices[port].process_private;

	return bus != NULL ? bus->bar2_guard : NULL;
}

/* A peer truncated BAR2 during this burst: the guard put zeros in its place
 * and the copies may hold them. Drops the frames (counted) instead of
 * delivering torn ones. */
static uint16_t drop_lost(struct ivshmem_rxq *rxq, struct rte_mbuf **bufs,
			  uint16_t got)
{
	for (uint16_t i = 0; i < got; i++)
		rxq->ibytes -= bufs[i]->pkt_len; /* counted by the copy loop */
	rte_pktmbuf_free_bulk(bufs, got);
	rxq->dropped += got;
	return 0;
}

/* Longest frame Rx delivers at this MTU: header and one VLAN tag on top,
 * as NICs count it. */
static uint32_t rx_max_frame(uint16_t mtu)
{
	return (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

/* Counts a frame longer than the MTU allows; true, so it is dropped. */
static inline bool frame_over_mtu(struct ivshmem_rxq *rxq)
{
	rxq->over_mtu++;
	return true;
}

/* Appends len bytes to packet m whose last segment is *last, chaining more
 * segments as needed. */
static int append_to_mbuf(struct ivshmem_rxq *rxq, struct rte_mbuf *m,
			  struct rte_mbuf **last, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *seg = *last;
	uint32_t chunk;

	while (len > 0) {
		if (rte_pktmbuf_tailroom(seg) == 0) {
			seg->next = rte_pktmbuf_alloc(rxq->mp);
			if (seg->next == NULL)
				return -ENOMEM;
			seg = seg->next;
			m->nb_segs++;
		}
		chunk = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(seg));
		rte_memcpy(rte_pktmbuf_mtod_offset(seg, void *, seg->data_len), data, chunk);
		seg->data_len = (uint16_t)(seg->data_len + chunk);
		m->pkt_len += chunk;
		data += chunk;
		len -= chunk;
	}
	*last = seg;
	return 0;
}

/* The rare path of rx_channel: descriptor i starts a chained frame. Reads
 * it whole into bufs[i] (or drops it), frees the mbufs bufs[i + 1..] that
 * its other descriptors make unused, and raises *n when the chain reaches
 * past the n descriptors the caller took (all of them are released).
 * Returns the index of the chain's last descriptor. */
static __rte_noinline uint32_t rx_chained(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t i, uint32_t *n,
			   uint16_t *got)
{
	struct rte_mbuf *m = bufs[i], *last = m;
	struct ivshm_rx_chain c;
	const uint8_t *data = NULL;
	uint32_t len = 0, end;
	int rc, copy_rc = 0;

	m->port = rxq->port_id;
	ivshm_rx_chain_start(&c, i);
	do {
		rc = ivshm_rx_chain_next(ch, &c, &data, &len);
		if (rc >= 0 && copy_rc == 0)
			copy_rc = append_to_mbuf(rxq, m, &last, data, len);
	} while (rc == IVSHM_CHAIN_MORE);
	end = c.first + c.used;
	if (end > i + 1)
		rte_pktmbuf_free_bulk(bufs + i + 1, RTE_MIN(end, *n) - (i + 1));
	if (end > *n)
		*n = end;
	if (rc < 0 || copy_rc != 0 ||
	    (c.total > rxq->max_frame && frame_over_mtu(rxq))) {
		rte_pktmbuf_free(m);
		rxq->dropped++;
	} else {
		rxq->ibytes += c.total;
		bufs[(*got)++] = m;
	}
	return end - 1;
}

/* Rx checksum offload (only when the application enabled it): on our copy
 * of the frame, like the packet type. */
static __rte_noinline void rx_cksum(struct rte_mbuf *m, bool typed, uint64_t offloads)
{
	uint32_t ptype = typed ? m->packet_type :
		ivshmem_ptype_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);

	m->ol_flags |= ivshmem_rx_cksum_flags(m, ptype, offloads);
}

/* The pool cannot give n mbufs at once: take what it can (halving), so a
 * queue short of mbufs still makes progress; what we cannot take stays in
 * the ring (the producer sees backpressure). Returns how many we got. */
static __rte_noinline uint32_t alloc_fewer(struct ivshmem_rxq *rxq,
					   struct rte_mbuf **bufs, uint32_t n)
{
	uint32_t want = n;

	rxq->nombuf++;
	do
		n /= 2;
	while (n > 0 && rte_pktmbuf_alloc_bulk(rxq->mp, bufs, n) != 0);
	rxq->nombuf_mbufs += want - n; /* per queue: no shared line on Rx */
	return n;
}

/* Receives the n ready descriptors of one channel into bufs; returns the
 * number delivered. Callers check ivshm_rx_avail() first, inline, so an
 * empty poll costs no call. */
static uint16_t rx_channel(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t n)
{
	uint32_t i, len;
	uint16_t got = 0;
	const uint8_t *data;
	struct rte_mbuf *m;
	const bool parse_ptypes = rxq->parse_ptypes; /* once per burst */
	const uint64_t cksum = rxq->cksum_offloads;
	int rc;

	/* Fetch the first descriptor and data lines in parallel instead of
	 * one after the other (the data address is known by convention). */
	rte_prefetch0(ivshm_rx_desc_hint(ch, 0));
	for (i = 0; i < n && i < IVSHMEM_RX_PREFETCH; i++)
		rte_prefetch0(ivshm_rx_data_hint(ch, i));
	if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, bufs, n) != 0)) {
		n = alloc_fewer(rxq, bufs, n);
		if (n == 0)
			return 0;
	}
	for (i = 0; i < n; i++) {
		m = bufs[i];
		if (i + IVSHMEM_RX_PREFETCH < n)
			rte_prefetch0(ivshm_rx_data_hint(ch, i + IVSHMEM_RX_PREFETCH));
		rc = ivshm_rx_get(ch, i, &data, &len);
		if (unlikely(rc == IVSHM_ECHAIN)) {
			i = rx_chained(rxq, ch, bufs, i, &n, &got);
			continue;
		}
		if (rc != IVSHM_OK ||
		    unlikely(len > rxq->max_frame && frame_over_mtu(rxq)) ||
		    copy_into_mbuf(rxq, m, data, len) != 0) {
			rte_pktmbuf_free(m);
			rxq->dropped++;
			continue;
		}
		if (parse_ptypes) /* our copy: the peer cannot change it */
			m->packet_type = ivshmem_ptype_parse(
				rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		if (unlikely(cksum != 0))
			rx_cksum(m, parse_ptypes, cksum);
		rxq->ibytes += len;
		bufs[got++] = m;
	}
	ivshm_rx_release(ch, n);
	if (unlikely(ivshmem_bar2_guard_lost(own_guard(rxq->port_id))))
		got = drop_lost(rxq, bufs, got); /* may hold zeros read after the fault */
	return got;
}

static uint16_t eth_ivshmem_rx(void *queue, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_rxq *rxq = queue;
	uint16_t got = 0, tries, c = rxq->next_ch;
	uint32_t n;

	if (likely(rxq->nb_ch == 1)) { /* the usual case: no round robin */
		n = ivshm_rx_avail(&rxq->ch[0], nb);
		if (n == 0)
			return 0;
		got = rx_channel(rxq, &rxq->ch[0], bufs, n);
		rxq->ipackets += got;
		return got;
	}
	for (tries = 0; tries < rxq->nb_ch && got < nb; tries++) {
		n = ivshm_rx_avail(&rxq->ch[c], nb - got);
		if (n != 0)
			got += rx_channel(rxq, &rxq->ch[c], bufs + got, n);
		c = (uint16_t)(c + 1 == rxq->nb_ch ? 0 : c + 1);
	}
	rxq->next_ch = c;
	rxq->ipackets += got;
	return got;
}

/* ---- Tx ---------------------------------------------------------------- */

/* True if m's segments hold exactly len bytes (at most nb_segs of them):
 * an mbuf that lies about its length must not make us write past a slot
 * or walk off its chain. The slow path of mbuf_fits(). */
static __rte_noinline bool segments_add_up(const struct rte_mbuf *m, uint32_t len)
{
	uint32_t sum = 0, n = 0, max = m->nb_segs;

	for (; m != NULL && n < max; m = m->next, n++)
		sum += m->data_len;
	return m == NULL && sum == len;
}

static inline bool mbuf_fits(const struct rte_mbuf *m, uint32_t len)
{
	if (likely(m->next == NULL))
		return m->data_len == len;
	return segments_add_up(m, len);
}

/* Copies m (checked by mbuf_fits) into one buffer. */
static void gather_mbuf(uint8_t *dst, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
		dst += m->data_len;
	}
}

/* The rare path of eth_ivshmem_tx: m is longer than one buffer (or empty).
 * Copies it into a chain of buffers from slot on if the ring has room for
 * the chain and for the `later` packets of the burst after it. Returns the
 * descriptors used (0: dropped and counted), or -1 when the ring is short. */
static __rte_noinline int tx_chained(struct ivshmem_txq *txq, struct rte_mbuf *m, uint32_t slot,
		      uint32_t later)
{
	struct ivshm_tx *ch = &txq->ch;
	uint32_t len = m->pkt_len, segs, need, k, off, chunk;
	uint8_t *dst;
	const void *src;

	segs = ivshm_tx_segs(ch, len);
	if (len == 0 || len > IVSHM_MAX_CHAIN_LEN || segs > ch->mask + 1) {
		txq->too_big++;
		return 0;
	}
	if (!segments_add_up(m, len)) {
		txq->bad_mbuf++;
		return 0;
	}
	need = slot + segs + later;
	if (ivshm_tx_space(ch, need) < need)
		return -1;
	for (k = 0, off = 0; k < segs; k++, off += chunk) {
		chunk = RTE_MIN(len - off, ch->buf_size);
		dst = ivshm_tx_buf(ch, slot + k);
		src = rte_pktmbuf_read(m, off, chunk, dst);
		if (src != dst)
			rte_memcpy(dst, src, chunk);
	}
	return (int)ivshm_tx_set_chain(ch, slot, len);
}

static void ring_peer_if_asked(struct ivshmem_txq *txq, uint32_t token)
{
	/* The token comes from the peer: ring only a vector that can exist. */
	if (token == 0 || token > IVSHM_MAX_VECTORS)
		return;
	/* token = vector + 1, chosen by the sleeping consumer. The calling
	 * process's bus handle: pmd->bus is the primary's private object. */
	ivshmem_bus_doorbell(rte_eth_devices[txq->pmd->port_id].process_private,
			     txq->pmd->peer, token - 1);
	txq->doorbells++;
}

/* Split when it happens, not when read: a counter read later under
 * another link state would move between the two and go backwards. */
static void count_refused(struct ivshmem_txq *txq, uint32_t n)
{
	if (__atomic_load_n(&txq->pmd->link_up, __ATOMIC_RELAXED))
		txq->ring_full += n;
	else
		txq->peer_down += n;
}

static uint16_t eth_ivshmem_tx(void *queue, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_txq *txq = queue;
	struct ivshm_tx *ch = &txq->ch;
	uint32_t room, i, slot = 0, len, chain_descs = 0;
	uint64_t bytes = 0;
	int segs;

	if (unlikely(ivshmem_bar2_guard_lost(own_guard(txq->pmd->port_id)))) {
		txq->peer_down += nb; /* BAR2 truncated: nobody reads it */
		return 0;
	}
	room = ivshm_tx_space(ch, nb);
	for (i = 0; i < room; i++) {
		len = bufs[i]->pkt_len;
		if (unlikely(len == 0 || len > ch->max_len)) {
			segs = tx_chained(txq, bufs[i], slot, room - i - 1);
			if (segs < 0) {
				room = i; /* no room for the chain: the rest stays */
				break;
			}
			slot += (uint32_t)segs;
			chain_descs += segs > 1 ? (uint32_t)segs - 1 : 0;
			bytes += segs > 0 ? len : 0;
			continue;
		}
		if (unlikely(!mbuf_fits(bufs[i], len))) {
			txq->bad_mbuf++; /* dropped: the frame is freed below */
			continue;
		}
		gather_mbuf(ivshm_tx_buf(ch, slot), bufs[i]);
		ivshm_tx_set(ch, slot, len);
		bytes += len;
		slot++;
	}
	ring_peer_if_asked(txq, ivshm_tx_publish(ch, slot));
	rte_pktmbuf_free_bulk(bufs, room);
	txq->opackets += slot - chain_descs;
	txq->obytes += bytes;
	if (room < nb)
		count_refused(txq, nb - room);
	return (uint16_t)room;
}

/* ---- queues ------------------------------------------------------------ */

/* Queue qid serves channels qid, qid + nb_rxq, ...: none is orphaned when
 * the peer has more Tx queues than we have Rx queues, and none is served
 * twice. Mapped at start with the queue count of that moment: configure
 * may change it after the queues were set up. */
static int rxq_map_channels(struct pmd_internals *pmd, struct ivshmem_rxq *rxq,
			    uint16_t qid, uint16_t nb_rxq)
{
	uint16_t q;
	int rc;

	if (rxq->mapped_for == nb_rxq)
		return 0; /* unchanged: keep the channels and their counters */
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
	rxq->mapped_for = nb_rxq;
	return 0;
}

/* Without RTE_ETH_RX_OFFLOAD_SCATTER a frame must fit one mbuf. */
static bool rx_frame_fits(struct rte_eth_dev *dev, struct rte_mempool *mp,
			  uint32_t frame, uint64_t offloads)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;

	if (frame <= room ||
	    ((offloads | dev->data->dev_conf.rxmode.offloads) &
	     RTE_ETH_RX_OFFLOAD_SCATTER))
		return true;
	IVSHMEM_LOG(ERR, "%s: a %u B frame (MTU %u) does not fit one %u B mbuf of "
		    "pool %s: enable Rx scatter (testpmd: --enable-scatter) or use "
		    "larger mbufs (--mbuf-size)", pmd->bus->name, frame,
		    frame - RTE_ETHER_HDR_LEN, room, mp->name);
	return false;
}

static int rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			  unsigned int socket, const struct rte_eth_rxconf *conf,
			  struct rte_mempool *mp)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	if (rte_pktmbuf_data_room_size(mp) <= RTE_PKTMBUF_HEADROOM) {
		/* every segment would take 0 bytes: a frame would drain the pool */
		IVSHMEM_LOG(ERR, "%s: mbufs of pool %s have no room for data (data room %u, "
			    "headroom %u)", pmd->bus->name, mp->name,
			    rte_pktmbuf_data_room_size(mp), RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	if (!rx_frame_fits(dev, mp, dev->data->mtu + RTE_ETHER_HDR_LEN,
			   conf != NULL ? conf->offloads : 0))
		return -EINVAL;
	/* ethdev has released a queue set up before (rx_queue_release) */
	rxq = rte_zmalloc_socket("ivshmem_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->mp = mp;
	rxq->pmd = pmd;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->parse_ptypes = !pmd->ptypes_off;
	rxq->max_frame = rx_max_frame(dev->data->mtu);
	rxq->cksum_offloads = (dev->data->dev_conf.rxmode.offloads |
			       (conf != NULL ? conf->offloads : 0)) & IVSHMEM_RX_CKSUM_OFFLOADS;
	/* channels are mapped at dev_start, from the final queue count */
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
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
	dev->data->tx_queues[qid] = txq;
	return 0;
}

static void rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

/* ---- Rx interrupts ----------------------------------------------------- */

/* Doorbell vector that wakes Rx queue q: vector 0 is the device's misc
 * interrupt (vfio's own fd), so queue q uses 1 + q on every backend. */
static unsigned int rxq_vector(uint16_t q)
{
	return 1u + q;
}

/* An ethdev interrupt handle whose efd q is the fd of queue q's vector, so
 * rte_eth_dev_rx_intr_ctl_q() and rte_epoll_wait() work the same over vfio
 * MSI-X eventfds and the host device's eventfds. */
static int rx_intr_handle_create(struct rte_eth_dev *dev, uint16_t nb_rxq)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_intr_handle *ih;
	uint16_t q;
	int fd;

	ih = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (ih == NULL)
		return -ENOMEM;
	if (rte_intr_type_set(ih, RTE_INTR_HANDLE_VDEV) != 0 ||
	    rte_intr_efd_counter_size_set(ih, sizeof(uint64_t)) != 0 ||
	    rte_intr_vec_list_alloc(ih, "ivshmem_intr_vec", nb_rxq) != 0)
		goto fail;
	for (q = 0; q < nb_rxq; q++) {
		fd = pmd->bus->ops->vector_fd(pmd->bus, rxq_vector(q));
		if (fd < 0 || rte_intr_efds_index_set(ih, q, fd) != 0 ||
		    rte_intr_vec_list_index_set(ih, q, RTE_INTR_VEC_RXTX_OFFSET + q) != 0)
			goto fail;
	}
	if (rte_intr_nb_efd_set(ih, nb_rxq) != 0 ||
	    rte_intr_max_intr_set(ih, nb_rxq + 1) != 0)
		goto fail;
	pmd->rx_intr_handle = ih;
	dev->intr_handle = ih;
	return 0;
fail:
	rte_intr_vec_list_free(ih);
	rte_intr_instance_free(ih);
	return -EINVAL;
}

static int rx_intr_setup(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t nb_rxq = dev->data->nb_rx_queues;
	unsigned int need = rxq_vector(nb_rxq - 1) + 1;
	int rc;

	if (pmd->bus->nb_vectors < need) {
		IVSHMEM_LOG(ERR, "%s: Rx interrupts for %u queues need %u doorbell vectors "
			    "(vector 0 + one per queue), the device has %u",
			    pmd->bus->name, nb_rxq, need, pmd->bus->nb_vectors);
		return -ENOTSUP;
	}
	rc = pmd->bus->ops->intr_enable(pmd->bus, need);
	if (rc == 0) {
		rc = rx_intr_handle_create(dev, nb_rxq);
		if (rc != 0)
			pmd->bus->ops->intr_disable(pmd->bus);
	}
	if (rc != 0)
		IVSHMEM_LOG(ERR, "%s: cannot set up Rx interrupts (%d)", pmd->bus->name, rc);
	return rc;
}

static void rx_intr_teardown(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (pmd->rx_intr_handle != NULL) {
		rte_intr_vec_list_free(pmd->rx_intr_handle);
		rte_intr_instance_free(pmd->rx_intr_handle);
		pmd->rx_intr_handle = NULL;
	}
	pmd->bus->ops->intr_disable(pmd->bus);
	dev->intr_handle = NULL;
}

/* Wakes our own waiter: data arrived between the last poll and arming. */
static void kick_own_efd(struct rte_eth_dev *dev, uint16_t qid)
{
	uint64_t one = 1;
	int fd = rte_intr_efds_index_get(dev->intr_handle, qid);

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0)
		IVSHMEM_LOG(DEBUG, "kick of queue %u failed", qid);
}

static int rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq = dev->data->rx_queues[qid];
	uint32_t token = rxq_vector(qid) + 1;
	bool pending = false;
	uint16_t c;

	if (!pmd->rx_intr)
		return -ENOTSUP;
	for (c = 0; c < rxq->nb_ch; c++) {
		rxq->ch[c].wake_token = token;
		if (!ivshm_rx_arm(&rxq->ch[c]))
			pending = true;
	}
	if (pending)
		kick_own_efd(dev, qid);
	return 0;
}

static int rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct ivshmem_rxq *rxq = dev->data->rx_queues[qid];
	uint16_t c;

	for (c = 0; c < rxq->nb_ch; c++)
		ivshm_rx_disarm(&rxq->ch[c]);
	return 0;
}

/* ---- device ops -------------------------------------------------------- */

static int dev_configure(struct rte_eth_dev *dev)
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

static int dev_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t q;
	int rc;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		if (dev->data->rx_queues[q] == NULL) {
			IVSHMEM_LOG(ERR, "%s: Rx queue %u was not set up", pmd->bus->name, q);
			return -EINVAL;
		}
		rc = rxq_map_channels(pmd, dev->data->rx_queues[q], q,
				      dev->data->nb_rx_queues);
		if (rc != 0)
			return rc;
		((struct ivshmem_rxq *)dev->data->rx_queues[q])->max_frame =
			rx_max_frame(dev->data->mtu);
	}
	if (dev->data->dev_conf.intr_conf.rxq) {
		rc = rx_intr_setup(dev);
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
	__atomic_store_n(&pmd->started, true, __ATOMIC_RELEASE);
	return 0;
}

static int dev_stop(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t q;

	if (pmd->rx_intr) {
		for (q = 0; q < dev->data->nb_rx_queues; q++)
			if (dev->data->rx_queues[q] != NULL)
				rx_queue_intr_disable(dev, q);
		rx_intr_teardown(dev);
		pmd->rx_intr = false;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	__atomic_store_n(&pmd->started, false, __ATOMIC_RELEASE);
	return 0;
}

static int dev_close(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		ivshmem_bus_close(dev->process_private);
		dev->process_private = NULL;
		return 0;
	}
	if (pmd->started)
		dev_stop(dev);
	ivshmem_link_stop(dev);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		tx_queue_release(dev, q);
	ivshm_region_detach(&pmd->region);
	ivshmem_bus_close(pmd->bus);
	pmd->bus = NULL;
	return 0;
}

static int dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
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

static int link_update(struct rte_eth_dev *dev, int wait)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = __atomic_load_n(&pmd->link_up, __ATOMIC_RELAXED) ?
			       RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	RTE_SET_USED(wait);
	return rte_eth_linkstatus_set(dev, &link);
}

static int mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	uint32_t max_frame = ivshm_max_chain_frame(&pmd->region.geo);
	uint16_t q;

	if ((uint32_t)mtu + RTE_ETHER_HDR_LEN > max_frame) {
		IVSHMEM_LOG(ERR, "%s: MTU %u exceeds the largest frame %u - %u",
			    pmd->bus->name, mtu, max_frame, RTE_ETHER_HDR_LEN);
		return -EINVAL;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] != NULL &&
		    !rx_frame_fits(dev, ((struct ivshmem_rxq *)dev->data->rx_queues[q])->mp,
				   (uint32_t)mtu + RTE_ETHER_HDR_LEN, 0))
			return -EINVAL;
	for (q = 0; q < dev->data->nb_rx_queues; q++) /* also while started */
		if (dev->data->rx_queues[q] != NULL)
			((struct ivshmem_rxq *)dev->data->rx_queues[q])->max_frame =
				rx_max_frame(mtu);
	return 0;
}

static int accept_mode(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0; /* a point-to-point link: every frame is for us */
}

static int mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	ivshm_region_set_mac(&pmd->region, addr->addr_bytes);
	return 0;
}

/* ---- statistics -------------------------------------------------------- */

static int stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint64_t bad;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q;
	uint16_t c;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rxq = dev->data->rx_queues[q];
		if (rxq == NULL)
			continue;
		st->ipackets += rxq->ipackets;
		st->ibytes += rxq->ibytes;
		/* A bad descriptor is an error (ierrors), counted once: imissed
		 * gets the other drops (no mbuf for a segment, lost region). */
		for (bad = 0, c = 0; c < rxq->nb_ch; c++)
			bad += rxq->ch[c].err.bad_desc;
		bad += rxq->over_mtu; /* errors too, not misses */
		st->ierrors += bad;
		st->imissed += rxq->dropped > bad ? rxq->dropped - bad : 0;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->ipackets;
			st->q_ibytes[q] = rxq->ibytes;
		}
		st->rx_nombuf += rxq->nombuf_mbufs;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		txq = dev->data->tx_queues[q];
		if (txq == NULL)
			continue;
		st->opackets += txq->opackets;
		st->obytes += txq->obytes;
		st->oerrors += txq->too_big + txq->bad_mbuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->opackets;
			st->q_obytes[q] = txq->obytes;
		}
	}
	return 0;
}

static int stats_reset(struct rte_eth_dev *dev)
{
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q, c;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rxq = dev->data->rx_queues[q];
		if (rxq == NULL)
			continue;
		rxq->ipackets = rxq->ibytes = rxq->nombuf = rxq->dropped = 0;
		rxq->nombuf_mbufs = rxq->over_mtu = 0;
		for (c = 0; c < rxq->nb_ch; c++)
			memset(&rxq->ch[c].err, 0, sizeof(rxq->ch[c].err));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		txq = dev->data->tx_queues[q];
		if (txq == NULL)
			continue;
		txq->opackets = txq->obytes = txq->ring_full = txq->peer_down = 0;
		txq->too_big = txq->bad_mbuf = txq->doorbells = 0;
		memset(&txq->ch.err, 0, sizeof(txq->ch.err));
	}
	return 0;
}

enum xstat_id {
	XS_RX_BAD_DESC, XS_RX_BAD_INDEX, XS_RX_RESYNCS, XS_RX_NOMBUF_BURSTS,
	XS_RX_DROPPED, XS_RX_OVER_MTU, XS_TX_RING_FULL, XS_TX_PEER_DOWN,
	XS_TX_TOO_BIG, XS_TX_BAD_MBUF, XS_TX_BAD_INDEX, XS_TX_DOORBELLS, XS_LINK_CHANGES,
	XS_REGION_UNSEALED, XS_REGION_TRUNCATED, XS_COUNT
};

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
	[XS_LINK_CHANGES] = "link_changes",
	[XS_REGION_UNSEALED] = "region_unsealed",     /* 1: a peer can shrink BAR2 */
	[XS_REGION_TRUNCATED] = "region_truncated",   /* bus errors absorbed */
};

static void xstats_collect(struct rte_eth_dev *dev, uint64_t v[XS_COUNT])
{
	const struct ivshmem_bus_dev *bus = dev->process_private;
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	struct ivshmem_txq *txq;
	uint16_t q, c;

	memset(v, 0, sizeof(uint64_t) * XS_COUNT);
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rxq = dev->data->rx_queues[q];
		if (rxq == NULL)
			continue;
		for (c = 0; c < rxq->nb_ch; c++) {
			v[XS_RX_BAD_DESC] += rxq->ch[c].err.bad_desc;
			v[XS_RX_BAD_INDEX] += rxq->ch[c].err.bad_index;
			v[XS_RX_RESYNCS] += rxq->ch[c].err.resyncs;
		}
		v[XS_RX_NOMBUF_BURSTS] += rxq->nombuf;
		v[XS_RX_DROPPED] += rxq->dropped;
		v[XS_RX_OVER_MTU] += rxq->over_mtu;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		txq = dev->data->tx_queues[q];
		if (txq == NULL)
			continue;
		/* split at Tx time (count_refused) */
		v[XS_TX_RING_FULL] += txq->ring_full;
		v[XS_TX_PEER_DOWN] += txq->peer_down;
		v[XS_TX_TOO_BIG] += txq->too_big;
		v[XS_TX_BAD_MBUF] += txq->bad_mbuf;
		v[XS_TX_BAD_INDEX] += txq->ch.err.bad_index;
		v[XS_TX_DOORBELLS] += txq->doorbells;
	}
	v[XS_LINK_CHANGES] = pmd->link_changes;
	/* this process's mapping: pmd->bus is the primary's private object */
	v[XS_REGION_UNSEALED] = bus != NULL && bus->bar2_unsealed;
	v[XS_REGION_TRUNCATED] = ivshmem_bar2_guard_faults(bus != NULL ? bus->bar2_guard : NULL);
}

static int xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
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

static int xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
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

static const uint32_t *supported_ptypes_get(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return ivshmem_ptype_supported();
}

/* Any non-zero mask parses all our types (a superset is allowed); 0 turns
 * parsing off so packet_type stays 0 and costs nothing. */
static int ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq;
	uint16_t q;

	pmd->ptypes_off = ptype_mask == 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rxq = dev->data->rx_queues[q];
		if (rxq != NULL)
			rxq->parse_ptypes = !pmd->ptypes_off;
	}
	return 0;
}

static const struct eth_dev_ops ivshmem_ops = {
	.dev_configure = dev_configure,
	.dev_start = dev_start,
	.dev_stop = dev_stop,
	.dev_close = dev_close,
	.dev_infos_get = dev_infos_get,
	.link_update = link_update,
	.mtu_set = mtu_set,
	.promiscuous_enable = accept_mode,
	.promiscuous_disable = accept_mode,
	.allmulticast_enable = accept_mode,
	.allmulticast_disable = accept_mode,
	.mac_addr_set = mac_addr_set,
	.rx_queue_setup = rx_queue_setup,
	.tx_queue_setup = tx_queue_setup,
	.rx_queue_release = rx_queue_release,
	.tx_queue_release = tx_queue_release,
	.rx_queue_intr_enable = rx_queue_intr_enable,
	.rx_queue_intr_disable = rx_queue_intr_disable,
	.stats_get = stats_get,
	.stats_reset = stats_reset,
	.xstats_get = xstats_get,
	.xstats_get_names = xstats_get_names,
	.xstats_reset = stats_reset,
	.dev_supported_ptypes_get = supported_ptypes_get,
	.dev_ptypes_set = ptypes_set,
};

/* ---- creation ---------------------------------------------------------- */

static int choose_peer(struct pmd_internals *pmd)
{
	const struct ivshm_geometry *g = &pmd->region.geo;
	int peer = pmd->args.peer;

	if (peer < 0 && g->max_peers == 2)
		peer = 1 - pmd->bus->id;
	if (peer < 0) {
		IVSHMEM_LOG(ERR, "%s: the region has %u peers: devarg peer= is required",
			    pmd->bus->name, g->max_peers);
		return -EINVAL;
	}
	if ((uint32_t)peer >= g->max_peers || peer == pmd->bus->id) {
		IVSHMEM_LOG(ERR, "%s: peer=%d is not another peer of this region "
			    "(own id %u, max_peers %u)", pmd->bus->name, peer,
			    pmd->bus->id, g->max_peers);
		return -EINVAL;
	}
	pmd->peer = (uint16_t)peer;
	return 0;
}

/* A format takes microseconds; one that has not moved for this long was
 * left by a peer that died mid-format and is taken over. */
#define IVSHMEM_FORMAT_STALL_MS 1000u

/* Called while attach says EBUSY: waits 1 ms, and takes the format over
 * once format_state has not changed for IVSHMEM_FORMAT_STALL_MS. */
static void wait_for_formatter(struct pmd_internals *pmd, uint32_t *seen,
			       uint64_t *seen_since)
{
	struct ivshmem_bus_dev *bus = pmd->bus;
	uint32_t now_state = ivshm_region_format_state(bus->bar2);
	uint64_t now = rte_get_timer_cycles();
	int rc;

	if (now_state != *seen) {
		*seen = now_state;
		*seen_since = now;
	} else if (IVSHM_FORMAT_STATE(now_state) == IVSHM_FORMAT_FORMATTING &&
		   now - *seen_since >= rte_get_timer_hz() / 1000 * IVSHMEM_FORMAT_STALL_MS) {
		rc = ivshm_region_format_takeover(bus->bar2, bus->bar2_size,
						  &pmd->args.geo, bus->id, now_state);
		IVSHMEM_LOG(NOTICE, "%s: the region stayed in FORMATTING for %u ms "
			    "(its formatter stopped): %s", bus->name,
			    IVSHMEM_FORMAT_STALL_MS, rc == IVSHM_OK ?
			    "formatted it again" : "another peer took it over");
		*seen_since = now;
		return;
	}
	rte_delay_us_sleep(1000);
}

/* Attaches to BAR2, waiting for a concurrent formatter (taking over one
 * that stopped) and taking the id over from a peer whose heartbeat has
 * stopped. */
static int attach_region(struct pmd_internals *pmd)
{
	struct ivshmem_bus_dev *bus = pmd->bus;
	uint64_t deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	uint64_t seen_since = rte_get_timer_cycles();
	unsigned int flags = IVSHM_ATTACH_FORMAT;
	struct ivshm_peer_view before, after;
	uint32_t seen = UINT32_MAX;
	int rc;

	for (;;) {
		rc = ivshm_region_attach(&pmd->region, bus->bar2, bus->bar2_size,
					 bus->id, &pmd->args.geo, flags);
		if (rc == IVSHM_EBUSY && rte_get_timer_cycles() < deadline) {
			wait_for_formatter(pmd, &seen, &seen_since);
			continue;
		}
		if (rc != IVSHM_EINUSE || (flags & IVSHM_ATTACH_TAKEOVER))
			break;
		/* Someone holds our id: take it over only if it is silent. The
		 * failed attach left the geometry in pmd->region for peer_read. */
		ivshm_peer_read(&pmd->region, bus->id, &before);
		rte_delay_us_sleep(2 * IVSHMEM_LINK_TIMEOUT_US);
		ivshm_peer_read(&pmd->region, bus->id, &after);
		if (after.heartbeat != before.heartbeat) {
			IVSHMEM_LOG(ERR, "%s: peer id %u is already attached and alive "
				    "(two peers claim the same id)", bus->name, bus->id);
			return -EADDRINUSE;
		}
		IVSHMEM_LOG(NOTICE, "%s: taking over id %u from a peer that stopped",
			    bus->name, bus->id);
		flags |= IVSHM_ATTACH_TAKEOVER;
	}
	if (rc == IVSHM_ETOOSMALL)
		IVSHMEM_LOG(ERR, "%s: BAR2 is %" PRIu64 " bytes, the geometry needs %" PRIu64
			    " (lower queues/ring_size/buf_size)", bus->name,
			    bus->bar2_size, ivshm_layout_size(&pmd->args.geo));
	else if (rc != IVSHM_OK)
		IVSHMEM_LOG(ERR, "%s: cannot attach to BAR2 as peer %u: %s", bus->name,
			    bus->id, ivshm_strerror(rc));
	return rc == IVSHM_OK ? 0 : -EINVAL;
}

static void choose_mac(struct pmd_internals *pmd)
{
	/* Locally administered, "iv", then our peer id. */
	const uint8_t derived[6] = { 0x02, 0x69, 0x76, 0x00,
				     (uint8_t)(pmd->bus->id >> 8), (uint8_t)pmd->bus->id };

	memcpy(pmd->mac.addr_bytes, pmd->args.has_mac ? pmd->args.mac : derived, 6);
	ivshm_region_set_mac(&pmd->region, pmd->mac.addr_bytes);
}

int ivshmem_eth_create(struct rte_device *rdev, const char *name,
		       struct ivshmem_bus_dev *bus,
		       const struct ivshmem_devargs *args, struct rte_eth_dev **out)
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
	rc = attach_region(pmd);
	if (rc == 0)
		rc = choose_peer(pmd);
	if (rc != 0)
		goto fail;
	choose_mac(pmd);
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	dev->dev_ops = &ivshmem_ops;
	dev->rx_pkt_burst = eth_ivshmem_rx;
	dev->tx_pkt_burst = eth_ivshmem_tx;
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
	.dev_close = dev_close,
	.dev_infos_get = dev_infos_get,
	.link_update = link_update,
	.promiscuous_enable = accept_mode, /* dpdk-dumpcap asks: we accept all */
	.promiscuous_disable = accept_mode,
	.allmulticast_enable = accept_mode,
	.allmulticast_disable = accept_mode,
	.stats_get = stats_get,
	.xstats_get = xstats_get,
	.xstats_get_names = xstats_get_names,
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
	dev->rx_pkt_burst = eth_ivshmem_rx;
	dev->tx_pkt_burst = eth_ivshmem_tx;
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
