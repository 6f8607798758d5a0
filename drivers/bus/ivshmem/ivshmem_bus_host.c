/* SPDX-License-Identifier: BSD-3-Clause
 * Host backend of the ivshmem bus: an ivshmem device played by our host
 * device model (host/ivshm_device.h), the way QEMU plays it for a guest.
 *   server=PATH  ivshmem-doorbell: MSI-X-style, vector v = our eventfd v;
 *                server messages (peers joining/leaving) keep being handled
 *                by DPDK's interrupt thread.
 *   shm=FILE     ivshmem-plain: no interrupts, id and size from devargs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_interrupts.h>
#include <rte_log.h>

#include "ivshm_device.h"
#include "ivshmem_bus.h"
#include "ivshmem_bus_log.h"

RTE_LOG_REGISTER(ivshmem_bus_logtype, pmd.bus.ivshmem, NOTICE);

/* After the first own eventfd, the rest of the server's burst follows at
 * once; wait this long for each further one before counting vectors. */
#define VECTOR_GRACE_MS 20

struct host_priv {
	struct ivshmem_bus_dev bus;
	struct ivshm_device *dev;
	struct rte_intr_handle *watch; /* server fd in the interrupt thread */
};

static struct host_priv *priv_of(struct ivshmem_bus_dev *bus)
{
	return bus->priv;
}

static uint32_t host_reg_read(struct ivshmem_bus_dev *bus, uint32_t off)
{
	return ivshm_device_reg_read(priv_of(bus)->dev, off);
}

static void host_reg_write(struct ivshmem_bus_dev *bus, uint32_t off, uint32_t val)
{
	ivshm_device_reg_write(priv_of(bus)->dev, off, val);
}

static int host_vector_fd(struct ivshmem_bus_dev *bus, unsigned int vector)
{
	if (!bus->has_interrupts)
		return -ENOTSUP;
	int fd = ivshm_device_vector_fd(priv_of(bus)->dev, vector);

	return fd >= 0 ? fd : -EINVAL;
}

/* The eventfds exist from open on: enabling only checks they are there. */
static int host_intr_enable(struct ivshmem_bus_dev *bus, unsigned int n)
{
	if (!bus->has_interrupts)
		return -ENOTSUP;
	for (unsigned int v = 0; v < n; v++)
		if (host_vector_fd(bus, v) < 0)
			return -EINVAL;
	return 0;
}

static void host_intr_disable(struct ivshmem_bus_dev *bus)
{
	(void)bus;
}

/* ---- server messages in the interrupt thread ---------------------------- */

static void unwatch_alarm(void *arg);

static void server_readable(void *arg)
{
	struct host_priv *p = arg;
	char err[IVSHM_ERR_LEN];

	if (ivshm_device_server_fd(p->dev) < 0)
		return; /* gone: unwatch_alarm is on its way */
	if (ivshm_device_poll(p->dev, err, sizeof(err)) < 0)
		IVSHMEM_BUS_LOG(WARNING, "%s: %s", p->bus.name, err);
	/* A callback cannot unregister itself: an alarm (same thread, later)
	 * does it, or the closed socket would wake us forever. */
	if (ivshm_device_server_fd(p->dev) < 0 &&
	    rte_eal_alarm_set(1, unwatch_alarm, p) != 0)
		IVSHMEM_BUS_LOG(ERR, "%s: cannot schedule unwatch", p->bus.name);
}

static void unwatch(struct host_priv *p)
{
	if (p->watch == NULL)
		return;
	int rc = rte_intr_callback_unregister_sync(p->watch, server_readable, p);

	if (rc < 0 && rc != -ENOENT)
		IVSHMEM_BUS_LOG(WARNING, "%s: unregister server watch: %s", p->bus.name,
			 strerror(-rc));
	rte_intr_instance_free(p->watch);
	p->watch = NULL;
}

static void unwatch_alarm(void *arg)
{
	struct host_priv *p = arg;

	IVSHMEM_BUS_LOG(NOTICE, "%s: server gone, keeping the peers we know", p->bus.name);
	if (p->watch != NULL &&
	    rte_intr_callback_unregister(p->watch, server_readable, p) >= 0) {
		rte_intr_instance_free(p->watch);
		p->watch = NULL;
	}
}

static int watch_server(struct host_priv *p, char *err, unsigned int errlen)
{
	int fd = ivshm_device_server_fd(p->dev);

	p->watch = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (p->watch == NULL ||
	    rte_intr_type_set(p->watch, RTE_INTR_HANDLE_EXT) != 0 ||
	    rte_intr_fd_set(p->watch, fd) != 0) {
		snprintf(err, errlen, "cannot allocate an interrupt handle");
		return -ENOMEM;
	}
	int rc = rte_intr_callback_register(p->watch, server_readable, p);

	if (rc < 0) {
		snprintf(err, errlen, "cannot watch the server socket: %s",
			 strerror(-rc));
		rte_intr_instance_free(p->watch);
		p->watch = NULL;
	}
	return rc < 0 ? rc : 0;
}

