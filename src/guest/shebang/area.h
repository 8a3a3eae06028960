/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data area of the #! trampoline (trampoline.c), which kbox fills in
 * a copy of the program (../shebang.c) before the host executes it.
 */
#ifndef KBOX_GUEST_SHEBANG_AREA_H
#define KBOX_GUEST_SHEBANG_AREA_H

/* The area's first bytes, NUL-padded to marker[]: kbox finds it by them. */
#define SHEBANG_MARKER "KBOX-SHEBANG"
#define SHEBANG_AREA_SIZE 8192

struct shebang_area {
	char marker[16];
	unsigned int has_arg;	/* the #! line has an argument */
	unsigned int unused;
	/* The interpreter, the argument when has_arg, the script: NUL-ended. */
	char text[SHEBANG_AREA_SIZE - 24];
};

#endif
