#!/bin/sh
# guest-init.sh - /init of a ckpt test guest (busybox sh, PID 1).
#
# Sets the guest up, runs one suite (/tests/$SUITE/*, executables in name
# order) and powers off.  Serial ports, as wired by vm.sh:
#   ttyS0  console: kernel log and our progress lines
#   ttyS1  results: "### begin NAME", the test's output verbatim,
#          "### end NAME status=N time=Ss", and finally "### suite done"
#   ttyS2  the full dmesg, written once after the last test
# Kernel command line: ckptvm.node=I ckptvm.nodes=N ckptvm.suite=NAME
# ckptvm.timeout=SECONDS (per test) [ckptvm.only=GLOB: only the tests whose
# file name matches, for a developer's quick run].  The prefix is not "ckpt." on purpose:
# modprobe applies "<module>.<param>=" words from /proc/cmdline as module
# parameters, and our module is called ckpt.
#
# No "set -e": PID 1 exiting panics the kernel, so every failure is reported
# on the results port instead.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
cd /
# The host decides from this line whether a crashed boot may be retried: a
# boot that died before it ran nothing of ours.
echo "ckpt-guest: init started"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

NODE=0 NODES=1 SUITE= TIMEOUT=300 ONLY='*'
for w in $(cat /proc/cmdline); do
	case $w in
	ckptvm.node=*) NODE=${w#*=} ;;
	ckptvm.nodes=*) NODES=${w#*=} ;;
	ckptvm.suite=*) SUITE=${w#*=} ;;
	ckptvm.timeout=*) TIMEOUT=${w#*=} ;;
	ckptvm.only=*) ONLY=${w#*=} ;;
	esac
done

say() { echo "ckpt-guest: node$NODE: $*"; }

halt_now() {
	sync
	poweroff -f
}

# Results and dmesg ports in raw mode: no "\n" -> "\r\n" translation, no echo.
for p in 1 2; do
	if ! stty -F /dev/ttyS$p raw -echo 2>/dev/null; then
		say "serial port /dev/ttyS$p missing; vm.sh must pass three -serial options"
		halt_now
	fi
done
exec 3>/dev/ttyS1

addr_of() { echo "169.254.77.$((10 + $1))"; }

hostname "ckpt-node$NODE"
ip link set lo up

# --- guest-setup: module loading and network, reported like a test --------
# Collected in a file and shown as one pseudo-test so that a failed insmod or
# a missing eth0 appears in the TAP stream and fails the run.
SETUP=/tmp/.ckpt-setup.tap
n=0
check() { # description, command...
	desc=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $desc" >> $SETUP
	else
		# Diagnostics first, TAP style: the verdict shows the lines before a
		# "not ok" under it.
		echo "$out" | sed 's/^/# /' >> $SETUP
		echo "not ok $n $desc" >> $SETUP
	fi
}
wait_for_eth0() {
	i=0
	while [ ! -e /sys/class/net/eth0 ]; do
		[ $i -ge 100 ] && { echo "no eth0 after 10 s; is virtio_net loaded?"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
net_up() {
	ip addr add "$(addr_of "$NODE")/24" dev eth0 && ip link set eth0 up
}

: > $SETUP
if [ -s /lib/ckpt/modules.load ]; then
	while read -r ko; do
		check "insmod ${ko##*/}" insmod "$ko"
	done < /lib/ckpt/modules.load
	# One line for the lot when all loaded: the stream is read by people.
	if ! grep -q "^not ok" $SETUP; then
		count=$n
		mods=$(sed "s/^ok [0-9]* insmod //; s/\.ko$//" $SETUP | tr "\n" " ")
		n=1
		echo "ok 1 loaded $count modules: ${mods% }" > $SETUP
	fi
fi

if [ "$NODES" -gt 1 ]; then
	CKPT_ADDR=$(addr_of "$NODE")
	CKPT_PEERS=
	i=0
	while [ $i -lt "$NODES" ]; do
		CKPT_PEERS="$CKPT_PEERS${CKPT_PEERS:+ }$(addr_of $i)"
		echo "$(addr_of $i) ckpt-node$i" >> /etc/hosts
		i=$((i + 1))
	done
	check "eth0 present" wait_for_eth0
	check "eth0 up as $CKPT_ADDR/24" net_up
else
	# A single guest is its own (only) peer, over loopback.
	CKPT_ADDR=127.0.0.1 CKPT_PEERS=127.0.0.1
fi
echo "127.0.0.1 localhost" >> /etc/hosts

TESTS=
if [ -n "$SUITE" ] && [ -d "/tests/$SUITE" ]; then
	for t in "/tests/$SUITE"/*; do
		# shellcheck disable=SC2254
		case ${t##*/} in $ONLY) ;; *) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] && TESTS="$TESTS $t"
	done
