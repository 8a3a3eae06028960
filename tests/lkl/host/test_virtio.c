// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio register file and split virtqueues, driven by a fake driver:
 * registration (boot command line and hot-add), feature negotiation, config
 * space, queue setup, notify/used ring/interrupts, indirect descriptors,
 * EVENT_IDX, malformed rings, reset draining, completions from several
 * threads at once (interrupts never lost), removal.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_virtio.c lkl/host/virtio.c lkl/host/iomem.c \
 *       lkl/host/fs.c lkl/host/posix_host.c -lpthread -o test_virtio
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lkl_host.h>

#include "kstubs.h"
#include "fake_driver.h"
#include "../../tap.h"

#define TEST_DEVICE_ID	0x1f
#define TEST_VENDOR_ID	0x4c4b4c00
#define F_GOOD		0	/* a device feature the driver may take */
#define F_REFUSED	1	/* offered, but check_features says no */

/* ---- the test device: echoes readable bytes into writable buffers ---- */

struct test_dev {
	struct lkl_host_virtio_dev vdev;
	uint8_t config[16];
	int deferred;
	pthread_mutex_t lock;
	struct lkl_host_virtio_req *pending;
	int enqueued, resets;
	pthread_t enqueue_thread;
};

static void echo_complete(struct lkl_host_virtio_req *req)
{
	const struct iovec *out = req->iov, *in = req->iov + req->nout;
	size_t olen = lkl_host_iov_length(out, req->nout);
	size_t ilen = lkl_host_iov_length(in, req->nin);
	size_t n = olen < ilen ? olen : ilen;
	char tmp[256];

	if (n > sizeof(tmp))
		n = sizeof(tmp);
	lkl_host_iov_from(out, req->nout, 0, tmp, n);
	lkl_host_iov_to(in, req->nin, 0, tmp, n);
	lkl_host_virtio_req_complete(req, (uint32_t)n);
}

static void t_enqueue(struct lkl_host_virtio_dev *dev,
		      struct lkl_host_virtio_req *req)
{
	struct test_dev *t = (struct test_dev *)dev;

