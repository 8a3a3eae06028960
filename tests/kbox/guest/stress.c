// SPDX-License-Identifier: GPL-2.0
/*
 * Stress programs, run inside kbox by tests/kbox/test_stress.sh and
 * tests/kbox/soak.sh, and natively by them as the baseline.  Each check
 * prints one line, "NAME ok: DETAILS" or "NAME FAIL: DETAILS"; the exit
 * status is 0 when every check passed, 1 otherwise.
 *
 *   stress fork DIR WAVES PER
 *	WAVES waves of PER children (each wave forked while the last one
 *	is still being reaped).  Child k writes DIR/pK and exits with
 *	1 + k % 250; by k % 6 it also forks a grandchild it waits for
 *	(DIR/gK), leaves an orphan behind (DIR/oK, written late), execs
 *	this program again (DIR/eK) or vforks and execs it (DIR/vK).  The
 *	parent checks every status, that no child is left, and every file.
 *   stress fds DIR LIMIT
 *	RLIMIT_NOFILE lowered to LIMIT: files, then pipes and files, opened
 *	until EMFILE (three times over, to see nothing leaks), dup2 and
 *	F_DUPFD near the limit, stdout dup'ed there, the limit in an exec'd
 *	child, then the limit raised to 8 * LIMIT (when the hard limit
 *	allows).
 *   stress threads DIR N ROUNDS
 *	N threads, each writing and reading back its own file ROUNDS times,
 *	pwrite()ing its blocks of the shared file DIR/shared and appending
 *	records to DIR/log (O_APPEND), while two more sit in a pipe read and
 *	in a write to a full pipe.  The files are checked after the joins,
 *	then the pipe threads are let go.
 *   stress signals DIR NSIG restart|norestart
 *	A sibling process sends this one SIGUSR1 without a pause, NSIG
 *	times at least, while it reads a pipe fed in uneven chunks, writes
 *	and reads back a large file and writes a pipe to a checking reader.
 *	The handler has SA_RESTART or not: no data may be lost or doubled,
 *	and EINTR may only come from the pipes without SA_RESTART (Linux
 *	never gives it for a file on disk).
 *   stress stopcont DIR NSTOPS
 *	The same I/O in a child (no handler) while this process stops and
 *	continues it (waiting for each stop and continue with waitpid), or
 *	its whole process group with the feeder or reader of its pipe,
 *	NSTOPS times and on until the child is through two rounds of I/O.
 *   stress fork-exec DIR K, stress fds-probe FILE LIMIT
 *	What the exec'd children of "fork" and "fds" run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static const char *self;

static void report(const char *name, bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", name, good ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !good;
}

/* Byte off of the stream named seed: every stream differs, every byte too. */
static unsigned char pat(unsigned long seed, unsigned long off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ULL ^ (seed + 1) * 0xBF58476D1CE4E5B9ULL;

	x ^= x >> 31;
	x *= 0x94D049BB133111EBULL;
	return (unsigned char)(x >> 56);
}

static void fill(unsigned char *buf, size_t len, unsigned long seed, unsigned long off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
}

/* Index of the first byte that differs from the stream, or -1. */
static long mismatch(const unsigned char *buf, size_t len, unsigned long seed,
		     unsigned long off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pat(seed, off + i))
			return (long)i;
	return -1;
}

/* Write it all; signals may cut a pipe write short, never lose bytes. */
static int write_all(int fd, const void *buf, size_t len, long *eintr)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR && eintr) {
			++*eintr;
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, us % 1000000 * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- fork storm ---------------------------------------------------------- */

enum { K_PLAIN, K_NESTED, K_ORPHAN, K_EXEC, K_VFORK, K_PLAIN2, K_KINDS };

static int fork_status(int k)
{
	return 1 + k % 250;
}

static int grand_status(int k)
{
	return 100 + k % 100;
}

/* DIR/<c>K: the line "<c> K" k % 37 + 1 times, through a temporary name. */
static int put_file(const char *dir, char c, int k)
{
	char path[256], tmp[256], line[32];
	int fd, i, len, ret = 0;

	snprintf(path, sizeof(path), "%s/%c%d", dir, c, k);
	snprintf(tmp, sizeof(tmp), "%s/.%c%d", dir, c, k);
	len = snprintf(line, sizeof(line), "%c %d\n", c, k);
	fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i <= k % 37 && !ret; i++)
		ret = write_all(fd, line, len, NULL);
	if (close(fd) || ret)
		return -1;
	/* Complete once it has its name: orphans are looked for by it. */
	return rename(tmp, path);
}

