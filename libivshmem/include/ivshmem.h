/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: an ivshmem-pmd port for programs without DPDK. It speaks the
 * wire of the net_ivshmem PMD from the same code (the ring library and the
 * host device model), so a peer of it can be a dpdk-testpmd on net_ivshmem.
 * Manual: doc/libivshmem.md. Link with `pkg-config --cflags --libs ivshmem`.
 *
 * Threads: one thread may send and one (the same or another) may receive
 * on a port at a time; every other call may come from any thread. A
 * library thread per port keeps its heartbeat, watches the peer's link and
 * handles the server's messages.
 */
#ifndef IVSHMEM_H
#define IVSHMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IVSHMEM_ERR_LEN 256 /* room for any error message */

/* A port: this process as one peer of a region. */
struct ivshmem_port;

/* Opens a port. spec is the PMD's devargs with one of:
 *   server=PATH             an ivshmem-server socket (doorbells: eventfds)
 *   shm=FILE,size=4M,id=N   a plain shm/hugetlbfs file (no doorbells)
 *   pci=BDF[,id=N]          a guest's ivshmem device through sysfs (root;
 *                           no doorbell interrupts: poll)
 * and the PMD's other keys (queues, ring_size, buf_size, max_peers: used
 * if this port formats the region; peer, mac, vectors). Returns 0, or a
 * negative errno with a one-line reason in err (errlen bytes). */
int ivshmem_port_open(const char *spec, struct ivshmem_port **out, char *err,
		      size_t errlen);
/* Leaves the region (the peer sees the link go down) and frees the port. */
void ivshmem_port_close(struct ivshmem_port *p);

/* ---- frames (copied) ---- */
struct ivshmem_frame {
	void *data;
	uint32_t len;
};
/* Sends one frame of len bytes. Returns 1 when sent, 0 when the ring is
 * full (try again later), -EMSGSIZE when len is 0 or longer than
 * ivshmem_port_info().max_frame. */
int ivshmem_port_send(struct ivshmem_port *p, const void *buf, size_t len);
/* Sends frames f[0..n) in order with one doorbell at most. Returns how many
 * were taken: sent, or dropped for their size (counted in tx_dropped); the
 * rest did not fit the ring. */
unsigned int ivshmem_port_send_burst(struct ivshmem_port *p,
				     const struct ivshmem_frame *f, unsigned int n);
/* Receives one frame into buf (cap bytes). Returns its length, or 0 when
 * none is waiting. A frame longer than cap, or one the peer described
 * badly, is dropped and counted (rx_dropped). */
int ivshmem_port_recv(struct ivshmem_port *p, void *buf, size_t cap);
/* Receives up to n frames into f[i].data (cap bytes each), setting
 * f[i].len; returns how many. */
unsigned int ivshmem_port_recv_burst(struct ivshmem_port *p, struct ivshmem_frame *f,
				     unsigned int n, uint32_t cap);

/* ---- waiting ---- */
/* An fd that becomes readable when the peer rings our doorbell (an
 * eventfd from the server), or -1 when the port has none (shm=, pci=). Use
 * it in your own poll loop between ivshmem_port_arm and a recv; prefer
 * ivshmem_port_wait, which does all of it. */
int ivshmem_port_wait_fd(const struct ivshmem_port *p);
/* Asks the peer for a doorbell before sleeping on the fd. Returns 1 when
 * it is safe to sleep, 0 when frames are already waiting (receive them). */
int ivshmem_port_arm(struct ivshmem_port *p);
/* Clears the doorbell request and the fd's count after waking. */
void ivshmem_port_disarm(struct ivshmem_port *p);
/* Waits until a frame is waiting or timeout_ms passed (-1: no limit).
 * With a wait fd it sleeps on it; without, it polls the ring every 50 us.
 * Returns 1 (frames waiting), 0 (timeout) or a negative errno. For the
 * receiving thread. */
int ivshmem_port_wait(struct ivshmem_port *p, int timeout_ms);

/* ---- state ---- */
struct ivshmem_port_info {
	uint16_t id;          /* own peer id */
	uint16_t peer;        /* the peer this port talks to */
	uint8_t mac[6];       /* ours, as the peer table says */
	uint32_t max_peers, queues, ring_size, buf_size; /* the region's geometry */
	uint32_t max_frame;   /* longest frame send takes */
	uint64_t region_size;
	bool has_doorbell;    /* ivshmem_port_wait_fd() is an fd */
};
void ivshmem_port_info(const struct ivshmem_port *p, struct ivshmem_port_info *out);

/* Peer states, as the peer table says. */
#define IVSHMEM_PEER_ABSENT  0u /* never attached */
#define IVSHMEM_PEER_UP      1u /* attached, ready for traffic */
#define IVSHMEM_PEER_LEFT    2u /* detached */
#define IVSHMEM_PEER_STOPPED 3u /* attached, not ready (port stopped) */
struct ivshmem_peer_info {
	uint32_t state;       /* IVSHMEM_PEER_* */
	uint32_t generation;  /* +1 at every attach */
	uint64_t heartbeat;   /* moves while it is alive */
	uint8_t mac[6];
};
/* The peer's table entry now. 0, or -EINVAL if it cannot be read. */
int ivshmem_port_peer(const struct ivshmem_port *p, struct ivshmem_peer_info *out);
/* The link as the port's monitor last decided (every 10 ms): up when the
 * peer is attached and ready, its heartbeat moving, and its generation the
 * one seen before. *why (may be NULL) says why it is down. */
bool ivshmem_port_link_up(const struct ivshmem_port *p, const char **why);
/* Waits up to timeout_ms for the link to come up: true if it did. */
bool ivshmem_port_wait_link(const struct ivshmem_port *p, int timeout_ms);

struct ivshmem_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_dropped;   /* bad descriptors, frames longer than cap */
	uint64_t rx_bad_index; /* the peer's indices out of range (ignored;
				* layout 3.0 reads no head: stays 0) */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_full;      /* frames refused: ring full */
	uint64_t tx_dropped;   /* frames dropped: empty or too long */
	uint64_t doorbells;    /* doorbells rung to the peer */
	uint64_t link_changes;
};
/* Counters since open. Read from any thread (a counter may lag by the burst
 * in flight). */
void ivshmem_port_stats(const struct ivshmem_port *p, struct ivshmem_stats *out);

/* ---- read-only inspection (ivshmem-stat) ---- */
/* A region mapped read-only (PROT_READ of an O_RDONLY fd where we open
 * it): the process never writes to it and is no peer of it. */
struct ivshmem_inspect;
enum ivshmem_source {
	IVSHMEM_SOURCE_SHM,    /* where: a shm or hugetlbfs file */
	IVSHMEM_SOURCE_SERVER, /* where: a server socket; we take the shm fd
				* from its greeting and disconnect at once */
	IVSHMEM_SOURCE_PCI,    /* where: a BDF like 0000:00:04.0 (resource2) */
};
int ivshmem_inspect_open(enum ivshmem_source kind, const char *where, int timeout_ms,
			 struct ivshmem_inspect **out, char *err, size_t errlen);
const void *ivshmem_inspect_base(const struct ivshmem_inspect *in);
uint64_t ivshmem_inspect_size(const struct ivshmem_inspect *in);
void ivshmem_inspect_close(struct ivshmem_inspect *in);

/* The library's version, e.g. "0.1.0". */
const char *ivshmem_version(void);

#ifdef __cplusplus
}
#endif

#endif /* IVSHMEM_H */
