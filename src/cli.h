/* SPDX-License-Identifier: GPL-2.0 */
/* kbox's command line: what the user asked for, checked but not acted on. */
#ifndef KBOX_CLI_H
#define KBOX_CLI_H

#include <stdbool.h>
#include <sys/types.h>

/* Exit statuses of kbox's own failures, as env(1) and chroot(1) use them. */
#define EXIT_KBOX_ERROR		125
#define EXIT_CANNOT_EXEC	126
#define EXIT_NOT_FOUND		127

enum mounts_level { MOUNTS_NONE, MOUNTS_MINIMAL, MOUNTS_FULL };

struct bind_mount {
	const char *host;
	const char *guest;
	bool readonly;
};

struct kbox_opts {
	const char *root;		/* image path; NULL: the default image */
	const char *fstype;		/* NULL: detect */
	unsigned int part;
	const char *mount_opts;
	bool readonly;
	enum mounts_level mounts;
	struct bind_mount *binds;
	int nbinds;
	const char *workdir;		/* NULL: "/" */
	const char *kernel_cmdline;	/* appended to kbox's own */
	unsigned int mem_mb;
	bool root_id;
	bool change_id;
	uid_t uid;
	gid_t gid;
	char **env;			/* -e VAR=VAL, in order */
	int nenv;
	int verbose;
	char **argv;			/* the guest command, NULL-terminated */
};

/*
 * Fill opts from argv.  Returns -1 to go on, or the exit status to exit
 * with at once (0 after --help/--version, EXIT_KBOX_ERROR after printing
 * what is wrong).
 */
int cli_parse(int argc, char **argv, struct kbox_opts *opts);
void cli_free(struct kbox_opts *opts);

#endif
