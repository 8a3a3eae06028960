#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tar2fs: archives made by GNU tar and bsdtar (plain, gzip, on stdin) fill
# fresh ext4 images with the same fidelity; fs2tar gives them back (TAP
# output).
#
#   1. The tree of test_fs2tar.sh (every kind of file, xattrs, ACLs, ns
#      times, sparse) archived by GNU tar (pax, --xattrs --acls --sparse)
#      -> tar2fs into a fresh image -> e2fsck clean, debugfs shows a file,
#      a symlink, a device, an xattr and ns times -> fs2tar -> both
#      archives list the same, and GNU tar extracts the tree exactly.
#   2. The same from a bsdtar archive, a gzip-compressed one, stdin, GNU
#      tar's own format (-t given); and a second tar2fs over a full image
#      (existing files replaced).
#   3. -C; an archive crafted to escape ("../", absolute, through a symlink
#      in the image, hard links out) changes nothing outside the target,
#      in the image or on the host; vfat.
#   4. Every failure: exit status, one line naming the file, the image
#      unchanged where nothing may be written (bad input, bad -C,
#      read-only image), e2fsck clean where it was written (truncated
#      archive, image full).
#
# Environment: KBOX_TOOLS (set by make check), KEEP=1 keeps the work dir.

FS2TAR_TEST_LIB=1
. "$(dirname "$0")/test_fs2tar.sh"
fs2tar_setup
fs2tar=$tools/fs2tar
tar2fs=$tools/tar2fs
tree=$work/tree
mkdir "$work/empty"

fresh() {	# fresh IMAGE [SIZE]: an empty ext4 image
	rm -f "$1"
	mke2fs -q -t ext4 -d "$work/empty" "$1" "${2:-96M}" > /dev/null 2>&1
}
dbg() { debugfs -R "$2" "$1" 2> /dev/null; }

# The `tar -tv` listing of an archive, made comparable across tools:
# sorted by name (GNU tar stores readdir order, fs2tar sorted order);
# a hard link shown as the file with its size, since which path carries
# the data follows that order; and for a member with an ACL ("+"), the
# group bits of the mode left out, since GNU tar writes the ACL mask
# there and libarchive (bsdtar, fs2tar) the owning group's entry.
listing() {
	tar --acls --numeric-owner -tvf "$1" | awk '
	{ $1 = $1; line[NR] = $0; name = $6; for (i = 7; i <= NF && $i != "->" &&
	  $i != "link"; i++) name = name " " $i; nm[NR] = name; size[name] = $3 }
	END {
		for (n = 1; n <= NR; n++) {
			$0 = line[n]
			if (substr($1, 1, 1) == "h") {
				$1 = "-" substr($1, 2)
				$3 = size[$NF]
				NF -= 3
			}
			if (substr($1, 11, 1) == "+")
				$1 = substr($1, 1, 4) "???" substr($1, 8)
			print
		}
	}' | sort -k6
}

# tar2fs ARCHIVE into a fresh image, check it, archive it back, extract
# that with GNU tar and compare with the tree.  $1 tag, $2 archive, $3
# (optional) "stdin" to feed the archive on standard input.
round_trip() {
	local tag=$1 in=$2 how=${3:-} img=$work/$1.ext4 rc
	fresh "$img"
	if [ "$how" = stdin ]; then
		"$tar2fs" "$img" - < "$in" 2> "$work/err"
	else
		"$tar2fs" "$img" "$in" 2> "$work/err"
	fi
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$work/err" ]
	ok $? "$tag: tar2fs exits 0, says nothing"
	diag < "$work/err"
	fsck_clean "$img" "$tag"
	"$fs2tar" "$img" "$work/$tag.back.tar"
	ok $? "$tag: fs2tar of the filled image"
	rm -rf "$work/x-$tag" && mkdir "$work/x-$tag" &&
		tar -C "$work/x-$tag" --xattrs --xattrs-include='*' --acls \
		--numeric-owner -xpf "$work/$tag.back.tar"
	ok $? "$tag: GNU tar extracts that"
	same_manifest "$tag: the extraction equals the tree" "$tree" \
		"$work/x-$tag"
}

(make_tree "$tree")
ok $? "tree with every kind of file built"
tar -C "$tree" --format=pax --xattrs --xattrs-include='*' --acls --sparse \
	-cf "$work/gnu.tar" .
ok $? "GNU tar archives it (pax, xattrs, ACLs, sparse)"

