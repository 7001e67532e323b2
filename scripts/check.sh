#!/bin/sh
# check.sh - the body of `make check` (run by the Makefile after `make deps`
# and the build): host unit tests, the kmod suite in a guest on each target
# kernel, and the multi-guest network runs; then one summary whose last line
# is "N passed, N failed".  Suites: kmod, daemon (ckptd + ckptctl), net.  Every part runs even when an earlier one failed.
#
# Environment (set by the Makefile): BUILD, CKPT_CACHE, KVER_6_1, KVER_6_12.
set -u

: "${BUILD:?}" "${CKPT_CACHE:?}" "${KVER_6_1:?}" "${KVER_6_12:?}"
OUT=$BUILD/check
VM=selftests/vm/vm.sh
rm -rf "$OUT"
mkdir -p "$OUT"

# Host unit tests, framed like a guest's results port and judged by the same
# awk, so that crashes and missing results are caught the same way.
host_tests() {
	d=$OUT/host
	mkdir -p "$d"
	for t in "$BUILD"/host/*; do
		[ -x "$t" ] || continue
		name=${t##*/}
		echo "### begin $name"
		CKPTCTL=$BUILD/bin/ckptctl timeout 300 "$t" 2>&1
		echo "### end $name status=$?"
	done > "$d/results.log"
	echo "### suite done" >> "$d/results.log"
	LC_ALL=C awk -v kver=host -v node=0 -v timeout=300 -v death="host run ended" \
		-f selftests/vm/results-tap.awk "$d/results.log" |
		awk '/^ok / { print "ok " ++n substr($0, 3); next }
		     /^not ok / { print "not ok " ++n substr($0, 7); next }
		     { print }' > "$d/tap"
	cat "$d/tap"
}

# vm_run NAME KVER SUITE NODES [MEM]
vm_run() {
	echo "# --- $1: suite $3 on $2, $4 guest(s)"
	"$VM" --kver "$2" --suite "$3" --nodes "$4" --cache "$CKPT_CACHE" \
		--mem "${5:-1G}" --initrd "$BUILD/initrd/$2.cpio" \
		--out "$OUT/$1" || true
	[ -s "$OUT/$1/tap" ] ||
		echo "not ok 1 $2 $3: the runner produced no verdict; see $OUT/$1" > "$OUT/$1/tap"
}

echo "# --- host unit tests"
host_tests
echo "# --- the guest runner catches every kind of failure"
mkdir -p "$OUT/runner-6.1"
selftests/vm/selftest.sh --kver "$KVER_6_1" --cache "$CKPT_CACHE" \
	--out "$OUT/runner-6.1/run" > "$OUT/runner-6.1/tap" || true
cat "$OUT/runner-6.1/tap"
# 2 GiB: the incremental dump test touches 1 GiB and reads its dump back
vm_run kmod-6.1 "$KVER_6_1" kmod 1 2G
vm_run kmod-6.12 "$KVER_6_12" kmod 1 2G
# restore round trips (the 256 MiB workload and its image live in the guest)
vm_run restore-6.1 "$KVER_6_1" restore 1 2G
vm_run restore-6.12 "$KVER_6_12" restore 1 2G
# 2 GiB: a 256 MiB job, its capture and its image live in RAM together
vm_run daemon-6.1 "$KVER_6_1" daemon 1 2G
vm_run daemon-6.12 "$KVER_6_12" daemon 1 2G
vm_run net2-6.1 "$KVER_6_1" net 2
vm_run net2-6.12 "$KVER_6_12" net 2
vm_run net3-6.1 "$KVER_6_1" net 3

echo "# --- summary (logs in $OUT)"
exec selftests/vm/tap-summary.sh "$OUT"/host/tap "$OUT"/*-6.*/tap
