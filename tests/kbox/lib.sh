# SPDX-License-Identifier: GPL-2.0
# What the kbox test scripts share; source it after tests/tap.sh.
#
#   kbox_test_init NAME   skip unless $KBOX is there, make $work (KEEP=1
#                         keeps it) and send kbox's exec directories
#                         (kbox-exec.*) into it, even those of killed runs
#   kb ARGS...            kbox with a time limit ($T, default 20 s), stdin
#                         $STDIN (default /dev/null); status in $rc, stdout
#                         in $out and $work/out, stderr in $err and
#                         $work/err (all of it also in $work/all.err)
#   show                  the last run as a TAP comment
#   checks WHERE NAME...  one TAP line per check NAME the guest printed in
#                         $out ("NAME ok", else it failed; none: failed)
#   fs_clean IMAGE DESC   e2fsck -fn clean and no journal left to recover
#   dbg REQUEST           debugfs's answer to REQUEST on $img
#   stat_has PATH RE DESC debugfs's stat of PATH in $img matches RE
#   absent PATH DESC      $img has no PATH

# Guest processes that outlived a killed kbox (their host cwd is its exec
# directory, under $work/tmp): ended, so a test leaves nothing running.
kbox_kill_leftovers() {
	local d p
	for d in /proc/[0-9]*; do
		p=$(readlink "$d/cwd" 2> /dev/null) || continue
		case $p in "$work"/*) kill -9 "${d#/proc/}" 2> /dev/null ;; esac
	done
}

# kbox_leftovers: the pids of processes working under $work (guests of
# kbox runs of this test), one per line.
kbox_leftovers() {
	local d p
	for d in /proc/[0-9]*; do
		p=$(readlink "$d/cwd" 2> /dev/null) || continue
		case $p in "$work"/*) echo "${d#/proc/}" ;; esac
	done
}

kbox_test_init() {
	[ -n "${KBOX:-}" ] || skip_all "KBOX not set (run through make check)"
	[ -x "$KBOX" ] || skip_all "no kbox at $KBOX"
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	if [ "${KEEP:-}" = 1 ]; then
		echo "# work directory: $work"
	else
		trap 'kbox_kill_leftovers; rm -rf "$work" ${kbox_cleanup:-}' EXIT
	fi
	mkdir "$work/tmp" && export TMPDIR=$work/tmp
}

kb() {
	timeout -k 5 "${T:-20}" "$KBOX" "$@" > "$work/out" 2> "$work/err" < "${STDIN:-/dev/null}"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	{ echo "== kbox $*"; cat "$work/err"; } >> "$work/all.err"
}

show() { { echo "status $rc; stdout:"; cat "$work/out"; echo "stderr:"; cat "$work/err"; } | diag; }

checks() {
	local where=$1 n line
	shift
	for n; do
		line=$(printf '%s\n' "$out" | grep -m1 "^$n ")
		case $line in
		"$n ok"*) ok 0 "$where: $line" ;;
		*) ok 1 "$where: ${line:-$n: no line}" ;;
		esac
	done
}

fs_clean() {
	e2fsck -fn "$1" > "$work/fsck.log" 2>&1 &&
		! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery
	ok $? "$2" || { diag < "$work/fsck.log"; dumpe2fs -h "$1" 2>&1 | grep -i 'features\|state' | diag; }
}

dbg() { debugfs -R "$1" "$img" 2>/dev/null; }

stat_has() {
	dbg "stat \"$1\"" > "$work/dbg"
	grep -Eq "$2" "$work/dbg"
	ok $? "debugfs: $3" || diag < "$work/dbg"
}

absent() {
	dbg "stat \"$1\"" > "$work/dbg" 2>&1
	! grep -q 'Inode:' "$work/dbg"
	ok $? "debugfs: $2" || diag < "$work/dbg"
}
