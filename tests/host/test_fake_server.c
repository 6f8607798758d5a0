/* SPDX-License-Identifier: BSD-3-Clause
 * Client side of the protocol against a scripted fake server. The fake is a
 * test double for a *malicious or broken* server: it sends byte streams a
 * real server never would, so we can assert that the device model reports
 * each problem with a clear error (message text checked) and never crashes
 * or hangs. Also covers the pre-version protocol (seeds 000, 002-004) and
 * setup rules of seed 001, which no server of ours speaks. */
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "../check.h"
#include "host_util.h"
#include "ivshm_device.h"

enum step_kind { MSG, MSG_EVENTFD, MSG_SHM, MSG_TWO_FDS, RAW4, END };

struct step {
	enum step_kind kind;
	int64_t value;
};

static char fake_path[108];
static uint64_t fake_shm_size = 1u << 20;

static int make_shm(void)
{
	int fd = memfd_create("fake-shm", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)fake_shm_size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_step(int sock, const struct step *st, bool legacy)
{
	uint8_t b[8];
	int fd = -1, fd2 = -1;

	if (legacy) {
		long v = (long)st->value; /* host long, host order */

		memcpy(b, &v, sizeof(v));
	} else {
		ivshm_proto_encode(st->value, b);
	}
	if (st->kind == RAW4) {
		if (send(sock, b, 4, MSG_NOSIGNAL) != 4) { /* peer gone */ }
		return;
	}
	if (st->kind == MSG_EVENTFD || st->kind == MSG_TWO_FDS)
		fd = eventfd(0, EFD_CLOEXEC);
	if (st->kind == MSG_SHM)
		fd = make_shm();
	if (st->kind == MSG_TWO_FDS) {
		/* two fds in one SCM_RIGHTS: build it by hand */
		union { struct cmsghdr a; char c[CMSG_SPACE(2 * sizeof(int))]; } ctl;
		struct iovec iov = { b, 8 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.c, .msg_controllen = sizeof(ctl.c) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		int two[2] = { fd, fd2 = eventfd(0, EFD_CLOEXEC) };

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(two));
		memcpy(CMSG_DATA(c), two, sizeof(two));
		if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0) { /* peer gone */ }
	} else if (ivshm_proto_send_bytes(sock, b, 8, fd) < 0) {
		/* peer gone: fine for a fake */
	}
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

/* Child: accepts one client, plays the script, then (unless the script ends
 * with END = hang up) waits for the client to go away. */
static pid_t fake_server(const struct step *script, bool legacy, bool hold)
{
	static unsigned int seq;
	int lsock;

	snprintf(fake_path, sizeof(fake_path), "/tmp/ivshm-fake-%d-%u.sock",
		 (int)getpid(), seq++);
	pid_t pid = tu_fork_listener(fake_path, &lsock);

	if (pid != 0)
		return pid;
	int sock = tu_accept_one(lsock);

	if (sock < 0)
		_exit(1);

	for (; sock >= 0 && script->kind != END; script++)
		send_step(sock, script, legacy);
	if (hold)
		tu_readable(sock, DEADLINE_MS); /* until the client closes */
	_exit(0);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(fake_path);
}

static struct ivshm_device_config base_cfg(void)
{
	return (struct ivshm_device_config){ .server_path = fake_path,
		.vectors = 2, .timeout_ms = 2000, .protocol = IVSHM_PROTO_V0 };
}

/* Opens against the script; expects failure with `needle` in the error. */
static bool open_fails_with(const struct step *script,
			    struct ivshm_device_config cfg, const char *needle,
			    bool hold)
{
	char err[IVSHM_ERR_LEN] = "";
	struct ivshm_device *dev = NULL;
	pid_t pid = fake_server(script, cfg.protocol == IVSHM_PROTO_PRE_VERSION, hold);

	if (pid < 0)
		return false;
	int rc = ivshm_device_open(&cfg, &dev, err, sizeof(err));

	reap(pid);
	if (rc == 0)
		ivshm_device_close(dev);
	if (rc == 0 || strstr(err, needle) == NULL) {
		fprintf(stderr, "  rc %d, error \"%s\", wanted \"%s\"\n", rc, err, needle);
		return false;
	}
	return true;
}

#define HDR(id) { MSG, 0 }, { MSG, id }

static void test_truncated_message(void)
{
	struct step s[] = { HDR(0), { RAW4, -1 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "truncated message", false));
}

/* seed 001: version must be 0 */
static void test_version_not_0(void)
{
	struct step s[] = { { MSG, 1 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "protocol version 1, expected 0", true));
}

static void test_fd_on_version_message(void)
{
	struct step s[] = { { MSG_EVENTFD, 0 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "fd with the version message", true));
}

/* seed 001: own id 0..65535, without fd */
static void test_own_id_above_65535(void)
{
	struct step s[] = { HDR(65536), { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "invalid own id 65536", true));
}

static void test_fd_on_own_id_message(void)
{
	struct step s[] = { { MSG, 0 }, { MSG_EVENTFD, 3 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "fd with the own-id message", true));
}

/* seed 001 process_msg: ids outside -1..65535 are invalid */
static void test_peer_id_out_of_range(void)
{
	struct step hi[] = { HDR(0), { MSG_EVENTFD, 70000 }, { END, 0 } };
	struct step lo[] = { HDR(0), { MSG, -2 }, { END, 0 } };

	CHECK(open_fails_with(hi, base_cfg(), "invalid peer id 70000", true));
	CHECK(open_fails_with(lo, base_cfg(), "invalid peer id -2", true));
}

/* seed 001: "Too many eventfd received" -- the Nth fd is vector N-1 */
static void test_more_eventfds_than_vectors(void)
{
	struct step s[] = { HDR(0), { MSG_EVENTFD, 1 }, { MSG_EVENTFD, 1 },
			    { MSG_EVENTFD, 1 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(),
			      "more eventfds for peer 1 than the device has vectors (2)", true));
}

/* seed 001: a second shm message is an error, reported after setup too */
static void test_shm_twice(void)
{
	struct step s[] = { HDR(0), { MSG_SHM, -1 }, { MSG_SHM, -1 }, { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN] = "";
	pid_t pid = fake_server(s, false, true);
	int rc = -1;

	CHECK(pid > 0);
	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) == 0) {
		int64_t deadline = ivshm_now_ms() + DEADLINE_MS;

		while ((rc = ivshm_device_wait(dev, 100, err, sizeof(err))) >= 0 &&
		       ivshm_now_ms() < deadline)
			;
		CHECK_EQ(ivshm_device_bar2_size(dev), fake_shm_size); /* first kept */
		ivshm_device_close(dev);
	}
	reap(pid);
	CHECK(rc < 0);
	CHECK(strstr(err, "shared memory twice") != NULL);
	/* and during setup when waiting for own vectors */
	struct step s2[] = { HDR(0), { MSG_SHM, -1 }, { MSG_SHM, -1 }, { END, 0 } };

	cfg.wait_vectors = 1;
	CHECK(open_fails_with(s2, cfg, "shared memory twice", true));
}