# ---- GNU tar archive -------------------------------------------------------

round_trip gnu "$work/gnu.tar"
img=$work/gnu.ext4
dbg "$img" "stat /small.txt" > "$work/stat"
grep -q 'Mode:  0644' "$work/stat" && grep -q 'User:  1000   Group:  1000' \
	"$work/stat" && grep -q 'Size: 14$' "$work/stat"
ok $? "debugfs: small.txt has its mode, owner and size" || diag < "$work/stat"
dbg "$img" "stat /ns.txt" | grep -q "mtime: 0x[0-9a-f]*:$(printf '%08x' $((123456789 << 2)))"
ok $? "debugfs: ns.txt's mtime has its nanoseconds"
dbg "$img" "stat /sym-rel" | grep -q 'Fast link dest: "small.txt"'
ok $? "debugfs: sym-rel is a symlink to small.txt"
dbg "$img" "stat /chr" | grep -q 'Device major/minor number: 01:03'
ok $? "debugfs: chr is device 1,3"
dbg "$img" "ea_list /small.txt" | grep -q 'user.comment (11) = "hello xattr"'
ok $? "debugfs: small.txt's user.comment xattr"
blocks=$(dbg "$img" "stat /sparse.bin" | sed -n 's/.*Blockcount: \([0-9]*\).*/\1/p')
[ -n "$blocks" ] && [ "$blocks" -lt 1024 ]
ok $? "debugfs: sparse.bin holds only its data ($blocks sectors)"
listing "$work/gnu.tar" > "$work/list.want"
listing "$work/gnu.back.tar" > "$work/list.got"
diff -u "$work/list.want" "$work/list.got" > "$work/diff.txt"
ok $? "tar -tv lists GNU tar's archive and fs2tar's alike"
diag < "$work/diff.txt"

# Over the filled image again: every file is there and gets replaced.
"$tar2fs" "$img" "$work/gnu.tar" 2> "$work/err"
ok $? "tar2fs again over the same files exits 0"
diag < "$work/err"
fsck_clean "$img" "twice"
mkdir "$work/x-twice" && "$fs2tar" "$img" - |
	tar -C "$work/x-twice" --xattrs --xattrs-include='*' --acls \
	--numeric-owner -xpf -
same_manifest "twice: the image still holds exactly the tree" "$tree" \
	"$work/x-twice"

# ---- bsdtar, gzip, stdin ---------------------------------------------------

# --format=pax: bsdtar's default ("restricted" pax) drops nanoseconds.
(cd "$tree" && LC_ALL=C.UTF-8 bsdtar --format=pax --acls --xattrs \
	-cf "$work/bsd.tar" .)
ok $? "bsdtar archives the tree"
round_trip bsd "$work/bsd.tar"
tar -C "$tree" --format=pax --xattrs --xattrs-include='*' --acls --sparse \
	-czf "$work/gnu.tar.gz" .
round_trip gzip "$work/gnu.tar.gz"
round_trip stdin "$work/gnu.tar" stdin

# GNU's own format (no xattrs, ACLs or ns), the type given: same listing.
tar -C "$tree" --format=gnu --sparse -cf "$work/gnufmt.tar" .
fresh "$work/gnufmt.ext4"
"$tar2fs" -t ext4 "$work/gnufmt.ext4" "$work/gnufmt.tar" 2> "$work/err"
ok $? "gnu format, -t ext4: tar2fs exits 0"
diag < "$work/err"
fsck_clean "$work/gnufmt.ext4" "gnu format"
"$fs2tar" -t ext4 "$work/gnufmt.ext4" "$work/gnufmt.back.tar"
listing "$work/gnufmt.tar" > "$work/list.want"
listing "$work/gnufmt.back.tar" > "$work/list.got"
diff -u "$work/list.want" "$work/list.got" > "$work/diff.txt"
ok $? "gnu format: tar -tv lists both archives alike"
diag < "$work/diff.txt"

# ACLs only as GNU tar's text, which names users and groups as the host
# knows them (no raw system.posix_acl_* xattr to fall back on).
tar -C "$tree" --format=pax --acls -cf "$work/acl.tar" ./acl.txt ./acl-dir
fresh "$work/acl.ext4"
"$tar2fs" "$work/acl.ext4" "$work/acl.tar" 2> "$work/err"
ok $? "ACL text only: tar2fs exits 0"
diag < "$work/err"
mkdir "$work/x-acl" && "$fs2tar" "$work/acl.ext4" - |
	tar -C "$work/x-acl" --acls --numeric-owner -xpf -
