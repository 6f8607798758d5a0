/* SPDX-License-Identifier: BSD-3-Clause
 * Attach / detach / re-attach: generations, ownership of peer ids, who
 * formats, and refusal of foreign, other-version and corrupt headers.
 */
#include <stddef.h>
#include <string.h>

#include "../check.h"
#include "region_fixture.h"

#define SIZE 131072u /* layout of small_geo: 4096 + 24 * 4096 */
static const struct ivshm_geometry small_geo = {
	.max_peers = 4, .queues = 2, .ring_size = 4, .buf_size = 64 };

/* A region formatted by peer 0 (which stays attached). */
static uint8_t *ready_region(struct ivshm_region *r0)
{
	uint8_t *base = region_alloc(SIZE);

	if (ivshm_region_attach(r0, base, SIZE, 0, &small_geo,
				IVSHM_ATTACH_FORMAT) != IVSHM_OK)
		abort();
	return base;
}

static void test_first_attach_formats(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r0, r1;
	struct ivshm_geometry other = IVSHM_GEOMETRY_DEFAULT;

	CHECK_EQ(ivshm_region_attach(&r0, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_OK);
	CHECK_EQ(r0.gen, 1);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_READY);
	CHECK_EQ(region_peer(base, 0)->state, IVSHM_PEER_UP);
	CHECK_EQ(region_peer(base, 0)->generation, 1);
	/* A later peer adopts the geometry found, whatever it wanted. */
	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 3, &other,
				     IVSHM_ATTACH_FORMAT), IVSHM_OK);
	CHECK(memcmp(&r1.geo, &small_geo, sizeof(small_geo)) == 0);
	CHECK_EQ(r1.me, 3);
	CHECK_EQ(r1.gen, 1);
	CHECK_EQ(r1.chans_off, r0.chans_off);
	free(base);
}

static void test_blank_without_format_flag_waits(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;

	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 1, NULL, 0), IVSHM_EBUSY);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	CHECK_EQ(region_hdr(base)->magic, 0);
	free(base);
}

static void test_default_geometry_when_want_is_null(void)
{
	uint64_t size = ivshm_layout_size(&IVSHM_GEOMETRY_DEFAULT);
	uint8_t *base = region_alloc(size);
	struct ivshm_region r;

	CHECK_EQ(ivshm_region_attach(&r, base, size, 0, NULL,
				     IVSHM_ATTACH_FORMAT), IVSHM_OK);
	CHECK_EQ(r.geo.ring_size, 1024);
	CHECK_EQ(r.geo.buf_size, 1536);
	free(base);
}

static void test_reattach_bumps_generation(void)
{
	struct ivshm_region r0, r1;
	uint8_t *base = ready_region(&r0);
	struct ivshm_peer_view v;

	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 1, NULL, 0), IVSHM_OK);
	CHECK_EQ(r1.gen, 1);
	ivshm_region_detach(&r1);
	CHECK(r1.base == NULL);
	CHECK_EQ(ivshm_peer_read(&r0, 1, &v), IVSHM_OK);
	CHECK_EQ(v.state, IVSHM_PEER_LEFT);
	CHECK_EQ(v.generation, 1);
	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 1, NULL, 0), IVSHM_OK);
	CHECK_EQ(r1.gen, 2);
	CHECK_EQ(ivshm_peer_read(&r0, 1, &v), IVSHM_OK);
	CHECK_EQ(v.state, IVSHM_PEER_UP);
	CHECK_EQ(v.generation, 2);
	ivshm_region_detach(&r1);
	ivshm_region_detach(&r1); /* second detach is a no-op */
	free(base);
}

static void test_live_id_in_use_and_takeover(void)
{
	struct ivshm_region r0, again;
	uint8_t *base = ready_region(&r0);

	CHECK_EQ(ivshm_region_attach(&again, base, SIZE, 0, NULL, 0), IVSHM_EINUSE);
	CHECK_EQ(region_peer(base, 0)->generation, 1); /* untouched */
	CHECK_EQ(ivshm_region_attach(&again, base, SIZE, 0, NULL,
				     IVSHM_ATTACH_TAKEOVER), IVSHM_OK);
	CHECK_EQ(again.gen, 2);
	CHECK_EQ(region_peer(base, 0)->state, IVSHM_PEER_UP);
	free(base);
}

/* A peer attached as STOPPED (the PMD from probe to port start) holds its
 * id as an UP one does, and moves between STOPPED and UP when asked. */
static void test_stopped_holds_id(void)
{
	struct ivshm_region r0, r1, r1b;
	uint8_t *base = ready_region(&r0);
	struct ivshm_peer_view v;

	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 1, NULL, IVSHM_ATTACH_STOPPED),
		 IVSHM_OK);
	CHECK_EQ(region_peer(base, 1)->state, IVSHM_PEER_STOPPED);
	CHECK_EQ(ivshm_region_attach(&r1b, base, SIZE, 1, NULL, 0), IVSHM_EINUSE);
	ivshm_region_set_ready(&r1, true);
	CHECK_EQ(ivshm_peer_read(&r0, 1, &v), IVSHM_OK);
	CHECK_EQ(v.state, IVSHM_PEER_UP);
	CHECK_EQ(v.generation, 1);
	ivshm_region_set_ready(&r1, false);
	CHECK_EQ(region_peer(base, 1)->state, IVSHM_PEER_STOPPED);
	CHECK_EQ(region_peer(base, 1)->generation, 1);
	ivshm_region_detach(&r1);
	CHECK_EQ(region_peer(base, 1)->state, IVSHM_PEER_LEFT);
	free(base);
}

