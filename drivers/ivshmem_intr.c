/* SPDX-License-Identifier: BSD-3-Clause
 * Rx interrupts of net_ivshmem: queue q sleeps on doorbell vector 1 + q of
 * its own device; arming tells the peer (in shared memory) which vector to
 * ring. The bus gives one eventfd per vector, on every backend.
 */
#include <errno.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_interrupts.h>

#include "ivshmem_intr.h"
#include "ivshmem_zc.h"

/* Doorbell vector that wakes Rx queue q: vector 0 is the device's misc
 * interrupt (vfio's own fd), so queue q uses 1 + q on every backend. */
static unsigned int rxq_vector(uint16_t q)
{
	return 1u + q;
}

/* An ethdev interrupt handle whose efd q is the fd of queue q's vector, so
 * rte_eth_dev_rx_intr_ctl_q() and rte_epoll_wait() work the same over vfio
 * MSI-X eventfds and the host device's eventfds. */
static int rx_intr_handle_create(struct rte_eth_dev *dev, uint16_t nb_rxq)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_intr_handle *ih;
	uint16_t q;
	int fd;

	ih = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (ih == NULL)
		return -ENOMEM;
	if (rte_intr_type_set(ih, RTE_INTR_HANDLE_VDEV) != 0 ||
	    rte_intr_efd_counter_size_set(ih, sizeof(uint64_t)) != 0 ||
	    rte_intr_vec_list_alloc(ih, "ivshmem_intr_vec", nb_rxq) != 0)
		goto fail;
	for (q = 0; q < nb_rxq; q++) {
		fd = pmd->bus->ops->vector_fd(pmd->bus, rxq_vector(q));
		if (fd < 0 || rte_intr_efds_index_set(ih, q, fd) != 0 ||
		    rte_intr_vec_list_index_set(ih, q, RTE_INTR_VEC_RXTX_OFFSET + q) != 0)
			goto fail;
	}
	if (rte_intr_nb_efd_set(ih, nb_rxq) != 0 ||
	    rte_intr_max_intr_set(ih, nb_rxq + 1) != 0)
		goto fail;
	pmd->rx_intr_handle = ih;
	dev->intr_handle = ih;
	return 0;
fail:
	rte_intr_vec_list_free(ih);
	rte_intr_instance_free(ih);
	return -EINVAL;
}

int ivshmem_rx_intr_setup(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t nb_rxq = dev->data->nb_rx_queues;
	unsigned int need = rxq_vector(nb_rxq - 1) + 1;
	int rc;

	if (pmd->bus->nb_vectors < need) {
		IVSHMEM_LOG(ERR, "%s: Rx interrupts for %u queues need %u doorbell vectors "
			    "(vector 0 + one per queue), the device has %u",
			    pmd->bus->name, nb_rxq, need, pmd->bus->nb_vectors);
		return -ENOTSUP;
	}
	rc = pmd->bus->ops->intr_enable(pmd->bus, need);
	if (rc == 0) {
		rc = rx_intr_handle_create(dev, nb_rxq);
		if (rc != 0)
			pmd->bus->ops->intr_disable(pmd->bus);
	}
	if (rc != 0)
		IVSHMEM_LOG(ERR, "%s: cannot set up Rx interrupts (%d)", pmd->bus->name, rc);
	return rc;
}

void ivshmem_rx_intr_teardown(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (pmd->rx_intr_handle != NULL) {
		rte_intr_vec_list_free(pmd->rx_intr_handle);
		rte_intr_instance_free(pmd->rx_intr_handle);
		pmd->rx_intr_handle = NULL;
	}
	pmd->bus->ops->intr_disable(pmd->bus);
	dev->intr_handle = NULL;
}

/* Wakes our own waiter: data arrived between the last poll and arming. */
static void kick_own_efd(struct rte_eth_dev *dev, uint16_t qid)
{
	uint64_t one = 1;
	int fd = rte_intr_efds_index_get(dev->intr_handle, qid);

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0)
		IVSHMEM_LOG(DEBUG, "kick of queue %u failed", qid);
}

int ivshmem_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct ivshmem_rxq *rxq = dev->data->rx_queues[qid];
	uint32_t token = IVSHM_WAKE_TOKEN(rxq_vector(qid));
	bool pending = false;
	uint16_t c;

	if (!pmd->rx_intr)
		return -ENOTSUP;
	for (c = 0; c < rxq->nb_ch; c++) {
		rxq->ch[c].wake_token = token;
		if (!ivshm_rx_arm(&rxq->ch[c]))
			pending = true;
		/* zero_copy=1: give back what was freed; a producer that has
		 * no slot left rings no doorbell, so do not sleep on it */
		if (rxq->zero_copy) {
			ivshmem_zc_sync(rxq->zc[c], &rxq->ch[c]);
			if (ivshmem_zc_blocks_producer(rxq->zc[c], &rxq->ch[c]))
				pending = true;
		}
	}
	if (pending)
		kick_own_efd(dev, qid);
	return 0;
}

int ivshmem_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct ivshmem_rxq *rxq = dev->data->rx_queues[qid];
	uint16_t c;

	for (c = 0; c < rxq->nb_ch; c++)
		ivshm_rx_disarm(&rxq->ch[c]);
	return 0;
}
