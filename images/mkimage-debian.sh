#!/bin/sh
# Build the Debian test image: a bookworm root made with
#   debootstrap --variant=minbase (as root) or mmdebstrap (rootless)
# plus python3, perl and gcc, turned into ext4 with mke2fs -d:
#   mkimage-debian.sh OUT.ext4
# It takes minutes and the network (a Debian mirror), so the image is
# cached in $LKL_CACHE_DIR (default ~/.cache/kbox), keyed by this script.
# /etc/kbox-image-id holds a token made at build time: output that shows
# it can only come from the image.
set -eu
out=$1
suite=bookworm
mirror=${KBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=python3,perl,gcc,libc6-dev,procps
size=2G

cache_root=${LKL_CACHE_DIR:-$HOME/.cache/kbox}
key=$(cat "$0" | sha256sum | cut -c1-16)
cached=$cache_root/debian-$key.ext4
mkdir -p "$cache_root" "$(dirname "$out")"
# Builds of one key wait for each other, then take the cached result.
exec 9>"$cache_root/.lock-debian-$key"
flock 9
if [ ! -f "$cached" ]; then
	echo "  IMAGE   debian ($suite minbase + $packages from $mirror; minutes)"
	tmp=$(mktemp -d "$cache_root/.debian.XXXXXX")
	trap 'rm -rf --one-file-system "$tmp"' EXIT
	if [ "$(id -u)" = 0 ] && command -v debootstrap > /dev/null; then
		debootstrap --variant=minbase --include="$packages" "$suite" \
			"$tmp/root" "$mirror" > "$tmp/log" 2>&1 ||
			{ tail -20 "$tmp/log" >&2; echo "mkimage-debian: debootstrap failed" >&2; exit 1; }
	elif command -v mmdebstrap > /dev/null; then
		mmdebstrap --mode=unshare --variant=minbase --include="$packages" \
			"$suite" "$tmp/root" "$mirror" > "$tmp/log" 2>&1 ||
			{ tail -20 "$tmp/log" >&2; echo "mkimage-debian: mmdebstrap failed" >&2; exit 1; }
	else
		echo "mkimage-debian: needs debootstrap (as root) or mmdebstrap" >&2
		exit 1
	fi
	rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
	# No host leftovers: the image names itself.
	echo kbox-debian > "$tmp/root/etc/hostname"
	head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/root/etc/kbox-image-id"
	echo >> "$tmp/root/etc/kbox-image-id"
	truncate -s "$size" "$tmp/image.ext4"
	mke2fs -q -t ext4 -L kbox-debian -d "$tmp/root" "$tmp/image.ext4"
	mv "$tmp/image.ext4" "$cached"
fi
cp --sparse=always "$cached" "$out.tmp"
mv "$out.tmp" "$out"
