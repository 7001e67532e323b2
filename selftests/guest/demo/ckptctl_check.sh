#!/bin/sh
# The demo suite (make demo): load ckpt.ko and show what it offers.  The
# command output is passed through as TAP comments; scripts/demo.sh shows it.
KO=${CKPT_KO:-/lib/ckpt/ckpt.ko}
echo "1..3"
show() { echo "# \$ $*"; "$@" 2>&1 | sed 's/^/# /'; }

show insmod "$KO" && [ -c /dev/ckpt ] &&
	echo "ok 1 insmod ckpt.ko" || echo "not ok 1 insmod ckpt.ko"
show ckptctl check && echo "ok 2 ckptctl check" || echo "not ok 2 ckptctl check"
show ckptctl check --json && echo "ok 3 ckptctl check --json" ||
	echo "not ok 3 ckptctl check --json"
