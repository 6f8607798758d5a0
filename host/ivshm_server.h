/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-server core: owns the shared memory object, the listening socket
 * and one set of eventfds per connected peer, and tells every peer about
 * every other (QEMU contrib/ivshmem-server wire behaviour; manual in
 * doc/ivshmem-server.md). Single-threaded, never blocks on a client.
 */
#ifndef IVSHM_SERVER_H
#define IVSHM_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ivshm_proto.h" /* struct ivshm_sock_perms */

struct ivshm_server_opts {
	const char *sock_path;  /* default /tmp/ivshmem_socket */
	struct ivshm_sock_perms sock_perms; /* who may connect; zero: the umask */
	const char *shm_name;   /* POSIX shm name (unsealable); NULL: sealed memfd */
	const char *shm_dir;    /* hugetlbfs dir: sealed memfd of its page size */
	uint64_t size;          /* bytes, default 4 MiB */
	unsigned int vectors;   /* eventfds per peer, 1..IVSHM_MAX_VECTORS */
	bool keep_shm;          /* do not unlink the shm object at exit */
	bool verbose;
};

struct ivshm_server;

/* Creates the shm object (sparse, 64-bit size) and the listening socket. */
int ivshm_server_create(const struct ivshm_server_opts *opts,
			struct ivshm_server **out, char *err, size_t errlen);

/* Serves until *stop becomes non-zero. Signals in `wake_sigs` are unblocked
 * only while waiting, so a handler setting *stop is never missed. */
int ivshm_server_run(struct ivshm_server *srv, volatile sig_atomic_t *stop,
		     const sigset_t *wake_sigs);

/* Closes every client, unlinks the socket and (unless keep_shm) the shm. */
void ivshm_server_destroy(struct ivshm_server *srv);

#endif /* IVSHM_SERVER_H */
