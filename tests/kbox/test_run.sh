#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbox runs the image's programs (TAP output).  Each check asserts what
# only the image or the library kernel can give: the image's files, its
# top-level directories, the library kernel's /proc, uname and memory
# size; then the shell at work (pipelines, command substitution,
# subshells, background jobs, scripts) with files written in the guest;
# then the options that shape the guest: -w, -e and the clean
# environment, --root-id, --change-id, -m.
#
# Runs on a copy of the default image ($KBOX_DEFAULT_IMAGE is never
# written).  KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_run
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
need debugfs dumpe2fs e2fsck timeout -- e2fsprogs coreutils



img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1

# run [KBOX OPTIONS...] -- COMMAND...: kbox on the copy, with a time limit;
# status in $rc, stdout in $out, stderr in $work/err (also kept in
# $work/all.err for the sanitizer check at the end).
run() { kb -r "$img" "$@"; }

# ---- what only the image holds --------------------------------------------

run -- cat /etc/motd /etc/hostname
is "$out" "$(printf '%s\n' "This root image was built by kbox from Debian's busybox-static." kbox)" \
	"cat /etc/motd /etc/hostname prints the image's files" || show
is "$rc" 0 "  and exits 0"

# ls / lists exactly the image's top-level names (debugfs reads them
# without any kernel).
want=$(dbg 'ls -p /' | awk -F/ 'NF > 5 && $6 != "." && $6 != ".." { print $6 }' | sort)
run -- ls -a /
got=$(printf '%s\n' "$out" | grep -vx '\.\|\.\.' | sort)
[ -n "$want" ] && [ "$got" = "$want" ]
ok $? "ls -a / lists exactly the image's top-level entries ($(echo $want))" ||
	printf 'want:\n%s\ngot:\n%s\n' "$want" "$got" | diag

# ---- the library kernel ---------------------------------------------------

run -- uname -m -r
case $out in "6.12 lkl"|"6.12."*" lkl") r=0 ;; *) r=1 ;; esac
ok $r "uname -m -r: the library kernel's 6.12 on machine lkl ($out; the host runs $(uname -r))" || show

run -- hostname
[ $rc -eq 0 ] && [ -n "$out" ] && [ "$out" != "$(hostname)" ]
ok $? "hostname is not the host's ($out)" || show
is "$out" kbox "hostname is the image's /etc/hostname"

run -- ps
printf '%s\n' "$out" | grep -q '\[kthreadd\]'
ok $? "ps lists the library kernel's kthreadd" || show
host_init=$(cat /proc/1/comm 2>/dev/null)
! printf '%s\n' "$out" | grep -Eq 'test_run\.sh|prove' &&
	{ [ -z "$host_init" ] || [ "$host_init" = init ] ||
		! printf '%s\n' "$out" | grep -qF "$host_init"; }
ok $? "ps lists none of the host's processes (this script, prove, host pid 1 '$host_init')" || show
n=$(printf '%s\n' "$out" | grep -c .)
[ "$n" -lt 100 ]
ok $? "ps lists a library kernel's handful of tasks ($n lines)" || show
# exec gives the kernel task the program's argv as its command line.
printf '%s\n' "$out" | grep -Eq '^ *[0-9]+ +[a-z0-9]+ +ps$'
ok $? "ps lists itself as ps (exec sets the kernel task's command line)" || show

run -- cat /proc/self/comm
is "$out" cat "/proc/self/comm is the exec'd program's name" || show

run -- readlink /proc/self/exe
is "$out" /bin/busybox "/proc/self/exe names the program's file (through the /bin/readlink symlink)" || show

run -- /bin/sh -c 'echo x >> /bin/busybox; echo "status $?"'
is "$out" "status 1" "a running program cannot be written (the shell's own /bin/busybox)" || show
case $(cat "$work/err") in *"Text file busy"*) r=0 ;; *) r=1 ;; esac
ok $r "  ETXTBSY, as on Linux" || show

T=10 run -m 128M -- cat /proc/meminfo
mem=$(printf '%s\n' "$out" | awk '/^MemTotal:/ { print $2 }')
[ -n "$mem" ] && [ "$mem" -gt 100000 ] && [ "$mem" -lt 140000 ]
ok $? "-m 128M: MemTotal is near 128 MiB (${mem:-none} kB)" || show
T=10 run -m 512M -- cat /proc/meminfo
mem=$(printf '%s\n' "$out" | awk '/^MemTotal:/ { print $2 }')
[ -n "$mem" ] && [ "$mem" -gt 450000 ] && [ "$mem" -lt 530000 ]
ok $? "-m 512M: MemTotal is near 512 MiB (${mem:-none} kB)" || show

