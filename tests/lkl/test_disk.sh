#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An ext4 image made on the host, used through liblkl, checked on the host
# (TAP output).
#
#   1. A known tree (files of many sizes, nested and odd-named directories,
#      symlinks, hard links, special modes) goes into an image made by
#      mke2fs -d.
#   2. test_disk rw: liblkl mounts it rw, compares every entry with the host
#      tree, then creates, links, renames, unlinks, sets xattrs, writes an
#      8 MiB file, fsyncs, unmounts and halts.
#   3. On the host: e2fsck -fn is clean and debugfs (ls -p, stat, ea_list,
#      ea_get, rdump) shows exactly the expected tree, which this script
#      built by making the same changes to a copy of the host tree.
#   4. test_disk ro: a LKL_MS_RDONLY mount reads the same tree and refuses
#      every write with EROFS; the image's sha256 is unchanged.
#   5. test_disk rofd: the image opened O_RDONLY on the host and mounted rw
#      fails cleanly (or comes up read-only); nothing is written.
#   6. test_disk crash/dirty/recover, on a copy: a rw mount left without
#      umount needs journal recovery; a read-only mount from an O_RDONLY
#      descriptor refuses it (or skips it with noload) without writing; a
#      rw mount replays it and e2fsck is clean again.
#
# Environment: KBOX_BUILD (the build dir, set by make check), TEST_DISK
# (the driver, default $KBOX_BUILD/tests/lkl/test_disk), KEEP=1 to leave the
# work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022

. "$(dirname "$0")/../tap.sh"

for tool in mke2fs debugfs e2fsck sha256sum od; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "1..0 # SKIP $tool not found (e2fsprogs, coreutils)"; exit 0; }
done
drv=${TEST_DISK:-${KBOX_BUILD:-}/tests/lkl/test_disk}
[ -x "$drv" ] || { echo "1..0 # SKIP no driver at $drv (set KBOX_BUILD)"; exit 0; }

work=$(mktemp -d "${TMPDIR:-/tmp}/test_disk.XXXXXX") || exit 1
if [ "${KEEP:-}" = 1 ]; then
	echo "# work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi
tree=$work/tree
exp=$work/expected
img=$work/disk.ext4
long_target=/a/rather/long/symlink/target/that/does/not/fit/in/the/inode/itself/so/ext4/stores/it/in/a/data/block/of/its/own/and/the/kernel/has/to/read/that/block/back/through/the/virtio/disk/to/resolve/it/end

# ---- the trees ------------------------------------------------------------

make_tree() {
	local t=$1
	mkdir -p "$t" && cd "$t" || return 1
	mkdir -m 0700 lost+found
	: > empty
	printf 'hello, liblkl\n' > small.txt
	"$drv" pattern 4097 1 > odd-4097.bin && chmod 0600 odd-4097.bin
	"$drv" pattern $((3 * 1024 * 1024)) 2 > big-3M.bin
	printf '#!/bin/sh\necho hi\n' > exec.sh && chmod 0755 exec.sh
	printf 'read only\n' > readonly.txt && chmod 0444 readonly.txt
	printf 'suid\n' > setuid-prog && chmod 4755 setuid-prog
	mkdir setgid-dir && chmod 2775 setgid-dir
	printf 'in setgid dir\n' > setgid-dir/file && chmod 0664 setgid-dir/file
	mkdir -p dir-a/dir-b/dir-c
	printf 'deep\n' > dir-a/dir-b/dir-c/deep.txt
	chmod 0640 dir-a/dir-b/dir-c/deep.txt
	chmod 0750 dir-a/dir-b/dir-c
	chmod 0700 dir-a/dir-b
	printf 'hard linked\n' > hard-a
	ln hard-a hard-b
	ln hard-a dir-a/hard-c
	mkdir sticky && chmod 1777 sticky
	printf 'sticky\n' > sticky/inside && chmod 0600 sticky/inside
	mkdir emptydir
	printf 'spaces\n' > 'with space.txt'
	printf 'utf-8 name\n' > 'ünïcødé файл.txt'
	mkdir '日本語'
	printf 'nihongo\n' > '日本語/ファイル'
	ln -s dir-a/dir-b/dir-c/deep.txt sym-deep
	ln -s "$long_target" sym-long
	ln -s does/not/exist sym-dangling
	ln -s dir-a sym-dir
	chmod 0755 .
}

