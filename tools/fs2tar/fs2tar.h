/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fs2tar and tar2fs: what the two directions share.  One binary; main()
 * picks the direction from the name it was run as.
 */
#ifndef KBOX_FS2TAR_H
#define KBOX_FS2TAR_H

#include "progress.h"

struct xfer_opts {
	const char *image;
	const char *archive;	/* "-" is stdout (fs2tar) or stdin (tar2fs) */
	const char *fstype;	/* NULL: detect */
	unsigned int part;
	const char *subdir;	/* NULL: the whole filesystem */
	enum progress_mode progress;
};

/* Both return the process exit status: 0, or 1 after reporting why. */
int fs2tar_run(const struct xfer_opts *o);
int tar2fs_run(const struct xfer_opts *o);

#endif
