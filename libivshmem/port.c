/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: opening a port, as the PMD's probe, attach and start do:
 * the PMD's devargs (its own parser), the device, the region (format a
 * blank one or wait for its formatter, taking over a format or an id left
 * by a peer that stopped), the peer and the MAC, then ready for traffic.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "port_priv.h"
#include "ivshm_util.h"

_Static_assert(IVSHMEM_PEER_ABSENT == IVSHM_PEER_ABSENT && IVSHMEM_PEER_UP == IVSHM_PEER_UP &&
	       IVSHMEM_PEER_LEFT == IVSHM_PEER_LEFT && IVSHMEM_PEER_STOPPED == IVSHM_PEER_STOPPED,
	       "the public peer states are the wire's");

/* "pci=BDF[,rest]": the BDF into bdf, the PMD's devargs after it into
 * *rest. Returns false when spec does not start with pci=. */
static bool split_pci(const char *spec, char *bdf, size_t cap, const char **rest)
{
	const char *comma;
	size_t n;

	if (strncmp(spec, "pci=", 4) != 0)
		return false;
	spec += 4;
	comma = strchr(spec, ',');
	n = comma != NULL ? (size_t)(comma - spec) : strlen(spec);
	if (n >= cap)
		n = cap - 1;
	memcpy(bdf, spec, n);
	bdf[n] = '\0';
	*rest = comma != NULL ? comma + 1 : "";
	return true;
}

static int open_device(struct ivshmem_port *p, const char *spec, char *err,
		       size_t errlen)
{
	struct ivshmem_devargs a;
	char bdf[72], why[IVSHM_ERR_LEN];
	const char *rest = spec;
	bool pci = split_pci(spec, bdf, sizeof(bdf), &rest);
	int rc = ivshmem_devargs_parse(rest, pci ? IVSHMEM_BACKEND_PCI : IVSHMEM_BACKEND_HOST,
				       &a, why, sizeof(why));

	if (rc != 0) {
		ivshm_set_err(err, errlen, "%s%s", why,
			      strstr(why, "'server' and 'shm'") != NULL ?
			      " (or pci=BDF for a PCI device)" : "");
		return rc;
	}
	p->args = a.port;
	if (pci)
		rc = port_dev_open_pci(&p->dev, bdf, &a, err, errlen);
	else
		rc = port_dev_open_host(&p->dev, &a.host, err, errlen);
	return rc;
}

static uint64_t now_ms(void)
{
	return port_now_ns() / 1000000u;
}

static void nap_1ms(void)
{
	port_sleep_us(1000);
}

/* The PMD's attach (the ring library's ivshm_port_attach) on our clock. */
static int attach_region(struct ivshmem_port *p, char *err, size_t errlen)
{
	const struct ivshm_port_clock clock = { now_ms, nap_1ms, 1 };
	const struct ivshm_geometry *g = &p->args.geo;
	int rc = ivshm_port_attach(&p->region, p->dev.bar2, p->dev.bar2_size, p->dev.id,
				   g, &clock, NULL, NULL);

	if (rc == IVSHM_EINUSE) {
		ivshm_set_err(err, errlen, "peer id %u is already attached and alive "
			      "(two peers claim the same id)", p->dev.id);
		return -EADDRINUSE;
	}
	if (rc == IVSHM_ETOOSMALL)
		ivshm_set_err(err, errlen, "the region is %" PRIu64 " bytes, the geometry "
			      "max_peers=%u queues=%u ring_size=%u buf_size=%u inline_size=%u "
			      "needs %" PRIu64 ": lower any of max_peers, queues, ring_size, "
			      "buf_size, inline_size, or give a larger region",
			      p->dev.bar2_size, g->max_peers, g->queues, g->ring_size,
			      g->buf_size, g->inline_size, ivshm_layout_size(g));
	else if (rc == IVSHM_EVERSION) {
		char why[320];

		ivshm_set_err(err, errlen, "cannot attach to the region as peer %u: %s",
			      p->dev.id, ivshm_version_refusal(p->dev.bar2, why, sizeof(why)));
	} else if (rc != IVSHM_OK)
		ivshm_set_err(err, errlen, "cannot attach to the region as peer %u: %s",
			      p->dev.id, ivshm_strerror(rc));
	return rc == IVSHM_OK ? 0 : -EINVAL;
}

static int choose_peer_and_mac(struct ivshmem_port *p, char *err, size_t errlen)
{
	const struct ivshm_geometry *g = &p->region.geo;
	int rc = ivshm_choose_peer(g, p->dev.id, p->args.peer, &p->peer);

	if (rc == IVSHM_EINVAL) {
		ivshm_set_err(err, errlen, "the region has %u peers: peer= is required",
			      g->max_peers);
		return -EINVAL;
	}
	if (rc != IVSHM_OK) {
		ivshm_set_err(err, errlen, "peer=%d is not another peer of this region "
			      "(own id %u, max_peers %u)", p->args.peer, p->dev.id, g->max_peers);
		return -EINVAL;
	}
	if (p->args.has_mac)
		memcpy(p->mac, p->args.mac, sizeof(p->mac));
	else
		ivshm_mac_derived(p->dev.id, p->mac);
	ivshm_region_set_mac(&p->region, p->mac);
	return 0;
}

int ivshmem_port_open(const char *spec, struct ivshmem_port **out, char *err,
		      size_t errlen)
{
	struct ivshmem_port *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL) {
		ivshm_set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = open_device(p, spec != NULL ? spec : "", err, errlen);
	if (rc != 0) {
		free(p);
		return rc;
	}
	rc = attach_region(p, err, errlen);
	if (rc == 0) {
		rc = choose_peer_and_mac(p, err, errlen);
		if (rc == 0)
			rc = port_io_open(p, err, errlen);
		if (rc == 0)
			rc = port_link_start(p, err, errlen);
		if (rc != 0)
			ivshm_region_detach(&p->region);
	}
	if (rc != 0) {
		port_dev_close(&p->dev);
		free(p);
		return rc;
	}
	/* The PMD's port start: ready for traffic. */
	ivshm_region_set_ready(&p->region, true);
	*out = p;
	return 0;
}

void ivshmem_port_close(struct ivshmem_port *p)
{
	if (p == NULL)
		return;
	ivshm_region_set_ready(&p->region, false); /* the PMD's port stop */
	port_link_stop(p);
	ivshm_region_detach(&p->region);
	port_dev_close(&p->dev);
	free(p);
}

void ivshmem_port_info(const struct ivshmem_port *p, struct ivshmem_port_info *out)
{
	const struct ivshm_geometry *g = &p->region.geo;

	*out = (struct ivshmem_port_info){
		.id = p->dev.id, .peer = p->peer,
		.max_peers = g->max_peers, .queues = g->queues,
		.ring_size = g->ring_size, .buf_size = g->buf_size,
		.max_frame = ivshm_max_chain_frame(g),
		.region_size = p->dev.bar2_size,
		.has_doorbell = p->wait_fd >= 0,
	};
	memcpy(out->mac, p->mac, sizeof(out->mac));
}

int ivshmem_port_peer(const struct ivshmem_port *p, struct ivshmem_peer_info *out)
{
	struct ivshm_peer_view v;

	if (ivshm_peer_read(&p->region, p->peer, &v) != IVSHM_OK)
		return -EINVAL;
	out->state = v.state;
	out->generation = v.generation;
	out->heartbeat = v.heartbeat;
	memcpy(out->mac, v.mac, sizeof(out->mac));
	return 0;
}

const char *ivshmem_version(void)
{
	return IVSHMEM_PMD_VERSION;
}
