/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: frames in and out of a port, copied, through the ring
 * library's channels exactly as the PMD's bursts use them (Tx on queue 0,
 * Rx from every queue of the peer); waiting on the doorbell.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "port_priv.h"
#include "ivshm_util.h"

#define RX_CHUNK 64u           /* frames handed to the ring library at once */
#define POLL_FALLBACK_US 50u   /* ring check period without a doorbell */

#define ADD(counter, n) atomic_fetch_add_explicit(&(counter), (n), memory_order_relaxed)
#define GET(counter) atomic_load_explicit(&(counter), memory_order_relaxed)

int port_io_open(struct ivshmem_port *p, char *err, size_t errlen)
{
	uint32_t q;
	int rc = ivshm_tx_open(&p->tx, &p->region, p->peer, 0);

	for (q = 0; rc == IVSHM_OK && q < p->region.geo.queues; q++)
		rc = ivshm_rx_open(&p->rx[q], &p->region, p->peer, (uint16_t)q);
	if (rc != IVSHM_OK) {
		ivshm_set_err(err, errlen, "cannot open the channels with peer %u: %s",
			      p->peer, ivshm_strerror(rc));
		return -EINVAL;
	}
	p->nb_rx = p->region.geo.queues;
	/* The PMD's Rx queue 0 wakes on vector 1 (vector 0 is its link
	 * interrupt); a device with one vector has only 0. */
	p->wake_vector = p->dev.vectors >= 2 ? 1 : 0;
	p->wait_fd = p->dev.vectors > 0 ? port_dev_vector_fd(&p->dev, p->wake_vector) : -1;
	/* Ack a producer that is already there (the PMD's start does too). */
	for (q = 0; q < p->nb_rx; q++)
		ivshm_rx_sync(&p->rx[q]);
	return 0;
}

/* ---- Tx ---- */

/* Copies frame f into the slot-th free descriptor's inline slot or buffer
 * (or a chain of buffers from there on) and describes it; returns the
 * descriptors used. */
static uint32_t tx_copy(struct ivshm_tx *tx, uint32_t slot, const struct ivshmem_frame *f)
{
	uint32_t k, off, chunk;

	if (f->len <= tx->buf_size) {
		memcpy(ivshm_tx_buf_for(tx, slot, f->len), f->data, f->len);
		ivshm_tx_set(tx, slot, f->len);
		return 1;
	}
	for (k = 0, off = 0; off < f->len; k++, off += chunk) {
		chunk = f->len - off < tx->buf_size ? f->len - off : tx->buf_size;
		memcpy(ivshm_tx_buf(tx, slot + k), (const uint8_t *)f->data + off, chunk);
	}
	return ivshm_tx_set_chain(tx, slot, f->len);
}

static void ring_if_asked(struct ivshmem_port *p, uint32_t token)
{
	/* The token comes from the peer: ring only a vector it can have. */
	if (token == IVSHM_WAKE_NONE || !IVSHM_WAKE_TOKEN_VALID(token))
		return;
	port_dev_doorbell(&p->dev, p->peer, IVSHM_WAKE_VECTOR(token));
	ADD(p->doorbells, 1);
}

unsigned int ivshmem_port_send_burst(struct ivshmem_port *p,
				     const struct ivshmem_frame *f, unsigned int n)
{
	struct ivshm_tx *tx = &p->tx;
	uint32_t max = ivshm_max_chain_frame(&p->region.geo), slot = 0, segs;
	uint64_t frames = 0, bytes = 0, dropped = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (f[i].len == 0 || f[i].len > max) {
			dropped++;
			continue;
		}
		segs = ivshm_tx_segs(tx, f[i].len);
		if (ivshm_tx_space(tx, slot + segs) < slot + segs)
			break;
		slot += tx_copy(tx, slot, &f[i]);
		frames++;
		bytes += f[i].len;
	}
	ring_if_asked(p, ivshm_tx_publish(tx, slot));
	ADD(p->tx_frames, frames);
	ADD(p->tx_bytes, bytes);
	ADD(p->tx_dropped, dropped);
	ADD(p->tx_full, n - i);
	return i;
}

int ivshmem_port_send(struct ivshmem_port *p, const void *buf, size_t len)
{
	struct ivshmem_frame f = { (void *)(uintptr_t)buf, (uint32_t)len };

	if (len == 0 || len > ivshm_max_chain_frame(&p->region.geo)) {
		ADD(p->tx_dropped, 1);
		return -EMSGSIZE;
	}
	return (int)ivshmem_port_send_burst(p, &f, 1);
}

/* ---- Rx ---- */

/* Frames ready on channel c (at least one descriptor); a head out of range
 * is counted (the ring library ignores it). Receiving thread only. */
