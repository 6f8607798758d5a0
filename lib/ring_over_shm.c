/* SPDX-License-Identifier: BSD-3-Clause
 * ring_over_shm: BAR2 layout and SPSC channels. See doc/bar2-layout.md.
 */
#include "ring_over_shm.h"
#include "ivshm_bits.h"

#include <stddef.h>
#include <string.h>

#define RELAXED memory_order_relaxed
#define ACQUIRE memory_order_acquire
#define RELEASE memory_order_release

static const char *const rc_names[] = {
	[0] = "success",
	[1] = "invalid argument or geometry",
	[2] = "region too small for the geometry",
	[3] = "region is being formatted by another peer",
	[4] = "region holds foreign data (not an ivshmem-pmd layout)",
	[5] = "layout major version differs (the region was formatted by an "
	      "incompatible ivshmem-pmd; this one speaks layout 3.x, lap-tagged "
	      "descriptors and inline frames): restart both peers on the same "
	      "release, or reformat the region",
	[6] = "layout header is inconsistent (corrupt)",
	[7] = "peer id outside the peer table",
	[8] = "peer id already in use by a live peer",
	[9] = "descriptor starts a chained frame",
};

const char *ivshm_strerror(int rc)
{
	unsigned int i = (unsigned int)-rc;

	if (rc > 0 || i >= sizeof(rc_names) / sizeof(rc_names[0]))
		return "unknown error";
	return rc_names[i];
}

const char *ivshm_geometry_bad_field(const struct ivshm_geometry *g)
{
	if (g->max_peers < IVSHM_MIN_PEERS || g->max_peers > IVSHM_MAX_PEERS)
		return "max_peers";
	if (g->queues < 1 || g->queues > IVSHM_MAX_QUEUES)
		return "queues";
	if (!ivshm_is_pow2(g->ring_size) || g->ring_size < IVSHM_MIN_RING_SIZE ||
	    g->ring_size > IVSHM_MAX_RING_SIZE)
		return "ring_size";
	if (g->buf_size < IVSHM_MIN_BUF_SIZE || g->buf_size > IVSHM_MAX_BUF_SIZE ||
	    g->buf_size % IVSHM_CACHE_LINE != 0)
		return "buf_size";
	if (g->inline_size > IVSHM_MAX_INLINE_SIZE || g->inline_size % IVSHM_CACHE_LINE != 0)
		return "inline_size";
	return NULL;
}

int ivshm_geometry_check(const struct ivshm_geometry *g)
{
	return g != NULL && ivshm_geometry_bad_field(g) == NULL ? IVSHM_OK : IVSHM_EINVAL;
}

/* Offsets of a layout; all multiples of the cache line. */
struct layout {
	uint64_t peers_off, chans_off, chan_stride, desc_off, inline_off, bufs_off, size;
};

static uint64_t channel_count(const struct ivshm_geometry *g)
{
	return (uint64_t)g->max_peers * (g->max_peers - 1) * g->queues;
}

static void compute_layout(const struct ivshm_geometry *g, struct layout *l)
{
	l->peers_off = sizeof(struct ivshm_wire_hdr);
	l->chans_off = ivshm_align_up(l->peers_off + (uint64_t)g->max_peers *
				sizeof(struct ivshm_wire_peer), IVSHM_LAYOUT_ALIGN);
	l->desc_off = sizeof(struct ivshm_wire_chan);
	l->inline_off = ivshm_align_up(l->desc_off + (uint64_t)g->ring_size * IVSHM_DESC_SIZE,
				 IVSHM_CACHE_LINE);
	l->bufs_off = l->inline_off + (uint64_t)g->ring_size * g->inline_size;
	l->chan_stride = ivshm_align_up(l->bufs_off +
				  (uint64_t)g->ring_size * g->buf_size, IVSHM_LAYOUT_ALIGN);
	l->size = l->chans_off + channel_count(g) * l->chan_stride;
}

uint64_t ivshm_layout_size(const struct ivshm_geometry *g)
{
	struct layout l;

	if (ivshm_geometry_check(g) != IVSHM_OK)
		return 0;
	compute_layout(g, &l);
	return l.size;
}

static struct ivshm_wire_hdr *hdr_of(void *base)
{
	return (struct ivshm_wire_hdr *)base;
}

static struct ivshm_wire_peer *peer_entry(const struct ivshm_region *r,
					  uint16_t id)
{
	return (struct ivshm_wire_peer *)(r->base + sizeof(struct ivshm_wire_hdr)) +
	       id;
}

/* Index of channel producer -> consumer, queue q (diagonal omitted). */
static uint64_t channel_index(const struct ivshm_geometry *g, uint16_t prod,
			      uint16_t cons, uint16_t q)
{
	uint64_t pair = (uint64_t)prod * (g->max_peers - 1) +
			(cons < prod ? cons : cons - 1u);

	return pair * g->queues + q;
}