static bool file_is(const char *dir, char c, int k, char *why, size_t whylen)
{
	char path[256], line[32], buf[2048];
	int fd, i, len;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%c%d", dir, c, k);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	len = snprintf(line, sizeof(line), "%c %d\n", c, k);
	for (i = 0; i <= k % 37; i++) {
		if (n < (i + 1) * len || memcmp(buf + i * len, line, len))
			break;
	}
	if (i <= k % 37 || n != (k % 37 + 1) * len) {
		snprintf(why, whylen, "%s: %zd bytes, wrong content", path, n);
		return false;
	}
	return true;
}

static int fork_child(const char *dir, int k)
{
	char ks[16];
	pid_t g;
	int st;

	snprintf(ks, sizeof(ks), "%d", k);
	if (put_file(dir, 'p', k))
		return 254;
	switch (k % K_KINDS) {
	case K_NESTED:
		g = fork();
		if (g == 0)
			_exit(put_file(dir, 'g', k) ? 254 : grand_status(k));
		if (g < 0 || waitpid(g, &st, 0) != g ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != grand_status(k))
			return 253;
		break;
	case K_ORPHAN:
		/* Outlives its parent: reaped by whoever adopts it. */
		g = fork();
		if (g == 0) {
			sleep_us(20000 + k % 50 * 1000);
			_exit(put_file(dir, 'o', k) ? 254 : 0);
		}
		if (g < 0)
			return 253;
		break;
	case K_EXEC:
		execl(self, self, "fork-exec", dir, ks, (char *)NULL);
		return 252;
	case K_VFORK:
		g = vfork();
		if (g == 0) {
			execl(self, self, "fork-exec", dir, ks, (char *)NULL);
			_exit(252);
		}
		if (g < 0 || waitpid(g, &st, 0) != g ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != fork_status(k))
			return 251;
		break;
	}
	return fork_status(k);
}

static int cmd_fork_exec(const char *dir, int k)
{
	char c = k % K_KINDS == K_EXEC ? 'e' : 'v';

	return put_file(dir, c, k) ? 250 : fork_status(k);
}

/*
 * Reap children (any of the nforked so far: waves overlap) until the first
 * upto are all reaped; a reaped one's pid is negated.
 */
static int reap(pid_t *pids, int nforked, int upto, int *bad, char *why, size_t whylen)
{
	int st, i, left = 0;
	pid_t w;

	for (i = 0; i < upto; i++)
		left += pids[i] > 0;
	while (left) {
		w = waitpid(-1, &st, 0);
		if (w < 0) {
			snprintf(why, whylen, "waitpid: %s with %d of the first %d left",
				 strerror(errno), left, upto);
			++*bad;
			return -1;
		}
		for (i = 0; i < nforked && pids[i] != w; i++)
			;
		if (i == nforked) {
			snprintf(why, whylen, "waitpid gave pid %d, not a child", (int)w);
			++*bad;
			continue;
		}
		pids[i] = -w;
		left -= i < upto;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != fork_status(i)) {
			if (!*bad)
				snprintf(why, whylen, "child %d: status %#x, want exit %d",
					 i, st, fork_status(i));
			++*bad;
		}
	}
	return 0;
}

static int cmd_fork(const char *dir, int waves, int per)
{
	int total = waves * per, bad = 0, files = 0, missing = 0, w, i;
	pid_t *pids = calloc(total, sizeof(*pids));
	char why[512] = "", fwhy[512] = "";
	double t0 = now_s();

	if (!pids || (mkdir(dir, 0755) && errno != EEXIST))
		return 1;
	for (w = 0; w < waves; w++) {
		for (i = w * per; i < (w + 1) * per; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				_exit(fork_child(dir, i));
			if (pids[i] < 0) {
				report("fork-storm", false, "fork %d: %s", i, strerror(errno));
				return 1;
			}
		}
		/* The last wave is reaped while this one runs. */
		if (w > 0 && reap(pids, (w + 1) * per, w * per, &bad, why, sizeof(why)))
			break;
	}
	if (w == waves)
		reap(pids, total, total, &bad, why, sizeof(why));
	report("fork-status", !bad, "%d children reaped in %.1f s, %d bad statuses %s",
	       total, now_s() - t0, bad, why);
	i = waitpid(-1, NULL, WNOHANG);
	report("fork-no-child-left", i < 0 && errno == ECHILD, "waitpid: %d (%s)", i,
	       i < 0 ? strerror(errno) : "a child");

	for (i = 0; i < total; i++) {
		static const char extra[K_KINDS] = { 0, 'g', 'o', 'e', 'v', 0 };
		char kinds[2] = { 'p', extra[i % K_KINDS] };
		int j;

		for (j = 0; j < 2 && kinds[j]; j++) {
			double until = now_s() + 20;
			char path[256];

			/* Orphans write theirs late. */
			snprintf(path, sizeof(path), "%s/%c%d", dir, kinds[j], i);
			while (kinds[j] == 'o' && access(path, F_OK) && now_s() < until)
				sleep_us(10000);
			if (file_is(dir, kinds[j], i, fwhy, sizeof(fwhy)))
				files++;
			else if (!missing++)
				report("fork-file", false, "%s", fwhy);
		}
	}
	report("fork-files", !missing, "%d files right, %d wrong or missing", files, missing);
	free(pids);
	return failures ? 1 : 0;
}

