#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# -b HOST:GUEST[:ro]: a host directory in the guest's tree (TAP output).
# The guest reads and changes real host files there (the host sees each
# change), :ro refuses writes, and nothing outside the bound directory is
# reachable: `..`, absolute and relative links resolve in the guest's
# tree, never on the host.  Bad binds fail with 125 and a message.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_binds
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
need debugfs e2fsck timeout sha256sum -- e2fsprogs coreutils

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { kb -r "$img" "$@"; }

# The host side: a directory to bind, with a secret beside it.
host=$work/host
mkdir -p "$host/sub"
token="bind-$$-$RANDOM"
echo "$token" > "$host/token"
echo "outside-$token" > "$work/secret"
ln -s /etc/hostname "$host/abs-link"
ln -s ../secret "$host/rel-link"
for i in $(seq 1 300); do : > "$host/sub/f$i"; done

# ---- reading host files --------------------------------------------------------

run -b "$host:/mnt/h" -- /bin/sh -c 'cat /mnt/h/token; ls /mnt/h/sub | wc -l'
is "$out" "$(printf '%s\n300' "$token")" "the guest reads a host file and lists a host directory (300 entries)" || show
is "$rc" 0 "  exit 0"

run -b "$host:/data" -- /bin/sh -c 'cat /data/abs-link; cat /data/rel-link 2>&1; cat /data/../secret 2>&1; cd /data/sub && cd ../.. && pwd && cat etc/hostname'
is "$out" "$(printf 'kbox\ncat: can'"'"'t open '"'"'/data/rel-link'"'"': No such file or directory\ncat: can'"'"'t open '"'"'/data/../secret'"'"': No such file or directory\n/\nkbox')" \
	"links and .. resolve in the guest's tree: the image's hostname, no host file beside the bind" || show
! grep -q "outside-$token" "$work/out"
ok $? "  the host file next to the bound directory never shows"

# ---- changing host files ---------------------------------------------------------

run -b "$host:/mnt/h" -- /bin/sh -c '
	cd /mnt/h &&
	echo written-in-guest > new &&
	mkdir -p d1/d2 && echo deep > d1/d2/file &&
	mv new renamed && ln renamed hard && ln -s renamed soft &&
	chmod 640 renamed && touch -d "2001-02-03 04:05:06" renamed &&
	echo 0123456789 > trunc && truncate -s 4 trunc &&
	: > gone && rm gone && mkdir emptydir && rmdir emptydir &&
	dd if=/dev/urandom of=big bs=64k count=160 2>/dev/null &&
	sha256sum big | cut -d" " -f1'
guest_sum=$out
is "$rc" 0 "the guest writes, renames, links, chmods, truncates and removes in the bind" || show
[ "$(cat "$host/renamed")" = written-in-guest ] && [ "$(cat "$host/d1/d2/file")" = deep ] &&
	[ ! -e "$host/new" ] && [ ! -e "$host/gone" ] && [ ! -e "$host/emptydir" ]
ok $? "  the host sees the files (created, renamed, nested, removed)"
is "$(stat -c '%h %a %Y' "$host/renamed")" "2 640 $(TZ=UTC date -d '2001-02-03 04:05:06' +%s)" \
	"  the host sees the hard link, the mode and the time"
is "$(readlink "$host/soft"):$(cat "$host/trunc")" "renamed:0123" "  and the symbolic link and the truncated file"
is "$(sha256sum < "$host/big" | cut -d' ' -f1)" "$guest_sum" "  10 MB written by the guest arrive intact"

dd if=/dev/urandom of="$host/hostbig" bs=64k count=160 2>/dev/null
run -b "$host:/mnt/h" -- /bin/sh -c 'sha256sum /mnt/h/hostbig | cut -d" " -f1; echo one >> /mnt/h/log; echo two >> /mnt/h/log'
is "$out" "$(sha256sum < "$host/hostbig" | cut -d' ' -f1)" "10 MB of a host file read intact by the guest" || show
is "$(cat "$host/log")" "$(printf 'one\ntwo')" "  appends (>>) land at the end of the host file"

