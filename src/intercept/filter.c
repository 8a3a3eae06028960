// SPDX-License-Identifier: GPL-2.0
/* The BPF program of the guest's seccomp filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "filter.h"

/*
 * Calls about the calling process itself that no file is involved in.
 * setrlimit and prlimit64 are kbox's: RLIMIT_NOFILE bounds the library
 * kernel's fd table too.
 */
static const int host_calls[] = {
	SYS_munmap, SYS_mprotect, SYS_brk, SYS_madvise, SYS_mremap,
	SYS_mincore, SYS_mlock, SYS_munlock, SYS_mlockall, SYS_munlockall,
	SYS_mlock2, SYS_pkey_mprotect, SYS_pkey_alloc, SYS_pkey_free,
	SYS_membarrier, SYS_mbind, SYS_set_mempolicy, SYS_get_mempolicy,
	SYS_rt_sigprocmask, SYS_rt_sigreturn,
	SYS_rt_sigpending, SYS_rt_sigtimedwait, SYS_rt_sigsuspend,
	SYS_sigaltstack, SYS_pause,
	SYS_getpid, SYS_getppid, SYS_gettid, SYS_getpgrp, SYS_setsid,
	SYS_sched_yield, SYS_sched_get_priority_max, SYS_sched_get_priority_min,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime, SYS_clock_getres,
	SYS_gettimeofday, SYS_time, SYS_alarm, SYS_setitimer, SYS_getitimer,
	SYS_timer_create, SYS_timer_settime, SYS_timer_gettime,
	SYS_timer_getoverrun, SYS_timer_delete,
	SYS_futex, SYS_futex_waitv, SYS_set_robust_list,
	SYS_set_tid_address, SYS_arch_prctl, SYS_rseq, SYS_prctl,
	SYS_getrandom, SYS_wait4, SYS_waitid, SYS_restart_syscall,
	SYS_getrlimit, SYS_getrusage, SYS_times,
	SYS_getcpu, SYS_personality, SYS_seccomp, SYS_modify_ldt,
	SYS_shmget, SYS_shmat, SYS_shmdt, SYS_shmctl,
	SYS_semget, SYS_semop, SYS_semtimedop, SYS_semctl,
	SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
	/* Pidfds name guest processes only: pidfd_open is kbox's. */
	SYS_pidfd_send_signal,
};

/* Signals that may name another process (see signals_scoped). */
static const int signal_calls[] = {
	SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
	SYS_rt_tgsigqueueinfo,
};

/* Calls about a process named in arg 0 (0: the caller). */
static const int self0_calls[] = {
	SYS_getpgid, SYS_getsid, SYS_sched_setparam, SYS_sched_getparam,
	SYS_sched_setscheduler, SYS_sched_getscheduler,
	SYS_sched_rr_get_interval, SYS_sched_setaffinity,
	SYS_sched_getaffinity, SYS_sched_setattr, SYS_sched_getattr,
	SYS_get_robust_list,
};

/* (which, who) calls: who 0 is the caller. */
static const int self1_calls[] = {
	SYS_getpriority, SYS_setpriority, SYS_ioprio_get, SYS_ioprio_set,
};

/* Calls that would let a guest act on the host or other processes. */
static const int denied_calls[] = {
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_bpf,
	SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_reboot,
	SYS_kexec_load, SYS_kexec_file_load, SYS_unshare, SYS_setns,
	SYS_swapon, SYS_swapoff, SYS_iopl, SYS_ioperm, SYS_perf_event_open,
	SYS_pidfd_getfd, SYS_kcmp, SYS_acct, SYS_settimeofday,
	SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex, SYS_userfaultfd,
	SYS_lookup_dcookie, SYS_vhangup, SYS_process_madvise,
	SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
	SYS_open_by_handle_at, SYS_name_to_handle_at, SYS_quotactl,
	SYS_keyctl, SYS_add_key, SYS_request_key, SYS_syslog,
	SYS_fanotify_init, SYS_pivot_root, SYS_mount, SYS_move_pages,
	SYS_migrate_pages, SYS_process_mrelease, SYS_mount_setattr,
	SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount,
	SYS_fspick,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int in(const int *tab, size_t n, int nr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i] == nr)
			return 1;
	return 0;
}

