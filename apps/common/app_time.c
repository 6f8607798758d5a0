/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include <rte_cycles.h>

#include "app_common.h"

static uint64_t tsc_hz;

uint64_t app_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t app_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* EAL's own estimate can be off by a few 0.1 %; measure against the
 * monotonic clock so nanosecond figures are comparable between runs. */
void app_tsc_calibrate(unsigned int ms)
{
	uint64_t t0 = app_mono_ns(), c0 = rte_rdtsc_precise(), t1, c1;

	do {
		t1 = app_mono_ns();
	} while (t1 - t0 < (uint64_t)ms * 1000000u);
	c1 = rte_rdtsc_precise();
	tsc_hz = (uint64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0));
}

uint64_t app_tsc_hz(void)
{
	if (tsc_hz == 0)
		tsc_hz = rte_get_tsc_hz();
	return tsc_hz;
}

double app_tsc_to_ns(uint64_t cycles)
{
	return (double)cycles * 1e9 / (double)app_tsc_hz();
}

uint64_t app_ns_to_tsc(uint64_t ns)
{
	return (uint64_t)((double)ns * (double)app_tsc_hz() / 1e9);
}
