/* SPDX-License-Identifier: GPL-2.0 */
/* lklfuse's command line: its own -o options, the rest left for libfuse. */
#ifndef KBOX_TOOLS_LKLFUSE_OPTIONS_H
#define KBOX_TOOLS_LKLFUSE_OPTIONS_H

#include <stdio.h>

#include "lklfuse.h"

struct lf_options {
	const char *image;
	const char *mountpoint;
	char *type;		/* -o type=: NULL detects */
	char *mb;		/* -o mb=: kernel memory in MiB */
	char *part;		/* -o part=: partition number */
	char *opts;		/* -o opts=: filesystem data, ':' for ',' */
	int ro;			/* -o ro: also kept for libfuse */
	int no_default_permissions;
	int kernel_log;
	int help, version;
	/* Converted from the strings above by options_parse. */
	unsigned int mem_mb, partition;
};

enum { OPTIONS_OK, OPTIONS_USAGE = 2 };

/*
 * Take lklfuse's options out of args (libfuse's stay for
 * fuse_parse_cmdline and fuse_session_new).  OPTIONS_OK, or
 * OPTIONS_USAGE after printing why.
 */
int options_parse(struct fuse_args *args, struct lf_options *o);
/* The full help on stdout; a two-line reminder on stderr. */
void options_usage(FILE *to);

#endif
