// SPDX-License-Identifier: GPL-2.0
/*
 * Bridges of host fds into the library kernel's epoll sets (see
 * epollbridge.h).
 *
 * One kbox thread, the bridger, owns the kernel side.  It runs as a task
 * with a kernel fd table of its own, which holds the marks (eventfds) and
 * the watch: a kernel epoll that holds every bridged set, with no events.
 * The kernel takes a set out of the watch when the set's last fd closes,
 * which is how kbox learns that a set is gone (the watch's fdinfo lists
 * those left).  The bridger sleeps in a host epoll, the master, that
 * watches each bridge's host epoll one shot at a time: when one has
 * events, the bridger signals its mark (edge-triggered in the set, so a
 * wait gets it once), and the wait that collects the mark arms the master
 * again once it has taken the host events.  Nothing polls, but for
 * signalfds: one kbox watched would tell kbox's signals, so a signalfd
 * is no host epoll's; while a set holds one, the bridger looks at the
 * guest's pending signals every few ms (SIGNAL_TICK_NS), and a wait takes
 * the waiting thread's pending signals in the signalfd's mask as its
 * readiness.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include <lkl.h>
#include <lkl/linux/eventfd.h>
#include <lkl/linux/pidfd.h>

#include "epollbridge.h"
#include "../guest/memory.h"
#include "../guest/procfs.h"

/*
 * A host fd the guest closed is closed by the host just after kbox
 * answers; the sweep that looks for it waits this long.
 */
#define SWEEP_DELAY_NS	(50 * 1000000LL)

/* The master's key for the bridger's wake-up eventfd; bridge ids start at 1. */
#define WAKE_ID		0

/* How often the bridger looks for signals a bridged signalfd would tell. */
#define SIGNAL_TICK_NS	(10 * 1000000LL)

/* Marks one wait takes host events for (a set has one; more wait for the next). */
#define MARKS_MAX	8

struct entry {
	int gfd;	/* the guest's fd number */
	int dup;	/* kbox's copy of it, in the host epoll (not a signalfd) */
	bool signalfd;
	/* A signalfd's: the guest's event, the process that added it, */
	struct epoll_event ev;
	pid_t owner;
	uint64_t told;	/* the signals an EPOLLET wait reported, still pending */
	bool spent;	/* EPOLLONESHOT, reported: off until MOD */
};

struct bridge {
	uint32_t id;
	long mark;	/* kernel eventfd in the set (bridger's table), -1 before */
	int hostep;	/* host epoll of the set's host fds, with the guest's events */
	int n, cap;
	int nsignalfds;
	struct entry *entries;
	struct bridge *next;
};

/* A request's op for a look at signals now, not an epoll_ctl. */
#define OP_SIGNALS	(-1)

/* An epoll_ctl (or OP_SIGNALS) for the bridger to serve. */
struct ctl_req {
	pid_t pid;		/* the calling guest thread */
	long ktid;		/* its kernel task */
	int epfd, op, gfd;
	int dup;		/* ADD: kbox's copy of gfd, taken over when added */
	bool signalfd;		/* ADD: gfd is a signalfd */
	pid_t owner;		/* ADD: the calling guest process */
	struct epoll_event ev;
	long ret;
	sem_t done;
	struct ctl_req *next;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int start_error;
static bool bridger_made;
static pthread_t bridger;
static int master = -1, wake = -1;
static long watch = -1;
static uint32_t magic;		/* a mark's key: magic << 32 | bridge id */
static uint32_t next_id = 1;
static int64_t sweep_at;	/* bridger only: when the wanted sweep is due, 0 none */
static int64_t tick_at;		/* bridger only: when to look at signals next */

/* lock: the bridges and their entries, the requests, stopping. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bridge *bridges;
static struct ctl_req *requests;
static bool stopping;
static atomic_int nbridges;
static atomic_int nsignalfds;
static atomic_bool sweep_wanted;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t key_of(uint32_t id)
{
	return (uint64_t)magic << 32 | id;
}

/* The bridge a mark's key names (lock held); NULL: the guest's own data. */
static struct bridge *bridge_of_key(uint64_t key)
{
	struct bridge *b;

