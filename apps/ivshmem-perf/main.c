/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-perf: EAL args, then "--" and --role/--mode options. Runs on the
 * main lcore only (EAL -l N picks the core). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "app_common.h"
#include "perf.h"

/* An argument the machine cannot honour (no such port, a size the port
 * cannot take): exit 2, as for any bad argument. */
#define PERF_BAD_ARG (-2)

/* The largest frame the initiator sends (and gets back). */
static uint32_t initiator_max_frame(const struct perf_args *a)
{
	uint32_t m = a->mode == MODE_LATENCY ? a->lat_size : 0;
	unsigned int i;

	for (i = 0; a->mode == MODE_THROUGHPUT && i < a->nb_sizes; i++)
		m = RTE_MAX(m, a->sizes[i]);
	return m;
}

static int open_port(const struct perf_args *a, struct perf_port *p,
		     struct perf_report *rep)
{
	struct app_port_conf pc = { .nb_rxq = 1, .nb_txq = 1, .nb_rxd = 1024,
				    .nb_txd = 1024, .rx_intr = a->rx_intr };
	struct rte_eth_dev_info info;
	int rc;

	if (!rte_eth_dev_is_valid_port(a->port)) {
		fprintf(stderr, "port %u does not exist: add a --vdev (e.g. "
			"net_ivshmem0,... or net_memif0,...) to the EAL args\n",
			a->port);
		return PERF_BAD_ARG;
	}
	/* The initiator builds each frame in one mbuf; the reflector does not
	 * know the sizes to come and takes what the port can (Rx scatter). */
	pc.max_frame = a->role == ROLE_INITIATOR ? initiator_max_frame(a) : 0;
	pc.mp = app_pool_create("perf_pool", 8192, pc.max_frame);
	if (pc.mp == NULL)
		return -1;
	if (a->role == ROLE_REFLECTOR)
		pc.max_frame = app_port_receivable_frame(a->port, pc.mp);
	rc = app_port_start(a->port, &pc);
	if (rc < 0)
		return rc == -EMSGSIZE ? PERF_BAD_ARG : -1;
	p->port = a->port;
	p->queue = 0;
	p->mp = pc.mp;
	p->tx_mp = NULL;
	if (a->tx_zero_copy) {
		p->tx_mp = app_tx_zero_copy_pool(a->port, 0);
		if (p->tx_mp == NULL) {
			app_port_stop(a->port);
			return PERF_BAD_ARG;
		}
	}
	rte_eth_dev_info_get(a->port, &info);
	snprintf(rep->port_desc, sizeof(rep->port_desc), "port %u (%s)",
		 a->port, info.driver_name);
	if (!app_port_wait_link(a->port, (unsigned int)(a->timeout * 1000)))
		printf("port %u: link still down, trying anyway\n", a->port);
	return 0;
}

/* The zero-copy counters, then the close; a Tx pool only after it. */
static void close_port(struct perf_port *p)
{
	app_print_zero_copy(p->port);
	app_port_stop(p->port);
	rte_mempool_free(p->tx_mp);
}

static int write_reports(const struct perf_args *a, struct perf_report *rep)
{
	int rc = 0;

	report_text(stdout, rep);
	if (a->json_path && report_json(a->json_path, rep) < 0)
		rc = -1;
	if (a->svg_path && report_svg(a->svg_path, rep) < 0)
		rc = -1;
	return rc;
}

static int run_initiator(const struct perf_args *a, struct perf_report *rep)
{
	struct perf_port p;
	int rc = 0;

	if (a->mode != MODE_RAW) {
		rc = open_port(a, &p, rep);
		if (rc < 0)
			return rc;
	}
	if (a->mode == MODE_RAW || (a->mode == MODE_LATENCY && a->raw_shm)) {
		if (a->mode == MODE_RAW)
			snprintf(rep->port_desc, sizeof(rep->port_desc),
				 "raw shm %s", a->raw_shm);
		rc = perf_raw_initiator(a, &rep->lat[1]);
		rep->has_lat[1] = rc == 0;
	}
	if (rc == 0 && a->mode != MODE_RAW && perf_hello(a, &p) < 0)
		rc = -1;
	if (rc == 0 && a->mode == MODE_LATENCY) {
		rc = perf_latency_run(a, &p, &rep->lat[0]);
		rep->has_lat[0] = rc == 0;
	}
	if (rc == 0 && a->mode == MODE_THROUGHPUT)
		rc = perf_throughput_run(a, &p, rep);
	if (a->mode != MODE_RAW)
		perf_bye(&p);
	if (rc == 0 && write_reports(a, rep) < 0)
		rc = -1;
	if (a->mode != MODE_RAW)
		close_port(&p);
	return rc;
}

static int run_reflector(const struct perf_args *a, struct perf_report *rep)
{
	struct perf_port p;
	int rc = 0;

	if (a->mode == MODE_RAW)
		return perf_raw_reflector(a);
	rc = open_port(a, &p, rep);
	if (rc < 0)
		return rc;
	if (a->mode == MODE_LATENCY && a->raw_shm)
		rc = perf_raw_reflector(a);
	if (rc == 0)
		rc = perf_reflector_run(a, &p);
	close_port(&p);
	return rc;
}

int main(int argc, char **argv)
{
	static struct perf_args args;
	static struct perf_report rep;
	int n, rc;

	if (perf_args_early(argc, argv) == APP_PARSE_DONE)
		return 0;
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "ivshmem-perf: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	app_signal_install();
	rc = perf_args_parse(argc - n, argv + n, &args);
	if (rc != APP_PARSE_RUN) {
		if (rc < 0)
			fprintf(stderr, "ivshmem-perf: bad arguments (see --help)\n");
		rte_eal_cleanup();
		return rc < 0 ? 2 : 0;
	}
	app_tsc_calibrate(100);
	rep.args = &args;
	rep.tsc_hz = (double)app_tsc_hz();
	rc = args.role == ROLE_INITIATOR ? run_initiator(&args, &rep) :
					   run_reflector(&args, &rep);
	free(rep.lat[0].ns);
	free(rep.lat[1].ns);
	rte_eal_cleanup();
	return rc == 0 ? 0 : rc == PERF_BAD_ARG ? 2 : 1;
}
