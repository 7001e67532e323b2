#!/bin/sh
# The demo suite (make demo, scripts/demo.sh): on two guests, job 42 counts
# on alpha ("tick N on HOST" once a second, while it rewrites 32 MiB it can check),
# is frozen, moved with `ckptctl restore --host beta`, and counts on on
# beta from where it stopped, its memory intact.  Everything worth seeing
# is a TAP comment; scripts/demo.sh shows them as they come.
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2 "the demo"
say() { echo "# $*"; }
# show CMD...: the command and its output, as typed on $ME
show() {
	echo "# $ME\$ $*"
	OUT=$("$@" 2>&1); RC=$?
	printf '%s\n' "$OUT" | sed 's/^/#     /'
	return $RC
}
JOBLOG=$STATE/job-42.log
# last_tick [HOST]: the job's newest tick (written on HOST)
last_tick() { sed -n "s/^tick \([0-9]*\) on ${1:-.*}\$/\1/p" "$JOBLOG" 2>/dev/null | tail -n 1; }
first_tick() { sed -n "s/^tick \([0-9]*\) on $1\$/\1/p" "$JOBLOG" 2>/dev/null | head -n 1; }
# watch SECS: prints each new tick of job 42 for SECS seconds
watch() {
	n=$(($1 * 5)) prev=
	while [ $n -gt 0 ]; do
		t=$(last_tick)
		[ -n "$t" ] && [ "$t" != "$prev" ] &&
			say "    job 42 says: $(grep "^tick $t " "$JOBLOG" | tail -n 1)" && prev=$t
		usleep 200000
		n=$((n - 1))
	done
}
hosts_start /tmp/demo42

if [ "$ME" = alpha ]; then
	plan 5
	say "alpha: starting job 42, a program that counts once a second while it rewrites 32 MiB"
	say "alpha: (in a pid namespace of its own, so that it keeps its pids on any host)"
	show ckptctl run --pidns --job 42 -- ckpt_migrate_prog 32 /tmp/demo42 256
	tap_result $? "ckptctl run --job 42 on alpha"
	wait_file /tmp/demo42/ready 60
	watch 5
	barrier_wait_long 7701 300	# beta is up
	say "alpha: freezing job 42 and writing its checkpoint"
	show ckptctl freeze --job 42
	tap_result $? "ckptctl freeze --job 42"
	T=$(last_tick)
	sleep 2
	check "job 42 is frozen on alpha: its log stays at tick $T" test "$(last_tick)" = "$T"
	say "alpha: moving it to beta"
	show ckptctl restore --host beta
	tap_result $? "ckptctl restore --host beta"
	P=$(ckptctl list 2>&1)
	check "alpha no longer runs job 42" sh -c "! printf '%s' \"\$1\" | grep -q '^42 '" _ "$P"
	barrier_signal_long 1 7702 300	# beta: show it
	barrier_wait_long 7703 300
else
	plan 4
	barrier_signal_long 0 7701 300
	barrier_wait_long 7702 300	# job 42 is here
	T=$(last_tick ckpt-node0)
	say "beta: job 42 arrived; the last tick it counted on alpha (ckpt-node0) is $T"
	show ckptctl list
	pid=$(job_pid 42)
	check "job 42 runs on beta (root pid ${pid:-none})" sh -c "[ -n '$pid' ] && kill -0 '$pid'"
	n=250
	while [ -z "$(first_tick ckpt-node1)" ] && [ $n -gt 0 ]; do usleep 40000; n=$((n - 1)); done
	F=$(first_tick ckpt-node1)
	check "its counter went on from where it stopped: tick $T on alpha, then tick ${F:-none} on beta" \
		test "${F:-0}" = $((T + 1))
	watch 4
	say "beta: asking job 42 to check its 32 MiB (SIGUSR1)"
	kill -USR1 "$pid" 2>/dev/null
	wait_file /tmp/demo42/result 60
	say "    job 42 on beta: $(cat /tmp/demo42/result 2>/dev/null)"
	check "its memory is intact on beta" grep -q '^PASS' /tmp/demo42/result
	L=$(last_tick)
	check "it counts on on beta: tick ${L:-none}" test "${L:-0}" -gt "${F:-0}"
	echo "# VERDICT job 42 stopped at tick $T on alpha and counted on on beta (tick $L), memory intact"
	ckptctl kill --job 42 >/dev/null 2>&1
	barrier_signal_long 0 7703 300
fi
finish
