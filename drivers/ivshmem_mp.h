/* SPDX-License-Identifier: BSD-3-Clause
 * Secondary processes: the primary lends BAR2 over EAL's multi-process
 * channel; the secondary maps it at the primary's address, so the absolute
 * pointers in the shared queue structs stay valid in both processes.
 */
#ifndef IVSHMEM_MP_H
#define IVSHMEM_MP_H

#include "ivshmem_bus.h"

/* Primary: answers BAR2 requests from secondaries. Idempotent. */
int ivshmem_mp_primary_init(void);

/* Secondary: asks the primary for port `name`'s BAR2, maps it at the
 * primary's address and returns a process-local bus handle without
 * doorbells. Negative errno on failure, logged with the reason. */
int ivshmem_mp_attach_bar2(const char *name, struct ivshmem_bus_dev **out);

#endif /* IVSHMEM_MP_H */
