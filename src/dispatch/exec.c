// SPDX-License-Identifier: GPL-2.0
/*
 * execve of an image file.  The file (and its ELF interpreter) is copied
 * into sealed memfds, injected into the guest, and the guest's own path
 * string is overwritten with the memfd's name in the exec directory (see
 * guest/execdir.h); then the host kernel runs the exec.  PT_INTERP in the
 * copy names the interpreter's memfd as /proc/self/fd/M: the host opens
 * the interpreter before close-on-exec takes the memfds away.  A #! script
 * is run the same way by a trampoline of kbox's (guest/shebang.h), which
 * execs its interpreter.  The kernel task does what exec does to it: a
 * private fd table without the close-on-exec fds, and no other threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include <lkl.h>
#include <lkl/linux/prctl.h>

#include "dispatch.h"
#include "../guest/elf.h"
#include "../guest/execdir.h"
#include "../guest/filecache.h"
#include "../guest/memory.h"
#include "../guest/procfs.h"
#include "../guest/shebang.h"
#include "../intercept/supervisor.h"

/* Fds looked at per poll in close_on_exec(). */
#define FD_CHUNK 512
/* What /proc/PID/cmdline shows of a longer argv. */
#define CMDLINE_MAX (128 * 1024)
/* Linux's bounds for exec's strings (fs/exec.c, include/uapi/linux/binfmts.h). */
#define ARG_STRLEN_MAX (32 * 4096UL)
#define ARGS_MIN (32 * 4096UL)
#define ARGS_MAX (8 * 1024 * 1024 / 4 * 3UL)
/* More pointers than the largest string area could hold. */
#define ARGV_ENTRIES_MAX (ARGS_MAX / 8 + 1)

/* Walks a guest's argv array, reading its pointers a chunk at a time. */
struct argv_walk {
	pid_t tid;
	uint64_t addr;
	uint64_t ptrs[64];
	size_t first, have, i;
	bool fault;		/* the array could not be read */
};

/* The next argv entry in *p: 1, or 0 at the end (NULL, unreadable, too many). */
static int argv_next(struct argv_walk *w, uint64_t *p)
{
	const size_t chunk = sizeof(w->ptrs) / sizeof(w->ptrs[0]);

	if (!w->addr || w->i >= ARGV_ENTRIES_MAX)
		return 0;
	if (w->i == w->first + w->have) {
		/* One by one where a chunk would cross the end of the memory. */
		w->first = w->i;
		w->have = chunk;
		if (gmem_read(w->tid, w->ptrs, w->addr + 8 * w->i, sizeof(w->ptrs))) {
			w->have = 1;
			if (gmem_read(w->tid, w->ptrs, w->addr + 8 * w->i, sizeof(w->ptrs[0]))) {
				w->fault = true;
				return 0;
			}
		}
	}
	*p = w->ptrs[w->i - w->first];
	w->i++;
	return *p != 0;
}

/*
 * Close the kernel fds marked close-on-exec.  Which numbers are open
 * comes from polling them a chunk at a time (POLLNVAL: not open): exec
 * must not cost a call per number up to RLIMIT_NOFILE, which is the
 * host's (tens of thousands on some hosts).
 */
static void close_on_exec(void)
{
	struct __lkl__kernel_timespec zero = { 0, 0 };
	struct lkl_pollfd pfd[FD_CHUNK];
	struct lkl_rlimit64 lim;
	long max = 1024, base, flags, ret;
	int i, n;

	if (lkl_sys_prlimit64(0, LKL_RLIMIT_NOFILE, NULL, &lim) >= 0)
		max = lim.rlim_cur > 65536 ? 65536 : (long)lim.rlim_cur;
	for (base = 0; base < max; base += n) {
		n = max - base < FD_CHUNK ? (int)(max - base) : FD_CHUNK;
		for (i = 0; i < n; i++) {
			pfd[i].fd = (int)(base + i);
			pfd[i].events = 0;
			pfd[i].revents = 0;
		}
		/* It fails (a pending interrupt, no fd ready): every number is looked at. */
		ret = lkl_sys_ppoll(pfd, n, &zero, NULL, 8);
		for (i = 0; i < n; i++) {
			if (ret >= 0 && (pfd[i].revents & LKL_POLLNVAL))
				continue;
			flags = lkl_sys_fcntl(base + i, LKL_F_GETFD, 0);
			if (flags > 0 && (flags & LKL_FD_CLOEXEC))
				lkl_sys_close(base + i);
		}
	}
}

