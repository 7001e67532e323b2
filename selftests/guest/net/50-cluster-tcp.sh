#!/bin/sh
# 50-cluster-tcp.sh - a TCP connection between the processes of a job
# spanning alpha and beta (node 0 and 1) survives a cluster checkpoint,
# kill and cluster restore (Documentation/cluster.md): job 91 is
# tcp_stream on both hosts, each end sending 16 MiB of a known sequence
# and reading the other's slowly, so both ends' queues are full.  A
# cluster checkpoint while it runs, kill on both (silently: repair mode),
# `restore --job 91`, and each end must then receive the whole sequence
# from where the checkpoint left it: every byte checked, the count and
# the checksum exact.
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2
BYTES=$((16 << 20))
D=/tmp/d91
STREAM=$(command -v tcp_stream) || STREAM=$(cd "$(dirname "$0")" && pwd)/../bin/tcp_stream
hosts_start $D
if [ "$ME" = alpha ]; then plan 7; else plan 6; fi

if [ "$ME" = alpha ]; then
	run ckptctl run --job 91 -- "$STREAM" serve 7631 $BYTES $D
else
	run ckptctl run --job 91 -- "$STREAM" connect "$(node_addr 0)" 7631 $BYTES $D
fi
run ckptctl cluster set --job 91 --hosts alpha,beta
wait_file $D/progress 120
check "job 91 streams over TCP" test -s $D/progress

if [ "$ME" = alpha ]; then
	barrier_wait 7632		# beta streams too
	run ckptctl checkpoint --job 91
	check "cluster checkpoint while the stream runs: exit 0" \
		sh -c "[ $RC = 0 ] && printf '%s' \"\$1\" | grep -q 'hosts:images alpha:[0-9]*,beta:[0-9]*'" _ "$OUT"
	got=$(cat $D/progress)
	check "the stream was still running ($got of $BYTES bytes received)" test "$got" -lt $BYTES
	run ckptctl kill --job 91
	check "the kill closed the connection silently" grep -q 'TCP connection(s) put in repair mode' "$CKPTD_LOG"
	barrier_signal 1 7633
	barrier_wait 7634		# beta killed its end
	rm -f $D/result $D/progress
	run ckptctl restore --job 91
	check "restore --job 91 on both hosts: exit 0" test "$RC" = 0
	barrier_signal 1 7635
	want=$("$STREAM" sum 2 $BYTES)
else
	barrier_signal 0 7632
	barrier_wait 7633		# alpha checkpointed and killed its end
	diag "before the kill: $(cat $D/result 2>/dev/null) progress $(cat $D/progress 2>/dev/null)"
	check "beta holds global checkpoint 1" sh -c "ckptctl cluster ls --job 91 | grep -q '^  global checkpoint 1 '"
	# alpha's end is gone: beta's may have been reset already by alpha's
	# kernel (no socket there any more) when it sent next; both are killed
	run ckptctl kill --job 91
	check "job 91 killed on beta too" test "$RC" = 0
	rm -f $D/result $D/progress
	barrier_signal 0 7634
	barrier_wait 7635		# restored on both
	check "beta's end was restored" grep -q 'job 91 restored here' "$CKPTD_LOG"
	want=$("$STREAM" sum 1 $BYTES)
fi
wait_file $D/result 240
check "the stream completed after the restore: $(cat $D/result 2>/dev/null)" grep -q '^PASS' $D/result
check "received exactly $BYTES bytes, checksum $want" grep -q "received $BYTES sum $want\$" $D/result
if [ "$TAP_FAILED" != 0 ]; then
	diag "result: $(cat $D/result 2>/dev/null), progress: $(cat $D/progress 2>/dev/null)"
	tail -25 "$CKPTD_LOG" | sed 's/^/# /'
fi
# leave nothing behind for the next test
for j in 91; do
	ckptctl kill --job $j >/dev/null 2>&1
	ckptctl cluster unset --job $j >/dev/null 2>&1
done
finish
