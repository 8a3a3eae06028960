// SPDX-License-Identifier: GPL-2.0
/*
 * cptofs: copy host files and trees into a filesystem image.
 * cpfromfs: copy files and trees out of an image onto the host.
 *
 * One binary; argv[0] picks the direction.  Both behave like "cp -a"
 * (see copy.h) and like cp about the destination: an existing directory
 * receives the sources, a single source may be copied to a new name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy.h"
#include "image.h"
#include "progress.h"
#include "sources.h"
#include "tool.h"

struct options {
	struct image_opts image;
	enum progress_mode progress;
	int to_image;			/* cptofs; 0 for cpfromfs */
	char **operands;
	int noperands;
};

static void usage(FILE *out, int to_image)
{
	fprintf(out,
		"Usage: %s -i IMAGE [-t TYPE] [-P PART] [-p] [-o OPTS] [-q] SRC... DST\n"
		"Copy %s, like cp -a: recursively, keeping modes, owners,\n"
		"nanosecond times, symlinks, hard links, xattrs, ACLs, holes and\n"
		"special files.\n"
		"\n"
		"  -i, --image=IMAGE      the filesystem image file\n"
		"  -t, --type=TYPE        its filesystem type (default: detected)\n"
		"  -P, --partition=PART   use partition PART of a partitioned image\n"
		"  -o, --options=OPTS     filesystem mount options\n"
		"  -p, --preserve         accepted for compatibility: everything is\n"
		"                         always preserved\n"
		"  -q, --quiet            no progress line\n"
		"      --progress         a progress line even if stderr is no terminal\n"
		"  -h, --help             this help\n"
		"  -V, --version          the version\n"
		"\n"
		"SRC %s; its last component may be a pattern (*, ?, [...]).\n"
		"If DST is an existing directory the sources go into it.\n",
		tool_name,
		to_image ? "host files and directories SRC into the image at DST" :
			   "files and directories SRC of the image to DST on the host",
		to_image ? "is a host path, DST a path in the image" :
			   "is a path in the image, DST a host path");
}

static int parse_partition(const char *s, unsigned int *part)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 255)
		return -1;
	*part = (unsigned int)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_PROGRESS = 256 };
	static const struct option longopts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "type", required_argument, NULL, 't' },
		{ "partition", required_argument, NULL, 'P' },
		{ "options", required_argument, NULL, 'o' },
		{ "preserve", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, quiet = 0;

	while ((ch = getopt_long(argc, argv, "i:t:P:o:pqhV", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'i':
			o->image.path = optarg;
			break;
		case 't':
			o->image.fstype = optarg;
			break;
		case 'P':
			if (parse_partition(optarg, &o->image.part) < 0) {
				tool_error(NULL, "bad partition number '%s'",
					   optarg);
				return 2;
			}
			break;
		case 'o':
			o->image.mount_opts = optarg;
			break;
		case 'p':
			break;	/* always preserved; see the man page */
		case 'q':
			quiet = 1;
			break;
		case OPT_PROGRESS:
			o->progress = PROGRESS_ON;
			break;
		case 'h':
			usage(stdout, o->to_image);
			return 0;
		case 'V':
			tool_print_version();
			return 0;
		default:
			usage(stderr, o->to_image);
			return 2;
		}
	}
	if (quiet)
		o->progress = PROGRESS_OFF;
	o->operands = argv + optind;
	o->noperands = argc - optind;
	if (!o->image.path || o->noperands < 2) {
		tool_error(NULL, "%s", !o->image.path ? "no image (-i IMAGE)" :
			   "need a source and a destination");
		usage(stderr, o->to_image);
		return 2;
	}
	return -1;
}

/* The last component of path, trailing slashes ignored; "." for "/". */
static char *base_name(const char *path)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end == start || (end - start == 1 && path[start] == '/'))
		return strdup(".");
	if (!strncmp(path + start, "..", end - start) && end - start <= 2)
		return strdup(".");
	return strndup(path + start, end - start);
}

/* Everything before the last component: "." when there is none. */
static char *dir_name(const char *path)
{
	size_t end = strlen(path);

	while (end > 1 && path[end - 1] == '/')
		end--;
	while (end > 0 && path[end - 1] != '/')
		end--;
	while (end > 1 && path[end - 1] == '/')
		end--;
	if (end == 0)
		return strdup(".");
	return strndup(path, end);
}

/*
 * Where the sources go, as cp decides: into DST when it is a directory
 * (into = 1); else to the name DST in its parent, for a single source.
 * The directory's fd, or -1 after reporting why not.
 */
