/* SPDX-License-Identifier: BSD-3-Clause */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_common.h"
#include "fwd.h"

static const char *const mode_names[] = {
	[FWD_IO] = "io", [FWD_MAC] = "mac", [FWD_MACSWAP] = "macswap",
	[FWD_RXONLY] = "rxonly", [FWD_TXONLY] = "txonly",
	[FWD_FLOWGEN] = "flowgen",
};

const char *fwd_mode_name(enum fwd_mode m)
{
	return mode_names[m];
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [EAL args] -- [options]\n"
		"  --forward-mode=io|mac|macswap|rxonly|txonly|flowgen (io)\n"
		"  --portmask=MASK        ports to use (all)\n"
		"  --port-pairs=A:B,...   pairing (default 0:1,2:3..; a lone port "
		"forwards to itself)\n"
		"  --rxq=N --txq=N        queues per port (1)\n"
		"  --rxd=N --txd=N        descriptors per queue (1024)\n"
		"  --burst=N              burst size (32)\n"
		"  --txpkts=L[,L..]       packet sizes, cycled (64); above 1514 the\n"
		"                         MTU is raised (or the port refused)\n"
		"  --max-frame=B          largest frame to receive (1514, or the\n"
		"                         largest --txpkts): raises the MTU\n"
		"  --flows=N              flowgen flows (1024)\n"
		"  --udp-cksum            txonly/flowgen: write every payload byte\n"
		"                         (a pattern) and a valid UDP checksum, so\n"
		"                         testpmd's csum engine reads every byte\n"
		"                         (default: checksum 0, payload untouched)\n"
		"  --tx-zero-copy         txonly/flowgen: build the frames in the\n"
		"                         zero-copy Tx pool of each Tx queue\n"
		"                         (net_ivshmem: sent without a copy)\n"
		"  --nb-cores=N           forwarding lcores (all workers)\n"
		"  --stats-period=S       live stats every S seconds\n"
		"  --eth-peer=PORT,MAC    destination MAC for mac mode\n"
		"  --rx-intr              sleep on Rx interrupts when idle\n"
		"  --total-num-pkts=N     stop after N packets\n"
		"  --duration=S           stop after S seconds\n"
		"  --linger-ms=MS         once stopped, wait up to MS for the peers to\n"
		"                         leave before closing the ports (100)\n", prog);
}

static int parse_mode(const char *s, enum fwd_mode *m)
{
	int i = app_parse_enum(s, "--forward-mode", "mode", mode_names,
			       RTE_DIM(mode_names));

	if (i < 0)
		return -1;
	*m = (enum fwd_mode)i;
	return 0;
}

static int parse_pairs(const char *s, struct fwd_args *a)
{
	char buf[256], *tok, *save = NULL;
	unsigned int x, y;
	char tail;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (sscanf(tok, "%u:%u%c", &x, &y, &tail) != 2 ||
		    x >= FWD_MAX_PORTS || y >= FWD_MAX_PORTS) {
			fprintf(stderr, "--port-pairs: bad pair '%s' (want "
				"A:B with ports < %d)\n", tok, FWD_MAX_PORTS);
			return -1;
		}
		a->peer_of[x] = (int)y;
		a->peer_of[y] = (int)x;
	}
	return 0;
}

static int parse_eth_peer(const char *s, struct fwd_args *a)
{
	unsigned int port;
	int used = 0;

	if (sscanf(s, "%u,%n", &port, &used) != 1 || used == 0 ||
	    port >= FWD_MAX_PORTS ||
	    app_parse_mac(s + used, &a->eth_peer[port]) < 0) {
		fprintf(stderr, "--eth-peer: want PORT,XX:XX:XX:XX:XX:XX, got "
			"'%s'\n", s);
		return -1;
	}
	return 0;
}

static void set_defaults(struct fwd_args *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->mode = FWD_IO;
	a->nb_rxq = a->nb_txq = 1;
	a->nb_rxd = a->nb_txd = 1024;
	a->burst = 32;
	a->txpkts[0] = 64;
	a->nb_txpkts = 1;
	a->flows = 1024;
	a->linger_ms = 100;
	for (i = 0; i < FWD_MAX_PORTS; i++) {
		a->peer_of[i] = -1;
		/* testpmd's default peer: 02:00:00:00:00:<port> */
		a->eth_peer[i] = (struct rte_ether_addr){
			{ 0x02, 0, 0, 0, 0, (uint8_t)i } };
	}
}

enum {
	O_MODE = 256, O_PORTMASK, O_PAIRS, O_RXQ, O_TXQ, O_RXD, O_TXD, O_BURST,
	O_TXPKTS, O_FLOWS, O_CORES, O_STATS, O_PEER, O_INTR, O_TOTAL, O_DUR,
	O_MAXFRAME, O_LINGER, O_UDPCKSUM, O_TXZC, O_HELP,
};

