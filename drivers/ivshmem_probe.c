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

/* The own peer id: IVPOSITION where a server assigned it, else devarg id=
 * (ivshmem-plain; the rule is ivshmem_devargs_pci_id). */
static int pci_own_id(struct ivshmem_bus_dev *bus, const struct ivshmem_devargs *args)
{
	uint32_t ivposition = ivshmem_bus_reg_read(bus, IVSHM_REG_IVPOSITION);
	char err[IVSHMEM_ERRLEN];

	if (ivshmem_devargs_pci_id(args, ivposition, bus->has_server, &bus->id, err,
				   sizeof(err)) != 0) {
		IVSHMEM_LOG(ERR, "%s: %s", bus->name, err);
		return -EINVAL;
	}
	if (!bus->has_server && args->host.id >= 0)
		IVSHMEM_LOG(INFO, "%s: no server (ivshmem-plain, IVPOSITION %u): own id %u "
			    "from the id devarg", bus->name, ivposition, bus->id);
	return 0;
}

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
	rc = ivshmem_bus_pci_open(pdev, &bus);
	if (rc != 0)
		return rc;
	rc = pci_own_id(bus, &args);
	if (rc != 0) {
		ivshmem_bus_close(bus);
		return rc;
	}
	return ivshmem_eth_create(&pdev->device, name, bus, &args.port, &dev);
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
	"queues=<1-64> ring_size=<pow2> buf_size=<bytes> inline_size=<bytes> max_peers=<2-256> "
	"peer=<id> id=<own id, ivshmem-plain> mac=<xx:xx:xx:xx:xx:xx> zero_copy=<0|1> "
	"link_timeout_ms=<30-60000>");

/* ---- vdev (host backend) ------------------------------------------------ */

static int vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char err[IVSHMEM_ERRLEN];
	struct ivshmem_devargs args;
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
	rc = ivshmem_mp_primary_init();
	if (rc != 0) {
		IVSHMEM_LOG(ERR, "%s: cannot serve secondary processes: %s", name,
			    strerror(-rc));
		return rc;
	}
	rc = ivshmem_bus_host_open(name, &args.host, &bus, err, sizeof(err));
	if (rc != 0) {
		IVSHMEM_LOG(ERR, "%s: %s", name, err);
		return rc;
	}
	return ivshmem_eth_create(&vdev->device, name, bus, &args.port, &dev);
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
	"queues=<1-64> ring_size=<pow2> buf_size=<bytes> inline_size=<bytes> max_peers=<2-256> "
	"peer=<id> mac=<xx:xx:xx:xx:xx:xx> zero_copy=<0|1> link_timeout_ms=<30-60000>");
