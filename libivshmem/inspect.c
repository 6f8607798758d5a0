/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: a region mapped read-only for inspection (ivshmem-stat):
 * a shm file, an ivshmem-server socket (its shm fd) or a guest PCI
 * device's BAR2 (sysfs resource2). Never a peer, never a write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshmem.h"
#include "ivshm_proto.h"
#include "ivshm_util.h"
#include "port_dev.h"

struct ivshmem_inspect {
	const void *base;
	uint64_t size;
};

/* Maps all of fd read-only; closes fd. */
static int map_fd(struct ivshmem_inspect *s, int fd, const char *what, char *err,
		  size_t errlen)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0) {
		ivshm_set_err(err, errlen, "%s: fstat: %s", what, strerror(errno));
		close(fd);
		return -EIO;
	}
	if (st.st_size <= 0) {
		ivshm_set_err(err, errlen, "%s: region is empty (0 bytes)", what);
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ivshm_set_err(err, errlen, "%s: mmap read-only: %s", what, strerror(errno));
		return -EIO;
	}
	s->base = p;
	s->size = (uint64_t)st.st_size;
	return 0;
}

static int open_file(struct ivshmem_inspect *s, const char *path, char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		ivshm_set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	return map_fd(s, fd, path, err, errlen);
}

/* Reads the version 0 greeting until the shm message (-1 with an fd);
 * eventfds of other peers that come first are closed. */
static int greeting_shm_fd(int sock, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = ivshm_now_ms() + timeout_ms, value;
	struct ivshm_proto_rx rx;
	int fd, rc, n;

	ivshm_proto_rx_init(&rx, IVSHM_PROTO_V0);
	for (n = 0;; n++) {
		rc = ivshm_proto_recv(sock, &rx, deadline, &value, &fd, err, errlen);
		if (rc < 0)
			return -1;
		if (n == 0 && (value != IVSHM_PROTOCOL_VERSION || fd >= 0)) {
			ivshm_set_err(err, errlen, "server sent %" PRId64 "%s as its version, "
				      "expected %d", value, fd >= 0 ? " with an fd" : "",
				      IVSHM_PROTOCOL_VERSION);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (n > 1 && value == IVSHM_MSG_SHM_ID && fd >= 0)
			return fd;
		if (fd >= 0)
			close(fd);
	}
}

/* Connects as a client (the server gives us a peer id and tells the other
 * peers), takes the shm fd from the greeting and disconnects at once. */
static int open_server(struct ivshmem_inspect *s, const char *sock_path,
		       int timeout_ms, char *err, size_t errlen)
{
	char why[IVSHM_ERR_LEN];
	int sock = ivshm_proto_connect(sock_path, why, sizeof(why)), fd;

	if (sock < 0) {
		ivshm_set_err(err, errlen, "%s: %s", sock_path, why);
		return -ECONNREFUSED;
	}
	fd = greeting_shm_fd(sock, timeout_ms, why, sizeof(why));
	close(sock); /* we were a peer of the server only for the greeting */
	if (fd < 0) {
		ivshm_set_err(err, errlen, "%s: %s", sock_path, why);
		return -EPROTO;
	}
	return map_fd(s, fd, sock_path, err, errlen);
}

static int open_pci(struct ivshmem_inspect *s, const char *bdf, char *err,
		    size_t errlen)
{
	char dir[PORT_PCI_DIR_LEN], res[PORT_PCI_DIR_LEN + 16];
	int rc = port_pci_find(bdf, dir, err, errlen);

	if (rc != 0)
		return rc;
	snprintf(res, sizeof(res), "%s/resource2", dir);
	return open_file(s, res, err, errlen);
}

int ivshmem_inspect_open(enum ivshmem_source kind, const char *where, int timeout_ms,
			 struct ivshmem_inspect **out, char *err, size_t errlen)
{
	struct ivshmem_inspect *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL) {
		ivshm_set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = -EINVAL;
	if (where == NULL)
		ivshm_set_err(err, errlen, "no region named");
	else if (kind == IVSHMEM_SOURCE_SHM)
		rc = open_file(s, where, err, errlen);
	else if (kind == IVSHMEM_SOURCE_SERVER)
		rc = open_server(s, where, timeout_ms > 0 ? timeout_ms : 5000, err, errlen);
	else if (kind == IVSHMEM_SOURCE_PCI)
		rc = open_pci(s, where, err, errlen);
	else
		ivshm_set_err(err, errlen, "unknown source kind %d", (int)kind);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const void *ivshmem_inspect_base(const struct ivshmem_inspect *in)
{
	return in->base;
}

uint64_t ivshmem_inspect_size(const struct ivshmem_inspect *in)
{
	return in->size;
}

void ivshmem_inspect_close(struct ivshmem_inspect *in)
{
	if (in == NULL)
		return;
	munmap((void *)(uintptr_t)in->base, (size_t)in->size);
	free(in);
}
