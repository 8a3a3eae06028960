#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# #! scripts exec'd by programs that are no shell (TAP output): env,
# xargs, find -exec, execveat, kbox itself, python's subprocess.  The
# host executes kbox's trampoline in a script's place, which execs the
# interpreter from the image; so each check's answer holds a token only
# the image has (/etc/marker), or a status and message Linux gives.
#
# First an image made with mke2fs -d: the default image's busybox, our
# execat program and the scripts.  Then the Debian image
# ($KBOX_DEBIAN_IMAGE, read-only, scripts written in its tmpfs /tmp):
# python3, env and perl as interpreters.  KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_scripts
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
EXECAT=${KBOX_GUEST_BIN:-}/execat
[ -x "$EXECAT" ] || skip_all "no guest program $EXECAT (make it)"
need debugfs mke2fs timeout -- e2fsprogs coreutils

# ---- the image ----------------------------------------------------------------

token=marker-$$-$RANDOM
stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys" \
	"$stage/etc" "$stage/scripts/dir/deeper" "$stage/scripts/data"
chmod 1777 "$stage/tmp"
debugfs -R "dump /bin/busybox $stage/bin/busybox" "$KBOX_DEFAULT_IMAGE" > /dev/null 2>&1
chmod 755 "$stage/bin/busybox"
for a in sh cat echo env xargs find false basename sort; do ln -s busybox "$stage/bin/$a"; done
cp "$EXECAT" "$stage/bin/execat"
echo "$token" > "$stage/etc/marker"

s=$stage/scripts
# script NAME LINE...: an executable script of these lines.
script() {
	local f=$s/$1
	shift
	printf '%s\n' "$@" > "$f" && chmod 755 "$f"
}
script s.sh '#!/bin/sh' 'read -r m < /etc/marker' 'read -r c < /proc/self/comm' \
	'echo "$m 0=$0 n=$# args=$* comm=$c"'
script e.sh '#!/bin/sh -e' 'echo before' 'false' 'echo after'
script echo.sh '#!/bin/echo a  b  '
printf '#!/bin/cat' > "$s/cat1" && chmod 755 "$s/cat1"
script missing.sh '#!/no/such/interpreter' 'echo ran'
script noexec.sh '#!/bin/sh' 'echo ran'
chmod 644 "$s/noexec.sh"
printf 'not a program\n' > "$s/plain.txt"
script badinterp.sh '#!/scripts/plain.txt' 'echo ran'
script nested.sh '#!/scripts/s.sh inner'
# l1 -> l2 -> l3 -> l4 -> l5 -> /bin/sh: five scripts, Linux's most.
for i in 0 1 2 3 4; do script l$i "#!/scripts/l$((i + 1))"; done
script l5 '#!/bin/sh' 'read -r m < /etc/marker' 'echo "$m $0 $*"'
script loop.sh '#!/scripts/loop.sh'
# -e, which the shells' ENOEXEC fallback would not give.
script dir/s2.sh '#!/bin/sh -e' 'read -r m < /etc/marker' \
	'case $- in *e*) e=-e ;; *) e=no-e ;; esac' 'echo "$m $e 0=$0 pwd=$(pwd) $*"'
echo one > "$s/data/a"
echo two > "$s/data/b"
# A long name: kbox writes its memfd's absolute name over an execveat's
# relative path, which must have room for it.
long=at-$(printf 'x%.0s' $(seq 100)).sh
script "dir/$long" '#!/bin/sh' 'read -r m < /etc/marker' 'echo "$m 0=$0 $*"'

img=$work/scripts.ext4
mke2fs -q -t ext4 -d "$stage" "$img" 64M > "$work/mke2fs.log" 2>&1
ok $? "an image of the default image's busybox and scripts (mke2fs -d)" ||
	{ diag < "$work/mke2fs.log"; exit 1; }

run() { kb -r "$img" "$@"; }

# ---- run by programs that are no shell --------------------------------------

run -w /scripts -- env ./s.sh a 'b c'
is "$out" "$token 0=./s.sh n=2 args=a b c comm=s.sh" \
	"env ./s.sh a 'b c': /bin/sh runs it with \$0 ./s.sh, its arguments; comm is the script's" || show
