/* SPDX-License-Identifier: BSD-3-Clause
 * Ports, pairing, streams and their spreading over lcores. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "app_common.h"
#include "fwd.h"

static bool is_generator(enum fwd_mode m)
{
	return m == FWD_TXONLY || m == FWD_FLOWGEN;
}

/* The largest frame sent (a generator's --txpkts) or received. */
static uint32_t max_frame(const struct fwd_args *a)
{
	uint32_t m = a->max_frame;
	unsigned int i;

	for (i = 0; is_generator(a->mode) && i < a->nb_txpkts; i++)
		m = RTE_MAX(m, a->txpkts[i]);
	return m;
}

static int select_ports(struct fwd_ctx *c)
{
	uint16_t p;

	c->nb_ports = 0;
	RTE_ETH_FOREACH_DEV(p) {
		if (c->args.portmask == 0 || (p < 64 &&
					      (c->args.portmask >> p) & 1))
			c->ports[c->nb_ports++] = p;
	}
	if (c->nb_ports == 0) {
		fprintf(stderr, "no ports: add e.g. --vdev net_memif0,... to "
			"the EAL args, or fix --portmask\n");
		return FWD_BAD_ARG;
	}
	return 0;
}

/* Default pairing as in testpmd: 0<->1, 2<->3 among the selected ports; a
 * last odd port forwards to itself. */
static int pair_ports(struct fwd_ctx *c)
{
	unsigned int i;
	int *peer = c->args.peer_of;
	bool explicit = false;

	for (i = 0; i < c->nb_ports; i++)
		explicit |= peer[c->ports[i]] >= 0;
	for (i = 0; i < c->nb_ports; i++) {
		uint16_t p = c->ports[i];

		if (explicit) {
			if (peer[p] < 0)
				peer[p] = p;
			else if (!rte_eth_dev_is_valid_port((uint16_t)peer[p])) {
				fprintf(stderr, "--port-pairs: port %d does not "
					"exist\n", peer[p]);
				return FWD_BAD_ARG;
			}
			continue;
		}
		if (i % 2 == 0)
			peer[p] = i + 1 < c->nb_ports ? c->ports[i + 1] : p;
		else
			peer[p] = c->ports[i - 1];
	}
	return 0;
}

static int start_ports(struct fwd_ctx *c)
{
	struct app_port_conf pc = {
		.nb_rxq = c->args.nb_rxq, .nb_txq = c->args.nb_txq,
		.nb_rxd = c->args.nb_rxd, .nb_txd = c->args.nb_txd,
		.rx_intr = c->args.rx_intr, .mp = c->mp,
		.max_frame = max_frame(&c->args),
	};
	unsigned int i;
	int rc;

	for (i = 0; i < c->nb_ports; i++) {
		uint16_t p = c->ports[i];

		rc = app_port_start(p, &pc);
		if (rc < 0)
			return rc == -EMSGSIZE ? FWD_BAD_ARG : -1;
		rte_eth_macaddr_get(p, &c->port_mac[p]);
	}
	for (i = 0; i < c->nb_ports; i++) {
		if (!app_port_wait_link(c->ports[i], 5000))
			printf("port %u: link still down after 5 s, "
			       "forwarding anyway\n", c->ports[i]);
	}
	return 0;
}

static void make_streams(struct fwd_ctx *c)
{
	bool gen = is_generator(c->args.mode);
	uint16_t nq = gen ? c->args.nb_txq : c->args.nb_rxq;
	unsigned int i;
	uint16_t q;

	c->nb_streams = 0;
	for (i = 0; i < c->nb_ports; i++) {
		for (q = 0; q < nq && c->nb_streams < FWD_MAX_STREAMS; q++) {
			struct fwd_stream *s = &c->streams[c->nb_streams++];
			uint16_t p = c->ports[i];

			memset(s, 0, sizeof(*s));
			s->rx_port = p;
			s->rx_queue = q;
			/* generators send on their own port */
			s->tx_port = gen ? p : (uint16_t)c->args.peer_of[p];
			s->tx_queue = q;
		}
	}
}

/* --tx-zero-copy: each generator stream builds its frames in the pool of
 * its Tx queue (made once the queue is set up, before any burst). */
