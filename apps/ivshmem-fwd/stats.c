/* SPDX-License-Identifier: BSD-3-Clause
 * Live per-port rates and the final summary. The summary is key=value so
 * scripts (tests/apps) can parse it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "app_common.h"
#include "fwd.h"

static struct rte_eth_stats prev[FWD_MAX_PORTS];
static uint64_t prev_ns;

void fwd_stats_period(struct fwd_ctx *c)
{
	uint64_t now = app_mono_ns();
	double dt = prev_ns ? (double)(now - prev_ns) / 1e9 : 0;
	unsigned int i;

	for (i = 0; i < c->nb_ports; i++) {
		uint16_t p = c->ports[i];
		struct rte_eth_stats st;

		if (rte_eth_stats_get(p, &st) != 0)
			continue;
		if (dt > 0)
			printf("port %u: rx %.3f Mpps %.3f Gbps | tx %.3f Mpps "
			       "%.3f Gbps | missed %" PRIu64 "\n", p,
			       (double)(st.ipackets - prev[p].ipackets) / dt / 1e6,
			       (double)(st.ibytes - prev[p].ibytes) * 8 / dt / 1e9,
			       (double)(st.opackets - prev[p].opackets) / dt / 1e6,
			       (double)(st.obytes - prev[p].obytes) * 8 / dt / 1e9,
			       st.imissed);
		prev[p] = st;
	}
	prev_ns = now;
	fflush(stdout);
}

struct app_counts {
	uint64_t rx, tx, drops;
};

static void port_app_counts(const struct fwd_ctx *c, uint16_t p,
			    struct app_counts *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < c->nb_streams; i++) {
		const struct fwd_stream *s = &c->streams[i];

		if (s->rx_port == p)
			a->rx += s->rx;
		if (s->tx_port == p) {
			a->tx += s->tx;
			a->drops += s->drops;
		}
	}
}

static void print_port(const struct fwd_ctx *c, uint16_t p)
{
	struct rte_eth_stats st;
	struct app_counts a;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(p, &st);
	port_app_counts(c, p, &a);
	printf("port %u: rx-packets=%" PRIu64 " rx-bytes=%" PRIu64
	       " rx-missed=%" PRIu64 " rx-errors=%" PRIu64 " rx-nombuf=%" PRIu64
	       " tx-packets=%" PRIu64 " tx-bytes=%" PRIu64 " tx-errors=%" PRIu64
	       " app-rx=%" PRIu64 " app-tx=%" PRIu64 " app-tx-dropped=%" PRIu64
	       "\n", p, st.ipackets, st.ibytes, st.imissed, st.ierrors,
	       st.rx_nombuf, st.opackets, st.obytes, st.oerrors, a.rx, a.tx,
	       a.drops);
	app_print_zero_copy(p);
}

static void print_lcore(const struct fwd_lcore *l, struct app_counts *tot)
{
	struct app_counts a = { 0, 0, 0 };
	unsigned int i;

	for (i = 0; i < l->nb_streams; i++) {
		a.rx += l->streams[i]->rx;
		a.tx += l->streams[i]->tx;
		a.drops += l->streams[i]->drops;
	}
	printf("lcore %u: streams=%u rx=%" PRIu64 " tx=%" PRIu64
	       " tx-dropped=%" PRIu64 " loops=%" PRIu64 " idle-loops=%" PRIu64
	       " sleeps=%" PRIu64 " wakeups=%" PRIu64 "\n", l->lcore_id,
	       l->nb_streams, a.rx, a.tx, a.drops, l->loops, l->idle_loops,
	       l->sleeps, l->wakeups);
	tot->rx += a.rx;
	tot->tx += a.tx;
	tot->drops += a.drops;
}

void fwd_stats_final(struct fwd_ctx *c)
{
	struct app_counts tot = { 0, 0, 0 };
	unsigned int i;

	printf("==== ivshmem-fwd summary (mode %s) ====\n",
	       fwd_mode_name(c->args.mode));
	for (i = 0; i < c->nb_ports; i++)
		print_port(c, c->ports[i]);
	for (i = 0; i < c->nb_lcores; i++)
		print_lcore(&c->lcores[i], &tot);
	printf("total: rx=%" PRIu64 " tx=%" PRIu64 " tx-dropped=%" PRIu64 "\n",
	       tot.rx, tot.tx, tot.drops);
	fflush(stdout);
}