static void host_close(struct ivshmem_bus_dev *bus)
{
	struct host_priv *p = priv_of(bus);

	rte_eal_alarm_cancel(unwatch_alarm, p);
	unwatch(p);
	ivshmem_bar2_guard_unregister(bus->bar2_guard); /* before the unmap */
	ivshm_device_close(p->dev);
	free(p);
}

static const struct ivshmem_bus_ops host_ops = {
	.reg_read = host_reg_read,
	.reg_write = host_reg_write,
	.intr_enable = host_intr_enable,
	.intr_disable = host_intr_disable,
	.vector_fd = host_vector_fd,
	.close = host_close,
};

/* ---- open ------------------------------------------------------------------ */

static bool has_server(const struct ivshmem_host_args *args)
{
	return args->server_path[0] != '\0';
}

static void fill_bus(struct host_priv *p, const char *name,
		     const struct ivshmem_host_args *args)
{
	struct ivshmem_bus_dev *bus = &p->bus;

	bus->ops = &host_ops;
	snprintf(bus->name, sizeof(bus->name), "%s",
		 name != NULL ? name : "ivshmem-host");
	bus->bar2 = ivshm_device_bar2(p->dev);
	bus->bar2_size = ivshm_device_bar2_size(p->dev);
	bus->id = ivshm_device_id(p->dev);
	bus->has_server = has_server(args);
	bus->has_interrupts = bus->has_server;
	/* Without vectors=, count what the server sends in its connect burst. */
	if (!bus->has_interrupts)
		bus->nb_vectors = 0;
	else if (args->vectors != 0)
		bus->nb_vectors = args->vectors;
	else
		bus->nb_vectors = ivshm_device_settle_vectors(p->dev, VECTOR_GRACE_MS);
	bus->mapping = "write-back";
	bus->priv = p;
}

/* A peer holds a read-write fd of BAR2: unless the object is sealed it can
 * shrink it, and our next access would raise SIGBUS. Says so, and guards
 * the mapping so that such a fault takes only the link down. */
static void guard_bar2(struct host_priv *p)
{
	struct ivshmem_bus_dev *bus = &p->bus;
	int rc;

	bus->bar2_unsealed = ivshmem_bar2_unsealed(ivshm_device_bar2_seals(p->dev));
	if (bus->bar2_unsealed)
		IVSHMEM_BUS_LOG(WARNING, "%s: BAR2 is not sealed against shrinking: a peer "
			 "that truncates it takes this port's link down (use "
			 "ivshmem-server's sealed memfd to prevent it)", bus->name);
	rc = ivshmem_bar2_guard_register(bus->bar2, bus->bar2_size,
					 ivshm_device_bar2_page_size(p->dev),
					 &bus->bar2_guard);
	if (rc < 0)
		IVSHMEM_BUS_LOG(WARNING, "%s: BAR2 unguarded (%s): a peer that shrinks it "
			 "kills this process with SIGBUS", bus->name, strerror(-rc));
}

int ivshmem_bus_host_open(const char *name, const struct ivshmem_host_args *args,
			  struct ivshmem_bus_dev **out, char *err,
			  unsigned int errlen)
{
	struct ivshm_device_config cfg = {
		.server_path = has_server(args) ? args->server_path : NULL,
		.shm_path = args->shm_path[0] != '\0' ? args->shm_path : NULL,
		.size = args->size, .id = args->id, .create = true,
		.vectors = IVSHM_MAX_VECTORS,
		.wait_vectors = args->vectors != 0 ? args->vectors : 1,
		.protocol = IVSHM_PROTO_V0, .irq_mode = IVSHM_IRQ_MSIX,
		.role = IVSHM_ROLE_AUTO };
	struct host_priv *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (has_server(args))
		cfg.size = 0; /* the server decides the size */
	rc = ivshm_device_open(&cfg, &p->dev, err, errlen);
	if (rc == -ETIMEDOUT && args->vectors != 0)
		snprintf(err, errlen, "the server did not send %u vectors within the "
			 "setup deadline (devarg vectors=%u; check the server's -n)",
			 args->vectors, args->vectors);
	if (rc < 0) {
		free(p);
		return rc;
	}
	fill_bus(p, name, args);
	guard_bar2(p);
	if (has_server(args)) {
		rc = watch_server(p, err, errlen);
		if (rc < 0) {
			host_close(&p->bus);
			return rc;
		}
	}
	IVSHMEM_BUS_LOG(INFO, "%s: peer %u, %" PRIu64 " bytes, %u vectors", p->bus.name,
		 p->bus.id, p->bus.bar2_size, p->bus.nb_vectors);
	*out = &p->bus;
	return 0;
}
