#!/bin/sh
# run.sh - the body of `make fuzz`: runs each fuzz target (selftests/fuzz/)
# for FUZZ_RUNS executions, one after another in one process each (one
# core), from the committed seed corpus, and prints a line per target:
# executions, time, coverage (libFuzzer's cov/ft), corpus size, verdict.
# New inputs go to $FUZZ_DIR/corpus/<target>, a crashing input to
# $FUZZ_DIR/artifacts/; logs to $FUZZ_DIR/logs/<target>.log.
#
#   run.sh TARGET...   (environment: FUZZ_DIR, FUZZ_RUNS, FUZZ_TIMEOUT,
#                       FUZZ_MAX_TIME (seconds per target, 0: none),
#                       FUZZ_SEED (0: random), FUZZ_ARGS (more options))
set -u
: "${FUZZ_DIR:?}" "${FUZZ_RUNS:=1000000}" "${FUZZ_TIMEOUT:=10}"
: "${FUZZ_MAX_TIME:=0}" "${FUZZ_SEED:=0}" "${FUZZ_ARGS:=}"
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$FUZZ_DIR/logs" "$FUZZ_DIR/artifacts"
failed=0
printf '%-12s %12s %8s %7s %7s %7s  %s\n' TARGET EXECUTIONS SECONDS COV FT CORPUS RESULT
for t in "$@"; do
	bin=$FUZZ_DIR/fuzz_$t log=$FUZZ_DIR/logs/$t.log
	mkdir -p "$FUZZ_DIR/corpus/$t"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" -runs="$FUZZ_RUNS" -timeout="$FUZZ_TIMEOUT" -seed="$FUZZ_SEED" \
		-max_total_time="$FUZZ_MAX_TIME" -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_DIR/artifacts/$t-" $FUZZ_ARGS \
		"$FUZZ_DIR/corpus/$t" "$src/corpus/$t" > "$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ "$rc" = 0 ]; then
		res=ok
	else
		res="FAILED (exit $rc): $(grep -E '^(SUMMARY|==[0-9]+==ERROR)' "$log" | head -1); see $log"
		failed=1
	fi
	printf '%-12s %12s %8s %7s %7s %7s  %s\n' "$t" "${runs:-?}" "$secs" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "$res"
done
exit $failed
