// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing for kbox. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tool.h"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: kbox [OPTIONS] [--] COMMAND [ARGS...]\n"
"Run COMMAND from a root filesystem image, its system calls served by a\n"
"Linux kernel linked into kbox: no root, no containers, no VM, no ptrace.\n"
"\n"
"Image and mounts:\n"
"  -r, --root IMAGE        root filesystem image (default: kbox's busybox image)\n"
"  -t, --type TYPE         filesystem type of IMAGE (default: detected)\n"
"  -P, --part N            mount partition N of IMAGE (default: whole disk)\n"
"  -o, --options OPTS      mount options for the root (noatime, ...)\n"
"      --ro                read-only root: the image file is never modified\n"
"  -b, --bind HOST:GUEST[:ro]\n"
"                          show host directory HOST at GUEST in the guest\n"
"      --mounts=LEVEL      none, minimal (proc, sysfs, devtmpfs with devpts;\n"
"                          the default)\n"
"                          or full (also tmpfs on /tmp and /dev/shm)\n"
"  -S                      --mounts=full and --root-id\n"
"\n"
"The guest:\n"
"  -w, --workdir DIR       working directory in the guest (default: /)\n"
"      --root-id           run as uid 0, gid 0 in the guest\n"
"      --change-id UID:GID run as UID:GID in the guest\n"
"  -e, --env VAR=VAL       set VAR; the environment starts with PATH, HOME,\n"
"                          TERM and LANG only\n"
"\n"
"The kernel and kbox:\n"
"  -k, --kernel-cmdline S  extra kernel command-line words\n"
"  -m, --memory SIZE       kernel memory (bytes, or with K, M, G; default 256M)\n"
"      --syscall-mode=MODE how system calls are intercepted: seccomp\n"
"  -v, --verbose           log each intercepted system call to stderr\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\n"
"Exit status: COMMAND's, or 128+N if signal N killed it; 125 if kbox\n"
"failed, 126 if COMMAND cannot be executed, 127 if it was not found.\n");
}

static int bad(const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	tool_error(NULL, "%s (see kbox --help)", msg);
	return EXIT_KBOX_ERROR;
}

/* "256M", "1G", "65536K", "268435456"; a bare number under 1 MiB is in MiB. */
static int parse_size_mb(const char *s, unsigned int *mb)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': v >>= 10; end++; break;
	case 'M': end++; break;
	case 'G': v <<= 10; end++; break;
	case '\0': if (v >= (1 << 20)) v >>= 20; break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v < 16 || v > (1ULL << 20))
		return -1;
	*mb = (unsigned int)v;
	return 0;
}

static int parse_bind(char *arg, struct bind_mount *b)
{
	char *guest = strchr(arg, ':');
	char *mode;

	if (!guest || guest == arg)
		return -1;
	*guest++ = '\0';
	mode = strchr(guest, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") && strcmp(mode, "rw"))
			return -1;
		b->readonly = !strcmp(mode, "ro");
	}
	if (guest[0] != '/')
		return -1;
	b->host = arg;
	b->guest = guest;
	return 0;
}

static int parse_id(const char *s, struct kbox_opts *o)
{
	unsigned long u, g;
	char *end;

	errno = 0;
	u = strtoul(s, &end, 10);
	if (errno || end == s || *end != ':')
		return -1;
	s = end + 1;
	g = strtoul(s, &end, 10);
	if (errno || end == s || *end || u > 0xfffffffeUL || g > 0xfffffffeUL)
		return -1;
	o->uid = (uid_t)u;
	o->gid = (gid_t)g;
	return 0;
}

enum {
	OPT_RO = 256, OPT_MOUNTS, OPT_ROOT_ID, OPT_CHANGE_ID, OPT_SYSCALL_MODE,
};

