#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbox's exit status and messages (TAP output).
#
#   the guest's status: exit 0, exit 3; 128+N when signal N killed it;
#   127: the command is not in the image; 126: it is there but cannot run
#   (mode 644, a directory, an ELF for another machine); 125: kbox's own
#   errors (bad options, no command, a missing, empty or corrupt image),
#   each with a message naming what was wrong, and a corrupt image left
#   as it was; --help and --version; --ro keeps the image byte for byte;
#   execs that fail inside the guest leave the process as it was.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_exit
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
need mke2fs e2fsck dumpe2fs sha256sum timeout -- e2fsprogs coreutils
[ -x /bin/busybox ] || skip_all "no /bin/busybox (busybox-static) for the test image"



no_asan() {	# no_asan DESCRIPTION: no sanitizer report in the last run
	! grep -q 'Sanitizer\|runtime error:' "$work/err"
	ok $? "$*" || grep -A12 'Sanitizer\|runtime error:' "$work/err" | head -30 | diag
}

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1

# ---- the guest's status -----------------------------------------------------

kb -r "$img" -- /bin/sh -c 'exit 0'
is "$rc" 0 "sh -c 'exit 0': 0" || show
kb -r "$img" -- /bin/sh -c 'exit 3'
is "$rc" 3 "sh -c 'exit 3': 3" || show
kb -r "$img" -- /bin/sh -c 'exit 255'
is "$rc" 255 "sh -c 'exit 255': 255" || show
kb -r "$img" -- /bin/sh -c 'kill -TERM $$'
is "$rc" 143 "kill -TERM \$\$: 128+15" || show
kb -r "$img" -- /bin/sh -c 'kill -KILL $$'
is "$rc" 137 "kill -KILL \$\$: 128+9" || show
kb -r "$img" -- /bin/sh -c 'kill -SEGV $$'
is "$rc" 139 "kill -SEGV \$\$: 128+11" || show

# ---- 126 and 127 ------------------------------------------------------------

# An image holding a mode-644 busybox and an aarch64 ELF.
stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/etc"
cp /bin/busybox "$stage/bin/busybox"
for a in sh cat echo; do ln -s busybox "$stage/bin/$a"; done
cp /bin/busybox "$stage/bin/noexec" && chmod 644 "$stage/bin/noexec"
# The same ELF with e_machine (offset 18, little-endian) = 0xb7, aarch64.
cp /bin/busybox "$stage/bin/aarch64" &&
	printf '\267\000' | dd of="$stage/bin/aarch64" bs=1 seek=18 conv=notrunc status=none
printf 'motd of the 126 image\n' > "$stage/etc/motd"
img126=$work/e126.ext4
mke2fs -q -t ext4 -d "$stage" "$img126" 16M > "$work/mke2fs.log" 2>&1
ok $? "an image with a mode-644 busybox and an aarch64 ELF (mke2fs -d)" ||
	diag < "$work/mke2fs.log"
[ "$(od -An -tx1 -j18 -N2 "$stage/bin/aarch64" | tr -d ' ')" = b700 ]
ok $? "  e_machine of bin/aarch64 is 0xb7"

# The runs go in parallel, each on its own copy of an image.
# bg NAME IMAGE ARGS...: kbox -r (a copy of IMAGE in $work/NAME.img) ARGS
# in the background; got NAME: its results in $rc, $out, $work/err.
bg() {
	local name=$1 image=$2
	shift 2
	cp --sparse=always "$image" "$work/$name.img"
	( timeout -k 5 "${T:-20}" "$KBOX" -r "$work/$name.img" "$@" \
		> "$work/$name.out" 2> "$work/$name.err" < /dev/null
	  echo $? > "$work/$name.rc" ) &
}
got() {
	cp "$work/$1.out" "$work/out"
	cp "$work/$1.err" "$work/err"
	rc=$(cat "$work/$1.rc")
	out=$(cat "$work/out")
}
bg nocmd "$img" -- kbox-no-such-command arg
bg nopath "$img" -- /no/such/dir/prog
bg noexec "$img126" -- /bin/noexec echo hi
bg noexec_path "$img126" -- noexec echo hi
bg aarch64 "$img126" -- /bin/aarch64 echo hi
bg dir "$img126" -- /etc
wait

