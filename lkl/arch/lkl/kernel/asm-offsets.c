// SPDX-License-Identifier: GPL-2.0
/* Kbuild requires this file; no assembly here needs any offset. */
