/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_UAPI_LKL_BYTEORDER_H
#define _ASM_UAPI_LKL_BYTEORDER_H

/* Only little-endian 64-bit hosts are supported (x86_64, aarch64). */
#include <linux/byteorder/little_endian.h>

#endif
