/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "perf.h"

static const char *mode_name(enum perf_mode m)
{
	return m == MODE_LATENCY ? "latency" :
	       m == MODE_THROUGHPUT ? "throughput" : "raw";
}

static void lat_json(FILE *f, const struct lat_result *l, bool last)
{
	fprintf(f, "    \"%s\": {\"samples\": %lu, \"lost\": %lu, "
		"\"min_ns\": %.1f, \"p50_ns\": %.1f, \"p90_ns\": %.1f, "
		"\"p99_ns\": %.1f, \"p999_ns\": %.1f, \"max_ns\": %.1f, "
		"\"mean_ns\": %.1f, \"reflector_rx_intr\": %s, "
		"\"reflector_cpu_pct\": %.2f, \"wake_p50_ns\": %.1f, "
		"\"wakeups\": %lu}%s\n", l->name, (unsigned long)l->n,
		(unsigned long)l->lost, l->min, l->p50, l->p90, l->p99,
		l->p999, l->max, l->mean, l->intr ? "true" : "false",
		l->refl_cpu_pct, l->wake_p50_ns, (unsigned long)l->wakeups,
		last ? "" : ",");
}

static void tput_json(FILE *f, const struct tput_result *t, bool last)
{
	fprintf(f, "    {\"size\": %u, \"seconds\": %.4f, \"fwd_tx\": %lu, "
		"\"fwd_rx\": %lu, \"rev_tx\": %lu, \"rev_rx\": %lu, "
		"\"mpps\": %.4f, \"gbps\": %.4f, \"loss_pct\": %.6f}%s\n",
		t->size, t->seconds, (unsigned long)t->fwd_tx,
		(unsigned long)t->fwd_rx, (unsigned long)t->rev_tx,
		(unsigned long)t->rev_rx, tput_mpps(t), tput_gbps(t),
		tput_loss_pct(t), last ? "" : ",");
}

int report_json(const char *path, const struct perf_report *r)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n  \"tool\": \"ivshmem-perf\",\n  \"mode\": \"%s\",\n"
		"  \"port\": \"%s\",\n  \"tsc_hz\": %.0f,\n  \"burst\": %u,\n"
		"  \"bidir\": %s,\n", mode_name(r->args->mode), r->port_desc,
		r->tsc_hz, r->args->burst, r->args->bidir ? "true" : "false");
	fprintf(f, "  \"latency\": {\n");
	if (r->has_lat[0])
		lat_json(f, &r->lat[0], !r->has_lat[1]);
	if (r->has_lat[1])
		lat_json(f, &r->lat[1], true);
	fprintf(f, "  },\n  \"throughput\": [\n");
	for (i = 0; i < r->nb_tput; i++)
		tput_json(f, &r->tput[i], i + 1 == r->nb_tput);
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}
