/* SPDX-License-Identifier: BSD-3-Clause
 * BAR2 guard; see ivshmem_bar2_guard.h and doc/threat-model.md.
 *
 * The signal handler touches only the slot table (C11 atomics, lock-free),
 * and calls only mmap, sched_yield, sigaction and raise (plain system
 * calls). Register and unregister run in normal context, serialised by a
 * mutex the handler never takes.
 *
 * Slot protocol: a handler announces itself in slot.users, then re-reads
 * slot.state; unregister sets CLOSING, then waits for users to drain. Both
 * sides store then load (seq_cst), so either the handler sees CLOSING or
 * unregister sees the handler: a slot is never reused (nor its range
 * unmapped) while a handler still replaces its pages.
 */
#include "ivshmem_bar2_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 &&
	       ATOMIC_POINTER_LOCK_FREE == 2,
	       "the SIGBUS handler needs lock-free atomics");

enum slot_state { SLOT_FREE, SLOT_ACTIVE, SLOT_CLOSING };
enum page_state { PAGES_SHARED = IVSHMEM_BAR2_SHARED, PAGES_REPLACING,
		  PAGES_ZERO, PAGES_FAILED };

static struct ivshmem_bar2_guard slots[IVSHMEM_BAR2_GUARD_SLOTS];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int active;      /* registered slots; under guard_lock */
static bool installed;           /* our handler is in the chain */
static struct sigaction prev;    /* what SIGBUS did before us; written
				  * only while no handler of ours runs */
static atomic_int in_flight;     /* handlers between entry and chaining */

/* ---- signal context ------------------------------------------------------ */

/* Synchronous memory faults only: a SIGBUS sent by kill() carries no
 * address (si_addr would alias si_pid/si_uid). */
static bool is_memory_fault(const siginfo_t *si)
{
	return si->si_code == BUS_ADRERR || si->si_code == BUS_OBJERR ||
	       si->si_code == BUS_MCEERR_AR;
}

/* The active slot whose range holds addr, with our claim in its users
 * count (the caller drops it); NULL if none. */
static struct ivshmem_bar2_guard *claim_slot(uintptr_t addr)
{
	for (unsigned int i = 0; i < IVSHMEM_BAR2_GUARD_SLOTS; i++) {
		struct ivshmem_bar2_guard *s = &slots[i];

		if (atomic_load(&s->state) != SLOT_ACTIVE)
			continue;
		atomic_fetch_add(&s->users, 1);
		if (atomic_load(&s->state) == SLOT_ACTIVE &&
		    addr - atomic_load(&s->start) < atomic_load(&s->len))
			return s;
		atomic_fetch_sub(&s->users, 1);
	}
	return NULL;
}

/* Replaces the whole mapping by private zero pages, once: threads that
 * fault at the same time wait for the first one's mmap. True if the pages
 * are now readable and writable. */
static bool replace_pages(struct ivshmem_bar2_guard *s)
{
	int expect = PAGES_SHARED, now;

	if (atomic_compare_exchange_strong(&s->pages, &expect, PAGES_REPLACING)) {
		void *p = mmap((void *)atomic_load(&s->start), atomic_load(&s->len),
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		atomic_store(&s->pages, p == MAP_FAILED ? PAGES_FAILED : PAGES_ZERO);
	}
	while ((now = atomic_load(&s->pages)) == PAGES_REPLACING)
		sched_yield(); /* another thread is inside mmap (a bare syscall) */
	return now == PAGES_ZERO;
}

/* Gives a fault that is not ours to whoever had SIGBUS before us. */
static void chain(const struct sigaction *to, int sig, siginfo_t *si, void *uc)
{
	if (to->sa_flags & SA_SIGINFO) {
		to->sa_sigaction(sig, si, uc);
		return;
	}
	if (to->sa_handler == SIG_IGN && !is_memory_fault(si))
		return; /* an ignored kill(); a fault cannot be ignored */
	if (to->sa_handler != SIG_DFL && to->sa_handler != SIG_IGN) {
		to->sa_handler(sig);
		return;
	}
	/* Default action: die of this signal, as without us. SIGBUS stays
	 * blocked until we return, then kills the process. */
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	struct ivshmem_bar2_guard *s = NULL;
	struct sigaction to;

	atomic_fetch_add(&in_flight, 1);
	if (si != NULL && is_memory_fault(si))
		s = claim_slot((uintptr_t)si->si_addr);
	if (s != NULL) {
		bool survived = replace_pages(s);

		atomic_fetch_add(&s->faults, 1);
		atomic_fetch_sub(&s->users, 1);
		if (survived) {
			atomic_fetch_sub(&in_flight, 1);
			errno = saved_errno;
			return; /* the access is retried and reads zeros */
		}
	}
	to = prev; /* copied before leaving: a handler we chain to may not return */
	atomic_fetch_sub(&in_flight, 1);
	chain(&to, sig, si, uc);
	errno = saved_errno;
}

/* ---- normal context ------------------------------------------------------ */

static bool handler_is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_sigbus;
}

static int install(void)
{
	struct sigaction sa;

	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &prev) != 0)
		return -errno;
	installed = true;
	return 0;
}

/* Gives SIGBUS back to its previous owner, unless someone installed a
 * handler over ours since (it may chain to us: we stay in the chain). */
static void uninstall(void)
{
	struct sigaction cur;

	if (sigaction(SIGBUS, NULL, &cur) != 0 || !handler_is_ours(&cur))
		return;
	if (sigaction(SIGBUS, &prev, NULL) != 0)
		return;
	while (atomic_load(&in_flight) != 0)
		sched_yield(); /* a late handler may still read prev */
	installed = false;
}

int ivshmem_bar2_guard_register(void *addr, size_t len, size_t page_size,
				struct ivshmem_bar2_guard **out)
{
	struct ivshmem_bar2_guard *s = NULL;
	int rc;

	if (page_size == 0)
		page_size = (size_t)sysconf(_SC_PAGESIZE);
	pthread_mutex_lock(&guard_lock);
	for (unsigned int i = 0; i < IVSHMEM_BAR2_GUARD_SLOTS && s == NULL; i++)
		if (atomic_load(&slots[i].state) == SLOT_FREE)
			s = &slots[i];
	rc = s == NULL ? -ENOSPC : install();
	if (rc == 0) {
		atomic_store(&s->start, (uintptr_t)addr);
		/* the mapping spans whole pages: a hugetlbfs mapping cannot be
		 * replaced in part */
		atomic_store(&s->len, (len + page_size - 1) / page_size * page_size);
		atomic_store(&s->pages, PAGES_SHARED);
		atomic_store(&s->faults, 0);
		atomic_store(&s->state, SLOT_ACTIVE);
		active++;
		*out = s;
	}
	pthread_mutex_unlock(&guard_lock);
	return rc;
}

void ivshmem_bar2_guard_unregister(struct ivshmem_bar2_guard *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&guard_lock);
	atomic_store(&g->state, SLOT_CLOSING);
	while (atomic_load(&g->users) != 0)
		sched_yield(); /* a handler is replacing the pages */
	atomic_store(&g->state, SLOT_FREE);
	if (--active == 0)
		uninstall();
	pthread_mutex_unlock(&guard_lock);
}

uint64_t ivshmem_bar2_guard_faults(const struct ivshmem_bar2_guard *g)
{
	return g == NULL ? 0 : atomic_load(&g->faults);
}

bool ivshmem_bar2_unsealed(int seals)
{
	return seals < 0 || (seals & F_SEAL_SHRINK) == 0;
}
