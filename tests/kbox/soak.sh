#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The soak run (make soak; not part of make check): one kbox, alive for
# SOAK_SECONDS (default 600), runs a mixed workload over and over in an
# image made with mke2fs -d.  Each round, in its own directory: a signal
# storm during I/O in the background while a fork storm and threads doing
# I/O run, then fd exhaustion, SIGSTOP/SIGCONT storms (every other round),
# shell pipelines (sort, md5sum, gzip, tar) and file churn (create,
# rename, link, remove, deep trees), and the directory removed again.
# Every command runs under busybox timeout, so a hang is a failure, not
# the end of the run.
#
# TAP output at the end: every kind of work passed every time; kbox exits
# with the guest's status after at least SOAK_SECONDS; no sanitizer
# report; the image is e2fsck-clean and holds the round journal and
# nothing else the rounds made; kbox's host fds and threads, sampled
# between rounds (when the guest is quiet), and the library kernel's
# unreclaimable slab do not grow.  Progress goes out as TAP comments
# while it runs.
#
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
PATH=$PATH:/sbin:/usr/sbin
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

kbox_test_init soak
need mke2fs e2fsck debugfs dumpe2fs timeout -- e2fsprogs coreutils
STRESS=${KBOX_GUEST_BIN:-}/stress
[ -x "$STRESS" ] || skip_all "no $STRESS (make soak builds it)"
[ -x /bin/busybox ] || skip_all "no /bin/busybox (busybox-static) for the image"
secs=${SOAK_SECONDS:-600}

stage=$work/stage
mkdir -p "$stage/bin" "$stage/tmp" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/soak"
cp /bin/busybox "$stage/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
cp "$STRESS" "$stage/bin/stress"

# The guest's side: rounds until the time is up.  "result KIND ok|FAIL"
# per piece of work, "round N done" at the end of each round, followed
# by a quiet second for the host to look at kbox.
cat > "$stage/bin/soak-rounds" <<'EOF'
#!/bin/sh
end=$(($(date +%s) + ${1:-0}))
n=0
# try KIND CMD...: CMD under a time limit; ok if it exits 0 and says no FAIL.
try() {
	kind=$1
	shift
	timeout 300 "$@" > "/tmp/$kind.out" 2>&1
	st=$?
	if [ $st -eq 0 ] && ! grep -q FAIL "/tmp/$kind.out"; then
		echo "result $kind ok"
	else
		echo "result $kind FAIL (status $st, round $n)"
		head -20 "/tmp/$kind.out" | sed 's/^/    /'
	fi
}
pipelines() {
	d=$1
	[ "$(seq 1 50000 | sort -rn | head -n 1)" = 50000 ] || return 1
	[ "$(seq 1 20000 | tr 0-9 a-j | md5sum)" = "$2" ] || return 2
	dd if=/dev/urandom bs=65536 count=32 2> /dev/null | tee "$d/rand" | md5sum > "$d/sum1"
	md5sum < "$d/rand" > "$d/sum2"
	cmp -s "$d/sum1" "$d/sum2" || return 3
	gzip -c "$d/rand" | gunzip -c | cmp -s - "$d/rand" || return 4
	[ "$(cat "$d/rand" "$d/rand" | wc -c)" = 4194304 ] || return 5
}
churn() {
	d=$1
	mkdir -p "$d/c/a/b/c/d/e" "$d/c/x" || return 1
	i=0
	while [ $i -lt 150 ]; do
		echo "file $i" > "$d/c/f$i"
		mv "$d/c/f$i" "$d/c/a/b/g$i"
		ln "$d/c/a/b/g$i" "$d/c/x/h$i"
		[ $((i % 3)) -eq 0 ] && rm "$d/c/a/b/g$i"
		i=$((i + 1))
	done
	[ "$(cat "$d/c/x/h77")" = "file 77" ] || return 2
	[ "$(ls "$d/c/x" | wc -l)" = 150 ] || return 3
	[ "$(ls "$d/c/a/b" | wc -l)" = 101 ] || return 4
	tar cf "$d/t.tar" -C "$d" c || return 5
	mkdir "$d/u" && tar xf "$d/t.tar" -C "$d/u" || return 6
	diff -r "$d/c" "$d/u/c" > /dev/null || return 7
	rm -rf "$d/c" "$d/u" "$d/t.tar"
	[ ! -e "$d/c" ] || return 8
}
# The shell's own work, run as a command of its own (for timeout).
case ${1:-} in
pipelines | churn)
	"$@"
	exit
	;;
esac
want=$(seq 1 20000 | tr 0-9 a-j | md5sum)
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	d=/soak/r$n
	mkdir "$d"
	mode=restart
	[ $((n % 2)) -eq 0 ] && mode=norestart
	try signals stress signals "$d/sig" 2000 $mode > "$d/sig.result" &
	bg=$!
	try fork stress fork "$d/fork" 4 24
	try threads stress threads "$d/thr" 6 60
	wait $bg
	cat "$d/sig.result"
	try fds stress fds "$d/fds" $((128 << (n % 2)))
	[ $((n % 2)) -eq 1 ] && try stopcont stress stopcont "$d/sc" 100
	try pipelines sh /bin/soak-rounds pipelines "$d" "$want"
	try churn sh /bin/soak-rounds churn "$d"
	rm -rf "$d"
	[ -e "$d" ] && echo "result cleanup FAIL (round $n)"
	echo "round $n" >> /soak/journal
	echo "round $n done $(grep -E '^(MemFree|Buffers|Cached|SUnreclaim):' /proc/meminfo |
		tr -s ' ' | tr '\n' ' ')"
	sleep 1
