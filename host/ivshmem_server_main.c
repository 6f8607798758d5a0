/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-server: command line compatible with QEMU's contrib server.
 * Manual: doc/ivshmem-server.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshm_pidfile.h"
#include "ivshm_proto.h"
#include "ivshm_server.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(const char *prog)
{
	printf("Usage: %s [options]\n"
	       "  -S sock     unix socket path (default /tmp/ivshmem_socket)\n"
	       "  -M name     named POSIX shm object (cannot be sealed; default: sealed memfd)\n"
	       "  -m dir      sealed memfd backed by dir's filesystem (hugetlbfs: its page size)\n"
	       "  -l size     shm size, K/M/G/T suffixes (default 4M)\n"
	       "  -n vectors  eventfds per peer, 1..%d (default 1)\n"
	       "  -F          stay in the foreground\n"
	       "  -p pidfile  write the daemon's pid there\n"
	       "  -k          keep the shm object at exit\n"
	       "  -v          verbose: log each connection (uid, gid, pid) on stdout\n"
	       "  --socket-mode=MODE\n"
	       "              octal mode of the socket, e.g. 0660 (default: the umask's,\n"
	       "              0660 with --socket-group); a client needs write permission\n"
	       "  -g, --socket-group=GROUP\n"
	       "              group of the socket, a name or a gid\n"
	       "  -h, --help  this help\n"
	       "  --version   print the version\n", prog, IVSHM_MAX_VECTORS);
}

struct cli {
	struct ivshm_server_opts opts;
	bool foreground;
	const char *pidfile;
};

/* Octal digits only, at most 0777: a typo must not become a mode. */
static int parse_socket_mode(const char *s, struct ivshm_sock_perms *p)
{
	char *end;
	unsigned long v = strtoul(s, &end, 8);

	if (s[0] < '0' || s[0] > '7' || *end != '\0' || v > 0777) {
		fprintf(stderr, "ivshmem-server: --socket-mode '%s': an octal mode "
			"0000..0777 is needed, e.g. 0660\n", s);
		return -1;
	}
	p->set_mode = true;
	p->mode = (mode_t)v;
	return 0;
}

/* A group name, else a number (as chown(1) reads it): a numeric gid need
 * not be in /etc/group. */
static int parse_socket_group(const char *s, struct ivshm_sock_perms *p)
{
	struct group *g = getgrnam(s);
	char *end;
	unsigned long v;

	if (g != NULL) {
		p->gid = g->gr_gid;
	} else {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
		    v >= (gid_t)-1) {
			fprintf(stderr, "ivshmem-server: --socket-group '%s': no such "
				"group (a name from the group database or a numeric gid)\n", s);
			return -1;
		}
		p->gid = (gid_t)v;
	}
	p->set_group = true;
	return 0;
}

