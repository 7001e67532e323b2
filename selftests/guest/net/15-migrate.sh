#!/bin/sh
# `ckptctl migrate` on two guests.  Alpha (node 0) runs jobs that keep
# rewriting their memory, 512 KiB/s (ckpt_migrate_prog, which checks its
# own memory on SIGUSR1), and moves them to beta (node 1):
#   job 43  64 MiB, stop-and-copy
#   job 44  64 MiB, in its own pid namespace, live pre-copy
#   job 45  its working directory exists on alpha only: the restore step on
#           beta refuses it, the original stays frozen on alpha (then thawed
#           by --thaw-on-failure) and runs on, intact
#   job 48  uid 1000's, a root process joined its cgroup: migrate as uid
#           1000 (live or not) is refused naming that pid, the job runs on
#   job 46  live, and beta's ckptd is killed during the first pre-dump's
#           transfer: the job runs on on alpha, intact; beta's restarted
#           ckptd leaves no pre-dump or staging of job 46 behind
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2
# make check's three-guest run is about the network; the two-guest runs
# (both kernels) cover migration, and the suite's time is limited
[ "$CKPT_NODES" = 2 ] || { echo "1..0 # SKIP migration is tested in the two-guest runs"; exit 0; }
cleanup_paths /tmp/dm45-alpha-only
hosts_start /tmp/dm43 /tmp/dm44 /tmp/dm46
MIB=64

