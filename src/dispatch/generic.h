/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table-driven marshalling for the many calls that differ only in the
 * shape of their arguments: each library-kernel argument slot comes from a
 * guest argument (copied in or out of guest memory by kind) or is a
 * constant, so x86_64's legacy calls (open, mkdir, ...) map onto the
 * kernel's *at calls without code of their own.
 */
#ifndef KBOX_DISPATCH_GENERIC_H
#define KBOX_DISPATCH_GENERIC_H

#include "dispatch.h"

enum arg_kind {
	A_NONE,
	A_VAL,		/* passed as it is */
	A_FD,		/* a guest fd: decides host or kernel */
	A_DIRFD,	/* a directory fd for a path, or AT_FDCWD */
	A_PATH,		/* a path string */
	A_PATH_NULL,	/* a path string, or NULL */
	A_STR,		/* a short string (xattr name) */
	A_IN,		/* n = index of the guest argument with the length */
	A_OUT,		/* same; ret bytes are copied back */
	A_IN_FIX,	/* n = size in bytes, copied in */
	A_OUT_FIX,	/* n = size, copied back on success */
	A_INOUT_FIX,	/* n = size, both ways */
};

/* The C type of an A_IN/A_OUT length, as the kernel truncates it. */
enum len_type {
	LEN_LONG,	/* size_t, unsigned long */
	LEN_INT,	/* int: the high half is not looked at, a negative one is too big */
};

/*
 * A NULL buffer fails with EFAULT unless its length is 0 or the slot says
 * the kernel takes NULL (GNULL: utimensat's times...): the kernel's user
 * copies are plain memcpy here, and NULL would fault in kbox.  A length
 * over max fails with too_big before any copy, as the kernel would (a
 * NULL buffer the kernel takes is not looked at, nor its length).
 */
struct slot {
	signed char from;	/* guest argument index, -1 for a constant */
	unsigned char kind;
	unsigned short n;
	bool null_ok;
	unsigned char len;	/* enum len_type */
	short too_big;		/* -errno; 0: no max */
	unsigned int max;
	long konst;
};

struct sysdesc {
	int nr;			/* x86_64 number */
	int lkl_nr;		/* the library kernel's (asm-generic) number */
	struct slot slot[6];
	/* Run after the kernel call (c->ret set), params as the kernel had them. */
	void (*after)(struct call *c, const long *params);
};

#define G(i, k)		{ .from = (i), .kind = (k) }
#define GN(i, k, nn)	{ .from = (i), .kind = (k), .n = (nn) }
#define GNULL(i, k, nn)	{ .from = (i), .kind = (k), .n = (nn), .null_ok = true }
/* A buffer whose length has C type ty and is at most mx, else error er. */
#define GL(i, k, nn, ty, mx, er) \
	{ .from = (i), .kind = (k), .n = (nn), .len = (ty), .max = (mx), .too_big = -(er) }
#define GLNULL(i, k, nn, ty, mx, er) \
	{ .from = (i), .kind = (k), .n = (nn), .null_ok = true, .len = (ty), .max = (mx), .too_big = -(er) }
#define K(v)		{ .from = -1, .kind = A_VAL, .konst = (v) }
#define SYS(n, l, ...)	{ .nr = (n), .lkl_nr = (l), .slot = { __VA_ARGS__ } }
#define SYSA(n, l, a, ...) { .nr = (n), .lkl_nr = (l), .after = (a), .slot = { __VA_ARGS__ } }

void generic_run(struct call *c, const struct sysdesc *d);

/* After-hooks (hostlink.c): a kernel /proc/PID/fd link to a host fd. */
void hostlink_opened(struct call *c, const long *params);
void hostlink_read(struct call *c, const long *params);
struct stat;
int hostlink_stat(struct call *c, long dirfd, const char *path, int flags, struct stat *st);
/* Register every entry of a table. */
void generic_register(const struct sysdesc *tab, int n);

/* Largest buffer one call moves; longer reads and writes come back short. */
#define MAX_IO (8UL << 20)

#endif
