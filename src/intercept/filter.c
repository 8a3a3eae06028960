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

/* Calls about the calling process itself that no file is involved in. */
static const int host_calls[] = {
	SYS_munmap, SYS_mprotect, SYS_brk, SYS_madvise, SYS_mremap, SYS_msync,
	SYS_mincore, SYS_mlock, SYS_munlock, SYS_mlockall, SYS_munlockall,
	SYS_mlock2, SYS_pkey_mprotect, SYS_pkey_alloc, SYS_pkey_free,
	SYS_membarrier, SYS_mbind, SYS_set_mempolicy, SYS_get_mempolicy,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn,
	SYS_rt_sigpending, SYS_rt_sigtimedwait, SYS_rt_sigqueueinfo,
	SYS_rt_tgsigqueueinfo, SYS_rt_sigsuspend, SYS_sigaltstack, SYS_pause,
	SYS_kill, SYS_tkill, SYS_tgkill,
	SYS_getpid, SYS_getppid, SYS_gettid, SYS_getpgrp, SYS_getpgid,
	SYS_setpgid, SYS_getsid, SYS_setsid,
	SYS_sched_yield, SYS_sched_setparam, SYS_sched_getparam,
	SYS_sched_setscheduler, SYS_sched_getscheduler,
	SYS_sched_get_priority_max, SYS_sched_get_priority_min,
	SYS_sched_rr_get_interval, SYS_sched_setaffinity,
	SYS_sched_getaffinity, SYS_sched_setattr, SYS_sched_getattr,
	SYS_getpriority, SYS_setpriority,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime, SYS_clock_getres,
	SYS_gettimeofday, SYS_time, SYS_alarm, SYS_setitimer, SYS_getitimer,
	SYS_timer_create, SYS_timer_settime, SYS_timer_gettime,
	SYS_timer_getoverrun, SYS_timer_delete,
	SYS_futex, SYS_futex_waitv, SYS_set_robust_list, SYS_get_robust_list,
	SYS_set_tid_address, SYS_arch_prctl, SYS_rseq, SYS_prctl,
	SYS_getrandom, SYS_wait4, SYS_waitid, SYS_restart_syscall,
	SYS_getrlimit, SYS_setrlimit, SYS_prlimit64, SYS_getrusage, SYS_times,
	SYS_getcpu, SYS_personality, SYS_seccomp, SYS_modify_ldt,
	SYS_shmget, SYS_shmat, SYS_shmdt, SYS_shmctl,
	SYS_semget, SYS_semop, SYS_semtimedop, SYS_semctl,
	SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
	SYS_ioprio_get, SYS_ioprio_set,
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
	SYS_migrate_pages, SYS_pidfd_send_signal, SYS_pidfd_open,
	SYS_process_mrelease, SYS_mount_setattr, SYS_open_tree, SYS_move_mount,
	SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
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

int filter_is_host_call(int nr)
{
	return in(host_calls, N(host_calls), nr);
}

int filter_is_denied(int nr)
{
	return in(denied_calls, N(denied_calls), nr);
}

#define MAX_INSNS (16 + N(host_calls) + N(denied_calls))

static struct sock_filter prog[MAX_INSNS];

#define STMT(c, k)		((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, t, f)	((struct sock_filter)BPF_JUMP(c, k, t, f))

/*
 * Layout: check the architecture, load the number, then one "equal: jump
 * to ALLOW" test per host call and one "equal: jump to DENY" per denied
 * call; mmap of a file goes to kbox, anonymous mmap to the host; the rest
 * falls through to NOTIFY.
 */
struct sock_filter *filter_build(unsigned short *len)
{
	size_t n = 0, i, nhost = N(host_calls), ndeny = N(denied_calls);
	size_t tests_end, allow, deny, notify, kill, mmap_check;

	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	kill = n++;	/* patched below */
	prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 numbers (bit 30) are another ABI: not served. */
	prog[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);

	/* Positions after the tests: */
	tests_end = n + nhost + ndeny + 1;	/* +1: the mmap test */
	allow = tests_end + 4;
	deny = allow + 1;
	notify = deny + 1;
	mmap_check = tests_end;

	for (i = 0; i < nhost; i++, n++)
		prog[n] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, host_calls[i], allow - n - 1, 0);
	for (i = 0; i < ndeny; i++, n++)
		prog[n] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, denied_calls[i], deny - n - 1, 0);
	prog[n] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, mmap_check - n - 1, notify - n - 1);
	n++;
	/* mmap: anonymous maps are the host's business. */
	prog[n] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]));
	n++;
	prog[n] = JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, allow - n - 1, notify - n - 1);
	n++;
	/* Padding so the fixed positions hold. */
	while (n < allow)
		prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	prog[kill] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	*len = (unsigned short)n;
	return prog;
}
