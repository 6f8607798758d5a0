/* SPDX-License-Identifier: BSD-3-Clause
 * ring_over_shm: the BAR2 layout and lockless SPSC channels of ivshmem-pmd.
 * Plain C11 + atomics: no DPDK, no syscalls, no allocation. Everything read
 * from shared memory is validated before use; see doc/bar2-layout.md.
 */
#ifndef RING_OVER_SHM_H
#define RING_OVER_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdatomic.h>

#include "ivshmem_wire.h"

/* Result codes (negative); ivshm_strerror() names them. */
enum ivshm_rc {
	IVSHM_OK = 0,
	IVSHM_EINVAL = -1,    /* bad argument or geometry */
	IVSHM_ETOOSMALL = -2, /* region too small for the geometry */
	IVSHM_EBUSY = -3,     /* another peer is formatting: retry */
	IVSHM_EFOREIGN = -4,  /* region holds data that is not this layout */
	IVSHM_EVERSION = -5,  /* layout major version differs */
	IVSHM_ECORRUPT = -6,  /* header fields are inconsistent */
	IVSHM_EPEERID = -7,   /* peer id outside the peer table */
	IVSHM_EINUSE = -8,    /* peer id is held by a peer that is up */
	IVSHM_ECHAIN = -9,    /* descriptor starts a chained frame */
};
const char *ivshm_strerror(int rc);
/* After IVSHM_EVERSION: a sentence for the user naming the region's layout
 * version and ours and what to do, written into buf (ivshm_version.c). */
const char *ivshm_version_refusal(const void *base, char *buf, size_t len);

struct ivshm_geometry {
	uint32_t max_peers;
	uint32_t queues;
	uint32_t ring_size;
	uint32_t buf_size;
	uint32_t inline_size; /* bytes per inline slot (3.0), 0: no inline area */
};
/* inline_size 128: a frame up to 128 B (64 B minimum frames, TCP ACKs with
 * timestamps at 66 B, pings at 98 B) goes inline, in 1 or 2 lines next to
 * its neighbours' (bar2-layout §1, §10). */
#define IVSHM_INLINE_SIZE_DEFAULT 128u
#define IVSHM_GEOMETRY_DEFAULT \
	((struct ivshm_geometry){ .max_peers = 2, .queues = 1, \
				  .ring_size = 1024, .buf_size = 1536, \
				  .inline_size = IVSHM_INLINE_SIZE_DEFAULT })

/* Checks limits; returns IVSHM_OK or IVSHM_EINVAL. */
int ivshm_geometry_check(const struct ivshm_geometry *g);
/* The geometry rules, written once: the name of the first field of g that
 * breaks its rule ("max_peers", "queues", "ring_size", "buf_size",
 * "inline_size": the devargs of the same names), or NULL if g is valid. */
const char *ivshm_geometry_bad_field(const struct ivshm_geometry *g);
/* Bytes a region needs for geometry g (0 if g is invalid). */
uint64_t ivshm_layout_size(const struct ivshm_geometry *g);

/* Longest single-descriptor frame of geometry g: one buffer, but no more
 * than a descriptor's 16-bit length can say (a 65536 B buffer holds at
 * most 65535). Longer frames are chained, up to IVSHM_MAX_CHAIN_LEN. */
static inline uint32_t ivshm_max_frame(const struct ivshm_geometry *g)
{
	return g->buf_size < IVSHM_MAX_FRAME_LEN ? g->buf_size : IVSHM_MAX_FRAME_LEN;
}

/* Longest chained frame of geometry g: 65535 B unless the whole ring is
 * smaller (a chain must fit in the ring to be published). */
static inline uint32_t ivshm_max_chain_frame(const struct ivshm_geometry *g)
{
	uint64_t ring_bytes = (uint64_t)g->ring_size * g->buf_size;

	return ring_bytes < IVSHM_MAX_CHAIN_LEN ? (uint32_t)ring_bytes :
						  IVSHM_MAX_CHAIN_LEN;
}

