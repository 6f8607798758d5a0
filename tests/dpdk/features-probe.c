/* SPDX-License-Identifier: BSD-3-Clause
 * features-probe: asks a net_ivshmem port, through the public ethdev API
 * only, which of the features of DPDK's doc/guides/nics/features/default.ini
 * it has, and prints one line per feature it can tell: "FEATURE <name>=1|0".
 * tests/dpdk/features-ini.py compares them with
 * doc/guides/nics/features/ivshmem.ini, so the matrix cannot claim what the
 * PMD lacks, nor leave out what it has.
 * Usage: features-probe <EAL args with two ports on one server> -- (none)
 * Port 0 and port 1 are each other's peer: port 1 sends one IPv4/UDP frame
 * with good checksums to port 0, which must see its packet type, checksum
 * flags and per-queue counters.
 */
/* a few of the probed calls are experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tm.h>
#include <rte_udp.h>

#define RX_CKSUM (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | \
		  RTE_ETH_RX_OFFLOAD_TCP_CKSUM)

static void feature(const char *name, int has)
{
	printf("FEATURE %s=%d\n", name, has ? 1 : 0);
}

/* The op behind this call exists: ethdev answers -ENOTSUP when it does not. */
static int has_op(int rc)
{
	return rc != -ENOTSUP;
}

static int port_up(uint16_t port, struct rte_mempool *mp, const struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf = { .intr_conf = { .lsc = 1, .rxq = 1 } };

	conf.rxmode.offloads = info->rx_offload_capa &
		(RTE_ETH_RX_OFFLOAD_SCATTER | RX_CKSUM);
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 512, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 512, 0, NULL) != 0)
		return -1;
	return rte_eth_dev_start(port);
}

static int wait_link(uint16_t port)
{
	uint64_t end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	struct rte_eth_link link;

	while (rte_get_timer_cycles() < end) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_ms(5);
	}
	return -1;
}

/* An IPv4/UDP frame with correct header and UDP checksums. */
static struct rte_mbuf *udp_frame(struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t len = sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 18;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	memset(eth, 0, len);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1000);
	udp->dst_port = rte_cpu_to_be_16(2000);
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eth) - sizeof(*ip));
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return m;
}