	if (key >> 32 != magic)
		return NULL;
	for (b = bridges; b; b = b->next)
		if (b->id == (uint32_t)key)
			return b;
	return NULL;
}

static void wake_bridger(void)
{
	uint64_t one = 1;
	ssize_t r = write(wake, &one, sizeof(one));

	(void)r;	/* a full counter wakes it all the same */
}

/* The master's one-shot watch of b's host epoll: armed, or off until armed. */
static void master_arm(struct bridge *b, bool on)
{
	struct epoll_event ev = {
		.events = (on ? EPOLLIN : 0) | EPOLLONESHOT,
		.data.u64 = b->id,
	};

	epoll_ctl(master, EPOLL_CTL_MOD, b->hostep, &ev);
}

/* Bridger: b's host fds have events; a wait on its set gets the mark again. */
static void signal_mark(struct bridge *b)
{
	uint64_t v;

	master_arm(b, false);	/* until a wait has collected the mark */
	lkl_sys_read(b->mark, (char *)&v, sizeof(v));	/* keeps the count at 1 */
	v = 1;
	lkl_sys_write(b->mark, (char *)&v, sizeof(v));
}

/*
 * The signals signalfd entry e tells thread tid of process tgid, as an
 * epoll readiness: pending ones in its mask, if it waits for EPOLLIN;
 * with EPOLLET, only those not reported yet.
 */
static uint64_t signals_for(struct entry *e, pid_t tgid, pid_t tid)
{
	uint64_t mask, pending;

	if (!(e->ev.events & EPOLLIN) || e->spent ||
	    procfs_signalfd_mask(e->dup, &mask) < 0)
		return 0;
	pending = procfs_pending(tgid, tid) & mask;
	e->told &= pending;	/* a signal read and sent again is news */
	return e->ev.events & EPOLLET ? pending & ~e->told : pending;
}

/* Bridger, lock held: a signalfd of b has signals for the process that added it. */
static bool signals_ready(struct bridge *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->entries[i].signalfd &&
		    signals_for(&b->entries[i], b->entries[i].owner, b->entries[i].owner))
			return true;
	return false;
}

/* Bridger, lock held: every set with a signalfd whose signals came gets its mark. */
static void signal_tick(void)
{
	struct bridge *b;

	for (b = bridges; b; b = b->next)
		if (b->nsignalfds && signals_ready(b))
			signal_mark(b);
}

/* Bridger, after ADD or MOD: what is ready already shows at the next wait. */
static void kick(struct bridge *b)
{
	struct pollfd p = { .fd = b->hostep, .events = POLLIN };

	if (poll(&p, 1, 0) > 0 || (b->nsignalfds && signals_ready(b)))
		signal_mark(b);
}

/* Whether the guest's gfd (process pid) and kbox's dup are one open file. */
static bool same_file(pid_t pid, int gfd, int dup)
{
	struct stat a, b;
	char path[64];
	long r = syscall(SYS_kcmp, pid, getpid(), KCMP_FILE, gfd, dup);

	if (r >= 0)
		return r == 0;
	if (errno == EBADF || errno == ESRCH)
		return false;	/* the fd or the process is gone */
	/* kcmp missing or refused: the same object will do. */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, gfd);
	return !stat(path, &a) && !fstat(dup, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* b's entry for what fd gfd of process pid is now. */
static struct entry *entry_of(struct bridge *b, pid_t pid, int gfd)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->entries[i].gfd == gfd && same_file(pid, gfd, b->entries[i].dup))
			return &b->entries[i];
	return NULL;
}

static void entry_drop(struct bridge *b, struct entry *e)
{
	/* Out of the host epoll first: another fd may keep the file open. */
	if (e->signalfd) {
		b->nsignalfds--;
		atomic_fetch_sub(&nsignalfds, 1);
	} else {
		epoll_ctl(b->hostep, EPOLL_CTL_DEL, e->dup, NULL);
	}
	close(e->dup);
	*e = b->entries[--b->n];
}

static struct bridge *bridge_new(void)
{
	struct bridge *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->hostep = epoll_create1(EPOLL_CLOEXEC);
	if (b->hostep < 0) {
		free(b);
		return NULL;
	}
	b->mark = -1;
	b->id = next_id++;
	if (next_id == WAKE_ID)
		next_id++;
	return b;
}

