#!/bin/sh
# run.sh - the body of `make bench`: boots the 6.1 and 6.12 guests with
# the bench suite and prints the numbers ("# bench: ..." lines).  Not part
# of make check: the numbers are measurements, not pass/fail.
#
# Environment (set by the Makefile): BUILD, CKPT_CACHE, KVER_6_1, KVER_6_12.
set -u
: "${BUILD:?}" "${CKPT_CACHE:?}" "${KVER_6_1:?}" "${KVER_6_12:?}"
status=0
for k in "$KVER_6_1" "$KVER_6_12"; do
	out=$BUILD/bench/$k
	rm -rf "$out"
	echo "bench: $k (TCG: compare numbers within one run only)"
	selftests/vm/vm.sh --kver "$k" --suite bench --mem 2G --timeout 900 \
		--cache "$CKPT_CACHE" --initrd "$BUILD/initrd/$k.cpio" \
		--out "$out" >/dev/null 2>&1 || status=1
	LC_ALL=C tr -d '\r' < "$out/node0/results.log" |
		sed -n 's/^# bench: /  /p'
	grep '^not ok' "$out/tap" || true
done
[ $status = 0 ] || echo "bench: a run failed; logs in $BUILD/bench" >&2
exit $status