[ "$(getfacl -pcn "$work/x-acl/acl.txt")" = "$(getfacl -pcn "$tree/acl.txt")" ] &&
	[ "$(getfacl -pcn "$work/x-acl/acl-dir")" = "$(getfacl -pcn "$tree/acl-dir")" ]
ok $? "ACL text only: both ACLs come back the same"

# ---- -C ----------------------------------------------------------------------

img=$work/sub.ext4
fresh "$img"
printf 'inside\n' > "$work/inside.txt"
tar -C "$work" -cf "$work/dirs.tar" empty/
"$tar2fs" "$img" "$work/dirs.tar" && mkdir -p "$work/small/x" &&
	printf 'one\n' > "$work/small/x/one" && tar -C "$work/small" -cf "$work/small.tar" .
ok $? "an image with /empty, and a small archive"
"$tar2fs" -C empty "$img" "$work/small.tar"
ok $? "tar2fs -C empty exits 0"
[ "$(dbg "$img" "cat /empty/x/one")" = one ] &&
	! dbg "$img" "ls /" | grep -qw x
ok $? "-C empty: the files are under /empty, not at the root"
"$fs2tar" -C empty "$img" - | tar -tf - | sort > "$work/c.got"
tar -tf "$work/small.tar" | sort > "$work/c.want"
cmp -s "$work/c.want" "$work/c.got"
ok $? "fs2tar -C empty lists what went in"
fsck_clean "$img" "-C"

# ---- escapes -----------------------------------------------------------------

python3 - "$work/evil.tar" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)
def member(name, data=b'x\n', **kw):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    for k, v in kw.items():
        setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data) if ti.isreg() else None)
member('../evil')
member('/abs/path')
member('link', type=tarfile.SYMTYPE, linkname='/', size=0)
member('link/etc/x')
member('ok/a/../../../evil2')
member('ok/hl-out', type=tarfile.LNKTYPE, linkname='../../outside', size=0)
member('ok/hl-via', type=tarfile.LNKTYPE, linkname='link/etc/passwd', size=0)
member('.wh.whiteout')
member('ok/file', b'fine\n')
t.close()
EOF
ok $? "python3 tarfile crafts an escaping archive"
img=$work/evil.ext4
fresh "$img" && debugfs -w -R "mkdir /target" "$img" > /dev/null 2>&1
abs_before=$( [ -e /abs ] && echo yes )
etc_before=$( [ -e /etc/x ] && echo yes )
mkdir "$work/run"
(cd "$work/run" && "$tar2fs" -C target "$img" "$work/evil.tar") 2> "$work/err"
is $? 1 "evil archive: tar2fs exits 1"
for name in ../evil link/etc/x ok/a/../../../evil2 ok/hl-out ok/hl-via /abs/path; do
	grep -qF -- "tar2fs: $name: " "$work/err"
	ok $? "evil archive: $name reported"
done
diag < "$work/err"
dbg "$img" "ls -p /" | awk -F/ 'NF > 5 { print $6 }' | sort | tr '\n' ' ' > "$work/ls"
is "$(cat "$work/ls")" ". .. lost+found target " \
	"evil archive: nothing beside the target at the image's root"
[ "$(dbg "$img" "cat /target/ok/file")" = fine ] &&
	[ "$(dbg "$img" "cat /target/abs/path")" = x ] &&
	dbg "$img" "stat /target/.wh.whiteout" | grep -q 'Type: regular'
ok $? "evil archive: the good members are in (abs/path made relative)"
! dbg "$img" "stat /target/link/etc/x" | grep -q Inode &&
	! dbg "$img" "stat /etc" | grep -q Inode
ok $? "evil archive: nothing went through the symlink"
[ ! -e "$work/evil" ] && [ ! -e "$work/evil2" ] && [ ! -e "$work/run/evil" ] &&
	[ "$( [ -e /abs ] && echo yes )" = "$abs_before" ] &&
	[ "$( [ -e /etc/x ] && echo yes )" = "$etc_before" ]
ok $? "evil archive: nothing on the host"
fsck_clean "$img" "evil archive"

# ---- vfat --------------------------------------------------------------------

