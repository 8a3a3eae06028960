// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk against real temp files through a fake virtio driver:
 * features and config, read/write/flush/get-id/unsupported, range checks,
 * 64-bit sectors, read-only disks, custom ops, I/O completing on the worker
 * thread (not in the notify path), many requests in flight, the worker
 * pool (requests served concurrently and completed out of order, flush
 * covering completed writes, reset and removal waiting for requests in
 * flight), add/remove validation, hot-add, no leaked threads.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_virtio_blk.c lkl/host/virtio_blk.c \
 *       lkl/host/virtio.c lkl/host/iomem.c lkl/host/fs.c \
 *       lkl/host/posix_host.c -lpthread -o test_virtio_blk
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lkl_host.h>

#include "kstubs.h"
#include "fake_driver.h"
#include "../../tap.h"

#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8
#define S_OK		0
#define S_IOERR		1
#define S_UNSUPP	2

#define F_SEG_MAX	(1ULL << 2)
#define F_RO		(1ULL << 5)
#define F_FLUSH		(1ULL << 9)
#define F_INDIRECT	(1ULL << 28)
#define F_EVENT_IDX	(1ULL << 29)
#define F_VERSION_1	(1ULL << 32)

struct hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int temp_file(const char *tag, unsigned long long size, int flags)
{
	char path[] = "/tmp/lkl-blk-test-XXXXXX";
	int fd = mkstemp(path);

	(void)tag;
	if (fd < 0)
		return -1;
	unlink(path);
	if (size && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -2;
	}
	if ((flags & O_ACCMODE) == O_RDONLY) {
		char proc[64];
		int ro;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		ro = open(proc, O_RDONLY);
		close(fd);
		return ro;
	}
	return fd;
}

static long dev_base(struct lkl_disk *d)
{
	/* The virtio device is the first member of the disk's state. */
	return ((struct lkl_host_virtio_dev *)d->dev)->base;
}

/* A ready driver on a disk: negotiated features and one queue. */
struct drv {
	long base;
	struct fake_vq vq;
};

static int drv_open(struct drv *d, struct lkl_disk *disk, uint64_t features,
		    unsigned int num)
{
	d->base = dev_base(disk);
	if (!fd_negotiate(d->base, features))
		return 0;
	if (!fd_setup_queue(d->base, 0, &d->vq, num))
		return 0;
	fd_driver_ok(d->base);
	return 1;
}

static void drv_close(struct drv *d)
{
	mmio_w(d->base, LKL_VIRTIO_MMIO_STATUS, 0);
	fd_free_queue(&d->vq);
}

/*
 * One request: header, data segments (nseg buffers of len each, readable
 * for writes), status.  Returns the status byte, or -1 on timeout; *used_len
 * gets the used length.
 */
static int blk_io(struct drv *d, uint32_t type, uint64_t sector,
		  char **segs, uint32_t *lens, int nseg, int indirect,
		  uint32_t *used_len)
{
	struct fake_buf b[20];
	struct hdr h = { type, 0, sector };
	struct lkl_vring_used_elem e;
	uint8_t status = 0xee;
	uint16_t target;
	int i, n = 0, write = type != T_OUT;

	b[n++] = (struct fake_buf){ &h, sizeof(h), 0 };
	for (i = 0; i < nseg; i++)
		b[n++] = (struct fake_buf){ segs[i], lens[i], write };
	b[n++] = (struct fake_buf){ &status, 1, 1 };
	target = (uint16_t)(d->vq.avail_idx + 1);
	fd_post(&d->vq, b, n, indirect);
	fd_kick(d->base, 0);
	if (!fd_wait_used(&d->vq, target, 5000))
		return -1;
	if (!fd_get_used(&d->vq, &e))
		return -1;
	if (used_len)
		*used_len = e.len;
	return status;
}

