/* SPDX-License-Identifier: BSD-3-Clause
 * Who formats a blank region when peers attach at the same moment, and how
 * a format whose writer stopped is taken over (doc/bar2-layout.md §5).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "../check.h"
#include "region_fixture.h"

#define SIZE 131072u
#define RACERS 3u
#define ROUNDS 2000u
static const struct ivshm_geometry small_geo = {
	.max_peers = 4, .queues = 2, .ring_size = 4, .buf_size = 64 };

struct racer {
	uint8_t *_Atomic base;   /* region of the current round */
	_Atomic unsigned int go; /* round number the racer may start */
	_Atomic unsigned int done;
	uint16_t id;
	int rc;
};

/* Attaches like the PMD does: retries while another peer formats. */
static int attach_retrying(uint8_t *base, uint16_t id)
{
	struct ivshm_region r;
	int rc;

	do
		rc = ivshm_region_attach(&r, base, SIZE, id, &small_geo,
					 IVSHM_ATTACH_FORMAT);
	while (rc == IVSHM_EBUSY);
	return rc;
}

static void *racer_main(void *arg)
{
	struct racer *me = arg;

	for (unsigned int round = 1; round <= ROUNDS; round++) {
		while (atomic_load(&me->go) < round)
			sched_yield();
		int rc = attach_retrying(atomic_load(&me->base), me->id);

		if (rc != IVSHM_OK && me->rc == IVSHM_OK)
			me->rc = rc;
		atomic_store(&me->done, round);
	}
	return NULL;
}

/* Before the fix a loser of the format race compared the header with zero
 * after the winner had begun writing it, and got "foreign data". */
static void test_simultaneous_attach_never_foreign(void)
{
	struct racer rs[RACERS];
	pthread_t th[RACERS];
	uint8_t *base = region_alloc(SIZE);
	unsigned int i, round;

	for (i = 0; i < RACERS; i++) {
		memset(&rs[i], 0, sizeof(rs[i]));
		rs[i].id = (uint16_t)i;
		CHECK(pthread_create(&th[i], NULL, racer_main, &rs[i]) == 0);
	}
	for (round = 1; round <= ROUNDS; round++) {
		memset(base, 0, SIZE);
		for (i = 0; i < RACERS; i++) {
			atomic_store(&rs[i].base, base);
			atomic_store(&rs[i].go, round);
		}
		for (i = 0; i < RACERS; i++)
			while (atomic_load(&rs[i].done) < round)
				sched_yield();
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < RACERS; i++)
		CHECK_EQ(rs[i].rc, IVSHM_OK);
	CHECK_EQ(region_hdr(base)->format_state, IVSHM_FORMAT_READY);
	free(base);
}

/* A peer died while formatting: the state stays FORMATTING with a half
 * written header. Attach waits (EBUSY); a takeover of that exact state
 * formats and the region becomes usable; a second taker with the same
 * stale value loses (EBUSY) and does not format again. */
static void test_stalled_format_taken_over(void)
{
	uint8_t *base = region_alloc(SIZE);
	struct ivshm_region r;
	uint32_t stalled;

	memset(base + 16, 0x5a, 64); /* what the dead formatter wrote */
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_FORMATTING);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 2, &small_geo,
				     IVSHM_ATTACH_FORMAT), IVSHM_EBUSY);
	stalled = ivshm_region_format_state(base);
	CHECK_EQ(stalled, IVSHM_FORMAT_FORMATTING);
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 2, stalled),
		 IVSHM_OK);
	CHECK_EQ(ivshm_region_format_state(base), IVSHM_FORMAT_READY);
	CHECK_EQ(region_hdr(base)->formatter_id, 2);
	/* A second taker that saw the same stalled value loses. */
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 3, stalled),
		 IVSHM_EBUSY);
	CHECK_EQ(region_hdr(base)->formatter_id, 2);
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 3,
					      IVSHM_FORMAT_READY), IVSHM_EINVAL);
	CHECK_EQ(ivshm_region_attach(&r, base, SIZE, 1, NULL, 0), IVSHM_OK);
	CHECK_EQ(r.geo.ring_size, small_geo.ring_size);
	free(base);
}

/* Two peers saw the same stalled value: exactly one claim succeeds. */
static void test_takeover_claims_are_exclusive(void)
{
	uint8_t *base = region_alloc(SIZE);
	uint32_t stalled = IVSHM_FORMAT_CLAIMED(7);

	atomic_store(&region_hdr(base)->format_state, stalled);
	/* The second taker's claim happens while the first holds claim 8. */
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_CLAIMED(8));
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 1, stalled),
		 IVSHM_EBUSY);
	CHECK_EQ(ivshm_region_format_state(base), IVSHM_FORMAT_CLAIMED(8));
	/* The wrap of the takeover count skips the first-claim value 0. */
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_CLAIMED(0xffffff));
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 1,
					      IVSHM_FORMAT_CLAIMED(0xffffff)), IVSHM_OK);
	/* Bad arguments leave the stalled state alone. */
	atomic_store(&region_hdr(base)->format_state, IVSHM_FORMAT_FORMATTING);
	CHECK_EQ(ivshm_region_format_takeover(base, SIZE, &small_geo, 9,
					      IVSHM_FORMAT_FORMATTING), IVSHM_EPEERID);
	CHECK_EQ(ivshm_region_format_takeover(base, 4096, &small_geo, 1,
					      IVSHM_FORMAT_FORMATTING), IVSHM_ETOOSMALL);
	CHECK_EQ(ivshm_region_format_state(base), IVSHM_FORMAT_FORMATTING);
	free(base);
}

int main(void)
{
	RUN(test_simultaneous_attach_never_foreign);
	RUN(test_stalled_format_taken_over);
	RUN(test_takeover_claims_are_exclusive);
	return check_exit_code();
}
