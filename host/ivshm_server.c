/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-server core; see ivshm_server.h and doc/ivshmem-server.md.
 *
 * Why per-client output queues: a new peer must receive every other peer's
 * eventfds (up to 64 each), which can exceed a socket buffer. Sends never
 * block; what does not fit waits in that client's queue until POLLOUT, so a
 * client that stops reading stalls nobody but itself. A departed peer's
 * unsent eventfds are skipped when a queue reaches them; a client whose
 * backlog passes what the current peers justify is dropped, and so is the
 * longest backlog when all queues together pass QUEUED_MAX, so stalled
 * clients hold bounded memory and fds. A client costs O(vectors) messages
 * per peer to come and go; one that hung up before it was accepted costs
 * nothing.
 */
#include "ivshm_server.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "ivshm_proto.h"
#include "ivshmem_wire.h"

#define ID_SLOTS   (IVSHM_MAX_PEER_ID + 1)
/* Backlog a client may have beyond what introducing every current peer
 * takes (64 messages each): room for bursts of joins and leaves. */
#define QUEUE_SLACK 4096u
/* Messages queued in all clients together (24 bytes each): past it, the
 * client with the longest backlog (a stalled one) is dropped, so stalled
 * clients cannot make the server's memory grow with their square. */
#define QUEUED_MAX (1u << 19)
/* Connections accepted per poll round: a burst of thousands must not hold
 * the loop (signals, flushing, other clients) for the whole burst. */
#define ACCEPT_PER_ROUND 64u
/* Pause before sending again after ETOOMANYREFS. */
#define REFS_RETRY_MS 20

/* One peer's eventfds, shared by the peer and by queued messages that
 * still have to carry them, so a peer leaving cannot close an fd that a
 * queued message is about to send. */
struct fdset {
	unsigned int refs;
	bool gone;           /* its peer left: queued announcements are void */
	unsigned int n;
	int fd[IVSHM_MAX_VECTORS];
};

struct outmsg {
	int64_t value;
	int fd;              /* -1: no fd */
	struct fdset *hold;  /* reference keeping fd open, or NULL */
	unsigned int sent;   /* bytes already sent */
};

struct client {
	int sock;
	unsigned int id;
	bool dead;
	bool to_flush;       /* new messages, or POLLOUT: try sending */
	bool refs_wait;      /* ETOOMANYREFS: retry at refs_retry_ms */
	struct fdset *fds;
	struct outmsg *q;
	size_t head, len, cap;
	size_t limit;        /* backlog that drops the client (queue_limit) */
};

struct ivshm_server {
	struct ivshm_server_opts opts;
	char sock_path[PATH_MAX];
	char shm_path[PATH_MAX]; /* POSIX name, or a description of the memfd */
	enum { SHM_NONE, SHM_MEMFD, SHM_POSIX } shm_kind;
	int listen_fd;
	dev_t sock_dev;          /* our socket file: removed at exit only if */
	ino_t sock_ino;          /* the path still names it */
	bool serving;            /* run started: -k applies (else we clean up) */
	int shm_fd;
	struct client *by_id[ID_SLOTS];
	unsigned int id_end;     /* highest used id + 1 */
	struct client **list;    /* connected clients, for poll */
	unsigned int n;
	struct pollfd *pfds;
	size_t queued;           /* unsent messages in all queues */
	int64_t refs_retry_ms;   /* when refs_wait clients try again */
	struct fdset *spare;     /* the next peer's eventfds, made in advance */
	int64_t accept_resume_ms; /* listener unpolled until then */
	bool accept_paused;
	bool accept_logged;       /* this out-of-fds episode was logged */
};

#define ACCEPT_BACKOFF_MS 200

#define VLOG(srv, ...) do { \
	if ((srv)->opts.verbose) { printf(__VA_ARGS__); fflush(stdout); } \
} while (0)

static void fdset_put(struct fdset *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	for (unsigned int i = 0; i < s->n; i++)
		close(s->fd[i]);
	free(s);
}

static struct fdset *fdset_new(unsigned int n)
{
	struct fdset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->refs = 1;
	for (; s->n < n; s->n++) {
		s->fd[s->n] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->fd[s->n] < 0) {
			fdset_put(s);
			return NULL;
		}
	}
	return s;
}

