#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kbox against the host and two other rootless sandboxes, proot (ptrace)
# and gVisor's runsc (its own kernel in Go), all running the same
# programs from the same root tree:
#
#   per operation   bench/kbox_ops (static): getpid, stat, open+close,
#                   4 KiB pread and pwrite, mkdir+rmdir, create+unlink,
#                   fork+wait, fork+exec+wait (of itself), and a one-byte
#                   pipe round trip between two processes; each times its
#                   own loop, so a sandbox's start-up is not counted
#   whole programs  busybox tar -x of a 50 MB tarball of 4,000 small files,
#                   busybox find over what it extracted, a busybox sh loop
#                   of 1,000 /bin/true, and gcc -O2 of a small C project
#                   (9 files, one gcc -c each, then the link) from the
#                   Debian image; wall clock, start-up included (the
#                   start-up row shows how much that is)
#
# The root tree is the busybox image plus /bench (the ops program, the
# tarball); kbox runs a new image made from it with mke2fs -d (written to),
# proot (-r, with the host's /dev and /proc bound) and runsc (an OCI
# bundle, --network=none; its root is the host directory, served by its
# gofer) the directory itself, and "native" runs the tree's own static
# busybox and the ops program straight from it, in the same directory.
# The gcc row runs in a copy of the Debian image for kbox and in the
# Debian tree (cpfromfs) for the peers; native uses the host's gcc.
#
# Run by "make bench" with the optimized kbox in $KBOX_BENCH_KBOX, the ops
# program in $KBOX_BENCH_OPS, the busybox image in $KBOX_BENCH_IMAGE, the
# Debian image in $KBOX_BENCH_DEBIAN (empty: no gcc row), the image tools
# in $KBOX_TOOLS and a scratch directory $BENCH_TMP.  Prints one table:
# native in ns or s, every other column as a ratio to native (lower is
# better).  Asserts nothing: a peer that is not installed or cannot run
# here shows n/a, a run that fails shows "failed", with a note either way.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin

skip() { echo "kbox bench: skipped ($*)"; exit 0; }
kbox=${KBOX_BENCH_KBOX:-}
ops=${KBOX_BENCH_OPS:-}
bbimage=${KBOX_BENCH_IMAGE:-}
debimage=${KBOX_BENCH_DEBIAN:-}
tools=${KBOX_TOOLS:-}
[ -x "$kbox" ] || skip "no kbox in KBOX_BENCH_KBOX='$kbox'"
[ -x "$ops" ] || skip "no ops program in KBOX_BENCH_OPS='$ops'"
[ -f "$bbimage" ] || skip "no busybox image in KBOX_BENCH_IMAGE='$bbimage'"
[ -x "$tools/cpfromfs" ] || skip "no cpfromfs in KBOX_TOOLS='$tools'"
for c in mke2fs python3 timeout; do
	command -v $c >/dev/null 2>&1 || skip "$c not found"
done

mkdir -p "${BENCH_TMP:-/tmp}" &&
	work=$(mktemp -d "${BENCH_TMP:-/tmp}/kbox-bench.XXXXXX") || exit 1
