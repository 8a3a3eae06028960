/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer shared by the C tests.  The plan is
 * printed at the end ("1..N" after the results is valid TAP), so tests need
 * no hand-maintained count.  Exit status: 0 iff every check passed.
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3)))
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

#define ok(cond, ...)	tap_ok(!!(cond), __VA_ARGS__)

#define is_int(got, want, desc) ({					\
	long long __g = (long long)(got), __w = (long long)(want);	\
	int __r = ok(__g == __w, "%s", desc);				\
	if (!__r)							\
		printf("#   got %lld, want %lld\n", __g, __w);	\
	__r;								\
})

static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
