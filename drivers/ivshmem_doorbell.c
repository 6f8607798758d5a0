/* SPDX-License-Identifier: BSD-3-Clause
 * Doorbells from net_ivshmem to its peer. The peer asks for one by leaving
 * a wake token in shared memory (bar2-layout §8); the token is untrusted,
 * and so is the rate at which it asks: a consumer that re-arms after every
 * frame would make us ring on every burst (in a guest, a VM exit each).
 *
 * Rate limit (GCRA over all Tx queues of the port): up to
 * IVSHMEM_DOORBELL_BURST back to back, then one per
 * IVSHMEM_DOORBELL_INTERVAL_US. A doorbell over the limit is held back and
 * rung by an EAL alarm when its slot comes, never dropped: a consumer
 * asleep on it would sleep with frames queued. A request while one is held
 * back for the same queue rides on it (counted as deferred).
 *
 * Only the primary process holds doorbells back: the held tokens are in
 * the shared port data but an EAL alarm is the process's own, so a token
 * held by a secondary that exits before its alarm would stay held (every
 * later request riding on it, none rung), and a secondary's flush would
 * take the primary's tokens. A secondary rings at once, unlimited.
 */
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <ethdev_driver.h>

#include "ivshmem_doorbell.h"

#define IVSHMEM_DOORBELL_BURST       32u
#define IVSHMEM_DOORBELL_INTERVAL_US 20u

static void ring(const struct pmd_internals *pmd, uint32_t token)
{
	struct ivshmem_bus_dev *bus = ivshmem_own_bus(pmd->port_id);

	if (bus != NULL)
		ivshmem_bus_doorbell(bus, pmd->peer, IVSHM_WAKE_VECTOR(token));
}

/* Reserves the next doorbell slot: 0 if it may ring now, else the timer
 * cycles until its slot. */
static uint64_t doorbell_slot(struct pmd_internals *pmd, uint64_t now)
{
	uint64_t t = rte_get_timer_hz() / 1000000 * IVSHMEM_DOORBELL_INTERVAL_US;
	uint64_t tau = t * (IVSHMEM_DOORBELL_BURST - 1), base;
	uint64_t tat = __atomic_load_n(&pmd->doorbell_tat, __ATOMIC_RELAXED);

	do {
		base = tat > now ? tat : now;
	} while (!__atomic_compare_exchange_n(&pmd->doorbell_tat, &tat, base + t, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return base - now > tau ? base - now - tau : 0;
}

static void flush_held(struct pmd_internals *pmd)
{
	uint32_t q, token;

	for (q = 0; q < IVSHM_MAX_QUEUES; q++) {
		token = __atomic_exchange_n(&pmd->doorbell_held[q], IVSHM_WAKE_NONE,
					    __ATOMIC_ACQ_REL);
		if (token != IVSHM_WAKE_NONE) {
			ring(pmd, token);
			__atomic_fetch_add(&pmd->doorbells_late, 1, __ATOMIC_RELAXED);
		}
	}
}

static void doorbell_alarm(void *arg)
{
	flush_held(arg);
}

void ivshmem_doorbell_stop(struct pmd_internals *pmd)
{
	rte_eal_alarm_cancel(doorbell_alarm, pmd);
	flush_held(pmd);
}

/* Primary only: true if the token was held back (or rode on a held one)
 * under the rate limit, false if it may ring now. */
static bool hold_back(struct ivshmem_txq *txq, uint32_t token)
{
	struct pmd_internals *pmd = txq->pmd;
	uint32_t *held = &pmd->doorbell_held[txq->queue_id];
	uint64_t wait;

	if (__atomic_load_n(held, __ATOMIC_ACQUIRE) != IVSHM_WAKE_NONE) {
		txq->doorbells_deferred++;
		return true;
	}
	wait = doorbell_slot(pmd, rte_get_timer_cycles());
	if (wait == 0)
		return false;
	/* Only this queue sets its entry; the alarm only clears it. */
	__atomic_store_n(held, token, __ATOMIC_RELEASE);
	if (rte_eal_alarm_set(wait * 1000000 / rte_get_timer_hz() + 1,
			      doorbell_alarm, pmd) == 0)
		return true;
	/* no alarm: ring now, unless one already pending took it */
	return __atomic_exchange_n(held, IVSHM_WAKE_NONE, __ATOMIC_ACQ_REL) ==
	       IVSHM_WAKE_NONE;
}

__rte_noinline void ivshmem_doorbell_request(struct ivshmem_txq *txq, uint32_t token)
{
	if (!IVSHM_WAKE_TOKEN_VALID(token))
		return; /* not a vector the peer can have */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && hold_back(txq, token))
		return;
	ring(txq->pmd, token);
	txq->doorbells++;
}