if command -v mkfs.vfat > /dev/null && command -v fsck.fat > /dev/null; then
	mkfs.vfat -C "$work/v.img" 8192 > /dev/null
	"$tar2fs" "$work/v.img" "$work/small.tar" 2> "$work/err"
	ok $? "tar2fs into a vfat image (owners and modes do not apply)"
	diag < "$work/err"
	fsck.fat -n "$work/v.img" > "$work/fsck.log" 2>&1
	ok $? "vfat: fsck.fat -n is clean"
	"$fs2tar" "$work/v.img" - | tar -xOf - ./x/one | grep -qx one
	ok $? "vfat: the file comes back"
else
	ok 0 "vfat # SKIP no mkfs.vfat/fsck.fat (dosfstools)"
fi

# ---- failures ----------------------------------------------------------------

img=$work/fail.ext4
mkdir "$work/seed" && printf 'seed\n' > "$work/seed/file" &&
	mke2fs -q -t ext4 -d "$work/seed" "$img" 16M > /dev/null 2>&1
head -c 100000 /dev/urandom > "$work/junk.bin"
head -c 30000 "$work/gnu.tar" > "$work/truncated.tar"
keep=$img
fails 1 nope.img "missing image" "$tar2fs" "$work/nope.img" "$work/small.tar"
fails 1 no-such.tar "missing archive" "$tar2fs" "$img" "$work/no-such.tar"
fails 1 junk.bin "not an archive" "$tar2fs" "$img" "$work/junk.bin"
fails 1 "(stdin)" "not an archive on stdin" \
	sh -c '"$1" "$2" - < "$3"' - "$tar2fs" "$img" "$work/junk.bin"
fails 1 "$img" "wrong type (-t vfat on ext4)" \
	"$tar2fs" -t vfat "$img" "$work/small.tar"
fails 1 "$img" "unknown type" "$tar2fs" -t nosuchfs "$img" "$work/small.tar"
fails 1 "$img" "-C missing" "$tar2fs" -C no/such "$img" "$work/small.tar"
fails 1 "$img" "-C not a directory" \
	"$tar2fs" -C file "$img" "$work/small.tar"
fails 2 nosuch "bad option" "$tar2fs" --nosuch "$img" "$work/small.tar"
keep=$work/junk.bin
fails 1 junk.bin "not an image" "$tar2fs" "$work/junk.bin" "$work/small.tar"

# Read-only image files: 0444 for an unprivileged user, immutable.
chmod 0755 "$work"
cp "$img" "$work/ro.ext4" && chmod 0444 "$work/ro.ext4"
keep=$work/ro.ext4
if command -v setpriv > /dev/null; then
	fails 1 ro.ext4 "0444 image as an unprivileged user" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tar2fs" "$work/ro.ext4" "$work/small.tar"
else
	ok 0 "read-only image as a user # SKIP no setpriv (util-linux)"
fi
cp "$img" "$work/immutable.ext4"
keep=$work/immutable.ext4
if chattr +i "$work/immutable.ext4" 2> /dev/null; then
	fails 1 immutable.ext4 "immutable (chattr +i) image" \
		"$tar2fs" "$work/immutable.ext4" "$work/small.tar"
	chattr -i "$work/immutable.ext4"
else
	ok 0 "immutable image # SKIP chattr +i not supported here"
fi
keep=

# Written, but must stay consistent.
"$tar2fs" "$img" "$work/truncated.tar" 2> "$work/err"
is $? 1 "truncated archive: exit 1"
grep -q 'truncated.tar: .*Truncated' "$work/err"
ok $? "truncated archive: the message names the archive"
diag < "$work/err"
fsck_clean "$img" "truncated archive"

mkdir "$work/big" && head -c $((20 << 20)) /dev/urandom > "$work/big/file-20M" &&
	printf 'after\n' > "$work/big/zz-after" &&
	tar -C "$work/big" -cf "$work/big.tar" .
fresh "$work/full.ext4" 8M
"$tar2fs" "$work/full.ext4" "$work/big.tar" 2> "$work/err"
is $? 1 "image full: exit 1"
grep -q 'file-20M: .*No space left on device' "$work/err"
ok $? "image full: ENOSPC reported naming the member"
diag < "$work/err"
fsck_clean "$work/full.ext4" "image full"

"$tar2fs" --help > "$work/help" 2>&1 && grep -q '^Usage: tar2fs ' "$work/help"
ok $? "--help prints tar2fs's usage, exits 0"
"$tar2fs" --version | grep -q '^tar2fs (kbox) '
ok $? "--version names tar2fs"

done_testing