static uint8_t *channel_base(const struct ivshm_region *r, uint16_t prod,
			     uint16_t cons, uint16_t q)
{
	return r->base + r->chans_off +
	       channel_index(&r->geo, prod, cons, q) * r->chan_stride;
}

/* A formatter writes only while it holds its claim (format_state ==
 * claim): a formatter that stalled past the takeover delay must not write
 * into a region another peer has formatted since and peers use
 * (bar2-layout §5). The claim is re-checked before every line written,
 * after a harmless atomic read-modify-write (+0) on the line's page that
 * takes any page fault (the likeliest long stall) before the check, not
 * between the check and the store. */
struct format_writer {
	_Atomic uint32_t *state;
	uint32_t claim;
};

static bool still_claimed(const struct format_writer *w)
{
	return atomic_load_explicit(w->state, memory_order_seq_cst) == w->claim;
}

/* Zeroes (src NULL) or copies len bytes at dst (4-byte aligned), a line at
 * a time, while the claim holds. Returns false, having stopped, when it
 * was lost. */
static bool claimed_write(const struct format_writer *w, uint8_t *dst,
			  const uint8_t *src, uint64_t len)
{
	uint64_t at = 0, chunk;

	while (at < len) {
		if (at == 0 || ((uintptr_t)(dst + at) & (IVSHM_LAYOUT_ALIGN - 1)) == 0)
			atomic_fetch_add_explicit((_Atomic uint32_t *)(void *)(dst + at),
						  0, RELAXED);
		chunk = IVSHM_CACHE_LINE - ((uintptr_t)(dst + at) & (IVSHM_CACHE_LINE - 1));
		if (chunk > len - at)
			chunk = len - at;
		if (!still_claimed(w))
			return false;
		if (src == NULL)
			memset(dst + at, 0, chunk);
		else
			memcpy(dst + at, src + at, chunk);
		at += chunk;
	}
	return true;
}

/* Fills the header fields of layout l (format_state and magic left 0). */
static void header_of(struct ivshm_wire_hdr *h, uint64_t size,
		      const struct ivshm_geometry *g, const struct layout *l,
		      uint16_t formatter)
{
	memset(h, 0, sizeof(*h));
	h->version_major = IVSHM_LAYOUT_MAJOR;
	h->version_minor = IVSHM_LAYOUT_MINOR;
	h->formatter_id = formatter;
	h->region_size = size;
	h->layout_size = l->size;
	h->max_peers = g->max_peers;
	h->queues = g->queues;
	h->ring_size = g->ring_size;
	h->buf_size = g->buf_size;
	h->peers_off = l->peers_off;
	h->chans_off = l->chans_off;
	h->chan_stride = l->chan_stride;
	h->desc_off = l->desc_off;
	h->bufs_off = l->bufs_off;
	h->inline_size = g->inline_size;
	h->inline_off = l->inline_off;
}

/* Writes the header and zeroes the control structures of layout l while
 * the caller's claim holds (format_state == claim). Returns false, leaving
 * the rest unwritten, once the claim was taken over. */
static bool write_layout(struct ivshm_wire_hdr *h, uint64_t size,
			 const struct ivshm_geometry *g, const struct layout *l,
			 uint16_t formatter, uint32_t claim)
{
	const struct format_writer w = { &h->format_state, claim };
	const size_t state_at = offsetof(struct ivshm_wire_hdr, format_state);
	const size_t fields_at = state_at + sizeof(h->format_state);
	uint8_t *base = (uint8_t *)h;
	struct ivshm_wire_hdr fresh;
	uint64_t n;

	if (!still_claimed(&w))
		return false;
	atomic_store_explicit(&h->magic, 0, RELAXED);
	/* Control structures and descriptors only (zero tags match no lap
	 * before the 256th): inline slots and buffers are written before
	 * they are read. */
	if (!claimed_write(&w, base + l->peers_off, NULL, l->chans_off - l->peers_off))
		return false;
	for (n = 0; n < channel_count(g); n++)
		if (!claimed_write(&w, base + l->chans_off + n * l->chan_stride, NULL,
				   l->inline_off))
			return false;
	/* Every header byte but magic and format_state, then magic. */
	header_of(&fresh, size, g, l, formatter);
	if (!claimed_write(&w, base + sizeof(h->magic),
			   (const uint8_t *)&fresh + sizeof(h->magic),
			   state_at - sizeof(h->magic)) ||
	    !claimed_write(&w, base + fields_at, (const uint8_t *)&fresh + fields_at,
			   sizeof(*h) - fields_at) ||
	    !still_claimed(&w))
		return false;
	atomic_store_explicit(&h->magic, IVSHM_LAYOUT_MAGIC, RELAXED);
	return true;
}

/* Checks what a format needs before anything is claimed: a failed format
 * must leave the region as it was, not stuck in FORMATTING. */
