// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile, splice, copy_file_range and tee between host fds and kernel
 * fds inside kbox.  Each check prints "NAME ok" or "NAME FAIL: why"; the
 * program runs as well on Linux itself, where it passes too.
 *
 *   hostcopy pipes FILE    stdin a host pipe holding "host-data" (its
 *                          writer gone): the program opens a writer of it
 *                          anew through /dev/stdin; FILE is any file of a
 *                          few KiB or more
 *   hostcopy files FILE    stdin a host regular file; FILE a new file to
 *                          write (its name, plus ".slice")
 *   hostcopy sendout FILE  FILE whole, then bytes 1000 to 5999 of it, to
 *                          stdout by sendfile; checks go to stderr
 *   hostcopy binds SRC DST FILE  SRC (in a bind) to FILE (in the image)
 *                          and back to DST by sendfile
 *   hostcopy tee           stdin a host pipe, stdout a host file: tee
 *                          between host and kernel pipes (kbox only: its
 *                          EINVAL is a choice, Linux tees two pipes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define BIG	(2 << 20)

static volatile sig_atomic_t signals;

static void on_alarm(int sig)
{
	(void)sig;
	signals++;
}

/* SIGALRM in ms, its handler with or without SA_RESTART. */
static void alarm_in(int ms, int restart)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Up to n bytes of fd, waiting for them until EOF; the count. */
static size_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

/* What fd has now (stdin: a pipe kept open by the writer this program holds). */
static size_t drain(int fd, void *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n && poll(&p, 1, 0) == 1) {
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

static char *slurp(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	buf = malloc(st.st_size + 1);
	if (buf)
		*size = read_full(fd, buf, st.st_size);
	close(fd);
	return buf;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 4099);
}

static int has_pattern(const unsigned char *buf, size_t from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != pattern(from + i))
			return 0;
	return 1;
}

struct job {
	int fd;
	size_t n;
	int ok;
};

/* A thread writing BIG bytes of the pattern to fd. */
static void *writer(void *arg)
{
	struct job *j = arg;
	unsigned char *buf = malloc(j->n);
	size_t i;

	for (i = 0; i < j->n; i++)
		buf[i] = pattern(i);
	j->ok = write(j->fd, buf, j->n) == (ssize_t)j->n;
	free(buf);
	return NULL;
}

/* A thread reading BIG bytes of fd and checking them against the pattern. */
static void *reader(void *arg)
{
	struct job *j = arg;
	unsigned char *buf = malloc(j->n);

	j->ok = read_full(j->fd, buf, j->n) == j->n && has_pattern(buf, 0, j->n);
	free(buf);
	return NULL;
}

/* A child reading n bytes of fd: exit 0 when they are want's. */
static pid_t read_child(int fd, const char *want, size_t n)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *buf = malloc(n ? n : 1);

		if (want)
			_exit(!(read_full(fd, buf, n) == n && !memcmp(buf, want, n)));
		_exit(!(read_full(fd, buf, n) == n && has_pattern((unsigned char *)buf, 0, n)));
	}
	return pid;
}

