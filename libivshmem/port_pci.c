/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: a guest's ivshmem PCI device (1af4:1110) through sysfs, for a
 * program without DPDK: BAR0 (resource0) for IVPOSITION and the doorbell,
 * BAR2 (resource2) mapped read-write. No interrupts: sysfs gives none, so
 * the port polls (vfio-pci with MSI-X is what the PMD is for).
 */
#include "port_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshm_device.h"
#include "ivshm_util.h"

#define PCI_CAP_PTR      0x34u
#define PCI_STATUS       0x06u
#define PCI_STATUS_CAPS  0x10u
#define PCI_CAP_ID_MSIX  0x11u

/* Maps sysfs file dir/name whole (prot as given); its size in *len. */
static void *map_resource(const char *dir, const char *name, int prot,
			  size_t *len, char *err, size_t errlen)
{
	char path[320];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, (prot & PROT_WRITE) ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
		ivshm_set_err(err, errlen, "%s: %s", path,
			      fd < 0 ? strerror(errno) : "empty resource");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ivshm_set_err(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	*len = (size_t)st.st_size;
	return p;
}

/* ivshmem-doorbell has an MSI-X capability (and a server behind it);
 * ivshmem-plain has none. Walks the capability list of the config space. */
static bool has_msix(const char *dir)
{
	uint8_t cfg[256] = { 0 }, pos;
	char path[320];
	ssize_t n;
	int fd, hops;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cfg, sizeof(cfg));
	close(fd);
	if (n < 64 || !(cfg[PCI_STATUS] & PCI_STATUS_CAPS))
		return false;
	for (pos = cfg[PCI_CAP_PTR] & 0xfc, hops = 0; pos >= 0x40 && hops < 48;
	     pos = cfg[pos + 1] & 0xfc, hops++)
		if (pos + 1 < n && cfg[pos] == PCI_CAP_ID_MSIX)
			return true;
	return false;
}

/* Memory decoding on (the PMD's vfio-pci does it; a device bound to no
 * driver may have it off). Best effort: the mapping says the rest. */
static void enable_device(const char *dir)
{
	char path[320];
	int fd;

	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1) { /* already enabled by a driver */ }
		close(fd);
	}
}

/* Reads a sysfs hex attribute such as "0x1af4". */
static int read_sysfs_id(const char *dir, const char *name, unsigned int *out)
{
	char path[320];
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

int port_pci_find(const char *bdf, char dir[PORT_PCI_DIR_LEN], char *err, size_t errlen)
{
	unsigned int vendor, device;

	if (strchr(bdf, '/') != NULL || strlen(bdf) > 64) {
		ivshm_set_err(err, errlen, "%s: not a PCI address (like 0000:00:04.0)", bdf);
		return -EINVAL;
	}
	snprintf(dir, PORT_PCI_DIR_LEN, "/sys/bus/pci/devices/%s", bdf);
	if (read_sysfs_id(dir, "vendor", &vendor) < 0 ||
	    read_sysfs_id(dir, "device", &device) < 0) {
		ivshm_set_err(err, errlen, "%s: no such PCI device (%s)", bdf, dir);
		return -ENODEV;
	}
	if (vendor != IVSHM_PCI_VENDOR_ID || device != IVSHM_PCI_DEVICE_ID) {
		ivshm_set_err(err, errlen, "%s: %04x:%04x is not an ivshmem device (%04x:%04x)",
			      bdf, vendor, device, IVSHM_PCI_VENDOR_ID, IVSHM_PCI_DEVICE_ID);
		return -ENODEV;
	}
	return 0;
}

int port_dev_open_pci(struct port_dev *d, const char *bdf,
		      const struct ivshmem_devargs *a, char *err, size_t errlen)
{
	char dir[PORT_PCI_DIR_LEN], why[IVSHM_ERR_LEN];
	size_t len2 = 0;
	uint16_t id;
	int rc = port_pci_find(bdf, dir, err, errlen);

	if (rc != 0)
		return rc;
	enable_device(dir);
	d->bar0 = map_resource(dir, "resource0", PROT_READ | PROT_WRITE, &d->bar0_len,
			       err, errlen);
	if (d->bar0 == NULL)
		return -ENODEV;
	d->has_server = has_msix(dir);
	if (ivshmem_devargs_pci_id(a, d->bar0[IVSHM_REG_IVPOSITION / 4], d->has_server,
				   &id, why, sizeof(why)) != 0) {
		ivshm_set_err(err, errlen, "%s: %s", bdf, why);
		port_dev_close(d);
		return -EINVAL;
	}
	d->id = id;
	d->bar2 = map_resource(dir, "resource2", PROT_READ | PROT_WRITE, &len2, err, errlen);
	if (d->bar2 == NULL) {
		port_dev_close(d);
		return -ENODEV;
	}
	d->bar2_size = len2;
	d->vectors = 0; /* sysfs gives no interrupts: poll */
	return 0;
}

void port_dev_close(struct port_dev *d)
{
	if (d->host != NULL) {
		ivshm_device_close(d->host); /* unmaps BAR2 */
	} else {
		if (d->bar2 != NULL)
			munmap(d->bar2, (size_t)d->bar2_size);
		if (d->bar0 != NULL)
			munmap((void *)(uintptr_t)d->bar0, d->bar0_len);
	}
	*d = (struct port_dev){ 0 };
}
