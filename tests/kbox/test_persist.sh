#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the guest writes lands in the image (TAP output).
#
#   1. On a copy of the default image, one kbox run per step (each step a
#      program of the image, no shell forks): write text, 3 MiB from the
#      guest's /dev/zero, 3 MiB of random bytes from the host through
#      stdin, mkdir, rename, symlink, hard link, chmod, append, rm, rmdir.
#      Each run sees what the earlier ones left.  After kbox exits:
#      e2fsck -fn is clean, the journal needs no recovery, and debugfs
#      (no kernel involved) sees the contents, modes, link counts, the
#      symlink's target, and the removed names gone.
#   2. ENOSPC: a small image (mke2fs -d, 8 MiB) filled by the guest: the
#      guest sees "No space left on device", kbox exits with the guest's
#      status, the image stays e2fsck-clean and takes writes again once
#      the big file is removed.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_persist
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
need mke2fs e2fsck debugfs dumpe2fs sha256sum timeout -- e2fsprogs coreutils
[ -x /bin/busybox ] || skip_all "no /bin/busybox (busybox-static) for the small image"


# run IMAGE -- COMMAND...: kbox as root in the guest (it writes /root);
# status in $rc, stdout in $out, stderr in
# $work/err (and $work/all.err for the sanitizer check).  stdin is
# $STDIN, /dev/null unless set.
run() {
	local image=$1
	shift
	kb -r "$image" --root-id "$@"
}
# step DESCRIPTION -- COMMAND...: a run on $img that must exit 0.
step() {
	local desc=$1
	shift
	run "$img" "$@"
	ok $rc "guest: $desc" || show
}

# ---- 1. files, directories and links ---------------------------------------

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
sum_default=$(sha256sum < "$KBOX_DEFAULT_IMAGE")

step "write a text file" -- /bin/sh -c 'echo "hello from the guest" > /root/text.txt'
step "3 MiB from /dev/zero (head -c)" -- /bin/sh -c 'head -c 3145728 /dev/zero > /root/zero.bin'
step "3 MiB from /dev/zero (dd bs=1M count=3)" -- dd if=/dev/zero of=/root/dd.bin bs=1M count=3
grep -q '^3+0 records in' "$work/err"
ok $? "  dd read 3 whole records from the guest's /dev/zero" || show
head -c 3145728 /dev/urandom > "$work/rand.bin"
STDIN=$work/rand.bin step "3 MiB of random bytes from the host's stdin" -- /bin/sh -c 'cat > /root/rand.bin'
step "mkdir -p /root/d/sub" -- mkdir -p /root/d/sub
step "mkdir /root/gone-dir" -- mkdir /root/gone-dir
step "rename text.txt to d/renamed.txt" -- mv /root/text.txt /root/d/renamed.txt
step "symlink /root/link -> d/renamed.txt" -- ln -s d/renamed.txt /root/link
step "hard link d/sub/hard to d/renamed.txt" -- ln /root/d/renamed.txt /root/d/sub/hard
step "chmod 640 d/renamed.txt" -- chmod 640 /root/d/renamed.txt
step "append through the symlink" -- /bin/sh -c 'echo "appended" >> /root/link'
step "a file to remove" -- /bin/sh -c 'echo doomed > /root/doomed'
step "rm /root/doomed" -- rm /root/doomed
step "rmdir /root/gone-dir" -- rmdir /root/gone-dir

# The guest reads back what the earlier runs wrote.
run "$img" -- sha256sum /root/rand.bin /root/zero.bin
want=$(printf '%s  /root/rand.bin\n%s  /root/zero.bin' \
	"$(sha256sum < "$work/rand.bin" | cut -d' ' -f1)" \
	"$(head -c 3145728 /dev/zero | sha256sum | cut -d' ' -f1)")
is "$out" "$want" "a later run reads the same 3 MiB files back (sha256)" || show
run "$img" -- cat /root/link
is "$out" "$(printf 'hello from the guest\nappended')" "a later run reads the text through the symlink" || show

fs_clean "$img" "after the writes: e2fsck -fn is clean, the journal needs no recovery"