static void test_generation_skips_zero(void)
{
	struct ivshm_region r0, r1;
	uint8_t *base = ready_region(&r0);

	atomic_store(&region_peer(base, 2)->generation, UINT32_MAX);
	atomic_store(&region_peer(base, 2)->state, IVSHM_PEER_LEFT);
	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 2, NULL, 0), IVSHM_OK);
	CHECK_EQ(r1.gen, 1);
	free(base);
}

static void test_peer_id_out_of_table(void)
{
	struct ivshm_region r0, r;
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	uint8_t *base = ready_region(&r0);

	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 4, NULL, 0), IVSHM_EPEERID);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 65535, NULL, 0), IVSHM_EPEERID);
	CHECK_EQ(ivshm_tx_open(&tx, &r0, 4, 0), IVSHM_EPEERID);
	CHECK_EQ(ivshm_tx_open(&tx, &r0, 0, 0), IVSHM_EPEERID); /* self */
	CHECK_EQ(ivshm_rx_open(&rx, &r0, 0, 0), IVSHM_EPEERID);
	CHECK_EQ(ivshm_rx_open(&rx, &r0, 9, 0), IVSHM_EPEERID);
	CHECK_EQ(ivshm_tx_open(&tx, &r0, 1, 2), IVSHM_EINVAL); /* queue */
	CHECK_EQ(ivshm_rx_open(&rx, &r0, 1, 2), IVSHM_EINVAL);
	CHECK_EQ(ivshm_tx_open(NULL, &r0, 1, 0), IVSHM_EINVAL);
	free(base);
}

static void test_bad_attach_args(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;

	CHECK_EQ(ivshm_region_attach(NULL, base, SIZE, 0, NULL, 1), IVSHM_EINVAL);
	CHECK_EQ(ivshm_region_attach(&r, NULL, SIZE, 0, NULL, 1), IVSHM_EINVAL);
	CHECK_EQ(ivshm_region_attach(&r, base + 8, SIZE - 64, 0, NULL, 1),
		 IVSHM_EINVAL);
	CHECK_EQ(ivshm_region_attach(&r, base, 255, 0, NULL, 1), IVSHM_EINVAL);
	free(base);
}

static void test_busy_while_formatting(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;

	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_FORMATTING);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 1, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EBUSY);
	free(base);
}

static void test_foreign_data_refused(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;
	unsigned int i;

	/* Non-zero garbage whose format_state happens to read BLANK. */
	for (i = 0; i < 256; i++)
		base[i] = (uint8_t)(i * 7 + 1);
	memset(base + offsetof(struct ivshm_wire_hdr, format_state), 0, 4);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EFOREIGN);
	CHECK_EQ(base[0], 1); /* not formatted over */
	/* Unknown format_state. */
	atomic_store(&region_hdr(base)->format_state, 7);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EFOREIGN);
	/* READY but the magic is not ours. */
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_READY);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EFOREIGN);
	/* REFORMAT is the explicit override. */
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_REFORMAT), IVSHM_OK);
	CHECK_EQ(region_hdr(base)->magic, IVSHM_LAYOUT_MAGIC);
	CHECK_EQ(r.gen, 1);
	free(base);
}

static void test_version(void)
{
	struct ivshm_region r0, r;
	uint8_t *base = ready_region(&r0);

	region_hdr(base)->version_minor = 9; /* compatible addition */
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 1, NULL, 0), IVSHM_OK);
	region_hdr(base)->version_major = 1; /* no chained descriptors */
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 2, NULL, 0), IVSHM_EVERSION);
	CHECK(strstr(ivshm_strerror(IVSHM_EVERSION), "layout 3.x") != NULL);
	region_hdr(base)->version_major = 4;
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 2, NULL, 0), IVSHM_EVERSION);
	region_hdr(base)->version_major = 0;
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 2, NULL, 0), IVSHM_EVERSION);
	free(base);
}

/* A region a 2.1 peer formatted (its header written by hand as that peer
 * would: 2.1, no inline fields, its offsets) is refused with a message
 * that names both versions and what to do; nothing of it is touched. */
