#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cptofs and cpfromfs (TAP output).
#
#   1. Round trip: a host tree holding every kind of file and metadata goes
#      into an ext4 image made by mke2fs -d (cptofs), e2fsck -fn is clean,
#      debugfs sees the owners, modes, links, xattrs, device numbers,
#      nanosecond times and holes, and cpfromfs brings it back: the copy
#      equals the original in content, holes, type, mode, owner, times
#      (ns), xattrs (ACLs included) and hard-link structure.
#   2. Destination semantics as cp's, glob sources both ways, copying into
#      and out of subdirectories, a directory's contents with "DIR/.".
#   3. -P on a partitioned image; -t given and omitted.
#   4. vfat: what it cannot hold is a warning (owners, xattrs) or an error
#      for that file (symlinks, special files); the rest is copied.
#
# Bad input is tested in test_cptofs_badinput.sh.  Needs root (device
# nodes, owners, trusted.* xattrs).  KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"

[ -n "${KBOX_TOOLS:-}" ] || skip_all "KBOX_TOOLS not set (run through make check)"
CPTOFS=$KBOX_TOOLS/cptofs
CPFROMFS=$KBOX_TOOLS/cpfromfs
[ -x "$CPTOFS" ] && [ -x "$CPFROMFS" ] || skip_all "no cptofs/cpfromfs in $KBOX_TOOLS"
need mke2fs e2fsck debugfs python3 setfacl setfattr mkfs.vfat fsck.fat mtype \
	-- e2fsprogs python3 acl attr dosfstools mtools
[ "$(id -u)" = 0 ] || skip_all "needs root (device nodes, owners, trusted xattrs)"

work=$(mktemp -d "${TMPDIR:-/tmp}/test_cptofs.XXXXXX") || exit 1
if [ "${KEEP:-}" = 1 ]; then
	echo "# work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi

# run CMD...: status in $rc, stdout in $work/out, stderr in $work/err.
run() {
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
}
show_err() { diag < "$work/err"; }

fsck_clean() {	# fsck_clean IMAGE DESCRIPTION
	e2fsck -fn "$1" > "$work/fsck.log" 2>&1
	ok $? "$2: e2fsck -fn exits 0" || diag < "$work/fsck.log"
}

dbg() { debugfs -R "$1" "$2" 2>/dev/null; }

# One line per entry of a tree: path, type, mode, owner, links, size,
# rdev, ns mtime and atime, symlink target, content, xattrs, and the
# first path of its hard-link group.  Content is a hash of the data
# extents (found with SEEK_DATA/SEEK_HOLE), plus the extent map for files
# with holes, so holes must be where they were.  Files are read with
# O_NOATIME and each entry is lstat'ed before its directory is read, so
# listing changes none of the times it lists.
cat > "$work/manifest.py" <<'EOF'
import hashlib, json, os, stat, sys

root = sys.argv[1]

def content(path, st):
    fd = os.open(path, os.O_RDONLY | os.O_NOATIME)
    h, extents, pos = hashlib.sha256(), [], 0
    try:
        while pos < st.st_size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            hole = os.lseek(fd, data, os.SEEK_HOLE)
            extents.append("%d-%d" % (data, hole))
            os.lseek(fd, data, os.SEEK_SET)
            left = hole - data
            while left:
                b = os.read(fd, min(left, 1 << 20))
                if not b:
                    break
                h.update(b)
                left -= len(b)
            pos = hole
    finally:
        os.close(fd)
    holes = st.st_blocks * 512 < st.st_size
    return h.hexdigest()[:16] + (" extents=" + ",".join(extents) if holes else "")

def xattrs(path):
    names = sorted(os.listxattr(path, follow_symlinks=False))
    return ",".join("%s=%s" % (n, os.getxattr(path, n, follow_symlinks=False).hex())
                    for n in names)

entries, groups = [], {}
def visit(rel):
    path = os.path.join(root, rel) if rel else root
    st = os.lstat(path)
    entries.append((rel or ".", path, st))
    if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
        groups.setdefault((st.st_dev, st.st_ino), []).append(rel)
    if stat.S_ISDIR(st.st_mode):
        for name in sorted(os.listdir(path)):
            visit(os.path.join(rel, name) if rel else name)
