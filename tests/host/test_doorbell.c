/* SPDX-License-Identifier: BSD-3-Clause
 * Doorbells between two device-model instances in two processes through the
 * real ivshmem-server (argv[1]): the right eventfd fires with the right
 * count, a wrong vector or peer is ignored, INTx mode sets IntrStatus and
 * clears it on read, and peers joining/leaving after setup are seen by
 * ivshm_device_poll. Also: a 4 GiB region (sparse) created by the server,
 * sent and mapped, first and last page touched. */
#include <sys/eventfd.h>

#include "../check.h"
#include "host_util.h"
#include "ivshm_device.h"

static struct ivshm_device *open_server(const struct test_server *s,
					enum ivshm_irq_mode mode, unsigned int vectors)
{
	struct ivshm_device_config cfg = { .server_path = s->sock, .vectors = vectors,
					   .wait_vectors = vectors, .irq_mode = mode };
	struct ivshm_device *dev = NULL;
	char err[IVSHM_ERR_LEN];

	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) < 0)
		fprintf(stderr, "  open: %s\n", err);
	return dev;
}

/* Polls the device until peer has `n` vectors (n = 0: gone). */
static bool wait_peer_vectors(struct ivshm_device *dev, unsigned int peer,
			      unsigned int n)
{
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;
	char err[IVSHM_ERR_LEN];

	while (ivshm_device_peer_vectors(dev, peer) != n) {
		if (ivshm_now_ms() >= deadline)
			return false;
		ivshm_device_wait(dev, 50, err, sizeof(err));
	}
	return true;
}

/* Child side (peer 1): reports readiness on `ready`, then checks what A
 * rings. Exit code: 0 = all as expected, else the failing step. */
static int child_msix(const struct test_server *s, int ready)
{
	struct ivshm_device *dev = open_server(s, IVSHM_IRQ_MSIX, 4);
	char c = 'r';

	if (dev == NULL || ivshm_device_id(dev) != 1)
		return 10;
	if (write(ready, &c, 1) != 1)
		return 11;
	/* A first rings bad targets, then vector 2 twice, then vector 3. */
	if (!tu_readable(ivshm_device_vector_fd(dev, 3), DEADLINE_MS))
		return 12;
	if (tu_eventfd_take(ivshm_device_vector_fd(dev, 2)) != 2)
		return 13;
	if (tu_eventfd_take(ivshm_device_vector_fd(dev, 3)) != 1)
		return 14;
	if (tu_eventfd_take(ivshm_device_vector_fd(dev, 0)) != 0 ||
	    tu_eventfd_take(ivshm_device_vector_fd(dev, 1)) != 0)
		return 15;
	ivshm_device_close(dev); /* A must see us leave */
	return 0;
}

static int child_intx(const struct test_server *s, int ready)
{
	struct ivshm_device *dev = open_server(s, IVSHM_IRQ_INTX, 1);
	char err[IVSHM_ERR_LEN], c = 'r';
	int64_t deadline;

	if (dev == NULL)
		return 20;
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 0xffffffffu);
	if (write(ready, &c, 1) != 1)
		return 21;
	deadline = ivshm_now_ms() + DEADLINE_MS;
	while (!ivshm_device_intx_level(dev) && ivshm_now_ms() < deadline)
		ivshm_device_wait(dev, 100, err, sizeof(err));
	if (!ivshm_device_intx_level(dev))
		return 22;
	if (tu_eventfd_take(ivshm_device_intx_fd(dev)) != 1)
		return 23;
	if (ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS) != 1)
		return 24; /* seed 001: a doorbell sets IntrStatus to 1 */
	if (ivshm_device_intx_level(dev) ||
	    ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS) != 0)
		return 25; /* read cleared it and lowered the pin */
	ivshm_device_close(dev);
	return 0;
}

static pid_t spawn(int (*fn)(const struct test_server *, int),
		   const struct test_server *s, int *ready_rd)
{
	int p[2];

	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();

	if (pid == 0) {
		close(p[0]);
		alarm(20);
		_exit(fn(s, p[1]));
	}
	close(p[1]);
	*ready_rd = p[0];
	return pid;
}

static int reap_child(pid_t pid)
{
	int status = 0;
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && ivshm_now_ms() < deadline)
		poll(NULL, 0, 5);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* MSI-X (ivshmem-doorbell): vector N of peer B fires B's eventfd N. */
