/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: validating and sampling a region read-only (stat_region.h).
 */
#include "stat_region.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ivshm_util.h"

#define RELAXED memory_order_relaxed
#define ACQUIRE memory_order_acquire

const char *stat_peer_state_name(uint32_t state)
{
	switch (state) {
	case IVSHM_PEER_ABSENT: return "absent";
	case IVSHM_PEER_UP: return "up";
	case IVSHM_PEER_LEFT: return "left";
	default: return "invalid";
	}
}

const char *stat_format_state_name(uint32_t format_state)
{
	switch (IVSHM_FORMAT_STATE(format_state)) {
	case IVSHM_FORMAT_BLANK: return "blank";
	case IVSHM_FORMAT_FORMATTING: return "formatting";
	case IVSHM_FORMAT_READY: return "ready";
	default: return "invalid";
	}
}

/* Why a region that is not READY cannot be shown. */
static int explain_not_ready(uint32_t fs, char *err, size_t errlen)
{
	switch (IVSHM_FORMAT_STATE(fs)) {
	case IVSHM_FORMAT_BLANK:
		ivshm_set_err(err, errlen, "region is blank: no peer has formatted it yet");
		break;
	case IVSHM_FORMAT_FORMATTING:
		ivshm_set_err(err, errlen,
			      "region is half-formatted: format_state FORMATTING (takeover %" PRIu32
			      "), a peer is writing the layout or stopped while doing so",
			      IVSHM_FORMAT_CLAIM(fs));
		break;
	default:
		ivshm_set_err(err, errlen,
			      "not an ivshmem-pmd region: format_state 0x%08" PRIx32, fs);
	}
	return -1;
}

static const char *geometry_fault(const struct ivshm_wire_hdr *h,
				  struct ivshm_geometry *g)
{
	g->max_peers = h->max_peers;
	g->queues = h->queues;
	g->ring_size = h->ring_size;
	g->buf_size = h->buf_size;
	g->inline_size = h->inline_size;
	return ivshm_geometry_bad_field(g);
}

/* The offsets must describe parts that lie in order, aligned, inside the
 * layout, and the layout must be the size the lib computes for the
 * geometry: then every read below stays inside the mapping. */
static bool offsets_consistent(const struct ivshm_wire_hdr *h,
			       const struct ivshm_geometry *g, uint64_t nchan)
{
	uint64_t peers_end = h->peers_off + (uint64_t)g->max_peers *
					    sizeof(struct ivshm_wire_peer);
	uint64_t ring_bytes = (uint64_t)g->ring_size * g->buf_size;

	if (h->peers_off != sizeof(struct ivshm_wire_hdr) ||
	    h->chans_off < peers_end || h->chans_off % IVSHM_LAYOUT_ALIGN ||
	    h->desc_off < sizeof(struct ivshm_wire_chan) ||
	    h->desc_off % IVSHM_DESC_SIZE || h->inline_off < h->desc_off ||
	    h->inline_off - h->desc_off < (uint64_t)g->ring_size * IVSHM_DESC_SIZE ||
	    h->bufs_off < h->inline_off ||
	    h->bufs_off - h->inline_off < (uint64_t)g->ring_size * g->inline_size ||
	    h->chan_stride % IVSHM_LAYOUT_ALIGN || h->chan_stride < h->bufs_off ||
	    h->chan_stride - h->bufs_off < ring_bytes)
		return false;
	/* Division, not chans_off + nchan * stride: a hostile stride makes the
	 * product wrap (found by fuzz_stat). stride >= 4096 here. */
	return h->layout_size == ivshm_layout_size(g) &&
	       h->chans_off <= h->layout_size &&
	       (h->layout_size - h->chans_off) % h->chan_stride == 0 &&
	       (h->layout_size - h->chans_off) / h->chan_stride == nchan;
}

static int check_header(struct stat_view *v, char *err, size_t errlen)
{
	const struct ivshm_wire_hdr *h = &v->hdr;
	struct ivshm_geometry g;
	const char *bad;

	if (atomic_load_explicit(&h->magic, RELAXED) != IVSHM_LAYOUT_MAGIC) {
		ivshm_set_err(err, errlen, "not an ivshmem-pmd region: format_state is READY "
			      "but magic is 0x%08" PRIx32, atomic_load_explicit(&h->magic, RELAXED));
		return -1;
	}
	if (h->version_major != IVSHM_LAYOUT_MAJOR) {
		char why[320];

		ivshm_set_err(err, errlen, "%s", ivshm_version_refusal(h, why, sizeof(why)));
		return -1;
	}
	bad = geometry_fault(h, &g);
	if (bad != NULL) {
		ivshm_set_err(err, errlen, "corrupt header: %s out of range (max_peers %" PRIu32
			      ", queues %" PRIu32 ", ring_size %" PRIu32 ", buf_size %" PRIu32 ")",
			      bad, g.max_peers, g.queues, g.ring_size, g.buf_size);
		return -1;
	}
	v->nchan = (uint64_t)g.max_peers * (g.max_peers - 1) * g.queues;
	if (!offsets_consistent(h, &g, v->nchan)) {
		ivshm_set_err(err, errlen, "corrupt header: offsets or layout_size (%" PRIu64
			      ") do not match the geometry", h->layout_size);
		return -1;
	}
	if (h->layout_size > v->size) {
		ivshm_set_err(err, errlen, "region too small: layout needs %" PRIu64
			      " bytes, region has %" PRIu64, h->layout_size, v->size);
		return -1;
	}
	v->region.geo = g;
	return 0;
}

