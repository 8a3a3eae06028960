// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

const char *tool_name = "kbox-tool";

void tool_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	tool_name = slash ? slash + 1 : argv0;
}

void tool_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", tool_name);
	if (what)
		fprintf(stderr, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_print_version(void)
{
	printf("%s (kbox) %s\n", tool_name, KBOX_VERSION);
	printf("Linux 6.12 as a library; licence GPL-2.0.\n");
}
