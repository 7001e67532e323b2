#!/bin/sh
# State a checkpoint cannot carry (a UDP socket): the checkpoint fails
# naming pid, fd and type and the job runs on untouched; with
# --unsupported-fds close it succeeds, and the restored job finds that fd
# closed.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 6
test_setup /tmp/d45
start_ckptd

cd /tmp
run ckptctl run --job 45 -- ckpt_rt_prog socket /tmp/d45
wait_for test -e /tmp/d45/ready
PID=$(members 45)
run ckptctl checkpoint --job 45
check "checkpoint with a socket open: refused, naming pid $PID, fd 9 and the option" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "pid $3 fd 9: .*socket.*--unsupported-fds"' - "$RC" "$OUT" "$PID"
check "the job runs on, not parked" not_parked 45
check "no image was stored" test -z "$(images 45)"
run ckptctl freeze --job 45 --unsupported-fds close
check "freeze --unsupported-fds close: exit 0" test "$RC" = 0
run ckptctl kill --job 45
wait_for sh -c "! kill -0 $PID"
run ckptctl restore --job 45
check "restore: exit 0" test "$RC" = 0
kill -USR1 "$PID"
wait_for test -e /tmp/d45/result
check "the restored job finds fd 9 closed: $(cat /tmp/d45/result)" grep -q '^PASS' /tmp/d45/result
finish
