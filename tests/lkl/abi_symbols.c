// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol-level ABI is the contract: a program that declares the few
 * symbols it uses itself, with plain C types and without our headers (as
 * kbox's prototype did), links against liblkl.a and works.
 */
#include <string.h>
#include "tap.h"

struct lkl_disk {
	void *dev;
	int fd;
	void *ops;
};

extern char lkl_host_ops[];
int lkl_init(void *ops);
int lkl_start_kernel(const char *fmt, ...);
long lkl_syscall(long no, long *params);
long lkl_sys_halt(void);
void lkl_cleanup(void);
const char *lkl_strerror(int err);
int lkl_disk_add(struct lkl_disk *disk);

/* asm-generic numbers */
#define NR_mkdirat	34
#define NR_getpid	172
#define NR_uname	160
#define AT_FDCWD	-100

int main(void)
{
	long p[6] = { 0 };
	struct lkl_disk bad = { .dev = NULL, .fd = -1, .ops = NULL };
	char uts[6 * 65];

	is_int(lkl_init(lkl_host_ops), 0, "lkl_init with lkl_host_ops");
	ok(lkl_disk_add(&bad) < 0, "lkl_disk_add refuses a bad fd");
	is_int(lkl_start_kernel("mem=32M loglevel=0"), 0, "lkl_start_kernel");
	is_int(lkl_syscall(NR_getpid, p), 1, "getpid through lkl_syscall");

	p[0] = (long)uts;
	is_int(lkl_syscall(NR_uname, p), 0, "uname");
	ok(!strcmp(uts, "Linux"), "sysname is Linux");
	ok(!strncmp(uts + 2 * 65, "6.12", 4), "release is 6.12.x (%s)", uts + 2 * 65);

	p[0] = AT_FDCWD;
	p[1] = (long)"/";
	p[2] = 0755;
	is_int(lkl_syscall(NR_mkdirat, p), -17, "mkdirat(\"/\") is -EEXIST");
	ok(!strcmp(lkl_strerror(-17), "File exists"), "lkl_strerror(-EEXIST)");

	is_int(lkl_sys_halt(), 0, "lkl_sys_halt");
	lkl_cleanup();
	return tap_done();
}
