#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cptofs and cpfromfs on bad input (TAP output).  Each case checks the
# exit status, that the one-line error names the file, and, where the tool
# must not write, that the image is byte for byte unchanged (sha256):
# usage errors, a missing image, unknown and wrong types, corrupt images,
# missing sources, a destination that is not a directory, a full image
# (which must still be e2fsck-clean), and read-only images (refused by
# cptofs; cpfromfs reads them).  Needs root for the chattr +i case and to
# switch to an unprivileged user; KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"

[ -n "${KBOX_TOOLS:-}" ] || skip_all "KBOX_TOOLS not set (run through make check)"
CPTOFS=$KBOX_TOOLS/cptofs
CPFROMFS=$KBOX_TOOLS/cpfromfs
[ -x "$CPTOFS" ] && [ -x "$CPFROMFS" ] || skip_all "no cptofs/cpfromfs in $KBOX_TOOLS"
need mke2fs e2fsck debugfs sha256sum setpriv -- e2fsprogs coreutils util-linux
[ "$(id -u)" = 0 ] || skip_all "needs root (chattr +i, setpriv)"

work=$(mktemp -d "${TMPDIR:-/tmp}/test_cptofs_bad.XXXXXX") || exit 1
immutable=
cleanup() {
	[ -n "$immutable" ] && chattr -i "$immutable" 2>/dev/null
	[ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
[ "${KEEP:-}" = 1 ] && echo "# work directory: $work"

run() {
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
}
show_err() { diag < "$work/err"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
lines() { wc -l < "$work/err"; }

# fails STATUS REGEX DESCRIPTION: the last run exited STATUS and its stderr
# has a line matching REGEX.
fails() {
	[ "$rc" -eq "$1" ] && grep -Eq -- "$2" "$work/err"
	ok $? "$3 (exit $rc)" || show_err
}
unchanged() {	# unchanged IMAGE SHA DESCRIPTION
	[ "$(sha "$1")" = "$2" ]
	ok $? "  $3: image unchanged"
}

mkdir "$work/seed" && printf 'seed\n' > "$work/seed/seed.txt"
img=$work/disk.ext4
mke2fs -q -t ext4 -d "$work/seed" "$img" 16M > /dev/null 2>&1
ok $? "mke2fs -t ext4 -d seed"
printf 'hello\n' > "$work/hello.txt"
before=$(sha "$img")

# ---- the command line ------------------------------------------------------

for t in "$CPTOFS" "$CPFROMFS"; do
	n=${t##*/}
	run "$t" --help
	[ $rc -eq 0 ] && grep -q "^Usage: $n -i IMAGE" "$work/out" && [ ! -s "$work/err" ]
	ok $? "$n --help: usage on stdout, exit 0"
	run "$t" --version
	[ $rc -eq 0 ] && grep -q "^$n (kbox) " "$work/out"
	ok $? "$n --version: exit 0"
	run "$t" -i "$img" --no-such-flag "$work/hello.txt" /
	[ $rc -eq 2 ] && grep -q "^Usage: $n" "$work/err" && [ ! -s "$work/out" ]
	ok $? "$n with a bad flag: usage on stderr, exit 2"
	run "$t" "$work/hello.txt" /
	fails 2 "^$n: no image \\(-i IMAGE\\)" "$n without -i: exit 2"
	run "$t" -i "$img" "$work/hello.txt"
	fails 2 "^$n: need a source and a destination" "$n with one operand: exit 2"
	run "$t" -i "$img" -P x "$work/hello.txt" /
	fails 2 "bad partition number 'x'" "$n -P x: exit 2"
done
unchanged "$img" "$before" "the command line errors"

# ---- images that cannot be used --------------------------------------------

run "$CPTOFS" -i "$work/nosuch.img" "$work/hello.txt" /
fails 1 "^cptofs: $work/nosuch.img: No such file or directory$" "missing image"
[ "$(lines)" = 1 ]
ok $? "  one line"
run "$CPFROMFS" -i "$work/nosuch.img" / "$work/x"
fails 1 "^cpfromfs: $work/nosuch.img: No such file or directory$" "cpfromfs: missing image"

run "$CPTOFS" -i "$img" -t nosuchfs "$work/hello.txt" /
fails 1 "disk.ext4: unknown filesystem type 'nosuchfs'" "unknown type -t nosuchfs"
unchanged "$img" "$before" "-t nosuchfs"
for t in vfat xfs; do
	run "$CPTOFS" -i "$img" -t $t "$work/hello.txt" /
	fails 1 "disk.ext4: cannot mount as $t" "wrong type -t $t on ext4"
	unchanged "$img" "$before" "-t $t"
done

run "$CPTOFS" -i "$img" -o no_such_option "$work/hello.txt" /
fails 1 "disk.ext4: cannot mount as ext4: .*bad mount options" "unknown mount option"
unchanged "$img" "$before" "unknown mount option"

head -c $((8 << 20)) /dev/urandom > "$work/garbage.img"
gsum=$(sha "$work/garbage.img")
run "$CPTOFS" -i "$work/garbage.img" "$work/hello.txt" /
fails 1 "garbage.img: no known filesystem" "random bytes: no known filesystem"
unchanged "$work/garbage.img" "$gsum" "random bytes"

# A real superblock over zeroed group descriptors.
cp "$img" "$work/corrupt.img"
dd if=/dev/zero of="$work/corrupt.img" bs=1024 seek=2 count=4 conv=notrunc status=none
csum=$(sha "$work/corrupt.img")
run "$CPTOFS" -i "$work/corrupt.img" "$work/hello.txt" /
fails 1 "corrupt.img: cannot mount as ext4" "corrupt ext4 (zeroed group descriptors)"
unchanged "$work/corrupt.img" "$csum" "corrupt ext4"
run "$CPFROMFS" -i "$work/corrupt.img" / "$work/x"
fails 1 "corrupt.img: cannot mount as ext4" "cpfromfs: corrupt ext4"

: > "$work/empty.img"
run "$CPTOFS" -i "$work/empty.img" "$work/hello.txt" /
fails 1 "empty.img: empty file, not a filesystem image" "empty image file"

# ---- sources and destinations ----------------------------------------------

run "$CPTOFS" -i "$img" "$work/nosuch.txt" /
fails 1 "^cptofs: $work/nosuch.txt: No such file or directory$" "missing source"
unchanged "$img" "$before" "the only source missing"
run "$CPTOFS" -i "$img" "$work/nosuch-*.txt" /
fails 1 "nosuch-\\*.txt: No such file or directory" "a pattern matching nothing"
unchanged "$img" "$before" "a pattern matching nothing"

run "$CPTOFS" -i "$img" "$work/hello.txt" "$work/hello.txt" /seed.txt
fails 1 "disk.ext4:/seed.txt: destination is not a directory" \
	"two sources onto a file: destination not a directory"
unchanged "$img" "$before" "destination a file"
run "$CPTOFS" -i "$img" "$work/hello.txt" "$work/seed" /newdir
fails 1 "disk.ext4:/newdir: destination is not a directory" \
	"two sources to a missing name: destination not a directory"
unchanged "$img" "$before" "destination missing"
run "$CPTOFS" -i "$img" "$work/hello.txt" /no/such/dir/x
fails 1 "disk.ext4:/no/such/dir/x: No such file or directory" "destination's parent missing"
unchanged "$img" "$before" "destination's parent missing"
run "$CPTOFS" -i "$img" "$work/seed" /seed.txt
fails 1 "disk.ext4:/seed.txt: cannot overwrite non-directory with directory" \
	"a directory onto a file"

run "$CPTOFS" -i "$img" "$work/nosuch.txt" "$work/hello.txt" /
fails 1 "^cptofs: $work/nosuch.txt: No such file or directory$" \
	"one source missing of two: reported"
[ "$(lines)" = 1 ] && [ "$(debugfs -R 'cat /hello.txt' "$img" 2>/dev/null)" = hello ]
ok $? "  and the other one copied"
e2fsck -fn "$img" > "$work/fsck.log" 2>&1
ok $? "  e2fsck -fn clean" || diag < "$work/fsck.log"

run "$CPFROMFS" -i "$img" /nosuch /seed.txt "$work"
fails 1 "^cpfromfs: $img:/nosuch: No such file or directory$" \
	"cpfromfs: a missing source in the image"
[ "$(cat "$work/seed.txt" 2>&1)" = seed ]
ok $? "  the other one copied"
printf 'x\n' > "$work/a-file"
run "$CPFROMFS" -i "$img" /seed.txt /hello.txt "$work/a-file"
fails 1 "^cpfromfs: $work/a-file: destination is not a directory" \
	"cpfromfs: two sources onto a host file"

# ---- a full image -----------------------------------------------------------

small=$work/small.ext4
mke2fs -q -t ext4 -d "$work/seed" "$small" 8M > /dev/null 2>&1
head -c $((20 << 20)) /dev/urandom > "$work/big.bin"
run "$CPTOFS" -i "$small" "$work/hello.txt" "$work/big.bin" /
fails 1 "small.ext4:/big.bin: No space left on device" "20 MiB into 8 MiB: no space left"
e2fsck -fn "$small" > "$work/fsck.log" 2>&1
ok $? "  the full image is e2fsck-clean" || diag < "$work/fsck.log"
debugfs -R 'stat /big.bin' "$small" 2>&1 | grep -q 'File not found'
ok $? "  no partial big.bin is left behind"
[ "$(debugfs -R 'cat /hello.txt' "$small" 2>/dev/null)" = hello ]
ok $? "  what fitted was copied"

# ---- read-only images -----------------------------------------------------

# Immutable (chattr +i): even root cannot open it for writing.
ro=$work/immutable.ext4
cp "$img" "$ro"
rsum=$(sha "$ro")
if chattr +i "$ro" 2>/dev/null; then
	immutable=$ro
	run "$CPTOFS" -i "$ro" "$work/hello.txt" /
	fails 1 "^cptofs: $ro: Operation not permitted$" "cptofs refuses an immutable image"
	run "$CPFROMFS" -i "$ro" /seed.txt "$work/from-immutable"
	[ $rc -eq 0 ] && [ "$(cat "$work/from-immutable")" = seed ]
	ok $? "cpfromfs reads an immutable image" || show_err
	chattr -i "$ro"
	immutable=
	unchanged "$ro" "$rsum" "immutable"
else
	ok 0 "# SKIP chattr +i not supported on $work"
fi

# A 0444 image used by an unprivileged user.
chmod 0755 "$work"
chmod 0444 "$ro"
mkdir "$work/nobody" && chown 65534:65534 "$work/nobody"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
run as_nobody "$CPTOFS" -i "$ro" "$work/hello.txt" /
fails 1 "^cptofs: $ro: Permission denied$" "cptofs refuses a read-only image file"
unchanged "$ro" "$rsum" "read-only file"
run as_nobody "$CPFROMFS" -i "$ro" /seed.txt "$work/nobody/seed.txt"
[ $rc -eq 0 ] && [ "$(cat "$work/nobody/seed.txt")" = seed ]
ok $? "cpfromfs reads a read-only image file as an unprivileged user" || show_err
grep -q 'warning: ownership not preserved' "$work/err" || [ ! -s "$work/err" ]
ok $? "  at most a warning about ownership" || show_err
unchanged "$ro" "$rsum" "cpfromfs"

done_testing
