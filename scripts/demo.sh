#!/bin/sh
# demo.sh - the body of `make demo`: boot two QEMU guests, alpha and beta,
# on Debian's 6.1 kernel; on alpha start job 42, which counts once a
# second, freeze it and move it to beta with `ckptctl restore --host beta`;
# on beta watch it count on from where it stopped, its memory intact.
# The guests' narration is shown as it comes (selftests/guest/demo/).
#
#   demo.sh KVER      (BUILD and CKPT_CACHE come from the Makefile)
set -u
KVER=${1:?usage: demo.sh KVER}
: "${BUILD:?}" "${CKPT_CACHE:?}"
OUT=$BUILD/demo

echo "demo: booting two guests, alpha and beta, on Debian's $KVER kernel in QEMU"
echo "demo: (software emulation: about a minute in all)"
rm -rf "$OUT"
mkdir -p "$OUT"
selftests/vm/vm.sh --kver "$KVER" --suite demo --nodes 2 --cache "$CKPT_CACHE" \
	--initrd "$BUILD/initrd/$KVER.cpio" --out "$OUT" >"$OUT/vm.out" 2>&1 &
vm=$!

# shows the new comment lines of node $1's results as "[name] text"
shown0=0 shown1=0
follow() {
	f=$OUT/node$1/results.log
	[ -f "$f" ] || return 0
	eval "seen=\$shown$1"
	n=$(wc -l < "$f")
	[ "$n" -gt "$seen" ] || return 0
	LC_ALL=C tr -d '\r' < "$f" | sed -n "$((seen + 1)),${n}p" |
		sed -n -e '/^###/d' -e '/^# VERDICT /d' -e 's/^# \{0,1\}//p' \
			-e 's/^ok [0-9]* /  checked: /p' -e 's/^not ok [0-9]* /  FAILED: /p' |
		sed "s/^/  [$2] /"
	eval "shown$1=$n"
}
while kill -0 "$vm" 2>/dev/null; do
	follow 0 alpha
	follow 1 beta
	sleep 1
done
wait "$vm"
rc=$?
follow 0 alpha
follow 1 beta
echo
verdict=$(LC_ALL=C tr -d '\r' < "$OUT/node1/results.log" 2>/dev/null |
	sed -n 's/^# VERDICT //p' | tail -n 1)
if [ $rc = 0 ] && [ -n "$verdict" ]; then
	echo "demo: PASS: $verdict"
	echo "demo: the guests' logs are in $OUT"
else
	echo "demo: FAIL: see $OUT/tap and the logs in $OUT" >&2
	grep -v '^ok' "$OUT/tap" >&2 2>/dev/null
	[ $rc = 0 ] && rc=1
fi
exit $rc