static int parse_vectors(const char *s, unsigned int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < 1 || v > IVSHM_MAX_VECTORS) {
		fprintf(stderr, "ivshmem-server: vectors must be 1..%d, not '%s'\n",
			IVSHM_MAX_VECTORS, s);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

enum { OPT_SOCKET_MODE = 256, OPT_VERSION };

static const struct option long_opts[] = {
	{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
	{ "socket-group", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0 to run, 1 when done (help, version), -1 on bad arguments. */
static int parse_args(int argc, char **argv, struct cli *cli)
{
	struct ivshm_sock_perms *perms = &cli->opts.sock_perms;
	int c, rc = 0;

	cli->opts = (struct ivshm_server_opts){
		.sock_path = "/tmp/ivshmem_socket",
		.size = 4u << 20, .vectors = 1 };
	while (rc == 0 &&
	       (c = getopt_long(argc, argv, "S:M:m:l:n:Fp:kvg:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'S': cli->opts.sock_path = optarg; break;
		case 'M': cli->opts.shm_name = optarg; break;
		case 'm': cli->opts.shm_dir = optarg; break;
		case 'l':
			if (ivshm_parse_size(optarg, &cli->opts.size) < 0 ||
			    cli->opts.size == 0) {
				fprintf(stderr, "ivshmem-server: invalid size '%s'\n", optarg);
				rc = -1;
			}
			break;
		case 'n': rc = parse_vectors(optarg, &cli->opts.vectors); break;
		case 'F': cli->foreground = true; break;
		case 'p': cli->pidfile = optarg; break;
		case 'k': cli->opts.keep_shm = true; break;
		case 'v': cli->opts.verbose = true; break;
		case OPT_SOCKET_MODE: rc = parse_socket_mode(optarg, perms); break;
		case 'g': rc = parse_socket_group(optarg, perms); break;
		case 'h': usage(argv[0]); return 1;
		case OPT_VERSION: puts("ivshmem-server " IVSHMEM_PMD_VERSION); return 1;
		default: /* getopt said what */
			fprintf(stderr, "ivshmem-server: see --help for the options\n");
			return -1;
		}
	}
	if (rc == 0 && optind != argc) {
		fprintf(stderr, "ivshmem-server: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	/* a group is named so that it may connect: it needs write access */
	if (perms->set_group && !perms->set_mode) {
		perms->set_mode = true;
		perms->mode = 0660;
	}
	return rc;
}

/* What QEMU cannot use or what would be lost, refused before anything is
 * created: a BAR is a power of two (QEMU's ivshmem asserts it), -m must be
 * a directory, and a daemon's verbose log would go nowhere. */
static int check_args(const struct cli *cli)
{
	const struct ivshm_server_opts *o = &cli->opts;
	struct stat st;

	if (o->size & (o->size - 1)) {
		uint64_t up = 1;

		while (up < o->size)
			up <<= 1;
		fprintf(stderr, "ivshmem-server: -l %llu is not a power of two: QEMU's "
			"ivshmem maps the region as a PCI BAR, which must be one "
			"(use -l %llu)\n", (unsigned long long)o->size,
			(unsigned long long)up);
		return -1;
	}
	if (o->shm_dir != NULL && (stat(o->shm_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "ivshmem-server: -m %s: %s\n", o->shm_dir,
			access(o->shm_dir, F_OK) < 0 ? strerror(errno) : "not a directory");
		return -1;
	}
	if (o->verbose && !cli->foreground) {
		fprintf(stderr, "ivshmem-server: -v needs -F (a daemon has no terminal "
			"to log to)\n");
		return -1;
	}
	return 0;
}

/* Forks; the parent exits once the child reports it is serving, so that
 * "ivshmem-server && qemu ..." never races with the socket appearing. */
static int daemonize(int *ready_fd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0) {
		char ok = 0;

		close(p[1]);
		_exit(read(p[0], &ok, 1) == 1 && ok == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid(); /* no chdir: relative -S/-p/-m paths must stay valid */
	int devnull = open("/dev/null", O_RDWR);

	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	*ready_fd = p[1];
	return 0;
}

static void setup_signals(sigset_t *stop_sigs)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(stop_sigs);
	sigaddset(stop_sigs, SIGTERM);
	sigaddset(stop_sigs, SIGINT);
	sigaddset(stop_sigs, SIGHUP);
	/* blocked except inside ppoll: a stop request is never lost */
	sigprocmask(SIG_BLOCK, stop_sigs, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	char err[IVSHM_ERR_LEN];
	struct ivshm_server *srv;
	sigset_t stop_sigs;
	int ready_fd = -1;
	struct ivshm_pidfile pidfile = { 0 };

	int parsed = parse_args(argc, argv, &cli);

	if (parsed != 0)
		return parsed > 0 ? 0 : 2;
	if (check_args(&cli) < 0)
		return 2;
	setup_signals(&stop_sigs);
	if (ivshm_server_create(&cli.opts, &srv, err, sizeof(err)) < 0) {
		fprintf(stderr, "ivshmem-server: %s\n", err);
		return 1;
	}
	if (!cli.foreground && daemonize(&ready_fd) < 0) {
		perror("ivshmem-server: daemonize");
		ivshm_server_destroy(srv);
		return 1;
	}
	if (cli.pidfile != NULL &&
	    ivshm_pidfile_write(&pidfile, cli.pidfile, err, sizeof(err)) < 0) {
		fprintf(stderr, "ivshmem-server: %s\n", err);
		ivshm_server_destroy(srv);
		return 1;
	}
	if (ready_fd >= 0) {
		char ok = 1;

		if (write(ready_fd, &ok, 1) != 1) { /* parent gone: keep serving */ }
		close(ready_fd);
		/* started: a daemon holds no caller's stderr (x=$(server 2>&1)
		 * must return) */
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0) {
			dup2(devnull, STDERR_FILENO);
			close(devnull);
		}
	}
	int rc = ivshm_server_run(srv, &stop_requested, &stop_sigs);

	ivshm_server_destroy(srv);
	ivshm_pidfile_remove(&pidfile);
	return rc < 0 ? 1 : 0;
}