/* Room for one more message. The sent prefix is reused when that frees at
 * least as much as it moves (amortised O(1)); otherwise the array grows. So
 * a client that keeps reading, but never quite empties its queue, holds its
 * backlog, not everything ever sent to it; a backlog (unsent messages)
 * beyond `limit` drops it. */
static bool make_room(struct client *c, size_t limit)
{
	size_t pending = c->len - c->head, cap;
	struct outmsg *q;

	if (pending >= limit)
		return false;
	if (c->len < c->cap)
		return true;
	if (c->head > 0 && c->head >= pending) {
		memmove(c->q, c->q + c->head, pending * sizeof(*c->q));
		c->head = 0;
		c->len = pending;
		return true;
	}
	cap = c->cap ? c->cap * 2 : 64;
	q = realloc(c->q, cap * sizeof(*q));
	if (q == NULL)
		return false;
	c->q = q;
	c->cap = cap;
	return true;
}

static void dequeue(struct ivshm_server *srv, struct client *c);

/* Over the total bound: marks the live client with the longest backlog
 * dead (its queue is freed when the round settles). O(clients), and only
 * when the bound is passed. */
static void drop_longest_backlog(struct ivshm_server *srv)
{
	struct client *worst = NULL;

	for (unsigned int i = 0; i < srv->n; i++) {
		struct client *c = srv->list[i];

		if (!c->dead && (worst == NULL ||
				 c->len - c->head > worst->len - worst->head))
			worst = c;
	}
	if (worst == NULL)
		return;
	fprintf(stderr, "ivshmem-server: dropping peer %u: %zu messages unread, "
		"%zu queued in all (bound %u)\n", worst->id,
		worst->len - worst->head, srv->queued, QUEUED_MAX);
	worst->dead = true;
	/* written off now, so the next enqueue does not scan again */
	while (worst->head < worst->len)
		dequeue(srv, worst);
}

/* Appends a message; the client is marked dead if it cannot take more. */
static void enqueue(struct ivshm_server *srv, struct client *c, int64_t value,
		    struct fdset *hold, int fd)
{
	if (srv->queued >= QUEUED_MAX)
		drop_longest_backlog(srv);
	if (c->dead)
		return;
	if (!make_room(c, c->limit)) {
		c->dead = true;
		return;
	}
	if (hold != NULL)
		hold->refs++;
	c->q[c->len++] = (struct outmsg){ .value = value, .fd = fd, .hold = hold };
	c->to_flush = true;
	srv->queued++;
}

static void enqueue_fds(struct ivshm_server *srv, struct client *to,
			const struct client *of)
{
	for (unsigned int v = 0; v < of->fds->n; v++)
		enqueue(srv, to, of->id, of->fds, of->fds->fd[v]);
}

/* Leaves the sent or void message at the head of c's queue. */
static void dequeue(struct ivshm_server *srv, struct client *c)
{
	fdset_put(c->q[c->head].hold);
	c->head++;
	srv->queued--;
}

/* Sends what c's socket takes. An announcement of a departed peer's
 * eventfds not begun yet is dropped here, not searched for in every queue
 * when the peer leaves (that made each departure cost every backlog). */
static void flush(struct ivshm_server *srv, struct client *c)
{
	c->to_flush = false;
	while (!c->dead && c->head < c->len) {
		struct outmsg *m = &c->q[c->head];
		uint8_t bytes[IVSHM_MSG_BYTES];

		if (m->sent == 0 && m->hold != NULL && m->hold->gone) {
			dequeue(srv, c);
			continue;
		}
		ivshm_proto_encode(m->value, bytes);
		int rc = ivshm_proto_send_bytes(c->sock, bytes + m->sent,
						IVSHM_MSG_BYTES - m->sent,
						m->sent == 0 ? m->fd : -1);
		if (rc == -EAGAIN)
			return;
		if (rc == -ETOOMANYREFS) {
			/* too many of our user's fds in flight, unread in
			 * other clients' sockets: not this client's fault and
			 * no reason to drop it; retry after a pause (the socket
			 * is writable, so POLLOUT would spin) */
			c->refs_wait = true;
			srv->refs_retry_ms = ivshm_now_ms() + REFS_RETRY_MS;
			return;
		}
		if (rc < 0) {
			c->dead = true;
			return;
		}
		m->sent += (unsigned int)rc;
		if (m->sent == IVSHM_MSG_BYTES)
			dequeue(srv, c);
	}
}

