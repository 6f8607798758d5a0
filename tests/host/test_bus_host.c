/* SPDX-License-Identifier: BSD-3-Clause
 * Host backend of the ivshmem bus (drivers/bus/ivshmem/ivshmem_bus_host.c)
 * under a real EAL: server mode counts the server's vectors, gives our
 * eventfds, and keeps handling server messages in DPDK's interrupt thread
 * (a peer joining later becomes reachable without any call from us); shm
 * mode has no interrupts and checks sizes. argv[1] = ivshmem-server. */
#include <ftw.h>

#include <rte_eal.h>

#include "../check.h"
#include "host_util.h"
#include "ivshm_device.h"
#include "ivshmem_bus.h"

/* Rings until the peer's fd fires: the bus learns of the peer
 * asynchronously (interrupt thread), so early doorbells are dropped. */
static bool ring_until_fired(struct ivshmem_bus_dev *bus, uint16_t peer,
			     unsigned int vector, int fd)
{
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;

	while (ivshm_now_ms() < deadline) {
		ivshmem_bus_doorbell(bus, peer, vector);
		if (tu_readable(fd, 20))
			return tu_eventfd_take(fd) >= 1;
	}
	return false;
}

static void test_server_mode(void)
{
	struct test_server s;
	const char *extra[] = { "-n", "3", NULL };
	struct ivshmem_host_args args = { .id = -1 };
	struct ivshmem_bus_dev *bus;
	char err[IVSHM_ERR_LEN];

	CHECK(tu_server_start(&s, "bus", extra));
	snprintf(args.server_path, sizeof(args.server_path), "%s", s.sock);
	CHECK(ivshmem_bus_host_open("net_ivshmem_t", &args, &bus, err, sizeof(err)) == 0);
	CHECK_EQ(bus->nb_vectors, 3);
	CHECK(bus->has_interrupts);
	CHECK_EQ(bus->id, 0);
	CHECK_EQ(bus->bar2_size, 4u << 20);
	CHECK_EQ(ivshmem_bus_reg_read(bus, IVSHM_REG_IVPOSITION), 0);
	CHECK_EQ(bus->ops->intr_enable(bus, 3), 0);
	CHECK(bus->ops->intr_enable(bus, 4) < 0);
	CHECK(bus->ops->vector_fd(bus, 2) >= 0);
	CHECK(bus->ops->vector_fd(bus, 3) < 0);

	struct ivshm_device_config cfg = { .server_path = s.sock, .vectors = 3,
					   .wait_vectors = 3 };
	struct ivshm_device *peer;

	CHECK(ivshm_device_open(&cfg, &peer, err, sizeof(err)) == 0);
	CHECK(ring_until_fired(bus, 1, 2, ivshm_device_vector_fd(peer, 2)));
	ivshm_device_reg_write(peer, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(0, 1));
	CHECK(tu_readable(bus->ops->vector_fd(bus, 1), DEADLINE_MS));
	ivshm_device_close(peer);
	tu_server_kill(&s, SIGTERM); /* the interrupt thread must let go */
	ivshmem_bus_close(bus);
	tu_server_stop(&s);
}

static void test_shm_mode(void)
{
	char path[96], err[IVSHM_ERR_LEN];
	struct ivshmem_host_args args = { .size = 1u << 20, .id = 3 };
	struct ivshmem_bus_dev *bus;

	snprintf(path, sizeof(path), "/dev/shm/ivshm-t-bus-%d", (int)getpid());
	snprintf(args.shm_path, sizeof(args.shm_path), "%s", path);
	unlink(path);
	CHECK(ivshmem_bus_host_open("net_ivshmem_t", &args, &bus, err, sizeof(err)) == 0);
	CHECK(!bus->has_interrupts);
	CHECK_EQ(bus->nb_vectors, 0);
	CHECK_EQ(bus->id, 3);
	CHECK_EQ(bus->bar2_size, 1u << 20);
	CHECK_EQ(bus->ops->intr_enable(bus, 1), -ENOTSUP);
	CHECK(bus->ops->vector_fd(bus, 0) < 0);
	ivshmem_bus_close(bus);
	args.size = 2u << 20;
	CHECK(ivshmem_bus_host_open("net_ivshmem_t", &args, &bus, err, sizeof(err)) < 0);
	CHECK(strstr(err, "smaller than requested") != NULL);
	unlink(path);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	char prefix[64];

	if (!tu_init(argc, argv))
		return 2;
	snprintf(prefix, sizeof(prefix), "ivshm-t-bus-%d", (int)getpid());
	char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--file-prefix", prefix, "-l", "0", "--log-level", "*:error" };

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	RUN(test_server_mode);
	RUN(test_shm_mode);
	rte_eal_cleanup();
	char dir[128];

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS); /* EAL runtime dir */
	return check_exit_code();
}