static int blk_simple(struct drv *d, uint32_t type, uint64_t sector,
		      void *buf, uint32_t len)
{
	char *segs[1] = { buf };
	uint32_t lens[1] = { len };

	return blk_io(d, type, sector, segs, lens, buf ? 1 : 0, 0, NULL);
}

/* ---- the main file-backed disk ---- */

static void test_basic(void)
{
	struct lkl_disk disk = { .fd = -1 };
	char *wbuf = malloc(4096), *rbuf = malloc(4096), id[20];
	char *segs[3];
	uint32_t lens[3], used;
	uint64_t f, cap = 0;
	uint32_t seg_max = 0;
	struct drv d;
	int fd, ret, i;

	fd = temp_file("basic", 1 << 20, O_RDWR);
	disk.fd = fd;
	ret = lkl_disk_add(&disk);
	is_int(ret, 0, "first boot disk gets id 0");
	ok(disk.dev != NULL, "disk.dev set");
	ok(lkl_host_ops.virtio_devices &&
	   strstr(lkl_host_ops.virtio_devices, "virtio_mmio.device=4096@0x"),
	   "disk on the boot command line");

	d.base = dev_base(&disk);
	is_int(mmio_r(d.base, LKL_VIRTIO_MMIO_DEVICE_ID), 2, "device id 2 (block)");
	f = mmio_dev_features(d.base);
	ok((f & (F_VERSION_1 | F_FLUSH | F_SEG_MAX | F_INDIRECT | F_EVENT_IDX)) ==
	   (F_VERSION_1 | F_FLUSH | F_SEG_MAX | F_INDIRECT | F_EVENT_IDX),
	   "VERSION_1, FLUSH, SEG_MAX, INDIRECT_DESC, EVENT_IDX offered");
	ok(!(f & F_RO), "read-write file: no RO");
	lkl_host_iomem_access((void *)(uintptr_t)(d.base + 0x100), &cap, 8, 0);
	lkl_host_iomem_access((void *)(uintptr_t)(d.base + 0x10c), &seg_max, 4, 0);
	is_int(cap, 2048, "capacity in 512-byte sectors");
	ok(seg_max >= 1 && seg_max <= 254, "seg_max %u", seg_max);

	ok(drv_open(&d, &disk, F_VERSION_1 | F_FLUSH | F_SEG_MAX | F_INDIRECT,
		    128), "driver ready");

	/* Write 4 sectors from 3 segments at sector 10. */
	for (i = 0; i < 2048; i++)
		wbuf[i] = (char)(i * 7 + 1);
	segs[0] = wbuf;
	lens[0] = 512;
	segs[1] = wbuf + 512;
	lens[1] = 1024;
	segs[2] = wbuf + 1536;
	lens[2] = 512;
	is_int(blk_io(&d, T_OUT, 10, segs, lens, 3, 0, &used), S_OK,
	       "write 3 segments");
	is_int(used, 1, "write: used len counts the status byte");
	memset(rbuf, 0, 4096);
	ok(pread(fd, rbuf, 2048, 10 * 512) == 2048 && !memcmp(rbuf, wbuf, 2048),
	   "data landed at sector 10 of the file");

	/* Read it back through an indirect table, 2 segments. */
	memset(rbuf, 0, 4096);
	segs[0] = rbuf;
	lens[0] = 1536;
	segs[1] = rbuf + 1536;
	lens[1] = 512;
	is_int(blk_io(&d, T_IN, 10, segs, lens, 2, 1, &used), S_OK,
	       "read (indirect)");
	ok(!memcmp(rbuf, wbuf, 2048), "read data matches");
	is_int(used, 2049, "read: used len = data + status");

	/* Header and data in one readable descriptor (any layout). */
	{
		struct {
			struct hdr h;
			char data[512];
		} __attribute__((packed)) one;
		uint8_t status = 0xee;
		struct lkl_vring_used_elem e;

		one.h = (struct hdr){ T_OUT, 0, 20 };
		memset(one.data, 'Q', 512);
		fd_post(&d.vq, (struct fake_buf[]){ { &one, sizeof(one), 0 },
						    { &status, 1, 1 } }, 2, 0);
		fd_kick(d.base, 0);
		ok(fd_wait_used(&d.vq, d.vq.avail_idx, 5000) &&
		   fd_get_used(&d.vq, &e) && status == S_OK,
		   "header and data sharing a descriptor");
		ok(pread(fd, rbuf, 512, 20 * 512) == 512 && rbuf[0] == 'Q' &&
		   rbuf[511] == 'Q', "... written at sector 20");
	}

	/* A large write: the worker also starts the host's write-back. */
	{
		char *big = malloc(128 << 10);

		memset(big, 'L', 128 << 10);
		is_int(blk_simple(&d, T_OUT, 512, big, 128 << 10), S_OK,
		       "128 KiB write (write-behind)");
		memset(big, 0, 128 << 10);
		ok(pread(fd, big, 128 << 10, 512 * 512) == 128 << 10 &&
		   big[0] == 'L' && big[(128 << 10) - 1] == 'L',
		   "... landed in the file");
		free(big);
	}

	is_int(blk_simple(&d, T_FLUSH, 0, NULL, 0), S_OK, "flush");

	memset(id, 0x55, sizeof(id));
	is_int(blk_simple(&d, T_GET_ID, 0, id, sizeof(id)), S_OK, "get id");
	ok(!strncmp(id, "liblkl-disk0", 20), "serial: %.20s", id);

	is_int(blk_simple(&d, 99, 0, rbuf, 512), S_UNSUPP, "unknown type: UNSUPP");
	is_int(blk_simple(&d, T_IN, 2047, rbuf, 1024), S_IOERR,
	       "read past the end: IOERR");
	is_int(blk_simple(&d, T_OUT, 2048, wbuf, 512), S_IOERR,
	       "write past the end: IOERR");
	is_int(blk_simple(&d, T_IN, ~0ULL, rbuf, 512), S_IOERR,
	       "huge sector: IOERR, no overflow");
	is_int(blk_simple(&d, T_IN, 0, rbuf, 100), S_IOERR,
	       "partial sector: IOERR");
	is_int(blk_simple(&d, T_IN, 2047, rbuf, 512), S_OK, "last sector readable");

	/* Completion came from the worker, not the notifying thread. */
	ok(!pthread_equal(__atomic_load_n(&stub_last_trigger_thread,
					  __ATOMIC_ACQUIRE), pthread_self()),
	   "interrupt raised from the worker thread");

	/* Many requests in flight at once, each its own sector. */
	{
		static char bufs[64][512];
		static uint8_t st[64];
		static struct hdr hs[64];
		int good = 1;
		uint16_t target = (uint16_t)(d.vq.avail_idx + 64);

		drv_close(&d);
		ok(drv_open(&d, &disk, F_VERSION_1 | F_INDIRECT | F_EVENT_IDX,
			    128), "driver with EVENT_IDX");
		/* No interrupts wanted. */
		__atomic_store_n(fvq_used_event(&d.vq), 0xffff, __ATOMIC_SEQ_CST);
		target = 64;
		for (i = 0; i < 64; i++) {
			memset(bufs[i], 'a' + (i % 26), 512);
			hs[i] = (struct hdr){ T_OUT, 0, (uint64_t)(100 + i) };
			st[i] = 0xee;
			fd_post(&d.vq, (struct fake_buf[]){
					{ &hs[i], 16, 0 }, { bufs[i], 512, 0 },
					{ &st[i], 1, 1 } }, 3, 1);
			if (i % 8 == 7)
				fd_kick(d.base, 0);
		}
		ok(fd_wait_used(&d.vq, target, 5000), "64 writes completed");
		for (i = 0; i < 64; i++) {
			if (st[i] != S_OK ||
			    pread(fd, rbuf, 512, (100 + i) * 512) != 512 ||
			    memcmp(rbuf, bufs[i], 512))
				good = 0;
		}
		ok(good, "64 concurrent writes all correct");
	}
	drv_close(&d);

	is_int(lkl_disk_remove(disk), 0, "remove");
	is_int(lkl_disk_remove(disk), -EINVAL, "second remove refused");
	close(fd);
	free(wbuf);
	free(rbuf);
}