T=10 run -k "kbox.probe=k$$" -- cat /proc/cmdline
case " $out " in *" kbox.probe=k$$ "*) r=0 ;; *) r=1 ;; esac
ok $r "-k: the words reach the library kernel's command line (/proc/cmdline)" || show
T=10 run --syscall-mode=seccomp -- /bin/echo seccomp
is "$out" seccomp "--syscall-mode=seccomp runs the command" || show
T=10 run --syscall-mode=trap -- /bin/echo trap
case $rc:$err in 125:*"syscall mode 'trap' is not available"*) r=0 ;; *) r=1 ;; esac
ok $r "  another mode: 125 and a message saying so" || show

# ---- the shell at work ----------------------------------------------------

T=6 run -- /bin/sh -c 'echo x > /tmp/f; cat /tmp/f | wc -c'
is "$out" 2 "a file written in the guest goes through a pipeline (cat | wc -c)" || show
[ "$(dbg 'cat /tmp/f')" = x ]
ok $? "  the file is in the image after kbox exits"

T=6 run -- /bin/sh -c 'echo "[$(cat /etc/hostname)]"'
is "$out" "[kbox]" "command substitution \$(cat /etc/hostname)" || show

T=6 run -- /bin/sh -c '(cd /etc && cat hostname && pwd); pwd'
is "$out" "$(printf 'kbox\n/etc\n/')" "a subshell cds, its parent stays in /" || show

T=6 run -- /bin/sh -c '{ sleep 0.3; echo late; } & echo early; wait; (exit 5) & wait $!; echo "wait=$?"'
is "$out" "$(printf 'early\nlate\nwait=5')" "a background job runs while the shell goes on; wait gets its status" || show

T=6 run -- /bin/sh -c 'for i in 1 2 3 4 5 6 7; do echo "line $i"; done | wc -l'
is "$out" 7 "a for loop piped to wc -l" || show

# Each pipeline's stages must get the fd tables of their own forks, and
# no call may fail with EINTR because SIGCHLD came while it waited for
# kbox (a close that did not happen leaves a pipe's writer open: a hang).
T=60 run -- /bin/sh -c 'n=0; for i in $(seq 1 100); do x=$(echo $i | cat | cat); [ "$x" = "$i" ] && n=$((n+1)); done; echo $n'
is "$out" 100 "100 command substitutions of a three-stage pipeline" || show

T=6 run -- /bin/sh -c 'printf "#!/bin/sh\necho \"script \$1 in \$(pwd)\"\n" > /tmp/s.sh &&
	chmod +x /tmp/s.sh && cd /tmp && /tmp/s.sh one && ./s.sh two'
is "$out" "$(printf 'script one in /tmp\nscript two in /tmp')" \
	"a shell script with a shebang line, written in the guest, runs by path (the shell's ENOEXEC fallback, through /proc/self/exe)" || show
[ "$(dbg 'stat /tmp/s.sh' | sed -n 's/.*Mode: *\([0-7]*\).*/\1/p')" = 0755 ]
ok $? "  the script is mode 0755 in the image"

# ---- options that shape the guest -----------------------------------------

run -w /etc -- /bin/sh -c 'pwd; cat hostname'
is "$out" "$(printf '/etc\nkbox')" "-w /etc: pwd is /etc, cat hostname opens the image's /etc/hostname" || show
run -w /no/such/dir -- pwd
[ $rc -eq 125 ] && grep -q '/no/such/dir' "$work/err"
ok $? "-w to a missing directory: 125, naming it" || show

# env run directly (no shell): the environment is exactly kbox's.
export KBOX_TEST_LEAK=host-variable
run -e FOO=bar -e 'SPACED=a b=c' -- env
unset KBOX_TEST_LEAK
names=$(printf '%s\n' "$out" | sed 's/=.*//' | sort | tr '\n' ' ')
is "$names" "FOO HOME LANG PATH SPACED TERM " "env: only PATH HOME TERM LANG and the -e variables" || show
printf '%s\n' "$out" | grep -qx 'FOO=bar' && printf '%s\n' "$out" | grep -qx 'SPACED=a b=c'
ok $? "  -e FOO=bar and -e 'SPACED=a b=c' as given" || show
printf '%s\n' "$out" | grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' &&
	printf '%s\n' "$out" | grep -qx 'LANG=C.UTF-8'
ok $? "  PATH and LANG are kbox's defaults" || show
! printf '%s\n' "$out" | grep -q 'KBOX_TEST_LEAK\|^USER=\|^KBOX='
ok $? "  nothing from the host's environment" || show
run -e PATH=/bin -e HOME=/tmp -- env
printf '%s\n' "$out" | grep -qx 'PATH=/bin' && printf '%s\n' "$out" | grep -qx 'HOME=/tmp' &&
	[ "$(printf '%s\n' "$out" | grep -c '^PATH=\|^HOME=')" = 2 ]
ok $? "-e PATH=... -e HOME=... replace the defaults, once each" || show
run -e PATH=/usr/bin -- cat /etc/hostname
[ $rc -eq 127 ]
ok $? "-e PATH=/usr/bin: cat (in /bin only) is not found: 127" || show

