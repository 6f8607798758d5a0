/* SPDX-License-Identifier: BSD-3-Clause
 * Devargs of the PCI device: id= picks the own id on ivshmem-plain (no
 * server, IVPOSITION always 0) and must agree with IVPOSITION where a
 * server assigned it (ivshmem-doorbell).
 */
#include <errno.h>
#include <string.h>

#include "../check.h"
#include "ivshmem_devargs.h"

static char err[256];

static int parse_pci(const char *s, struct ivshmem_devargs *a)
{
	err[0] = '\0';
	return ivshmem_devargs_parse(s, IVSHMEM_BACKEND_PCI, a, err, sizeof(err));
}

static void test_pci_accepts_id(void)
{
	struct ivshmem_devargs a;

	CHECK_EQ(parse_pci("id=1,peer=0", &a), 0);
	CHECK_EQ(a.host.id, 1);
	CHECK_EQ(a.port.peer, 0);
	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(a.host.id, -1);
	CHECK_EQ(parse_pci("id=65536", &a), -EINVAL);
	CHECK(strcmp(err, "devarg id='65536' is invalid: expected peer id 0..65535") == 0);
}

static void test_plain_id_from_devarg(void)
{
	struct ivshmem_devargs a;
	uint16_t id = 99;

	CHECK_EQ(parse_pci("id=1", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 0, false, &id, err, sizeof(err)), 0);
	CHECK_EQ(id, 1);
	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 0, false, &id, err, sizeof(err)), 0);
	CHECK_EQ(id, 0);
}

static void test_doorbell_ivposition_rules(void)
{
	struct ivshmem_devargs a;
	uint16_t id = 99;

	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 3, true, &id, err, sizeof(err)), 0);
	CHECK_EQ(id, 3);
	CHECK_EQ(parse_pci("id=3", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 3, true, &id, err, sizeof(err)), 0);
	CHECK_EQ(id, 3);
	id = 99;
	CHECK_EQ(parse_pci("id=1", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 0, true, &id, err, sizeof(err)), -EINVAL);
	CHECK_EQ(id, 99);
	CHECK(strcmp(err, "devarg id=1 disagrees with IVPOSITION 0: on "
		     "ivshmem-doorbell the server assigns the id") == 0);
	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(ivshmem_devargs_pci_id(&a, 0xffffffffu, true, &id, err, sizeof(err)),
		 -EINVAL);
	CHECK(strcmp(err, "IVPOSITION reads 4294967295: the server assigned no peer id") == 0);
}

int main(void)
{
	RUN(test_pci_accepts_id);
	RUN(test_plain_id_from_devarg);
	RUN(test_doorbell_ivposition_rules);
	return check_exit_code();
}
