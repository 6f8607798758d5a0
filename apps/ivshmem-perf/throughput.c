/* SPDX-License-Identifier: BSD-3-Clause
 * Initiator, throughput mode: per size, START the reflector counting (and
 * sending, with --bidir), blast for --duration, STOP and collect its counts.
 * Control messages travel behind the data on the same queue, so the
 * reflector's REPORT covers every data packet sent before STOP. */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app_common.h"
#include "perf.h"

static void drain_rx(struct perf_port *p, uint64_t *rx)
{
	struct rte_mbuf *pkts[64];
	uint16_t n = rte_eth_rx_burst(p->port, p->queue, pkts, 64), i;

	for (i = 0; i < n; i++) {
		const struct perf_msg *m = perf_msg_of(pkts[i]);

		if (m && m->kind == KIND_DATA)
			(*rx)++;
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void blast(const struct perf_args *a, struct perf_port *p,
		  struct tput_result *t)
{
	uint64_t t0 = rte_rdtsc(), end = t0 + app_ns_to_tsc(
		(uint64_t)(a->duration * 1e9)), seq = 0, now, iter = 0;
	uint64_t start_ns = app_mono_ns();
	struct rte_mbuf *pkts[512];

	do {
		uint16_t n = perf_data_burst(p, pkts, a->burst, t->size, &seq);
		uint16_t sent = rte_eth_tx_burst(p->port, p->queue, pkts, n);

		if (sent < n)
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		t->fwd_tx += sent;
		if (a->bidir)
			drain_rx(p, &t->rev_rx);
		now = rte_rdtsc();
		if ((++iter & 0xffff) == 0)
			perf_progress("throughput (ms)",
				      (app_mono_ns() - start_ns) / 1000000u,
				      (uint64_t)(a->duration * 1e3), start_ns);
	} while (now < end && !app_should_quit());
	perf_progress_end(start_ns);
	t->seconds = app_tsc_to_ns(now - t0) / 1e9;
}

static int run_size(const struct perf_args *a, struct perf_port *p,
		    struct tput_result *t)
{
	uint64_t v[R_NB] = { a->bidir ? PHASE_COUNT_SEND : PHASE_COUNT,
			     t->size, a->burst }, rep[R_NB];

	if (perf_ctrl_call(p, CTRL_START, perf_next_ctrl_seq(), v,
			   CTRL_START_ACK, 5, NULL, &t->rev_rx) < 0)
		return -1;
	blast(a, p, t);
	if (perf_ctrl_call(p, CTRL_STOP, perf_next_ctrl_seq(), NULL,
			   CTRL_REPORT, 5, rep, &t->rev_rx) < 0)
		return -1;
	t->fwd_rx = rep[R_RX];
	t->rev_tx = rep[R_TX];
	printf("  %5u B: %.3f Mpps %.3f Gbps loss %.4f%%\n", t->size,
	       tput_mpps(t), tput_gbps(t), tput_loss_pct(t));
	fflush(stdout);
	return 0;
}

int perf_throughput_run(const struct perf_args *a, struct perf_port *p,
			struct perf_report *rep)
{
	unsigned int i;

	for (i = 0; i < a->nb_sizes && !app_should_quit(); i++) {
		struct tput_result *t = &rep->tput[i];

		t->size = a->sizes[i];
		if (run_size(a, p, t) < 0) {
			fprintf(stderr, "reflector stopped answering (size "
				"%u)\n", t->size);
			return -1;
		}
		rep->nb_tput = i + 1;
	}
	return 0;
}
