/* SPDX-License-Identifier: BSD-3-Clause
 * fuzz_proto: a hostile ivshmem-server. The input is a device config byte
 * followed by messages [flags][int64 LE]. Everything the "server" says is
 * written up front into one end of a socketpair, with real fds attached
 * (eventfds or memfds of a chosen size), messages split across writes or
 * two fds attached when asked, then that end is closed; the other end is
 * what the device's connect() returns (linked with
 * --wrap=ivshm_proto_connect). So the client side (host/ivshm_proto.c
 * reassembly + host/ivshm_device.c message handling) runs in this thread
 * with no server thread, listener or path. It must either fail with an
 * errno and a message or open a device that then polls, rings doorbells
 * and closes cleanly; ASan catches memory errors, and the set of open fds
 * before/after catches leaks.
 */
#include <errno.h>
#include <poll.h>
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
int __wrap_ivshm_proto_connect(const char *path, char *err, size_t errlen);

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define MAX_FDS_PER_INPUT 48
#define F_FD     0x01u /* attach an fd */
#define F_MEMFD  0x02u /* ... a memfd (shm) instead of an eventfd */
#define F_SPLIT  0x04u /* send the 8 bytes in two writes */
#define F_TWO    0x08u /* attach two fds (protocol error) */
#define F_SMALL  0x80u /* value is the first byte, sign-extended */

/* ---- the connection the device gets instead of connect() -------------- */

static int pending_sock = -1;

int __wrap_ivshm_proto_connect(const char *path, char *err, size_t errlen)
{
	int fd = pending_sock;

	(void)path;
	pending_sock = -1;
	if (fd < 0) {
		ivshm_set_err(err, errlen, "fuzz_proto: no prepared connection");
		return -ECONNREFUSED;
	}
	return fd;
}

/* ---- fds the server sends ---------------------------------------------- */

/* Created once; SCM_RIGHTS gives the device its own new fd each time, so
 * what the device closes (or leaks) is never one of these. The i-th fd of
 * an input is always eventfds[i], drained after each input so that no
 * doorbell counter carries over; memfds are indexed by their size. */
static int eventfds[MAX_FDS_PER_INPUT];
static int memfds[8];

static void init_once(void)
{
	static bool done;

	if (done)
		return;
	for (unsigned int i = 0; i < MAX_FDS_PER_INPUT; i++) {
		eventfds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		CHECK(eventfds[i] >= 0);
	}
	for (unsigned int i = 0; i < 8; i++) {
		memfds[i] = memfd_create("fuzz_proto", MFD_CLOEXEC);
		CHECK(memfds[i] >= 0);
		CHECK(ftruncate(memfds[i], 4096l << i) == 0);
	}
	done = true;
}

static int pool_fd(unsigned int flags, unsigned int index)
{
	return (flags & F_MEMFD) ? memfds[(flags >> 4) & 7] : eventfds[index];
}

/* Undoes what an input may have done to the pool: doorbell counters in
 * the eventfds, and (a memfd passed where an eventfd belongs gets written
 * and read by doorbells / INTx) the size and offset of the memfds. */
static void reset_pool(unsigned int eventfds_used)
{
	uint64_t cnt;

	for (unsigned int i = 0; i < eventfds_used && i < MAX_FDS_PER_INPUT; i++)
		if (read(eventfds[i], &cnt, sizeof(cnt)) < 0) { /* was 0 */ }
	for (unsigned int i = 0; i < 8; i++) {
		if (lseek(memfds[i], 0, SEEK_CUR) == 0)
			continue;
		CHECK(ftruncate(memfds[i], 4096l << i) == 0);
		CHECK(lseek(memfds[i], 0, SEEK_SET) == 0);
	}
}

/* ---- writing the script ------------------------------------------------ */

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
	/* never blocks: a full socket buffer ends the script early */
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