# The changes test_disk rw makes, made here to a copy of the tree.
make_expected() {
	cp -a "$tree" "$exp" && cd "$exp" || return 1
	mkdir -m 0755 new
	mkdir -m 0750 new/sub
	mkdir -m 0700 new/sub/deeper
	printf 'created inside liblkl\n' > new/file.txt && chmod 0640 new/file.txt
	ln new/file.txt new/sub/file-link.txt
	ln hard-a new/hard-d
	ln -s file.txt new/sym-rel
	ln -s "$long_target" new/sym-long
	mv 'with space.txt' 'renamed with space.txt'
	mv dir-a/dir-b/dir-c new/moved-c
	mv 'ünïcødé файл.txt' 'new/ünïcødé-moved.txt'
	mv -f readonly.txt empty
	rm hard-b sym-dangling
	rmdir emptydir
	"$drv" pattern $((8 * 1024 * 1024)) 3 > new/big-8M.bin
	"$drv" pattern 10000 4 |
		dd of=big-3M.bin bs=10000 seek=100 conv=notrunc status=none
	printf 'appended\n' >> small.txt
	truncate -s 1000 odd-4097.bin
	chmod 0700 exec.sh
	truncate -s $((5 * 1024 * 1024)) new/sparse.bin
	printf 'end\n' | dd of=new/sparse.bin bs=1 seek=$((5 * 1024 * 1024 - 4)) \
		conv=notrunc status=none
}

hex() { od -An -tx1 -v | tr -d ' \n'; }

# Expected extended attributes: path, name, value in hex (one per line).
make_xattrs() {
	local big f
	big=$(yes liblkl-xattr- | tr -d '\n' | head -c 800 | hex)
	for f in new/file.txt new/sub/file-link.txt; do
		printf '%s\t%s\t%s\n' "$f" user.comment "$(printf 'hello xattr' | hex)"
		printf '%s\t%s\t%s\n' "$f" user.empty ""
		printf '%s\t%s\t%s\n' "$f" user.binary 000102ff
	done
	printf '%s\t%s\t%s\n' new/sub user.dirattr "$(printf 'on a directory' | hex)"
	printf '%s\t%s\t%s\n' small.txt user.big "$big"
}

# ---- manifests: one line per entry --------------------------------------
#
#   path|mode (octal, with type)|links|size|sha256 or link target|
#   first path of its hard-link group|xattrs (name=hex,...)
#
# Directories have "-" for size and content (their size is the
# filesystem's business).  Paths are relative, "." is the root.

xattr_col() {	# xattr_col PATH TABLE
	awk -F'\t' -v p="$1" '$1 == p { print $2 "=" $3 }' "$2" | sort | paste -sd, -
}

# Add the hard-link group column from an inode column (field 2), dropping it.
group_col() {
	sort -t'|' -k1,1 | awk -F'|' -v OFS='|' '{
		grp = "-"
		if ($3 !~ /^04/ && $4 > 1) {
			if (!($2 in first)) first[$2] = $1
			grp = first[$2]
		}
		print $1, $3, $4, $5, $6, grp, $7
	}'
}

host_manifest() {	# host_manifest DIR XATTR_TABLE
	local d=$1 table=$2 p rel mode links size content
	(cd "$d" && find . -print0) | while IFS= read -r -d '' p; do
		rel=${p#./}
		p=$d/$rel
		[ "$rel" = . ] && p=$d
		mode=$(printf '%06o' "0x$(stat -c %f -- "$p")")
		if [ -L "$p" ]; then
			links=$(stat -c %h -- "$p")
			size=$(stat -c %s -- "$p")
			content=$(readlink -- "$p")
		elif [ -d "$p" ]; then
			links=$((2 + $(find "$p" -mindepth 1 -maxdepth 1 -type d | wc -l)))
			size=-
			content=-
		else
			links=$(stat -c %h -- "$p")
			size=$(stat -c %s -- "$p")
			content=$(sha256sum < "$p" | cut -d' ' -f1)
		fi
		printf '%s|%s|%s|%s|%s|%s|%s\n' "$rel" "$(stat -c %i -- "$p")" \
			"$mode" "$links" "$size" "$content" "$(xattr_col "$rel" "$table")"
	done | group_col
}

dbg() { debugfs -R "$1" "$img" 2>/dev/null; }

# Entries of image directory $1 ("" is the root) as "rel|ino|mode|size".
image_entries() {
	local dir=$1 ino mode name size rel
	dbg "ls -p \"/$dir\"" |
	while IFS=/ read -r _ ino mode _ _ name size _; do
		[ -n "$name" ] || continue
		[ "$name" = . ] || [ "$name" = .. ] && continue
		rel=${dir:+$dir/}$name
		printf '%s|%s|%s|%s\n' "$rel" "$ino" "$mode" "$size"
		case $mode in 04*) image_entries "$rel" ;; esac
	done
}

image_xattrs() {	# image_xattrs REL: name=hex,... from ea_list and ea_get
	local rel=$1 name
	dbg "ea_list \"/$rel\"" | sed -n 's/^  \([^ ]*\) (.*/\1/p' | sort |
	while read -r name; do
		rm -f "$work/ea"
		dbg "ea_get -f \"$work/ea\" \"/$rel\" $name" >/dev/null
		printf '%s=%s\n' "$name" "$([ -f "$work/ea" ] && hex < "$work/ea")"
	done | paste -sd, -
}

