/* SPDX-License-Identifier: BSD-3-Clause
 * The host device model's private state, shared by ivshm_device.c (the
 * device as QEMU's ivshmem-plain/ivshmem-doorbell are today) and
 * ivshm_device_legacy.c (what only older QEMU's legacy "ivshmem" did: the
 * INTx pin, the pre-version server protocol's own-id rule, power-of-two
 * sizes). Not an API: users include ivshm_device.h.
 */
#ifndef IVSHM_DEVICE_PRIV_H
#define IVSHM_DEVICE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ivshm_device.h"
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

/* ivshm_device.c: this device's own eventfds (vectors 0..n-1); returns n.
 * Caller holds dev->lock. */
int ivshm_device_own_fds(struct ivshm_device *dev, int *fds);

/* ivshm_device_legacy.c */
/* Recomputes the INTx pin; true if it changed (ivshm_legacy_notify_line due
 * once the lock is dropped). Caller holds dev->lock. */
bool ivshm_legacy_update_line(struct ivshm_device *dev);
void ivshm_legacy_notify_line(struct ivshm_device *dev, bool changed);
/* INTx mode: consumes fired own eventfds into IntrStatus; returns how many.
 * Caller holds dev->lock. */
int ivshm_legacy_service_intx(struct ivshm_device *dev, bool *changed);
/* Pre-version protocol: an id without fd never seen before is ours. */
bool ivshm_legacy_is_own_id(const struct ivshm_device *dev, unsigned int id);
/* Legacy sizing: 4 MiB by default, a power of two. 0 or -EINVAL. */
int ivshm_legacy_size(const struct ivshm_device_config *cfg, uint64_t *want,
		      char *err, size_t errlen);

#endif /* IVSHM_DEVICE_PRIV_H */