/* A peer's local view of an attached region (private memory). */
struct ivshm_region {
	uint8_t *base;
	uint64_t size;
	struct ivshm_geometry geo;
	uint16_t me;
	uint32_t gen;              /* our generation in the peer table */
	uint64_t chans_off, chan_stride, desc_off, inline_off, bufs_off;
};

#define IVSHM_ATTACH_FORMAT   0x1u /* may format a blank region */
#define IVSHM_ATTACH_TAKEOVER 0x2u /* take the id over from a dead peer */
#define IVSHM_ATTACH_REFORMAT 0x4u /* format even if the region is not blank */
#define IVSHM_ATTACH_STOPPED  0x8u /* enter as STOPPED, not UP: hold the id
				    * before being ready for traffic */

/* Formats region [base, base+size) with geometry g. Used by attach; exposed
 * for tools and tests. Not safe while other peers use the region. */
int ivshm_region_format(void *base, uint64_t size,
			const struct ivshm_geometry *g, uint16_t formatter);

/* Attaches peer `me`. If the region is blank and IVSHM_ATTACH_FORMAT is set,
 * formats it with `want` (NULL: default); otherwise adopts the geometry found
 * (r->geo). Returns IVSHM_EBUSY while another peer formats: retry later. */
int ivshm_region_attach(struct ivshm_region *r, void *base, uint64_t size,
			uint16_t me, const struct ivshm_geometry *want,
			unsigned int flags);
/* format_state as it is now (IVSHM_FORMAT_STATE() gives the state). */
uint32_t ivshm_region_format_state(const void *base);
/* Takes over a format that stopped: if format_state still reads `stalled`
 * (a FORMATTING value the caller saw unchanged for longer than a format
 * takes), claims it with the next takeover count and formats with `want`.
 * One of several peers trying wins; the others get IVSHM_EBUSY. */
int ivshm_region_format_takeover(void *base, uint64_t size,
				 const struct ivshm_geometry *want, uint16_t me,
				 uint32_t stalled);
/* Marks us LEFT. Channels opened on r must not be used afterwards. */
void ivshm_region_detach(struct ivshm_region *r);
void ivshm_region_heartbeat(const struct ivshm_region *r);
/* Our entry's state: UP (ready for traffic) or STOPPED (holding the id). */
void ivshm_region_set_ready(const struct ivshm_region *r, bool ready);
void ivshm_region_set_mac(const struct ivshm_region *r, const uint8_t mac[6]);

/* A validated snapshot of a peer table entry. */
struct ivshm_peer_view {
	uint32_t state;
	uint32_t generation;
	uint64_t heartbeat;
	uint8_t mac[6];
};
int ivshm_peer_read(const struct ivshm_region *r, uint16_t peer,
		    struct ivshm_peer_view *out);

/* Counters of what the peer did wrong, per channel end. */
struct ivshm_chan_errors {
	uint64_t bad_index; /* head/tail out of range */
	uint64_t bad_desc;  /* descriptor with bad offset/length/flags */
	uint64_t resyncs;   /* producer generation changed under us */
};

/* Producer end of channel me -> peer, queue q. */
struct ivshm_tx {
	struct ivshm_wire_chan *ctl;
	_Atomic uint64_t *descs;
	uint8_t *bufs;
	uint8_t *inl;        /* inline area: inline_size bytes per slot */
	uint32_t mask, buf_size, inline_size;
	uint32_t lap_shift;  /* log2(ring_size): position >> lap_shift = lap */
	uint32_t max_len;    /* ivshm_max_frame() of the region */
	uint32_t head;       /* next descriptor we publish */
	uint32_t tail_seen;  /* consumer's tail as last read (validated) */
	uint32_t gen;
	bool acked;          /* the consumer acked gen: we may write slots */
	struct ivshm_chan_errors err;
};

