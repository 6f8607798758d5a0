/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: text and JSON reports (stat_print.h).
 */
#include "stat_print.h"

#include <inttypes.h>

static void mac_text(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* need_wakeup: "none", "vector N" (the consumer sleeps, ring vector N), or
 * "invalid" for a value no conforming consumer writes. */
static void wake_text(uint32_t token, char *out, size_t len)
{
	if (token == IVSHM_WAKE_NONE)
		snprintf(out, len, "none");
	else if (IVSHM_WAKE_TOKEN_VALID(token))
		snprintf(out, len, "vector %" PRIu32, IVSHM_WAKE_VECTOR(token));
	else
		snprintf(out, len, "invalid 0x%" PRIx32, token);
}

/* Descriptors per second from a counter's readings in prev and now. */
static double rate(uint32_t before, uint32_t after, const struct stat_report *r)
{
	int64_t dt = r->now->at_ms - r->prev->at_ms;

	return dt > 0 ? (double)(uint32_t)(after - before) * 1000.0 / (double)dt : 0.0;
}

static void text_header(FILE *out, const struct stat_report *r)
{
	const struct ivshm_wire_hdr *h = &r->view->hdr;

	fprintf(out, "region %s: %" PRIu64 " bytes, layout %u.%u, %s, formatted by peer %" PRIu32 "\n",
		r->source, r->view->size, h->version_major, h->version_minor,
		stat_format_state_name(r->now->format_state), h->formatter_id);
	fprintf(out, "geometry: max_peers %" PRIu32 ", queues %" PRIu32 ", ring_size %" PRIu32
		", buf_size %" PRIu32 ", inline_size %" PRIu32 ", layout %" PRIu64
		" bytes, %" PRIu64 " channels\n",
		h->max_peers, h->queues, h->ring_size, h->buf_size, h->inline_size, h->layout_size,
		r->view->nchan);
}

static void text_peers(FILE *out, const struct stat_report *r)
{
	uint32_t p;
	char mac[18];

	fprintf(out, "peers:\n  %-4s %-8s %-10s %-20s %-18s %s\n", "id", "state",
		"generation", "heartbeat", "heartbeat-age", "mac");
	for (p = 0; p < r->view->region.geo.max_peers; p++) {
		const struct ivshm_peer_view *pv = &r->now->peers[p];
		int64_t age = stat_age_ms(r->ages, p, r->now);
		char age_s[32];

		if (age >= 0)
			snprintf(age_s, sizeof(age_s), "%" PRId64 " ms", age);
		else if (pv->state == IVSHM_PEER_ABSENT && pv->heartbeat == 0)
			snprintf(age_s, sizeof(age_s), "-");
		else
			snprintf(age_s, sizeof(age_s), ">%" PRId64 " ms (stopped)",
				 r->now->at_ms - r->ages->since_ms);
		mac_text(pv->mac, mac);
		fprintf(out, "  %-4" PRIu32 " %-8s %-10" PRIu32 " %-20" PRIu64 " %-18s %s\n",
			p, stat_peer_state_name(pv->state), pv->generation,
			pv->heartbeat, age_s, mac);
	}
}

static void text_chans(FILE *out, const struct stat_report *r)
{
	uint64_t n;

	fprintf(out, "channels:\n  %-9s %-3s %-8s %-8s %-10s %-10s %-11s %-10s", "prod>cons",
		"q", "prod_gen", "ack_gen", "head", "tail", "fill", "wake");
	fprintf(out, r->prev ? " %12s %12s\n" : "\n", "publish/s", "consume/s");
	for (n = 0; n < r->view->nchan; n++) {
		const struct stat_chan *c = &r->now->chans[n];
		int64_t fill = stat_chan_fill(r->view, c);
		char pair[16], fill_s[24], wake[24];

		snprintf(pair, sizeof(pair), "%u>%u", c->prod, c->cons);
		if (fill >= 0)
			snprintf(fill_s, sizeof(fill_s), "%" PRId64 "/%" PRIu32, fill,
				 r->view->region.geo.ring_size);
		else
			snprintf(fill_s, sizeof(fill_s), "bad-index");
		wake_text(c->need_wakeup, wake, sizeof(wake));
		fprintf(out, "  %-9s %-3u %-8" PRIu32 " %-8" PRIu32 " %-10" PRIu32 " %-10" PRIu32
			" %-11s %-10s", pair, c->queue, c->prod_gen, c->ack_gen, c->head,
			c->tail, fill_s, wake);
		if (r->prev)
			fprintf(out, " %12.0f %12.0f\n", rate(r->prev->chans[n].head, c->head, r),
				rate(r->prev->chans[n].tail, c->tail, r));
		else
			fputc('\n', out);
	}
}

void stat_print_text(FILE *out, const struct stat_report *r)
{
	text_header(out, r);
	text_peers(out, r);
	text_chans(out, r);
	fflush(out);
}

/* A JSON string of s: the source path is the only text not ours. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_peers(FILE *out, const struct stat_report *r)
{
	uint32_t p;
	char mac[18];

	fprintf(out, ",\"peers\":[");
	for (p = 0; p < r->view->region.geo.max_peers; p++) {
		const struct ivshm_peer_view *pv = &r->now->peers[p];
		int64_t age = stat_age_ms(r->ages, p, r->now);

		mac_text(pv->mac, mac);
		fprintf(out, "%s{\"id\":%" PRIu32 ",\"state\":\"%s\",\"generation\":%" PRIu32
			",\"heartbeat\":%" PRIu64 ",\"heartbeat_age_ms\":", p ? "," : "", p,
			stat_peer_state_name(pv->state), pv->generation, pv->heartbeat);
		if (age >= 0)
			fprintf(out, "%" PRId64, age);
		else
			fprintf(out, "null");
		fprintf(out, ",\"heartbeat_watched_ms\":%" PRId64 ",\"mac\":\"%s\"}",
			r->now->at_ms - r->ages->since_ms, mac);
	}
	fputc(']', out);
}

static void json_chans(FILE *out, const struct stat_report *r)
{
	uint64_t n;

	fprintf(out, ",\"channels\":[");
	for (n = 0; n < r->view->nchan; n++) {
		const struct stat_chan *c = &r->now->chans[n];
		int64_t fill = stat_chan_fill(r->view, c);

		fprintf(out, "%s{\"producer\":%u,\"consumer\":%u,\"queue\":%u,\"prod_gen\":%" PRIu32
			",\"ack_gen\":%" PRIu32 ",\"gen_start\":%" PRIu32 ",\"head\":%" PRIu32
			",\"tail\":%" PRIu32 ",\"fill\":", n ? "," : "", c->prod, c->cons,
			c->queue, c->prod_gen, c->ack_gen, c->gen_start, c->head, c->tail);
		if (fill >= 0)
			fprintf(out, "%" PRId64, fill);
		else
			fprintf(out, "null");
		fprintf(out, ",\"need_wakeup\":%" PRIu32, c->need_wakeup);
		if (r->prev)
			fprintf(out, ",\"publish_per_s\":%.1f,\"consume_per_s\":%.1f",
				rate(r->prev->chans[n].head, c->head, r),
				rate(r->prev->chans[n].tail, c->tail, r));
		fputc('}', out);
	}
	fputc(']', out);
}

void stat_print_json(FILE *out, const struct stat_report *r)
{
	const struct ivshm_wire_hdr *h = &r->view->hdr;

	fprintf(out, "{\"source\":");
	json_string(out, r->source);
	fprintf(out, ",\"time_ms\":%" PRId64 ",\"region_size\":%" PRIu64
		",\"format_state\":\"%s\",\"version_major\":%u,\"version_minor\":%u"
		",\"formatter_id\":%" PRIu32 ",\"layout_size\":%" PRIu64
		",\"geometry\":{\"max_peers\":%" PRIu32 ",\"queues\":%" PRIu32
		",\"ring_size\":%" PRIu32 ",\"buf_size\":%" PRIu32
		",\"inline_size\":%" PRIu32 "}",
		r->now->at_ms, r->view->size, stat_format_state_name(r->now->format_state),
		h->version_major, h->version_minor, h->formatter_id, h->layout_size,
		h->max_peers, h->queues, h->ring_size, h->buf_size, h->inline_size);
	json_peers(out, r);
	json_chans(out, r);
	fprintf(out, "}\n");
	fflush(out);
}
