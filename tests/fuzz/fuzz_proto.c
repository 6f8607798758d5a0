/* SPDX-License-Identifier: BSD-3-Clause
 * fuzz_proto: a hostile ivshmem-server. The input is a device config byte
 * followed by messages [flags][int64 LE]; a thread plays the server on a
 * real unix socket and sends them, attaching real fds (eventfds or memfds
 * of a chosen size), splitting messages across writes or attaching two
 * fds when asked, then hangs up. The client side (host/ivshm_proto.c
 * reassembly + host/ivshm_device.c message handling) must either fail with
 * an errno and a message or open a device that then polls, rings
 * doorbells and closes cleanly; ASan catches memory errors, and the fd
 * count before/after catches leaks.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ivshm_device.h"
#include "ivshm_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define MAX_FDS_PER_INPUT 48
#define F_FD     0x01u /* attach an fd */
#define F_MEMFD  0x02u /* ... a memfd (shm) instead of an eventfd */
#define F_SPLIT  0x04u /* send the 8 bytes in two writes */
#define F_TWO    0x08u /* attach two fds (protocol error) */
#define F_SMALL  0x80u /* value is the first byte, sign-extended */

struct script {
	const uint8_t *msgs;
	size_t len;
	int listener;
};

static char sock_path[108];
static int listener = -1;

static void cleanup(void)
{
	char dir[108];

	if (listener >= 0)
		close(listener);
	unlink(sock_path);
	snprintf(dir, sizeof(dir), "%s", sock_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

static void init_once(void)
{
	char dir[] = "/tmp/fuzz_proto.XXXXXX";
	char err[IVSHM_ERR_LEN];

	if (listener >= 0)
		return;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	listener = ivshm_proto_listen(sock_path, err, sizeof(err));
	CHECK(listener >= 0);
	atexit(cleanup);
}

static int make_fd(unsigned int flags)
{
	int fd;

	if (!(flags & F_MEMFD))
		return eventfd(0, EFD_CLOEXEC);
	fd = memfd_create("fuzz_proto", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, 4096l << ((flags >> 4) & 7)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_with_fds(int sock, const uint8_t *b, size_t len, const int *fds,
			 unsigned int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)b, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Sends one message; returns -1 once the client hung up. */
static int send_msg(int sock, unsigned int flags, int64_t value, unsigned int *fds_used)
{
	uint8_t b[IVSHM_MSG_BYTES];
	int fds[2] = { -1, -1 };
	unsigned int nfds = 0, i;
	int rc;

	ivshm_proto_encode(value, b);
	if ((flags & F_FD) && *fds_used < MAX_FDS_PER_INPUT) {
		nfds = (flags & F_TWO) ? 2 : 1;
		for (i = 0; i < nfds; i++)
			fds[i] = make_fd(flags);
		if (fds[0] < 0 || (nfds == 2 && fds[1] < 0))
			nfds = 0;
		*fds_used += nfds;
	}
	if (flags & F_SPLIT) {
		rc = send_with_fds(sock, b, 3, fds, nfds);
		if (rc == 0)
			rc = send_with_fds(sock, b + 3, 5, NULL, 0);
	} else {
		rc = send_with_fds(sock, b, sizeof(b), fds, nfds);
	}
	/* our copies: the kernel holds its own references in flight */
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

static void *server_thread(void *arg)
{
	const struct script *s = arg;
	struct pollfd p = { .fd = s->listener, .events = POLLIN };
	unsigned int fds_used = 0;
	size_t at;
	int sock;

	if (poll(&p, 1, 2000) <= 0)
		return NULL;
	sock = accept4(s->listener, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0)
		return NULL;
	for (at = 0; at + 9 <= s->len; at += 9) {
		unsigned int flags = s->msgs[at];
		int64_t v;
		uint64_t le = 0;

		if (flags & F_SMALL) {
			v = (int8_t)s->msgs[at + 1];
		} else {
			for (int i = 7; i >= 0; i--)
				le = le << 8 | s->msgs[at + 1 + i];
			v = (int64_t)le;
		}
		if (send_msg(sock, flags, v, &fds_used) < 0)
			break;
	}
	close(sock); /* the client then sees the server gone */
	return NULL;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void exercise(struct ivshm_device *dev, unsigned int c)
{
	char err[IVSHM_ERR_LEN];
	struct ivshm_device_stats st;

	CHECK(ivshm_device_bar2(dev) != NULL);
	CHECK(ivshm_device_bar2_size(dev) > 0);
	for (int i = 0; i < 8; i++) {
		int rc = ivshm_device_poll(dev, err, sizeof(err));

		if (rc < 0)
			break;
	}
	for (unsigned int dest = 0; dest < 4; dest++)
		for (unsigned int v = 0; v < 3; v++)
			ivshm_device_reg_write(dev, IVSHM_REG_DOORBELL,
					       IVSHM_DOORBELL_VALUE(dest, v));
	ivshm_device_reg_write(dev, IVSHM_REG_INTRMASK, c);
	for (uint32_t off = 0; off < 0x14; off += 4)
		(void)ivshm_device_reg_read(dev, off);
	for (unsigned int v = 0; v < 66; v++)
		(void)ivshm_device_vector_fd(dev, v);
	(void)ivshm_device_peer_vectors(dev, c);
	(void)ivshm_device_intx_level(dev);
	ivshm_device_get_stats(dev, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivshm_device_config cfg;
	struct ivshm_device *dev = NULL;
	struct script s;
	char err[IVSHM_ERR_LEN] = "";
	pthread_t th;
	int rc, fds_before;
	unsigned int c;

	if (size < 1)
		return 0;
	init_once();
	c = data[0];
	memset(&cfg, 0, sizeof(cfg));
	cfg.server_path = sock_path;
	cfg.vectors = 1 + (c & 3);
	cfg.wait_vectors = (c >> 2) & 3;
	cfg.protocol = (c & 0x10) ? IVSHM_PROTO_PRE_VERSION : IVSHM_PROTO_V0;
	cfg.irq_mode = (c & 0x20) ? IVSHM_IRQ_INTX : IVSHM_IRQ_MSIX;
	cfg.size = (c & 0x40) ? 8192 : 0;
	cfg.role = (c & 0x80) ? IVSHM_ROLE_MASTER : IVSHM_ROLE_AUTO;
	cfg.timeout_ms = 1000;
	s.msgs = data + 1;
	s.len = size - 1;
	s.listener = listener;

	fds_before = count_fds();
	CHECK(pthread_create(&th, NULL, server_thread, &s) == 0);
	rc = ivshm_device_open(&cfg, &dev, err, sizeof(err));
	if (rc < 0) {
		CHECK(dev == NULL || true);
		CHECK(err[0] != '\0'); /* every refusal says why */
	} else {
		CHECK(dev != NULL);
		exercise(dev, c);
		ivshm_device_close(dev);
	}
	pthread_join(th, NULL);
	CHECK(count_fds() == fds_before); /* no fd leaked on any path */
	return 0;
}