/* Consumer end of channel peer -> me, queue q. */
struct ivshm_rx {
	struct ivshm_wire_chan *ctl;
	_Atomic uint64_t *descs;
	const uint8_t *bufs;
	uint64_t bufs_len;
	const uint8_t *inl;  /* inline area, inl_len bytes (0: none) */
	uint64_t inl_len;
	uint32_t mask, ring_size, buf_size, inline_size;
	uint32_t lap_shift;  /* log2(ring_size) */
	const uint8_t *hint_base; /* where small frames go: the inline area if */
	uint32_t hint_stride;     /* there is one, else the buffers */
	uint32_t max_chain;  /* longest frame: ivshm_max_chain_frame() */
	uint32_t tail;       /* next descriptor we consume */
	uint32_t head_seen;  /* end of the descriptors seen ready (by their lap
			      * tags), in [tail, tail + ring_size] */
	uint32_t expect_gen; /* producer generation we synced to; 0: none */
	uint32_t wake_token; /* written to need_wakeup by arm(): IVSHM_WAKE_TOKEN(v) */
	struct ivshm_chan_errors err;
};

int ivshm_tx_open(struct ivshm_tx *tx, const struct ivshm_region *r,
		  uint16_t to, uint16_t q);
int ivshm_rx_open(struct ivshm_rx *rx, const struct ivshm_region *r,
		  uint16_t from, uint16_t q);

/* ---- producer ---- */
/* True once the consumer has synced to our generation (link usable). */
bool ivshm_tx_ready(const struct ivshm_tx *tx);
/* The rare branch of ivshm_tx_space: a new producer generation writes no
 * slot before the consumer acked it, unless no consumer ever synced
 * (bar2-layout §6). */
bool ivshm_tx_await_ack(struct ivshm_tx *tx);
/* Free descriptors, at most `want`; re-reads the consumer's tail only when
 * the cached value is not enough. 0 until the consumer acked our
 * generation. */
static inline uint32_t ivshm_tx_space(struct ivshm_tx *tx, uint32_t want)
{
	uint32_t size = tx->mask + 1;
	uint32_t free_slots = size - (tx->head - tx->tail_seen);
	uint32_t tail;

	if (free_slots < want) {
		if (!tx->acked && !ivshm_tx_await_ack(tx))
			return 0;
		tail = atomic_load_explicit(&tx->ctl->tail, memory_order_acquire);
		/* The consumer's tail only moves forward, and only over
		 * what we stored: it lies in [tail_seen, tail_seen + size].
		 * 3.0: it may pass head, over descriptors of this burst
		 * that head does not count yet: then count from head (fewer
		 * free than there are, never more). A tail seen moving back
		 * or further on is bad: stall, keep the last good one, so
		 * head - tail_seen <= size holds and nothing unread is
		 * overwritten. */
		if (tail - tx->tail_seen > size) {
			tx->err.bad_index++;
			return 0;
		}
		tx->tail_seen = tail - tx->tail_seen > tx->head - tx->tail_seen ? tx->head : tail;
		free_slots = size - (tx->head - tx->tail_seen);
	}
	return free_slots < want ? free_slots : want;
}
/* Every descriptor the producer writes goes through here: the lap tag of
 * its position is added and it is stored with release, so the frame's
 * data (written before) is visible to a consumer that sees the tag. The
 * store publishes the descriptor: write it last. off is relative to the
 * area that flags name (IVSHM_DESC_F_INLINE: the inline area). */
