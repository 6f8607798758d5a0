/* SPDX-License-Identifier: BSD-3-Clause
 * BAR0 behaviour of the device model, one test per seed rule (seed files in
 * ../shared/seeds), on a plain shm file (ivshmem-plain: no server) and, for
 * self-doorbells, through the real server (argv[1] = ivshmem-server). */
#include <sys/stat.h>

#include "../check.h"
#include "host_util.h"
#include "ivshm_device.h"

static char shm_file[96];

static struct ivshm_device *open_plain(enum ivshm_irq_mode mode, int id)
{
	struct ivshm_device_config cfg = { .shm_path = shm_file, .size = 1u << 16,
					   .create = true, .id = id, .irq_mode = mode };
	struct ivshm_device *dev = NULL;
	char err[IVSHM_ERR_LEN];

	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) < 0)
		fprintf(stderr, "  open: %s\n", err);
	return dev;
}

/* INTRSTATUS read-clears: seeds 002/003/004/000/001 */
static void test_intrstatus_read_clears(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 0);

	CHECK(dev != NULL);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRSTATUS, 0x5a);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS), 0x5a);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS), 0);
	ivshm_device_close(dev);
}

/* INTRMASK is plain read/write: all seeds */
static void test_intrmask_read_write(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 0);

	CHECK(dev != NULL);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK), 0);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 0xffffffffu);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK), 0xffffffffu);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK), 0xffffffffu);
	ivshm_device_close(dev);
}

/* IVPOSITION = own id, read-only: all seeds (001 returns vm_id) */
static void test_ivposition_read_only(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 7);

	CHECK(dev != NULL);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_IVPOSITION), 7);
	ivshm_device_reg_write(dev, IVSHM_REG_IVPOSITION, 3);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_IVPOSITION), 7);
	ivshm_device_close(dev);
}

/* Writes ignore address bits 0-1 (addr &= 0xfc), reads of DOORBELL and
 * unknown offsets return 0: seeds 000/001/003/004 */
static void test_offsets_and_unknown_registers(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 0);

	CHECK(dev != NULL);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK + 2, 0x33);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK), 0x33);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_DOORBELL), 0);
	CHECK_EQ(ivshm_device_reg_read(dev, 0x10), 0);
	CHECK_EQ(ivshm_device_reg_read(dev, 0xfc), 0);
	ivshm_device_reg_write(dev, 0x40, 0xdead); /* unhandled: no effect */
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRMASK), 0x33);
	ivshm_device_close(dev);
}

/* DOORBELL to an unknown peer is dropped silently (and counted): all seeds;
 * ivshmem-plain has no peers at all (seed 001) */
static void test_doorbell_unknown_peer_dropped(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 0);
	struct ivshm_device_stats st;

	CHECK(dev != NULL);
	ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(1, 0));
	ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(65535, 0));
	ivshm_device_get_stats(dev, &st);
	CHECK_EQ(st.doorbell_bad_peer, 2);
	CHECK_EQ(st.doorbells, 0);
	ivshm_device_close(dev);
}

static bool cb_level;
static int cb_calls;

static void on_line(void *arg, bool level)
{
	(void)arg;
	cb_level = level;
	cb_calls++;
}

/* INTx pin = IntrStatus & IntrMask != 0, updated on every write and on the
 * clearing read: seeds 002/003/004/000, 001 (legacy msi=off only) */
static void test_intx_line_follows_status_and_mask(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_INTX, 0);

	CHECK(dev != NULL);
	ivshm_device_set_intx_callback(dev, on_line, NULL);
	cb_calls = 0;
	ivshm_device_reg_write(dev, IVSHM_REG_INTRSTATUS, 1);
	CHECK(!ivshm_device_intx_level(dev));          /* masked */
	CHECK(!tu_readable(ivshm_device_intx_fd(dev), 0));
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 1);
	CHECK(ivshm_device_intx_level(dev));           /* unmasked: up */
	CHECK(cb_level && cb_calls == 1);
	CHECK_EQ(tu_eventfd_take(ivshm_device_intx_fd(dev)), 1);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 2); /* other bit */
	CHECK(!ivshm_device_intx_level(dev));
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 1);
	CHECK(ivshm_device_intx_level(dev));
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_INTRSTATUS), 1);
	CHECK(!ivshm_device_intx_level(dev));          /* read cleared it */
	CHECK(!cb_level && cb_calls == 4);
	ivshm_device_close(dev);
}

/* MSI-X variants never drive INTx (seed 001 ivshmem_update_irq) */
static void test_msix_has_no_intx_line(void)
{
	struct ivshm_device *dev = open_plain(IVSHM_IRQ_MSIX, 0);

	CHECK(dev != NULL);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, 1);
	ivshm_device_reg_write(dev, IVSHM_REG_INTRSTATUS, 1);
	CHECK(!ivshm_device_intx_level(dev));
	ivshm_device_close(dev);
}

