/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serving one intercepted system call.
 *
 * The worker of the calling guest thread runs as the thread's kernel task
 * and hands each notification to the handler of its system call number
 * (x86_64 numbers: the guest's ABI).  A handler either answers (a value or
 * -errno) or lets the host kernel run the call as it is (host fds, calls
 * about memory or signals).
 */
#ifndef KBOX_DISPATCH_H
#define KBOX_DISPATCH_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "../guest/process.h"

struct call {
	struct gthread *t;
	const struct seccomp_notif *req;
	int nr;
	uint64_t a[6];		/* the guest's arguments */
	long ret;		/* the answer: >= 0, or -errno */
	bool cont;		/* let the host kernel run it instead */
	bool no_reply;		/* already answered (or must not be) */
};

typedef void handler_fn(struct call *c);

/* The listener fd (for ADDFD, ID_VALID). */
extern int dispatch_listener;
/* -v: log each call and decision. */
extern int dispatch_verbose;

void dispatch_init(void);
void dispatch_call(struct call *c);
const char *syscall_name(int nr);

/* Answer helpers. */
static inline void call_continue(struct call *c)
{
	c->cont = true;
}

/* The guest pid to use for memory access. */
static inline int call_pid(const struct call *c)
{
	return (int)c->req->pid;
}

/*
 * Put host file hostfd into the guest at number target (-1: the lowest
 * free host number), with O_CLOEXEC if cloexec.  Returns the number or
 * -errno.
 */
int call_inject_fd(struct call *c, int hostfd, int target, bool cloexec);

/* A copy, in kbox, of the calling guest's host fd gfd, or -errno. */
int call_grab_host_fd(struct call *c, int gfd);

/*
 * Hand kbox's host fd hostfd (closed here) to the guest at number n, a
 * kernel placeholder (closed if that fails).  n or -errno.
 */
long call_install_host_fd(struct call *c, int hostfd, long n, bool cloexec);

/*
 * Hand kbox's host fd hostfd (closed here) to the guest at the lowest
 * free number, kept in step with the kernel's table.  The number or -errno.
 */
long call_give_host_fd(struct call *c, int hostfd, bool cloexec);

/* The handlers, by family (each file registers its own). */
void dispatch_register(int nr, handler_fn *fn);
void fs_handlers_init(void);
void fd_handlers_init(void);
void stat_handlers_init(void);
void proc_handlers_init(void);
void identity_handlers_init(void);
void mmap_handlers_init(void);
void exec_handlers_init(void);
/* A vfork child's exec is over (or failed): its parent's memory as it was. */
void exec_put_back(struct gthread *t);
void misc_handlers_init(void);
void socket_handlers_init(void);
void epoll_handlers_init(void);
void pid_handlers_init(void);
void signal_handlers_init(void);
/* sendfile, splice, copy_file_range, tee: a host fd and a kernel fd (hostcopy.c). */
void hostcopy_handlers_init(void);

/*
 * A signal mask argument (ppoll, pselect6, epoll_pwait) as Linux checks
 * it: NULL is none, else its size must be 8 (EINVAL) and it must be
 * readable (EFAULT).  0 or -errno.
 */
long call_check_sigmask(struct call *c, uint64_t addr, uint64_t size);

/* A socket ioctl on kernel fd fd: true when it was one (fd.c asks). */
bool socket_ioctl(struct call *c, int fd, unsigned long req, uint64_t arg);

/* An ioctl whose argument is a value or a flat struct laid out alike in both kernels. */
struct flat_ioctl {
	unsigned int req;
	unsigned char size;	/* bytes at arg (64 at most); 0: arg is a value */
	unsigned char in, out;	/* copied in, copied back */
};
/* Serve req on kernel fd fd if tab has it (true; c->ret set). */
bool call_flat_ioctl(struct call *c, int fd, unsigned long req, uint64_t arg,
		     const struct flat_ioctl *tab, size_t n);

#endif
