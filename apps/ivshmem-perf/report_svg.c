/* SPDX-License-Identifier: BSD-3-Clause
 * Hand-written SVG: RTT histogram (bars, left axis: % of samples) and CDF
 * (line, right axis) on a shared ns axis, with p50/p99 markers. */
#include <stdio.h>

#include "perf.h"

#define W 860.0
#define H 460.0
#define X0 80.0   /* plot area */
#define X1 780.0
#define Y0 60.0
#define Y1 380.0
#define NBINS 60
#define TICKS 6

static const char *const colour[2] = { "#3b6fb6", "#8a8a8a" };
static const char *const marker_colour[2] = { "#c0392b", "#555555" };

struct axis {
	double lo, hi, ymax; /* ns range, tallest bar in % */
};

static double xpos(const struct axis *ax, double ns)
{
	double x = X0 + (ns - ax->lo) / (ax->hi - ax->lo) * (X1 - X0);

	return x < X0 ? X0 : x > X1 ? X1 : x;
}

static void frame(FILE *f, const struct axis *ax, const struct perf_report *r)
{
	int i;

	fprintf(f, "<rect x='0' y='0' width='%.0f' height='%.0f' fill='white'/>\n"
		"<text x='%.0f' y='28' font-size='18' text-anchor='middle'>"
		"ivshmem-perf round-trip latency: %s</text>\n", W, H, W / 2,
		r->port_desc);
	fprintf(f, "<line x1='%.0f' y1='%.0f' x2='%.0f' y2='%.0f' stroke='black'/>\n"
		"<line x1='%.0f' y1='%.0f' x2='%.0f' y2='%.0f' stroke='black'/>\n"
		"<line x1='%.0f' y1='%.0f' x2='%.0f' y2='%.0f' stroke='black'/>\n",
		X0, Y1, X1, Y1, X0, Y0, X0, Y1, X1, Y0, X1, Y1);
	for (i = 0; i <= TICKS; i++) {
		double ns = ax->lo + (ax->hi - ax->lo) * i / TICKS;
		double x = xpos(ax, ns), y = Y1 - (Y1 - Y0) * i / TICKS;

		fprintf(f, "<line x1='%.1f' y1='%.0f' x2='%.1f' y2='%.0f' "
			"stroke='black'/><text x='%.1f' y='%.0f' "
			"text-anchor='middle'>%.0f</text>\n", x, Y1, x, Y1 + 5,
			x, Y1 + 20, ns);
		fprintf(f, "<text x='%.0f' y='%.1f' text-anchor='end'>%.1f"
			"</text><text x='%.0f' y='%.1f'>%d</text>\n", X0 - 6,
			y + 4, ax->ymax * i / TICKS, X1 + 6, y + 4,
			100 * i / TICKS);
	}
	fprintf(f, "<text x='%.0f' y='%.0f' text-anchor='middle'>round-trip "
		"time (ns); last bin includes everything above</text>\n",
		(X0 + X1) / 2, Y1 + 42);
	fprintf(f, "<text transform='translate(22,%.0f) rotate(-90)' "
		"text-anchor='middle'>samples per bin (%%)</text>\n"
		"<text transform='translate(%.0f,%.0f) rotate(90)' "
		"text-anchor='middle'>cumulative (%%), lines</text>\n",
		(Y0 + Y1) / 2, W - 30, (Y0 + Y1) / 2);
}

static void bars(FILE *f, const struct axis *ax, const struct lat_result *l,
		 int k)
{
	uint64_t bins[NBINS];
	double bw = (X1 - X0) / NBINS;
	int i;

	lat_histogram(l, ax->lo, ax->hi, NBINS, bins);
	for (i = 0; i < NBINS; i++) {
		double pct = 100.0 * bins[i] / l->n;
		double h = pct / ax->ymax * (Y1 - Y0);

		if (bins[i] == 0)
			continue;
		fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
			"fill='%s' fill-opacity='0.6'/>\n", X0 + i * bw, Y1 - h,
			bw - 1, h, colour[k]);
	}
}

