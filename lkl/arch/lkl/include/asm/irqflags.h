/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_IRQFLAGS_H
#define _ASM_LKL_IRQFLAGS_H

/*
 * Interrupts are a software flag: host threads raise IRQs by taking the
 * CPU lock, and an IRQ that arrives while the flag says "disabled" is
 * queued and run when it is enabled again (see kernel/irq.c).
 */
#define ARCH_IRQ_DISABLED	0
#define ARCH_IRQ_ENABLED	1

unsigned long arch_local_save_flags(void);
void arch_local_irq_restore(unsigned long flags);

#include <asm-generic/irqflags.h>

#endif
