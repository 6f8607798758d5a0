/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem Rx and Tx bursts: frames copied between mbufs and the
 * ring_over_shm channels of the peer pair. Everything read from shared
 * memory is validated by the ring library before it is used here.
 */
#include <ethdev_driver.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "ivshmem_rxtx.h"
#include "ivshmem_doorbell.h"
#include "ivshmem_cksum.h"
#include "ivshmem_ptype.h"
#include "ivshmem_zc.h"
#include "ivshmem_ztx.h"

/* ---- Rx ---------------------------------------------------------------- */

#define IVSHMEM_RX_PREFETCH 4 /* packets whose first data line is fetched ahead */
#define IVSHMEM_RX_PREFETCH_MAX 2048 /* bytes of the next frame fetched ahead */

/* Fetches the rest of the i-th ready frame (its first line was fetched
 * IVSHMEM_RX_PREFETCH packets ahead) while the frame before it is copied.
 * The lines were written by the other core; the copy alone would wait for
 * them a few at a time, which made large frames slow (doc/performance.md,
 * "The large-frame cause"). */
static inline void prefetch_frame(struct ivshm_rx *ch, uint32_t i)
{
	uint32_t len, off;
	const uint8_t *data = ivshm_rx_frame_hint(ch, i, &len);

	if (len > IVSHMEM_RX_PREFETCH_MAX)
		len = IVSHMEM_RX_PREFETCH_MAX;
	for (off = RTE_CACHE_LINE_SIZE; off < len; off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(data + off);
}

/* A peer truncated BAR2 during this burst: the guard put zeros in its place
 * and the copies may hold them. Drops the frames (counted) instead of
 * delivering torn ones. */
static uint16_t drop_lost(struct ivshmem_rxq *rxq, struct rte_mbuf **bufs,
			  uint16_t got)
{
	rte_pktmbuf_free_bulk(bufs, got);
	rxq->dropped += got;
	return 0;
}

/* As NICs count it. */
uint32_t ivshmem_rx_max_frame(uint16_t mtu)
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
 * segments as needed (the scatter path: out of line). */
static __rte_noinline int append_to_mbuf(struct ivshmem_rxq *rxq, struct rte_mbuf *m,
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

/* Copies a validated frame into a fresh mbuf from rxq->mp: inline when it
 * fits one (room: every fresh mbuf's tailroom, fixed per pool), else through
 * the chaining path that chained descriptors use too. */
static __rte_always_inline int copy_frame(struct ivshmem_rxq *rxq, struct rte_mbuf *m,
			     const uint8_t *data, uint32_t len, uint32_t room)
{
	struct rte_mbuf *last = m;

	m->port = rxq->port_id;
	if (unlikely(len > room))
		return append_to_mbuf(rxq, m, &last, data, len);
	rte_memcpy(rte_pktmbuf_mtod(m, void *), data, len);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return 0;
}

/* The rare path of rx_channel: descriptor i starts a chained frame. Reads
 * it whole into bufs[i] (or drops it), frees the mbufs bufs[i + 1..] that
 * its other descriptors make unused, and raises *n when the chain reaches
 * past the n descriptors the caller took (all of them are released).
 * Returns the index of the chain's last descriptor. */
static __rte_noinline uint32_t rx_chained(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t i, uint32_t *n,
			   uint16_t *got, uint64_t *bytes)
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
		*bytes += c.total;
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

/* The pool cannot give n mbufs at once: take what it has (then halving,
 * if other lcores took some meanwhile), so a queue short of mbufs still
 * makes progress; what we cannot take stays in the ring (the producer sees
 * backpressure). Returns how many we got. */
static __rte_noinline uint32_t alloc_fewer(struct ivshmem_rxq *rxq,
					   struct rte_mbuf **bufs, uint32_t n)
{
	uint32_t want = n, avail = rte_mempool_avail_count(rxq->mp);

	rxq->nombuf++;
	n = avail < n ? avail : n / 2;
	while (n > 0 && rte_pktmbuf_alloc_bulk(rxq->mp, bufs, n) != 0)
		n /= 2;
	rxq->nombuf_mbufs += want - n; /* per queue: no shared line on Rx */
	return n;
}

/* Zero-copy for ready index i, or copy (counted) beyond the bound. */
static inline bool zc_hold(struct ivshmem_zc *zc, const struct ivshm_rx *ch, uint32_t i)
{
	if (likely(ivshmem_zc_can_hold(zc, ch, i)))
		return true;
	zc->zc_copied++;
	return false;
}

/* Receives the n ready descriptors of one channel into bufs; returns the
 * number delivered. Callers check ivshm_rx_avail() first, inline, so an
 * empty poll costs no call. zc (zero_copy=1): the slots are given back
 * through it; with hold (this process may hold slots) frames inside its
 * bound go out as external buffers over BAR2, the rest is copied. The copy
 * path passes NULL and compiles without it. */
static __rte_always_inline uint16_t rx_frames(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t n, struct ivshmem_zc *zc, bool hold)
{
	uint32_t i, len;
	uint16_t got = 0;
	uint64_t bytes = 0;
	const uint8_t *data;
	struct rte_mbuf *m;
	const bool parse_ptypes = rxq->parse_ptypes; /* once per burst */
	const uint64_t cksum = rxq->cksum_offloads;
	const uint32_t room = rxq->mbuf_room;
	uint32_t held = 0; /* zero-copy frames of this burst */
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
		/* Frames of one flow tend to have one size: small frames fit
		 * the line already fetched ahead, so skip the hint. */
		if (rc == IVSHM_OK && len > 2 * RTE_CACHE_LINE_SIZE && i + 1 < n &&
		    !hold) /* zero-copy reads no payload here */
			prefetch_frame(ch, i + 1);
		if (unlikely(rc == IVSHM_ECHAIN)) {
			i = rx_chained(rxq, ch, bufs, i, &n, &got, &bytes);
			continue;
		}
		if (rc != IVSHM_OK ||
		    unlikely(len > rxq->max_frame && frame_over_mtu(rxq))) {
			rte_pktmbuf_free(m);
			rxq->dropped++;
			continue;
		}
		if (zc != NULL && hold && zc_hold(zc, ch, i)) {
			m->port = rxq->port_id;
			ivshmem_zc_attach(zc, ch, i, m, data, len);
			held++;
		} else if (copy_frame(rxq, m, data, len, room) != 0) {
			rte_pktmbuf_free(m);
			rxq->dropped++;
			continue;
		}
		/* our copy: the peer cannot change it (zero-copy: it can,
		 * doc/threat-model.md) */
		if (parse_ptypes)
			m->packet_type = ivshmem_ptype_parse(
				rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		if (unlikely(cksum != 0))
			rx_cksum(m, parse_ptypes, cksum);
		bytes += len;
		bufs[got++] = m;
	}
	if (zc != NULL) {
		ivshmem_zc_held(zc, held); /* before any of them can be freed */
		ivshm_rx_consume(ch, n); /* given back once their mbufs are freed */
		ivshmem_zc_sync(zc, ch);
	} else {
		ivshm_rx_release(ch, n);
	}
	if (unlikely(ivshmem_own_bar2_lost(rxq->port_id)))
		return drop_lost(rxq, bufs, got); /* may hold zeros read after the fault */
	rxq->ibytes += bytes;
	return got;
}

static uint16_t rx_channel(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t n)
{
	return rx_frames(rxq, ch, bufs, n, NULL, false);
}

static __rte_noinline uint16_t rx_channel_zc(struct ivshmem_rxq *rxq, struct ivshm_rx *ch,
			   struct rte_mbuf **bufs, uint32_t n, struct ivshmem_zc *zc, bool hold)
{
	return rx_frames(rxq, ch, bufs, n, zc, hold);
}

/* zero_copy=1: every channel, also an empty one, first gives back the
 * slots whose mbufs were freed since the last burst (the free callbacks
 * only mark them: the tail has this one writer). Only the primary holds
 * slots: a free callback is a function pointer of the process that set it,
 * so a secondary copies (and still keeps the primary's held slots). */
static __rte_noinline uint16_t rx_burst_zc(struct ivshmem_rxq *rxq, struct rte_mbuf **bufs,
					   uint16_t nb)
{
	const bool hold = rte_eal_process_type() == RTE_PROC_PRIMARY;
	uint16_t got = 0, tries, c = rxq->next_ch;
	struct ivshm_rx *ch;
	uint32_t n;

	for (tries = 0; tries < rxq->nb_ch; tries++) {
		ch = &rxq->ch[c];
		n = got < nb ? ivshm_rx_avail(ch, nb - got) : 0;
		ivshmem_zc_sync(rxq->zc[c], ch); /* after avail: it may resync */
		if (n != 0)
			got += rx_channel_zc(rxq, ch, bufs + got, n, rxq->zc[c], hold);
		c = (uint16_t)(c + 1 == rxq->nb_ch ? 0 : c + 1);
	}
	rxq->next_ch = c;
	rxq->ipackets += got;
	return got;
}

uint16_t ivshmem_rx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_rxq *rxq = queue;
	uint16_t got = 0, tries, c = rxq->next_ch;
	uint32_t n;

	if (unlikely(rxq->zero_copy))
		return rx_burst_zc(rxq, bufs, nb);
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

/* For pool mode (ivshmem_ztx.c); the copy path keeps its static callee
 * (a global one costs it registers around the call). */
bool ivshmem_tx_segments_add_up(const struct rte_mbuf *m, uint32_t len)
{
	return segments_add_up(m, len);
}

static inline bool mbuf_fits(const struct rte_mbuf *m, uint32_t len)
{
	if (likely(m->next == NULL))
		return m->data_len == len;
	return segments_add_up(m, len);
}

/* Copies m (checked by mbuf_fits) into one inline slot or buffer. */
static void gather_mbuf(uint8_t *dst, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
		dst += m->data_len;
	}
}

/* The rare path of ivshmem_tx_burst: m is longer than one buffer (or empty).
 * Copies it into a chain of buffers from slot on if the ring has room for
 * the chain itself; *later (the packets of the burst after it, one
 * descriptor each) becomes how many of them still fit after the chain, so
 * a chain at the head of a burst goes whenever it fits alone and the burst
 * ends early instead (never a chain starved behind packets that come after
 * it). Returns the descriptors used (0: dropped and counted), or -1 when
 * the ring is short of the chain. */
static __rte_noinline int tx_chained(struct ivshmem_txq *txq, struct rte_mbuf *m, uint32_t slot,
		      uint32_t *later)
{
	struct ivshm_tx *ch = &txq->ch;
	uint32_t len = m->pkt_len, segs, need, space, k, off, chunk;
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
	need = slot + segs;
	space = ivshm_tx_space(ch, need + *later);
	if (space < need)
		return -1;
	*later = space - need;
	for (k = 0, off = 0; k < segs; k++, off += chunk) {
		chunk = RTE_MIN(len - off, ch->buf_size);
		dst = ivshm_tx_buf(ch, slot + k);
		src = rte_pktmbuf_read(m, off, chunk, dst);
		if (src != dst)
			rte_memcpy(dst, src, chunk);
	}
	return (int)ivshm_tx_set_chain(ch, slot, len);
}

static inline void ring_peer_if_asked(struct ivshmem_txq *txq, uint32_t token)
{
	if (unlikely(token != IVSHM_WAKE_NONE))
		ivshmem_doorbell_request(txq, token);
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

static __rte_noinline uint16_t tx_burst_copy(void *queue, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_txq *txq = queue;
	struct ivshm_tx *ch = &txq->ch;
	uint32_t room, i, slot = 0, len, chain_descs = 0, later, first_len = 0;
	uint64_t bytes = 0;
	int segs;

	if (unlikely(ivshmem_own_bar2_lost(txq->pmd->port_id))) {
		txq->peer_down += nb; /* BAR2 truncated: nobody reads it */
		return 0;
	}
	room = ivshm_tx_space(ch, nb);
	for (i = 0; i < room; i++) {
		len = bufs[i]->pkt_len;
		if (unlikely(len == 0 || len > ch->max_len)) {
			later = room - i - 1;
			segs = tx_chained(txq, bufs[i], slot, &later);
			if (segs < 0) {
				room = i; /* no room for the chain: the rest stays */
				break;
			}
			room = i + 1 + later; /* what fits after it */
			slot += (uint32_t)segs;
			chain_descs += segs > 1 ? (uint32_t)segs - 1 : 0;
			bytes += segs > 0 ? len : 0;
			continue;
		}
		if (unlikely(!mbuf_fits(bufs[i], len))) {
			txq->bad_mbuf++; /* dropped: the frame is freed below */
			continue;
		}
		gather_mbuf(ivshm_tx_buf_for(ch, slot, len), bufs[i]);
		if (slot == 0)
			first_len = len; /* described last, below */
		else
			ivshm_tx_set(ch, slot, len);
		bytes += len;
		slot++;
	}
	/* The burst's first descriptor last: a consumer polling that slot sees
	 * the whole burst at once, instead of pulling the descriptor line from
	 * us after every store (layout 3.0, doc/performance.md). */
	if (first_len != 0)
		ivshm_tx_set(ch, 0, first_len);
	ring_peer_if_asked(txq, ivshm_tx_publish(ch, slot));
	rte_pktmbuf_free_bulk(bufs, room);
	txq->opackets += slot - chain_descs;
	txq->obytes += bytes;
	if (room < nb)
		count_refused(txq, nb - room);
	return (uint16_t)room;
}

/* Pool mode (zero-copy Tx) branches off once per burst, outside the copy
 * path: a branch inside it cost that loop 2 instructions per packet. */
uint16_t ivshmem_tx_burst(void *queue, struct rte_mbuf **bufs, uint16_t nb)
{
	struct ivshmem_txq *txq = queue;

	if (unlikely(txq->ztx != NULL))
		return ivshmem_ztx_burst(txq, bufs, nb);
	return tx_burst_copy(queue, bufs, nb);
}
