#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest cannot reach the host (TAP output).
#
#   1. guest/escape.c, run inside kbox from an image made with mke2fs -d:
#      the calls kbox's seccomp filter denies (ptrace, process_vm_*, bpf,
#      modules, reboot, kexec, unshare, setns, clone with CLONE_NEW*,
#      mount...) fail with EPERM; a file that exists on the host only
#      cannot be reached by path, by climbing above /, through
#      /proc/self/root, /proc/1/root, /proc/self/cwd, a symlink to
#      /../../.., nor through a host directory handed in as stdin; the
#      guest inherits no fd but 0, 1 and 2.
#   2. The exec race: execve's path rewritten by another thread after
#      kbox checked it must not run a file of the host.
#   3. The guest's /proc is the library kernel's (no host pids), its
#      kernel 6.12, not the host's; it cannot signal host processes.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
umask 022
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

ESCAPE=${KBOX_GUEST_BIN:-}/escape
[ -x "$ESCAPE" ] || skip_all "no guest program $ESCAPE (make it)"
need mke2fs timeout -- e2fsprogs coreutils
[ -x /bin/busybox ] || skip_all "no /bin/busybox (busybox-static) for the test image"

hostdir=
kbox_cleanup='"$hostdir"'
kbox_test_init test_isolation
# The host-only file: a path that the image cannot hold by chance.
hostdir=$(mktemp -d /tmp/kbox-escape-XXXXXX) || exit 1
[ "${KEEP:-}" = 1 ] && echo "# host directory $hostdir"
secret=$hostdir/secret
echo "host secret" > "$secret"
cp "$ESCAPE" "$hostdir/hostprog"

stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/etc"
chmod 1777 "$stage/tmp"
cp /bin/busybox "$stage/bin/busybox"
for a in sh cat ls kill echo sleep; do ln -s busybox "$stage/bin/$a"; done
cp "$ESCAPE" "$stage/bin/escape"
img=$work/escape.ext4
mke2fs -q -t ext4 -d "$stage" "$img" 64M > "$work/mke2fs.log" 2>&1
ok $? "an image holding busybox and the escape program (mke2fs -d)" || diag < "$work/mke2fs.log"

# run ARGS...: kbox -r $img ARGS; status in $rc, stdout in $out.
run() { kb -r "$img" "$@"; }

# ---- 1. the probes --------------------------------------------------------

# stdin: the secret's host directory; fds 7 and 9 open in kbox, which
# must not hand them on.
timeout -k 5 30 "$KBOX" -r "$img" -- /bin/escape "$secret" \
	< "$hostdir" 7< "$secret" 9> "$work/fd9" > "$work/probes" 2> "$work/err"
rc=$?
{ echo "== kbox escape"; cat "$work/err"; } >> "$work/all.err"
is "$rc" 0 "the escape program ran to the end" || { diag < "$work/probes"; diag < "$work/err"; }
grep -qx done "$work/probes"
ok $? "  and printed all its probes" || diag < "$work/probes"

# probe NAME WANT [DESCRIPTION]: the probe's line says WANT.
probe() {
	local name=$1 want=$2 desc=${3:-}
	local got
	got=$(sed -n "s|^$name ||p" "$work/probes" | head -1)
	[ "$got" = "$want" ]
	ok $? "$name: $want${desc:+ ($desc)}" || echo "got: ${got:-nothing}" | diag
}

probe ptrace EPERM "PTRACE_TRACEME"
probe process_vm_readv EPERM "of kbox, its parent"
probe process_vm_writev EPERM
probe bpf EPERM
probe init_module EPERM
probe finit_module EPERM
probe delete_module EPERM
probe reboot EPERM
probe kexec_load EPERM
probe unshare EPERM "CLONE_NEWUSER"
probe setns EPERM
probe swapon EPERM
probe iopl EPERM
probe perf_event_open EPERM
probe pidfd_open ESRCH "of kbox: no such process, for the guest"
probe pidfd_getfd EPERM
# Signals to host processes: EPERM from Landlock's scope, or ESRCH from
# kbox's own check on hosts without it.
for p in kill_kbox tgkill_kbox kill_session; do
	got=$(sed -n "s/^$p //p" "$work/probes")
	if [ "$got" = n/a ]; then
		skip "$p" "the session's leader is outside this pid namespace"
		continue
	fi
	[ "$got" = EPERM ] || [ "$got" = ESRCH ]
	ok $? "$p: refused (got ${got:-nothing})"
