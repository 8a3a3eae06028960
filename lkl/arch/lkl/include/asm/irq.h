/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_IRQ_H
#define _ASM_LKL_IRQ_H

#define NR_IRQS		CONFIG_LKL_IRQS

#include <asm-generic/irq.h>

#endif
