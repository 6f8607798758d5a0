/* SPDX-License-Identifier: BSD-3-Clause
 * Minimal self-contained test framework: CHECK* macros return from the
 * current test on failure; RUN() runs one test and reports it TAP-style.
 */
#ifndef IVSHM_TESTS_CHECK_H
#define IVSHM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_failures;
static int check_current_failed;

static inline void check_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what);
	check_failures++;
	check_current_failed = 1;
}

#define CHECK(cond) do { \
	if (!(cond)) { check_fail(__FILE__, __LINE__, #cond); return; } \
} while (0)

/* Integer comparison that prints both values (as signed 64-bit). */
#define CHECK_EQ(a, b) do { \
	int64_t check_a_ = (int64_t)(a), check_b_ = (int64_t)(b); \
	if (check_a_ != check_b_) { \
		char check_msg_[256]; \
		snprintf(check_msg_, sizeof(check_msg_), "%s == %s (%" PRId64 \
			 " != %" PRId64 ")", #a, #b, check_a_, check_b_); \
		check_fail(__FILE__, __LINE__, check_msg_); \
		return; \
	} \
} while (0)

#define RUN(test) do { \
	check_current_failed = 0; \
	test(); \
	printf("%s - %s\n", check_current_failed ? "not ok" : "ok", #test); \
} while (0)

/* Return value for main(). */
static inline int check_exit_code(void)
{
	if (check_failures)
		fprintf(stderr, "%d check(s) failed\n", check_failures);
	return check_failures ? 1 : 0;
}

#endif /* IVSHM_TESTS_CHECK_H */