static void client_free(struct ivshm_server *srv, struct client *c)
{
	srv->queued -= c->len - c->head;
	for (size_t i = c->head; i < c->len; i++)
		fdset_put(c->q[i].hold);
	free(c->q);
	fdset_put(c->fds);
	close(c->sock);
	free(c);
}

static int lowest_free_id(const struct ivshm_server *srv)
{
	for (unsigned int id = 0; id < ID_SLOTS; id++)
		if (srv->by_id[id] == NULL)
			return (int)id;
	return -1;
}

/* QEMU's order: initial info to the new peer, its eventfds to the others,
 * the others' eventfds to it (ascending id), then its own eventfds. */
static void announce_new(struct ivshm_server *srv, struct client *c)
{
	enqueue(srv, c, IVSHM_PROTOCOL_VERSION, NULL, -1);
	enqueue(srv, c, c->id, NULL, -1);
	enqueue(srv, c, IVSHM_MSG_SHM_ID, NULL, srv->shm_fd);
	for (unsigned int id = 0; id < srv->id_end; id++)
		if (srv->by_id[id] != NULL && srv->by_id[id] != c)
			enqueue_fds(srv, srv->by_id[id], c);
	for (unsigned int id = 0; id < srv->id_end; id++)
		if (srv->by_id[id] != NULL && srv->by_id[id] != c)
			enqueue_fds(srv, c, srv->by_id[id]);
	enqueue_fds(srv, c, c);
}

