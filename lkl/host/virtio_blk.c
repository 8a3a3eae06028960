// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk device model and the default file-backed block operations.
 *
 * The notify path (kernel context, CPU lock held) only queues requests; a
 * small pool of worker threads per disk does the host I/O, writes the
 * status byte and completes the chain, so slow host I/O never stalls the
 * kernel, and requests queued behind one that blocks in the host (a
 * flush, a read from the host's device) are served meanwhile (see
 * VBLK_STALL_NS).  Workers take requests in the order the driver made them
 * available and complete them in whatever order the host finishes them,
 * which virtio allows: the guest's block layer never relies on the order of
 * requests in flight (it orders by waiting for completions, see FLUSH).
 *
 * FLUSH: the guest's contract is that a flush makes durable every write
 * that *completed* before the flush was submitted; writes still in flight
 * are not covered (Linux waits for them itself before it flushes, e.g. for
 * REQ_PREFLUSH).  A worker completes a write only after pwritev() returned,
 * and the guest issues the flush only after it saw that completion in the
 * used ring; the flush then reaches a worker through the avail ring and
 * this file's queue lock.  So whichever worker runs the flush's
 * fdatasync() does so after every such pwritev() returned, and fdatasync()
 * covers all data written to the file before it, from any thread or file
 * descriptor.  Concurrent workers therefore keep the guarantee without
 * ordering flushes against writes here.
 *
 * Empty disks: a zero-length backing file is accepted.  The kernel sees a
 * disk with 0 sectors; every I/O to it fails cleanly with an I/O error and
 * mounting it fails with a negative errno (not a crash).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <lkl_host.h>

#include "posix_host.h"
#include "virtio.h"

#define VIRTIO_ID_BLOCK		2

/* Feature bits (virtio spec, "Block Device"). */
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_F_TOPOLOGY	10

/* Request types and status values. */
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_ID_BYTES	20

/*
 * Worker threads per disk (LKL_VIRTIO_BLK_WORKERS, 4): at most that many
 * requests are served at once.
 *
 * Dispatch.  Worker 0, the primary, serves requests in order whenever it
 * is free.  The others help only when every worker serving a request has
 * been at it for VBLK_STALL_NS or more: then one of them takes the next
 * request, so a blocked worker (a flush's fdatasync(), a read the host
 * must fetch from its device) does not hold up the requests behind it.
 * I/O that the host serves from its page cache (CPU work: a copy) thus runs
 * one request at a time on one thread, as fast as it did with a single
 * worker; serving such requests side by side bought nothing and took CPU
 * time from the kernel's thread, the bottleneck of a streaming read (on a
 * 2-CPU host, reading 256 MiB through the host's cache was ~10% slower).
 * One idle helper, the watcher, sleeps until the oldest busy request would
 * count as stalled, so a stall is noticed even if the guest queues nothing
 * more.
 */
#define VBLK_WORKERS		LKL_VIRTIO_BLK_WORKERS
#define VBLK_STALL_NS		2000000ULL	/* 2 ms */

/*
 * Write-behind: after completing a write of at least this many bytes, the
 * worker asks the host to start writing that range back (default ops
 * only).  The guest already did its own caching and chose to write the
 * data out; without this the host's page cache holds it all until the next
 * FLUSH, whose fdatasync() then stalls the guest for the whole backlog (a
 * jbd2 commit, an fsync).  Starting early overlaps the device's work with
 * the guest's (like PostgreSQL's *_flush_after).  Small writes (metadata)
 * are left to coalesce in the host's cache until the flush.
 */
#define VBLK_WRITE_BEHIND_MIN	(64 * 1024)

#define SECTOR_SHIFT		9
#define SECTOR_SIZE		(1U << SECTOR_SHIFT)

_Static_assert(LKL_DEV_BLK_TYPE_READ == VIRTIO_BLK_T_IN &&
	       LKL_DEV_BLK_TYPE_WRITE == VIRTIO_BLK_T_OUT &&
	       LKL_DEV_BLK_TYPE_FLUSH == VIRTIO_BLK_T_FLUSH &&
	       LKL_DEV_BLK_STATUS_OK == VIRTIO_BLK_S_OK &&
	       LKL_DEV_BLK_STATUS_IOERR == VIRTIO_BLK_S_IOERR &&
	       LKL_DEV_BLK_STATUS_UNSUP == VIRTIO_BLK_S_UNSUPP,
	       "public block constants are the virtio ones");

