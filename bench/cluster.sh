#!/bin/sh
# cluster.sh - the barrier latency of a three-host cluster checkpoint
# (Documentation/cluster.md): boots three 6.1 guests with the
# cluster-bench suite (selftests/guest/cluster-bench/) and prints its
# "# bench:" lines, then cluster_barrier_ms_3host=... (PREPARE sent ->
# every host frozen, median) and cluster_commit_ms_3host=... (-> global
# manifest committed).  Run by `make bench` after the other runs; numbers
# under TCG compare only within one run.
#
# Environment (set by the Makefile): BUILD, CKPT_CACHE, KVER_6_1.
set -u
: "${BUILD:?}" "${CKPT_CACHE:?}" "${KVER_6_1:?}"
out=$BUILD/bench/cluster-$KVER_6_1
rm -rf "$out"
echo "bench: cluster checkpoints, 3 guests of $KVER_6_1"
status=0
selftests/vm/vm.sh --kver "$KVER_6_1" --suite cluster-bench --nodes 3 --mem 1G \
	--timeout 900 --cache "$CKPT_CACHE" --initrd "$BUILD/initrd/$KVER_6_1.cpio" \
	--out "$out" >/dev/null 2>&1 || status=1
LC_ALL=C tr -d '\r' < "$out/node0/results.log" | sed -n 's/^# bench: /# bench: /p'
LC_ALL=C tr -d '\r' < "$out/node0/results.log" | sed -n 's/^# bench: \(cluster_[a-z_0-9]*=.*\)/\1/p'
grep '^not ok' "$out/tap" || true
[ $status = 0 ] || echo "bench: the cluster run failed; logs in $out" >&2
exit $status
