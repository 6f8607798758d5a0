/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-server protocol: see ivshm_proto.h. */
#include "ivshm_proto.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* At most this many fds are accepted from one recvmsg, so that a server
 * sending several can be detected and its fds closed, not leaked. */
#define RX_MAX_FDS 8

_Static_assert(sizeof(long) <= IVSHM_MSG_BYTES, "pre-version message fits");

void ivshm_proto_encode(int64_t value, uint8_t out[IVSHM_MSG_BYTES])
{
	uint64_t le = htole64((uint64_t)value);

	memcpy(out, &le, IVSHM_MSG_BYTES);
}

int64_t ivshm_proto_decode(const uint8_t *in, enum ivshm_proto_flavour f)
{
	if (f == IVSHM_PROTO_PRE_VERSION) {
		long host; /* old QEMU read a host long in host byte order */

		memcpy(&host, in, sizeof(host));
		return host;
	}
	uint64_t le;

	memcpy(&le, in, sizeof(le));
	return (int64_t)le64toh(le);
}

unsigned int ivshm_proto_msg_len(enum ivshm_proto_flavour f)
{
	return f == IVSHM_PROTO_PRE_VERSION ? sizeof(long) : IVSHM_MSG_BYTES;
}

int ivshm_proto_send_bytes(int sock, const uint8_t *bytes, size_t len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)bytes, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return (int)n;
}

void ivshm_proto_rx_init(struct ivshm_proto_rx *rx, enum ivshm_proto_flavour f)
{
	memset(rx, 0, sizeof(*rx));
	rx->flavour = f;
	rx->fd = -1;
}

void ivshm_proto_rx_reset(struct ivshm_proto_rx *rx)
{
	if (rx->fd >= 0)
		close(rx->fd);
	ivshm_proto_rx_init(rx, rx->flavour);
}

static void close_fds(const int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Collects the SCM_RIGHTS fds of one recvmsg into fds[]; returns the count. */
static unsigned int take_fds(struct msghdr *msg, int *fds)
{
	unsigned int n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k && n < RX_MAX_FDS; i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
	}
	return n;
}

/* Attaches the fds of one read to the message being assembled. A message
 * carries at most one fd: more is a protocol error (all are closed). */
static int attach_fds(struct ivshm_proto_rx *rx, const int *fds, unsigned int n,
		      bool truncated, char *err, size_t errlen)
{
	if (truncated || n > 1 || (n == 1 && rx->fd >= 0)) {
		close_fds(fds, n);
		ivshm_set_err(err, errlen,
			      "protocol error: more than one fd in one message");
		return -EPROTO;
	}
	if (n == 1)
		rx->fd = fds[0];
	return 0;
}

int ivshm_proto_rx_read(int sock, struct ivshm_proto_rx *rx, int64_t *value,
			int *fd, char *err, size_t errlen)
{
	unsigned int need = ivshm_proto_msg_len(rx->flavour);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(RX_MAX_FDS * sizeof(int))];
	} ctl;
	int fds[RX_MAX_FDS];

	while (rx->have < need) {
		struct iovec iov = { .iov_base = rx->buf + rx->have,
				     .iov_len = need - rx->have };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			int e = errno;

			ivshm_set_err(err, errlen, "read from server failed: %s",
				      strerror(e));
			return -e;
		}
		int rc = attach_fds(rx, fds, take_fds(&msg, fds),
				    (msg.msg_flags & MSG_CTRUNC) != 0, err, errlen);
		if (rc < 0)
			return rc;
		if (n == 0 && rx->have == 0) {
			ivshm_set_err(err, errlen, "server closed the connection");
			return -ECONNRESET;
		}
		if (n == 0) {
			ivshm_set_err(err, errlen,
				      "truncated message: server closed the connection after %u of %u bytes",
				      rx->have, need);
			return -EPROTO;
		}
		rx->have += (unsigned int)n;
	}
	*value = ivshm_proto_decode(rx->buf, rx->flavour);
	*fd = rx->fd;
	rx->fd = -1;
	rx->have = 0;
	return 1;
}

int ivshm_proto_recv(int sock, struct ivshm_proto_rx *rx, int64_t deadline_ms,
		     int64_t *value, int *fd, char *err, size_t errlen)
{
	for (;;) {
		int rc = ivshm_proto_rx_read(sock, rx, value, fd, err, errlen);

		if (rc != 0)
			return rc;
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int left = ivshm_ms_left(deadline_ms);

		if (left == 0) {
			ivshm_set_err(err, errlen,
				      "timed out waiting for the server (%u of %u bytes of a message received)",
				      rx->have, ivshm_proto_msg_len(rx->flavour));
			return -ETIMEDOUT;
		}
		if (poll(&p, 1, left) < 0 && errno != EINTR) {
			int e = errno;

			ivshm_set_err(err, errlen, "poll on server socket: %s",
				      strerror(e));
			return -e;
		}
	}
}

static int fill_addr(struct sockaddr_un *sa, const char *path, char *err,
		     size_t errlen)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len == 0 || len >= sizeof(sa->sun_path)) {
		ivshm_set_err(err, errlen,
			      "socket path too long or empty (%zu bytes, max %zu): %s",
			      len, sizeof(sa->sun_path) - 1, path);
		return -ENAMETOOLONG;
	}
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

