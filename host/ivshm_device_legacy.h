/* SPDX-License-Identifier: BSD-3-Clause
 * What only QEMU's legacy "ivshmem" did (ivshm_device_legacy.c), for
 * ivshm_device.c. Not an API: users include ivshm_device.h.
 */
#ifndef IVSHM_DEVICE_LEGACY_H
#define IVSHM_DEVICE_LEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ivshm_device_priv.h"

/* Recomputes the INTx pin; true if it changed (ivshm_legacy_notify_line due
 * once the lock is dropped). Caller holds dev->lock. */
bool ivshm_legacy_update_line(struct ivshm_device *dev);
void ivshm_legacy_notify_line(struct ivshm_device *dev, bool changed);
/* Level of the INTx pin, read under dev->lock. */
bool ivshm_legacy_line(struct ivshm_device *dev);
/* INTx mode: consumes fired own eventfds (fds[0..n-1], the device's own
 * vectors) into IntrStatus; returns how many. Caller holds dev->lock. */
int ivshm_legacy_service_intx(struct ivshm_device *dev, const int *fds, int n,
			      bool *changed);
/* Pre-version protocol: an id without fd never seen before is ours. */
bool ivshm_legacy_is_own_id(const struct ivshm_device *dev, unsigned int id);
/* Legacy sizing (legacy_size set): 4 MiB by default, a power of two.
 * 0 or -EINVAL. */
int ivshm_legacy_size(bool legacy_size, uint64_t *want, char *err, size_t errlen);

#endif /* IVSHM_DEVICE_LEGACY_H */
