/* SPDX-License-Identifier: BSD-3-Clause
 * Small helpers of the host side that are not protocol: error strings,
 * the deadline clock, sizes as ivshmem-server's -l takes them.
 */
#include "ivshm_util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ivshm_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int64_t ivshm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ivshm_ms_left(int64_t deadline_ms)
{
	int64_t left = deadline_ms - ivshm_now_ms();

	if (left < 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

int ivshm_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned int shift = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno != 0)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	default: return -EINVAL;
	}
	const char *rest = *end != '\0' ? end + 1 : end;

	if (strcmp(rest, "") != 0 && strcmp(rest, "B") != 0 &&
	    strcmp(rest, "iB") != 0)
		return -EINVAL;
	if (shift != 0 && (v >> (64 - shift)) != 0)
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}
