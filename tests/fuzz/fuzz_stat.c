/* SPDX-License-Identifier: BSD-3-Clause
 * fuzz_stat: the input is a region as ivshmem-stat would map it. Its bytes
 * are the start of the region; when they hold a header whose region_size
 * is larger (up to 256 KiB), the rest is zero, so a short input can
 * describe a whole formatted region. The region is an exactly sized heap
 * block (ASan sees any read past it). Checked: a refusal has a message,
 * an accepted region prints text and well-formed JSON (balanced braces,
 * one line), and nothing in the region changed (the tool never writes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stat_print.h"
#include "stat_region.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REGION (256u << 10)

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_stat: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static size_t region_size(const uint8_t *data, size_t size)
{
	struct ivshm_wire_hdr h;

	if (size < sizeof(h))
		return size;
	memcpy(&h, data, sizeof(h));
	return h.region_size > size && h.region_size <= MAX_REGION ?
	       (size_t)h.region_size : size;
}

static void check_json(const char *s, size_t len)
{
	size_t i, open = 0, close = 0;

	CHECK(len >= 3 && s[0] == '{' && s[len - 2] == '}' && s[len - 1] == '\n');
	for (i = 0; i < len; i++) {
		open += s[i] == '{' || s[i] == '[';
		close += s[i] == '}' || s[i] == ']';
		CHECK(s[i] != '\n' || i == len - 1);
	}
	CHECK(open == close);
}

static void report(const struct stat_view *v, FILE *devnull)
{
	struct stat_sample a, b;
	struct stat_ages ages;
	struct stat_report r;
	char *json = NULL;
	size_t json_len = 0;
	FILE *mem;

	CHECK(stat_sample_alloc(v, &a) == 0 && stat_sample_alloc(v, &b) == 0);
	stat_sample_read(v, &a);
	CHECK(stat_ages_init(&ages, v, &a) == 0);
	stat_sample_read(v, &b);
	stat_ages_update(&ages, &b);
	r = (struct stat_report){ .source = "fuzz", .view = v, .now = &b, .prev = &a,
				  .ages = &ages };
	stat_print_text(devnull, &r);
	mem = open_memstream(&json, &json_len);
	CHECK(mem != NULL);
	stat_print_json(mem, &r);
	fclose(mem);
	check_json(json, json_len);
	free(json);
	stat_ages_free(&ages);
	stat_sample_free(&a);
	stat_sample_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	size_t n = region_size(data, size);
	uint8_t *region = calloc(1, n ? n : 1);
	struct stat_view v;
	char err[256] = "";

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	CHECK(region != NULL && devnull != NULL);
	if (size)
		memcpy(region, data, size);
	if (stat_view_open(&v, region, n, err, sizeof(err)) == 0)
		report(&v, devnull);
	else
		CHECK(err[0] != '\0');
	CHECK(memcmp(region, data, size) == 0);
	for (size_t i = size; i < n; i++)
		CHECK(region[i] == 0);
	free(region);
	return 0;
}
