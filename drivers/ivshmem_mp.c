/* SPDX-License-Identifier: BSD-3-Clause
 * Multi-process support for the host backend: a secondary gets the fd of the
 * primary's BAR2 mapping over rte_mp and maps it at the same address.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_string_fns.h>

#include "ivshmem_mp.h"
#include "ivshmem_state.h"

#define MP_ACTION "net_ivshmem_bar2"
#define MP_TIMEOUT_S 5

struct mp_bar2_reply {
	int32_t err;           /* 0 or a negative errno from the primary */
	uint16_t id;
	uint64_t addr;         /* BAR2's address in the primary */
	uint64_t size;
};

/* The backend closed its fd after mmap: reopen the mapping itself. */
static int open_own_mapping(const struct ivshmem_bus_dev *bus)
{
	char path[80];

	snprintf(path, sizeof(path), "/proc/self/map_files/%" PRIxPTR "-%" PRIxPTR,
		 (uintptr_t)bus->bar2, (uintptr_t)bus->bar2 + (uintptr_t)bus->bar2_size);
	return open(path, O_RDWR | O_CLOEXEC);
}

static int answer_bar2(const struct rte_mp_msg *req, const void *peer)
{
	struct rte_mp_msg msg;
	struct mp_bar2_reply r = { .err = -ENODEV };
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev *dev;
	int fd = -1, rc;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, MP_ACTION, sizeof(msg.name));
	memset(name, 0, sizeof(name));
	memcpy(name, req->param, RTE_MIN((size_t)req->len_param, sizeof(name) - 1));
	dev = rte_eth_dev_allocated(name);
	if (dev != NULL && dev->process_private != NULL) {
		const struct ivshmem_bus_dev *bus = dev->process_private;

		fd = open_own_mapping(bus);
		r.err = fd >= 0 ? 0 : -errno;
		r.id = bus->id;
		r.addr = (uintptr_t)bus->bar2;
		r.size = bus->bar2_size;
		if (fd < 0)
			IVSHMEM_LOG(ERR, "%s: cannot reopen BAR2 for a secondary: %s",
				    name, strerror(errno));
	}
	memcpy(msg.param, &r, sizeof(r));
	msg.len_param = sizeof(r);
	if (fd >= 0) {
		msg.fds[0] = fd;
		msg.num_fds = 1;
	}
	rc = rte_mp_reply(&msg, peer);
	if (fd >= 0)
		close(fd);
	return rc;
}

int ivshmem_mp_primary_init(void)
{
	int rc = rte_mp_action_register(MP_ACTION, answer_bar2);

	if (rc < 0 && rte_errno == EEXIST)
		return 0;
	if (rc < 0 && rte_errno == ENOTSUP)
		return 0; /* EAL runs without multi-process (--no-shconf) */
	return rc < 0 ? -rte_errno : 0;
}

/* ---- the secondary's bus handle ---------------------------------------- */

/* No BAR0: a secondary has no doorbells and no interrupts of its own. */
static uint32_t sec_reg_read(struct ivshmem_bus_dev *bus, uint32_t off)
{
	return off == IVSHM_REG_IVPOSITION ? bus->id : 0;
}

static void sec_reg_write(struct ivshmem_bus_dev *bus, uint32_t off, uint32_t val)
{
	(void)bus;
	(void)off;
	(void)val;
}

static int sec_intr_enable(struct ivshmem_bus_dev *bus, unsigned int n)
{
	(void)bus;
	(void)n;
	return -ENOTSUP;
}

static void sec_intr_disable(struct ivshmem_bus_dev *bus)
{
	(void)bus;
}

static int sec_vector_fd(struct ivshmem_bus_dev *bus, unsigned int vector)
{
	(void)bus;
	(void)vector;
	return -ENOTSUP;
}

static void sec_close(struct ivshmem_bus_dev *bus)
{
	munmap(bus->bar2, bus->bar2_size);
	free(bus);
}

static const struct ivshmem_bus_ops secondary_ops = {
	.reg_read = sec_reg_read,
	.reg_write = sec_reg_write,
	.intr_enable = sec_intr_enable,
	.intr_disable = sec_intr_disable,
	.vector_fd = sec_vector_fd,
	.close = sec_close,
};

static int request_bar2(const char *name, struct mp_bar2_reply *r, int *fd)
{
	struct timespec ts = { .tv_sec = MP_TIMEOUT_S };
	struct rte_mp_msg req;
	struct rte_mp_reply rep;
	const struct rte_mp_msg *m;
	int rc = -EIO;

	memset(&req, 0, sizeof(req));
	strlcpy(req.name, MP_ACTION, sizeof(req.name));
	req.len_param = (int)strnlen(name, RTE_ETH_NAME_MAX_LEN - 1);
	memcpy(req.param, name, (size_t)req.len_param);
	if (rte_mp_request_sync(&req, &rep, &ts) < 0 || rep.nb_received != 1) {
		IVSHMEM_LOG(ERR, "%s: the primary did not answer the BAR2 request "
			    "(is it running this PMD?)", name);
		if (rep.nb_received > 0)
			free(rep.msgs);
		return -EIO;
	}
	m = &rep.msgs[0];
	if (m->len_param == (int)sizeof(*r)) {
		memcpy(r, m->param, sizeof(*r));
		rc = r->err;
		if (rc == 0 && m->num_fds == 1)
			*fd = m->fds[0];
		else if (rc == 0)
			rc = -EIO;
	}
	if (rc != 0)
		IVSHMEM_LOG(ERR, "%s: the primary cannot lend BAR2: %s", name, strerror(-rc));
	free(rep.msgs);
	return rc;
}

int ivshmem_mp_attach_bar2(const char *name, struct ivshmem_bus_dev **out)
{
	struct mp_bar2_reply r;
	struct ivshmem_bus_dev *bus;
	void *want, *got;
	int fd = -1, rc;

	rc = request_bar2(name, &r, &fd);
	if (rc != 0)
		return rc;
	want = (void *)(uintptr_t)r.addr;
	got = mmap(want, r.size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	close(fd);
	if (got != want) {
		IVSHMEM_LOG(ERR, "%s: cannot map BAR2 at the primary's address %p "
			    "(%" PRIu64 " bytes): %s", name, want, r.size,
			    got == MAP_FAILED ? strerror(errno) : "address already in use");
		if (got != MAP_FAILED)
			munmap(got, r.size);
		return -EADDRINUSE;
	}
	bus = calloc(1, sizeof(*bus));
	if (bus == NULL) {
		munmap(got, r.size);
		return -ENOMEM;
	}
	bus->ops = &secondary_ops;
	strlcpy(bus->name, name, sizeof(bus->name));
	bus->bar2 = got;
	bus->bar2_size = r.size;
	bus->id = r.id;
	bus->mapping = "write-back (secondary)";
	*out = bus;
	return 0;
}
