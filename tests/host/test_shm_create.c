/* SPDX-License-Identifier: BSD-3-Clause
 * Plain shm files (ivshmem-plain on the host): two peers creating the same
 * new file at the same moment both get it at full size, and a file that
 * could be someone else's (a symlink, another user's) is refused.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "ivshm_device.h"

#define ROUNDS 20000u
#define SIZE (1u << 20)

struct opener {
	char path[128];
	int id;
	_Atomic unsigned int go, done;
	int failures;
	char err[IVSHM_ERR_LEN];
};

static int open_plain(const char *path, int id, char *err)
{
	struct ivshm_device_config cfg = { .shm_path = path, .size = SIZE,
					   .create = true, .id = id };
	struct ivshm_device *dev;
	int rc = ivshm_device_open(&cfg, &dev, err, IVSHM_ERR_LEN);

	if (rc == 0)
		ivshm_device_close(dev);
	return rc;
}

static void *opener_main(void *arg)
{
	struct opener *o = arg;

	for (unsigned int round = 1; round <= ROUNDS; round++) {
		while (atomic_load(&o->go) < round)
			sched_yield();
		if (open_plain(o->path, o->id, o->err) != 0)
			o->failures++;
		atomic_store(&o->done, round);
	}
	return NULL;
}

/* Before the fix one peer could see the file between its creation and its
 * sizing: "smaller than requested: 0 < N bytes". */
static void test_simultaneous_create(void)
{
	struct opener o[2];
	pthread_t th[2];
	char path[128];
	unsigned int i, round;

	snprintf(path, sizeof(path), "/dev/shm/ivshm-t-create-%d", (int)getpid());
	for (i = 0; i < 2; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		snprintf(o[i].path, sizeof(o[i].path), "%s", path);
		o[i].id = (int)i;
		CHECK(pthread_create(&th[i], NULL, opener_main, &o[i]) == 0);
	}
	for (round = 1; round <= ROUNDS; round++) {
		unlink(path);
		for (i = 0; i < 2; i++)
			atomic_store(&o[i].go, round);
		for (i = 0; i < 2; i++)
			while (atomic_load(&o[i].done) < round)
				sched_yield();
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	unlink(path);
	for (i = 0; i < 2; i++) {
		if (o[i].failures != 0)
			fprintf(stderr, "  opener %u: %s\n", i, o[i].err);
		CHECK_EQ(o[i].failures, 0);
	}
}

static void test_symlink_refused(void)
{
	char real[128], link_path[128], err[IVSHM_ERR_LEN];

	snprintf(real, sizeof(real), "/dev/shm/ivshm-t-real-%d", (int)getpid());
	snprintf(link_path, sizeof(link_path), "/dev/shm/ivshm-t-link-%d", (int)getpid());
	CHECK_EQ(open_plain(real, 0, err), 0);
	CHECK_EQ(symlink(real, link_path), 0);
	CHECK(open_plain(link_path, 1, err) < 0);
	CHECK(strstr(err, "symlink") != NULL);
	unlink(link_path);
	unlink(real);
}

static void test_other_owner_refused(void)
{
	char path[128], err[IVSHM_ERR_LEN];

	if (geteuid() != 0) { /* only root can give a file away */
		printf("# skipped: not root\n");
		return;
	}
	snprintf(path, sizeof(path), "/dev/shm/ivshm-t-theirs-%d", (int)getpid());
	CHECK_EQ(open_plain(path, 0, err), 0);
	CHECK_EQ(chown(path, 12345, 12345), 0);
	CHECK(open_plain(path, 1, err) < 0);
	CHECK(strstr(err, "belongs to uid 12345") != NULL);
	unlink(path);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	RUN(test_simultaneous_create);
	RUN(test_symlink_refused);
	RUN(test_other_owner_refused);
	return check_exit_code();
}
