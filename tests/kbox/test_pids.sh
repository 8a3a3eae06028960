#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pids (TAP output): a guest's kernel task carries its host pid, so what
# getpid, $$, $! and kill use is what the library kernel's /proc, ps,
# pidof and lock owners show; /proc/PID/cmdline holds the argv of the
# process's last exec (a forked child: its parent's).
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_pids
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/pids" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need e2fsck timeout -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { kb -r "$img" -S "$@"; }

run -b "$KBOX_GUEST_BIN:/t:ro" -- /t/pids
is "$out" "getpid is /proc/self: ok
Pid in /proc/self/status: ok
thread: /proc/thread-self ok
thread: its task directory ok
thread: /proc/thread-self ok
thread: its task directory ok
thread: /proc/thread-self ok
thread: its task directory ok
a quiet thread's task directory: ok
Threads in /proc/self/status: ok
child: getpid is /proc/self: ok
child: PPid in /proc/self/status: ok
child: the lock's owner is its parent: ok
the reaped child is gone from /proc: ok" \
	"a process, its threads (one that makes no kbox call too) and its child find their pids in /proc; F_GETLK names the holder" || show

run -- /bin/sh -c 'read pid rest < /proc/self/stat; [ "$pid" = "$$" ] && echo same'
is "$out" same "the shell's \$\$ is its pid in /proc/self/stat" || show

# (Until the child's exec its command line is its parent's, as on Linux.
# busybox sh runs applets as /proc/self/exe, so ps shows "{exe} sleep 30".)
waitexec='i=0; until [ "$(head -c 5 /proc/$!/cmdline)" = sleep ] || [ $i = 100 ]; do usleep 20000; i=$((i+1)); done'
run -- /bin/sh -c "sleep 30 & $waitexec"'; ps -o pid,args | grep -q "^ *$! .*sleep 30\$" && echo listed; kill $!; wait $!; echo $?'
is "$out" "listed
143" "ps lists a background job under \$! with its arguments; kill \$! ends it" || show

run -- /bin/sh -c 'sleep 30 & p=$(pidof sleep); [ "$p" = "$!" ] && echo same; kill "$p"; wait $!; echo $?'
is "$out" "same
143" "pidof finds the pid the shell knows, and kill of it works" || show

run -- /bin/sh -c "sleep 30 & $waitexec"'; tr "\0" "|" < /proc/$!/cmdline; echo; kill $!'
is "$out" "sleep|30|" "/proc/PID/cmdline: the argv of the exec" || show

run -- /bin/sh -c 'tr "\0" "|" < /proc/$$/cmdline; echo'
is "$out" '/bin/sh|-c|tr "\0" "|" < /proc/$$/cmdline; echo|' \
	"the first process's /proc/PID/cmdline: the command kbox was given" || show

run -- /bin/sh -c '(sleep 30; :) & sleep 0.2; tr "\0" "|" < /proc/$!/cmdline; echo; kill $!'
case $out in "/bin/sh|-c|("*) true ;; *) false ;; esac
ok $? "a forked child that did not exec shows its parent's command line" || show

run -- /bin/sh -c 'echo $$; ps -o pid,args | grep "^ *$$ "'
pid=$(head -1 "$work/out")
[ -n "$pid" ] && sed -n 2p "$work/out" | grep -q "^ *$pid /bin/sh -c echo \\$\\$; ps -o pid,args"
ok $? \
	"ps shows the shell under its pid with its command line, not as [sh]" || show

# Many processes later the kernel still gives each guest its host pid.
run -- /bin/sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done
	/bin/sh -c "read pid rest < /proc/self/stat; [ \"\$pid\" = \"\$\$\" ] && echo same"'
is "$out" same "after 300 processes a new one still has its host pid" || show

if [ -f "${KBOX_DEBIAN_IMAGE:-}" ]; then
	deb=$work/debian.ext4
	cp --sparse=always "$KBOX_DEBIAN_IMAGE" "$deb" || exit 1
	kb -r "$deb" -S -- /usr/bin/python3 -c '
import os, threading
ok = [os.getpid() == int(os.readlink("/proc/self"))]
def t():
    ok.append(os.readlink("/proc/thread-self") == "%d/task/%d" % (os.getpid(), threading.get_native_id()))
th = [threading.Thread(target=t) for _ in range(4)]
[x.start() for x in th]; [x.join() for x in th]
print(all(ok), len(ok))'
	is "$out" "True 5" "python3 (Debian): os.getpid and thread ids match /proc" || show
fi

fs_clean "$img" "the image is clean after the runs"
! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report" || grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
