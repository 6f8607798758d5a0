/* SPDX-License-Identifier: BSD-3-Clause
 * Devargs of net_ivshmem (both backends). Parsing is pure: no device is
 * touched, so it is unit-tested and fuzzed on its own.
 */
#ifndef IVSHMEM_DEVARGS_H
#define IVSHMEM_DEVARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "ivshmem_bus.h"
#include "ring_over_shm.h"

enum ivshmem_backend_kind {
	IVSHMEM_BACKEND_PCI,  /* a guest's PCI device */
	IVSHMEM_BACKEND_HOST, /* --vdev: server socket or shm file */
};

/* Geometry devargs given explicitly (port.geo_given): attach says so when
 * the region it joins has another value. */
#define IVSHMEM_GIVEN_MAX_PEERS 0x1u
#define IVSHMEM_GIVEN_QUEUES    0x2u
#define IVSHMEM_GIVEN_RING_SIZE 0x4u
#define IVSHMEM_GIVEN_BUF_SIZE  0x8u
#define IVSHMEM_GIVEN_INLINE_SIZE 0x10u

/* What the port keeps after probe. */
struct ivshmem_port_args {
	struct ivshm_geometry geo; /* used when this peer formats the region */
	uint32_t geo_given;        /* IVSHMEM_GIVEN_*: which of geo was asked for */
	int peer;                  /* -1: the other peer of a two-peer setup */
	bool has_mac;
	uint8_t mac[6];
	bool zero_copy;            /* Rx hands out the peer's buffers (ivshmem_zc.c) */
	uint32_t link_timeout_ms;  /* peer's heartbeat still this long: link down */
};

/* link_timeout_ms: the default (IVSHM_LINK_TIMEOUT_US) detects a dead peer
 * within ~60 ms; a starved host (an alarm thread held off for 90 ms was
 * seen under ASan at load 17) needs more, or the link flaps. Below 3
 * heartbeat periods one late tick would already take the link down. */
#define IVSHMEM_LINK_TIMEOUT_MS_MIN 30u
#define IVSHMEM_LINK_TIMEOUT_MS_MAX 60000u

/* All devargs, parsed once: each part goes where it is used, as is. */
struct ivshmem_devargs {
	struct ivshmem_port_args port;
	/* the host backend's (vdev); host.id is also the own id of an
	 * ivshmem-plain PCI device (-1 = unset) */
	struct ivshmem_host_args host;
};

/* Parses "k=v,k=v" for the given backend into out (defaults first).
 * On error returns -EINVAL and writes a message naming the devarg. */
int ivshmem_devargs_parse(const char *args, enum ivshmem_backend_kind kind,
			  struct ivshmem_devargs *out, char *err, unsigned int errlen);

/* The own peer id of a PCI device. With a server (ivshmem-doorbell) the
 * server's id in IVPOSITION is authoritative: an id= that disagrees is
 * refused. Without one (ivshmem-plain, IVPOSITION always 0) id= picks it,
 * so that several guests can share one memory backend. */
int ivshmem_devargs_pci_id(const struct ivshmem_devargs *a, uint32_t ivposition,
			   bool has_server, uint16_t *id, char *err, unsigned int errlen);

#endif /* IVSHMEM_DEVARGS_H */
