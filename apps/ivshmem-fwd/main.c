/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-fwd: EAL args, then "--" and testpmd-like options. The main lcore
 * prints stats and watches the clock; workers forward. */
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "app_common.h"
#include "fwd.h"

static struct fwd_ctx ctx;

static bool time_is_up(const struct fwd_ctx *c, uint64_t start_ns)
{
	return c->args.duration > 0 &&
	       (double)(app_mono_ns() - start_ns) / 1e9 >= c->args.duration;
}

static void supervise(struct fwd_ctx *c)
{
	uint64_t start = app_mono_ns(), next_stats = start;
	uint64_t period = (uint64_t)c->args.stats_period * 1000000000u;

	if (period)
		fwd_stats_period(c);
	while (!app_should_quit() && !fwd_budget_spent(c)) {
		if (time_is_up(c, start))
			break;
		if (period && app_mono_ns() >= next_stats + period) {
			next_stats += period;
			fwd_stats_period(c);
		}
		rte_delay_us_sleep(10000);
	}
	atomic_store(&c->stop, true);
}

static int wait_workers(void)
{
	unsigned int lcore;
	int rc = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (rte_eal_wait_lcore(lcore) < 0)
			rc = 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	int n, rc = 0;

	if (fwd_args_early(argc, argv) == APP_PARSE_DONE)
		return 0;
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "ivshmem-fwd: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	app_signal_install();
	rc = fwd_args_parse(argc - n, argv + n, &ctx.args);
	if (rc != APP_PARSE_RUN) {
		if (rc < 0)
			fprintf(stderr, "ivshmem-fwd: bad arguments (see --help)\n");
		rte_eal_cleanup();
		return rc < 0 ? 2 : 0;
	}
	rc = fwd_setup(&ctx);
	if (rc < 0) {
		rte_eal_cleanup();
		return rc == FWD_BAD_ARG ? 2 : 1;
	}
	rte_eal_mp_remote_launch(fwd_lcore_main, &ctx, SKIP_MAIN);
	supervise(&ctx);
	rc = wait_workers();
	fwd_stats_final(&ctx);
	fwd_linger(&ctx);
	fwd_teardown(&ctx);
	rte_eal_cleanup();
	return rc;
}