/* ---- fd exhaustion ------------------------------------------------------- */

static int count_open(int limit)
{
	int fd, n = 0;

	for (fd = 0; fd < limit; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Open DIR/fdfile until it fails: how many, with the last errno in *err. */
static int open_until_full(const char *file, int *fds, int max, int *err)
{
	int n = 0, fd;

	while (n < max && (fd = open(file, O_RDONLY)) >= 0)
		fds[n++] = fd;
	*err = n < max ? errno : 0;
	return n;
}

static void close_all(int *fds, int n)
{
	while (n > 0)
		close(fds[--n]);
}

/* Each fd reads byte pos of the file, which holds the bytes 0, 1, 2... */
static int check_reads(const int *fds, int n)
{
	unsigned char b;
	int i;

	for (i = 0; i < n; i++)
		if (pread(fds[i], &b, 1, i % 251) != 1 || b != i % 251)
			return i;
	return -1;
}

static int cmd_fds(const char *dir, int limit)
{
	struct rlimit rl, old;
	char file[256], ghost[256], buf[256];
	int *fds = calloc(8 * limit, sizeof(int)), nopen, want, n, err, fd, i, round;
	int pipes, files, bad;
	pid_t pid;
	int st;

	if (!fds || (mkdir(dir, 0755) && errno != EEXIST))
		return 1;
	snprintf(file, sizeof(file), "%s/fdfile", dir);
	snprintf(ghost, sizeof(ghost), "%s/never-made", dir);
	for (i = 0; i < 251; i++)
		buf[i] = (char)i;
	fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, buf, 251) != 251 || close(fd))
		return 1;

	getrlimit(RLIMIT_NOFILE, &old);
	rl.rlim_cur = limit;
	rl.rlim_max = old.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		report("fds-setrlimit", false, "%s", strerror(errno));
		return 1;
	}
	nopen = count_open(limit);
	want = limit - nopen;

	/* 1. files until EMFILE, three times: nothing may leak. */
	for (round = 0; round < 3; round++) {
		n = open_until_full(file, fds, 2 * limit, &err);
		bad = check_reads(fds, n);
		snprintf(buf, sizeof(buf), "fds-files-%d", round + 1);
		report(buf, n == want && err == EMFILE && bad < 0 && n > 0 && fds[n - 1] == limit - 1,
		       "%d opened (want %d = %d - %d open), then %s; highest %d; %s",
		       n, want, limit, nopen, strerror(err), n ? fds[n - 1] : -1,
		       bad < 0 ? "all read right" : "a read went wrong");
		if (round == 0) {
			/* Full: every way to a new fd says EMFILE, and makes nothing. */
			int p[2], e1, e2, e3, e4;

			errno = 0;
			e1 = pipe(p) < 0 ? errno : 0;
			e2 = dup(0) < 0 ? errno : 0;
			e3 = open(ghost, O_CREAT | O_WRONLY, 0644) < 0 ? errno : 0;
			e4 = fcntl(0, F_DUPFD, 3) < 0 ? errno : 0;
			report("fds-full-emfile", e1 == EMFILE && e2 == EMFILE &&
			       e3 == EMFILE && e4 == EMFILE,
			       "pipe: %s, dup: %s, open O_CREAT: %s, F_DUPFD: %s",
			       strerrorname_np(e1) ?: "ok", strerrorname_np(e2) ?: "ok",
			       strerrorname_np(e3) ?: "ok", strerrorname_np(e4) ?: "ok");
		}
		close_all(fds, n);
	}
	report("fds-no-ghost", access(ghost, F_OK) && errno == ENOENT,
	       "the O_CREAT that failed with EMFILE made no file");
	report("fds-all-closed", count_open(limit) == nopen, "%d open after closing, %d before",
	       count_open(limit), nopen);

	/* 2. pipes and files by turns until EMFILE; each pipe carries a token. */
	{
		struct two { int r, w; } *it = calloc(4 * limit, sizeof(*it));
		int nit = 0, used = 0, p[2], full;
		unsigned char b;

		if (!it)
			return 1;
		pipes = files = 0;
		/* Bounded: a limit that does not hold must not overrun it. */
		for (i = 0; nit < 4 * limit - 1; i++) {
			errno = 0;
			if (i % 3 == 2) {
				if ((fd = open(file, O_RDONLY)) < 0)
					break;
				it[nit++] = (struct two){ fd, -1 };
				used++;
				files++;
			} else {
				if (pipe(p))
					break;
				it[nit++] = (struct two){ p[0], p[1] };
				used += 2;
				pipes++;
			}
		}
		err = errno;
		/* One number left: the pipe that did not fit took nothing. */
		if (err == EMFILE && used == want - 1 && (fd = open(file, O_RDONLY)) >= 0) {
			it[nit++] = (struct two){ fd, -1 };
			used++;
			files++;
		}
		full = count_open(limit);
		bad = 0;
		for (i = 0; i < nit; i++) {
			int got = -1;

			if (it[i].w < 0)
				bad += pread(it[i].r, &b, 1, 7) != 1 || b != 7;
			else
				bad += write(it[i].w, &i, sizeof(i)) != sizeof(i) ||
				       read(it[i].r, &got, sizeof(got)) != sizeof(got) || got != i;
		}
		report("fds-mixed", used == want && err == EMFILE && !bad && full == limit,
		       "%d pipes and %d files: %d fds (want %d), then %s; %d of %d numbers taken; %d bad",
		       pipes, files, used, want, strerror(err), full, limit, bad);
		for (i = 0; i < nit; i++) {
			close(it[i].r);
			if (it[i].w >= 0)
				close(it[i].w);
		}
		free(it);
	}

	/* 3. dup2 and F_DUPFD at the edge. */
	{
		int r1, r2, e2, r3, e3, r4, r5, e5;
		unsigned char b = 0;

		fd = open(file, O_RDONLY);
		r1 = dup2(fd, limit - 1);
		r2 = dup2(fd, limit);
		e2 = errno;
		r3 = fcntl(fd, F_DUPFD, limit - 1);
		e3 = errno;
		r4 = fcntl(fd, F_DUPFD, limit - 2);
		r5 = dup3(fd, limit + 100, O_CLOEXEC);
		e5 = errno;
		if (pread(limit - 1, &b, 1, 5) != 1)
			b = 0;
		report("fds-dup-edge", r1 == limit - 1 && r2 < 0 && e2 == EBADF &&
		       r3 < 0 && e3 == EMFILE && r4 == limit - 2 && r5 < 0 && e5 == EBADF &&
		       b == 5,
		       "dup2 to %d: %d; to %d: %d %s; F_DUPFD from %d: %d %s; from %d: %d; "
		       "dup3 to %d: %d %s; read through %d: %d",
		       limit - 1, r1, limit, r2, strerrorname_np(e2), limit - 1, r3,
		       strerrorname_np(e3), limit - 2, r4, limit + 100, r5,
		       strerrorname_np(e5), limit - 1, b);
		close(limit - 1);
		close(limit - 2);
		close(fd);
	}

	/* 4. stdout (kbox's host fd) dup'ed up to the edge: this line goes through it. */
	fflush(stdout);
	fd = dup2(1, limit - 3);
	if (fd == limit - 3) {
		n = snprintf(buf, sizeof(buf), "fds-dup2-stdout ok: written through fd %d\n", fd);
		if (write(fd, buf, n) != n)
			failures++;
		close(fd);
	} else {
		report("fds-dup2-stdout", false, "dup2(1, %d): %d %s", limit - 3, fd, strerror(errno));
	}

	/* 5. The limit holds in a child, and across its exec. */
	pid = fork();
	if (pid == 0) {
		char ls[16];

		snprintf(ls, sizeof(ls), "%d", limit);
		execl(self, self, "fds-probe", file, ls, (char *)NULL);
		_exit(3);
	}
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	report("fds-exec-child", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "status %#x (1: the limit did not hold)", st);

	/* 6. Raised beyond the first limit, and beyond 1024. */
	rl.rlim_cur = 8 * limit;
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < rl.rlim_cur) {
		printf("fds-raised ok: # SKIP hard limit %ld\n", (long)old.rlim_max);
	} else if (setrlimit(RLIMIT_NOFILE, &rl)) {
		report("fds-raised", false, "setrlimit %ld: %s", (long)rl.rlim_cur, strerror(errno));
	} else {
		nopen = count_open(8 * limit);
		n = open_until_full(file, fds, 8 * limit, &err);
		report("fds-raised", n == 8 * limit - nopen && err == EMFILE && n > 0 &&
		       fds[n - 1] == 8 * limit - 1 && check_reads(fds, n) < 0,
		       "limit %d: %d opened (want %d), then %s, highest %d", 8 * limit, n,
		       8 * limit - nopen, strerror(err), n ? fds[n - 1] : -1);
		close_all(fds, n);
	}
	setrlimit(RLIMIT_NOFILE, &old);
	free(fds);
	return failures ? 1 : 0;
}

