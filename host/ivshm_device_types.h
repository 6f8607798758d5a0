/* SPDX-License-Identifier: BSD-3-Clause
 * The host device model's public types (configuration, modes, stats), apart
 * from its functions (ivshm_device.h) so that the private state
 * (ivshm_device_priv.h) and the legacy part can use them without including
 * the device's interface.
 */
#ifndef IVSHM_DEVICE_TYPES_H
#define IVSHM_DEVICE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ivshm_proto.h" /* enum ivshm_proto_flavour */

enum ivshm_irq_mode {
	IVSHM_IRQ_MSIX, /* ivshmem-doorbell / msi=on: vector N fires eventfd N */
	IVSHM_IRQ_INTX, /* legacy msi=off: a doorbell sets IntrStatus to 1 */
};

enum ivshm_role {
	IVSHM_ROLE_AUTO,   /* master if id 0 (QEMU's master=auto) */
	IVSHM_ROLE_PEER,
	IVSHM_ROLE_MASTER, /* must be peer 0: error otherwise */
};

struct ivshm_device_config {
	/* exactly one of these two */
	const char *server_path;  /* ivshmem-server socket (ivshmem-doorbell) */
	const char *shm_path;     /* plain shm file (ivshmem-plain) */

	/* Server mode: minimum shm size (0 = take what the server sends; if
	 * set, BAR2 is exactly this size). Plain mode: size to create/expect
	 * (0 = the file's size). */
	uint64_t size;
	bool legacy_size;         /* size defaults to 4 MiB, must be 2^n */
	bool create;              /* plain mode: create the file if missing */
	int id;                   /* plain mode: own peer id (0..65535) */

	unsigned int vectors;     /* device vectors, 1..64 (0 = 1) */
	unsigned int wait_vectors; /* server mode: also wait at open until this
				   * many own eventfds arrived (0: return at the
				   * shm message, like QEMU) */
	enum ivshm_proto_flavour protocol;
	enum ivshm_irq_mode irq_mode;
	enum ivshm_role role;
	int timeout_ms;           /* setup deadline (0 = 5000) */
};

struct ivshm_device_stats {
	uint64_t doorbells;            /* eventfd written */
	uint64_t doorbell_bad_peer;    /* dropped: unknown destination */
	uint64_t doorbell_bad_vector;  /* dropped: vector without eventfd */
	uint64_t peers_joined;         /* first eventfd of a peer seen */
	uint64_t peers_left;
	uint64_t intx_events;          /* own eventfd fired in INTx mode */
};

#endif /* IVSHM_DEVICE_TYPES_H */
