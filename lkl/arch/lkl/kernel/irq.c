// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts raised by host threads (timers, device workers).
 *
 * The "interrupts enabled" state is a plain flag.  lkl_trigger_irq() runs
 * the handler at once on the calling host thread when it can take the CPU,
 * and otherwise leaves the IRQ pending: the CPU's owner runs pending IRQs
 * when it re-enables interrupts or releases the CPU.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/hardirq.h>
#include <linux/irqchip.h>
#include <linux/seq_file.h>
#include <asm/irq_regs.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

static unsigned long irq_flag = ARCH_IRQ_DISABLED;

/* Set by any host thread (under the CPU's mutex), drained by the owner. */
#define PENDING_WORDS BITS_TO_LONGS(NR_IRQS)
static unsigned long pending[PENDING_WORDS];
static bool any_pending;

/* Who owns each line; claimed from host threads, so lock-free. */
static const char *irq_owner[NR_IRQS];

int lkl_get_free_irq(const char *user)
{
	int i;

	for (i = 1; i < NR_IRQS; i++) {
		const char *none = NULL;

		if (__atomic_compare_exchange_n(&irq_owner[i], &none, user, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return i;
	}
	return -EBUSY;
}

void lkl_put_irq(int irq, const char *user)
{
	const char *expected = user;

	if (irq < 1 || irq >= NR_IRQS ||
	    !__atomic_compare_exchange_n(&irq_owner[irq], &expected, NULL, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		lkl_printf("lkl: %s does not own irq %d\n", user, irq);
}

void lkl_irq_set_pending(int irq)
{
	__atomic_fetch_or(&pending[irq / BITS_PER_LONG],
			  1UL << (irq % BITS_PER_LONG), __ATOMIC_SEQ_CST);
	__atomic_store_n(&any_pending, true, __ATOMIC_SEQ_CST);
}

bool lkl_irqs_pending(void)
{
	return __atomic_load_n(&any_pending, __ATOMIC_SEQ_CST);
}

/*
 * Whether lockdep believes interrupts are on.  They may be while pending
 * IRQs drain: local_irq_restore() traces "on" before our restore runs
 * them.  A real interrupt arrives with them traced off.
 */
static bool traced_irqs_on(void)
{
#ifdef CONFIG_TRACE_IRQFLAGS
	return lockdep_hardirqs_enabled();
#else
	return false;
#endif
}

static void run_irq(int irq)
{
	static struct pt_regs dummy_regs;
	struct pt_regs *old_regs = set_irq_regs(&dummy_regs);
	bool traced_on = traced_irqs_on();

	if (traced_on)
		trace_hardirqs_off();
	irq_enter();
	generic_handle_irq(irq);
	irq_exit();
	if (traced_on)
		trace_hardirqs_on();
	set_irq_regs(old_regs);
}

/* With the CPU held and interrupts "disabled": run what host threads queued. */
static void run_pending_locked(void)
{
	while (__atomic_exchange_n(&any_pending, false, __ATOMIC_SEQ_CST)) {
		int w;

		for (w = 0; w < PENDING_WORDS; w++) {
			unsigned long bits = __atomic_exchange_n(&pending[w], 0,
								 __ATOMIC_SEQ_CST);

			while (bits) {
				int bit = __ffs(bits);

				bits &= ~(1UL << bit);
				run_irq(w * BITS_PER_LONG + bit);
			}
		}
	}
}

void lkl_run_pending_irqs(void)
{
	unsigned long flags;

	local_irq_save(flags);
	run_pending_locked();
	local_irq_restore(flags);
}

int lkl_trigger_irq(int irq)
{
	int ret;

	if (irq < 1 || irq >= NR_IRQS)
		return -EINVAL;

	ret = lkl_cpu_try_run_irq(irq);
	if (ret == -EBUSY)
		return 0;	/* queued for the CPU's owner */
	if (ret < 0)
		return ret;
	/* lkl_cpu_put() runs it if interrupts are enabled, else it stays queued. */
	lkl_cpu_put();
	return 0;
}

unsigned long arch_local_save_flags(void)
{
	return irq_flag;
}

void arch_local_irq_restore(unsigned long flags)
{
	if (flags == ARCH_IRQ_ENABLED && irq_flag == ARCH_IRQ_DISABLED &&
	    !in_interrupt() && lkl_irqs_pending())
		run_pending_locked();
	irq_flag = flags;
}

void __init init_IRQ(void)
{
	int i;

	for (i = 1; i < NR_IRQS; i++)
		irq_set_chip_and_handler(i, &dummy_irq_chip, handle_simple_irq);
}
