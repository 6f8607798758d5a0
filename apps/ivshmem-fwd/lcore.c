/* SPDX-License-Identifier: BSD-3-Clause
 * Worker loop: poll the lcore's streams; with --rx-intr, sleep on Rx
 * interrupts once every stream has been idle for a while. */
#include <stdio.h>

#include <rte_common.h>

#include "app_common.h"
#include "fwd.h"

#define IDLE_SPINS_BEFORE_SLEEP 1024u
#define SLEEP_TIMEOUT_MS 100 /* re-check stop flags this often */

static bool must_stop(struct fwd_ctx *c)
{
	return app_should_quit() ||
	       atomic_load_explicit(&c->stop, memory_order_relaxed) ||
	       fwd_budget_spent(c);
}

static bool register_intr(struct fwd_lcore *l)
{
	unsigned int i;

	for (i = 0; i < l->nb_streams; i++)
		if (app_rxintr_register(l->streams[i]->rx_port,
					l->streams[i]->rx_queue) < 0)
			return false;
	return true;
}

static void set_armed(struct fwd_lcore *l, bool on)
{
	unsigned int i;

	for (i = 0; i < l->nb_streams; i++) {
		if (on)
			app_rxintr_arm(l->streams[i]->rx_port,
				       l->streams[i]->rx_queue);
		else
			app_rxintr_disarm(l->streams[i]->rx_port,
					  l->streams[i]->rx_queue);
	}
}

static unsigned int poll_once(struct fwd_ctx *c, struct fwd_lcore *l)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->nb_streams; i++)
		n += fwd_run_burst(c, l->streams[i]);
	return n;
}

/* Arm, poll once more (closes the race with a packet that arrived before
 * arming), sleep, disarm. */
static void sleep_on_rx(struct fwd_ctx *c, struct fwd_lcore *l)
{
	set_armed(l, true);
	if (poll_once(c, l) == 0) {
		l->sleeps++;
		if (app_rxintr_wait(SLEEP_TIMEOUT_MS) > 0)
			l->wakeups++;
	}
	set_armed(l, false);
}

int fwd_lcore_main(void *arg)
{
	struct fwd_ctx *c = arg;
	struct fwd_lcore *l = NULL;
	unsigned int i, idle = 0;
	bool gen = c->args.mode == FWD_TXONLY || c->args.mode == FWD_FLOWGEN;

	for (i = 0; i < c->nb_lcores; i++)
		if (c->lcores[i].lcore_id == rte_lcore_id())
			l = &c->lcores[i];
	if (l == NULL)
		return 0;
	l->rx_intr_ok = c->args.rx_intr && !gen && register_intr(l);
	if (c->args.rx_intr && !gen && !l->rx_intr_ok) {
		atomic_store(&app_quit, true);
		return -1;
	}
	while (!must_stop(c)) {
		l->loops++;
		if (poll_once(c, l) != 0) {
			idle = 0;
			continue;
		}
		l->idle_loops++;
		if (l->rx_intr_ok && ++idle >= IDLE_SPINS_BEFORE_SLEEP) {
			sleep_on_rx(c, l);
			idle = 0;
		}
	}
	return 0;
}
