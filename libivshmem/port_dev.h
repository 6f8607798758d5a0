/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: the device under a port, what QEMU's ivshmem is for a guest:
 * the host device model (host/ivshm_device.h: a server socket or a shm
 * file) or a guest's PCI device through sysfs (port_pci.c).
 */
#ifndef LIBIVSHMEM_PORT_DEV_H
#define LIBIVSHMEM_PORT_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ivshmem_devargs.h" /* the PMD's devargs: struct ivshmem_host_args */

struct ivshm_device;

struct port_dev {
	void *bar2;
	uint64_t bar2_size;
	uint16_t id;             /* own peer id */
	bool has_server;         /* ids and doorbells come from a server */
	unsigned int vectors;    /* own doorbell vectors with an eventfd */
	struct ivshm_device *host;   /* host backend, or NULL */
	volatile uint32_t *bar0;     /* pci backend: BAR0 mapped, or NULL */
	size_t bar0_len;
};

/* Opens the host backend (server= or shm=), as the PMD's vdev does. */
int port_dev_open_host(struct port_dev *d, const struct ivshmem_host_args *h,
		       char *err, size_t errlen);
/* Opens a PCI device by BDF through sysfs (port_pci.c); the own id by the
 * PMD's rule (ivshmem_devargs_pci_id). */
int port_dev_open_pci(struct port_dev *d, const char *bdf,
		      const struct ivshmem_devargs *a, char *err, size_t errlen);
/* Checks bdf names an ivshmem device and gives its sysfs directory. */
#define PORT_PCI_DIR_LEN 256
int port_pci_find(const char *bdf, char dir[PORT_PCI_DIR_LEN], char *err, size_t errlen);
/* Rings vector `vector` of peer `peer`. */
void port_dev_doorbell(struct port_dev *d, uint16_t peer, unsigned int vector);
/* Our eventfd of vector v, or -1. */
int port_dev_vector_fd(struct port_dev *d, unsigned int v);
/* Handles server messages for up to timeout_ms (peers joining, leaving);
 * just sleeps that long without a server. */
void port_dev_service(struct port_dev *d, int timeout_ms);
void port_dev_close(struct port_dev *d);

#endif /* LIBIVSHMEM_PORT_DEV_H */
