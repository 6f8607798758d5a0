/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: where a region comes from, mapped read-only (PROT_READ of
 * an O_RDONLY fd where we open it): a shm file, an ivshmem-server socket
 * (its shm fd), or a guest PCI device's BAR2 (sysfs resource2). Opened by
 * libivshmem's ivshmem_inspect_open.
 */
#ifndef STAT_SOURCE_H
#define STAT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct ivshmem_inspect;

struct stat_source {
	const void *base;
	uint64_t size;
	struct ivshmem_inspect *in; /* libivshmem's handle */
};

/* Each returns 0, or -1 with a one-line reason in err. */
int stat_source_open_file(struct stat_source *s, const char *path, char *err,
			  size_t errlen);
/* Connects to the server as a client (the server gives it a peer id and
 * tells the other peers), takes the shm fd from the greeting and
 * disconnects at once. */
int stat_source_open_server(struct stat_source *s, const char *sock_path,
			    int timeout_ms, char *err, size_t errlen);
/* BDF like 0000:00:04.0; checks it is an ivshmem device (1af4:1110). */
int stat_source_open_pci(struct stat_source *s, const char *bdf, char *err,
			 size_t errlen);
void stat_source_close(struct stat_source *s);

#endif /* STAT_SOURCE_H */
