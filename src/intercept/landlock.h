/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock: the host kernel's own fence around the guest, behind kbox's.
 *
 * kbox never lets a guest path reach the host (every path-taking call goes
 * to the library kernel), but the host kernel reads some paths itself:
 * execve's, once kbox has rewritten it, and the ELF interpreter's.  Under
 * Landlock with no rule, the guest can open or run no host file at all
 * (memfds are not in the file hierarchy and stay usable), bind or connect
 * no host TCP port, and (ABI 6) signal no process outside its domain.
 */
#ifndef KBOX_INTERCEPT_LANDLOCK_H
#define KBOX_INTERCEPT_LANDLOCK_H

#include <stdbool.h>

/*
 * The ABI version the host offers, 0 for none.  $KBOX_LANDLOCK_ABI caps
 * it (tests use it to try the paths older hosts take).
 */
int landlock_abi(void);

/* From ABI 6 the kernel keeps the guest's signals inside the guest. */
static inline bool landlock_scopes_signals(int abi)
{
	return abi >= 6;
}

/* In the guest's process, before seccomp: confine it.  0 or -errno. */
int landlock_confine(int abi);

#endif
