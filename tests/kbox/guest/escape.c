// SPDX-License-Identifier: GPL-2.0
/*
 * Escape probes, run inside kbox by tests/kbox/test_isolation.sh: one line
 * per probe, "NAME RESULT", RESULT being "ok" (the call succeeded), the
 * errno's name (EPERM, ENOENT...), or a value (a link's target, a count).
 *
 *   escape SECRET
 *
 * SECRET is the absolute path of a file that exists on the host and not
 * in the image: every way of reaching it must fail.  The test runs this
 * with stdin redirected from SECRET's host directory, so fd 0 is a host
 * directory: openat() relative to it, fchdir() to it and getdents() of it
 * must not reach the host either.
 *
 *   escape race HOSTPROG N
 *
 * The exec race: kbox checks execve's path in the guest's memory, writes
 * the name of its own copy of the image's file there and lets the host
 * run the exec, which reads the path again.  One thread here keeps
 * rewriting the path between /bin/escape (in the image) and HOSTPROG (a
 * copy of this program on the host only) while another calls execve.
 * Each exec of /bin/escape starts the next round with N-1; a program
 * that finds HOSTPROG as its AT_EXECFN was run from the host's file
 * system and prints "exec_race ESCAPED"; "exec_race held" after N rounds.
 *
 *   escape mtexec
 *
 * The race's baseline: a second thread sleeps while the first execs
 * /bin/escape, which prints "mtexec done".
 *
 * Calls that would change the host if they got through are made with
 * arguments the host kernel would refuse anyway (a bad magic number, bad
 * flags, a length of 0) after its permission check, so a leak shows as
 * EINVAL or EFAULT instead of EPERM and does no harm (iopl, unshare and
 * a clone with CLONE_NEW* would only change this process).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/reboot.h>

static const char *secret;

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* Print "name ok" for ret >= 0, else "name ERRNO". */
static void report(const char *name, long ret)
{
	printf("%s %s\n", name, ret >= 0 ? "ok" : errname(errno));
	fflush(stdout);
}

static void report_fd(const char *name, int fd)
{
	report(name, fd);
	if (fd >= 0)
		close(fd);
}

static void probe_calls(void)
{
	char buf[16], remote_buf[16];
	struct iovec local = { buf, sizeof(buf) }, remote = { remote_buf, sizeof(remote_buf) };
	union bpf_attr attr;
	struct rlimit lim;
	cpu_set_t cpus;
	long ret;

	report("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
	report("process_vm_readv",
	       syscall(SYS_process_vm_readv, getppid(), &local, 1, &remote, 1, 0));
	report("process_vm_writev",
	       syscall(SYS_process_vm_writev, getppid(), &local, 1, &remote, 1, 0));
	memset(&attr, 0, sizeof(attr));
	report("bpf", syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
	report("init_module", syscall(SYS_init_module, NULL, 0, ""));
	report("finit_module", syscall(SYS_finit_module, -1, "", 0));
	report("delete_module", syscall(SYS_delete_module, "kbox_no_such_module", O_NONBLOCK));
	report("reboot", syscall(SYS_reboot, 0x12345678, 0x9abcdef0,
				 LINUX_REBOOT_CMD_POWER_OFF, NULL));
	report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL));
	report("unshare", unshare(CLONE_NEWUSER));
	report("setns", setns(0, CLONE_NEWNS));
	report("swapon", syscall(SYS_swapon, "/kbox-no-such-swap", 0));
	report("iopl", syscall(SYS_iopl, 3));
	report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	report("pidfd_open", syscall(SYS_pidfd_open, getppid(), 0));
	report("pidfd_getfd", syscall(SYS_pidfd_getfd, 0, 0, 0));

	/* kbox (the parent) and the session's leader are host processes. */
	report("kill_kbox", kill(getppid(), 0));
	report("tgkill_kbox", syscall(SYS_tgkill, getppid(), getppid(), 0));
	/*
	 * The session's leader: 0 when it lives outside the guest's host pid
	 * namespace (a CI runner's), then there is no such probe to make.
	 */
	if (getsid(0) <= 0 || getsid(0) == getpid()) {
		printf("kill_session n/a\nsetpgid_session n/a\n");
	} else {
		report("kill_session", kill(getsid(0), 0));
		report("setpgid_session", setpgid(0, getsid(0)));
	}
	report("prlimit_kbox", prlimit(getppid(), RLIMIT_NOFILE, NULL, &lim));
	report("getpriority_kbox", getpriority(PRIO_PROCESS, getppid()) == -1 && errno ? -1 : 0);
	report("sched_getaffinity_kbox", sched_getaffinity(getppid(), sizeof(cpus), &cpus));
	report("getpgid_kbox", getpgid(getppid()));
	/* A raw clone(): the child, if any, leaves at once. */
	ret = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (ret == 0)
		_exit(0);
	report("clone_newns", ret);
	if (ret > 0)
		waitpid(ret, NULL, 0);
	ret = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (ret == 0)
		_exit(0);
	report("clone_newuser", ret);
	if (ret > 0)
		waitpid(ret, NULL, 0);

	/*
	 * mount: refused, or at most done inside the library kernel (the
	 * test looks for it in the host's mount table).
	 */
	mkdir("/tmp/kbox-escape-mnt", 0755);
	ret = mount("none", "/tmp/kbox-escape-mnt", "tmpfs", 0, NULL);
	report("mount", ret);
	/* Left mounted on success, for the test to look for on the host. */
	if (ret < 0)
		rmdir("/tmp/kbox-escape-mnt");
}

