/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-fwd: a testpmd-style forwarder over the public ethdev API. */
#ifndef FWD_H
#define FWD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define FWD_MAX_PORTS   RTE_MAX_ETHPORTS
#define FWD_MAX_TXPKTS  16
#define FWD_MAX_STREAMS 256

enum fwd_mode {
	FWD_IO, FWD_MAC, FWD_MACSWAP, FWD_RXONLY, FWD_TXONLY, FWD_FLOWGEN,
};

struct fwd_args {
	enum fwd_mode mode;
	uint64_t portmask;           /* 0: all ports */
	int peer_of[FWD_MAX_PORTS];  /* -1: default pairing */
	uint16_t nb_rxq, nb_txq;
	uint16_t nb_rxd, nb_txd;
	uint16_t burst;
	uint32_t txpkts[FWD_MAX_TXPKTS];
	unsigned int nb_txpkts;
	unsigned int nb_cores;       /* 0: all worker lcores */
	unsigned int stats_period;   /* seconds, 0: off */
	struct rte_ether_addr eth_peer[FWD_MAX_PORTS];
	bool rx_intr;
	uint64_t total_pkts;         /* 0: unlimited */
	double duration;             /* seconds, 0: unlimited */
	unsigned int flows;          /* flowgen */
	uint32_t max_frame;          /* --max-frame: largest frame received, 0: 1514 */
	unsigned int linger_ms;      /* after stopping: wait this long for peers to leave */
	bool udp_cksum;              /* generators: payload written, UDP checksum set */
	bool tx_zero_copy;           /* generators: frames built in the Tx queue's pool */
};

/* One rx queue (or, for generators, one tx queue) served by one lcore. */
struct fwd_stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	uint64_t rx, tx, drops;
	uint32_t gen_seq;            /* generator: next size / flow */
	uint16_t udp_cksum[FWD_MAX_TXPKTS]; /* --udp-cksum txonly: per size, 0: not yet */
	struct rte_mempool *tx_mp;   /* --tx-zero-copy: the Tx queue's pool */
};

struct fwd_lcore {
	unsigned int lcore_id;
	unsigned int nb_streams;
	struct fwd_stream *streams[FWD_MAX_STREAMS];
	uint64_t loops, idle_loops, sleeps, wakeups;
	bool rx_intr_ok;
};

struct fwd_ctx {
	struct fwd_args args;
	uint16_t ports[FWD_MAX_PORTS];
	unsigned int nb_ports;
	struct rte_ether_addr port_mac[FWD_MAX_PORTS];
	struct fwd_stream streams[FWD_MAX_STREAMS];
	unsigned int nb_streams;
	struct fwd_lcore lcores[RTE_MAX_LCORE];
	unsigned int nb_lcores;
	struct rte_mempool *mp;
	atomic_uint_fast64_t budget_used; /* claimed, in flight or done */
	atomic_uint_fast64_t budget_done; /* sent (generators) or received */
	atomic_bool stop;
};

/* args.c */
/* Before rte_eal_init: APP_PARSE_DONE if --version was answered. */
int fwd_args_early(int argc, char **argv);
/* APP_PARSE_RUN, APP_PARSE_DONE (--help answered) or -1 (bad arguments). */
int fwd_args_parse(int argc, char **argv, struct fwd_args *a);
const char *fwd_mode_name(enum fwd_mode m);

/* setup.c: ports, peers, streams, lcore assignment */
/* 0, -1 on a failure, FWD_BAD_ARG (message printed) if an argument cannot
 * be honoured here: no such port, too few lcores, a size the port cannot
 * take (the app exits 2, as for any bad argument). */
#define FWD_BAD_ARG (-2)
int fwd_setup(struct fwd_ctx *c);
/* Waits (not polling) for the peers to leave, up to --linger-ms. */
void fwd_linger(const struct fwd_ctx *c);
void fwd_teardown(struct fwd_ctx *c);

/* engines.c: one burst of a stream; returns packets handled */
uint16_t fwd_run_burst(struct fwd_ctx *c, struct fwd_stream *s);

/* gen.c: packet generation for txonly/flowgen */
uint16_t fwd_gen_burst(struct fwd_ctx *c, struct fwd_stream *s,
		       struct rte_mbuf **pkts, uint16_t n);

/* lcore.c */
int fwd_lcore_main(void *arg);

/* budget.c: --total-num-pkts: claim up to n packets (returns the grant, never more
 * than what is left), then settle the claim: the done ones count, the rest
 * go back. The run ends once the whole budget is done. */
uint16_t fwd_budget_claim(struct fwd_ctx *c, uint16_t n);
void fwd_budget_settle(struct fwd_ctx *c, uint16_t claimed, uint16_t done);
bool fwd_budget_spent(struct fwd_ctx *c);

/* stats.c */
void fwd_stats_period(struct fwd_ctx *c);
void fwd_stats_final(struct fwd_ctx *c);

#endif /* FWD_H */
