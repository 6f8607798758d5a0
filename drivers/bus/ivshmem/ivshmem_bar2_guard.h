/* SPDX-License-Identifier: BSD-3-Clause
 * BAR2 guard: keeps the process alive when a peer shrinks the shared file
 * under our mapping (an access past its end raises SIGBUS).
 *
 * A process-wide SIGBUS handler (installed with the first registered
 * mapping, removed with the last) handles only faults whose address lies in
 * a registered mapping: it replaces the whole mapping with private zero
 * pages (the faulting access then reads zeros, which every reader of shared
 * memory already treats as an empty or invalid ring) and marks the mapping
 * lost. Any other SIGBUS goes to the handler that was there before (for
 * SIG_DFL/SIG_IGN: the default action, the process dies as without us).
 * No DPDK here: plain C11 and POSIX, so host tests use it directly.
 * Limits and the reasoning: doc/threat-model.md, "Shrinking the region".
 */
#ifndef IVSHMEM_BAR2_GUARD_H
#define IVSHMEM_BAR2_GUARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IVSHMEM_BAR2_GUARD_SLOTS 64 /* mappings guarded at once */

/* One guarded mapping. Visible only so that the data path can test `pages`
 * inline; everything else goes through the functions below. */
struct ivshmem_bar2_guard {
	atomic_int state;          /* free, active, closing */
	atomic_int users;          /* handlers working on this slot */
	atomic_uintptr_t start;
	atomic_size_t len;         /* whole mapping, in its own pages */
	atomic_int pages;          /* IVSHMEM_BAR2_SHARED: still the peers' */
	atomic_ulong faults;
};
#define IVSHMEM_BAR2_SHARED 0

/* Guards [addr, addr + len), a mapping whose pages are page_size bytes
 * (its hugetlbfs page size, or the base page size). Returns 0, or a
 * negative errno (-ENOSPC: all slots in use; or from sigaction). */
int ivshmem_bar2_guard_register(void *addr, size_t len, size_t page_size,
				struct ivshmem_bar2_guard **out);
/* Stops guarding before the caller unmaps: waits for handlers still busy
 * with this mapping. NULL is a no-op. */
void ivshmem_bar2_guard_unregister(struct ivshmem_bar2_guard *g);

/* Faults taken on the mapping (0: intact). NULL: 0. */
uint64_t ivshmem_bar2_guard_faults(const struct ivshmem_bar2_guard *g);
/* True once the mapping is (being) replaced by zero pages: what was read
 * from it since the fault may be zeros. NULL: false. Cheap: the data path
 * calls it once a burst. */
static inline bool ivshmem_bar2_guard_lost(const struct ivshmem_bar2_guard *g)
{
	return g != NULL && atomic_load_explicit(&g->pages, memory_order_acquire) !=
			    IVSHMEM_BAR2_SHARED;
}

/* Unsealed region: true unless the fd's seals (F_GET_SEALS, -1 or a
 * negative errno when it has none) forbid shrinking. */
bool ivshmem_bar2_unsealed(int seals);

#endif /* IVSHMEM_BAR2_GUARD_H */