/* ---- 64-bit sectors ---- */

static void test_big_sector(void)
{
	unsigned long long sector = (1ULL << 33) + 8;	/* 4 TiB + 4 KiB */
	unsigned long long size = (sector + 16) * 512;
	struct lkl_disk disk = { 0 };
	char w[512], r[512];
	struct drv d;
	int fd = temp_file("big", size, O_RDWR);

	if (fd < 0) {
		ok(1, "# SKIP no sparse 4 TiB file on this filesystem");
		return;
	}
	disk.fd = fd;
	ok(lkl_disk_add(&disk) >= 0, "add a 4 TiB sparse disk");
	ok(drv_open(&d, &disk, F_VERSION_1, 16), "driver ready");
	memset(w, 'Z', sizeof(w));
	is_int(blk_simple(&d, T_OUT, sector, w, 512), S_OK,
	       "write at sector 2^33 + 8");
	memset(r, 0, sizeof(r));
	ok(pread(fd, r, 512, (off_t)(sector * 512)) == 512 && r[0] == 'Z',
	   "landed at byte offset 4 TiB + 4 KiB (64-bit sector)");
	ok(pread(fd, r, 512, 8 * 512) == 512 && r[0] == 0,
	   "not at the 32-bit truncated sector");
	memset(r, 0, sizeof(r));
	is_int(blk_simple(&d, T_IN, sector, r, 512), S_OK, "read it back");
	ok(r[511] == 'Z', "data matches");
	drv_close(&d);
	is_int(lkl_disk_remove(disk), 0, "remove");
	close(fd);
}

