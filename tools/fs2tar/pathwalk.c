// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <lkl.h>

#include "pathwalk.h"

#define NAME_MAX_LEN	255

long image_open_dir(long rootfd, const char *path)
{
	struct lkl_open_how how = {
		.flags = LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC,
		.resolve = LKL_RESOLVE_IN_ROOT,
	};

	return lkl_sys_openat2(rootfd, path, &how, sizeof(how));
}

enum member_check member_clean(const char *name, char **out)
{
	enum member_check res = MEMBER_OK;
	const char *p = name, *end;
	size_t len, n = 0;
	char *s;

	*out = NULL;
	if (*p == '/')
		res = MEMBER_ABSOLUTE;
	s = malloc(strlen(name) + 1);
	if (!s)
		return res;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(s);
			return MEMBER_DOTDOT;
		}
		if (!(len == 1 && p[0] == '.')) {
			if (n)
				s[n++] = '/';
			memcpy(s + n, p, len);
			n += len;
		}
		p += len;
	}
	s[n] = '\0';
	*out = s;
	return res;
}

long open_dir_nofollow(long at, const char *name)
{
	struct lkl_stat st;
	long fd;

	fd = lkl_sys_openat(at, name, LKL_O_RDONLY | LKL_O_DIRECTORY |
			    LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
	if (fd == -LKL_ENOTDIR &&
	    !lkl_sys_newfstatat(at, name, &st, LKL_AT_SYMLINK_NOFOLLOW) &&
	    LKL_S_ISLNK(st.st_mode))
		fd = -LKL_ELOOP;
	return fd;
}

long walk_to_parent(long base, const char *rel, int create,
		    const char **leaf, size_t *bad_len)
{
	char comp[NAME_MAX_LEN + 1];
	const char *p = rel, *slash;
	long cur, next, ret;
	size_t len;

	cur = lkl_sys_dup(base);
	if (cur < 0)
		return cur;
	while ((slash = strchr(p, '/'))) {
		len = (size_t)(slash - p);
		*bad_len = (size_t)(slash - rel);
		if (len > NAME_MAX_LEN) {
			lkl_sys_close(cur);
			return -LKL_ENAMETOOLONG;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		next = open_dir_nofollow(cur, comp);
		if (next == -LKL_ENOENT && create) {
			ret = lkl_sys_mkdirat(cur, comp, 0755);
			next = ret < 0 && ret != -LKL_EEXIST ? ret :
			       open_dir_nofollow(cur, comp);
		}
		lkl_sys_close(cur);
		if (next < 0)
			return next;
		cur = next;
		p = slash + 1;
	}
	*leaf = p;
	*bad_len = strlen(rel);
	return cur;
}