static int format_precheck(void *base, uint64_t size,
			   const struct ivshm_geometry *g, uint16_t formatter)
{
	if (base == NULL || ivshm_geometry_check(g) != IVSHM_OK)
		return IVSHM_EINVAL;
	if (formatter >= g->max_peers)
		return IVSHM_EPEERID;
	if (ivshm_layout_size(g) > size)
		return IVSHM_ETOOSMALL;
	return IVSHM_OK;
}

int ivshm_region_format(void *base, uint64_t size,
			const struct ivshm_geometry *g, uint16_t formatter)
{
	struct ivshm_wire_hdr *h = hdr_of(base);
	struct layout l;
	int rc = format_precheck(base, size, g, formatter);

	if (rc != IVSHM_OK)
		return rc == IVSHM_EPEERID ? IVSHM_EINVAL : rc;
	compute_layout(g, &l);
	atomic_store_explicit(&h->format_state, IVSHM_FORMAT_FORMATTING, RELAXED);
	if (!write_layout(h, size, g, &l, formatter, IVSHM_FORMAT_FORMATTING))
		return IVSHM_EBUSY; /* someone took it over meanwhile */
	atomic_store_explicit(&h->format_state, IVSHM_FORMAT_READY, RELEASE);
	return IVSHM_OK;
}

/* Reads the header of a READY region into r, trusting nothing: one copy
 * of it is taken, the geometry in the copy must be valid and every offset
 * must be the one we compute from it; only the copy is used after, so a
 * peer rewriting the header meanwhile cannot mix old and new fields. */
static int adopt_header(struct ivshm_region *r, void *base, uint64_t size)
{
	struct ivshm_wire_hdr h;
	struct ivshm_geometry g;
	struct layout l;

	memcpy(&h, base, sizeof(h));
	atomic_thread_fence(ACQUIRE);
	if (atomic_load_explicit(&h.magic, RELAXED) != IVSHM_LAYOUT_MAGIC)
		return IVSHM_EFOREIGN;
	if (h.version_major != IVSHM_LAYOUT_MAJOR)
		return IVSHM_EVERSION;
	g.max_peers = h.max_peers;
	g.queues = h.queues;
	g.ring_size = h.ring_size;
	g.buf_size = h.buf_size;
	g.inline_size = h.inline_size;
	if (ivshm_geometry_check(&g) != IVSHM_OK)
		return IVSHM_ECORRUPT;
	compute_layout(&g, &l);
	if (h.peers_off != l.peers_off || h.chans_off != l.chans_off ||
	    h.chan_stride != l.chan_stride || h.desc_off != l.desc_off ||
	    h.inline_off != l.inline_off || h.bufs_off != l.bufs_off ||
	    h.layout_size != l.size)
		return IVSHM_ECORRUPT;
	if (l.size > size)
		return IVSHM_ETOOSMALL;
	r->base = base;
	r->size = size;
	r->geo = g;
	r->chans_off = l.chans_off;
	r->chan_stride = l.chan_stride;
	r->desc_off = l.desc_off;
	r->inline_off = l.inline_off;
	r->bufs_off = l.bufs_off;
	return IVSHM_OK;
}

/* The header is all zero but for format_state (which the caller holds). */
static bool header_is_blank(const struct ivshm_wire_hdr *h)
{
	static const uint8_t zero[sizeof(*h)];
	const size_t at = offsetof(struct ivshm_wire_hdr, format_state);
	const size_t after = at + sizeof(h->format_state);

	return memcmp(h, zero, at) == 0 &&
	       memcmp((const uint8_t *)h + after, zero, sizeof(*h) - after) == 0;
}

/* Claims the format by moving format_state from `from` to `claim`, writes
 * the layout, then publishes READY only if the claim is still ours: a
 * claim taken over meanwhile (we were too slow) ends in EBUSY, and the
 * header a reader then adopts is validated like any other. */
static int claim_and_format(void *base, uint64_t size,
			    const struct ivshm_geometry *g, uint16_t me,
			    uint32_t from, uint32_t claim)
{
	struct ivshm_wire_hdr *h = hdr_of(base);
	struct layout l;

	if (!atomic_compare_exchange_strong(&h->format_state, &from, claim))
		return IVSHM_EBUSY;
	/* A first claim formats only a blank region; a takeover rewrites
	 * whatever the stopped formatter left. */
	if (from == IVSHM_FORMAT_BLANK && !header_is_blank(h)) {
		atomic_compare_exchange_strong(&h->format_state, &claim,
					       IVSHM_FORMAT_BLANK);
		return IVSHM_EFOREIGN;
	}
	compute_layout(g, &l);
	if (!write_layout(h, size, g, &l, me, claim))
		return IVSHM_EBUSY; /* taken over: we wrote nothing after that */
	if (!atomic_compare_exchange_strong_explicit(&h->format_state, &claim,
						     IVSHM_FORMAT_READY,
						     RELEASE, RELAXED))
		return IVSHM_EBUSY;
	return IVSHM_OK;
}

