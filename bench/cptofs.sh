#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cptofs and cpfromfs against their peers on ~200 MB of small files
# (20,000 files of 4-16 KiB in 200 directories two levels deep):
#
#   into a new ext4 image:
#     mke2fs -t ext4 -d tree IMAGE       (the baseline: makes the fs too)
#     cptofs -i IMAGE tree /             (into an image mke2fs made empty)
#     e2mkdir + e2cp (e2tools)           (one e2mkdir per directory and one
#                                         e2cp -p per directory's files, the
#                                         fewest calls e2cp allows; it is so
#                                         slow that a tenth of the tree is
#                                         timed and the time scaled by 10)
#   out of it:
#     debugfs -R "rdump /tree DIR"       (the baseline)
#     cpfromfs -i IMAGE /tree DIR
#
# Run by "make bench" with the optimized tools in $KBOX_TOOLS and a scratch
# directory $BENCH_TMP.  Prints a table (seconds, ratio to the baseline);
# asserts nothing.  Every side reads a page-cached tree or image and
# writes a new file; the times are the better of two runs (e2cp: one).
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin

tools=${KBOX_TOOLS:-}
if [ -z "$tools" ] || [ ! -x "$tools/cptofs" ] || [ ! -x "$tools/cpfromfs" ]; then
	echo "cptofs bench: skipped (no cptofs/cpfromfs in KBOX_TOOLS='$tools')"
	exit 0
fi
for c in mke2fs debugfs e2cp e2mkdir python3; do
	command -v $c >/dev/null 2>&1 ||
		{ echo "cptofs bench: skipped ($c not found)"; exit 0; }
done

mkdir -p "${BENCH_TMP:-/tmp}"
work=$(mktemp -d "${BENCH_TMP:-/tmp}/cptofs-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

python3 - "$work/tree" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(7)
blob = rnd.randbytes(1 << 20)
for i in range(20):
    for j in range(10):
        d = f'{root}/d{i:02d}/s{j:02d}'
        os.makedirs(d)
        for k in range(100):
            size = rnd.randint(4096, 16384)
            at = rnd.randint(0, len(blob) - size)
            with open(f'{d}/f{k:03d}', 'wb') as f:
                f.write(blob[at:at + size])
EOF
[ $? -eq 0 ] || { echo "cptofs bench: could not build the tree"; exit 0; }
mb=$(du -sm "$work/tree" | cut -f1)
files=$(find "$work/tree" -type f | wc -l)
dirs=$(find "$work/tree" -type d | wc -l)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

SIZE=600M
mkfs_empty() {
	rm -f "$1"
	mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 "$1" $SIZE \
		>/dev/null 2>&1
}

# time_of SETUP CMD...: seconds CMD takes after SETUP (not timed) ran;
# the better of two runs.  A failed run prints "failed".
time_of() {
	setup=$1
	shift
	best=
	for run in 1 2; do
		eval "$setup" || return 1
		t=$(now)
		if ! "$@" >"$work/log" 2>&1; then
			echo failed
			return 0
		fi
		e=$(elapsed "$t")
		best=${best:-$e}
		best=$(min "$best" "$e")
	done
	echo "$best"
}

cat "$work/tree"/*/*/* >/dev/null

# ---- into an image ------------------------------------------------------

t_mke2fs=$(time_of 'rm -f "$work/a.ext4"' \
	mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 \
	-d "$work/tree" "$work/a.ext4" $SIZE)
t_empty=$(time_of 'rm -f "$work/e.ext4"' \
	mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 \
	"$work/e.ext4" $SIZE)
t_cptofs=$(time_of 'mkfs_empty "$work/b.ext4"' \
	"$tools/cptofs" -q -i "$work/b.ext4" "$work/tree" /)

# e2tools on a tenth of the tree (two of the twenty top directories).
e2tools_copy() {
	e2mkdir "$work/c.ext4:/tree" || return 1
	for top in "$work/tree"/d00 "$work/tree"/d01; do
		e2mkdir "$work/c.ext4:/tree/${top##*/}" || return 1
		for d in "$top"/*; do
			rel=${d#"$work"/}
			e2mkdir "$work/c.ext4:/$rel" && e2cp -p "$d"/* "$work/c.ext4:/$rel" ||
				return 1
		done
	done
}
mkfs_empty "$work/c.ext4"
t=$(now)
if e2tools_copy >"$work/log" 2>&1; then
	t_e2cp=$(awk -v e="$(elapsed "$t")" 'BEGIN { printf "%.3f", e * 10 }')
else
	t_e2cp=failed
fi

# ---- out of it --------------------------------------------------------------

mkfs_empty "$work/out.ext4"
"$tools/cptofs" -q -i "$work/out.ext4" "$work/tree" / ||
	{ echo "cptofs bench: cptofs failed"; exit 0; }
cat "$work/out.ext4" >/dev/null
t_rdump=$(time_of 'rm -rf "$work/r" && mkdir "$work/r"' \
	debugfs -R "rdump /tree $work/r" "$work/out.ext4")
t_cpfromfs=$(time_of 'rm -rf "$work/f"' \
	"$tools/cpfromfs" -q -i "$work/out.ext4" /tree "$work/f")

# ---- the table --------------------------------------------------------------

ratio() {	# ratio T BASE
	case "$1$2" in
	*failed*) echo - ;;
	*) awk -v t="$1" -v b="$2" 'BEGIN { printf "%.2f", t / b }' ;;
	esac
}
row() { printf '%-44s %9s %7s\n' "$1" "$2" "$3"; }

echo
echo "cptofs/cpfromfs: $files files, $dirs directories, $mb MB (seconds; ratio to the baseline)"
row "into a new ext4 image" seconds ratio
row "  mke2fs -t ext4 -d (baseline, makes the fs)" "$t_mke2fs" 1.00
row "  cptofs (into an empty image)" "$t_cptofs" "$(ratio "$t_cptofs" "$t_mke2fs")"
row "  cptofs + mke2fs of the empty image" \
	"$(awk -v a="$t_cptofs" -v b="$t_empty" 'BEGIN { printf "%.3f", a + b }')" \
	"$(ratio "$(awk -v a="$t_cptofs" -v b="$t_empty" 'BEGIN { print a + b }')" "$t_mke2fs")"
row "  e2mkdir + e2cp -p per directory (x10)" "$t_e2cp" "$(ratio "$t_e2cp" "$t_mke2fs")"
row "out of the image" "" ""
row "  debugfs rdump (baseline)" "$t_rdump" 1.00
row "  cpfromfs" "$t_cpfromfs" "$(ratio "$t_cpfromfs" "$t_rdump")"