/* ---- read-only, empty, bad inputs ---- */

static void test_ro_and_errors(void)
{
	struct lkl_disk disk = { 0 }, bad = { 0 };
	struct lkl_dev_blk_ops no_request = { .get_capacity =
					      lkl_dev_blk_ops.get_capacity };
	char buf[512];
	struct drv d;
	int fd;

	fd = temp_file("ro", 64 * 1024, O_RDONLY);
	disk.fd = fd;
	ok(lkl_disk_add(&disk) >= 0, "add an O_RDONLY disk");
	ok(mmio_dev_features(dev_base(&disk)) & F_RO, "RO offered");
	ok(drv_open(&d, &disk, F_VERSION_1 | F_RO, 16), "driver accepts RO");
	is_int(blk_simple(&d, T_IN, 0, buf, 512), S_OK, "read OK");
	memset(buf, 1, sizeof(buf));
	is_int(blk_simple(&d, T_OUT, 0, buf, 512), S_IOERR, "write: IOERR");
	drv_close(&d);
	is_int(lkl_disk_remove(disk), 0, "remove");
	close(fd);

	fd = temp_file("empty", 0, O_RDWR);
	disk.fd = fd;
	disk.dev = NULL;
	ok(lkl_disk_add(&disk) >= 0, "empty file accepted");
	{
		uint64_t cap = 1;

		lkl_host_iomem_access((void *)(uintptr_t)(dev_base(&disk) + 0x100),
				      &cap, 8, 0);
		is_int(cap, 0, "capacity 0");
	}
	ok(drv_open(&d, &disk, F_VERSION_1, 16), "driver ready");
	is_int(blk_simple(&d, T_IN, 0, buf, 512), S_IOERR,
	       "reading an empty disk: IOERR, no crash");
	drv_close(&d);
	is_int(lkl_disk_remove(disk), 0, "remove");
	close(fd);

	bad.fd = -1;
	is_int(lkl_disk_add(&bad), -EBADF, "fd -1: -EBADF");
	bad.fd = 1000;
	is_int(lkl_disk_add(&bad), -EBADF, "closed fd: -EBADF");
	bad.fd = open("/", O_PATH);
	is_int(lkl_disk_add(&bad), -EBADF, "O_PATH fd: -EBADF");
	close(bad.fd);
	bad.fd = -1;
	bad.ops = &no_request;
	is_int(lkl_disk_add(&bad), -EINVAL, "ops without request: -EINVAL");
	is_int(lkl_disk_add(NULL), -EINVAL, "NULL disk: -EINVAL");
	bad.ops = NULL;
	bad.dev = &bad;
	is_int(lkl_disk_remove(bad), -EINVAL, "removing a stranger: -EINVAL");
	ok(lkl_host_ops.virtio_devices == NULL,
	   "nothing left on the command line");
}

