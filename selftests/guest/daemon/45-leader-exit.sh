#!/bin/sh
# End to end through ckptd: a job whose main thread called pthread_exit
# (ckpt_rt_prog leaderexit: 3 threads go on) is frozen, its files captured
# through a live thread, killed and restored by `ckptctl restore`; the
# restored process has its leader exited again (State Z, its threads
# running), is checkpointed again as an adopted job, and its threads find
# memory, count and pipe intact.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 7
test_setup /tmp/d45
start_ckptd

# status_of PID FIELD: a field of /proc/PID/status
status_of() { sed -n "s/^$2:[[:space:]]*\([^[:space:]]*\).*/\1/p" "/proc/$1/status" 2>/dev/null; }

cd /tmp
run ckptctl run --job 45 -- ckpt_rt_prog leaderexit /tmp/d45
wait_for test -e /tmp/d45/ready
PID=$(job_pid 45)
THREADS=$(status_of "$PID" Threads)
check "the job's main thread exited, its threads run (State $(status_of "$PID" State), Threads $THREADS)" \
	test "$(status_of "$PID" State)" = Z -a "$THREADS" = 4
run ckptctl freeze --job 45
check "freeze --job 45: exit 0" test "$RC" = 0
run ckptctl kill --job 45
wait_for sh -c "! kill -0 $PID"
check "kill --job 45: the workload is gone" sh -c "! kill -0 $PID"
run ckptctl restore --job 45
check "restore --job 45: exit 0" test "$RC" = 0
check "the restored process $PID: State $(status_of "$PID" State), Threads $(status_of "$PID" Threads)" \
	test "$(status_of "$PID" State)" = Z -a "$(status_of "$PID" Threads)" = "$THREADS"
run ckptctl checkpoint --job 45
check "the adopted job checkpoints again (its leader still exited): exit 0" test "$RC" = 0
kill -USR1 "$PID"
wait_for test -e /tmp/d45/result
check "the restored threads find their state intact: $(cat /tmp/d45/result)" \
	grep -q '^PASS' /tmp/d45/result
finish
