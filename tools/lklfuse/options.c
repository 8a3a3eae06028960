// SPDX-License-Identifier: GPL-2.0
/*
 * The command line.  lklfuse's -o options are taken out here; libfuse's
 * own (-f, -d, -s, -o allow_other, max_threads=, ...) are left in the
 * argument list for fuse_parse_cmdline() and fuse_session_new(), which
 * reject what they do not know.
 *
 * A filesystem's mount data has commas of its own, which -o would split:
 * in opts= a ':' stands for ',' (opts=data=journal:errors=remount-ro),
 * and libfuse's "\," escape works too.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "options.h"
#include "tool.h"

enum { KEY_RO, KEY_HELP, KEY_VERSION };

#define OPT(t, field, v) { t, offsetof(struct lf_options, field), v }
static const struct fuse_opt spec[] = {
	OPT("type=%s", type, 0),
	OPT("mb=%s", mb, 0),
	OPT("part=%s", part, 0),
	OPT("opts=%s", opts, 0),
	OPT("no_default_permissions", no_default_permissions, 1),
	OPT("kernel_log", kernel_log, 1),
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END
};

/* The dash flags fuse_parse_cmdline() knows; any other is a usage error. */
static const char *const fuse_flags[] = { "-d", "--debug", "-f", "-s" };

static int bad_usage;

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct lf_options *o = data;
	size_t i;

	(void)outargs;
	switch (key) {
	case KEY_RO:
		o->ro = 1;
		return 1;	/* libfuse mounts read-only on the host too */
	case KEY_HELP:
		o->help = 1;
		return 1;
	case KEY_VERSION:
		o->version = 1;
		return 1;
	case FUSE_OPT_KEY_NONOPT:
		if (!o->image) {
			o->image = arg;
			return 0;
		}
		if (!o->mountpoint) {
			o->mountpoint = arg;
			return 1;
		}
		tool_error(NULL, "unexpected argument '%s'", arg);
		bad_usage = 1;
		return 1;
	case FUSE_OPT_KEY_OPT:
		if (arg[0] != '-')
			return 1;	/* an -o option: libfuse's to judge */
		for (i = 0; i < sizeof(fuse_flags) / sizeof(fuse_flags[0]); i++)
			if (!strcmp(arg, fuse_flags[i]))
				return 1;
		tool_error(NULL, "unknown option '%s'", arg);
		bad_usage = 1;
		return 1;
	}
	return 1;
}

static int parse_uint(const char *name, const char *s, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v < min || v > max) {
		tool_error(NULL, "bad %s=%s (a number from %u to %u)", name, s,
			   min, max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int options_parse(struct fuse_args *args, struct lf_options *o)
{
	char *p;

	if (fuse_opt_parse(args, o, spec, opt_proc) < 0 || bad_usage)
		return OPTIONS_USAGE;
	if (o->help || o->version)
		return OPTIONS_OK;
	if (!o->image || !o->mountpoint) {
		tool_error(NULL, "%s", o->image ? "no mount point given" :
			   "no image and mount point given");
		return OPTIONS_USAGE;
	}
	if (o->mb && parse_uint("mb", o->mb, 16, 1 << 20, &o->mem_mb) < 0)
		return OPTIONS_USAGE;
	if (o->part && parse_uint("part", o->part, 1, 255, &o->partition) < 0)
		return OPTIONS_USAGE;
	if (o->type && !*o->type) {
		free(o->type);
		o->type = NULL;
	}
	for (p = o->opts; p && *p; p++)
		if (*p == ':')
			*p = ',';
	return OPTIONS_OK;
}

void options_usage(FILE *to)
{
	if (to == stderr) {
		fprintf(to, "Usage: %s IMAGE MOUNTPOINT [-f] [-d] [-s] "
			"[-o type=TYPE,ro,mb=N,part=N,opts=DATA,...]\n"
			"Try '%s --help' for more.\n", tool_name, tool_name);
		return;
	}
	fprintf(to,
"Usage: %s IMAGE MOUNTPOINT [-f] [-d] [-s] [-o OPTION[,OPTION...]]\n"
"Mount the filesystem image IMAGE on MOUNTPOINT through FUSE; a Linux\n"
"kernel linked into %s does the filesystem work.\n"
"\n"
"lklfuse options:\n"
"  -o type=TYPE        filesystem type (ext4, vfat, ...); detected if omitted\n"
"  -o ro               open the image read-only and mount read-only\n"
"  -o mb=N             memory of the library kernel in MiB (default %d)\n"
"  -o part=N           mount partition N of a partitioned image\n"
"  -o opts=DATA        the filesystem's mount options, ':' for ','\n"
"                      (opts=data=journal:errors=remount-ro)\n"
"  -o no_default_permissions\n"
"                      do not let the host check permissions (then none\n"
"                      are checked: every call runs as root in the kernel)\n"
"  -o kernel_log       show the library kernel's messages on stderr\n"
"  -f                  stay in the foreground\n"
"  -d                  debug: print every request (implies -f)\n"
"  -s                  single-threaded\n"
"  -h, --help          this help, then libfuse's options\n"
"  -V, --version       print the version\n"
"\n"
"Unmount with 'fusermount3 -u MOUNTPOINT' (or SIGTERM/SIGINT).\n",
		tool_name, tool_name, IMAGE_DEFAULT_MEM_MB);
}