/* Run by an exec'd child of "fds": the limit it inherited holds. */
static int cmd_fds_probe(const char *file, int limit)
{
	struct rlimit rl;
	int *fds = calloc(limit + 1, sizeof(int)), n, err;

	if (!fds || getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != (rlim_t)limit)
		return 2;
	n = open_until_full(file, fds, limit + 1, &err);
	return n > 0 && err == EMFILE && fds[n - 1] == limit - 1 ? 0 : 1;
}

/* ---- threads doing concurrent I/O --------------------------------------- */

#define BLK	4096
#define REC	12	/* "tNNN rNNNNN\n" */

struct worker {
	pthread_t th;
	int id, n, rounds;
	const char *dir;
	int shared, log;
	char why[160];
};

static size_t own_size(int id, int r)
{
	return 1 + ((size_t)id * 7919 + (size_t)r * 104729) % 65536;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(65536 + BLK), *back = malloc(65536);
	char path[256], rec[32];
	int r;

	snprintf(path, sizeof(path), "%s/t%d", w->dir, w->id);
	for (r = 0; r < w->rounds && !w->why[0]; r++) {
		size_t size = own_size(w->id, r), got = 0;
		ssize_t k;
		int fd;

		fill(buf, size, w->id * 1000 + r, 0);
		fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
		if (fd < 0 || write_all(fd, buf, size, NULL) || (r % 8 == 0 && fsync(fd)) ||
		    lseek(fd, 0, SEEK_SET)) {
			snprintf(w->why, sizeof(w->why), "own file, round %d: %s", r, strerror(errno));
			break;
		}
		while ((k = read(fd, back + got, 65536 - got)) > 0)
			got += (size_t)k;
		close(fd);
		if (got != size || memcmp(buf, back, size)) {
			snprintf(w->why, sizeof(w->why), "own file, round %d: read %zu of %zu bytes%s",
				 r, got, size, got == size ? ", different" : "");
			break;
		}
		fill(buf, BLK, 1000000 + w->id, (unsigned long)r * BLK);
		if (pwrite(w->shared, buf, BLK, ((off_t)r * w->n + w->id) * BLK) != BLK) {
			snprintf(w->why, sizeof(w->why), "pwrite, round %d: %s", r, strerror(errno));
			break;
		}
		snprintf(rec, sizeof(rec), "t%03d r%05d\n", w->id % 1000, r % 100000);
		if (write(w->log, rec, REC) != REC) {
			snprintf(w->why, sizeof(w->why), "append, round %d: %s", r, strerror(errno));
			break;
		}
	}
	free(buf);
	free(back);
	return NULL;
}

