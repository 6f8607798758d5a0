/* SPDX-License-Identifier: BSD-3-Clause
 * BAR2 guard (drivers/bus/ivshmem/ivshmem_bar2_guard.c) with real files,
 * real truncation and real SIGBUS: a guarded mapping survives (reads
 * zeros, counts the fault), threads faulting at once all survive, faults
 * elsewhere reach the application's own handler or kill the process as
 * they would without us, and the last unregister gives SIGBUS back. The
 * seal check runs through the host device model on a real sealed memfd
 * handed out by a one-shot server, as ivshmem-server hands it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "../check.h"
#include "host_util.h"
#include "ivshm_device.h"
#include "ivshmem_bar2_guard.h"

#define MAP_LEN (1u << 20)

/* A fresh /dev/shm file of MAP_LEN bytes, mapped shared, filled with 0xa5. */
static uint8_t *map_file(const char *tag, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "/dev/shm/guard-test-%d-%s", (int)getpid(), tag);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, MAP_LEN) != 0)
		return NULL;
	void *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0xa5, MAP_LEN);
	return p;
}

static uint8_t read_at(const uint8_t *base, size_t off)
{
	return *(const volatile uint8_t *)(base + off);
}

/* ---- the application's own SIGBUS handler --------------------------------- */

static atomic_int app_calls;
static void *app_last_addr;

/* Like an application that handles its own mappings: makes the page
 * readable again. */
static void app_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	app_last_addr = si->si_addr;
	atomic_fetch_add(&app_calls, 1);
	if (si->si_code > 0)
		mmap((void *)((uintptr_t)si->si_addr & ~(uintptr_t)4095), 4096,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void set_app_handler(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = app_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, old);
}

