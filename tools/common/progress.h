/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A progress line on stderr for long copies: shown when stderr is a
 * terminal, or when forced (--progress); never with -q.
 */
#ifndef KBOX_TOOLS_PROGRESS_H
#define KBOX_TOOLS_PROGRESS_H

#include <stdint.h>

enum progress_mode { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

void progress_init(enum progress_mode mode);
/* Count one more file and bytes more data; redraws at most 10 times/s. */
void progress_add(uint64_t files, uint64_t bytes);
/* Print the final totals (if shown at all) and end the line. */
void progress_done(void);

#endif