enum filter_action filter_action(int nr, bool signals_scoped)
{
	if (in(host_calls, N(host_calls), nr))
		return FILTER_ALLOW;
	if (in(denied_calls, N(denied_calls), nr))
		return FILTER_DENY;
	if (in(signal_calls, N(signal_calls), nr))
		return signals_scoped ? FILTER_ALLOW : FILTER_NOTIFY;
	if (in(self0_calls, N(self0_calls), nr))
		return FILTER_SELF0;
	if (in(self1_calls, N(self1_calls), nr))
		return FILTER_SELF1;
	if (nr == SYS_setpgid)
		return FILTER_SELF01;
	if (nr == SYS_mmap)
		return FILTER_MMAP;
	return FILTER_NOTIFY;
}

/*
 * The program is assembled with symbolic jump targets, resolved at the
 * end.  Each tested number costs two instructions ("not equal: skip the
 * next"; "jump to its block"): BPF's conditional jumps reach only 255
 * instructions ahead, the unconditional one any distance.
 */
enum label {
	L_NONE = -1, L_ALLOW, L_DENY, L_NOTIFY, L_MMAP, L_SELF0, L_SELF1,
	L_SELF01, L_COUNT
};

#define MAX_INSNS	2048

static struct sock_filter prog[MAX_INSNS];
static int jump_to[MAX_INSNS];	/* label of a JA, or L_NONE */
static int at[L_COUNT];
static unsigned short n;

static void emit(struct sock_filter f, int label)
{
	jump_to[n] = label;
	prog[n++] = f;
}

#define STMT(c, k)		((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, t, f)	((struct sock_filter)BPF_JUMP(c, k, t, f))
#define LOAD(field)		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define GOTO(label)		emit(STMT(BPF_JMP | BPF_JA, 0), label)
#define RET(v)			emit(STMT(BPF_RET | BPF_K, v), L_NONE)

/* "if A != k, skip the jump to label" */
static void test(unsigned int k, int label)
{
	emit(JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1), L_NONE);
	GOTO(label);
}

/* Allow when the low half of the loaded argument is 0, else notify. */
static void self_check(void)
{
	emit(JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), L_NONE);
	GOTO(L_ALLOW);
	GOTO(L_NOTIFY);
}

struct sock_filter *filter_build(unsigned short *len, bool signals_scoped)
{
	static const int labels[] = {
		[FILTER_ALLOW] = L_ALLOW, [FILTER_DENY] = L_DENY,
		[FILTER_MMAP] = L_MMAP, [FILTER_SELF0] = L_SELF0,
		[FILTER_SELF1] = L_SELF1, [FILTER_SELF01] = L_SELF01,
	};
	int nr, i;

	n = 0;
	emit(LOAD(arch), L_NONE);
	emit(JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0), L_NONE);
	RET(SECCOMP_RET_KILL_PROCESS);
	emit(LOAD(nr), L_NONE);
	/* x32 numbers (bit 30) are another ABI: not served. */
	emit(JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1), L_NONE);
	RET(SECCOMP_RET_ERRNO | ENOSYS);
	for (nr = 0; nr < 512; nr++) {
		enum filter_action a = filter_action(nr, signals_scoped);

		if (a != FILTER_NOTIFY)
			test((unsigned int)nr, labels[a]);
	}
	GOTO(L_NOTIFY);

	at[L_MMAP] = n;
	/* mmap: anonymous maps are the host's business. */
	emit(LOAD(args[3]), L_NONE);
	emit(JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 0, 1), L_NONE);
	GOTO(L_ALLOW);
	GOTO(L_NOTIFY);
	at[L_SELF0] = n;
	emit(LOAD(args[0]), L_NONE);
	self_check();
	/* Jumps only go forward: SELF01 goes on into SELF1. */
	at[L_SELF01] = n;
	emit(LOAD(args[0]), L_NONE);
	emit(JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), L_NONE);
	GOTO(L_NOTIFY);
	at[L_SELF1] = n;
	emit(LOAD(args[1]), L_NONE);
	self_check();
	at[L_ALLOW] = n;
	RET(SECCOMP_RET_ALLOW);
	at[L_DENY] = n;
	RET(SECCOMP_RET_ERRNO | EPERM);
	at[L_NOTIFY] = n;
	RET(SECCOMP_RET_USER_NOTIF);

	for (i = 0; i < n; i++)
		if (jump_to[i] != L_NONE)
			prog[i].k = (unsigned int)(at[jump_to[i]] - i - 1);
	*len = n;
	return prog;
}