	pthread_mutex_lock(&t->lock);
	t->enqueued++;
	t->enqueue_thread = pthread_self();
	if (t->deferred) {
		req->next = t->pending;
		t->pending = req;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pthread_mutex_unlock(&t->lock);
	echo_complete(req);
}

static int t_check_features(struct lkl_host_virtio_dev *dev)
{
	return (dev->driver_features & (1ULL << F_REFUSED)) ? -1 : 0;
}

static void t_reset(struct lkl_host_virtio_dev *dev)
{
	((struct test_dev *)dev)->resets++;
}

static const struct lkl_host_virtio_ops t_ops = {
	.check_features = t_check_features,
	.enqueue = t_enqueue,
	.reset = t_reset,
};

static void t_init(struct test_dev *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	for (i = 0; i < 16; i++)
		t->config[i] = (uint8_t)(0x10 + i);
	t->vdev.device_id = TEST_DEVICE_ID;
	t->vdev.vendor_id = TEST_VENDOR_ID;
	t->vdev.device_features = (1ULL << F_GOOD) | (1ULL << F_REFUSED) |
		(1ULL << LKL_VIRTIO_RING_F_INDIRECT_DESC) |
		(1ULL << LKL_VIRTIO_RING_F_EVENT_IDX);
	t->vdev.ops = &t_ops;
	t->vdev.config = t->config;
	t->vdev.config_len = sizeof(t->config);
	t->vdev.num_queues = 2;
}

/* Complete every deferred request (from whichever thread calls this). */
static int t_flush(struct test_dev *t)
{
	struct lkl_host_virtio_req *list, *req;
	int n = 0;

	pthread_mutex_lock(&t->lock);
	list = t->pending;
	t->pending = NULL;
	pthread_mutex_unlock(&t->lock);
	while (list) {
		req = list;
		list = req->next;
		echo_complete(req);
		n++;
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

#define BASE_FEATURES	((1ULL << LKL_VIRTIO_F_VERSION_1) | (1ULL << F_GOOD))

/* ---- registration before boot ---- */

static struct test_dev dev0, dev1;

static void test_boot_registration(void)
{
	char want[256];
	int id0, id1;

	t_init(&dev0);
	t_init(&dev1);
	id0 = lkl_host_virtio_dev_setup(&dev0.vdev, "test0");
	id1 = lkl_host_virtio_dev_setup(&dev1.vdev, "test1");
	ok(id0 == 0 && id1 == 1, "boot-time devices get ids 0, 1");
	is_int(lkl_host_virtio_boot_count(), 2, "boot count");
	ok(dev0.vdev.irq > 0 && dev0.vdev.irq != dev1.vdev.irq,
	   "each device has its own irq");
	snprintf(want, sizeof(want),
		 "virtio_mmio.device=4096@0x%lx:%d virtio_mmio.device=4096@0x%lx:%d ",
		 dev0.vdev.base, dev0.vdev.irq, dev1.vdev.base, dev1.vdev.irq);
	ok(lkl_host_ops.virtio_devices &&
	   !strcmp(lkl_host_ops.virtio_devices, want),
	   "virtio_devices command line: %s", lkl_host_ops.virtio_devices);
	ok(lkl_host_ioremap(dev0.vdev.base, LKL_VIRTIO_MMIO_SIZE) != NULL,
	   "register window can be ioremapped");
}

/* ---- registers and negotiation ---- */

static void test_registers(long base)
{
	uint64_t f, v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	is_int(mmio_r(base, LKL_VIRTIO_MMIO_MAGIC_VALUE), 0x74726976, "magic");
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_VERSION), 2, "version 2 (modern)");
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_DEVICE_ID), TEST_DEVICE_ID,
	       "device id");
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_VENDOR_ID), TEST_VENDOR_ID,
	       "vendor id");
	f = mmio_dev_features(base);
	ok(f & (1ULL << LKL_VIRTIO_F_VERSION_1), "VERSION_1 offered (bit 32)");
	ok((f & (1ULL << F_GOOD)) && (f & (1ULL << 28)) && (f & (1ULL << 29)),
	   "device, INDIRECT_DESC and EVENT_IDX features offered");
	mmio_w(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_DEVICE_FEATURES), 0,
	       "feature word 2 is empty");
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff,
	       "no shared memory regions");

	ok(!fd_negotiate(base, 1ULL << F_GOOD),
	   "FEATURES_OK refused without VERSION_1");
	ok(!fd_negotiate(base, BASE_FEATURES | (1ULL << 40)),
	   "FEATURES_OK refused with a feature not offered");
	ok(!fd_negotiate(base, BASE_FEATURES | (1ULL << F_REFUSED)),
	   "FEATURES_OK refused by the device's own check");
	ok(fd_negotiate(base, BASE_FEATURES), "FEATURES_OK accepted");

	/* Config space: 1, 2, 4, 8-byte reads, little-endian. */
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 3), &v8, 1, 0);
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 2), &v16, 2, 0);
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 4), &v32, 4, 0);
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 8), &v64, 8, 0);
	ok(v8 == 0x13 && v16 == 0x1312 && v32 == 0x17161514 &&
	   v64 == 0x1f1e1d1c1b1a1918ULL, "config space reads");
	v32 = 0xdeadbeef;
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 4), &v32, 4, 1);
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 4), &v32, 4, 0);
	ok(v32 == 0x17161514, "config space is read-only");
	lkl_host_iomem_access((void *)(uintptr_t)(base + 0x100 + 14), &v32, 4, 0);
	ok(v32 == 0x1f1e, "config read past the end is zero-filled");
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_CONFIG_GENERATION), 0,
	       "config generation");

	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_SEL, 0);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_NUM_MAX), 256, "queue num max");
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_SEL, 2);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_NUM_MAX), 0,
	       "no queue 2: num max 0");
}

/* ---- queues ---- */

