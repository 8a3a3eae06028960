// SPDX-License-Identifier: GPL-2.0
/*
 * Boot needs no root filesystem and no user program.  kernel_init() ends by
 * exec'ing /init; we put an empty /init in the rootfs and a binary format
 * that accepts exactly that file.  The "exec" turns pid 1 into an ordinary
 * user-mode task that host threads then clone their tasks from.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/init.h>
#include <linux/personality.h>
#include <linux/module.h>
#include <linux/err.h>
#include <asm/lkl_internal.h>

static int load_init(struct linux_binprm *bprm);

static struct linux_binfmt init_format = {
	.module		= THIS_MODULE,
	.load_binary	= load_init,
};

static int load_init(struct linux_binprm *bprm)
{
	int ret;

	if (current->pid != 1 || strcmp(bprm->filename, "/init"))
		return -ENOEXEC;

	ret = begin_new_exec(bprm);
	if (ret)
		return ret;
	set_personality(PER_LINUX);
	setup_new_exec(bprm);
	set_binfmt(&init_format);
	lkl_init_execed();
	return 0;
}

static int __init init_binfmt_setup(void)
{
	/* Read-only: a writer would make the exec fail with ETXTBSY. */
	struct file *f = filp_open("/init", O_CREAT | O_RDONLY, 0700);

	if (IS_ERR(f))
		panic("lkl: cannot create /init: %ld\n", PTR_ERR(f));
	fput(f);
	register_binfmt(&init_format);
	return 0;
}
late_initcall(init_binfmt_setup);
