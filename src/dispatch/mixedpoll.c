// SPDX-License-Identifier: GPL-2.0
/*
 * poll over host and kernel fds at once (see mixedpoll.h).
 *
 * The worker sleeps in the kernel's ppoll over the kernel fds.  A helper
 * thread, the host watcher, sleeps in the host's poll over kbox's copies
 * of the host fds and an eventfd that calls it off; when a host fd is
 * ready, it interrupts the worker's ppoll with kbox's interrupt signal, as
 * the watchdog does for a guest's signal.  Either way the worker then
 * takes both sides' readiness with polls that do not wait.  A signalfd
 * cannot be polled by kbox (it would tell kbox's own signals): its
 * readiness is the guest thread's pending signals in its mask, which the
 * watcher looks at every 10 ms while the set holds one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <lkl.h>

#include "mixedpoll.h"
#include "../guest/procfs.h"
#include "../intercept/supervisor.h"

/* How often a watcher looks at the pending signals a signalfd tells. */
#define SIGNAL_LOOK_MS 10

/* The host side: kbox's copies of the host fds (-1 elsewhere). */
struct host_side {
	struct pollfd *hp;
	uint64_t *sigmask;	/* a signalfd's mask, else 0 */
	bool any_signalfd;
	unsigned int n;
	pid_t tgid, tid;	/* whose signals a signalfd tells */
};

struct watcher {
	struct host_side *h;
	struct pollfd *hp;	/* h's fds, and the call-off eventfd last */
	long ktid;		/* the worker's kernel task */
	pthread_mutex_t lock;
	bool done;		/* the worker's ppoll is over: no interrupt */
	bool fired;		/* the worker was interrupted */
};

/* Sets revents of h's host fds from their host readiness (already in hp) and signals; the count. */
static int host_count(struct host_side *h, struct pollfd *hp)
{
	uint64_t pending = h->any_signalfd ? procfs_pending(h->tgid, h->tid) : 0;
	unsigned int i;
	int count = 0;

	for (i = 0; i < h->n; i++) {
		if (h->sigmask[i])
			hp[i].revents = (hp[i].events & POLLIN) &&
					(pending & h->sigmask[i]) ? POLLIN : 0;
		count += hp[i].revents != 0;
	}
	return count;
}

static void *watch_host(void *arg)
{
	struct watcher *w = arg;
	unsigned int n = w->h->n;
	int k;

	for (;;) {
		k = poll(w->hp, n + 1, w->h->any_signalfd ? SIGNAL_LOOK_MS : -1);
		if (k < 0 && errno != EINTR)
			break;
		if (w->hp[n].revents)
			return NULL;	/* called off */
		if (k >= 0 && host_count(w->h, w->hp) > 0)
			break;
	}
	pthread_mutex_lock(&w->lock);
	if (!w->done) {
		w->fired = true;
		lkl_sys_tkill(w->ktid, KBOX_INTR_SIGNAL);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/*
 * The kernel fds' ppoll until deadline (monotonic ns, < 0: none), cut
 * short when a host fd gets ready.  The ppoll's result; *fired: a host
 * fd cut it short.
 */
static long wait_both(struct call *c, struct host_side *h, struct pollfd *kp,
		      int64_t deadline, bool *fired)
{
	struct __lkl__kernel_timespec ts, *tsp = NULL;
	struct watcher w = { .h = h, .ktid = c->t->ktid };
	pthread_t th;
	uint64_t one = 1;
	int cancel;
	long ret;

	*fired = false;
	if (deadline >= 0) {
		struct timespec now;
		int64_t left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = deadline - (now.tv_sec * 1000000000LL + now.tv_nsec);
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		tsp = &ts;
	}
	w.hp = malloc((h->n + 1) * sizeof(*w.hp));
	cancel = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!w.hp || cancel < 0) {
		free(w.hp);
		if (cancel >= 0)
			close(cancel);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < h->n; i++)
		w.hp[i] = h->hp[i];
	w.hp[h->n] = (struct pollfd){ .fd = cancel, .events = POLLIN };
	pthread_mutex_init(&w.lock, NULL);
	if (pthread_create(&th, NULL, watch_host, &w)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = lkl_sys_ppoll((struct lkl_pollfd *)kp, h->n, tsp, NULL, 8);
	pthread_mutex_lock(&w.lock);
	w.done = true;
	*fired = w.fired;
	pthread_mutex_unlock(&w.lock);
	if (write(cancel, &one, sizeof(one)) < 0) {
		/* A full counter calls it off all the same. */
	}
	pthread_join(th, NULL);
out:
	pthread_mutex_destroy(&w.lock);
	close(cancel);
	free(w.hp);
	return ret;
}

long mixed_poll(struct call *c, struct pollfd *pfd, unsigned int n, long timeout_ms)
{
	struct host_side h = { .n = n, .tgid = c->t->proc->pid, .tid = c->t->tid };
	struct fdtab *t = c->t->proc->fds;
	struct pollfd *kp = NULL;
	int64_t deadline = -1;
	unsigned int i;
	bool fired;
	long ret = 0;

	if (timeout_ms >= 0) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		deadline = now.tv_sec * 1000000000LL + now.tv_nsec + timeout_ms * 1000000LL;
	}
	h.hp = calloc(n, sizeof(*h.hp));
	h.sigmask = calloc(n, sizeof(*h.sigmask));
	kp = calloc(n, sizeof(*kp));
	if (!h.hp || !h.sigmask || !kp) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		h.hp[i] = pfd[i];
		h.hp[i].fd = -1;
		kp[i] = pfd[i];
		if (pfd[i].fd < 0 || !fdtab_is_host(t, pfd[i].fd))
			continue;
		kp[i].fd = -1;
		h.hp[i].fd = call_grab_host_fd(c, pfd[i].fd);
		if (h.hp[i].fd < 0) {
			ret = h.hp[i].fd;
			goto out;
		}
		if (procfs_signalfd_mask(h.hp[i].fd, &h.sigmask[i]) < 0)
			h.sigmask[i] = 0;
		h.any_signalfd |= h.sigmask[i] != 0;
	}
	for (;;) {
		struct __lkl__kernel_timespec zero = { 0, 0 };
		struct timespec now;
		int hostn;

		/* What is ready now, on both sides. */
		ret = lkl_sys_ppoll((struct lkl_pollfd *)kp, n, &zero, NULL, 8);
		if (ret < 0)
			break;
		if (poll(h.hp, n, 0) < 0) {
			ret = -errno;
			break;
		}
		hostn = host_count(&h, h.hp);
		if (ret > 0 || hostn > 0) {
			ret = 0;
			for (i = 0; i < n; i++) {
				pfd[i].revents = h.hp[i].fd >= 0 ? h.hp[i].revents :
						 kp[i].fd >= 0 ? kp[i].revents : 0;
				ret += pfd[i].revents != 0;
			}
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (deadline >= 0 && now.tv_sec * 1000000000LL + now.tv_nsec >= deadline)
			break;
		ret = wait_both(c, &h, kp, deadline, &fired);
		if (fired)
			supervisor_drop_interrupt();
		/* Not the watcher's doing, or the guest has a signal too: give up. */
		if (ret < 0 && (!fired || supervisor_interrupted(c->t)))
			break;
	}
out:
	for (i = 0; h.hp && i < n; i++)
		if (h.hp[i].fd >= 0)
			close(h.hp[i].fd);
	free(h.hp);
	free(h.sigmask);
	free(kp);
	return ret;
}