int stat_view_open(struct stat_view *v, const void *base, uint64_t size,
		   char *err, size_t errlen)
{
	uint32_t fs;

	memset(v, 0, sizeof(*v));
	v->base = base;
	v->size = size;
	if (size < sizeof(struct ivshm_wire_hdr)) {
		ivshm_set_err(err, errlen, "region too small: %" PRIu64
			      " bytes, the header alone is %zu", size,
			      sizeof(struct ivshm_wire_hdr));
		return -1;
	}
	fs = ivshm_region_format_state(base);
	if (IVSHM_FORMAT_STATE(fs) != IVSHM_FORMAT_READY || fs != IVSHM_FORMAT_READY)
		return explain_not_ready(fs, err, errlen);
	memcpy(&v->hdr, base, sizeof(v->hdr));
	atomic_thread_fence(ACQUIRE);
	if (check_header(v, err, errlen) < 0)
		return -1;
	v->region.base = (uint8_t *)(uintptr_t)base; /* peer_read only loads */
	v->region.size = size;
	v->region.chans_off = v->hdr.chans_off;
	v->region.chan_stride = v->hdr.chan_stride;
	v->region.desc_off = v->hdr.desc_off;
	v->region.inline_off = v->hdr.inline_off;
	v->region.bufs_off = v->hdr.bufs_off;
	return 0;
}

int stat_sample_alloc(const struct stat_view *v, struct stat_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->peers = calloc(v->region.geo.max_peers, sizeof(*s->peers));
	s->chans = calloc(v->nchan, sizeof(*s->chans));
	if (s->peers == NULL || s->chans == NULL) {
		stat_sample_free(s);
		return -1;
	}
	return 0;
}

void stat_sample_free(struct stat_sample *s)
{
	free(s->peers);
	free(s->chans);
	s->peers = NULL;
	s->chans = NULL;
}

/* Channel n in the order of bar2-layout.md §4: producer-major, the
 * consumer skipping the producer itself, then the queue. */
static void chan_address(const struct stat_view *v, uint64_t n,
			 struct stat_chan *c)
{
	uint32_t q = v->region.geo.queues, others = v->region.geo.max_peers - 1;
	uint64_t pair = n / q;

	c->queue = (uint16_t)(n % q);
	c->prod = (uint16_t)(pair / others);
	c->cons = (uint16_t)(pair % others);
	if (c->cons >= c->prod)
		c->cons++;
}

static void chan_read(const struct stat_view *v, uint64_t n, struct stat_chan *c)
{
	const struct ivshm_wire_chan *ctl = (const struct ivshm_wire_chan *)
		(v->base + v->hdr.chans_off + n * v->hdr.chan_stride);

	chan_address(v, n, c);
	c->prod_gen = atomic_load_explicit(&ctl->prod_gen, ACQUIRE);
	c->gen_start = atomic_load_explicit(&ctl->gen_start, RELAXED);
	c->head = atomic_load_explicit(&ctl->head, ACQUIRE);
	c->tail = atomic_load_explicit(&ctl->tail, ACQUIRE);
	c->ack_gen = atomic_load_explicit(&ctl->ack_gen, RELAXED);
	c->need_wakeup = atomic_load_explicit(&ctl->need_wakeup, RELAXED);
}

void stat_sample_read(const struct stat_view *v, struct stat_sample *s)
{
	uint16_t p;
	uint64_t n;

	s->at_ms = ivshm_now_ms();
	s->format_state = ivshm_region_format_state(v->base);
	for (p = 0; p < v->region.geo.max_peers; p++)
		ivshm_peer_read(&v->region, p, &s->peers[p]);
	for (n = 0; n < v->nchan; n++)
		chan_read(v, n, &s->chans[n]);
}

int64_t stat_chan_fill(const struct stat_view *v, const struct stat_chan *c)
{
	uint32_t fill = c->head - c->tail;

	return fill > v->region.geo.ring_size ? -1 : (int64_t)fill;
}

int stat_ages_init(struct stat_ages *a, const struct stat_view *v,
		   const struct stat_sample *first)
{
	uint32_t p;

	memset(a, 0, sizeof(*a));
	a->n = v->region.geo.max_peers;
	a->since_ms = first->at_ms;
	a->heartbeat = calloc(a->n, sizeof(*a->heartbeat));
	a->generation = calloc(a->n, sizeof(*a->generation));
	a->changed_ms = calloc(a->n, sizeof(*a->changed_ms));
	if (a->heartbeat == NULL || a->generation == NULL || a->changed_ms == NULL) {
		stat_ages_free(a);
		return -1;
	}
	for (p = 0; p < a->n; p++) {
		a->heartbeat[p] = first->peers[p].heartbeat;
		a->generation[p] = first->peers[p].generation;
		a->changed_ms[p] = -1;
	}
	return 0;
}

void stat_ages_update(struct stat_ages *a, const struct stat_sample *s)
{
	uint32_t p;

	for (p = 0; p < a->n; p++) {
		if (s->peers[p].heartbeat == a->heartbeat[p] &&
		    s->peers[p].generation == a->generation[p])
			continue;
		a->heartbeat[p] = s->peers[p].heartbeat;
		a->generation[p] = s->peers[p].generation;
		a->changed_ms[p] = s->at_ms;
	}
}

int64_t stat_age_ms(const struct stat_ages *a, uint32_t p, const struct stat_sample *s)
{
	return a->changed_ms[p] < 0 ? -1 : s->at_ms - a->changed_ms[p];
}

void stat_ages_free(struct stat_ages *a)
{
	free(a->heartbeat);
	free(a->generation);
	free(a->changed_ms);
	memset(a, 0, sizeof(*a));
}