static void test_shm_without_fd(void)
{
	struct step s[] = { HDR(0), { MSG, -1 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "shm message (-1) without an fd", true));
}

/* seeds 000/002-004 check_shm_size, 001 "server sent only N bytes" */
static void test_shm_smaller_than_requested(void)
{
	struct step s[] = { HDR(0), { MSG_SHM, -1 }, { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();

	cfg.size = 2 * fake_shm_size;
	CHECK(open_fails_with(s, cfg, "smaller than requested: 1048576 < 2097152", true));
}

/* seeds 000/002-004 and 001 legacy: BAR2 size must be a power of two */
static void test_size_not_power_of_two_legacy(void)
{
	struct ivshm_device_config cfg = base_cfg();
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN] = "";

	cfg.legacy_size = true;
	cfg.size = 3u << 20;
	CHECK(ivshm_device_open(&cfg, &dev, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "not a power of two") != NULL);
}

static void test_socket_path_too_long(void)
{
	struct ivshm_device_config cfg = base_cfg();
	struct ivshm_device *dev;
	char path[200], err[IVSHM_ERR_LEN] = "";

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cfg.server_path = path;
	CHECK(ivshm_device_open(&cfg, &dev, err, sizeof(err)) == -ENAMETOOLONG);
	CHECK(strstr(err, "socket path too long") != NULL);
}

static void test_server_gone_mid_setup(void)
{
	struct step s[] = { HDR(0), { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "server gone mid-setup", false));
}

static void test_server_stalls(void)
{
	struct step s[] = { HDR(0), { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();

	cfg.timeout_ms = 200;
	CHECK(open_fails_with(s, cfg, "timed out waiting for the server", true));
}

static void test_two_fds_in_one_message(void)
{
	struct step s[] = { HDR(0), { MSG_TWO_FDS, 1 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "more than one fd in one message", true));
}

/* seed 001 master=on / seeds 000-004 role=master: only peer 0 */
static void test_master_must_be_id_0(void)
{
	struct step s[] = { HDR(3), { MSG_SHM, -1 }, { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();

	cfg.role = IVSHM_ROLE_MASTER;
	CHECK(open_fails_with(s, cfg, "role=master requires peer id 0, got 3", true));
}

/* seed 001 process_msg_disconnect: our own id cannot leave */
static void test_own_id_announced_gone(void)
{
	struct step s[] = { HDR(2), { MSG, 2 }, { END, 0 } };

	CHECK(open_fails_with(s, base_cfg(), "announced our own id 2 as gone", true));
}

/* Pre-version protocol (seeds 000, 002-004): no version message, host long,
 * own id = first id without fd never seen; later id without fd = left. Any
 * order: a peer's fds may come before our id and the shm. */
static void test_pre_version_protocol(void)
{
	struct step s[] = { { MSG_EVENTFD, 1 }, { MSG_EVENTFD, 1 }, { MSG, 4 },
			    { MSG_SHM, -1 }, { MSG_EVENTFD, 4 }, { MSG, 1 },
			    { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN] = "";
	pid_t pid = fake_server(s, true, true);

	CHECK(pid > 0);
	cfg.protocol = IVSHM_PROTO_PRE_VERSION;
	cfg.legacy_size = true;   /* legacy rules: 1 MiB is a power of two */
	cfg.size = 1u << 20;
	cfg.wait_vectors = 1;
	int rc = ivshm_device_open(&cfg, &dev, err, sizeof(err));

	if (rc != 0) {
		reap(pid);
		fprintf(stderr, "  %s\n", err);
		CHECK(rc == 0);
	}
	CHECK_EQ(ivshm_device_id(dev), 4);
	CHECK_EQ(ivshm_device_reg_read(dev, IVSHM_REG_IVPOSITION), 4);
	CHECK(ivshm_device_is_master(dev) == false);
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;

	/* "1 without fd" after peer 1's fds: peer 1 left */
	while (ivshm_device_peer_vectors(dev, 1) != 0 && ivshm_now_ms() < deadline)
		ivshm_device_wait(dev, 100, err, sizeof(err));
	CHECK_EQ(ivshm_device_peer_vectors(dev, 1), 0);
	CHECK(ivshm_device_vector_fd(dev, 0) >= 0);
	ivshm_device_close(dev);
	reap(pid);
}

/* seed 001: after the id, messages in any order; setup ends at the shm. */
static void test_v0_any_order_after_id(void)
{
	struct step s[] = { HDR(0), { MSG_EVENTFD, 7 }, { MSG_EVENTFD, 0 },
			    { MSG_SHM, -1 }, { END, 0 } };
	struct ivshm_device_config cfg = base_cfg();
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN] = "";
	pid_t pid = fake_server(s, false, true);

	CHECK(pid > 0);
	cfg.role = IVSHM_ROLE_MASTER;
	int rc = ivshm_device_open(&cfg, &dev, err, sizeof(err));

	reap(pid);
	CHECK(rc == 0);
	CHECK_EQ(ivshm_device_peer_vectors(dev, 7), 1);
	CHECK(ivshm_device_vector_fd(dev, 0) >= 0);
	CHECK(ivshm_device_is_master(dev));
	ivshm_device_close(dev);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_truncated_message);
	RUN(test_version_not_0);
	RUN(test_fd_on_version_message);
	RUN(test_own_id_above_65535);
	RUN(test_fd_on_own_id_message);
	RUN(test_peer_id_out_of_range);
	RUN(test_more_eventfds_than_vectors);
	RUN(test_shm_twice);
	RUN(test_shm_without_fd);
	RUN(test_shm_smaller_than_requested);
	RUN(test_size_not_power_of_two_legacy);
	RUN(test_socket_path_too_long);
	RUN(test_server_gone_mid_setup);
	RUN(test_server_stalls);
	RUN(test_two_fds_in_one_message);
	RUN(test_master_must_be_id_0);
	RUN(test_own_id_announced_gone);
	RUN(test_pre_version_protocol);
	RUN(test_v0_any_order_after_id);
	return check_exit_code();
}