static int pipes(const char *path)
{
	char buf[65536], page[4096];
	size_t fsize = 0, i;
	char *fdata = slurp(path, &fsize);
	int w, kp[2], ffd = open(path, O_RDONLY), mfd = memfd_create("m", 0), psz, n;
	off_t off;
	long t0;
	pid_t child;
	pthread_t th;
	struct job j;

	w = open("/dev/stdin", O_WRONLY);
	check("reopen-writer", w >= 0, "open /dev/stdin for writing");
	if (w < 0 || ffd < 0 || !fdata || fsize < 8192 || mfd < 0 || pipe(kp))
		return 1;

	/* Host pipe to kernel pipe and back. */
	n = splice(0, NULL, kp[1], NULL, sizeof(buf), 0);
	check("splice-in", n == 9 && read(kp[0], buf, sizeof(buf)) == 9 && !memcmp(buf, "host-data", 9),
	      "%d", n);
	n = splice(0, NULL, kp[1], NULL, sizeof(buf), SPLICE_F_NONBLOCK);
	check("splice-in-eagain", n == -1 && errno == EAGAIN, "%d", n);
	n = write(kp[1], "kernel-data", 11) == 11 ? splice(kp[0], NULL, w, NULL, sizeof(buf), 0) : -2;
	check("splice-out", n == 11 && drain(0, buf, sizeof(buf)) == 11 && !memcmp(buf, "kernel-data", 11),
	      "%d", n);
	n = splice(kp[0], NULL, w, NULL, sizeof(buf), SPLICE_F_NONBLOCK);
	check("splice-out-eagain", n == -1 && errno == EAGAIN, "%d", n);

	/* Linux's errors. */
	off = 0;
	n = splice(0, &off, kp[1], NULL, 10, 0);
	check("splice-espipe-in", n == -1 && errno == ESPIPE, "%d", n);
	n = splice(kp[0], NULL, w, &off, 10, 0);
	check("splice-espipe-out", n == -1 && errno == ESPIPE, "%d", n);
	n = splice(0, NULL, kp[1], NULL, 10, 0x100);
	check("splice-flags", n == -1 && errno == EINVAL, "%d", n);
	n = splice(0, NULL, 999, NULL, 10, 0);
	check("splice-ebadf", n == -1 && errno == EBADF, "%d", n);
	n = splice(kp[1], NULL, w, NULL, 10, 0);
	check("splice-ebadf-mode", n == -1 && errno == EBADF, "%d", n);
	n = splice(ffd, NULL, mfd, NULL, 10, 0);
	check("splice-no-pipe", n == -1 && errno == EINVAL, "%d", n);
	n = splice(0, NULL, 999, NULL, 0, 0);
	check("splice-zero", n == 0, "%d", n);
	n = sendfile(kp[1], 0, &off, 10);
	check("sendfile-espipe", n == -1 && errno == ESPIPE, "%d", n);
	n = sendfile(kp[1], 0, NULL, 10);
	check("sendfile-from-pipe", n == -1 && errno == EINVAL, "%d", n);
	n = sendfile(w, ffd, (off_t *)8, 10);
	check("sendfile-efault", n == -1 && errno == EFAULT, "%d", n);
	n = sendfile(w, kp[1], NULL, 10);
	check("sendfile-ebadf", n == -1 && errno == EBADF, "%d", n);
	n = sendfile(ffd, mfd, NULL, 10);
	check("sendfile-ebadf-out", n == -1 && errno == EBADF, "%d", n);
	n = sendfile(w, ffd, NULL, (size_t)-1);
	check("sendfile-negative", n == -1 && errno == EINVAL, "%d", n);

	/* sendfile from an image file to the host pipe: the offset, or the file's. */
	off = 100;
	n = sendfile(w, ffd, &off, 1000);
	check("sendfile-off", n == 1000 && off == 1100 && lseek(ffd, 0, SEEK_CUR) == 0 &&
	      drain(0, buf, sizeof(buf)) == 1000 && !memcmp(buf, fdata + 100, 1000),
	      "%d, offset %ld", n, (long)off);
	lseek(ffd, 50, SEEK_SET);
	n = sendfile(w, ffd, NULL, 10);
	check("sendfile-pos", n == 10 && lseek(ffd, 0, SEEK_CUR) == 60 &&
	      drain(0, buf, sizeof(buf)) == 10 && !memcmp(buf, fdata + 50, 10), "%d", n);

	/* A pipe takes what it has room for: one page. */
	psz = fcntl(w, F_GETPIPE_SZ);
	memset(page, 'p', sizeof(page));
	for (i = 0; psz > 4096 && i < (size_t)psz / 4096 - 1; i++)
		if (write(w, page, sizeof(page)) != sizeof(page))
			break;
	off = 0;
	n = sendfile(w, ffd, &off, sizeof(buf));
	check("sendfile-short", n == 4096 && off == 4096, "%d, offset %ld (pipe %d)", n, (long)off, psz);
	for (i = 0; psz > 4096 && i < (size_t)psz / 4096 - 1; i++)
		drain(0, page, sizeof(page));
	check("sendfile-short-data", drain(0, buf, sizeof(buf)) == 4096 && !memcmp(buf, fdata, 4096),
	      "other bytes");
	check("flags-kept", !(fcntl(w, F_GETFL) & O_NONBLOCK) && !(fcntl(0, F_GETFL) & O_NONBLOCK),
	      "O_NONBLOCK set");

	/* A full host pipe: EAGAIN when asked, else a wait that a signal ends. */
	fcntl(w, F_SETFL, O_NONBLOCK);
	while (write(w, page, sizeof(page)) > 0)
		;
	n = sendfile(w, ffd, &off, 100);
	check("sendfile-eagain", n == -1 && errno == EAGAIN, "%d", n);
	n = write(kp[1], "x", 1) == 1 ? splice(kp[0], NULL, w, NULL, 100, 0) : -2;
	check("splice-out-eagain-full", n == -1 && errno == EAGAIN, "%d", n);
	fcntl(w, F_SETFL, 0);
	n = splice(kp[0], NULL, w, NULL, 100, SPLICE_F_NONBLOCK);
	check("splice-flag-eagain-full", n == -1 && errno == EAGAIN, "%d", n);
	alarm_in(200, 0);
	t0 = now_ms();
	off = 0;
	n = sendfile(w, ffd, &off, 100);
	check("sendfile-eintr", n == -1 && errno == EINTR && off == 0 && now_ms() - t0 >= 150,
	      "%d after %ld ms", n, now_ms() - t0);
	alarm_in(200, 0);
	t0 = now_ms();
	n = splice(kp[0], NULL, w, NULL, 100, 0);
	check("splice-out-eintr", n == -1 && errno == EINTR && now_ms() - t0 >= 150,
	      "%d after %ld ms", n, now_ms() - t0);
	check("splice-out-kept", read(kp[0], buf, sizeof(buf)) == 1 && buf[0] == 'x', "lost");
	/* The next call is not cut short by what interrupted this one. */
	t0 = now_ms();
	{
		struct pollfd p = { .fd = kp[0], .events = POLLIN };

		n = poll(&p, 1, 200);
	}
	check("after-eintr", n == 0 && now_ms() - t0 >= 190, "%d after %ld ms", n, now_ms() - t0);
	while (drain(0, buf, sizeof(buf)) > 0)
		;
	/* An empty kernel pipe, the host pipe with room: the kernel's wait ends too. */
	alarm_in(200, 0);
	t0 = now_ms();
	n = splice(kp[0], NULL, w, NULL, 100, 0);
	check("splice-kernel-eintr", n == -1 && errno == EINTR && now_ms() - t0 >= 150,
	      "%d after %ld ms", n, now_ms() - t0);

	/* An empty host pipe (this program holds a writer): EINTR, or a restart. */
	alarm_in(200, 0);
	t0 = now_ms();
	n = splice(0, NULL, kp[1], NULL, 100, 0);
	check("splice-in-eintr", n == -1 && errno == EINTR && now_ms() - t0 >= 150,
	      "%d after %ld ms", n, now_ms() - t0);
	child = fork();
	if (child == 0) {
		usleep(400000);
		_exit(write(w, "late", 4) != 4);
	}
	signals = 0;
	alarm_in(100, 1);
	n = splice(0, NULL, kp[1], NULL, 100, 0);
	check("splice-in-restart", n == 4 && signals == 1 && read(kp[0], buf, sizeof(buf)) == 4 &&
	      !memcmp(buf, "late", 4), "%d, %d signals", n, (int)signals);
	child_status(child);

	/* Megabytes each way, both sides busy at once. */
	child = fork();
	if (child == 0) {
		j = (struct job){ .fd = w, .n = BIG };
		writer(&j);
		_exit(!j.ok);
	}
	j = (struct job){ .fd = kp[0], .n = BIG };
	pthread_create(&th, NULL, reader, &j);
	for (i = 0; i < BIG; i += n)
		if ((n = splice(0, NULL, kp[1], NULL, BIG - i, 0)) <= 0)
			break;
	pthread_join(th, NULL);
	check("big-in", i == BIG && j.ok && child_status(child) == 0, "%zu bytes", i);
	child = read_child(0, NULL, BIG);
	j = (struct job){ .fd = kp[1], .n = BIG };
	pthread_create(&th, NULL, writer, &j);
	for (i = 0; i < BIG; i += n)
		if ((n = splice(kp[0], NULL, w, NULL, BIG - i, 0)) <= 0)
			break;
	pthread_join(th, NULL);
	check("big-out", i == BIG && j.ok && child_status(child) == 0, "%zu bytes", i);
	child = read_child(0, fdata, fsize);
	off = 0;
	for (i = 0; i < fsize; i += n)
		if ((n = sendfile(w, ffd, &off, fsize - i)) <= 0)
			break;
	check("big-sendfile", i == fsize && off == (off_t)fsize && child_status(child) == 0,
	      "%zu bytes", i);
	return failed;
}