/* ---- custom ops: I/O happens off the notify path ---- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, in_request;
static pthread_t request_thread;
static struct lkl_disk seen_disk;
static unsigned int seen_prio;
static size_t seen_stack;

static int mem_capacity(struct lkl_disk disk, unsigned long long *res)
{
	(void)disk;
	*res = 8 * 512;
	return 0;
}

static int failing_capacity(struct lkl_disk disk, unsigned long long *res)
{
	(void)disk;
	(void)res;
	return -EIO;
}

static int gated_request(struct lkl_disk disk, struct lkl_blk_req *req)
{
	pthread_mutex_lock(&gate_lock);
	in_request = 1;
	request_thread = pthread_self();
	seen_disk = disk;
	seen_prio = req->prio;
	{
		pthread_attr_t attr;

		pthread_getattr_np(pthread_self(), &attr);
		pthread_attr_getstacksize(&attr, &seen_stack);
		pthread_attr_destroy(&attr);
	}
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	if (req->type == LKL_DEV_BLK_TYPE_READ && req->count == 1)
		memset(req->buf[0].iov_base, 'M', req->buf[0].iov_len);
	return LKL_DEV_BLK_STATUS_OK;
}

static void test_custom_ops(void)
{
	static struct lkl_dev_blk_ops gated = { mem_capacity, gated_request };
	static struct lkl_dev_blk_ops failing = { failing_capacity,
						  gated_request };
	struct lkl_disk disk = { .fd = -1, .ops = &gated }, fdisk = disk;
	struct hdr h = { T_IN, 7, 1 };
	uint8_t status = 0xee;
	char buf[512];
	struct drv d;
	int i;

	fdisk.ops = &failing;
	is_int(lkl_disk_add(&fdisk), -EIO, "get_capacity error is returned");

	ok(lkl_disk_add(&disk) >= 0, "custom ops with fd -1 accepted");
	ok(!(mmio_dev_features(dev_base(&disk)) & F_RO), "custom ops: writable");
	ok(drv_open(&d, &disk, F_VERSION_1, 16), "driver ready");
	fd_post(&d.vq, (struct fake_buf[]){ { &h, 16, 0 }, { buf, 512, 1 },
					    { &status, 1, 1 } }, 3, 0);
	fd_kick(d.base, 0);
	ok(1, "notify returned while the request is blocked");
	pthread_mutex_lock(&gate_lock);
	for (i = 0; i < 100 && !in_request; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&gate_cond, &gate_lock, &ts);
	}
	ok(in_request && !pthread_equal(request_thread, pthread_self()),
	   "request runs on the disk's worker thread");
	ok(seen_disk.dev == disk.dev && seen_disk.ops == &gated && seen_prio == 7,
	   "request sees the disk (dev set) and the ioprio");
	ok(seen_stack >= (2UL << 20), "worker thread has a 2 MiB+ stack");
	is_int(fd_used_idx(&d.vq), 0, "not completed while the request blocks");
	gate_open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	ok(fd_wait_used(&d.vq, 1, 5000) && status == S_OK && buf[0] == 'M',
	   "completed after the request returned");
	drv_close(&d);
	is_int(lkl_disk_remove(disk), 0, "remove");
}

/* ---- the worker pool: concurrency, out-of-order completion, flush ---- */

