/* SPDX-License-Identifier: BSD-3-Clause
 * The ivshmem-server protocol, both directions, in one place: message
 * encoding, non-blocking send (server side), incremental receive with fd
 * passing (client side), and the unix-socket plumbing both sides need.
 * Constants live in lib/ivshmem_wire.h; behaviour is described in
 * doc/device-model.md.
 */
#ifndef IVSHM_PROTO_H
#define IVSHM_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ivshmem_wire.h"
#include "ivshm_util.h" /* errors, deadlines: every user of the protocol needs them */

/* Which flavour of messages a client expects. */
enum ivshm_proto_flavour {
	IVSHM_PROTO_V0,          /* version message, little-endian int64 */
	IVSHM_PROTO_PRE_VERSION, /* no version message, host `long` */
};

/* ---- encoding ---------------------------------------------------------- */
#define IVSHM_MSG_BYTES 8u

void ivshm_proto_encode(int64_t value, uint8_t out[IVSHM_MSG_BYTES]);
int64_t ivshm_proto_decode(const uint8_t *in, enum ivshm_proto_flavour f);
unsigned int ivshm_proto_msg_len(enum ivshm_proto_flavour f);

/* ---- sending (server side) ---------------------------------------------- */
/* Sends bytes [0, len) of an encoded message, with fd attached when fd >= 0,
 * without blocking and without SIGPIPE. Returns the number of bytes sent
 * (the fd goes with the first byte), -EAGAIN, or another negative errno. */
int ivshm_proto_send_bytes(int sock, const uint8_t *bytes, size_t len, int fd);

/* ---- receiving (client side) -------------------------------------------- */
/* Reassembles one message from however many reads it takes. */
struct ivshm_proto_rx {
	enum ivshm_proto_flavour flavour;
	unsigned int have;          /* bytes of the current message so far */
	uint8_t buf[IVSHM_MSG_BYTES];
	int fd;                     /* fd received with the current message */
};

void ivshm_proto_rx_init(struct ivshm_proto_rx *rx, enum ivshm_proto_flavour f);
/* Closes a partially received fd. */
void ivshm_proto_rx_reset(struct ivshm_proto_rx *rx);

/* Reads what is available without blocking (sock may be blocking: this
 * uses MSG_DONTWAIT). Returns 1 with *value and *fd (-1 if none; the caller
 * owns it) when a message is complete, 0 if more bytes are needed, or a
 * negative errno with the reason in err:
 *   -ECONNRESET  "server closed the connection"
 *   -EPROTO      "truncated message: ..." or "more than one fd ..."  */
int ivshm_proto_rx_read(int sock, struct ivshm_proto_rx *rx, int64_t *value,
			int *fd, char *err, size_t errlen);

/* Like ivshm_proto_rx_read but waits (poll) until a message is complete or
 * the deadline (ivshm_now_ms() clock) passes: -ETIMEDOUT. */
int ivshm_proto_recv(int sock, struct ivshm_proto_rx *rx, int64_t deadline_ms,
		     int64_t *value, int *fd, char *err, size_t errlen);

/* ---- sockets ------------------------------------------------------------ */
/* Connects to a unix stream socket. Returns the fd (CLOEXEC) or -errno;
 * "socket path too long" is -ENAMETOOLONG. */
int ivshm_proto_connect(const char *path, char *err, size_t errlen);
/* Creates a listening unix stream socket. A stale socket there (nobody
 * listening) is replaced; a live one or a non-socket is refused. */
int ivshm_proto_listen(const char *path, char *err, size_t errlen);

/* Who may connect to a listening socket: its node's mode and group. Zero
 * (nothing set) leaves both as bind makes them (the umask, our group). */
struct ivshm_sock_perms {
	bool set_mode;
	mode_t mode;            /* 0..0777 */
	bool set_group;
	gid_t gid;
};

/* ivshm_proto_listen with the node's mode and group set before listen(),
 * so no client can connect while it is wider than asked. The node is
 * bound under umask 0777 (the umask is per process: call this from one
 * thread). A failure to set them removes the node. */
int ivshm_proto_listen_perms(const char *path, const struct ivshm_sock_perms *perms,
			     char *err, size_t errlen);

#endif /* IVSHM_PROTO_H */
