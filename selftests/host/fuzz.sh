#!/bin/sh
# The fuzz targets (selftests/fuzz/, built by mk/fuzz.mk) briefly, as part
# of the host tests: each runs over its committed seed corpus, which holds
# the inputs of every crash found so far, then FUZZ_CHECK_RUNS mutations
# (at most FUZZ_CHECK_TIME seconds) from a fixed seed.  A crash, leak,
# undefined behaviour or timeout fails the target.  `make fuzz` runs them
# at length.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bins=${FUZZ_BIN_DIR:-$here/../fuzz}
corpus=${FUZZ_CORPUS:-$here/../../selftests/fuzz/corpus}
[ -d "$corpus" ] || corpus=selftests/fuzz/corpus
runs=${FUZZ_CHECK_RUNS:-20000}
secs=${FUZZ_CHECK_TIME:-10}
work=$(mktemp -d /tmp/ckpt-fuzz-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
set -- "$bins"/fuzz_*
if [ ! -x "$1" ] || [ ! -d "$corpus" ]; then
	echo "1..1"
	echo "not ok 1 fuzz targets in $bins and corpus $corpus: missing; run 'make host-tests' from the source tree"
	exit 1
fi
echo "1..$#"
n=0 failed=0
for bin in "$@"; do
	t=${bin##*/fuzz_}
	n=$((n + 1))
	mkdir -p "$work/$t"
	"$bin" -runs="$runs" -max_total_time="$secs" -seed=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$work/$t-" \
		"$work/$t" "$corpus/$t" > "$work/$t.log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
	done_line=$(grep '^Done ' "$work/$t.log" | tail -1)
	if [ "$rc" = 0 ]; then
		echo "ok $n fuzz_$t: ${done_line:-no Done line} (${last%% lim:*})"
	else
		echo "not ok $n fuzz_$t: exit $rc over the corpus $corpus/$t"
		grep -E -A12 '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/$t.log" |
			head -30 | sed 's/^/#   /'
		for a in "$work/$t"-*; do
			[ -e "$a" ] || continue
			echo "#   crashing input (base64, ${a##*/}):"
			base64 "$a" | head -20 | sed 's/^/#   /'
		done
		failed=1
	fi
done
exit $failed
