/* SPDX-License-Identifier: BSD-3-Clause
 * What only QEMU's legacy "ivshmem" device (QEMU 1.0-2.4, and the legacy
 * name up to 4.0) does, kept apart from the device model proper because
 * only tests and old setups need it: the INTx pin, the own-id rule of the
 * pre-version server protocol, the power-of-two size. See
 * doc/device-model.md.
 */
#include "ivshm_device_legacy.h"

#include <errno.h>
#include <inttypes.h>
#include <unistd.h>

#define LEGACY_DEFAULT_SIZE (4ull << 20)

/* ---- INTx pin (all QEMU versions: pin = IntrStatus & IntrMask != 0) ---- */

/* Only the INTx variant has a pin (QEMU >= 2.5: MSI-X devices leave INTx
 * alone). */
bool ivshm_legacy_update_line(struct ivshm_device *dev)
{
	if (dev->irq_mode != IVSHM_IRQ_INTX)
		return false;
	bool level = (dev->intrstatus & dev->intrmask) != 0;

	if (level == dev->line)
		return false;
	dev->line = level;
	if (level) {
		uint64_t one = 1;

		if (write(dev->intx_efd, &one, sizeof(one)) < 0) { /* saturated */ }
	}
	return true;
}

void ivshm_legacy_notify_line(struct ivshm_device *dev, bool changed)
{
	if (changed && dev->intx_cb != NULL)
		dev->intx_cb(dev->intx_arg, ivshm_legacy_line(dev));
}

/* An own eventfd firing sets IntrStatus to 1 (QEMU >= 2.5; older versions
 * wrote the first byte of the counter, which is 1 for a single doorbell). */
int ivshm_legacy_service_intx(struct ivshm_device *dev, const int *fds, int n,
			      bool *changed)
{
	int handled = 0;

	if (dev->irq_mode != IVSHM_IRQ_INTX)
		return 0;
	for (int v = 0; v < n; v++) {
		uint64_t cnt;

		if (read(fds[v], &cnt, sizeof(cnt)) != sizeof(cnt))
			continue;
		dev->st.intx_events++;
		dev->intrstatus = 1;
		*changed |= ivshm_legacy_update_line(dev);
		handled++;
	}
	return handled;
}

/* QEMU < 2.5 sent no own-id message: the first id without an fd that has
 * no eventfds yet is ours. */
bool ivshm_legacy_is_own_id(const struct ivshm_device *dev, unsigned int id)
{
	return dev->own_id < 0 && (id >= dev->nb_peers || dev->peers[id].n == 0);
}

/* Legacy BAR2 is sized by the user and must be a power of two (QEMU 1.0-2.4
 * and the legacy "ivshmem" of 2.5-4.0). */
int ivshm_legacy_size(bool legacy_size, uint64_t *want, char *err, size_t errlen)
{
	if (!legacy_size)
		return 0;
	if (*want == 0)
		*want = LEGACY_DEFAULT_SIZE;
	if (!ivshm_is_pow2(*want)) {
		ivshm_set_err(err, errlen, "size %" PRIu64 " is not a power of two (legacy ivshmem)",
			      *want);
		return -EINVAL;
	}
	return 0;
}

bool ivshm_legacy_line(struct ivshm_device *dev)
{
	pthread_mutex_lock(&dev->lock);
	bool level = dev->line;

	pthread_mutex_unlock(&dev->lock);
	return level;
}