/* Formats the region if allowed and nobody else does it first. */
static int format_if_blank(void *base, uint64_t size,
			   const struct ivshm_geometry *want, uint16_t me,
			   unsigned int flags)
{
	struct ivshm_geometry g = want ? *want : IVSHM_GEOMETRY_DEFAULT;
	int rc;

	if (flags & IVSHM_ATTACH_REFORMAT)
		return ivshm_region_format(base, size, &g, me);
	if (!(flags & IVSHM_ATTACH_FORMAT))
		return IVSHM_EBUSY; /* wait for the formatter */
	rc = format_precheck(base, size, &g, me);
	if (rc != IVSHM_OK)
		return rc;
	/* Claim first, look second: a peer that loses the race sees
	 * FORMATTING and waits (EBUSY) instead of calling the half-written
	 * header foreign. */
	return claim_and_format(base, size, &g, me, IVSHM_FORMAT_BLANK,
				IVSHM_FORMAT_FORMATTING);
}

uint32_t ivshm_region_format_state(const void *base)
{
	const struct ivshm_wire_hdr *h = base;

	return atomic_load_explicit(&h->format_state, ACQUIRE);
}

int ivshm_region_format_takeover(void *base, uint64_t size,
				 const struct ivshm_geometry *want, uint16_t me,
				 uint32_t stalled)
{
	struct ivshm_geometry g = want ? *want : IVSHM_GEOMETRY_DEFAULT;
	uint32_t next = (IVSHM_FORMAT_CLAIM(stalled) + 1) & 0xffffffu;
	int rc;

	if (IVSHM_FORMAT_STATE(stalled) != IVSHM_FORMAT_FORMATTING)
		return IVSHM_EINVAL;
	rc = format_precheck(base, size, &g, me);
	if (rc != IVSHM_OK)
		return rc;
	return claim_and_format(base, size, &g, me, stalled,
				IVSHM_FORMAT_CLAIMED(next == 0 ? 1 : next));
}

int ivshm_region_attach(struct ivshm_region *r, void *base, uint64_t size,
			uint16_t me, const struct ivshm_geometry *want,
			unsigned int flags)
{
	struct ivshm_wire_hdr *h;
	struct ivshm_wire_peer *p;
	uint32_t state, gen;
	int rc;

	if (r == NULL || base == NULL || size < sizeof(struct ivshm_wire_hdr) ||
	    ((uintptr_t)base % IVSHM_CACHE_LINE) != 0)
		return IVSHM_EINVAL;
	memset(r, 0, sizeof(*r));
	h = hdr_of(base);
	state = atomic_load_explicit(&h->format_state, ACQUIRE);
	if (state == IVSHM_FORMAT_BLANK || (flags & IVSHM_ATTACH_REFORMAT)) {
		rc = format_if_blank(base, size, want, me, flags);
		if (rc != IVSHM_OK)
			return rc;
	} else if (IVSHM_FORMAT_STATE(state) == IVSHM_FORMAT_FORMATTING) {
		return IVSHM_EBUSY;
	} else if (state != IVSHM_FORMAT_READY) {
		return IVSHM_EFOREIGN;
	}
	rc = adopt_header(r, base, size);
	if (rc != IVSHM_OK)
		return rc;
	if (me >= r->geo.max_peers)
		return IVSHM_EPEERID;
	p = peer_entry(r, me);
	state = atomic_load_explicit(&p->state, ACQUIRE);
	if ((state == IVSHM_PEER_UP || state == IVSHM_PEER_STOPPED) &&
	    !(flags & IVSHM_ATTACH_TAKEOVER))
		return IVSHM_EINUSE;
	gen = atomic_load_explicit(&p->generation, RELAXED) + 1;
	if (gen == 0)
		gen = 1;
	r->me = me;
	r->gen = gen;
	atomic_store_explicit(&p->generation, gen, RELAXED);
	atomic_store_explicit(&p->state, (flags & IVSHM_ATTACH_STOPPED) ?
			      IVSHM_PEER_STOPPED : IVSHM_PEER_UP, RELEASE);
	return IVSHM_OK;
}

void ivshm_region_detach(struct ivshm_region *r)
{
	if (r == NULL || r->base == NULL)
		return;
	atomic_store_explicit(&peer_entry(r, r->me)->state, IVSHM_PEER_LEFT,
			      RELEASE);
	r->base = NULL;
}

void ivshm_region_heartbeat(const struct ivshm_region *r)
{
	atomic_fetch_add_explicit(&peer_entry(r, r->me)->heartbeat, 1, RELAXED);
}