/*
 * A memory disk whose read and write requests each wait until their sector
 * is released, so that the test decides when (and in which order) they
 * finish.  Data lands in pool_mem just before request() returns; a flush
 * copies pool_mem to pool_durable, as fdatasync() would make it durable.
 * Blocked requests count as stalled after 2 ms, so the other workers take
 * the requests queued behind them.
 */
#define POOL_SECTORS	32

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static int pool_active, pool_max_active, pool_flushes;
static int pool_release[POOL_SECTORS];
static char pool_mem[POOL_SECTORS][512];
static char pool_durable[POOL_SECTORS][512];

static int pool_capacity(struct lkl_disk disk, unsigned long long *res)
{
	(void)disk;
	*res = POOL_SECTORS * 512;
	return 0;
}

static int pool_request(struct lkl_disk disk, struct lkl_blk_req *req)
{
	unsigned long long s = req->sector;
	size_t off = 0;
	int i;

	(void)disk;
	pthread_mutex_lock(&pool_lock);
	if (req->type == LKL_DEV_BLK_TYPE_FLUSH) {
		memcpy(pool_durable, pool_mem, sizeof(pool_mem));
		pool_flushes++;
		pthread_cond_broadcast(&pool_cond);
		pthread_mutex_unlock(&pool_lock);
		return LKL_DEV_BLK_STATUS_OK;
	}
	if (++pool_active > pool_max_active)
		pool_max_active = pool_active;
	pthread_cond_broadcast(&pool_cond);
	while (!pool_release[s])
		pthread_cond_wait(&pool_cond, &pool_lock);
	pool_active--;
	for (i = 0; i < req->count; i++) {
		char *disk_at = &pool_mem[s][0] + off;

		if (req->type == LKL_DEV_BLK_TYPE_WRITE)
			memcpy(disk_at, req->buf[i].iov_base, req->buf[i].iov_len);
		else
			memcpy(req->buf[i].iov_base, disk_at, req->buf[i].iov_len);
		off += req->buf[i].iov_len;
	}
	pthread_mutex_unlock(&pool_lock);
	return LKL_DEV_BLK_STATUS_OK;
}

static void pool_release_none(void)
{
	pthread_mutex_lock(&pool_lock);
	memset(pool_release, 0, sizeof(pool_release));
	pthread_mutex_unlock(&pool_lock);
}

static void pool_set_release(int sector, int val)
{
	pthread_mutex_lock(&pool_lock);
	pool_release[sector] = val;
	pthread_cond_broadcast(&pool_cond);
	pthread_mutex_unlock(&pool_lock);
}

/* Wait up to 5 s for pool_active to reach want; returns what it is. */
static int pool_wait_active(int want)
{
	struct timespec ts;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&pool_lock);
	while (pool_active < want &&
	       pthread_cond_timedwait(&pool_cond, &pool_lock, &ts) == 0)
		;
	n = pool_active;
	pthread_mutex_unlock(&pool_lock);
	return n;
}

static int pool_get(int *var)
{
	int v;

	pthread_mutex_lock(&pool_lock);
	v = *var;
	pthread_mutex_unlock(&pool_lock);
	return v;
}

/* One request posted (indirect) without notifying; returns its head. */
struct pool_io {
	struct hdr h;
	char data[512];
	uint8_t status;
	uint16_t head;
};

static uint16_t pool_post(struct drv *d, struct pool_io *io, uint32_t type,
			  uint64_t sector)
{
	io->h = (struct hdr){ type, 0, sector };
	io->status = 0xee;
	if (type == T_FLUSH)
		io->head = fd_post(&d->vq, (struct fake_buf[]){
				{ &io->h, 16, 0 }, { &io->status, 1, 1 } }, 2, 1);
	else
		io->head = fd_post(&d->vq, (struct fake_buf[]){
				{ &io->h, 16, 0 },
				{ io->data, 512, type != T_OUT },
				{ &io->status, 1, 1 } }, 3, 1);
	return io->head;
}