/*
 * Linux's E2BIG rules for exec: the strings of argv and envp, and the
 * file name, each with its NUL, fit in a quarter of the stack limit
 * (within 128 KiB and 6 MiB) less the room of their pointers, and none
 * is over 128 KiB.  Checked before the kernel side of the exec is done:
 * the host's exec must not fail after that.  name_len: the longer of the
 * guest's path and the name the host will be given.
 */
static long check_arg_size(pid_t tid, uint64_t argv_addr, uint64_t envp_addr, size_t name_len)
{
	struct argv_walk w[2] = { { .tid = tid, .addr = argv_addr }, { .tid = tid, .addr = envp_addr } };
	struct gmem_window *win = malloc(sizeof(*win));
	unsigned long limit = ARGS_MAX, strings = name_len + 1, ptrs;
	struct rlimit stack;
	uint64_t p;
	long n = 0;
	int i;

	if (!win)
		return -ENOMEM;
	win->pid = tid;
	win->base = win->len = 0;
	if (!prlimit(tid, RLIMIT_STACK, NULL, &stack) && stack.rlim_cur / 4 < limit)
		limit = stack.rlim_cur / 4;
	if (limit < ARGS_MIN)
		limit = ARGS_MIN;
	for (i = 0; i < 2; i++) {
		while (argv_next(&w[i], &p)) {
			n = gmem_strlen(win, p, ARG_STRLEN_MAX - 1);
			if (n < 0)
				break;
			strings += (unsigned long)n + 1;
		}
		if (n < 0 || w[i].i >= ARGV_ENTRIES_MAX)
			break;
	}
	free(win);
	if (n == -EFAULT || w[0].fault || w[1].fault)
		return -EFAULT;
	if (n < 0 || w[0].i >= ARGV_ENTRIES_MAX || w[1].i >= ARGV_ENTRIES_MAX)
		return -E2BIG;
	/* argc 0 gets an empty argv[0]. */
	ptrs = ((w[0].i > 1 ? w[0].i - 1 : 1) + (w[1].i ? w[1].i - 1 : 0)) * sizeof(void *);
	return ptrs >= limit || strings > limit - ptrs ? -E2BIG : 0;
}

/*
 * The guest's argv as /proc/PID/cmdline shows it: each string with its
 * NUL, one after the other, cut at CMDLINE_MAX.  NULL without memory.
 */
static char *read_cmdline(pid_t tid, uint64_t argv_addr, size_t *len)
{
	struct argv_walk w = { .tid = tid, .addr = argv_addr };
	size_t size = 4096, used = 0;
	char *buf = malloc(size), *bigger;
	uint64_t p;
	long n;

	while (buf && argv_next(&w, &p)) {
		n = gmem_read_string(tid, p, buf + used, size - used);
		while (n == -ENAMETOOLONG && size < CMDLINE_MAX) {
			bigger = realloc(buf, size * 2);
			if (!bigger)
				break;
			buf = bigger;
			size *= 2;
			n = gmem_read_string(tid, p, buf + used, size - used);
		}
		if (n < 0) {
			/* Cut short (as Linux shows a longer one): a NUL closes it. */
			if (n == -ENAMETOOLONG) {
				used = size;
				buf[size - 1] = '\0';
			}
			break;
		}
		used += (size_t)n + 1;
	}
	*len = used;
	return buf;
}

