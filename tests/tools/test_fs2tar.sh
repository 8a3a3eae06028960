#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fs2tar: an image made by mke2fs -d from a tree with every kind of file
# becomes a pax archive that GNU tar and bsdtar list and extract back into
# the same tree (TAP output).
#
#   1. The tree: regular, empty, 8 MiB, sparse (256 MiB apparent, three
#      data extents) and all-hole files, nested directories, symlinks
#      (relative, absolute, dangling, long), hard links, a fifo, char and
#      block devices, set-id and sticky modes, odd names (space, newline,
#      UTF-8, > 100 bytes, a path > 255 bytes), several owners (one past
#      ustar's octal limit), user xattrs with binary values, an access and a
#      default ACL, distinct mtimes, one with nanoseconds (mke2fs -d keeps
#      only seconds, so debugfs puts them into the image).
#   2. fs2tar: the archive's order, "./" names, pax headers (atime, ctime,
#      ns, xattrs, ACLs, sparse map, owner names from the image's own
#      /etc/passwd); GNU tar and bsdtar list it without a warning and
#      extract it into trees equal to the original (content, mode, owner,
#      ns mtime, xattrs, ACLs, hard-link structure); the sparse file stays
#      small in the archive.
#   3. Same archive twice, with -t given, to stdout (with a progress line
#      on stderr); -C (also through an absolute symlink, resolved inside the
#      image); a read-only image file; a vfat image.
#   4. Every failure: exit status, one line naming the file, image unchanged.
#
# test_tar2fs.sh sources this file with FS2TAR_TEST_LIB=1 for the shared
# helpers (the tree, the manifest) and runs the other direction.
#
# Environment: KBOX_TOOLS (the sanitized tools, set by make check), KEEP=1
# to leave the work directory.
set -u
export LC_ALL=C TZ=UTC
PATH=$PATH:/sbin:/usr/sbin
umask 022

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# ---- shared helpers ------------------------------------------------------

fs2tar_setup() {
	need mke2fs e2fsck debugfs tar bsdtar python3 setfacl getfacl setfattr \
		sha256sum -- e2fsprogs tar libarchive-tools python3 acl attr
	tools=${KBOX_TOOLS:-}
	[ -n "$tools" ] && [ -x "$tools/fs2tar" ] && [ -x "$tools/tar2fs" ] ||
		skip_all "no fs2tar/tar2fs in KBOX_TOOLS (set by make check)"
	[ "$(id -u)" = 0 ] || skip_all "needs root (mknod, chown)"
	work=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX") || exit 1
	if [ "${KEEP:-}" = 1 ]; then
		echo "# work directory: $work"
	else
		trap 'chattr -i "$work"/* 2>/dev/null; rm -rf "$work"' EXIT
	fi
	: > "$work/probe"
	setfattr -n user.probe -v 1 "$work/probe" 2>/dev/null &&
		setfacl -m u:1000:r "$work/probe" 2>/dev/null ||
		skip_all "no user xattrs or ACLs on $work's filesystem"
	write_helper
}

