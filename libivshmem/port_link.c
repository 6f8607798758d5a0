/* SPDX-License-Identifier: BSD-3-Clause
 * libivshmem: the link monitor of a port, a thread from open to close.
 * Every IVSHM_HEARTBEAT_US it bumps our heartbeat and runs the peer
 * protocol's link decision (lib/ivshm_peer.c, the PMD's too); in between
 * it handles the server's messages (peers joining and leaving).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "port_priv.h"
#include "ivshm_util.h"

#define LINK_TIMEOUT_NS ((uint64_t)IVSHM_LINK_TIMEOUT_US * 1000u)
#define HEARTBEAT_NS    ((uint64_t)IVSHM_HEARTBEAT_US * 1000u)

uint64_t port_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void port_sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000u, (long)(us % 1000000u) * 1000L };

	nanosleep(&ts, NULL);
}

static void link_tick(struct ivshmem_port *p)
{
	const char *why;
	bool up;

	ivshm_region_heartbeat(&p->region);
	why = ivshm_link_peer_down_reason(&p->region, p->peer, &p->peer_live,
					  &p->peer_gen, port_now_ns(), LINK_TIMEOUT_NS);
	up = why == NULL;
	if (!up)
		atomic_store_explicit(&p->link_why, why, memory_order_relaxed);
	if (up != atomic_load_explicit(&p->link_up, memory_order_relaxed)) {
		atomic_store_explicit(&p->link_up, up, memory_order_release);
		atomic_fetch_add_explicit(&p->link_changes, 1, memory_order_relaxed);
	}
}

static void *monitor_main(void *arg)
{
	struct ivshmem_port *p = arg;
	uint64_t next = port_now_ns(), now;

	while (!atomic_load_explicit(&p->stop, memory_order_acquire)) {
		now = port_now_ns();
		if (now >= next) {
			link_tick(p);
			next += HEARTBEAT_NS;
			if (next < now) /* we were descheduled: no catch-up burst */
				next = now + HEARTBEAT_NS;
			continue;
		}
		port_dev_service(&p->dev, (int)((next - now) / 1000000u) + 1);
	}
	return NULL;
}

int port_link_start(struct ivshmem_port *p, char *err, size_t errlen)
{
	int rc;

	sigset_t all, old;

	atomic_store(&p->link_why, "peer not attached");
	/* The program's signals go to the program's threads, never to ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&p->monitor, NULL, monitor_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ivshm_set_err(err, errlen, "cannot start the link monitor thread: %s",
			      strerror(rc));
		return -rc;
	}
	p->monitor_running = true;
	return 0;
}

void port_link_stop(struct ivshmem_port *p)
{
	if (!p->monitor_running)
		return;
	atomic_store_explicit(&p->stop, true, memory_order_release);
	pthread_join(p->monitor, NULL);
	p->monitor_running = false;
	atomic_store(&p->link_up, false);
}

bool ivshmem_port_link_up(const struct ivshmem_port *p, const char **why)
{
	bool up = atomic_load_explicit(&p->link_up, memory_order_acquire);

	if (why != NULL)
		*why = up ? NULL : atomic_load_explicit(&p->link_why, memory_order_relaxed);
	return up;
}

bool ivshmem_port_wait_link(const struct ivshmem_port *p, int timeout_ms)
{
	int64_t deadline = ivshm_now_ms() + timeout_ms;

	while (!ivshmem_port_link_up(p, NULL)) {
		if (ivshm_now_ms() >= deadline)
			return false;
		port_sleep_us(1000);
	}
	return true;
}
