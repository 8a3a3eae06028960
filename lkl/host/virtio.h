/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-mmio (version 2) device emulation, private to the host library.
 *
 * A device model (virtio_blk.c, ...) fills the public part of a
 * struct lkl_host_virtio_dev and calls lkl_host_virtio_dev_setup().  From
 * then on this layer owns the register file: it negotiates features, tracks
 * the split virtqueues and, when the driver notifies a queue, turns every
 * available descriptor chain into a struct lkl_host_virtio_req handed to
 * ops->enqueue.  The device answers each request exactly once, from any
 * thread, with lkl_host_virtio_req_complete().
 *
 * The kernel's "physical" addresses are host virtual addresses (identity
 * map), so ring and buffer addresses are used as host pointers.
 */
#ifndef LKL_HOST_VIRTIO_H
#define LKL_HOST_VIRTIO_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * Errors returned to the library user are Linux asm-generic errno values;
 * the host's <errno.h> is used for them, which is only right on hosts that
 * share that numbering (x86_64, aarch64, riscv64 Linux: the supported ones).
 */
_Static_assert(EAGAIN == 11 && ENOSPC == 28 && ENOTSUP == 95 &&
	       ENOMEDIUM == 123 && EHWPOISON == 133,
	       "host errno values differ from asm-generic");

/* Register window size (registers + device config space). */
#define LKL_VIRTIO_MMIO_SIZE		0x1000
#define LKL_VIRTIO_MMIO_CONFIG		0x100
#define LKL_VIRTIO_CONFIG_MAX		(LKL_VIRTIO_MMIO_SIZE - LKL_VIRTIO_MMIO_CONFIG)

/* Register offsets (virtio spec, "MMIO Device Register Layout"). */
#define LKL_VIRTIO_MMIO_MAGIC_VALUE		0x000
#define LKL_VIRTIO_MMIO_VERSION			0x004
#define LKL_VIRTIO_MMIO_DEVICE_ID		0x008
#define LKL_VIRTIO_MMIO_VENDOR_ID		0x00c
#define LKL_VIRTIO_MMIO_DEVICE_FEATURES		0x010
#define LKL_VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define LKL_VIRTIO_MMIO_DRIVER_FEATURES		0x020
#define LKL_VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define LKL_VIRTIO_MMIO_QUEUE_SEL		0x030
#define LKL_VIRTIO_MMIO_QUEUE_NUM_MAX		0x034
#define LKL_VIRTIO_MMIO_QUEUE_NUM		0x038
#define LKL_VIRTIO_MMIO_QUEUE_READY		0x044
#define LKL_VIRTIO_MMIO_QUEUE_NOTIFY		0x050
#define LKL_VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define LKL_VIRTIO_MMIO_INTERRUPT_ACK		0x064
#define LKL_VIRTIO_MMIO_STATUS			0x070
#define LKL_VIRTIO_MMIO_QUEUE_DESC_LOW		0x080
#define LKL_VIRTIO_MMIO_QUEUE_DESC_HIGH		0x084
#define LKL_VIRTIO_MMIO_QUEUE_AVAIL_LOW		0x090
#define LKL_VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define LKL_VIRTIO_MMIO_QUEUE_USED_LOW		0x0a0
#define LKL_VIRTIO_MMIO_QUEUE_USED_HIGH		0x0a4
#define LKL_VIRTIO_MMIO_SHM_SEL			0x0ac
#define LKL_VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define LKL_VIRTIO_MMIO_SHM_LEN_HIGH		0x0b4
#define LKL_VIRTIO_MMIO_CONFIG_GENERATION	0x0fc

#define LKL_VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define LKL_VIRTIO_MMIO_INT_VRING	(1U << 0)
#define LKL_VIRTIO_MMIO_INT_CONFIG	(1U << 1)

/* Device status bits. */
#define LKL_VIRTIO_S_ACKNOWLEDGE	1
#define LKL_VIRTIO_S_DRIVER		2
#define LKL_VIRTIO_S_DRIVER_OK		4
#define LKL_VIRTIO_S_FEATURES_OK	8
#define LKL_VIRTIO_S_NEEDS_RESET	0x40
#define LKL_VIRTIO_S_FAILED		0x80

/* Transport feature bits. */
#define LKL_VIRTIO_RING_F_INDIRECT_DESC	28
#define LKL_VIRTIO_RING_F_EVENT_IDX	29
#define LKL_VIRTIO_F_VERSION_1		32

/* Split virtqueue layout. */
#define LKL_VRING_DESC_F_NEXT		1
#define LKL_VRING_DESC_F_WRITE		2
#define LKL_VRING_DESC_F_INDIRECT	4
#define LKL_VRING_AVAIL_F_NO_INTERRUPT	1

