/* SPDX-License-Identifier: BSD-3-Clause
 * Forwarding engines: one burst of one stream. */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "fwd.h"

/* mac and macswap modes differ only in the addresses each header gets:
 * mac writes the peer's and our own, macswap swaps the received pair. */
static void set_macs(const struct fwd_ctx *c, const struct fwd_stream *s,
		     struct rte_mbuf **pkts, uint16_t n, bool swap)
{
	const struct rte_ether_addr *peer = &c->args.eth_peer[s->tx_port];
	const struct rte_ether_addr *own = &c->port_mac[s->tx_port];
	struct rte_ether_addr dst, src;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		/* a runt without a whole header is forwarded untouched */
		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eh))
			continue;
		dst = swap ? eh->src_addr : *peer;
		src = swap ? eh->dst_addr : *own;
		eh->dst_addr = dst;
		eh->src_addr = src;
	}
}

/* Sends n packets; whatever the port refuses is freed and counted. */
static void send_or_drop(struct fwd_stream *s, struct rte_mbuf **pkts,
			 uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(s->tx_port, s->tx_queue, pkts, n);

	if (sent < n) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		s->drops += n - sent;
	}
	s->tx += sent;
}

static uint16_t gen_and_send(struct fwd_ctx *c, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[512];
	uint16_t want = fwd_budget_claim(c, c->args.burst), n, sent;

	if (want == 0)
		return 0;
	n = fwd_gen_burst(c, s, pkts, want);
	sent = rte_eth_tx_burst(s->tx_port, s->tx_queue, pkts, n);
	s->tx += sent;
	if (sent < n) {
		/* a full ring is back-pressure, not loss: the budget only
		 * counts packets the port accepted */
		s->drops += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	fwd_budget_settle(c, want, sent);
	return sent;
}

/* Like testpmd's flowgen: receive and discard whatever comes back, so a
 * peer that echoes (and PMDs that refill rings in rx_burst) keep flowing. */
static uint16_t drain(struct fwd_ctx *c, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[512];
	uint16_t n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts,
				      c->args.burst);

	s->rx += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Received packets are already here: all are forwarded even past the
 * total; the budget only ends the run once the total has come in. */
static void count_received(struct fwd_ctx *c, uint16_t n)
{
	uint16_t granted;

	if (c->args.total_pkts == 0)
		return;
	granted = fwd_budget_claim(c, n);
	fwd_budget_settle(c, granted, granted);
}

uint16_t fwd_run_burst(struct fwd_ctx *c, struct fwd_stream *s)
{
	struct rte_mbuf *pkts[512];
	uint16_t n;

	if (c->args.mode == FWD_FLOWGEN && s->rx_queue < c->args.nb_rxq)
		return drain(c, s) + gen_and_send(c, s);
	if (c->args.mode == FWD_TXONLY || c->args.mode == FWD_FLOWGEN)
		return gen_and_send(c, s);
	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, c->args.burst);
	if (n == 0)
		return 0;
	s->rx += n;
	count_received(c, n);
	switch (c->args.mode) {
	case FWD_RXONLY:
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	case FWD_MAC:
		set_macs(c, s, pkts, n, false);
		break;
	case FWD_MACSWAP:
		set_macs(c, s, pkts, n, true);
		break;
	default:
		break;
	}
	send_or_drop(s, pkts, n);
	return n;
}