visit("")

for rel, path, st in entries:
    kind = stat.filemode(st.st_mode)[0]
    size = "-" if stat.S_ISDIR(st.st_mode) else str(st.st_size)
    target = os.readlink(path) if stat.S_ISLNK(st.st_mode) else "-"
    data = content(path, st) if stat.S_ISREG(st.st_mode) else "-"
    rdev = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)) \
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "-"
    group = "-"
    if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
        group = json.dumps(min(groups[(st.st_dev, st.st_ino)]))
    print(json.dumps(rel), kind, "%04o" % stat.S_IMODE(st.st_mode),
          "%d:%d" % (st.st_uid, st.st_gid), st.st_nlink, size, rdev,
          "m=%d" % st.st_mtime_ns, "a=%d" % st.st_atime_ns,
          json.dumps(target), data, xattrs(path), group)
EOF
manifest() { python3 "$work/manifest.py" "$1"; }

# ---- the round trip -------------------------------------------------------

long_target=$(printf 'a-long-symlink-target-%.0s' 1 2 3 4 5 6 7 8)/end

make_tree() {
	local t=$1 p i
	mkdir -p "$t" && cd "$t" || return 1
	printf 'hello, image\n' > small.txt
	: > empty
	head -c $((20 << 20)) /dev/urandom > big.bin
	# 1 GiB apparent, three data extents: at 0, at 300 MiB, at the end.
	truncate -s 1G sparse.bin
	printf 'start' | dd of=sparse.bin conv=notrunc status=none
	head -c 65536 /dev/urandom |
		dd of=sparse.bin bs=1M seek=300 conv=notrunc status=none
	printf 'end!' |
		dd of=sparse.bin bs=1 seek=$(((1 << 30) - 4)) conv=notrunc status=none
	p=deep
	for i in $(seq 1 40); do p=$p/d$i; done
	mkdir -p "$p" && printf 'bottom\n' > "$p/leaf"
	ln -s small.txt sym-rel
	ln -s /etc/hostname sym-abs
	ln -s does/not/exist sym-dangling
	ln -s "$long_target" sym-long
	ln -s deep/d1 sym-dir
	mkdir -p links/a links/b
	printf 'three names\n' > links/h1
	ln links/h1 links/a/h2
	ln links/h1 links/b/h3
	printf 'two names\n' > links/p1
	ln links/p1 links/p2
	mkfifo fifo
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock
	mknod chr c 1 3
	mknod blk b 7 0
	mknod bigdev c 250 300000
	printf 'suid\n' > setuid && chmod 4755 setuid
	printf 'sgid\n' > setgid && chmod 2711 setgid
	mkdir sticky && chmod 1777 sticky
	printf 'no mode\n' > nomode && chmod 000 nomode
	mkdir private && printf 'p\n' > private/f && chmod 700 private
	mkdir sgid-dir && chown 0:4321 sgid-dir && chmod 2775 sgid-dir
	printf 'gid from the dir\n' > sgid-dir/f
	mkdir names
	printf '1\n' > 'names/with space'
	printf '2\n' > "names/new
line"
	printf '3\n' > 'names/ünïcødé ファイル'
	printf '4\n' > names/-leading-dash
	printf '5\n' > 'names/star*'
	printf '6\n' > 'names/what?'
	printf '7\n' > 'names/back\slash'
	printf 'o\n' > owned1 && chown 1234:5678 owned1
	printf 'o\n' > owned2 && chown 65534:65534 owned2
	ln -s small.txt sym-owned && chown -h 4321:8765 sym-owned
	mkdir owned-dir && chown 2000:3000 owned-dir
	mkfifo owned-fifo && chown 777:888 owned-fifo
	printf 'x\n' > xattrs
	setfattr -n user.binary -v 0x00ff10fe80 xattrs
	setfattr -n user.text -v 'hello xattr' xattrs
	setfattr -n user.empty xattrs
	setfattr -n trusted.secret -v 0x0102 xattrs
	setfattr -n security.kbox -v label xattrs
	setfattr -n trusted.on-a-link -v L sym-rel
	setfattr -n user.on-a-dir -v D names
	printf 'acl\n' > acl && setfacl -m u:1234:rwx,g:5678:r acl
	mkdir acldir && setfacl -m u:1234:rx acldir && setfacl -d -m u:1234:rwx acldir
	printf 'inherits\n' > acldir/f
	# Times last, children before parents.  mtimes are in 2001 with
	# nanoseconds.  atimes are an hour ahead, later than the mtimes and
	# ctimes, so that relatime never updates them when a directory or a
	# symlink is read (readlink has no O_NOATIME; cptofs reads directories
	# and files with O_NOATIME, so regular files can have 1999 atimes).
	local now=$(($(date +%s) + 3600)) m a
	i=0
	find . -depth -print0 | while IFS= read -r -d '' p; do
		i=$((i + 1))
		m=$((981173106 + i)).$(printf '%09d' $((i * 123456789 % 1000000000)))
		a=$((now + i)).$(printf '%09d' $((i * 987654321 % 1000000000)))
		[ -f "$p" ] && [ ! -L "$p" ] &&
			a=$((915148800 + i)).$(printf '%09d' $((i * 7 + 1)))
		touch -h -m -d "@$m" -- "$p" && touch -h -a -d "@$a" -- "$p" || exit 1
	done
}

