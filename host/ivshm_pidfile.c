/* SPDX-License-Identifier: BSD-3-Clause
 * Pidfile; see ivshm_pidfile.h.
 */
#include "ivshm_pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ivshm_util.h"

/* The pid a regular pidfile names, or 0 if it names none (unreadable,
 * not a number); O_NOFOLLOW | O_NONBLOCK: no symlink, no FIFO wait. */
static long pid_in(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* A leftover we may replace: a regular file naming no live process. */
static int check_leftover(const char *path, char *err, size_t errlen)
{
	struct stat st;
	long pid;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISREG(st.st_mode)) {
		ivshm_set_err(err, errlen, "pidfile %s exists and is not a regular "
			      "file (a symlink, FIFO or directory): refusing it", path);
		return -EEXIST;
	}
	pid = pid_in(path);
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		ivshm_set_err(err, errlen, "pidfile %s names process %ld, which is "
			      "running: another server?", path, pid);
		return -EEXIST;
	}
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

int ivshm_pidfile_write(struct ivshm_pidfile *pf, const char *path, char *err,
			size_t errlen)
{
	char line[32];
	struct stat st;
	int rc = check_leftover(path, err, errlen);
	int fd, len;

	memset(pf, 0, sizeof(*pf));
	if (rc < 0) {
		if (rc != -EEXIST)
			ivshm_set_err(err, errlen, "pidfile %s: %s", path, strerror(-rc));
		return rc;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		ivshm_set_err(err, errlen, "cannot create pidfile %s: %s", path,
			      strerror(-rc));
		return rc;
	}
	len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)len) != len || fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		ivshm_set_err(err, errlen, "cannot write pidfile %s: %s", path,
			      strerror(-rc));
		return rc;
	}
	close(fd);
	*pf = (struct ivshm_pidfile){ .path = path, .dev = st.st_dev,
				      .ino = st.st_ino, .written = 1 };
	return 0;
}

void ivshm_pidfile_remove(struct ivshm_pidfile *pf)
{
	struct stat st;

	if (!pf->written)
		return;
	/* inode numbers are reused: the pid in it must be ours too */
	if (lstat(pf->path, &st) == 0 && st.st_dev == pf->dev && st.st_ino == pf->ino &&
	    pid_in(pf->path) == (long)getpid())
		unlink(pf->path);
	pf->written = 0;
}
