/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_version.h>

#include "app_common.h"

int app_parse_u64(const char *s, const char *what, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s == NULL || *s == '\0' || *s == '-') {
		fprintf(stderr, "%s: expected a number, got '%s'\n", what,
			s ? s : "");
		return -1;
	}
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0') {
		fprintf(stderr, "%s: '%s' is not a valid number\n", what, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %llu is out of range [%llu, %llu]\n", what,
			v, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int app_parse_double(const char *s, const char *what, double min, double max,
		     double *out)
{
	char *end;
	double v;

	errno = 0;
	v = s ? strtod(s, &end) : 0;
	if (s == NULL || *s == '\0' || errno != 0 || *end != '\0') {
		fprintf(stderr, "%s: '%s' is not a valid number\n", what,
			s ? s : "");
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %g is out of range [%g, %g]\n", what, v,
			min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int app_parse_u32_list(const char *s, const char *what, uint32_t min,
		       uint32_t max, uint32_t *out, unsigned int cap,
		       unsigned int *n)
{
	char buf[512], *tok, *save = NULL;
	uint64_t v;

	if (s == NULL || strlen(s) >= sizeof(buf)) {
		fprintf(stderr, "%s: list missing or too long\n", what);
		return -1;
	}
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == cap) {
			fprintf(stderr, "%s: more than %u entries\n", what, cap);
			return -1;
		}
		if (app_parse_u64(tok, what, min, max, &v) < 0)
			return -1;
		out[(*n)++] = (uint32_t)v;
	}
	if (*n == 0) {
		fprintf(stderr, "%s: empty list\n", what);
		return -1;
	}
	return 0;
}

/* Parsed into a copy: DPDK may leave *mac half written on a bad string. */
int app_parse_mac(const char *s, struct rte_ether_addr *mac)
{
	struct rte_ether_addr tmp;

	if (s == NULL || rte_ether_unformat_addr(s, &tmp) != 0)
		return -1;
	*mac = tmp;
	return 0;
}

int app_parse_enum(const char *s, const char *what, const char *noun,
		   const char *const *names, unsigned int nb)
{
	unsigned int i;

	for (i = 0; s != NULL && i < nb; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	fprintf(stderr, "%s: unknown %s '%s' (", what, noun, s ? s : "");
	for (i = 0; i < nb; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", names[i]);
	fprintf(stderr, ")\n");
	return -1;
}

static void print_version(const struct app_options *o)
{
	printf("%s %s (%s)\n", o->name, IVSHMEM_PMD_VERSION, rte_version());
}

static const struct app_options *eal_help_options;

/* EAL prints its usage on stdout for --help, then ours through this. */
static void eal_help_hook(const char *prog)
{
	printf("\n");
	eal_help_options->usage(stdout, prog);
}

int app_early_options(int argc, char **argv, const struct app_options *o)
{
	int i;

	bool app_args = false;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			print_version(o);
			return APP_PARSE_DONE;
		}
		/* answered before EAL, which might not start (no hugepages) */
		if (app_args && strcmp(argv[i], "--help") == 0) {
			o->usage(stdout, argv[0]);
			return APP_PARSE_DONE;
		}
		if (strcmp(argv[i], "--") == 0)
			app_args = true;
	}
	eal_help_options = o;
	rte_set_application_usage_hook(eal_help_hook);
	return APP_PARSE_RUN;
}

int app_parse_options(int argc, char **argv, const struct app_options *o,
		      void *ctx)
{
	int opt;

	/* rescan from the start: EAL has run getopt over its own args */
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", o->table, NULL)) != -1) {
		if (opt == o->help) {
			o->usage(stdout, argv[0]);
			return APP_PARSE_DONE;
		}
		if (opt == '?') {
			fprintf(stderr, "unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			o->usage(stderr, argv[0]);
			return -1;
		}
		if (o->handle(opt, optarg, ctx) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return APP_PARSE_RUN;
}