int cli_parse(int argc, char **argv, struct kbox_opts *o)
{
	static const struct option longopts[] = {
		{ "root",		required_argument, NULL, 'r' },
		{ "type",		required_argument, NULL, 't' },
		{ "part",		required_argument, NULL, 'P' },
		{ "options",		required_argument, NULL, 'o' },
		{ "ro",			no_argument,	   NULL, OPT_RO },
		{ "bind",		required_argument, NULL, 'b' },
		{ "mounts",		required_argument, NULL, OPT_MOUNTS },
		{ "workdir",		required_argument, NULL, 'w' },
		{ "root-id",		no_argument,	   NULL, OPT_ROOT_ID },
		{ "change-id",		required_argument, NULL, OPT_CHANGE_ID },
		{ "env",		required_argument, NULL, 'e' },
		{ "kernel-cmdline",	required_argument, NULL, 'k' },
		{ "memory",		required_argument, NULL, 'm' },
		{ "syscall-mode",	required_argument, NULL, OPT_SYSCALL_MODE },
		{ "verbose",		no_argument,	   NULL, 'v' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "version",		no_argument,	   NULL, 'V' },
		{ 0 }
	};
	unsigned long part;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->mounts = MOUNTS_MINIMAL;
	o->mem_mb = 256;
	/* "+": the first non-option word is the command; its flags are its own. */
	while ((c = getopt_long(argc, argv, "+r:t:P:o:b:Sw:e:k:m:vhV",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->root = optarg; break;
		case 't': o->fstype = optarg; break;
		case 'P':
			errno = 0;
			part = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || part > 128)
				return bad("bad partition number '%s'", optarg);
			o->part = (unsigned int)part;
			break;
		case 'o': o->mount_opts = optarg; break;
		case OPT_RO: o->readonly = true; break;
		case 'b':
			o->binds = realloc(o->binds, (o->nbinds + 1) * sizeof(*o->binds));
			if (!o->binds)
				return bad("%s", "out of memory");
			memset(&o->binds[o->nbinds], 0, sizeof(*o->binds));
			if (parse_bind(optarg, &o->binds[o->nbinds]))
				return bad("bad bind '%s': want HOST:/GUEST[:ro]", optarg);
			o->nbinds++;
			break;
		case OPT_MOUNTS:
			if (!strcmp(optarg, "none"))
				o->mounts = MOUNTS_NONE;
			else if (!strcmp(optarg, "minimal"))
				o->mounts = MOUNTS_MINIMAL;
			else if (!strcmp(optarg, "full"))
				o->mounts = MOUNTS_FULL;
			else
				return bad("bad --mounts '%s': want none, minimal or full", optarg);
			break;
		case 'S':
			o->mounts = MOUNTS_FULL;
			o->root_id = true;
			break;
		case 'w':
			if (optarg[0] != '/')
				return bad("working directory '%s' must be absolute", optarg);
			o->workdir = optarg;
			break;
		case OPT_ROOT_ID: o->root_id = true; break;
		case OPT_CHANGE_ID:
			if (parse_id(optarg, o))
				return bad("bad --change-id '%s': want UID:GID", optarg);
			o->change_id = true;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return bad("bad -e '%s': want VAR=VALUE", optarg);
			o->env = realloc(o->env, (o->nenv + 1) * sizeof(*o->env));
			if (!o->env)
				return bad("%s", "out of memory");
			o->env[o->nenv++] = optarg;
			break;
		case 'k': o->kernel_cmdline = optarg; break;
		case 'm':
			if (parse_size_mb(optarg, &o->mem_mb))
				return bad("bad memory size '%s' (16M to 1T)", optarg);
			break;
		case OPT_SYSCALL_MODE:
			if (strcmp(optarg, "seccomp"))
				return bad("syscall mode '%s' is not available: only seccomp", optarg);
			break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': tool_print_version(); return 0;
		default:
			usage(stderr);
			return EXIT_KBOX_ERROR;
		}
	}
	if (o->root_id && o->change_id)
		return bad("%s", "--root-id and --change-id exclude each other");
	if (optind >= argc)
		return bad("%s", "no command given");
	o->argv = argv + optind;
	return -1;
}

void cli_free(struct kbox_opts *o)
{
	free(o->binds);
	free(o->env);
}