/* How many of fds 3..1023 are open. */
static int count_fds(void)
{
	int fd, n = 0;

	for (fd = 3; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void probe_files(void)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int i, fd;
	const char *rel = secret + 1;	/* without the leading / */
	const char *base = strrchr(secret, '/') + 1;
	DIR *d;

	report("stat_secret", stat(secret, &st));
	report_fd("open_secret", open(secret, O_RDONLY));
	report_fd("open_work", open("/work", O_RDONLY | O_DIRECTORY));

	/* Climb above the root, then look for the host's file. */
	for (i = 0; i < 20; i++)
		if (chdir("..") < 0)
			break;
	report("chdir_up", i == 20 ? 0 : -1);
	if (getcwd(target, sizeof(target)))
		printf("cwd_after_up %s\n", target);
	else
		printf("cwd_after_up %s\n", errname(errno));
	report_fd("open_relative_secret", open(rel, O_RDONLY));
	snprintf(path, sizeof(path), "../../../../../../../..%s", secret);
	report_fd("open_dotdot_secret", open(path, O_RDONLY));
	report("chdir_root", chdir("/"));

	snprintf(path, sizeof(path), "/proc/self/root%s", secret);
	report_fd("open_proc_self_root_secret", openat(AT_FDCWD, path, O_RDONLY));
	snprintf(path, sizeof(path), "/proc/1/root%s", secret);
	report_fd("open_proc_1_root_secret", openat(AT_FDCWD, path, O_RDONLY));
	snprintf(path, sizeof(path), "/proc/self/cwd%s", secret);
	report_fd("open_proc_self_cwd_secret", openat(AT_FDCWD, path, O_RDONLY));

	n = readlink("/proc/self/root", target, sizeof(target) - 1);
	printf("readlink_proc_self_root %s\n", n < 0 ? errname(errno) : (target[n] = 0, target));
	n = readlink("/proc/1/root", target, sizeof(target) - 1);
	printf("readlink_proc_1_root %s\n", n < 0 ? errname(errno) : (target[n] = 0, target));

	unlink("/tmp/kbox-escape-link");
	report("symlink_up", symlink("/../../..", "/tmp/kbox-escape-link"));
	snprintf(path, sizeof(path), "/tmp/kbox-escape-link%s", secret);
	report_fd("open_symlink_secret", open(path, O_RDONLY));
	unlink("/tmp/kbox-escape-link");

	/* fd 0 is the secret's host directory: no way in through it. */
	report_fd("openat_stdin_secret", openat(0, base, O_RDONLY));
	report("fstatat_stdin_secret", fstatat(0, base, &st, 0));
	fd = openat(0, ".", O_RDONLY | O_DIRECTORY);
	report_fd("openat_stdin_dot", fd);
	if (fchdir(0) == 0) {
		report_fd("fchdir_stdin_open_secret", open(base, O_RDONLY));
		chdir("/");
	} else {
		report("fchdir_stdin_open_secret", -1);
	}
	/* Listing fd 0 must not show the secret's name. */
	fd = dup(0);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		struct dirent *e;
		int seen = 0;

		errno = 0;
		while ((e = readdir(d)))
			if (!strcmp(e->d_name, base))
				seen = 1;
		printf("getdents_stdin %s\n", seen ? "secret-listed" : errno ? errname(errno) : "not-listed");
		closedir(d);
	} else {
		printf("getdents_stdin %s\n", errname(errno));
		if (fd >= 0)
			close(fd);
	}
}