json_num() { printf '%s' "$OUT" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# verify_here JOB DIR: SIGUSR1 to the job's root, then its verdict
verify_here() {
	rm -f "$2/result"
	kill -USR1 "$(job_pid "$1")" && wait_file "$2/result" 60 && grep -q '^PASS' "$2/result"
}
frozen_here() { ckptctl status --job "$1" | grep -q frozen && all_in_state "$1" I; }
gone() { n=250; while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do usleep 20000; n=$((n-1)); done; ! kill -0 "$1" 2>/dev/null; }

if [ "$ME" = alpha ]; then
	plan 30
	mkdir -p /tmp/dm45-alpha-only
	# jobs without a pid namespace of their own keep their pids: give them
	# pids far above what beta uses (pid_max is 32768 here)
	echo 20000 > /proc/sys/kernel/ns_last_pid
	ckptctl run --job 43 -- ckpt_migrate_prog $MIB /tmp/dm43 512 >/dev/null
	ckptctl run --pidns --job 44 -- ckpt_migrate_prog $MIB /tmp/dm44 512 >/dev/null
	# the failing ones are smaller: the suite's time is limited
	echo 21000 > /proc/sys/kernel/ns_last_pid
	ckptctl run --job 46 -- ckpt_migrate_prog 32 /tmp/dm46 512 >/dev/null
	(cd /tmp/dm45-alpha-only && ckptctl run --job 45 -- ckpt_migrate_prog 16 . 512 >/dev/null)
	wait_file /tmp/dm43/ready 120 && wait_file /tmp/dm44/ready 120 &&
		wait_file /tmp/dm46/ready 120 && wait_file /tmp/dm45-alpha-only/ready 120
	P43=$(job_pid 43) P44=$(job_pid 44)
	barrier_wait_long 7661 600	# beta's ckptd listens

	run ckptctl migrate --job 43 --to beta --json
	check "migrate job 43 (stop-and-copy): exit 0" test "$RC" = 0
	D43=$(json_num downtime_us)
	check "it reports the downtime (${D43:-none} us) and the host" \
		sh -c "[ '${D43:-0}' -gt 0 ] && printf '%s' \"\$1\" | grep -q '\"host\":\"beta\"'" _ "$OUT"
	check "the original of job 43 on alpha is gone" gone "$P43"

	run ckptctl migrate --job 44 --to beta --live --json
	check "migrate job 44 --live: exit 0" test "$RC" = 0
	D44=$(json_num downtime_us) I44=$(json_num iterations)
	check "it reports the downtime (${D44:-none} us) after ${I44:-no} pre-dump(s)" \
		sh -c "[ '${D44:-0}' -gt 0 ] && [ '${I44:-0}' -ge 1 ]"
	check "the original of job 44 on alpha is gone" gone "$P44"
	run ckptctl list --json
	check "alpha's ckptd no longer lists jobs 43 and 44" sh -c "! printf '%s' \"\$1\" | grep -q '\"job\":4[34]'" _ "$OUT"
	check "alpha lists no pre-dump of job 44 as a checkpoint" \
		sh -c "[ \"\$(ckptctl image ls --store $STORE --json 44 | grep -o '\"seq\"' | wc -l)\" = 1 ]"
	barrier_signal_long 1 7662 600	# beta: check jobs 43 and 44
	barrier_wait_long 7663 600

	P45=$(job_pid 45)
	run ckptctl migrate --job 45 --to beta
	check "migrate job 45 (its cwd is not on beta): exit 1, the original stays frozen" \
		sh -c "[ $RC = 1 ] && printf '%s' \"\$1\" | grep -q 'stays frozen here, intact'" _ "$OUT"
	check "job 45 is frozen on alpha" frozen_here 45
	run ckptctl thaw --job 45
	check "ckptctl thaw resumes it" sh -c "[ $RC = 0 ] && ckptctl status --job 45 | grep -q running"
	run ckptctl migrate --job 45 --to beta --thaw-on-failure
	check "migrate job 45 (its cwd is not on beta): exit 1" test "$RC" = 1
	check "the error names the step and the host" has "step 'restore' on beta failed"
	check "the error names the missing directory" has "dm45-alpha-only"
	check "it says the original was thawed" has "thawed here"
	check "the original of job 45 runs on alpha" sh -c "[ '$(job_pid 45)' = '$P45' ] && kill -0 $P45 && ckptctl status --job 45 | grep -q running"
	check "job 45 on alpha: its memory is intact" verify_here 45 /tmp/dm45-alpha-only

	# a user's job that a root process joined: migrate as that user is
	# refused before anything is dumped or shipped (security.md)
	chmod 755 /
	grep -q '^u1000:' /etc/passwd || echo 'u1000:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd
	mkdir -p /tmp/dm48 /tmp/dm48root && chown 1000 /tmp/dm48
	su -s /bin/sh u1000 -c 'cd /tmp && ckptctl run --job 48 -- ckpt_migrate_prog 4 /tmp/dm48 0' >/dev/null
	ckpt_migrate_prog 4 /tmp/dm48root 0 >/dev/null 2>&1 &
	ROOTP=$!
	wait_file /tmp/dm48/ready 120 && wait_file /tmp/dm48root/ready 120
	echo "$ROOTP" > /sys/fs/cgroup/ckpt/job-48/cgroup.procs
	for live in --live ""; do
		run su -s /bin/sh u1000 -c "ckptctl migrate --job 48 --to beta $live"
		check "u1000: migrate $live of its job holding a root process: refused, names pid $ROOTP" \
			sh -c "[ $RC != 0 ] && printf '%s' \"\$1\" | grep -q 'job 48: pid $ROOTP '" _ "$OUT"
		check "... job 48 runs on alpha, nothing of it stored" \
			sh -c "ckptctl status --job 48 | grep -q running && [ -z \"\$(ls $STORE/48 2>/dev/null | grep '^[0-9]')\" ]"
	done
	kill "$ROOTP"
	ckptctl kill --job 48 >/dev/null 2>&1

	barrier_signal_long 1 7664 600	# beta: kill your ckptd once job 46 arrives
	P46=$(job_pid 46)
	run ckptctl migrate --job 46 --to beta --live --dirty-threshold 0
	check "migrate job 46 --live, beta's ckptd killed meanwhile: exit 1" test "$RC" = 1
	check "the error names a pre-copy step and beta" has "step '((ship )?pre-dump [0-9]+|check)' on beta failed"
	check "it says the job runs on here" has "runs on here"
	check "the original of job 46 runs on alpha, not frozen" \
		sh -c "[ '$(job_pid 46)' = '$P46' ] && ckptctl status --job 46 | grep -q running"
	check "job 46 on alpha: its memory is intact" verify_here 46 /tmp/dm46
	run ckptctl restore --job 46
	check "alpha never restores job 46's pre-dump: exit 5, says why" \
		sh -c "[ $RC = 5 ] && printf '%s' \"\$1\" | grep -q 'only pre-dumps of an unfinished migration'" _ "$OUT"
	barrier_signal_long 1 7665 600
	run ckptctl migrate --job 46 --to alpha
	check "migrate to this host itself: exit 1 and says why" sh -c "[ $RC = 1 ] && printf '%s' \"\$1\" | grep -q 'is this host'" _ "$OUT"
	run ckptctl migrate --job 46 --to nosuch
	check "migrate to an unknown peer: exit 5, names [peers]" sh -c "[ $RC = 5 ] && printf '%s' \"\$1\" | grep -q \"no peer 'nosuch'\"" _ "$OUT"
	ckptctl cluster set --job 46 --hosts alpha,beta >/dev/null 2>&1
	run ckptctl migrate --job 46 --to beta
	check "migrate of a job spanning hosts: exit 1, says to unset it first" \
		sh -c "[ $RC = 1 ] && printf '%s' \"\$1\" | grep -q 'cluster unset --job 46'" _ "$OUT"
	ckptctl cluster unset --job 46 >/dev/null 2>&1
	ckptctl kill --job 45 >/dev/null 2>&1
	ckptctl kill --job 46 >/dev/null 2>&1
else
	plan 11
	barrier_signal_long 0 7661 600
	barrier_wait_long 7662 600	# alpha moved jobs 43 and 44 here
	for j in 43 44; do
		pid=$(job_pid $j)
		check "job $j is registered on beta, root pid $pid running" sh -c "[ -n '$pid' ] && kill -0 '$pid'"
		check "job $j on beta: its memory is intact" verify_here $j /tmp/dm$j
	done
	check "beta lists job 44's final checkpoint, not its pre-dumps" \
		sh -c "[ \"\$(ckptctl image ls --store $STORE --json 44 | grep -o '\"seq\"' | wc -l)\" = 1 ]"
	run ckptctl restore --job 44 --seq 1
	check "beta never restores job 44's pre-dump 1: exit 5, says why" \
		sh -c "[ $RC = 5 ] && printf '%s' \"\$1\" | grep -q 'no committed checkpoint 1'" _ "$OUT"
	ckptctl kill --job 43 >/dev/null 2>&1
	ckptctl kill --job 44 >/dev/null 2>&1
	rm -rf "$STORE/43" "$STORE/44"
	barrier_signal_long 0 7663 600

	barrier_wait_long 7664 600
	n=3000
	while [ ! -e "$STORE/46" ] && [ $n -gt 0 ]; do usleep 20000; n=$((n - 1)); done
	kill -KILL "$CKPTD_PID"
	wait "$CKPTD_PID" 2>/dev/null
	check "job 46's first pre-dump reached beta, and beta's ckptd was killed" test $n -gt 0
	barrier_wait_long 7665 600	# alpha saw the failure
	check "a stale transfer of job 46 was left behind by the kill" sh -c "ls -A $STORE/46 | grep -q ."
	start_ckptd
	check "the restarted ckptd removed the pre-dumps and staging of job 46" \
		sh -c "[ -z \"\$(ls -A $STORE/46 2>/dev/null)\" ]"
	check "and said so in its log" grep -Eq 'unfinished incoming transfer|stale pre-dump' "$CKPTD_LOG"
	run ckptctl list --json
	check "beta has no job 46" sh -c "! printf '%s' \"\$1\" | grep -q '\"job\":46'" _ "$OUT"
fi
grep -E 'migrat|pre-dump|incoming' "$CKPTD_LOG" | sed 's/^/# ckptd: /'
finish
