/* SPDX-License-Identifier: BSD-3-Clause
 * PCI backend of the ivshmem bus device: QEMU's ivshmem-plain/-doorbell in a
 * guest, bound to vfio-pci (MSI-X doorbells) or uio_pci_generic (polling).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <rte_malloc.h>

#include "ivshmem_bus.h"
#include "ivshmem_bus_log.h"

#define PCI_COMMAND_OFF       0x04
#define PCI_COMMAND_MEMORY    0x2
#define PCI_COMMAND_MASTER    0x4
#define PCI_STATUS_OFF        0x06
#define PCI_STATUS_CAP_LIST   0x10
#define PCI_CAP_PTR_OFF       0x34
#define PCI_CAP_ID_MSIX       0x11
#define PCI_MSIX_TABLE_MASK   0x07ff

struct pci_priv {
	struct ivshmem_bus_dev dev;
	struct rte_pci_device *pdev;
	volatile uint32_t *bar0;
	bool bus_master;        /* Bus Master Enable set (for MSI-X) */
};

static struct pci_priv *priv_of(struct ivshmem_bus_dev *dev)
{
	return (struct pci_priv *)dev->priv;
}

static uint32_t pci_reg_read(struct ivshmem_bus_dev *dev, uint32_t off)
{
	if (off > IVSHM_BAR0_SIZE - 4 || off % 4 != 0)
		return 0;
	return priv_of(dev)->bar0[off / 4];
}

static void pci_reg_write(struct ivshmem_bus_dev *dev, uint32_t off, uint32_t val)
{
	if (off > IVSHM_BAR0_SIZE - 4 || off % 4 != 0)
		return;
	priv_of(dev)->bar0[off / 4] = val;
}

/* Programs vfio's MSI-X with vectors [0, n): vector 0 is vfio's own
 * interrupt fd, vectors 1.. get new eventfds (rte_intr_efd_enable). */
static int enable_bus_master(struct rte_pci_device *pdev)
{
	uint16_t cmd;

	if (rte_pci_read_config(pdev, &cmd, 2, PCI_COMMAND_OFF) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	return rte_pci_write_config(pdev, &cmd, 2, PCI_COMMAND_OFF) == 2 ? 0 : -EIO;
}

static int pci_intr_enable(struct ivshmem_bus_dev *dev, unsigned int n)
{
	struct pci_priv *p = priv_of(dev);
	struct rte_intr_handle *ih = p->pdev->intr_handle;

	if (!dev->has_interrupts || n == 0 || n > dev->nb_vectors)
		return -ENOTSUP;
	/* MSI-X messages are writes by the device: they need Bus Master
	 * Enable. Set when interrupts are first wanted, so that a probe
	 * that fails writes nothing to the device's config space. */
	if (!p->bus_master) {
		if (enable_bus_master(p->pdev) != 0)
			IVSHMEM_BUS_LOG(WARNING, "%s: cannot set Bus Master Enable: MSI-X may be lost",
					dev->name);
		p->bus_master = true;
	}
	/* vfio cannot grow an enabled MSI-X set: disable, then enable all. */
	rte_intr_disable(ih);
	if (rte_intr_efd_enable(ih, n - 1) != 0)
		return -EINVAL;
	return rte_intr_enable(ih) == 0 ? 0 : -EIO;
}

static void pci_intr_disable(struct ivshmem_bus_dev *dev)
{
	struct rte_intr_handle *ih = priv_of(dev)->pdev->intr_handle;

	rte_intr_disable(ih);
	rte_intr_efd_disable(ih);
}

static int pci_vector_fd(struct ivshmem_bus_dev *dev, unsigned int vector)
{
	struct rte_intr_handle *ih = priv_of(dev)->pdev->intr_handle;

	if (vector == 0)
		return rte_intr_fd_get(ih);
	return rte_intr_efds_index_get(ih, (int)vector - 1);
}

static void pci_close(struct ivshmem_bus_dev *dev)
{
	rte_free(priv_of(dev));
}

static const struct ivshmem_bus_ops pci_ops = {
	.reg_read = pci_reg_read,
	.reg_write = pci_reg_write,
	.intr_enable = pci_intr_enable,
	.intr_disable = pci_intr_disable,
	.vector_fd = pci_vector_fd,
	.close = pci_close,
};

/* MSI-X table size from config space; 0 when there is no MSI-X (plain). */
static unsigned int msix_vectors(struct rte_pci_device *pdev)
{
	uint16_t status = 0, ctrl = 0;
	uint8_t pos = 0, id = 0;
	int hops;

	if (rte_pci_read_config(pdev, &status, 2, PCI_STATUS_OFF) != 2 ||
	    !(status & PCI_STATUS_CAP_LIST) ||
	    rte_pci_read_config(pdev, &pos, 1, PCI_CAP_PTR_OFF) != 1)
		return 0;
	for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
		if (rte_pci_read_config(pdev, &id, 1, pos) != 1)
			return 0;
		if (id == PCI_CAP_ID_MSIX) {
			if (rte_pci_read_config(pdev, &ctrl, 2, pos + 2) != 2)
				return 0;
			return (ctrl & PCI_MSIX_TABLE_MASK) + 1u;
		}
		if (rte_pci_read_config(pdev, &pos, 1, pos + 1) != 1)
			return 0;
	}
	return 0;
}