done
probe prlimit_kbox ESRCH "prlimit64 of kbox"
probe getpriority_kbox ESRCH
probe sched_getaffinity_kbox ESRCH
probe getpgid_kbox ESRCH
if grep -qx 'setpgid_session n/a' "$work/probes"; then
	skip setpgid_session "the session's leader is outside this pid namespace"
else
	probe setpgid_session EPERM "joining the process group of the session's leader"
fi
probe clone_newns EPERM "raw clone(CLONE_NEWNS)"
probe clone_newuser EPERM "raw clone(CLONE_NEWUSER|CLONE_NEWPID)"

# mount: refused, or done in the library kernel only.
m=$(sed -n 's/^mount //p' "$work/probes")
[ "$m" = EPERM ] || [ "$m" = ok ]
ok $? "mount tmpfs: EPERM, or done inside the library kernel (got ${m:-nothing})"
! grep -q kbox-escape-mnt /proc/self/mountinfo
ok $? "  no such mount on the host" || umount /tmp/kbox-escape-mnt

probe stat_secret ENOENT "$secret exists on the host only"
probe open_secret ENOENT
probe open_work ENOENT "/work"
probe chdir_up ok "chdir .. 20 times from /"
probe cwd_after_up / "still at the root"
probe open_relative_secret ENOENT "relative path after climbing"
probe open_dotdot_secret ENOENT "/../../..$secret"
probe open_proc_self_root_secret ENOENT "/proc/self/root$secret"
probe open_proc_1_root_secret ENOENT "/proc/1/root$secret"
probe open_proc_self_cwd_secret ENOENT "/proc/self/cwd$secret"
probe readlink_proc_self_root / "/proc/self/root"
probe readlink_proc_1_root / "/proc/1/root"
probe symlink_up ok "symlink /tmp/kbox-escape-link -> /../../.."
probe open_symlink_secret ENOENT "through that symlink"

# fd 0 is a host directory: nothing under it can be opened.
for p in openat_stdin_secret fstatat_stdin_secret fchdir_stdin_open_secret; do
	got=$(sed -n "s/^$p //p" "$work/probes")
	[ -n "$got" ] && [ "$got" != ok ]
	ok $? "$p: refused (stdin is the host directory $hostdir; got ${got:-nothing})"
done
got=$(sed -n "s/^getdents_stdin //p" "$work/probes")
[ "$got" = not-listed ] || [ "$got" = ENOTDIR ]
ok $? "listing stdin, a host directory, does not show the secret (got ${got:-nothing})"

probe inherited_fds 0 "fds 3..1023 open in the guest, as kbox serves them; kbox had 7 and 9 open"
probe /proc/self/fd/0 ok
probe /proc/self/fd/1 ok
probe /proc/self/fd/2 ok
! grep -q 'host secret' "$work/probes"
ok $? "the secret's content appears nowhere in the output"

# ---- 2. the exec race -------------------------------------------------------

# The baseline, exec from a process with two threads, runs meanwhile on
# a copy of the image.
cp --sparse=always "$img" "$work/mtexec.ext4"
timeout -k 5 8 "$KBOX" -r "$work/mtexec.ext4" -- /bin/escape mtexec \
	> "$work/mtexec.out" 2> "$work/mtexec.err" < /dev/null &
mtpid=$!
T=30 run -- /bin/escape race "$hostdir/hostprog" 20
is "$out" "exec_race held" "execve's path rewritten after kbox's check does not run a host file (Landlock)" || show
grep 'exec_race:' "$work/err" | diag
wait "$mtpid"
rc=$?
cp "$work/mtexec.out" "$work/out"
cp "$work/mtexec.err" "$work/err"
{ echo "== kbox escape mtexec"; cat "$work/err"; } >> "$work/all.err"
is "$(cat "$work/out")" "mtexec done" "exec from a two-thread process runs the new program" || show
is "$rc" 0 "  and kbox exits 0 after it" || show

