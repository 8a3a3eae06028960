#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fs2tar and tar2fs against their host equivalents on ~100 MB of mixed
# files (many small, some medium, a few large, one sparse):
#
#   fs2tar IMAGE OUT.tar         vs  tar -C tree -cf OUT.tar .   (host fs)
#   tar2fs IMAGE IN.tar          vs  mke2fs -t ext4 -d tree IMAGE
#
# Run by "make bench" with the optimized tools in $KBOX_TOOLS and a scratch
# directory $BENCH_TMP.  Prints a table (seconds, ratio tool/host); asserts
# nothing.  The host side reads a page-cached tree, the tools a page-cached
# image file through the library kernel, so both are CPU-bound.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin

skip() { echo "fs2tar bench: skipped ($*)"; exit 0; }
tools=${KBOX_TOOLS:-}
[ -x "$tools/fs2tar" ] && [ -x "$tools/tar2fs" ] ||
	skip "no fs2tar/tar2fs in KBOX_TOOLS='$tools'"
for c in mke2fs tar python3; do
	command -v $c >/dev/null 2>&1 || skip "$c not found"
done

mkdir -p "${BENCH_TMP:-/tmp}" &&
	work=$(mktemp -d "${BENCH_TMP:-/tmp}/fs2tar-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# 3000 files of 1-16 KiB, 80 of 64 KiB-1 MiB, 4 of 8 MiB, a 64 MiB
# sparse file with 1 MiB of data: about 100 MB of data in all.
python3 - "$work/tree" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(42)
def put(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(rnd.randbytes(size))
for i in range(3000):
    put(f'{root}/small/d{i % 50:02d}/f{i:04d}', rnd.randint(1024, 16384))
for i in range(80):
    put(f'{root}/medium/m{i:03d}', rnd.randint(65536, 1 << 20))
for i in range(4):
    put(f'{root}/large/l{i}', 8 << 20)
with open(f'{root}/sparse', 'wb') as f:
    f.truncate(64 << 20)
    f.seek(32 << 20)
    f.write(rnd.randbytes(1 << 20))
EOF
[ $? -eq 0 ] || skip "could not build the tree"
mb=$(du -sm "$work/tree" | cut -f1)
files=$(find "$work/tree" | wc -l)

now() { date +%s.%N; }
# elapsed START: seconds since START, 3 decimals.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

mkfs_from() {	# mkfs_from DIR IMAGE: initialised up front, no lazy init
	mke2fs -q -F -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 \
		-d "$1" "$2" 400M >/dev/null 2>&1
}
mkdir "$work/empty"
mkfs_from "$work/tree" "$work/src.ext4" || skip "mke2fs failed"

# Warm both sides' caches once.
cat "$work/src.ext4" >/dev/null
tar -C "$work/tree" -cf /dev/null .

# best RESULT_VAR CMD...: the shorter of two runs, in seconds.
best() {
	var=$1
	shift
	t=$(now); "$@"; a=$(elapsed "$t")
	t=$(now); "$@"; b=$(elapsed "$t")
	eval "$var=\$(awk -v a=$a -v b=$b 'BEGIN { print (a < b ? a : b) }')"
}
tar2fs_fresh() {	# a new empty image each time, made outside the timing
	mkfs_from "$work/empty" "$work/dst.ext4"
	t2=$(now); "$tools/tar2fs" -q "$work/dst.ext4" "$work/host.tar"
	t2=$(elapsed "$t2")
}

best host_c tar -C "$work/tree" --sparse -cf "$work/host.tar" .
best tool_c "$tools/fs2tar" -q "$work/src.ext4" "$work/tool.tar"
best host_x mkfs_from "$work/tree" "$work/mke2fs.ext4"
best host_f mkfs_from "$work/empty" "$work/format.ext4"
tar2fs_fresh; a=$t2
tar2fs_fresh
tool_x=$(awk -v a=$a -v b=$t2 'BEGIN { print (a < b ? a : b) }')

echo
echo "fs2tar/tar2fs: $files files, $mb MB of data (best of 2, seconds; ratio = tool / host)"
printf '%-34s %9s %9s %7s\n' "operation" "tool" "host" "ratio"
row() {
	awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {
		printf "%-34s %9.3f %9.3f %7.2f\n", n, a, b, (b > 0 ? a / b : 0) }'
}
row "fs2tar image  vs  tar -cf tree" "$tool_c" "$host_c"
row "tar2fs archive  vs  mke2fs -d tree" "$tool_x" "$host_x"
awk -v f="$host_f" 'BEGIN { printf "(mke2fs -d includes %.3f s of formatting the 400 MiB image; tar2fs gets a formatted one)\n", f }'
