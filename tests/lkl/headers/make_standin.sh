#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A stand-in for `make ARCH=lkl headers_install`, while the lkl port does not
# build: install riscv's uapi headers (asm-generic throughout), then replace
# asm/ with what ARCH=lkl installs -- one-line asm-generic wrappers for the
# mandatory headers and our Kbuild's generic-y, plus our own headers passed
# through scripts/headers_install.sh like the real thing.
#
#   make_standin.sh KSRC LKL_UAPI_ASM_DIR OUTDIR
#
# Result in OUTDIR/include.  KSRC is not written to (the build goes to
# OUTDIR/build, removed at the end).
set -eu

ksrc=$1
lkl_asm=$2
out=$3

mkdir -p "$out"
make -s -C "$ksrc" O="$out/build" ARCH=riscv headers_install \
	INSTALL_HDR_PATH="$out" >/dev/null

asm=$out/include/asm
rm -rf "$asm"
mkdir -p "$asm"
for h in $(sed -n 's/^mandatory-y += //p' "$ksrc/include/uapi/asm-generic/Kbuild") \
	 $(sed -n 's/^generic-y += //p' "$lkl_asm/Kbuild"); do
	echo "#include <asm-generic/$h>" >"$asm/$h"
done
for f in "$lkl_asm"/*.h; do
	# headers_install.sh runs scripts/unifdef from the build directory
	if ! (cd "$out/build" &&
	      sh "$ksrc/scripts/headers_install.sh" "$f" "$asm/${f##*/}") 2>"$out/err"; then
		echo "warning: the real headers_install will fail: $(cat "$out/err")" >&2
		cp "$f" "$asm/"
	fi
done
rm -rf "$out/build" "$out/err"
