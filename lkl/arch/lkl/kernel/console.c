// SPDX-License-Identifier: GPL-2.0
/* Kernel messages go to the host's print operation, if it has one. */
#include <linux/console.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

static void console_write(struct console *con, const char *str, unsigned int len)
{
	if (lkl_ops->print)
		lkl_ops->print(str, len);
}

static struct console host_console = {
	.name	= "lkl_console",
	.write	= console_write,
	.flags	= CON_PRINTBUFFER | CON_ENABLED,
	.index	= -1,
};

static int __init host_console_init(void)
{
	register_console(&host_console);
	return 0;
}
console_initcall(host_console_init);

void lkl_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	if (!lkl_ops->print)
		return;
	va_start(ap, fmt);
	len = vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lkl_ops->print(buf, len);
}

void lkl_bug(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (lkl_ops->print)
		lkl_ops->print(buf, len);
	lkl_ops->panic();
	for (;;)
		;
}