struct lkl_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct lkl_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then: uint16_t used_event */
};

struct lkl_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct lkl_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct lkl_vring_used_elem ring[];	/* then: uint16_t avail_event */
};

/* Largest queue we advertise; Linux sizes its rings from this. */
#define LKL_VIRTIO_QUEUE_MAX	256
/* Bound on the descriptors of one chain, indirect tables included. */
#define LKL_VIRTIO_CHAIN_MAX	4096
/* virtio_blk.c: worker threads per disk (requests served at once). */
#define LKL_VIRTIO_BLK_WORKERS	4

struct lkl_host_virtio_dev;

/* One available descriptor chain. */
struct lkl_host_virtio_req {
	struct lkl_host_virtio_req *next;	/* free for the device's use */
	struct lkl_host_virtio_dev *dev;
	unsigned int queue;
	uint16_t head;
	/* iov[0 .. nout) are device-readable, iov[nout .. nout + nin) writable. */
	int nout;
	int nin;
	struct iovec iov[];
};

struct lkl_host_virtio_ops {
	/* FEATURES_OK: accept the driver's features (dev->driver_features)? 0: yes */
	int (*check_features)(struct lkl_host_virtio_dev *dev);
	/* Take a request; it must be completed exactly once, on any thread. */
	void (*enqueue)(struct lkl_host_virtio_dev *dev,
			struct lkl_host_virtio_req *req);
	/* Optional: the driver reset the device (no request is in flight). */
	void (*reset)(struct lkl_host_virtio_dev *dev);
};

struct lkl_host_virtio_queue {
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* inflight dropped to 0 */
	uint32_t num_max;
	uint32_t num;
	uint32_t ready;
	uint64_t desc_addr, avail_addr, used_addr;
	struct lkl_vring_desc *desc;
	struct lkl_vring_avail *avail;
	struct lkl_vring_used *used;
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* our copy of used->idx */
	unsigned int inflight;		/* atomic; reaches 0 only under lock */
	int broken;			/* malformed ring: ignore until reset */
};

struct lkl_host_virtio_dev {
	/* ---- filled by the device model before setup ---- */
	uint32_t device_id;
	uint32_t vendor_id;
	/* VERSION_1 is always added; INDIRECT_DESC/EVENT_IDX if set here. */
	uint64_t device_features;
	const struct lkl_host_virtio_ops *ops;
	void *config;			/* device config space, read-only */
	uint32_t config_len;		/* <= LKL_VIRTIO_CONFIG_MAX */
	uint32_t num_queues;
	uint32_t queue_num_max;		/* 0: LKL_VIRTIO_QUEUE_MAX */

	/* ---- set by setup ---- */
	long base;			/* bus address of the register window */
	int irq;
	int id;				/* virtio-mmio index: the public disk id */
	uint64_t driver_features;	/* valid once FEATURES_OK is set */

	/* ---- private to virtio.c ---- */
	pthread_mutex_t lock;		/* register file */
	uint32_t status;
	uint32_t int_status;		/* atomic */
	uint32_t config_generation;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t drv_features;		/* as being written */
	struct lkl_host_virtio_queue *queues;
	const char *irq_name;
	int registered_at_boot;
	int pdev_id;			/* hot-added: virtio-mmio.<pdev_id>.auto */
};

/*
 * Register the device with the kernel: before boot on the command line
 * (lkl_host_ops.virtio_devices), after boot through the hot-add syscall.
 * name labels the irq.  Returns the virtio-mmio index (>= 0) or -errno.
 */
int lkl_host_virtio_dev_setup(struct lkl_host_virtio_dev *dev,
			      const char *name);
/*
 * Undo setup.  The kernel must not be using the device: either it never
 * booted, it was halted, or the driver has been unbound (this does that when
 * the kernel is running).  Afterwards the device memory may be freed.
 */
int lkl_host_virtio_dev_cleanup(struct lkl_host_virtio_dev *dev);

/* Return a request's chain to the driver; len = bytes written to it. */
void lkl_host_virtio_req_complete(struct lkl_host_virtio_req *req,
				  uint32_t len);

/* Raise a configuration-change interrupt (after changing dev->config). */
void lkl_host_virtio_config_changed(struct lkl_host_virtio_dev *dev);

/* Number of devices put on the boot command line (hot-added ids follow). */
int lkl_host_virtio_boot_count(void);

/* Copy helpers over a request's iovecs, starting at byte offset off. */
size_t lkl_host_iov_from(const struct iovec *iov, int cnt, size_t off,
			 void *buf, size_t len);
size_t lkl_host_iov_to(const struct iovec *iov, int cnt, size_t off,
		       const void *buf, size_t len);
size_t lkl_host_iov_length(const struct iovec *iov, int cnt);

#endif