/*
 * tee between stdin (a host pipe) and a kernel pipe: kbox's answer is
 * EINVAL, Linux's for anything but two pipes (Linux itself tees them).
 */
static int tees(void)
{
	int kp[2], n;

	if (pipe(kp))
		return 1;
	n = tee(0, kp[1], 10, SPLICE_F_NONBLOCK);
	check("tee-einval", n == -1 && errno == EINVAL, "%d", n);
	n = tee(kp[0], 1, 10, SPLICE_F_NONBLOCK);
	check("tee-einval-out", n == -1 && errno == EINVAL, "%d", n);
	n = tee(0, 999, 10, 0);
	check("tee-ebadf", n == -1 && errno == EBADF, "%d", n);
	n = tee(0, kp[1], 10, 0x100);
	check("tee-flags", n == -1 && errno == EINVAL, "%d", n);
	return failed;
}

/* A kernel socket fills; a signal ends the wait: what moved is the answer. */
static void partial(void)
{
	size_t size = 4 << 20, got = 0;
	unsigned char *buf = malloc(size);
	int sv[2], sz = 65536, mfd = memfd_create("p", 0);
	size_t i;
	ssize_t n, r;

	for (i = 0; i < size; i++)
		buf[i] = pattern(i);
	if (mfd < 0 || write(mfd, buf, size) != (ssize_t)size || lseek(mfd, 0, SEEK_SET) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		check("partial", 0, "setup");
		return;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	alarm_in(300, 0);
	n = sendfile(sv[0], mfd, NULL, size);
	check("partial", n > 0 && n < (ssize_t)size && lseek(mfd, 0, SEEK_CUR) == n,
	      "%zd of %zu, position %ld", n, size, (long)lseek(mfd, 0, SEEK_CUR));
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(buf, 0, size);
	while (n > 0 && got < (size_t)n && (r = read(sv[1], buf + got, size - got)) > 0)
		got += r;
	check("partial-data", n > 0 && got == (size_t)n && has_pattern(buf, 0, got),
	      "%zu bytes in the socket", got);
	free(buf);
}

static int files(const char *path)
{
	char buf[65536], slice[256];
	struct stat st;
	size_t size, i;
	char *data;
	int out, kp[2], mfd = memfd_create("m", 0), mfd2 = memfd_create("m2", 0), app, dir, big, nul;
	off_t off;
	ssize_t n;

	if (fstat(0, &st) < 0 || !S_ISREG(st.st_mode) || mfd < 0 || mfd2 < 0 || pipe(kp))
		return 1;
	size = st.st_size;
	data = malloc(size);
	if (!data || pread(0, data, size, 0) != (ssize_t)size)
		return 1;
	snprintf(slice, sizeof(slice), "%s.slice", path);

	/* A host file (stdin) into the image, and back out to a memfd. */
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (i = 0; out >= 0; i += n)
		if ((n = sendfile(out, 0, NULL, 1 << 20)) <= 0)
			break;
	check("sendfile-from-host", out >= 0 && i == size && lseek(0, 0, SEEK_CUR) == (off_t)size &&
	      lseek(out, 0, SEEK_CUR) == (off_t)size, "%zu of %zu", i, size);
	close(out);
	out = open(slice, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	off = 1000;
	n = sendfile(out, 0, &off, 5000);
	check("sendfile-from-host-off", n == 5000 && off == 6000 && lseek(0, 0, SEEK_CUR) == (off_t)size,
	      "%zd, offset %ld", n, (long)off);
	close(out);
	out = open(path, O_RDONLY);
	for (i = 0; out >= 0; i += n)
		if ((n = sendfile(mfd, out, NULL, size)) <= 0)
			break;
	{
		char *back = malloc(size);

		check("sendfile-to-host", i == size && back && pread(mfd, back, size, 0) == (ssize_t)size &&
		      !memcmp(back, data, size), "%zu of %zu", i, size);
		free(back);
	}
	off = 0;
	n = sendfile(mfd, out, &off, (size_t)1 << 40);
	check("sendfile-huge-count", n == (ssize_t)size && off == (off_t)size, "%zd", n);
	n = sendfile(mfd, out, &off, (size_t)-1);
	check("sendfile-negative", n == -1 && errno == EINVAL, "%zd", n);

	/* A file and a pipe, each way, at an offset or the file's position. */
	off = 10;
	n = splice(mfd, &off, kp[1], NULL, 100, 0);
	check("splice-file-to-pipe", n == 100 && off == 110 && read(kp[0], buf, sizeof(buf)) == 100 &&
	      !memcmp(buf, data + 10, 100), "%zd, offset %ld", n, (long)off);
	lseek(mfd, 20, SEEK_SET);
	n = splice(mfd, NULL, kp[1], NULL, 30, 0);
	check("splice-file-pos", n == 30 && lseek(mfd, 0, SEEK_CUR) == 50 &&
	      read(kp[0], buf, sizeof(buf)) == 30 && !memcmp(buf, data + 20, 30), "%zd", n);
	off = 5;
	n = write(kp[1], "abc", 3) == 3 ? splice(kp[0], NULL, mfd2, &off, 100, 0) : -2;
	check("splice-pipe-to-file", n == 3 && off == 8 && pread(mfd2, buf, 3, 5) == 3 &&
	      !memcmp(buf, "abc", 3) && lseek(mfd2, 0, SEEK_CUR) == 0, "%zd, offset %ld", n, (long)off);
	n = write(kp[1], "defg", 4) == 4 ? splice(kp[0], NULL, mfd2, NULL, 100, 0) : -2;
	check("splice-pipe-to-pos", n == 4 && lseek(mfd2, 0, SEEK_CUR) == 4 && pread(mfd2, buf, 4, 0) == 4 &&
	      !memcmp(buf, "defg", 4), "%zd", n);

	/* sendfile moves 0x7ffff000 bytes at most (a sparse memfd to the kernel's /dev/null). */
	big = memfd_create("big", 0);
	nul = open("/dev/null", O_WRONLY);
	off = 0;
	n = big >= 0 && nul >= 0 && !ftruncate(big, 3L << 30) ? sendfile(nul, big, &off, 3L << 30) : -2;
	check("sendfile-max", n == 0x7ffff000 && off == 0x7ffff000, "%zd", n);
	close(big);
	close(nul);

	/* copy_file_range: Linux's checks, then EXDEV (two file systems). */
	out = open(path, O_WRONLY);
	app = open(path, O_WRONLY | O_APPEND);
	dir = open("/", O_RDONLY | O_DIRECTORY);
	n = copy_file_range(0, NULL, out, NULL, 100, 0);
	check("cfr-exdev", n == -1 && errno == EXDEV, "%zd", n);
	n = copy_file_range(out, NULL, mfd, NULL, 100, 0);
	check("cfr-ebadf-in", n == -1 && errno == EBADF, "%zd", n);
	n = copy_file_range(mfd, NULL, app, NULL, 100, 0);
	check("cfr-append", n == -1 && errno == EBADF, "%zd", n);
	n = copy_file_range(0, NULL, out, NULL, 100, 1);
	check("cfr-flags", n == -1 && errno == EINVAL, "%zd", n);
	n = copy_file_range(kp[0], NULL, mfd, NULL, 100, 0);
	check("cfr-pipe", n == -1 && errno == EINVAL, "%zd", n);
	n = copy_file_range(dir, NULL, mfd, NULL, 100, 0);
	check("cfr-dir", n == -1 && errno == EISDIR, "%zd", n);
	n = copy_file_range(0, (loff_t *)8, out, NULL, 100, 0);
	check("cfr-efault", n == -1 && errno == EFAULT, "%zd", n);
	n = copy_file_range(0, NULL, 999, NULL, 100, 0);
	check("cfr-ebadf", n == -1 && errno == EBADF, "%zd", n);
	n = sendfile(app, mfd, NULL, 100);
	check("sendfile-append", n == -1 && errno == EINVAL, "%zd", n);
	partial();
	return failed;
}

/* Checks on stderr, FILE on stdout (whole, then bytes 1000 to 5999). */
static int sendout(const char *path)
{
	int data = dup(1), fd = open(path, O_RDONLY);
	struct stat st;
	size_t i;
	ssize_t n;
	off_t off;

	if (data < 0 || fd < 0 || fstat(fd, &st) < 0 || dup2(2, 1) < 0)
		return 1;
	for (i = 0; i < (size_t)st.st_size; i += n)
		if ((n = sendfile(data, fd, NULL, 1 << 20)) <= 0)
			break;
	check("sendout-whole", i == (size_t)st.st_size && lseek(fd, 0, SEEK_CUR) == st.st_size,
	      "%zu of %ld", i, (long)st.st_size);
	off = 1000;
	for (i = 0; i < 5000; i += n)
		if ((n = sendfile(data, fd, &off, 5000 - i)) <= 0)
			break;
	check("sendout-slice", i == 5000 && off == 6000 && lseek(fd, 0, SEEK_CUR) == st.st_size,
	      "%zu, offset %ld", i, (long)off);
	return failed;
}

/* SRC (a bind's) into FILE (the image's) and back into DST, by sendfile. */
static int binds(const char *src, const char *dst, const char *file)
{
	int in = open(src, O_RDONLY), img = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int back = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct stat st;
	size_t i;
	ssize_t n;

	if (in < 0 || img < 0 || back < 0 || fstat(in, &st) < 0)
		return 1;
	for (i = 0; i < (size_t)st.st_size; i += n)
		if ((n = sendfile(img, in, NULL, st.st_size)) <= 0)
			break;
	check("bind-to-image", i == (size_t)st.st_size, "%zu of %ld", i, (long)st.st_size);
	lseek(img, 0, SEEK_SET);
	for (i = 0; i < (size_t)st.st_size; i += n)
		if ((n = sendfile(back, img, NULL, st.st_size)) <= 0)
			break;
	check("image-to-bind", i == (size_t)st.st_size, "%zu of %ld", i, (long)st.st_size);
	/* Linux copies between two file systems only when both are of one type. */
	lseek(in, 0, SEEK_SET);
	n = copy_file_range(in, NULL, img, NULL, 100, 0);
	check("bind-cfr-exdev", n == -1 && errno == EXDEV, "%zd", n);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "pipes"))
		return pipes(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "tee"))
		return tees();
	if (argc == 3 && !strcmp(argv[1], "files"))
		return files(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "sendout"))
		return sendout(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "binds"))
		return binds(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: hostcopy pipes|files|sendout FILE, binds SRC DST FILE, or tee\n");
	return 2;
}
