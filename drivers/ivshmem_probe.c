/* SPDX-License-Identifier: BSD-3-Clause
 * net_ivshmem drivers: the PCI driver for QEMU's ivshmem (1af4:1110) in a
 * guest and the vdev for the host backend. Both open a bus device and hand
 * it to ivshmem_eth_create().
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <rte_devargs.h>

#include "ivshmem_mp.h"
#include "ivshmem_pmd.h"

#define IVSHMEM_ERRLEN 256

static const char *devargs_string(const struct rte_devargs *da)
{
	return da != NULL && da->args != NULL ? da->args : "";
}

static bool is_secondary(void)
{
	return rte_eal_process_type() != RTE_PROC_PRIMARY;
}

/* ---- PCI --------------------------------------------------------------- */

static int pci_probe(struct rte_pci_driver *drv, struct rte_pci_device *pdev)
{
	char err[IVSHMEM_ERRLEN], name[RTE_ETH_NAME_MAX_LEN];
	struct ivshmem_devargs args;
	struct ivshmem_bus_dev *bus;
	struct rte_eth_dev *dev;
	int rc;

	RTE_SET_USED(drv);
	rte_pci_device_name(&pdev->addr, name, sizeof(name));
	if (is_secondary()) {
		rc = ivshmem_bus_pci_open_secondary(pdev, &bus);
		return rc != 0 ? rc : ivshmem_eth_attach_secondary(&pdev->device, name, bus);
	}
	if (ivshmem_devargs_parse(devargs_string(pdev->device.devargs),
				  IVSHMEM_BACKEND_PCI, &args, err, sizeof(err)) != 0) {
		IVSHMEM_LOG(ERR, "%s: %s", name, err);
		return -EINVAL;
	}
	rc = ivshmem_bus_pci_open(pdev, &args, &bus);
	if (rc != 0)
		return rc;
	return ivshmem_eth_create(&pdev->device, name, bus, &args, &dev);
}

static int pci_remove(struct rte_pci_device *pdev)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev *dev;

	rte_pci_device_name(&pdev->addr, name, sizeof(name));
	dev = rte_eth_dev_allocated(name);
	return dev == NULL ? 0 : ivshmem_eth_destroy(dev);
}

static const struct rte_pci_id pci_ids[] = {
	{ RTE_PCI_DEVICE(IVSHM_PCI_VENDOR_ID, IVSHM_PCI_DEVICE_ID) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver ivshmem_pci_driver = {
	.id_table = pci_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
	.probe = pci_probe,
	.remove = pci_remove,
};

RTE_PMD_REGISTER_PCI(net_ivshmem_pci, ivshmem_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_ivshmem_pci, pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(net_ivshmem_pci, "vfio-pci | uio_pci_generic");
RTE_PMD_REGISTER_PARAM_STRING(net_ivshmem_pci,
	"queues=<1-64> ring_size=<pow2> buf_size=<bytes> max_peers=<2-256> "
	"peer=<id> id=<own id, ivshmem-plain> mac=<xx:xx:xx:xx:xx:xx>");

/* ---- vdev (host backend) ------------------------------------------------ */

static int vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char err[IVSHMEM_ERRLEN];
	struct ivshmem_devargs args;
	struct ivshmem_host_args host;
	struct ivshmem_bus_dev *bus;
	struct rte_eth_dev *dev;
	int rc;

	if (is_secondary()) {
		rc = ivshmem_mp_attach_bar2(name, &bus);
		return rc != 0 ? rc : ivshmem_eth_attach_secondary(&vdev->device, name, bus);
	}
	if (ivshmem_devargs_parse(rte_vdev_device_args(vdev), IVSHMEM_BACKEND_HOST,
				  &args, err, sizeof(err)) != 0) {
		IVSHMEM_LOG(ERR, "%s: %s", name, err);
		return -EINVAL;
	}
	memset(&host, 0, sizeof(host));
	host.server_path = args.server[0] != '\0' ? args.server : NULL;
	host.shm_path = args.shm[0] != '\0' ? args.shm : NULL;
	host.size = args.size;
	host.id = args.id;
	host.vectors = args.vectors;
	host.name = name;
	rc = ivshmem_mp_primary_init();
	if (rc != 0) {
		IVSHMEM_LOG(ERR, "%s: cannot serve secondary processes: %s", name,
			    strerror(-rc));
		return rc;
	}
	rc = ivshmem_bus_host_open(&host, &bus, err, sizeof(err));
	if (rc != 0) {
		IVSHMEM_LOG(ERR, "%s: %s", name, err);
		return rc;
	}
	return ivshmem_eth_create(&vdev->device, name, bus, &args, &dev);
}

static int vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	return dev == NULL ? 0 : ivshmem_eth_destroy(dev);
}

static struct rte_vdev_driver ivshmem_vdev_driver = {
	.probe = vdev_probe,
	.remove = vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_ivshmem, ivshmem_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_ivshmem,
	"server=<socket path> [vectors=<1-64>] | shm=<file> size=<bytes[K|M|G]> id=<peer id>, "
	"queues=<1-64> ring_size=<pow2> buf_size=<bytes> max_peers=<2-256> "
	"peer=<id> mac=<xx:xx:xx:xx:xx:xx>");