# The host changes a file while the guest runs: seen once the kernel's
# one-second cache of names and attributes has run out.
echo before > "$host/live"
rm -f "$host/go"
T=30 STDIN=/dev/null kb -r "$img" -b "$host:/mnt/h" -- /bin/sh -c '
	cat /mnt/h/live; : > /mnt/h/ready
	i=0; while [ ! -e /mnt/h/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	sleep 1.5; cat /mnt/h/live' &
for i in $(seq 100); do [ -e "$host/ready" ] && break; sleep 0.1; done
echo "after, and longer" > "$host/live"
: > "$host/go"
wait
out=$(cat "$work/out")	# kb ran in a subshell
is "$out" "$(printf 'before\nafter, and longer')" "a change made on the host while the guest runs reaches it" || show

# A host binary in the bind runs in the guest (read through the kernel).
if [ -n "${KBOX_GUEST_BIN:-}" ] && [ -x "$KBOX_GUEST_BIN/threads" ]; then
	cp "$KBOX_GUEST_BIN/threads" "$host/prog"
	run -b "$host:/opt/bin" -- /opt/bin/prog
	is "$rc" 0 "a program in the bind runs in the guest" || show
else
	skip "a program in the bind runs in the guest" "no guest programs (KBOX_GUEST_BIN)"
fi

# A project on the host built by the Debian image's gcc, through its own
# #! build script: the output lands on the host and runs there.
if [ -n "${KBOX_DEBIAN_IMAGE:-}" ] && [ -f "$KBOX_DEBIAN_IMAGE" ]; then
	src=$work/project
	mkdir -p "$src"
	printf '#include <stdio.h>\n#include "msg.h"\nint main(void) { puts(MSG); return 0; }\n' > "$src/main.c"
	echo "#define MSG \"built-in-kbox-$token\"" > "$src/msg.h"
	printf '#!/bin/sh -e\ngcc -O2 -o hello main.c\n' > "$src/build.sh"
	chmod +x "$src/build.sh"
	T=120 kb -r "$KBOX_DEBIAN_IMAGE" --ro -S -b "$src:/tmp/src" -w /tmp/src -- ./build.sh
	is "$rc:$("$src/hello" 2>&1)" "0:built-in-kbox-$token" \
		"the Debian image's gcc builds a host project in a bind (a #! script of the bind); the host runs the result" || show
else
	skip "gcc builds a host project in a bind" "no KBOX_DEBIAN_IMAGE"
fi

# ---- read-only binds -------------------------------------------------------------

run -b "$host:/mnt/ro:ro" -- /bin/sh -c 'cat /mnt/ro/token; echo x > /mnt/ro/token; echo x > /mnt/ro/other; rm /mnt/ro/renamed; echo "status $?"'
is "$(echo "$out" | head -1)" "$token" ":ro: the guest reads" || show
grep -q 'Read-only file system' "$work/err" && [ "$(cat "$host/token")" = "$token" ] &&
	[ ! -e "$host/other" ] && [ -e "$host/renamed" ]
ok $? "  writes, creates and removes fail with EROFS; the host files are untouched" || show

# ---- where the bind goes ---------------------------------------------------------

run -b "$host:/new/place" -w /new/place -- /bin/sh -c 'pwd; cat token'
is "$out" "$(printf '/new/place\n%s' "$token")" "a missing guest directory is made; -w inside the bind" || show
debugfs -R 'stat /new/place' "$img" 2>/dev/null | grep -q 'Type: directory'
ok $? "  the mount point stays in the image (debugfs)"

mkdir -p "$host/two"
echo "second-$token" > "$host/two/f"
run -b "$host:/mnt/a" -b "$host/two:/mnt/a/sub:ro" -- /bin/sh -c 'cat /mnt/a/sub/f; ls /mnt/a/sub'
is "$out" "$(printf 'second-%s\nf' "$token")" "a bind inside a bind" || show

run -- /bin/sh -c 'ln -s /mnt/real /linkdir && mkdir -p /mnt/real'
run -b "$host:/linkdir" -- /bin/sh -c 'cat /mnt/real/token'
is "$out" "$token" "a guest path through a link of the image lands where the link points in the image" || show

run -S -b "$host:/mnt/h" -- /bin/sh -c 'umount /mnt/h && ls /mnt/h | wc -l'
is "$out:$rc" "0:0" "the guest may unmount a bind; kbox still ends cleanly" || show

# ---- bad binds -----------------------------------------------------------------------

run -b "$work/missing:/x" -- /bin/true
is "$rc" 125 "a missing host directory: exit 125"
grep -q 'missing.*No such file or directory' "$work/err"
ok $? "  with a message naming it" || show

run -b "$host/token:/x" -- /bin/true
is "$rc" 125 "a host file, not a directory: exit 125" || show

run -b "$host" -- /bin/true
is "$rc" 125 "no guest path: exit 125 (usage)" || show

cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$work/ro.ext4"
kb -r "$work/ro.ext4" --ro -b "$host:/not/there" -- /bin/true
is "$rc" 125 "--ro root and a guest path missing from the image: exit 125" || show
grep -q '/not/there' "$work/err"
ok $? "  with a message naming it" || show

fs_clean "$img" "the image is clean after all the runs"
! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report" || grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