# The Python side: tree walks, manifests, archive inspection.
write_helper() {
	cat > "$work/helper.py" <<'EOF'
import hashlib, os, stat, sys, tarfile

def walk(root):
    """'.', then each directory's names sorted bytewise, depth first."""
    out = [b'.']
    def rec(path, rel):
        for n in sorted(os.listdir(path)):
            p, r = os.path.join(path, n), n if rel == b'.' else rel + b'/' + n
            out.append(r)
            if stat.S_ISDIR(os.lstat(p).st_mode):
                rec(p, r)
    rec(os.fsencode(root), b'.')
    return out

def full(root, rel):
    return os.fsencode(root) if rel == b'.' else os.path.join(os.fsencode(root), rel)

def settimes(root, base):
    """Distinct whole-second times in walk order; ns.txt gets .123456789."""
    for i, rel in enumerate(walk(root)):
        t = (base + i) * 10**9 + (123456789 if rel == b'ns.txt' else 0)
        os.utime(full(root, rel), ns=(t, t), follow_symlinks=False)

def sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()

def manifest(root, *flags):
    """One line per entry: what an extraction must reproduce.  Flag
    'noroottime': leave out the mtime of '.' (bsdtar does not set it)."""
    first = {}
    for rel in walk(root):
        p = full(root, rel)
        st = os.lstat(p)
        m = st.st_mode
        if stat.S_ISREG(m):
            what = '%d:%s' % (st.st_size, sha(p))
        elif stat.S_ISLNK(m):
            what = '-> %r' % os.readlink(p)
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            what = 'dev %d,%d' % (os.major(st.st_rdev), os.minor(st.st_rdev))
        else:
            what = '-'
        link = '-'
        if not stat.S_ISDIR(m) and st.st_nlink > 1:
            link = repr(first.setdefault((st.st_dev, st.st_ino), rel))
        try:
            names = sorted(os.listxattr(p, follow_symlinks=False))
        except OSError:
            names = []
        xattrs = ','.join('%s=%s' % (n, os.getxattr(p, n, follow_symlinks=False).hex())
                          for n in names)
        mtime = '-' if rel == b'.' and 'noroottime' in flags else st.st_mtime_ns
        print('%r %o %d:%d %s mtime=%s link=%s xattrs=%s' % (
            rel, m, st.st_uid, st.st_gid, what, mtime, link, xattrs))

def order(root):
    for rel in walk(root):
        d = b'/' if stat.S_ISDIR(os.lstat(full(root, rel)).st_mode) else b''
        print(repr(b'./' if rel == b'.' else b'./' + rel + d))

def members(archive):
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            n = m.name.encode('utf-8', 'surrogateescape')
            print(repr(n if n.endswith(b'/') or not m.isdir() else n + b'/'))

def root_member(archive):
    with tarfile.open(archive) as t:
        m = t.next()
        print('%s %o %d:%d %s' % (m.name, m.mode, m.uid, m.gid,
              ','.join(sorted(k for k in m.pax_headers if k.startswith('SCHILY')))))

def paxcheck(archive):
    """The pax headers fs2tar promises, for the tree make_tree builds."""
    bad = []
    def expect(cond, what):
        if not cond:
            bad.append(what)
    with tarfile.open(archive) as t:
        ms = t.getmembers()
    by = {m.name: m for m in ms}
    for m in ms:
        h = m.pax_headers
        expect('atime' in h and 'ctime' in h, m.name + ': atime and ctime')
        expect(not any(k.startswith('LIBARCHIVE.') for k in h),
               m.name + ': only SCHILY/GNU keywords')
    raw = lambda m, k: m.pax_headers.get(k, '').encode('utf-8', 'surrogateescape')
    expect(by['./ns.txt'].pax_headers.get('mtime', '').endswith('.123456789'),
           'ns.txt: mtime with nanoseconds')
    expect(raw(by['./small.txt'], 'SCHILY.xattr.user.bin') == b'\x00\n\xff=\x00',
           'small.txt: binary xattr value')
    expect('user:1000:rwx' in by['./acl.txt'].pax_headers.get('SCHILY.acl.access', ''),
           'acl.txt: SCHILY.acl.access')
    expect('user:1000:r-x' in by['./acl-dir'].pax_headers.get('SCHILY.acl.default', ''),
           'acl-dir: SCHILY.acl.default')
    sp = by['./sparse.bin']
    expect(sp.pax_headers.get('GNU.sparse.realsize') == str(256 << 20) and
           sum(length for _, length in (sp.sparse or [])) < (1 << 20),
           'sparse.bin: a sparse map holding only the data')
    expect(by['./small.txt'].uname == 'alice' and by['./small.txt'].gname == 'staff',
           'small.txt: owner names from the image')
    expect(by['./big-8M.bin'].uid == 3000000 and by['./big-8M.bin'].uname == '',
           'big-8M.bin: uid past the ustar limit, no name')
    expect(by['./hl-a'].islnk() and by['./hl-a'].linkname == './a/b/hl-c' and
           by['./hl-b'].linkname == './a/b/hl-c', 'hard links name the first path')
    expect(by['./chr'].ischr() and (by['./chr'].devmajor, by['./chr'].devminor) == (1, 3),
           'chr: device 1,3')
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)