void ivshm_region_set_ready(const struct ivshm_region *r, bool ready)
{
	atomic_store_explicit(&peer_entry(r, r->me)->state,
			      ready ? IVSHM_PEER_UP : IVSHM_PEER_STOPPED, RELEASE);
}

void ivshm_region_set_mac(const struct ivshm_region *r, const uint8_t mac[6])
{
	memcpy(peer_entry(r, r->me)->mac, mac, 6);
}

int ivshm_peer_read(const struct ivshm_region *r, uint16_t peer,
		    struct ivshm_peer_view *out)
{
	const struct ivshm_wire_peer *p;

	if (r == NULL || r->base == NULL || out == NULL ||
	    peer >= r->geo.max_peers)
		return IVSHM_EINVAL;
	p = peer_entry(r, peer);
	out->state = atomic_load_explicit(&p->state, ACQUIRE);
	out->generation = atomic_load_explicit(&p->generation, RELAXED);
	out->heartbeat = atomic_load_explicit(&p->heartbeat, RELAXED);
	memcpy(out->mac, p->mac, 6);
	return IVSHM_OK;
}

static int check_pair(const struct ivshm_region *r, uint16_t other, uint16_t q)
{
	if (r == NULL || r->base == NULL)
		return IVSHM_EINVAL;
	if (other >= r->geo.max_peers || other == r->me)
		return IVSHM_EPEERID;
	if (q >= r->geo.queues)
		return IVSHM_EINVAL;
	return IVSHM_OK;
}

/* Where a channel's parts are. */
struct chan_parts {
	struct ivshm_wire_chan *ctl;
	_Atomic uint64_t *descs;
	uint8_t *inl;
	uint8_t *bufs;
};

/* The prologue of tx_open and rx_open: checks the pair (us and `other`)
 * and queue q, then locates the channel of queue q from us to other
 * (we_produce) or from other to us. */
static int locate_channel(const struct ivshm_region *r, uint16_t other, uint16_t q,
			  bool we_produce, const void *handle, struct chan_parts *c)
{
	int rc = check_pair(r, other, q);
	uint8_t *base;

	if (rc != IVSHM_OK || handle == NULL)
		return rc != IVSHM_OK ? rc : IVSHM_EINVAL;
	base = we_produce ? channel_base(r, r->me, other, q) :
			    channel_base(r, other, r->me, q);
	c->ctl = (struct ivshm_wire_chan *)base;
	c->descs = (_Atomic uint64_t *)(base + r->desc_off);
	c->inl = base + r->inline_off;
	c->bufs = base + r->bufs_off;
	return IVSHM_OK;
}

/* A new generation starts at head; the slots still hold our last life's
 * descriptors, tagged ready for the positions a consumer may still expect
 * ([head - R, head): published, maybe unread; [head, head + R): stored by
 * a life that stopped before its publish). Retag them to a lap no consumer
 * expects (two laps back): the consumer then finds its next slot not
 * ready, reads prod_gen and resyncs, dropping them, instead of taking them
 * for ours. Until it acked, we write no data (ivshm_tx_await_ack), so a
 * descriptor it read just before is still backed by its data. */
static void untag_last_life(struct ivshm_tx *tx)
{
	const uint64_t tag_mask = (uint64_t)0xff << 56;
	uint32_t k, pos, lap, tag;
	uint64_t d;

	for (k = 0; k <= tx->mask; k++) {
		pos = tx->head + k;
		lap = IVSHM_LAP_TAG(pos, tx->lap_shift);
		d = atomic_load_explicit(&tx->descs[pos & tx->mask], RELAXED);
		tag = IVSHM_DESC_TAG(d);
		if (tag == lap || tag == ((lap - 1u) & 0xffu))
			atomic_store_explicit(&tx->descs[pos & tx->mask],
					      (d & ~tag_mask) | ((uint64_t)((lap - 2u) & 0xffu) << 56),
					      RELAXED);
	}
}

int ivshm_tx_open(struct ivshm_tx *tx, const struct ivshm_region *r,
		  uint16_t to, uint16_t q)
{
	struct chan_parts c;
	int rc = locate_channel(r, to, q, true, tx, &c);

	if (rc != IVSHM_OK)
		return rc;
	memset(tx, 0, sizeof(*tx));
	tx->ctl = c.ctl;
	tx->descs = c.descs;
	tx->bufs = c.bufs;
	tx->inl = c.inl;
	tx->mask = r->geo.ring_size - 1;
	tx->buf_size = r->geo.buf_size;
	/* Frames up to one buffer go inline: a longer one is chained. */
	tx->inline_size = r->geo.inline_size < r->geo.buf_size ? r->geo.inline_size :
								 r->geo.buf_size;
	tx->lap_shift = ivshm_log2(r->geo.ring_size);
	tx->max_len = ivshm_max_frame(&r->geo);
	tx->gen = r->gen;
	/* Keep the head where it is: the consumer resyncs its tail to it when
	 * it sees our new generation, dropping what our last life left. */
	tx->head = atomic_load_explicit(&tx->ctl->head, RELAXED);
	/* Assume the ring full until we read the consumer's tail: what our
	 * last life left may still be unconsumed. */
	tx->tail_seen = tx->head - (tx->mask + 1);
	tx->acked = atomic_load_explicit(&tx->ctl->ack_gen, ACQUIRE) == tx->gen;
	if (!tx->acked)
		untag_last_life(tx);
	atomic_store_explicit(&tx->ctl->gen_start, tx->head, RELAXED);
	atomic_store_explicit(&tx->ctl->prod_gen, tx->gen, RELEASE);
	return IVSHM_OK;
}