/* Bridger: b's mark into set ep, ep into the watch, b's host epoll into the master. */
static long bridge_attach(struct bridge *b, long ep)
{
	struct lkl_epoll_event kev = { .events = LKL_EPOLLIN | LKL_EPOLLET, .data = key_of(b->id) };
	struct lkl_epoll_event wev = { .events = 0, .data = key_of(b->id) };
	struct epoll_event mev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = b->id };
	long ret;

	b->mark = lkl_sys_eventfd2(0, LKL_EFD_NONBLOCK | LKL_EFD_CLOEXEC);
	if (b->mark < 0)
		return b->mark;
	ret = lkl_sys_epoll_ctl(ep, LKL_EPOLL_CTL_ADD, b->mark, &kev);
	if (ret >= 0)
		ret = lkl_sys_epoll_ctl(watch, LKL_EPOLL_CTL_ADD, ep, &wev);
	if (ret >= 0 && epoll_ctl(master, EPOLL_CTL_ADD, b->hostep, &mev) < 0)
		ret = -errno;
	return ret;
}

/* Bridger: b's mark leaves its set as it closes; its host epoll leaves the master. */
static void bridge_free(struct bridge *b)
{
	int i;

	if (b->mark >= 0)
		lkl_sys_close(b->mark);
	close(b->hostep);
	for (i = 0; i < b->n; i++)
		close(b->entries[i].dup);
	atomic_fetch_sub(&nsignalfds, b->nsignalfds);
	free(b->entries);
	free(b);
}

/*
 * Bridger: the ids in the mark keys of epoll ep's items, as its fdinfo
 * lists them ("data: KEY").  Their count (ids malloc'd in *ids), or -errno.
 */
