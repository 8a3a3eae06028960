#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dynamic programs in kbox (TAP output): the host's own bash, ls and cat,
# with exactly the shared libraries ldd names, are put into an image with
# mke2fs -d; kbox runs them from it, so the loader (PT_INTERP) and every
# library must come from the image.  Then threads and signals (a static
# program of ours): a thread blocked in a pipe read while others do file
# I/O, EINTR without SA_RESTART, restart with it.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_dynamic
need mke2fs e2fsck ldd -- e2fsprogs libc-bin

root=$work/root
mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/etc"
for b in bash ls cat; do
	cp "$(command -v $b)" "$root/bin/$b"
done
for b in "$root"/bin/*; do
	ldd "$b" | grep -o '/[^ ]*'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
echo "only in the image $$" > "$root/etc/marker"
cp "$KBOX_GUEST_BIN/threads" "$root/bin/threads"
img=$work/dyn.ext4
mke2fs -q -t ext4 -d "$root" "$img" 64M >/dev/null 2>&1 || exit 1

out=$(timeout -k 5 60 "$KBOX" -r "$img" -- /bin/bash -c 'echo "$BASH_VERSION"; /bin/cat /etc/marker' 2>&1)
is "$out" "$BASH_VERSION
only in the image $$" "the image's bash and cat run, reading the image's file"

out=$(timeout -k 5 60 "$KBOX" -r "$img" -- /bin/ls /bin 2>&1)
is "$out" "bash
cat
ls
threads" "the image's ls lists the image's /bin"

# With the loader gone from the image, nothing dynamic can start: the host's
# loader is never used.
noldr=$work/noldr
cp -a "$root" "$noldr"
rm -f "$noldr"/lib64/ld-linux-x86-64.so.2
mke2fs -q -t ext4 -d "$noldr" "$work/noldr.ext4" 64M >/dev/null 2>&1 || exit 1
out=$(timeout -k 5 60 "$KBOX" -r "$work/noldr.ext4" -- /bin/ls 2>&1)
st=$?
is "$st" 126 "no loader in the image: kbox cannot execute (126)"
ok $(echo "$out" | grep -q "ls" ; echo $?) "the message names the command"

# A library missing from the image: the image's loader says so.
nolib=$work/nolib
cp -a "$root" "$nolib"
rm -f "$nolib"/lib/x86_64-linux-gnu/libtinfo.so.6
mke2fs -q -t ext4 -d "$nolib" "$work/nolib.ext4" 64M >/dev/null 2>&1 || exit 1
out=$(timeout -k 5 60 "$KBOX" -r "$work/nolib.ext4" -- /bin/bash -c 'echo hi' 2>&1)
st=$?
is "$st" 127 "a missing library: the loader's exit status"
ok $(echo "$out" | grep -q "libtinfo.so.6" ; echo $?) "the loader names the missing library"

# Pipelines between dynamic programs, exec from a subshell, exit statuses.
out=$(timeout -k 5 60 "$KBOX" -r "$img" -- /bin/bash -c '/bin/ls /bin | /bin/cat; (exec /bin/cat /etc/marker); exit 7' 2>&1)
st=$?
is "$st" 7 "bash's exit status is kbox's"
is "$out" "bash
cat
ls
threads
only in the image $$" "pipeline and exec in a subshell"

out=$(timeout -k 5 60 "$KBOX" -r "$img" -- /bin/threads 2>&1)
is "$out" "files ok
blocked-reader ok
eintr ok
restart ok
restore ok" "threads: blocked reader, concurrent file I/O, EINTR, SA_RESTART, a saved action put back"

e2fsck -fn "$img" >"$work/fsck" 2>&1
ok $? "e2fsck -fn clean after the runs" || diag <"$work/fsck"

done_testing