/* struct lkl_blk_iovec is used as a struct iovec by the default ops. */
_Static_assert(sizeof(struct lkl_blk_iovec) == sizeof(struct iovec) &&
	       __builtin_offsetof(struct lkl_blk_iovec, iov_base) ==
	       __builtin_offsetof(struct iovec, iov_base) &&
	       __builtin_offsetof(struct lkl_blk_iovec, iov_len) ==
	       __builtin_offsetof(struct iovec, iov_len),
	       "lkl_blk_iovec matches struct iovec");

/* The device config space, up to the fields we offer (little-endian). */
struct vblk_config {
	uint64_t capacity;	/* 512-byte sectors */
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	/* Topology, in 512-byte logical blocks. */
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
};

_Static_assert(__builtin_offsetof(struct vblk_config, seg_max) == 12 &&
	       __builtin_offsetof(struct vblk_config, blk_size) == 20 &&
	       __builtin_offsetof(struct vblk_config, opt_io_size) == 28 &&
	       sizeof(struct vblk_config) == 32, "virtio_blk_config layout");

/*
 * The I/O size the disk prefers.  Linux reads ahead twice the optimal I/O
 * size: 2 MiB instead of its 128 KiB default, so a sequential read costs
 * a few large host preads rather than many small trips through the ring.
 */
#define VBLK_OPT_IO_BYTES	(1 << 20)

struct vblk_hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct vblk {
	struct lkl_host_virtio_dev vdev;
	struct vblk *next_disk;
	struct lkl_disk disk;		/* the caller's, with dev = this */
	struct lkl_dev_blk_ops *ops;
	unsigned long long sectors;
	int readonly;
	struct vblk_config config;

	pthread_mutex_t lock;		/* the fields below */
	pthread_cond_t cond;		/* the primary waits here */
	pthread_cond_t help;		/* the helpers: CLOCK_MONOTONIC */
	struct lkl_host_virtio_req *head, **tail;
	int stop;
	int watcher;			/* a helper waits with a timeout */
	int nworkers;
	pthread_t workers[VBLK_WORKERS];
	/* Per worker: when its request started (CLOCK_MONOTONIC ns), 0: idle. */
	unsigned long long started[VBLK_WORKERS];
	char serial[VIRTIO_BLK_ID_BYTES];
};

struct vblk_worker_arg {
	struct vblk *vb;
	int idx;
};

static pthread_mutex_t disks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vblk *disks;

/* ---------------------------------------------------------------------- */
/* Default operations: a host file or block device                         */