static void test_queue_basic(struct test_dev *t)
{
	long base = t->vdev.base;
	int irq = t->vdev.irq, irqs;
	struct fake_vq vq, bad;
	struct lkl_vring_used_elem e;
	char out[8] = "ping", in[16], in2[4], out2[3] = "abc";
	uint16_t head;

	ok(fd_negotiate(base, BASE_FEATURES | (1ULL << 28)), "negotiated");

	/* A queue of 6 entries is not a power of two: never becomes ready. */
	ok(!fd_setup_queue(base, 1, &bad, 6), "non-power-of-two queue refused");
	fd_free_queue(&bad);

	ok(fd_setup_queue(base, 0, &vq, 8), "queue 0 ready with 8 entries");

	/* Before DRIVER_OK a notify is held back... */
	memset(in, 0, sizeof(in));
	head = fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 16, 1 } },
		       2, 0);
	fd_kick(base, 0);
	is_int(fd_used_idx(&vq), 0, "no processing before DRIVER_OK");
	/* ...and served once the driver is ready. */
	irqs = stub_irq_count(irq);
	fd_driver_ok(base);
	ok(fd_wait_used(&vq, 1, 1000), "processed at DRIVER_OK");
	ok(fd_get_used(&vq, &e) && e.id == head && e.len == 4,
	   "used element: id = head, len = bytes written");
	ok(!memcmp(in, "ping", 4), "device wrote the writable buffer");
	is_int(stub_irq_count(irq) - irqs, 1, "one interrupt");
	ok(mmio_r(base, LKL_VIRTIO_MMIO_INTERRUPT_STATUS) & 1,
	   "interrupt status bit 0 set");
	mmio_w(base, LKL_VIRTIO_MMIO_INTERRUPT_ACK, 1);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_INTERRUPT_STATUS), 0,
	       "INTERRUPT_ACK clears it");

	/* Indirect chain: two readable, two writable. */
	memset(in, 0, sizeof(in));
	memset(in2, 0, sizeof(in2));
	head = fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { out2, 3, 0 },
						  { in, 5, 1 }, { in2, 4, 1 } },
		       4, 1);
	fd_kick(base, 0);
	ok(fd_wait_used(&vq, 2, 1000) && fd_get_used(&vq, &e) &&
	   e.id == head && e.len == 7, "indirect chain completed");
	ok(!memcmp(in, "pinga", 5) && !memcmp(in2, "bc", 2),
	   "indirect chain data crosses descriptors");
	ok(pthread_equal(t->enqueue_thread, pthread_self()),
	   "enqueue runs in the notify path");

	/* Batches of 4 two-descriptor chains; the ring index wraps often. */
	{
		int i, round, good = 1;

		fd_free_queue(&vq);
		mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
		ok(fd_negotiate(base, BASE_FEATURES), "renegotiated after reset");
		ok(fd_setup_queue(base, 0, &vq, 8), "queue set up again");
		fd_driver_ok(base);
		for (round = 0; round < 20; round++) {
			uint16_t target = (uint16_t)(vq.avail_idx + 4);

			for (i = 0; i < 4; i++)
				fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 },
							{ in, 4, 1 } }, 2, 0);
			fd_kick(base, 0);
			if (!fd_wait_used(&vq, target, 1000))
				good = 0;
			while (fd_get_used(&vq, &e))
				if (e.len != 4)
					good = 0;
		}
		ok(good && fd_used_idx(&vq) == 80,
		   "80 chains over 20 kicks, ring wraps");
	}

	/* Driver suppresses interrupts (no EVENT_IDX): VRING_AVAIL_F_NO_INTERRUPT. */
	irqs = stub_irq_count(irq);
	__atomic_store_n(&vq.avail->flags, LKL_VRING_AVAIL_F_NO_INTERRUPT,
			 __ATOMIC_SEQ_CST);
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 0);
	fd_kick(base, 0);
	ok(fd_wait_used(&vq, 81, 1000), "completed with interrupts off");
	is_int(stub_irq_count(irq) - irqs, 0, "NO_INTERRUPT honoured");
	__atomic_store_n(&vq.avail->flags, 0, __ATOMIC_SEQ_CST);

	/* A chain with a readable buffer after a writable one is malformed. */
	irqs = stub_irq_count(irq);
	fd_post(&vq, (struct fake_buf[]){ { in, 4, 1 }, { out, 4, 0 } }, 2, 0);
	fd_kick(base, 0);
	ok(mmio_r(base, LKL_VIRTIO_MMIO_STATUS) & LKL_VIRTIO_S_NEEDS_RESET,
	   "malformed chain: DEVICE_NEEDS_RESET");
	ok((mmio_r(base, LKL_VIRTIO_MMIO_INTERRUPT_STATUS) & 2) &&
	   stub_irq_count(irq) - irqs == 1, "config interrupt raised");
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 0);
	fd_kick(base, 0);
	is_int(fd_used_idx(&vq), 81, "broken queue is not processed further");

	t->resets = 0;
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	ok(mmio_r(base, LKL_VIRTIO_MMIO_STATUS) == 0 &&
	   mmio_r(base, LKL_VIRTIO_MMIO_INTERRUPT_STATUS) == 0 &&
	   t->resets == 1, "reset clears status and interrupts");
	mmio_w(base, LKL_VIRTIO_MMIO_QUEUE_SEL, 0);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_QUEUE_READY), 0,
	       "reset disables queues");
	fd_free_queue(&vq);

	/* An avail index running more than a ring ahead is nonsense. */
	ok(fd_negotiate(base, BASE_FEATURES) && fd_setup_queue(base, 0, &vq, 8),
	   "queue set up after reset");
	fd_driver_ok(base);
	vq.avail->idx = 100;
	fd_kick(base, 0);
	ok(mmio_r(base, LKL_VIRTIO_MMIO_STATUS) & LKL_VIRTIO_S_NEEDS_RESET,
	   "avail index out of range: DEVICE_NEEDS_RESET");
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	fd_free_queue(&vq);

	/* Indirect descriptors without negotiating them are refused. */
	ok(fd_negotiate(base, BASE_FEATURES) && fd_setup_queue(base, 0, &vq, 8),
	   "queue without INDIRECT_DESC");
	fd_driver_ok(base);
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 1);
	fd_kick(base, 0);
	ok(mmio_r(base, LKL_VIRTIO_MMIO_STATUS) & LKL_VIRTIO_S_NEEDS_RESET,
	   "un-negotiated indirect descriptor refused");
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	mmio_w(base, LKL_VIRTIO_MMIO_INTERRUPT_ACK, 3);
	fd_free_queue(&vq);
}

