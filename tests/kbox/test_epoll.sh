#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host fds in the library kernel's epoll sets (TAP output).  kbox's stdin
# is a host pipe (bash process substitution), so the guest's fd 0 is a
# host fd.  The guest program comes from the host through a read-only
# bind.
#
#   1. guest/epoll.c: stdin and a kernel pipe in one set (readiness and
#      epoll_data of each), timeouts, a wait woken by a host write,
#      EPOLLONESHOT, EPOLLET, EPOLLOUT, MOD/DEL and their errors, EINTR,
#      nested sets, threads, fork, dups, HUP.  A signalfd in a set
#      (kbox looks at the guest's pending signals for it).
#   2. The bridges go with their sets: hundreds of sets left to exits,
#      execs and closes, with kbox's fds limited to 64.
#   3. A wait on a set holding a host fd sleeps: kbox takes little CPU.
#   4. python3 from the Debian image, when there is one: selectors and
#      asyncio reading stdin.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_epoll
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/epoll" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need e2fsck timeout -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/epoll "$@"; }

# ---- 1. the guest program ----------------------------------------------------

STDIN=<(printf host-data) run host
is "$out" "reopen-writer ok
add-host ok
add-kernel ok
add-twice ok
mod-absent ok
add-bad-epfd ok
add-not-epoll ok
host-ready ok
both-ready ok
read-host ok
read-kernel ok
timeout-nothing ok
pwait2-timeout ok
wakes-on-host ok
read-later ok
oneshot-first ok
oneshot-off ok
oneshot-rearmed ok
et-edge ok
et-once ok
et-next-edge ok
level-repeats ok
read-edges ok
out-ready ok
del-writer ok
del ok
del-again ok
del-quiet ok
eintr ok
nested ok
nested-inner ok
thread-add ok
fork-shares ok
dup-set-lives ok
closed-dup-reports ok
hup ok" "stdin (a host pipe) and a kernel pipe in one set: events and data of each, timeouts, a host write wakes the wait, ONESHOT, ET, OUT, MOD/DEL, EINTR, nesting, threads, fork, dups, HUP" || show

run signalfd
is "$out" "sfd-add ok
sfd-add-pipe ok
sfd-add-twice ok
sfd-quiet ok
sfd-pending ok
sfd-level ok
sfd-read ok
sfd-read-quiet ok
sfd-mask ok
sfd-wakes ok
sfd-wakes-child ok
sfd-wakes-read ok
sfd-both ok
sfd-mod-et ok
sfd-et-edge ok
sfd-et-once ok
sfd-mod-oneshot ok
sfd-oneshot-first ok
sfd-oneshot-off ok
sfd-oneshot-rearmed ok
sfd-thread ok
sfd-del ok
sfd-del-quiet ok
sfd-still-pending ok" "a signalfd in a set: ready with a signal in its mask pending (sent before the wait, or during it by a child), quiet once read; ET, ONESHOT, DEL, a thread's wait" || show

# ---- 2. the bridges go with their sets ------------------------------------------

# A bridge holds two host fds of kbox's: leaked, 300 rounds would run out.
(ulimit -n 64 && STDIN=<(printf host-data) T=60 run loop 300
 echo "$rc" > "$work/rc")
rc=$(cat "$work/rc") out=$(cat "$work/out") err=$(cat "$work/err")
is "$out" "loop ok
loop-after ok" "300 sets holding stdin, left to exits, execs (close-on-exec) and closes, kbox's fds limited to 64" || show

# ---- 3. waiting sleeps ------------------------------------------------------------

TIMEFORMAT='%U %S'
{ time STDIN=<(sleep 6) run idle 3000; } 2> "$work/time"
cpu=$(cat "$work/time")
is "$out" "idle ok" "a 3 s wait for nothing on a set holding stdin" || show
[ "$out" = "idle ok" ] && awk -v t="$cpu" 'BEGIN { split(t, a, " "); exit !(a[1] + a[2] < 1.0) }'
ok $? "  kbox sleeps meanwhile (CPU time $cpu s, user and system)"

# ---- 4. python3 from the Debian image ----------------------------------------------

if [ -n "${KBOX_DEBIAN_IMAGE:-}" ] && [ -f "$KBOX_DEBIAN_IMAGE" ]; then
	prog='
import asyncio, os, selectors, sys
sel = selectors.DefaultSelector()
r, w = os.pipe()
sel.register(0, selectors.EVENT_READ, "stdin")
sel.register(r, selectors.EVENT_READ, "pipe")
os.write(w, b"k")
print(type(sel).__name__, sorted(k.data for k, ev in sel.select(10)), os.read(0, 6))
sel.close()

async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    lines = []
    while line := await reader.readline():
        lines.append(line.decode().strip())
    return lines
print("asyncio", asyncio.run(main()))
'
	STDIN=<(printf 'first\n'; sleep 2; printf 'second\nthird\n') T=60 \
		kb -r "$KBOX_DEBIAN_IMAGE" --ro -S -- python3 -c "$prog"
	is "$out" "EpollSelector ['pipe', 'stdin'] b'first\\n'
asyncio ['second', 'third']" "python3: an epoll selector on stdin and a pipe; asyncio's connect_read_pipe reads stdin to its end" || show
else
	skip "python3 epoll on stdin" "no Debian image (KBOX_DEBIAN_IMAGE)"
fi

# ---- the runs as a whole ----------------------------------------------------------

! grep -q -e '==ERROR: ' -e 'runtime error:' "$work/all.err"
ok $? "no sanitizer report from kbox" || grep -e '==ERROR: ' -e 'runtime error:' -A5 "$work/all.err" | head -40 | diag
fs_clean "$img" "the image is fsck-clean afterwards"

done_testing
