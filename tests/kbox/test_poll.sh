#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# poll and select over host and kernel fds at once (TAP output): kbox's
# stdin is a host pipe (bash process substitution) and the guest makes a
# kernel pipe; guest/mixedpoll.c checks readiness of each side, wake-ups
# by either while the call sleeps, timeouts, EINTR (and no stale
# interrupt cutting the next call short), select, and a signalfd (a host
# fd whose readiness is the guest's pending signals) beside a kernel fd.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init test_poll
[ -f "${KBOX_DEFAULT_IMAGE:-}" ] || skip_all "no default image (make images)"
[ -x "${KBOX_GUEST_BIN:-}/mixedpoll" ] || skip_all "no guest programs (KBOX_GUEST_BIN)"
need e2fsck dumpe2fs -- e2fsprogs

img=$work/root.ext4
cp --sparse=always "$KBOX_DEFAULT_IMAGE" "$img" || exit 1
run() { kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /t/mixedpoll "$@"; }

want="reopen-writer ok
host-ready ok
read-host ok
timeout ok
wakes-on-host ok
wakes-on-host-child ok
read-late-host ok
wakes-on-kernel ok
read-late-kernel ok
both ok
eintr ok
after-eintr ok
select-host ok
select-timeout ok
signalfd-quiet ok
signalfd-wakes ok"
STDIN=<(printf host-data) run
is "$out" "$want" "poll/select over stdin (a host pipe) and a kernel pipe: readiness, wake-ups by either side, timeouts, EINTR, a signalfd" || show
is "$rc" 0 "  exit status 0" || show

# A guest under load (a busy sibling): the watcher's interrupt is still
# told apart from a guest's signal.
STDIN=<(printf host-data) kb -r "$img" -b "$KBOX_GUEST_BIN:/t:ro" -- /bin/sh -c \
	'(while :; do :; done) & spin=$!; /t/mixedpoll; st=$?; kill $spin; exit $st'
is "$out" "$want" "the same beside a busy process" || show

! grep -q -e '==ERROR: ' -e 'runtime error:' "$work/all.err"
ok $? "no sanitizer report from kbox" || grep -e '==ERROR: ' -e 'runtime error:' -A5 "$work/all.err" | head -40 | diag
fs_clean "$img" "the image is fsck-clean afterwards"

done_testing
