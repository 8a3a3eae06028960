// SPDX-License-Identifier: GPL-2.0
/*
 * Threads and signals inside kbox.  Prints one line per check:
 *   blocked-reader: a thread blocked in a pipe read while others do I/O
 *   eintr: a signal without SA_RESTART interrupts a blocked pipe read
 *   restart: with SA_RESTART the read resumes and gets the data
 *   restore: an action saved through oldact and put back keeps its flags
 *     (no SA_RESTART: the read is interrupted again)
 *   files: 4 threads writing files concurrently, contents read back
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int pipefd[2];

static void *reader(void *arg)
{
	char buf[16] = "";
	ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);

	(void)arg;
	return (void *)(long)(n == 5 && !strcmp(buf, "hello"));
}

static void *writer_files(void *arg)
{
	long id = (long)arg;
	char path[64], want[64], got[64];
	int i, ok = 1;

	for (i = 0; i < 50 && ok; i++) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/tmp/thr-%ld", id);
		snprintf(want, sizeof(want), "thread %ld round %d", id, i);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0 || write(fd, want, strlen(want)) != (ssize_t)strlen(want))
			ok = 0;
		close(fd);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, got, sizeof(got) - 1);
		close(fd);
		if (n < 0)
			ok = 0;
		else
			got[n] = '\0';
		if (ok && strcmp(got, want))
			ok = 0;
	}
	return (void *)(long)ok;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void on_alarm_too(int sig)
{
	(void)sig;
}

static void *late_writer(void *arg)
{
	usleep((useconds_t)(long)arg);
	if (write(pipefd[1], "later", 5) != 5)
		return NULL;
	return NULL;
}

int main(void)
{
	pthread_t r, w[4], lw;
	struct sigaction sa;
	void *res;
	char buf[16];
	ssize_t n;
	long i, all = 1;

	/* 1. blocked reader while other threads work */
	if (pipe(pipefd))
		return 1;
	pthread_create(&r, NULL, reader, NULL);
	usleep(100000);
	for (i = 0; i < 4; i++)
		pthread_create(&w[i], NULL, writer_files, (void *)i);
	for (i = 0; i < 4; i++) {
		pthread_join(w[i], &res);
		all &= (long)res;
	}
	printf("files %s\n", all ? "ok" : "FAIL");
	if (write(pipefd[1], "hello", 5) != 5)
		return 1;
	pthread_join(r, &res);
	printf("blocked-reader %s\n", res ? "ok" : "FAIL");

	/* 2. EINTR without SA_RESTART */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	n = read(pipefd[0], buf, sizeof(buf));
	printf("eintr %s\n", n < 0 && errno == EINTR ? "ok" : "FAIL");

	/* 3. SA_RESTART: the read goes on and gets what comes later */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	{
		struct itimerval it = { { 0, 0 }, { 0, 100000 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	pthread_create(&lw, NULL, late_writer, (void *)300000L);
	n = read(pipefd[0], buf, sizeof(buf));
	pthread_join(lw, NULL);
	printf("restart %s\n", n == 5 && !memcmp(buf, "later", 5) ? "ok" : "FAIL");

	/* 4. save, replace, restore: the saved action had no SA_RESTART */
	{
		struct sigaction saved, other;

		sa.sa_flags = 0;
		sigaction(SIGALRM, &sa, NULL);
		sigaction(SIGALRM, NULL, &saved);
		memset(&other, 0, sizeof(other));
		other.sa_handler = on_alarm_too;
		other.sa_flags = SA_RESTART | SA_NODEFER;
		sigaction(SIGALRM, &other, NULL);
		sigaction(SIGALRM, &saved, NULL);
		alarm(1);
		/* A failure reads this instead of hanging. */
		pthread_create(&lw, NULL, late_writer, (void *)2500000L);
		n = read(pipefd[0], buf, sizeof(buf));
		printf("restore %s\n", n < 0 && errno == EINTR ? "ok" : "FAIL");
		pthread_join(lw, NULL);
	}
	return 0;
}