static bool rx_ready(struct ivshmem_port *p, uint32_t c)
{
	uint64_t bad = p->rx[c].err.bad_index;
	bool ready = ivshm_rx_avail(&p->rx[c], 1) != 0;

	ADD(p->rx_bad_index, p->rx[c].err.bad_index - bad);
	return ready;
}

/* Up to n frames of one channel; drops counted from the ring library's
 * error counters (this thread is their only writer). */
static unsigned int rx_channel(struct ivshmem_port *p, struct ivshm_rx *rx,
			       struct ivshmem_frame *f, unsigned int n, uint32_t cap)
{
	struct ivshm_pkt pkts[RX_CHUNK];
	uint64_t bad = rx->err.bad_desc, bytes = 0;
	unsigned int i, got;

	if (n > RX_CHUNK)
		n = RX_CHUNK;
	for (i = 0; i < n; i++)
		pkts[i].data = f[i].data;
	got = ivshm_rx_burst(rx, pkts, n, cap);
	for (i = 0; i < got; i++) {
		f[i].data = pkts[i].data;
		f[i].len = pkts[i].len;
		bytes += pkts[i].len;
	}
	ADD(p->rx_frames, got);
	ADD(p->rx_bytes, bytes);
	ADD(p->rx_dropped, rx->err.bad_desc - bad);
	return got;
}

unsigned int ivshmem_port_recv_burst(struct ivshmem_port *p, struct ivshmem_frame *f,
				     unsigned int n, uint32_t cap)
{
	unsigned int got = 0, tries;
	uint32_t c = p->next_rx;

	for (tries = 0; tries < p->nb_rx && got < n; tries++) {
		if (rx_ready(p, c))
			got += rx_channel(p, &p->rx[c], f + got, n - got, cap);
		c = c + 1 == p->nb_rx ? 0 : c + 1;
	}
	p->next_rx = c;
	return got;
}

int ivshmem_port_recv(struct ivshmem_port *p, void *buf, size_t cap)
{
	struct ivshmem_frame f = { buf, 0 };
	uint32_t c = cap > IVSHM_MAX_CHAIN_LEN ? IVSHM_MAX_CHAIN_LEN : (uint32_t)cap;

	return ivshmem_port_recv_burst(p, &f, 1, c) == 1 ? (int)f.len : 0;
}

/* ---- waiting ---- */

static bool rx_pending(struct ivshmem_port *p)
{
	uint32_t c;

	for (c = 0; c < p->nb_rx; c++)
		if (rx_ready(p, c))
			return true;
	return false;
}

int ivshmem_port_wait_fd(const struct ivshmem_port *p)
{
	return p->wait_fd;
}

void ivshmem_port_disarm(struct ivshmem_port *p)
{
	struct pollfd pfd = { .fd = p->wait_fd, .events = POLLIN };
	uint64_t count;
	uint32_t c;

	for (c = 0; c < p->nb_rx; c++)
		ivshm_rx_disarm(&p->rx[c]);
	if (p->wait_fd >= 0 && poll(&pfd, 1, 0) == 1 &&
	    read(p->wait_fd, &count, sizeof(count)) != (ssize_t)sizeof(count)) {
		/* nothing to clear: another reader took it */
	}
}

int ivshmem_port_arm(struct ivshmem_port *p)
{
	uint32_t c;

	for (c = 0; c < p->nb_rx; c++) {
		p->rx[c].wake_token = IVSHM_WAKE_TOKEN(p->wake_vector);
		if (!ivshm_rx_arm(&p->rx[c])) {
			ivshmem_port_disarm(p);
			return 0;
		}
	}
	return 1;
}

int ivshmem_port_wait(struct ivshmem_port *p, int timeout_ms)
{
	int64_t deadline = ivshm_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = p->wait_fd, .events = POLLIN };
	int left, rc;

	for (;;) {
		if (rx_pending(p))
			return 1;
		left = timeout_ms < 0 ? -1 : ivshm_ms_left(deadline);
		if (left == 0)
			return 0;
		if (p->wait_fd < 0) {
			port_sleep_us(POLL_FALLBACK_US);
			continue;
		}
		if (ivshmem_port_arm(p) == 0)
			return 1;
		rc = poll(&pfd, 1, left);
		ivshmem_port_disarm(p);
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

void ivshmem_port_stats(const struct ivshmem_port *p, struct ivshmem_stats *out)
{
	*out = (struct ivshmem_stats){
		.rx_frames = GET(p->rx_frames), .rx_bytes = GET(p->rx_bytes),
		.rx_dropped = GET(p->rx_dropped), .rx_bad_index = GET(p->rx_bad_index),
		.tx_frames = GET(p->tx_frames), .tx_bytes = GET(p->tx_bytes),
		.tx_full = GET(p->tx_full), .tx_dropped = GET(p->tx_dropped),
		.doorbells = GET(p->doorbells), .link_changes = GET(p->link_changes),
	};
}