# ---- 3. /proc, the kernel, signals --------------------------------------------

run -- ls /proc
printf '%s\n' "$out" | grep -qx 1
ok $? "the guest's /proc lists pid 1" || show
if [ "$$" -gt 1 ]; then
	! printf '%s\n' "$out" | grep -qx "$$"
	ok $? "  and not this script's host pid $$" || show
else
	skip "  and not this script's host pid" "this script is pid 1 of a pid namespace"
fi
hostpids=$(ls /proc | grep -c '^[0-9]*$')
guestpids=$(printf '%s\n' "$out" | grep -c '^[0-9]*$')
[ "$guestpids" -lt "$hostpids" ] || [ "$hostpids" -lt 50 ]
ok $? "  it lists $guestpids pids, not the host's $hostpids" || show

run -- cat /proc/version
case $out in "Linux version 6.12"*) r=0 ;; *) r=1 ;; esac
ok $r "/proc/version is the library kernel's 6.12" || show
case $out in *"version $(uname -r) "*) r=1 ;; *) r=0 ;; esac
ok $r "  not the host's $(uname -r)" || show

# The guest's host process, seen from the host: no fd but 0, 1, 2 (kbox
# has the image, the seccomp listener, 7 and 9 open).
timeout -k 5 20 "$KBOX" -r "$img" -- sleep 3 < /dev/null 7< "$secret" 9> "$work/fd9" \
	> /dev/null 2>> "$work/all.err" &
tpid=$!
kpid= gpid=
for i in $(seq 1 50); do
	[ -n "$kpid" ] || kpid=$(pgrep -P "$tpid" | head -1)
	# kbox's children: its keeper (kbox's own exe) and the guest.
	for c in $([ -n "$kpid" ] && pgrep -P "$kpid"); do
		[ "$(readlink "/proc/$c/exe" 2>/dev/null)" != "$(readlink "/proc/$kpid/exe" 2>/dev/null)" ] &&
			gpid=$c
	done
	[ -n "$gpid" ] && break
	sleep 0.1
done
sleep 0.3
fds=$([ -n "$gpid" ] && ls "/proc/$gpid/fd" 2>/dev/null | sort -n | tr '\n' ' ')
is "$fds" "0 1 2 " "the guest's host process ($gpid) holds fds 0 1 2 only" ||
	ls -l "/proc/$gpid/fd" 2>&1 | diag
wait "$tpid"

# Signals, with Landlock's scope (ABI 6) and with kbox's checks (ABI 5).
sleep 60 &
victim=$!
for abi in 6 5; do
	export KBOX_LANDLOCK_ABI=$abi
	run -- sh -c "kill -TERM $victim; echo host=\$?; sleep 5 & kill \$!; wait \$!; echo guest=\$?; kill -0 0; echo group=\$?"
	unset KBOX_LANDLOCK_ABI
	sleep 0.3
	kill -0 "$victim" 2>/dev/null
	ok $? "Landlock ABI $abi: the guest cannot kill a host process (pid $victim)" || show
	is "$out" "$(printf 'host=1\nguest=143\ngroup=0')" "  kill between guest processes and to its own group works" || show
	export KBOX_LANDLOCK_ABI=$abi
	run -- sh -c 'sleep 5 & trap "" TERM; kill -TERM -1; echo all=$?; wait $!; echo sleep=$?'
	unset KBOX_LANDLOCK_ABI
	kill -0 "$victim" 2>/dev/null
	ok $? "  kill(-1): the host process lives" || show
	is "$out" "$(printf 'all=0\nsleep=143')" "  kill(-1) reaches the other guest processes" || show
done
kill "$victim" 2>/dev/null
wait "$victim" 2>/dev/null

! grep -q 'Sanitizer\|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -60 | diag

done_testing
