#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# File-system calls served by the library kernel (TAP output), driven end
# to end, then looked at from the host.
#
#   1. guest/fscalls.c, as root in kbox, works in /root/work of a copy of
#      the default image and leaves files there ("keep"): open, read/write,
#      vectored and positional I/O, lseek with SEEK_DATA/SEEK_HOLE, the
#      stat family and statx, getdents64, mkdir/rmdir/unlink, rename and
#      renameat2 (NOREPLACE, EXCHANGE), links, symlinks, modes, owners,
#      times (ns, UTIME_NOW/OMIT), truncate, fallocate (PUNCH_HOLE), the
#      syncs, xattrs, flock and fcntl locks between two guest processes
#      (EAGAIN, F_SETLKW, EINTR, OFD), access (AT_EACCESS), cwd, umask,
#      statfs, mknod (fifo, char device), memfd seals, sendfile,
#      copy_file_range, splice/tee/vmsplice, inotify.  One TAP line per
#      check of the program, from the list below: a missing line fails.
#   2. The same program without "keep" in /root/work2: all ok, and it
#      removes its tree (getdents64 and unlinkat).
#   3. busybox applets of the image: stat, readlink, du, find on what the
#      program left; ln, mv, mkfifo, mknod, truncate, fallocate, chmod,
#      chown, touch -r and cp -p make more.
#   4. After kbox exits, without the library kernel: e2fsck -fn is clean
#      and debugfs shows the contents, modes, owners, ns times, xattrs,
#      holes, the symlink, link counts, the fifo and char device, renamed
#      and exchanged contents, and nothing else left in /root/work.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_fscalls
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/fscalls" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need e2fsck debugfs timeout -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { T=60 kb -r "$img" -S -b "$KBOX_GUEST_BIN:/t:ro" -- "$@"; }
inode() { dbg "stat \"$1\"" | sed -n 's/^Inode: *\([0-9]*\).*/\1/p'; }
# debugfs's "0xSECONDS:EXTRA" of an inode time; EXTRA holds nsec << 2.
ext4_time() { printf '0x%08x:%08x' "$1" $(($2 << 2)); }

