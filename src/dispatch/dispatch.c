// SPDX-License-Identifier: GPL-2.0
/* The table from x86_64 system call numbers to handlers, and tracing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dispatch.h"
#include "epollbridge.h"
#include "../guest/memory.h"
#include "../guest/shadow.h"
#include "generic.h"
#include "syscall_names.h"

#define NR_MAX 512

struct entry {
	handler_fn *fn;
	const struct sysdesc *desc;
};

static struct entry table[NR_MAX];
int dispatch_listener = -1;
int dispatch_verbose;

void dispatch_register(int nr, handler_fn *fn)
{
	if (nr >= 0 && nr < NR_MAX)
		table[nr].fn = fn;
}

void generic_register(const struct sysdesc *tab, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].nr >= 0 && tab[i].nr < NR_MAX)
			table[tab[i].nr].desc = &tab[i];
}

const char *syscall_name(int nr)
{
	if (nr >= 0 && nr < (int)(sizeof(x86_64_syscall_names) / sizeof(x86_64_syscall_names[0])) &&
	    x86_64_syscall_names[nr])
		return x86_64_syscall_names[nr];
	return "?";
}

void dispatch_init(void)
{
	fs_handlers_init();
	fd_handlers_init();
	stat_handlers_init();
	proc_handlers_init();
	identity_handlers_init();
	mmap_handlers_init();
	exec_handlers_init();
	misc_handlers_init();
	socket_handlers_init();
	epoll_handlers_init();
	pid_handlers_init();
	signal_handlers_init();
	hostcopy_handlers_init();
}

static void trace(const struct call *c)
{
	char res[64];

	if (c->no_reply)
		snprintf(res, sizeof(res), "(no reply)");
	else if (c->cont)
		snprintf(res, sizeof(res), "-> host");
	else if (c->ret < 0)
		snprintf(res, sizeof(res), "= -1 %s", strerrorname_np((int)-c->ret) ?: "?");
	else
		snprintf(res, sizeof(res), "= %ld", c->ret);
	fprintf(stderr, "kbox: [%d] %s(%#lx, %#lx, %#lx, %#lx) %s\n",
		(int)c->req->pid, syscall_name(c->nr), (long)c->a[0],
		(long)c->a[1], (long)c->a[2], (long)c->a[3], res);
}

/*
 * The library kernel ignores SIGPIPE (its tasks must not die of it); the
 * guest still gets it, from the host, as a pipe writer would.
 */
static void raise_sigpipe(struct call *c)
{
	switch (c->nr) {
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		if (c->a[c->nr == SYS_sendmsg ? 2 : 3] & MSG_NOSIGNAL)
			return;
		/* fall through */
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev:
	case SYS_pwritev2: case SYS_sendfile: case SYS_splice: case SYS_tee:
	case SYS_vmsplice:
		syscall(SYS_tgkill, c->t->proc->pid, c->t->tid, SIGPIPE);
	}
}

/*
 * Calls that move a file's data through the kernel, for shadowed files
 * (guest/shadow.h): the guest fd read from (*in) and written to (*out),
 * -1 where none; *sync: the call syncs (the shadow is synced first).
 */
static void file_io(const struct call *c, int *in, int *out, bool *sync)
{
	*in = *out = -1;
	*sync = false;
	switch (c->nr) {
	case SYS_read: case SYS_pread64: case SYS_readv: case SYS_preadv:
	case SYS_preadv2:
		*in = (int)c->a[0];
		break;
	case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_pwritev:
	case SYS_pwritev2: case SYS_ftruncate: case SYS_fallocate:
		*out = (int)c->a[0];
		break;
	case SYS_fsync: case SYS_fdatasync:
		*in = (int)c->a[0];
		*sync = true;
		break;
	case SYS_sendfile:
		*in = (int)c->a[1];
		*out = (int)c->a[0];
		break;
	case SYS_copy_file_range:
	case SYS_splice:
		*in = (int)c->a[0];
		*out = (int)c->a[2];
		break;
	}
	if (*in >= 0 && fdtab_is_host(c->t->proc->fds, *in))
		*in = -1;
	if (*out >= 0 && fdtab_is_host(c->t->proc->fds, *out))
		*out = -1;
}

/* Calls after which some guest fd may be closed, for the epoll bridges. */
static bool may_close_fds(int nr)
{
	switch (nr) {
	case SYS_close: case SYS_close_range: case SYS_dup2: case SYS_dup3:
	case SYS_execve: case SYS_execveat: case SYS_exit: case SYS_exit_group:
		return true;
	}
	return false;
}

static void run(struct call *c, const struct entry *e)
{
	if (e && e->fn)
		e->fn(c);
	else if (e && e->desc)
		generic_run(c, e->desc);
	else
		c->ret = -ENOSYS;
}

void dispatch_call(struct call *c)
{
	const struct entry *e = c->nr >= 0 && c->nr < NR_MAX ? &table[c->nr] : NULL;

	if (c->t->argv_owner)
		exec_put_back(c->t);
	if (shadow_any()) {
		int in, out;
		bool sync;

		file_io(c, &in, &out, &sync);
		if (c->nr == SYS_sync || c->nr == SYS_syncfs)
			shadow_flush_all(false);
		if (in >= 0)
			shadow_flush_fd(in, sync);
		if (out >= 0)
			shadow_flush_fd(out, false);
		run(c, e);
		if (out >= 0 && c->ret >= 0)
			shadow_refresh_fd(out);
	} else {
		run(c, e);
	}
	if (c->ret == -EPIPE)
		raise_sigpipe(c);
	if (may_close_fds(c->nr))
		epoll_bridge_sweep_soon();
	if (dispatch_verbose)
		trace(c);
}

int call_inject_fd(struct call *c, int hostfd, int target, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = c->req->id,
		.srcfd = (unsigned int)hostfd,
		.newfd = target >= 0 ? (unsigned int)target : 0,
		.flags = target >= 0 ? SECCOMP_ADDFD_FLAG_SETFD : 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int ret = ioctl(dispatch_listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	return ret < 0 ? -errno : ret;
}
