/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_INTERNAL_H
#define _ASM_LKL_INTERNAL_H

#include <asm/host_ops.h>

/* The public entry points (lkl_host.h declares them for host programs). */
struct lkl_host_operations;
int lkl_init(struct lkl_host_operations *ops);
int lkl_start_kernel(const char *fmt, ...);
int lkl_is_running(void);
long lkl_sys_halt(void);
void lkl_cleanup(void);
long lkl_syscall(long no, long *params);
int lkl_trigger_irq(int irq);
int lkl_get_free_irq(const char *user);
void lkl_put_irq(int irq, const char *user);
long lkl_task_clone(unsigned long flags);
long lkl_task_adopt(long tid);
long lkl_task_renumber(long tid);
long lkl_task_set_exe(int fd);
long lkl_task_set_cmdline(const char *args, unsigned long len);

/*
 * The one "CPU": a lock held by whichever host thread runs kernel code.
 * lkl_cpu_get() is re-entrant per host thread and fails once halt began.
 */
int lkl_cpu_get(void);
void lkl_cpu_put(void);
bool lkl_others_runnable(void);
/* Hand the CPU (already held, count 1) to another host thread. */
void lkl_cpu_change_owner(lkl_thread_t owner);
/* Take the CPU if it is free or ours; on failure queue the IRQ instead. */
int lkl_cpu_try_run_irq(int irq);
int lkl_cpu_init(void);
void lkl_cpu_cleanup(void);
/* Halt: refuse every later lkl_cpu_get(). */
void lkl_cpu_shutdown(void);
/* Early-boot idle: give the CPU away until an interrupt is queued. */
void lkl_cpu_wait_for_irq(void);

/* kernel/irq.c */
void lkl_irq_set_pending(int irq);
void lkl_run_pending_irqs(void);
bool lkl_irqs_pending(void);

/* kernel/threads.c */
struct task_struct;
void lkl_threads_init(void);
void lkl_threads_cleanup(struct lkl_sem *done_sem);
int lkl_host_task_marker(void *unused);
/* syscalls.c: pid 1 finished exec of /init; it becomes host0. */
bool lkl_init_became_host0(void);
void lkl_switch_to_host_task(struct task_struct *task);
void lkl_leave_kernel_via_schedule(void);

/* kernel/syscalls.c */
void lkl_syscalls_cleanup(void);
struct task_struct *lkl_enter_kernel(void);
void lkl_bind_host_thread(struct task_struct *task);
void lkl_idle_wake_host_task(void);
void lkl_init_execed(void);
struct lkl_sem *lkl_syscalls_halt_sem(void);

/* kernel/setup.c: pid 1 is ready as host0; lkl_start_kernel() takes over. */
void lkl_boot_done(struct task_struct *host0);

/* kernel/time.c */
void lkl_time_cleanup(void);

/* mm/bootmem.c */
int lkl_bootmem_alloc(unsigned long mem_size);
void lkl_bootmem_init(void);
void lkl_bootmem_cleanup(void);

#endif
