/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_UAPI_LKL_SETUP_H
#define _ASM_UAPI_LKL_SETUP_H

/* Room for many virtio_mmio.device= entries after the user's arguments. */
#define COMMAND_LINE_SIZE 4096

#endif