static bool out_of_fds(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/* Out of fds, a pending connection keeps the listener readable: polling it
 * now would spin. Stop polling it for a while; log once per episode. */
static void pause_accepting(struct ivshm_server *srv, int err)
{
	if (!srv->accept_logged)
		fprintf(stderr, "ivshmem-server: cannot accept (%s): not accepting "
			"for %d ms\n", strerror(err), ACCEPT_BACKOFF_MS);
	srv->accept_paused = srv->accept_logged = true;
	srv->accept_resume_ms = ivshm_now_ms() + ACCEPT_BACKOFF_MS;
}

/* A connection whose client already hung up (connect + close, the usual
 * storm) is closed without an id: introducing it would cost every peer
 * messages for a client that is not there. */
static bool hung_up(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Who connected, as the kernel saw it at connect() (SO_PEERCRED): the
 * record of which process got which id. */
static void log_connected(const struct client *c)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(c->sock, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		printf("peer %u connected: credentials unknown (%s)\n", c->id,
		       strerror(errno));
	else
		printf("peer %u connected: uid %u gid %u pid %d\n", c->id,
		       (unsigned int)cr.uid, (unsigned int)cr.gid, (int)cr.pid);
	fflush(stdout);
}

static void accept_one(struct ivshm_server *srv, int sock)
{
	if (hung_up(sock)) {
		close(sock);
		return;
	}
	int id = lowest_free_id(srv);
	struct client *c = id < 0 ? NULL : calloc(1, sizeof(*c));

	if (c == NULL) {
		fprintf(stderr, "ivshmem-server: refusing a client: %s\n",
			id < 0 ? "all 65536 peer ids are in use" : "out of memory");
		close(sock);
		return;
	}
	c->fds = srv->spare; /* made before accept: see accept_some */
	srv->spare = NULL;
	c->sock = sock;
	c->id = (unsigned int)id;
	srv->by_id[id] = c;
	if ((unsigned int)id >= srv->id_end)
		srv->id_end = (unsigned int)id + 1;
	srv->list[srv->n++] = c;
	/* what introducing every peer takes, plus slack for churn */
	for (unsigned int i = 0; i < srv->n; i++)
		srv->list[i]->limit = ((size_t)srv->n + 1) * srv->opts.vectors + 3 +
				      QUEUE_SLACK;
	announce_new(srv, c);
	srv->accept_logged = false; /* the episode, if any, is over */
	if (srv->opts.verbose)
		log_connected(c);
}

static void accept_some(struct ivshm_server *srv)
{
	if (srv->accept_paused && ivshm_now_ms() >= srv->accept_resume_ms)
		srv->accept_paused = false;
	for (unsigned int k = 0; k < ACCEPT_PER_ROUND && !srv->accept_paused; k++) {
		/* the next peer's eventfds first: out of fds, the connection
		 * waits in the backlog instead of being accepted and refused */
		if (srv->spare == NULL &&
		    (srv->spare = fdset_new(srv->opts.vectors)) == NULL) {
			if (out_of_fds(errno))
				pause_accepting(srv, errno);
			return;
		}
		int sock = accept4(srv->listen_fd, NULL, NULL,
				   SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (sock < 0 && out_of_fds(errno)) {
			pause_accepting(srv, errno);
			return;
		}
		if (sock < 0)
			return; /* EAGAIN, or a transient error: poll again */
		accept_one(srv, sock);
	}
}

static void remove_client(struct ivshm_server *srv, unsigned int idx)
{
	struct client *c = srv->list[idx];

	srv->list[idx] = srv->list[--srv->n];
	srv->by_id[c->id] = NULL;
	while (srv->id_end > 0 && srv->by_id[srv->id_end - 1] == NULL)
		srv->id_end--;
	/* its announcements still queued are dropped as flush meets them */
	c->fds->gone = true;
	for (unsigned int i = 0; i < srv->n; i++)
		enqueue(srv, srv->list[i], c->id, NULL, -1);
	VLOG(srv, "peer %u left\n", c->id);
	client_free(srv, c);
}

/* Peers send nothing meaningful; anything read is discarded, EOF = gone. */
static void drain_input(struct client *c)
{
	char junk[4096];
	ssize_t n;
	int rounds = 0;

	/* bounded per poll round: a client flooding its socket must not
	 * keep the server from everyone else */
	do {
		n = recv(c->sock, junk, sizeof(junk), MSG_DONTWAIT);
	} while ((n > 0 && ++rounds < 16) || (n < 0 && errno == EINTR));
	if (n > 0)
		return;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		c->dead = true;
}

/* Flushes every queue and removes dead clients, until nothing changes:
 * removing one queues an announcement to the others, which may fail. */
static void settle(struct ivshm_server *srv)
{
	bool removed;

	do {
		removed = false;
		for (unsigned int i = 0; i < srv->n; i++)
			if (srv->list[i]->to_flush)
				flush(srv, srv->list[i]);
		for (unsigned int i = srv->n; i-- > 0;) {
			if (srv->list[i]->dead) {
				remove_client(srv, i);
				removed = true;
			}
		}
	} while (removed);
}

static unsigned int build_pollfds(struct ivshm_server *srv)
{
	bool listen = !srv->accept_paused ||
		      ivshm_now_ms() >= srv->accept_resume_ms;

	srv->pfds[0] = (struct pollfd){ .fd = listen ? srv->listen_fd : -1,
					.events = POLLIN };
	for (unsigned int i = 0; i < srv->n; i++) {
		struct client *c = srv->list[i];
		short ev = POLLIN;

		if (c->head < c->len && !c->refs_wait)
			ev |= POLLOUT;
		srv->pfds[i + 1] = (struct pollfd){ .fd = c->sock, .events = ev };
	}
	return srv->n + 1;
}

/* How long poll may sleep: -1 (until an event), or until the listener is
 * polled again or ETOOMANYREFS waiters retry. */
static int64_t wake_in_ms(const struct ivshm_server *srv)
{
	int64_t now = ivshm_now_ms(), ms = -1;

	if (srv->pfds[0].fd < 0)
		ms = ACCEPT_BACKOFF_MS;
	for (unsigned int i = 0; i < srv->n; i++)
		if (srv->list[i]->refs_wait) {
			int64_t left = srv->refs_retry_ms - now;

			left = left < 0 ? 0 : left;
			ms = ms < 0 || left < ms ? left : ms;
			break;
		}
	return ms;
}

static void retry_refs_waiters(struct ivshm_server *srv)
{
	if (ivshm_now_ms() < srv->refs_retry_ms)
		return;
	for (unsigned int i = 0; i < srv->n; i++)
		if (srv->list[i]->refs_wait) {
			srv->list[i]->refs_wait = false;
			srv->list[i]->to_flush = true;
		}
}

int ivshm_server_run(struct ivshm_server *srv, volatile sig_atomic_t *stop,
		     const sigset_t *wake_sigs)
{
	sigset_t wait_mask;

	srv->serving = true;
	sigprocmask(SIG_SETMASK, NULL, &wait_mask);
	for (int s = 1; s < NSIG && wake_sigs != NULL; s++)
		if (sigismember(wake_sigs, s) == 1)
			sigdelset(&wait_mask, s);
	while (!*stop) {
		unsigned int nfds = build_pollfds(srv);
		int64_t ms = wake_in_ms(srv);
		struct timespec wait = { 0, (long)ms * 1000000L };
		int rc = ppoll(srv->pfds, nfds, ms < 0 ? NULL : &wait, &wait_mask);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			perror("ivshmem-server: poll");
			return -1;
		}
		/* clients first: list indices match pfds until accept_all */
		for (unsigned int i = 0; i + 1 < nfds; i++) {
			short re = srv->pfds[i + 1].revents;

			if (re & POLLIN)
				drain_input(srv->list[i]);
			else if (re & (POLLHUP | POLLERR | POLLNVAL))
				srv->list[i]->dead = true;
			if (re & POLLOUT)
				srv->list[i]->to_flush = true;
		}
		if (srv->pfds[0].revents & POLLIN)
			accept_some(srv);
		retry_refs_waiters(srv);
		settle(srv);
	}
	return 0;
}

static int size_up_to_block(int fd, uint64_t size, uint64_t *out)
{
	struct statfs fs;

	*out = size;
	if (fstatfs(fd, &fs) < 0 || fs.f_bsize <= 0)
		return 0;
	uint64_t b = (uint64_t)fs.f_bsize; /* huge page size on hugetlbfs */

	*out = (size + b - 1) / b * b;
	return 0;
}

/* memfd flags for -m dir: on hugetlbfs, huge pages of that mount's page
 * size (its f_bsize); elsewhere ordinary shmem pages. */
static unsigned int memfd_page_flags(const char *dir, uint64_t *page)
{
	struct statfs fs;

	*page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (dir == NULL || statfs(dir, &fs) < 0 ||
	    fs.f_type != HUGETLBFS_MAGIC || fs.f_bsize <= 0)
		return 0;
	*page = (uint64_t)fs.f_bsize;
	return MFD_HUGETLB |
	       ((unsigned int)__builtin_ctzll(*page) << MAP_HUGE_SHIFT); /* == MFD_HUGE_SHIFT */
}

/* Default: an anonymous memfd sealed against shrinking and growing, so no
 * peer holding the read-write fd can truncate it under the others (their
 * next access would be SIGBUS). The seals themselves are sealed. */
static int open_sealed_memfd(struct ivshm_server *srv)
{
	const struct ivshm_server_opts *o = &srv->opts;
	uint64_t page;
	unsigned int flags = memfd_page_flags(o->shm_dir, &page);
	int fd = memfd_create("ivshmem", MFD_CLOEXEC | MFD_ALLOW_SEALING | flags);

	snprintf(srv->shm_path, sizeof(srv->shm_path), "memfd:ivshmem (%s pages of %llu bytes)",
		 flags ? "huge" : "shmem", (unsigned long long)page);
	srv->shm_kind = SHM_MEMFD;
	return fd;
}

static int seal_memfd(int fd)
{
	return fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
}

/* -M name: a named POSIX object, for QEMU command lines that open it by
 * name. Created exclusively: an existing object may be another server's
 * live region or a leftover of unknown size and content. */
static int open_named_shm(struct ivshm_server *srv)
{
	const char *name = srv->opts.shm_name;

	snprintf(srv->shm_path, sizeof(srv->shm_path), "%s%s",
		 name[0] == '/' ? "" : "/", name);
	srv->shm_kind = SHM_POSIX;
	return shm_open(srv->shm_path, O_RDWR | O_CREAT | O_EXCL, 0600);
}

static int create_shm(struct ivshm_server *srv, char *err, size_t errlen)
{
	const struct ivshm_server_opts *o = &srv->opts;
	uint64_t size = o->size;

	srv->shm_fd = o->shm_name != NULL && o->shm_dir == NULL ? open_named_shm(srv)
					  : open_sealed_memfd(srv);
	if (srv->shm_fd < 0) {
		ivshm_set_err(err, errlen, "cannot create shared memory %s: %s%s",
			      srv->shm_path, strerror(errno),
			      errno == EEXIST ? " (another server's, or left over:"
			      " remove it or pick another -M name)" : "");
		srv->shm_kind = SHM_NONE;
		return -1;
	}
	size_up_to_block(srv->shm_fd, size, &size);
	/* sparse: no page is touched, so sizes >= 2 GiB cost nothing */
	if (ftruncate(srv->shm_fd, (off_t)size) < 0) {
		ivshm_set_err(err, errlen, "cannot size %s to %llu bytes: %s",
			      srv->shm_path, (unsigned long long)size,
			      strerror(errno));
		return -1;
	}
	if (srv->shm_kind == SHM_MEMFD && seal_memfd(srv->shm_fd) < 0) {
		ivshm_set_err(err, errlen, "cannot seal %s: %s", srv->shm_path,
			      strerror(errno));
		return -1;
	}
	if (o->shm_dir != NULL) /* which pages -m gave: hugetlbfs or not */
		fprintf(stderr, "ivshmem-server: -m %s: %s\n", o->shm_dir, srv->shm_path);
	if (srv->shm_kind == SHM_POSIX)
		fprintf(stderr, "ivshmem-server: warning: -M %s is a named POSIX object: it "
			"cannot be sealed, so any process that opens it can resize it and "
			"crash every peer (SIGBUS); omit -M for a sealed region\n",
			srv->shm_path);
	return 0;
}

/* Each peer costs `vectors` eventfds: ask for as many fds as allowed. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int ivshm_server_create(const struct ivshm_server_opts *opts,
			struct ivshm_server **out, char *err, size_t errlen)
{
	if (opts->vectors < 1 || opts->vectors > IVSHM_MAX_VECTORS ||
	    opts->size == 0 || (uint64_t)(off_t)opts->size != opts->size) {
		ivshm_set_err(err, errlen, "invalid options: vectors %u (1..%u), size %llu",
			      opts->vectors, IVSHM_MAX_VECTORS,
			      (unsigned long long)opts->size);
		return -EINVAL;
	}
	struct ivshm_server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL) {
		ivshm_set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	srv->opts = *opts;
	srv->listen_fd = -1;
	srv->shm_fd = -1;
	srv->list = calloc(ID_SLOTS, sizeof(*srv->list));
	srv->pfds = calloc(ID_SLOTS + 1, sizeof(*srv->pfds));
	snprintf(srv->sock_path, sizeof(srv->sock_path), "%s", opts->sock_path);
	raise_fd_limit();
	if (srv->list == NULL || srv->pfds == NULL) {
		ivshm_set_err(err, errlen, "out of memory");
		ivshm_server_destroy(srv);
		return -ENOMEM;
	}
	if (create_shm(srv, err, errlen) < 0) {
		ivshm_server_destroy(srv);
		return -EIO;
	}
	srv->listen_fd = ivshm_proto_listen_perms(opts->sock_path, &opts->sock_perms,
						  err, errlen);
	if (srv->listen_fd < 0) {
		int rc = srv->listen_fd;

		srv->sock_path[0] = '\0'; /* not ours: do not unlink */
		ivshm_server_destroy(srv);
		return rc;
	}
	struct stat st = { 0 };

	if (stat(srv->sock_path, &st) == 0) {
		srv->sock_dev = st.st_dev;
		srv->sock_ino = st.st_ino;
	}
	/* who may connect: what the socket's node says */
	VLOG(srv, "listening on %s (mode %04o, uid %u gid %u), shm %s, %llu bytes, "
	     "%u vectors\n", opts->sock_path, (unsigned int)(st.st_mode & 07777),
	     (unsigned int)st.st_uid, (unsigned int)st.st_gid, srv->shm_path,
	     (unsigned long long)opts->size, opts->vectors);
	*out = srv;
	return 0;
}

void ivshm_server_destroy(struct ivshm_server *srv)
{
	if (srv == NULL)
		return;
	while (srv->n > 0) {
		struct client *c = srv->list[--srv->n];

		client_free(srv, c);
	}
	fdset_put(srv->spare);
	if (srv->listen_fd >= 0) {
		struct stat st;

		close(srv->listen_fd);
		/* not a socket another server has put there since */
		if (lstat(srv->sock_path, &st) == 0 && st.st_dev == srv->sock_dev &&
		    st.st_ino == srv->sock_ino)
			unlink(srv->sock_path);
	}
	if (srv->shm_fd >= 0)
		close(srv->shm_fd);
	/* -k keeps a region that served; one from a failed start would only
	 * make the next start fail (EEXIST) */
	if (srv->shm_kind == SHM_POSIX && (!srv->opts.keep_shm || !srv->serving))
		shm_unlink(srv->shm_path);
	free(srv->list);
	free(srv->pfds);
	free(srv);
}
