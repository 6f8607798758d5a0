/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "app_common.h"

struct rte_mempool *app_pool_create(const char *name, unsigned int nb_mbufs,
				    uint32_t max_frame)
{
	/* + one VLAN tag: a port receives MTU + 18 B frames in one mbuf */
	uint32_t room = RTE_PKTMBUF_HEADROOM +
			RTE_MAX(max_frame + RTE_VLAN_HLEN, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM);
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, nb_mbufs, 256, 0, (uint16_t)room,
				     rte_socket_id());
	if (mp == NULL)
		fprintf(stderr, "cannot create mbuf pool %s (%u mbufs): %s\n",
			name, nb_mbufs, rte_strerror(rte_errno));
	return mp;
}

static int setup_queues(uint16_t port, const struct app_port_conf *c)
{
	int socket = rte_eth_dev_socket_id(port);
	uint16_t q, nb_rxd = c->nb_rxd, nb_txd = c->nb_txd;
	int rc;

	/* PMDs with fixed rings (net_ivshmem: ring_size) adjust the request */
	rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);

	for (q = 0; q < c->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_rxd, socket, NULL,
					    c->mp);
		if (rc < 0) {
			fprintf(stderr, "port %u: rx queue %u setup: %s\n",
				port, q, rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < c->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, nb_txd, socket, NULL);
		if (rc < 0) {
			fprintf(stderr, "port %u: tx queue %u setup: %s\n",
				port, q, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static uint32_t mbuf_room(const struct rte_mempool *mp)
{
	return rte_pktmbuf_data_room_size((struct rte_mempool *)(uintptr_t)mp) -
	       RTE_PKTMBUF_HEADROOM;
}

/* The largest MTU the port takes: max_mtu, and max_rx_pktlen less the
 * overhead ethdev adds to an MTU (as rte_eth_dev_configure checks it). */
static uint32_t port_max_mtu(const struct rte_eth_dev_info *info)
{
	uint32_t overhead = info->max_mtu != UINT16_MAX &&
			    info->max_rx_pktlen > info->max_mtu ?
			    info->max_rx_pktlen - info->max_mtu :
			    RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;

	return RTE_MIN((uint32_t)info->max_mtu,
		       info->max_rx_pktlen > overhead ? info->max_rx_pktlen - overhead : 0);
}

/* The largest frame (without CRC) the port takes. */
static uint32_t port_max_frame(const struct rte_eth_dev_info *info)
{
	return port_max_mtu(info) + RTE_ETHER_HDR_LEN;
}

static bool port_scatters(const struct rte_eth_dev_info *info)
{
	return (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) &&
	       (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
}

/* Raises the MTU (and turns scatter on) for frames above the standard one,
 * or says why the port cannot take them. */
static int conf_frame_size(uint16_t port, const struct app_port_conf *c,
			   const struct rte_eth_dev_info *info, struct rte_eth_conf *conf)
{
	if (c->max_frame <= APP_STD_FRAME)
		return 0;
	if (c->max_frame > port_max_frame(info)) {
		fprintf(stderr, "port %u (%s): frames of %u B need MTU %u, the port's "
			"largest is %u (frames up to %u B)\n", port, info->driver_name,
			c->max_frame, c->max_frame - RTE_ETHER_HDR_LEN, port_max_mtu(info),
			port_max_frame(info));
		return -EMSGSIZE;
	}
	conf->rxmode.mtu = c->max_frame - RTE_ETHER_HDR_LEN;
	if (c->max_frame <= mbuf_room(c->mp))
		return 0;
	if (!port_scatters(info)) {
		fprintf(stderr, "port %u (%s): frames of %u B do not fit one %u B mbuf "
			"and the port has no Rx scatter / multi-segment Tx\n", port,
			info->driver_name, c->max_frame, mbuf_room(c->mp));
		return -EMSGSIZE;
	}
	conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return 0;
}

uint32_t app_port_receivable_frame(uint16_t port, const struct rte_mempool *mp)
{
	struct rte_eth_dev_info info;
	uint32_t frame = APP_MAX_FRAME;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return APP_STD_FRAME;
	if (frame > port_max_frame(&info))
		frame = port_max_frame(&info);
	if (frame > mbuf_room(mp) && !port_scatters(&info))
		frame = mbuf_room(mp);
	if (frame < APP_MAX_FRAME)
		printf("port %u (%s): receives frames up to %u B only (MTU %u%s)\n", port,
		       info.driver_name, RTE_MAX(frame, APP_STD_FRAME),
		       port_max_mtu(&info), port_scatters(&info) ? "" : ", no Rx scatter");
	return RTE_MAX(frame, APP_STD_FRAME);
}

int app_port_start(uint16_t port, const struct app_port_conf *c)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = c->rx_intr ? 1 : 0;
	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	rc = conf_frame_size(port, c, &info, &conf);
	if (rc < 0)
		return rc;
	if (c->nb_rxq > info.max_rx_queues || c->nb_txq > info.max_tx_queues) {
		fprintf(stderr, "port %u (%s): wants %u rx / %u tx queues, "
			"has at most %u / %u\n", port, info.driver_name,
			c->nb_rxq, c->nb_txq, info.max_rx_queues,
			info.max_tx_queues);
		return -EINVAL;
	}
	rc = rte_eth_dev_configure(port, c->nb_rxq, c->nb_txq, &conf);
	if (rc < 0) {
		fprintf(stderr, "port %u: configure: %s\n", port,
			rte_strerror(-rc));
		return rc;
	}
	rc = setup_queues(port, c);
	if (rc < 0)
		return rc;
	/* Neither app reads mbuf->packet_type: tell the PMD not to parse it,
	 * as dpdk-testpmd does (the result is ignored: a PMD may lack the op). */
	(void)rte_eth_dev_set_ptypes(port, RTE_PTYPE_UNKNOWN, NULL, 0);
	rc = rte_eth_dev_start(port);
	if (rc < 0) {
		fprintf(stderr, "port %u: start: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	rte_eth_promiscuous_enable(port); /* not all PMDs support it: ignore */
	return 0;
}

void app_port_stop(uint16_t port)
{
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

bool app_port_wait_link(uint16_t port, unsigned int timeout_ms)
{
	struct rte_eth_link link;
	uint64_t deadline = app_mono_ns() + (uint64_t)timeout_ms * 1000000u;

	do {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return true;
		rte_delay_us_sleep(1000);
	} while (app_mono_ns() < deadline && !app_should_quit());
	return false;
}

static bool wait_link_down(uint16_t port, uint64_t deadline_ns)
{
	struct rte_eth_link link;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_DOWN)
			return true;
		if (app_mono_ns() >= deadline_ns)
			return false;
		rte_delay_us_sleep(1000);
	}
}

bool app_ports_wait_peers_gone(const uint16_t *ports, unsigned int nb,
			       unsigned int ms)
{
	uint64_t deadline = app_mono_ns() + (uint64_t)ms * 1000000u;
	bool all_gone = true;
	unsigned int i;

	for (i = 0; i < nb; i++)
		if (!wait_link_down(ports[i], deadline))
			all_gone = false;
	/* a link goes down as the PMD starts handling the disconnect (memif
	 * unmaps after): let that finish before our dev_stop */
	if (all_gone && nb > 0)
		rte_delay_us_sleep(20000);
	return all_gone;
}
