#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An interactive shell on a real terminal: kbox runs in a tmux pane (a
# pseudo-terminal), keys are typed with send-keys and the screen read with
# capture-pane.  Job control (Ctrl-C, Ctrl-Z, jobs, bg, fg), line editing,
# the window size and its changes, the exit status; busybox sh, then bash
# from the Debian image when there is one (with python3 watching the
# terminal through asyncio, epoll).
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

need tmux -- tmux
kbox_test_init test_tty
sock=kbox-tty-$$
[ "${KEEP:-}" = 1 ] ||
	trap 'tmux -L "$sock" kill-server 2> /dev/null; kbox_kill_leftovers; rm -rf "$work"' EXIT
tm() { tmux -L "$sock" "$@"; }
pane=t

# start CMD...: a new 80x24 session running CMD; the pane stays when it ends.
start() {
	tm kill-server 2> /dev/null
	rm -f "$work/status"
	tm -f /dev/null new-session -d -s "$pane" -x 80 -y 24 "$*" &&
		tm set-option -t "$pane" remain-on-exit on > /dev/null
}
screen() { tm capture-pane -p -J -t "$pane" -S -200; }
# wait_for REGEX [SECONDS]: until the screen has a line matching REGEX.
wait_for() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# count REGEX: how many lines of the screen match.
count() { screen | grep -Ec -- "$1"; }
keys() { tm send-keys -t "$pane" "$@"; }
# type LINE: the line and Enter, then wait for the next prompt after it.
show_screen() { screen | diag; }
# The pane's shell writes kbox's exit status to $work/status: tmux 3.3
# sometimes leaves its dead pane unreaped, with no #{pane_dead_status}
# (seen with busybox sh alone, no kbox).
# ends_with N: wait (10 s at most) for kbox to end with N; $ended: the
# status (empty when it did not end).
ends_with() {
	local i
	ended=
	for ((i = 0; i < 100; i++)); do
		[ -s "$work/status" ] && ended=$(cat "$work/status") &&
			[ "$ended" = "$1" ] && break
		sleep 0.1
	done
}
# run_kbox [--log] ARGS...: the pane's command line running kbox with
# ARGS; --log: its stderr to all.err (not for bash: readline draws there).
run_kbox() {
	local log=
	[ "$1" = --log ] && log=" 2>> $work/all.err" && shift
	echo "$KBOX $*$log; echo \$? > $work/status"
}

img=$work/tty.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img"

# ---- busybox sh ---------------------------------------------------------------

start "$(run_kbox --log -r "$img" -S -- /bin/sh -i)"
wait_for '^/ # ' 30
ok $? "busybox sh -i shows its prompt on the terminal" || show_screen

keys 'echo $((6*7))-image-$(cat /etc/hostname); stty size' Enter
wait_for '^42-image-kbox$' && wait_for '^24 80$'
ok $? "commands run; stty size: 24 80 (the terminal's)" || show_screen

keys 'tty' Enter
wait_for '^/dev/pts/[0-9]+$'
ok $? "tty names the terminal (ttyname: readlink, then stat of the host's pty)" || show_screen

keys 'sleep 100' Enter
sleep 0.5
keys C-c
keys 'echo "after ^C: $?"' Enter
wait_for '^after \^C: 130$'
ok $? "Ctrl-C ends the foreground job (status 130), the shell lives" || show_screen

keys 'sleep 100' Enter
sleep 0.5
keys C-z
keys 'jobs; echo stopped-listed' Enter
wait_for '^stopped-listed$' && wait_for 'Stopped +sleep 100'
ok $? "Ctrl-Z stops the foreground job" || show_screen
keys 'bg; jobs; echo bg-done' Enter
wait_for '^bg-done$' && wait_for 'Running +sleep 100'
ok $? "  bg: it runs in the background" || show_screen
keys 'fg' Enter
sleep 0.5
keys C-c
keys 'echo "fg status $?"; jobs | wc -l' Enter
wait_for '^fg status 130$' && wait_for '^0$'
ok $? "  fg brings it back, Ctrl-C ends it, no job left" || show_screen