run --root-id -e FOO=bar -- /bin/sh -c 'echo "$FOO $HOME $PWD $SHLVL"'
is "$out" "bar /root / 1" "sh sees \$FOO and \$HOME=/root (--root-id), sets PWD and SHLVL" || show

run --root-id -- id
is "$out" "uid=0(root) gid=0(root) groups=0(root)" "--root-id: id is root's, named from the image's /etc/passwd" || show
run -S -- id -un
is "$out" root "-S: id -un is root (the image's /etc/passwd)" || show

run --change-id 1000:1000 -- id
is "$out" "uid=1000 gid=1000 groups=1000" "--change-id 1000:1000: id is 1000:1000" || show
# No fork: echo and the redirection are the shell's, touch is exec'd.
run --change-id 1000:1000 -- /bin/sh -c 'echo "$HOME" > /tmp/by-1000 && touch /root/by-1000'
[ $rc -eq 1 ] && grep -q '/root/by-1000: Permission denied' "$work/err"
ok $? "--change-id 1000:1000: touch /root/by-1000 fails, Permission denied" || show
[ "$(dbg 'cat /tmp/by-1000')" = / ]
ok $? "  it could write /tmp (mode 1777) and its HOME was /"
dbg 'stat /tmp/by-1000' | grep -Eq 'User: +1000 +Group: +1000'
ok $? "  debugfs: /tmp/by-1000 is owned by 1000:1000 in the image"
! dbg 'stat /root/by-1000' | grep -q 'Inode:'
ok $? "  debugfs: /root/by-1000 does not exist"

# A shell execs a path passing that same string as argv[0]: kbox rewrites
# the path for the host, never the program's argv[0].
run -- /bin/sh -c '/bin/true; echo "true $?"; /bin/sh -c "echo \$0"; /bin/echo "$(/bin/basename /a/b)"'
is "$out" "true 0
/bin/sh
b" "a program exec'd by path keeps argv[0] (busybox finds its applet)" || show

# ---- /dev and the host fds behind /proc/self/fd -----------------------------

printf 'piped in\n' > "$work/in.txt"
cat "$work/in.txt" | timeout 20 "$KBOX" -r "$img" -- /bin/sh -c 'cat /dev/stdin; readlink /proc/self/fd/0' \
	> "$work/out" 2> "$work/err"
rc=$?
out=$(cat "$work/out")
cat "$work/err" >> "$work/all.err"
[ "$(printf '%s\n' "$out" | head -1)" = "piped in" ]
ok $? "cat /dev/stdin reads the host pipe kbox was given" || show
printf '%s\n' "$out" | sed -n 2p | grep -q '^pipe:\['
ok $? "  readlink /proc/self/fd/0 names the host pipe" || show
STDIN=$work/in.txt run -- cat /proc/self/fd/0
is "$out" "piped in" "cat /proc/self/fd/0 with a host file as stdin" || show
STDIN=$work/in.txt run -- stat -L -c '%F %s' /proc/self/fd/0 /dev/stdin
is "$out" "$(printf 'regular file 9\nregular file 9')" \
	"  stat through /proc/self/fd/0 and /dev/stdin: the host file's (not kbox's placeholder)" || show
echo "old content, longer" > "$work/stderr.txt"
timeout 20 "$KBOX" -r "$img" -- /bin/sh -c 'echo to-stderr > /dev/stderr; echo again >> /dev/fd/2' \
	< /dev/null > /dev/null 2> "$work/stderr.txt"
is "$(cat "$work/stderr.txt")" "to-stderr
again" "> /dev/stderr truncates the host file, >> /dev/fd/2 appends" || diag < "$work/stderr.txt"
run -- /bin/sh -c 'ls /dev; grep devpts /proc/mounts | cut -d" " -f2'
printf '%s\n' "$out" | grep -qx /dev/pts && printf '%s\n' "$out" | grep -qx ptmx
ok $? "devpts on /dev/pts, /dev/ptmx there" || show
! printf '%s\n' "$out" | grep -q '^vd'
ok $? "  the image's disk (/dev/vda) is not: a guest cannot write under its file system" || show
setsid -w "$KBOX" -r "$img" -- /bin/sh -c 'echo x > /dev/tty' < /dev/null > "$work/out" 2> "$work/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'No such device or address' "$work/err"
ok $? "/dev/tty without a controlling terminal: ENXIO" || show

# ---- the image afterwards -------------------------------------------------

mkdir "$work/tmp2"
TMPDIR=$work/tmp2 run -- true
[ $rc -eq 0 ] && [ -z "$(ls -A "$work/tmp2")" ]
ok $? "kbox removes its exec directory from \$TMPDIR when it ends" || ls -lA "$work/tmp2" | diag

e2fsck -fn "$img" > "$work/fsck.log" 2>&1 &&
	! dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery
ok $? "the image is e2fsck-clean, its journal needs no recovery" || diag < "$work/fsck.log"

! grep -q 'Sanitizer\|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
