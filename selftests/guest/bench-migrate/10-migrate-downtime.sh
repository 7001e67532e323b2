#!/bin/sh
# The migration benchmark (bench/migrate.sh; not part of make check): on
# two guests, a 256 MiB job rewriting about 1 MiB/s is moved from alpha to
# beta stop-and-copy, then a second one live; each checks its memory on
# beta.  Alpha prints the downtimes as "# bench: ..." lines and
# "# bench: migrate_live_downtime_ratio=R" (live / stop-and-copy).
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2 "this benchmark"
MIB=${BENCH_MIGRATE_MIB:-256}
RATE=1024	# KiB/s
hosts_start /tmp/bm51 /tmp/bm52
json_num() { printf '%s' "$OUT" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
verify_here() {
	rm -f "$2/result"
	kill -USR1 "$(job_pid "$1")" && wait_file "$2/result" 120 && grep -q '^PASS' "$2/result"
}
# move JOB [--live]: migrate, sets D (downtime us) and I (pre-dumps)
move() {
	j=$1; shift
	# its pids stay: far above what beta uses (pid_max is 32768 here)
	echo $((20000 + j * 10)) > /proc/sys/kernel/ns_last_pid
	ckptctl run --job "$j" -- ckpt_migrate_prog "$MIB" "/tmp/bm$j" "$RATE" >/dev/null
	wait_file "/tmp/bm$j/ready" 300
	sleep 5		# let it write a while
	run ckptctl migrate --job "$j" --to beta --json "$@"
	check "migrate job $j $*: exit 0" test "$RC" = 0
	D=$(json_num downtime_us) I=$(json_num iterations) B=$(json_num bytes)
	L=$(json_num last_dirty_bytes)
}

if [ "$ME" = alpha ]; then
	plan 2
	barrier_wait_long 7621 600
	move 51
	DSC=$D BSC=$B
	barrier_signal_long 1 7622 600
	barrier_wait_long 7623 600
	rm -rf "$STORE/51"
	move 52 --live
	barrier_signal_long 1 7624 600
	barrier_wait_long 7625 600
	echo "# bench: migrate ${MIB} MiB job writing ${RATE} KiB/s, stop-and-copy: downtime $((DSC / 1000)) ms, $((BSC >> 20)) MiB shipped"
	echo "# bench: migrate ${MIB} MiB job writing ${RATE} KiB/s, live: downtime $((D / 1000)) ms after $I pre-dump(s) (the last $((${L:-0} >> 10)) KiB), $((B >> 20)) MiB shipped"
	if [ "${DSC:-0}" -gt 0 ] && [ -n "$D" ]; then
		echo "# bench: migrate_live_downtime_ratio=$(awk "BEGIN { printf \"%.3f\", $D / $DSC }")"
	fi
	grep -E 'migrated to|pre-dump [0-9]+ ' "$CKPTD_LOG" | sed 's/^/# ckptd: /'
else
	plan 2
	barrier_signal_long 0 7621 600
	barrier_wait_long 7622 600
	check "job 51 on beta: its memory is intact" verify_here 51 /tmp/bm51
	ckptctl kill --job 51 >/dev/null 2>&1
	rm -rf "$STORE/51"
	barrier_signal_long 0 7623 600
	barrier_wait_long 7624 600
	check "job 52 on beta: its memory is intact" verify_here 52 /tmp/bm52
	ckptctl kill --job 52 >/dev/null 2>&1
	barrier_signal_long 0 7625 600
fi
finish