# The checks of guest/fscalls.c, in the order it makes them.
names="
	mkdir-workdir open-enoent open-create open-excl-eexist
	open-directory-enotdir write writev pwrite-keeps-position pwritev
	pwritev2-at-position pwritev2-append lseek-set read readv pread preadv
	preadv2-at-position preadv2-offset lseek-cur lseek-end read-to-eof
	lseek-negative-einval read-back write-rdonly-ebadf read-dir-eisdir
	o-append o-trunc writev-bad-iovec-short writev-bad-first-iovec-efault
	fcntl-rw-hint fcntl-unknown-einval o-direct-write-read o-direct-setfl
	seek-hole seek-data seek-hole-at-eof seek-data-past-eof-enxio
	sparse-write-past-end stat fstat fstatat fstatat-empty-path stat-enoent
	stat-enotdir lstat stat-follows fstatat-nofollow statx statx-btime
	statx-nofollow statx-empty-path statx-enoent statx-null-path
	fstatat-null-path statx-null-path-efault getdents64 getdents64-enotdir
	mkdir mkdir-eexist mkdir-enoent mkdirat dir-nlink rmdir-enotempty
	rmdir-file-enotdir unlink-dir-eisdir unlink unlink-enoent
	unlinkat-removedir rmdir rmdir-enoent rename renameat2-noreplace-eexist
	renameat2-noreplace renameat2-exchange renameat2-exchange-enoent
	rename-replaces rename-dir-enotempty rename-dir-over-file-enotdir
	rename-into-itself-einval rename-dir-over-empty link link-eexist
	link-dir-eperm symlink symlink-eexist linkat-follow
	linkat-symlink-itself linkat-empty-path-tmpfile readlink
	readlink-truncates readlink-file-einval readlink-bad-size-einval
	readlink-enoent symlinkat-readlinkat dangling-enoent chmod fchmod
	fchmodat fchmodat2-symlink-eopnotsupp chmod-enoent chown
	chown-drops-setuid fchown lchown fchownat utimensat-ns utimes utime
	futimens-omit-now utimensat-null-now utimensat-nofollow
	utimensat-bad-ns-einval utimensat-null-path-efault truncate
	ftruncate-extends-with-zeros ftruncate-negative-einval
	truncate-dir-eisdir truncate-enoent fallocate fallocate-reads-zeros
	fallocate-keep-size fallocate-punch-needs-keep-size-eopnotsupp
	fallocate-punch-hole punched-reads-zeros punched-seek-hole fsync
	fdatasync sync syncfs sync-file-range sync-file-range-bad-flags-einval
	fsync-pipe-einval setxattr setxattr-create-eexist
	setxattr-replace-enodata getxattr getxattr-size getxattr-erange
	getxattr-enodata listxattr listxattr-size removexattr
	removexattr-enodata fsetxattr-fgetxattr flistxattr fremovexattr
	lsetxattr-user-on-symlink-eperm lgetxattr-symlink-enodata
	getxattr-follows llistxattr-symlink lremovexattr-user-on-symlink-eperm
	lsetxattr-lgetxattr-file lremovexattr-file llistxattr-file flock
	fcntl-setlk child-flock-ewouldblock child-setlk-eagain child-getlk
	child-setlk-other-range child-status-locks setlkw-blocks setlkw-gets-it
	child-flock-eintr child-setlkw-eintr child-flock-restarted
	child-status-lock-signals ofd-setlk ofd-setlk-eagain ofd-getlk
	child-ofd-shared child-ofd-eagain child-status-ofd access
	access-x-eacces access-enoent faccessat faccessat2-nofollow
	access-real-uid faccessat2-eaccess-eacces nonroot-chown-eperm
	nonroot-mknod-chr-eperm nonroot-create-eacces child-status-access
	chdir-getcwd chdir-dotdot getcwd-erange fchdir chdir-file-enotdir
	chdir-enoent umask-returns-old umask-applies umask-inherited
	child-status-umask statfs fstatfs statfs-enoent mknod-fifo
	fifo-carries-data mknodat-chr chardev-is-null mknodat-reg mknod-eexist
	fifo-open-waits-for-writer memfd-create memfd-add-seals memfd-get-seals
	memfd-sealed-write-eperm memfd-sealed-truncate-eperm
	memfd-no-sealing-eperm sendfile-offset sendfile-position copy-file-range
	copy-file-range-flags-einval splice-file-to-pipe tee splice-pipe-to-file
	tee-copy-reads splice-no-pipe-einval vmsplice vmsplice-reads
	vmsplice-from-pipe vmsplice-empty-nonblock-eagain
	vmsplice-full-nonblock-eagain inotify-init1 inotify-add-watch
	inotify-add-watch-enoent inotify-read-empty-eagain inotify-poll
	inotify-events inotify-rm-watch inotify-rm-watch-einval
	inotify-no-events-after-rm
"
# shellcheck disable=SC2086
want=$(printf '%s ok\n' $names)

# ---- 1. the guest program, leaving its files -----------------------------

run /t/fscalls /root/work keep
ok $rc "fscalls exits 0" || show
# shellcheck disable=SC2086
checks fscalls $names
printf '%s\n' "$want" | grep -vxFf - "$work/out" > "$work/extra"
[ ! -s "$work/extra" ]
ok $? "fscalls printed no other line" || diag < "$work/extra"
# What it left, as it left it: later reads would move atimes (relatime).
cp --sparse=always "$img" "$work/kept.ext4" || exit 1

# ---- 2. again, removing what it made -------------------------------------

run /t/fscalls /root/work2
is "$out" "$want
remove-workdir ok" "fscalls without keep: every check ok, its tree removed" || show

# ---- 3. busybox applets ----------------------------------------------------

run /bin/sh -c 'cd /root/work &&
	stat -c "%n %a %u %g %s %h %F %t:%T" io modes link fifo chardev &&
	stat -c "%n %x|%y" times && readlink link && du -k holey sparse &&
	find . -type p -o -type c | sort && find . -type f -links 2 | sort'