static int marks_in(long ep, uint32_t **ids)
{
	char path[64], *buf = NULL, *p, *grown;
	size_t len = 0, cap = 0;
	uint32_t *got;
	int count = 0;
	long fd, n = 0;

	*ids = NULL;
	snprintf(path, sizeof(path), "/proc/thread-self/fdinfo/%ld", ep);
	fd = lkl_sys_openat(LKL_AT_FDCWD, path, LKL_O_RDONLY | LKL_O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			grown = realloc(buf, cap);
			if (!grown) {
				n = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = lkl_sys_read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	lkl_sys_close(fd);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	buf[len] = '\0';
	for (p = buf; (p = strstr(p, "data: ")); ) {
		unsigned long long key = strtoull(p + 6, &p, 16);

		if (key >> 32 != magic)
			continue;
		got = realloc(*ids, (count + 1) * sizeof(**ids));
		if (!got) {
			count = -ENOMEM;
			break;
		}
		*ids = got;
		(*ids)[count++] = (uint32_t)key;
	}
	free(buf);
	if (count < 0) {
		free(*ids);
		*ids = NULL;
	}
	return count;
}

/* Bridger, lock held: set ep's bridge, if it has one. */
static struct bridge *bridge_of_set(long ep)
{
	struct bridge *b = NULL;
	uint32_t *ids;
	int n = marks_in(ep, &ids), i;

	for (i = 0; i < n && !b; i++)
		b = bridge_of_key(key_of(ids[i]));
	free(ids);
	return b;
}

/* Bridger: whether kernel fd fd (its own) is an epoll. */
static bool is_epoll(long fd)
{
	static const char want[] = "anon_inode:[eventpoll]";
	char path[64], link[sizeof(want) + 1];
	long n;

	snprintf(path, sizeof(path), "/proc/thread-self/fd/%ld", fd);
	n = lkl_sys_readlinkat(LKL_AT_FDCWD, path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, want);
}

/* Bridger: a copy, in its own table, of kernel fd fd of guest task ktid; or -errno. */
static long kernel_fd_of(long ktid, int fd)
{
	long pidfd = lkl_sys_pidfd_open(ktid, LKL_PIDFD_THREAD), ret;

	if (pidfd < 0)
		return pidfd;
	ret = lkl_sys_pidfd_getfd(pidfd, fd, 0);
	lkl_sys_close(pidfd);
	return ret;
}

/* Bridger, lock held: ADD r's host fd to set ep, whose bridge is b (NULL: none yet). */
static long serve_add(struct bridge *b, long ep, struct ctl_req *r)
{
	bool fresh = !b;
	struct entry *grown;
	long ret = 0;

	if (fresh && !(b = bridge_new()))
		return -ENOMEM;
	if (b->n == b->cap) {
		grown = realloc(b->entries, (b->cap ? b->cap * 2 : 4) * sizeof(*grown));
		if (grown) {
			b->entries = grown;
			b->cap = b->cap ? b->cap * 2 : 4;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret && !r->signalfd && epoll_ctl(b->hostep, EPOLL_CTL_ADD, r->dup, &r->ev) < 0)
		ret = -errno;
	if (!ret && fresh)
		ret = bridge_attach(b, ep);
	if (ret < 0) {
		if (fresh)
			bridge_free(b);
		return ret;
	}
	b->entries[b->n] = (struct entry){
		.gfd = r->gfd, .dup = r->dup, .signalfd = r->signalfd,
		.ev = r->ev, .owner = r->owner,
	};
	b->n++;
	if (r->signalfd) {
		b->nsignalfds++;
		atomic_fetch_add(&nsignalfds, 1);
	}
	r->dup = -1;
	if (fresh) {
		b->next = bridges;
		bridges = b;
		atomic_fetch_add(&nbridges, 1);
	}
	kick(b);
	return 0;
}

static long serve_ctl(struct ctl_req *r)
{
	long ep = kernel_fd_of(r->ktid, r->epfd), ret;
	struct bridge *b;
	struct entry *e;

	if (ep < 0)
		return ep == -ESRCH ? -EBADF : ep;
	pthread_mutex_lock(&lock);
	if (!is_epoll(ep)) {
		ret = -EINVAL;
		goto out;
	}
	b = bridge_of_set(ep);
	e = b ? entry_of(b, r->pid, r->gfd) : NULL;
	switch (r->op) {
	case EPOLL_CTL_ADD:
		ret = e ? -EEXIST : serve_add(b, ep, r);
		break;
	case EPOLL_CTL_MOD:
		if (!e) {
			ret = -ENOENT;
		} else if (e->signalfd) {
			e->ev = r->ev;
			e->told = 0;
			e->spent = false;
			kick(b);
			ret = 0;
		} else if (epoll_ctl(b->hostep, EPOLL_CTL_MOD, e->dup, &r->ev) < 0) {
			ret = -errno;
		} else {
			kick(b);
			ret = 0;
		}
		break;
	case EPOLL_CTL_DEL:
		ret = e ? 0 : -ENOENT;
		if (e)
			entry_drop(b, e);
		break;
	default:
		ret = -EINVAL;
	}
out:
	pthread_mutex_unlock(&lock);
	lkl_sys_close(ep);
	return ret;
}

/* Searching the guest's processes for a host file (guest lock held). */
struct holder_search {
	int dup;
	bool found;
};

static void search_proc(struct gthread *t, void *arg)
{
	struct holder_search *s = arg;
	struct gproc *p = t->proc;
	long fd;

	/* Once a process (its first thread); an exiting one holds nothing. */
	if (s->found || t != p->threads || p->exiting)
		return;
	for (fd = fdtab_next_host(p->fds, 0); fd >= 0 && !s->found;
	     fd = fdtab_next_host(p->fds, fd + 1))
		s->found = same_file(p->pid, (int)fd, s->dup);
}

/*
 * Bridger: let go the bridges of sets that are gone (no longer in the
 * watch) and the host files no guest process holds any more.
 */
static void sweep(void)
{
	struct bridge **bp, *b;
	uint32_t *live;
	int nlive, i;

	atomic_store(&sweep_wanted, false);
	sweep_at = 0;
	nlive = marks_in(watch, &live);
	if (nlive < 0)
		return;
	pthread_mutex_lock(&lock);
	for (bp = &bridges; (b = *bp);) {
		for (i = 0; i < nlive && live[i] != b->id; i++)
			;
		if (i == nlive) {
			*bp = b->next;
			atomic_fetch_sub(&nbridges, 1);
			bridge_free(b);
			continue;
		}
		for (i = 0; i < b->n;) {
			struct holder_search s = { b->entries[i].dup, false };

			guest_for_each_thread(search_proc, &s);
			if (s.found)
				i++;
			else
				entry_drop(b, &b->entries[i]);
		}
		bp = &b->next;
	}
	pthread_mutex_unlock(&lock);
	free(live);
}

static void serve_requests(void)
{
	struct ctl_req *r, *next;

	pthread_mutex_lock(&lock);
	r = requests;
	requests = NULL;
	pthread_mutex_unlock(&lock);
	for (; r; r = next) {
		next = r->next;
		/* A set closed just before (a loop of them) goes before a new one comes. */
		if (atomic_load(&sweep_wanted))
			sweep();
		if (r->op == OP_SIGNALS) {
			pthread_mutex_lock(&lock);
			signal_tick();
			pthread_mutex_unlock(&lock);
			r->ret = 0;
		} else {
			r->ret = serve_ctl(r);
		}
		sem_post(&r->done);
	}
}

static void *bridger_main(void *arg)
{
	sem_t *ready = arg;
	struct epoll_event evs[16];
	struct bridge *b;
	long ret;
	int i, n;

	/*
	 * Marks and the watch in a table of its own, without copies of
	 * kbox's fds (they would keep its files open); /proc for fdinfo.
	 */
	ret = lkl_sys_unshare(LKL_CLONE_FILES);
	if (ret >= 0)
		ret = lkl_sys_close_range(0, ~0U, 0);
	if (ret >= 0)
		ret = lkl_mount_fs("proc");
	if (ret >= 0)
		ret = watch = lkl_sys_epoll_create1(LKL_EPOLL_CLOEXEC);
	if (ret < 0)
		start_error = (int)-ret;
	sem_post(ready);
	if (ret < 0)
		return NULL;

	for (;;) {
		int timeout = -1;

		if (atomic_load(&nsignalfds) > 0 && !tick_at)
			tick_at = now_ns() + SIGNAL_TICK_NS;
		if (sweep_at || tick_at) {
			int64_t due = !tick_at || (sweep_at && sweep_at < tick_at) ?
				      sweep_at : tick_at;
			int64_t left = due - now_ns();

			timeout = left <= 0 ? 0 : (int)(left / 1000000) + 1;
		}
		n = epoll_wait(master, evs, sizeof(evs) / sizeof(evs[0]), timeout);
		for (i = 0; i < n; i++) {
			uint64_t v;

			if (evs[i].data.u64 == WAKE_ID) {
				ssize_t r = read(wake, &v, sizeof(v));

				(void)r;	/* reset; what woke it is looked at below */
				continue;
			}
			pthread_mutex_lock(&lock);
			b = bridge_of_key(key_of((uint32_t)evs[i].data.u64));
			if (b)
				signal_mark(b);
			pthread_mutex_unlock(&lock);
		}
		if (atomic_load(&sweep_wanted) && !sweep_at)
			sweep_at = now_ns() + SWEEP_DELAY_NS;
		serve_requests();
		pthread_mutex_lock(&lock);
		if (stopping) {
			pthread_mutex_unlock(&lock);
			break;
		}
		pthread_mutex_unlock(&lock);
		if (sweep_at && now_ns() >= sweep_at)
			sweep();
		if (tick_at && now_ns() >= tick_at) {
			pthread_mutex_lock(&lock);
			signal_tick();
			pthread_mutex_unlock(&lock);
			tick_at = 0;
		}
	}

	pthread_mutex_lock(&lock);
	while ((b = bridges)) {
		bridges = b->next;
		bridge_free(b);
	}
	atomic_store(&nbridges, 0);
	pthread_mutex_unlock(&lock);
	lkl_sys_close(watch);
	return NULL;
}

static void start(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = WAKE_ID };
	sem_t ready;

	if (getrandom(&magic, sizeof(magic), 0) != sizeof(magic))
		magic = (uint32_t)(now_ns() ^ getpid());
	master = epoll_create1(EPOLL_CLOEXEC);
	wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (master < 0 || wake < 0 || epoll_ctl(master, EPOLL_CTL_ADD, wake, &ev) < 0) {
		start_error = errno;
		return;
	}
	if (sem_init(&ready, 0, 0) || pthread_create(&bridger, NULL, bridger_main, &ready)) {
		start_error = EAGAIN;
		return;
	}
	bridger_made = true;
	while (sem_wait(&ready) < 0 && errno == EINTR)
		;
	sem_destroy(&ready);
}

/* Has the bridger serve r, and waits for it; r->ret says how it went. */
static void submit(struct ctl_req *r)
{
	if (sem_init(&r->done, 0, 0)) {
		r->ret = -ENOMEM;
		return;
	}
	pthread_mutex_lock(&lock);
	r->next = requests;
	requests = r;
	pthread_mutex_unlock(&lock);
	wake_bridger();
	while (sem_wait(&r->done) < 0 && errno == EINTR)
		;
	sem_destroy(&r->done);
}

long epoll_bridge_ctl(struct call *c, int epfd, int op, int fd, uint64_t ev_addr)
{
	struct ctl_req r = {
		.pid = call_pid(c), .ktid = c->t->ktid,
		.epfd = epfd, .op = op, .gfd = fd, .dup = -1,
		.owner = c->t->proc->pid,
	};
	uint64_t mask;

	/* DEL ignores the event, as Linux does. */
	if (op != EPOLL_CTL_DEL && gmem_read(r.pid, &r.ev, ev_addr, sizeof(r.ev)))
		return -EFAULT;
	pthread_once(&once, start);
	if (start_error)
		return -EPERM;	/* what Linux says of a file epoll cannot watch */
	if (op == EPOLL_CTL_ADD) {
		r.dup = call_grab_host_fd(c, fd);
		if (r.dup < 0)
			return r.dup;
		r.signalfd = procfs_signalfd_mask(r.dup, &mask) == 0;
	}
	submit(&r);
	if (r.dup >= 0)
		close(r.dup);
	return r.ret;
}

void epoll_bridge_signals(void)
{
	struct ctl_req r = { .op = OP_SIGNALS, .dup = -1 };

	if (atomic_load(&nsignalfds) > 0)
		submit(&r);
}

bool epoll_bridge_any(void)
{
	return atomic_load(&nbridges) > 0;
}

/* Lock held: the events of b's signalfds for thread tid of process tgid, into ev. */
static int collect_signals(struct bridge *b, pid_t tgid, pid_t tid,
			   struct epoll_event *ev, int room)
{
	struct entry *e;
	uint64_t news;
	int i, out = 0;

	for (i = 0; i < b->n && out < room; i++) {
		e = &b->entries[i];
		if (!e->signalfd || !(news = signals_for(e, tgid, tid)))
			continue;
		ev[out].events = EPOLLIN;
		ev[out].data = e->ev.data;
		out++;
		e->told |= news;
		if (e->ev.events & EPOLLONESHOT)
			e->spent = true;
	}
	return out;
}

int epoll_bridge_collect(pid_t tgid, pid_t tid, struct epoll_event *ev, int n, int max)
{
	struct bridge *marked[MARKS_MAX], *b;
	int i, k, out = 0, nmarked = 0;

	for (i = 0; i < n && ev[i].data.u64 >> 32 != magic; i++)
		;
	if (i == n)
		return n;
	pthread_mutex_lock(&lock);
	for (i = 0; i < n; i++) {
		b = bridge_of_key(ev[i].data.u64);
		if (!b)
			ev[out++] = ev[i];
		else if (nmarked < MARKS_MAX)
			marked[nmarked++] = b;
		else
			master_arm(b, true);	/* signalled again, for the next wait */
	}
	for (i = 0; i < nmarked; i++) {
		if (out < max) {
			k = epoll_wait(marked[i]->hostep, ev + out, max - out, 0);
			if (k > 0)
				out += k;
		}
		if (marked[i]->nsignalfds)
			out += collect_signals(marked[i], tgid, tid, ev + out, max - out);
		/* Still ready (level-triggered, or no room): signalled again. */
		master_arm(marked[i], true);
	}
	pthread_mutex_unlock(&lock);
	return out;
}

void epoll_bridge_sweep_soon(void)
{
	if (atomic_load(&nbridges) > 0 && !atomic_exchange(&sweep_wanted, true))
		wake_bridger();
}

void epoll_bridge_stop(void)
{
	struct ctl_req *r;

	if (!bridger_made)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_mutex_unlock(&lock);
	wake_bridger();
	pthread_join(bridger, NULL);
	/* No guest is left to ask; answer any request all the same. */
	pthread_mutex_lock(&lock);
	while ((r = requests)) {
		requests = r->next;
		r->ret = -EBADF;
		sem_post(&r->done);
	}
	pthread_mutex_unlock(&lock);
	close(master);
	close(wake);
}
