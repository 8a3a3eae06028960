// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio version 2 register file and split virtqueues.
 *
 * Threads: register accesses come from the kernel (one at a time, under the
 * kernel's CPU lock) and take dev->lock.  Completions come from device
 * worker threads and take only the queue's lock; they never touch dev->lock,
 * so a reset that waits for in-flight requests under dev->lock cannot
 * deadlock against them.  No lock of ours is held while calling
 * lkl_trigger_irq(), which may run the interrupt handler (and so re-enter
 * the register file) on the calling thread.
 *
 * The rings live in kernel memory that other host threads read and write
 * concurrently, hence the explicit acquire/release and full fences where
 * the virtio spec requires barriers.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lkl_host.h>

#include "iomem.h"
#include "ksyscall.h"
#include "virtio.h"

#define BIT64(n)	(1ULL << (n))

/* ---------------------------------------------------------------------- */
/* iovec helpers                                                           */

size_t lkl_host_iov_length(const struct iovec *iov, int cnt)
{
	size_t len = 0;
	int i;

	for (i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	return len;
}

/* Copy between iov (from byte off) and buf; to_iov selects the direction. */
static size_t iov_copy(const struct iovec *iov, int cnt, size_t off,
		       void *buf, size_t len, int to_iov)
{
	size_t done = 0;
	int i;

	for (i = 0; i < cnt && done < len; i++) {
		size_t seg = iov[i].iov_len, n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = seg - off;
		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy((char *)iov[i].iov_base + off,
			       (char *)buf + done, n);
		else
			memcpy((char *)buf + done,
			       (char *)iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t lkl_host_iov_from(const struct iovec *iov, int cnt, size_t off,
			 void *buf, size_t len)
{
	return iov_copy(iov, cnt, off, buf, len, 0);
}

size_t lkl_host_iov_to(const struct iovec *iov, int cnt, size_t off,
		       const void *buf, size_t len)
{
	return iov_copy(iov, cnt, off, (void *)buf, len, 1);
}

/* ---------------------------------------------------------------------- */
/* Registration bookkeeping and the boot command line                     */

struct boot_entry {
	long base;
	int irq;
	int dead;	/* removed: the window answers as a placeholder */
};

static pthread_mutex_t devices_lock = PTHREAD_MUTEX_INITIALIZER;
static struct boot_entry *boot_devs;
static int boot_count, boot_alloc;
static char *boot_cmdline;

int lkl_host_virtio_boot_count(void)
{
	int n;

	pthread_mutex_lock(&devices_lock);
	n = boot_count;
	pthread_mutex_unlock(&devices_lock);
	return n;
}

/* Rebuild "virtio_mmio.device=<size>@<base>:<irq> ..."; devices_lock held. */
static int rebuild_cmdline(void)
{
	size_t len = 0, room = (size_t)boot_count * 64 + 1;
	char *s;
	int i;

	if (!boot_count) {
		lkl_host_ops.virtio_devices = NULL;
		free(boot_cmdline);
		boot_cmdline = NULL;
		return 0;
	}

	s = malloc(room);
	if (!s)
		return -ENOMEM;
	s[0] = 0;
	for (i = 0; i < boot_count; i++)
		len += (size_t)snprintf(s + len, room - len,
					"virtio_mmio.device=%d@0x%lx:%d ",
					LKL_VIRTIO_MMIO_SIZE,
					boot_devs[i].base, boot_devs[i].irq);
	lkl_host_ops.virtio_devices = s;
	free(boot_cmdline);
	boot_cmdline = s;
	return 0;
}

/*
 * What a removed device's window turns into: a virtio-mmio device with
 * device id 0, which the kernel driver skips silently.  It keeps the window
 * claimed, so boot-time numbering and the kernel's resource tree stay valid.
 */
static int placeholder_read(void *data, unsigned int off, void *val, int size)
{
	uint32_t v = 0;

	(void)data;
	if (size == 4 && off == LKL_VIRTIO_MMIO_MAGIC_VALUE)
		v = LKL_VIRTIO_MMIO_MAGIC;
	else if (size == 4 && off == LKL_VIRTIO_MMIO_VERSION)
		v = 2;
	memset(val, 0, (size_t)size);
	if (size == 4)
		memcpy(val, &v, 4);
	return 0;
}

static const struct lkl_host_iomem_ops placeholder_ops = {
	.read = placeholder_read,
};

/* ---------------------------------------------------------------------- */
/* Virtqueues                                                              */

static int has_feature(struct lkl_host_virtio_dev *dev, unsigned int bit)
{
	return !!(dev->driver_features & BIT64(bit));
}

static uint16_t ring_load16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

/* used_event / avail_event sit right after each ring's entries. */
static uint16_t *used_event_ptr(struct lkl_host_virtio_queue *q)
{
	return &q->avail->ring[q->num];
}

static uint16_t *avail_event_ptr(struct lkl_host_virtio_queue *q)
{
	return (uint16_t *)&q->used->ring[q->num];
}

/*
 * Walk the chain at head.  With iov NULL only validate and count; else
 * fill iov.  Returns 0 or -1 for a malformed chain.
 */
static int walk_chain(struct lkl_host_virtio_dev *dev,
		      struct lkl_host_virtio_queue *q, uint16_t head,
		      struct iovec *iov, int *nout, int *nin)
{
	const struct lkl_vring_desc *table = q->desc;
	uint32_t table_len = q->num, i = head;
	int seen = 0, indirect = 0, out = 0, in = 0;

	if (i >= table_len)
		return -1;

	for (;;) {
		const struct lkl_vring_desc *d = &table[i];
		uint64_t addr = le64toh(d->addr);
		uint32_t len = le32toh(d->len);
		uint16_t flags = le16toh(d->flags);

		if (++seen > LKL_VIRTIO_CHAIN_MAX)
			return -1;

		if (flags & LKL_VRING_DESC_F_INDIRECT) {
			if (!has_feature(dev, LKL_VIRTIO_RING_F_INDIRECT_DESC) ||
			    indirect || (flags & LKL_VRING_DESC_F_NEXT) ||
			    !addr || !len ||
			    len % sizeof(struct lkl_vring_desc))
				return -1;
			table = (const struct lkl_vring_desc *)(uintptr_t)addr;
			table_len = len / sizeof(struct lkl_vring_desc);
			indirect = 1;
			i = 0;
			continue;
		}

		if (len && !addr)
			return -1;
		if (flags & LKL_VRING_DESC_F_WRITE) {
			if (iov)
				iov[out + in] = (struct iovec){
					(void *)(uintptr_t)addr, len };
			in++;
		} else {
			/* Readable buffers must all come before writable ones. */
			if (in)
				return -1;
			if (iov)
				iov[out] = (struct iovec){
					(void *)(uintptr_t)addr, len };
			out++;
		}

		if (!(flags & LKL_VRING_DESC_F_NEXT))
			break;
		i = le16toh(d->next);
		if (i >= table_len)
			return -1;
	}

	*nout = out;
	*nin = in;
	return 0;
}

static struct lkl_host_virtio_req *
build_req(struct lkl_host_virtio_dev *dev, unsigned int qidx, uint16_t head)
{
	struct lkl_host_virtio_queue *q = &dev->queues[qidx];
	struct lkl_host_virtio_req *req;
	int nout, nin;

	if (walk_chain(dev, q, head, NULL, &nout, &nin))
		return NULL;
	req = malloc(sizeof(*req) + (size_t)(nout + nin) * sizeof(struct iovec));
	if (!req)
		return NULL;
	req->next = NULL;
	req->dev = dev;
	req->queue = qidx;
	req->head = head;
	if (walk_chain(dev, q, head, req->iov, &req->nout, &req->nin)) {
		free(req);
		return NULL;
	}
	return req;
}

/* The device (or driver) broke the ring protocol: stop and ask for reset. */
static void device_broken(struct lkl_host_virtio_dev *dev,
			  struct lkl_host_virtio_queue *q, const char *why)
{
	char msg[128];
	int n;

	q->broken = 1;
	n = snprintf(msg, sizeof(msg),
		     "liblkl: virtio device %d: %s; needs reset\n",
		     dev->id, why);
	if (lkl_host_ops.print && n > 0)
		lkl_host_ops.print(msg, n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1);
	__atomic_or_fetch(&dev->status, LKL_VIRTIO_S_NEEDS_RESET,
			  __ATOMIC_RELAXED);
}

/*
 * Take every available chain of queue qidx and hand it to the device.
 * dev->lock held (recursive: enqueue may complete synchronously, and an
 * interrupt handler run from there may come back here).
 *
 * q->lock is held only to claim ring entries (last_avail, inflight, the
 * EVENT_IDX handshake); walking the chains and allocating the requests
 * happens outside it, so device workers completing earlier requests are not
 * held up.  That is safe under dev->lock alone: the ring cannot be reset or
 * moved (those take dev->lock too), and the claimed chains belong to the
 * device until it completes them.
 */
static void process_queue(struct lkl_host_virtio_dev *dev, unsigned int qidx)
{
	struct lkl_host_virtio_queue *q = &dev->queues[qidx];
	struct lkl_host_virtio_req *list = NULL, **tail = &list, *req;
	uint16_t heads[LKL_VIRTIO_QUEUE_MAX];
	unsigned int n, i;
	int need_reset = 0;

	if (!(dev->status & LKL_VIRTIO_S_DRIVER_OK) ||
	    (dev->status & (LKL_VIRTIO_S_FAILED | LKL_VIRTIO_S_NEEDS_RESET)))
		return;

	for (;;) {
		int more = 0;

		n = 0;
		pthread_mutex_lock(&q->lock);
		if (!q->ready || q->broken) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		for (;;) {
			/* Acquire: ring entries and descriptors written before idx. */
			uint16_t avail_idx = le16toh(__atomic_load_n(
					&q->avail->idx, __ATOMIC_ACQUIRE));

			if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
				device_broken(dev, q, "avail index out of range");
				need_reset = 1;
				break;
			}
			while (q->last_avail != avail_idx &&
			       n < LKL_VIRTIO_QUEUE_MAX) {
				heads[n++] = ring_load16(&q->avail->ring[
					q->last_avail & (q->num - 1)]);
				q->last_avail++;
			}
			if (q->last_avail != avail_idx) {
				more = 1;	/* heads[] is full: come back */
				break;
			}
			if (!has_feature(dev, LKL_VIRTIO_RING_F_EVENT_IDX))
				break;
			/*
			 * Ask to be notified at the next new entry, then look
			 * again: the driver may have added one before seeing
			 * avail_event.
			 */
			__atomic_store_n(avail_event_ptr(q),
					 htole16(q->last_avail), __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (le16toh(__atomic_load_n(&q->avail->idx,
						    __ATOMIC_RELAXED)) ==
			    q->last_avail)
				break;
		}
		__atomic_add_fetch(&q->inflight, n, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&q->lock);

		for (i = 0; i < n; i++) {
			req = build_req(dev, qidx, heads[i]);
			if (!req)
				break;
			*tail = req;
			tail = &req->next;
		}
		if (i < n) {
			/*
			 * A bad chain breaks the queue; what was claimed with it
			 * is dropped unserved (a broken queue completes nothing).
			 */
			while (list) {
				req = list;
				list = req->next;
				free(req);
			}
			tail = &list;
			pthread_mutex_lock(&q->lock);
			device_broken(dev, q, "bad descriptor chain");
			if (!__atomic_sub_fetch(&q->inflight, n,
						__ATOMIC_RELEASE))
				pthread_cond_broadcast(&q->idle);
			pthread_mutex_unlock(&q->lock);
			need_reset = 1;
		}

		while (list) {
			req = list;
			list = req->next;
			req->next = NULL;
			dev->ops->enqueue(dev, req);
		}
		tail = &list;
		if (!more || need_reset)
			break;
	}

	if (need_reset) {
		__atomic_or_fetch(&dev->int_status, LKL_VIRTIO_MMIO_INT_CONFIG,
				  __ATOMIC_RELEASE);
		lkl_trigger_irq(dev->irq);
	}
}

/*
 * Wait for the queue's requests to complete; q->lock held.  inflight only
 * drops to 0 under q->lock (see queue_put), so the wakeup cannot be missed;
 * acquire: what the completions did happens before what the caller does.
 */
static void queue_drain(struct lkl_host_virtio_queue *q)
{
	while (__atomic_load_n(&q->inflight, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&q->idle, &q->lock);
}

/*
 * A request of q is done with q.  Not the last one: nobody can be waiting
 * for this decrement, and q stays valid while others are in flight, so no
 * lock.  The last one takes q->lock, so that a waiter in queue_drain either
 * sees 0 or is woken; after that q may be freed at any moment.
 */
static void queue_put(struct lkl_host_virtio_queue *q)
{
	unsigned int n = __atomic_load_n(&q->inflight, __ATOMIC_RELAXED);

	while (n > 1)
		if (__atomic_compare_exchange_n(&q->inflight, &n, n - 1, 1,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;
	pthread_mutex_lock(&q->lock);
	if (!__atomic_sub_fetch(&q->inflight, 1, __ATOMIC_RELEASE))
		pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&q->lock);
}

static void queue_clear(struct lkl_host_virtio_dev *dev,
			struct lkl_host_virtio_queue *q)
{
	q->num = dev->queue_num_max;
	q->ready = 0;
	q->desc_addr = q->avail_addr = q->used_addr = 0;
	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;
	q->last_avail = 0;
	q->used_idx = 0;
	q->broken = 0;
}

void lkl_host_virtio_req_complete(struct lkl_host_virtio_req *req,
				  uint32_t len)
{
	struct lkl_host_virtio_dev *dev = req->dev;
	struct lkl_host_virtio_queue *q = &dev->queues[req->queue];
	uint16_t old, new;
	int irq = 0;

	pthread_mutex_lock(&q->lock);
	if (q->ready && !q->broken) {
		struct lkl_vring_used_elem *e;

		old = q->used_idx;
		new = (uint16_t)(old + 1);
		e = &q->used->ring[old & (q->num - 1)];
		e->id = htole32(req->head);
		e->len = htole32(len);
		/* Release: the entry (and the data) before the index. */
		__atomic_store_n(&q->used->idx, htole16(new), __ATOMIC_RELEASE);
		q->used_idx = new;

		/* Publish the index before reading the suppression state. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (has_feature(dev, LKL_VIRTIO_RING_F_EVENT_IDX)) {
			uint16_t ev = ring_load16(used_event_ptr(q));

			/* Did [old + 1, new] cross used_event + 1? */
			irq = (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
		} else {
			irq = !(ring_load16(&q->avail->flags) &
				LKL_VRING_AVAIL_F_NO_INTERRUPT);
		}
	}
	pthread_mutex_unlock(&q->lock);
	free(req);

	if (irq) {
		__atomic_or_fetch(&dev->int_status, LKL_VIRTIO_MMIO_INT_VRING,
				  __ATOMIC_RELEASE);
		lkl_trigger_irq(dev->irq);
	}

	/* Last: once inflight is 0, a reset may tear the queue down. */
	queue_put(q);
}

void lkl_host_virtio_config_changed(struct lkl_host_virtio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	dev->config_generation++;
	pthread_mutex_unlock(&dev->lock);
	__atomic_or_fetch(&dev->int_status, LKL_VIRTIO_MMIO_INT_CONFIG,
			  __ATOMIC_RELEASE);
	lkl_trigger_irq(dev->irq);
}

/* ---------------------------------------------------------------------- */
/* Register file                                                           */

static uint64_t offered_features(struct lkl_host_virtio_dev *dev)
{
	return dev->device_features | BIT64(LKL_VIRTIO_F_VERSION_1);
}

static void device_reset(struct lkl_host_virtio_dev *dev)
{
	uint32_t i;

	for (i = 0; i < dev->num_queues; i++) {
		struct lkl_host_virtio_queue *q = &dev->queues[i];

		pthread_mutex_lock(&q->lock);
		queue_drain(q);
		queue_clear(dev, q);
		pthread_mutex_unlock(&q->lock);
	}
	dev->status = 0;
	dev->driver_features = 0;
	dev->drv_features = 0;
	dev->dev_features_sel = dev->drv_features_sel = dev->queue_sel = 0;
	__atomic_store_n(&dev->int_status, 0, __ATOMIC_RELEASE);
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

static void write_status(struct lkl_host_virtio_dev *dev, uint32_t val)
{
	uint32_t old = dev->status;
	uint32_t i;

	if (!val) {
		device_reset(dev);
		return;
	}
	val &= 0xff;

	if ((val & LKL_VIRTIO_S_FEATURES_OK) &&
	    !(old & LKL_VIRTIO_S_FEATURES_OK)) {
		uint64_t f = dev->drv_features;
		int ok = (f & BIT64(LKL_VIRTIO_F_VERSION_1)) &&
			 !(f & ~offered_features(dev));

		if (ok) {
			dev->driver_features = f;
			if (dev->ops->check_features &&
			    dev->ops->check_features(dev))
				ok = 0;
		}
		if (!ok) {
			dev->driver_features = 0;
			val &= ~(uint32_t)LKL_VIRTIO_S_FEATURES_OK;
		}
	}
	/* DRIVER_OK needs accepted features. */
	if (!(val & LKL_VIRTIO_S_FEATURES_OK))
		val &= ~(uint32_t)LKL_VIRTIO_S_DRIVER_OK;
	/* The device's NEEDS_RESET sticks until reset. */
	val |= old & LKL_VIRTIO_S_NEEDS_RESET;
	__atomic_store_n(&dev->status, val, __ATOMIC_RELAXED);

	/* Notifications that arrived before DRIVER_OK were left pending. */
	if ((val & LKL_VIRTIO_S_DRIVER_OK) && !(old & LKL_VIRTIO_S_DRIVER_OK))
		for (i = 0; i < dev->num_queues; i++)
			process_queue(dev, i);
}

static void set_queue_ready(struct lkl_host_virtio_queue *q, uint32_t val)
{
	pthread_mutex_lock(&q->lock);
	if (!val) {
		queue_drain(q);
		q->ready = 0;
	} else if (!q->ready) {
		uint32_t n = q->num;

		/* Split rings need a power-of-two size and aligned parts. */
		if (n && n <= q->num_max && !(n & (n - 1)) &&
		    q->desc_addr && !(q->desc_addr & 15) &&
		    q->avail_addr && !(q->avail_addr & 1) &&
		    q->used_addr && !(q->used_addr & 3)) {
			q->desc = (struct lkl_vring_desc *)(uintptr_t)q->desc_addr;
			q->avail = (struct lkl_vring_avail *)(uintptr_t)q->avail_addr;
			q->used = (struct lkl_vring_used *)(uintptr_t)q->used_addr;
			q->last_avail = 0;
			q->used_idx = 0;
			q->broken = 0;
			q->ready = 1;
		}
	}
	pthread_mutex_unlock(&q->lock);
}

static void set_half(uint64_t *v, int high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffULL) | val;
}

static struct lkl_host_virtio_queue *sel_queue(struct lkl_host_virtio_dev *dev)
{
	return dev->queue_sel < dev->num_queues ? &dev->queues[dev->queue_sel]
						: NULL;
}

static uint32_t reg_read(struct lkl_host_virtio_dev *dev, unsigned int off)
{
	struct lkl_host_virtio_queue *q = sel_queue(dev);
	uint64_t f;

	switch (off) {
	case LKL_VIRTIO_MMIO_MAGIC_VALUE:
		return LKL_VIRTIO_MMIO_MAGIC;
	case LKL_VIRTIO_MMIO_VERSION:
		return 2;
	case LKL_VIRTIO_MMIO_DEVICE_ID:
		return dev->device_id;
	case LKL_VIRTIO_MMIO_VENDOR_ID:
		return dev->vendor_id;
	case LKL_VIRTIO_MMIO_DEVICE_FEATURES:
		f = offered_features(dev);
		if (dev->dev_features_sel > 1)
			return 0;
		return (uint32_t)(f >> (32 * dev->dev_features_sel));
	case LKL_VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? q->num_max : 0;
	case LKL_VIRTIO_MMIO_QUEUE_NUM:
		return q ? q->num : 0;
	case LKL_VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case LKL_VIRTIO_MMIO_INTERRUPT_STATUS:
		return __atomic_load_n(&dev->int_status, __ATOMIC_ACQUIRE);
	case LKL_VIRTIO_MMIO_STATUS:
		return __atomic_load_n(&dev->status, __ATOMIC_RELAXED);
	case LKL_VIRTIO_MMIO_SHM_LEN_LOW:
	case LKL_VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffff;	/* no shared memory regions */
	case LKL_VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_generation;
	default:
		return 0;
	}
}

static void reg_write(struct lkl_host_virtio_dev *dev, unsigned int off,
		      uint32_t val)
{
	struct lkl_host_virtio_queue *q = sel_queue(dev);

	switch (off) {
	case LKL_VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->dev_features_sel = val;
		break;
	case LKL_VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->drv_features_sel = val;
		break;
	case LKL_VIRTIO_MMIO_DRIVER_FEATURES:
		if ((dev->status & LKL_VIRTIO_S_FEATURES_OK) ||
		    dev->drv_features_sel > 1)
			break;
		set_half(&dev->drv_features, dev->drv_features_sel == 1, val);
		break;
	case LKL_VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = val;
		break;
	case LKL_VIRTIO_MMIO_QUEUE_NUM:
		if (q && !q->ready)
			q->num = val;
		break;
	case LKL_VIRTIO_MMIO_QUEUE_READY:
		if (q)
			set_queue_ready(q, val);
		break;
	case LKL_VIRTIO_MMIO_QUEUE_DESC_LOW:
	case LKL_VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q && !q->ready)
			set_half(&q->desc_addr,
				 off == LKL_VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case LKL_VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case LKL_VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (q && !q->ready)
			set_half(&q->avail_addr,
				 off == LKL_VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case LKL_VIRTIO_MMIO_QUEUE_USED_LOW:
	case LKL_VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (q && !q->ready)
			set_half(&q->used_addr,
				 off == LKL_VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	case LKL_VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without NOTIFICATION_DATA the value is the queue index. */
		if (val < dev->num_queues)
			process_queue(dev, val);
		break;
	case LKL_VIRTIO_MMIO_INTERRUPT_ACK:
		__atomic_and_fetch(&dev->int_status, ~val, __ATOMIC_ACQ_REL);
		break;
	case LKL_VIRTIO_MMIO_STATUS:
		write_status(dev, val);
		break;
	default:
		break;
	}
}

static int mmio_read(void *data, unsigned int off, void *val, int size)
{
	struct lkl_host_virtio_dev *dev = data;
	uint32_t v;

	if (off >= LKL_VIRTIO_MMIO_CONFIG) {
		unsigned int coff = off - LKL_VIRTIO_MMIO_CONFIG;

		memset(val, 0, (size_t)size);
		pthread_mutex_lock(&dev->lock);
		if (coff < dev->config_len) {
			size_t n = dev->config_len - coff;

			memcpy(val, (char *)dev->config + coff,
			       n < (size_t)size ? n : (size_t)size);
		}
		pthread_mutex_unlock(&dev->lock);
		return 0;
	}

	/* Registers are 32 bits wide and only accessed as such. */
	if (size != 4 || (off & 3)) {
		memset(val, 0, (size_t)size);
		return 0;
	}
	pthread_mutex_lock(&dev->lock);
	v = htole32(reg_read(dev, off));
	pthread_mutex_unlock(&dev->lock);
	memcpy(val, &v, 4);
	return 0;
}

static int mmio_write(void *data, unsigned int off, const void *val, int size)
{
	struct lkl_host_virtio_dev *dev = data;
	uint32_t v;

	/* The device config space is read-only; so are misaligned writes. */
	if (off >= LKL_VIRTIO_MMIO_CONFIG || size != 4 || (off & 3))
		return 0;
	memcpy(&v, val, 4);
	pthread_mutex_lock(&dev->lock);
	reg_write(dev, off, le32toh(v));
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static const struct lkl_host_iomem_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

/* ---------------------------------------------------------------------- */
/* Setup and teardown                                                      */

static void free_queues(struct lkl_host_virtio_dev *dev)
{
	uint32_t i;

	if (!dev->queues)
		return;
	for (i = 0; i < dev->num_queues; i++) {
		pthread_mutex_destroy(&dev->queues[i].lock);
		pthread_cond_destroy(&dev->queues[i].idle);
	}
	free(dev->queues);
	dev->queues = NULL;
	pthread_mutex_destroy(&dev->lock);
}

static int init_queues(struct lkl_host_virtio_dev *dev)
{
	pthread_mutexattr_t attr;
	uint32_t i;

	dev->queues = calloc(dev->num_queues, sizeof(*dev->queues));
	if (!dev->queues)
		return -ENOMEM;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&dev->lock, &attr);
	pthread_mutexattr_destroy(&attr);

	for (i = 0; i < dev->num_queues; i++) {
		struct lkl_host_virtio_queue *q = &dev->queues[i];

		pthread_mutex_init(&q->lock, NULL);
		pthread_cond_init(&q->idle, NULL);
		q->num_max = dev->queue_num_max;
		queue_clear(dev, q);
	}
	return 0;
}

int lkl_host_virtio_dev_setup(struct lkl_host_virtio_dev *dev,
			      const char *name)
{
	int irq, ret, id;
	long base;

	if (!dev || !dev->ops || !dev->ops->enqueue || !dev->num_queues ||
	    dev->num_queues > 64 || dev->config_len > LKL_VIRTIO_CONFIG_MAX ||
	    (dev->config_len && !dev->config))
		return -EINVAL;
	if (!dev->queue_num_max)
		dev->queue_num_max = LKL_VIRTIO_QUEUE_MAX;
	if (dev->queue_num_max > 32768 ||
	    (dev->queue_num_max & (dev->queue_num_max - 1)))
		return -EINVAL;

	dev->status = 0;
	dev->int_status = 0;
	dev->config_generation = 0;
	dev->driver_features = dev->drv_features = 0;
	dev->dev_features_sel = dev->drv_features_sel = dev->queue_sel = 0;
	ret = init_queues(dev);
	if (ret)
		return ret;

	irq = lkl_get_free_irq(name);
	if (irq <= 0) {
		ret = irq < 0 ? irq : -EBUSY;
		goto err_queues;
	}
	dev->irq = irq;
	dev->irq_name = name;

	base = lkl_host_iomem_register(LKL_VIRTIO_MMIO_SIZE, &virtio_mmio_ops,
				       dev);
	if (base < 0) {
		ret = (int)base;
		goto err_irq;
	}
	dev->base = base;

	pthread_mutex_lock(&devices_lock);
	if (!lkl_is_running()) {
		if (boot_count == boot_alloc) {
			int n = boot_alloc ? 2 * boot_alloc : 8;
			struct boot_entry *b = realloc(boot_devs,
						       (size_t)n * sizeof(*b));

			if (!b) {
				pthread_mutex_unlock(&devices_lock);
				ret = -ENOMEM;
				goto err_iomem;
			}
			boot_devs = b;
			boot_alloc = n;
		}
		id = boot_count;
		boot_devs[boot_count++] = (struct boot_entry){ base, irq, 0 };
		ret = rebuild_cmdline();
		if (ret) {
			boot_count--;
			pthread_mutex_unlock(&devices_lock);
			goto err_iomem;
		}
		dev->registered_at_boot = 1;
		pthread_mutex_unlock(&devices_lock);
	} else {
		long params[6] = { base, LKL_VIRTIO_MMIO_SIZE, irq, 0, 0, 0 };
		int nboot = boot_count;
		long r;

		pthread_mutex_unlock(&devices_lock);
		/* The kernel probes the device from inside this call. */
		r = lkl_syscall(K_NR_virtio_mmio_device_add, params);
		if (r < 0) {
			ret = (int)r;
			goto err_iomem;
		}
		id = nboot + (int)r;
		dev->registered_at_boot = 0;
		dev->pdev_id = (int)r;
	}
	dev->id = id;
	return id;

err_iomem:
	lkl_host_iomem_unregister(base);
err_irq:
	lkl_put_irq(irq, name);
err_queues:
	free_queues(dev);
	return ret;
}

/* Detach the kernel's virtio-mmio driver from the device, if bound. */
static int unbind_driver(struct lkl_host_virtio_dev *dev)
{
	char name[64];
	int ret;

	if (dev->registered_at_boot)
		snprintf(name, sizeof(name), "virtio-mmio.%d", dev->id);
	else
		snprintf(name, sizeof(name), "virtio-mmio.%d.auto",
			 dev->pdev_id);

	ret = lkl_host_sysfs_write("/sysfs/bus/platform/drivers/virtio-mmio/unbind",
				   name);
	/* -ENODEV: not bound (probe failed, or unbound already). */
	if (ret == -ENODEV)
		ret = 0;
	return ret;
}

int lkl_host_virtio_dev_cleanup(struct lkl_host_virtio_dev *dev)
{
	int running = lkl_is_running();
	int ret, i;

	if (!dev || !dev->queues)
		return -EINVAL;

	if (running) {
		ret = unbind_driver(dev);
		if (ret < 0)
			return ret;
	}

	/* From here on the kernel no longer reaches dev through its window. */
	if (dev->registered_at_boot || running)
		lkl_host_iomem_set_ops(dev->base, &placeholder_ops, NULL);
	else
		lkl_host_iomem_unregister(dev->base);

	if (dev->registered_at_boot) {
		pthread_mutex_lock(&devices_lock);
		for (i = 0; i < boot_count; i++)
			if (boot_devs[i].base == dev->base)
				boot_devs[i].dead = 1;
		/*
		 * Before boot, trailing removed entries can go entirely: no
		 * later id depends on them.
		 */
		if (!running) {
			while (boot_count && boot_devs[boot_count - 1].dead) {
				boot_count--;
				lkl_host_iomem_unregister(boot_devs[boot_count].base);
			}
			if (!boot_count) {
				free(boot_devs);
				boot_devs = NULL;
				boot_alloc = 0;
			}
			rebuild_cmdline();
		}
		pthread_mutex_unlock(&devices_lock);
	}

	lkl_put_irq(dev->irq, dev->irq_name);

	/* Nothing can be in flight: the driver reset the device or never ran. */
	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < (int)dev->num_queues; i++) {
		pthread_mutex_lock(&dev->queues[i].lock);
		queue_drain(&dev->queues[i]);
		pthread_mutex_unlock(&dev->queues[i].lock);
	}
	pthread_mutex_unlock(&dev->lock);
	free_queues(dev);
	return 0;
}
