/* SPDX-License-Identifier: BSD-3-Clause
 * The two roles coordinate through the packets themselves: control messages
 * (HELLO, START, STOP/REPORT, BYE) carry a magic so stray traffic is never
 * mistaken for them; data packets carry a sequence number and a TSC stamp. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app_common.h"
#include "perf.h"

static const struct rte_ether_addr perf_dst = { { 0x02, 0x49, 0x56, 0, 0, 1 } };
static const struct rte_ether_addr perf_src = { { 0x02, 0x49, 0x56, 0, 0, 2 } };

const struct perf_msg *perf_msg_of(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct perf_msg *msg;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*msg) - sizeof(msg->v))
		return NULL;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(PERF_ETHERTYPE))
		return NULL;
	msg = (const struct perf_msg *)(eh + 1);
	if (msg->magic != PERF_MAGIC)
		return NULL;
	if (msg->kind == KIND_CTRL &&
	    rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*msg))
		return NULL;
	return msg;
}

static struct perf_msg *init_packet(struct rte_mbuf *m, uint32_t len)
{
	struct rte_ether_hdr *eh;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (eh == NULL)
		return NULL;
	eh->dst_addr = perf_dst;
	eh->src_addr = perf_src;
	eh->ether_type = rte_cpu_to_be_16(PERF_ETHERTYPE);
	return (struct perf_msg *)(eh + 1);
}

/* Where frames we send are built: the Tx pool with --tx-zero-copy. */
static struct rte_mempool *perf_tx_pool(const struct perf_port *p)
{
	return p->tx_mp != NULL ? p->tx_mp : p->mp;
}

uint16_t perf_data_burst(struct perf_port *p, struct rte_mbuf **pkts,
			 uint16_t n, uint32_t size, uint64_t *seq)
{
	uint64_t now = rte_rdtsc();
	uint16_t i;

	if (app_tx_alloc_bulk(perf_tx_pool(p), p->port, p->queue, pkts, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct perf_msg *msg = init_packet(pkts[i], size);

		if (msg == NULL) { /* size larger than an mbuf: clamp */
			msg = init_packet(pkts[i],
					  rte_pktmbuf_tailroom(pkts[i]));
		}
		msg->magic = PERF_MAGIC;
		msg->kind = KIND_DATA;
		msg->type = 0;
		msg->seq = (*seq)++;
		msg->tsc = now;
	}
	return n;
}

int perf_ctrl_send(struct perf_port *p, uint16_t type, uint64_t seq,
		   const uint64_t v[R_NB])
{
	uint64_t deadline = rte_rdtsc() + app_ns_to_tsc(10000000);
	struct perf_msg *msg;
	struct rte_mbuf *m;

	if (app_tx_alloc_bulk(perf_tx_pool(p), p->port, p->queue, &m, 1) != 0)
		return -1;
	msg = init_packet(m, PERF_CTRL_LEN);
	msg->magic = PERF_MAGIC;
	msg->kind = KIND_CTRL;
	msg->type = type;
	msg->seq = seq;
	msg->tsc = rte_rdtsc();
	if (v != NULL)
		memcpy(msg->v, v, sizeof(msg->v));
	else
		memset(msg->v, 0, sizeof(msg->v));
	while (rte_eth_tx_burst(p->port, p->queue, &m, 1) == 0) {
		if (rte_rdtsc() > deadline) {
			rte_pktmbuf_free(m);
			return -1;
		}
	}
	return 0;
}

/* Polls for reply/seq until `until` (TSC). 1: got it, 0: not yet. */
static int poll_reply(struct perf_port *p, uint16_t reply, uint64_t seq,
		      uint64_t until, uint64_t out[R_NB], uint64_t *data_rx)
{
	struct rte_mbuf *pkts[64];
	int found = 0;

	while (!found && rte_rdtsc() < until && !app_should_quit()) {
		uint16_t n = rte_eth_rx_burst(p->port, p->queue, pkts, 64), i;

		for (i = 0; i < n; i++) {
			const struct perf_msg *msg = perf_msg_of(pkts[i]);

			if (msg && msg->kind == KIND_DATA && data_rx)
				(*data_rx)++;
			if (msg && msg->kind == KIND_CTRL && msg->type == reply &&
			    msg->seq == seq && !found) {
				if (out)
					memcpy(out, msg->v, sizeof(msg->v));
				found = 1;
			}
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return found;
}

int perf_ctrl_call(struct perf_port *p, uint16_t type, uint64_t seq,
		   const uint64_t v[R_NB], uint16_t reply, double timeout_s,
		   uint64_t out[R_NB], uint64_t *data_rx)
{
	uint64_t end = rte_rdtsc() + app_ns_to_tsc((uint64_t)(timeout_s * 1e9));
	uint64_t step = app_ns_to_tsc(100000000);

	while (rte_rdtsc() < end && !app_should_quit()) {
		uint64_t until = rte_rdtsc() + step;

		perf_ctrl_send(p, type, seq, v);
		if (poll_reply(p, reply, seq, until < end ? until : end, out,
			       data_rx))
			return 0;
	}
	return -1;
}
