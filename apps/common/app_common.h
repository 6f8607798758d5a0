/* SPDX-License-Identifier: BSD-3-Clause
 * Helpers shared by ivshmem-fwd and ivshmem-perf: they use only the public
 * ethdev API so both run over any port (net_ivshmem, net_memif, net_null...).
 */
#ifndef APP_COMMON_H
#define APP_COMMON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

struct rte_mbuf;

/* ---- app_signal.c: SIGINT/SIGTERM set a flag every loop polls ---------- */
extern atomic_bool app_quit;
void app_signal_install(void);
static inline bool app_should_quit(void)
{
	return atomic_load_explicit(&app_quit, memory_order_relaxed);
}

/* ---- app_parse.c: strict number / list / MAC parsing ------------------- */
/* Return 0 on success, -1 (after printing "<what>: ..." to stderr) if not. */
int app_parse_u64(const char *s, const char *what, uint64_t min, uint64_t max,
		  uint64_t *out);
int app_parse_double(const char *s, const char *what, double min, double max,
		     double *out);
/* Comma list of unsigned values in [min,max]; at most cap entries. */
int app_parse_u32_list(const char *s, const char *what, uint32_t min,
		       uint32_t max, uint32_t *out, unsigned int cap,
		       unsigned int *n);
int app_parse_mac(const char *s, struct rte_ether_addr *mac);
/* Index of s in names[0..nb-1]; if it is none of them, -1 after printing
 * "<what>: unknown <noun> '<s>' (name, ...)". */
int app_parse_enum(const char *s, const char *what, const char *noun,
		   const char *const *names, unsigned int nb);

/* An app's long options: its name, its getopt_long table, the value its
 * --help entry returns, its usage text and a handler for every other option. */
struct option;
struct app_options {
	const char *name;               /* for --version */
	const struct option *table;     /* ends with an all-zero entry */
	int help;
	void (*usage)(FILE *out, const char *prog);
	/* Stores one option's value in ctx; 0 on success, -1 if bad. */
	int (*handle)(int opt, const char *val, void *ctx);
};
/* What app_parse_options found: run, or stop with exit status 0 (--help or
 * --version was answered on stdout). Errors are -1. */
#define APP_PARSE_RUN 0
#define APP_PARSE_DONE 1
/* Before rte_eal_init: answers --version wherever it is (EAL would refuse
 * it) and --help after "--", and makes EAL's own --help (before "--")
 * print the app's options too. Returns
 * APP_PARSE_DONE when the program should exit 0. */
int app_early_options(int argc, char **argv, const struct app_options *o);
/* Parses argv (argv[0] + app args, what rte_eal_init leaves) against o.
 * --help and --version print to stdout and return APP_PARSE_DONE; an
 * unknown option and a stray argument print to stderr and return -1. */
int app_parse_options(int argc, char **argv, const struct app_options *o,
		      void *ctx);

/* ---- app_port.c: configure and start a port ------------------------------ */
/* The largest frame --sizes / --txpkts take (without CRC); the standard one. */
#define APP_MAX_FRAME 9000u
#define APP_STD_FRAME ((uint32_t)(RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN))
struct app_port_conf {
	uint16_t nb_rxq, nb_txq;
	uint16_t nb_rxd, nb_txd;
	bool rx_intr;          /* request Rx queue interrupts */
	struct rte_mempool *mp;
	/* Largest frame sent or received (0: APP_STD_FRAME). Above the
	 * standard frame the MTU is raised, and Rx scatter (with multi-segment
	 * Tx) enabled if a frame does not fit one mbuf of mp. */
	uint32_t max_frame;
};
/* 0, or <0 after a message; -EMSGSIZE: the port cannot take max_frame
 * (an argument the port cannot honour: the apps exit 2). */
int app_port_start(uint16_t port, const struct app_port_conf *c);
/* The frame a receiver should be ready for when the sender's sizes are not
 * known (ivshmem-perf's reflector): APP_MAX_FRAME if the port can take it
 * with mbufs of mp (Rx scatter if needed), else the largest it can, at
 * least the standard frame (with a note when that is less than asked). */
uint32_t app_port_receivable_frame(uint16_t port, const struct rte_mempool *mp);
void app_port_stop(uint16_t port);
/* Waits up to timeout_ms for link up; returns true when up. */
bool app_port_wait_link(uint16_t port, unsigned int timeout_ms);
/* Waits, not polling, up to ms for the links of ports to go down (their
 * peers left), so that closing them does not meet a peer's disconnect:
 * net_memif (22.11) segfaults when the peer's disconnect arrives while it
 * polls or while its own dev_stop runs. True if every link went down. */
bool app_ports_wait_peers_gone(const uint16_t *ports, unsigned int nb,
			       unsigned int ms);
/* Mbufs that hold a frame of max_frame bytes (at least the default 2 KiB
 * data room) in one segment. */
struct rte_mempool *app_pool_create(const char *name, unsigned int nb_mbufs,
				    uint32_t max_frame);

/* ---- app_tx_pool.c: --tx-zero-copy ---------------------------------------- */
/* The zero-copy Tx pool of a net_ivshmem Tx queue (set up, idle), made
 * through rte_pmd_ivshmem_tx_pool_create() found at run time; NULL after a
 * message if the port's PMD has none or refuses. Free it after the close. */
struct rte_mempool *app_tx_zero_copy_pool(uint16_t port, uint16_t queue);
/* rte_pktmbuf_alloc_bulk, and once more after rte_eth_tx_done_cleanup()
 * when mp is empty: a Tx pool refills only as the PMD completes frames. */
int app_tx_alloc_bulk(struct rte_mempool *mp, uint16_t port, uint16_t queue,
		      struct rte_mbuf **pkts, unsigned int n);
/* Prints the port's zero-copy counters (net_ivshmem xstats), if any moved. */
void app_print_zero_copy(uint16_t port);

/* ---- app_rxintr.c: sleep on Rx interrupts (per-thread epoll) ------------ */
/* Adds (port, queue) to the calling thread's epoll set. */
int app_rxintr_register(uint16_t port, uint16_t queue);
/* Arms the queue's interrupt; the caller must poll once more afterwards
 * (a packet may have arrived just before arming) and only then sleep. */
int app_rxintr_arm(uint16_t port, uint16_t queue);
void app_rxintr_disarm(uint16_t port, uint16_t queue);
/* Sleeps until one registered queue fires or timeout_ms passes; returns the
 * number of events (0 on timeout, <0 on error). */
int app_rxintr_wait(int timeout_ms);

/* ---- app_time.c: TSC calibrated against CLOCK_MONOTONIC ----------------- */
/* Measures the TSC rate over ~ms milliseconds; later conversions use it. */
void app_tsc_calibrate(unsigned int ms);
uint64_t app_tsc_hz(void);
double app_tsc_to_ns(uint64_t cycles);
uint64_t app_ns_to_tsc(uint64_t ns);
uint64_t app_mono_ns(void);
uint64_t app_thread_cpu_ns(void);

#endif /* APP_COMMON_H */
