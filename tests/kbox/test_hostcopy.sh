#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sendfile, splice, copy_file_range and tee between host fds and kernel
# fds (TAP output), served by kbox through a buffer of its own
# (src/dispatch/hostcopy.c).  kbox's stdin is a host pipe (bash process
# substitution) or a host file, its stdout a host file or pipe.
#
#   1. guest/hostcopy.c: a host pipe and a kernel pipe each way, sendfile
#      from an image file into a host pipe (offsets, short counts),
#      Linux's errors, EAGAIN, EINTR and SA_RESTART while a copy waits on
#      either side (nothing lost), megabytes each way; tee's EINVAL.
#   2. A host file into the image and back (sendfile, splice), the
#      0x7ffff000 limit, copy_file_range's checks and EXDEV, a partial
#      count after a signal; the image checked with debugfs and e2fsck.
#   3. An image file to stdout (a file, then a pipe read late), byte for
#      byte, with and without an offset pointer.
#   4. A -b bind's file (a FUSE file of the library kernel) into the image
#      and back; copy_file_range across them is EXDEV, as on Linux.
#   5. busybox cat and cp of an image file to stdout: sendfile, no EINVAL;
#      SIGPIPE when the reader goes.
#   6. A guest blocked in sendfile on a host pipe nobody reads: kbox ends
#      without waiting for the reader.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_hostcopy
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/hostcopy" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need debugfs e2fsck dumpe2fs cmp timeout -- e2fsprogs diffutils coreutils

# The image, with a 5 MB file of random bytes at /big.
img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
head -c 5000000 /dev/urandom > "$work/big"
debugfs -w -R "write $work/big /big" "$img" > "$work/debugfs.log" 2>&1
stat_has /big 'Size: 5000000' "a 5 MB file of random bytes written into the image at /big"
run() { kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/hostcopy "$@"; }
want() { printf '%s ok\n' "$@"; }

# kb with binary output (left in $work/out); kbpipe: stdout a host pipe
# whose reader starts a second late, so that the pipe fills and kbox waits.
kbbin() {
	timeout -k 5 "${T:-20}" "$KBOX" "$@" > "$work/out" 2> "$work/err" < "${STDIN:-/dev/null}"
	rc=$?
	{ echo "== kbox $*"; cat "$work/err"; } >> "$work/all.err"
}
kbpipe() {
	timeout -k 5 "${T:-20}" "$KBOX" "$@" 2> "$work/err" < "${STDIN:-/dev/null}" |
		{ sleep 1; cat; } > "$work/out"
	rc=${PIPESTATUS[0]}
	{ echo "== kbox $*"; cat "$work/err"; } >> "$work/all.err"
}
showbin() { { echo "status $rc; stdout: $(wc -c < "$work/out") bytes; stderr:"; cat "$work/err"; } | diag; }

# ---- 1. host and kernel pipes ------------------------------------------------------

STDIN=<(printf host-data) T=60 run pipes /big
is "$out" "$(want reopen-writer splice-in splice-in-eagain splice-out splice-out-eagain \
	splice-espipe-in splice-espipe-out splice-flags splice-ebadf splice-ebadf-mode \
	splice-no-pipe splice-zero sendfile-espipe sendfile-from-pipe sendfile-efault \
	sendfile-ebadf sendfile-ebadf-out sendfile-negative sendfile-off sendfile-pos \
	sendfile-short sendfile-short-data flags-kept sendfile-eagain splice-out-eagain-full \
	splice-flag-eagain-full sendfile-eintr splice-out-eintr splice-out-kept after-eintr \
	splice-kernel-eintr splice-in-eintr splice-in-restart big-in big-out big-sendfile)" \
	"stdin's host pipe and a kernel pipe: splice each way, sendfile from /big (offsets, a short count), errors, EAGAIN, EINTR on either side (nothing lost), SA_RESTART, 2 MiB each way" || show
is "$rc" 0 "  exit status 0" || show

STDIN=<(printf host-data) run tee
is "$out" "$(want tee-einval tee-einval-out tee-ebadf tee-flags)" \
	"tee between a host pipe and a kernel pipe: EINVAL (EBADF, flags checked first)" || show

# ---- 2. a host file into the image and back ------------------------------------------

head -c 3000000 /dev/urandom > "$work/hostin"
STDIN=$work/hostin T=60 run files /new
is "$out" "$(want sendfile-from-host sendfile-from-host-off sendfile-to-host sendfile-huge-count \
	sendfile-negative splice-file-to-pipe splice-file-pos splice-pipe-to-file splice-pipe-to-pos \
	sendfile-max cfr-exdev cfr-ebadf-in cfr-append cfr-flags cfr-pipe cfr-dir cfr-efault \
	cfr-ebadf sendfile-append partial partial-data)" \
	"stdin a host file: sendfile into the image and back to a memfd, splice with a memfd, 0x7ffff000 at most, copy_file_range EXDEV after Linux's checks, a partial count after a signal" || show