static int blocked_pipe[2], full_pipe[2];
static volatile int reader_back;

static void *blocked_reader(void *arg)
{
	char buf[16] = "";
	ssize_t n = read(blocked_pipe[0], buf, sizeof(buf) - 1);

	reader_back = 1;
	(void)arg;
	return (void *)(long)(n == 4 && !memcmp(buf, "wake", 4));
}

/* Writes more than a pipe holds: blocks until main drains it. */
#define FULL_LEN (256 << 10)
static void *blocked_writer(void *arg)
{
	unsigned char *buf = malloc(FULL_LEN);
	long ok;

	(void)arg;
	fill(buf, FULL_LEN, 77, 0);
	ok = !write_all(full_pipe[1], buf, FULL_LEN, NULL);
	free(buf);
	return (void *)ok;
}

static int cmd_threads(const char *dir, int n, int rounds)
{
	struct worker *w = calloc(n, sizeof(*w));
	char path[256], *logbuf;
	unsigned char *buf = malloc(FULL_LEN), *want = malloc(BLK);
	pthread_t rd, wr;
	int shared, log, i, r, bad = 0, early;
	size_t got = 0;
	ssize_t k;
	void *res;
	double t0 = now_s();

	if (!w || !buf || !want || (mkdir(dir, 0755) && errno != EEXIST) ||
	    pipe(blocked_pipe) || pipe(full_pipe))
		return 1;
	snprintf(path, sizeof(path), "%s/shared", dir);
	shared = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	snprintf(path, sizeof(path), "%s/log", dir);
	log = open(path, O_CREAT | O_TRUNC | O_RDWR | O_APPEND, 0644);
	if (shared < 0 || log < 0)
		return 1;
	pthread_create(&rd, NULL, blocked_reader, NULL);
	pthread_create(&wr, NULL, blocked_writer, NULL);
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .id = i, .n = n, .rounds = rounds, .dir = dir,
					.shared = shared, .log = log };
		pthread_create(&w[i].th, NULL, worker_main, &w[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].why[0] && !bad++)
			report("threads-worker", false, "thread %d: %s", i, w[i].why);
	}
	report("threads-own-files", !bad, "%d threads x %d rounds in %.1f s", n, rounds,
	       now_s() - t0);

	/* Each thread's last round is what its file holds now. */
	for (i = 0, bad = 0; i < n; i++) {
		size_t size = own_size(i, rounds - 1);
		int fd;

		snprintf(path, sizeof(path), "%s/t%d", dir, i);
		fd = open(path, O_RDONLY);
		k = fd < 0 ? -1 : read(fd, buf, FULL_LEN);
		close(fd);
		bad += k != (ssize_t)size || mismatch(buf, size, i * 1000 + rounds - 1, 0) >= 0;
	}
	report("threads-own-last", !bad, "%d of %d files hold their last round", n - bad, n);

	for (r = 0, bad = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			fill(want, BLK, 1000000 + i, (unsigned long)r * BLK);
			if (pread(shared, buf, BLK, ((off_t)r * n + i) * BLK) != BLK ||
			    memcmp(buf, want, BLK))
				bad++;
		}
	}
	report("threads-shared-pwrite", !bad && lseek(shared, 0, SEEK_END) == (off_t)n * rounds * BLK,
	       "%d of %d blocks wrong, size %ld", bad, n * rounds,
	       (long)lseek(shared, 0, SEEK_END));

	/* Every record once, whole, and each thread's in its order. */
	logbuf = malloc((size_t)n * rounds * REC + 1);
	if (!logbuf)
		return 1;
	lseek(log, 0, SEEK_SET);
	while (got < (size_t)n * rounds * REC + 1 &&
	       (k = read(log, logbuf + got, (size_t)n * rounds * REC + 1 - got)) > 0)
		got += (size_t)k;
	{
		int *next = calloc(n, sizeof(int));

		bad = got != (size_t)n * rounds * REC;
		for (i = 0; !bad && i < n * rounds; i++) {
			int id, rr;

			if (sscanf(logbuf + i * REC, "t%3d r%5d", &id, &rr) != 2 ||
			    logbuf[i * REC + REC - 1] != '\n' || id < 0 || id >= n ||
			    rr != next[id]++)
				bad = 1;
		}
		report("threads-append", !bad, "%zu bytes of records (want %d)%s", got,
		       n * rounds * REC, bad ? ", torn or out of order" : "");
		free(next);
	}
	free(logbuf);

	/* The pipe threads are still blocked; they come back with what they wait for. */
	early = reader_back;
	if (write(blocked_pipe[1], "wake", 4) != 4)
		return 1;
	pthread_join(rd, &res);
	report("threads-blocked-reader", !early && res, "%s; woke with %s",
	       early ? "came back early" : "stayed blocked", res ? "\"wake\"" : "the wrong data");
	got = 0;
	while (got < FULL_LEN && (k = read(full_pipe[0], buf + got, FULL_LEN - got)) > 0)
		got += (size_t)k;
	pthread_join(wr, &res);
	report("threads-blocked-writer", res && got == FULL_LEN && mismatch(buf, got, 77, 0) < 0,
	       "%zu of %d bytes through a full pipe", got, FULL_LEN);
	close(shared);
	close(log);
	free(w);
	free(buf);
	free(want);
	return failures ? 1 : 0;
}

