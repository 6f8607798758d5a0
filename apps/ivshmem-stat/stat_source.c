/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: opening and mapping a region read-only (stat_source.h),
 * through libivshmem's read-only inspection (the library opens regions for
 * every program: include/ivshmem.h).
 */
#include "stat_source.h"

#include <ivshmem.h>

static int open_kind(struct stat_source *s, enum ivshmem_source kind, const char *where,
		     int timeout_ms, char *err, size_t errlen)
{
	if (ivshmem_inspect_open(kind, where, timeout_ms, &s->in, err, errlen) != 0)
		return -1;
	s->base = ivshmem_inspect_base(s->in);
	s->size = ivshmem_inspect_size(s->in);
	return 0;
}

int stat_source_open_file(struct stat_source *s, const char *path, char *err,
			  size_t errlen)
{
	return open_kind(s, IVSHMEM_SOURCE_SHM, path, 0, err, errlen);
}

int stat_source_open_server(struct stat_source *s, const char *sock_path,
			    int timeout_ms, char *err, size_t errlen)
{
	return open_kind(s, IVSHMEM_SOURCE_SERVER, sock_path, timeout_ms, err, errlen);
}

int stat_source_open_pci(struct stat_source *s, const char *bdf, char *err,
			 size_t errlen)
{
	return open_kind(s, IVSHMEM_SOURCE_PCI, bdf, 0, err, errlen);
}

void stat_source_close(struct stat_source *s)
{
	ivshmem_inspect_close(s->in);
	s->in = NULL;
	s->base = NULL;
}