fi
set -- $TESTS
check "suite '$SUITE' has test programs ($# found in /tests/$SUITE)" test $# -gt 0

{ echo "### begin guest-setup"; echo "1..$n"; cat $SETUP; } >&3
setup_status=0
grep -q '^not ok' $SETUP && setup_status=1
echo "### end guest-setup status=$setup_status" >&3

export CKPT_NODE=$NODE CKPT_NODES=$NODES CKPT_ADDR CKPT_PEERS
CKPT_KVER=$(uname -r)
export CKPT_KVER CKPT_KO=/lib/ckpt/ckpt.ko
export CKPT_SUITE=$SUITE CKPT_TIMEOUT=$TIMEOUT

# --- running one test -------------------------------------------------------
RUN=/run/ckpt-guest
mkdir -p $RUN

# PIDs of every process in session $1 (the test's own session).
session_pids() {
	ps -o pid,sid | awk -v s="$1" 'NR > 1 && $2 == s { print $1 }'
}

# Kill what the test left behind in its session, so the next test starts
# clean.  Processes that started their own session are not found.
reap_session() {
	for _ in 1 2 3; do
		pids=$(session_pids "$1")
		[ -z "$pids" ] && return 0
		kill -KILL $pids 2>/dev/null
		sleep 0.1
	done
}

# The watchdog: TERM to the test's process group after $TIMEOUT s, KILL 5 s
# later.  Polls once a second so it ends on its own soon after the test.
watchdog() { # pid name
	i=0
	while [ $i -lt "$TIMEOUT" ]; do
		sleep 1
		kill -0 "$1" 2>/dev/null || return 0
		i=$((i + 1))
	done
	say "$2 timed out after ${TIMEOUT}s; killing it"
	: > $RUN/timedout
	kill -TERM -"$1" 2>/dev/null
	sleep 5
	kill -KILL -"$1" 2>/dev/null
}

run_test() {
	t=$1 name=${1##*/}
	say "begin $name"
	# Marks dmesg, so the host can say during which test a WARNING came.
	echo "ckpt-guest: begin $name" > /dev/kmsg
	echo "### begin $name" >&3
	rm -f $RUN/out $RUN/timedout
	mkfifo $RUN/out
	# The test writes into a pipe that is copied to the results port as it
	# comes: a test never holds the serial tty, and an oops or a hang still
	# leaves everything printed so far on the host (a panic may lose the
	# last lines; see Documentation/testing.md).
	cat $RUN/out >&3 &
	catpid=$!
	start=$(date +%s)
	# setsid: PID 1 has session id 0; tests need a session of their own.
	# stdin is /dev/null, so there is no controlling terminal.
	(cd "${t%/*}" && exec setsid "$t") < /dev/null > $RUN/out 2>&1 3>&- &
	pid=$!
	watchdog $pid "$name" < /dev/null > /dev/console 2>&1 3>&- &
	wdpid=$!
	wait $pid
	st=$?
	kill $wdpid 2>/dev/null
	reap_session $pid
	# cat ends when the last writer closes the pipe; a process that escaped
	# into its own session may keep it open, so give up after 5 s.
	i=0
	while kill -0 $catpid 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $catpid 2>/dev/null
	wait $catpid 2>/dev/null
	[ -e $RUN/timedout ] && st=124
	wait $wdpid 2>/dev/null
	time=$(($(date +%s) - start))
	echo "### end $name status=$st time=${time}s" >&3
	say "end $name status=$st time=${time}s"
}

say "suite '$SUITE': $# test programs, ${TIMEOUT}s each, address $CKPT_ADDR"
for t in "$@"; do
	run_test "$t"
done

say "suite done; writing dmesg to ttyS2"
dmesg > /dev/ttyS2
echo "### suite done" >&3
# Closing the last descriptor of a tty waits until its output has left the
# UART, so nothing is lost to the power-off.
exec 3>&-
halt_now
