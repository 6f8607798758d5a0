/* SPDX-License-Identifier: BSD-3-Clause
 * Reflector: echoes data (latency), or counts it and optionally sends its
 * own (throughput), as told by the initiator's control messages. With
 * --rx-intr it sleeps on Rx interrupts when idle and measures its CPU use
 * and how long after the packet's send stamp it woke up. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app_common.h"
#include "perf.h"

#define IDLE_SPINS_BEFORE_SLEEP 256u
#define MAX_WAKE_SAMPLES 65536u

struct refl {
	struct perf_port *p;
	const struct perf_args *a;
	uint32_t phase, size;
	uint16_t burst;
	bool running, bye;
	uint64_t last_start, last_stop, send_seq;
	uint64_t rx, tx;
	uint64_t cpu0, wall0;
	uint64_t rep[R_NB];
	uint64_t woke_tsc, sleeps, wakeups;
	double *wake_ns;
	uint64_t nb_wake;
};

static void on_start(struct refl *r, const struct perf_msg *m)
{
	if (m->seq != r->last_start) {
		r->last_start = m->seq;
		r->phase = (uint32_t)m->v[0];
		r->size = (uint32_t)m->v[1];
		r->burst = m->v[2] > 0 && m->v[2] <= 512 ? (uint16_t)m->v[2] : 32;
		r->rx = r->tx = 0;
		r->sleeps = r->wakeups = r->nb_wake = 0;
		r->running = true;
		r->cpu0 = app_thread_cpu_ns();
		r->wall0 = app_mono_ns();
	}
	perf_ctrl_send(r->p, CTRL_START_ACK, m->seq, NULL);
}

static uint64_t wake_p50(struct refl *r)
{
	struct lat_result l = { .ns = r->wake_ns, .n = r->nb_wake };

	lat_finish(&l);
	return (uint64_t)l.p50;
}

static void on_stop(struct refl *r, const struct perf_msg *m)
{
	if (r->running && m->seq != r->last_stop) {
		r->last_stop = m->seq;
		r->running = false;
		r->rep[R_RX] = r->rx;
		r->rep[R_TX] = r->tx;
		r->rep[R_CPU_NS] = app_thread_cpu_ns() - r->cpu0;
		r->rep[R_WALL_NS] = app_mono_ns() - r->wall0;
		r->rep[R_WAKE_P50_NS] = wake_p50(r);
		r->rep[R_WAKEUPS] = r->wakeups;
		r->rep[R_SLEEPS] = r->sleeps;
		r->phase = PHASE_ECHO;
		printf("reflector: rx %lu tx %lu cpu %.1f%% sleeps %lu wakeups "
		       "%lu\n", (unsigned long)r->rx, (unsigned long)r->tx,
		       r->rep[R_WALL_NS] ? 100.0 * r->rep[R_CPU_NS] /
		       r->rep[R_WALL_NS] : 0, (unsigned long)r->sleeps,
		       (unsigned long)r->wakeups);
		fflush(stdout);
	}
	perf_ctrl_send(r->p, CTRL_REPORT, m->seq, r->rep);
}

static void on_ctrl(struct refl *r, const struct perf_msg *m)
{
	switch (m->type) {
	case CTRL_HELLO:
		perf_ctrl_send(r->p, CTRL_HELLO_ACK, m->seq, NULL);
		break;
	case CTRL_START:
		on_start(r, m);
		break;
	case CTRL_STOP:
		on_stop(r, m);
		break;
	case CTRL_BYE:
		perf_ctrl_send(r->p, CTRL_BYE_ACK, m->seq, NULL);
		r->bye = true;
		break;
	default:
		break;
	}
}

static void note_wake(struct refl *r, const struct perf_msg *m)
{
	uint64_t now = r->woke_tsc;

	r->woke_tsc = 0;
	if (now > m->tsc && r->nb_wake < MAX_WAKE_SAMPLES)
		r->wake_ns[r->nb_wake++] = app_tsc_to_ns(now - m->tsc);
}

/* Echo in order; a full ring is retried briefly, then the rest dropped. */
static void echo(struct refl *r, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0, tries = 0;

	while (sent < n && tries++ < 1000)
		sent += rte_eth_tx_burst(r->p->port, r->p->queue, pkts + sent,
					 n - sent);
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	if (r->running)
		r->tx += sent;
}

