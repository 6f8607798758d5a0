/* SPDX-License-Identifier: BSD-3-Clause
 * A progress line on stderr, only once a run has lasted a few seconds. */
#include <stdio.h>

#include "app_common.h"
#include "perf.h"

#define PROGRESS_AFTER_NS 3000000000ull

void perf_progress(const char *what, uint64_t done, uint64_t total,
		   uint64_t start_ns)
{
	uint64_t el = app_mono_ns() - start_ns;

	if (el < PROGRESS_AFTER_NS)
		return;
	fprintf(stderr, "\r%s: %llu/%llu (%.0f%%) %.1f s ", what,
		(unsigned long long)done, (unsigned long long)total,
		total ? 100.0 * (double)done / (double)total : 0, el / 1e9);
}

void perf_progress_end(uint64_t start_ns)
{
	if (app_mono_ns() - start_ns >= PROGRESS_AFTER_NS)
		fprintf(stderr, "\n");
}
