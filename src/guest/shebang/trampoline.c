// SPDX-License-Identifier: GPL-2.0
/*
 * What the host executes in place of a #! script of the image: it runs the
 * script's interpreter as Linux's binfmt_script would, with argv
 * [interpreter, argument if any, script, the caller's argv[1]...] and the
 * same environment, by an execve that kbox serves like any other (so the
 * interpreter comes from the image, and may be a script itself).  kbox
 * fills the area below in a copy of this program (see ../shebang.c).
 *
 * Static, without libc: built on its own, then embedded in kbox.
 */
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/mman.h>

#include "area.h"

/* In .data, so in the file: the copy kbox executes holds what it wrote. */
struct shebang_area kbox_shebang_area = { SHEBANG_MARKER, 0, 0, { 0 } };

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a" (ret) : "a" (nr), "D" (a), "S" (b), "d" (c)
			  : "rcx", "r11", "memory");
	return ret;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile ("syscall" : "=a" (ret) : "a" (nr), "D" (a), "S" (b), "d" (c),
			  "r" (r10), "r" (r8), "r" (r9) : "rcx", "r11", "memory");
	return ret;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static char *append(char *to, const char *s)
{
	while (*s)
		*to++ = *s++;
	return to;
}

/* "SCRIPT: bad interpreter INTERP: REASON" on fd 2, and the shell's statuses. */
static void __attribute__((noreturn)) fail(const char *script, const char *interp, long err)
{
	char msg[1024], *p = msg;
	const char *why = err == ENOENT ? "No such file or directory" :
			  err == EACCES ? "Permission denied" :
			  err == ENOEXEC ? "Exec format error" :
			  err == ELOOP ? "Too many levels of symbolic links" :
			  err == E2BIG ? "Argument list too long" :
			  err == ENOMEM ? "Cannot allocate memory" : "cannot execute";

	if (len(script) + len(interp) + 64 < sizeof(msg)) {
		p = append(p, script);
		p = append(p, ": bad interpreter ");
		p = append(p, interp);
		p = append(p, ": ");
		p = append(p, why);
		*p++ = '\n';
		sys3(__NR_write, 2, (long)msg, p - msg);
	}
	sys3(__NR_exit_group, err == ENOENT ? 127 : 126, 0, 0);
	__builtin_unreachable();
}

static void __attribute__((used, noreturn)) run(long *sp)
{
	long argc = sp[0], i, n = 0, room;
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1, **nargv;
	struct shebang_area *area = &kbox_shebang_area;
	const char *interp, *arg, *script;
	char *path;

	/* The area's content is kbox's, not the zeros the compiler sees. */
	__asm__("" : "+r" (area));
	interp = area->text;
	arg = interp + len(interp) + 1;
	script = area->has_arg ? arg + len(arg) + 1 : arg;

	room = (argc + 3) * (long)sizeof(char *) + (long)len(interp) + 1;
	nargv = (char **)sys6(__NR_mmap, 0, room, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)nargv > -4096UL)
		fail(script, interp, ENOMEM);
	nargv[n++] = (char *)interp;
	if (area->has_arg)
		nargv[n++] = (char *)arg;
	nargv[n++] = (char *)script;
	for (i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	nargv[n] = 0;

	/* kbox writes the memfd's name over the exec path: argv[0] is not it. */
	path = (char *)(nargv + n + 1);
	*append(path, interp) = '\0';

	fail(script, interp, -sys3(__NR_execve, (long)path, (long)nargv, (long)envp));
}

/* The initial stack pointer (argc, argv, envp) to run, the stack aligned for C. */
__asm__(".pushsection .text\n"
	".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call run\n"
	"	hlt\n"
	".popsection\n");
