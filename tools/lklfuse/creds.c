// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership of what a request creates.
 *
 * Every worker thread is its own kernel task, so its credentials are its
 * own: setting the task's fsuid/fsgid to the caller's around a creating
 * call (create, mkdir, mknod, symlink) makes the kernel give the new inode
 * the caller's owner, and the directory's group where the directory is
 * setgid -- exactly as a local filesystem would.  A chown afterwards
 * could not get the setgid rule right and would leave a window with the
 * wrong owner.
 *
 * Leaving fsuid 0 drops the filesystem capabilities (CAP_DAC_OVERRIDE,
 * CAP_CHOWN, ...) from the task's effective set; they are raised again,
 * because permissions were checked by the host (default_permissions) and
 * the caller's supplementary groups are not known here.
 */
#include "lklfuse.h"

static void raise_all_caps(void)
{
	struct __lkl__user_cap_header_struct hdr = {
		.version = _LKL_LINUX_CAPABILITY_VERSION_3,
	};
	struct __lkl__user_cap_data_struct data[_LKL_LINUX_CAPABILITY_U32S_3];
	int i;

	if (lkl_sys_capget(&hdr, data) < 0)
		return;
	for (i = 0; i < _LKL_LINUX_CAPABILITY_U32S_3; i++)
		data[i].effective = data[i].permitted;
	lkl_sys_capset(&hdr, data);
}

static __thread int switched;

void creds_enter(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	if (ctx->uid == 0 && ctx->gid == 0)
		return;
	lkl_sys_setfsgid(ctx->gid);
	lkl_sys_setfsuid(ctx->uid);
	raise_all_caps();
	switched = 1;
}

void creds_leave(void)
{
	if (!switched)
		return;
	/* Back to fsuid 0: the kernel raises the fs capabilities itself. */
	lkl_sys_setfsuid(0);
	lkl_sys_setfsgid(0);
	switched = 0;
}