/* Sends one message; returns -1 once the socket buffer is full. */
static int send_msg(int sock, unsigned int flags, int64_t value,
		    unsigned int *fds_used)
{
	uint8_t b[IVSHM_MSG_BYTES];
	int fds[2] = { -1, -1 };
	unsigned int nfds = 0;

	ivshm_proto_encode(value, b);
	if ((flags & F_FD) && *fds_used + 2 <= MAX_FDS_PER_INPUT) {
		nfds = (flags & F_TWO) ? 2 : 1;
		for (unsigned int i = 0; i < nfds; i++)
			fds[i] = pool_fd(flags, *fds_used + i);
		*fds_used += nfds;
	}
	if (flags & F_SPLIT)
		return send_with_fds(sock, b, 3, fds, nfds) < 0 ? -1 :
		       send_with_fds(sock, b + 3, 5, NULL, 0);
	return send_with_fds(sock, b, sizeof(b), fds, nfds);
}

static int64_t msg_value(const uint8_t *m)
{
	uint64_t le = 0;

	if (m[0] & F_SMALL)
		return (int8_t)m[1];
	for (int i = 7; i >= 0; i--)
		le = le << 8 | m[1 + i];
	return (int64_t)le;
}

/* Writes the whole script into srv and hangs up: the device reads it all,
 * then sees the server gone. Returns how many pool eventfds were used. */
static unsigned int write_script(int srv, const uint8_t *msgs, size_t len)
{
	unsigned int fds_used = 0;

	if (len / 9 > 128) { /* room for long scripts (capped by wmem_max) */
		int want = 1 << 20;

		(void)setsockopt(srv, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	}
	for (size_t at = 0; at + 9 <= len; at += 9)
		if (send_msg(srv, msgs[at], msg_value(msgs + at), &fds_used) < 0)
			break;
	close(srv);
	return fds_used;
}

/* ---- leak check -------------------------------------------------------- */

/* Open fds below FD_SCAN, in one poll() (closed ones report POLLNVAL). New
 * fds take the lowest free numbers, so while fewer than FD_SCAN - 64 are
 * open, every fd an input creates lands in this range. */
#define FD_SCAN 256
static unsigned int count_fds(void)
{
	struct pollfd p[FD_SCAN];
	unsigned int n = 0;

	for (int i = 0; i < FD_SCAN; i++)
		p[i] = (struct pollfd){ .fd = i, .events = 0 };
	CHECK(poll(p, FD_SCAN, 0) >= 0);
	for (int i = 0; i < FD_SCAN; i++)
		n += !(p[i].revents & POLLNVAL);
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
	char err[IVSHM_ERR_LEN] = "";
	unsigned int c, fds_before, used;
	int rc, sv[2];

	if (size < 1)
		return 0;
	init_once();
	c = data[0];
	memset(&cfg, 0, sizeof(cfg));
	cfg.server_path = "fuzz_proto"; /* unused: connect() is wrapped */
	cfg.vectors = 1 + (c & 3);
	cfg.wait_vectors = (c >> 2) & 3;
	cfg.protocol = (c & 0x10) ? IVSHM_PROTO_PRE_VERSION : IVSHM_PROTO_V0;
	cfg.irq_mode = (c & 0x20) ? IVSHM_IRQ_INTX : IVSHM_IRQ_MSIX;
	cfg.size = (c & 0x40) ? 8192 : 0;
	cfg.role = (c & 0x80) ? IVSHM_ROLE_MASTER : IVSHM_ROLE_AUTO;
	cfg.timeout_ms = 1000; /* never reached: the script ends in EOF */

	fds_before = count_fds();
	CHECK(fds_before + 64 < FD_SCAN);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	used = write_script(sv[0], data + 1, size - 1);
	pending_sock = sv[1];
	rc = ivshm_device_open(&cfg, &dev, err, sizeof(err));
	CHECK(pending_sock == -1); /* the device took the connection */
	if (rc < 0) {
		CHECK(err[0] != '\0'); /* every refusal says why */
	} else {
		CHECK(dev != NULL);
		exercise(dev, c);
		ivshm_device_close(dev);
	}
	reset_pool(used);
	CHECK(count_fds() == fds_before); /* no fd leaked on any path */
	return 0;
}