static inline void ivshm_tx_store_desc(struct ivshm_tx *tx, uint32_t i, uint32_t off,
				       uint32_t len, uint32_t flags)
{
	uint32_t pos = tx->head + i;

	atomic_store_explicit(&tx->descs[pos & tx->mask],
			      IVSHM_DESC_MAKE_TAGGED(off, len, flags,
						     IVSHM_LAP_TAG(pos, tx->lap_shift)),
			      memory_order_release);
}
/* Buffer of the i-th descriptor after head (i < space), buf_size bytes. */
static inline uint8_t *ivshm_tx_buf(const struct ivshm_tx *tx, uint32_t i)
{
	return tx->bufs + (uint64_t)((tx->head + i) & tx->mask) * tx->buf_size;
}
/* A frame of len bytes goes inline (one descriptor, in the inline area). */
static inline bool ivshm_tx_is_inline(const struct ivshm_tx *tx, uint32_t len)
{
	return len <= tx->inline_size;
}
/* Where the i-th descriptor after head puts a frame of len bytes (at most
 * ivshm_max_frame): its inline slot when len <= inline_size, else its
 * buffer. ivshm_tx_set(i, len) describes it by the same rule. */
static inline uint8_t *ivshm_tx_buf_for(const struct ivshm_tx *tx, uint32_t i,
					uint32_t len)
{
	uint32_t slot = (tx->head + i) & tx->mask;

	if (ivshm_tx_is_inline(tx, len))
		return tx->inl + (uint64_t)slot * tx->inline_size;
	return tx->bufs + (uint64_t)slot * tx->buf_size;
}
/* Describes (and makes visible) the i-th descriptor after head: len bytes
 * at ivshm_tx_buf_for(i, len), the data already written. */
static inline void ivshm_tx_set(struct ivshm_tx *tx, uint32_t i, uint32_t len)
{
	uint32_t slot = (tx->head + i) & tx->mask;

	if (ivshm_tx_is_inline(tx, len))
		ivshm_tx_store_desc(tx, i, slot * tx->inline_size, len, IVSHM_DESC_F_INLINE);
	else
		ivshm_tx_store_desc(tx, i, slot * tx->buf_size, len, 0);
}
/* Describes the i-th descriptor after head: len bytes at offset off of the
 * buffer area, any buffer (a zero-copy producer publishes where its frame
 * lies, not slot s at buffer s). Returns false, writing nothing, unless
 * [off, off + len) lies inside the area. Like every descriptor store it
 * publishes at once (layout 3.0): the data must be written before. */
static inline bool ivshm_tx_set_at(struct ivshm_tx *tx, uint32_t i, uint64_t off,
				   uint32_t len, uint32_t flags)
{
	uint64_t area = (uint64_t)(tx->mask + 1) * tx->buf_size;

	if (len == 0 || len > IVSHM_MAX_FRAME_LEN || off > area || len > area - off)
		return false;
	ivshm_tx_store_desc(tx, i, (uint32_t)off, len, flags);
	return true;
}
/* Like ivshm_tx_set for data in ivshm_tx_buf(i) (never inline), with
 * descriptor flags (IVSHM_DESC_F_MORE). */
static inline void ivshm_tx_set_flags(struct ivshm_tx *tx, uint32_t i,
				      uint32_t len, uint32_t flags)
{
	uint32_t slot = (tx->head + i) & tx->mask;

	ivshm_tx_store_desc(tx, i, slot * tx->buf_size, len, flags);
}
/* Describes a frame of len bytes (<= IVSHM_MAX_CHAIN_LEN) as a chain of
 * buffers from the i-th descriptor after head, with its data already copied
 * into ivshm_tx_buf(i), ivshm_tx_buf(i + 1), ... (buf_size bytes each).
 * The first descriptor is stored last, so a consumer that sees it sees the
 * whole chain. Returns the descriptors used; the caller checked space. */
uint32_t ivshm_tx_set_chain(struct ivshm_tx *tx, uint32_t i, uint32_t len);
/* Descriptors a frame of len bytes needs. */
static inline uint32_t ivshm_tx_segs(const struct ivshm_tx *tx, uint32_t len)
{
	return (len + tx->buf_size - 1) / tx->buf_size;
}
/* The rare branch of ivshm_tx_publish(0): before the consumer acked us,
 * ring it if it sleeps, so that it wakes to sync. */