/* Port 1 sends one frame to port 0; returns what port 0 received (or NULL). */
static struct rte_mbuf *one_frame(struct rte_mempool *mp)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	struct rte_mbuf *m = udp_frame(mp), *got = NULL;

	if (m == NULL || rte_eth_tx_burst(1, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	while (got == NULL && rte_get_timer_cycles() < end)
		if (rte_eth_rx_burst(0, 0, &got, 1) == 0)
			rte_delay_us_sleep(100);
	return got;
}

/* Driver xstats beyond the ones ethdev derives from the basic stats. */
static int has_driver_xstats(uint16_t port)
{
	static const char *const generic[] = { "rx_good_packets", "tx_good_packets",
		"rx_good_bytes", "tx_good_bytes", "rx_missed_errors", "rx_errors",
		"tx_errors", "rx_mbuf_allocation_errors" };
	struct rte_eth_xstat_name names[256];
	int n = rte_eth_xstats_get_names(port, names, 256), i, own = 0;
	size_t g;

	for (i = 0; i < n && i < 256; i++) {
		bool known = strncmp(names[i].name, "rx_q", 4) == 0 ||
			     strncmp(names[i].name, "tx_q", 4) == 0;

		for (g = 0; g < RTE_DIM(generic); g++)
			known = known || strcmp(names[i].name, generic[g]) == 0;
		own += !known;
	}
	return own > 0;
}

static void probe_capabilities(const struct rte_eth_dev_info *di)
{
	uint64_t rx = di->rx_offload_capa | di->rx_queue_offload_capa;
	uint64_t tx = di->tx_offload_capa | di->tx_queue_offload_capa;

	feature("Speed capabilities", di->speed_capa != 0);
	feature("Removal event", *di->dev_flags & RTE_ETH_DEV_INTR_RMV);
	feature("Lock-free Tx queue", tx & RTE_ETH_TX_OFFLOAD_MT_LOCKFREE);
	feature("Fast mbuf free", tx & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
	feature("Runtime Rx queue setup", di->dev_capa & RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP);
	feature("Runtime Tx queue setup", di->dev_capa & RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP);
	feature("Shared Rx queue", di->dev_capa & RTE_ETH_DEV_CAPA_RXQ_SHARE);
	feature("Buffer split on Rx", rx & RTE_ETH_RX_OFFLOAD_BUFFER_SPLIT);
	feature("Scattered Rx", rx & RTE_ETH_RX_OFFLOAD_SCATTER);
	feature("LRO", rx & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	feature("TSO", tx & (RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO));
	feature("RSS hash", di->flow_type_rss_offloads != 0 || (rx & RTE_ETH_RX_OFFLOAD_RSS_HASH));
	feature("RSS reta update", di->reta_size != 0);
	feature("VMDq", di->max_vmdq_pools != 0);
	feature("SR-IOV", di->max_vfs != 0);
	feature("VLAN filter", rx & RTE_ETH_RX_OFFLOAD_VLAN_FILTER);
	feature("Inline crypto", (rx & RTE_ETH_RX_OFFLOAD_SECURITY) || (tx & RTE_ETH_TX_OFFLOAD_SECURITY));
	feature("CRC offload", rx & RTE_ETH_RX_OFFLOAD_KEEP_CRC);
	feature("VLAN offload", (rx & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) || (tx & RTE_ETH_TX_OFFLOAD_VLAN_INSERT));
	feature("QinQ offload", (rx & RTE_ETH_RX_OFFLOAD_QINQ_STRIP) || (tx & RTE_ETH_TX_OFFLOAD_QINQ_INSERT));
	feature("Timestamp offload", rx & RTE_ETH_RX_OFFLOAD_TIMESTAMP);
	feature("MACsec offload", (rx & RTE_ETH_RX_OFFLOAD_MACSEC_STRIP) || (tx & RTE_ETH_TX_OFFLOAD_MACSEC_INSERT));
	feature("Inner L3 checksum", (rx & RTE_ETH_RX_OFFLOAD_OUTER_IPV4_CKSUM) || (tx & RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM));
	feature("Inner L4 checksum", (rx & RTE_ETH_RX_OFFLOAD_OUTER_UDP_CKSUM) || (tx & RTE_ETH_TX_OFFLOAD_OUTER_UDP_CKSUM));
}

/* Ops an application can call: -ENOTSUP says the PMD lacks them. */
static void probe_ops(uint16_t port)
{
	struct rte_eth_burst_mode bm;
	struct rte_power_monitor_cond pmc;
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 0x77 } };
	struct rte_eth_rss_conf rss = { 0 };
	struct rte_eth_dcb_info dcb;
	struct rte_eth_fc_conf fc;
	struct rte_eth_cman_info cman;
	struct rte_eth_ip_reassembly_params ipr;
	struct rte_eth_fec_capa fec[8];
	struct rte_eth_dev_module_info mod;
	struct rte_dev_reg_info reg = { 0 };
	struct rte_tm_capabilities tmc;
	struct rte_tm_error tme;
	char fw[64];

	feature("Queue start/stop", has_op(rte_eth_dev_tx_queue_stop(port, 0)));
	feature("Free Tx mbuf on demand", has_op(rte_eth_tx_done_cleanup(port, 0, 0)));
	feature("Burst mode info", has_op(rte_eth_rx_burst_mode_get(port, 0, &bm)));
	feature("Power mgmt address monitor", has_op(rte_eth_get_monitor_addr(port, 0, &pmc)));
	feature("Unicast MAC filter", has_op(rte_eth_dev_mac_addr_add(port, &mac, 0)));
	feature("Multicast MAC filter", has_op(rte_eth_dev_set_mc_addr_list(port, NULL, 0)));
	feature("RSS key update", has_op(rte_eth_dev_rss_hash_conf_get(port, &rss)));
	feature("DCB", has_op(rte_eth_dev_get_dcb_info(port, &dcb)));
	feature("Flow control", has_op(rte_eth_dev_flow_ctrl_get(port, &fc)));
	feature("Rate limitation", has_op(rte_eth_set_queue_rate_limit(port, 0, 0)));
	feature("Congestion management", has_op(rte_eth_cman_info_get(port, &cman)));
	feature("Traffic manager", rte_tm_capabilities_get(port, &tmc, &tme) == 0);
	feature("FEC", rte_eth_fec_get_capability(port, fec, 8) > 0);
	feature("IP reassembly", rte_eth_ip_reassembly_capability_get(port, &ipr) == 0);
	feature("Timesync", has_op(rte_eth_timesync_enable(port)));
	feature("Rx descriptor status", has_op(rte_eth_rx_descriptor_status(port, 0, 0)));
	feature("Tx descriptor status", has_op(rte_eth_tx_descriptor_status(port, 0, 0)));
	feature("FW version", has_op(rte_eth_dev_fw_version_get(port, fw, sizeof(fw))));
	feature("EEPROM dump", has_op(rte_eth_dev_get_eeprom_length(port)));
	feature("Module EEPROM dump", has_op(rte_eth_dev_get_module_info(port, &mod)));
	feature("Registers dump", has_op(rte_eth_dev_get_reg_info(port, &reg)));
	feature("LED", has_op(rte_eth_led_on(port)));
}

/* What the port does with a frame, and the calls that work on it. */
static void probe_behaviour(struct rte_mempool *mp, const struct rte_eth_dev_info *di)
{
	struct rte_eth_link link;
	struct rte_eth_stats st0, st1;
	struct rte_mbuf *m;
	uint32_t ptypes[32];
	uint16_t mtu = 0;
	int n;

	feature("Link status", rte_eth_link_get_nowait(0, &link) == 0 && link.link_status);
	/* configure with intr_conf.lsc succeeded: ethdev refuses it without the flag */
	feature("Link status event", *di->dev_flags & RTE_ETH_DEV_INTR_LSC);
	feature("Rx interrupt", rte_eth_dev_rx_intr_enable(0, 0) == 0 &&
		rte_eth_dev_rx_intr_disable(0, 0) == 0);
	feature("Promiscuous mode", rte_eth_promiscuous_disable(0) == 0 &&
		rte_eth_promiscuous_enable(0) == 0 && rte_eth_promiscuous_get(0) == 1);
	feature("Allmulticast mode", rte_eth_allmulticast_enable(0) == 0 &&
		rte_eth_allmulticast_disable(0) == 0);
	n = rte_eth_dev_get_supported_ptypes(0, RTE_PTYPE_ALL_MASK, ptypes, RTE_DIM(ptypes));
	rte_eth_stats_reset(0);
	rte_eth_stats_reset(1);
	m = one_frame(mp);
	rte_eth_stats_get(0, &st0);
	rte_eth_stats_get(1, &st1);
	feature("Packet type parsing", n > 0 && m != NULL &&
		RTE_ETH_IS_IPV4_HDR(m->packet_type) &&
		(m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP);
	feature("L3 checksum offload", m != NULL &&
		(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	feature("L4 checksum offload", m != NULL &&
		(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	feature("Basic stats", m != NULL && st0.ipackets == 1 && st1.opackets == 1 &&
		st0.ibytes == m->pkt_len);
	feature("Stats per queue", st0.q_ipackets[0] == 1 && st1.q_opackets[0] == 1);
	feature("Extended stats", has_driver_xstats(0));
	rte_pktmbuf_free(m);
	/* with Rx scatter enabled at configure when offered */
	feature("MTU update", rte_eth_dev_set_mtu(0, 9000) == 0 &&
		rte_eth_dev_get_mtu(0, &mtu) == 0 && mtu == 9000 &&
		di->max_rx_pktlen >= 9000 + RTE_ETHER_HDR_LEN);
}

int main(int argc, char **argv)
{
	struct rte_eth_dev_info di;
	struct rte_mempool *mp;
	uint16_t p;

	if (rte_eal_init(argc, argv) < 0 || rte_eth_dev_count_avail() != 2) {
		fprintf(stderr, "features-probe: EAL init failed or not two ports\n");
		return 2;
	}
	mp = rte_pktmbuf_pool_create("probe", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL || rte_eth_dev_info_get(0, &di) != 0)
		return 2;
	for (p = 0; p < 2; p++)
		if (port_up(p, mp, &di) != 0) {
			fprintf(stderr, "features-probe: port %u does not start\n", p);
			return 2;
		}
	if (wait_link(0) != 0 || wait_link(1) != 0)
		fprintf(stderr, "features-probe: link did not come up\n");
	probe_capabilities(&di);
	probe_behaviour(mp, &di);
	probe_ops(0); /* last: may stop a queue */
	fflush(stdout);
	for (p = 0; p < 2; p++) {
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	rte_eal_cleanup();
	return 0;
}
