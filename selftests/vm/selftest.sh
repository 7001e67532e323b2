#!/bin/sh
# selftest.sh - the guest runner itself: every kind of failure is caught.
#
#   selftest.sh [--kver KVER] [--cache DIR] [--out DIR]
#
# Boots the throwaway suites in selftest/ (runner: a pass, a skip, a
# reported failure, a silent exit 1, a timeout, a fake WARNING in dmesg, a
# SIGSEGV, output without a final newline, a short plan, a leftover child;
# panic: a kernel panic mid-test), plus a boot that never reaches /init, and
# checks that vm.sh and tap-summary.sh report each exactly as documented.
# Prints TAP; exit status 1 if the runner missed anything.  ~20 s.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${CKPT_CACHE:-$(pwd)/.cache}
OUT=$(pwd)/build/vm/selftest
KVER=
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || { sed -n 4p "$0" >&2; exit 2; }
	case $1 in
	--kver) KVER=$2 ;;
	--cache) CACHE=$2 ;;
	--out) OUT=$2 ;;
	*) sed -n 4p "$0" >&2; exit 2 ;;
	esac
	shift 2
done
if [ -z "$KVER" ]; then
	KVER=$(sed -n 's/^KVER_6_1 *:= *//p' "$CACHE/kernels.mk" 2>/dev/null || true)
	[ -n "$KVER" ] || { echo "selftest: no KVER_6_1 in $CACHE/kernels.mk; run scripts/deps.sh" >&2; exit 2; }
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
n=0 failed=0
check() { # description, command...
	d=$1
	shift
	n=$((n + 1))
	if "$@" > /dev/null 2>&1; then
		echo "ok $n vm-runner: $d"
	else
		echo "not ok $n vm-runner: $d"
		failed=$((failed + 1))
	fi
}
has() { grep -Eq "$1" "$2"; }
has_text() { grep -Fq "$1" "$2"; }
count_is() { [ "$(grep -Ec "$1" "$2" || true)" -eq "$3" ]; }
last_line_is() { [ "$(tail -n 1 "$2")" = "$1" ]; }

# run NAME SUITE [vm.sh options]: runs vm.sh, keeps its exit status and
# output in OUT/NAME.{rc,out,err}; the TAP is OUT/NAME/tap.
run() {
	name=$1 suite=$2
	shift 2
	rc=0
	"$HERE/vm.sh" --kver "$KVER" --cache "$CACHE" --suite "$suite" \
		--initrd "$OUT/initrd.cpio" --out "$OUT/$name" "$@" \
		> "$OUT/$name.out" 2> "$OUT/$name.err" || rc=$?
	echo $rc > "$OUT/$name.rc"
}
rc_is() { [ "$(cat "$OUT/$1.rc")" = "$2" ]; }

"$HERE/mkinitramfs.sh" --kver "$KVER" --cache "$CACHE" \
	--out "$OUT/initrd.cpio" --tests "$HERE/selftest"

run runner runner --timeout 4
T=$OUT/runner/tap
check "failing suite makes vm.sh exit 1" rc_is runner 1
check "failure message names the kernel" has_text "vm: FAILED on $KVER " "$OUT/runner.err"
check "failure message names the log directory" has_text "logs kept in $OUT/runner" "$OUT/runner.err"
check "passing results are ok" has ' 10-pass.sh: plain pass$' "$T"
check "TAP '- ' separator is dropped" has '^ok [0-9]+ .* 10-pass.sh: dash-style description$' "$T"
check "SKIP directive kept" has '^ok [0-9]+ .* 10-pass.sh: skipped one # SKIP not supported here$' "$T"
check "test has its own session and CKPT_* env" has '^ok [0-9]+ .* 10-pass.sh: own session' "$T"
check "reported failure is not ok" has '^not ok [0-9]+ .* 20-fail.sh: deliberate failure$' "$T"
check "diagnostics shown under a failure" has '^#   # diagnostic: expected 1, got 2$' "$T"
check "silent exit 1 is not ok" \
	has '^not ok [0-9]+ .* 30-silent-exit1.sh: exited with status 1 after reporting 0 ok' "$T"
check "timeout is not ok" has '^not ok [0-9]+ .* 40-timeout.sh: timed out after 4 s' "$T"
check "WARNING in dmesg is not ok, names the test" \
	has '^#   .*WARNING: injected by the runner self-test   \[during 50-warn.sh\]$' "$T"
check "dmesg check fails on node0" has '^not ok [0-9]+ .* node0 dmesg: 1 line' "$T"
check "whole-program skip (exit 4)" has '^ok [0-9]+ .* 60-skip-all.sh # SKIP nothing to do here$' "$T"
check "SIGSEGV after ok results is not ok" \
	has '^not ok [0-9]+ .* 70-segv.sh: exited with status 139 \(SIGSEGV\)' "$T"
check "output without final newline still parsed" \
	has '^ok [0-9]+ .* 80-no-newline.sh: no final newline$' "$T"
check "short plan is not ok" has '^not ok [0-9]+ .* 85-plan-short.sh: planned 3 results but reported 2$' "$T"
check "leftover child does not stall the runner" has '^ok [0-9]+ .* 90-leftover.sh: ' "$T"
check "guest finished cleanly" has '^ok [0-9]+ .* node0 guest: suite finished' "$T"
check "exactly the 6 expected failures" count_is '^not ok' "$T" 6
check "plan matches the results" has "^1\\.\\.$(grep -Ec '^(not )?ok' "$T")\$" "$T"

rc=0
"$HERE/tap-summary.sh" "$T" > "$OUT/summary.out" || rc=$?
check "tap-summary exits 1 on failures" [ $rc -eq 1 ]
check "tap-summary last line counts passes and failures" last_line_is "12 passed, 6 failed" "$OUT/summary.out"
check "tap-summary lists the skips" has '^2 skipped:$' "$OUT/summary.out"
: > "$OUT/empty.tap"
rc=0
"$HERE/tap-summary.sh" "$OUT/empty.tap" > "$OUT/summary-empty.out" || rc=$?
check "tap-summary fails when there are no results" [ $rc -eq 1 ]
grep '^ok' "$T" > "$OUT/pass.tap"
check "tap-summary passes an all-ok file" "$HERE/tap-summary.sh" "$OUT/pass.tap"

run panic panic --timeout 10
T=$OUT/panic/tap
check "panic makes vm.sh exit 1" rc_is panic 1
check "results before the panic are kept" has '^ok [0-9]+ .* 10-panic.sh: before the panic$' "$T"
check "unfinished test is not ok" has '^not ok [0-9]+ .* 10-panic.sh: did not finish: kernel panic$' "$T"
check "panic is not ok and quoted" has '^#   .*Kernel panic - not syncing' "$T"
check "guest line says panic" has '^not ok [0-9]+ .* node0 guest: kernel panic' "$T"

run noinit runner --append rdinit=/nonexistent
T=$OUT/noinit/tap
check "boot that never reaches /init makes vm.sh exit 1" rc_is noinit 1
check "boot retried twice" count_is 'retrying the boot' "$OUT/noinit/vm.log" 2
check "first attempt's console kept" test -s "$OUT/noinit/node0/console.attempt1.log"
check "never reaching /init is not ok" \
	has '^not ok [0-9]+ .* node0 guest: never reached /init in 3 boot attempt' "$T"

echo "1..$n"
[ $failed -eq 0 ] || { echo "selftest: $failed of $n checks failed; logs in $OUT" >&2; exit 1; }
