/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the server side of the ivshmem-server protocol. One real
 * server (host/ivshm_server.c) runs in a thread for the whole process; each
 * input is a script of hostile client actions against it: connect, send
 * arbitrary bytes (with or without an fd attached), half-close, drain,
 * close, in any order. Clients never send anything in the protocol, so all
 * of it is garbage the server must survive. After every input the server
 * must still serve a new client: its first message is version 0 within a
 * deadline, else the target aborts (a crash or a stall is a finding).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivshm_server.h"

#define MAX_CLIENTS 8
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

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
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
	char name[64], err[256];
	struct ivshm_server_opts o = { .size = 1 << 16, .vectors = 2 };

	snprintf(sock_path, sizeof(sock_path), "/tmp/fuzz-server-%d.sock", (int)getpid());
	snprintf(name, sizeof(name), "fuzz-server-%d", (int)getpid());
	o.sock_path = sock_path;
	o.shm_name = name;
	signal(SIGPIPE, SIG_IGN);
	if (ivshm_server_create(&o, &server, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_server: %s\n", err);
		abort();
	}
	if (pthread_create(&server_thread, NULL, run_server, NULL) != 0)
		abort();
	atexit(stop_server);
}

/* Reads and drops whatever the server sent, closing fds it passed. */
static void drain(int fd)
{
	char buf[512], ctl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	for (int i = 0; i < 64; i++) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		if (recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int fds[4];

			memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)(n > 4 ? 4 : n));
			for (int k = 0; k < n && k < 4; k++)
				close(fds[k]);
		}
	}
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

/* The server must still greet a new client with version 0. */
static void check_server_alive(void)
{
	int64_t version = -1;
	struct pollfd p = { .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	p.fd = connect_client();
	if (p.fd < 0)
		abort();
	while (got < sizeof(version)) {
		if (poll(&p, 1, HEALTH_DEADLINE_MS) != 1)
			abort(); /* stalled */
		n = recv(p.fd, (char *)&version + got, sizeof(version) - got, 0);
		if (n <= 0)
			abort(); /* closed on a well-behaved client */
		got += (size_t)n;
	}
	if (version != 0)
		abort();
	close(p.fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int clients[MAX_CLIENTS];
	size_t pos = 0, len;
	unsigned int k;

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
			if (*c < 0)
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
