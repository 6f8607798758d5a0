/* SPDX-License-Identifier: BSD-3-Clause
 * Layout formatting: exact sizes and offsets (computed by hand, not by the
 * library's formula), geometry limits, ETOOSMALL, channel indexing.
 */
#include <string.h>

#include "../check.h"
#include "region_fixture.h"

static struct ivshm_geometry geo(uint32_t peers, uint32_t queues,
				 uint32_t ring, uint32_t buf)
{
	return (struct ivshm_geometry){ .max_peers = peers, .queues = queues,
					.ring_size = ring, .buf_size = buf, .inline_size = 0 };
}

static void test_default_layout_exact(void)
{
	struct ivshm_geometry g = IVSHM_GEOMETRY_DEFAULT;
	const uint64_t size = 3436544; /* 4096 + 2 * 1716224 */
	uint8_t *base = region_alloc(size + 4096);
	struct ivshm_wire_hdr *h = region_hdr(base);
	size_t i;

	CHECK_EQ(ivshm_layout_size(&g), size);
	memset(base, 0xa5, size + 4096); /* garbage the formatter must clear */
	CHECK_EQ(ivshm_region_format(base, size + 4096, &g, 1), IVSHM_OK);
	CHECK_EQ(h->magic, IVSHM_LAYOUT_MAGIC);
	CHECK(memcmp(base, "IVHM", 4) == 0);
	CHECK_EQ(h->version_major, 3); /* 3.0: lap tags, inline frames */
	CHECK_EQ(h->version_minor, 0);
	CHECK_EQ(h->version_minor, IVSHM_LAYOUT_MINOR);
	CHECK_EQ(h->format_state, IVSHM_FORMAT_READY);
	CHECK_EQ(h->formatter_id, 1);
	CHECK_EQ(h->region_size, size + 4096);
	CHECK_EQ(h->layout_size, size);
	CHECK_EQ(h->max_peers, 2);
	CHECK_EQ(h->queues, 1);
	CHECK_EQ(h->ring_size, 1024);
	CHECK_EQ(h->buf_size, 1536);
	CHECK_EQ(h->peers_off, 256);
	CHECK_EQ(h->chans_off, 4096);
	CHECK_EQ(h->inline_size, 128);
	CHECK_EQ(h->chan_stride, 1716224); /* align(139456 + 1024 * 1536, 4096) */
	CHECK_EQ(h->desc_off, 192);
	CHECK_EQ(h->inline_off, 8384); /* 192 + 1024 * 8 */
	CHECK_EQ(h->bufs_off, 139456); /* 8384 + 1024 * 128 */
	for (i = 0; i < sizeof(h->reserved); i++)
		CHECK_EQ(h->reserved[i], 0);
	/* Peer table and each channel's control lines + descriptors zeroed. */
	for (i = 256; i < 4096; i++)
		CHECK_EQ(base[i], 0);
	for (i = 0; i < 8384; i++) {
		CHECK_EQ(base[4096 + i], 0);
		CHECK_EQ(base[4096 + 1716224 + i], 0);
	}
	/* Inline slots and buffers are not the formatter's business; the
	 * tail is untouched. */
	CHECK_EQ(base[4096 + 8384], 0xa5);
	CHECK_EQ(base[size], 0xa5);
	CHECK_EQ(base[size + 4095], 0xa5);
	free(base);
}

static void test_small_geometry_exact(void)
{
	struct ivshm_geometry g = geo(3, 2, 2, 64);
	uint8_t *base = region_alloc(53248);
	struct ivshm_wire_hdr *h = region_hdr(base);

	CHECK_EQ(ivshm_layout_size(&g), 53248); /* 4096 + 12 channels * 4096 */
	CHECK_EQ(ivshm_region_format(base, 53248, &g, 0), IVSHM_OK);
	CHECK_EQ(h->chans_off, 4096);
	CHECK_EQ(h->desc_off, 192);
	CHECK_EQ(h->bufs_off, 256); /* 192 + 2 * 8 rounded up to a line */
	CHECK_EQ(h->chan_stride, 4096);
	free(base);
}

