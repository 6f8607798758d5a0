/* SPDX-License-Identifier: BSD-3-Clause
 * Initiator, latency mode: one packet in flight; RTT from the TSC read just
 * before tx_burst to the TSC read when the echo with the same seq is seen. */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app_common.h"
#include "perf.h"

#define LOST_AFTER_NS 1000000000ull

static uint64_t ctrl_seq;

uint64_t perf_next_ctrl_seq(void)
{
	if (ctrl_seq == 0)
		ctrl_seq = rte_rdtsc() << 8; /* unlike any earlier run */
	return ++ctrl_seq;
}

static bool wait_echo(struct perf_port *p, uint64_t seq, uint64_t deadline,
		      uint64_t *t_rx)
{
	struct rte_mbuf *pkts[32];
	bool found = false;

	while (!found && rte_rdtsc() < deadline) {
		uint16_t n = rte_eth_rx_burst(p->port, p->queue, pkts, 32), i;

		if (n == 0)
			continue;
		*t_rx = rte_rdtsc();
		for (i = 0; i < n; i++) {
			const struct perf_msg *m = perf_msg_of(pkts[i]);

			if (m && m->kind == KIND_DATA && m->seq == seq)
				found = true;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return found;
}

/* One round trip; returns the RTT in cycles, or 0 if lost. */
static uint64_t one_rtt(struct perf_port *p, uint32_t size, uint64_t *seq)
{
	struct rte_mbuf *m;
	uint64_t my_seq = *seq, t0, t_rx = 0;

	if (perf_data_burst(p, &m, 1, size, seq) != 1)
		return 0;
	t0 = rte_rdtsc();
	while (rte_eth_tx_burst(p->port, p->queue, &m, 1) == 0) {
		if (app_should_quit()) {
			rte_pktmbuf_free(m);
			return 0;
		}
	}
	if (!wait_echo(p, my_seq, t0 + app_ns_to_tsc(LOST_AFTER_NS), &t_rx))
		return 0;
	return t_rx - t0;
}

static void fill_reflector_view(const struct perf_args *a, struct lat_result *r,
				const uint64_t rep[R_NB])
{
	r->intr = a->rx_intr || rep[R_SLEEPS] > 0;
	r->refl_cpu_pct = rep[R_WALL_NS] ?
		100.0 * (double)rep[R_CPU_NS] / (double)rep[R_WALL_NS] : 0;
	r->wake_p50_ns = (double)rep[R_WAKE_P50_NS];
	r->wakeups = rep[R_WAKEUPS];
	r->sleeps = rep[R_SLEEPS];
}

int perf_latency_run(const struct perf_args *a, struct perf_port *p,
		     struct lat_result *r)
{
	uint64_t v[R_NB] = { PHASE_ECHO, a->lat_size, 1 }, rep[R_NB];
	uint64_t seq = 1, i, total = a->warmup + a->samples;
	uint64_t start = app_mono_ns();

	r->name = "packet";
	r->ns = calloc(a->samples, sizeof(double));
	if (r->ns == NULL ||
	    perf_ctrl_call(p, CTRL_START, perf_next_ctrl_seq(), v,
			   CTRL_START_ACK, 5, NULL, NULL) < 0)
		return -1;
	for (i = 0; i < total && !app_should_quit(); i++) {
		uint64_t c = one_rtt(p, a->lat_size, &seq);

		if (i < a->warmup)
			continue;
		if (c == 0)
			r->lost++;
		else
			r->ns[r->n++] = app_tsc_to_ns(c);
		if ((i & 4095) == 0)
			perf_progress("latency samples", i, total, start);
	}
	perf_progress_end(start);
	if (perf_ctrl_call(p, CTRL_STOP, perf_next_ctrl_seq(), NULL,
			   CTRL_REPORT, 5, rep, NULL) < 0)
		return -1;
	fill_reflector_view(a, r, rep);
	lat_finish(r);
	return 0;
}

int perf_hello(const struct perf_args *a, struct perf_port *p)
{
	if (perf_ctrl_call(p, CTRL_HELLO, perf_next_ctrl_seq(), NULL,
			   CTRL_HELLO_ACK, a->timeout, NULL, NULL) == 0)
		return 0;
	fprintf(stderr, "no answer from a reflector on port %u within %.0f s "
		"(is ivshmem-perf --role=reflector running on the peer?)\n",
		p->port, a->timeout);
	return -1;
}

int perf_bye(struct perf_port *p)
{
	return perf_ctrl_call(p, CTRL_BYE, perf_next_ctrl_seq(), NULL,
			      CTRL_BYE_ACK, 1, NULL, NULL);
}