static void probe_fds(int inherited)
{
	char path[64];
	int fd;

	printf("inherited_fds %d\n", inherited);
	for (fd = 0; fd < 3; fd++) {
		struct stat st;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		report(path, lstat(path, &st));
	}
}

/* The exec race (see the top). */
static char race_path[PATH_MAX];
static char race_strings[2][PATH_MAX];
static volatile int racing = 1;

static void *flip(void *arg)
{
	size_t len = strlen(race_strings[0]) + 1;

	(void)arg;
	/*
	 * Bursts of flips with pauses between them: a burst wins the race
	 * now and then, a pause lets an exec through (which needs the path
	 * left alone from kbox's check to the host's read).
	 */
	while (racing) {
		for (int i = 0; i < 256; i++) {
			memcpy(race_path, race_strings[0], len);
			memcpy(race_path, race_strings[1], len);
		}
		usleep(20);
	}
	return NULL;
}

/*
 * Rounds left and how often so far the host was handed HOSTPROG's path
 * (the race won) and refused it (EACCES: Landlock).
 */
static int exec_race(char *hostprog, long rounds, long refused)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char count[32], refusals[32], *args[6];
	pthread_t th;
	int i, err = 0;

	if (execfn && !strcmp(execfn, hostprog)) {
		printf("exec_race ESCAPED\n");
		return 0;
	}
	if (rounds <= 0) {
		printf("exec_race held\n");
		fprintf(stderr, "exec_race: the host refused HOSTPROG %ld times\n", refused);
		return 0;
	}
	args[0] = "escape";
	args[1] = "race";
	args[2] = hostprog;
	args[3] = count;
	args[4] = refusals;
	args[5] = NULL;
	/* The image's path, as long as the host's so neither is cut short. */
	snprintf(race_strings[0], PATH_MAX, "/bin/escape");
	while (strlen(race_strings[0]) < strlen(hostprog))
		memmove(race_strings[0] + 2, race_strings[0], strlen(race_strings[0]) + 1),
		memcpy(race_strings[0], "/.", 2);
	snprintf(race_strings[1], PATH_MAX, "%s", hostprog);
	memcpy(race_path, race_strings[0], sizeof(race_path));
	if (pthread_create(&th, NULL, flip, NULL))
		return 1;
	/* ENOENT when kbox read the host's path (or a torn one): try again. */
	for (i = 0; i < 20000; i++) {
		snprintf(count, sizeof(count), "%ld", rounds - 1);
		snprintf(refusals, sizeof(refusals), "%ld", refused);
		execve(race_path, args, environ);
		err = errno;
		if (err == EACCES)
			refused++;
	}
	racing = 0;
	pthread_join(th, NULL);
	printf("exec_race %s\n", errname(err));
	return 1;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int mtexec(void)
{
	char *args[] = { "escape", "mtexec-done", NULL };
	pthread_t th;

	if (pthread_create(&th, NULL, sleeper, NULL))
		return 1;
	usleep(10000);
	execve("/bin/escape", args, environ);
	printf("mtexec %s\n", errname(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int inherited;

	if (argc == 2 && !strcmp(argv[1], "mtexec"))
		return mtexec();
	if (argc == 2 && !strcmp(argv[1], "mtexec-done")) {
		printf("mtexec done\n");
		return 0;
	}

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "race"))
		return exec_race(argv[2], atol(argv[3]), argc == 5 ? atol(argv[4]) : 0);
	inherited = count_fds();	/* before anything opens a file */

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: escape /SECRET/PATH | race /HOST/PROG N | mtexec\n");
		return 2;
	}
	secret = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	probe_calls();
	probe_files();
	probe_fds(inherited);
	printf("done\n");
	return 0;
}
