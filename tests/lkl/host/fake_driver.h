/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake virtio-mmio driver for the unit tests: it does through
 * lkl_host_iomem_access() exactly what the kernel's virtio_mmio and
 * virtio_ring code do through readl/writel, with split rings in ordinary
 * host memory.
 */
#ifndef TESTS_LKL_HOST_FAKE_DRIVER_H
#define TESTS_LKL_HOST_FAKE_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../lkl/host/iomem.h"
#include "../../../lkl/host/virtio.h"

static inline uint32_t mmio_r(long base, unsigned int off)
{
	uint32_t v = 0;

	lkl_host_iomem_access((void *)(uintptr_t)(base + off), &v, 4, 0);
	return v;
}

static inline void mmio_w(long base, unsigned int off, uint32_t v)
{
	lkl_host_iomem_access((void *)(uintptr_t)(base + off), &v, 4, 1);
}

static inline uint64_t mmio_dev_features(long base)
{
	uint64_t f;

	mmio_w(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)mmio_r(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	mmio_w(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f |= mmio_r(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES);
	return f;
}

/* Reset, ACK, DRIVER, write features, FEATURES_OK; 1 if accepted. */
static inline int fd_negotiate(long base, uint64_t features)
{
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, LKL_VIRTIO_S_ACKNOWLEDGE);
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS,
	       LKL_VIRTIO_S_ACKNOWLEDGE | LKL_VIRTIO_S_DRIVER);
	mmio_w(base, LKL_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_w(base, LKL_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	mmio_w(base, LKL_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_w(base, LKL_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, LKL_VIRTIO_S_ACKNOWLEDGE |
	       LKL_VIRTIO_S_DRIVER | LKL_VIRTIO_S_FEATURES_OK);
	return !!(mmio_r(base, LKL_VIRTIO_MMIO_STATUS) & LKL_VIRTIO_S_FEATURES_OK);
}

static inline void fd_driver_ok(long base)
{
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, LKL_VIRTIO_S_ACKNOWLEDGE |
	       LKL_VIRTIO_S_DRIVER | LKL_VIRTIO_S_FEATURES_OK |
	       LKL_VIRTIO_S_DRIVER_OK);
}

struct fake_buf {
	void *addr;
	uint32_t len;
	int write;	/* device-writable */
};

struct fake_vq {
	unsigned int num;
	struct lkl_vring_desc *desc;
	struct lkl_vring_avail *avail;
	struct lkl_vring_used *used;
	uint16_t free_head;	/* descriptors are used round-robin */
	uint16_t avail_idx;
	uint16_t last_used;
	void *indirect[LKL_VIRTIO_QUEUE_MAX];	/* per head */
};

static inline uint16_t *fvq_used_event(struct fake_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static inline uint16_t *fvq_avail_event(struct fake_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

/* Allocate rings and program queue q (QUEUE_SEL .. QUEUE_READY). */
static inline int fd_setup_queue(long base, unsigned int q, struct fake_vq *vq,
			  unsigned int num)
{
	memset(vq, 0, sizeof(*vq));
	vq->num = num;
	vq->desc = aligned_alloc(16, 16 * num);
	vq->avail = aligned_alloc(16, ((4 + 2 * num + 2) + 15) & ~15U);
	vq->used = aligned_alloc(16, ((4 + 8 * num + 2) + 15) & ~15U);
	memset(vq->desc, 0, 16 * num);
	memset(vq->avail, 0, 4 + 2 * num + 2);
	memset(vq->used, 0, 4 + 8 * num + 2);

	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_SEL, q);
	if (mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_READY))
		return 0;
	if (mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_NUM_MAX) < num)
		return 0;
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_NUM, num);
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)vq->desc);
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_DESC_HIGH,
	       (uint32_t)((uint64_t)(uintptr_t)vq->desc >> 32));
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(uintptr_t)vq->avail);
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	       (uint32_t)((uint64_t)(uintptr_t)vq->avail >> 32));
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(uintptr_t)vq->used);
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_USED_HIGH,
	       (uint32_t)((uint64_t)(uintptr_t)vq->used >> 32));
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_READY, 1);
	return mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_READY) == 1;
}

static inline void fd_free_queue(struct fake_vq *vq)
{
	unsigned int i;

	for (i = 0; i < LKL_VIRTIO_QUEUE_MAX; i++)
		free(vq->indirect[i]);
	free(vq->desc);
	free(vq->avail);
	free(vq->used);
	memset(vq, 0, sizeof(*vq));
}

static inline void fill_desc(struct lkl_vring_desc *d, const struct fake_buf *b,
		      uint16_t next, int has_next)
{
	d->addr = (uint64_t)(uintptr_t)b->addr;
	d->len = b->len;
	d->flags = (uint16_t)((b->write ? LKL_VRING_DESC_F_WRITE : 0) |
			      (has_next ? LKL_VRING_DESC_F_NEXT : 0));
	d->next = next;
}

/*
 * Post a chain (directly, or as one indirect descriptor) and publish it in
 * the avail ring; returns its head.  Does not notify.
 */
static inline uint16_t fd_post(struct fake_vq *vq, const struct fake_buf *bufs,
			int n, int indirect)
{
	uint16_t head = vq->free_head, i;

	if (indirect) {
		struct lkl_vring_desc *t = calloc((size_t)n, sizeof(*t));

		for (i = 0; i < n; i++)
			fill_desc(&t[i], &bufs[i], (uint16_t)(i + 1), i + 1 < n);
		free(vq->indirect[head]);
		vq->indirect[head] = t;
		vq->desc[head].addr = (uint64_t)(uintptr_t)t;
		vq->desc[head].len = (uint32_t)(n * sizeof(*t));
		vq->desc[head].flags = LKL_VRING_DESC_F_INDIRECT;
		vq->desc[head].next = 0;
		vq->free_head = (uint16_t)((head + 1) % vq->num);
	} else {
		for (i = 0; i < n; i++) {
			uint16_t d = (uint16_t)((head + i) % vq->num);

			fill_desc(&vq->desc[d], &bufs[i],
				  (uint16_t)((d + 1) % vq->num), i + 1 < n);
		}
		vq->free_head = (uint16_t)((head + n) % vq->num);
	}
	vq->avail->ring[vq->avail_idx % vq->num] = head;
	vq->avail_idx++;
	/* virtio_wmb(): the entry before the index. */
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	return head;
}

static inline void fd_kick(long base, unsigned int q)
{
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static inline uint16_t fd_used_idx(struct fake_vq *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
}

/* Wait until used->idx reaches want; 1 on success. */
static inline int fd_wait_used(struct fake_vq *vq, uint16_t want, int timeout_ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	int i;

	for (i = 0; i < timeout_ms; i++) {
		if ((uint16_t)(fd_used_idx(vq) - want) < 0x8000)
			return 1;
		nanosleep(&ts, NULL);
	}
	return (uint16_t)(fd_used_idx(vq) - want) < 0x8000;
}

/* Pop the next used element; 0 if none. */
static inline int fd_get_used(struct fake_vq *vq, struct lkl_vring_used_elem *e)
{
	if (vq->last_used == fd_used_idx(vq))
		return 0;
	*e = vq->used->ring[vq->last_used % vq->num];
	vq->last_used++;
	return 1;
}

#endif
