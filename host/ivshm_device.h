/* SPDX-License-Identifier: BSD-3-Clause
 * Host device model of QEMU's ivshmem (1af4:1110) for one peer: what QEMU
 * is for a guest. It talks to an ivshmem-server (or maps a plain shm file,
 * like ivshmem-plain), maps BAR2 and emulates BAR0 with the behaviour of
 * QEMU's hw/misc/ivshmem.c from 1.0 to 4.0 (table in doc/device-model.md).
 *
 * Threads: reg_write (doorbells) may run on one thread while
 * ivshm_device_poll runs on another; a mutex guards the peer table and the
 * registers. Everything else: one thread at a time.
 */
#ifndef IVSHM_DEVICE_H
#define IVSHM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ivshm_device_types.h"
#include "ivshm_proto.h"

struct ivshm_device;

/* Connects / maps and completes setup. On failure returns a negative errno
 * and a one-line reason in err (texts listed in doc/device-model.md). */
int ivshm_device_open(const struct ivshm_device_config *cfg,
		      struct ivshm_device **out, char *err, size_t errlen);
void ivshm_device_close(struct ivshm_device *dev);

/* BAR0: 32-bit register access at IVSHM_REG_* offsets. */
uint32_t ivshm_device_reg_read(struct ivshm_device *dev, uint32_t off);
void ivshm_device_reg_write(struct ivshm_device *dev, uint32_t off, uint32_t val);

/* BAR2 */
void *ivshm_device_bar2(const struct ivshm_device *dev);
uint64_t ivshm_device_bar2_size(const struct ivshm_device *dev);
/* Seals of the object BAR2 maps (F_GET_SEALS), or a negative errno when it
 * cannot have any (-EINVAL: not a memfd/shmem file). */
int ivshm_device_bar2_seals(const struct ivshm_device *dev);
/* Page size of the BAR2 mapping (hugetlbfs page size, or the base page). */
uint64_t ivshm_device_bar2_page_size(const struct ivshm_device *dev);

uint16_t ivshm_device_id(const struct ivshm_device *dev);
bool ivshm_device_is_master(const struct ivshm_device *dev);
unsigned int ivshm_device_vectors(const struct ivshm_device *dev);
/* Number of eventfds known for a peer (0 = unknown or gone). */
unsigned int ivshm_device_peer_vectors(struct ivshm_device *dev, unsigned int peer);
/* Highest peer id + 1 that the device has room for (table size). */
unsigned int ivshm_device_peer_slots(struct ivshm_device *dev);

/* MSI-X mode: our eventfd for vector v, to wait on (read it to clear), or
 * -1 if the server has not sent it (yet). */
int ivshm_device_vector_fd(struct ivshm_device *dev, unsigned int vector);

/* Server connection, to poll for POLLIN; -1 in plain mode or once gone. */
int ivshm_device_server_fd(const struct ivshm_device *dev);

/* Handles whatever is readable without blocking: server messages (peer
 * joined/left) and, in INTx mode, our own eventfds. Returns the number of
 * events handled, or a negative errno with the reason in err; after
 * -ECONNRESET (server gone) the device keeps working with the peers it has,
 * and server_fd() is -1. */
int ivshm_device_poll(struct ivshm_device *dev, char *err, size_t errlen);

/* Like ivshm_device_poll, but waits up to timeout_ms for something. */
int ivshm_device_wait(struct ivshm_device *dev, int timeout_ms, char *err,
		      size_t errlen);

/* Server mode: our eventfds come in one burst after the first; waits up to
 * grace_ms for each next one and returns how many we have. For callers
 * that do not know the server's vector count (-n). */
unsigned int ivshm_device_settle_vectors(struct ivshm_device *dev, int grace_ms);

/* INTx: level of the emulated pin (IntrStatus & IntrMask != 0); an eventfd
 * signalled each time the line goes up; an optional callback on changes. */
bool ivshm_device_intx_level(struct ivshm_device *dev);
int ivshm_device_intx_fd(const struct ivshm_device *dev);
void ivshm_device_set_intx_callback(struct ivshm_device *dev,
				    void (*cb)(void *arg, bool level), void *arg);

void ivshm_device_get_stats(struct ivshm_device *dev,
			    struct ivshm_device_stats *st);

#endif /* IVSHM_DEVICE_H */