int ivshm_rx_open(struct ivshm_rx *rx, const struct ivshm_region *r,
		  uint16_t from, uint16_t q)
{
	struct chan_parts c;
	int rc = locate_channel(r, from, q, false, rx, &c);

	if (rc != IVSHM_OK)
		return rc;
	memset(rx, 0, sizeof(*rx));
	rx->ctl = c.ctl;
	rx->descs = c.descs;
	rx->bufs = c.bufs;
	rx->bufs_len = (uint64_t)r->geo.ring_size * r->geo.buf_size;
	rx->inl = c.inl;
	rx->inl_len = (uint64_t)r->geo.ring_size * r->geo.inline_size;
	rx->ring_size = r->geo.ring_size;
	rx->buf_size = r->geo.buf_size;
	rx->inline_size = r->geo.inline_size;
	rx->lap_shift = ivshm_log2(r->geo.ring_size);
	rx->hint_base = rx->inline_size != 0 ? rx->inl : rx->bufs;
	rx->hint_stride = rx->inline_size != 0 ? rx->inline_size : rx->buf_size;
	rx->mask = r->geo.ring_size - 1;
	rx->max_chain = ivshm_max_chain_frame(&r->geo);
	rx->expect_gen = 0; /* first avail() syncs to the producer */
	rx->wake_token = IVSHM_WAKE_TOKEN(0);
	atomic_store_explicit(&rx->ctl->need_wakeup, IVSHM_WAKE_NONE, RELAXED);
	return IVSHM_OK;
}

bool ivshm_tx_ready(const struct ivshm_tx *tx)
{
	return atomic_load_explicit(&tx->ctl->ack_gen, ACQUIRE) == tx->gen;
}

/* Until the consumer acked our generation it may still hold descriptors
 * of our last life (read by their tags before it noticed the restart):
 * writing a slot could tear a frame it copies. Its ack (release, after
 * its tail) tells it let go of them and resumed at gen_start. ack_gen 0:
 * no consumer has synced since the format, so nobody reads the ring and
 * we may write (not cached: one may sync meanwhile). */
bool ivshm_tx_await_ack(struct ivshm_tx *tx)
{
	uint32_t ack = atomic_load_explicit(&tx->ctl->ack_gen, ACQUIRE);

	tx->acked = ack == tx->gen;
	return tx->acked || ack == 0;
}

uint32_t ivshm_tx_wake_for_ack(struct ivshm_tx *tx)
{
	if (ivshm_tx_await_ack(tx) ||
	    atomic_load_explicit(&tx->ctl->need_wakeup, RELAXED) == IVSHM_WAKE_NONE)
		return IVSHM_WAKE_NONE;
	return atomic_exchange_explicit(&tx->ctl->need_wakeup, IVSHM_WAKE_NONE, RELAXED);
}



/* Distance from a to b if b lies in [a, a + ring_size], else -1. */
static int64_t index_distance(uint32_t a, uint32_t b, uint32_t ring_size)
{
	return b - a <= ring_size ? (int64_t)(b - a) : -1;
}

/* The producer (re)started a generation, or we did: resume at the later of
 * our shared tail and the generation's first descriptor, so leftovers of a
 * dead producer are dropped while what the new one already sent is kept.
 * Indices the peer may have garbled fall back to "drop everything". */
void ivshm_rx_resync(struct ivshm_rx *rx, uint32_t gen)
{
	uint32_t start = atomic_load_explicit(&rx->ctl->gen_start, RELAXED);
	uint32_t head = atomic_load_explicit(&rx->ctl->head, ACQUIRE);
	uint32_t tail = atomic_load_explicit(&rx->ctl->tail, RELAXED);
	int64_t start_ok = index_distance(start, head, rx->ring_size);
	int64_t tail_ok = index_distance(tail, head, rx->ring_size);
	uint32_t resume = head;

	if (start_ok >= 0 && tail_ok >= 0)
		resume = start_ok < tail_ok ? start : tail;
	else if (start_ok >= 0)
		resume = start;
	if (rx->expect_gen != 0)
		rx->err.resyncs++;
	rx->tail = resume;
	rx->head_seen = resume;
	rx->expect_gen = gen;
	atomic_store_explicit(&rx->ctl->tail, resume, RELEASE);
	atomic_store_explicit(&rx->ctl->ack_gen, gen, RELEASE);
}

