/* SPDX-License-Identifier: BSD-3-Clause
 * Host device model of QEMU's ivshmem; see ivshm_device.h and
 * doc/device-model.md (each register rule names the QEMU versions it comes
 * from). What only the legacy device did is in ivshm_device_legacy.c. */
#include "ivshm_device.h"
#include "ivshm_device_legacy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

#define DEFAULT_TIMEOUT_MS 5000

/* ---- peers ----------------------------------------------------------- */

static int grow_peers(struct ivshm_device *dev, unsigned int want)
{
	if (want <= dev->nb_peers)
		return 0;
	unsigned int n = dev->nb_peers ? dev->nb_peers : 16;

	while (n < want)
		n *= 2;
	if (n > IVSHM_MAX_PEER_ID + 1)
		n = IVSHM_MAX_PEER_ID + 1;
	struct peer *p = realloc(dev->peers, n * sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	memset(p + dev->nb_peers, 0, (n - dev->nb_peers) * sizeof(*p));
	dev->peers = p;
	dev->nb_peers = n;
	return 0;
}

static void close_peer(struct peer *p)
{
	if (p->fd == NULL) /* never joined: most slots of a sparse table */
		return;
	for (unsigned int i = 0; i < p->n; i++)
		close(p->fd[i]);
	p->n = 0;
	free(p->fd);
	p->fd = NULL;
}

/* ---- server messages ----------------------------------------------------- */

/* What the fd tells about the mapping before it is closed: its seals (a
 * region that can shrink under us is worth a warning) and page size. */
static void note_bar2_fd(struct ivshm_device *dev, int fd)
{
	struct statfs fs;

	dev->bar2_seals = fcntl(fd, F_GET_SEALS);
	if (dev->bar2_seals < 0)
		dev->bar2_seals = -errno;
	dev->bar2_page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == HUGETLBFS_MAGIC)
		dev->bar2_page_size = (uint64_t)fs.f_bsize;
}

/* Maps fd as BAR2 and closes it (the mapping keeps the object alive):
 * want bytes, or the whole object when want is 0; an object smaller than
 * want, or empty, is refused naming `what`. */
static int map_bar2(struct ivshm_device *dev, int fd, uint64_t want,
		    const char *what, char *err, size_t errlen)
{
	struct stat st;
	int e;

	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		ivshm_set_err(err, errlen, "cannot stat %s: %s", what, strerror(e));
		return -e;
	}
	uint64_t have = (uint64_t)st.st_size, size = want ? want : have;

	if (have < want || have == 0) {
		close(fd);
		ivshm_set_err(err, errlen,
			      "%s smaller than requested: %" PRIu64 " < %" PRIu64 " bytes",
			      what, have, want);
		return -EINVAL;
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	e = errno;
	note_bar2_fd(dev, fd);
	close(fd);
	if (p == MAP_FAILED) {
		ivshm_set_err(err, errlen, "cannot map %" PRIu64 " bytes of %s: %s",
			      size, what, strerror(e));
		return -e;
	}
	dev->bar2 = p;
	dev->bar2_size = size;
	return 0;
}

static int map_server_shm(struct ivshm_device *dev, int fd, char *err,
			  size_t errlen)
{
	if (dev->bar2 != NULL) {
		close(fd);
		ivshm_set_err(err, errlen, "server sent the shared memory twice");
		return -EPROTO;
	}
	return map_bar2(dev, fd, dev->want_size, "server shm", err, errlen);
}

