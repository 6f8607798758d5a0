/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: opening and mapping a region read-only (stat_source.h).
 */
#include "stat_source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshm_proto.h"

/* Maps all of fd read-only; closes fd. */
static int map_fd(struct stat_source *s, int fd, const char *what, char *err,
		  size_t errlen)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0) {
		ivshm_set_err(err, errlen, "%s: fstat: %s", what, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_size <= 0) {
		ivshm_set_err(err, errlen, "%s: region is empty (0 bytes)", what);
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ivshm_set_err(err, errlen, "%s: mmap read-only: %s", what, strerror(errno));
		return -1;
	}
	s->base = p;
	s->size = (uint64_t)st.st_size;
	return 0;
}

int stat_source_open_file(struct stat_source *s, const char *path, char *err,
			  size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		ivshm_set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
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

int stat_source_open_server(struct stat_source *s, const char *sock_path,
			    int timeout_ms, char *err, size_t errlen)
{
	char why[IVSHM_ERR_LEN];
	int sock = ivshm_proto_connect(sock_path, why, sizeof(why)), fd;

	if (sock < 0) {
		ivshm_set_err(err, errlen, "%s: %s", sock_path, why);
		return -1;
	}
	fd = greeting_shm_fd(sock, timeout_ms, why, sizeof(why));
	close(sock); /* we were a peer of the server only for the greeting */
	if (fd < 0) {
		ivshm_set_err(err, errlen, "%s: %s", sock_path, why);
		return -1;
	}
	return map_fd(s, fd, sock_path, err, errlen);
}

/* Reads a sysfs hex attribute such as "0x1af4". */
static int read_sysfs_id(const char *dir, const char *name, unsigned int *out)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	ok = fscanf(f, "%x", out) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int stat_source_open_pci(struct stat_source *s, const char *bdf, char *err,
			 size_t errlen)
{
	char dir[256], res[300];
	unsigned int vendor, device;

	if (strchr(bdf, '/') != NULL || strlen(bdf) > 64) {
		ivshm_set_err(err, errlen, "%s: not a PCI address (like 0000:00:04.0)", bdf);
		return -1;
	}
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", bdf);
	if (read_sysfs_id(dir, "vendor", &vendor) < 0 ||
	    read_sysfs_id(dir, "device", &device) < 0) {
		ivshm_set_err(err, errlen, "%s: no such PCI device (%s)", bdf, dir);
		return -1;
	}
	if (vendor != IVSHM_PCI_VENDOR_ID || device != IVSHM_PCI_DEVICE_ID) {
		ivshm_set_err(err, errlen, "%s: %04x:%04x is not an ivshmem device (%04x:%04x)",
			      bdf, vendor, device, IVSHM_PCI_VENDOR_ID, IVSHM_PCI_DEVICE_ID);
		return -1;
	}
	snprintf(res, sizeof(res), "%s/resource2", dir);
	return stat_source_open_file(s, res, err, errlen);
}

void stat_source_close(struct stat_source *s)
{
	if (s->base != NULL)
		munmap((void *)(uintptr_t)s->base, (size_t)s->size);
	s->base = NULL;
}
