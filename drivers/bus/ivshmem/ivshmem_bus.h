/* SPDX-License-Identifier: BSD-3-Clause
 * "An ivshmem device": the one abstraction the PMD sees, whatever gives it
 * the device. Backends:
 *   - pci  (ivshmem_bus_pci.c):  QEMU's 1af4:1110 in a guest, vfio-pci/uio;
 *   - host (ivshmem_bus_host.c): our host device model (server or shm file),
 *     playing the role QEMU plays for a guest.
 */
#ifndef IVSHMEM_BUS_H
#define IVSHMEM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "ivshmem_bar2_guard.h"
#include "ivshmem_wire.h"

struct ivshmem_bus_dev;

struct ivshmem_bus_ops {
	/* 32-bit BAR0 register access (IVSHM_REG_*). */
	uint32_t (*reg_read)(struct ivshmem_bus_dev *dev, uint32_t off);
	void (*reg_write)(struct ivshmem_bus_dev *dev, uint32_t off, uint32_t val);
	/* Enables interrupt delivery for vectors [0, n) and returns 0; after it
	 * vector_fd(v) is an fd that becomes readable (eventfd semantics) when
	 * vector v fires. Negative errno if the backend has no interrupts. */
	int (*intr_enable)(struct ivshmem_bus_dev *dev, unsigned int n);
	void (*intr_disable)(struct ivshmem_bus_dev *dev);
	int (*vector_fd)(struct ivshmem_bus_dev *dev, unsigned int vector);
	/* Releases everything the backend holds (BAR mappings, fds, server). */
	void (*close)(struct ivshmem_bus_dev *dev);
};

struct ivshmem_bus_dev {
	const struct ivshmem_bus_ops *ops;
	char name[64];          /* for logs: BDF or vdev name */
	void *bar2;             /* shared memory, mapped */
	uint64_t bar2_size;
	uint16_t id;            /* own peer id: IVPOSITION, or the caller's
				 * choice where has_server is false */
	bool has_server;        /* ids come from an ivshmem-server */
	unsigned int nb_vectors; /* doorbell vectors; 0 = no interrupts */
	bool has_interrupts;    /* false: poll only (uio, ivshmem-plain) */
	const char *mapping;    /* BAR2 mapping type: "write-back", "write-combining", "uncached" */
	bool bar2_unsealed;     /* a peer can shrink BAR2's file (host backend) */
	struct ivshmem_bar2_guard *bar2_guard; /* SIGBUS guard, or NULL */
	void *priv;             /* backend state */
};

static inline uint32_t ivshmem_bus_reg_read(struct ivshmem_bus_dev *dev,
					    uint32_t off)
{
	return dev->ops->reg_read(dev, off);
}

/* Rings vector `vector` of peer `peer`. Unknown peers/vectors are dropped
 * by the device, exactly as QEMU does. */
static inline void ivshmem_bus_doorbell(struct ivshmem_bus_dev *dev,
					uint16_t peer, unsigned int vector)
{
	dev->ops->reg_write(dev, IVSHM_REG_DOORBELL,
			    IVSHM_DOORBELL_VALUE(peer, vector));
}

/* True once a peer shrank BAR2 under us: the guard replaced it by zeros. */
static inline bool ivshmem_bus_bar2_lost(const struct ivshmem_bus_dev *dev)
{
	return ivshmem_bar2_guard_lost(dev->bar2_guard);
}

static inline void ivshmem_bus_close(struct ivshmem_bus_dev *dev)
{
	if (dev != NULL && dev->ops != NULL)
		dev->ops->close(dev);
}

/* ---- backends: each opens a device and returns it as a bus device ---- */

#define IVSHMEM_SOCKET_PATH_MAX 108  /* sun_path */
#define IVSHMEM_FILE_PATH_MAX   4096

/* Host backend arguments (the vdev's devargs, parsed straight into this).
 * Exactly one of server_path and shm_path is non-empty. */
struct ivshmem_host_args {
	char server_path[IVSHMEM_SOCKET_PATH_MAX]; /* ivshmem-server socket */
	char shm_path[IVSHMEM_FILE_PATH_MAX];     /* plain shm/hugetlbfs file */
	uint64_t size;           /* shm mode: size to create/expect; 0 = file size */
	int id;                  /* shm mode: own peer id (no server to assign it) */
	unsigned int vectors;    /* server mode: vectors to wait for (0: count
				  * what the server sends at connect) */
};

/* Opens a host-backend device named name (for logs). On failure returns a
 * negative errno and writes a one-line reason into err. ivshmem_bus_host.c */
int ivshmem_bus_host_open(const char *name, const struct ivshmem_host_args *args,
			  struct ivshmem_bus_dev **out, char *err,
			  unsigned int errlen);

/* PCI backend (ivshmem_bus_pci.c), over the BARs DPDK's PCI bus mapped.
 * id is IVPOSITION; without a server (ivshmem-plain) the caller may set
 * another. */
struct rte_pci_device;
int ivshmem_bus_pci_open(struct rte_pci_device *pdev, struct ivshmem_bus_dev **out);
/* Secondary process: BARs are already mapped at the primary's addresses by
 * DPDK's PCI bus; the handle rings doorbells through BAR0, has no
 * interrupts. */
int ivshmem_bus_pci_open_secondary(struct rte_pci_device *pdev,
				   struct ivshmem_bus_dev **out);

#endif /* IVSHMEM_BUS_H */
