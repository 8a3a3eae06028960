/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -b HOST:GUEST[:ro]: host directories mounted into the guest's tree as
 * FUSE file systems of the library kernel, each served by a thread of
 * kbox (see hostdir.h).
 */
#ifndef KBOX_BINDS_BINDS_H
#define KBOX_BINDS_BINDS_H

#include "../cli.h"

/*
 * Mount every bind of opts under mnt (the image's mount point), the guest
 * path resolved inside the image; a missing directory is made (which
 * fails on a read-only root, but not on its tmpfs /tmp).  0, or -1 after printing why (what was mounted is
 * left for binds_stop).
 */
int binds_start(const char *mnt, const struct kbox_opts *opts);

/* End the servers and unmount (all guests are gone). */
void binds_stop(const char *mnt);

#endif
