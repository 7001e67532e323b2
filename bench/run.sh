#!/bin/sh
# run.sh - the body of `make bench`: boots the bench guests (6.1 unless
# BENCH_KVERS says otherwise), runs ckpt and criu side by side, and writes
# bench/results/ (latest.md, checkpoint-vs-size.png) from the first kernel's
# run; prints the summary, one key=value line per ratio.  Not part of make
# check: the numbers are measurements, not pass/fail.
#
#   1. suite "bench", one guest (3 GiB): 20-side-by-side.sh (full,
#      incremental, stop, restore: ckpt against criu, the write() baseline
#      and the one-copy floor; per-stage times and /proc/vmstat deltas),
#      bench_dump (freeze + thaw against the cgroup freezer; the kernel
#      dump alone, as a stream and into a data file);
#   2. suite "bench-mig", two guests (2 GiB each): migration downtime.
#
# Environment (set by the Makefile): BUILD, CKPT_CACHE, BENCH_KVERS;
# BENCH_REPS (default 3) repetitions per number; BENCH_RESULTS (default
# bench/results) where the report goes.
set -u
: "${BUILD:?}" "${CKPT_CACHE:?}" "${BENCH_KVERS:?}"
REPS=${BENCH_REPS:-3}
RESULTS=${BENCH_RESULTS:-bench/results}
case $REPS in ''|*[!0-9]*|0) echo "bench: BENCH_REPS=$REPS is not a positive number" >&2; exit 2 ;; esac
status=0
first=1
begin=$(date +%s)
for k in $BENCH_KVERS; do
	out=$BUILD/bench/$k
	rm -rf "$out"
	initrd=$BUILD/initrd/bench-$k.cpio
	echo "bench: $k, $REPS repetitions (TCG: compare numbers within one run only)"
	start=$(date +%s)
	selftests/vm/vm.sh --kver "$k" --suite bench --mem 3G --timeout 1500 \
		--cache "$CKPT_CACHE" --initrd "$initrd" --append "ckptbench.reps=$REPS" \
		--out "$out/one" >/dev/null 2>&1 || status=1
	echo "bench: one-guest suite done in $(($(date +%s) - start)) s"
	start=$(date +%s)
	selftests/vm/vm.sh --kver "$k" --suite bench-mig --nodes 2 --mem 2G --timeout 900 \
		--cache "$CKPT_CACHE" --initrd "$initrd" --append "ckptbench.reps=$REPS" \
		--out "$out/mig" >/dev/null 2>&1 || status=1
	echo "bench: two-guest suite done in $(($(date +%s) - start)) s"
	grep -h '^not ok' "$out/one/tap" "$out/mig/tap" 2>/dev/null
	dest=$out/report
	[ $first = 1 ] && dest=$RESULTS
	logs=
	for f in "$out/one/node0/results.log" "$out/mig/node0/results.log" \
		"$out/mig/node1/results.log"; do
		[ -f "$f" ] && logs="$logs $f"
	done
	if [ -z "$logs" ]; then
		echo "bench: no results from $k; logs in $out" >&2
		status=1
		continue
	fi
	# shellcheck disable=SC2086 # a list of paths without spaces
	bench/report.sh --out "$dest" --kver "$k" --reps "$REPS" $logs || status=1
	echo "bench: report in $dest/latest.md, plot in $dest/checkpoint-vs-size.png"
	first=0
done
echo "bench: guests ran $(($(date +%s) - begin)) s in all"
[ $status = 0 ] || echo "bench: a run failed; logs in $BUILD/bench" >&2
exit $status
