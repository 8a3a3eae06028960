/* SPDX-License-Identifier: GPL-2.0 */
/*
 * poll over host and kernel fds at once: the terminal and a pty master of
 * the library kernel's (script, tmux), stdin and a kernel socket.
 */
#ifndef KBOX_DISPATCH_MIXEDPOLL_H
#define KBOX_DISPATCH_MIXEDPOLL_H

#include <poll.h>

#include "dispatch.h"

/*
 * poll(2) over the guest's pfd[n] (revents filled), some host fds and some
 * kernel ones; timeout_ms < 0 waits for ever.  The count, or -errno (a
 * signal the guest takes interrupts it, as other calls).
 */
long mixed_poll(struct call *c, struct pollfd *pfd, unsigned int n, long timeout_ms);

#endif
