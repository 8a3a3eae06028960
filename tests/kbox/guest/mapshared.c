// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_SHARED maps of files, run inside kbox.  Each step prints one line
 * of what it saw; the test compares them with what Linux gives.
 *
 *   mapshared coherent FILE   map, write, read, pwrite, grow, a child's map
 *   mapshared synced FILE     map, write, msync(MS_SYNC), say so, then wait
 *   mapshared unsynced FILE   map, write, munmap, exit (no msync)
 *   mapshared many DIR        100 files, one after the other: map, write,
 *                             unmap; then read each back
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char *map(int fd, size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* A new file of len bytes at path, mapped shared and writable (fd closed). */
static char *map_new(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p;

	if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
		perror(path);
		exit(1);
	}
	p = map(fd, len, PROT_READ | PROT_WRITE);
	close(fd);
	return p;
}

static int coherent(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), ro;
	char buf[32] = "", *p, *q, *r;
	pid_t pid;

	if (fd < 0 || ftruncate(fd, 4096) < 0)
		return 1;
	p = map(fd, 4096, PROT_READ | PROT_WRITE);
	memcpy(p, "map-write", 9);
	if (pread(fd, buf, 9, 0) != 9)
		return 1;
	printf("read after a map write: %s\n", buf);
	if (pwrite(fd, "PWRITE", 6, 16) != 6)
		return 1;
	printf("map after pwrite: %.6s\n", p + 16);

	pid = fork();
	if (pid == 0) {
		int fd2 = open(path, O_RDWR);

		memcpy(map(fd2, 4096, PROT_READ | PROT_WRITE) + 100, "child", 5);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("map after a child's map write: %.5s\n", p + 100);

	ro = open(path, O_RDONLY);
	r = map(ro, 4096, PROT_READ);
	p[200] = 'X';
	printf("read-only shared map sees: %c\n", r[200]);
	q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
	printf("private map sees: %.9s %.5s\n", q, q + 100);

	if (ftruncate(fd, 8192) < 0)
		return 1;
	q = map(fd, 8192, PROT_READ | PROT_WRITE);
	memcpy(q + 5000, "grown", 5);
	memset(buf, 0, sizeof(buf));
	if (pread(fd, buf, 5, 5000) != 5)
		return 1;
	printf("after ftruncate to 8192: %s\n", buf);
	return 0;
}

static int synced(const char *path)
{
	char *p = map_new(path, 4096);

	memcpy(p, "msync-ed data", 13);
	if (msync(p, 4096, MS_SYNC) < 0) {
		perror("msync");
		return 1;
	}
	printf("synced\n");
	fflush(stdout);
	pause();
	return 0;
}

static int unsynced(const char *path)
{
	char *p = map_new(path, 100);

	memcpy(p, "never msync-ed", 14);
	munmap(p, 100);
	return 0;
}

static int many(const char *dir)
{
	char path[256], want[32], got[32];
	int i, fd, bad = 0;
	char *p;

	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/m%d", dir, i);
		p = map_new(path, 64);
		snprintf(p, 32, "file %d", i);
		munmap(p, 64);
	}
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/m%d", dir, i);
		snprintf(want, sizeof(want), "file %d", i);
		memset(got, 0, sizeof(got));
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, got, sizeof(got) - 1) < 0 || strcmp(got, want))
			bad++;
		close(fd);
	}
	printf("%d of 100 files read back as written\n", 100 - bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "many"))
		return many(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "coherent"))
		return coherent(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "synced"))
		return synced(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unsynced"))
		return unsynced(argv[2]);
	fprintf(stderr, "usage: mapshared coherent|synced|unsynced FILE | many DIR\n");
	return 2;
}