static void test_layout_2_1_refused(void)
{
	struct ivshm_region r;
	char why[320];
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_wire_hdr *h = region_hdr(base);
	uint8_t before[256];

	h->version_major = 2;
	h->version_minor = 1;
	h->formatter_id = 0;
	h->region_size = SIZE;
	h->max_peers = 3;
	h->queues = 2;
	h->ring_size = 8;
	h->buf_size = 64;
	h->peers_off = 256;
	h->chans_off = 4096;
	h->desc_off = 192;
	h->bufs_off = 256;
	h->chan_stride = 4096;
	h->layout_size = 4096 + 12 * 4096;
	atomic_store(&h->magic, IVSHM_LAYOUT_MAGIC);
	atomic_store(&h->format_state, IVSHM_FORMAT_READY);
	memcpy(before, base, sizeof(before));
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 1, &small_geo, IVSHM_ATTACH_FORMAT),
		 IVSHM_EVERSION);
	CHECK(memcmp(before, base, sizeof(before)) == 0);
	CHECK(strstr(ivshm_version_refusal(base, why, sizeof(why)),
		     "formatted with BAR2 layout 2.1, this ivshmem-pmd speaks layout 3.0") != NULL);
	CHECK(strstr(why, "restart both peers on the same release, or reformat the region") != NULL);
	/* A short buffer gets a truncated, terminated message. */
	CHECK_EQ(strlen(ivshm_version_refusal(base, why, 16)), 15);
	free(base);
}

/* Sets one header field to a wrong value; attach must say ECORRUPT. */
static int attach_with_tampered(size_t off, size_t width, uint64_t value)
{
	struct ivshm_region r0, r;
	uint8_t *base = ready_region(&r0);
	int rc;

	memcpy(base + off, &value, width); /* little-endian host */
	rc = ivshm_region_attach(&r, base, SIZE, 1, NULL, 0);
	free(base);
	return rc;
}

#define FIELD(f) offsetof(struct ivshm_wire_hdr, f), \
	sizeof(((struct ivshm_wire_hdr *)0)->f)

static void test_corrupt_header_fields(void)
{
	CHECK_EQ(attach_with_tampered(FIELD(max_peers), 1), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(max_peers), 3), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(max_peers), 1000), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(queues), 0), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(queues), 3), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(ring_size), 3), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(ring_size), 2048), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(buf_size), 100), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(buf_size), 2048), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(peers_off), 320), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(chans_off), 0), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(chan_stride), 8192), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(desc_off), 256), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(bufs_off), 64), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(layout_size), SIZE), IVSHM_ECORRUPT);
	CHECK_EQ(attach_with_tampered(FIELD(layout_size), 1), IVSHM_ECORRUPT);
}

static void test_region_smaller_than_layout(void)
{
	struct ivshm_region r0, r;
	uint8_t *base = ready_region(&r0);

	CHECK_EQ(ivshm_region_attach(&r, base, r0.chans_off, 1, NULL, 0),
		 IVSHM_ETOOSMALL);
	free(base);
}

/* A failed format must not leave the region stuck in FORMATTING: every later
 * attach would get EBUSY forever. */
static void test_failed_format_leaves_region_blank(void)
{
	struct ivshm_geometry bad = small_geo, big = IVSHM_GEOMETRY_DEFAULT;
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;

	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &big,
				     IVSHM_ATTACH_FORMAT), IVSHM_ETOOSMALL);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	bad.ring_size = 3;
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &bad,
				     IVSHM_ATTACH_FORMAT), IVSHM_EINVAL);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 4, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EPEERID);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 0, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_OK);
	free(base);
}

static void test_peer_table_heartbeat_mac(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x11 };
	struct ivshm_region r0, r1;
	uint8_t *base = ready_region(&r0);
	struct ivshm_peer_view v;

	CHECK_EQ(ivshm_region_attach(&r1, base, SIZE, 1, NULL, 0), IVSHM_OK);
	ivshm_region_set_mac(&r1, mac);
	ivshm_region_heartbeat(&r1);
	ivshm_region_heartbeat(&r1);
	CHECK_EQ(ivshm_peer_read(&r0, 1, &v), IVSHM_OK);
	CHECK_EQ(v.heartbeat, 2);
	CHECK(memcmp(v.mac, mac, 6) == 0);
	CHECK_EQ(ivshm_peer_read(&r0, 3, &v), IVSHM_OK);
	CHECK_EQ(v.state, IVSHM_PEER_ABSENT);
	CHECK_EQ(ivshm_peer_read(&r0, 4, &v), IVSHM_EINVAL);
	/* The heartbeat lives on the entry's second line. */
	CHECK_EQ(*(uint64_t *)((uint8_t *)region_peer(base, 1) + 64), 2);
	free(base);
}

int main(void)
{
	RUN(test_first_attach_formats);
	RUN(test_blank_without_format_flag_waits);
	RUN(test_default_geometry_when_want_is_null);
	RUN(test_reattach_bumps_generation);
	RUN(test_live_id_in_use_and_takeover);
	RUN(test_stopped_holds_id);
	RUN(test_generation_skips_zero);
	RUN(test_peer_id_out_of_table);
	RUN(test_bad_attach_args);
	RUN(test_busy_while_formatting);
	RUN(test_foreign_data_refused);
	RUN(test_version);
	RUN(test_layout_2_1_refused);
	RUN(test_corrupt_header_fields);
	RUN(test_region_smaller_than_layout);
	RUN(test_failed_format_leaves_region_blank);
	RUN(test_peer_table_heartbeat_mac);
	return check_exit_code();
}
