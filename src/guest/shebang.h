/* SPDX-License-Identifier: GPL-2.0 */
/*
 * #! scripts of the image.  The host kernel would take a script's
 * interpreter from the host, so the host executes a small program of
 * kbox's in its place (shebang/trampoline.c), which execs the interpreter
 * with the script's arguments through an execve kbox serves.
 */
#ifndef KBOX_GUEST_SHEBANG_H
#define KBOX_GUEST_SHEBANG_H

#include "elf.h"

/*
 * exec runs a script as path, relative to kernel fd dirfd ("": the fd
 * itself; info from exec_open): check its interpreters as Linux does
 * before an exec's point of no return, and make the trampoline that runs
 * it.  Returns a sealed memfd, or -errno; *exe is then the program that
 * will run the script, open in the kernel (for /proc/PID/exe).
 */
int shebang_prepare(long dirfd, const char *path, const struct exec_info *info, long *exe);

#endif