static int tx_zero_copy_pools(struct fwd_ctx *c)
{
	unsigned int i;

	if (!c->args.tx_zero_copy)
		return 0;
	if (!is_generator(c->args.mode)) {
		fprintf(stderr, "--tx-zero-copy: for txonly and flowgen only (the other "
			"modes send what they received)\n");
		return FWD_BAD_ARG;
	}
	for (i = 0; i < c->nb_streams; i++) {
		c->streams[i].tx_mp = app_tx_zero_copy_pool(c->streams[i].tx_port,
							    c->streams[i].tx_queue);
		if (c->streams[i].tx_mp == NULL)
			return FWD_BAD_ARG;
	}
	return 0;
}

/* Streams round-robin over the first nb_cores worker lcores. */
static int assign_lcores(struct fwd_ctx *c)
{
	unsigned int lcore, n = 0, i;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (c->args.nb_cores && n == c->args.nb_cores)
			break;
		memset(&c->lcores[n], 0, sizeof(c->lcores[n]));
		c->lcores[n++].lcore_id = lcore;
	}
	if (n == 0) {
		fprintf(stderr, "need at least one worker lcore: pass e.g. "
			"-l 0,1 (lcore 0 prints stats)\n");
		return FWD_BAD_ARG;
	}
	if (c->args.nb_cores > n) {
		fprintf(stderr, "--nb-cores=%u but only %u worker lcores\n",
			c->args.nb_cores, n);
		return FWD_BAD_ARG;
	}
	if (n > c->nb_streams)
		n = c->nb_streams; /* idle lcores would only burn CPU */
	c->nb_lcores = n;
	for (i = 0; i < c->nb_streams; i++) {
		struct fwd_lcore *l = &c->lcores[i % n];

		l->streams[l->nb_streams++] = &c->streams[i];
	}
	return 0;
}

static void print_config(const struct fwd_ctx *c)
{
	unsigned int i, j;

	printf("forward mode %s, %u port(s), %u stream(s), %u lcore(s), "
	       "burst %u%s\n", fwd_mode_name(c->args.mode), c->nb_ports,
	       c->nb_streams, c->nb_lcores, c->args.burst,
	       c->args.rx_intr ? ", rx interrupts" : "");
	for (i = 0; i < c->nb_lcores; i++) {
		const struct fwd_lcore *l = &c->lcores[i];

		for (j = 0; j < l->nb_streams; j++)
			printf("  lcore %u: port %u queue %u -> port %u queue "
			       "%u\n", l->lcore_id, l->streams[j]->rx_port,
			       l->streams[j]->rx_queue, l->streams[j]->tx_port,
			       l->streams[j]->tx_queue);
	}
	fflush(stdout);
}

int fwd_setup(struct fwd_ctx *c)
{
	unsigned int nb_mbufs;
	int rc;

	rc = select_ports(c);
	if (rc == 0)
		rc = pair_ports(c);
	if (rc < 0)
		return rc;
	nb_mbufs = c->nb_ports * (c->args.nb_rxq * c->args.nb_rxd +
				  c->args.nb_txq * c->args.nb_txd) + 4096;
	/* a frame in one mbuf: the generators build them so */
	c->mp = app_pool_create("fwd_pool", nb_mbufs, max_frame(&c->args));
	if (c->mp == NULL)
		return -1;
	rc = start_ports(c);
	if (rc < 0)
		return rc;
	make_streams(c);
	rc = tx_zero_copy_pools(c);
	if (rc == 0)
		rc = assign_lcores(c);
	if (rc < 0)
		return rc;
	print_config(c);
	return 0;
}

/* Close only once the peers have left, or after --linger-ms. */
void fwd_linger(const struct fwd_ctx *c)
{
	app_ports_wait_peers_gone(c->ports, c->nb_ports, c->args.linger_ms);
}

void fwd_teardown(struct fwd_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nb_ports; i++)
		app_port_stop(c->ports[i]);
	/* Tx pools after the close: their buffers were the ports' */
	for (i = 0; i < c->nb_streams; i++)
		rte_mempool_free(c->streams[i].tx_mp);
}
