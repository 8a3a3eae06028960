#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lklfuse against fuse2fs and the host's own filesystem, on the same
# freshly made 1 GiB ext4 image (a sparse copy each, so neither inherits
# the other's blocks):
#
#   seq write   256 MiB, dd bs=1M conv=fsync
#   seq read    the same file after the caches are dropped: the FUSE mounts
#               are unmounted and mounted again (that empties lklfuse's own
#               kernel cache too, which drop_caches cannot reach), and the
#               host's page cache is dropped
#   small files 2000 files of 4 KiB created, written and closed (one
#               python process, timed inside it)
#
# Prints MB/s (files/s) and lklfuse's ratio to fuse2fs.  Asserts nothing.
# Environment: KBOX_TOOLS (the optimized tools), BENCH_TMP (scratch).
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin

say() { echo "lklfuse bench: $*"; }
lklfuse=${KBOX_TOOLS:-}/lklfuse
if [ -z "${KBOX_TOOLS:-}" ] || [ ! -x "$lklfuse" ]; then
	say "skipped (KBOX_TOOLS not set or no lklfuse; run through make bench)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { say "skipped (needs root: drop_caches)"; exit 0; }
for c in fuse2fs fusermount3 mountpoint mke2fs python3; do
	command -v "$c" > /dev/null 2>&1 ||
		{ say "skipped ($c not found)"; exit 0; }
done
{ [ -c /dev/fuse ] && exec 9<>/dev/fuse; } 2>/dev/null ||
	{ say "skipped (/dev/fuse unusable)"; exit 0; }
exec 9>&-

tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/lklfuse-bench.XXXXXX") || exit 1
mnt=$tmp/mnt
pid=
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && fusermount3 -u -z "$mnt"
	[ -n "$pid" ] && kill "$pid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir "$mnt"
mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 \
	"$tmp/fresh.img" 1G > /dev/null 2>&1 || { say "mke2fs failed"; exit 1; }

now() { date +%s%N; }

# mount_fs KIND: KIND's filesystem on $mnt (foreground process in $pid).
mount_fs() {
	case $1 in
	lklfuse) "$lklfuse" -f "$tmp/$1.img" "$mnt" & ;;
	fuse2fs) fuse2fs -f "$tmp/$1.img" "$mnt" > /dev/null 2>&1 & ;;
	native) mkdir -p "$mnt/native"; return 0 ;;
	esac
	pid=$!
	i=0
	while ! mountpoint -q "$mnt"; do
		i=$((i + 1))
		[ $i -gt 200 ] && { say "$1 did not mount"; exit 1; }
		sleep 0.05
	done
}

umount_fs() {
	[ "$1" = native ] && return 0
	fusermount3 -u "$mnt"
	wait "$pid"
	pid=
}

dir_of() { [ "$1" = native ] && echo "$mnt/native" || echo "$mnt"; }

# mbps T0 T1: 256 MiB in the nanoseconds between, in MB/s.
mbps() { echo "$1 $2" | awk '{ printf "%.0f", 256 * 1048576 / (($2 - $1) / 1e9) / 1e6 }'; }

# run KIND: adds "write|read|create KIND VALUE" lines to $tmp/results.
run() {
	kind=$1
	[ "$kind" = native ] || cp --sparse=always "$tmp/fresh.img" "$tmp/$kind.img"
	mount_fs "$kind"
	d=$(dir_of "$kind")
	t0=$(now)
	dd if=/dev/zero of="$d/seq" bs=1M count=256 conv=fsync status=none
	echo "write $kind $(mbps "$t0" "$(now)")" >> "$tmp/results"
	umount_fs "$kind"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	mount_fs "$kind"
	t0=$(now)
	dd if="$d/seq" of=/dev/null bs=1M status=none
	echo "read $kind $(mbps "$t0" "$(now)")" >> "$tmp/results"
	mkdir "$d/small"
	v=$(python3 - "$d/small" <<'EOF'
import os, sys, time
d, data = sys.argv[1], b'x' * 4096
t = time.monotonic()
for i in range(2000):
    fd = os.open('%s/f%04d' % (d, i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, data)
    os.close(fd)
print('%.0f' % (2000 / (time.monotonic() - t)))
EOF
)
	echo "create $kind $v" >> "$tmp/results"
	umount_fs "$kind"
}

for k in lklfuse fuse2fs native; do run "$k"; done

ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2fx", $1 / $2; else print "-" }'; }
get() { awk -v t="$1" -v k="$2" '$1 == t && $2 == k { print $3 }' "$tmp/results"; }
row() {	# row LABEL TEST
	printf '%-28s %10s %10s %10s %10s\n' "$1" "$(get "$2" lklfuse)" \
		"$(get "$2" fuse2fs)" "$(get "$2" native)" \
		"$(ratio "$(get "$2" lklfuse)" "$(get "$2" fuse2fs)")"
}
echo
echo "lklfuse vs fuse2fs vs the host, 1 GiB ext4 image ($(nproc) CPUs)"
printf '%-28s %10s %10s %10s %10s\n' test lklfuse fuse2fs native lkl/f2fs
row "seq write 256M (MB/s)" write
row "seq read, cold (MB/s)" read
row "create 2000 x 4K (files/s)" create
