/* SPDX-License-Identifier: BSD-3-Clause
 * Wire conformance of the real ivshmem-server binary, read on raw sockets
 * (own recvmsg, not the library's parser): exact message sequence, fd
 * counts and order for 1/2/16 peers x 1/64 vectors, disconnect
 * announcements, lowest-free id reuse, a stalled client not stalling others,
 * cleanup on SIGTERM. argv[1] = path of ivshmem-server. */
#include <endian.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "../check.h"
#include "host_util.h"

struct raw_msg {
	int64_t value;
	int fd;
};

/* Reads exactly one 8-byte message; returns false at EOF/timeout. */
static bool raw_read(int sock, struct raw_msg *m)
{
	uint8_t buf[8];
	size_t have = 0;

	m->fd = -1;
	while (have < sizeof(buf)) {
		union { struct cmsghdr a; char b[CMSG_SPACE(sizeof(int) * 4)]; } ctl;
		struct iovec iov = { buf + have, sizeof(buf) - have };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };

		if (!tu_readable(sock, DEADLINE_MS))
			return false;
		ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return false;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		if (c != NULL && c->cmsg_type == SCM_RIGHTS)
			memcpy(&m->fd, CMSG_DATA(c), sizeof(int));
		have += (size_t)n;
	}
	uint64_t le;

	memcpy(&le, buf, sizeof(le));
	m->value = (int64_t)le64toh(le);
	return true;
}

static bool is_eventfd(int fd)
{
	char path[64], target[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/* Nothing more arrives within a short grace period. */
static bool quiet(int sock)
{
	return !tu_readable(sock, 50);
}

static int raw_connect(const struct test_server *s)
{
	return ivshm_proto_connect(s->sock, NULL, 0);
}

struct peer_conn {
	int sock;
	int fds[16][IVSHM_MAX_VECTORS]; /* fds[peer][vector], kept for checks */
};

static void close_conn(struct peer_conn *c)
{
	for (int p = 0; p < 16; p++)
		for (int v = 0; v < IVSHM_MAX_VECTORS; v++)
			if (c->fds[p][v] > 0)
				close(c->fds[p][v]);
	if (c->sock >= 0)
		close(c->sock);
	memset(c, 0, sizeof(*c));
	c->sock = -1;
}

/* Expects `count` messages "id + eventfd" and stores the fds. */
static bool expect_fds(struct peer_conn *c, int64_t id, unsigned int count)
{
	for (unsigned int v = 0; v < count; v++) {
		struct raw_msg m;

		if (!raw_read(c->sock, &m) || m.value != id || m.fd < 0 ||
		    !is_eventfd(m.fd)) {
			fprintf(stderr, "  expected id %lld + eventfd (vector %u), got %lld fd %d\n",
				(long long)id, v, (long long)m.value, m.fd);
			if (m.fd >= 0)
				close(m.fd);
			return false;
		}
		c->fds[id][v] = m.fd;
	}
	return true;
}

/* version 0, own id, -1 + shm fd of the right size. */
static bool expect_header(struct peer_conn *c, int64_t id, uint64_t size)
{
	struct raw_msg m;
	struct stat st;

	if (!raw_read(c->sock, &m) || m.value != 0 || m.fd >= 0)
		return false;
	if (!raw_read(c->sock, &m) || m.value != id || m.fd >= 0)
		return false;
	if (!raw_read(c->sock, &m) || m.value != -1 || m.fd < 0)
		return false;
	bool ok = fstat(m.fd, &st) == 0 && (uint64_t)st.st_size == size;

	close(m.fd);
	return ok;
}

/* Same eventfd: a write through one copy is read through the other. */
static bool same_eventfd(int a, int b)
{
	uint64_t one = 1;

	return write(a, &one, sizeof(one)) == sizeof(one) &&
	       tu_eventfd_take(b) == 1;
}

static void run_sequence(unsigned int peers, unsigned int vectors)
{
	struct test_server s;
	char nv[8];
	const char *extra[] = { "-n", nv, "-l", "1M", NULL };
	static struct peer_conn c[16];

	snprintf(nv, sizeof(nv), "%u", vectors);
	CHECK(tu_server_start(&s, "seq", extra));
	for (unsigned int k = 0; k < peers; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].sock = raw_connect(&s);
		CHECK(c[k].sock >= 0);
		CHECK(expect_header(&c[k], k, 1u << 20));
		for (unsigned int j = 0; j < k; j++)  /* existing peers, in id order */
			CHECK(expect_fds(&c[k], j, vectors));
		CHECK(expect_fds(&c[k], k, vectors)); /* own fds last */
		for (unsigned int j = 0; j < k; j++) /* the others learn of k */
			CHECK(expect_fds(&c[j], k, vectors));
	}
	for (unsigned int k = 0; k < peers; k++) /* and nothing else */
		CHECK(quiet(c[k].sock));
	/* every copy of peer p's vector v is one eventfd */
	if (peers > 1) {
		CHECK(same_eventfd(c[1].fds[0][vectors - 1], c[0].fds[0][vectors - 1]));
		CHECK(same_eventfd(c[0].fds[peers - 1][0], c[peers - 1].fds[peers - 1][0]));
	}
	for (unsigned int k = 0; k < peers; k++)
		close_conn(&c[k]);
	tu_server_stop(&s);
}

static void test_sequence_1_peer_1_vector(void) { run_sequence(1, 1); }
static void test_sequence_1_peer_64_vectors(void) { run_sequence(1, 64); }
static void test_sequence_2_peers_1_vector(void) { run_sequence(2, 1); }
static void test_sequence_2_peers_64_vectors(void) { run_sequence(2, 64); }
static void test_sequence_16_peers_1_vector(void) { run_sequence(16, 1); }
static void test_sequence_16_peers_64_vectors(void) { run_sequence(16, 64); }

/* A peer that disconnects is announced (id without fd) to all others, and
 * the next client gets the lowest free id and the survivors' fds. */
static void test_disconnect_announce_and_id_reuse(void)
{
	struct test_server s;
	const char *extra[] = { "-n", "2", NULL };
	static struct peer_conn c[4];
	struct raw_msg m;

	CHECK(tu_server_start(&s, "reuse", extra));
	for (unsigned int k = 0; k < 3; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].sock = raw_connect(&s);
		CHECK(c[k].sock >= 0);
		CHECK(expect_header(&c[k], k, 4u << 20));
		for (unsigned int j = 0; j <= k; j++)
			CHECK(expect_fds(&c[k], j, 2));
		for (unsigned int j = 0; j < k; j++)
			CHECK(expect_fds(&c[j], k, 2));
	}
	close_conn(&c[1]);
	for (unsigned int k = 0; k < 3; k += 2) {
		CHECK(raw_read(c[k].sock, &m));
		CHECK_EQ(m.value, 1);
		CHECK_EQ(m.fd, -1);
	}
	c[1].sock = raw_connect(&s);
	CHECK(c[1].sock >= 0);
	CHECK(expect_header(&c[1], 1, 4u << 20)); /* lowest free id, not 3 */
	CHECK(expect_fds(&c[1], 0, 2));
	CHECK(expect_fds(&c[1], 2, 2));
	CHECK(expect_fds(&c[1], 1, 2));
	CHECK(quiet(c[1].sock));
	CHECK(expect_fds(&c[0], 1, 2));
	CHECK(expect_fds(&c[2], 1, 2));
	for (unsigned int k = 0; k < 3; k++)
		close_conn(&c[k]);
	tu_server_stop(&s);
}

