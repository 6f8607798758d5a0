/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <stdlib.h>

#include "perf.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted samples, q in [0, 1]. */
double lat_percentile(const struct lat_result *r, double q)
{
	uint64_t i;

	if (r->n == 0)
		return 0;
	i = (uint64_t)ceil(q * (double)r->n);
	if (i > 0)
		i--;
	return r->ns[i < r->n ? i : r->n - 1];
}

void lat_finish(struct lat_result *r)
{
	double sum = 0;
	uint64_t i;

	if (r->n == 0)
		return;
	qsort(r->ns, r->n, sizeof(double), cmp_double);
	for (i = 0; i < r->n; i++)
		sum += r->ns[i];
	r->mean = sum / (double)r->n;
	r->min = r->ns[0];
	r->max = r->ns[r->n - 1];
	r->p50 = lat_percentile(r, 0.50);
	r->p90 = lat_percentile(r, 0.90);
	r->p99 = lat_percentile(r, 0.99);
	r->p999 = lat_percentile(r, 0.999);
}

void lat_histogram(const struct lat_result *r, double lo, double hi,
		   unsigned int nbins, uint64_t *bins)
{
	double w = (hi - lo) / nbins;
	uint64_t i;

	for (i = 0; i < nbins; i++)
		bins[i] = 0;
	for (i = 0; i < r->n; i++) {
		double b = w > 0 ? (r->ns[i] - lo) / w : 0;

		if (b < 0)
			b = 0;
		bins[b >= nbins ? nbins - 1 : (unsigned int)b]++;
	}
}

double tput_mpps(const struct tput_result *t)
{
	return t->seconds > 0 ?
		(double)(t->fwd_rx + t->rev_rx) / t->seconds / 1e6 : 0;
}

double tput_gbps(const struct tput_result *t)
{
	return tput_mpps(t) * 1e6 * t->size * 8 / 1e9;
}

double tput_loss_pct(const struct tput_result *t)
{
	uint64_t tx = t->fwd_tx + t->rev_tx, rx = t->fwd_rx + t->rev_rx;

	return tx ? 100.0 * (double)(tx > rx ? tx - rx : 0) / (double)tx : 0;
}