/* Wait for the next used entry; its id, or -1 on timeout. */
static int pool_next_used(struct drv *d)
{
	struct lkl_vring_used_elem e;

	if (!fd_wait_used(&d->vq, (uint16_t)(d->vq.last_used + 1), 5000) ||
	    !fd_get_used(&d->vq, &e))
		return -1;
	return (int)e.id;
}

static void *pool_release_later(void *arg)
{
	int i;

	(void)arg;
	sleep_ms(100);
	for (i = 0; i < POOL_SECTORS; i++)
		pool_set_release(i, 1);
	return NULL;
}

static void test_pool(void)
{
	static struct lkl_dev_blk_ops ops = { pool_capacity, pool_request };
	static struct pool_io io[8], a, b, fl;
	struct lkl_disk disk = { .fd = -1, .ops = &ops };
	const int workers = LKL_VIRTIO_BLK_WORKERS;
	unsigned long long start;
	int i, good, seen[8] = { 0 };
	pthread_t th;
	struct drv d;

	ok(lkl_disk_add(&disk) >= 0, "pool: memory disk added");
	ok(drv_open(&d, &disk, F_VERSION_1 | F_FLUSH | F_INDIRECT | F_EVENT_IDX,
		    64), "pool: driver ready");

	/* More requests than workers, all blocking: `workers` run at once. */
	for (i = 0; i < 8; i++)
		pool_post(&d, &io[i], T_IN, (uint64_t)i);
	fd_kick(d.base, 0);
	is_int(pool_wait_active(workers), workers,
	       "as many requests run at once as there are workers");
	sleep_ms(50);
	is_int(pool_get(&pool_active), workers, "... and no more");
	is_int(fd_used_idx(&d.vq), 0, "none completed while all block");

	/* The one released first completes first, whatever its position. */
	pool_set_release(2, 1);
	is_int(pool_next_used(&d), io[2].head,
	       "a later request completes before earlier ones (out of order)");
	is_int(pool_wait_active(workers), workers,
	       "its worker took the next queued request");
	for (i = 0; i < 8; i++)
		pool_set_release(i, 1);
	good = 1;
	seen[2] = 1;
	for (i = 0; i < 7; i++) {
		int id = pool_next_used(&d), k;

		for (k = 0; k < 8 && io[k].head != id; k++)
			;
		if (k == 8 || seen[k])
			good = 0;
		else
			seen[k] = 1;
	}
	for (i = 0; i < 8; i++)
		if (!seen[i] || io[i].status != S_OK)
			good = 0;
	ok(good, "all 8 completed once, status OK");
	is_int(pool_get(&pool_max_active), workers,
	       "never more in flight than workers");

	/*
	 * Flush: it covers the writes that completed before it was submitted,
	 * and need not wait for one still in flight (here: blocked in a
	 * worker), which it must not queue behind either.
	 */
	pool_release_none();
	pool_set_release(11, 1);
	pool_post(&d, &a, T_OUT, 10);
	memset(a.data, 'A', 512);
	pool_post(&d, &b, T_OUT, 11);
	memset(b.data, 'B', 512);
	fd_kick(d.base, 0);
	is_int(pool_next_used(&d), b.head, "write B completed, A still blocked");
	pool_post(&d, &fl, T_FLUSH, 0);
	fd_kick(d.base, 0);
	ok(pool_next_used(&d) == fl.head && fl.status == S_OK,
	   "flush completed while write A is in flight");
	ok(pool_durable[11][0] == 'B' && pool_durable[11][511] == 'B',
	   "the flush covered the completed write B");
	ok(pool_durable[10][0] != 'A', "... not A, which had not completed");
	pool_set_release(10, 1);
	ok(pool_next_used(&d) == a.head && a.status == S_OK, "write A completed");
	pool_post(&d, &fl, T_FLUSH, 0);
	fd_kick(d.base, 0);
	ok(pool_next_used(&d) == fl.head && pool_durable[10][0] == 'A' &&
	   pool_durable[11][0] == 'B', "a flush after A covers A and B");

	/* Reset waits for every request in the workers. */
	pool_release_none();
	for (i = 0; i < 6; i++)
		pool_post(&d, &io[i], T_IN, (uint64_t)i);
	fd_kick(d.base, 0);
	pool_wait_active(workers);
	pthread_create(&th, NULL, pool_release_later, NULL);
	start = now_ns();
	mmio_w(d.base, LKL_VIRTIO_MMIO_STATUS, 0);
	ok(now_ns() - start >= 80000000ULL &&
	   fd_used_idx(&d.vq) == (uint16_t)(d.vq.last_used + 6),
	   "reset returned only after the 6 requests in flight completed");
	is_int(pool_get(&pool_active), 0, "no request left in a worker");
	pthread_join(th, NULL);
	fd_free_queue(&d.vq);

	/* Removal waits for requests in flight as well, then ends the workers. */
	pool_release_none();
	ok(drv_open(&d, &disk, F_VERSION_1 | F_INDIRECT, 64),
	   "pool: driver ready again");
	for (i = 0; i < 6; i++)
		pool_post(&d, &io[i], T_IN, (uint64_t)i);
	fd_kick(d.base, 0);
	pool_wait_active(workers);
	pthread_create(&th, NULL, pool_release_later, NULL);
	start = now_ns();
	is_int(lkl_disk_remove(disk), 0, "remove with requests in flight");
	ok(now_ns() - start >= 80000000ULL &&
	   fd_used_idx(&d.vq) == (uint16_t)(d.vq.last_used + 6),
	   "removal waited for them");
	pthread_join(th, NULL);
	fd_free_queue(&d.vq);
}

