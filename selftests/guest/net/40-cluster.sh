#!/bin/sh
# 40-cluster.sh - coordinated checkpoints of a job spanning alpha and beta (node 0 and 1;
# Documentation/cluster.md): job 81 (ckpt_rt_prog threads) runs on both,
# `ckptctl cluster set` says it spans both, and alpha coordinates:
#   1. a cluster checkpoint commits global checkpoint 1 on both hosts
#   2. beta's ckptd dies on PREPARE, then on DUMP (test hooks) -> abort:
#      alpha thawed, its image of the round dropped, no global checkpoint 2
#   3. beta lacks job 82 -> refused in prepare, named; alpha thawed
#   4. beta answers PREPARE late (hook) -> timeout named; both thawed
#   5. kill on both, `restore --job 81` on alpha brings checkpoint 1 back
#      on both hosts, and each restored job checks its own state: PASS
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2
hosts_start /tmp/d81 /tmp/d82

# restart_ckptd [ENV=VALUE]: stop ckptd, start it again (with a test hook)
restart_ckptd() {
	stop_ckptd
	if [ -n "${1:-}" ]; then env "$1" ckptd --foreground >>"$CKPTD_LOG" 2>&1 &
	else ckptd --foreground >>"$CKPTD_LOG" 2>&1 & fi
	CKPTD_PID=$!
	while ! ckptctl list >/dev/null 2>&1; do
		kill -0 "$CKPTD_PID" 2>/dev/null || return 1
		usleep 20000
	done
}
# nglobal JOB: how many global checkpoints of JOB are listed here
nglobal() { ckptctl cluster ls --job "$1" | grep -c '^  global'; }
# nimages JOB: how many images of JOB the store holds here
nimages() { ls "$STORE/$1" 2>/dev/null | grep -c '^[0-9][0-9]*$'; }