is "$rc" 0 "  and exits 0"

run -- env /scripts/e.sh
is "$out:$rc" "before:1" "#!/bin/sh -e: the option reaches sh, false ends the script (status 1)" || show

run -- env /scripts/echo.sh z
is "$out" "a  b /scripts/echo.sh z" \
	"#!/bin/echo a  b: the rest of the line, trailing blanks cut, is one argument" || show

run -- env /scripts/cat1
is "$out" "#!/bin/cat" "a #! line without a newline (#!/bin/cat: it prints itself)" || show

run -- env /scripts/nested.sh q
is "$out" "$token 0=/scripts/s.sh n=3 args=inner /scripts/nested.sh q comm=nested.sh" \
	"nested: a script's interpreter is another #! script" || show

run -- env /scripts/l1 x
is "$out" "$token /scripts/l5 /scripts/l4 /scripts/l3 /scripts/l2 /scripts/l1 x" \
	"a chain of five scripts runs, each name passed on" || show

run -- env /scripts/l0 x
[ "$rc" = 126 ] && [ -z "$out" ] && grep -q 'env:.*l0' "$work/err"
ok $? "six scripts: ELOOP before the exec, env says so and exits 126" || show

run -- env /scripts/loop.sh
[ "$rc" = 126 ] && [ -z "$out" ]
ok $? "a script that is its own interpreter: ELOOP, 126, no endless execs" || show

run -- /bin/sh -c 'printf "1\n2\n3\n" | xargs -n1 /scripts/s.sh'
is "$out" "$token 0=/scripts/s.sh n=1 args=1 comm=s.sh
$token 0=/scripts/s.sh n=1 args=2 comm=s.sh
$token 0=/scripts/s.sh n=1 args=3 comm=s.sh" "xargs -n1 runs a script three times (from vfork children)" || show

run -- find /scripts/data -type f -exec /scripts/s.sh {} ';'
is "$(printf '%s\n' "$out" | sort)" "$token 0=/scripts/s.sh n=1 args=/scripts/data/a comm=s.sh
$token 0=/scripts/s.sh n=1 args=/scripts/data/b comm=s.sh" "find -exec runs a script for each file" || show

run -w /scripts -- env dir/s2.sh x
is "$out" "$token -e 0=dir/s2.sh pwd=/scripts x" "a relative path into a directory (dir/s2.sh from /scripts)" || show

run -w /scripts/dir/deeper -- env ../s2.sh y
is "$out" "$token -e 0=../s2.sh pwd=/scripts/dir/deeper y" "a relative path from another cwd (../s2.sh)" || show

run -w /scripts -- ./s.sh top
is "$out" "$token 0=./s.sh n=1 args=top comm=s.sh" "a script as kbox's own command" || show

# ---- execveat ---------------------------------------------------------------

run -- execat /scripts/dir "$long" arg
case $out in
"$token 0=/dev/fd/"[0-9]*"/$long arg") r=0 ;;
*) r=1 ;;
esac
ok $r "execveat(dirfd, relative name): the interpreter gets /dev/fd/N/NAME, as Linux gives it" || show

run -- execat -c /scripts/dir "$long" arg
is "$out" "execveat ENOENT" "  through a close-on-exec dirfd: ENOENT, as on Linux (the name would be gone)" || show

# fexecve: the program (ELF or script) is the open fd itself.
run -- execat -f /bin/echo through its fd
is "$out" "through its fd" "fexecve of an image program (execveat with an empty path) runs it" || show
run -- execat -f /scripts/s.sh arg
case $out in
"$token 0=/dev/fd/"[0-9]*" n=1 args=arg comm="*) r=0 ;;
*) r=1 ;;
esac
ok $r "fexecve of a script: the interpreter gets /dev/fd/N, as Linux gives it" || show
run -- execat -c -f /scripts/s.sh arg
is "$out" "execveat ENOENT" "  through a close-on-exec fd: ENOENT, as on Linux" || show
run -- execat -f /scripts/plain.txt
is "$out" "execveat EACCES" "fexecve of a file without x permission: EACCES" || show