/* ---- signal storms during I/O ------------------------------------------- */

#define STREAM	(2 << 20)	/* bytes through each pipe */
#define FILE_MB	8		/* the large file */

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

struct shared {
	volatile long sent;	/* signals the sender sent */
	volatile int stop;
	volatile long rounds;	/* rounds of I/O done */
};

struct io_stats {
	long rounds, eintr_pipe_read, eintr_pipe_write, short_pipe_write;
	long eintr_file, short_file;
	long bad;		/* lost, doubled or wrong bytes, failed helpers */
	char why[200];
};

static void io_fail(struct io_stats *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->bad++) {
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
	}
}

/* The feeder: the stream in uneven chunks, with pauses so that reads block. */
static void feed(int fd, unsigned long seed)
{
	unsigned char *buf = malloc(65536);
	unsigned long off = 0;
	int i = 0;

	while (off < STREAM) {
		size_t len = 1 + pat(seed, off) * 257 % 65536;

		if (len > STREAM - off)
			len = STREAM - off;
		fill(buf, len, seed, off);
		if (write_all(fd, buf, len, NULL))
			_exit(1);
		off += len;
		/* Now and then long enough for kbox to give up waiting (20 ms). */
		if (++i % 4 == 0)
			sleep_us(i % 16 ? 300 : 30000);
	}
	_exit(0);
}

