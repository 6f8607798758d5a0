/* SPDX-License-Identifier: BSD-3-Clause
 * The host device model's private state, shared by ivshm_device.c (the
 * device as QEMU's ivshmem-plain/ivshmem-doorbell are today) and
 * ivshm_device_legacy.c (what only older QEMU's legacy "ivshmem" did: the
 * INTx pin, the pre-version server protocol's own-id rule, power-of-two
 * sizes). Structs only: each file's functions are in its own header
 * (ivshm_device.h, ivshm_device_legacy.h). Not an API.
 */
#ifndef IVSHM_DEVICE_PRIV_H
#define IVSHM_DEVICE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ivshm_device_types.h"
#include "ivshm_proto.h"

/* 16 bytes a slot: a server may announce any id up to 65535, and the
 * table grows to it, so the fds live in a per-peer array allocated when
 * the peer's first eventfd arrives (was 260 bytes a slot: 17 MB). */
struct peer {
	unsigned int n;               /* eventfds received: vectors 0..n-1 */
	int *fd;                      /* dev->vectors entries, or NULL */
};

struct ivshm_device {
	pthread_mutex_t lock;         /* peers, registers, stats */
	enum ivshm_irq_mode irq_mode;
	unsigned int vectors;
	uint64_t want_size;           /* 0: whatever the server sends */
	int sock;                     /* -1: plain mode */
	bool server_gone;             /* EOF seen; sock stays open until close
				       * so its number cannot be reused under
				       * an event loop still watching it */
	struct ivshm_proto_rx rx;
	int own_id;                   /* -1 until known (pre-version) */
	bool is_master;
	void *bar2;
	uint64_t bar2_size;
	int bar2_seals;               /* F_GET_SEALS of its fd, or -errno */
	uint64_t bar2_page_size;      /* hugetlbfs page size, or base page */
	struct peer *peers;
	unsigned int nb_peers;        /* room in peers[] */
	uint32_t intrmask;
	uint32_t intrstatus;
	bool line;                    /* INTx pin level */
	int intx_efd;
	void (*intx_cb)(void *arg, bool level);
	void *intx_arg;
	struct ivshm_device_stats st;
};

#endif /* IVSHM_DEVICE_PRIV_H */