/* A client that never reads (its socket buffer full of 64-vector
 * announcements) must not delay the others; garbage input is ignored. */
static void test_stalled_client_does_not_stall_others(void)
{
	struct test_server s;
	const char *extra[] = { "-n", "64", NULL };
	static struct peer_conn c[12];
	int stalled;

	CHECK(tu_server_start(&s, "stall", extra));
	stalled = raw_connect(&s);
	CHECK(stalled >= 0);
	CHECK(send(stalled, "garbage!", 8, MSG_NOSIGNAL) == 8);
	for (unsigned int k = 0; k < 12; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].sock = raw_connect(&s);
		CHECK(c[k].sock >= 0);
		CHECK(expect_header(&c[k], k + 1, 4u << 20));
		CHECK(expect_fds(&c[k], 0, 64));
		for (unsigned int j = 0; j < k; j++)
			CHECK(expect_fds(&c[k], j + 1, 64));
		CHECK(expect_fds(&c[k], k + 1, 64));
		for (unsigned int j = 0; j < k; j++)
			CHECK(expect_fds(&c[j], k + 1, 64));
		/* c[k] holds fds of up to 12 peers; close them as we go */
		for (int p = 0; p < 16; p++)
			for (int v = 0; v < 64; v++)
				if (c[k].fds[p][v] > 0 && p != 0) {
					close(c[k].fds[p][v]);
					c[k].fds[p][v] = 0;
				}
	}
	close(stalled);
	for (unsigned int k = 0; k < 12; k++)
		close_conn(&c[k]);
	CHECK(waitpid(s.pid, NULL, WNOHANG) == 0); /* still alive */
	tu_server_stop(&s);
}

/* SIGTERM: exit 0, socket, pidfile and shm object removed. */
static void test_sigterm_cleans_up(void)
{
	struct test_server s;
	char shm_path[96];

	CHECK(tu_server_start(&s, "term", NULL));
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/%s", s.shm);
	CHECK(access(shm_path, F_OK) == 0);
	int status = tu_server_kill(&s, SIGTERM);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(access(s.sock, F_OK) != 0);
	CHECK(access(s.pidfile, F_OK) != 0);
	CHECK(access(shm_path, F_OK) != 0);
	tu_server_stop(&s);
}

/* -m dir backs a sealed memfd by dir's filesystem: no file appears in
 * dir (nothing a host process could open and resize), even with -k. */
static void test_keep_and_dir(void)
{
	struct test_server s;
	char dir[] = "/tmp/ivshm-t-dirXXXXXX";
	char file[96];

	CHECK(mkdtemp(dir) != NULL);
	const char *extra[] = { "-m", dir, "-k", "-l", "64K", NULL };

	CHECK(tu_server_start(&s, "dir", extra));
	snprintf(file, sizeof(file), "%s/%s", dir, s.shm);
	struct stat st;

	CHECK(stat(file, &st) < 0 && errno == ENOENT);
	tu_server_kill(&s, SIGINT);
	CHECK(stat(file, &st) < 0 && errno == ENOENT);
	rmdir(dir);
	tu_server_stop(&s);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 20000, 20000 };

	if (!tu_init(argc, argv))
		return 2;
	setrlimit(RLIMIT_NOFILE, &rl);
	RUN(test_sequence_1_peer_1_vector);
	RUN(test_sequence_1_peer_64_vectors);
	RUN(test_sequence_2_peers_1_vector);
	RUN(test_sequence_2_peers_64_vectors);
	RUN(test_sequence_16_peers_1_vector);
	RUN(test_sequence_16_peers_64_vectors);
	RUN(test_disconnect_announce_and_id_reuse);
	RUN(test_stalled_client_does_not_stall_others);
	RUN(test_sigterm_cleans_up);
	RUN(test_keep_and_dir);
	return check_exit_code();
}
