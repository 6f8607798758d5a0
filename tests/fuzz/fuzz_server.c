/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the server side of the ivshmem-server protocol. One real
 * server (host/ivshm_server.c) runs in a thread for the whole process; each
 * input is a script of hostile client actions against it: connect, send
 * arbitrary bytes (with or without an fd attached), half-close, drain,
 * close, in any order. Clients never send anything in the protocol, so all
 * of it is garbage the server must survive. After every input the server
 * must still serve a new client (greeting, then every closed client
 * announced as gone) within a deadline, else the target aborts: a crash,
 * a stall or a lost client is a finding.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ivshm_proto.h"
#include "ivshm_server.h"

#define MAX_CLIENTS 8
/* Each connect costs the server O(clients) announcements and the fuzzer
 * a real accept; a cap keeps an input's cost bounded (an uncapped 4 KiB
 * input could churn ~2000 connections) while still reaching every state
 * of a few hostile clients. Mass churn is covered by tests/host. */
#define MAX_CONNECTS 24
/* Long enough that a stalled VM (seen here: two fuzzers aborted at the same
 * second after ~340k inputs each, no input reproduces it) is not a finding;
 * a real server stall is indefinite. */
#define HEALTH_DEADLINE_MS 10000

static struct ivshm_server *server;
static pthread_t server_thread;
static volatile sig_atomic_t server_stop;
static char sock_path[108];

static void *run_server(void *arg)
{
	(void)arg;
	ivshm_server_run(server, &server_stop, NULL);
	return NULL;
}

/* Every read and write below is MSG_DONTWAIT, so a blocking socket is fine. */
static int connect_client(void)
{
	return ivshm_proto_connect(sock_path, NULL, 0);
}

static void stop_server(void)
{
	int fd;

	server_stop = 1;
	fd = connect_client(); /* wakes the server's poll */
	pthread_join(server_thread, NULL);
	if (fd >= 0)
		close(fd);
	ivshm_server_destroy(server); /* unlinks the socket and the shm */
}

static void start_server(void)
{
	char err[256];
	struct ivshm_server_opts o = { .size = 1 << 16, .vectors = 2 };

	snprintf(sock_path, sizeof(sock_path), "/tmp/fuzz-server-%d.sock", (int)getpid());
	o.sock_path = sock_path;
	signal(SIGPIPE, SIG_IGN);
	if (ivshm_server_create(&o, &server, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_server: %s\n", err);
		abort();
	}
	if (pthread_create(&server_thread, NULL, run_server, NULL) != 0)
		abort();
	atexit(stop_server);
}

/* Reads and drops up to 64 of the messages the server queued, closing the
 * fds they carry (the client side's own receiver does the fd handling). */
static void drain(int fd)
{
	struct ivshm_proto_rx rx;
	int64_t value;
	int passed;

	ivshm_proto_rx_init(&rx, IVSHM_PROTO_V0);
	for (int i = 0; i < 64; i++) {
		if (ivshm_proto_rx_read(fd, &rx, &value, &passed, NULL, 0) != 1)
			break;
		if (passed >= 0)
			close(passed);
	}
	ivshm_proto_rx_reset(&rx);
}

static void send_garbage(int fd, const uint8_t *p, size_t n, bool with_fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)(uintptr_t)p, n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int efd = -1;

	if (n == 0)
		return;
	if (with_fd && (efd = eventfd(0, EFD_CLOEXEC)) >= 0) {
		memset(ctl, 0, sizeof(ctl));
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &efd, sizeof(int));
	}
	(void)sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (efd >= 0)
		close(efd);
}

/* Next message for the health client, or abort with the reason. */
static int64_t health_recv(int sock, struct ivshm_proto_rx *rx, int64_t deadline,
			   bool *had_fd)
{
	char err[IVSHM_ERR_LEN];
	int64_t value;
	int fd, rc = ivshm_proto_recv(sock, rx, deadline, &value, &fd, err, sizeof(err));

	if (rc != 1) {
		fprintf(stderr, "fuzz_server: health client: %s\n", err);
		abort(); /* stalled, or closed on a well-behaved client */
	}
	*had_fd = fd >= 0;
	if (fd >= 0)
		close(fd);
	return value;
}

/* A new client must be greeted (version 0, its id, the shm, the others'
 * eventfds, its own) and then hear that every peer it was introduced to
 * has left: the input closed them all, so one that never leaves is a
 * client the server lost track of. Waiting for that also hands the next
 * input an idle server; without it, unprocessed hang-ups piled up to ~200
 * clients and every accept paid O(clients) announcements. */
static void check_server_alive(void)
{
	static uint8_t introduced[(IVSHM_MAX_PEER_ID + 1) / 8];
	int64_t deadline = ivshm_now_ms() + HEALTH_DEADLINE_MS, self, v;
	struct ivshm_proto_rx rx;
	unsigned int others = 0;
	bool had_fd, greeted = false;
	int sock = connect_client();

	if (sock < 0)
		abort();
	ivshm_proto_rx_init(&rx, IVSHM_PROTO_V0);
	if (health_recv(sock, &rx, deadline, &had_fd) != 0 || had_fd)
		abort(); /* not version 0 */
	self = health_recv(sock, &rx, deadline, &had_fd);
	if (self < 0 || self > IVSHM_MAX_PEER_ID || had_fd)
		abort();
	while (!greeted || others > 0) {
		v = health_recv(sock, &rx, deadline, &had_fd);
		if (v < 0 || v > IVSHM_MAX_PEER_ID)
			continue; /* the shm message (-1) */
		uint8_t bit = (uint8_t)(1u << (v % 8)), *byte = &introduced[v / 8];

		if (v == self) {
			greeted = greeted || had_fd; /* own eventfds come last */
		} else if (had_fd && !(*byte & bit)) {
			*byte |= bit;
			others++;
		} else if (!had_fd && (*byte & bit)) {
			*byte &= (uint8_t)~bit;
			others--;
		}
	}
	ivshm_proto_rx_reset(&rx);
	close(sock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int clients[MAX_CLIENTS];
	size_t pos = 0, len;
	unsigned int k, connects = 0;

	if (server == NULL)
		start_server();
	for (k = 0; k < MAX_CLIENTS; k++)
		clients[k] = -1;
	while (pos + 1 < size) {
		uint8_t op = data[pos] % 6, who = (uint8_t)(data[pos] >> 3) % MAX_CLIENTS;
		int *c = &clients[who];

		pos++;
		switch (op) {
		case 0:
			if (*c < 0 && connects++ < MAX_CONNECTS)
				*c = connect_client();
			break;
		case 1:
			if (*c >= 0)
				close(*c);
			*c = -1;
			break;
		case 2:
		case 3:
			len = data[pos++] % 64;
			len = len < size - pos ? len : size - pos;
			if (*c >= 0)
				send_garbage(*c, data + pos, len, op == 3);
			pos += len;
			break;
		case 4:
			if (*c >= 0)
				drain(*c);
			break;
		default:
			if (*c >= 0)
				shutdown(*c, SHUT_WR);
			break;
		}
	}
	for (k = 0; k < MAX_CLIENTS; k++)
		if (clients[k] >= 0)
			close(clients[k]);
	check_server_alive();
	return 0;
}