static bool sigbus_handler_is(void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction cur;

	sigaction(SIGBUS, NULL, &cur);
	return (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == fn;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_truncated_mapping_reads_zeros(void)
{
	char path[96];
	uint8_t *p = map_file("zeros", path, sizeof(path));
	struct ivshmem_bar2_guard *g;

	CHECK(p != NULL);
	CHECK_EQ(ivshmem_bar2_guard_register(p, MAP_LEN, 0, &g), 0);
	CHECK_EQ(read_at(p, 12345), 0xa5);
	CHECK(!ivshmem_bar2_guard_lost(g));
	CHECK_EQ(truncate(path, 0), 0);
	CHECK_EQ(read_at(p, 12345), 0);          /* survived: zeros */
	CHECK_EQ(read_at(p, MAP_LEN - 1), 0);    /* the whole mapping */
	p[77] = 1;                               /* writable (an empty ring) */
	CHECK_EQ(read_at(p, 77), 1);
	CHECK_EQ(ivshmem_bar2_guard_faults(g), 1);
	CHECK(ivshmem_bar2_guard_lost(g));
	ivshmem_bar2_guard_unregister(g);
	munmap(p, MAP_LEN);
	unlink(path);
}

struct reader {
	const uint8_t *p;
	atomic_bool *stop;
	atomic_int *started;
	uint64_t zeros;
};

static void *read_until_stopped(void *arg)
{
	struct reader *r = arg;

	atomic_fetch_add(r->started, 1);
	while (!atomic_load(r->stop))
		for (size_t off = 0; off < MAP_LEN; off += 4096)
			r->zeros += read_at(r->p, off) == 0;
	return NULL;
}

/* Four threads reading all pages when the file goes: they fault at about
 * the same time, all survive, and the pages were replaced once. Adds the
 * faults absorbed to *faults. */
static void threads_fault_at_once(uint64_t *faults)
{
	enum { N = 4 };
	char path[96];
	uint8_t *p = map_file("threads", path, sizeof(path));
	struct ivshmem_bar2_guard *g;
	struct reader r[N];
	pthread_t t[N];
	atomic_bool stop = false;
	atomic_int started = 0;

	CHECK(p != NULL);
	CHECK_EQ(ivshmem_bar2_guard_register(p, MAP_LEN, 0, &g), 0);
	for (int i = 0; i < N; i++) {
		r[i] = (struct reader){ .p = p, .stop = &stop, .started = &started };
		CHECK_EQ(pthread_create(&t[i], NULL, read_until_stopped, &r[i]), 0);
	}
	while (atomic_load(&started) < N)
		sched_yield();
	CHECK_EQ(truncate(path, 0), 0);
	/* every reader sees zeros once the pages are replaced */
	int64_t deadline = ivshm_now_ms() + DEADLINE_MS;
	bool all_zero = false;

	while (!all_zero && ivshm_now_ms() < deadline) {
		all_zero = true;
		for (int i = 0; i < N; i++)
			all_zero &= atomic_load_explicit((_Atomic uint64_t *)&r[i].zeros,
							 memory_order_relaxed) > 0;
	}
	atomic_store(&stop, true);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	CHECK(all_zero);
	CHECK(ivshmem_bar2_guard_lost(g));
	CHECK(ivshmem_bar2_guard_faults(g) >= 1 && ivshmem_bar2_guard_faults(g) <= N);
	*faults += ivshmem_bar2_guard_faults(g);
	ivshmem_bar2_guard_unregister(g);
	munmap(p, MAP_LEN);
	unlink(path);
}

static void test_threads_fault_at_once(void)
{
	enum { ROUNDS = 10 };
	uint64_t faults = 0;

	for (int i = 0; i < ROUNDS && !check_current_failed; i++)
		threads_fault_at_once(&faults);
	printf("# %d rounds of 4 readers: %" PRIu64 " faults absorbed\n", ROUNDS, faults);
}

/* A fault outside our mappings reaches the handler the application had
 * before us; ours are not given to it; the last unregister restores it. */
static void test_chains_to_app_handler(void)
{
	char path_ours[96], path_app[96];
	uint8_t *ours = map_file("ours", path_ours, sizeof(path_ours));
	uint8_t *app = map_file("app", path_app, sizeof(path_app));
	struct ivshmem_bar2_guard *g;
	struct sigaction old;

	CHECK(ours != NULL && app != NULL);
	set_app_handler(&old);
	atomic_store(&app_calls, 0);
	CHECK_EQ(ivshmem_bar2_guard_register(ours, MAP_LEN, 0, &g), 0);
	CHECK(!sigbus_handler_is(app_handler));
	CHECK_EQ(truncate(path_app, 0), 0);
	CHECK_EQ(read_at(app, 4096 * 3 + 5), 0);  /* the app fixed its page */
	CHECK_EQ(atomic_load(&app_calls), 1);
	CHECK(app_last_addr == app + 4096 * 3 + 5);
	CHECK_EQ(ivshmem_bar2_guard_faults(g), 0);
	raise(SIGBUS);                             /* a kill(): not a fault of ours */
	CHECK_EQ(atomic_load(&app_calls), 2);
	CHECK_EQ(truncate(path_ours, 0), 0);
	CHECK_EQ(read_at(ours, 99), 0);
	CHECK_EQ(atomic_load(&app_calls), 2);      /* ours stayed ours */
	CHECK_EQ(ivshmem_bar2_guard_faults(g), 1);
	ivshmem_bar2_guard_unregister(g);
	CHECK(sigbus_handler_is(app_handler));     /* given back */
	sigaction(SIGBUS, &old, NULL);
	munmap(ours, MAP_LEN);
	munmap(app, MAP_LEN);
	unlink(path_ours);
	unlink(path_app);
}

/* With no handler before us, a fault outside our mappings kills the
 * process as it would without us (under ASan, its handler reports it). */
static void test_default_action_kept(void)
{
#ifdef __SANITIZE_ADDRESS__
	printf("# expected below: ASan's BUS report from the child (its handler was ours' previous)\n");
	fflush(stdout);
#endif
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		char path_ours[96], path_other[96];
		uint8_t *ours = map_file("kours", path_ours, sizeof(path_ours));
		uint8_t *other = map_file("kother", path_other, sizeof(path_other));
		struct ivshmem_bar2_guard *g;
		int rc = ours == NULL || other == NULL ||
			 ivshmem_bar2_guard_register(ours, MAP_LEN, 0, &g) != 0 ||
			 truncate(path_other, 0) != 0;

		unlink(path_ours);
		unlink(path_other);
		if (rc != 0)
			_exit(3);
		(void)read_at(other, 100);
		_exit(0); /* survived a fault that is not ours: wrong */
	}
	int st;

	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 3); /* setup worked */
	CHECK(!(WIFEXITED(st) && WEXITSTATUS(st) == 0));
#ifndef __SANITIZE_ADDRESS__
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
#endif
}

/* A one-shot server (forked): version 0, own id 0, then `shm` as the
 * region, as ivshmem-server sends them; serves one client. */
static pid_t serve_shm_once(int shm, char *path, size_t pathlen)
{
	int lsock;

	snprintf(path, pathlen, "/tmp/guard-test-%d.sock", (int)getpid());
	unlink(path);
	pid_t pid = tu_fork_listener(path, &lsock);

	if (pid != 0)
		return pid;
	int sock = tu_accept_one(lsock);
	const int64_t msgs[3] = { 0, 0, -1 };
	uint8_t b[8];

	for (int i = 0; sock >= 0 && i < 3; i++) {
		ivshm_proto_encode(msgs[i], b);
		ivshm_proto_send_bytes(sock, b, sizeof(b), i == 2 ? shm : -1);
	}
	tu_readable(sock, DEADLINE_MS); /* until the client closes */
	_exit(0);
}

/* Whether the host device model finds the region a server hands out
 * unprotected against shrinking (the seals of the fd it received). */
