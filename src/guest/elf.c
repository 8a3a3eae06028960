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

static long parse_script(long fd, struct exec_info *info)
{
	char line[256 + PATH_MAX], *p, *name, *arg;
	long n = lkl_sys_pread64(fd, line, sizeof(line) - 1, 0);
	char *end;

	if (n < 2)
		return -ENOEXEC;
	line[n] = '\0';
	end = strchr(line, '\n');
	if (!end)
		return -ENOEXEC;
	*end = '\0';
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	arg = p;
	/* Linux passes the rest of the line, trailing blanks cut, as one word. */
	for (end = arg + strlen(arg); end > arg && (end[-1] == ' ' || end[-1] == '\t'); )
		*--end = '\0';
	if (!*name || strlen(name) >= sizeof(info->interp) ||
	    strlen(arg) >= sizeof(info->interp_arg))
		return -ENOEXEC;
	info->script = true;
	strcpy(info->interp, name);
	strcpy(info->interp_arg, arg);
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
	ret = read_at(fd, magic, sizeof(magic), 0);
	if (ret)
		goto fail;
	if (magic[0] == '#' && magic[1] == '!')
		ret = parse_script(fd, info);
	else if (!memcmp(magic, ELFMAG, SELFMAG))
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
