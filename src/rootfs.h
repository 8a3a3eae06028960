/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's view of the library kernel: the mounted image as its root,
 * the pseudo filesystems the user asked for inside it, and the first
 * guest task (chrooted there, with the guest's identity).
 */
#ifndef KBOX_ROOTFS_H
#define KBOX_ROOTFS_H

#include <limits.h>

#include "cli.h"

/* Mount what opts->mounts asks for under mnt (the image's mount point). */
int rootfs_mount_extras(const char *mnt, const struct kbox_opts *opts);

/* The guest's host name: the image's /etc/hostname, or "kbox". */
void rootfs_set_hostname(const char *mnt);

/* The loopback interface up, as a Linux system's init leaves it (127.0.0.1). */
void rootfs_loopback_up(void);

/* Undo rootfs_mount_extras (what is not mounted is skipped). */
void rootfs_umount_extras(const char *mnt);

struct guest_task {
	long ktid;		/* the kernel task of the guest's first process */
	char path[PATH_MAX];	/* the command, resolved in the image */
};

/*
 * Make the first guest task: root at mnt, cwd workdir, identity and the
 * placeholders of the host fds the guest inherits.  Resolve argv0 the way
 * execvp would, inside the image, with the guest's PATH.  Returns 0, or an
 * exit status (EXIT_NOT_FOUND, EXIT_CANNOT_EXEC, EXIT_KBOX_ERROR) after
 * printing why.
 */
int rootfs_guest_task(const char *mnt, const struct kbox_opts *opts,
		      const char *guest_path_env, struct guest_task *gt);

/* End a guest task nobody runs (kbox gives up before launching). */
void rootfs_end_task(long ktid);

#endif