static void test_event_idx(struct test_dev *t)
{
	long base = t->vdev.base;
	int irq = t->vdev.irq, irqs, i, n;
	struct fake_vq vq;
	char out[4] = "abcd", in[4];

	ok(fd_negotiate(base, BASE_FEATURES | (1ULL << 29)),
	   "EVENT_IDX negotiated");
	ok(fd_setup_queue(base, 0, &vq, 16), "queue of 16");
	fd_driver_ok(base);

	/* Interrupt only when used idx passes 4, i.e. at the 5th. */
	__atomic_store_n(fvq_used_event(&vq), 4, __ATOMIC_SEQ_CST);
	irqs = stub_irq_count(irq);
	for (i = 0; i < 4; i++) {
		fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } },
			2, 0);
		fd_kick(base, 0);
	}
	ok(fd_wait_used(&vq, 4, 1000), "4 completed");
	is_int(stub_irq_count(irq) - irqs, 0, "no interrupt before used_event");
	is_int(__atomic_load_n(fvq_avail_event(&vq), __ATOMIC_ACQUIRE), 4, "avail_event = next avail index");
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 0);
	fd_kick(base, 0);
	ok(fd_wait_used(&vq, 5, 1000), "5th completed");
	is_int(stub_irq_count(irq) - irqs, 1, "interrupt when used_event passed");
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 0);
	fd_kick(base, 0);
	is_int(stub_irq_count(irq) - irqs, 1, "none again until used_event moves");

	/* Deferred completion from another thread, many at once. */
	t->deferred = 1;
	__atomic_store_n(fvq_used_event(&vq), (uint16_t)(fd_used_idx(&vq) + 5),
			 __ATOMIC_SEQ_CST);
	irqs = stub_irq_count(irq);
	for (i = 0; i < 6; i++)
		fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } },
			2, 0);
	fd_kick(base, 0);
	is_int(fd_used_idx(&vq), 6, "deferred: nothing used yet");
	n = t_flush(t);
	is_int(n, 6, "6 requests were queued");
	ok(fd_used_idx(&vq) == 12 && stub_irq_count(irq) - irqs == 1,
	   "6 completions crossing used_event: one interrupt");
	t->deferred = 0;
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	fd_free_queue(&vq);
}

/* ---- reset waits for requests in flight ---- */

static void *late_completer(void *arg)
{
	struct test_dev *t = arg;

	sleep_ms(100);
	t_flush(t);
	return NULL;
}

static void test_reset_drains(struct test_dev *t)
{
	long base = t->vdev.base;
	unsigned long long start;
	struct fake_vq vq;
	char out[4] = "wxyz", in[4] = { 0 };
	pthread_t th;

	ok(fd_negotiate(base, BASE_FEATURES) && fd_setup_queue(base, 0, &vq, 8),
	   "queue for the drain test");
	fd_driver_ok(base);
	t->deferred = 1;
	fd_post(&vq, (struct fake_buf[]){ { out, 4, 0 }, { in, 4, 1 } }, 2, 0);
	fd_kick(base, 0);
	pthread_create(&th, NULL, late_completer, t);
	start = now_ns();
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	ok(now_ns() - start >= 80000000ULL,
	   "reset waited for the in-flight request");
	ok(fd_used_idx(&vq) == 1 && !memcmp(in, "wxyz", 4),
	   "the in-flight request completed before the reset returned");
	pthread_join(th, NULL);
	t->deferred = 0;
	fd_free_queue(&vq);
}