static int blk_get_capacity(struct lkl_disk disk, unsigned long long *res)
{
	struct stat st;
	off_t end;

	if (fstat(disk.fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*res = (unsigned long long)st.st_size;
		return 0;
	}
#ifdef BLKGETSIZE64
	if (S_ISBLK(st.st_mode)) {
		uint64_t size;

		if (ioctl(disk.fd, BLKGETSIZE64, &size) == 0) {
			*res = size;
			return 0;
		}
	}
#endif
	end = lseek(disk.fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	*res = (unsigned long long)end;
	return 0;
}

/* preadv/pwritev the whole of iov at off, through short transfers and EINTR. */
static int blk_rw(int fd, const struct lkl_blk_iovec *biov, int cnt,
		  unsigned long long sector, int write)
{
	struct iovec small[16], *iov = small;
	int i = 0, ret = LKL_DEV_BLK_STATUS_OK;
	off_t off;

	if (cnt < 0 || sector > (unsigned long long)(INT64_MAX >> SECTOR_SHIFT))
		return LKL_DEV_BLK_STATUS_IOERR;
	off = (off_t)(sector << SECTOR_SHIFT);
	if (cnt > (int)(sizeof(small) / sizeof(small[0]))) {
		iov = malloc((size_t)cnt * sizeof(*iov));
		if (!iov)
			return LKL_DEV_BLK_STATUS_IOERR;
	}
	memcpy(iov, biov, (size_t)cnt * sizeof(*iov));

	while (i < cnt) {
		int n = cnt - i > IOV_MAX ? IOV_MAX : cnt - i;
		ssize_t done;

		if (!iov[i].iov_len) {
			i++;
			continue;
		}
		done = write ? pwritev(fd, &iov[i], n, off)
			     : preadv(fd, &iov[i], n, off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			/* An error, or end of file inside the disk. */
			ret = LKL_DEV_BLK_STATUS_IOERR;
			break;
		}
		off += done;
		while (done > 0) {
			if ((size_t)done >= iov[i].iov_len) {
				done -= (ssize_t)iov[i].iov_len;
				i++;
			} else {
				iov[i].iov_base = (char *)iov[i].iov_base + done;
				iov[i].iov_len -= (size_t)done;
				done = 0;
			}
		}
	}

	if (iov != small)
		free(iov);
	return ret;
}

static int blk_request(struct lkl_disk disk, struct lkl_blk_req *req)
{
	int r;

	switch (req->type) {
	case LKL_DEV_BLK_TYPE_READ:
		return blk_rw(disk.fd, req->buf, req->count, req->sector, 0);
	case LKL_DEV_BLK_TYPE_WRITE:
		return blk_rw(disk.fd, req->buf, req->count, req->sector, 1);
	case LKL_DEV_BLK_TYPE_FLUSH:
	case LKL_DEV_BLK_TYPE_FLUSH_OUT:
		do {
			r = fdatasync(disk.fd);
		} while (r < 0 && errno == EINTR);
		/* Files that cannot be synced (pipes, ...) have nothing to sync. */
		if (r < 0 && errno != EINVAL && errno != EROFS)
			return LKL_DEV_BLK_STATUS_IOERR;
		return LKL_DEV_BLK_STATUS_OK;
	default:
		return LKL_DEV_BLK_STATUS_UNSUP;
	}
}

struct lkl_dev_blk_ops lkl_dev_blk_ops = {
	.get_capacity = blk_get_capacity,
	.request = blk_request,
};

/* ---------------------------------------------------------------------- */
/* Request handling (worker threads)                                       */

/* Describe bytes [off, off + len) of iov as blk iovecs; returns the count. */
static int iov_slice(const struct iovec *iov, int cnt, size_t off, size_t len,
		     struct lkl_blk_iovec *out)
{
	int i, n = 0;

	for (i = 0; i < cnt && len; i++) {
		size_t seg = iov[i].iov_len, take;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		take = seg - off;
		if (take > len)
			take = len;
		out[n].iov_base = (char *)iov[i].iov_base + off;
		out[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return n;
}

static int in_range(struct vblk *vb, unsigned long long sector, size_t bytes)
{
	unsigned long long n = bytes >> SECTOR_SHIFT;

	return !(bytes & (SECTOR_SIZE - 1)) && sector <= vb->sectors &&
	       n <= vb->sectors - sector;
}

/*
 * Start writing back a range just written (see VBLK_WRITE_BEHIND_MIN).
 * Only a hint: errors (a pipe, a filesystem without it) are ignored, and a
 * later FLUSH still does the fdatasync() that makes the data durable.
 */
static void vblk_write_behind(struct vblk *vb, unsigned long long sector,
			      size_t len)
{
#ifdef SYNC_FILE_RANGE_WRITE
	sync_file_range(vb->disk.fd, (off_t)(sector << SECTOR_SHIFT),
			(off_t)len, SYNC_FILE_RANGE_WRITE);
#else
	(void)vb;
	(void)sector;
	(void)len;
#endif
}

static void vblk_handle(struct vblk *vb, struct lkl_host_virtio_req *req)
{
	const struct iovec *out = req->iov, *in = req->iov + req->nout;
	size_t out_len = lkl_host_iov_length(out, req->nout);
	size_t in_len = lkl_host_iov_length(in, req->nin);
	struct lkl_blk_iovec small[16], *segs = small;
	struct lkl_blk_req breq = { .type = VIRTIO_BLK_T_IN };
	struct vblk_hdr hdr;
	uint32_t written = 0;
	size_t data_len = 0;
	uint8_t status;
	char serial[VIRTIO_BLK_ID_BYTES];

	/* No room for the status byte: nothing can be reported. */
	if (!in_len) {
		lkl_host_virtio_req_complete(req, 0);
		return;
	}
	if (out_len < sizeof(hdr)) {
		status = VIRTIO_BLK_S_IOERR;
		goto done;
	}
	lkl_host_iov_from(out, req->nout, 0, &hdr, sizeof(hdr));
	breq.type = le32toh(hdr.type);
	breq.prio = le32toh(hdr.ioprio);
	breq.sector = le64toh(hdr.sector);
	breq.buf = NULL;
	breq.count = 0;

	if (req->nout + req->nin > (int)(sizeof(small) / sizeof(small[0]))) {
		segs = malloc((size_t)(req->nout + req->nin) * sizeof(*segs));
		if (!segs) {
			segs = small;
			status = VIRTIO_BLK_S_IOERR;
			goto done;
		}
	}

	switch (breq.type) {
	case VIRTIO_BLK_T_IN:
		data_len = in_len - 1;
		if (!in_range(vb, breq.sector, data_len)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		breq.count = iov_slice(in, req->nin, 0, data_len, segs);
		breq.buf = segs;
		status = (uint8_t)vb->ops->request(vb->disk, &breq);
		written = (uint32_t)data_len;
		break;
	case VIRTIO_BLK_T_OUT:
		data_len = out_len - sizeof(hdr);
		if (vb->readonly || !in_range(vb, breq.sector, data_len)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		breq.count = iov_slice(out, req->nout, sizeof(hdr), data_len,
				       segs);
		breq.buf = segs;
		status = (uint8_t)vb->ops->request(vb->disk, &breq);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = (uint8_t)vb->ops->request(vb->disk, &breq);
		break;
	case VIRTIO_BLK_T_GET_ID:
		data_len = in_len - 1;
		if (data_len > VIRTIO_BLK_ID_BYTES)
			data_len = VIRTIO_BLK_ID_BYTES;
		pthread_mutex_lock(&vb->lock);
		memcpy(serial, vb->serial, sizeof(serial));
		pthread_mutex_unlock(&vb->lock);
		lkl_host_iov_to(in, req->nin, 0, serial, data_len);
		written = (uint32_t)data_len;
		status = VIRTIO_BLK_S_OK;
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status > VIRTIO_BLK_S_UNSUPP)
		status = VIRTIO_BLK_S_IOERR;

done:
	if (segs != small)
		free(segs);
	lkl_host_iov_to(in, req->nin, in_len - 1, &status, 1);
	lkl_host_virtio_req_complete(req, written + 1);

	/* After the completion: the guest need not wait for this. */
	if (breq.type == VIRTIO_BLK_T_OUT && status == VIRTIO_BLK_S_OK &&
	    data_len >= VBLK_WRITE_BEHIND_MIN && vb->ops == &lkl_dev_blk_ops)
		vblk_write_behind(vb, breq.sector, data_len);
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

/*
 * How many workers serve a request that started less than VBLK_STALL_NS
 * ago; *until: when the first of them stops counting.  vb->lock held.
 */
static int vblk_fresh(struct vblk *vb, unsigned long long now,
		      unsigned long long *until)
{
	int i, n = 0;

	*until = ~0ULL;
	for (i = 0; i < VBLK_WORKERS; i++) {
		unsigned long long t = vb->started[i];

		if (t && now - t < VBLK_STALL_NS) {
			n++;
			if (t + VBLK_STALL_NS < *until)
				*until = t + VBLK_STALL_NS;
		}
	}
	return n;
}

/* One of the disk's workers (see VBLK_STALL_NS for the dispatch rule). */
static void *vblk_worker(void *arg)
{
	struct vblk_worker_arg *wa = arg;
	struct vblk *vb = wa->vb;
	int me = wa->idx, fresh;
	pthread_cond_t *cv = me ? &vb->help : &vb->cond;
	struct lkl_host_virtio_req *req;
	unsigned long long now, until;
	struct timespec ts;

	free(wa);
	pthread_mutex_lock(&vb->lock);
	for (;;) {
		now = mono_ns();
		fresh = vblk_fresh(vb, now, &until);
		if (vb->head && (!me || !fresh)) {
			req = vb->head;
			vb->head = req->next;
			if (!vb->head)
				vb->tail = &vb->head;
			vb->started[me] = now ? now : 1;
			/* Have a helper watch for this one to stall. */
			if (!vb->watcher)
				pthread_cond_signal(&vb->help);
			pthread_mutex_unlock(&vb->lock);

			req->next = NULL;
			vblk_handle(vb, req);

			pthread_mutex_lock(&vb->lock);
			vb->started[me] = 0;
			continue;
		}
		if (!vb->head && vb->stop)
			break;
		if (me && fresh && !vb->watcher) {
			vb->watcher = 1;
			ts.tv_sec = (time_t)(until / 1000000000ULL);
			ts.tv_nsec = (long)(until % 1000000000ULL);
			pthread_cond_timedwait(cv, &vb->lock, &ts);
			vb->watcher = 0;
		} else {
			pthread_cond_wait(cv, &vb->lock);
		}
	}
	pthread_mutex_unlock(&vb->lock);
	return NULL;
}

/*
 * Notify path: queue only, never block on I/O.  A free primary takes the
 * request; if every busy worker stalled, a helper does; otherwise the
 * primary takes it when done, or the watcher when the primary stalls.
 */
static void vblk_enqueue(struct lkl_host_virtio_dev *dev,
			 struct lkl_host_virtio_req *req)
{
	struct vblk *vb = (struct vblk *)dev;
	unsigned long long until;

	req->next = NULL;
	pthread_mutex_lock(&vb->lock);
	*vb->tail = req;
	vb->tail = &req->next;
	if (!vb->started[0])
		pthread_cond_signal(&vb->cond);
	else if (!vblk_fresh(vb, mono_ns(), &until))
		pthread_cond_signal(&vb->help);
	pthread_mutex_unlock(&vb->lock);
}

static const struct lkl_host_virtio_ops vblk_ops = {
	.enqueue = vblk_enqueue,
};

/* ---------------------------------------------------------------------- */
/* Public API                                                              */

static void vblk_free(struct vblk *vb)
{
	pthread_mutex_destroy(&vb->lock);
	pthread_cond_destroy(&vb->cond);
	pthread_cond_destroy(&vb->help);
	free(vb);
}

/*
 * Stop and join every worker.  Requests still queued are served first
 * (there are none once the virtio layer drained the queue: the device was
 * reset, or never used).
 */
static void vblk_stop_workers(struct vblk *vb)
{
	int i;

	pthread_mutex_lock(&vb->lock);
	vb->stop = 1;
	pthread_cond_broadcast(&vb->cond);
	pthread_cond_broadcast(&vb->help);
	pthread_mutex_unlock(&vb->lock);
	for (i = 0; i < vb->nworkers; i++)
		pthread_join(vb->workers[i], NULL);
	vb->nworkers = 0;
}

static int vblk_start_workers(struct vblk *vb)
{
	struct vblk_worker_arg *wa;
	int ret;

	while (vb->nworkers < VBLK_WORKERS) {
		wa = malloc(sizeof(*wa));
		if (!wa) {
			vblk_stop_workers(vb);
			return -ENOMEM;
		}
		wa->vb = vb;
		wa->idx = vb->nworkers;
		ret = lkl_host_pthread_create(&vb->workers[vb->nworkers],
					      vblk_worker, wa);
		if (ret) {
			free(wa);
			vblk_stop_workers(vb);
			return -ret;
		}
		vb->nworkers++;
	}
	return 0;
}

int lkl_disk_add(struct lkl_disk *disk)
{
	struct lkl_dev_blk_ops *ops;
	unsigned long long bytes = 0;
	char serial[32];
	struct vblk *vb;
	int readonly = 0, fl, ret;

	if (!disk)
		return -EINVAL;
	ops = disk->ops ? disk->ops : &lkl_dev_blk_ops;
	if (!ops->get_capacity || !ops->request)
		return -EINVAL;

	/* The default ops need a usable fd; custom ones may ignore it. */
	fl = disk->fd >= 0 ? fcntl(disk->fd, F_GETFL) : -1;
	if (ops == &lkl_dev_blk_ops && (fl < 0 || (fl & O_PATH)))
		return -EBADF;
	if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
		readonly = 1;

	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	vb->disk = *disk;
	vb->disk.dev = vb;
	vb->disk.ops = ops;
	vb->ops = ops;
	vb->readonly = readonly;

	ret = ops->get_capacity(vb->disk, &bytes);
	if (ret < 0) {
		free(vb);
		return ret;
	}
	vb->sectors = bytes >> SECTOR_SHIFT;

	vb->config.capacity = htole64(vb->sectors);
	/* Linux adds header and status to this; stay within one ring. */
	vb->config.seg_max = htole32(LKL_VIRTIO_QUEUE_MAX - 2);
	vb->config.min_io_size = htole16(4096 >> SECTOR_SHIFT);
	vb->config.opt_io_size = htole32(VBLK_OPT_IO_BYTES >> SECTOR_SHIFT);

	vb->vdev.device_id = VIRTIO_ID_BLOCK;
	vb->vdev.vendor_id = 0;
	vb->vdev.device_features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
				   (1ULL << VIRTIO_BLK_F_FLUSH) |
				   (1ULL << VIRTIO_BLK_F_TOPOLOGY) |
				   (1ULL << LKL_VIRTIO_RING_F_INDIRECT_DESC) |
				   (1ULL << LKL_VIRTIO_RING_F_EVENT_IDX);
	if (readonly)
		vb->vdev.device_features |= 1ULL << VIRTIO_BLK_F_RO;
	vb->vdev.ops = &vblk_ops;
	vb->vdev.config = &vb->config;
	vb->vdev.config_len = sizeof(vb->config);
	vb->vdev.num_queues = 1;
	vb->vdev.queue_num_max = LKL_VIRTIO_QUEUE_MAX;

	pthread_mutex_init(&vb->lock, NULL);
	pthread_cond_init(&vb->cond, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&vb->help, &attr);
		pthread_condattr_destroy(&attr);
	}
	vb->tail = &vb->head;
	ret = vblk_start_workers(vb);
	if (ret) {
		vblk_free(vb);
		return ret;
	}

	ret = lkl_host_virtio_dev_setup(&vb->vdev, "virtio-blk");
	if (ret < 0) {
		vblk_stop_workers(vb);
		vblk_free(vb);
		return ret;
	}

	/* 20 bytes, NUL-padded but not necessarily NUL-terminated. */
	snprintf(serial, sizeof(serial), "liblkl-disk%d", ret);
	pthread_mutex_lock(&vb->lock);
	memcpy(vb->serial, serial, strnlen(serial, sizeof(vb->serial)));
	pthread_mutex_unlock(&vb->lock);

	pthread_mutex_lock(&disks_lock);
	vb->next_disk = disks;
	disks = vb;
	pthread_mutex_unlock(&disks_lock);

	disk->dev = vb;
	return ret;
}

int lkl_disk_remove(struct lkl_disk disk)
{
	struct vblk *vb, **p;
	int ret;

	pthread_mutex_lock(&disks_lock);
	for (p = &disks; *p && *p != disk.dev; p = &(*p)->next_disk)
		;
	vb = *p;
	if (!vb) {
		pthread_mutex_unlock(&disks_lock);
		return -EINVAL;
	}
	ret = lkl_host_virtio_dev_cleanup(&vb->vdev);
	if (ret < 0) {
		pthread_mutex_unlock(&disks_lock);
		return ret;
	}
	*p = vb->next_disk;
	pthread_mutex_unlock(&disks_lock);

	/* dev_cleanup drained the queue: no request is queued or in a worker. */
	vblk_stop_workers(vb);
	vblk_free(vb);
	return 0;
}