uint32_t ivshm_tx_wake_for_ack(struct ivshm_tx *tx);
/* Publishes n descriptors: moves head on (the descriptors are visible by
 * their tags already). Returns IVSHM_WAKE_NONE, or the consumer's wake
 * token when it asked for a doorbell (it is about to sleep), clearing the
 * request: the caller rings vector IVSHM_WAKE_VECTOR(token) once per
 * arming, after IVSHM_WAKE_TOKEN_VALID. */
static inline uint32_t ivshm_tx_publish(struct ivshm_tx *tx, uint32_t n)
{
	if (n == 0)
		return tx->acked ? IVSHM_WAKE_NONE : ivshm_tx_wake_for_ack(tx);
	tx->head += n;
	/* Dekker with ivshm_rx_arm: both sides store then load with seq_cst,
	 * so either the consumer sees the new head (and then the tags stored
	 * before it) before sleeping or we see its need_wakeup. On x86 it is
	 * one xchg per burst. */
	atomic_store_explicit(&tx->ctl->head, tx->head, memory_order_seq_cst);
	if (atomic_load_explicit(&tx->ctl->need_wakeup, memory_order_seq_cst) ==
	    IVSHM_WAKE_NONE)
		return IVSHM_WAKE_NONE;
	/* Consume the request: one doorbell per arming, so a consumer that
	 * leaves its flag set does not get one per burst (bar2-layout §8). */
	return atomic_exchange_explicit(&tx->ctl->need_wakeup, IVSHM_WAKE_NONE,
					memory_order_relaxed);
}

/* ---- consumer ---- */
/* Resumes after a producer generation change (see doc/bar2-layout.md §6).
 * Called by ivshm_rx_avail/ivshm_rx_sync; not needed by users. */
void ivshm_rx_resync(struct ivshm_rx *rx, uint32_t gen);
/* Syncs to the producer's generation now if it changed (acks it, drops its
 * leftovers), without waiting for the next avail(). For the consuming thread
 * only, e.g. at start. Returns true once synced to a live producer. */
bool ivshm_rx_sync(struct ivshm_rx *rx);
/* The descriptor of free-running position pos carries pos's lap tag: it
 * was published for this lap (acquire: its data is visible). */
static inline bool ivshm_rx_pos_ready(const struct ivshm_rx *rx, uint32_t pos)
{
	uint64_t d = atomic_load_explicit(&rx->descs[pos & rx->mask],
					  memory_order_acquire);

	return IVSHM_DESC_TAG(d) == IVSHM_LAP_TAG(pos, rx->lap_shift);
}
/* Extends the ready run (head_seen) by the slots we expect next, while
 * their tags say ready, up to max ready and never past tail + ring_size.
 * Returns the ready count. */
static inline uint32_t ivshm_rx_scan(struct ivshm_rx *rx, uint32_t ready, uint32_t max)
{
	uint32_t limit = max < rx->ring_size ? max : rx->ring_size;

	while (ready < limit && ivshm_rx_pos_ready(rx, rx->head_seen)) {
		rx->head_seen++;
		ready++;
	}
	return ready;
}
/* The rare branch of the idle poll: the producer's generation is gen, not
 * ours (it restarted): syncs to it, then scans the ring again. */
uint32_t ivshm_rx_new_generation(struct ivshm_rx *rx, uint32_t gen, uint32_t max);
/* Nothing ready: the idle poll, the one place the producer's line is read,
 * for the restart a retagged slot announces. */
static inline uint32_t ivshm_rx_idle(struct ivshm_rx *rx, uint32_t max)
{
	uint32_t gen = atomic_load_explicit(&rx->ctl->prod_gen, memory_order_acquire);

	if (gen == rx->expect_gen || gen == 0)
		return 0; /* nothing new, or no producer yet */
	return ivshm_rx_new_generation(rx, gen, max);
}
/* Descriptors ready, at most `max`: found by the lap tags of the slots we
 * expect next. Resyncs (drops what is queued) when the producer's
 * generation changed, noticed when nothing is ready. */