static void test_inline_geometry_exact(void)
{
	struct ivshm_geometry g = geo(3, 2, 2, 64);
	struct ivshm_geometry max = geo(256, 64, 65536, 65536);
	uint8_t *base = region_alloc(53248);
	struct ivshm_wire_hdr *h = region_hdr(base);

	g.inline_size = 64;
	CHECK_EQ(ivshm_layout_size(&g), 53248);
	CHECK_EQ(ivshm_region_format(base, 53248, &g, 0), IVSHM_OK);
	CHECK_EQ(h->inline_size, 64);
	CHECK_EQ(h->inline_off, 256); /* 192 + 2 * 8 rounded up to a line */
	CHECK_EQ(h->bufs_off, 384);   /* 256 + 2 * 64 */
	CHECK_EQ(h->chan_stride, 4096);
	/* Largest geometry with the largest inline slots: no overflow. */
	max.inline_size = 4096;
	CHECK_EQ(ivshm_layout_size(&max), 36864 + (uint64_t)256 * 255 * 64 * 4563931136ull);
	free(base);
}

static void test_large_geometries_exact(void)
{
	struct ivshm_geometry g = geo(256, 1, 2, 64);
	struct ivshm_geometry max = geo(256, 64, 65536, 65536);

	/* 256 peers: peer table ends at 33024, channels start at 36864. */
	CHECK_EQ(ivshm_layout_size(&g), 36864 + (uint64_t)65280 * 4096);
	/* Largest geometry: no 64-bit overflow. */
	CHECK_EQ(ivshm_layout_size(&max), 17946237311422464ull);
}

static void test_too_small(void)
{
	struct ivshm_geometry g = geo(2, 1, 64, 64);
	uint64_t need = ivshm_layout_size(&g);
	uint8_t *base = region_alloc(need);

	CHECK(need > 0);
	CHECK_EQ(ivshm_region_format(base, need - 1, &g, 0), IVSHM_ETOOSMALL);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	CHECK_EQ(region_hdr(base)->magic, 0);
	CHECK_EQ(ivshm_region_format(base, need, &g, 0), IVSHM_OK);
	free(base);
}

/* Each limit: the last valid value passes, the first invalid one fails. */
static void test_geometry_limits(void)
{
	static const struct {
		struct ivshm_geometry g;
		int rc;
	} cases[] = {
		{ { 1, 1, 2, 64, 0 }, IVSHM_EINVAL },   { { 2, 1, 2, 64, 0 }, IVSHM_OK },
		{ { 256, 1, 2, 64, 0 }, IVSHM_OK },     { { 257, 1, 2, 64, 0 }, IVSHM_EINVAL },
		{ { 2, 0, 2, 64, 0 }, IVSHM_EINVAL },   { { 2, 64, 2, 64, 0 }, IVSHM_OK },
		{ { 2, 65, 2, 64, 0 }, IVSHM_EINVAL },  { { 2, 1, 0, 64, 0 }, IVSHM_EINVAL },
		{ { 2, 1, 1, 64, 0 }, IVSHM_EINVAL },   { { 2, 1, 3, 64, 0 }, IVSHM_EINVAL },
		{ { 2, 1, 65536, 64, 0 }, IVSHM_OK },   { { 2, 1, 131072, 64, 0 }, IVSHM_EINVAL },
		{ { 2, 1, 2, 0, 0 }, IVSHM_EINVAL },    { { 2, 1, 2, 63, 0 }, IVSHM_EINVAL },
		{ { 2, 1, 2, 96, 0 }, IVSHM_EINVAL },   { { 2, 1, 2, 128, 0 }, IVSHM_OK },
		{ { 2, 1, 2, 65536, 0 }, IVSHM_OK },    { { 2, 1, 2, 65600, 0 }, IVSHM_EINVAL },
		{ { 2, 1, 2, 64, 64 }, IVSHM_OK },   { { 2, 1, 2, 64, 32 }, IVSHM_EINVAL },
		{ { 2, 1, 2, 64, 4096 }, IVSHM_OK }, { { 2, 1, 2, 64, 4160 }, IVSHM_EINVAL },
	};
	uint8_t *base = region_alloc(8192);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ivshm_geometry *g = &cases[i].g;

		CHECK_EQ(ivshm_geometry_check(g), cases[i].rc);
		CHECK_EQ(ivshm_layout_size(g) == 0, cases[i].rc != IVSHM_OK);
		if (cases[i].rc != IVSHM_OK)
			CHECK_EQ(ivshm_region_format(base, 8192, g, 0), IVSHM_EINVAL);
	}
	CHECK_EQ(ivshm_geometry_check(NULL), IVSHM_EINVAL);
	CHECK_EQ(ivshm_layout_size(NULL), 0);
	free(base);
}

