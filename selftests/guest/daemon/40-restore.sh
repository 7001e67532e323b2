#!/bin/sh
# End to end on one host: a job started with ckptctl run, frozen with
# `ckptctl freeze`, killed, and brought back with `ckptctl restore`, which
# runs the real ckpt-restore; the restored workload then checks its own
# memory and files and says PASS.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 5
load_module
rm -rf "$STATE" /etc/ckpt /tmp/d44
mkdir -p /etc/ckpt /tmp/d44
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
stop_ckptd