static const struct option long_opts[] = {
	{ "forward-mode", required_argument, NULL, O_MODE },
	{ "portmask", required_argument, NULL, O_PORTMASK },
	{ "port-pairs", required_argument, NULL, O_PAIRS },
	{ "rxq", required_argument, NULL, O_RXQ },
	{ "txq", required_argument, NULL, O_TXQ },
	{ "rxd", required_argument, NULL, O_RXD },
	{ "txd", required_argument, NULL, O_TXD },
	{ "burst", required_argument, NULL, O_BURST },
	{ "txpkts", required_argument, NULL, O_TXPKTS },
	{ "flows", required_argument, NULL, O_FLOWS },
	{ "nb-cores", required_argument, NULL, O_CORES },
	{ "stats-period", required_argument, NULL, O_STATS },
	{ "eth-peer", required_argument, NULL, O_PEER },
	{ "rx-intr", no_argument, NULL, O_INTR },
	{ "total-num-pkts", required_argument, NULL, O_TOTAL },
	{ "duration", required_argument, NULL, O_DUR },
	{ "max-frame", required_argument, NULL, O_MAXFRAME },
	{ "linger-ms", required_argument, NULL, O_LINGER },
	{ "udp-cksum", no_argument, NULL, O_UDPCKSUM },
	{ "tx-zero-copy", no_argument, NULL, O_TXZC },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_u16(const char *s, const char *what, uint64_t min,
		     uint64_t max, uint16_t *out)
{
	uint64_t v;

	if (app_parse_u64(s, what, min, max, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_one(int opt, const char *v, void *ctx)
{
	struct fwd_args *a = ctx;
	uint64_t x;

	switch (opt) {
	case O_MODE: return parse_mode(v, &a->mode);
	case O_PORTMASK:
		return app_parse_u64(v, "--portmask", 1, UINT64_MAX,
				     &a->portmask);
	case O_PAIRS: return parse_pairs(v, a);
	case O_RXQ: return parse_u16(v, "--rxq", 1, 64, &a->nb_rxq);
	case O_TXQ: return parse_u16(v, "--txq", 1, 64, &a->nb_txq);
	case O_RXD: return parse_u16(v, "--rxd", 16, 16384, &a->nb_rxd);
	case O_TXD: return parse_u16(v, "--txd", 16, 16384, &a->nb_txd);
	case O_BURST: return parse_u16(v, "--burst", 1, 512, &a->burst);
	case O_TXPKTS:
		return app_parse_u32_list(v, "--txpkts", 60, APP_MAX_FRAME, a->txpkts,
					  FWD_MAX_TXPKTS, &a->nb_txpkts);
	case O_FLOWS:
		if (app_parse_u64(v, "--flows", 1, 65536, &x) < 0)
			return -1;
		a->flows = (unsigned int)x;
		return 0;
	case O_CORES:
		if (app_parse_u64(v, "--nb-cores", 1, RTE_MAX_LCORE, &x) < 0)
			return -1;
		a->nb_cores = (unsigned int)x;
		return 0;
	case O_STATS:
		if (app_parse_u64(v, "--stats-period", 0, 3600, &x) < 0)
			return -1;
		a->stats_period = (unsigned int)x;
		return 0;
	case O_PEER: return parse_eth_peer(v, a);
	case O_INTR: a->rx_intr = true; return 0;
	case O_UDPCKSUM: a->udp_cksum = true; return 0;
	case O_TXZC: a->tx_zero_copy = true; return 0;
	case O_TOTAL:
		return app_parse_u64(v, "--total-num-pkts", 1, UINT64_MAX,
				     &a->total_pkts);
	case O_DUR:
		return app_parse_double(v, "--duration", 0.001, 1e7,
					&a->duration);
	case O_MAXFRAME:
		if (app_parse_u64(v, "--max-frame", 60, APP_MAX_FRAME, &x) < 0)
			return -1;
		a->max_frame = (uint32_t)x;
		return 0;
	case O_LINGER:
		if (app_parse_u64(v, "--linger-ms", 0, 600000, &x) < 0)
			return -1;
		a->linger_ms = (unsigned int)x;
		return 0;
	default: return -1;
	}
}

static const struct app_options fwd_options = {
	.name = "ivshmem-fwd", .table = long_opts, .help = O_HELP, .usage = usage, .handle = parse_one,
};

int fwd_args_early(int argc, char **argv)
{
	return app_early_options(argc, argv, &fwd_options);
}

/* argv/argc are what is left after rte_eal_init (argv[0] + app args). */
int fwd_args_parse(int argc, char **argv, struct fwd_args *a)
{
	set_defaults(a);
	int rc = app_parse_options(argc, argv, &fwd_options, a);

	if (rc != APP_PARSE_RUN)
		return rc;
	if (a->nb_txq < a->nb_rxq) {
		fprintf(stderr, "--txq (%u) must be >= --rxq (%u): each rx "
			"queue forwards to its own tx queue\n", a->nb_txq,
			a->nb_rxq);
		return -1;
	}
	return 0;
}