static void test_format_bad_args(void)
{
	struct ivshm_geometry g = geo(2, 1, 2, 64);
	uint8_t *base = region_alloc(8192);

	CHECK_EQ(ivshm_region_format(NULL, 8192, &g, 0), IVSHM_EINVAL);
	CHECK_EQ(ivshm_region_format(base, 8192, &g, 2), IVSHM_EINVAL);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_BLANK);
	free(base);
}

/* Channel (p -> c, q) sits at chans_off + ((p*(N-1) + c') * Q + q) * stride
 * with c' = c if c < p else c - 1; tx and rx ends of a channel agree. */
static void test_channel_index(void)
{
	struct ivshm_geometry g = geo(3, 2, 2, 64);
	uint8_t *base = region_alloc(53248);
	struct ivshm_region r[3];
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	uint16_t p, c, q;

	for (p = 0; p < 3; p++)
		CHECK_EQ(ivshm_region_attach(&r[p], base, 53248, p, &g,
					     IVSHM_ATTACH_FORMAT), IVSHM_OK);
	for (p = 0; p < 3; p++)
		for (c = 0; c < 3; c++)
			for (q = 0; q < 2 && c != p; q++) {
				uint64_t cc = c < p ? c : c - 1u;
				uint64_t idx = (p * 2u + cc) * 2u + q;
				uint8_t *want = base + 4096 + idx * 4096;

				CHECK_EQ(ivshm_tx_open(&tx, &r[p], c, q), IVSHM_OK);
				CHECK(tx.ctl == (void *)want);
				CHECK(tx.descs == (void *)(want + 192));
				CHECK(tx.bufs == want + 256);
				CHECK_EQ(ivshm_rx_open(&rx, &r[c], p, q), IVSHM_OK);
				CHECK(rx.ctl == (void *)want);
				CHECK_EQ(rx.bufs_len, 2 * 64);
			}
	free(base);
}

static void test_strerror(void)
{
	CHECK(strcmp(ivshm_strerror(IVSHM_OK), "success") == 0);
	CHECK(strstr(ivshm_strerror(IVSHM_EINUSE), "in use") != NULL);
	CHECK(strstr(ivshm_strerror(IVSHM_ECHAIN), "chained") != NULL);
	CHECK(strcmp(ivshm_strerror(-10), "unknown error") == 0);
	CHECK(strcmp(ivshm_strerror(1), "unknown error") == 0);
}

int main(void)
{
	RUN(test_default_layout_exact);
	RUN(test_small_geometry_exact);
	RUN(test_inline_geometry_exact);
	RUN(test_large_geometries_exact);
	RUN(test_too_small);
	RUN(test_geometry_limits);
	RUN(test_format_bad_args);
	RUN(test_channel_index);
	RUN(test_strerror);
	return check_exit_code();
}
