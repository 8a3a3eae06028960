# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the shell tests; source it.  Output: one "ok N - ..." or
# "not ok N - ..." line per check, the plan at the end.
#
#   ok STATUS DESCRIPTION...   STATUS 0 passes
#   is GOT EXPECTED DESCRIPTION...
#   diag                       indent stdin as a TAP comment
#   skip DESCRIPTION REASON    a check this machine cannot make, as passed
#   skip_all REASON            plan 1..0 with a SKIP reason, exit 0
#   need CMD... -- PACKAGES    skip_all unless every CMD is on PATH
#   done_testing               plan, exit status 0 iff all passed

tap_n=0
tap_failed=0

ok() {
	local st=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		# "# TODO" marks a known bug: TAP does not count it as a failure.
		case $* in *"# TODO"*) ;; *) tap_failed=$((tap_failed + 1)) ;; esac
	fi
	return "$st"
}

is() {
	local got=$1 exp=$2
	shift 2
	if [ "$got" = "$exp" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		printf 'got:      %s\nexpected: %s\n' "$got" "$exp" | diag
		return 1
	fi
}

diag() { sed 's/^/#   /'; }

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

need() {
	local missing=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		command -v "$1" >/dev/null 2>&1 || missing="$missing $1"
		shift
	done
	[ "${1:-}" = -- ] && shift
	[ -z "$missing" ] || skip_all "missing$missing ($*)"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ] || echo "# $tap_failed of $tap_n checks failed"
	[ "$tap_failed" -eq 0 ]
	exit
}
