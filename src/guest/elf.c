// SPDX-License-Identifier: GPL-2.0
/* Checking an executable in the image. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <lkl.h>

#include "elf.h"

static long read_at(long fd, void *buf, unsigned long len, long off)
{
	long n = lkl_sys_pread64(fd, buf, len, off);

	return n < 0 ? n : (unsigned long)n == len ? 0 : -ENOEXEC;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * The #! line, read as Linux's binfmt_script reads it: from the first
 * SCRIPT_BUF bytes only.  Without a newline there, the interpreter's name
 * must end (at a blank or a NUL) within them, the argument may be cut; the
 * rest of the line, trailing blanks cut, is one argument; a NUL ends the
 * name and drops the argument.
 */
static long parse_script(long fd, struct exec_info *info)
{
	char buf[SCRIPT_BUF], *last = buf + SCRIPT_BUF - 1, *end, *name, *p, *arg = NULL;
	long n;

	memset(buf, 0, sizeof(buf));
	n = lkl_sys_pread64(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return n;
	/* A NUL before the newline hides it, as in Linux's strnchr. */
	end = memchr(buf, '\n', strnlen(buf, sizeof(buf)));
	if (!end) {
		for (p = buf + 2; p <= last && blank(*p); p++)
			;
		while (p <= last && *p && !blank(*p))
			p++;
		if (p > last)
			return -ENOEXEC;
		end = last;
	}
	while (end > buf + 2 && blank(end[-1]))
		end--;
	for (name = buf + 2; name < end && blank(*name); name++)
		;
	if (name == end)
		return -ENOEXEC;
	*end = '\0';
	for (p = name; *p && !blank(*p); p++)
		;
	if (*p) {
		*p++ = '\0';
		for (arg = p; blank(*arg); arg++)
			;
	}
	info->script = true;
	strcpy(info->interp, name);
	info->has_arg = arg != NULL;
	strcpy(info->interp_arg, arg ? arg : "");
	return 0;
}

static long parse_elf(long fd, struct exec_info *info)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	long ret;
	int i;

	ret = read_at(fd, &eh, sizeof(eh), 0);
	if (ret)
		return ret;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phnum > 512)
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		ret = read_at(fd, &ph, sizeof(ph), (long)(eh.e_phoff + i * sizeof(ph)));
		if (ret)
			return ret;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > sizeof(info->interp))
			return -ENOEXEC;
		ret = read_at(fd, info->interp, ph.p_filesz, (long)ph.p_offset);
		if (ret)
			return ret;
		if (info->interp[ph.p_filesz - 1] != '\0')
			return -ENOEXEC;
		info->interp_off = (long)ph.p_offset;
		info->interp_room = ph.p_filesz;
		break;
	}
	return 0;
}

long exec_open(long dirfd, const char *path, int at_flags, struct exec_info *info)
{
	struct lkl_stat st;
	unsigned char magic[4];
	long fd, ret;

	memset(info, 0, sizeof(*info));
	if (!*path && !(at_flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (*path)
		fd = lkl_sys_openat(dirfd, path, LKL_O_RDONLY | LKL_O_CLOEXEC |
				    (at_flags & AT_SYMLINK_NOFOLLOW ? LKL_O_NOFOLLOW : 0), 0);
	else
		fd = lkl_sys_fcntl(dirfd, LKL_F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fd == -ELOOP && (at_flags & AT_SYMLINK_NOFOLLOW) ? -ELOOP : fd;
	ret = lkl_sys_fstat(fd, &st);
	if (ret < 0)
		goto fail;
	ret = -EACCES;
	if ((st.st_mode & S_IFMT) != S_IFREG)
		goto fail;
	/* X_OK as the task's credentials, and not on a noexec mount. */
	ret = lkl_sys_faccessat2(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);
	if (ret < 0)
		goto fail;
	ret = lkl_sys_pread64(fd, (char *)magic, sizeof(magic), 0);
	if (ret < 0)
		goto fail;
	if (ret >= 2 && magic[0] == '#' && magic[1] == '!')
		ret = parse_script(fd, info);
	else if (ret == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG))
		ret = parse_elf(fd, info);
	else
		ret = -ENOEXEC;
	if (ret)
		goto fail;
	return fd;
fail:
	lkl_sys_close(fd);
	return ret;
}

long exec_open_interp(const char *interp)
{
	struct exec_info info;
	long fd = exec_open(LKL_AT_FDCWD, interp, 0, &info);

	if (fd < 0)
		return fd == -EACCES ? -EACCES : fd == -ENOEXEC ? -ELIBBAD : -ENOENT;
	if (info.script || info.interp[0]) {
		lkl_sys_close(fd);
		return -ELIBBAD;
	}
	return fd;
}
