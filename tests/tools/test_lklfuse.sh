#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lklfuse: an ext4 image mounted through FUSE, used like a local directory
# (TAP output).
#
#   1. One script of file operations (create, append, O_EXCL/O_APPEND/
#      O_TRUNC, truncate, renames with RENAME_NOREPLACE/RENAME_EXCHANGE,
#      hard and symbolic links, deep mkdir, rm -r, chmod/chown/touch with
#      nanoseconds, xattrs, ACLs, fifos and devices, fallocate and punched
#      holes, SEEK_DATA/SEEK_HOLE, copy_file_range, flock from two
#      processes, 3000 directory entries, 8 concurrent writers, files made
#      by an unprivileged user through allow_other) runs on a plain host
#      directory and on the mount; the trees (find -printf: mode, owner,
#      size, links, link target, mtime in ns for times/; sha256; xattrs)
#      and the scripts' logs must be identical.
#   2. fusermount3 -u: lklfuse exits 0, e2fsck -fn is clean, debugfs reads
#      what was written; a second mount shows the same tree and is ended
#      by SIGTERM, cleanly too.
#   3. A slow call (a reader blocked on a fifo, a flock waiting inside
#      lklfuse) does not stall the others.
#   4. -o ro refuses writes with EROFS and leaves the image unchanged;
#      opts=, part=, mb= and the background (daemon) mode work.
#   5. Bad inputs fail with exit 1 (or 2 for usage) and one line naming
#      the file.
#
# Needs root (chown, mknod, setpriv) and a usable /dev/fuse.  Every mount
# is undone in the EXIT trap (fusermount3 -u -z), pass or fail.
# Environment: KBOX_TOOLS (the sanitized tools), KEEP=1 keeps the work dir.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"

need mke2fs e2fsck debugfs fusermount3 mountpoint python3 setfattr getfattr \
	setfacl getfacl flock fallocate setpriv sha256sum timeout \
	-- e2fsprogs fuse3 attr acl util-linux python3 coreutils
[ -n "${KBOX_TOOLS:-}" ] || skip_all "KBOX_TOOLS not set (run through make check)"
L=$KBOX_TOOLS/lklfuse
[ -x "$L" ] || skip_all "no lklfuse at $L"
[ "$(id -u)" = 0 ] || skip_all "needs root (chown, mknod, setpriv)"
{ [ -c /dev/fuse ] && exec 9<>/dev/fuse; } 2>/dev/null ||
	skip_all "/dev/fuse is missing or unusable (no FUSE here)"
exec 9>&-
grep -qw fuse /proc/filesystems || skip_all "the host kernel has no FUSE"

