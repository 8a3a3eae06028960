// SPDX-License-Identifier: GPL-2.0
/*
 * liblkl benchmarks: the library kernel against the host kernel.
 *
 *	lkl_bench IMAGE WORKDIR
 *
 * IMAGE is an empty ext4 image (mke2fs -q -t ext4 IMAGE 512M), WORKDIR a
 * scratch directory on the host filesystem for the native side.  Prints one
 * table: operation, native, liblkl, ratio liblkl/native, and the aim where
 * the issue sets one.  Nothing is asserted; the exit status only says
 * whether every measurement could be taken.
 *
 * Boot, halt and peak RSS are measured in fresh processes (this program
 * run again as "lkl_bench child ..."), the rest in this one, booted once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <lkl.h>

#define CMDLINE		"mem=64M loglevel=4"
#define BOOT_RUNS	5
#define CALL_ROUNDS	5
#define ROUND_NS	100000000LL	/* each per-call round runs 0.1 s */
#define SEQ_SIZE	(256LL << 20)
#define SEQ_CHUNK	(1 << 20)
#define SMALL_SIZE	(64 << 10)

/*
 * The kernel's console, kept in memory and shown only if something fails:
 * the table stays readable, and the console costs what it costs in any
 * program (one call per message).
 */
static char klog[16384];
static size_t klog_len;

static void quiet_print(const char *str, int len)
{
	if (len > 0 && klog_len + (size_t)len < sizeof(klog)) {
		memcpy(klog + klog_len, str, (size_t)len);
		klog_len += (size_t)len;
	}
}

static struct lkl_host_operations host_ops;