getattr(sys.modules[__name__], sys.argv[1])(*[
    int(a) if a.isdigit() else a for a in sys.argv[2:]])
EOF
}

helper() { python3 "$work/helper.py" "$@"; }

# The tree of step 1 in directory $1.
make_tree() {
	local t=$1 long deep i
	mkdir -p "$t" && cd "$t" || return 1
	mkdir -m 0700 lost+found
	mkdir etc
	printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' > etc/passwd
	printf 'root:x:0:\nstaff:x:1000:\nadm:x:50:\n' > etc/group
	: > empty
	printf 'hello, fs2tar\n' > small.txt
	printf 'nanoseconds\n' > ns.txt
	head -c $((8 << 20)) /dev/urandom > big-8M.bin
	truncate -s 256M sparse.bin
	head -c 4096 /dev/urandom | dd of=sparse.bin conv=notrunc status=none
	head -c 65536 /dev/urandom |
		dd of=sparse.bin bs=1M seek=100 conv=notrunc status=none
	printf 'the end\n' | dd of=sparse.bin bs=1 seek=$(((256 << 20) - 8)) \
		conv=notrunc status=none
	truncate -s 10M hole-only.bin
	mkdir -p a/b/c/d
	printf 'deep\n' > a/b/c/d/deep.txt
	ln -s small.txt sym-rel
	ln -s /a/b abs-dir-link
	ln -s does/not/exist sym-dangling
	ln -s "$(printf 'a/long/symlink/target/%.0s' 1 2 3 4 5 6)end" sym-long
	printf 'linked\n' > hl-a
	ln hl-a hl-b
	ln hl-a a/b/hl-c
	mkfifo fifo
	mknod chr c 1 3
	mknod blk b 7 0
	printf 'suid\n' > setuid && chmod 4755 setuid
	mkdir setgid-dir && chmod 2775 setgid-dir
	mkdir sticky && chmod 1777 sticky
	printf 'space\n' > 'with space.txt'
	printf 'newline\n' > "$(printf 'new\nline')"
	printf 'utf-8\n' > 'ünïcødé файл.txt'
	mkdir '日本語' && printf 'nihongo\n' > '日本語/ファイル'
	long=$(printf 'n%.0s' $(seq 150))
	printf 'long name\n' > "$long"
	deep=a
	for i in 1 2 3 4 5; do
		deep=$deep/level-$i-$(printf 'p%.0s' $(seq 50))
	done
	mkdir -p "$deep" && printf 'long path\n' > "$deep/file.txt"
	chown 1000:1000 small.txt
	chown 65534:50 a/b
	chown 3000000:4000000 big-8M.bin
	setfattr -n user.comment -v 'hello xattr' small.txt
	setfattr -n user.bin -v 0x000aff3d00 small.txt
	setfattr -n user.dir -v 'on a directory' a
	printf 'acl\n' > acl.txt && chmod 0640 acl.txt
	setfacl -m u:1000:rwx,g:50:r-- acl.txt
	mkdir acl-dir
	printf 'made before the default ACL\n' > acl-dir/plain.txt
	setfacl -m g:50:rwx acl-dir
	setfacl -d -m u:1000:r-x acl-dir
	chmod 0755 .
	helper settimes . 1600000000
}

# An ext4 image of tree $1 in $2 with the root's and ns.txt's times, which
# mke2fs -d does not copy, set by debugfs.
image_of_tree() {
	local tree=$1 img=$2 t
	mke2fs -q -t ext4 -d "$tree" "$img" 96M > "$work/mke2fs.log" 2>&1 ||
		return 1
	t=$(stat -c %Y "$tree")
	debugfs -w -R "sif / mtime @$t" "$img" > /dev/null 2>&1 &&
	debugfs -w -R "sif /ns.txt mtime_extra $((123456789 << 2))" "$img" \
		> /dev/null 2>&1
}