static inline uint32_t ivshm_rx_avail(struct ivshm_rx *rx, uint32_t max)
{
	uint32_t ready = rx->head_seen - rx->tail;

	if (ready < max) {
		if (rx->expect_gen != 0) /* not synced: the tags mean nothing yet */
			ready = ivshm_rx_scan(rx, ready, max);
		if (ready == 0)
			return ivshm_rx_idle(rx, max);
	}
	return ready < max ? ready : max;
}
/* The i-th ready descriptor as the peer wrote it: one atomic load, to be
 * validated before use (ordered by the acquire of avail's scan). */
static inline uint64_t ivshm_rx_desc(struct ivshm_rx *rx, uint32_t i)
{
	return atomic_load_explicit(&rx->descs[(rx->tail + i) & rx->mask],
				    memory_order_relaxed);
}
/* The rare branch of ivshm_rx_get: true for a well-formed chain start,
 * false (counted in bad_desc) for a bad descriptor. */
bool ivshm_rx_chain_starts(struct ivshm_rx *rx, uint64_t d);
/* Validates the i-th ready descriptor (i < avail) and returns its data:
 * in the inline area with IVSHM_DESC_F_INLINE, else in the buffer area.
 * Returns 0, IVSHM_ECHAIN when it starts a chained frame (read it with
 * ivshm_rx_chain_next), or IVSHM_ECORRUPT for a bad descriptor (counted in
 * bad_desc; the caller drops it). The data may still change under us: copy
 * it. */
static inline int ivshm_rx_get(struct ivshm_rx *rx, uint32_t i, const uint8_t **data,
		 uint32_t *len)
{
	uint64_t d = ivshm_rx_desc(rx, i);
	uint64_t off = IVSHM_DESC_OFFSET(d);
	uint32_t n = IVSHM_DESC_LEN(d), flags = IVSHM_DESC_FLAGS(d);
	const bool inl = flags == IVSHM_DESC_F_INLINE;
	const uint8_t *area = inl ? rx->inl : rx->bufs;
	uint64_t area_len = inl ? rx->inl_len : rx->bufs_len;

	if (n == 0 || (flags & ~IVSHM_DESC_F_INLINE) != 0 ||
	    off > area_len || n > area_len - off)
		return ivshm_rx_chain_starts(rx, d) ? IVSHM_ECHAIN : IVSHM_ECORRUPT;
	*data = area + off;
	*len = n;
	return IVSHM_OK;
}
/* A chained frame being read, from ready index first. */
struct ivshm_rx_chain {
	uint32_t first; /* ready index of its first descriptor */
	uint32_t used;  /* descriptors it took so far: skip them after */
	uint32_t total; /* bytes so far */
};
#define IVSHM_CHAIN_MORE 1 /* ivshm_rx_chain_next: more segments follow */
#define IVSHM_CHAIN_LAST 0 /* ivshm_rx_chain_next: this was the last one */
/* Starts reading the chain at ready index i (ivshm_rx_get said ECHAIN). */
static inline void ivshm_rx_chain_start(struct ivshm_rx_chain *c, uint32_t i)
{
	c->first = i;
	c->used = 0;
	c->total = 0;
}
/* Returns the chain's next segment: IVSHM_CHAIN_MORE or IVSHM_CHAIN_LAST,
 * or IVSHM_ECORRUPT for a bad chain (a bad segment, more than
 * rx->max_chain bytes, or no end among the ready descriptors): then
 * c->used covers the whole bad chain, counted once in bad_desc; drop it.
 * Never reads a descriptor whose tag is not ready, nor beyond tail +
 * ring_size. The caller releases c->first + c->used descriptors at least
 * (it may be more than avail returned). */
int ivshm_rx_chain_next(struct ivshm_rx *rx, struct ivshm_rx_chain *c,
			const uint8_t **data, uint32_t *len);