static void die(const char *fmt, ...)
{
	va_list ap;

	fwrite(klog, 1, klog_len, stderr);
	va_start(ap, fmt);
	fprintf(stderr, "lkl_bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long check(long ret, const char *what)
{
	if (ret < 0)
		die("%s: %s", what, lkl_strerror((int)ret));
	return ret;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- the table ---- */

struct row {
	const char *op, *unit;
	double native, lkl;	/* < 0: not applicable */
	const char *aim;
};

static struct row rows[32];
static int nrows;

static void add(const char *op, const char *unit, double native, double lkl,
		const char *aim)
{
	rows[nrows++] = (struct row){ op, unit, native, lkl, aim };
}

static void fmt_val(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else if (v >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

static void print_table(void)
{
	const char *head[] = { "operation", "unit", "native", "liblkl",
			       "liblkl/native", "aim" };
	char cell[32][6][64];
	int w[6], i, c;

	for (c = 0; c < 6; c++)
		w[c] = (int)strlen(head[c]);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		snprintf(cell[i][0], 64, "%s", r->op);
		snprintf(cell[i][1], 64, "%s", r->unit);
		fmt_val(cell[i][2], 64, r->native);
		fmt_val(cell[i][3], 64, r->lkl);
		if (r->native > 0 && r->lkl >= 0)
			snprintf(cell[i][4], 64, "%.2f", r->lkl / r->native);
		else
			snprintf(cell[i][4], 64, "-");
		snprintf(cell[i][5], 64, "%s", r->aim ? r->aim : "");
		for (c = 0; c < 6; c++)
			if ((int)strlen(cell[i][c]) > w[c])
				w[c] = (int)strlen(cell[i][c]);
	}
	printf("%-*s  %-*s  %*s  %*s  %*s  %s\n", w[0], head[0], w[1], head[1],
	       w[2], head[2], w[3], head[3], w[4], head[4], head[5]);
	for (i = 0; i < nrows; i++)
		printf("%-*s  %-*s  %*s  %*s  %*s  %s\n", w[0], cell[i][0],
		       w[1], cell[i][1], w[2], cell[i][2], w[3], cell[i][3],
		       w[4], cell[i][4], cell[i][5]);
}

/* ---- fresh processes: boot, halt, peak RSS ---- */

static void boot(void)
{
	host_ops = lkl_host_ops;
	host_ops.print = quiet_print;
	if (lkl_init(&host_ops) < 0)
		die("lkl_init failed");
	check(lkl_start_kernel(CMDLINE), "lkl_start_kernel");
}

/* Add IMAGE as a disk and mount it; returns the disk id. */
static int mount_image(const char *image, struct lkl_disk *disk, char *mnt,
		       unsigned int len)
{
	int id;

	disk->fd = open(image, O_RDWR);
	if (disk->fd < 0)
		die("%s: %s", image, strerror(errno));
	disk->ops = NULL;
	id = (int)check(lkl_disk_add(disk), "lkl_disk_add");
	check(lkl_mount_dev((unsigned int)id, 0, "ext4", 0, NULL, mnt, len),
	      "lkl_mount_dev");
	return id;
}

/*
 * child boot:   "boot_ns halt_ns"
 * child mount IMAGE: "boot_mount_ns halt_ns" (halt with the image mounted)
 * child rss none|boot: peak RSS in KiB
 */
static int child(int argc, char **argv)
{
	struct lkl_disk disk;
	char mnt[64];
	long long t0, t1, t2;

	if (argc >= 2 && !strcmp(argv[0], "rss")) {
		if (!strcmp(argv[1], "boot"))
			boot();
		printf("%ld\n", peak_rss_kib());
		fflush(stdout);
		if (!strcmp(argv[1], "boot")) {
			lkl_sys_halt();
			lkl_cleanup();
		}
		return 0;
	}
	/* "boot": boot and halt; "mount IMAGE": boot, mount, halt. */
	if ((argc >= 1 && !strcmp(argv[0], "boot")) ||
	    (argc >= 2 && !strcmp(argv[0], "mount"))) {
		t0 = now_ns();
		boot();
		if (argc >= 2 && !strcmp(argv[0], "mount"))
			mount_image(argv[1], &disk, mnt, sizeof(mnt));
		t1 = now_ns();
		check(lkl_sys_halt(), "lkl_sys_halt");
		lkl_cleanup();
		t2 = now_ns();
		printf("%lld %lld\n", t1 - t0, t2 - t1);
		return 0;
	}
	die("unknown child mode");
	return 1;
}

/* Run this program as "child ARGS..." and read its output. */
static void run_child(char *out, size_t len, const char *a1, const char *a2)
{
	char *argv[] = { "lkl_bench", "child", (char *)a1, (char *)a2, NULL };
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - got - 1)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("child %s %s failed (status 0x%x)", a1, a2 ? a2 : "", status);
}

static void bench_boot(const char *image)
{
	double boot[BOOT_RUNS], halt[BOOT_RUNS], mboot[BOOT_RUNS], mhalt[BOOT_RUNS];
	long long a, b;
	char out[256];
	long none, booted;
	int i;

	for (i = 0; i < BOOT_RUNS; i++) {
		run_child(out, sizeof(out), "boot", NULL);
		if (sscanf(out, "%lld %lld", &a, &b) != 2)
			die("child boot: bad output '%s'", out);
		boot[i] = a / 1e6;
		halt[i] = b / 1e6;
		run_child(out, sizeof(out), "mount", image);
		if (sscanf(out, "%lld %lld", &a, &b) != 2)
			die("child mount: bad output '%s'", out);
		mboot[i] = a / 1e6;
		mhalt[i] = b / 1e6;
	}
	add("boot to ready (init+start_kernel)", "ms", -1, median(boot, BOOT_RUNS), NULL);
	add("boot + disk_add + mount ext4", "ms", -1, median(mboot, BOOT_RUNS),
	    "< 50 ms");
	add("halt + cleanup", "ms", -1, median(halt, BOOT_RUNS), NULL);
	add("halt + cleanup, ext4 mounted", "ms", -1, median(mhalt, BOOT_RUNS), NULL);

	run_child(out, sizeof(out), "rss", "none");
	none = atol(out);
	run_child(out, sizeof(out), "rss", "boot");
	booted = atol(out);
	add("peak RSS after boot", "MiB", none / 1024.0,
	    booted / 1024.0, NULL);
}

/* ---- per-call cost ---- */

enum op { OP_GETPID, OP_STAT, OP_OPEN_CLOSE, OP_PREAD };

static char small_buf[4096];

static void one_native(enum op op, int fd)
{
	struct stat st;

	switch (op) {
	case OP_GETPID:
		syscall(SYS_getpid);
		break;
	case OP_STAT:
		if (stat("small", &st) < 0)
			die("stat: %s", strerror(errno));
		break;
	case OP_OPEN_CLOSE:
		fd = open("small", O_RDONLY);
		if (fd < 0)
			die("open: %s", strerror(errno));
		close(fd);
		break;
	case OP_PREAD:
		if (pread(fd, small_buf, sizeof(small_buf), 4096) != 4096)
			die("pread: %s", strerror(errno));
		break;
	}
}

static void one_lkl(enum op op, int fd)
{
	struct lkl_stat st;

	switch (op) {
	case OP_GETPID:
		lkl_sys_getpid();
		break;
	case OP_STAT:
		check(lkl_sys_stat("small", &st), "lkl stat");
		break;
	case OP_OPEN_CLOSE:
		fd = (int)check(lkl_sys_open("small", LKL_O_RDONLY, 0), "lkl open");
		lkl_sys_close((unsigned int)fd);
		break;
	case OP_PREAD:
		if (lkl_sys_pread64((unsigned int)fd, small_buf,
				    sizeof(small_buf), 4096) != 4096)
			die("lkl pread64 failed");
		break;
	}
}

/* Median over CALL_ROUNDS rounds of the mean ns per call. */
static double per_call(enum op op, int lkl, int fd)
{
	double round[CALL_ROUNDS];
	long long t0, t, n;
	int r, i;

	for (i = 0; i < 1000; i++)		/* warm up */
		lkl ? one_lkl(op, fd) : one_native(op, fd);
	for (r = 0; r < CALL_ROUNDS; r++) {
		n = 0;
		t0 = now_ns();
		do {
			for (i = 0; i < 1000; i++)
				lkl ? one_lkl(op, fd) : one_native(op, fd);
			n += 1000;
			t = now_ns();
		} while (t - t0 < ROUND_NS);
		round[r] = (double)(t - t0) / (double)n;
	}
	return median(round, CALL_ROUNDS);
}

static void fill(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + i / 4096);
}

static void bench_calls(int lkl_fd, int native_fd)
{
	static const struct { enum op op; const char *name, *aim; } ops[] = {
		{ OP_GETPID, "getpid", "< 100 ns" },
		{ OP_STAT, "stat, cached file", "<= 2x host" },
		{ OP_OPEN_CLOSE, "open + close, cached file", NULL },
		{ OP_PREAD, "pread 4 KiB, cached file", NULL },
	};
	double unsettled;
	unsigned i;

	/*
	 * For about a second after boot and mount the kernel still has work
	 * queued, and every system call that finds a kernel thread runnable
	 * yields to it on the way out.  Report that, then let it settle
	 * (at most 3 s) so the rows below measure the calls themselves.
	 */
	unsettled = per_call(OP_GETPID, 1, lkl_fd);
	for (i = 0; i < 30 && per_call(OP_GETPID, 1, lkl_fd) > 1000; i++)
		;
	add("getpid, right after mount", "ns/call", per_call(OP_GETPID, 0, native_fd),
	    unsettled, NULL);

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		add(ops[i].name, "ns/call", per_call(ops[i].op, 0, native_fd),
		    per_call(ops[i].op, 1, lkl_fd), ops[i].aim);
}

/* ---- sequential I/O, 256 MiB ---- */

static char *seq_buf;

static double mib_per_s(long long ns)
{
	return (double)SEQ_SIZE / (1 << 20) / (ns / 1e9);
}

static long long native_write(const char *path)
{
	long long t0 = now_ns(), off;
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	for (off = 0; off < SEQ_SIZE; off += SEQ_CHUNK)
		if (write(fd, seq_buf, SEQ_CHUNK) != SEQ_CHUNK)
			die("write: %s", strerror(errno));
	if (fsync(fd) < 0)
		die("fsync: %s", strerror(errno));
	close(fd);
	return now_ns() - t0;
}

static long long native_read(const char *path, int drop)
{
	long long t0, off;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (drop)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	t0 = now_ns();
	for (off = 0; off < SEQ_SIZE; off += SEQ_CHUNK)
		if (read(fd, seq_buf, SEQ_CHUNK) != SEQ_CHUNK)
			die("read: %s", strerror(errno));
	t0 = now_ns() - t0;
	close(fd);
	return t0;
}

static long long lkl_write(const char *path)
{
	long long t0 = now_ns(), off;
	int fd = (int)check(lkl_sys_open(path, LKL_O_CREAT | LKL_O_TRUNC |
					 LKL_O_WRONLY, 0644), "lkl open");

	for (off = 0; off < SEQ_SIZE; off += SEQ_CHUNK)
		if (lkl_sys_write((unsigned int)fd, seq_buf, SEQ_CHUNK) != SEQ_CHUNK)
			die("lkl write failed");
	check(lkl_sys_fsync((unsigned int)fd), "lkl fsync");
	lkl_sys_close((unsigned int)fd);
	return now_ns() - t0;
}

/* Drop the guest's page cache (and, with image_fd, the host's for it). */
static void lkl_drop_caches(int image_fd)
{
	int fd;

	lkl_sys_sync();
	fd = (int)check(lkl_sys_open("/proc/sys/vm/drop_caches", LKL_O_WRONLY, 0),
			"open drop_caches");
	check(lkl_sys_write((unsigned int)fd, "3", 1), "write drop_caches");
	lkl_sys_close((unsigned int)fd);
	if (image_fd >= 0) {
		fdatasync(image_fd);
		posix_fadvise(image_fd, 0, 0, POSIX_FADV_DONTNEED);
	}
}

static long long lkl_read(const char *path, int image_fd, int drop)
{
	long long t0, off;
	int fd;

	if (drop)
		lkl_drop_caches(image_fd);
	fd = (int)check(lkl_sys_open(path, LKL_O_RDONLY, 0), "lkl open");
	t0 = now_ns();
	for (off = 0; off < SEQ_SIZE; off += SEQ_CHUNK)
		if (lkl_sys_read((unsigned int)fd, seq_buf, SEQ_CHUNK) != SEQ_CHUNK)
			die("lkl read failed");
	t0 = now_ns() - t0;
	lkl_sys_close((unsigned int)fd);
	return t0;
}

#define SEQ_ROUNDS 3

static void bench_seq(const char *workdir, const char *mnt, int image_fd)
{
	double nw2[SEQ_ROUNDS], lw2[SEQ_ROUNDS], nr[SEQ_ROUNDS], lr[SEQ_ROUNDS];
	double nr2[SEQ_ROUNDS], lr2[SEQ_ROUNDS];
	char npath[4096], lpath[128];
	long long nw, lw;
	int i;

	snprintf(npath, sizeof(npath), "%s/big", workdir);
	snprintf(lpath, sizeof(lpath), "%s/big", mnt);
	seq_buf = malloc(SEQ_CHUNK);
	if (!seq_buf)
		die("out of memory");
	fill(seq_buf, SEQ_CHUNK);

	nw = native_write(npath);
	lw = lkl_write(lpath);
	for (i = 0; i < SEQ_ROUNDS; i++) {
		nw2[i] = mib_per_s(native_write(npath));
		lw2[i] = mib_per_s(lkl_write(lpath));
		nr[i] = mib_per_s(native_read(npath, 1));
		lr[i] = mib_per_s(lkl_read(lpath, image_fd, 1));
		nr2[i] = mib_per_s(native_read(npath, 0));
		lr2[i] = mib_per_s(lkl_read(lpath, image_fd, 0));
	}
	add("seq write 256 MiB + fsync, new file (1)", "MiB/s", mib_per_s(nw),
	    mib_per_s(lw), ">= 0.70x host");
	add("seq write 256 MiB + fsync, again (2)", "MiB/s",
	    median(nw2, SEQ_ROUNDS), median(lw2, SEQ_ROUNDS), ">= 0.70x host");
	add("seq read 256 MiB, caches dropped (3)", "MiB/s",
	    median(nr, SEQ_ROUNDS), median(lr, SEQ_ROUNDS), ">= 0.70x host");
	add("seq read 256 MiB, again (4)", "MiB/s", median(nr2, SEQ_ROUNDS),
	    median(lr2, SEQ_ROUNDS), NULL);
	unlink(npath);
	lkl_sys_unlink(lpath);
	free(seq_buf);
}

int main(int argc, char **argv)
{
	struct lkl_disk disk;
	char mnt[64];
	const char *image, *workdir;
	int native_fd, lkl_fd, fd, id;
	long long t0;
	static char small[SMALL_SIZE];

	if (argc >= 2 && !strcmp(argv[1], "child"))
		return child(argc - 2, argv + 2);
	if (argc != 3) {
		fprintf(stderr, "usage: lkl_bench IMAGE WORKDIR\n");
		return 2;
	}
	image = argv[1];
	workdir = argv[2];
	t0 = now_ns();

	bench_boot(image);

	/* The same small file on both sides, cached, opened relative to cwd. */
	fill(small, sizeof(small));
	if (chdir(workdir) < 0)
		die("%s: %s", workdir, strerror(errno));
	fd = open("small", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, small, sizeof(small)) != sizeof(small))
		die("small: %s", strerror(errno));
	close(fd);
	native_fd = open("small", O_RDONLY);

	boot();
	id = mount_image(image, &disk, mnt, sizeof(mnt));
	check(lkl_mount_fs("proc"), "mount proc");
	check(lkl_sys_chdir(mnt), "lkl chdir");
	fd = (int)check(lkl_sys_open("small", LKL_O_CREAT | LKL_O_TRUNC |
				     LKL_O_WRONLY, 0644), "lkl open small");
	if (lkl_sys_write((unsigned int)fd, small, sizeof(small)) != sizeof(small))
		die("lkl write small failed");
	lkl_sys_close((unsigned int)fd);
	lkl_fd = (int)check(lkl_sys_open("small", LKL_O_RDONLY, 0), "lkl open");

	bench_calls(lkl_fd, native_fd);
	bench_seq(workdir, mnt, disk.fd);
	add("peak RSS of this process after all of it", "MiB", -1,
	    peak_rss_kib() / 1024.0, NULL);

	lkl_sys_close((unsigned int)lkl_fd);
	close(native_fd);
	unlink("small");
	check(lkl_sys_chdir("/"), "lkl chdir /");
	check(lkl_umount_dev((unsigned int)id, 0, 0, 1000), "lkl_umount_dev");
	check(lkl_sys_halt(), "lkl_sys_halt");
	lkl_cleanup();

	printf("liblkl (%s) vs the host kernel. native: libc calls on the host\n"
	       "filesystem; liblkl: lkl_sys_* calls on ext4 in an image file (virtio-blk).\n"
	       "Boot, halt and RSS: median of %d fresh processes; native RSS is a process\n"
	       "linked the same way that does not boot.\n\n", CMDLINE, BOOT_RUNS);
	print_table();
	printf("\n"
	       "(1) the first 256 MiB this process writes: the guest's 64 MiB of RAM is touched\n"
	       "    for the first time (host page faults), the image file's blocks allocated.\n"
	       "(2) the same file truncated and written again (steady state); (2)-(4) are\n"
	       "    medians of %d rounds.\n"
	       "(3) read after fsync, the guest's page cache dropped (drop_caches) and the\n"
	       "    host's for the file/image (POSIX_FADV_DONTNEED): reads reach the host's\n"
	       "    block device (which, in a VM, may have a cache of its own).\n"
	       "(4) the same read again: native from the host page cache; liblkl's guest\n"
	       "    cache (mem=64M) cannot hold 256 MiB, so it reads the image through the\n"
	       "    host page cache (two copies).\n"
	       "Per-call rows: median of %d rounds of %.1f s each, relative paths (cwd is\n"
	       "the directory of the file on both sides). Total %.1f s.\n",
	       SEQ_ROUNDS, CALL_ROUNDS, ROUND_NS / 1e9, (now_ns() - t0) / 1e9);
	return 0;
}
