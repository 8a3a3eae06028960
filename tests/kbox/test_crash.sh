#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crash consistency (TAP output).  A guest writes numbered files and
# syncs after each, printing the number once sync returned.  kbox is
# killed with SIGKILL in the middle; the next kbox run mounts the image
# (the journal replays), every file whose sync was acknowledged is there
# with its content, and e2fsck -fn is clean.  Then the same with the
# guest killed instead of kbox: kbox itself unmounts cleanly.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_crash
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "KBOX_DEFAULT_IMAGE not set"
need e2fsck debugfs -- e2fsprogs
img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img"

writer='mkdir -p /data; i=0
while :; do
	i=$((i + 1))
	yes "file $i" | head -c 20000 > /data/f$i
	sync
	echo $i
done'

# wait_lines FILE N: until FILE has N lines (5 s at most).
wait_lines() {
	for _ in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return
		sleep 0.05
	done
}

# 1. kbox killed.
"$KBOX" -r "$img" -- /bin/sh -c "$writer" >"$work/acked" 2>"$work/err" &
pid=$!
wait_lines "$work/acked" 5
kill -KILL $pid
wait $pid 2>/dev/null
n=$(tail -n 1 "$work/acked")
ok $([ "${n:-0}" -ge 5 ]; echo $?) "the guest acknowledged $n synced files before kbox was killed"
# The keeper ends every guest process (the shell, yes, head) and the
# exec directory.
for _ in $(seq 50); do
	[ -z "$(kbox_leftovers)" ] && [ -z "$(ls "$TMPDIR")" ] && break
	sleep 0.1
done
left=$(kbox_leftovers)
is "${left:-none}" none "no guest process outlives the killed kbox (its keeper ends them)" ||
	for p in $left; do ps -o pid,ppid,stat,args -p "$p" | tail -n +2 | diag; done
is "$(ls "$TMPDIR")" "" "  and its exec directory is gone"

# The next mount replays the journal; check every acknowledged file.
timeout -k 5 60 "$KBOX" -r "$img" -- /bin/sh -c '
	bad=0
	for i in $(seq 1 '"$n"'); do
		want=$(yes "file $i" | head -c 20000 | md5sum)
		got=$(md5sum < /data/f$i)
		[ "$want" = "$got" ] || { echo "f$i differs"; bad=1; }
	done
	exit $bad' >"$work/check" 2>&1
ok $? "after replay, all $n acknowledged files have their content" || diag <"$work/check"
e2fsck -fn "$img" >"$work/fsck" 2>&1
ok $? "e2fsck -fn clean after kbox was killed and the image remounted" || diag <"$work/fsck"

# 2. The guest killed (kbox lives on and unmounts).
"$KBOX" -r "$img" -- /bin/sh -c "$writer" >"$work/acked2" 2>"$work/err2" &
pid=$!
wait_lines "$work/acked2" 3
# kbox's children: the guest, and its keeper (never the one to kill).
gpid=$(for c in $(pgrep -P $pid); do
	[ "$(cat /proc/$c/comm 2>/dev/null)" = kbox-keeper ] || echo "$c"
done | head -n 1)
ok $([ -n "$gpid" ]; echo $?) "found the guest process"
[ -n "$gpid" ] && kill -KILL "$gpid"
for _ in $(seq 300); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -KILL $pid 2>/dev/null
wait $pid
st=$?
is "$st" 137 "kbox exits with 128+9 when its guest is killed"
e2fsck -fn "$img" >"$work/fsck" 2>&1
ok $? "e2fsck -fn clean right after (kbox unmounted cleanly)" || diag <"$work/fsck"
n=$(tail -n 1 "$work/acked2")
out=$(debugfs -R "cat /data/f$n" "$img" 2>/dev/null | head -c 20000 | md5sum)
is "$out" "$(yes "file $n" | head -c 20000 | md5sum)" "the last acknowledged file (f$n) is in the image"

done_testing