/* Without Bus Master Enable, MSI-X writes are silently lost. */

static const char *kdrv_name(enum rte_pci_kernel_driver k)
{
	switch (k) {
	case RTE_PCI_KDRV_VFIO: return "vfio-pci";
	case RTE_PCI_KDRV_UIO_GENERIC: return "uio_pci_generic";
	case RTE_PCI_KDRV_IGB_UIO: return "igb_uio";
	default: return "unknown";
	}
}

/* The handle over BARs DPDK has mapped (at the primary's addresses in a
 * secondary); no interrupts yet. */
static int pci_handle_new(struct rte_pci_device *pdev, struct ivshmem_bus_dev **out)
{
	struct pci_priv *p;
	struct ivshmem_bus_dev *dev;

	if (pdev->mem_resource[0].addr == NULL || pdev->mem_resource[0].len < IVSHM_BAR0_SIZE ||
	    pdev->mem_resource[2].addr == NULL || pdev->mem_resource[2].len == 0) {
		IVSHMEM_BUS_LOG(ERR, "%s: BAR0/BAR2 not mapped (bind the device to vfio-pci "
			    "or uio_pci_generic)", pdev->device.name);
		return -ENODEV;
	}
	p = rte_zmalloc("ivshmem_pci", sizeof(*p), 0);
	if (p == NULL)
		return -ENOMEM;
	dev = &p->dev;
	p->pdev = pdev;
	p->bar0 = pdev->mem_resource[0].addr;
	dev->ops = &pci_ops;
	dev->priv = p;
	snprintf(dev->name, sizeof(dev->name), "%s", pdev->device.name);
	dev->bar2 = pdev->mem_resource[2].addr;
	dev->bar2_size = pdev->mem_resource[2].len;
	/* Device BARs are mapped uncached in the guest; under KVM a RAM-backed
	 * BAR is effectively write-back (EPT ignores the guest's type). */
	dev->mapping = "uncached BAR mapping";
	*out = dev;
	return 0;
}

int ivshmem_bus_pci_open_secondary(struct rte_pci_device *pdev,
				   struct ivshmem_bus_dev **out)
{
	return pci_handle_new(pdev, out);
}

int ivshmem_bus_pci_open(struct rte_pci_device *pdev, struct ivshmem_bus_dev **out)
{
	struct ivshmem_bus_dev *dev;
	unsigned int vectors;
	int rc = pci_handle_new(pdev, &dev);

	if (rc != 0)
		return rc;
	vectors = msix_vectors(pdev);
	/* ivshmem-doorbell has MSI-X in QEMU (also under uio): a server
	 * assigned IVPOSITION. ivshmem-plain has neither: the id is the
	 * caller's choice (see ivshmem_bus_dev.has_server). */
	dev->has_server = vectors > 0;
	dev->id = (uint16_t)pci_reg_read(dev, IVSHM_REG_IVPOSITION);
	if (pdev->kdrv == RTE_PCI_KDRV_VFIO && vectors > 0) {
		dev->nb_vectors = vectors;
		dev->has_interrupts = true;
	} else {
		IVSHMEM_BUS_LOG(NOTICE, "%s: no doorbell interrupts (%s, %u MSI-X vectors): "
			    "polling only", dev->name, kdrv_name(pdev->kdrv), vectors);
	}
	*out = dev;
	return 0;
}
