/* SPDX-License-Identifier: GPL-2.0 */
/* What every image tool shares: its name in messages, errors, --version. */
#ifndef KBOX_TOOLS_TOOL_H
#define KBOX_TOOLS_TOOL_H

#ifndef KBOX_VERSION
#define KBOX_VERSION "unknown"
#endif

/* The name messages start with: the basename of argv[0]. */
extern const char *tool_name;
void tool_init(const char *argv0);

/* "tool: what: message" on stderr; what may be NULL. */
void tool_error(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "tool (kbox) VERSION" and the licence line on stdout. */
void tool_print_version(void);

#endif