/* The checking reader: slow, so that the writer's pipe fills up. */
static void drain(int fd, unsigned long seed)
{
	unsigned char *buf = malloc(65536);
	unsigned long off = 0;
	ssize_t n;
	int i = 0;

	while ((n = read(fd, buf, 65536)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (mismatch(buf, n, seed, off) >= 0)
			_exit(1);
		off += n;
		/* Now and then long enough for kbox to give up waiting (20 ms). */
		if (++i % 4 == 0)
			sleep_us(i % 16 ? 300 : 30000);
	}
	_exit(n == 0 && off == STREAM ? 0 : 2);
}

static pid_t helper(int keep, int drop, void (*fn)(int, unsigned long), unsigned long seed)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		close(drop);
		fn(keep, seed);
	}
	return pid;
}

static void wait_helper(struct io_stats *s, pid_t pid, const char *what)
{
	int st = -1;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		io_fail(s, "%s %d: status %#x", what, (int)pid, st);
}

/* One round of pipe reads, file writes and reads, pipe writes. */
static void io_round(const char *dir, struct io_stats *s)
{
	unsigned long seed = 10 * s->rounds, off = 0;
	unsigned char *buf = malloc(3 << 20);
	char path[256];
	int p[2], fd, i;
	ssize_t n;
	pid_t pid;

	/* a. A pipe fed in uneven chunks. */
	if (!buf || pipe(p))
		_exit(1);
	pid = helper(p[1], p[0], feed, seed);
	close(p[1]);
	for (;;) {
		n = read(p[0], buf, 65536);
		if (n < 0 && errno == EINTR) {
			s->eintr_pipe_read++;
			continue;
		}
		if (n <= 0)
			break;
		i = (int)mismatch(buf, n, seed, off);
		if (i >= 0) {
			io_fail(s, "pipe read: byte %lu wrong", off + i);
			break;
		}
		off += n;
	}
	if (n < 0)
		io_fail(s, "pipe read: %s", strerror(errno));
	if (off != STREAM)
		io_fail(s, "pipe read: %lu bytes, want %d", off, STREAM);
	close(p[0]);
	wait_helper(s, pid, "feeder");

	/* b. The large file: writes of 1, 2 and 3 MiB, then reads of 1 MiB. */
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0)
		_exit(1);
	for (off = 0, i = 0; off < FILE_MB << 20; i++) {
		size_t len = (size_t)(1 + i % 3) << 20;

		if (len > (FILE_MB << 20) - off)
			len = (FILE_MB << 20) - off;
		fill(buf, len, seed + 1, off);
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR) {
			s->eintr_file++;
			continue;
		}
		if (n < 0) {
			io_fail(s, "file write: %s", strerror(errno));
			break;
		}
		s->short_file += (size_t)n != len;
		off += n;
	}
	if (lseek(fd, 0, SEEK_SET))
		io_fail(s, "lseek: %s", strerror(errno));
	for (off = 0;;) {
		n = read(fd, buf, 1 << 20);
		if (n < 0 && errno == EINTR) {
			s->eintr_file++;
			continue;
		}
		if (n <= 0)
			break;
		s->short_file += n != 1 << 20 && off + n != FILE_MB << 20;
		i = (int)mismatch(buf, n, seed + 1, off);
		if (i >= 0) {
			io_fail(s, "file read: byte %lu wrong", off + i);
			break;
		}
		off += n;
	}
	if (off != FILE_MB << 20)
		io_fail(s, "file: %lu bytes read back, want %d", off, FILE_MB << 20);
	close(fd);

	/* c. Writes bigger than the pipe to a slow reader. */
	if (pipe(p))
		_exit(1);
	pid = helper(p[0], p[1], drain, seed + 2);
	close(p[0]);
	for (off = 0; off < STREAM;) {
		size_t len = STREAM - off < 100000 ? STREAM - off : 100000;

		fill(buf, len, seed + 2, off);
		n = write(p[1], buf, len);
		if (n < 0 && errno == EINTR) {
			s->eintr_pipe_write++;
			continue;
		}
		if (n <= 0) {
			io_fail(s, "pipe write: %s", strerror(errno));
			break;
		}
		s->short_pipe_write += (size_t)n != len;
		off += n;
	}
	close(p[1]);
	wait_helper(s, pid, "reader");
	free(buf);
	s->rounds++;
}