/* Plain mode: BAR2 is the file, shared; created with the size if missing;
 * an existing smaller file is refused (seeds 000/002-004 check_shm_size) */
static void test_plain_file_create_and_size_check(void)
{
	struct ivshm_device_config cfg = { .shm_path = shm_file, .size = 1u << 20,
					   .create = true, .id = 1 };
	struct ivshm_device *a, *b;
	char err[IVSHM_ERR_LEN];
	struct stat st;

	unlink(shm_file);
	CHECK(ivshm_device_open(&cfg, &a, err, sizeof(err)) == 0);
	CHECK(stat(shm_file, &st) == 0 && st.st_size == 1 << 20);
	cfg.size = 0; /* take the file's size */
	cfg.id = 2;
	CHECK(ivshm_device_open(&cfg, &b, err, sizeof(err)) == 0);
	CHECK_EQ(ivshm_device_bar2_size(b), 1u << 20);
	((volatile char *)ivshm_device_bar2(a))[4095] = 42;
	CHECK_EQ(((volatile char *)ivshm_device_bar2(b))[4095], 42);
	ivshm_device_close(b);
	ivshm_device_close(a);
	cfg.size = 2u << 20;
	CHECK(ivshm_device_open(&cfg, &a, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "smaller than requested: 1048576 < 2097152") != NULL);
	cfg.size = 0;
	cfg.id = 65536;
	CHECK(ivshm_device_open(&cfg, &a, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "invalid peer id 65536") != NULL);
	unlink(shm_file);
}

/* role=master must be peer 0 (seed 001 "master must connect ... before any
 * peers"; seeds 000-004 role=master) */
static void test_master_role_plain(void)
{
	struct ivshm_device_config cfg = { .shm_path = shm_file, .size = 1u << 16,
					   .create = true, .id = 1,
					   .role = IVSHM_ROLE_MASTER };
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN];

	CHECK(ivshm_device_open(&cfg, &dev, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "role=master requires peer id 0") != NULL);
	cfg.id = 0;
	CHECK(ivshm_device_open(&cfg, &dev, err, sizeof(err)) == 0);
	CHECK(ivshm_device_is_master(dev));
	ivshm_device_close(dev);
}

/* Through the server: a doorbell to ourselves fires our own eventfd; only
 * the low 8 bits of the vector count; a vector we have no eventfd for is
 * dropped and counted (seed 001 ivshmem_io_write; 000/002-004 alike) */
static void test_self_doorbell_vector_low_8_bits(void)
{
	struct test_server s;
	const char *extra[] = { "-n", "2", NULL };
	struct ivshm_device_config cfg = { .vectors = 2, .wait_vectors = 2 };
	struct ivshm_device *dev;
	struct ivshm_device_stats st;
	char err[IVSHM_ERR_LEN];

	CHECK(tu_server_start(&s, "regs", extra));
	cfg.server_path = s.sock;
	CHECK(ivshm_device_open(&cfg, &dev, err, sizeof(err)) == 0);
	uint16_t me = ivshm_device_id(dev);

	ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL, ((uint32_t)me << 16) | 0x101);
	CHECK(tu_readable(ivshm_device_vector_fd(dev, 1), DEADLINE_MS));
	CHECK_EQ(tu_eventfd_take(ivshm_device_vector_fd(dev, 1)), 1);
	CHECK_EQ(tu_eventfd_take(ivshm_device_vector_fd(dev, 0)), 0);
	ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL, IVSHM_DOORBELL_VALUE(me, 2));
	ivshm_device_get_stats(dev, &st);
	CHECK_EQ(st.doorbells, 1);
	CHECK_EQ(st.doorbell_bad_vector, 1);
	CHECK_EQ(tu_eventfd_take(ivshm_device_vector_fd(dev, 0)), 0);
	CHECK_EQ(tu_eventfd_take(ivshm_device_vector_fd(dev, 1)), 0);
	ivshm_device_close(dev);
	tu_server_stop(&s);
}

int main(int argc, char **argv)
{
	if (!tu_init(argc, argv))
		return 2;
	snprintf(shm_file, sizeof(shm_file), "/dev/shm/ivshm-t-regs-%d", (int)getpid());
	RUN(test_intrstatus_read_clears);
	RUN(test_intrmask_read_write);
	RUN(test_ivposition_read_only);
	RUN(test_offsets_and_unknown_registers);
	RUN(test_doorbell_unknown_peer_dropped);
	RUN(test_intx_line_follows_status_and_mask);
	RUN(test_msix_has_no_intx_line);
	RUN(test_plain_file_create_and_size_check);
	RUN(test_master_role_plain);
	RUN(test_self_doorbell_vector_low_8_bits);
	unlink(shm_file);
	return check_exit_code();
}
