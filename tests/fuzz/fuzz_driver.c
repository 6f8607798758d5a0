/* SPDX-License-Identifier: BSD-3-Clause
 * Stand-alone driver for the fuzz targets when they are not linked with
 * libFuzzer (gcc builds, `meson test --suite fuzz`): replays the corpus
 * files given on the command line, then feeds pseudo-random inputs and
 * random mutations of the corpus entries. A target signals a failed
 * property by aborting, so a zero exit means every input passed.
 *
 * usage: fuzz_X [--runs N] [--seed S] [--max-len L] FILE|DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 1024

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static unsigned int nb_seeds;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible from --seed, no libc state */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || nb_seeds == MAX_SEEDS) {
		if (f)
			fclose(f);
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return;
	}
	fclose(f);
	seeds[nb_seeds].data = buf;
	seeds[nb_seeds].len = (size_t)n;
	nb_seeds++;
}

static void load_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char sub[4096];

	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		load_file(path);
		return;
	}
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		load_file(sub);
	}
	closedir(d);
}

/* Run `one` on a copy in an exactly sized heap buffer so ASan sees reads
 * past the end of the input. */
static void run_copy(const uint8_t *src, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);

	if (buf == NULL)
		abort();
	memcpy(buf, src, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
}

static void run_random(size_t max_len)
{
	size_t len, i;
	uint8_t *buf;

	if (nb_seeds > 0 && (rng() & 3) != 0) {
		/* mutate a seed: flip, overwrite or truncate a few bytes */
		const struct seed *s = &seeds[rng() % nb_seeds];

		len = s->len;
		buf = malloc(len ? len : 1);
		if (buf == NULL)
			abort();
		memcpy(buf, s->data, len);
		for (i = 0; len > 0 && i < 1 + rng() % 4; i++) {
			size_t at = rng() % len;

			if (rng() & 1)
				buf[at] ^= (uint8_t)(1u << (rng() % 8));
			else
				buf[at] = (uint8_t)rng();
		}
		if (len > 0 && (rng() % 8) == 0)
			len = rng() % len;
	} else {
		len = rng() % (max_len + 1);
		buf = malloc(len ? len : 1);
		if (buf == NULL)
			abort();
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
	}
	run_copy(buf, len);
	free(buf);
}

int main(int argc, char **argv)
{
	unsigned long runs = 2000;
	size_t max_len = 1024;
	unsigned int i;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc)
			runs = strtoul(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			rng_state = strtoull(argv[++a], NULL, 0) | 1;
		else if (strcmp(argv[a], "--max-len") == 0 && a + 1 < argc)
			max_len = strtoul(argv[++a], NULL, 0);
		else
			load_path(argv[a]);
	}
	for (i = 0; i < nb_seeds; i++)
		run_copy(seeds[i].data, seeds[i].len);
	for (unsigned long r = 0; r < runs; r++)
		run_random(max_len);
	printf("%u corpus inputs, %lu random inputs: ok\n", nb_seeds, runs);
	for (i = 0; i < nb_seeds; i++)
		free(seeds[i].data);
	return 0;
}