sha() { sha256sum < "$1" | cut -d' ' -f1; }

fsck_clean() {	# fsck_clean IMAGE DESCRIPTION
	e2fsck -fn "$1" > "$work/fsck.log" 2>&1
	local rc=$?
	ok $rc "$2: e2fsck -fn exits 0"
	[ $rc -eq 0 ] || diag < "$work/fsck.log"
}

# same_manifest DESCRIPTION WANT_DIR GOT_DIR [FLAG...].  WANT_DIR does not
# change once built: its manifest (hashing 280 MiB) is made once.
same_manifest() {
	local desc=$1 want=$2 got=$3 cache
	shift 3
	cache=$work/manifest.$(printf '%s ' "$want" "$@" | md5sum | cut -c1-12)
	[ -s "$cache" ] || helper manifest "$want" "$@" > "$cache"
	helper manifest "$got" "$@" > "$work/got.txt"
	diff -u "$cache" "$work/got.txt" > "$work/diff.txt"
	ok $? "$desc ($(wc -l < "$cache") entries)"
	diag < "$work/diff.txt"
}

# fails RC NAME DESCRIPTION CMD...: CMD exits RC and its first line on
# stderr names NAME (for RC 1, that line is all it prints).  With $keep set
# to an image, that image must be unchanged too.
fails() {
	local rc=$1 name=$2 desc=$3 got before="" after="" lines good=0
	shift 3
	[ -n "${keep:-}" ] && before=$(sha "$keep")
	"$@" > "$work/fail.out" 2> "$work/fail.err"
	got=$?
	[ -n "${keep:-}" ] && after=$(sha "$keep")
	lines=$(wc -l < "$work/fail.err")
	[ "$got" = "$rc" ] && head -n1 "$work/fail.err" | grep -qF -- "$name" &&
		{ [ "$rc" != 1 ] || [ "$lines" = 1 ]; } &&
		[ "$before" = "$after" ] || good=1
	ok $good "$desc: exit $rc, message names $name${keep:+, image unchanged}"
	[ $good -eq 0 ] || { echo "exit $got"; cat "$work/fail.err"; } | diag
}

[ -n "${FS2TAR_TEST_LIB:-}" ] && return 0

# ---- fs2tar --------------------------------------------------------------

fs2tar_setup
fs2tar=$tools/fs2tar
tree=$work/tree
img=$work/tree.ext4

(make_tree "$tree")
ok $? "tree with every kind of file built"
image_of_tree "$tree" "$img"
ok $? "mke2fs -t ext4 -d tree (and debugfs for the times)" ||
	{ diag < "$work/mke2fs.log"; done_testing; }
fsck_clean "$img" "source image"
img_sha=$(sha "$img")

"$fs2tar" "$img" "$work/out.tar" 2> "$work/err"
ok $? "fs2tar IMAGE OUT.tar exits 0"
[ ! -s "$work/err" ]
ok $? "nothing on stderr (no progress line when stderr is not a terminal)"
diag < "$work/err"
is "$(sha "$img")" "$img_sha" "the image is unchanged"

size=$(stat -c %s "$work/out.tar")
[ "$size" -lt $((12 << 20)) ]
ok $? "archive is $size bytes for 274 MiB apparent: holes are not stored"

helper order "$tree" > "$work/order.want"
helper members "$work/out.tar" > "$work/order.got"
diff -u "$work/order.want" "$work/order.got" > "$work/diff.txt"
ok $? "members are ./ and ./path, each directory sorted, before its contents"
diag < "$work/diff.txt"

helper paxcheck "$work/out.tar" > "$work/pax.txt"
ok $? "pax headers: atime/ctime, ns, binary xattr, ACLs, sparse map, names"
diag < "$work/pax.txt"

# GNU tar: list, then extract with everything it can restore.
tar --xattrs --xattrs-include='*' --acls -tvf "$work/out.tar" \
	> "$work/gnu.list" 2> "$work/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$work/err" ]