/* ---- stress: completions on another thread while the driver posts ---- */

static int stress_stop;

static void *stress_completer(void *arg)
{
	struct test_dev *t = arg;

	while (!__atomic_load_n(&stress_stop, __ATOMIC_ACQUIRE))
		if (!t_flush(t))
			sched_yield();
	t_flush(t);
	return NULL;
}

/*
 * Keep up to 32 single-descriptor-table chains in flight while `completers`
 * threads (like a device's worker pool) complete them concurrently.  With
 * irq_driven, the driver only looks at the used ring again after an
 * interrupt, re-enabling it the way Linux does (used_event, then a second
 * look): a completion that fails to interrupt would hang it.
 */
static void test_stress(struct test_dev *t, int completers, int irq_driven)
{
	long base = t->vdev.base;
	int irq = t->vdev.irq, lost = 0;
	struct fake_vq vq;
	struct lkl_vring_used_elem e;
	static char bufs[64][8];
	char busy[64] = { 0 };	/* slot (descriptor, buffer) in flight */
	pthread_t th[4];
	int good = 1, done = 0, i;

	ok(fd_negotiate(base, BASE_FEATURES | (1ULL << 29) | (1ULL << 28)) &&
	   fd_setup_queue(base, 0, &vq, 64), "stress queue of 64, EVENT_IDX");
	fd_driver_ok(base);
	t->deferred = 1;
	__atomic_store_n(&stress_stop, 0, __ATOMIC_RELEASE);
	for (i = 0; i < completers; i++)
		pthread_create(&th[i], NULL, stress_completer, t);
	while (done < 20000) {
		uint16_t inflight = (uint16_t)(vq.avail_idx - vq.last_used);

		if (inflight < 32) {
			uint16_t slot = vq.free_head;

			/* Completions come out of order: skip slots in use. */
			while (busy[slot])
				slot = (uint16_t)((slot + 1) % 64);
			busy[slot] = 1;
			vq.free_head = slot;
			memcpy(bufs[slot], "12345678", 8);
			fd_post(&vq, (struct fake_buf[]){ { bufs[slot], 4, 0 },
						{ bufs[slot] + 4, 4, 1 } }, 2, 1);
			if (!irq_driven)
				__atomic_store_n(fvq_used_event(&vq),
						 vq.last_used, __ATOMIC_SEQ_CST);
			fd_kick(base, 0);
			continue;
		}
		if (irq_driven) {
			int irqs = stub_irq_count(irq), ms;

			__atomic_store_n(fvq_used_event(&vq), vq.last_used,
					 __ATOMIC_SEQ_CST);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			/* Nothing new at the second look: sleep until the IRQ. */
			if (fd_used_idx(&vq) == vq.last_used) {
				for (ms = 0; stub_irq_count(irq) == irqs &&
				     ms < 10000; ms++)
					sleep_ms(1);
				if (stub_irq_count(irq) == irqs) {
					lost = 1;
					break;
				}
			}
		}
		while (fd_get_used(&vq, &e)) {
			if (e.id >= 64 || !busy[e.id] || e.len != 4 ||
			    memcmp(bufs[e.id] + 4, "1234", 4))
				good = 0;
			else
				busy[e.id] = 0;
			done++;
		}
	}
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < completers; i++)
		pthread_join(th[i], NULL);
	ok(good && !lost, "20000 requests completed on %d other thread%s%s, "
	   "data intact", completers, completers > 1 ? "s" : "",
	   irq_driven ? ", driver woken by interrupts only" : "");
	t->deferred = 0;
	mmio_w(base, LKL_VIRTIO_MMIO_STATUS, 0);
	fd_free_queue(&vq);
}

/* ---- removal before boot ---- */

