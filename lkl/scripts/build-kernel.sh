#!/bin/bash
# Build the library kernel from Debian's linux-source-6.12 with our port.
#
#   build-kernel.sh OUT_DIR
#   KERNEL_VARIANT=debug build-kernel.sh OUT_DIR	(adds config/debug.config)
#
# Produces OUT_DIR/lkl.o (the kernel as one relocatable object whose only
# global symbols are the lkl_* entry points) and OUT_DIR/include/lkl (the
# kernel's exported headers, lkl_-prefixed, with lkl_sys_* wrappers).  Results are cached in $LKL_CACHE_DIR (default
# ~/.cache/kbox) under a key made of the port sources, the config, this
# script, the kernel package version and the compiler: a clean clone whose
# key is cached builds in seconds.
set -euo pipefail

out=$(realpath -m "$1")
here=$(cd "$(dirname "$0")/.." && pwd)	# lkl/
tarball=/usr/src/linux-source-6.12.tar.xz
cache_root=${LKL_CACHE_DIR:-$HOME/.cache/kbox}
jobs=${JOBS:-$(nproc)}
variant=${KERNEL_VARIANT:-}
if [ -n "$variant" ] && [ ! -f "$here/config/$variant.config" ]; then
	echo "build-kernel: no config/$variant.config for KERNEL_VARIANT=$variant" >&2
	exit 1
fi

# Entry points the kernel object exports; everything else becomes local.
exports="lkl_init lkl_start_kernel lkl_is_running lkl_sys_halt lkl_cleanup
lkl_syscall lkl_trigger_irq lkl_get_free_irq lkl_put_irq lkl_task_clone
lkl_task_adopt lkl_task_renumber lkl_task_set_exe lkl_task_set_cmdline"

[ -f "$tarball" ] || { echo "build-kernel: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }

# Bump when this script's output changes for the same inputs.
recipe=4
kver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( { echo "$recipe $kver $variant"; gcc --version | head -1; ld --version | head -1;
	 cd "$here" && find arch/lkl config patches scripts/gen-headers.py -type f |
	 sort | xargs sha256sum; } | sha256sum | cut -c1-16)
cached="$cache_root/kernel-$key"

mkdir -p "$out" "$cache_root"
# Builds of one key wait for each other, then take the cached result.
exec 9>"$cache_root/.lock-$key"
flock 9
if [ -f "$cached/lkl.o" ]; then
	echo "  KERNEL  cached ($key)"
	cmp -s "$cached/lkl.o" "$out/lkl.o" || cp "$cached/lkl.o" "$out/lkl.o"
	rsync -a --delete "$cached/include/" "$out/include/"
	exit 0
fi

# An extracted tree is reused across builds for incremental compiles; a
# new kernel package or a changed patch set means a fresh tree.
src="$out/linux"
stamp="$src/.kbox-kernel-version"
tree_id="$kver $(cat "$here"/patches/*.patch 2>/dev/null | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$tree_id" ]; then
	echo "  UNTAR   $tarball"
	rm -rf "$src" "$out/linux-source-6.12"
	tar -C "$out" -xf "$tarball"
	mv "$out/linux-source-6.12" "$src"
	# The few fixes to generic code that the port needs (see each patch).
	for p in "$here"/patches/*.patch; do
		[ -e "$p" ] || continue
		echo "  PATCH   $(basename "$p")"
		patch -s -p1 -d "$src" < "$p"
	done
	echo "$tree_id" > "$stamp"
fi
rsync -a --delete "$here/arch/lkl/" "$src/arch/lkl/"

export OUTPUT_FORMAT
OUTPUT_FORMAT=$(ld -r --print-output-format)
kmake() { make -C "$src" ARCH=lkl -j"$jobs" "$@"; }

# The fragment: lkl.config, then the variant's, whose settings win.
fragments="$here/config/lkl.config${variant:+ $here/config/$variant.config}"
# shellcheck disable=SC2086
cat $fragments | awk '
	match($0, /^(# )?CONFIG_[A-Z0-9_]+[= ]/) {
		name = substr($0, RSTART, RLENGTH - 1); sub(/^# /, "", name)
		last[name] = NR
	}
	{ line[NR] = $0; n = NR }
	END { for (i = 1; i <= n; i++)
		if (!match(line[i], /^(# )?CONFIG_[A-Z0-9_]+[= ]/)) print line[i]
		else { nm = substr(line[i], RSTART, RLENGTH - 1); sub(/^# /, "", nm)
		       if (last[nm] == i) print line[i] } }' > "$out/kernel.config.new"
if ! cmp -s "$out/kernel.config.new" "$src/.kbox-config-fragment"; then
	echo "  CONFIG  allnoconfig + lkl/config/lkl.config${variant:+ + $variant.config}"
	kmake -s KCONFIG_ALLCONFIG="$out/kernel.config.new" allnoconfig
	cp "$out/kernel.config.new" "$src/.kbox-config-fragment"
fi
rm -f "$out/kernel.config.new"
# Every option the fragment asks for must have survived Kconfig.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$src/.kbox-config-fragment" | while read -r opt; do
	grep -qx "$opt" "$src/.config" || echo "$opt"; done)
if [ -n "$missing" ]; then
	echo "build-kernel: Kconfig dropped these options:" $missing >&2
	exit 1
fi

kmake vmlinux
# The GOT symbol of -fPIC code is the final linker's to provide.
undefined=$(nm -u "$src/vmlinux" | grep -v " _GLOBAL_OFFSET_TABLE_$" || true)
if [ -n "$undefined" ]; then
	echo "build-kernel: the kernel object has undefined symbols:" >&2
	echo "$undefined" >&2
	exit 1
fi
# -r links drop the non-executable-stack note; put it back.
objcopy $(printf -- '-G %s ' $exports) -R .eh_frame -R .comment \
	--add-section .note.GNU-stack=/dev/null \
	--set-section-flags .note.GNU-stack=contents,readonly \
	"$src/vmlinux" "$out/lkl.o.tmp"
mv "$out/lkl.o.tmp" "$out/lkl.o"

rm -rf "$out/uapi"
kmake -s headers_install INSTALL_HDR_PATH="$out/uapi"
python3 "$here/scripts/gen-headers.py" --uapi "$out/uapi/include" \
	--ksrc "$src" --out "$out/include"

tmp=$(mktemp -d "$cache_root/.tmp.XXXXXX")
cp -a "$out/lkl.o" "$out/include" "$tmp/"
rm -rf "$cached"
mv "$tmp" "$cached"
echo "  KERNEL  built and cached ($key)"