ok $? "GNU tar lists it (exit $rc, no warning)"
diag < "$work/err"
is "$(grep -c . "$work/gnu.list")" "$(wc -l < "$work/order.want")" \
	"GNU tar lists every entry"
mkdir "$work/x-gnu"
tar -C "$work/x-gnu" --xattrs --xattrs-include='*' --acls --numeric-owner \
	-xpf "$work/out.tar" 2> "$work/err"
ok $? "GNU tar extracts it"
diag < "$work/err"
same_manifest "GNU tar's extraction equals the tree" "$tree" "$work/x-gnu"
[ "$(du -k "$work/x-gnu/sparse.bin" | cut -f1)" -lt 1024 ]
ok $? "GNU tar restores sparse.bin with its holes"

# bsdtar converts UTF-8 names to the locale's charset: give it one.
LC_ALL=C.UTF-8 bsdtar -tvf "$work/out.tar" > "$work/bsd.list" 2> "$work/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$work/err" ]
ok $? "bsdtar lists it (exit $rc, no warning)"
diag < "$work/err"
mkdir "$work/x-bsd"
LC_ALL=C.UTF-8 bsdtar -C "$work/x-bsd" --numeric-owner -xpf "$work/out.tar" \
	2> "$work/err"
ok $? "bsdtar extracts it"
diag < "$work/err"
# bsdtar leaves the time of the directory it extracts into alone.
same_manifest "bsdtar's extraction equals the tree" "$tree" "$work/x-bsd" \
	noroottime

"$fs2tar" "$img" "$work/again.tar"
is "$(sha "$work/again.tar")" "$(sha "$work/out.tar")" \
	"a second run gives the same archive, byte for byte"
"$fs2tar" -t ext4 "$img" "$work/typed.tar"
is "$(sha "$work/typed.tar")" "$(sha "$work/out.tar")" \
	"-t ext4 gives the same archive as detection"
"$fs2tar" --progress "$img" - > "$work/stdout.tar" 2> "$work/err"
ok $? "fs2tar --progress IMAGE - exits 0"
is "$(sha "$work/stdout.tar")" "$(sha "$work/out.tar")" \
	"the archive on stdout is the same"
grep -q 'fs2tar: [0-9]* files' "$work/err"
ok $? "the progress line went to stderr"
"$fs2tar" -q --progress "$img" /dev/null 2> "$work/err" || true
"$fs2tar" --progress -q "$img" /dev/null 2>> "$work/err"
[ ! -s "$work/err" ]
ok $? "-q silences the progress line"

# -C: the directory's contents, its own metadata on "./".
"$fs2tar" -C a "$img" "$work/sub.tar"
ok $? "fs2tar -C a exits 0"
helper order "$tree/a" > "$work/order.want"
helper members "$work/sub.tar" > "$work/order.got"
diff -u "$work/order.want" "$work/order.got" > "$work/diff.txt"
ok $? "-C a: the members are a's contents"
diag < "$work/diff.txt"
is "$(helper root_member "$work/sub.tar")" ". 755 0:0 SCHILY.xattr.user.dir" \
	"-C a: ./ carries a's mode, owner and xattr"
"$fs2tar" -C abs-dir-link "$img" "$work/link.tar"
ok $? "-C through a symlink to /a/b exits 0"
helper order "$tree/a/b" > "$work/order.want"
helper members "$work/link.tar" > "$work/order.got"
cmp -s "$work/order.want" "$work/order.got"
ok $? "-C abs-dir-link: /a/b of the image, not of the host"

# A read-only image file: mode 0444 for an unprivileged user, immutable.
chmod 0755 "$work"
cp "$img" "$work/ro.ext4" && chmod 0444 "$work/ro.ext4"
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$fs2tar" "$work/ro.ext4" - > "$work/ro.tar" 2> "$work/err"
	ok $? "fs2tar on a 0444 image as an unprivileged user"
	diag < "$work/err"
	is "$(sha "$work/ro.tar")" "$(sha "$work/out.tar")" "... same archive"
else
	ok 0 "read-only image as a user # SKIP no setpriv (util-linux)"
