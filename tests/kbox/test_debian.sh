#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unmodified Debian programs under kbox: bash, coreutils, python3, perl
# and gcc from a bookworm minbase root ($KBOX_DEBIAN_IMAGE, made by
# images/mkimage-debian.sh), dynamic, their loader and libraries read
# from the image.  Each check's answer holds something only the image
# has: the token of /etc/kbox-image-id, made when the image was built
# (this host may well be Debian 12 too).
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

[ -n "${KBOX_DEBIAN_IMAGE:-}" ] || skip_all "KBOX_DEBIAN_IMAGE not set (KBOX_NO_DEBIAN=1?)"
[ -f "$KBOX_DEBIAN_IMAGE" ] || skip_all "no Debian image at $KBOX_DEBIAN_IMAGE"
need debugfs e2fsck -- e2fsprogs
kbox_test_init test_debian

img=$KBOX_DEBIAN_IMAGE
token=$(debugfs -R "cat /etc/kbox-image-id" "$img" 2> /dev/null)
[ ${#token} -eq 32 ]
ok $? "the image's token, read with debugfs (${token:-none})" || exit 1
# Read-only runs on the shared image; /tmp is the library kernel's tmpfs.
ro() { T=${T:-60} kb -r "$img" --ro -S "$@"; }

# ---- the programs -----------------------------------------------------------

ro -- /bin/bash -c 'read -r t < /etc/kbox-image-id; a=(x y z); echo "${BASH_VERSINFO[0]} ${#a[@]} $t"'
is "$out" "5 3 $token" "bash 5: arrays, read from the image" || show

ro -- /bin/bash -c 'cat <(cat /etc/kbox-image-id) <<< "here" - ; echo "$(wc -c < /etc/kbox-image-id)"'
is "$out" "$token
here
33" "bash: process substitution (/dev/fd), here-string, command substitution" || show

ro -- /bin/bash -c 'sleep 0.2 & p=$!; (exit 7); s=$?; wait $p; echo "bg=$? sub=$s"; false | true; echo "pipe=${PIPESTATUS[*]}"'
is "$out" "bg=0 sub=7
pipe=1 0" "bash: background job and wait, subshell status, PIPESTATUS" || show

ro -- /bin/sh -c '/bin/bash -c "echo \$0"; /usr/bin/python3 -c "import sys; print(sys.executable)"'
is "$out" "/bin/bash
/usr/bin/python3" "dash execs by path: argv[0] is the path (bash \$0, sys.executable)" || show

ro -- sha256sum /etc/kbox-image-id
want=$(printf '%s\n' "$token" | sha256sum | cut -d' ' -f1)
is "${out%% *}" "$want" "coreutils sha256sum of the image's file" || show

ro -- /bin/sh -c 'ls -l /etc/kbox-image-id | cut -d" " -f1,5; stat -c "%s %F" /etc/kbox-image-id; id -u; cat /etc/hostname'
is "$out" "-rw-r--r-- 33
33 regular file
0
kbox-debian" "coreutils ls, stat, id, cut; dash" || show

ro -- /bin/sh -c 'find /usr/lib/python3.11 -name "*.py" | wc -l'
[ "${out:-0}" -gt 500 ] 2> /dev/null
ok $? "find walks the image's python library ($out .py files)" || show

ro -- /lib64/ld-linux-x86-64.so.2 --list /usr/bin/python3
printf '%s\n' "$out" | grep -q 'libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6'
ok $? "the image's loader resolves python3's libraries in the image" || show

ro -- dpkg-query -W -f '${Package} ${Status}\n' python3 perl gcc
is "$(printf '%s\n' "$out" | sort)" "gcc install ok installed
perl install ok installed
python3 install ok installed" "dpkg reads the image's package database" || show

# python3: threads, subprocess, sqlite on tmpfs, a process pool, signals.
cat > "$work/t.py" <<'EOF'
import hashlib, multiprocessing, os, signal, sqlite3, subprocess, threading, time
tok = open("/etc/kbox-image-id").read().strip()
print(subprocess.run(["cat", "/etc/kbox-image-id"], capture_output=True, text=True).stdout.strip() == tok)
done = []
ts = [threading.Thread(target=lambda i=i: done.append(i)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(done) == list(range(8)))
db = sqlite3.connect("/tmp/t.db")
db.execute("create table t(a)"); db.executemany("insert into t values(?)", [(i,) for i in range(1000)]); db.commit()
print(db.execute("select sum(a) from t").fetchone()[0])
with multiprocessing.Pool(2) as p:
    print(sum(p.map(abs, range(-50, 50))))
got = []
signal.signal(signal.SIGALRM, lambda *a: got.append(1)); signal.alarm(1); time.sleep(3)
print(got == [1])
print(tok)
EOF
STDIN=$work/t.py ro -- python3 /dev/stdin
is "$out" "True
True
499500
2500
True
$token" "python3 (script from /dev/stdin): subprocess, threads, sqlite3, Pool, alarm" || show

ro -- perl -e 'open(my $f, "<", "/etc/kbox-image-id") or die; my $t = <$f>; chomp $t;
	my $pid = fork(); if (!$pid) { exit 3 } waitpid($pid, 0);
	printf("%d %s\n", $? >> 8, $t =~ /^[0-9a-f]{32}$/ ? $t : "bad")'
is "$out" "3 $token" "perl: file, fork, waitpid, regex" || show

# gcc: cc1, as and ld from the image; the program reads the image too.
cat > "$work/hello.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static char tok[64];
static void *reader(void *arg)
{
	FILE *f = fopen("/etc/kbox-image-id", "r");
	(void)arg;
	if (f && fgets(tok, sizeof(tok), f))
		fclose(f);
	return NULL;
}
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	pthread_join(t, NULL);
	printf("compiled %s", tok);
	return 0;
}
EOF
STDIN=$work/hello.c ro -- /bin/sh -c 'cd /tmp && cat > hello.c && gcc -O2 -pthread -o hello hello.c && ./hello'
is "$out" "compiled $token" "gcc builds a threaded C program that runs" || show

# ---- written to a copy: persists --------------------------------------------

cp --sparse=always "$img" "$work/rw.ext4"
STDIN=$work/hello.c T=90 kb -r "$work/rw.ext4" -S -- /bin/sh -c \
	'cd /root && cat > hello.c && gcc -o hello hello.c && python3 -c "import sys; open(\"/root/py.txt\", \"w\").write(sys.version.split()[0])"'
is "$rc" 0 "gcc and python3 write into the image" || show
T=30 kb -r "$work/rw.ext4" -- /root/hello
is "$out" "compiled $token" "  the program built there runs in a new kbox" || show
got=$(debugfs -R "cat /root/py.txt" "$work/rw.ext4" 2> /dev/null)
case $got in 3.11.*) r=0 ;; *) r=1 ;; esac
ok $r "  python's file is in the image (debugfs: ${got:-nothing})"
fs_clean "$work/rw.ext4" "  the image is clean (e2fsck -fn)"

# ---- terminals --------------------------------------------------------------

ro -- script -q -c 'tty; stty size' /tmp/log
printf '%s\n' "$out" | tr -d '\r' | grep -qx '/dev/pts/0'
ok $? "script(1) makes a pseudo-terminal of the library kernel's devpts" || show

ro -- /bin/bash -c 'echo to-stderr > /dev/stderr; readlink /proc/self/fd/0'
[ "$rc" = 0 ] && grep -qx 'to-stderr' "$work/err" && [ "$out" = /dev/null ]
ok $? "/dev/stderr and /proc/self/fd/0 reach the host fds" || show

! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -80 | diag

done_testing
