#!/bin/sh
# Build the default root image from Debian's busybox-static:
#   mkimage-busybox.sh OUT.ext4 [SIZE]
# Every applet is a symlink in /bin, plus the usual top-level directories
# and a minimal /etc.  The image is made with mke2fs -d: no root needed.
set -eu
out=$1
size=${2:-64M}
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkimage-busybox: $bb missing (apt-get install busybox-static)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" \
	"$root/root" "$root/tmp" "$root/dev" "$root/proc" "$root/sys" "$root/home"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo kbox > "$root/etc/hostname"
echo "This root image was built by kbox from Debian's busybox-static." > "$root/etc/motd"

rm -f "$out"
mke2fs -q -t ext4 -L kbox-root -d "$root" "$out" "$size"
