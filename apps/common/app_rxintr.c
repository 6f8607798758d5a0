/* SPDX-License-Identifier: BSD-3-Clause
 * Rx interrupt sleeping, l3fwd-power style: each lcore has its own epoll set
 * (RTE_EPOLL_PER_THREAD); a queue is armed only around the sleep, because
 * an armed queue may cost the producer a doorbell per burst. */
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_interrupts.h>

#include "app_common.h"

int app_rxintr_register(uint16_t port, uint16_t queue)
{
	int rc = rte_eth_dev_rx_intr_ctl_q(port, queue, RTE_EPOLL_PER_THREAD,
					   RTE_INTR_EVENT_ADD, NULL);

	if (rc < 0)
		fprintf(stderr, "port %u queue %u: Rx interrupts unavailable "
			"(%s); this PMD supports polling only\n", port, queue,
			rte_strerror(-rc));
	return rc;
}

int app_rxintr_arm(uint16_t port, uint16_t queue)
{
	return rte_eth_dev_rx_intr_enable(port, queue);
}

void app_rxintr_disarm(uint16_t port, uint16_t queue)
{
	rte_eth_dev_rx_intr_disable(port, queue);
}

int app_rxintr_wait(int timeout_ms)
{
	struct rte_epoll_event ev[8];

	return rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev),
			      timeout_ms);
}
