#!/bin/sh
# `ckptctl restore --host beta` on two guests: alpha (node 0) freezes two
# jobs started with `ckptctl run --pidns` (8 threads holding AVX registers
# and TLS; a three-level process tree with pipes and a zombie) and moves
# them to beta (node 1), which restores them; the jobs then check their
# own state on beta and say PASS.  The originals on alpha are gone.
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2
hosts_start /tmp/d41 /tmp/d42

if [ "$ME" = alpha ]; then
	plan 6
	run ckptctl run --pidns --job 41 -- ckpt_rt_prog threads /tmp/d41
	run ckptctl run --pidns --job 42 -- ckpt_rt_prog tree /tmp/d42
	wait_file /tmp/d41/ready 60 && wait_file /tmp/d42/ready 60
	P41=$(members 41) P42=$(members 42)
	run ckptctl freeze --job 41
	run ckptctl freeze --job 42
	check "both jobs frozen on alpha" all_in_state 41 I
	barrier_wait 7601	# beta's ckptd listens
	run ckptctl restore --host beta
	check "restore --host beta: exit 0" test "$RC" = 0
	check "it reports both jobs restored on beta" \
		sh -c "printf '%s' \"\$1\" | grep -q 'job 41: restored on beta' && printf '%s' \"\$1\" | grep -q 'job 42: restored on beta'" _ "$OUT"
	gone=1
	for p in $P41 $P42; do n=250; while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do usleep 20000; n=$((n-1)); done; kill -0 "$p" 2>/dev/null && gone=0; done
	check "the frozen originals on alpha are terminated" test $gone = 1
	run ckptctl list --json
	check "alpha's ckptd no longer lists jobs 41 and 42" sh -c "! printf '%s' \"\$1\" | grep -q '\"job\":4[12]'" _ "$OUT"
	run ckptctl restore --host beta
	check "a second restore --host with no frozen job: exit 5 (no such job), says why" \
		sh -c "[ $RC = 5 ] && printf '%s' \"\$1\" | grep -q 'no frozen job'" _ "$OUT"
	barrier_signal 1 7602
else
	plan 5
	barrier_signal 0 7601
	barrier_wait 7602	# alpha has moved the jobs here
	run ckptctl list
	for j in 41 42; do
		pid=$(job_pid $j)
		check "job $j is registered on beta, root pid $pid running" sh -c "[ -n '$pid' ] && kill -0 '$pid'"
		[ -n "$pid" ] && kill -USR1 "$pid"
	done
	wait_file /tmp/d41/result 60
	check "job 41 on beta: $(cat /tmp/d41/result 2>/dev/null)" grep -q '^PASS' /tmp/d41/result
	wait_file /tmp/d42/result 60
	check "job 42 on beta: $(cat /tmp/d42/result 2>/dev/null)" grep -q '^PASS' /tmp/d42/result
	check "beta's ckptd log names the restores" grep -q 'job 42 restored here' "$CKPTD_LOG"
fi
[ "$TAP_FAILED" = 0 ] || sed "s/^/# ckptd: /" "$CKPTD_LOG"
finish
