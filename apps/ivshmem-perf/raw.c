/* SPDX-License-Identifier: BSD-3-Clause
 * The physical floor: a cache-line ping-pong through a shared file with the
 * same timing code as the packet path. The initiator stores an odd value,
 * the reflector answers value+1; RAW_STOP ends the reflector. By default the
 * line is in the last 4 KiB of the file, which the ivshmem-pmd layout does
 * not use for a 4 MiB region (checked against the header's layout_size). */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "app_common.h"
#include "ivshmem_wire.h"
#include "perf.h"

#define RAW_STOP UINT64_MAX

struct raw_map {
	void *base;
	size_t size;
	_Atomic uint64_t *line;
};

/* Refuses an offset inside a formatted ivshmem-pmd layout. */
static int check_layout(const struct raw_map *m, uint64_t off)
{
	const struct ivshm_wire_hdr *h = m->base;

	if (m->size < sizeof(*h) ||
	    atomic_load(&((struct ivshm_wire_hdr *)m->base)->magic) !=
	    IVSHM_LAYOUT_MAGIC)
		return 0; /* not an ivshmem-pmd region: any offset will do */
	if (off < h->layout_size) {
		fprintf(stderr, "--raw-offset %lu lies inside the ivshmem-pmd "
			"layout (it uses %lu bytes): pick an offset >= %lu\n",
			(unsigned long)off, (unsigned long)h->layout_size,
			(unsigned long)h->layout_size);
		return -1;
	}
	return 0;
}

static int raw_map(const struct perf_args *a, struct raw_map *m)
{
	struct stat st;
	uint64_t off;
	int fd = open(a->raw_shm, O_RDWR);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 4096) {
		fprintf(stderr, "--raw-shm %s: cannot open, or smaller than "
			"4 KiB\n", a->raw_shm);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m->size = (size_t)st.st_size;
	m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->base == MAP_FAILED) {
		perror("mmap --raw-shm");
		return -1;
	}
	off = a->raw_offset >= 0 ? (uint64_t)a->raw_offset : m->size - 4096;
	if (off % IVSHM_CACHE_LINE || off + IVSHM_CACHE_LINE > m->size) {
		fprintf(stderr, "--raw-offset %lu: must be 64-byte aligned and "
			"inside the %zu-byte file\n", (unsigned long)off,
			m->size);
		munmap(m->base, m->size);
		return -1;
	}
	if (check_layout(m, off) < 0) {
		munmap(m->base, m->size);
		return -1;
	}
	m->line = (_Atomic uint64_t *)((uint8_t *)m->base + off);
	return 0;
}

/* Spins until *line == want or the deadline (TSC) passes. */
static bool wait_value(_Atomic uint64_t *line, uint64_t want,
		       uint64_t deadline)
{
	unsigned int spins = 0;

	while (atomic_load_explicit(line, memory_order_acquire) != want) {
		if ((++spins & 0xfff) == 0 &&
		    (rte_rdtsc() > deadline || app_should_quit()))
			return false;
		rte_pause();
	}
	return true;
}

static int ping_pong(const struct perf_args *a, struct raw_map *m,
		     struct lat_result *r)
{
	uint64_t v0 = atomic_load(m->line), base = (v0 | 1) + 1, i;
	uint64_t total = a->warmup + a->samples, start = app_mono_ns();

	for (i = 0; i < total; i++) {
		uint64_t x = base + 2 * i + 1, t0, t1;
		double wait_s = i == 0 ? a->timeout : 1.0;

		t0 = rte_rdtsc();
		atomic_store_explicit(m->line, x, memory_order_release);
		if (!wait_value(m->line, x + 1,
				t0 + app_ns_to_tsc((uint64_t)(wait_s * 1e9)))) {
			fprintf(stderr, "raw: no answer from the reflector "
				"after %.0f s\n", wait_s);
			return -1;
		}
		t1 = rte_rdtsc();
		if (i >= a->warmup)
			r->ns[r->n++] = app_tsc_to_ns(t1 - t0);
		if ((i & 0xffff) == 0)
			perf_progress("raw samples", i, total, start);
	}
	perf_progress_end(start);
	return 0;
}

int perf_raw_initiator(const struct perf_args *a, struct lat_result *r)
{
	struct raw_map m;
	int rc;

	if (raw_map(a, &m) < 0)
		return -1;
	r->name = "raw";
	r->ns = calloc(a->samples, sizeof(double));
	rc = r->ns ? ping_pong(a, &m, r) : -1;
	atomic_store(m.line, RAW_STOP);
	munmap(m.base, m.size);
	lat_finish(r);
	return rc;
}

int perf_raw_reflector(const struct perf_args *a)
{
	struct raw_map m;
	uint64_t stale = RAW_STOP, answered = 0;
	unsigned int spins = 0;

	if (raw_map(a, &m) < 0)
		return -1;
	/* a STOP left by an earlier run must not end this one */
	atomic_compare_exchange_strong(m.line, &stale, 0);
	printf("reflector: raw ping-pong on %s ready\n", a->raw_shm);
	fflush(stdout);
	for (;;) {
		uint64_t v = atomic_load_explicit(m.line, memory_order_acquire);

		if (v == RAW_STOP)
			break;
		if (v & 1) {
			atomic_store_explicit(m.line, v + 1,
					      memory_order_release);
			answered++;
		} else if ((++spins & 0xfffff) == 0 && app_should_quit()) {
			break;
		}
		rte_pause();
	}
	printf("reflector: raw answered %lu pings\n", (unsigned long)answered);
	munmap(m.base, m.size);
	return 0;
}
