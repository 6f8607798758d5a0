/* SPDX-License-Identifier: BSD-3-Clause
 * A formatter that stalls past the takeover delay (a paused VM, SIGSTOP, a
 * page fault) and wakes after another peer took the format over and the
 * region is live must write nothing more: the live pair's traffic goes on
 * and the late one, retrying, adopts the live geometry (bar2-layout §5).
 * The stall: peer A's own mapping of the region has its first channel page
 * PROT_NONE; A's SIGSEGV handler waits there until the test releases it,
 * then makes the page writable, so A resumes exactly where it stopped.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "ring_over_shm.h"

#define REGION_SIZE (1u << 20)
#define PAGE 4096u

static uint8_t *map_a; /* A's view */
static _Atomic int a_stalled, a_release;
static int a_rc;
static const struct ivshm_geometry geo_a = { 3, 1, 16, 64, 0 };
static const struct ivshm_geometry geo_b = { 3, 1, 8, 64, 0 };

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	const struct timespec ms = { 0, 1000000 };
	uint8_t *at = si->si_addr;

	(void)sig;
	(void)uc;
	if (at < map_a || at >= map_a + REGION_SIZE)
		_exit(99); /* a real fault */
	atomic_store(&a_stalled, 1);
	while (!atomic_load(&a_release))
		nanosleep(&ms, NULL);
	mprotect(map_a + PAGE, PAGE, PROT_READ | PROT_WRITE);
}

static void *peer_a_formats(void *arg)
{
	struct ivshm_region r;

	(void)arg;
	a_rc = ivshm_region_attach(&r, map_a, REGION_SIZE, 2, &geo_a, IVSHM_ATTACH_FORMAT);
	return NULL;
}

/* Sends n frames tagged seq.. from B and checks C receives exactly them. */
static uint32_t exchange(struct ivshm_tx *tx, struct ivshm_rx *rx, uint32_t seq, uint32_t n)
{
	uint8_t in[8][64], out[8][64];
	struct ivshm_pkt p[8];
	uint32_t i, sent, got;
	bool bell;

	for (i = 0; i < n; i++) {
		memset(in[i], (int)(seq + i), sizeof(in[i]));
		p[i] = (struct ivshm_pkt){ in[i], 64 };
	}
	sent = ivshm_tx_burst(tx, p, n, &bell);
	for (i = 0; i < 8; i++)
		p[i] = (struct ivshm_pkt){ out[i], 0 };
	got = ivshm_rx_burst(rx, p, 8, 64);
	if (sent != n || got != n)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i].len != 64 || out[i][0] != (uint8_t)(seq + i) ||
		    out[i][63] != (uint8_t)(seq + i))
			return 0;
	return got;
}

static void test_late_formatter_writes_nothing(void)
{
	struct sigaction sa, old;
	struct ivshm_region rb, rc, ra;
	struct ivshm_tx tx;
	struct ivshm_rx rx;
	struct ivshm_wire_hdr before;
	const struct timespec tick = { 0, 100000 };
	pthread_t a;
	uint32_t st, k, seq = 0;
	uint8_t *map_b;
	int fd = memfd_create("late-format", 0);

	CHECK(fd >= 0 && ftruncate(fd, REGION_SIZE) == 0);
	map_a = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	map_b = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(map_a != MAP_FAILED && map_b != MAP_FAILED);
	CHECK_EQ(mprotect(map_a + PAGE, PAGE, PROT_NONE), 0); /* A's first channel */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGSEGV, &sa, &old), 0);
	CHECK_EQ(pthread_create(&a, NULL, peer_a_formats, NULL), 0);
	while (!atomic_load(&a_stalled))
		nanosleep(&tick, NULL);
	/* B saw the claim unchanged for the takeover delay and takes it over */
	st = ivshm_region_format_state(map_b);
	CHECK_EQ(IVSHM_FORMAT_STATE(st), IVSHM_FORMAT_FORMATTING);
	CHECK_EQ(ivshm_region_format_takeover(map_b, REGION_SIZE, &geo_b, 0, st), IVSHM_OK);
	CHECK_EQ(ivshm_region_attach(&rb, map_b, REGION_SIZE, 0, NULL, 0), IVSHM_OK);
	CHECK_EQ(ivshm_region_attach(&rc, map_b, REGION_SIZE, 1, NULL, 0), IVSHM_OK);
	CHECK_EQ(ivshm_tx_open(&tx, &rb, 1, 0), IVSHM_OK);
	CHECK_EQ(ivshm_rx_open(&rx, &rc, 0, 0), IVSHM_OK);
	CHECK(ivshm_rx_sync(&rx)); /* 3.0: the producer writes once acked */
	for (k = 0; k < 3; k++, seq += 4)
		CHECK_EQ(exchange(&tx, &rx, seq, 4), 4);
	memcpy(&before, map_b, sizeof(before));
	atomic_store(&a_release, 1); /* A wakes up inside its format */
	pthread_join(a, NULL);
	sigaction(SIGSEGV, &old, NULL);
	CHECK_EQ(a_rc, IVSHM_EBUSY);
	CHECK(memcmp(&before, map_b, sizeof(before)) == 0); /* header untouched */
	for (k = 0; k < 3; k++, seq += 4)
		CHECK_EQ(exchange(&tx, &rx, seq, 4), 4);
	CHECK_EQ(atomic_load(&rx.ctl->prod_gen), rb.gen);
	CHECK_EQ(rx.err.bad_index + rx.err.bad_desc + rx.err.resyncs, 0);
	CHECK_EQ(tx.err.bad_index, 0);
	/* A retries as the PMD does on EBUSY and adopts the live geometry */
	CHECK_EQ(ivshm_region_attach(&ra, map_a, REGION_SIZE, 2, &geo_a, IVSHM_ATTACH_FORMAT),
		 IVSHM_OK);
	CHECK_EQ(ra.geo.ring_size, geo_b.ring_size);
	CHECK_EQ(exchange(&tx, &rx, seq, 4), 4);
	munmap(map_a, REGION_SIZE);
	munmap(map_b, REGION_SIZE);
}

int main(void)
{
	RUN(test_late_formatter_writes_nothing);
	return check_exit_code();
}
