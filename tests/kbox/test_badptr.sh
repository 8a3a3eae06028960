#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad pointers and lengths to every call kbox serves (TAP output).  The
# library kernel's user copies are plain memcpy in kbox: a guest's
# pointer reaching it unmarshalled would have it read or write kbox's
# memory (or die of SEGV).
#
#   1. guest/badptr.c, as root in kbox, in /root/bp of a copy of the
#      default image: each pointer argument of each call kbox serves, and
#      each pointer inside a structure (iovecs, message headers, BPF
#      programs, ifconf...), in turn NULL, (void *)1, unmapped and in the
#      kernel's half; negative, huge and high-bit lengths; buffers that
#      are only partly mapped (short reads that leave the file position
#      after what was delivered, pipes that keep what was not, getdents64,
#      epoll_wait); futimesat with no path; capget/capset v1.  Each answer
#      must be Linux's.  One TAP line per call: its checks, all "ok".
#   2. kbox survives all of it: the program reaches its end, kbox exits
#      with its status, no sanitizer report, the image is fsck-clean.
#   3. The same binary run on the host (root, ext4 scratch directory)
#      gives the same answer for every call as in kbox ("errnos" mode).
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_badptr
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/badptr" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need e2fsck timeout -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { T=120 kb -r "$img" -S -b "$KBOX_GUEST_BIN:/t:ro" -- /t/badptr "$@"; }

# The calls of guest/badptr.c, in the order it tries them.
calls="
	unmapped open creat openat openat2 access faccessat faccessat2 mkdir
	mkdirat rmdir unlink unlinkat rename renameat renameat2 link linkat
	symlink symlinkat chmod fchmodat fchmodat2 chown lchown fchownat
	truncate chdir chroot umount2 mknod mknodat inotify_add_watch
	readlink readlinkat utimensat utimes futimesat utime stat lstat fstat
	newfstatat statx statfs fstatfs getcwd execve execveat setxattr
	lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr
	flistxattr removexattr lremovexattr fremovexattr read write pread64
	pwrite64 getdents64 readv writev preadv pwritev preadv2 pwritev2
	vmsplice sendfile copy_file_range splice sendto recvfrom fcntl ioctl
	pipe pipe2 memfd_create signalfd signalfd4 poll ppoll select pselect6
	timerfd_settime timerfd_gettime getresuid getresgid capget capset
	getgroups setgroups uname sysinfo sethostname setdomainname prlimit64
	setrlimit rt_sigaction clone3 socketpair bind connect accept accept4
	getsockname getpeername sendmsg recvmsg sendmmsg recvmmsg setsockopt
	getsockopt epoll_ctl epoll_wait epoll_pwait epoll_pwait2 partial
	still-unmapped"

# ---- 1. every call, in kbox ------------------------------------------------------

run /root/bp
for c in $calls; do
	lines=$(printf '%s\n' "$out" | grep -E "^$c[. ]")
	n=$(printf '%s' "$lines" | grep -c .)
	failing=$(printf '%s\n' "$lines" | grep -v ' ok$')
	[ "$n" -gt 0 ] && [ -z "$failing" ]
	ok $? "$c: $n checks" || printf '%s\n' "${failing:-no line}" | diag
done

# ---- 2. kbox survives ------------------------------------------------------------

printf '%s\n' "$out" | tail -n 1 | grep -qx 'end ok'
ok $? "the program reaches its end (kbox still serves it)" || show
is "$rc" 0 "kbox exits with the program's status 0" || show
! grep -q -e '==ERROR: ' -e 'runtime error:' "$work/all.err"
ok $? "no sanitizer report from kbox" || grep -e '==ERROR: ' -e 'runtime error:' -A5 "$work/all.err" | head -40 | diag

# ---- 3. the host's Linux answers alike ------------------------------------------------

mkdir "$work/native"
fstype=$(stat -f -c %T "$work/native")
if [ "$(id -u)" != 0 ]; then
	skip "the host's Linux gives the same answers" "not root (the guest is)"
elif [ "$fstype" != ext2/ext3 ]; then
	skip "the host's Linux gives the same answers" "$work is on $fstype, not ext4"
else
	(cd "$work/native" && timeout -k 5 60 "$KBOX_GUEST_BIN/badptr" "$work/native/bp" errnos \
		> "$work/native.out" 2> "$work/native.err")
	run /root/bp2 errnos
	printf '%s\n' "$out" > "$work/kbox.out"
	n=$(grep -c . "$work/native.out")
	diff "$work/native.out" "$work/kbox.out" > "$work/answers.diff"
	ok $? "the host's Linux gives the same answers ($n calls)" ||
		{ diag < "$work/answers.diff"; diag < "$work/native.err"; }
	tail -n 1 "$work/native.out" | grep -qx 'end ok'
	ok $? "  and the native run made them all (it reached its end)" || diag < "$work/native.err"
fi

fs_clean "$img" "the image is fsck-clean afterwards"

done_testing
