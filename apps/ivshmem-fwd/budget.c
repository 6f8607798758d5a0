/* SPDX-License-Identifier: BSD-3-Clause
 * --total-num-pkts: the packet budget shared by all lcores. The engines
 * claim and settle it; the worker loop asks whether it is spent.
 */
#include <rte_common.h>

#include "fwd.h"

/* A compare-and-swap loop, not a fetch_add: a claim never takes more than
 * what is left, so a refused claim leaves budget_used untouched. */
uint16_t fwd_budget_claim(struct fwd_ctx *c, uint16_t n)
{
	uint64_t total = c->args.total_pkts;
	uint64_t used = atomic_load(&c->budget_used), grant;

	if (total == 0)
		return n;
	do {
		if (used >= total)
			return 0;
		grant = RTE_MIN((uint64_t)n, total - used);
	} while (!atomic_compare_exchange_weak(&c->budget_used, &used,
					       used + grant));
	return (uint16_t)grant;
}

/* Never touches c->stop: a --duration stop must not be undone here. */
void fwd_budget_settle(struct fwd_ctx *c, uint16_t claimed, uint16_t done)
{
	if (c->args.total_pkts == 0)
		return;
	if (claimed > done)
		atomic_fetch_sub(&c->budget_used, claimed - done);
	if (done > 0)
		atomic_fetch_add(&c->budget_done, done);
}

/* Tested on budget_done, not budget_used: budget_used may reach the total
 * for a moment and fall back when a full ring refuses a claimed burst. */
bool fwd_budget_spent(struct fwd_ctx *c)
{
	uint64_t total = c->args.total_pkts;

	return total != 0 && atomic_load_explicit(&c->budget_done,
						  memory_order_relaxed) >= total;
}