/*
 * The kernel side of a successful exec; name: the program's path, exe:
 * the program open in the kernel (-1 for a host file), closed here;
 * script: the host runs the #! trampoline for it; argv_addr: the guest's
 * argv, for /proc/PID/cmdline.
 */
static void exec_commit(struct call *c, const char *name, long exe, bool script,
			uint64_t argv_addr)
{
	const char *base = strrchr(name, '/');
	char comm[16];
	struct gthread *t = c->t;
	struct gproc *p = t->proc;
	char *cmdline;
	size_t len;

	guest_lock();
	supervisor_end_siblings(t);
	if (t->tid != p->pid) {
		/* exec from a thread: it takes the process's pid. */
		struct gthread *leader = guest_thread_find(p->pid);

		if (leader)
			guest_rekey_thread(leader, -leader->tid);
		guest_rekey_thread(t, p->pid);
	}
	if (p->fds->refs > 1) {
		struct fdtab *copy = fdtab_copy(p->fds);

		if (copy) {
			fdtab_put(p->fds);
			p->fds = copy;
		}
	}
	fdtab_exec(p->fds);
	/* exec resets caught signals to their default. */
	memset(&p->sig, 0, sizeof(p->sig));
	/*
	 * What ps and /proc/PID/comm show, as exec names it: a script's name,
	 * also once its trampoline has exec'd the interpreter (Linux's one
	 * exec is two here).
	 */
	if (p->script_comm[0])
		memcpy(comm, p->script_comm, sizeof(comm));
	else
		snprintf(comm, sizeof(comm), "%s", base ? base + 1 : name);
	if (script)
		memcpy(p->script_comm, comm, sizeof(comm));
	else
		p->script_comm[0] = '\0';
	guest_unlock();

	/* /proc/PID/exe, and the file cannot be written while it runs. */
	if (exe >= 0) {
		lkl_task_set_exe((int)exe);
		lkl_sys_close(exe);
	}
	if (comm[0])
		lkl_sys_prctl(LKL_PR_SET_NAME, (unsigned long)comm, 0, 0, 0);
	cmdline = read_cmdline(call_pid(c), argv_addr, &len);
	if (cmdline)
		lkl_task_set_cmdline(cmdline, len);
	free(cmdline);
	lkl_sys_unshare(LKL_CLONE_FILES);
	close_on_exec();
}

/* Inject a memfd into the guest at host number at (-1: its lowest free). */
static long inject(struct call *c, int memfd, long at)
{
	long n = call_inject_fd(c, memfd, (int)at, true);

	close(memfd);
	return n;
}

/*
 * On success *exe is the program, open in the kernel for exec_commit, and
 * *script says the host will run the #! trampoline.  The host is to exec
 * name, or for fexecve (an empty path, AT_EMPTY_PATH) the guest's dirfd:
 * a kernel fd's number is free on the host, and the copy goes there.
 */
