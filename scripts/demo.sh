#!/bin/sh
# demo.sh - the body of `make demo`: boot Debian's 6.1 kernel in a QEMU
# guest, load ckpt.ko and show `ckptctl check`.
#
#   demo.sh KVER      (BUILD and CKPT_CACHE come from the Makefile)
set -u
KVER=${1:?usage: demo.sh KVER}
: "${BUILD:?}" "${CKPT_CACHE:?}"
OUT=$BUILD/demo

echo "demo: booting Debian's $KVER kernel in QEMU (software emulation, ~10 s),"
echo "demo: loading ckpt.ko and asking it what it supports with 'ckptctl check'"
rm -rf "$OUT"
selftests/vm/vm.sh --kver "$KVER" --suite demo --cache "$CKPT_CACHE" \
	--initrd "$BUILD/initrd/$KVER.cpio" --out "$OUT" >/dev/null 2>&1
rc=$?
echo
# The guest's output, as it printed it (comments of the demo suite).
LC_ALL=C tr -d '\r' < "$OUT/node0/results.log" |
	sed -e '/^###/d' -n -e 's/^# \{0,1\}//p' | sed 's/^/  [guest] /'
echo
if [ $rc = 0 ]; then
	echo "demo: done; the guest's logs are in $OUT"
else
	echo "demo: FAILED; see $OUT/tap and the logs in $OUT" >&2
	cat "$OUT/tap" >&2
fi
exit $rc