/* Where a conforming producer puts the i-th ready packet (its inline slot
 * when the geometry has one: small frames are the common case to hint;
 * else its buffer): a prefetch hint only, never read without
 * ivshm_rx_get(). */
static inline const void *ivshm_rx_data_hint(const struct ivshm_rx *rx,
					     uint32_t i)
{
	return rx->hint_base + (uint64_t)((rx->tail + i) & rx->mask) * rx->hint_stride;
}

/* Where the i-th ready frame (i < avail) lies, for prefetching only: its
 * descriptor as the peer wrote it, clamped into its area but not
 * validated (a prefetch cannot fault; ivshm_rx_get validates before use). */
static inline const uint8_t *ivshm_rx_frame_hint(struct ivshm_rx *rx, uint32_t i,
						 uint32_t *len)
{
	uint64_t d = ivshm_rx_desc(rx, i);
	uint64_t off = IVSHM_DESC_OFFSET(d);
	uint32_t n = IVSHM_DESC_LEN(d);
	const bool inl = (IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_INLINE) != 0 &&
			 rx->inl_len != 0;
	const uint8_t *area = inl ? rx->inl : rx->bufs;
	uint64_t area_len = inl ? rx->inl_len : rx->bufs_len;

	if (off >= area_len)
		off = 0;
	if (n > area_len - off)
		n = (uint32_t)(area_len - off);
	*len = n;
	return area + off;
}

/* The descriptor of the i-th ready packet: a prefetch hint. */
static inline const void *ivshm_rx_desc_hint(const struct ivshm_rx *rx,
					     uint32_t i)
{
	return (const void *)&rx->descs[(rx->tail + i) & rx->mask];
}

/* Returns n descriptors to the producer (one release store). */
static inline void ivshm_rx_release(struct ivshm_rx *rx, uint32_t n)
{
	if (n == 0)
		return;
	rx->tail += n;
	atomic_store_explicit(&rx->ctl->tail, rx->tail, memory_order_release);
}
/* Zero-copy consumers hold slots after reading them: consume moves the read
 * position on without giving the slots back; return_to gives back every
 * slot before `tail` (one release store). Between the two lies what the
 * consumer still holds: tail must lie in [last returned, rx->tail]. */
static inline void ivshm_rx_consume(struct ivshm_rx *rx, uint32_t n)
{
	rx->tail += n;
}
static inline void ivshm_rx_return_to(struct ivshm_rx *rx, uint32_t tail)
{
	atomic_store_explicit(&rx->ctl->tail, tail, memory_order_release);
}
/* Asks for a doorbell (rx->wake_token, default IVSHM_WAKE_TOKEN(0)) before
 * sleeping. Returns false if a descriptor is already ready or the producer
 * restarted (do not sleep), true if it is safe to sleep. */
bool ivshm_rx_arm(struct ivshm_rx *rx);
void ivshm_rx_disarm(struct ivshm_rx *rx);

/* ---- copy helpers (tests, tools) ---- */
struct ivshm_pkt {
	void *data;
	uint32_t len;
};
/* Copies up to n packets in and publishes them; returns how many were sent.
 * *doorbell is set when the consumer asked to be woken. Packets of up to
 * inline_size bytes go inline; longer ones than buf_size are chained; a
 * packet that does not fit stops the burst. */
uint32_t ivshm_tx_burst(struct ivshm_tx *tx, const struct ivshm_pkt *pkts,
			uint32_t n, bool *doorbell);
/* Copies up to n packets out into pkts[i].data (capacity cap bytes each),
 * setting pkts[i].len. Bad descriptors are skipped and counted. A chained
 * frame that reaches past the first n descriptors is taken whole and ends
 * the burst. */
uint32_t ivshm_rx_burst(struct ivshm_rx *rx, struct ivshm_pkt *pkts,
			uint32_t n, uint32_t cap);

#endif /* RING_OVER_SHM_H */
