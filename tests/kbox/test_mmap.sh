#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP_SHARED maps of image files (TAP output): writes through a map are
# seen by read, by other processes' maps and by private maps made after;
# write and ftruncate are seen by the map; the data reaches the image
# after msync even when kbox is then killed with SIGKILL, and without
# msync once the guest has exited.  The guest program comes from the
# host through a read-only bind.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_mmap
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/mapshared" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need debugfs e2fsck timeout -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" "$@"; }
dbg() { debugfs -R "cat $1" "$2" 2>/dev/null | tr -d '\0'; }

run -- /t/mapshared coherent /root/coherent
is "$out" "read after a map write: map-write
map after pwrite: PWRITE
map after a child's map write: child
read-only shared map sees: X
private map sees: map-write child
after ftruncate to 8192: grown" "maps, read, pwrite, a child's map, private maps and ftruncate agree" || show
is "$rc" 0 "  exit 0" || show
is "$(dbg /root/coherent "$img" | head -c 9)" map-write "  the map's data is in the image after kbox ends (debugfs)"
is "$(debugfs -R 'stat /root/coherent' "$img" 2>/dev/null | grep -o 'Size: [0-9]*' | head -1)" "Size: 8192" "  with the size ftruncate gave"

run -- /t/mapshared unsynced /root/unsynced
is "$(dbg /root/unsynced "$img")" "never msync-ed" "without msync: in the image once the guest is done" || show

run -- /bin/sh -c 'mkdir /root/many && /t/mapshared many /root/many'
is "$out" "100 of 100 files read back as written" "100 files mapped one after another (shadows of unmapped files are dropped)" || show
is "$(dbg /root/many/m99 "$img" | head -c 7)" "file 99" "  in the image too"

# msync(MS_SYNC), then kbox dies with SIGKILL: the journal holds the data.
crash=$work/crash.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$crash"
"$KBOX" -r "$crash" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/mapshared synced /root/synced \
	> "$work/crash.out" 2>> "$work/all.err" < /dev/null &
kpid=$!
for i in $(seq 200); do grep -q synced "$work/crash.out" && break; sleep 0.1; done
kill -9 "$kpid"
wait "$kpid" 2> /dev/null
kbox_kill_leftovers
grep -q synced "$work/crash.out"
ok $? "msync(MS_SYNC) returned before the kill"
e2fsck -fy "$crash" > "$work/fsck-crash.log" 2>&1
[ $? -le 1 ]
ok $? "  e2fsck replays the journal and fixes nothing else" || diag < "$work/fsck-crash.log"
is "$(dbg /root/synced "$crash" | head -c 13)" "msync-ed data" "  the data msync acknowledged survives SIGKILL of kbox"

fs_clean "$img" "the image is clean after the runs"
! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report" || grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