fi
cp "$img" "$work/immutable.ext4"
if chattr +i "$work/immutable.ext4" 2> /dev/null; then
	"$fs2tar" "$work/immutable.ext4" "$work/imm.tar"
	ok $? "fs2tar on an immutable (chattr +i) image"
	chattr -i "$work/immutable.ext4"
else
	ok 0 "immutable image # SKIP chattr +i not supported here"
fi

# vfat: no type given, and -t vfat.
if command -v mkfs.vfat > /dev/null && command -v mcopy > /dev/null; then
	vt=$work/vfat-tree
	mkdir -p "$vt/sub" && printf 'hello vfat\n' > "$vt/hello.txt" &&
		head -c 100000 /dev/urandom > "$vt/sub/data.bin"
	mkfs.vfat -C "$work/v.img" 8192 > /dev/null &&
		mcopy -s -i "$work/v.img" "$vt/hello.txt" "$vt/sub" ::/
	ok $? "vfat image made with mkfs.vfat and mcopy"
	"$fs2tar" "$work/v.img" "$work/v.tar" 2> "$work/err"
	ok $? "fs2tar of the vfat image (type detected)"
	diag < "$work/err"
	mkdir "$work/x-vfat" && tar -C "$work/x-vfat" -xf "$work/v.tar" &&
		cmp "$vt/hello.txt" "$work/x-vfat/hello.txt" &&
		cmp "$vt/sub/data.bin" "$work/x-vfat/sub/data.bin"
	ok $? "the vfat files come back from the archive"
	"$fs2tar" -t vfat "$work/v.img" - | cmp -s - "$work/v.tar"
	ok $? "-t vfat gives the same archive"
else
	ok 0 "vfat # SKIP no mkfs.vfat/mcopy (dosfstools, mtools)"
fi

# ---- failures ------------------------------------------------------------

head -c $((4 << 20)) /dev/urandom > "$work/junk.img"
keep=
fails 1 nope.img "missing image" "$fs2tar" "$work/nope.img" "$work/o.tar"
[ ! -e "$work/o.tar" ]
ok $? "missing image: no output file left"
keep=$img
fails 1 "$img" "wrong type (-t vfat on ext4)" \
	"$fs2tar" -t vfat "$img" "$work/o.tar"
fails 1 "$img" "unknown type" "$fs2tar" -t nosuchfs "$img" "$work/o.tar"
fails 1 "$img" "-C missing" "$fs2tar" -C no/such/dir "$img" "$work/o.tar"
fails 1 "$img" "-C not a directory" "$fs2tar" -C small.txt "$img" "$work/o.tar"
[ ! -e "$work/o.tar" ]
ok $? "failures before the walk leave no output file"
fails 1 "$work/no-dir/o.tar" "output in a missing directory" \
	"$fs2tar" "$img" "$work/no-dir/o.tar"
fails 2 "nosuch" "bad option" "$fs2tar" --nosuch "$img" "$work/o.tar"
fails 2 "expected IMAGE" "one operand" "$fs2tar" "$img"
keep=$work/junk.img
fails 1 junk.img "not an image" "$fs2tar" "$work/junk.img" "$work/o.tar"
fails 1 junk.img "corrupt image forced as ext4" \
	"$fs2tar" -t ext4 "$work/junk.img" "$work/o.tar"
cp "$img" "$work/corrupt.ext4"
dd if=/dev/zero of="$work/corrupt.ext4" bs=1k seek=2 count=4 conv=notrunc \
	status=none	# the group descriptors
keep=$work/corrupt.ext4
fails 1 corrupt.ext4 "ext4 image with its group descriptors zeroed" \
	"$fs2tar" "$work/corrupt.ext4" "$work/o.tar"
keep=
"$fs2tar" --help > "$work/help" 2>&1
ok $? "--help exits 0"
grep -q '^Usage: fs2tar ' "$work/help"
ok $? "--help prints the usage"
"$fs2tar" --version | grep -q '^fs2tar (kbox) '
ok $? "--version names the tool"

done_testing