is "$out" "io 644 0 0 20 2 regular file 0:0
modes 751 1234 4321 1 1 regular file 0:0
link 777 42 43 2 1 symbolic link 0:0
fifo 640 0 0 0 1 fifo 0:0
chardev 640 0 0 0 1 character special file 1:3
times 2001-09-09 01:46:40.123456789 +0000|2017-07-14 02:40:00.987654321 +0000
io
128	holey
4	sparse
./chardev
./fifo
./hard
./io" "busybox stat, readlink, du, find see what fscalls left (modes, owners, ns times, holes)" || show

run /bin/sh -c 'mkdir /root/bb && cd /root/bb && echo hi > f && ln f h && ln -s f s &&
	mv f g && mkfifo -m 600 p && mknod -m 640 c c 1 5 && truncate -s 10 g &&
	fallocate -l 8192 fa && chmod 4711 g && touch -r ../work/times t &&
	cp -p ../work/times tp && chown 5:6 tp && rm h && ln g h2 && sync &&
	stat -c "%n %a %u %g %s %h %F" c fa g h2 p s t tp && stat -c "%n %y" t tp'
is "$out" "c 640 0 0 0 1 character special file
fa 644 0 0 8192 1 regular file
g 4711 0 0 10 2 regular file
h2 4711 0 0 10 2 regular file
p 600 0 0 0 1 fifo
s 777 0 0 1 1 symbolic link
t 644 0 0 0 1 regular empty file
tp 644 5 6 1 1 regular file
t 2017-07-14 02:40:00.987654321 +0000
tp 2017-07-14 02:40:00.000000000 +0000" \
	"busybox ln, mv, mkfifo, mknod, truncate, fallocate, chmod, chown, touch -r, cp -p" || show

# ---- 4. from the host ------------------------------------------------------

fs_clean "$work/kept.ext4" "after fscalls: e2fsck -fn is clean, the journal needs no recovery"
fs_clean "$img" "after all runs: e2fsck -fn is clean, the journal needs no recovery"
absent /root/work2 "fscalls without keep removed /root/work2"

# What fscalls left, in the image as it was when it ended.
all=$img
img=$work/kept.ext4

dbg 'ls /root/work' | tr -s ' ' '\n' | grep -Ev '^$|^\(?[0-9]+\)?$' | sort | tr '\n' ' ' > "$work/ls"
is "$(cat "$work/ls")" ". .. chardev copied exch_a exch_b falloc fifo hard holey io link modes renamed sent sparse spliced times trunc umask umaskdir xattr " \
	"debugfs: /root/work holds what fscalls left and nothing else"

is "$(dbg 'cat /root/work/io')" "PWllo vectored EFcd!" \
	"debugfs: io holds write, writev, pwrite, pwritev and pwritev2 (RWF_APPEND) in place"
stat_has /root/work/io 'Links: 2 ' "io has 2 links"
[ -n "$(inode /root/work/io)" ] && [ "$(inode /root/work/io)" = "$(inode /root/work/hard)" ]
ok $? "debugfs: hard is io's inode"
stat_has /root/work/link 'Type: symlink' "link is a symlink"
stat_has /root/work/link 'Fast link dest: "io"' "link's target is io"
stat_has /root/work/link 'User: +42 +Group: +43 ' "link is owned 42:43 (lchown)"
stat_has /root/work/io 'User: +0 +Group: +0 ' "io is owned 0:0 (fchownat back)"
stat_has /root/work/modes 'Type: regular +Mode: +0751 ' "modes: 0751 (chmod 04751, set-user-ID dropped by chown)"
stat_has /root/work/modes 'User: +1234 +Group: +4321 ' "modes: owner 1234:4321 (chown, fchown)"
stat_has /root/work/times "atime: $(ext4_time 1000000000 123456789) " "times: atime 1000000000.123456789"
stat_has /root/work/times "mtime: $(ext4_time 1500000000 987654321) " "times: mtime 1500000000.987654321"
stat_has /root/work/link "atime: $(ext4_time 5 5) " "link: atime 5.000000005 (utimensat AT_SYMLINK_NOFOLLOW)"

