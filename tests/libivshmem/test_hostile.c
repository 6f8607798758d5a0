/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem against a hostile peer: this test is peer 1 of a shm region
 * (through the ring library, writing whatever it likes) and a libivshmem
 * port is peer 0. Bad descriptors, a frame longer than the caller's buffer
 * and a head out of range are dropped and counted, the good frames around
 * them delivered intact; a wake token that names no vector is not rung.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ivshmem.h>

#include "../check.h"
#include "ring_over_shm.h"

#define SIZE (4u << 20)

static char path[64];
static struct ivshmem_port *port;
static struct ivshm_region hostile;
static uint8_t *base;

static void put_frame(struct ivshm_tx *tx, uint32_t slot, uint32_t len, uint8_t fill)
{
	memset(ivshm_tx_buf_for(tx, slot, len), fill, len);
	ivshm_tx_set(tx, slot, len);
}

static void test_bad_descriptors(void)
{
	struct ivshm_tx tx;
	struct ivshmem_stats st;
	uint8_t buf[1000], want[1000];
	int len, n, got = 0;

	CHECK_EQ(ivshm_tx_open(&tx, &hostile, 0, 0), IVSHM_OK);
	put_frame(&tx, 0, 100, 0xa0);
	atomic_store(&tx.descs[(tx.head + 1) & tx.mask],
		     IVSHM_DESC_MAKE_TAGGED(UINT32_MAX, 10, 0,
					    IVSHM_LAP_TAG(tx.head + 1, tx.lap_shift)));
	put_frame(&tx, 2, 200, 0xa2);
	put_frame(&tx, 3, 1500, 0xa3); /* longer than the receiver's 1000 */
	atomic_store(&tx.descs[(tx.head + 4) & tx.mask],
		     IVSHM_DESC_MAKE_TAGGED(0, 10, 0x80, IVSHM_LAP_TAG(tx.head + 4, tx.lap_shift)));
	put_frame(&tx, 5, 300, 0xa5);
	ivshm_tx_publish(&tx, 6);
	for (n = 0; n < 20; n++) {
		len = ivshmem_port_recv(port, buf, sizeof(buf));
		if (len == 0)
			continue;
		memset(want, got == 0 ? 0xa0 : got == 1 ? 0xa2 : 0xa5, (size_t)len);
		CHECK_EQ(len, got == 0 ? 100 : got == 1 ? 200 : 300);
		CHECK(memcmp(buf, want, (size_t)len) == 0);
		got++;
	}
	CHECK_EQ(got, 3);
	ivshmem_port_stats(port, &st);
	CHECK_EQ(st.rx_frames, 3);
	CHECK_EQ(st.rx_bytes, 600);
	CHECK_EQ(st.rx_dropped, 3); /* bad offset, too long, unknown flag */

	/* a head far beyond the ring: nothing delivered (3.0: the receiver
	 * goes by the lap tags, the head is not even read) */
	atomic_store(&tx.ctl->head, tx.head + 100000);
	CHECK_EQ(ivshmem_port_recv(port, buf, sizeof(buf)), 0);
	ivshmem_port_stats(port, &st);
	CHECK_EQ(st.rx_bad_index, 0);
	CHECK_EQ(st.rx_frames, 3);
	atomic_store(&tx.ctl->head, tx.head); /* back to a sane head */
}

static void test_wake_token(void)
{
	struct ivshm_rx rx;
	struct ivshmem_stats st;
	uint8_t frame[64] = { 0 };

	CHECK_EQ(ivshm_rx_open(&rx, &hostile, 0, 0), IVSHM_OK);
	ivshm_rx_sync(&rx);
	atomic_store(&rx.ctl->need_wakeup, 1000u); /* no vector has this token */
	CHECK_EQ(ivshmem_port_send(port, frame, sizeof(frame)), 1);
	ivshmem_port_stats(port, &st);
	CHECK_EQ(st.doorbells, 0);
	atomic_store(&rx.ctl->need_wakeup, IVSHM_WAKE_TOKEN(0));
	CHECK_EQ(ivshmem_port_send(port, frame, sizeof(frame)), 1);
	ivshmem_port_stats(port, &st);
	CHECK_EQ(st.doorbells, 1);
	CHECK_EQ(atomic_load(&rx.ctl->need_wakeup), IVSHM_WAKE_NONE); /* once per arming */
	CHECK_EQ(ivshm_rx_avail(&rx, 8), 2);
}