static int peer_fd_msg(struct ivshm_device *dev, unsigned int id, int fd,
		       char *err, size_t errlen)
{
	if (grow_peers(dev, id + 1) < 0) {
		close(fd);
		ivshm_set_err(err, errlen, "out of memory for peer %u", id);
		return -ENOMEM;
	}
	struct peer *p = &dev->peers[id];

	/* the Nth fd of a peer is its vector N-1 (all QEMU versions) */
	if (p->n >= dev->vectors) {
		close(fd);
		ivshm_set_err(err, errlen,
			      "server sent more eventfds for peer %u than the device has vectors (%u)",
			      id, dev->vectors);
		return -EPROTO;
	}
	if (p->fd == NULL)
		p->fd = malloc(dev->vectors * sizeof(int));
	if (p->fd == NULL) {
		close(fd);
		ivshm_set_err(err, errlen, "out of memory for peer %u", id);
		return -ENOMEM;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (p->n == 0)
		dev->st.peers_joined++;
	p->fd[p->n++] = fd;
	return 0;
}

static int peer_left_msg(struct ivshm_device *dev, unsigned int id, char *err,
			 size_t errlen)
{
	if ((int)id == dev->own_id) {
		ivshm_set_err(err, errlen, "server announced our own id %u as gone", id);
		return -EPROTO;
	}
	if (id < dev->nb_peers && dev->peers[id].n > 0) {
		close_peer(&dev->peers[id]);
		dev->st.peers_left++;
	}
	return 0;
}

/* One message after the version/id handshake, any order (QEMU >= 2.5), or any
 * message at all in the pre-version protocol (QEMU 1.0-2.4). */
static int process_msg(struct ivshm_device *dev, int64_t msg, int fd, char *err,
		       size_t errlen)
{
	if (msg < IVSHM_MSG_SHM_ID || msg > IVSHM_MAX_PEER_ID) {
		if (fd >= 0)
			close(fd);
		ivshm_set_err(err, errlen,
			      "server sent invalid peer id %" PRId64 " (valid: -1..%d)",
			      msg, IVSHM_MAX_PEER_ID);
		return -EPROTO;
	}
	if (msg == IVSHM_MSG_SHM_ID) {
		if (fd < 0) {
			ivshm_set_err(err, errlen, "server sent the shm message (-1) without an fd");
			return -EPROTO;
		}
		return map_server_shm(dev, fd, err, errlen);
	}
	unsigned int id = (unsigned int)msg;

	if (fd >= 0)
		return peer_fd_msg(dev, id, fd, err, errlen);
	if (ivshm_legacy_is_own_id(dev, id)) {
		dev->own_id = (int)id;
		return 0;
	}
	return peer_left_msg(dev, id, err, errlen);
}

static int setup_recv(struct ivshm_device *dev, int64_t deadline, int64_t *msg,
		      int *fd, char *err, size_t errlen)
{
	int rc = ivshm_proto_recv(dev->sock, &dev->rx, deadline, msg, fd, err,
				  errlen);

	if (rc == -ECONNRESET)
		ivshm_set_err(err, errlen,
			      "server gone mid-setup: it closed the connection");
	return rc < 0 ? rc : 0;
}

/* Version 0 handshake (QEMU >= 2.5): version 0 without fd, then own id. */
static int recv_v0_header(struct ivshm_device *dev, int64_t deadline, char *err,
			  size_t errlen)
{
	int64_t msg;
	int fd, rc = setup_recv(dev, deadline, &msg, &fd, err, errlen);

	if (rc < 0)
		return rc;
	if (fd >= 0)
		close(fd);
	if (msg != IVSHM_PROTOCOL_VERSION) {
		ivshm_set_err(err, errlen, "server sent protocol version %" PRId64 ", expected %d",
			      msg, IVSHM_PROTOCOL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (fd >= 0) {
		ivshm_set_err(err, errlen, "server sent an fd with the version message");
		return -EPROTO;
	}
	rc = setup_recv(dev, deadline, &msg, &fd, err, errlen);
	if (rc < 0)
		return rc;
	if (fd >= 0) {
		close(fd);
		ivshm_set_err(err, errlen, "server sent an fd with the own-id message");
		return -EPROTO;
	}
	if (msg < 0 || msg > IVSHM_MAX_PEER_ID) {
		ivshm_set_err(err, errlen, "server sent invalid own id %" PRId64 " (valid: 0..%d)",
			      msg, IVSHM_MAX_PEER_ID);
		return -EPROTO;
	}
	dev->own_id = (int)msg;
	return 0;
}

static bool setup_done(const struct ivshm_device *dev, unsigned int wait_vectors)
{
	if (dev->bar2 == NULL || dev->own_id < 0)
		return false;
	if (wait_vectors == 0)
		return true;
	unsigned int have = (unsigned int)dev->own_id < dev->nb_peers ?
			    dev->peers[dev->own_id].n : 0;

	return have >= wait_vectors;
}

static int setup_server(struct ivshm_device *dev,
			const struct ivshm_device_config *cfg, char *err,
			size_t errlen)
{
	int64_t deadline = ivshm_now_ms() +
		(cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
	unsigned int wait = cfg->wait_vectors < dev->vectors ?
			    cfg->wait_vectors : dev->vectors;
	int rc;

	dev->sock = ivshm_proto_connect(cfg->server_path, err, errlen);
	if (dev->sock < 0) {
		rc = dev->sock;
		dev->sock = -1;
		return rc;
	}
	ivshm_proto_rx_init(&dev->rx, cfg->protocol);
	if (cfg->protocol == IVSHM_PROTO_V0) {
		rc = recv_v0_header(dev, deadline, err, errlen);
		if (rc < 0)
			return rc;
	}
	while (!setup_done(dev, wait)) {
		int64_t msg;
		int fd;

		rc = setup_recv(dev, deadline, &msg, &fd, err, errlen);
		if (rc == 0)
			rc = process_msg(dev, msg, fd, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- plain shm file (ivshmem-plain) -------------------------------------- */

/* Creates path already sized: a temporary file is sized, then linked to
 * the name, so a peer that opens the name never sees it empty or short.
 * Returns the fd, -EEXIST if the name exists, or another negative errno. */
static int create_sized(const char *path, uint64_t size, char *err,
			size_t errlen)
{
	static _Atomic unsigned int seq;
	char tmp[4096 + 32];
	int fd, rc, e;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.%u.tmp", path, (int)getpid(),
		     atomic_fetch_add(&seq, 1)) >= (int)sizeof(tmp)) {
		ivshm_set_err(err, errlen, "shm file path too long: %s", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		e = errno;
		ivshm_set_err(err, errlen, "cannot create %s: %s", tmp, strerror(e));
		return -e;
	}
	rc = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
	if (rc == 0)
		rc = link(tmp, path) < 0 ? -errno : 0;
	unlink(tmp);
	if (rc == 0)
		return fd;
	close(fd);
	if (rc != -EEXIST)
		ivshm_set_err(err, errlen, "cannot create %s at %" PRIu64 " bytes: %s",
			      path, size, strerror(-rc));
	return rc;
}

/* Opens an existing shm file that only we or root can have prepared: a
 * file another user planted in a world-writable dir (e.g. /dev/shm) could
 * be read and written by that user, and a symlink could point anywhere. */
static int open_existing(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW), e;

	if (fd < 0) {
		e = errno;
		ivshm_set_err(err, errlen, "cannot open shm file %s: %s%s", path,
			      strerror(e), e == ELOOP ? " (a symlink: give the real path)" : "");
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		ivshm_set_err(err, errlen, "shm file %s is not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		close(fd);
		ivshm_set_err(err, errlen,
			      "shm file %s belongs to uid %u, not to us (uid %u) or root: "
			      "refused (its owner could read and write our traffic)",
			      path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -EPERM;
	}
	return fd;
}

/* Opens the plain shm file, creating it at size bytes when asked and it
 * does not exist yet (size 0: it must exist). */
static int open_plain_file(const struct ivshm_device_config *cfg, uint64_t size,
			   char *err, size_t errlen)
{
	if (cfg->create && size > 0) {
		int fd = create_sized(cfg->shm_path, size, err, errlen);

		if (fd != -EEXIST)
			return fd;
	}
	return open_existing(cfg->shm_path, err, errlen);
}

static int setup_plain(struct ivshm_device *dev,
		       const struct ivshm_device_config *cfg, char *err,
		       size_t errlen)
{
	char what[IVSHM_ERR_LEN];

	if (cfg->id < 0 || cfg->id > IVSHM_MAX_PEER_ID) {
		ivshm_set_err(err, errlen, "invalid peer id %d (valid: 0..%d)",
			      cfg->id, IVSHM_MAX_PEER_ID);
		return -EINVAL;
	}
	int fd = open_plain_file(cfg, dev->want_size, err, errlen);

	if (fd < 0)
		return fd;
	snprintf(what, sizeof(what), "shm file %s", cfg->shm_path);
	fd = map_bar2(dev, fd, dev->want_size, what, err, errlen);
	if (fd == 0)
		dev->own_id = cfg->id;
	return fd;
}

/* ---- open/close ------------------------------------------------------------ */

static int check_config(const struct ivshm_device_config *cfg, uint64_t *want,
			char *err, size_t errlen)
{
	if ((cfg->server_path == NULL) == (cfg->shm_path == NULL)) {
		ivshm_set_err(err, errlen, "give exactly one of a server socket and a shm file");
		return -EINVAL;
	}
	if (cfg->vectors > IVSHM_MAX_VECTORS) {
		ivshm_set_err(err, errlen, "too many vectors: %u (max %d)",
			      cfg->vectors, IVSHM_MAX_VECTORS);
		return -EINVAL;
	}
	*want = cfg->size;
	if (ivshm_legacy_size(cfg->legacy_size, want, err, errlen) != 0)
		return -EINVAL;
	if ((uint64_t)(size_t)*want != *want) {
		ivshm_set_err(err, errlen, "size %" PRIu64 " does not fit in memory", *want);
		return -EINVAL;
	}
	return 0;
}

static int check_role(struct ivshm_device *dev, enum ivshm_role role, char *err,
		      size_t errlen)
{
	/* only peer 0 may be master (QEMU >= 2.5 master=on, 1.0-2.4 role=master) */
	if (role == IVSHM_ROLE_MASTER && dev->own_id != 0) {
		ivshm_set_err(err, errlen,
			      "role=master requires peer id 0, got %d (the master must connect before any peer)",
			      dev->own_id);
		return -EINVAL;
	}
	dev->is_master = role == IVSHM_ROLE_MASTER ||
			 (role == IVSHM_ROLE_AUTO && dev->own_id == 0);
	return 0;
}

int ivshm_device_open(const struct ivshm_device_config *cfg,
		      struct ivshm_device **out, char *err, size_t errlen)
{
	uint64_t want;
	int rc = check_config(cfg, &want, err, errlen);

	if (rc < 0)
		return rc;
	struct ivshm_device *dev = calloc(1, sizeof(*dev));

	if (dev == NULL) {
		ivshm_set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&dev->lock, NULL);
	dev->sock = -1;
	dev->own_id = -1;
	dev->rx.fd = -1;
	dev->irq_mode = cfg->irq_mode;
	dev->vectors = cfg->vectors ? cfg->vectors : 1;
	dev->want_size = want;
	dev->intx_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dev->intx_efd < 0) {
		rc = -errno;
		ivshm_set_err(err, errlen, "eventfd: %s", strerror(-rc));
	} else if (cfg->server_path != NULL) {
		rc = setup_server(dev, cfg, err, errlen);
	} else {
		rc = setup_plain(dev, cfg, err, errlen);
	}
	if (rc == 0)
		rc = check_role(dev, cfg->role, err, errlen);
	if (rc < 0) {
		ivshm_device_close(dev);
		return rc;
	}
	*out = dev;
	return 0;
}

void ivshm_device_close(struct ivshm_device *dev)
{
	if (dev == NULL)
		return;
	if (dev->sock >= 0)
		close(dev->sock);
	ivshm_proto_rx_reset(&dev->rx);
	for (unsigned int i = 0; i < dev->nb_peers; i++)
		close_peer(&dev->peers[i]);
	free(dev->peers);
	if (dev->bar2 != NULL)
		munmap(dev->bar2, dev->bar2_size);
	if (dev->intx_efd >= 0)
		close(dev->intx_efd);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

/* ---- BAR0 ------------------------------------------------------------------ */

uint32_t ivshm_device_reg_read(struct ivshm_device *dev, uint32_t off)
{
	uint32_t ret = 0;
	bool changed = false;

	pthread_mutex_lock(&dev->lock);
	switch (off) {
	case IVSHM_REG_INTRMASK:
		ret = dev->intrmask;
		break;
	case IVSHM_REG_INTRSTATUS: /* reading clears it (all QEMU versions) */
		ret = dev->intrstatus;
		dev->intrstatus = 0;
		changed = ivshm_legacy_update_line(dev);
		break;
	case IVSHM_REG_IVPOSITION:
		ret = (uint32_t)dev->own_id;
		break;
	default: /* DOORBELL is write-only; unknown offsets read 0 */
		break;
	}
	pthread_mutex_unlock(&dev->lock);
	ivshm_legacy_notify_line(dev, changed);
	return ret;
}

/* dest << 16 | vector; only the low 8 bits of the vector count (all QEMU
 * versions); unknown dest or vector is dropped silently. */
static void ring_doorbell(struct ivshm_device *dev, uint32_t val)
{
	unsigned int dest = val >> 16;
	unsigned int vector = val & 0xffu;
	uint64_t one = 1;

	if (dest >= dev->nb_peers || dev->peers[dest].n == 0) {
		dev->st.doorbell_bad_peer++;
	} else if (vector >= dev->peers[dest].n) {
		dev->st.doorbell_bad_vector++;
	} else {
		if (write(dev->peers[dest].fd[vector], &one, sizeof(one)) < 0) {
			/* counter saturated: the wake-up is pending anyway */
		}
		dev->st.doorbells++;
	}
}

void ivshm_device_reg_write(struct ivshm_device *dev, uint32_t off, uint32_t val)
{
	bool changed = false;

	pthread_mutex_lock(&dev->lock);
	switch (off & 0xfcu) { /* writes ignore the low address bits (all QEMU versions) */
	case IVSHM_REG_INTRMASK:
		dev->intrmask = val;
		changed = ivshm_legacy_update_line(dev);
		break;
	case IVSHM_REG_INTRSTATUS:
		dev->intrstatus = val;
		changed = ivshm_legacy_update_line(dev);
		break;
	case IVSHM_REG_DOORBELL:
		ring_doorbell(dev, val);
		break;
	default: /* IVPOSITION is read-only */
		break;
	}
	pthread_mutex_unlock(&dev->lock);
	ivshm_legacy_notify_line(dev, changed);
}

/* ---- events ------------------------------------------------------------------ */

/* This device's own eventfds (vectors 0..n-1); returns n. Caller holds
 * dev->lock. */
static int own_fds(struct ivshm_device *dev, int *fds)
{
	if (dev->own_id < 0 || (unsigned int)dev->own_id >= dev->nb_peers)
		return 0;
	const struct peer *p = &dev->peers[dev->own_id];

	if (p->n > 0)
		memcpy(fds, p->fd, p->n * sizeof(int));
	return (int)p->n;
}

static void server_gone(struct ivshm_device *dev)
{
	dev->server_gone = true;
	ivshm_proto_rx_reset(&dev->rx);
}

static bool server_live(const struct ivshm_device *dev)
{
	return dev->sock >= 0 && !dev->server_gone;
}

int ivshm_device_poll(struct ivshm_device *dev, char *err, size_t errlen)
{
	int handled = 0, rc = 0;
	bool changed = false;

	pthread_mutex_lock(&dev->lock);
	while (server_live(dev)) {
		int64_t msg;
		int fd;

		rc = ivshm_proto_rx_read(dev->sock, &dev->rx, &msg, &fd, err, errlen);
		if (rc < 0) /* EOF or a broken stream: nothing more to trust */
			server_gone(dev);
		if (rc <= 0)
			break;
		handled++;
		/* a bad message is reported; later ones are still handled */
		rc = process_msg(dev, msg, fd, err, errlen);
		if (rc < 0)
			break;
	}
	int fds[IVSHM_MAX_VECTORS];
	int n = own_fds(dev, fds);

	handled += ivshm_legacy_service_intx(dev, fds, n, &changed);
	pthread_mutex_unlock(&dev->lock);
	ivshm_legacy_notify_line(dev, changed);
	return rc < 0 ? rc : handled;
}

int ivshm_device_wait(struct ivshm_device *dev, int timeout_ms, char *err,
		      size_t errlen)
{
	struct pollfd p[1 + IVSHM_MAX_VECTORS];
	int fds[IVSHM_MAX_VECTORS];
	int n = 0;

	pthread_mutex_lock(&dev->lock);
	if (server_live(dev))
		p[n++] = (struct pollfd){ .fd = dev->sock, .events = POLLIN };
	if (dev->irq_mode == IVSHM_IRQ_INTX) {
		int k = own_fds(dev, fds);

		for (int i = 0; i < k; i++)
			p[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	}
	pthread_mutex_unlock(&dev->lock);
	if (n > 0 && poll(p, (nfds_t)n, timeout_ms) < 0 && errno != EINTR) {
		int e = errno;

		ivshm_set_err(err, errlen, "poll: %s", strerror(e));
		return -e;
	}
	return ivshm_device_poll(dev, err, errlen);
}

unsigned int ivshm_device_settle_vectors(struct ivshm_device *dev, int grace_ms)
{
	unsigned int id = (unsigned int)dev->own_id;
	unsigned int n = ivshm_device_peer_vectors(dev, id);
	char err[IVSHM_ERR_LEN];
	/* Restarted on progress only: a wake-up for another peer's message,
	 * EINTR or half a message must not end the grace period early. */
	int64_t deadline = ivshm_now_ms() + grace_ms;

	while (n < dev->vectors && ivshm_device_server_fd(dev) >= 0 &&
	       ivshm_ms_left(deadline) > 0) {
		if (ivshm_device_wait(dev, ivshm_ms_left(deadline), err, sizeof(err)) < 0)
			break;
		unsigned int now = ivshm_device_peer_vectors(dev, id);

		if (now > n) {
			n = now;
			deadline = ivshm_now_ms() + grace_ms;
		}
	}
	return n;
}

/* ---- accessors ---------------------------------------------------------------- */

void *ivshm_device_bar2(const struct ivshm_device *dev) { return dev->bar2; }
uint64_t ivshm_device_bar2_size(const struct ivshm_device *dev) { return dev->bar2_size; }
int ivshm_device_bar2_seals(const struct ivshm_device *dev) { return dev->bar2_seals; }
uint64_t ivshm_device_bar2_page_size(const struct ivshm_device *dev) { return dev->bar2_page_size; }
uint16_t ivshm_device_id(const struct ivshm_device *dev) { return (uint16_t)dev->own_id; }
bool ivshm_device_is_master(const struct ivshm_device *dev) { return dev->is_master; }
unsigned int ivshm_device_vectors(const struct ivshm_device *dev) { return dev->vectors; }
int ivshm_device_server_fd(const struct ivshm_device *dev)
{
	return server_live(dev) ? dev->sock : -1;
}

unsigned int ivshm_device_peer_vectors(struct ivshm_device *dev, unsigned int peer)
{
	pthread_mutex_lock(&dev->lock);
	unsigned int n = peer < dev->nb_peers ? dev->peers[peer].n : 0;

	pthread_mutex_unlock(&dev->lock);
	return n;
}

unsigned int ivshm_device_peer_slots(struct ivshm_device *dev)
{
	pthread_mutex_lock(&dev->lock);
	unsigned int n = dev->nb_peers;

	pthread_mutex_unlock(&dev->lock);
	return n;
}

int ivshm_device_vector_fd(struct ivshm_device *dev, unsigned int vector)
{
	int fds[IVSHM_MAX_VECTORS];

	pthread_mutex_lock(&dev->lock);
	int n = own_fds(dev, fds);

	pthread_mutex_unlock(&dev->lock);
	return (int)vector < n ? fds[vector] : -1;
}

void ivshm_device_get_stats(struct ivshm_device *dev, struct ivshm_device_stats *st)
{
	pthread_mutex_lock(&dev->lock);
	*st = dev->st;
	pthread_mutex_unlock(&dev->lock);
}

/* ---- INTx, the pin itself is ivshm_device_legacy.c's ---- */

bool ivshm_device_intx_level(struct ivshm_device *dev)
{
	return ivshm_legacy_line(dev);
}

void ivshm_device_set_intx_callback(struct ivshm_device *dev,
				    void (*cb)(void *arg, bool level), void *arg)
{
	pthread_mutex_lock(&dev->lock);
	dev->intx_cb = cb;
	dev->intx_arg = arg;
	pthread_mutex_unlock(&dev->lock);
}

int ivshm_device_intx_fd(const struct ivshm_device *dev) { return dev->intx_efd; }