# debugfs reads the image without the library kernel.
is "$(dbg 'cat /root/d/renamed.txt')" "$(printf 'hello from the guest\nappended')" \
	"debugfs: d/renamed.txt holds the text and the appended line"
is "$(dbg 'cat /root/d/sub/hard')" "$(printf 'hello from the guest\nappended')" \
	"debugfs: the hard link holds the same"
stat_has /root/d/renamed.txt 'Links: 2' "d/renamed.txt has 2 links"
stat_has /root/d/renamed.txt 'Type: regular +Mode: +0640' "d/renamed.txt is a regular file, mode 0640"
ino1=$(dbg 'stat /root/d/renamed.txt' | sed -n 's/^Inode: *\([0-9]*\).*/\1/p')
ino2=$(dbg 'stat /root/d/sub/hard' | sed -n 's/^Inode: *\([0-9]*\).*/\1/p')
[ -n "$ino1" ] && [ "$ino1" = "$ino2" ]
ok $? "debugfs: the two names share inode ${ino1:-?}"
stat_has /root/link 'Type: symlink' "/root/link is a symlink"
stat_has /root/link 'Fast link dest: "d/renamed.txt"' "its target is d/renamed.txt"
stat_has /root/d 'Type: directory' "/root/d is a directory"
stat_has /root/d/sub 'Type: directory +Mode: +0755' "/root/d/sub is a directory, mode 0755 (umask 022)"
stat_has /root/d 'Links: 3' "/root/d has 3 links (., .., sub)"
absent /root/text.txt "the old name text.txt is gone"
absent /root/doomed "the removed file is gone"
absent /root/gone-dir "the removed directory is gone"
dbg 'dump /root/rand.bin '"$work/rand.back" > /dev/null
cmp -s "$work/rand.bin" "$work/rand.back"
ok $? "debugfs: rand.bin equals the host's random bytes"
dbg 'dump /root/zero.bin '"$work/zero.back" > /dev/null
[ "$(stat -c %s "$work/zero.back" 2>/dev/null)" = 3145728 ] &&
	cmp -s "$work/zero.back" <(head -c 3145728 /dev/zero)
ok $? "debugfs: zero.bin is 3 MiB of zeros"
stat_has /root/dd.bin 'Size: 3145728$' "dd.bin is 3 MiB"
[ "$(sha256sum < "$KBOX_DEFAULT_IMAGE")" = "$sum_default" ]
ok $? "the default image was not touched"

# ---- 2. ENOSPC ---------------------------------------------------------------

stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys"
cp /bin/busybox "$stage/bin/busybox"
for a in sh cat head rm ls df sync echo; do ln -s busybox "$stage/bin/$a"; done
small=$work/small.ext4
mke2fs -q -t ext4 -d "$stage" "$small" 8M > "$work/mke2fs.log" 2>&1
ok $? "an 8 MiB image with busybox (mke2fs -d)" || diag < "$work/mke2fs.log"

img=$small
T=30 run "$small" -- /bin/sh -c 'cat /dev/zero > /big'
is "$rc" 1 "cat /dev/zero > /big on a full image: kbox exits with cat's status, 1" || show
grep -q 'No space left on device' "$work/err"
ok $? "  the guest sees No space left on device" || show
size=$(dbg 'stat /big' | sed -n '/^User:/s/.*Size: *\([0-9]*\)$/\1/p')
[ -n "$size" ] && [ "$size" -gt $((4 << 20)) ] && [ "$size" -lt $((8 << 20)) ]
ok $? "  /big filled the image (${size:-?} bytes)"
fs_clean "$small" "after ENOSPC: e2fsck -fn is clean, the journal needs no recovery"

run "$small" -- rm /big
ok $rc "rm /big" || show
run "$small" -- /bin/sh -c 'echo after > /after; exit 3'
is "$rc" 3 "a write after the rm works; kbox exits with the guest's status, 3" || show
is "$(dbg 'cat /after')" after "debugfs: /after holds its line"
absent /big "/big is gone"
fs_clean "$small" "after the rm: e2fsck -fn is clean, the journal needs no recovery"

! grep -q 'Sanitizer\|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