dbg "dump /new $work/new" > /dev/null
cmp -s "$work/new" "$work/hostin"
ok $? "debugfs: /new holds the host file byte for byte"
dbg "dump /new.slice $work/slice" > /dev/null
tail -c +1001 "$work/hostin" | head -c 5000 | cmp -s - "$work/slice"
ok $? "debugfs: /new.slice holds its bytes 1000 to 5999"
fs_clean "$img" "the image is fsck-clean after the copies"

# ---- 3. an image file to stdout ----------------------------------------------------------

{ cat "$work/big"; tail -c +1001 "$work/big" | head -c 5000; } > "$work/expect"
kbbin -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/hostcopy sendout /big
is "$(grep '^sendout-' "$work/err")" "$(want sendout-whole sendout-slice)" \
	"sendfile from /big to stdout (a host file): whole, then a slice at an offset pointer" || showbin
cmp -s "$work/out" "$work/expect"
ok $? "  the host file has them byte for byte" || showbin
kbpipe -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/hostcopy sendout /big
is "$(grep '^sendout-' "$work/err")" "$(want sendout-whole sendout-slice)" \
	"the same to a host pipe read a second late" || showbin
cmp -s "$work/out" "$work/expect"
ok $? "  the reader gets them byte for byte" || showbin

# ---- 4. a bind's file and an image file ---------------------------------------------------

mkdir "$work/bind"
head -c 1000000 /dev/urandom > "$work/bind/src"
kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -b "$work/bind:/mnt/b" -- /t/hostcopy binds /mnt/b/src /mnt/b/back /fromb
is "$out" "$(want bind-to-image image-to-bind bind-cfr-exdev)" \
	"a -b file (FUSE) into the image and back by sendfile; copy_file_range between them is EXDEV" || show
cmp -s "$work/bind/back" "$work/bind/src"
ok $? "  the copy back on the host is byte for byte the source"
dbg "dump /fromb $work/fromb" > /dev/null
cmp -s "$work/fromb" "$work/bind/src"
ok $? "  debugfs: the image's copy too"

# ---- 5. busybox cat and cp ------------------------------------------------------------

# kbox's trace: each sendfile to stdout moved bytes, none was refused.
sendfile_used() {
	grep -Eq '\] sendfile\(0x[0-9a-f]+, 0x[0-9a-f]+, 0, 0x[0-9a-f]+\) = [1-9]' "$work/err" &&
		! grep -q '\] sendfile(.*= -1' "$work/err"
}
kbbin -v -r "$img" -- cat /big
cmp -s "$work/out" "$work/big" && sendfile_used
ok $? "busybox cat /big > host file: byte for byte, by sendfile" || { showbin; grep sendfile "$work/err" | head | diag; }
kbbin -v -r "$img" -- cp /big /dev/stdout
cmp -s "$work/out" "$work/big" && sendfile_used
ok $? "busybox cp /big /dev/stdout: byte for byte, by sendfile" || { showbin; grep sendfile "$work/err" | head | diag; }
kbpipe -v -r "$img" -- cat /big
cmp -s "$work/out" "$work/big" && sendfile_used
ok $? "busybox cat /big | a late reader: byte for byte, by sendfile" || { showbin; grep sendfile "$work/err" | head | diag; }
# The reader goes: the next sendfile fails with EPIPE and cat gets SIGPIPE.
timeout -k 5 20 "$KBOX" -r "$img" -- cat /big 2> "$work/err" | head -c 100000 > "$work/out"
rc=${PIPESTATUS[0]}
cat "$work/err" >> "$work/all.err"
is "$rc" 141 "busybox cat /big | head -c 100000: cat dies of SIGPIPE (128+13)" || diag < "$work/err"
head -c 100000 "$work/big" | cmp -s - "$work/out"
ok $? "  head got the first 100000 bytes"

# ---- 6. a copy waiting on a host pipe does not hold kbox -------------------------------

# The shell ends while cat waits for the pipe's reader (asleep for 6 s):
# kbox kills cat, and its worker, woken, ends with it.
start=$(date +%s%N)
{ timeout -k 5 20 "$KBOX" -r "$img" -- /bin/sh -c 'cat /big & sleep 1' 2> "$work/err"
  date +%s%N > "$work/end"; } | { sleep 6; cat > /dev/null; }
cat "$work/err" >> "$work/all.err"
ms=$(( ($(cat "$work/end") - start) / 1000000 ))
[ "$ms" -lt 4000 ] && ! grep -q 'did not end' "$work/err"
ok $? "kbox ends ${ms} ms after start while the guest's sendfile waits on a pipe nobody reads" || diag < "$work/err"

# ---- the runs as a whole ---------------------------------------------------------------

! grep -q -e '==ERROR: ' -e 'runtime error:' "$work/all.err"
ok $? "no sanitizer report from kbox" || grep -e '==ERROR: ' -e 'runtime error:' -A5 "$work/all.err" | head -40 | diag
fs_clean "$img" "the image is fsck-clean afterwards"

done_testing