uint32_t ivshm_rx_new_generation(struct ivshm_rx *rx, uint32_t gen, uint32_t max)
{
	ivshm_rx_resync(rx, gen);
	return ivshm_rx_scan(rx, 0, max);
}

bool ivshm_rx_sync(struct ivshm_rx *rx)
{
	uint32_t gen = atomic_load_explicit(&rx->ctl->prod_gen, ACQUIRE);

	if (gen != 0 && gen != rx->expect_gen)
		ivshm_rx_resync(rx, gen);
	return gen != 0;
}




/* A descriptor's data lies inside the area its flags name (the inline
 * area with F_INLINE, else the buffer area) and says something. */
static bool desc_in_bounds(const struct ivshm_rx *rx, uint64_t d)
{
	uint64_t off = IVSHM_DESC_OFFSET(d);
	uint32_t n = IVSHM_DESC_LEN(d), flags = IVSHM_DESC_FLAGS(d);
	uint64_t area_len = (flags & IVSHM_DESC_F_INLINE) ? rx->inl_len : rx->bufs_len;

	return n != 0 && (flags & ~IVSHM_DESC_FLAGS_KNOWN) == 0 &&
	       off <= area_len && n <= area_len - off;
}

static const uint8_t *desc_data(const struct ivshm_rx *rx, uint64_t d)
{
	return ((IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_INLINE) ? rx->inl : rx->bufs) +
	       IVSHM_DESC_OFFSET(d);
}

bool ivshm_rx_chain_starts(struct ivshm_rx *rx, uint64_t d)
{
	if (desc_in_bounds(rx, d) && (IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_MORE))
		return true;
	rx->err.bad_desc++;
	return false;
}

/* Ready index k is in the ready run, or extends it: a descriptor
 * published for its position (its tag), inside the ring from our tail.
 * What the run covers stays ready (a tag the peer changes since does not
 * take back a descriptor we counted), so a chain always takes its first
 * one and the caller moves on. */
static bool chain_seg_ready(struct ivshm_rx *rx, uint32_t k)
{
	if (k < rx->head_seen - rx->tail)
		return true;
	if (k >= rx->ring_size || !ivshm_rx_pos_ready(rx, rx->tail + k))
		return false;
	rx->head_seen = rx->tail + k + 1;
	return true;
}

/* Takes the rest of a bad chain when `follow`: up to its last descriptor
 * (one without F_MORE, or a bad one) or the first one not ready,
 * whichever comes first. */
static int chain_drop(struct ivshm_rx *rx, struct ivshm_rx_chain *c, bool follow)
{
	uint64_t d;

	while (follow && chain_seg_ready(rx, c->first + c->used)) {
		d = ivshm_rx_desc(rx, c->first + c->used);
		c->used++;
		if (!desc_in_bounds(rx, d) || !(IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_MORE))
			break;
	}
	rx->err.bad_desc++;
	return IVSHM_ECORRUPT;
}

int ivshm_rx_chain_next(struct ivshm_rx *rx, struct ivshm_rx_chain *c,
			const uint8_t **data, uint32_t *len)
{
	uint64_t d;

	/* The producer stores a chain's first descriptor last: once it is
	 * ready the whole chain is, so a segment not ready means a bad one. */
	if (!chain_seg_ready(rx, c->first + c->used))
		return chain_drop(rx, c, false); /* never ends */
	d = ivshm_rx_desc(rx, c->first + c->used);
	c->used++;
	if (!desc_in_bounds(rx, d))
		return chain_drop(rx, c, false); /* the bad one ends it */
	*data = desc_data(rx, d);
	*len = IVSHM_DESC_LEN(d);
	c->total += *len;
	/* At most what the geometry can hold (min(R x B, 65535)): segments
	 * that overlap cannot make a frame longer than the buffer area. */
	if (c->total > rx->max_chain)
		return chain_drop(rx, c, (IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_MORE) != 0);
	return (IVSHM_DESC_FLAGS(d) & IVSHM_DESC_F_MORE) ? IVSHM_CHAIN_MORE :
							   IVSHM_CHAIN_LAST;
}

uint32_t ivshm_tx_set_chain(struct ivshm_tx *tx, uint32_t i, uint32_t len)
{
	uint32_t k = ivshm_tx_segs(tx, len), segs = k;

	/* Last segment first, the first one last: a consumer that sees the
	 * first descriptor's tag (acquire) sees every later one. */
	ivshm_tx_set_flags(tx, i + k - 1, len - (k - 1) * tx->buf_size, 0);
	while (--k > 0)
		ivshm_tx_set_flags(tx, i + k - 1, tx->buf_size, IVSHM_DESC_F_MORE);
	return segs;
}

