/* SPDX-License-Identifier: BSD-3-Clause
 * Helpers for the host suite: start/stop the real ivshmem-server binary with
 * names unique to this process, wait for conditions with deadlines, and
 * clean up socket/shm/pidfile even when a check fails (atexit). */
#ifndef IVSHM_TESTS_HOST_UTIL_H
#define IVSHM_TESTS_HOST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ivshm_proto.h"

#define DEADLINE_MS 5000

struct test_server {
	pid_t pid;
	char sock[108];
	char shm[64];     /* POSIX shm name, no slash */
	char pidfile[96];
};

static struct test_server *tu_servers[8];
static const char *tu_server_bin;

static void tu_server_stop(struct test_server *s);

static void tu_cleanup_all(void)
{
	for (unsigned int i = 0; i < 8; i++)
		if (tu_servers[i] != NULL)
			tu_server_stop(tu_servers[i]);
}

/* The server writes its pidfile once the socket listens: wait for it
 * (connecting to probe would take a peer id). */
static inline bool tu_wait_ready(const char *pidfile, pid_t pid)
{
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;

	while (ivshm_now_ms() < deadline) {
		if (access(pidfile, F_OK) == 0)
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		poll(NULL, 0, 2); /* back-off between checks, not a sync */
	}
	return false;
}

/* Starts `ivshmem-server -F -S sock -M shm -p pidfile extra...`. */
static inline bool tu_server_start(struct test_server *s, const char *tag,
				   const char *const *extra)
{
	static unsigned int seq;
	const char *argv[32];
	unsigned int n = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->sock, sizeof(s->sock), "/tmp/ivshm-t-%s-%d-%u.sock", tag,
		 (int)getpid(), seq);
	snprintf(s->shm, sizeof(s->shm), "ivshm-t-%s-%d-%u", tag, (int)getpid(), seq);
	snprintf(s->pidfile, sizeof(s->pidfile), "/tmp/ivshm-t-%s-%d-%u.pid", tag,
		 (int)getpid(), seq);
	seq++;
	argv[n++] = tu_server_bin;
	argv[n++] = "-F";
	argv[n++] = "-S"; argv[n++] = s->sock;
	argv[n++] = "-M"; argv[n++] = s->shm;
	argv[n++] = "-p"; argv[n++] = s->pidfile;
	for (; extra != NULL && *extra != NULL && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	s->pid = fork();
	if (s->pid == 0) {
		execv(tu_server_bin, (char *const *)argv);
		_exit(127);
	}
	for (unsigned int i = 0; i < 8; i++) {
		if (tu_servers[i] == NULL) {
			tu_servers[i] = s;
			break;
		}
	}
	return s->pid > 0 && tu_wait_ready(s->pidfile, s->pid);
}

/* SIGTERM and reap (SIGKILL after the deadline); returns the exit status or
 * -1; removes leftovers in any case. */
static inline int tu_server_kill(struct test_server *s, int sig)
{
	int status = -1;

	if (s->pid > 0) {
		kill(s->pid, sig);
		int64_t deadline = ivshm_now_ms() + DEADLINE_MS;
		pid_t r;

		while ((r = waitpid(s->pid, &status, WNOHANG)) == 0 &&
		       ivshm_now_ms() < deadline)
			poll(NULL, 0, 5);
		if (r == 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
		}
		s->pid = 0;
	}
	for (unsigned int i = 0; i < 8; i++)
		if (tu_servers[i] == s)
			tu_servers[i] = NULL;
	return status;
}

static void tu_server_stop(struct test_server *s)
{
	tu_server_kill(s, SIGTERM);
	unlink(s->sock);
	unlink(s->pidfile);
	if (s->shm[0] != '\0')
		shm_unlink(s->shm);
}

/* Waits until fd is readable; true if it is before the deadline. */
static inline bool tu_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Reads an eventfd counter without blocking; 0 if nothing pending. */
static inline uint64_t tu_eventfd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* Common main() prologue: argv[1] is the server binary. */
static inline bool tu_init(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s path/to/ivshmem-server\n", argv[0]);
		return false;
	}
	tu_server_bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	atexit(tu_cleanup_all);
	return true;
}

/* A fake server's start: listens on path, then forks. Returns the child's
 * pid to the parent; in the child returns 0 with *lsock listening and an
 * alarm armed (a fake must never outlive a broken test); -1 on failure. */
static inline pid_t tu_fork_listener(const char *path, int *lsock)
{
	char err[IVSHM_ERR_LEN];

	*lsock = ivshm_proto_listen(path, err, sizeof(err));
	if (*lsock < 0)
		return -1;
	pid_t pid = fork();

	if (pid != 0) {
		close(*lsock);
		return pid;
	}
	alarm(10);
	return 0;
}

/* The fake server's one client: the listening socket is non-blocking, so
 * wait for the connection before accepting it. -1 if none came in time. */
static inline int tu_accept_one(int lsock)
{
	if (!tu_readable(lsock, DEADLINE_MS))
		return -1;
	return accept(lsock, NULL, NULL);
}

#endif /* IVSHM_TESTS_HOST_UTIL_H */
