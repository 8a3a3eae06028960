#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tests of liblkl's generated header tree and of lkl/scripts/gen-headers.py
# (TAP output).
#
#   test_headers.sh [--tree DIR] [--uapi DIR/include] [--ksrc KSRC] [--keep]
#
# --tree  a generated include dir (holding lkl/syscalls.h) to check; default
#         $KBOX_KDIR/include, the tree the build uses (make check exports
#         KBOX_KDIR).  Without one, the tree generated from KSRC is checked.
# --ksrc  kernel source tree (include/linux/syscalls.h, ...); default
#         $KBOX_KDIR/linux, left by a build that compiled the kernel.  The
#         generator checks (time, determinism, reruns) need it and are
#         skipped without; a cached kernel build has none.
# --uapi  installed uapi headers (make ARCH=lkl headers_install); default
#         $KBOX_KDIR/uapi/include.  When KSRC was given explicitly and no
#         uapi tree exists, a stand-in is built with make_standin.sh (~30 s).
# --keep  leave the work directory (printed) for inspection
#
# Environment: LKL_TREE, LKL_UAPI, LKL_KSRC (defaults for the options), CC
# (gcc), CXX (g++, the C++ check is skipped without it), PYTHON (python3).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
gen=$repo/lkl/scripts/gen-headers.py
kdir=${KBOX_KDIR:-}
tree=${LKL_TREE:-}
uapi=${LKL_UAPI:-}
ksrc=${LKL_KSRC:-}
keep=
CC=${CC:-gcc}
CXX=${CXX:-g++}
PYTHON=${PYTHON:-python3}
CFLAGS="-Wall -Wextra -Werror -std=gnu11"

while [ $# -gt 0 ]; do
	case $1 in
	--tree) tree=$2; shift 2 ;;
	--uapi) uapi=$2; shift 2 ;;
	--ksrc) ksrc=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: $0 [--tree DIR] [--uapi DIR] [--ksrc DIR] [--keep]" >&2
	   exit 2 ;;
	esac
done

# Defaults from the build directory.  A source tree found there only counts
# with its uapi install next to it (no 30 s stand-in behind make check).
standin_ok=1
if [ -z "$tree" ] && [ -n "$kdir" ] && [ -f "$kdir/include/lkl/syscalls.h" ]; then
	tree=$kdir/include
fi
if [ -z "$ksrc" ] && [ -n "$kdir" ]; then
	ksrc=$kdir/linux
	standin_ok=
fi
if [ -z "$uapi" ] && [ -n "$kdir" ] && [ -d "$kdir/uapi/include" ]; then
	uapi=$kdir/uapi/include
fi

no_gen=
if [ ! -f "$ksrc/include/linux/syscalls.h" ]; then
	no_gen="no kernel source (cached kernel build; --ksrc or LKL_KSRC)"
elif [ -z "$uapi" ] && [ -z "$standin_ok" ]; then
	no_gen="no uapi install next to $ksrc (--uapi or LKL_UAPI)"
fi
if [ -n "$tree" ] && [ ! -f "$tree/lkl/syscalls.h" ]; then
	echo "Bail out! no lkl/syscalls.h in $tree"
	exit 1
fi
if [ -z "$tree" ] && [ -n "$no_gen" ]; then
	echo "1..0 # SKIP no generated tree (--tree or KBOX_KDIR) and $no_gen"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lkl-headers.XXXXXX")
if [ -n "$keep" ]; then
	echo "# work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' HUP INT PIPE TERM	# dash runs EXIT traps on exit only
