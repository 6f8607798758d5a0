/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: the host backend of a port's device (port_dev.h), over the
 * host device model, configured as the PMD's host bus backend does.
 */
#include "port_dev.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "ivshm_device.h"
#include "ivshm_util.h"

/* After the first own eventfd the rest of the server's burst follows at
 * once: wait this long for each further one before counting vectors. */
#define VECTOR_GRACE_MS 20

int port_dev_open_host(struct port_dev *d, const struct ivshmem_host_args *h,
		       char *err, size_t errlen)
{
	bool server = h->server_path[0] != '\0';
	struct ivshm_device_config cfg = {
		.server_path = server ? h->server_path : NULL,
		.shm_path = server ? NULL : h->shm_path,
		.size = server ? 0 : h->size, /* the server decides the size */
		.id = h->id, .create = true, .vectors = IVSHM_MAX_VECTORS,
		.wait_vectors = h->vectors != 0 ? h->vectors : 1,
		.protocol = IVSHM_PROTO_V0, .irq_mode = IVSHM_IRQ_MSIX,
		.role = IVSHM_ROLE_AUTO };
	int rc = ivshm_device_open(&cfg, &d->host, err, errlen);

	if (rc == -ETIMEDOUT && h->vectors != 0)
		ivshm_set_err(err, errlen, "the server did not send %u vectors within "
			      "the setup deadline (vectors=%u; check the server's -n)",
			      h->vectors, h->vectors);
	if (rc < 0)
		return rc;
	d->bar2 = ivshm_device_bar2(d->host);
	d->bar2_size = ivshm_device_bar2_size(d->host);
	d->id = ivshm_device_id(d->host);
	d->has_server = server;
	if (!server)
		d->vectors = 0;
	else if (h->vectors != 0)
		d->vectors = h->vectors;
	else
		d->vectors = ivshm_device_settle_vectors(d->host, VECTOR_GRACE_MS);
	return 0;
}

void port_dev_doorbell(struct port_dev *d, uint16_t peer, unsigned int vector)
{
	uint32_t v = IVSHM_DOORBELL_VALUE(peer, vector);

	if (d->host != NULL)
		ivshm_device_reg_write(d->host, IVSHM_REG_DOORBELL, v);
	else if (d->bar0 != NULL)
		d->bar0[IVSHM_REG_DOORBELL / 4] = v;
}

int port_dev_vector_fd(struct port_dev *d, unsigned int v)
{
	return d->host != NULL && d->has_server ? ivshm_device_vector_fd(d->host, v) : -1;
}

void port_dev_service(struct port_dev *d, int timeout_ms)
{
	struct timespec ts = { 0, (long)timeout_ms * 1000000L };
	char why[IVSHM_ERR_LEN];

	if (d->host != NULL && ivshm_device_server_fd(d->host) >= 0)
		(void)ivshm_device_wait(d->host, timeout_ms, why, sizeof(why));
	else
		nanosleep(&ts, NULL);
}
