/* SPDX-License-Identifier: BSD-3-Clause
 * fuzz_devargs: arbitrary strings into ivshmem_devargs_parse, for both
 * backends. First input byte picks the backend; the rest is the string
 * (NUL-terminated copy, exact size so ASan sees over-reads). Checks: the
 * result is 0 or -EINVAL, an error always comes with a message, and a
 * success yields values inside their documented ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ivshmem_devargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_devargs: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivshmem_devargs a;
	char err[128];
	enum ivshmem_backend_kind kind;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	kind = (data[0] & 1) ? IVSHMEM_BACKEND_HOST : IVSHMEM_BACKEND_PCI;
	s = malloc(size);
	CHECK(s != NULL);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err[0] = '\0';
	memset(&a, 0x5a, sizeof(a));
	rc = ivshmem_devargs_parse(s, kind, &a, err, sizeof(err));
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (rc != 0) {
		CHECK(err[0] != '\0');
	} else {
		CHECK(ivshm_geometry_check(&a.port.geo) == IVSHM_OK);
		CHECK(memchr(a.host.server_path, '\0', sizeof(a.host.server_path)) != NULL);
		CHECK(memchr(a.host.shm_path, '\0', sizeof(a.host.shm_path)) != NULL);
		CHECK(a.port.peer >= -1 && a.port.peer <= 65535);
		CHECK(a.host.id >= -1);
	}
	/* a tiny error buffer must still be NUL-terminated, never overrun */
	rc = ivshmem_devargs_parse(s, kind, &a, err, 1);
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(err[0] == '\0');
	free(s);
	return 0;
}