fi

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -s "$work/log" ] && sed 's/^/# /' "$work/log" | head -n 40
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
# check "description" command...: ok if the command succeeds
check() {
	desc=$1
	shift
	if "$@" >"$work/log" 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

echo "1..15"

# 1-3: the generator itself, when there is a kernel source to run it on
out=$work/out
if [ -n "$no_gen" ]; then
	skip "gen-headers.py runs in under 10 s: $no_gen"
	skip "output is deterministic: $no_gen"
	skip "a rerun leaves unchanged files alone: $no_gen"
else
	if [ -z "$uapi" ]; then
		echo "# building a uapi stand-in from $ksrc"
		if ! "$here/make_standin.sh" "$ksrc" \
		     "$repo/lkl/arch/lkl/include/uapi/asm" "$work/standin" \
		     >"$work/log" 2>&1; then
			sed 's/^/# /' "$work/log"
			echo "Bail out! could not build the uapi stand-in"
			exit 1
		fi
		sed 's/^/# /' "$work/log"
		uapi=$work/standin/include
	fi

	gen_run() {
		start=$(date +%s)
		"$PYTHON" "$gen" --uapi "$uapi" --ksrc "$ksrc" --out "$out" -v ||
			return 1
		end=$(date +%s)
		echo "took $((end - start)) s"
		[ $((end - start)) -lt 10 ]
	}
	check "gen-headers.py runs in under 10 s" gen_run
	sed -n 's/^gen-headers: /# /p' "$work/log"
	if [ ! -f "$out/lkl/syscalls.h" ]; then
		echo "Bail out! no syscalls.h generated"
		exit 1
	fi

	check "output is deterministic" sh -c '
		"$1" "$2" --uapi "$3" --ksrc "$4" --out "$5/out2" &&
		diff -r "$5/out" "$5/out2"' sh "$PYTHON" "$gen" "$uapi" "$ksrc" "$work"

	# make sees no change
	check "a rerun leaves unchanged files alone" sh -c '
		touch "$5/stamp" && sleep 1 &&
		"$1" "$2" --uapi "$3" --ksrc "$4" --out "$5/out" &&
		test -z "$(find "$5/out" -newer "$5/stamp")"' \
		sh "$PYTHON" "$gen" "$uapi" "$ksrc" "$work"
fi

# 4-15: the generated tree: the build's, or else the one just generated
if [ -n "$tree" ]; then
	out=$(cd "$tree" && pwd)
fi
echo "# checking the tree in $out"

# 4: nothing is #defined under its kernel name
unprefixed_defines() {
	"$PYTHON" - "$out/lkl" <<'EOF'
import os, re, sys
bad = set()
for root, dirs, files in os.walk(sys.argv[1]):
    for fn in files:
        text = open(os.path.join(root, fn)).read()
        text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
        for name in re.findall(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", text, re.M):
            if not re.match(r"_*(lkl|LKL)", name):
                bad.add(name)
print(*sorted(bad))
sys.exit(1 if bad else 0)
EOF
}
check "every #define in lkl/ is prefixed" unprefixed_defines

# 5: a wrapper for every syscall number but the unimplemented ones
coverage() {
	echo '#include <lkl/syscalls.h>' |
		$CC -std=gnu11 -I "$out" -x c -E -dM - |
		sed -n 's/^#define __lkl__NR_\([a-z0-9_]*\) .*/\1/p' |
		grep -vxE 'syscalls|arch_specific_syscall' | sort >"$work/nr"
	grep -o 'static inline long lkl_sys_[a-z0-9_]*(' "$out/lkl/syscalls.h" |
		sed 's/.*lkl_sys_//; s/(//' | sort >"$work/wrapped"
	missing=$(comm -23 "$work/nr" "$work/wrapped" |
		  grep -vxE 'lookup_dcookie|nfsservctl')
	total=$(wc -l <"$work/nr")
	have=$(comm -12 "$work/nr" "$work/wrapped" | wc -l)
	echo "$have of $total syscall numbers wrapped; missing: $missing"
	[ -z "$missing" ] && [ $((have * 100)) -ge $((total * 95)) ]
}
check "every implemented syscall number has an lkl_sys_ wrapper" coverage
sed -n 's/^\([0-9]* of .*\)/# \1/p' "$work/log"

# lkl.h and lkl_host.h, the hand-written public headers, go along
lkl_h=
[ -f "$repo/lkl/include/lkl.h" ] && lkl_h="#include <lkl.h>"

# 6-8: syscalls.h on its own, without a C library, and from C++
echo '#include <lkl/syscalls.h>' >"$work/alone.c"
check "syscalls.h compiles on its own ($CFLAGS)" \
	$CC $CFLAGS -I "$out" -c "$work/alone.c" -o "$work/alone.o"
check "syscalls.h compiles without a C library" \
	$CC $CFLAGS -ffreestanding -nostdinc \
	-isystem "$($CC -print-file-name=include)" -I "$out" \
	-c "$work/alone.c" -o "$work/alone.o"
if command -v "$CXX" >/dev/null 2>&1; then
	{ cat "$work/alone.c"; echo "$lkl_h"; } >"$work/alone.cc"
	check "syscalls.h${lkl_h:+ and lkl.h} compile as C++" \
		$CXX -Wall -Wextra -Werror -I "$out" -I "$repo/lkl/include" \
		-c "$work/alone.cc" -o "$work/alone.o"
else
	ok "syscalls.h compiles as C++ # SKIP no $CXX"
fi

# 9-10: every generated header next to the C library's, in both orders.
# linux/hdlc/ioctl.h is a fragment of linux/if.h (needs IFNAMSIZ): if.h first.
(cd "$out" && find lkl -name '*.h' | LC_ALL=C sort) |
	sed 's/.*/#include <&>/' >"$work/all_lkl.h"
{
	echo '#include <lkl/linux/if.h>'
	cat "$work/all_lkl.h"
} >"$work/all_lkl_ordered.h"
{
	echo "#include \"$here/host_headers.h\""
	cat "$work/all_lkl_ordered.h"
	echo "$lkl_h"
} >"$work/libc_first.c"
{
	cat "$work/all_lkl_ordered.h"
	echo "$lkl_h"
	echo "#include \"$here/host_headers.h\""
} >"$work/lkl_first.c"
check "all lkl/ headers compile after the C library's" \
	$CC $CFLAGS -I "$out" -I "$repo/lkl/include" -c "$work/libc_first.c" \
	-o "$work/x.o"
check "all lkl/ headers compile before the C library's" \
	$CC $CFLAGS -I "$out" -I "$repo/lkl/include" -c "$work/lkl_first.c" \
	-o "$work/x.o"

# 11: each header is self-contained: one translation unit each, compiled
# in batches (one compiler driver per 16 files, one per CPU at a time);
# only when a batch fails, one by one to name the culprits
standalone() {
	mkdir -p "$work/one"
	i=0
	for h in $(sed 's/#include <\(.*\)>/\1/' "$work/all_lkl.h"); do
		[ "$h" = lkl/linux/hdlc/ioctl.h ] && continue
		i=$((i + 1))
		echo "#include <$h>" >"$work/one/$i.c"
	done
	ls "$work"/one/*.c | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 16 \
		$CC $CFLAGS -I "$out" -fsyntax-only >/dev/null 2>&1 && return 0
	bad= first=
	for f in "$work"/one/*.c; do
		$CC $CFLAGS -I "$out" -fsyntax-only "$f" >/dev/null 2>&1 && continue
		bad="$bad $(sed 's/#include <\(.*\)>/\1/' "$f")"
		first=${first:-$f}
	done
	echo "not self-contained:$bad"
	[ -n "$first" ] && $CC $CFLAGS -I "$out" -fsyntax-only "$first"
	return 1
}
check "each lkl/ header compiles on its own" standalone

# 12: ABI: numbers, constants, layouts
check "syscall numbers, constants and struct layouts (static asserts)" \
	$CC $CFLAGS -I "$out" -c "$here/check_abi.c" -o "$work/abi.o"

# 13-14: wrapper prototypes, and what they hand to lkl_syscall()
check "wrappers and helpers have the expected parameter types" \
	$CC $CFLAGS -O2 -I "$out" "$here/check_calls.c" -o "$work/check_calls"
check "wrappers pass the right syscall number and arguments" \
	"$work/check_calls"

# 15: no identifier left unprefixed is a C library macro (glibc's
# `#define st_atime st_atim.tv_sec` would otherwise rewrite our structs)
libc_macros() {
	$CC -std=gnu11 -E -dM "$here/host_headers.h" >"$work/macros" || return 1
	"$PYTHON" - "$out/lkl" "$work/macros" <<'EOF'
import os, re, sys
tree, macros = sys.argv[1], sys.argv[2]
# object-like C library macros that are not just #define X X
libc = {}
for line in open(macros):
    m = re.match(r"#define (\w+)(\(?)\s*(.*)", line)
    if m and not m.group(2) and m.group(3).strip() != m.group(1):
        libc[m.group(1)] = m.group(3)
lex = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'
                 r"'(?:\\.|[^'\\\n])*'|#\s*include\s*<[^>]*>|"
                 r"\.?\d(?:[eEpP][+-]|[\w.])*|([A-Za-z_]\w*)", re.S)
# references to the C library's own constants (NPROTO is AF_MAX,
# SHMMAX uses ULONG_MAX) are fine; so are compiler-predefined macros
allowed = {"AF_MAX", "ULONG_MAX"}
bad = set()
for root, dirs, files in os.walk(tree):
    for fn in files:
        for m in lex.finditer(open(os.path.join(root, fn)).read()):
            name = m.group(1)
            if name and name in libc and name not in allowed and \
                    not re.fullmatch(r"_*(lkl|LKL)\w*|__\w+__", name):
                bad.add(name)
if bad:
    print("unprefixed names the C library defines:", *sorted(bad))
sys.exit(1 if bad else 0)
EOF
}
check "no unprefixed identifier is a C library macro" libc_macros

[ $failed -eq 0 ]