(make_tree "$work/tree")
ok $? "host tree built ($(find "$work/tree" | wc -l) entries)"

mkdir "$work/seed" && printf 'seed\n' > "$work/seed/seed.txt"
img=$work/rt.ext4
mke2fs -q -t ext4 -d "$work/seed" "$img" 128M > "$work/mke2fs.log" 2>&1
ok $? "mke2fs -t ext4 -d seed" || diag < "$work/mke2fs.log"

run "$CPTOFS" -i "$img" "$work/tree" /
ok $rc "cptofs the tree into the image" || show_err
[ ! -s "$work/err" ]
ok $? "cptofs said nothing on stderr (no progress line when not a terminal)" || show_err
fsck_clean "$img" "after cptofs"

# debugfs reads the image without the library kernel.
stat_has() {	# stat_has PATH REGEX DESCRIPTION
	dbg "stat \"$1\"" "$img" > "$work/dbg"
	grep -Eq "$2" "$work/dbg"
	ok $? "debugfs: $3" || diag < "$work/dbg"
}
stat_has /tree/owned1 'User: +1234 +Group: +5678' "owned1 is 1234:5678"
stat_has /tree/setuid 'Mode: +04755' "setuid keeps mode 4755"
stat_has /tree/sticky 'Mode: +01777' "sticky dir keeps mode 1777"
stat_has /tree/links/h1 'Links: 3' "h1 has 3 links"
stat_has /tree/links/p2 'Links: 2' "p2 has 2 links"
stat_has /tree/bigdev 'Device major/minor number: 250:300000' "device 250:300000"
stat_has /tree/sock 'Type: socket' "the socket is a socket"
stat_has /tree/fifo 'Type: FIFO' "the fifo is a fifo"
stat_has /tree/sym-owned 'User: +4321 +Group: +8765' "symlink owner 4321:8765"
# mtime in 2001 with ns: debugfs prints ns << 2 as the extra field.
m=$(stat -c '%Y %y' "$work/tree/small.txt")
ns=$(echo "$m" | sed 's/.*\.\([0-9]*\) .*/\1/')
want=$(printf '0x%08x:%08x' "${m%% *}" $((10#$ns << 2)))
stat_has /tree/small.txt "mtime: $want" "small.txt mtime with ns ($want)"
blocks=$(dbg 'stat /tree/sparse.bin' "$img" | sed -n 's/.*Blockcount: \([0-9]*\).*/\1/p')
[ -n "$blocks" ] && [ "$blocks" -lt 4096 ]
ok $? "debugfs: sparse.bin (1 GiB) holds $blocks sectors, holes kept"
dbg 'ea_list /tree/xattrs' "$img" > "$work/dbg"
grep -q 'user.binary (5) = 00 ff 10 fe 80' "$work/dbg" &&
	grep -q 'trusted.secret' "$work/dbg" && grep -q 'security.kbox' "$work/dbg"
ok $? "debugfs: ea_list shows user, trusted and security xattrs" || diag < "$work/dbg"
dbg 'ea_list /tree/acl' "$img" | grep -q 'system.posix_acl_access'
ok $? "debugfs: the ACL is there"
[ "$(dbg 'cat "/tree/names/ünïcødé ファイル"' "$img")" = 3 ]
ok $? "debugfs: UTF-8 name and content"
[ "$(dbg 'cat /seed.txt' "$img")" = seed ]
ok $? "debugfs: what the image held is still there"

run "$CPFROMFS" -i "$img" /tree "$work/back"
ok $rc "cpfromfs the tree back out" || show_err
manifest "$work/back" > "$work/got" 2> "$work/manifest.err"
manifest "$work/tree" > "$work/want" 2>> "$work/manifest.err"
ok $? "manifests listed ($(wc -l < "$work/want") entries)" || diag < "$work/manifest.err"
diff -u "$work/want" "$work/got" > "$work/diff"
ok $? "round trip: content, holes, types, modes, owners, ns times, xattrs, ACLs, links equal" ||
	diag < "$work/diff"
blocks=$(stat -c %b "$work/back/sparse.bin")
[ "$blocks" -lt 4096 ]
ok $? "the sparse file came back with $blocks blocks, holes kept"

# ---- destination semantics -------------------------------------------------

src=$work/src
mkdir -p "$src/dir/sub" && printf 'a\n' > "$src/a.txt" && printf 'b\n' > "$src/b.txt"
printf 'c\n' > "$src/c.log" && printf 'in dir\n' > "$src/dir/sub/f"
printf 'hidden\n' > "$src/.hidden.txt"
img=$work/dst.ext4
mke2fs -q -t ext4 -d "$work/seed" "$img" 32M > /dev/null 2>&1
# Set up the image through the tool itself: a file and two directories.
run "$CPTOFS" -i "$img" "$src/dir" /existing
ok $rc "one source, new name: dir copied as /existing" || show_err
[ "$(dbg 'cat /existing/sub/f' "$img")" = "in dir" ]
ok $? "  /existing/sub/f has the content"

run "$CPTOFS" -i "$img" "$src/a.txt" "$src/b.txt" /existing
ok $rc "two sources into an existing directory" || show_err
[ "$(dbg 'cat /existing/a.txt' "$img")$(dbg 'cat /existing/b.txt' "$img")" = ab ]
ok $? "  both landed inside it"

run "$CPTOFS" -i "$img" "$src/a.txt" /existing/sub/renamed.txt
ok $rc "one file to a new name in a subdirectory" || show_err
[ "$(dbg 'cat /existing/sub/renamed.txt' "$img")" = a ]
ok $? "  /existing/sub/renamed.txt has the content"

run "$CPTOFS" -i "$img" "$src/b.txt" /existing/sub/renamed.txt
ok $rc "one file onto an existing file replaces it" || show_err
[ "$(dbg 'cat /existing/sub/renamed.txt' "$img")" = b ]
ok $? "  it now holds the new content"

run "$CPTOFS" -i "$img" "$src/dir/." /merged
ok $rc "DIR/. to a new name copies the directory" || show_err
run "$CPTOFS" -i "$img" "$src/." /merged
ok $rc "DIR/. into an existing directory merges the contents" || show_err
dbg 'ls /merged' "$img" > "$work/ls"
grep -q 'a.txt' "$work/ls" && grep -q 'sub' "$work/ls" && grep -q 'dir' "$work/ls"
ok $? "  /merged has both trees' entries" || diag < "$work/ls"

run "$CPTOFS" -i "$img" "$src/*.txt" /globbed-dir-missing
[ $rc -ne 0 ]
ok $? "host glob with two matches and a missing destination fails"
grep -q 'globbed-dir-missing: destination is not a directory' "$work/err"
ok $? "  the message names the destination" || show_err
run "$CPTOFS" -i "$img" "$src/*.txt" /existing/sub
ok $rc "host glob (not expanded by the shell) into a directory" || show_err
dbg 'ls /existing/sub' "$img" > "$work/ls"
grep -q 'a.txt' "$work/ls" && grep -q 'b.txt' "$work/ls" &&
	! grep -q 'c.log' "$work/ls" && ! grep -q 'hidden' "$work/ls"
ok $? "  *.txt matched a.txt and b.txt, not c.log nor .hidden.txt" || diag < "$work/ls"
run "$CPTOFS" -i "$img" "$src/?.log" /existing
ok $rc "? pattern" || show_err
[ "$(dbg 'cat /existing/c.log' "$img")" = c ]
ok $? "  c.log copied"
fsck_clean "$img" "after the destination tests"

mkdir "$work/hostout"
run "$CPFROMFS" -i "$img" '/existing/*.txt' "$work/hostout"
ok $rc "cpfromfs: image glob into a host directory" || show_err
[ "$(cat "$work/hostout/a.txt" "$work/hostout/b.txt" 2>&1)" = "$(printf 'a\nb')" ] &&
	[ ! -e "$work/hostout/c.log" ]
ok $? "  *.txt matched in the image: a.txt and b.txt"
run "$CPFROMFS" -i "$img" /existing/sub/f "$work/hostout/f-renamed"
ok $rc "cpfromfs: one file to a new host name" || show_err
[ "$(cat "$work/hostout/f-renamed" 2>&1)" = "in dir" ]
ok $? "  it has the content"
run "$CPFROMFS" -i "$img" /existing/sub /seed.txt "$work/hostout"
ok $rc "cpfromfs: a directory and a file into a host directory" || show_err
[ -f "$work/hostout/sub/f" ] && [ -f "$work/hostout/seed.txt" ]
ok $? "  both landed inside it"
run "$CPFROMFS" -i "$img" / "$work/whole"
ok $rc "cpfromfs: the image root to a new host directory" || show_err
[ -f "$work/whole/existing/sub/f" ] && [ -f "$work/whole/seed.txt" ] &&
	[ -d "$work/whole/lost+found" ]
ok $? "  the whole image is there"
run "$CPFROMFS" -i "$img" /existing/a.txt /existing/b.txt "$work/hostout/nodir"
[ $rc -ne 0 ] && grep -q "hostout/nodir: destination is not a directory" "$work/err"
ok $? "cpfromfs: two sources to a missing host directory fail, naming it" || show_err

run "$CPTOFS" -i "$img" -o data=journal,nodelalloc "$src/c.log" /existing/journalled.log
ok $rc "-o data=journal,nodelalloc (filesystem mount options)" || show_err
[ "$(dbg 'cat /existing/journalled.log' "$img")" = c ]
ok $? "  the file is there"
fsck_clean "$img" "after -o"
run "$CPTOFS" -i "$img" -o noatime,nodiratime,data=ordered "$src/c.log" /existing/noatime.log
ok $rc "-o noatime,nodiratime,data=ordered (generic flags become mount flags)" || show_err
[ "$(dbg 'cat /existing/noatime.log' "$img")" = c ]
ok $? "  the file is there"
sum_before=$(sha256sum < "$img")
run "$CPTOFS" -i "$img" -o ro "$src/c.log" /existing/ro.log
[ $rc -ne 0 ] && [ "$(sha256sum < "$img")" = "$sum_before" ]
ok $? "  -o ro refuses the copy" || show_err

# ---- a partitioned image; -t given and omitted -----------------------------

# An MBR with one Linux partition at 1 MiB, the filesystem made in place.
pimg=$work/part.img
truncate -s 33M "$pimg"
python3 - "$pimg" <<'EOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x83, b"\0\0\0", 2048, 32 * 2048)
    f.seek(446); f.write(entry)
    f.seek(510); f.write(b"\x55\xaa")
EOF
mke2fs -q -t ext4 -E offset=1048576 "$pimg" 32M > "$work/mke2fs.log" 2>&1
ok $? "partitioned image: MBR + ext4 at 1 MiB" || diag < "$work/mke2fs.log"
run "$CPTOFS" -i "$pimg" -P 1 -t ext4 "$src/a.txt" /
ok $rc "cptofs -P 1 -t ext4" || show_err
run "$CPTOFS" -i "$pimg" -P 1 "$src/dir" /
ok $rc "cptofs -P 1, type detected" || show_err
e2fsck -fn "$pimg?offset=1048576" > "$work/fsck.log" 2>&1
ok $? "the partition's filesystem is e2fsck-clean" || diag < "$work/fsck.log"
rm -rf "$work/pout"
run "$CPFROMFS" -i "$pimg" -P 1 / "$work/pout"
ok $rc "cpfromfs -P 1" || show_err
[ "$(cat "$work/pout/a.txt" "$work/pout/dir/sub/f" 2>&1)" = "$(printf 'a\nin dir')" ]
ok $? "  both copies came back"
run "$CPTOFS" -i "$pimg" -P 2 "$src/a.txt" /
[ $rc -ne 0 ] && grep -q "part.img: .*partition 2" "$work/err"
ok $? "-P 2 (no such partition) fails, naming the image" || show_err

# ---- vfat -----------------------------------------------------------------

vimg=$work/fat.img
mkfs.vfat -C "$vimg" 8192 > /dev/null 2>&1
vsrc=$work/vsrc
mkdir -p "$vsrc/d" && printf 'plain\n' > "$vsrc/d/plain.txt"
printf 'owned\n' > "$vsrc/d/owned.txt" && chown 1234:5678 "$vsrc/d/owned.txt"
printf 'xattr\n' > "$vsrc/d/xattr.txt" && setfattr -n user.a -v 1 "$vsrc/d/xattr.txt"
run "$CPTOFS" -i "$vimg" -t vfat "$vsrc/d" /
ok $rc "vfat: only unsupported metadata is a success" || show_err
grep -q 'fat.img:/d/owned.txt: warning: ownership not preserved' "$work/err"
ok $? "  a warning names the file whose owner was lost" || show_err
grep -q 'fat.img:/d/xattr.txt: warning: extended attributes not preserved' "$work/err"
ok $? "  a warning names the file whose xattrs were lost" || show_err
[ "$(MTOOLS_SKIP_CHECK=1 mtype -i "$vimg" ::/d/owned.txt 2>&1)" = owned ]
ok $? "  mtype reads the file back"
ln -s plain.txt "$vsrc/d/link" && mkfifo "$vsrc/d/fifo"
run "$CPTOFS" -i "$vimg" "$vsrc/d/plain.txt" "$vsrc/d/link" "$vsrc/d/fifo" /
[ $rc -eq 1 ]
ok $? "vfat: a symlink and a fifo cannot be copied: exit 1"
grep -q 'fat.img:/link: cannot create symlink' "$work/err" &&
	grep -q 'fat.img:/fifo: cannot create special file' "$work/err"
ok $? "  one error for each, naming it" || show_err
[ "$(MTOOLS_SKIP_CHECK=1 mtype -i "$vimg" ::/plain.txt 2>&1)" = plain ]
ok $? "  the regular file was still copied"
fsck.fat -n "$vimg" > "$work/fsck.log" 2>&1
ok $? "fsck.fat -n is clean" || diag < "$work/fsck.log"
rm -rf "$work/vout"
run "$CPFROMFS" -i "$vimg" /d "$work/vout"
ok $rc "cpfromfs from vfat (type detected)" || show_err
[ "$(cat "$work/vout/xattr.txt" 2>&1)" = xattr ]
ok $? "  the content came back"

# ---- the progress line ------------------------------------------------------

run "$CPFROMFS" -i "$img" --progress /existing "$work/prog"
grep -q 'files, .* MiB' "$work/err"
ok $? "--progress draws the progress line on stderr" || show_err
run "$CPFROMFS" -i "$img" -q --progress /existing "$work/prog2"
[ $rc -eq 0 ] && [ ! -s "$work/err" ]
ok $? "-q silences it, even with --progress" || show_err

done_testing