/* What is not echoed (control messages, counted data) is freed in one
 * bulk call per burst rather than one by one. */
static void handle(struct refl *r, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *out[512], *done[512];
	uint16_t i, nout = 0, ndone = 0;

	for (i = 0; i < n; i++) {
		const struct perf_msg *m = perf_msg_of(pkts[i]);

		if (m && m->kind == KIND_CTRL) {
			on_ctrl(r, m);
			done[ndone++] = pkts[i];
			continue;
		}
		if (m && r->woke_tsc)
			note_wake(r, m);
		if (r->running)
			r->rx++;
		if (r->phase == PHASE_ECHO)
			out[nout++] = pkts[i];
		else
			done[ndone++] = pkts[i];
	}
	if (nout)
		echo(r, out, nout);
	rte_pktmbuf_free_bulk(done, ndone);
}

static void send_burst(struct refl *r)
{
	struct rte_mbuf *pkts[512];
	uint16_t n = perf_data_burst(r->p, pkts, r->burst, r->size,
				     &r->send_seq);
	uint16_t sent = rte_eth_tx_burst(r->p->port, r->p->queue, pkts, n);

	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	r->tx += sent;
}

/* Arm, poll once more, sleep if still nothing, disarm. */
static uint16_t sleep_then_rx(struct refl *r, struct rte_mbuf **pkts)
{
	uint16_t n;

	app_rxintr_arm(r->p->port, r->p->queue);
	n = rte_eth_rx_burst(r->p->port, r->p->queue, pkts, 512);
	if (n == 0) {
		if (r->running)
			r->sleeps++;
		if (app_rxintr_wait(100) > 0) {
			r->woke_tsc = rte_rdtsc();
			if (r->running)
				r->wakeups++;
		}
	}
	app_rxintr_disarm(r->p->port, r->p->queue);
	return n;
}

static void loop(struct refl *r)
{
	struct rte_mbuf *pkts[512];
	unsigned int idle = 0;

	while (!r->bye && !app_should_quit()) {
		uint16_t n = rte_eth_rx_burst(r->p->port, r->p->queue, pkts,
					      512);

		if (n == 0 && r->a->rx_intr &&
		    !(r->running && r->phase == PHASE_COUNT_SEND) &&
		    ++idle >= IDLE_SPINS_BEFORE_SLEEP) {
			idle = 0;
			n = sleep_then_rx(r, pkts);
		}
		if (n) {
			idle = 0;
			handle(r, pkts, n);
		}
		if (r->running && r->phase == PHASE_COUNT_SEND)
			send_burst(r);
	}
}


int perf_reflector_run(const struct perf_args *a, struct perf_port *p)
{
	struct refl r;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.a = a;
	r.phase = PHASE_ECHO;
	r.wake_ns = calloc(MAX_WAKE_SAMPLES, sizeof(double));
	if (r.wake_ns == NULL)
		return -1;
	if (a->rx_intr && app_rxintr_register(p->port, p->queue) < 0) {
		free(r.wake_ns);
		return -1;
	}
	printf("reflector: port %u ready (%s)\n", p->port,
	       a->rx_intr ? "Rx interrupts" : "polling");
	fflush(stdout);
	loop(&r);
	/* after BYE the initiator closes its port first (net_memif 22.11
	 * crashes when both sides tear down at once) */
	if (r.bye)
		app_ports_wait_peers_gone(&p->port, 1, 2000);
	free(r.wake_ns);
	return 0;
}
