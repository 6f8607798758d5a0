/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: a port's state, shared by its files:
 *   port.c      open (spec, attach: format or wait, id takeover), close, info
 *   port_link.c the monitor thread: heartbeat, server messages, link state
 *   port_io.c   send, receive, wait, stats
 *   port_dev.c, port_pci.c  the device under it
 */
#ifndef LIBIVSHMEM_PORT_PRIV_H
#define LIBIVSHMEM_PORT_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ivshmem.h"
#include "ivshm_peer.h"
#include "port_dev.h"
#include "ring_over_shm.h"

struct ivshmem_port {
	struct port_dev dev;
	struct ivshmem_port_args args;
	struct ivshm_region region;
	uint16_t peer;
	uint8_t mac[6];
	/* data path: Tx on queue 0 (the sending thread), Rx from every queue
	 * of the peer, round robin (the receiving thread) */
	struct ivshm_tx tx;
	struct ivshm_rx rx[IVSHM_MAX_QUEUES];
	uint32_t nb_rx, next_rx;
	int wait_fd;               /* own eventfd of wake_vector, or -1 */
	unsigned int wake_vector;
	/* monitor (port_link.c) */
	pthread_t monitor;
	bool monitor_running;
	atomic_bool stop;
	atomic_bool link_up;
	_Atomic(const char *) link_why;
	struct ivshm_liveness peer_live; /* monitor thread only */
	uint32_t peer_gen;                /* monitor thread only */
	/* counters: one writer each, read from any thread */
	_Atomic uint64_t rx_frames, rx_bytes, rx_dropped, rx_bad_index;
	_Atomic uint64_t tx_frames, tx_bytes, tx_full, tx_dropped, doorbells;
	_Atomic uint64_t link_changes;
};

/* Monotonic clock in nanoseconds: the unit of the peer protocol here. */
uint64_t port_now_ns(void);
void port_sleep_us(unsigned int us);

/* port_link.c */
int port_link_start(struct ivshmem_port *p, char *err, size_t errlen);
void port_link_stop(struct ivshmem_port *p);

/* port_io.c */
int port_io_open(struct ivshmem_port *p, char *err, size_t errlen);

#endif /* LIBIVSHMEM_PORT_PRIV_H */