# ---- what cannot run ------------------------------------------------------

run -- env /scripts/missing.sh
[ "$rc" = 127 ] && [ -z "$out" ] && grep -q 'No such file or directory' "$work/err"
ok $? "missing interpreter: execve fails with ENOENT (env: 127, No such file or directory)" || show
run -- /bin/sh -c '/scripts/missing.sh; echo "status $?"'
[ "$out" = "status 127" ] && grep -q 'not found' "$work/err"
ok $? "  the shell says not found, status 127" || show

run -- env /scripts/noexec.sh
[ "$rc" = 126 ] && [ -z "$out" ] && grep -q 'Permission denied' "$work/err"
ok $? "a script without execute permission: EACCES (env: 126)" || show

run -- env /scripts/badinterp.sh
[ "$rc" = 126 ] && [ -z "$out" ] && grep -q 'Permission denied' "$work/err"
ok $? "an interpreter without execute permission: EACCES (126)" || show

run -- /scripts/missing.sh
[ "$rc" = 126 ] && grep -q 'interpreter /no/such/interpreter' "$work/err"
ok $? "kbox's own command with a missing interpreter: 126, naming it" || show

! grep -q 'Sanitizer\|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

# ---- Debian: python3, env, perl ----------------------------------------------

deb=${KBOX_DEBIAN_IMAGE:-}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	skip "Debian interpreters" "no Debian image (KBOX_DEBIAN_IMAGE)"
	done_testing
fi
dtoken=$(debugfs -R "cat /etc/kbox-image-id" "$deb" 2> /dev/null)
# The scripts, written in the tmpfs /tmp of each read-only run.
setup='cat > /tmp/p.py << "EOF"
#!/usr/bin/python3
import sys
print("py", sys.argv, open("/etc/kbox-image-id").read().strip())
EOF
cat > /tmp/e.py << "EOF"
#!/usr/bin/env python3
import os, sys
print("envpy", sys.argv, os.path.basename(sys.executable), open("/etc/kbox-image-id").read().strip())
EOF
cat > /tmp/w.pl << "EOF"
#!/usr/bin/perl -w
open(my $f, "<", "/etc/kbox-image-id") or die; my $t = <$f>; chomp $t;
my $u; print "perl @ARGV $t" . $u . "\n";
EOF
chmod +x /tmp/p.py /tmp/e.py /tmp/w.pl
'
dro() { T=60 kb -r "$deb" --ro -S -- /bin/bash -c "$setup$1"; }

dro '/tmp/p.py a "b c"'
is "$out" "py ['/tmp/p.py', 'a', 'b c'] $dtoken" "bash runs a #!/usr/bin/python3 script by path" || show

dro 'cd /tmp && python3 -c "import subprocess; print(subprocess.run([\"./p.py\", \"sub\"], capture_output=True, text=True).stdout, end=\"\")"'
is "$out" "py ['./p.py', 'sub'] $dtoken" "python's subprocess runs it (no shell)" || show

dro 'cd /tmp && ./e.py x'
is "$out" "envpy ['./e.py', 'x'] python3 $dtoken" "#!/usr/bin/env python3: env finds python3 through PATH" || show

dro '/tmp/w.pl one two'
[ "$out" = "perl one two $dtoken" ] && grep -q 'uninitialized value' "$work/err"
ok $? "#!/usr/bin/perl -w: perl runs the script with warnings on" || show

dro 'find /tmp -name "[pw].p[yl]" -exec {} via-find \; && for f in p.py w.pl; do echo via-xargs | xargs /tmp/$f; done'
is "$(printf '%s\n' "$out" | sort)" "perl via-find $dtoken
perl via-xargs $dtoken
py ['/tmp/p.py', 'via-find'] $dtoken
py ['/tmp/p.py', 'via-xargs'] $dtoken" "GNU find -exec and xargs run python and perl scripts" || show

! grep -q 'Sanitizer\|runtime error:' "$work/all.err"
ok $? "no sanitizer report from the Debian runs" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
