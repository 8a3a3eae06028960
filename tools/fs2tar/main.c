// SPDX-License-Identifier: GPL-2.0
/*
 * fs2tar IMAGE OUT.tar and tar2fs IMAGE IN.tar: one binary, the direction
 * picked by the name it runs as (tar2fs is a symlink to fs2tar).
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs2tar.h"
#include "tool.h"

enum { OPT_PROGRESS = 0x100, OPT_VERSION };

static const struct option long_opts[] = {
	{ "type",	required_argument, NULL, 't' },
	{ "partition",	required_argument, NULL, 'P' },
	{ "directory",	required_argument, NULL, 'C' },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "progress",	no_argument,	   NULL, OPT_PROGRESS },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char options_help[] =
"  -t, --type=TYPE        filesystem type (ext4, vfat); detected if omitted\n"
"  -P, --partition=N      partition N of a partitioned disk image\n"
"%s"
"  -q, --quiet            no progress line\n"
"      --progress         progress line on stderr even when not a terminal\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Exit status: 0 success, 1 failure (reported on stderr), 2 bad usage.\n";

static void usage(FILE *out, int to_image)
{
	if (to_image)
		fprintf(out,
"Usage: %s [OPTION]... IMAGE IN.tar\n"
"Fill a filesystem image (or one directory of it) from a tar archive in any\n"
"format and compression libarchive reads, \"-\" being standard input: files,\n"
"directories, symlinks, hard links, device nodes, fifos, sparse files, with\n"
"numeric owners, modes, times, xattrs and ACLs.  Existing files are replaced.\n"
"Members whose path would leave the target (\"..\", or through a symlink in\n"
"the image) are reported and skipped; the exit status is then 1.\n\n",
			tool_name);
	else
		fprintf(out,
"Usage: %s [OPTION]... IMAGE OUT.tar\n"
"Write the files of a filesystem image (or of one directory in it) to a pax\n"
"tar archive, \"-\" being standard output: owners (numbers, and names from\n"
"the image's /etc/passwd and /etc/group), modes, ns times, xattrs, ACLs,\n"
"hard links, symlinks, device nodes, fifos, sparse files.  Members are \"./\"\n"
"and \"./path\", sorted.  The image is opened read-only, never modified.\n\n",
			tool_name);
	fprintf(out, options_help, to_image ?
		"  -C, --directory=DIR    extract into DIR of the image (which must exist)\n" :
		"  -C, --directory=DIR    archive the contents of DIR of the image instead\n");
}

static int bad_usage(int to_image)
{
	usage(stderr, to_image);
	return 2;
}

int main(int argc, char **argv)
{
	struct xfer_opts o = { .progress = PROGRESS_AUTO };
	unsigned long part;
	int to_image, c, quiet = 0;
	char *end;

	tool_init(argv[0]);
	to_image = !strcmp(tool_name, "tar2fs");
	opterr = 0;	/* our own message, with the tool's short name */
	while ((c = getopt_long(argc, argv, "t:P:C:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.fstype = optarg;
			break;
		case 'P':
			part = strtoul(optarg, &end, 10);
			if (!*optarg || *end || part > 255) {
				tool_error(NULL, "bad partition number '%s'",
					   optarg);
				return bad_usage(to_image);
			}
			o.part = (unsigned int)part;
			break;
		case 'C':
			o.subdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_PROGRESS:
			o.progress = PROGRESS_ON;
			break;
		case 'h':
			usage(stdout, to_image);
			return 0;
		case OPT_VERSION:
			tool_print_version();
			return 0;
		default:
			if (optopt && optopt < 0x100)
				tool_error(NULL, "%s option '-%c'",
					   strchr("tPC", optopt) ?
					   "missing argument for" : "unknown",
					   optopt);
			else
				tool_error(NULL, "bad option '%s'",
					   argv[optind - 1]);
			return bad_usage(to_image);
		}
	}
	if (argc - optind != 2) {
		tool_error(NULL, "expected IMAGE and %s",
			   to_image ? "IN.tar" : "OUT.tar");
		return bad_usage(to_image);
	}
	if (quiet)	/* whatever the order: -q wins over --progress */
		o.progress = PROGRESS_OFF;
	o.image = argv[optind];
	o.archive = argv[optind + 1];
	/*
	 * Names in Linux filesystems are, by convention, UTF-8, and pax
	 * headers are UTF-8: treat them as such whatever the user's locale,
	 * so libarchive passes them through unchanged.
	 */
	setlocale(LC_CTYPE, "C.UTF-8");
	return to_image ? tar2fs_run(&o) : fs2tar_run(&o);
}
