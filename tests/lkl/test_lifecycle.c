// SPDX-License-Identifier: GPL-2.0
/*
 * Boot and halt are clean: after lkl_sys_halt(), lkl_disk_remove() and
 * lkl_cleanup() no host thread of the library remains, even after host
 * threads came and went (their kernel tasks exit with them), and memory
 * is released (LeakSanitizer runs at exit).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>
#include <lkl.h>
#include "tap.h"

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

struct blocked {
	int fd;
	long ret;
	sem_t entered;
};

/* Sits in a pipe read nobody will ever satisfy. */
static void *blocked_reader(void *arg)
{
	struct blocked *b = arg;
	char c;

	sem_post(&b->entered);
	b->ret = lkl_sys_read(b->fd, &c, 1);
	return NULL;
}

static void *visitor(void *arg)
{
	long *tid = arg;

	*tid = lkl_sys_gettid();
	return NULL;
}

int main(void)
{
	char img[] = "/tmp/kbox-lifecycle-XXXXXX";
	struct lkl_disk disk = { 0 };
	long tids[4];
	pthread_t th[4];
	int before, disk_id, all_distinct = 1;

	before = count_threads();
	disk.fd = mkstemp(img);
	unlink(img);
	ok(disk.fd >= 0 && ftruncate(disk.fd, 1 << 20) == 0, "a 1 MiB scratch disk");

	lkl_host_ops.print = NULL;
	disk_id = lkl_disk_add(&disk);
	ok(disk_id >= 0, "lkl_disk_add before boot");
	is_int(lkl_is_running(), 0, "not running before boot");
	is_int(lkl_init(&lkl_host_ops), 0, "lkl_init");
	is_int(lkl_start_kernel("mem=32M"), 0, "boot");
	is_int(lkl_is_running(), 1, "running after boot");
	ok(count_threads() > before, "the kernel runs on host threads (%d)", count_threads());

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, visitor, &tids[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			all_distinct &= tids[i] != tids[j] && tids[i] > 1;
	ok(all_distinct, "each host thread had a task of its own");

	/* Halt with a thread still blocked in the kernel: its call fails. */
	struct blocked b = { 0 };
	int pipefd[2];
	pthread_t reader;

	is_int(lkl_sys_pipe2(pipefd, 0), 0, "a pipe nobody writes to");
	b.fd = pipefd[0];
	sem_init(&b.entered, 0, 0);
	pthread_create(&reader, NULL, blocked_reader, &b);
	sem_wait(&b.entered);
	usleep(50000);

	is_int(lkl_sys_halt(), 0, "lkl_sys_halt");
	pthread_join(reader, NULL);
	is_int(b.ret, -LKL_ENODEV, "halt sent the blocked reader out with -ENODEV");
	is_int(lkl_is_running(), 0, "not running after halt");
	ok(lkl_sys_getpid() < 0, "system calls fail after halt (%ld)", lkl_sys_getpid());
	is_int(lkl_disk_remove(disk), 0, "lkl_disk_remove after halt");
	lkl_cleanup();
	is_int(count_threads(), before, "no library thread remains");
	close(disk.fd);
	return tap_done();
}