static void cdf(FILE *f, const struct axis *ax, const struct lat_result *l,
		int k)
{
	uint64_t step = l->n / 400 + 1, i;

	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' "
		"points='", colour[k]);
	for (i = 0; i < l->n; i += step)
		fprintf(f, "%.1f,%.1f ", xpos(ax, l->ns[i]),
			Y1 - (Y1 - Y0) * (double)(i + 1) / l->n);
	fprintf(f, "%.1f,%.1f'/>\n", xpos(ax, l->ns[l->n - 1]), Y0);
}

static void markers(FILE *f, const struct axis *ax, const struct lat_result *l,
		    int k)
{
	const double v[2] = { l->p50, l->p99 };
	const char *name[2] = { "p50", "p99" };
	int i;

	for (i = 0; i < 2; i++) {
		double x = xpos(ax, v[i]);

		fprintf(f, "<line x1='%.1f' y1='%.0f' x2='%.1f' y2='%.0f' "
			"stroke='%s' stroke-dasharray='5,4'/>\n<text x='%.1f' "
			"y='%.0f' fill='%s' font-size='12'>%s %s %.0f ns</text>\n",
			x, Y0, x, Y1, marker_colour[k], x + 3,
			Y0 + 14 + 14 * (2 * k + i), marker_colour[k], l->name,
			name[i], v[i]);
	}
}

static void legend(FILE *f, const struct perf_report *r)
{
	int k, row = 0;

	for (k = 0; k < 2; k++) {
		if (!r->has_lat[k])
			continue;
		fprintf(f, "<rect x='%.0f' y='%.0f' width='14' height='10' "
			"fill='%s'/><text x='%.0f' y='%.0f'>%s: %lu samples, "
			"p50 %.0f ns, p99 %.0f ns</text>\n", X0 + 10,
			H - 40 + 16.0 * row, colour[k], X0 + 30,
			H - 31 + 16.0 * row, r->lat[k].name,
			(unsigned long)r->lat[k].n, r->lat[k].p50, r->lat[k].p99);
		row++;
	}
}

static void compute_axis(const struct perf_report *r, struct axis *ax)
{
	uint64_t bins[NBINS];
	int k, i;

	ax->lo = 1e300;
	ax->hi = 0;
	for (k = 0; k < 2; k++) {
		if (!r->has_lat[k] || r->lat[k].n == 0)
			continue;
		ax->lo = r->lat[k].min < ax->lo ? r->lat[k].min : ax->lo;
		ax->hi = r->lat[k].p999 > ax->hi ? r->lat[k].p999 : ax->hi;
	}
	if (ax->hi <= ax->lo)
		ax->hi = ax->lo + 1;
	ax->ymax = 1;
	for (k = 0; k < 2; k++) {
		if (!r->has_lat[k] || r->lat[k].n == 0)
			continue;
		lat_histogram(&r->lat[k], ax->lo, ax->hi, NBINS, bins);
		for (i = 0; i < NBINS; i++)
			if (100.0 * bins[i] / r->lat[k].n > ax->ymax)
				ax->ymax = 100.0 * bins[i] / r->lat[k].n;
	}
}

int report_svg(const char *path, const struct perf_report *r)
{
	FILE *f = fopen(path, "w");
	struct axis ax;
	int k;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	compute_axis(r, &ax);
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns="
		"'http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
		"font-family='sans-serif' font-size='13'>\n", W, H);
	frame(f, &ax, r);
	for (k = 0; k < 2; k++) {
		if (!r->has_lat[k] || r->lat[k].n == 0)
			continue;
		bars(f, &ax, &r->lat[k], k);
		cdf(f, &ax, &r->lat[k], k);
		markers(f, &ax, &r->lat[k], k);
	}
	legend(f, r);
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}
