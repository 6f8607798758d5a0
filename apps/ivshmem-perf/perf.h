/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-perf: latency and throughput between an initiator and a
 * reflector over any ethdev port, plus a raw shared-memory floor. */
#ifndef PERF_H
#define PERF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>

#define PERF_MAX_SIZES 16

enum perf_role { ROLE_INITIATOR, ROLE_REFLECTOR };
enum perf_mode { MODE_LATENCY, MODE_THROUGHPUT, MODE_RAW };

struct perf_args {
	enum perf_role role;
	enum perf_mode mode;
	bool role_set;
	uint16_t port;
	uint16_t burst;
	uint32_t sizes[PERF_MAX_SIZES];
	unsigned int nb_sizes;
	uint32_t lat_size;           /* latency packet size */
	uint64_t samples, warmup;
	double duration;             /* seconds per size (throughput) */
	bool bidir;
	bool rx_intr;                /* reflector sleeps on Rx interrupts */
	bool tx_zero_copy;           /* frames built in the Tx queue's pool */
	const char *raw_shm;
	int64_t raw_offset;          /* -1: last 4 KiB of the file */
	const char *json_path, *svg_path;
	double timeout;              /* seconds to wait for the peer */
};

/* ---- proto.c: packets between the roles -------------------------------- */
#define PERF_MAGIC      0x46505649u /* "IVPF" */
#define PERF_ETHERTYPE  0x88b5      /* IEEE local experimental */
#define PERF_HDR_LEN    40u         /* eth + magic..tsc: fits in 64 B */
#define PERF_CTRL_LEN   128u

enum perf_kind { KIND_DATA = 1, KIND_CTRL = 2 };
enum perf_ctrl_type {
	CTRL_HELLO = 1, CTRL_HELLO_ACK, CTRL_START, CTRL_START_ACK,
	CTRL_STOP, CTRL_REPORT, CTRL_BYE, CTRL_BYE_ACK,
};
/* what the reflector does with data between START and STOP */
enum perf_phase { PHASE_ECHO = 0, PHASE_COUNT = 1, PHASE_COUNT_SEND = 2 };
/* REPORT values */
enum { R_RX, R_TX, R_CPU_NS, R_WALL_NS, R_WAKE_P50_NS, R_WAKEUPS,
       R_SLEEPS, R_NB };

struct perf_msg {
	uint32_t magic;
	uint16_t kind;
	uint16_t type;
	uint64_t seq;
	uint64_t tsc;
	uint64_t v[R_NB];
} __attribute__((packed));

struct perf_port {
	uint16_t port, queue;
	struct rte_mempool *mp;
	struct rte_mempool *tx_mp;   /* --tx-zero-copy: what we send comes from it */
};

/* Returns the message inside m, or NULL if m is not ours. */
const struct perf_msg *perf_msg_of(const struct rte_mbuf *m);
/* Allocates n data packets of `size` bytes, seq numbered from *seq. */
uint16_t perf_data_burst(struct perf_port *p, struct rte_mbuf **pkts,
			 uint16_t n, uint32_t size, uint64_t *seq);
/* Sends one control message (retrying a full ring for ~10 ms). */
int perf_ctrl_send(struct perf_port *p, uint16_t type, uint64_t seq,
		   const uint64_t v[R_NB]);
/* Sends `type`, waits up to timeout for `reply` with the same seq, resends
 * every 100 ms. Data packets seen meanwhile are counted in *data_rx. */
int perf_ctrl_call(struct perf_port *p, uint16_t type, uint64_t seq,
		   const uint64_t v[R_NB], uint16_t reply, double timeout_s,
		   uint64_t out[R_NB], uint64_t *data_rx);

/* Control sequence numbers, unlike any earlier run's. */
uint64_t perf_next_ctrl_seq(void);

/* ---- stats.c: sample sets ---------------------------------------------- */
struct lat_result {
	const char *name;            /* "packet" or "raw" */
	double *ns;                  /* sorted RTT samples */
	uint64_t n, lost;
	double min, p50, p90, p99, p999, max, mean;
	/* reflector in interrupt mode */
	bool intr;
	double refl_cpu_pct, wake_p50_ns;
	uint64_t wakeups, sleeps;
};
void lat_finish(struct lat_result *r);
double lat_percentile(const struct lat_result *r, double q);
/* Linear histogram over [lo, hi); the last bin takes everything above. */
void lat_histogram(const struct lat_result *r, double lo, double hi,
		   unsigned int nbins, uint64_t *bins);

struct tput_result {
	uint32_t size;
	double seconds;
	uint64_t fwd_tx, fwd_rx;     /* initiator -> reflector */
	uint64_t rev_tx, rev_rx;     /* reflector -> initiator (bidir) */
};
double tput_mpps(const struct tput_result *t);
double tput_gbps(const struct tput_result *t);
double tput_loss_pct(const struct tput_result *t);

struct perf_report {
	const struct perf_args *args;
	char port_desc[96];
	double tsc_hz;
	struct lat_result lat[2];    /* [0] packet, [1] raw */
	bool has_lat[2];
	struct tput_result tput[PERF_MAX_SIZES];
	unsigned int nb_tput;
};

/* ---- the roles ---------------------------------------------------------- */
/* Before rte_eal_init: APP_PARSE_DONE if --version was answered. */
int perf_args_early(int argc, char **argv);
/* APP_PARSE_RUN, APP_PARSE_DONE (--help answered) or -1 (bad arguments). */
int perf_args_parse(int argc, char **argv, struct perf_args *a);
int perf_latency_run(const struct perf_args *a, struct perf_port *p,
		     struct lat_result *r);
int perf_throughput_run(const struct perf_args *a, struct perf_port *p,
			struct perf_report *rep);
int perf_reflector_run(const struct perf_args *a, struct perf_port *p);
int perf_hello(const struct perf_args *a, struct perf_port *p);
int perf_bye(struct perf_port *p);
/* raw.c */
int perf_raw_initiator(const struct perf_args *a, struct lat_result *r);
int perf_raw_reflector(const struct perf_args *a);
/* progress.c */
void perf_progress(const char *what, uint64_t done, uint64_t total,
		   uint64_t start_ns);
void perf_progress_end(uint64_t start_ns);

/* ---- reports ------------------------------------------------------------ */
void report_text(FILE *f, const struct perf_report *r);
int report_json(const char *path, const struct perf_report *r);
int report_svg(const char *path, const struct perf_report *r);

#endif /* PERF_H */