done
echo "rounds $n"
exit 0
EOF
chmod +x "$stage/bin/soak-rounds"
img=$work/soak.ext4
mke2fs -q -t ext4 -d "$stage" "$img" 512M > "$work/mke2fs.log" 2>&1 ||
	{ diag < "$work/mke2fs.log"; exit 1; }

# kbox's host fds and threads.
kbox_fds() { ls "/proc/$1/fd" 2> /dev/null | wc -l; }
kbox_threads() { ls "/proc/$1/task" 2> /dev/null | wc -l; }
kbox_rss() { sed -n 's/^VmRSS: *//p' "/proc/$1/status" 2> /dev/null; }

echo "# soak: $secs s in one kbox (SOAK_SECONDS), work directory $work"
t0=$SECONDS
timeout -k 10 $((secs + 900)) "$KBOX" -r "$img" -- /bin/sh /bin/soak-rounds "$secs" \
	> "$work/out" 2> "$work/err" < /dev/null &
kpid=$!
# The host side of each quiet second: one sample per round.
seen=0
: > "$work/samples"
while kill -0 "$kpid" 2> /dev/null; do
	sleep 0.2
	n=$(grep -c '^round [0-9]* done' "$work/out")
	[ "$n" -gt "$seen" ] || continue
	seen=$n
	# timeout's child is kbox.
	k=$(pgrep -P "$kpid" -x kbox | head -n 1)
	[ -n "$k" ] || continue
	s="$(kbox_fds "$k") $(kbox_threads "$k") $(kbox_rss "$k" | tr -d ' ')"
	echo "$n $s" >> "$work/samples"
	echo "# round $n: kbox has $(echo "$s" | awk '{ print $1 " fds, " $2 " threads, " $3 " resident" }');" \
		"kernel: $(grep "^round $n done" "$work/out" | cut -d' ' -f4-)"
done
wait "$kpid"
rc=$?
elapsed=$((SECONDS - t0))
rounds=$(sed -n 's/^rounds //p' "$work/out")

is "$rc" 0 "kbox ran the rounds for $elapsed s and exits with their status, 0" ||
	{ tail -30 "$work/out"; tail -30 "$work/err"; } | diag
[ "$elapsed" -ge "$secs" ]
ok $? "it lasted at least SOAK_SECONDS ($secs s)"
[ -n "$rounds" ] && [ "$rounds" -ge 1 ]
ok $? "${rounds:-no} rounds"
for kind in signals fork threads fds stopcont pipelines churn; do
	good=$(grep -c "^result $kind ok" "$work/out")
	bad=$(grep -c "^result $kind FAIL" "$work/out")
	[ "$good" -ge 1 ] && [ "$bad" -eq 0 ]
	ok $? "$kind: $good runs passed, $bad failed" ||
		grep -A20 "^result $kind FAIL" "$work/out" | head -40 | diag
done
! grep -q '^result cleanup FAIL' "$work/out"
ok $? "every round's directory was removed"
! grep -q '==ERROR: \|runtime error:' "$work/err"
ok $? "no sanitizer report" || grep -A30 '==ERROR: \|runtime error:' "$work/err" | head -60 | diag
fs_clean "$img" "the image is e2fsck-clean, no journal to recover"
journal=$(debugfs -R 'cat /soak/journal' "$img" 2> /dev/null | wc -l)
is "$journal" "${rounds:-?}" "debugfs: /soak/journal has a line per round"
left=$(debugfs -R 'ls -p /soak' "$img" 2> /dev/null |
	awk -F/ 'NF > 5 && $6 != "." && $6 != ".." { print $6 }')
is "$left" journal "debugfs: /soak holds only the journal"

# Between rounds the guest is one shell in sleep: kbox should be back
# where it was after the first round.
if [ "$(wc -l < "$work/samples")" -ge 3 ]; then
	read -r _ fds1 thr1 _ < <(sed -n 2p "$work/samples")
	read -r _ fdsn thrn _ < <(tail -n 1 "$work/samples")
	[ "$fdsn" -le $((fds1 + 8)) ]
	ok $? "kbox's host fds between rounds: $fds1 after round 2, $fdsn after the last"
	[ "$thrn" -le $((thr1 + 4)) ]
	ok $? "kbox's threads between rounds: $thr1 after round 2, $thrn after the last"
else
	skip "kbox's host fds and threads between rounds" "fewer than 3 rounds sampled"
fi
# The kernel's caches grow (buffers, dentries); what it cannot reclaim should not.
slab1=$(sed -n 's/^round 2 done .*SUnreclaim: \([0-9]*\) kB.*/\1/p' "$work/out")
slabn=$(sed -n 's/^round [0-9]* done .*SUnreclaim: \([0-9]*\) kB.*/\1/p' "$work/out" | tail -n 1)
if [ -n "$slab1" ] && [ -n "$slabn" ] && [ "${rounds:-0}" -ge 3 ]; then
	[ "$slabn" -le $((2 * slab1)) ]
	ok $? "the kernel's unreclaimable slab: $slab1 kB after round 2, $slabn kB after the last"
else
	skip "the kernel's unreclaimable slab between rounds" "fewer than 3 rounds"
fi
done_testing
