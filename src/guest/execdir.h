/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's host working directory: a private directory whose entry "N"
 * is a symbolic link to /proc/self/fd/N.  The host kernel resolves a
 * guest's exec path there, so kbox can make it name a memfd it injected at
 * fd N with as little as one character, written over the guest's own path
 * string.  Nothing else the guest does touches host paths.
 */
#ifndef KBOX_GUEST_EXECDIR_H
#define KBOX_GUEST_EXECDIR_H

/* Create the directory (under $TMPDIR or /tmp).  0 or -errno. */
int execdir_create(void);
const char *execdir_path(void);
/* Make sure the link for fd n exists.  0 or -errno. */
int execdir_link(int n);
/* Remove the directory and its links. */
void execdir_remove(void);

#endif
