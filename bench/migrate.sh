#!/bin/sh
# migrate.sh - the live-migration part of `make bench`, after run.sh: boots
# two 6.1 guests (alpha, beta) with the bench-migrate suite
# (selftests/guest/bench-migrate/): a 256 MiB job rewriting about 1 MiB/s
# is moved stop-and-copy, another one live, and the downtimes are compared.
# Prints "# bench: ..." lines and migrate_live_downtime_ratio=R (live /
# stop-and-copy; the goal is at most 0.25).  Numbers, not pass/fail.
#
# Environment (set by the Makefile): BUILD, CKPT_CACHE, KVER_6_1.
set -u
: "${BUILD:?}" "${CKPT_CACHE:?}" "${KVER_6_1:?}"
out=$BUILD/bench/migrate-$KVER_6_1
rm -rf "$out"
echo "bench: live migration on two $KVER_6_1 guests (TCG: a few minutes)"
selftests/vm/vm.sh --kver "$KVER_6_1" --suite bench-migrate --nodes 2 --mem 2G \
	--timeout 1200 --cache "$CKPT_CACHE" --initrd "$BUILD/initrd/$KVER_6_1.cpio" \
	--out "$out" >/dev/null 2>&1
status=$?
LC_ALL=C tr -d '\r' < "$out/node0/results.log" | sed -n 's/^# bench: /# bench: /p'
ratio=$(LC_ALL=C tr -d '\r' < "$out/node0/results.log" |
	sed -n 's/^# bench: migrate_live_downtime_ratio=//p' | tail -n 1)
echo "migrate_live_downtime_ratio=${ratio:-none}"
grep '^not ok' "$out/tap" 2>/dev/null
[ $status = 0 ] || echo "bench: the migration run failed; logs in $out" >&2
exit $status
