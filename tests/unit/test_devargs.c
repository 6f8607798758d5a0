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

static int parse_host(const char *s, struct ivshmem_devargs *a)
{
	err[0] = '\0';
	return ivshmem_devargs_parse(s, IVSHMEM_BACKEND_HOST, a, err, sizeof(err));
}

/* A key given twice is refused (before, the last one won silently). */
static void test_duplicate_refused(void)
{
	struct ivshmem_devargs a;

	CHECK_EQ(parse_host("shm=/dev/shm/x,id=0,id=1", &a), -EINVAL);
	CHECK(strcmp(err, "devarg 'id' is given twice") == 0);
	CHECK_EQ(parse_pci("queues=2,queues=2", &a), -EINVAL);
	CHECK(strcmp(err, "devarg 'queues' is given twice") == 0);
	CHECK_EQ(parse_host("server=/s,server=/t", &a), -EINVAL);
	CHECK(strcmp(err, "devarg 'server' is given twice") == 0);
}

/* Zero, multicast and broadcast addresses cannot be a port's MAC. */
static void test_mac_must_be_unicast_nonzero(void)
{
	static const char *const bad[] = { "mac=00:00:00:00:00:00", "mac=ff:ff:ff:ff:ff:ff",
					   "mac=01:00:5e:00:00:01", "mac=33:33:00:00:00:01" };
	struct ivshmem_devargs a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse_pci(bad[i], &a), -EINVAL);
		CHECK(strstr(err, "expected a unicast address") != NULL);
	}
	CHECK_EQ(parse_pci("mac=02:00:00:00:00:00", &a), 0);
	CHECK(a.port.has_mac);
	CHECK_EQ(a.port.mac[0], 0x02);
}

/* zero_copy: off unless asked, "0"/"1" only (a typo is refused, not off). */
static void test_zero_copy_devarg(void)
{
	static const char *const bad[] = { "zero_copy=", "zero_copy=yes", "zero_copy=2",
					   "zero_copy=10", "zero_copy=-1" };
	struct ivshmem_devargs a;
	size_t i;

	CHECK_EQ(parse_pci("", &a), 0);
	CHECK(!a.port.zero_copy);
	CHECK_EQ(parse_host("shm=/dev/shm/x,id=0,zero_copy=1", &a), 0);
	CHECK(a.port.zero_copy);
	CHECK_EQ(parse_pci("zero_copy=0", &a), 0);
	CHECK(!a.port.zero_copy);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse_pci(bad[i], &a), -EINVAL);
		CHECK(strstr(err, "devarg zero_copy=") != NULL && strstr(err, "expected 0 or 1") != NULL);
	}
}

/* link_timeout_ms: 60 unless asked, 30..60000 (one late heartbeat tick
 * must not take a link down, and a day-long timeout is a typo). */
static void test_link_timeout_devarg(void)
{
	static const char *const bad[] = { "link_timeout_ms=", "link_timeout_ms=29",
					   "link_timeout_ms=60001", "link_timeout_ms=1s",
					   "link_timeout_ms=-100" };
	struct ivshmem_devargs a;
	size_t i;

	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(a.port.link_timeout_ms, 60);
	CHECK_EQ(parse_host("shm=/dev/shm/x,id=0,link_timeout_ms=500", &a), 0);
	CHECK_EQ(a.port.link_timeout_ms, 500);
	CHECK_EQ(parse_pci("link_timeout_ms=30", &a), 0);
	CHECK_EQ(a.port.link_timeout_ms, 30);
	CHECK_EQ(parse_pci("link_timeout_ms=60000", &a), 0);
	CHECK_EQ(a.port.link_timeout_ms, 60000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse_pci(bad[i], &a), -EINVAL);
		CHECK(strstr(err, "devarg link_timeout_ms=") != NULL &&
		      strstr(err, "expected milliseconds 30..60000") != NULL);
	}
}

/* Which geometry devargs were asked for (attach names those not honoured). */
static void test_geometry_given(void)
{
	struct ivshmem_devargs a;

	CHECK_EQ(parse_pci("", &a), 0);
	CHECK_EQ(a.port.geo_given, 0);
	CHECK_EQ(parse_pci("ring_size=1024,queues=2", &a), 0);
	CHECK_EQ(a.port.geo_given, IVSHMEM_GIVEN_RING_SIZE | IVSHMEM_GIVEN_QUEUES);
	CHECK_EQ(parse_pci("max_peers=4,buf_size=4096,peer=1", &a), 0);
	CHECK_EQ(a.port.geo_given, IVSHMEM_GIVEN_MAX_PEERS | IVSHMEM_GIVEN_BUF_SIZE);
}

int main(void)
{
	RUN(test_pci_accepts_id);
	RUN(test_plain_id_from_devarg);
	RUN(test_doorbell_ivposition_rules);
	RUN(test_duplicate_refused);
	RUN(test_mac_must_be_unicast_nonzero);
	RUN(test_geometry_given);
	RUN(test_zero_copy_devarg);
	RUN(test_link_timeout_devarg);
	return check_exit_code();
}
