#!/bin/sh
# 10-barrier.sh - the guest side of bench/cluster.sh (not part of make
# check): job 71 (ckpt_memhog 8) runs on alpha, beta and gamma and spans
# them; alpha takes ROUNDS cluster checkpoints and reports the barrier
# latency (PREPARE sent -> every host frozen) and the commit latency
# (PREPARE sent -> global manifest committed) as "# bench:" lines.
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 3
ROUNDS=7
cleanup_paths /tmp/barrier.us /tmp/commit.us
hosts_start
run ckptctl run --job 71 -- ckpt_memhog 8
run ckptctl cluster set --job 71 --hosts alpha,beta,gamma
sleep 1
if [ "$ME" != alpha ]; then
	plan 1
	barrier_signal 0 $((7700 + NODE))
	barrier_wait 7710
	check "$ME took part in $ROUNDS global checkpoints" test "$(ckptctl cluster ls --job 71 | grep -c '^  global')" = $ROUNDS
	finish
fi
plan 2
barrier_wait 7701
barrier_wait 7702
: > /tmp/barrier.us
: > /tmp/commit.us
ok=0
for i in $(seq $ROUNDS); do
	out=$(ckptctl checkpoint --job 71 --json) && ok=$((ok + 1))
	echo "$out" | sed -n 's/.*"barrier_us":\([0-9]*\).*/\1/p' >> /tmp/barrier.us
	echo "$out" | sed -n 's/.*"commit_us":\([0-9]*\).*/\1/p' >> /tmp/commit.us
done
check "$ROUNDS three-host cluster checkpoints committed" test $ok = $ROUNDS
# median in ms with one decimal
med() { sort -n "$1" | awk '{v[NR]=$1} END {m=v[int((NR+1)/2)]; printf "%.1f", m/1000}'; }
b=$(med /tmp/barrier.us) c=$(med /tmp/commit.us)
echo "# bench: cluster checkpoint, 3 hosts, job of 8 MiB each, median of $ROUNDS: every host frozen ${b} ms after PREPARE, global manifest committed at ${c} ms"
echo "# bench: cluster_barrier_ms_3host=$b"
echo "# bench: cluster_commit_ms_3host=$c"
check "the numbers are there" test -n "$b" -a -n "$c"
barrier_signal 1 7710
barrier_signal 2 7710
finish
