// SPDX-License-Identifier: GPL-2.0
/*
 * lkl_strerror / lkl_perror.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_strerror.c lkl/host/strerror.c -lpthread \
 *       -o test_strerror
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <lkl_host.h>

#include "../../tap.h"

static int thread_ok[4];

static void *hammer(void *arg)
{
	int id = (int)(long)arg, i, good = 1;
	char want[32];

	snprintf(want, sizeof(want), "Unknown error %d", 1000 + id);
	for (i = 0; i < 20000; i++) {
		const char *s = lkl_strerror(1000 + id);

		if (strcmp(s, want))
			good = 0;
		/* Another thread's unknown code must not clobber ours. */
		lkl_strerror(2000 + id);
	}
	thread_ok[id] = good;
	return NULL;
}

int main(void)
{
	static const int unused[] = { 41, 58 };
	pthread_t t[4];
	int i, all = 1, unknown_ok = 1, distinct = 1;
	char buf[32];

	for (i = 1; i <= 133; i++) {
		const char *s = lkl_strerror(i);
		int is_unused = i == unused[0] || i == unused[1];

		if (!s || !*s)
			all = 0;
		else if (!is_unused && !strncmp(s, "Unknown error", 13))
			all = 0;
	}
	ok(all, "every asm-generic errno 1..133 (but 41, 58) has a message");

	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "Unknown error %d", unused[i]);
		if (strcmp(lkl_strerror(unused[i]), buf))
			unknown_ok = 0;
	}
	ok(unknown_ok, "unused numbers 41 and 58 are unknown");

	for (i = 1; i <= 133; i++) {
		int j;

		for (j = i + 1; j <= 133; j++)
			if (i != 41 && i != 58 && j != 41 && j != 58 &&
			    !strcmp(lkl_strerror(i), lkl_strerror(j)))
				distinct = 0;
	}
	ok(distinct, "no two errno values share a message");

	ok(!strcmp(lkl_strerror(0), "Success"), "0 is Success");
	ok(!strcmp(lkl_strerror(1), "Operation not permitted"), "EPERM");
	ok(!strcmp(lkl_strerror(2), "No such file or directory"), "ENOENT");
	ok(!strcmp(lkl_strerror(5), "Input/output error"), "EIO");
	ok(!strcmp(lkl_strerror(11), "Resource temporarily unavailable"),
	   "EAGAIN");
	ok(!strcmp(lkl_strerror(22), "Invalid argument"), "EINVAL");
	ok(!strcmp(lkl_strerror(38), "Function not implemented"), "ENOSYS");
	ok(!strcmp(lkl_strerror(95), "Operation not supported"), "EOPNOTSUPP");
	ok(!strcmp(lkl_strerror(110), "Connection timed out"), "ETIMEDOUT");
	ok(!strcmp(lkl_strerror(117), "Structure needs cleaning"), "EUCLEAN");
	ok(!strcmp(lkl_strerror(133), "Memory page has hardware error"),
	   "EHWPOISON (133)");
	ok(!strcmp(lkl_strerror(-2), lkl_strerror(2)), "the sign is ignored");
	ok(!strcmp(lkl_strerror(134), "Unknown error 134"), "134 is unknown");
	ok(!strcmp(lkl_strerror(-9999), "Unknown error 9999"),
	   "-9999 is unknown, printed without sign");
	ok(strstr(lkl_strerror(-512), "ERESTARTSYS") != NULL,
	   "kernel-internal ERESTARTSYS is named");
	ok(strstr(lkl_strerror(524), "ENOTSUPP") != NULL,
	   "kernel-internal ENOTSUPP is named");
	ok(!strcmp(lkl_strerror(520), "Unknown error 520"), "520 is unknown");
	ok(lkl_strerror(-2147483647 - 1) != NULL, "INT_MIN does not crash");

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, (void *)(long)i);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ok(thread_ok[0] && thread_ok[1] && thread_ok[2] && thread_ok[3],
	   "unknown-error text is per thread");

	fflush(stdout);
	lkl_perror("test_strerror perror check", -2);
	lkl_perror(NULL, 22);
	ok(1, "lkl_perror prints (see stderr)");

	return tap_done();
}
