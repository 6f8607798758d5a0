/* SPDX-License-Identifier: BSD-3-Clause
 * Zero-copy Rx; see ivshmem_zc.h and doc/threat-model.md.
 */
#include "ivshmem_zc.h"

#include <rte_malloc.h>

static void zc_put(struct ivshmem_zc *zc)
{
	if (__atomic_sub_fetch(&zc->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rte_free(zc);
}

/* The application freed the last mbuf on a slot's buffer, on any lcore:
 * only mark it. The Rx lcore gives it back (ivshmem_zc_sync) if it still
 * belongs to the producer's generation; a stale one is never returned. */
static void zc_free_cb(void *addr, void *opaque)
{
	struct ivshmem_zc_slot *s = opaque;
	struct ivshmem_zc *zc = s->zc;

	(void)addr;
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
	zc_put(zc);
}

struct ivshmem_zc *ivshmem_zc_create(uint32_t ring_size, int socket)
{
	struct ivshmem_zc *zc;
	uint32_t i;

	zc = rte_zmalloc_socket("ivshmem_zc", sizeof(*zc) + ring_size * sizeof(zc->slot[0]),
				RTE_CACHE_LINE_SIZE, socket);
	if (zc == NULL)
		return NULL;
	zc->refs = 1;
	zc->mask = ring_size - 1;
	zc->bound = ring_size / 2;
	for (i = 0; i < ring_size; i++) {
		zc->slot[i].zc = zc;
		zc->slot[i].shinfo.free_cb = zc_free_cb;
		zc->slot[i].shinfo.fcb_opaque = &zc->slot[i];
	}
	return zc;
}

void ivshmem_zc_release(struct ivshmem_zc *zc)
{
	if (zc != NULL)
		zc_put(zc);
}

/* The producer restarted (ivshm_rx_avail resynced ch): the held slots are
 * the old producer's. Forget them; their mbufs stay valid and their free
 * callbacks only clear busy, which keeps a new frame off such a slot's
 * shinfo until then. */
static void zc_new_generation(struct ivshmem_zc *zc, const struct ivshm_rx *ch)
{
	uint32_t i;

	for (i = 0; i <= zc->mask; i++)
		zc->slot[i].held = 0;
	zc->returned = ch->tail;
	zc->gen = ch->expect_gen;
}

void ivshmem_zc_sync(struct ivshmem_zc *zc, struct ivshm_rx *ch)
{
	uint32_t t = zc->returned;
	struct ivshmem_zc_slot *s;

	if (unlikely(zc->gen != ch->expect_gen)) {
		zc_new_generation(zc, ch);
		return;
	}
	while (t != ch->tail) {
		s = &zc->slot[t & zc->mask];
		if (s->held && __atomic_load_n(&s->busy, __ATOMIC_ACQUIRE))
			break;
		s->held = 0;
		t++;
	}
	if (t != zc->returned) {
		zc->returned = t;
		ivshm_rx_return_to(ch, t);
	}
}