dbg 'ea_list /root/work/xattr' > "$work/ea"
grep -q 'user.kbox (7) = "value-1"' "$work/ea" && grep -q 'user.fattr (2) = "fd"' "$work/ea" &&
	! grep -q 'user.gone\|user.ftmp\|user.ltmp' "$work/ea"
ok $? "debugfs: xattr has user.kbox and user.fattr, the removed ones are gone" || diag < "$work/ea"

dbg 'dump /root/work/holey '"$work/holey" > /dev/null
cmp -s "$work/holey" <({ head -c 65536 /dev/zero | tr '\0' x; head -c 65536 /dev/zero
	head -c 65536 /dev/zero | tr '\0' x; })
ok $? "debugfs: holey is 64 KiB of x, 64 KiB of zeros, 64 KiB of x"
stat_has /root/work/holey 'Size: 196608$' "holey keeps its size (FALLOC_FL_KEEP_SIZE)"
stat_has /root/work/holey 'Blockcount: 256$' "holey has 128 KiB allocated: the hole is punched"
dbg 'dump /root/work/sparse '"$work/sparse" > /dev/null
cmp -s "$work/sparse" <({ head -c 1048576 /dev/zero; head -c 4096 /dev/zero | tr '\0' s; })
ok $? "debugfs: sparse is 1 MiB of zeros and 4 KiB of s"
stat_has /root/work/sparse 'Blockcount: 8$' "sparse has only its last 4 KiB allocated"
stat_has /root/work/falloc 'Size: 1048576$' "falloc: 1 MiB (fallocate)"
stat_has /root/work/falloc '\[u\]' "falloc: its extents are unwritten"
is "$(dbg 'cat /root/work/trunc' | od -An -c | tr -s ' ')" " 0 1 2 3 \0 \0 \0 \0" \
	"debugfs: trunc is 0123 and four zeros (truncate, ftruncate)"
is "$(dbg 'cat /root/work/renamed')" moved "debugfs: renamed holds the renamed file's data"
is "$(dbg 'cat /root/work/exch_a')/$(dbg 'cat /root/work/exch_b')" "B/A" \
	"debugfs: exch_a and exch_b are exchanged (RENAME_EXCHANGE)"
stat_has /root/work/fifo 'Type: FIFO +Mode: +0640 ' "fifo is a fifo, mode 0640"
stat_has /root/work/chardev 'Type: character special +Mode: +0640 ' "chardev is a char device, mode 0640"
stat_has /root/work/chardev 'Device major/minor number: 01:03 ' "chardev is 1:3"
stat_has /root/work/umask 'Mode: +0640 ' "umask: 0666 under umask 027 is 0640"
stat_has /root/work/umaskdir 'Type: directory +Mode: +0750 ' "umaskdir: 0777 under umask 027 is 0750"
is "$(dbg 'cat /root/work/copied')/$(dbg 'cat /root/work/sent')/$(dbg 'cat /root/work/spliced')" \
	"vectored/vectored/PWllo" "debugfs: copy_file_range, sendfile and splice wrote their bytes"

# What the applets made.
img=$all
stat_has /root/bb/g 'Type: regular +Mode: +04711 ' "busybox: g is mode 4711"
stat_has /root/bb/g 'Links: 2 ' "busybox: g has 2 links (ln, rm, ln)"
stat_has /root/bb/g 'Size: 10$' "busybox: g truncated to 10 bytes"
stat_has /root/bb/s 'Fast link dest: "f"' "busybox: s is a symlink to f"
stat_has /root/bb/c 'Device major/minor number: 01:05 ' "busybox: c is char device 1:5"
stat_has /root/bb/p 'Type: FIFO +Mode: +0600 ' "busybox: p is a fifo, mode 0600"
stat_has /root/bb/t "mtime: $(ext4_time 1500000000 987654321) " "busybox: touch -r copied the ns mtime"
stat_has /root/bb/tp "mtime: $(ext4_time 1500000000 0) " "busybox: cp -p kept the mtime (busybox keeps seconds)"
stat_has /root/bb/tp 'User: +5 +Group: +6 ' "busybox: tp owned 5:6"

! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report" || grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