image_manifest() {	# image_manifest RDUMP_DIR
	local r=$1 rel ino mode size links content root
	root=$(dbg 'ls -p /' | awk -F/ '$6 == "." { print $2 "|" $3 "|" }')
	{ echo ".|$root"; image_entries ""; } |
	while IFS='|' read -r rel ino mode size; do
		links=$(dbg "stat \"/${rel#.}\"" | sed -n 's/^Links: \([0-9]*\).*/\1/p')
		case $mode in
		04*) size=- content=- ;;
		12*) content=$(readlink -- "$r/$rel") ;;
		*) if [ -f "$r/$rel" ]; then
			content=$(sha256sum < "$r/$rel" | cut -d' ' -f1)
		   else
			content="(not dumped)"
		   fi ;;
		esac
		printf '%s|%s|%s|%s|%s|%s|%s\n' "$rel" "$ino" "$mode" "$links" \
			"$size" "$content" "$(image_xattrs "${rel#.}")"
	done | group_col
}

# Compare the image with host tree $1 and xattr table $2.
check_image() {
	local what=$1 hostdir=$2 table=$3 out
	out=$work/rdump.$what
	rm -rf "$out" && mkdir "$out"
	dbg "rdump / \"$out\"" >/dev/null
	host_manifest "$hostdir" "$table" > "$work/want.$what"
	image_manifest "$out" > "$work/got.$what"
	diff -u "$work/want.$what" "$work/got.$what" > "$work/diff.$what"
	ok $? "$what: debugfs shows exactly the expected tree" \
		"($(wc -l < "$work/want.$what") entries)"
	diag < "$work/diff.$what"
}

fsck_clean() {
	e2fsck -fn "$img" > "$work/fsck.log" 2>&1
	local rc=$?
	ok $rc "$1: e2fsck -fn exits 0"
	[ $rc -eq 0 ] || diag < "$work/fsck.log"
}

# Run the driver, renumbering its TAP lines into ours, prefixed with $1.
run_driver() {
	local tag=$1 rc line st desc bad=0
	shift
	timeout 300 "$drv" "$@" > "$work/$tag.out" 2> "$work/$tag.log"
	rc=$?
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ (-\ )?(.*)$ ]]; then
			st=0
			[ -n "${BASH_REMATCH[1]}" ] && { st=1; bad=1; }
			desc=${BASH_REMATCH[3]}
			ok $st "$tag: $desc"
		elif [[ $line == \#* ]]; then
			echo "$line"
		fi
	done < "$work/$tag.out"
	ok $rc "$tag: driver exits 0 (no crash, no hang)"
	if [ $rc -ne 0 ] || [ $bad -ne 0 ]; then
		echo "#   kernel log (last lines):"
		tail -n 20 "$work/$tag.log" | diag
	fi
}

sha() { sha256sum < "$img" | cut -d' ' -f1; }

# ---- the test -----------------------------------------------------------

(make_tree "$tree")
ok $? "host tree built"
(make_expected)
ok $? "expected tree built"
make_xattrs > "$work/xattrs"
: > "$work/no-xattrs"

mke2fs -q -t ext4 -d "$tree" "$img" 64M > "$work/mke2fs.log" 2>&1
rc=$?
ok $rc "mke2fs -t ext4 -d tree"
[ $rc -eq 0 ] || { diag < "$work/mke2fs.log"; done_testing; }
fsck_clean "fresh image"
check_image fresh "$tree" "$work/no-xattrs"

run_driver rw rw "$img" "$tree" "$exp"
fsck_clean "after rw"
check_image "after-rw" "$exp" "$work/xattrs"

before=$(sha)
run_driver ro ro "$img" "$exp"
after=$(sha)
[ "$before" = "$after" ]
ok $? "ro: image unchanged (sha256 $after)"

run_driver rofd rofd "$img" "$exp"
after=$(sha)
[ "$before" = "$after" ]
ok $? "rofd: image unchanged (sha256 $after)"
fsck_clean "at the end"

# An unclean shutdown, on a copy: the journal is left needing recovery.
cp "$img" "$work/dirty.ext4"
img=$work/dirty.ext4
run_driver crash crash "$img"
dbg stats | grep -q '^Filesystem features:.*needs_recovery'
ok $? "crash: the journal needs recovery"
before=$(sha)
run_driver dirty dirty "$img"
after=$(sha)
[ "$before" = "$after" ]
ok $? "dirty: image unchanged (sha256 $after)"
run_driver recover recover "$img"
fsck_clean "after recovery"
[ "$(dbg 'cat /crash.txt')" = "written before the crash" ]
ok $? "recover: debugfs reads crash.txt"

done_testing
