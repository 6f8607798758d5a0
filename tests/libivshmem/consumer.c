/* SPDX-License-Identifier: BSD-3-Clause
 * A program built only from the installed libivshmem (pkg-config): two
 * ports of one process on a server's region. Port b sleeps on its
 * doorbell fd between bursts while port a sends 2000 numbered frames in
 * bursts with pauses: b gets every one, in order and intact, a rang
 * doorbells, and b sees its link go down when a closes.
 * Usage: consumer SERVER_SOCKET
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ivshmem.h>

#define FRAMES 2000u

static unsigned int received, bad;

static void fill(unsigned char *buf, unsigned int len, unsigned int seq)
{
	for (unsigned int i = 0; i < len; i++)
		buf[i] = (unsigned char)(seq * 7u + i);
	memcpy(buf, &seq, sizeof(seq));
}

static void *receiver(void *arg)
{
	struct ivshmem_port *b = arg;
	unsigned char buf[2048], want[2048];
	time_t end = time(NULL) + 20;
	int len;

	while (received < FRAMES && time(NULL) < end) {
		len = ivshmem_port_recv(b, buf, sizeof(buf));
		if (len == 0) {
			ivshmem_port_wait(b, 100); /* sleeps on the doorbell */
			continue;
		}
		fill(want, (unsigned int)len, received);
		if ((unsigned int)len != 60u + received % 1400u || memcmp(buf, want, (size_t)len) != 0)
			bad++;
		received++;
	}
	return NULL;
}

/* b's link is down because its peer left. */
static bool left(const struct ivshmem_port *b, const char **why)
{
	return !ivshmem_port_link_up(b, why) && *why != NULL &&
	       strcmp(*why, "peer not attached") == 0;
}

static int fail(const char *what)
{
	printf("FAIL: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	struct ivshmem_port *a, *b;
	struct ivshmem_port_info ia, ib;
	struct ivshmem_peer_info pa;
	struct ivshmem_stats sa, sb;
	struct timespec pause = { 0, 2000000 };
	unsigned char buf[2048];
	char err[IVSHMEM_ERR_LEN], spec[256];
	const char *why = NULL;
	pthread_t t;
	unsigned int seq;

	if (argc != 2)
		return 2;
	snprintf(spec, sizeof(spec), "server=%s", argv[1]);
	if (ivshmem_port_open(spec, &a, err, sizeof(err)) != 0 ||
	    ivshmem_port_open(spec, &b, err, sizeof(err)) != 0) {
		printf("open: %s\n", err);
		return fail("cannot open two ports");
	}
	if (!ivshmem_port_wait_link(a, 5000) || !ivshmem_port_wait_link(b, 5000))
		return fail("links did not come up");
	ivshmem_port_info(a, &ia);
	ivshmem_port_info(b, &ib);
	ivshmem_port_peer(b, &pa);
	if (ia.peer != ib.id || ib.peer != ia.id || memcmp(pa.mac, ia.mac, 6) != 0 ||
	    pa.state != IVSHMEM_PEER_UP || !ib.has_doorbell)
		return fail("ids, peer table MAC or state, doorbell fd");
	printf("libivshmem %s: ports %u and %u up\n", ivshmem_version(), ia.id, ib.id);
	pthread_create(&t, NULL, receiver, b);
	for (seq = 0; seq < FRAMES; seq++) {
		fill(buf, 60u + seq % 1400u, seq);
		while (ivshmem_port_send(a, buf, 60u + seq % 1400u) == 0)
			nanosleep(&pause, NULL);
		if (seq % 100 == 99)
			nanosleep(&pause, NULL); /* b goes to sleep on its doorbell */
	}
	pthread_join(t, NULL);
	ivshmem_port_stats(a, &sa);
	ivshmem_port_stats(b, &sb);
	printf("received=%u bad=%u a.tx_frames=%llu a.doorbells=%llu b.rx_frames=%llu\n",
	       received, bad, (unsigned long long)sa.tx_frames,
	       (unsigned long long)sa.doorbells, (unsigned long long)sb.rx_frames);
	if (received != FRAMES || bad != 0 || sa.tx_frames != FRAMES || sb.rx_frames != FRAMES)
		return fail("frames lost or damaged");
	if (sa.doorbells == 0)
		return fail("b slept but a rang no doorbell");
	ivshmem_port_close(a);
	/* close stops a's port (STOPPED: "peer port stopped"), then leaves */
	for (int i = 0; i < 200 && !left(b, &why); i++)
		nanosleep(&pause, NULL);
	if (!left(b, &why))
		return fail("b's link did not go down with 'peer not attached' when a left");
	printf("b: link down (%s)\n", why);
	ivshmem_port_close(b);
	printf("PASS\n");
	return 0;
}