static long prepare(struct call *c, long dirfd, const char *path, int flags,
		    char *name, size_t name_len, long *exe, bool *script)
{
	struct exec_info info;
	long kfd, ifd, m, n;
	bool by_fd;
	int mem;
	char patch[32];

	kfd = exec_open(dirfd, path, flags, &info);
	if (kfd < 0)
		return kfd;
	*script = info.script;
	if (info.script) {
		mem = shebang_prepare(dirfd, path, &info, &ifd);
		lkl_sys_close(kfd);
		if (mem < 0)
			return mem;
		/* /proc/PID/exe: the interpreter, as on Linux, not the script. */
		kfd = ifd;
	} else if (info.interp[0]) {
		ifd = exec_open_interp(info.interp);
		if (ifd < 0) {
			lkl_sys_close(kfd);
			return ifd;
		}
		mem = filecache_get(ifd, NULL, 0, 0);
		lkl_sys_close(ifd);
		if (mem < 0) {
			lkl_sys_close(kfd);
			return mem;
		}
		m = inject(c, mem, -1);
		if (m < 0) {
			lkl_sys_close(kfd);
			return m;
		}
		snprintf(patch, sizeof(patch), "/proc/self/fd/%ld", m);
		if (strlen(patch) + 1 > info.interp_room) {
			lkl_sys_close(kfd);
			return -ENAMETOOLONG;
		}
		mem = filecache_get(kfd, patch, strlen(patch) + 1, info.interp_off);
	} else {
		mem = filecache_get(kfd, NULL, 0, 0);
	}
	by_fd = !*path && (flags & AT_EMPTY_PATH);
	n = mem < 0 ? mem : inject(c, mem, by_fd ? dirfd : -1);
	if (n >= 0 && !by_fd && execdir_link((int)n))
		n = -ENOMEM;
	if (n < 0) {
		lkl_sys_close(kfd);
		return n;
	}
	*exe = kfd;
	/* Relative to the exec directory, unless the host would use dirfd. */
	if (by_fd)
		name[0] = '\0';
	else if (dirfd == AT_FDCWD || path[0] == '/')
		snprintf(name, name_len, "%ld", n);
	else
		snprintf(name, name_len, "%s/%ld", execdir_path(), n);
	return 0;
}

/* The stack pointer of the guest thread, stopped in a system call. */
static uint64_t stack_pointer(pid_t tid)
{
	char path[64], line[512];
	unsigned long long sp = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* "NR a0 a1 a2 a3 a4 a5 SP PC" */
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "%*d %*x %*x %*x %*x %*x %*x %llx", &sp) != 1)
		sp = 0;
	fclose(f);
	return sp;
}

/* A vfork child: its memory is its parent's, then the parent; else 0. */
static pid_t memory_owner(pid_t pid)
{
	pid_t ppid, pgrp;

	if (procfs_parent(pid, &ppid, &pgrp) < 0)
		return 0;
	/* 0: the same memory; 1 or 2: other memory; -1: cannot tell. */
	return syscall(SYS_kcmp, pid, ppid, KCMP_VM, 0, 0) == 0 ? ppid : 0;
}

void exec_put_back(struct gthread *t)
{
	if (t->path_saved)
		gmem_poke(t->argv_owner, t->path_addr, t->path_saved, t->path_len);
	if (t->argv_slot)
		gmem_poke(t->argv_owner, t->argv_slot, &t->argv_value, sizeof(t->argv_value));
	free(t->path_saved);
	t->path_saved = NULL;
	t->argv_slot = 0;
	t->argv_owner = 0;
}

/*
 * Shells pass their exec path as argv[0] too, the very same string: the
 * name written over the path would be the program's argv[0].  Such argv
 * entries are pointed at a copy of the path, put on the guest's stack
 * well below its stack pointer: the thread stays in execve until the
 * host has copied the arguments, and a successful exec drops that stack.
 * A vfork child's parent would see the changes: the slot (it might free
 * what it never allocated) and the path's first name_len + 1 bytes
 * (xargs execs its argv[0] again) are put back at the child's next call.
 * Not a path that is no argv entry: the parent runs again once the exec
 * is done, and may have freed and reused that memory by then.
 */