static void test_boot_removal(void)
{
	struct test_dev extra;
	long mid_base;
	int puts = stub_irq_puts;
	char want[128];

	t_init(&extra);
	is_int(lkl_host_virtio_dev_setup(&extra.vdev, "extra"), 2,
	       "third boot device gets id 2");
	mid_base = dev1.vdev.base;
	is_int(lkl_host_virtio_dev_cleanup(&dev1.vdev), 0,
	       "remove the middle device");
	is_int(lkl_host_virtio_boot_count(), 3,
	       "middle removal keeps numbering (placeholder)");
	is_int(mmio_r(mid_base, LKL_VIRTIO_MMIO_MAGIC_VALUE), 0x74726976,
	       "placeholder answers the magic");
	is_int(mmio_r(mid_base, LKL_VIRTIO_MMIO_DEVICE_ID), 0,
	       "placeholder has device id 0 (skipped by the driver)");
	is_int(lkl_host_virtio_dev_cleanup(&extra.vdev), 0, "remove the last");
	is_int(lkl_host_virtio_boot_count(), 1,
	       "trailing removed entries are dropped");
	snprintf(want, sizeof(want), "virtio_mmio.device=4096@0x%lx:%d ",
		 dev0.vdev.base, dev0.vdev.irq);
	ok(lkl_host_ops.virtio_devices &&
	   !strcmp(lkl_host_ops.virtio_devices, want), "command line shrank");
	ok(lkl_host_ioremap(mid_base, 4) == NULL, "dropped window is freed");
	is_int(stub_irq_puts - puts, 2, "irqs given back");
	pthread_mutex_destroy(&extra.lock);
}

/* ---- hot-add and removal while "running" ---- */

static long hot_params[6];
static long hot_ret;
static char unbind_written[64];
static int mounted_sysfs;

static long hot_syscall(long no, long *p)
{
	switch (no) {
	case 244:
		memcpy(hot_params, p, sizeof(hot_params));
		return hot_ret;
	case 34:	/* mkdirat */
		return mounted_sysfs ? -17 : 0;
	case 40:	/* mount */
		mounted_sysfs = 1;
		return 0;
	case 291:	/* statx: "/" on 0:1, anything else on 0:2 */
		memset((void *)p[4], 0, 256);
		((uint32_t *)p[4])[0x8c / 4] = strcmp((char *)p[1], "/") ? 2 : 1;
		return 0;
	case 56:	/* openat */
		return strcmp((char *)p[1],
			      "/sysfs/bus/platform/drivers/virtio-mmio/unbind") ?
			-2 : 3;
	case 64:	/* write */
		snprintf(unbind_written, sizeof(unbind_written), "%.*s",
			 (int)p[2], (char *)p[1]);
		return p[2];
	case 57:	/* close */
		return 0;
	default:
		return -38;
	}
}

static void test_hot_add(void)
{
	struct test_dev hot, fail;
	int id, puts;
	long base;

	stub_syscall_hook = hot_syscall;
	__atomic_store_n(&stub_running, 1, __ATOMIC_RELEASE);

	t_init(&hot);
	hot_ret = 5;
	id = lkl_host_virtio_dev_setup(&hot.vdev, "hot");
	is_int(id, 1 + 5, "hot-added id = boot count + platform device id");
	ok(hot_params[0] == hot.vdev.base && hot_params[1] == 4096 &&
	   hot_params[2] == hot.vdev.irq, "syscall 244 got base, size, irq");
	is_int(lkl_host_virtio_boot_count(), 1, "boot count unchanged");

	t_init(&fail);
	hot_ret = -22;
	puts = stub_irq_puts;
	is_int(lkl_host_virtio_dev_setup(&fail.vdev, "fail"), -22,
	       "hot-add failure is returned");
	is_int(stub_irq_puts - puts, 1, "and its irq given back");

	base = hot.vdev.base;
	is_int(lkl_host_virtio_dev_cleanup(&hot.vdev), 0, "remove while running");
	ok(mounted_sysfs && !strcmp(unbind_written, "virtio-mmio.5.auto"),
	   "driver unbound through sysfs (%s)", unbind_written);
	is_int(mmio_r(base, LKL_VIRTIO_MMIO_DEVICE_ID), 0,
	       "window stays claimed as a placeholder");

	unbind_written[0] = 0;
	is_int(lkl_host_virtio_dev_cleanup(&dev0.vdev), 0,
	       "remove a boot device while running");
	ok(!strcmp(unbind_written, "virtio-mmio.0"), "unbound virtio-mmio.0");

	__atomic_store_n(&stub_running, 0, __ATOMIC_RELEASE);
	stub_syscall_hook = NULL;
	pthread_mutex_destroy(&hot.lock);
	pthread_mutex_destroy(&fail.lock);
}

int main(void)
{
	test_boot_registration();
	test_registers(dev0.vdev.base);
	test_queue_basic(&dev0);
	test_event_idx(&dev0);
	test_reset_drains(&dev0);
	test_stress(&dev0, 1, 0);
	test_stress(&dev0, 4, 1);
	test_boot_removal();
	test_hot_add();
	pthread_mutex_destroy(&dev0.lock);
	pthread_mutex_destroy(&dev1.lock);
	return tap_done();
}