static int unsealed_from_server(int shm)
{
	/* a generous deadline: the forked server may be slow to be scheduled
	 * under a sanitizer on a loaded machine (seen: > 5 s) */
	struct ivshm_device_config cfg = { .protocol = IVSHM_PROTO_V0,
					   .timeout_ms = 30000 };
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN], path[108];
	pid_t pid = serve_shm_once(shm, path, sizeof(path));
	int unsealed = -1;

	if (pid < 0)
		return -1;
	cfg.server_path = path;
	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) == 0) {
		unsealed = ivshmem_bar2_unsealed(ivshm_device_bar2_seals(dev));
		ivshm_device_close(dev);
	} else {
		fprintf(stderr, "  open: %s\n", err);
	}
	waitpid(pid, NULL, 0);
	unlink(path);
	return unsealed;
}

/* The same for a plain shm file (shm= devarg). */
static int unsealed_from_file(const char *file)
{
	struct ivshm_device_config cfg = { .shm_path = file, .id = 0 };
	struct ivshm_device *dev;
	char err[IVSHM_ERR_LEN];
	int unsealed;

	if (ivshm_device_open(&cfg, &dev, err, sizeof(err)) != 0) {
		fprintf(stderr, "  open %s: %s\n", file, err);
		return -1;
	}
	unsealed = ivshmem_bar2_unsealed(ivshm_device_bar2_seals(dev));
	ivshm_device_close(dev);
	return unsealed;
}

/* Only a region sealed against shrinking counts as protected: a sealed
 * memfd from a server; not a memfd without seals, not a /dev/shm file. */
static void test_seals(void)
{
	char path[96];
	int sealed = memfd_create("guard-test-sealed", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	int loose = memfd_create("guard-test-loose", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	uint8_t *p = map_file("seals", path, sizeof(path));

	CHECK(sealed >= 0 && loose >= 0 && p != NULL);
	CHECK_EQ(ftruncate(sealed, MAP_LEN), 0);
	CHECK_EQ(ftruncate(loose, MAP_LEN), 0);
	CHECK_EQ(fcntl(sealed, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	CHECK_EQ(unsealed_from_server(sealed), 0);
	CHECK_EQ(unsealed_from_server(loose), 1);
	CHECK_EQ(unsealed_from_file(path), 1);     /* its seals: F_SEAL_SEAL only */
	CHECK(ivshmem_bar2_unsealed(-EINVAL));     /* a file that has no seals */
	CHECK(!ivshmem_bar2_unsealed(F_SEAL_SHRINK));
	CHECK_EQ(ftruncate(sealed, 0), -1);        /* what the seal buys */
	CHECK_EQ(errno, EPERM);
	close(sealed);
	close(loose);
	munmap(p, MAP_LEN);
	unlink(path);
}

/* Installed with the first mapping, kept while any is registered, given
 * back with the last; a full table is refused, not overrun. */
static void test_installed_once(void)
{
	static char area[IVSHMEM_BAR2_GUARD_SLOTS + 1][4096] __attribute__((aligned(4096)));
	struct ivshmem_bar2_guard *g[IVSHMEM_BAR2_GUARD_SLOTS + 1];
	struct sigaction before, cur;
	void (*ours)(int, siginfo_t *, void *);

	sigaction(SIGBUS, NULL, &before);
	CHECK_EQ(ivshmem_bar2_guard_register(area[0], 4096, 0, &g[0]), 0);
	sigaction(SIGBUS, NULL, &cur);
	CHECK(cur.sa_flags & SA_SIGINFO);
	ours = cur.sa_sigaction;
	for (unsigned int i = 1; i < IVSHMEM_BAR2_GUARD_SLOTS; i++)
		CHECK_EQ(ivshmem_bar2_guard_register(area[i], 4096, 0, &g[i]), 0);
	CHECK_EQ(ivshmem_bar2_guard_register(area[IVSHMEM_BAR2_GUARD_SLOTS], 4096, 0,
					     &g[IVSHMEM_BAR2_GUARD_SLOTS]), -ENOSPC);
	for (unsigned int i = 0; i + 1 < IVSHMEM_BAR2_GUARD_SLOTS; i++)
		ivshmem_bar2_guard_unregister(g[i]);
	CHECK(sigbus_handler_is(ours));            /* one mapping left */
	ivshmem_bar2_guard_unregister(g[IVSHMEM_BAR2_GUARD_SLOTS - 1]);
	sigaction(SIGBUS, NULL, &cur);
	CHECK(cur.sa_handler == before.sa_handler); /* given back */
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	RUN(test_truncated_mapping_reads_zeros);
	RUN(test_threads_fault_at_once);
	RUN(test_chains_to_app_handler);
	RUN(test_default_action_kept);
	RUN(test_seals);
	RUN(test_installed_once);
	return check_exit_code();
}