work=$(mktemp -d "${TMPDIR:-/tmp}/test_lklfuse.XXXXXX") || exit 1
chmod 755 "$work"	# the unprivileged user walks through it
pids=
immutable=
cleanup() {
	local m p
	[ -n "$immutable" ] && chattr -i "$immutable"
	for m in "$work"/mnt*; do
		mountpoint -q "$m" 2>/dev/null && fusermount3 -u -z "$m" 2>/dev/null
	done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	if [ "${KEEP:-}" = 1 ]; then
		echo "# work directory: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

img=$work/disk.ext4
mnt=$work/mnt
native=$work/native
mkdir "$mnt" "$native"
head -c $((4 << 20)) /dev/urandom > "$work/data.bin"

# ---- running lklfuse -----------------------------------------------------

fuse_pid=
# start_fuse LOG IMAGE MOUNTPOINT [ARGS...]: lklfuse -f, in the background.
# Background jobs of a script ignore SIGINT, and libfuse leaves ignored
# signals alone (as it should): with SIGINT=1 it is restored first.
start_fuse() {
	local log=$1 image=$2 dir=$3 i
	shift 3
	${SIGINT:+python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'} \
		"$L" -f "$image" "$dir" "$@" > "$log" 2>&1 &
	fuse_pid=$!
	pids="$pids $fuse_pid"
	for i in $(seq 200); do
		mountpoint -q "$dir" && return 0
		kill -0 "$fuse_pid" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# wait_exit PID: its exit status, or 124 after killing it when it hangs.
wait_exit() {
	local i
	for i in $(seq 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"
		wait "$1" 2>/dev/null
		mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"
		return 124
	fi
	wait "$1"
}

# unmount LOG WHAT: fusermount3 -u, then lklfuse must exit 0.
unmount() {
	fusermount3 -u "$mnt"
	wait_exit "$fuse_pid"
	is $? 0 "$2: lklfuse exits 0" || diag < "$1"
}

# fails STATUS NAME DESCRIPTION -- ARGS...: exit STATUS, one stderr line
# naming NAME, and nothing mounted.  AS_NOBODY=1 runs it as user 65534.
fails() {
	local want=$1 what=$2 desc=$3 got lines
	shift 4
	${AS_NOBODY:+setpriv --reuid=65534 --regid=65534 --clear-groups} \
		timeout 60 "$L" "$@" > "$work/bad.out" 2> "$work/bad.err"
	got=$?
	lines=$(grep -vc '^Usage:\|^Try ' "$work/bad.err")
	[ "$got" = "$want" ] && [ "$lines" = 1 ] && grep -qF -- "$what" "$work/bad.err" &&
		! mountpoint -q "$mnt"
	ok $? "$desc: exit $want, one line naming $what" ||
		{ echo "exit $got"; cat "$work/bad.err"; } | diag
}

fsck_clean() {
	e2fsck -fn "$1" > "$work/fsck.log" 2>&1
	ok $? "$2: e2fsck -fn is clean" || diag < "$work/fsck.log"
}

sha() { sha256sum < "$1" | cut -d' ' -f1; }

# ---- the operations, run in a directory: the tree plus a log -------------

cat > "$work/helper.py" <<'EOF'
import ctypes, errno, os, sys

def name(e):
    return errno.errorcode.get(e, str(e))

def flags():
    fd = os.open("flags", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    os.write(fd, b"first\n")
    os.close(fd)
    try:
        os.open("flags", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        print("O_EXCL: opened an existing file")
    except OSError as e:
        print("O_EXCL:", name(e.errno))
    fd = os.open("flags", os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"appended\n")
    os.close(fd)
    print("O_APPEND:", open("flags", "rb").read())
    fd = os.open("flags", os.O_RDWR | os.O_TRUNC)
    print("O_TRUNC: size", os.fstat(fd).st_size)
    os.write(fd, b"after truncate\n")
    os.ftruncate(fd, 6)
    print("ftruncate: fstat size", os.fstat(fd).st_size)
    os.close(fd)
    print("read back:", open("flags", "rb").read())

def rename2():
    libc = ctypes.CDLL(None, use_errno=True)
    def r2(a, b, fl):
        if libc.renameat2(-100, a.encode(), -100, b.encode(), fl) == 0:
            return "ok"
        return name(ctypes.get_errno())
    for n, text in (("rx", "x\n"), ("ry", "y\n")):
        open(n, "w").write(text)
    os.mkdir("rdir")
    print("NOREPLACE onto existing:", r2("rx", "ry", 1))
    print("NOREPLACE to new:", r2("rx", "rz", 1))
    print("EXCHANGE files:", r2("rz", "ry", 2))
    print("rz:", open("rz").read().strip(), "ry:", open("ry").read().strip())
    print("EXCHANGE file and dir:", r2("rz", "rdir", 2))
    print("rz is dir:", os.path.isdir("rz"), "rdir is file:", os.path.isfile("rdir"))
    print("EXCHANGE with missing:", r2("ry", "nothere", 2))

def seek(path):
    fd = os.open(path, os.O_RDONLY)
    out = []
    for whence, off in ((os.SEEK_HOLE, 0), (os.SEEK_DATA, 0),
                        (os.SEEK_DATA, 8192), (os.SEEK_HOLE, 40000)):
        try:
            out.append(str(os.lseek(fd, off, whence)))
        except OSError as e:
            out.append(name(e.errno))
    os.close(fd)
    print(path, "SEEK_HOLE/DATA:", " ".join(out))

def holes():
    fd = os.open("holes", os.O_WRONLY | os.O_CREAT, 0o644)
    os.pwrite(fd, b"d" * 4096, 0)
    os.pwrite(fd, b"e" * 4096, 1 << 20)
    os.close(fd)
    fd = os.open("holes", os.O_RDONLY)
    print("holes:", os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 4096, os.SEEK_DATA),
          os.lseek(fd, (1 << 20) + 10, os.SEEK_HOLE), os.fstat(fd).st_size)
    try:
        os.lseek(fd, (1 << 20) + 4096, os.SEEK_DATA)
    except OSError as e:
        print("SEEK_DATA at EOF:", name(e.errno))
    os.close(fd)

def cfr(src, dst):
    i = os.open(src, os.O_RDONLY)
    o = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    total = 0
    while True:
        n = os.copy_file_range(i, o, 1 << 20)
        if n <= 0:
            break
        total += n
    os.close(i)
    os.close(o)
    print("copy_file_range:", total)

def unlinked():
    fd = os.open("ul", os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"still here")
    os.unlink("ul")
    st = os.fstat(fd)
    print("unlinked: nlink", st.st_nlink, "size", st.st_size, os.pread(fd, 100, 0))
    os.close(fd)
    os.makedirs("rd/a")
    fd = os.open("rd/a/f", os.O_WRONLY | os.O_CREAT, 0o644)
    os.rename("rd/a", "rd/b")
    os.write(fd, b"written after the rename\n")
    os.close(fd)
    print("renamed dir:", open("rd/b/f").read().strip())

def misc():
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    os.close(fd)
    print("fsync of a directory: ok")
    open("trunc-path", "w").write("0123456789")
    os.truncate("trunc-path", 4)
    print("truncate(2) by path:", open("trunc-path").read())
    import mmap
    fd = os.open("mapped", os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, 8192)
    m = mmap.mmap(fd, 8192)
    m[4096:4101] = b"mmap!"
    m.flush()
    m.close()
    os.close(fd)
    print("mmap write:", open("mapped", "rb").read()[4096:4101])

def xattrs(root):
    out = []
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, root)
            if rel.split("/")[0] == "lost+found":
                continue
            for x in os.listxattr(p, follow_symlinks=False):
                v = os.getxattr(p, x, follow_symlinks=False)
                out.append("x %s|%s|%s" % (rel, x, v.hex()))
    print("\n".join(sorted(out)))

# Each argument is a call, its arguments after colons (python starts slowly).
for call in sys.argv[1:]:
    fn, *args = call.split(":")
    globals()[fn](*args)
    sys.stdout.flush()
EOF
helper() { python3 "$work/helper.py" "$@"; }

# run_ops DIR: the operations, in DIR; what they print goes to stdout.
run_ops() {
	cd "$1" || return 1

	printf 'hello\n' > small
	printf 'more\n' >> small
	cat small
	dd if="$work/data.bin" of=big bs=1M status=none
	cat big big > big8

	truncate -s 100 small-trunc
	cp small small-trunc2 && truncate -s 3 small-trunc2 && cat small-trunc2
	truncate -s $((5 << 20)) sparse

	echo a > ra; echo b > rb
	mv ra rnew
	mv -f rnew rb
	echo "rb: $(cat rb)"
	mkdir d1 d2; touch d1/x
	mv -T d1 d2 && ls d2

	echo hl > hl1; ln hl1 hl2; mkdir hld; ln hl1 hld/hl3; rm hl2
	stat -c 'hl1 links %h' hl1
	ln -s hl1 sl
	ln -s /does/not/exist sdangling
	ln -s "$(printf 'long-target-%.0s' $(seq 20))" slong
	ln -s hld sldir
	echo "readlink: $(readlink sl) cat: $(cat sl) dir: $(ls sldir)"

	mkdir -p deep/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20
	echo bottom > deep/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/f
	rm -r deep/1/2/3/4/5/6/7/8/9/10
	mkdir -p rmt/a/b/c; touch rmt/a/f rmt/a/b/g; ln -s x rmt/a/s
	rm -r rmt && [ ! -e rmt ] && echo "rm -r: gone"

	touch m4755 m2750 m0000 mowned; mkdir dm1777 dm2775
	chmod 4755 m4755; chmod 2750 m2750; chmod 0 m0000
	chmod 1777 dm1777; chmod 2775 dm2775
	chown 65534:65534 mowned
	ln -s mowned slowned && chown -h 1234:5678 slowned

	mkdir times now
	touch times/a times/c times/d now/e
	ln -s a times/sym
	touch -d '2001-02-03 04:05:06.123456789' times/a
	touch -d '2002-01-01 00:00:00.000000001' times/c
	touch -m -d '2010-06-07 08:09:10.5' times/c
	touch -d '2003-03-03 03:03:03.3' times/d
	touch -a -d '2004-04-04 04:04:04.4' times/d
	touch -h -d '2005-05-05 05:05:05.555555555' times/sym
	stat -c '%n atime %x mtime %y' times/a times/c times/d
	stat -c '%n mtime %y' times/sym
	sleep 0.01; touch now/e
	[ $(($(date +%s) - $(stat -c %Y now/e))) -lt 60 ] && echo "UTIME_NOW: now"

	echo xa > xf; mkdir xdir
	setfattr -n user.comment -v hello xf
	setfattr -n user.bin -v 0x0001ff xf
	setfattr -n user.gone -v x xf
	setfattr -x user.gone xf
	setfattr -n trusted.t -v root-only xf
	setfattr -n user.dir -v on-a-dir xdir
	setfattr -h -n trusted.link -v on-a-symlink sl
	big=$(head -c 3000 /dev/zero | tr '\0' v)
	setfattr -n user.big -v "$big" xf
	echo "getfattr: $(getfattr --only-values -n user.comment xf)"
	getfattr -n user.gone xf 2>&1 | sed 's/^[^:]*: //'

	echo acl > acl-file; chmod 0640 acl-file
	setfacl -m u:65534:rw,g:1234:r acl-file
	mkdir acldir
	setfacl -d -m u:65534:rwx,g::r-x,o::- acldir
	touch acldir/inherited; mkdir acldir/subdir
	getfacl -n acl-file acldir/inherited acldir/subdir 2>/dev/null

	mkfifo fifo
	mknod chr c 1 3
	mknod blk b 7 0

	fallocate -l 1M falloc
	head -c 65536 "$work/data.bin" > punch
	fallocate -p -o 8192 -l 16384 punch
	stat -c 'falloc size %s' falloc

	cp --reflink=never big8 big8.cp
	cmp big8 big8.cp && echo "cp: identical"

	helper flags rename2 seek:punch holes cfr:big:big.cfr unlinked misc
	cmp big big.cfr && echo "copy_file_range: identical"


	touch lockf
	rm -f "$work/held"
	flock -x lockf -c "touch '$work/held'; sleep 0.5" &
	local holder=$! i
	for i in $(seq 100); do [ -e "$work/held" ] && break; sleep 0.05; done
	flock -n -x lockf true && echo "flock -n: got a held lock" ||
		echo "flock -n: busy"
	flock -w 20 -x lockf -c 'echo "flock -w: got it after release"'
	wait "$holder"

	df -P . > /dev/null && echo "df: ok"

	mkdir many
	(cd many && seq -f 'entry-%04.0f' 1 3000 | xargs touch)
	echo "many: $(ls -f many | wc -l) entries"

	mkdir conc
	for i in 1 2 3 4 5 6 7 8; do
		dd if="$work/data.bin" of="conc/w$i" bs=64k skip=$i count=16 \
			conv=fsync status=none &
	done
	wait
	echo "concurrent: $(ls conc | wc -l) files"

	mkdir -m 1777 public; mkdir -m 2777 sgid; chgrp 1234 sgid
	echo root > public/rootfile
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
		echo mine > public/nobody-file
		mkdir public/nobody-dir
		ln -s nobody-file public/nobody-link
		mkfifo public/nobody-fifo
		echo in-sgid > sgid/nobody-file
		mkdir sgid/nobody-dir
		(umask 077; echo private > public/umask077)
		echo acl-inherit > acldir/nobody-inherited
		if echo x 2>/dev/null > small; then echo "nobody: wrote small"
		else echo "nobody: may not write small"; fi
		if rm -f public/rootfile 2>/dev/null; then echo "nobody: removed"
		else echo "nobody: sticky dir protects rootfile"; fi
		if cat acl-file > /dev/null 2>&1; then echo "nobody: reads via ACL"
		else echo "nobody: no ACL read"; fi
		if cat m0000 > /dev/null 2>&1; then echo "nobody: read m0000"
		else echo "nobody: may not read m0000"; fi
	'
}

# manifest DIR: every entry but lost+found, sorted.  One walk lists them;
# devices, times/ and the contents of non-empty files are added from it.
manifest() {
	local list=$work/list
	(cd "$1" && {
		find . -mindepth 1 -path ./lost+found -prune -o \
			-type d -printf 'd %P|%M|%U|%G|%n\n' -o \
			-printf 'f %P|%M|%U|%G|%n|%s|%l\n' > "$list"
		cat "$list"
		awk -F'|' '/^f / && $2 ~ /^[bc]/ { print substr($1, 3) }' "$list" |
			xargs -r -d '\n' stat -c 'r %n|%t:%T'
		find ./times -mindepth 1 -printf 't %P|%T@\n'
		awk -F'|' '/^f / && $2 ~ /^-/ && $6 > 0 { print substr($1, 3) }' \
			"$list" | xargs -r -d '\n' sha256sum | sed 's/^/s /'
		helper xattrs:.
	} | sort)
}

# ---- 1. the same operations on a host directory and on the mount ---------

mke2fs -q -t ext4 -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 \
	-L lklfuse "$img" 96M > "$work/mke2fs.log" 2>&1
ok $? "mke2fs -t ext4" || { diag < "$work/mke2fs.log"; done_testing; }

(run_ops "$native") > "$work/native.out" 2>&1
manifest "$native" > "$work/native.manifest"

start_fuse "$work/fuse1.log" "$img" "$mnt" -o allow_other
ok $? "lklfuse -f -o allow_other mounts the image" ||
	{ diag < "$work/fuse1.log"; done_testing; }
[ "$(stat -c %u:%g:%a "$mnt")" = 0:0:755 ]
ok $? "the mount's root is the image's root (0:0, 0755)"

(run_ops "$mnt") > "$work/fuse.out" 2>&1
diff -u "$work/native.out" "$work/fuse.out" > "$work/out.diff"
ok $? "the operations print the same on the mount as on a host directory" \
	"($(wc -l < "$work/native.out") lines)" || diag < "$work/out.diff"
manifest "$mnt" > "$work/fuse.manifest"
diff -u "$work/native.manifest" "$work/fuse.manifest" > "$work/manifest.diff"
ok $? "the trees are identical ($(wc -l < "$work/native.manifest") lines:" \
	"mode, owner, links, size, target, mtime ns, sha256, xattrs)" ||
	diag < "$work/manifest.diff"
grep -q '^nobody: may not write small$' "$work/fuse.out" &&
	grep -q '^f public/nobody-file|-rw-r--r--|65534|65534|' "$work/fuse.manifest" &&
	grep -q '^f sgid/nobody-file|-rw-r--r--|65534|1234|' "$work/fuse.manifest"
ok $? "an unprivileged caller owns what it creates (setgid dir: its group)" \
	"and is refused what the host's permissions refuse"
grep -q '^many: 3002 entries$' "$work/fuse.out"
ok $? "a directory of 3000 entries is listed whole (ls -f)"
blocks=$(stat -f -c '%b %S' "$mnt" | awk '{ print $1 * $2 }')
[ "$blocks" -gt $((80 << 20)) ] && [ "$blocks" -le $((96 << 20)) ]
ok $? "statfs reports the image's size ($blocks bytes)"

cp "$work/data.bin" "$mnt/via-fuse.bin"
cp "$work/data.bin" "$native/via-fuse.bin"
manifest "$native" > "$work/native.manifest"
unmount "$work/fuse1.log" "fusermount3 -u"
! mountpoint -q "$mnt"
ok $? "the mount point is free again"
! grep -q 'Sanitizer' "$work/fuse1.log"
ok $? "no sanitizer report" || diag < "$work/fuse1.log"
fsck_clean "$img" "after fusermount3 -u"
debugfs -R "dump /via-fuse.bin $work/dumped.bin" "$img" > /dev/null 2>&1
[ "$(sha "$work/dumped.bin" 2>/dev/null)" = "$(sha "$work/data.bin")" ]
ok $? "debugfs reads a file written through FUSE"
debugfs -R "stat /public/nobody-file" "$img" 2>/dev/null |
	grep -q 'User: 65534 *Group: 65534'
ok $? "debugfs: the unprivileged caller's file is 65534:65534 in the image"

# ---- 2. the tree survives; SIGTERM ends a mount cleanly ------------------

start_fuse "$work/fuse2.log" "$img" "$mnt"
ok $? "mounted again (type detected)" || diag < "$work/fuse2.log"
manifest "$mnt" > "$work/fuse2.manifest"
diff -u "$work/native.manifest" "$work/fuse2.manifest" > "$work/manifest2.diff"
ok $? "after a remount the tree is still identical" || diag < "$work/manifest2.diff"

# 3. a slow call: a fifo reader and a flock waiter block, others go on.
mkfifo "$mnt/slowfifo"
timeout 30 cat "$mnt/slowfifo" > "$work/fifo.out" &
reader=$!
rm -f "$work/held"
flock -x "$mnt/lockf" -c "touch '$work/held'; sleep 3" &
holder=$!
for i in $(seq 100); do [ -e "$work/held" ] && break; sleep 0.05; done
flock -w 30 -x "$mnt/lockf" -c "echo waited > '$work/waiter.out'" &
waiter=$!
sleep 0.3
t0=$(date +%s%N)
timeout 10 ls "$mnt/many" > /dev/null &&
	timeout 10 sh -c "echo during > '$mnt/during.txt'" &&
	[ "$(timeout 10 cat "$mnt/during.txt")" = during ]
st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill -0 "$reader" 2>/dev/null && kill -0 "$waiter" 2>/dev/null
ok $(( st || $? || ms > 2000 )) "with a fifo reader and a flock waiter" \
	"blocked, ls and a write finish (in $ms ms)"
echo data > "$mnt/slowfifo"
wait "$reader"; wait "$holder"; wait "$waiter"
[ "$(cat "$work/fifo.out")" = data ] &&
	[ "$(cat "$work/waiter.out" 2>/dev/null)" = waited ]
ok $? "then the reader gets its data and the waiter its lock"

echo "written before SIGTERM" > "$mnt/sigterm.txt"
# A file and a directory still open on the host when the session ends.
exec 7< "$mnt/small" 8< "$mnt/many"
kill -TERM "$fuse_pid"
wait_exit "$fuse_pid"
is $? 0 "SIGTERM with a file and a directory open: lklfuse exits 0" ||
	diag < "$work/fuse2.log"
exec 7<&- 8<&-
for i in $(seq 50); do mountpoint -q "$mnt" || break; sleep 0.1; done
! mountpoint -q "$mnt"
ok $? "SIGTERM: the mount is gone"
fsck_clean "$img" "after SIGTERM"
[ "$(debugfs -R 'cat /sigterm.txt' "$img" 2>/dev/null)" = "written before SIGTERM" ]
ok $? "debugfs reads the file written just before SIGTERM"

# ---- 4. read-only, options, daemon mode ----------------------------------

before=$(sha "$img")
start_fuse "$work/ro.log" "$img" "$mnt" -o ro
ok $? "-o ro mounts" || diag < "$work/ro.log"
[ "$(cat "$mnt/small")" = "$(printf 'hello\nmore')" ]
ok $? "-o ro: files read"
refused=0
touch "$mnt/new" 2> "$work/ro.err" || refused=$((refused + 1))
{ echo x >> "$mnt/small"; } 2>> "$work/ro.err" || refused=$((refused + 1))
mkdir "$mnt/newdir" 2>> "$work/ro.err" || refused=$((refused + 1))
[ $refused = 3 ] && [ "$(grep -c 'Read-only file system' "$work/ro.err")" = 3 ]
ok $? "-o ro: create, append and mkdir fail with EROFS" || diag < "$work/ro.err"
unmount "$work/ro.log" "-o ro"
is "$(sha "$img")" "$before" "-o ro: the image is unchanged (sha256)"

start_fuse "$work/opts.log" "$img" "$mnt" \
	-o type=ext4,mb=64,kernel_log,opts=data=journal:errors=remount-ro
ok $? "type=ext4,mb=64,opts=data=journal:errors=remount-ro mounts" ||
	diag < "$work/opts.log"
echo journalled > "$mnt/journalled" && [ "$(cat "$mnt/journalled")" = journalled ]
ok $? "opts=: the mount serves"
unmount "$work/opts.log" "opts="
grep -q 'with journalled data mode' "$work/opts.log"
ok $? "opts=: the kernel mounted with data=journal (its log says so)" ||
	diag < "$work/opts.log"
start_fuse "$work/opts2.log" "$img" "$mnt" -o kernel_log,opts=data=journal:bogus
grep -q "Unknown parameter 'bogus'" "$work/opts2.log"
ok $? "opts=: the part after ':' reaches the kernel too (bogus refused)" ||
	diag < "$work/opts2.log"

# A partitioned image: an MBR with one Linux partition at 1 MiB.
pimg=$work/parted.img
truncate -s 40M "$pimg"
le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"; }
{ printf '\x00\x00\x02\x00\x83\x00\x00\x00'; le32 2048; le32 $((39 * 2048)); } |
	dd of="$pimg" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$pimg" bs=1 seek=510 conv=notrunc status=none
mkdir -p "$work/ptree" && echo "in partition 1" > "$work/ptree/hello"
mke2fs -q -t ext4 -E offset=$((1 << 20)) -d "$work/ptree" "$pimg" 39M > /dev/null 2>&1
start_fuse "$work/part.log" "$pimg" "$mnt" -o part=1
ok $? "part=1 mounts the partition" || diag < "$work/part.log"
[ "$(cat "$mnt/hello" 2>/dev/null)" = "in partition 1" ]
ok $? "part=1: its files read"
unmount "$work/part.log" "part=1"

# vfat, detected: files, directories, renames; fsck.fat and mtools agree.
if command -v mkfs.vfat > /dev/null && command -v fsck.fat > /dev/null &&
	command -v mtype > /dev/null; then
	vimg=$work/disk.vfat
	mkfs.vfat -C "$vimg" 16384 > /dev/null 2>&1
	start_fuse "$work/vfat.log" "$vimg" "$mnt"
	ok $? "a vfat image mounts (type detected)" || diag < "$work/vfat.log"
	mkdir -p "$mnt/Dir/Sub" && cp "$work/data.bin" "$mnt/Dir/Sub/data.bin" &&
		echo "on vfat" > "$mnt/Note.txt" &&
		mv "$mnt/Note.txt" "$mnt/Dir/Renamed.txt" &&
		cmp -s "$work/data.bin" "$mnt/Dir/Sub/data.bin"
	ok $? "vfat: mkdir, write, rename, read back"
	unmount "$work/vfat.log" vfat
	fsck.fat -n "$vimg" > "$work/fsck.fat.log" 2>&1
	ok $? "vfat: fsck.fat -n is clean" || diag < "$work/fsck.fat.log"
	[ "$(mtype -i "$vimg" ::/Dir/Renamed.txt 2>/dev/null)" = "on vfat" ]
	ok $? "vfat: mtools reads the renamed file"
else
	ok 0 "# SKIP no dosfstools/mtools for the vfat check"
fi

"$L" "$img" "$mnt" -o type=ext4 > "$work/daemon.log" 2>&1
st=$?
is $st 0 "daemon mode: lklfuse exits 0 once mounted" || diag < "$work/daemon.log"
mountpoint -q "$mnt"
ok $? "daemon mode: mounted when the parent exits"
dpid=$(pgrep -f "^$L $img $mnt" | head -n1)
pids="$pids $dpid"
echo daemon > "$mnt/daemon.txt" && [ "$(cat "$mnt/daemon.txt")" = daemon ]
ok $? "daemon mode: the mount serves"
fusermount3 -u "$mnt"
for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$dpid" 2>/dev/null
ok $? "daemon mode: the daemon exits on fusermount3 -u"
fsck_clean "$img" "after daemon mode"

small=$work/small.ext4
mke2fs -q -t ext4 "$small" 8M > /dev/null 2>&1
SIGINT=1 start_fuse "$work/full.log" "$small" "$mnt"
ok $? "a small image mounts" || diag < "$work/full.log"
! dd if=/dev/zero of="$mnt/fill" bs=1M count=16 2> "$work/full.err" &&
	grep -q 'No space left on device' "$work/full.err"
ok $? "a full image: the write fails with ENOSPC" || diag < "$work/full.err"
echo "still works" > "$mnt/after-full" 2>/dev/null
rm -f "$mnt/fill" && echo "still works" > "$mnt/after-full"
ok $? "after removing the big file, writing works again"
kill -INT "$fuse_pid"
wait_exit "$fuse_pid"
is $? 0 "SIGINT: lklfuse exits 0"
fsck_clean "$small" "after ENOSPC and SIGINT"
[ "$(debugfs -R 'cat /after-full' "$small" 2>/dev/null)" = "still works" ]
ok $? "debugfs reads the file written after ENOSPC"

# Without default_permissions the host checks nothing and access(2) comes
# to lklfuse (which answers as root: only existence and x bits matter).
start_fuse "$work/noperm.log" "$img" "$mnt" -o no_default_permissions
ok $? "-o no_default_permissions mounts" || diag < "$work/noperm.log"
python3 -c '
import os, sys
d = sys.argv[1]
print(os.access(d + "/small", os.R_OK | os.W_OK), os.access(d + "/small", os.X_OK),
      os.access(d + "/m4755", os.X_OK), os.access(d + "/nothere", os.F_OK))
' "$mnt" > "$work/access.out" 2>&1
is "$(cat "$work/access.out")" "True False True False" \
	"no_default_permissions: access(2) is answered by the kernel"
cp /bin/echo "$mnt/echo-copy" && chmod 755 "$mnt/echo-copy" &&
	[ "$("$mnt/echo-copy" run from the image)" = "run from the image" ]
ok $? "a program copied into the image runs from the mount"
unmount "$work/noperm.log" no_default_permissions

# An immutable copy: root cannot open it for writing either.
imm=$work/immutable.img
cp "$img" "$imm"
if chattr +i "$imm" 2>/dev/null; then
	immutable=$imm
	fails 1 "immutable.img: Operation not permitted (not writable: use -o ro" \
		"an immutable image without -o ro" -- "$imm" "$mnt" -f
	start_fuse "$work/imm.log" "$imm" "$mnt" -o ro
	ok $? "the immutable image mounts with -o ro" || diag < "$work/imm.log"
	[ "$(cat "$mnt/small" 2>/dev/null)" = "$(printf 'hello\nmore')" ]
	ok $? "the immutable image: files read"
	unmount "$work/imm.log" "the immutable image"
else
	ok 0 "# SKIP chattr +i not supported here"
fi

# ---- 5. bad inputs --------------------------------------------------------

head -c 1048576 /dev/urandom > "$work/corrupt.img"
touch "$work/afile"
cp "$img" "$work/readonly.img" && chmod 0444 "$work/readonly.img"
fails 1 "$work/missing.img" "missing image" -- "$work/missing.img" "$mnt" -f
fails 1 "$work/missing.img" "missing image (daemon mode)" -- "$work/missing.img" "$mnt"
fails 1 "$work/nomnt" "missing mount point" -- "$img" "$work/nomnt" -f
fails 1 "$work/afile" "mount point not a directory" -- "$img" "$work/afile" -f
fails 1 "$work/corrupt.img" "corrupt image" -- "$work/corrupt.img" "$mnt" -f
fails 1 "$img" "wrong type (vfat)" -- "$img" "$mnt" -f -o type=vfat
fails 1 "$img" "wrong type, daemon mode" -- "$img" "$mnt" -o type=vfat
fails 1 "nosuchfs" "unknown type" -- "$img" "$mnt" -f -o type=nosuchfs
fails 1 "$img" "bad filesystem option" -- "$img" "$mnt" -f -o opts=bogus_option
fails 1 "$work: Is a directory" "image on a directory" -- "$work" "$mnt" -f
fails 2 "no image" "no arguments" --
fails 2 "--bogus" "unknown flag" -- "$img" "$mnt" --bogus
fails 2 "mb=3" "mb too small" -- "$img" "$mnt" -o mb=3
fails 2 "part=x" "bad part" -- "$img" "$mnt" -o part=x
fails 2 "nonsense" "unknown -o option" -- "$img" "$mnt" -o nonsense
AS_NOBODY=1 fails 1 "readonly.img: Permission denied (not writable: use -o ro" \
	"a 0444 image, user 65534, without -o ro" -- "$work/readonly.img" "$mnt" -f
"$L" --help > "$work/help.out" 2>&1
is $? 0 "--help exits 0"
grep -q 'opts=DATA' "$work/help.out" && grep -q 'allow_other' "$work/help.out"
ok $? "--help shows lklfuse's and libfuse's options"
"$L" --version > "$work/version.out" 2>&1
is $? 0 "--version exits 0"
grep -q '^lklfuse (kbox) ' "$work/version.out"
ok $? "--version names the tool"
fsck_clean "$img" "at the end"

done_testing