static long plan_destination(struct copy *c, const char *dst, size_t nsrc,
			     int *into)
{
	struct fs_stat st;
	char *parent;
	long r, fd;

	r = c->dst->stat_at(FS_CWD, dst, &st, 1);
	if (r == 0 && S_ISDIR(st.mode)) {
		*into = 1;
		fd = c->dst->open_at(FS_CWD, dst, FS_OPEN_DIR, 0);
		if (fd < 0)
			copy_error(c, c->dst, dst, "%s", strerror((int)-fd));
		return fd < 0 ? -1 : fd;
	}
	if (r < 0 && r != -ENOENT) {
		copy_error(c, c->dst, dst, "%s", strerror((int)-r));
		return -1;
	}
	if (nsrc > 1) {
		copy_error(c, c->dst, dst, "destination is not a directory "
			   "(%zu sources)", nsrc);
		return -1;
	}
	*into = 0;
	parent = dir_name(dst);
	if (!parent)
		return -1;
	fd = c->dst->open_at(FS_CWD, parent, FS_OPEN_DIR, 0);
	free(parent);
	if (fd < 0) {
		copy_error(c, c->dst, dst, "%s", strerror((int)-fd));
		return -1;
	}
	return fd;
}

static void copy_sources(struct copy *c, const struct strlist *srcs,
			 const char *dst, long dirfd, int into)
{
	size_t i;

	for (i = 0; i < srcs->n && !c->stop; i++) {
		const char *src = srcs->v[i];
		char *name = base_name(into ? src : dst), *path = NULL;

		if (!name) {
			copy_error(c, c->src, src, "%s", strerror(ENOMEM));
			continue;
		}
		if (!into || !strcmp(name, "."))
			path = strdup(dst);
		else if (asprintf(&path, "%s%s%s", dst,
				  dst[strlen(dst) - 1] == '/' ? "" : "/",
				  name) < 0)
			path = NULL;
		if (path)
			copy_entry(c, FS_CWD, src, src, (int)dirfd, name, path);
		else
			copy_error(c, c->src, src, "%s", strerror(ENOMEM));
		free(name);
		free(path);
	}
}

static int run(struct options *o)
{
	struct fs *src = o->to_image ? &fs_host : &fs_image;
	struct fs *dst = o->to_image ? &fs_image : &fs_host;
	const char *target = o->operands[o->noperands - 1];
	char *label = NULL;
	struct strlist srcs = { 0 };
	struct image img;
	struct copy c;
	long dirfd = -1, r;
	int i, into = 0, status = 0;

	if (asprintf(&label, "%s:", o->image.path) < 0)
		label = NULL;
	if (copy_init(&c, src, dst) < 0 || !label) {
		tool_error(NULL, "out of memory");
		status = 1;
		goto out;
	}
	/* Read-only until there is something to copy and somewhere to put it. */
	if (o->to_image)
		o->image.rw_later = 1;
	else
		o->image.readonly = 1;
	if (image_open(&img, &o->image) < 0) {
		status = 1;
		goto out;
	}
	r = fs_image_enter(img.mnt, label);
	if (r < 0) {
		tool_error(o->image.path, "cannot enter the image: %s",
			   strerror((int)-r));
		status = 1;
		goto close;
	}
	/* Modes are set exactly as the source has them. */
	umask(0);

	for (i = 0; i < o->noperands - 1; i++) {
		r = sources_expand(src, o->operands[i], &srcs, c.buf, c.buflen);
		if (r < 0)
			copy_error(&c, src, o->operands[i], "%s",
				   strerror((int)-r));
	}
	if (!srcs.n)
		goto leave;
	dirfd = plan_destination(&c, target, srcs.n, &into);
	if (dirfd < 0)
		goto leave;
	if (o->to_image) {
		/* The image's root is "/" inside the chroot. */
		if (image_remount_rw(&img, "/") < 0) {
			status = 1;
			goto leave;
		}
	}
	progress_init(o->progress);
	copy_sources(&c, &srcs, target, dirfd, into);
	progress_done();

leave:
	if (dirfd >= 0)
		dst->close((int)dirfd);
	copy_report_losses(&c);
	fs_image_leave();
close:
	if (image_close(&img) < 0)
		status = 1;
out:
	if (c.status)
		status = 1;
	strlist_free(&srcs);
	copy_fini(&c);
	free(label);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { .progress = PROGRESS_AUTO };
	int ret;

	tool_init(argv[0]);
	o.to_image = !strstr(tool_name, "cpfrom");
	ret = parse_options(argc, argv, &o);
	if (ret >= 0)
		return ret;
	return run(&o);
}