/* ---- hot-add after boot ---- */

static long hot_syscall(long no, long *p)
{
	switch (no) {
	case 244:
		return 0;
	case 34:	/* mkdirat /sysfs: pretend it is mounted */
		return -17;
	case 291:	/* statx: "/" on 0:1, /sysfs on 0:2 */
		memset((void *)p[4], 0, 256);
		((uint32_t *)p[4])[0x8c / 4] = strcmp((char *)p[1], "/") ? 2 : 1;
		return 0;
	case 56:	/* openat unbind */
		return 3;
	case 64:	/* write */
		return p[2];
	case 57:
		return 0;
	default:
		return -38;
	}
}

static void test_hot_add(void)
{
	struct lkl_disk boot = { 0 }, hot = { 0 };
	int fd = temp_file("hot", 1 << 20, O_RDWR);

	boot.fd = fd;
	is_int(lkl_disk_add(&boot), 0, "boot disk: id 0");
	stub_syscall_hook = hot_syscall;
	__atomic_store_n(&stub_running, 1, __ATOMIC_RELEASE);
	hot.fd = fd;
	is_int(lkl_disk_add(&hot), 1, "hot-added disk: id 1 (after 1 boot disk)");
	is_int(lkl_disk_remove(hot), 0, "remove hot disk while running");
	is_int(lkl_disk_remove(boot), 0, "remove boot disk while running");
	__atomic_store_n(&stub_running, 0, __ATOMIC_RELEASE);
	stub_syscall_hook = NULL;
	close(fd);
}

static void *nothing(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t warm;
	int threads, i;

	/* Let sanitizer runtimes start their helper threads first. */
	pthread_create(&warm, NULL, nothing, NULL);
	pthread_join(warm, NULL);
	usleep(20000);
	threads = count_threads();

	test_basic();
	test_big_sector();
	test_ro_and_errors();
	test_custom_ops();
	test_pool();
	test_hot_add();
	for (i = 0; i < 100 && count_threads() != threads; i++)
		usleep(10000);
	is_int(count_threads(), threads, "no worker thread left after removal");
	return tap_done();
}
