/* SPDX-License-Identifier: BSD-3-Clause
 * Human-readable report: percentile table, text histogram, throughput table,
 * and how far the packet path is from the raw shared-memory floor. */
#include "perf.h"

#define TEXT_BINS 20
#define BAR_WIDTH 50

static void lat_row(FILE *f, const struct lat_result *l)
{
	fprintf(f, "%-8s %9lu %7lu %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f\n",
		l->name, (unsigned long)l->n, (unsigned long)l->lost, l->min,
		l->p50, l->p90, l->p99, l->p999, l->max);
}

static void histogram(FILE *f, const struct lat_result *l)
{
	uint64_t bins[TEXT_BINS], top = 0;
	double w = (l->p999 - l->min) / TEXT_BINS;
	unsigned int i, j;

	if (l->n == 0)
		return;
	lat_histogram(l, l->min, l->p999, TEXT_BINS, bins);
	for (i = 0; i < TEXT_BINS; i++)
		top = bins[i] > top ? bins[i] : top;
	fprintf(f, "\n%s RTT histogram (ns, last bin includes > p99.9):\n",
		l->name);
	for (i = 0; i < TEXT_BINS; i++) {
		unsigned int len = top ? (unsigned int)(bins[i] * BAR_WIDTH /
							top) : 0;

		fprintf(f, "  %8.0f%s %9lu |", l->min + i * w,
			i == TEXT_BINS - 1 ? "+" : " ", (unsigned long)bins[i]);
		for (j = 0; j < len; j++)
			fputc('#', f);
		fputc('\n', f);
	}
}

static void latency_section(FILE *f, const struct perf_report *r)
{
	const struct lat_result *p = &r->lat[0], *raw = &r->lat[1];
	unsigned int k;

	fprintf(f, "%-8s %9s %7s %9s %9s %9s %9s %9s %9s  (RTT, ns)\n", "path",
		"samples", "lost", "min", "p50", "p90", "p99", "p99.9", "max");
	for (k = 0; k < 2; k++)
		if (r->has_lat[k])
			lat_row(f, &r->lat[k]);
	if (r->has_lat[0] && p->intr)
		fprintf(f, "reflector in Rx-interrupt mode: CPU %.1f%%, sleeps "
			"%lu, wakeups %lu, wake-up latency p50 %.0f ns (send "
			"stamp -> thread awake)\n", p->refl_cpu_pct,
			(unsigned long)p->sleeps, (unsigned long)p->wakeups,
			p->wake_p50_ns);
	else if (r->has_lat[0])
		fprintf(f, "reflector polling: CPU %.1f%%\n", p->refl_cpu_pct);
	if (r->has_lat[0] && r->has_lat[1] && raw->p50 > 0)
		fprintf(f, "packet path / raw floor: p50 x%.2f (+%.0f ns), p99 "
			"x%.2f\n", p->p50 / raw->p50, p->p50 - raw->p50,
			p->p99 / raw->p99);
	else if (r->has_lat[0])
		fprintf(f, "raw floor: not measured (add --raw-shm FILE on both "
			"sides)\n");
	for (k = 0; k < 2; k++)
		if (r->has_lat[k])
			histogram(f, &r->lat[k]);
}

static void throughput_section(FILE *f, const struct perf_report *r)
{
	unsigned int i;

	fprintf(f, "%6s %12s %12s %12s %12s %9s %9s %8s\n", "size", "fwd-tx",
		"fwd-rx", "rev-tx", "rev-rx", "Mpps", "Gbps", "loss%");
	for (i = 0; i < r->nb_tput; i++) {
		const struct tput_result *t = &r->tput[i];

		fprintf(f, "%6u %12lu %12lu %12lu %12lu %9.3f %9.3f %8.4f\n",
			t->size, (unsigned long)t->fwd_tx,
			(unsigned long)t->fwd_rx, (unsigned long)t->rev_tx,
			(unsigned long)t->rev_rx, tput_mpps(t), tput_gbps(t),
			tput_loss_pct(t));
	}
}

void report_text(FILE *f, const struct perf_report *r)
{
	fprintf(f, "\n==== ivshmem-perf: %s, TSC %.3f GHz ====\n", r->port_desc,
		r->tsc_hz / 1e9);
	if (r->nb_tput)
		throughput_section(f, r);
	else
		latency_section(f, r);
	fflush(f);
}
