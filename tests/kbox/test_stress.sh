#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbox under load (TAP output): our static stress program
# (tests/kbox/guest/stress.c) in an image made with mke2fs -d, each of
# its runs first native (the baseline: the same binary on the host must
# pass) and then in kbox, on one copy of the image:
#
#   fork      240 children in waves, some forking (nested, orphaned),
#             some exec'ing or vforking; every exit status and file
#   fds       RLIMIT_NOFILE 256: EMFILE and nothing else at the limit,
#             nothing leaked, pipes and files mixed, dup2 at the edge,
#             the limit across fork and exec, raised to 2048
#   threads   8 threads of file I/O, pwrite to one file, O_APPEND to
#             another, threads blocked in a pipe read and a pipe write
#   signals   SIGUSR1 storms during pipe and file I/O, with and without
#             SA_RESTART
#   stopcont  SIGSTOP/SIGCONT storms during the same I/O
#   all       the five at once in one kbox
#
# Each guest check is one TAP line.  After each kbox run: kbox exits
# with the guest's status, its stderr holds no sanitizer report, the
# image is e2fsck-clean; for fork and threads, debugfs (no kernel
# involved) finds the same files as the native run made.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_stress
need mke2fs e2fsck debugfs dumpe2fs timeout diff cmp -- e2fsprogs coreutils diffutils
STRESS=${KBOX_GUEST_BIN:-}/stress
[ -x "$STRESS" ] || skip_all "no $STRESS (make check builds it)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (busybox-static) for the image"

stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/stress"
cp /bin/busybox "$stage/bin/busybox"
for a in sh cat rm; do ln -s busybox "$stage/bin/$a"; done
cp "$STRESS" "$stage/bin/stress"
img=$work/stress.ext4
mke2fs -q -t ext4 -d "$stage" "$img" 256M > "$work/mke2fs.log" 2>&1 ||
	{ diag < "$work/mke2fs.log"; exit 1; }

# native ARGS...: the baseline run on the host.
native() {
	out=$(cd "$work/native" && timeout -k 5 60 "$STRESS" "$@" 2>&1)
	ok $? "native: stress $* passes" || printf '%s\n' "$out" | diag
}

# inbox ARGS...: stress ARGS in kbox on the image; then kbox's status,
# the sanitizer and the image.
inbox() {
	T=${T:-120} kb -r "$img" -- /bin/stress "$@"
	is "$rc" 0 "kbox: stress $1 exits 0, kbox with it" || show
	! grep -q '==ERROR: \|runtime error:' "$work/err"
	ok $? "  no sanitizer report" || grep -A20 '==ERROR: \|runtime error:' "$work/err" | head -40 | diag
	fs_clean "$img" "  the image is e2fsck-clean, no journal to recover"
}

mkdir -p "$work/native/stress"
start=$SECONDS

# ---- fork storm -------------------------------------------------------------

fork_checks="fork-status fork-no-child-left fork-files"
native fork "$work/native/stress/fork" 10 24
inbox fork /stress/fork 10 24
checks fork $fork_checks
rm -rf "$work/dump" && mkdir "$work/dump"
dbg "rdump /stress/fork $work/dump" > /dev/null
diff -r "$work/native/stress/fork" "$work/dump/fork" > "$work/diff" 2>&1
ok $? "debugfs: the image holds the $(ls "$work/native/stress/fork" | wc -l) files of the native run, same contents" ||
	head -20 "$work/diff" | diag

# ---- fd exhaustion ----------------------------------------------------------

fds_checks="fds-files-1 fds-full-emfile fds-files-2 fds-files-3 fds-no-ghost
	fds-all-closed fds-mixed fds-dup-edge fds-dup2-stdout fds-exec-child fds-raised"
native fds "$work/native/stress/fds" 256
inbox fds /stress/fds 256
checks fds $fds_checks
dbg 'stat /stress/fds/never-made' | grep -q Inode:
ok $((!$?)) "debugfs: no file from the open(O_CREAT) that failed with EMFILE"

# ---- threads doing concurrent I/O -----------------------------------------

thr_checks="threads-own-files threads-own-last threads-shared-pwrite threads-append
	threads-blocked-reader threads-blocked-writer"
native threads "$work/native/stress/thr" 8 200
inbox threads /stress/thr 8 200
checks threads $thr_checks
rm -rf "$work/dump" && mkdir "$work/dump"
dbg "rdump /stress/thr $work/dump" > /dev/null
r=0
for f in shared t0 t1 t2 t3 t4 t5 t6 t7; do
	cmp "$work/native/stress/thr/$f" "$work/dump/thr/$f" > "$work/diff" 2>&1 || r=1
done
ok $r "debugfs: the shared file and the 8 own files equal the native run's" || diag < "$work/diff"
cmp -s <(sort "$work/native/stress/thr/log") <(sort "$work/dump/thr/log" 2>/dev/null)
ok $? "debugfs: the O_APPEND log holds the native run's records"

# ---- signal storms during I/O ----------------------------------------------

sig_checks="signals-storm signals-data signals-file-eintr signals-pipe-eintr"
for mode in restart norestart; do
	native signals "$work/native/stress/sig" 5000 $mode
	inbox signals /stress/sig 5000 $mode
	checks "signals ($mode)" $sig_checks
done
native stopcont "$work/native/stress/sc" 300
inbox stopcont /stress/sc 300
checks stopcont stopcont

# ---- all at once ----------------------------------------------------------

# Each in the background; the shell prints each one's status.
T=180 kb -r "$img" -- /bin/sh -c '
	stress fork /stress/fork2 6 24 > /tmp/fork.out & f=$!
	stress fds /stress/fds2 256 > /tmp/fds.out & d=$!
	stress threads /stress/thr2 8 100 > /tmp/thr.out & t=$!
	stress signals /stress/sig2 3000 norestart > /tmp/sig.out & s=$!
	stress stopcont /stress/sc2 200 > /tmp/sc.out & c=$!
	wait $f; echo "status fork $?"; wait $d; echo "status fds $?"
	wait $t; echo "status threads $?"; wait $s; echo "status signals $?"
	wait $c; echo "status stopcont $?"
	cat /tmp/fork.out /tmp/fds.out /tmp/thr.out /tmp/sig.out /tmp/sc.out
	rm /tmp/*.out
	exit 7'
is "$rc" 7 "kbox: the five at once in one kbox; kbox exits with the shell's status, 7" || show
is "$(printf '%s\n' "$out" | grep '^status ')" "status fork 0
status fds 0
status threads 0
status signals 0
status stopcont 0" "  each of the five exits 0" || show
checks "all at once" $fork_checks $fds_checks $thr_checks $sig_checks stopcont
! grep -q '==ERROR: \|runtime error:' "$work/err"
ok $? "  no sanitizer report" || grep -A20 '==ERROR: \|runtime error:' "$work/err" | head -40 | diag
fs_clean "$img" "  the image is e2fsck-clean, no journal to recover"

echo "# $((SECONDS - start)) s"
done_testing