/* A unix stream socket and the address for path; returns fd or -errno. */
static int unix_socket(const char *path, struct sockaddr_un *sa, int flags,
		       char *err, size_t errlen)
{
	int rc = fill_addr(sa, path, err, errlen);

	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	if (fd < 0) {
		rc = -errno;
		ivshm_set_err(err, errlen, "socket: %s", strerror(-rc));
	}
	return fd < 0 ? rc : fd;
}

/* Closes fd and reports what failed; returns -errno. */
static int socket_failed(int fd, const char *what, const char *path, char *err,
			 size_t errlen)
{
	int rc = -errno;

	ivshm_set_err(err, errlen, "cannot %s %s: %s", what, path, strerror(-rc));
	close(fd);
	return rc;
}

int ivshm_proto_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd = unix_socket(path, &sa, 0, err, errlen);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return socket_failed(fd, "connect to", path, err, errlen);
	return fd;
}

/* What is at a listening path already: nothing, or a socket nobody
 * listens on (a crashed server's), which is removed. A live socket (another
 * server) or anything that is not a socket is refused, untouched. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char probe_err[8];
	int probe;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		ivshm_set_err(err, errlen, "%s exists and is not a socket: refusing to "
			      "remove it", path);
		return -EEXIST;
	}
	probe = ivshm_proto_connect(path, probe_err, sizeof(probe_err));
	if (probe >= 0) {
		close(probe);
		ivshm_set_err(err, errlen, "%s: another server is listening there",
			      path);
		return -EADDRINUSE;
	}
	if (probe != -ECONNREFUSED)
		return 0; /* bind reports what is wrong with the path */
	unlink(path);
	return 0;
}

/* Gives the node just bound at path its group and mode; never follows a
 * symlink put there meanwhile. */
static int apply_perms(const char *path, const char *shown, const struct ivshm_sock_perms *p,
		       mode_t mode, char *err, size_t errlen)
{
	if (p->set_group &&
	    fchownat(AT_FDCWD, path, (uid_t)-1, p->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		int rc = -errno;

		ivshm_set_err(err, errlen, "cannot give socket %s to group %u: %s%s",
			      shown, (unsigned int)p->gid, strerror(-rc),
			      rc == -EPERM ? " (a server not run as root must be a "
			      "member of that group)" : "");
		return rc;
	}
	if (fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW) < 0) {
		int rc = -errno;

		ivshm_set_err(err, errlen, "cannot set mode %04o on socket %s: %s",
			      (unsigned int)mode, shown, strerror(-rc));
		return rc;
	}
	return 0;
}

/* bind() with the node created as mode 0000, then the group and mode
 * asked for: a connect() before listen() is refused whatever the mode, so
 * there is no moment at which someone not allowed could connect. */
static int bind_with_perms(int fd, const struct sockaddr_un *sa, const char *shown,
			   const struct ivshm_sock_perms *p, char *err, size_t errlen)
{
	if (p == NULL || (!p->set_mode && !p->set_group))
		return bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ?
		       socket_failed(fd, "listen on", shown, err, errlen) : 0;
	mode_t umask_before = umask(0777);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));

	umask(umask_before);
	if (rc < 0)
		return socket_failed(fd, "listen on", shown, err, errlen);
	rc = apply_perms(sa->sun_path, shown, p,
			 p->set_mode ? p->mode : 0777 & ~umask_before, err, errlen);
	if (rc < 0) {
		unlink(sa->sun_path);
		close(fd);
	}
	return rc;
}

/* The socket is bound and listening under a private name, then linked to
 * path: path appears only once a connect() to it can succeed (a client
 * that waits for the file and connects at once was refused in the window
 * between bind and listen). link() fails if path exists meanwhile, so a
 * server starting at the same moment is not replaced. */
static int publish_socket(int fd, const char *tmp, const char *path, char *err,
			  size_t errlen)
{
	int rc = link(tmp, path) < 0 ? -errno : 0;

	unlink(tmp);
	if (rc < 0) {
		errno = -rc;
		return socket_failed(fd, rc == -EEXIST ? "listen on (it appeared meanwhile)" :
				     "listen on", path, err, errlen);
	}
	return fd;
}

int ivshm_proto_listen_perms(const char *path, const struct ivshm_sock_perms *perms,
			     char *err, size_t errlen)
{
	struct sockaddr_un sa;
	char tmp[sizeof(sa.sun_path)];
	int rc = clear_stale_socket(path, err, errlen);
	int n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	/* a path too long for the private name: bound in place, as before */
	const char *bound = n > 0 && (size_t)n < sizeof(tmp) ? tmp : path;

	if (rc < 0)
		return rc;
	if (bound == tmp)
		unlink(tmp); /* our own pid's leftover */
	int fd = unix_socket(bound, &sa, SOCK_NONBLOCK, err, errlen);

	if (fd < 0)
		return fd;
	rc = bind_with_perms(fd, &sa, path, perms, err, errlen);
	if (rc < 0)
		return rc;
	if (listen(fd, SOMAXCONN) < 0) {
		int e = errno;

		unlink(bound); /* ours: bound just now */
		errno = e;
		return socket_failed(fd, "listen on", path, err, errlen);
	}
	return bound == tmp ? publish_socket(fd, tmp, path, err, errlen) : fd;
}

int ivshm_proto_listen(const char *path, char *err, size_t errlen)
{
	return ivshm_proto_listen_perms(path, NULL, err, errlen);
}
