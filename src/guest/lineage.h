/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which host processes are the guest's: kbox's descendants.
 *
 * kbox is a child subreaper, so a guest process whose parent dies is
 * re-parented to kbox, not to the host's init: every guest process stays
 * a descendant of kbox, whether or not it ever made a call kbox saw.
 * Calls that name another process (signals, priorities, process groups)
 * are checked against this, and kbox's end kills what is left of it.
 */
#ifndef KBOX_GUEST_LINEAGE_H
#define KBOX_GUEST_LINEAGE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Make kbox the subreaper of what it starts.  0 or -errno; -EXDEV when
 * /proc is not of kbox's pid namespace.
 */
int lineage_init(void);

/* Whether pid (a process or thread id) is a guest's. */
bool lineage_is_guest(pid_t pid);

/* The host process group of pid, or -errno. */
pid_t lineage_pgrp(pid_t pid);

/*
 * Call fn for each guest process (tgid and process group); stops when fn
 * returns non-zero and returns that.  With only_pgrp > 0, only the members
 * of that group; *outsiders (may be NULL) counts the group's members that
 * are not the guest's.
 */
int lineage_for_each(pid_t only_pgrp, int (*fn)(pid_t pid, pid_t pgrp, void *arg),
		     void *arg, int *outsiders);

#endif
