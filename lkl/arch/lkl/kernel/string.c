// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's generic mem* routines copy a byte at a time; the host's are
 * vectorised.  Page cache copies make this the hottest code in file I/O.
 */
#include <linux/string.h>
#include <linux/export.h>
#include <asm/host_ops.h>

void *memcpy(void *dest, const void *src, size_t count)
{
	char *d = dest;
	const char *s = src;

	if (lkl_ops && lkl_ops->memcpy)
		return lkl_ops->memcpy(dest, src, count);
	while (count--)
		*d++ = *s++;
	return dest;
}
EXPORT_SYMBOL(memcpy);

void *memset(void *s, int c, size_t count)
{
	char *p = s;

	if (lkl_ops && lkl_ops->memset)
		return lkl_ops->memset(s, c, count);
	while (count--)
		*p++ = c;
	return s;
}
EXPORT_SYMBOL(memset);

void *memmove(void *dest, const void *src, size_t count)
{
	char *d = dest;
	const char *s = src;

	if (lkl_ops && lkl_ops->memmove)
		return lkl_ops->memmove(dest, src, count);
	if (d <= s) {
		while (count--)
			*d++ = *s++;
	} else {
		d += count;
		s += count;
		while (count--)
			*--d = *--s;
	}
	return dest;
}
EXPORT_SYMBOL(memmove);