got nocmd
is "$rc" 127 "a command not in the image: 127" || show
grep -q 'kbox-no-such-command' "$work/err"
ok $? "  the message names it" || show
! grep -q 'cannot unmount' "$work/err"
ok $? "  and says nothing else about the image" || show
fs_clean "$work/nocmd.img" "  the image is clean afterwards (e2fsck, no journal to recover)"
got nopath
is "$rc" 127 "an absolute path not in the image: 127" || show
grep -q '/no/such/dir/prog' "$work/err"
ok $? "  the message names it" || show

got noexec
is "$rc" 126 "a file of mode 644: 126" || show
grep -q '/bin/noexec' "$work/err" && grep -qi 'permission denied' "$work/err"
ok $? "  the message names it: permission denied" || show
fs_clean "$work/noexec.img" "  the image is clean afterwards"
got noexec_path
is "$rc" 126 "the same found through PATH: 126" || show
got aarch64
is "$rc" 126 "an aarch64 ELF: 126" || show
grep -q '/bin/aarch64' "$work/err"
ok $? "  the message names it" || show
got dir
is "$rc" 126 "a directory: 126" || show
grep -q '/etc' "$work/err"
ok $? "  the message names it" || show
cat "$work"/*.err > "$work/err"
no_asan "  no sanitizer report from these runs"
cat "$work/err" >> "$work/all.err"
kb -r "$img126" -- cat /etc/motd
is "$out" "motd of the 126 image" "cat still runs from that image" || show

# ---- 125: kbox's own errors -------------------------------------------------

usage_hint() { grep -q 'kbox --help\|Usage:' "$work/err"; }

kb -r "$img" --bogus -- true
[ $rc -eq 125 ] && usage_hint
ok $? "--bogus: 125 with a usage hint" || show
kb -r "$img" -m x -- true
[ $rc -eq 125 ] && usage_hint && grep -q "'x'" "$work/err"
ok $? "-m x: 125, names 'x', usage hint" || show
kb -r "$img" --change-id foo -- true
[ $rc -eq 125 ] && usage_hint && grep -q "'foo'" "$work/err"
ok $? "--change-id foo: 125, names 'foo', usage hint" || show
kb -r "$img" --mounts=most -- true
[ $rc -eq 125 ] && usage_hint
ok $? "--mounts=most: 125 with a usage hint" || show
kb -r "$img"
[ $rc -eq 125 ] && usage_hint
ok $? "no command: 125 with a usage hint" || show
kb -r "$img" --
[ $rc -eq 125 ] && usage_hint
ok $? "-- and no command: 125 with a usage hint" || show
[ -z "$out" ]
ok $? "  nothing on stdout" || show

missing=$work/no-such-image.ext4
kb -r "$missing" -- true
is "$rc" 125 "a missing image: 125" || show
grep -q "no-such-image.ext4" "$work/err"
ok $? "  the message names the file" || show
no_asan "  no sanitizer report"
[ ! -e "$missing" ]
ok $? "  and kbox did not create it"

head -c $((4 << 20)) /dev/zero > "$work/zeros.img"
sum=$(sha256sum < "$work/zeros.img")
kb -r "$work/zeros.img" -- true
is "$rc" 125 "an image of zeros: 125" || show
grep -q 'zeros.img' "$work/err"
ok $? "  the message names the file" || show
no_asan "  no sanitizer report"
[ "$(sha256sum < "$work/zeros.img")" = "$sum" ]
ok $? "  the file is unchanged (sha256)"

head -c $((4 << 20)) /dev/urandom > "$work/random.img"
sum=$(sha256sum < "$work/random.img")
kb -r "$work/random.img" -- true
is "$rc" 125 "an image of random bytes: 125" || show
grep -q 'random.img' "$work/err"
ok $? "  the message names the file" || show
[ "$(sha256sum < "$work/random.img")" = "$sum" ]
ok $? "  the file is unchanged (sha256)"

# An ext4 image whose superblock magic is broken.
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$work/badmagic.ext4"
printf '\000\000' | dd of="$work/badmagic.ext4" bs=1 seek=$((1024 + 56)) conv=notrunc status=none
sum=$(sha256sum < "$work/badmagic.ext4")
kb -r "$work/badmagic.ext4" -- true
is "$rc" 125 "an ext4 image with its superblock magic zeroed: 125" || show
[ "$(sha256sum < "$work/badmagic.ext4")" = "$sum" ]
ok $? "  the file is unchanged (sha256)"

: > "$work/empty.img"
kb -r "$work/empty.img" -- true
is "$rc" 125 "an empty file as the image: 125" || show
kb -r "$work" -- true
is "$rc" 125 "a directory as the image: 125" || show
kb -r "$img" -t vfat -- true
is "$rc" 125 "-t vfat on an ext4 image: 125" || show
grep -q 'root.ext4' "$work/err"
ok $? "  the message names the file" || show

# A /proc of another pid namespace would have kbox judge (and signal)
# the wrong processes: it refuses to start.
if unshare -rp --fork true 2> /dev/null; then
	cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$work/pidns.ext4"
	unshare -rp --fork "$KBOX" -r "$work/pidns.ext4" -- echo ran \
		> "$work/out" 2> "$work/err" < /dev/null
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	cat "$work/err" >> "$work/all.err"
	[ $rc -eq 125 ] && [ -z "$out" ] && grep -q 'not of this pid namespace' "$work/err"
	ok $? "/proc of another pid namespace: 125, the guest never runs" || show
	fs_clean "$work/pidns.ext4" "  the image is clean (e2fsck -fn): nothing was left busy"
else
	skip "/proc of another pid namespace: 125" "unshare -rp is not allowed here"
	skip "  the image is clean" "unshare -rp is not allowed here"
fi

# ---- --help, --version --------------------------------------------------------

kb --help
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^Usage: kbox ' && [ -z "$err" ]
ok $? "--help: exit 0, Usage on stdout, nothing on stderr" || show
printf '%s\n' "$out" | grep -q -- '--change-id' && printf '%s\n' "$out" | grep -q -- '--ro'
ok $? "  it lists the options" || show
kb --version
ver=$(cat "$(dirname "$0")/../../VERSION" 2>/dev/null)
[ $rc -eq 0 ] && printf '%s\n' "$out" | head -1 | grep -q '^kbox' &&
	{ [ -z "$ver" ] || printf '%s\n' "$out" | grep -qF "$ver"; }
ok $? "--version: exit 0, names kbox and the VERSION file's ${ver:-?}" || show

# ---- --ro ---------------------------------------------------------------------

# A fresh copy: after the 127s above its journal may need recovery,
# which --ro cannot do.
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img"
sum=$(sha256sum < "$img")
kb -r "$img" --ro -- /bin/sh -c 'echo x > /tmp/ro-file'
[ $rc -ne 0 ] && grep -q 'Read-only file system' "$work/err"
ok $? "--ro: a write in the guest fails, Read-only file system" || show
kb -r "$img" --ro -- mkdir /root/ro-dir
[ $rc -ne 0 ] && grep -q 'Read-only file system' "$work/err"
ok $? "--ro: mkdir fails, Read-only file system" || show
kb -r "$img" --ro -- cat /etc/motd
is "$out" "This root image was built by kbox from Debian's busybox-static." "--ro: reading works" || show
[ "$(sha256sum < "$img")" = "$sum" ]
ok $? "--ro: the image is unchanged byte for byte (sha256)"
chmod 444 "$img"
kb -r "$img" --ro -- cat /etc/hostname
is "$out" kbox "--ro: works on a read-only image file" || show
chmod 644 "$img"

# An exec that fails inside the guest (E2BIG, EFAULT) leaves the process
# whole: kbox checks Linux's limits before doing the kernel side of it.
if [ -x "${KBOX_GUEST_BIN:-}/execfail" ]; then
	kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/execfail
	is "$out" "one string over 128 KiB: refused
300 strings of 1000 bytes: refused
argv at a bad address: refused
200 strings of 1000 bytes: status 0
a string of 128 KiB: status 0
the close-on-exec fd still reads: kbox
the command line is still: /t/execfail
the other thread still runs: yes" "failed execs (E2BIG, EFAULT) leave fds, threads and command line; execs within the limits run" || show
else
	skip "failed execs" "no guest programs (KBOX_GUEST_BIN)"
fi

! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -80 | diag

done_testing
