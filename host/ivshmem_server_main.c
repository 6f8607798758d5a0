/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-server: command line compatible with QEMU's contrib server.
 * Manual: doc/ivshmem-server.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"  -S sock     unix socket path (default /tmp/ivshmem_socket)\n"
		"  -M name     named POSIX shm object (cannot be sealed; default: sealed memfd)\n"
		"  -m dir      sealed memfd backed by dir's filesystem (hugetlbfs: its page size)\n"
		"  -l size     shm size, K/M/G/T suffixes (default 4M)\n"
		"  -n vectors  eventfds per peer, 1..%d (default 1)\n"
		"  -F          stay in the foreground\n"
		"  -p pidfile  write the daemon's pid there\n"
		"  -k          keep the shm object at exit\n"
		"  -v          verbose\n"
		"  -h          this help\n", prog, IVSHM_MAX_VECTORS);
}

struct cli {
	struct ivshm_server_opts opts;
	bool foreground;
	const char *pidfile;
};

static int parse_args(int argc, char **argv, struct cli *cli)
{
	int c;

	cli->opts = (struct ivshm_server_opts){
		.sock_path = "/tmp/ivshmem_socket",
		.size = 4u << 20, .vectors = 1 };
	while ((c = getopt(argc, argv, "S:M:m:l:n:Fp:kvh")) != -1) {
		switch (c) {
		case 'S': cli->opts.sock_path = optarg; break;
		case 'M': cli->opts.shm_name = optarg; break;
		case 'm': cli->opts.shm_dir = optarg; break;
		case 'l':
			if (ivshm_parse_size(optarg, &cli->opts.size) < 0 ||
			    cli->opts.size == 0) {
				fprintf(stderr, "ivshmem-server: invalid size '%s'\n", optarg);
				return -1;
			}
			break;
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v < 1 || v > IVSHM_MAX_VECTORS) {
				fprintf(stderr, "ivshmem-server: vectors must be 1..%d, not '%s'\n",
					IVSHM_MAX_VECTORS, optarg);
				return -1;
			}
			cli->opts.vectors = (unsigned int)v;
			break;
		}
		case 'F': cli->foreground = true; break;
		case 'p': cli->pidfile = optarg; break;
		case 'k': cli->opts.keep_shm = true; break;
		case 'v': cli->opts.verbose = true; break;
		case 'h': usage(stdout, argv[0]); exit(0);
		default: usage(stderr, argv[0]); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ivshmem-server: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
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

	if (parse_args(argc, argv, &cli) < 0 || check_args(&cli) < 0)
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