# runsc's state and its sandboxes are gone before the directory is.
cleanup() {
	if [ -d "$work/runsc-state" ]; then
		for id in $(runsc --root "$work/runsc-state" list -quiet 2>/dev/null); do
			runsc --root "$work/runsc-state" delete -force "$id" \
				>/dev/null 2>&1
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

notes=
note() { notes="$notes
  $*"; }
# first_line FILE: the first line of FILE that reads like an error (else
# its first line), without a glog prefix, shortened.
first_line() {
	{ grep -m1 -i -e error -e fail -e denied -e "not found" "$1" ||
	  grep -m1 . "$1"; } 2>/dev/null |
		sed -e 's/^[IWEF][0-9]\{4\} [0-9:.]* *[0-9]* [^]]*\] //' \
		    -e 's/^FATAL ERROR: //' | cut -c1-110
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

# ---- the root tree and what runs in it --------------------------------------

tree=$work/tree
"$tools/cpfromfs" -q -i "$bbimage" / "$tree" >"$work/log" 2>&1 ||
	skip "cpfromfs of $bbimage failed: $(first_line "$work/log")"
mkdir -p "$tree/bench/scratch" "$tree/bench/x1" "$tree/bench/x2" ||
	skip "cannot fill the tree"
cp "$ops" "$tree/bench/kbox_ops" || skip "cannot fill the tree"

# 4,000 files of 1-24 KiB in 40 directories: about 50 MB, uncompressed.
python3 - "$tree/bench/files.tar" <<'EOF' || skip "could not make the tarball"
import io, random, sys, tarfile
rnd = random.Random(11)
blob = rnd.randbytes(1 << 20)
with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as tar:
    for d in range(40):
        info = tarfile.TarInfo(f'files/d{d:02d}')
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
        tar.addfile(info)
        for f in range(100):
            size = rnd.randint(1024, 24576)
            at = rnd.randint(0, len(blob) - size)
            info = tarfile.TarInfo(f'files/d{d:02d}/f{f:03d}')
            info.size, info.mode, info.mtime = size, 0o644, 1700000000
            tar.addfile(info, io.BytesIO(blob[at:at + size]))
EOF
tar_mb=$(du -m "$tree/bench/files.tar" | cut -f1)

# kbox's image: the tree as it is now, in a new ext4 image, initialised
# up front (no lazy init thread running beside the timings).
mke2fs -q -t ext4 -E lazy_itable_init=0,lazy_journal_init=0 -d "$tree" \
	"$work/kbox.ext4" 512M >"$work/log" 2>&1 ||
	skip "mke2fs -d failed: $(first_line "$work/log")"

# The C project for the gcc row: eight modules and a main, built by
# build.sh (one gcc -c per file, the link, a run of the result).
proj=$work/proj
mkdir -p "$proj"
cat >"$proj/proj.h" <<'EOF'
#include <stddef.h>
long module_run(int which, int n);
EOF
for m in 1 2 3 4 5 6 7 8; do
	sed "s/@M@/$m/g" >"$proj/mod$m.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proj.h"

struct rec@M@ {
	char key[24];
	long value;
	struct rec@M@ *next;
};

static struct rec@M@ *table@M@[257];

static unsigned hash@M@(const char *s)
{
	unsigned h = 2166136261u + @M@;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % 257;
}

static void put@M@(const char *key, long value)
{
	unsigned h = hash@M@(key);
	struct rec@M@ *r;

	for (r = table@M@[h]; r; r = r->next)
		if (!strcmp(r->key, key)) {
			r->value += value;
			return;
		}
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->value = value;
	r->next = table@M@[h];
	table@M@[h] = r;
}

static int cmp@M@(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

long mod@M@_run(int n)
{
	long *v = malloc(sizeof(*v) * (size_t)n), sum = 0;
	char key[24];
	int i, j;

	if (!v)
		abort();
	for (i = 0; i < n; i++) {
		v[i] = (i * 7919L + @M@) % 10007;
		snprintf(key, sizeof(key), "k%ld", v[i] % 101);
		put@M@(key, v[i]);
	}
	qsort(v, (size_t)n, sizeof(*v), cmp@M@);
	for (i = 0; i < 257; i++) {
		struct rec@M@ *r;

		for (r = table@M@[i], j = 0; r; r = r->next, j++)
			sum += r->value * (j + 1) + (long)strlen(r->key);
	}
	for (i = 1; i < n; i++)
		sum += v[i] - v[i - 1] > 3 ? v[i] % 13 : v[i] / 3;
	free(v);
	return sum;
}
EOF
done
cat >"$proj/main.c" <<'EOF'
#include <stdio.h>
#include "proj.h"

long mod1_run(int n), mod2_run(int n), mod3_run(int n), mod4_run(int n);
long mod5_run(int n), mod6_run(int n), mod7_run(int n), mod8_run(int n);

static long (*const run[])(int) = {
	mod1_run, mod2_run, mod3_run, mod4_run,
	mod5_run, mod6_run, mod7_run, mod8_run,
};

long module_run(int which, int n)
{
	return run[which - 1](n);
}

int main(void)
{
	long s = 0;

	for (int m = 1; m <= 8; m++)
		s += module_run(m, 1000 * m);
	printf("%ld\n", s);
	return 0;
}
EOF
cat >"$proj/build.sh" <<'EOF'
rm -f ./*.o proj out.txt
for f in *.c; do
	gcc -O2 -Wall -c "$f" || exit 1
done
gcc -o proj ./*.o && ./proj >out.txt
EOF

# The Debian side: a copy of the image (kbox writes into it) and, for the
# peers, its tree.
deb_ok=
if [ -n "$debimage" ] && [ -f "$debimage" ]; then
	if cp --sparse=always "$debimage" "$work/deb.ext4" &&
	   "$tools/cptofs" -q -i "$work/deb.ext4" "$proj" /srv >"$work/log" 2>&1; then
		deb_ok=1
	else
		note "gcc: could not prepare the Debian image copy: $(first_line "$work/log")"
	fi
else
	note "gcc: no Debian image (KBOX_NO_DEBIAN=1 or not built): row skipped"
fi
# Its /dev (device nodes: root only) stays empty, the peers bring theirs.
debtree=
deb_tree() {	# the Debian tree, extracted once, for proot and runsc
	[ -n "$debtree" ] && return 0
	[ -n "$deb_ok" ] || return 1
	if mkdir "$work/deb" 2>/dev/null &&
	   "$tools/cpfromfs" -q -i "$work/deb.ext4" '/[!d]*' "$work/deb" \
		>"$work/log" 2>&1 && mkdir -p "$work/deb/dev"; then
		debtree=$work/deb
		return 0
	fi
	note "gcc: cpfromfs of the Debian image failed: $(first_line "$work/log")"
	deb_ok=
	return 1
}

# ---- running things -----------------------------------------------------------

# Each peer is a function "PEER_run ROOT CWD CMD..." running CMD (a path
# in the guest) with ROOT as its root directory ("bb" or "deb"), stdout
# and stderr into $work/log.
TIMEOUT=240

native_run() {
	root=$1 cwd=$2
	shift 2
	[ "$root" = deb ] && return 1	# the gcc row runs its own way
	prog=$tree$1
	shift
	(cd "$tree$cwd" && exec timeout -k 5 $TIMEOUT "$prog" "$@") \
		>"$work/log" 2>&1 </dev/null
}

kbox_run() {
	root=$1 cwd=$2
	shift 2
	if [ "$root" = deb ]; then
		img=$work/deb.ext4
	else
		img=$work/kbox.ext4
	fi
	timeout -k 5 $TIMEOUT "$kbox" -r "$img" --root-id -w "$cwd" -- "$@" \
		>"$work/log" 2>&1 </dev/null
}

# tree_of ROOT: the host directory of the busybox tree or the Debian one.
tree_of() {
	if [ "$1" = deb ]; then
		echo "$debtree"
	else
		echo "$tree"
	fi
}

proot_run() {
	root=$1 cwd=$2
	shift 2
	dir=$(tree_of "$root")
	timeout -k 5 $TIMEOUT proot -r "$dir" -b /dev -b /proc -w "$cwd" "$@" \
		>"$work/log" 2>&1 </dev/null
}

runsc_flags=
runsc_n=0
runsc_run() {
	root=$1 cwd=$2
	shift 2
	dir=$(tree_of "$root")
	runsc_n=$((runsc_n + 1))
	b=$work/bundle.$runsc_n
	mkdir -p "$b" && ln -s "$dir" "$b/rootfs" &&
		runsc spec --bundle "$b" --cwd "$cwd" -- "$@" >"$work/log" 2>&1 &&
		sed -i 's/"readonly": true/"readonly": false/' "$b/config.json" ||
		return 1
	# shellcheck disable=SC2086	# runsc_flags: words
	timeout -k 5 $TIMEOUT runsc --root "$work/runsc-state" $runsc_flags \
		--network=none run --bundle "$b" "kb$$-$runsc_n" \
		>"$work/log" 2>&1 </dev/null
	rc=$?
	rm -rf "$b"
	return $rc
}

# time_run PEER ROOT CWD CMD...: the wall clock seconds of one run, or
# "failed" (with a note naming the first line of its output).
time_run() {
	peer=$1
	shift
	t=$(now)
	if "${peer}_run" "$@"; then
		elapsed "$t"
	else
		echo failed
	fi
}
# best2 PEER ROOT CWD CMD...: the better of two runs, or the one run
# when it took over 3 s (the noise is small beside that).
best2() {
	a=$(time_run "$@")
	[ "$a" = failed ] && { echo failed; return; }
	awk -v a="$a" 'BEGIN { exit !(a > 3) }' && { echo "$a"; return; }
	b=$(time_run "$@")
	[ "$b" = failed ] && { echo failed; return; }
	min "$a" "$b"
}

# Which peers can run at all.
peers="native kbox proot runsc"
# avail_PEER: set when PEER runs here (read through eval)
# shellcheck disable=SC2034
avail_native=1 avail_kbox=1 avail_proot='' avail_runsc=''
why_proot='' why_runsc=''
if ! command -v proot >/dev/null 2>&1; then
	why_proot="not installed (apt-get install proot)"
elif ! proot_run bb / /bin/true; then
	why_proot="cannot run here: $(first_line "$work/log")"
else
	avail_proot=1
fi
if ! command -v runsc >/dev/null 2>&1; then
	why_runsc="not installed (apt-get install runsc)"
else
	rootless=
	[ "$(id -u)" = 0 ] || rootless=--rootless
	why_runsc=
	for platform in systrap ptrace kvm; do
		[ $platform = kvm ] && [ ! -w /dev/kvm ] && continue
		runsc_flags="${rootless:+$rootless }--platform=$platform"
		if runsc_run bb / /bin/true; then
			avail_runsc=1
			break
		fi
		why_runsc="$why_runsc${why_runsc:+; }$platform: $(first_line "$work/log")"
	done
	[ -n "$avail_runsc" ] || why_runsc="cannot run here ($why_runsc)"
fi
if ! kbox_run bb / /bin/true; then
	note "kbox: cannot start: $(first_line "$work/log")"
	# shellcheck disable=SC2034
	avail_kbox=''
fi

# ---- measuring -------------------------------------------------------------

# Iterations per op, sized so that the slowest peer needs about a second
# an op (kbox_ops also stops any op after about a second).
OPS="getpid 20000 stat 10000 open+close 10000 read4k 10000 write4k 10000
mkdir+rmdir 1000 create+unlink 2000 fork+wait 200 fork+exec+wait 100
pipe-pingpong 2000"
OP_NAMES="getpid stat open+close read4k write4k mkdir+rmdir create+unlink
fork+wait fork+exec+wait pipe-pingpong"

# r_PEER_ROW=value ("failed", "n/a" or a number)
set_r() { eval "r_$1_$2=\$3"; }
get_r() { eval "echo \${r_$1_$2:-n/a}"; }
row_id() { echo "$1" | tr -c 'a-z0-9\n' '_'; }

measure() {	# measure PEER
	peer=$1
	pre=	# what a path in the guest is on the host, for native
	[ "$peer" = native ] && pre=$tree
	# per operation: one run of the ops program doing them all
	# shellcheck disable=SC2086
	if ${peer}_run bb /bench /bench/kbox_ops scratch $OPS; then :; fi
	cp "$work/log" "$work/ops.$peer"
	missing=
	for op in $OP_NAMES; do
		v=$(awk -v op="$op" '$1 == op { print ($2 == "failed:" ? "failed" : $2) }' \
			"$work/ops.$peer")
		if [ "$v" = failed ]; then
			note "$peer: $(grep -m1 "^$op failed" "$work/ops.$peer" | cut -c1-100)"
		elif [ -z "$v" ]; then
			v=failed
			missing="$missing $op"
		fi
		set_r "$peer" "$(row_id "$op")" "$v"
	done
	[ -z "$missing" ] ||
		note "$peer: kbox_ops did not get to$missing: $(first_line "$work/ops.$peer")"

	# start-up: the cost of starting the sandbox on /bin/true
	set_r "$peer" startup "$(best2 "$peer" bb / /bin/true)"

	# tar -x into /bench/x1 and, when that was quick, again into
	# /bench/x2 (the better of the two); find over the first
	v1=$(time_run "$peer" bb /bench /bin/tar -xf files.tar -C x1)
	if [ "$v1" = failed ]; then
		note "$peer: tar failed: $(first_line "$work/log")"
	elif awk -v a="$v1" 'BEGIN { exit !(a <= 3) }'; then
		v2=$(time_run "$peer" bb /bench /bin/tar -xf files.tar -C x2)
		if [ "$v2" = failed ]; then
			note "$peer: tar failed: $(first_line "$work/log")"
			v1=failed
		else
			v1=$(min "$v1" "$v2")
		fi
	fi
	set_r "$peer" tar "$v1"
	if [ "$v1" = failed ]; then
		set_r "$peer" find failed
	else
		v=$(best2 "$peer" bb /bench /bin/find x1)
		[ "$v" = failed ] && note "$peer: find failed: $(first_line "$work/log")"
		set_r "$peer" find "$v"
	fi

	# 1,000 execs of /bin/true from a shell loop
	# shellcheck disable=SC2016	# expanded by the guest's shell
	v=$(time_run "$peer" bb / /bin/sh -c \
		'i=0; while [ $i -lt 1000 ]; do "$0" || exit 1; i=$((i+1)); done' \
		"$pre/bin/true")
	[ "$v" = failed ] && note "$peer: sh loop failed: $(first_line "$work/log")"
	set_r "$peer" loop "$v"

	# gcc: the Debian root
	if [ -z "$deb_ok" ]; then
		set_r "$peer" gcc n/a
	elif [ "$peer" = native ]; then
		if command -v gcc >/dev/null 2>&1; then
			cp -r "$proj" "$work/proj-native"
			t=$(now)
			if (cd "$work/proj-native" && sh build.sh) >"$work/log" 2>&1 &&
			   t1=$(elapsed "$t") && t=$(now) &&
			   (cd "$work/proj-native" && sh build.sh) >"$work/log" 2>&1; then
				set_r native gcc "$(min "$t1" "$(elapsed "$t")")"
			else
				set_r native gcc failed
				note "native: gcc failed: $(first_line "$work/log")"
			fi
		else
			note "native: no gcc on the host"
		fi
	elif [ "$peer" = kbox ] || deb_tree; then
		v=$(best2 "$peer" deb /srv/proj /bin/sh build.sh)
		[ "$v" = failed ] && note "$peer: gcc failed: $(first_line "$work/log")"
		set_r "$peer" gcc "$v"
	else
		set_r "$peer" gcc n/a
	fi
}

# Warm the page cache: the tree, the tarball, the images.
cat "$tree/bench/files.tar" "$work/kbox.ext4" >/dev/null
[ -n "$deb_ok" ] && cat "$work/deb.ext4" >/dev/null

for peer in $peers; do
	eval "ok=\${avail_$peer}"
	[ -n "$ok" ] || continue
	# every peer starts from the same tree: no earlier extraction in it
	rm -rf "$tree/bench/x1" "$tree/bench/x2"
	mkdir -p "$tree/bench/x1" "$tree/bench/x2"
	measure "$peer"
done

# ---- the table -------------------------------------------------------------

na_cell() {	# what a peer that cannot run shows
	eval "ok=\${avail_$1}"
	[ -n "$ok" ] && return 1
	echo n/a
}
cell() {	# cell PEER ROW: native's absolute value, the others' ratio
	na_cell "$1" && return
	v=$(get_r "$1" "$2")
	n=$(get_r native "$2")
	case "$v" in
	failed | n/a) echo "$v"; return ;;
	esac
	if [ "$1" = native ]; then
		echo "$v"
		return
	fi
	case "$n" in
	failed | n/a) echo "($v)" ;;	# no baseline: the plain value
	*) awk -v v="$v" -v n="$n" 'BEGIN {
		r = n > 0 ? v / n : 0
		printf(r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r) }' ;;
	esac
}
line() { printf '%-36s %11s %8s %8s %8s\n' "$@"; }
row() {	# row LABEL ROW UNIT
	n=$(cell native "$2")
	case "$n" in
	failed | n/a) ;;
	*) n="$n $3" ;;
	esac
	line "  $1" "$n" "$(cell kbox "$2")" "$(cell proot "$2")" "$(cell runsc "$2")"
}

[ -n "$avail_proot" ] || note "proot: n/a: $why_proot"
[ -n "$avail_runsc" ] || note "runsc: n/a: $why_runsc"
fs=$(df -PT "$work" 2>/dev/null | awk 'NR == 2 { print $2 }')
setup="
  native: runs the tree's static busybox and kbox_ops from the host directory
    (${fs:-a file system} under BENCH_TMP), and the host's gcc
  kbox: $kbox -r IMAGE --root-id; IMAGE is the tree in a new 512M
    ext4 image (mke2fs -d), or a copy of the Debian image (cp --sparse=always),
    both written to"
[ -n "$avail_proot" ] && setup="$setup
  proot: -r TREE -b /dev -b /proc, TREE the host directory (cpfromfs of the image)"
[ -n "$avail_runsc" ] && setup="$setup
  runsc: $(runsc --version 2>/dev/null | head -1 | sed 's/^runsc //'), an OCI bundle on TREE, $runsc_flags
    --network=none, root served by its gofer${why_runsc:+ (not $why_runsc)}"

echo
echo "kbox against native, proot and runsc (native: ns or s; the others: ratio to native, lower is better)"
line "" native kbox proot runsc
echo "per operation (mean, in /bench/scratch of the busybox tree)"
for op in $OP_NAMES; do
	case $op in
	read4k) label="read 4 KiB (pread)" ;;
	write4k) label="write 4 KiB (pwrite)" ;;
	fork+exec+wait) label="fork+exec+wait (static, itself)" ;;
	pipe-pingpong) label="pipe ping-pong (1 byte round trip)" ;;
	*) label=$op ;;
	esac
	row "$label" "$(row_id "$op")" ns
done
echo "whole programs (wall clock, start-up included; best of two under 3 s)"
row "start-up: /bin/true" startup s
row "tar -xf ($tar_mb MB, 4,000 files)" tar s
row "find over the extracted tree" find s
row "sh loop: 1,000 x /bin/true" loop s
row "gcc -O2: 9 files + link (Debian)" gcc s
echo "setup:$setup"
[ -z "$notes" ] || echo "notes:$notes"
