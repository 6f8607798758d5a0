/* SPDX-License-Identifier: BSD-3-Clause
 * ivshmem-stat: the text and JSON reports of a region sample.
 */
#ifndef STAT_PRINT_H
#define STAT_PRINT_H

#include <stdio.h>

#include "stat_region.h"

struct stat_report {
	const char *source;             /* what was opened, for the reader */
	const struct stat_view *view;
	const struct stat_sample *now;
	const struct stat_sample *prev; /* NULL: no rates */
	const struct stat_ages *ages;
};

void stat_print_text(FILE *out, const struct stat_report *r);
/* One JSON object on one line (JSON lines in --watch). */
void stat_print_json(FILE *out, const struct stat_report *r);

#endif /* STAT_PRINT_H */