static int keep_argv(struct call *c, uint64_t path_addr, const char *path, long len,
		     uint64_t argv_addr, size_t name_len)
{
	static const uint64_t below[] = { 16384, 4096, 1024 };
	struct gthread *t = c->t;
	pid_t tid = call_pid(c);
	struct argv_walk w = { .tid = tid, .addr = argv_addr };
	uint64_t p, copy = 0, sp = 0;
	size_t i, j;

	while (argv_next(&w, &p)) {
		i = w.i - 1;
		if (p < path_addr || p > path_addr + (uint64_t)len)
			continue;
		if (!sp)
			sp = stack_pointer(tid);
		for (j = 0; !copy && sp && j < sizeof(below) / sizeof(below[0]); j++) {
			uint64_t at = (sp - below[j] - (uint64_t)len - 1) & ~15ULL;

			if (!gmem_write(tid, at, path, (size_t)len + 1))
				copy = at;
		}
		if (!copy)
			return -EFAULT;
		if (!t->argv_owner && (t->argv_owner = memory_owner(t->proc->pid))) {
			t->argv_slot = argv_addr + 8 * i;
			t->argv_value = p;
			t->path_addr = path_addr;
			t->path_len = name_len + 1;
			t->path_saved = malloc(t->path_len);
			if (t->path_saved)
				memcpy(t->path_saved, path, t->path_len);
		}
		p = copy + (p - path_addr);
		if (gmem_poke(tid, argv_addr + 8 * i, &p, sizeof(p)))
			return -EFAULT;
	}
	return 0;
}

static void do_exec(struct call *c, long dirfd, uint64_t path_addr, uint64_t argv_addr,
		    uint64_t envp_addr, int flags)
{
	char *path = malloc(PATH_MAX), name[PATH_MAX];
	long len, ret, exe = -1;
	bool script = false;

	if (!path) {
		c->ret = -ENOMEM;
		return;
	}
	len = gmem_read_string(call_pid(c), path_addr, path, PATH_MAX);
	if (len < 0) {
		c->ret = len;
		goto out;
	}
	/* The host is given a name no longer than the guest's path, or /dev/fd/N. */
	ret = check_arg_size(call_pid(c), argv_addr, envp_addr, len > 16 ? len : 16);
	if (ret < 0) {
		c->ret = ret;
		goto out;
	}
	if (dirfd != AT_FDCWD && fdtab_is_host(c->t->proc->fds, (int)dirfd)) {
		/* fexecve of a host object (a guest-made memfd): the host's. */
		if (!len && (flags & AT_EMPTY_PATH)) {
			char fdname[16];

			snprintf(fdname, sizeof(fdname), "%ld", dirfd);
			exec_commit(c, fdname, -1, false, argv_addr);
			call_continue(c);
		} else {
			c->ret = path[0] == '/' ? -ENOSYS : -ENOTDIR;
		}
		goto out;
	}
	ret = prepare(c, dirfd, path, flags, name, sizeof(name), &exe, &script);
	if (ret < 0) {
		c->ret = ret;
		goto out;
	}
	/* The guest's string may have no room for the name (a very short path). */
	ret = (long)strlen(name) > len ? -ENAMETOOLONG :
	      keep_argv(c, path_addr, path, len, argv_addr, strlen(name));
	if (ret < 0) {
		lkl_sys_close(exe);
		c->ret = ret;
		goto out;
	}
	if (!name[0]) {
		/* fexecve: Linux names the program /dev/fd/N, its comm N. */
		snprintf(name, sizeof(name), "%ld", dirfd);
		exec_commit(c, name, exe, script, argv_addr);
		call_continue(c);
		goto out;
	}
	exec_commit(c, path, exe, script, argv_addr);
	/*
	 * The name goes in last: another guest thread may write over it
	 * until the host reads it (Landlock refuses what is not the
	 * memfd), and that window must not grow with exec_commit's work.
	 */
	ret = gmem_poke(call_pid(c), path_addr, name, strlen(name) + 1);
	if (ret < 0)
		c->ret = ret;
	else
		call_continue(c);
out:
	free(path);
}

static void sys_execve(struct call *c)
{
	do_exec(c, AT_FDCWD, c->a[0], c->a[1], c->a[2], 0);
}

static void sys_execveat(struct call *c)
{
	do_exec(c, (int)c->a[0], c->a[1], c->a[2], c->a[3], (int)c->a[4]);
}

void exec_handlers_init(void)
{
	dispatch_register(SYS_execve, sys_execve);
	dispatch_register(SYS_execveat, sys_execveat);
}