keys 'echo abc' Left Left X Enter
wait_for '^aXbc$'
ok $? "line editing: cursor left, insert" || show_screen
keys 'echo history-$((1+1))' Enter
wait_for '^history-2$'
keys Up Enter
sleep 0.5
[ "$(count '^history-2$')" -ge 2 ]
ok $? "  history: Up runs the last line again" || show_screen

tm resize-window -t "$pane" -x 100 -y 30
keys 'stty size' Enter
wait_for '^30 100$'
ok $? "a resized window: stty size 30 100 (SIGWINCH, TIOCGWINSZ)" || show_screen

# (The pause: a child killed before it set SIGTERM back from the
# interactive shell's "ignore" would live on.)
keys 'sleep 30 & sleep 1; kill $!; wait $!; echo "killed $?"' Enter
wait_for '^killed 143$'
ok $? "kill of a background job, wait for it: 143" || show_screen

keys 'cat > /tmp/typed' Enter
sleep 1		# cat, not the line editor, reads what comes next
keys 'typed into cat' Enter C-d
keys 'cat /tmp/typed' Enter
wait_for '^typed into cat$'
[ "$(count '^typed into cat$')" -ge 2 ]
ok $? "cat reads the terminal to Ctrl-D (EOF), its file is in the image" || show_screen

keys 'exit 3' Enter
ends_with 3
is "$ended" 3 "exit 3: kbox ends with 3" || show_screen
fs_clean "$img" "  the image is clean"

# ---- bash from the Debian image ---------------------------------------------

if [ -n "${KBOX_DEBIAN_IMAGE:-}" ] && [ -f "$KBOX_DEBIAN_IMAGE" ]; then
	# bash's prompt and line editing are on stderr: the terminal.
	start "$(run_kbox -r "$KBOX_DEBIAN_IMAGE" --ro -S -e 'PS1=bash-ready\$\ ' -- /bin/bash --norc -i)"
	wait_for '^bash-ready\$' 30
	ok $? "bash -i (readline) on the terminal" || show_screen
	keys 'python3 -c "import time; print(\"py-running\", flush=True); time.sleep(100)"' Enter
	wait_for '^py-running$'
	keys C-c
	keys 'echo "py status $?"' Enter
	wait_for '^py status 130$'
	ok $? "  Ctrl-C interrupts python3 (KeyboardInterrupt, 130)" || show_screen
	keys 'read -r -p "name? " v < /dev/tty; echo "got <$v>"' Enter
	wait_for 'name\? '
	keys 'kbox' Enter
	wait_for '^got <kbox>$'
	ok $? "  read from /dev/tty: the host terminal" || show_screen
	keys 'sleep 100' Enter
	sleep 0.5
	keys C-z
	wait_for 'Stopped +sleep 100'
	keys 'kill %1; sleep 0.5' Enter
	wait_for 'Terminated +sleep 100'
	keys 'echo "jobs left: $(jobs | wc -l)"' Enter
	wait_for '^jobs left: 0$'
	ok $? "  Ctrl-Z, kill %1 of the stopped job" || show_screen
	# An event loop watching the terminal: epoll on a host fd.
	keys 'python3 -c "import asyncio, sys; l = asyncio.new_event_loop(); f = l.create_future(); l.add_reader(0, lambda: f.done() or f.set_result(sys.stdin.readline())); print(\"py-waits\", flush=True); print(\"py-epoll\", l.run_until_complete(f).strip().upper())"' Enter
	wait_for '^py-waits$'
	keys 'typed line' Enter
	wait_for '^py-epoll TYPED LINE$'
	ok $? "  python3 asyncio reads the terminal (add_reader: the host tty in an epoll set)" || show_screen
	keys 'exit 5' Enter
	ends_with 5
	is "$ended" 5 "  exit 5: kbox ends with 5" || show_screen
	! screen | grep -q 'Sanitizer\|runtime error:'
	ok $? "  no sanitizer report on the terminal" || show_screen
else
	skip "bash -i from the Debian image" "no KBOX_DEBIAN_IMAGE"
fi

tm kill-server 2> /dev/null
! grep -q '==ERROR: \|runtime error:' "$work/all.err"
ok $? "no sanitizer report from any kbox run" ||
	grep -B3 -A12 'Sanitizer\|runtime error:' "$work/all.err" | head -80 | diag

done_testing