/* Refusals: each with its errno and a message that says why. */
static void test_bad_open(void)
{
	char err[IVSHMEM_ERR_LEN], spec[160];
	struct ivshmem_port *q = NULL;

	CHECK_EQ(ivshmem_port_open("bogus=1", &q, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "unknown devarg 'bogus'") != NULL);
	CHECK_EQ(ivshmem_port_open("", &q, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "or pci=BDF") != NULL);
	snprintf(spec, sizeof(spec), "shm=%s-small,size=64K,id=0", path);
	CHECK_EQ(ivshmem_port_open(spec, &q, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "needs 3436544: lower any of") != NULL);
	/* our live port holds id 0: a second one is refused, not taken over */
	snprintf(spec, sizeof(spec), "shm=%s,size=4M,id=0", path);
	CHECK_EQ(ivshmem_port_open(spec, &q, err, sizeof(err)), -EADDRINUSE);
	CHECK(strstr(err, "peer id 0 is already attached and alive") != NULL);
	CHECK_EQ(ivshmem_port_open("pci=../x", &q, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "not a PCI address") != NULL);
	CHECK(q == NULL);
}

/* A region a layout 2.1 peer formatted (its header written by hand, as
 * that peer would) is refused with both versions and what to do. */
static void test_layout_2_1_refused(void)
{
	char err[IVSHMEM_ERR_LEN], spec[160], old[sizeof(path) + 8];
	struct ivshm_wire_hdr h;
	struct ivshmem_port *q = NULL;
	int fd;

	memset(&h, 0, sizeof(h));
	atomic_store(&h.magic, IVSHM_LAYOUT_MAGIC);
	h.version_major = 2;
	h.version_minor = 1;
	atomic_store(&h.format_state, IVSHM_FORMAT_READY);
	h.region_size = SIZE;
	h.layout_size = 3174400;
	h.max_peers = 2;
	h.queues = 1;
	h.ring_size = 1024;
	h.buf_size = 1536;
	h.peers_off = 256;
	h.chans_off = 4096;
	h.chan_stride = 1585152;
	h.desc_off = 192;
	h.bufs_off = 8384;
	snprintf(old, sizeof(old), "%s-v21", path);
	fd = open(old, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, SIZE) == 0 && write(fd, &h, sizeof(h)) == sizeof(h));
	close(fd);
	snprintf(spec, sizeof(spec), "shm=%s,size=4M,id=0", old);
	CHECK_EQ(ivshmem_port_open(spec, &q, err, sizeof(err)), -EINVAL);
	CHECK(q == NULL);
	CHECK(strstr(err, "formatted with BAR2 layout 2.1, this ivshmem-pmd speaks "
		      "layout 3.0") != NULL);
	CHECK(strstr(err, "restart both peers on the same release, or reformat the "
		      "region") != NULL);
	unlink(old);
}

int main(void)
{
	char err[IVSHMEM_ERR_LEN], spec[128];
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/livh%d", (int)getpid());
	snprintf(spec, sizeof(spec), "shm=%s,size=4M,id=0", path);
	if (ivshmem_port_open(spec, &port, err, sizeof(err)) != 0) {
		fprintf(stderr, "open: %s\n", err);
		unlink(path);
		return 1;
	}
	fd = open(path, O_RDWR);
	base = fd < 0 ? MAP_FAILED : mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED ||
	    ivshm_region_attach(&hostile, base, SIZE, 1, NULL, 0) != IVSHM_OK) {
		fprintf(stderr, "cannot attach as the hostile peer\n");
		unlink(path);
		return 1;
	}
	close(fd);
	RUN(test_bad_descriptors);
	RUN(test_wake_token);
	RUN(test_bad_open);
	RUN(test_layout_2_1_refused);
	ivshmem_port_close(port);
	munmap(base, SIZE);
	unlink(path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-small");
	unlink(path);
	return check_exit_code();
}