run ckptctl run --job 81 -- ckpt_rt_prog threads /tmp/d81
wait_file /tmp/d81/ready 60
run ckptctl cluster set --job 81 --hosts alpha,beta
P81=$(members 81)
# pids_thawed PIDS...: none of them is parked by a freeze (there are some)
pids_thawed() {
	[ $# -gt 0 ] || return 1
	for p in "$@"; do [ "$(pstate "$p")" != I ] || return 1; done
}

if [ "$ME" = alpha ]; then
	plan 20
	run ckptctl cluster set --job 81 --hosts alpha,nosuch
	check "cluster set with a host not in [peers]: refused, names it" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q 'host nosuch is not a peer'" _ "$OUT"
	barrier_wait 7611		# beta runs job 81 too
	run ckptctl checkpoint --job 81
	check "cluster checkpoint of job 81: exit 0" test "$RC" = 0
	check "it reports global checkpoint 1 of alpha and beta" \
		sh -c "printf '%s' \"\$1\" | grep -q 'checkpoint 1 in .*/81/cluster/1' && printf '%s' \"\$1\" | grep -q 'hosts:images alpha:[0-9]*,beta:[0-9]*'" _ "$OUT"
	check "job 81 runs on after the checkpoint" not_parked 81
	run ckptctl checkpoint --job 81 --incremental
	check "--incremental of a cluster job: refused, says why" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q 'always full'" _ "$OUT"
	barrier_signal 1 7612
	barrier_wait 7613		# beta's ckptd dies on PREPARE now
	run ckptctl checkpoint --job 81
	check "beta's ckptd dies in prepare: the checkpoint fails, naming beta and prepare" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q \"host beta failed in phase 'prepare'\"" _ "$OUT"
	check "alpha's job 81 was thawed" not_parked 81
	check "no global checkpoint 2 on alpha" test "$(nglobal 81)" = 1
	barrier_signal 1 7614
	barrier_wait 7640		# beta's ckptd dies on DUMP now
	nimg=$(nimages 81)
	run ckptctl checkpoint --job 81
	check "beta's ckptd dies in dump: the checkpoint fails, naming beta and dump" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q \"host beta failed in phase 'dump'\"" _ "$OUT"
	check "alpha's job 81 was thawed" not_parked 81
	check "alpha dropped its image of the aborted round ($nimg image(s) before and after)" \
		test "$(nimages 81)" = "$nimg"
	check "still no global checkpoint 2 on alpha" test "$(nglobal 81)" = 1
	barrier_signal 1 7641
	barrier_wait 7615		# beta's ckptd is back, without job 82
	run ckptctl run --job 82 -- ckpt_rt_prog threads /tmp/d82
	wait_file /tmp/d82/ready 60
	run ckptctl cluster set --job 82 --hosts alpha,beta
	run ckptctl checkpoint --job 82
	check "beta has no job 82: refused in prepare, beta says why" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q \"host beta failed in phase 'prepare': job 82 is not attached on beta\"" _ "$OUT"
	check "alpha's job 82 was thawed" not_parked 82
	run ckptctl kill --job 82
	sed -i 's/^timeout_ms = .*/timeout_ms = 3000/' /etc/ckpt/ckptd.conf
	restart_ckptd
	barrier_signal 1 7616
	barrier_wait 7617		# beta answers PREPARE 8 s late now
	run ckptctl checkpoint --job 81
	check "beta answers too late: the error names beta, prepare and the timeout" \
		sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q \"host beta failed in phase 'prepare': no answer within 3000 ms\"" _ "$OUT"
	check "alpha's job 81 was thawed" not_parked 81
	sed -i 's/^timeout_ms = .*/timeout_ms = 20000/' /etc/ckpt/ckptd.conf
	restart_ckptd
	barrier_signal 1 7618
	barrier_wait 7619		# beta thawed, ckptd back; both kill job 81
	run ckptctl kill --job 81
	barrier_wait 7620
	run ckptctl restore --job 81
	check "restore --job 81: global checkpoint 1 restored on both hosts" \
		sh -c "[ $RC = 0 ] && printf '%s' \"\$1\" | grep -q 'restored from checkpoint 1'" _ "$OUT"
	pid=$(job_pid 81)
	check "job 81 is registered on alpha again, root pid $pid running" sh -c "[ -n '$pid' ] && kill -0 '$pid'"
	[ -n "$pid" ] && kill -USR1 "$pid"
	wait_file /tmp/d81/result 60
	check "job 81 on alpha: $(cat /tmp/d81/result 2>/dev/null)" grep -q '^PASS' /tmp/d81/result
	check "still exactly one global checkpoint listed" test "$(nglobal 81)" = 1
	barrier_signal 1 7622
else
	plan 13
	barrier_signal 0 7611
	barrier_wait 7612		# checkpoint 1 done
	check "beta holds its copy of global checkpoint 1" test "$(nglobal 81)" = 1
	check "job 81 runs on beta after the checkpoint" not_parked 81
	restart_ckptd CKPTD_TEST_CLUSTER_PREPARE=exit
	barrier_signal 0 7613
	barrier_wait 7614
	check "beta's ckptd died on PREPARE (the hook)" sh -c "! kill -0 $CKPTD_PID"
	check "beta's job 81 was never left frozen" pids_thawed $P81
	restart_ckptd
	check "no global checkpoint 2 on beta" test "$(nglobal 81)" = 1
	run ckptctl cluster set --job 82 --hosts alpha,beta	# but no job 82 here
	restart_ckptd CKPTD_TEST_CLUSTER_DUMP=exit
	barrier_signal 0 7640
	barrier_wait 7641
	check "beta's ckptd died on DUMP (the hook)" sh -c "! kill -0 $CKPTD_PID"
	restart_ckptd
	check "beta's job 81 runs again (ckpt.ko let it go with ckptd)" pids_thawed $P81
	check "still no global checkpoint 2 on beta" test "$(nglobal 81)" = 1
	barrier_signal 0 7615
	barrier_wait 7616
	restart_ckptd CKPTD_TEST_CLUSTER_PREPARE=stall:8000
	barrier_signal 0 7617
	wait_for grep -Eq 'cluster round (of alpha aborted here|aborted by alpha)' "$CKPTD_LOG"
	check "beta aborted the late round" grep -Eq 'cluster round (of alpha aborted here|aborted by alpha)' "$CKPTD_LOG"
	check "beta's job 81 was thawed" not_parked 81
	restart_ckptd
	barrier_wait 7618		# alpha is done with the late round
	barrier_signal 0 7619
	run ckptctl kill --job 81
	barrier_signal 0 7620
	barrier_wait 7622		# alpha restored job 81 on both
	rm -f /tmp/d81/result
	pid=$(job_pid 81)
	check "job 81 is registered on beta again, root pid $pid running" sh -c "[ -n '$pid' ] && kill -0 '$pid'"
	[ -n "$pid" ] && kill -USR1 "$pid"
	wait_file /tmp/d81/result 60
	check "job 81 on beta: $(cat /tmp/d81/result 2>/dev/null)" grep -q '^PASS' /tmp/d81/result
	check "beta's log names the cluster restore" grep -q 'global checkpoint 1' "$CKPTD_LOG"
fi
# leave nothing behind for the next test
for j in 81 82; do
	ckptctl kill --job $j >/dev/null 2>&1
	ckptctl cluster unset --job $j >/dev/null 2>&1
done
finish