static struct shared *shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int cmd_signals(const char *dir, long nsig, bool restart)
{
	struct shared *sh = shared_page();
	struct sigaction sa;
	struct io_stats s = { 0 };
	pid_t me = getpid(), sender;
	double t0 = now_s();
	int st = -1;

	if (!sh || (mkdir(dir, 0755) && errno != EEXIST))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	sender = fork();
	if (sender == 0) {
		while (!sh->stop) {
			if (kill(me, SIGUSR1))
				_exit(1);
			if (++sh->sent % 32 == 0)
				sched_yield();
		}
		_exit(0);
	}
	/* At least two rounds, and until the storm has been that long. */
	do
		io_round(dir, &s);
	while ((s.rounds < 2 || sh->sent < nsig) && s.rounds < 100 && !s.bad);
	sh->stop = 1;
	while (waitpid(sender, &st, 0) < 0 && errno == EINTR)
		;
	report("signals-storm", WIFEXITED(st) && !WEXITSTATUS(st) && sh->sent >= nsig && caught > 0,
	       "%ld sent, %ld caught, %ld rounds of I/O in %.1f s (SA_RESTART %s)", sh->sent,
	       (long)caught, s.rounds, now_s() - t0, restart ? "on" : "off");
	report("signals-data", !s.bad, "%s", s.bad ? s.why : "no byte lost, doubled or wrong");
	report("signals-file-eintr", !s.eintr_file && !s.short_file,
	       "%ld EINTR, %ld short counts from the file", s.eintr_file, s.short_file);
	/* POSIX: without SA_RESTART a pipe read or write may fail with EINTR. */
	report("signals-pipe-eintr", !restart || (!s.eintr_pipe_read && !s.eintr_pipe_write),
	       "%ld EINTR from pipe reads, %ld from pipe writes, %ld short pipe writes",
	       s.eintr_pipe_read, s.eintr_pipe_write, s.short_pipe_write);
	return failures ? 1 : 0;
}

/*
 * The worker is a process group leader, with its helpers in its group:
 * every other stop is for the whole group (the worker and the feeder or
 * reader of the moment), the others for the worker alone.
 */
static int cmd_stopcont(const char *dir, int nstops)
{
	struct shared *sh = shared_page();
	int st = -1, stops = 0, conts = 0, i;
	double t0 = now_s();
	pid_t worker, to;

	if (!sh || (mkdir(dir, 0755) && errno != EEXIST))
		return 1;
	worker = fork();
	if (worker == 0) {
		struct io_stats ws = { 0 };

		setpgid(0, 0);
		do {
			io_round(dir, &ws);
			sh->rounds = ws.rounds;
		} while (!sh->stop && ws.rounds < 100 && !ws.bad);
		if (ws.bad)
			printf("stopcont-worker FAIL: %s\n", ws.why);
		_exit(ws.bad ? 1 : 0);
	}
	if (worker < 0 || (setpgid(worker, worker) && errno != EACCES))
		return 1;
	/* At least nstops, and on until the worker is through two rounds. */
	for (i = 0; i < nstops || (sh->rounds < 2 && i < 100 * nstops); i++) {
		to = i % 2 ? -worker : worker;
		if (kill(to, SIGSTOP) || waitpid(worker, &st, WUNTRACED) != worker ||
		    !WIFSTOPPED(st))
			break;
		stops++;
		sleep_us(500);
		if (kill(to, SIGCONT) || waitpid(worker, &st, WCONTINUED) != worker ||
		    !WIFCONTINUED(st))
			break;
		conts++;
		/* Some time to run: the I/O goes on between the stops. */
		sleep_us(2000);
	}
	sh->stop = 1;
	while (waitpid(worker, &st, 0) < 0 && errno == EINTR)
		;
	report("stopcont", stops == i && conts == i && i >= nstops && WIFEXITED(st) &&
	       !WEXITSTATUS(st), "%d stops, %d continues in %.1f s, %ld rounds of I/O; "
	       "the worker's status %#x", stops, conts, now_s() - t0, sh->rounds, st);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* Children exec this program again, however it was found. */
	self = "/proc/self/exe";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "fork"))
		return cmd_fork(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "fork-exec"))
		return cmd_fork_exec(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "fds"))
		return cmd_fds(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "fds-probe"))
		return cmd_fds_probe(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "threads"))
		return cmd_threads(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "signals"))
		return cmd_signals(argv[2], atol(argv[3]), !strcmp(argv[4], "restart"));
	if (argc == 4 && !strcmp(argv[1], "stopcont"))
		return cmd_stopcont(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: stress fork|fds|threads|signals|stopcont ARGS (see the source)\n");
	return 2;
}
