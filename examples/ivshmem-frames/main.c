/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-frames: a small libivshmem program (no DPDK). It joins a region
 * as a peer and sends checked frames, receives and checks them, reflects
 * them, or counts what another program sends. With a net_ivshmem peer
 * forwarding back (testpmd io) it checks the round trip frame by frame.
 *   ivshmem-frames --port SPEC [--send N [--window W]] [--expect N]
 *                  [--count-any [--idle-ms MS]] [--reflect] [--timeout S]
 * Prints "RESULT sent=.. received=.. bad=.. other=.." and PASS or FAIL.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ivshmem.h>

#include "frame.h"

#define BURST 32u

struct options {
	const char *spec;
	uint64_t send;       /* checked frames to send */
	uint64_t window;     /* at most this many sent and not received back (0: no limit) */
	uint64_t expect;     /* checked frames to receive, in order */
	uint32_t min, max;   /* frame sizes */
	bool count_any;      /* count every frame until the peer left (all drained),
			      * or --idle-ms without one (0: no idle limit) */
	bool reflect;        /* send back what arrives */
	int timeout_s, idle_ms;
};

struct run {
	struct ivshmem_port *port;
	struct ivshmem_port_info info;
	uint8_t peer_mac[6];
	uint64_t sent, received, bad, other, txonly, reflected;
	uint64_t last_rx_ms;
	bool drained;        /* count_any: the peer left and its ring is empty */
	uint8_t tx_buf[FRAME_MAX_LEN];
	uint8_t rx_buf[BURST][FRAME_MAX_LEN];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ivshmem-frames --port SPEC [--send N [--window W]] "
		"[--expect N] [--count-any] [--reflect]\n"
		"       [--min-size B] [--max-size B] [--timeout S] [--idle-ms MS]\n"
		"  SPEC: server=SOCK | shm=FILE,size=4M,id=N | pci=BDF (doc/libivshmem.md)\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "port", required_argument, NULL, 'p' }, { "send", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' }, { "expect", required_argument, NULL, 'e' },
		{ "min-size", required_argument, NULL, 'm' }, { "max-size", required_argument, NULL, 'M' },
		{ "count-any", no_argument, NULL, 'a' }, { "reflect", no_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' }, { "idle-ms", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 } };
	int c;

	*o = (struct options){ .min = FRAME_MIN_LEN, .max = 1514, .timeout_s = 30,
			       .idle_ms = 1000 };
	while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
		switch (c) {
		case 'p': o->spec = optarg; break;
		case 's': o->send = strtoull(optarg, NULL, 0); break;
		case 'w': o->window = strtoull(optarg, NULL, 0); break;
		case 'e': o->expect = strtoull(optarg, NULL, 0); break;
		case 'm': o->min = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'M': o->max = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'a': o->count_any = true; break;
		case 'r': o->reflect = true; break;
		case 't': o->timeout_s = atoi(optarg); break;
		case 'i': o->idle_ms = atoi(optarg); break;
		case 'V': printf("ivshmem-frames %s\n", ivshmem_version()); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (o->spec == NULL || o->min < FRAME_MIN_LEN || o->max < o->min ||
	    o->max > FRAME_MAX_LEN || o->timeout_s <= 0) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Sends the next checked frames while the window allows. */
static void send_some(const struct options *o, struct run *r)
{
	uint32_t len;
	int rc;

	while (r->sent < o->send &&
	       (o->window == 0 || r->sent - r->received < o->window)) {
		len = frame_size((uint32_t)r->sent, o->min, o->max);
		frame_build(r->tx_buf, len, (uint32_t)r->sent, r->peer_mac, r->info.mac);
		rc = ivshmem_port_send(r->port, r->tx_buf, len);
		if (rc != 1) {
			if (rc < 0) { /* too long for this region: a usage error */
				fprintf(stderr, "send: %s (max_frame %u)\n", strerror(-rc),
					r->info.max_frame);
				stop = 1;
			}
			return; /* ring full: the peer has not caught up */
		}
		r->sent++;
	}
}

/* Takes one received frame: reflected, counted, or checked in order. */
static void take(const struct options *o, struct run *r, const uint8_t *buf, uint32_t len)
{
	const char *why;
	uint32_t seq = 0;

	if (o->reflect) {
		while (ivshmem_port_send(r->port, buf, len) == 0 && !stop)
			; /* the peer drains its ring: wait for room, lose nothing */
		r->reflected++;
		return;
	}
	if (o->count_any) {
		r->received++;
		r->txonly += frame_is_txonly(buf, len);
		return;
	}
	why = frame_check(buf, len, &seq);
	if (why == NULL && seq != (uint32_t)r->received)
		why = "out of order";
	if (why != NULL) {
		if (r->bad++ < 5)
			fprintf(stderr, "frame %" PRIu64 " (%u bytes, seq %u): %s\n",
				r->received, len, seq, why);
	}
	r->received++;
}

static bool receive_some(const struct options *o, struct run *r)
{
	struct ivshmem_frame f[BURST];
	unsigned int i, n;

	for (i = 0; i < BURST; i++)
		f[i].data = r->rx_buf[i];
	n = ivshmem_port_recv_burst(r->port, f, BURST, FRAME_MAX_LEN);
	for (i = 0; i < n; i++)
		take(o, r, f[i].data, f[i].len);
	if (n > 0)
		r->last_rx_ms = now_ms();
	return n > 0;
}

static bool finished(const struct options *o, const struct run *r)
{
	if (o->reflect)
		return false; /* until the timeout or a signal */
	if (o->count_any)
		return r->drained || (o->idle_ms > 0 && r->last_rx_ms != 0 &&
				      now_ms() - r->last_rx_ms >= (uint64_t)o->idle_ms);
	return r->sent >= o->send && r->received >= o->expect;
}

/* The peer left: what it published before leaving is in the ring (its
 * state is written after its last head), so one more empty receive after
 * seeing it gone means everything was taken. */
static bool peer_gone(const struct run *r)
{
	struct ivshmem_peer_info peer;

	return ivshmem_port_peer(r->port, &peer) != 0 ||
	       (peer.state != IVSHMEM_PEER_UP && peer.state != IVSHMEM_PEER_STOPPED);
}

static int run_loop(const struct options *o, struct run *r)
{
	uint64_t deadline = now_ms() + (uint64_t)o->timeout_s * 1000u;
	bool busy;

	while (!stop && !finished(o, r) && now_ms() < deadline) {
		send_some(o, r);
		busy = receive_some(o, r);
		if (!busy && o->count_any && peer_gone(r))
			r->drained = !receive_some(o, r);
		else if (!busy)
			ivshmem_port_wait(r->port, 1); /* doorbell, or a 50 us poll */
	}
	return finished(o, r) || o->reflect ? 0 : -1;
}

static void report(const struct run *r, const char *verdict)
{
	struct ivshmem_stats st;

	ivshmem_port_stats(r->port, &st);
	printf("RESULT sent=%" PRIu64 " received=%" PRIu64 " bad=%" PRIu64
	       " reflected=%" PRIu64 " txonly=%" PRIu64 "\n", r->sent, r->received,
	       r->bad, r->reflected, r->txonly);
	printf("STATS rx_frames=%" PRIu64 " rx_bytes=%" PRIu64 " rx_dropped=%" PRIu64
	       " tx_frames=%" PRIu64 " tx_bytes=%" PRIu64 " tx_full=%" PRIu64
	       " tx_dropped=%" PRIu64 " doorbells=%" PRIu64 " link_changes=%" PRIu64 "\n",
	       st.rx_frames, st.rx_bytes, st.rx_dropped, st.tx_frames, st.tx_bytes,
	       st.tx_full, st.tx_dropped, st.doorbells, st.link_changes);
	printf("%s\n", verdict);
}

int main(int argc, char **argv)
{
	static struct run r; /* large buffers: not on the stack */
	struct ivshmem_peer_info peer;
	char err[IVSHMEM_ERR_LEN];
	struct options o;
	int rc;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = ivshmem_port_open(o.spec, &r.port, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "ivshmem-frames: %s: %s\n", o.spec, err);
		return 1;
	}
	ivshmem_port_info(r.port, &r.info);
	printf("PORT id=%u peer=%u queues=%u ring_size=%u buf_size=%u doorbell=%s\n",
	       r.info.id, r.info.peer, r.info.queues, r.info.ring_size, r.info.buf_size,
	       r.info.has_doorbell ? "yes" : "no (polling)");
	fflush(stdout);
	if (!ivshmem_port_wait_link(r.port, o.timeout_s * 1000)) {
		const char *why = "";

		ivshmem_port_link_up(r.port, &why);
		fprintf(stderr, "ivshmem-frames: link did not come up: %s\n", why);
		ivshmem_port_close(r.port);
		return 1;
	}
	ivshmem_port_peer(r.port, &peer);
	memcpy(r.peer_mac, peer.mac, sizeof(r.peer_mac));
	printf("LINK up peer_mac=%02x:%02x:%02x:%02x:%02x:%02x generation=%u\n",
	       peer.mac[0], peer.mac[1], peer.mac[2], peer.mac[3], peer.mac[4], peer.mac[5],
	       peer.generation);
	fflush(stdout);
	rc = run_loop(&o, &r);
	if (rc == 0 && r.bad == 0 && (o.expect == 0 || r.received == o.expect))
		report(&r, "PASS");
	else
		report(&r, "FAIL");
	ivshmem_port_close(r.port);
	return rc == 0 && r.bad == 0 ? 0 : 1;
}
