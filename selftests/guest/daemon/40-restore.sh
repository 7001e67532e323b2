#!/bin/sh
# End to end on one host: a job started with ckptctl run, frozen with
# `ckptctl freeze`, killed, and brought back with `ckptctl restore`, which
# runs the real ckpt-restore; the restored workload then checks its own
# memory and files and says PASS.  The same for a job started in a pid
# namespace of its own (run --pidns, a process tree): it is restored in a
# new namespace with the pids it saw, its root pid 1 there.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 10
test_setup /tmp/d44 /tmp/d47
start_ckptd

cd /tmp
run ckptctl run --job 44 -- ckpt_rt_prog memory /tmp/d44
wait_for test -e /tmp/d44/ready
PID=$(members 44)
run ckptctl freeze --job 44
check "freeze --job 44: exit 0" test "$RC" = 0
run ckptctl kill --job 44
wait_for sh -c "! kill -0 $PID"
check "kill --job 44: the workload is gone" sh -c "! kill -0 $PID"
run ckptctl restore --job 44
check "restore --job 44: exit 0 (ckpt-restore ran)" test "$RC" = 0
check "the restored workload runs as pid $PID" kill -0 "$PID"
kill -USR1 "$PID"
wait_for test -e /tmp/d44/result
check "the restored workload finds its memory and files intact: $(cat /tmp/d44/result)" \
	grep -q '^PASS' /tmp/d44/result

# ns_pid HOSTPID: its pid in its innermost namespace
ns_pid() { sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$1/status"; }
run ckptctl run --pidns --job 47 -- ckpt_rt_prog tree /tmp/d47
wait_for test -e /tmp/d47/ready
ROOT=$(job_pid 47)
check "run --pidns: the job's root is pid 1 in its namespace" test "$(ns_pid "$ROOT")" = 1
run ckptctl freeze --job 47
check "freeze --job 47 (own pid namespace): exit 0" test "$RC" = 0
run ckptctl kill --job 47
wait_for sh -c "! kill -0 $ROOT"
run ckptctl restore --job 47
check "restore --job 47: exit 0" test "$RC" = 0
ROOT=$(job_pid 47)
check "the restored root ($ROOT here) is pid 1 in a new namespace" \
	sh -c "[ -n '$ROOT' ] && [ \"\$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)\$/\1/p' /proc/$ROOT/status)\" = 1 ]"
kill -USR1 "$ROOT"
wait_for test -e /tmp/d47/result
check "the restored tree finds its pids, groups, pipes and zombie intact: $(cat /tmp/d47/result)" \
	grep -q '^PASS' /tmp/d47/result
finish
