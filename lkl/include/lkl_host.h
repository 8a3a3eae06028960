/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liblkl host library: the POSIX host operations, block devices and the
 * kernel entry points a host program calls.  Plain C types only, so a
 * program can also declare these symbols itself: the symbol-level ABI is
 * the contract.
 */
#ifndef LKL_HOST_H
#define LKL_HOST_H

#include <lkl/asm/host_ops.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The POSIX implementation of the host operations. */
extern struct lkl_host_operations lkl_host_ops;

/* ---- kernel entry points (exported by the kernel object) ---- */

/* Must come first; keeps a pointer to ops. Returns 0 or -1. */
int lkl_init(struct lkl_host_operations *ops);
/* Boot with a kernel command line ("mem=64M loglevel=4"). 0 once running. */
int lkl_start_kernel(const char *fmt, ...);
int lkl_is_running(void);
/* Orderly shutdown: unmount everything, stop every kernel thread. */
long lkl_sys_halt(void);
/* Release what lkl_init took; call after lkl_sys_halt. */
void lkl_cleanup(void);
/* params[6]; returns the kernel's raw result, -errno on failure. */
long lkl_syscall(long no, long *params);

/*
 * Tasks for programs that mirror processes and threads of their own:
 * lkl_task_clone() clones the calling thread's kernel task with clone(2)'s
 * CLONE_* sharing flags (CLONE_FILES, CLONE_FS, CLONE_THREAD|CLONE_SIGHAND|
 * CLONE_VM, ...; exit signal in the low byte) and returns the clone's tid;
 * nothing runs it until a host thread calls lkl_task_adopt(tid), after
 * which that thread's system calls run as the clone.  When an adopting
 * thread exits, so does its task.
 */
long lkl_task_clone(unsigned long flags);
long lkl_task_adopt(long tid);
/*
 * Give the calling thread's task the tid tid (a sandbox numbers its
 * tasks as the host numbers the processes they mirror): a clone sharing
 * all it has takes its place under that number.  Returns tid, or -errno
 * with nothing changed (-EEXIST: the number is taken).
 */
long lkl_task_renumber(long tid);
/*
 * The calling thread's task records the program open at fd as its
 * executable (/proc/PID/exe), for programs it runs on the host.
 */
long lkl_task_set_exe(int fd);
/* ... and args (len bytes, NUL-separated) as its /proc/PID/cmdline. */
long lkl_task_set_cmdline(const char *args, unsigned long len);

/* Interrupts, for device emulation in the host library. */
int lkl_get_free_irq(const char *user);
void lkl_put_irq(int irq, const char *user);
int lkl_trigger_irq(int irq);

/* ---- errors ---- */

/* Text for an errno value; the sign is ignored. Never NULL. */
const char *lkl_strerror(int err);
void lkl_perror(const char *msg, int err);

/* ---- block devices ---- */

#define LKL_DEV_BLK_TYPE_READ		0
#define LKL_DEV_BLK_TYPE_WRITE		1
#define LKL_DEV_BLK_TYPE_FLUSH		4
#define LKL_DEV_BLK_TYPE_FLUSH_OUT	5

#define LKL_DEV_BLK_STATUS_OK		0
#define LKL_DEV_BLK_STATUS_IOERR	1
#define LKL_DEV_BLK_STATUS_UNSUP	2

struct lkl_blk_iovec {
	void *iov_base;
	unsigned long iov_len;
};

struct lkl_blk_req {
	unsigned int type;
	unsigned int prio;
	unsigned long long sector;	/* 512-byte units */
	struct lkl_blk_iovec *buf;
	int count;
};

struct lkl_disk;

struct lkl_dev_blk_ops {
	/* Size of the disk in bytes; 0 or -errno. */
	int (*get_capacity)(struct lkl_disk disk, unsigned long long *res);
	/*
	 * Serve one request; returns an LKL_DEV_BLK_STATUS_* value.  Called
	 * from the disk's worker threads, several requests at once (up to 4
	 * per disk), so it must be thread-safe.  A FLUSH must make durable
	 * every write whose request() returned before the FLUSH's was called.
	 */
	int (*request)(struct lkl_disk disk, struct lkl_blk_req *req);
};

struct lkl_disk {
	void *dev;			/* set by lkl_disk_add */
	int fd;				/* host file for the default ops */
	struct lkl_dev_blk_ops *ops;	/* NULL: lkl_dev_blk_ops over fd */
};

/* The default block operations: pread/pwrite/fdatasync on disk.fd. */
extern struct lkl_dev_blk_ops lkl_dev_blk_ops;

/*
 * Add a virtio-blk disk, before or after lkl_start_kernel.  Returns the disk
 * id (its virtio-mmio device index) or -errno: -EBADF if the default ops
 * are used and fd is not an open file, -EINVAL for ops without
 * get_capacity/request, or get_capacity's error.  An fd opened O_RDONLY
 * makes a read-only disk.  A zero-length disk is accepted: the kernel sees
 * 0 sectors, its I/O fails with EIO and mounting it returns -errno.
 * Sets disk->dev.
 */
int lkl_disk_add(struct lkl_disk *disk);
/* Remove a disk added before; the kernel must be halted or not using it. */
int lkl_disk_remove(struct lkl_disk disk);

/*
 * Mount partition part (0: the whole disk) of disk disk_id at
 * /mnt/<dev_t in hex> inside the kernel and write that path to mnt_str.
 * flags are LKL_MS_* values, opts the filesystem's data string (NULL: none;
 * under 4096 bytes).  Returns 0 or -errno (-ENAMETOOLONG: mnt_str_len is
 * under 14).
 */
long lkl_mount_dev(unsigned int disk_id, unsigned int part,
		   const char *fs_type, int flags, const char *opts,
		   char *mnt_str, unsigned int mnt_str_len);
/* Unmount what lkl_mount_dev mounted; retries while busy up to timeout_ms. */
long lkl_umount_dev(unsigned int disk_id, unsigned int part, int flags,
		    long timeout_ms);
/* The dev_t (new encoding) of a disk partition, in *pdevid. */
int lkl_get_virtio_blkdev(int disk_id, unsigned int part, unsigned int *pdevid);
/* Mount a pseudo filesystem ("proc", "sysfs", ...) at /<fstype>. 0, 1 if already there, or -errno. */
long lkl_mount_fs(const char *fstype);

#ifdef __cplusplus
}
#endif

#endif