static void test_msix_doorbell_two_processes(void)
{
	struct test_server s;
	const char *extra[] = { "-n", "4", NULL };
	struct ivshm_device_stats st;
	int ready;

	CHECK(tu_server_start(&s, "db", extra));
	struct ivshm_device *a = open_server(&s, IVSHM_IRQ_MSIX, 4);

	CHECK(a != NULL);
	CHECK_EQ(ivshm_device_id(a), 0);
	pid_t pid = spawn(child_msix, &s, &ready);

	CHECK(pid > 0);
	CHECK(tu_readable(ready, DEADLINE_MS));
	CHECK(wait_peer_vectors(a, 1, 4)); /* B's fds came after our setup */
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 4));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(5, 0));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(2, 0));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 2));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 2));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 3));
	CHECK_EQ(reap_child(pid), 0);
	ivshm_device_get_stats(a, &st);
	CHECK_EQ(st.doorbells, 3);
	CHECK_EQ(st.doorbell_bad_vector, 1);
	CHECK_EQ(st.doorbell_bad_peer, 2);
	CHECK(wait_peer_vectors(a, 1, 0)); /* B left: its fds closed */
	ivshm_device_get_stats(a, &st);
	CHECK_EQ(st.peers_left, 1);
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 0));
	ivshm_device_get_stats(a, &st);
	CHECK_EQ(st.doorbell_bad_peer, 3); /* gone peer: dropped */
	close(ready);
	ivshm_device_close(a);
	tu_server_stop(&s);
}

/* INTx (legacy msi=off): the doorbell sets IntrStatus, read clears it. */
static void test_intx_doorbell_two_processes(void)
{
	struct test_server s;
	int ready;

	CHECK(tu_server_start(&s, "intx", NULL));
	struct ivshm_device *a = open_server(&s, IVSHM_IRQ_MSIX, 1);

	CHECK(a != NULL);
	pid_t pid = spawn(child_intx, &s, &ready);

	CHECK(pid > 0);
	CHECK(tu_readable(ready, DEADLINE_MS));
	CHECK(wait_peer_vectors(a, 1, 1));
	ivshm_device_reg_write(a, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 0));
	CHECK_EQ(reap_child(pid), 0);
	close(ready);
	ivshm_device_close(a);
	tu_server_stop(&s);
}

/* The server going away after setup: poll reports it, the device keeps its
 * BAR2 and peers, server_fd becomes -1 (no busy loop on a dead socket). */
static void test_server_exit_after_setup(void)
{
	struct test_server s;
	char err[IVSHM_ERR_LEN] = "";

	CHECK(tu_server_start(&s, "gone", NULL));
	struct ivshm_device *a = open_server(&s, IVSHM_IRQ_MSIX, 1);

	CHECK(a != NULL);
	tu_server_kill(&s, SIGTERM);
	int rc = ivshm_device_wait(a, DEADLINE_MS, err, sizeof(err));

	CHECK_EQ(rc, -ECONNRESET);
	CHECK(strstr(err, "server closed the connection") != NULL);
	CHECK_EQ(ivshm_device_server_fd(a), -1);
	CHECK(ivshm_device_vector_fd(a, 0) >= 0);
	ivshm_device_close(a);
	tu_server_stop(&s);
}

/* Sizes >= 2 GiB: 64-bit sizes end to end, sparse object, MAP_SHARED. */
static void test_4gib_region(void)
{
	struct test_server s;
	const char *extra[] = { "-l", "4G", NULL };

	CHECK(tu_server_start(&s, "big", extra));
	struct ivshm_device *a = open_server(&s, IVSHM_IRQ_MSIX, 1);
	struct ivshm_device *b = open_server(&s, IVSHM_IRQ_MSIX, 1);

	CHECK(a != NULL && b != NULL);
	CHECK_EQ(ivshm_device_bar2_size(a), 4ull << 30);
	volatile uint8_t *pa = ivshm_device_bar2(a);
	volatile uint8_t *pb = ivshm_device_bar2(b);
	uint64_t last = (4ull << 30) - 1;

	pa[0] = 0x11;
	pa[last] = 0x22;
	CHECK_EQ(pb[0], 0x11);
	CHECK_EQ(pb[last], 0x22);
	ivshm_device_close(b);
	ivshm_device_close(a);
	tu_server_stop(&s);
}

int main(int argc, char **argv)
{
	if (!tu_init(argc, argv))
		return 2;
	RUN(test_msix_doorbell_two_processes);
	RUN(test_intx_doorbell_two_processes);
	RUN(test_server_exit_after_setup);
	RUN(test_4gib_region);
	return check_exit_code();
}
