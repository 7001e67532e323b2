#!/bin/sh
# ckpt.ko loads and unloads cleanly 100 times: module refcount 0 while
# loaded, /dev/ckpt and the netlink family gone after each unload, an open
# /dev/ckpt pins the module, and no unreclaimable kernel memory is leaked.
. "$(dirname "$0")/../lib/tap.sh"
KO=${CKPT_KO:-/lib/ckpt/ckpt.ko}
CYCLES=100
plan 6
# whatever happens, the next test finds /dev/ckpt closed and ckpt.ko loaded
trap 'st=$?; exec 3>&-; [ -e /sys/module/ckpt ] || insmod "$KO"; exit $st' EXIT
trap 'exit 143' TERM

sunreclaim_kb() { awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo; }

rmmod ckpt 2>/dev/null

# One cycle; prints what went wrong and returns 1 on the first problem.
cycle() {
	insmod "$KO" || { echo "insmod failed"; return 1; }
	[ -c /dev/ckpt ] || { echo "/dev/ckpt missing after load"; return 1; }
	[ "$(cat /sys/module/ckpt/refcnt)" = 0 ] ||
		{ echo "refcnt $(cat /sys/module/ckpt/refcnt) after load"; return 1; }
	rmmod ckpt || { echo "rmmod failed"; return 1; }
	[ ! -e /dev/ckpt ] || { echo "/dev/ckpt left after unload"; return 1; }
	[ ! -e /sys/module/ckpt ] || { echo "/sys/module/ckpt left after unload"; return 1; }
	return 0
}

cycles() {
	i=0
	while [ $i -lt "$1" ]; do
		cycle || { echo "cycle $i failed"; return 1; }
		i=$((i + 1))
	done
}

# Warm up slab caches first so that the leak check sees only our memory.
cycles 10 >/dev/null 2>&1
sync; echo 3 > /proc/sys/vm/drop_caches
before=$(sunreclaim_kb)
check "$CYCLES load/unload cycles, refcnt 0, /dev/ckpt and sysfs gone" cycles $CYCLES
sync; echo 3 > /proc/sys/vm/drop_caches
after=$(sunreclaim_kb)
diag "SUnreclaim before ${before} kB, after ${after} kB"
# A leak of even 1 kB per cycle would show as 100 kB.
check "no unreclaimable memory leaked over $CYCLES cycles (< 64 kB growth)" \
	test $((after - before)) -lt 64

check "netlink family gone after unload" sh -c \
	'ckptctl check >/dev/null 2>&1; test $? = 3'

insmod "$KO"
exec 3<>/dev/ckpt
check "open /dev/ckpt holds a module reference" \
	test "$(cat /sys/module/ckpt/refcnt)" = 1
check "module cannot be unloaded while /dev/ckpt is open" \
	sh -c '! rmmod ckpt 2>/dev/null'
exec 3>&-
check "reference dropped on close; unload works" sh -c \
	'test "$(cat /sys/module/ckpt/refcnt)" = 0 && rmmod ckpt && insmod '"$KO"
finish
