/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keeper: a small process forked before kbox starts any thread, that
 * outlives kbox only to end its guests.  A guest process is known by its
 * host working directory, kbox's exec directory (guests cannot change
 * it: chdir is the library kernel's), so even children kbox never heard
 * of are found.  When kbox dies without cleaning up (SIGKILL), the
 * keeper's end of their socket reads EOF: it kills every process working
 * in the exec directory, then removes the directory.
 */
#ifndef KBOX_INTERCEPT_KEEPER_H
#define KBOX_INTERCEPT_KEEPER_H

/* Fork the keeper (no thread may be running yet).  0, or -errno. */
int keeper_start(void);

/* Tell the keeper which directory the guests work in.  0, or -errno. */
int keeper_watch(const char *execdir);

#endif
