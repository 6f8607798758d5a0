/* SPDX-License-Identifier: BSD-3-Clause
 * A daemon's pidfile, written and removed the careful way: never through a
 * symlink, never blocking on a FIFO, never over a live process's file, and
 * removed at exit only if it is still ours.
 */
#ifndef IVSHM_PIDFILE_H
#define IVSHM_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

struct ivshm_pidfile {
	const char *path;
	dev_t dev;
	ino_t ino;
	int written;
};

/* Creates path holding getpid(). A leftover regular file naming a dead
 * process is replaced; anything else (a live pid, a symlink, a FIFO, a
 * directory) is refused with the reason in err. 0 or -errno. */
int ivshm_pidfile_write(struct ivshm_pidfile *pf, const char *path, char *err,
			size_t errlen);

/* Unlinks the file if it is still the one written (same inode, our pid). */
void ivshm_pidfile_remove(struct ivshm_pidfile *pf);

#endif /* IVSHM_PIDFILE_H */