bool ivshm_rx_arm(struct ivshm_rx *rx)
{
	uint32_t head;

	/* Dekker with ivshm_tx_publish (seq_cst store, then seq_cst load of
	 * head): if we read the head of a publish, the tags stored before it
	 * are visible to the check below; if not, the producer sees our
	 * token. The head's value itself is not trusted: only a ready tag
	 * counts, so a bad head cannot make the caller spin. */
	atomic_store_explicit(&rx->ctl->need_wakeup, rx->wake_token,
			      memory_order_seq_cst);
	head = atomic_load_explicit(&rx->ctl->head, memory_order_seq_cst);
	(void)head;
	if ((rx->expect_gen != 0 && ivshm_rx_pos_ready(rx, rx->tail)) ||
	    atomic_load_explicit(&rx->ctl->prod_gen, memory_order_relaxed) !=
	    rx->expect_gen) {
		/* Something arrived (or the producer restarted): poll again. */
		ivshm_rx_disarm(rx);
		return false;
	}
	return true;
}

void ivshm_rx_disarm(struct ivshm_rx *rx)
{
	atomic_store_explicit(&rx->ctl->need_wakeup, IVSHM_WAKE_NONE, RELAXED);
}

/* Copies a frame longer than one buffer into the buffers from slot on. */
static uint32_t tx_copy_chain(struct ivshm_tx *tx, uint32_t slot,
			      const struct ivshm_pkt *p)
{
	uint32_t k, off, chunk;

	for (k = 0, off = 0; off < p->len; k++, off += chunk) {
		chunk = p->len - off < tx->buf_size ? p->len - off : tx->buf_size;
		memcpy(ivshm_tx_buf(tx, slot + k), (const uint8_t *)p->data + off, chunk);
	}
	return ivshm_tx_set_chain(tx, slot, p->len);
}

uint32_t ivshm_tx_burst(struct ivshm_tx *tx, const struct ivshm_pkt *pkts,
			uint32_t n, bool *doorbell)
{
	uint32_t i, slot = 0, segs;

	for (i = 0; i < n; i++) {
		if (pkts[i].len == 0 || pkts[i].len > IVSHM_MAX_CHAIN_LEN)
			break;
		segs = ivshm_tx_segs(tx, pkts[i].len);
		if (ivshm_tx_space(tx, slot + segs) < slot + segs)
			break;
		if (segs == 1) {
			memcpy(ivshm_tx_buf_for(tx, slot, pkts[i].len), pkts[i].data,
			       pkts[i].len);
			ivshm_tx_set(tx, slot, pkts[i].len);
		} else {
			tx_copy_chain(tx, slot, &pkts[i]);
		}
		slot += segs;
	}
	*doorbell = ivshm_tx_publish(tx, slot) != 0;
	return i;
}

/* Copies the chain starting at ready index *i into p (cap bytes); leaves *i
 * at its last descriptor. */
static int rx_copy_chain(struct ivshm_rx *rx, uint32_t *i, struct ivshm_pkt *p,
			 uint32_t cap)
{
	struct ivshm_rx_chain c;
	const uint8_t *data = NULL;
	uint32_t len = 0;
	int rc;

	ivshm_rx_chain_start(&c, *i);
	do {
		rc = ivshm_rx_chain_next(rx, &c, &data, &len);
		if (rc >= 0 && c.total <= cap)
			memcpy((uint8_t *)p->data + c.total - len, data, len);
	} while (rc == IVSHM_CHAIN_MORE);
	*i = c.first + c.used - 1;
	if (rc < 0)
		return rc;
	if (c.total > cap) {
		rx->err.bad_desc++;
		return IVSHM_ECORRUPT;
	}
	p->len = c.total;
	return IVSHM_OK;
}

uint32_t ivshm_rx_burst(struct ivshm_rx *rx, struct ivshm_pkt *pkts,
			uint32_t n, uint32_t cap)
{
	uint32_t i, got = 0, ready = ivshm_rx_avail(rx, n);
	const uint8_t *data = NULL;
	uint32_t len = 0;
	int rc;

	for (i = 0; i < ready; i++) {
		rc = ivshm_rx_get(rx, i, &data, &len);
		if (rc == IVSHM_ECHAIN) {
			rc = rx_copy_chain(rx, &i, &pkts[got], cap);
			if (rc == IVSHM_OK)
				got++;
			if (i + 1 > ready)
				ready = i + 1; /* the chain went past avail */
			continue;
		}
		if (rc != IVSHM_OK)
			continue;
		if (len > cap) {
			rx->err.bad_desc++;
			continue;
		}
		memcpy(pkts[got].data, data, len);
		pkts[got].len = len;
		got++;
	}
	ivshm_rx_release(rx, ready);
	return got;
}
