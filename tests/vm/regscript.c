/* SPDX-License-Identifier: BSD-3-Clause
 * Guest side of the register-fidelity test: maps BAR0 of a PCI device through
 * sysfs (no driver needed) and runs the register script on it.
 * Usage: regscript 0000:00:04.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "regscript.h"

static uint32_t mmio_read(void *ctx, uint32_t off)
{
	return *(volatile uint32_t *)((char *)ctx + off);
}

static void mmio_write(void *ctx, uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)((char *)ctx + off) = val;
}

int main(int argc, char **argv)
{
	char path[256];

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", argv[1]);
	int fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	/* BAR0 is 256 bytes; sysfs maps whole pages. */
	void *bar0 = mmap(NULL, (size_t)getpagesize(), PROT_READ | PROT_WRITE,
			  MAP_SHARED, fd, 0);
	close(fd);
	if (bar0 == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct regscript_bar0 ops = { mmio_read, mmio_write, bar0 };
	regscript_run(&ops, stdout);
	return 0;
}
