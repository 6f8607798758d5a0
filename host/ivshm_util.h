/* SPDX-License-Identifier: BSD-3-Clause
 * Host-side helpers that are not protocol (ivshm_util.c).
 */
#ifndef IVSHM_UTIL_H
#define IVSHM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ivshm_bits.h" /* ivshm_is_pow2 */

#define IVSHM_ERR_LEN 256

/* Writes a formatted one-line reason into err (if err != NULL). */
void ivshm_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic clock in milliseconds, for deadlines. */
int64_t ivshm_now_ms(void);

/* Milliseconds left until deadline, clamped to [0, INT32_MAX]. */
int ivshm_ms_left(int64_t deadline_ms);

/* Parses "4M", "4096", "1G", "512K", "2T" (binary units). 0 on success. */
int ivshm_parse_size(const char *s, uint64_t *out);

#endif /* IVSHM_UTIL_H */
