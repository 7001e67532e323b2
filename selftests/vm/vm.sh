#!/bin/sh
# vm.sh - boot N QEMU guests on one initramfs, run one suite, judge it.
#
#   vm.sh --kver KVER --suite NAME --initrd FILE --out DIR [--nodes N]
#         [--timeout S] [--mem M] [--cpu MODEL] [--vm-timeout S] [--cache DIR]
#         [--append ARGS] [--only GLOB]
#
#   --kver        guest kernel; boots CACHE/kernels/KVER/vmlinux
#   --suite       directory under /tests in the initramfs to run
#   --initrd      image from mkinitramfs.sh
#   --out         run directory; node$i/ holds console.log (ttyS0),
#                 results.log (ttyS1), dmesg.log (ttyS2), qemu.cmdline,
#                 qemu.log, host.status; DIR/tap is the verdict
#   --nodes       guests to boot (default 1); 2 are joined by a QEMU socket
#                 netdev, 3 or more by a vde_switch
#   --timeout     per-test limit inside the guest (default 300 s)
#   --mem         guest memory (default 1G)
#   --cpu         QEMU CPU model (default max: XSAVE, AVX and AVX2 under TCG,
#                 so register dumps cover the extended state; qemu64 has none)
#   --vm-timeout  hard limit per guest (default 3600 s); a guest whose results
#                 port is silent for timeout+60 s is killed long before
#   --cache       cache of guest kernels (default: $CKPT_CACHE, else ./.cache)
#   --append      extra kernel command line words, for debugging (e.g.
#                 "loglevel=7"); the self-test uses it to break a boot
#   --only        run only the suite's tests whose file name matches GLOB
#                 (e.g. '40-*'), for a quick run while developing
#
# Prints the flat TAP stream (also in DIR/tap) on stdout, progress on stderr.
# Exit status 0 only if every line is "ok".
# "local" is not POSIX, but dash, busybox ash and bash all have it.
# shellcheck disable=SC3043
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
KVER= SUITE= INITRD= OUT= NODES=1 TIMEOUT=300 MEM=1G VM_TIMEOUT=3600 APPEND=
CPU=max
CACHE=${CKPT_CACHE:-$(pwd)/.cache}
MARKER='ckpt-guest: init started'
BOOT_ATTEMPTS=3         # a boot that never reached /init is retried twice
BOOT_LIMIT=60           # seconds a guest may take to reach /init (normally 1-10)

say() { printf 'vm: %s\n' "$*" >&2; printf '%s %s\n' "$(date +%T)" "$*" >> "$OUT/vm.log"; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '3,5p' "$0" | sed 's/^# *//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kver) KVER=$2 ;;
	--suite) SUITE=$2 ;;
	--initrd) INITRD=$2 ;;
	--out) OUT=$2 ;;
	--nodes) NODES=$2 ;;
	--timeout) TIMEOUT=$2 ;;
	--mem) MEM=$2 ;;
	--cpu) CPU=$2 ;;
	--vm-timeout) VM_TIMEOUT=$2 ;;
	--cache) CACHE=$2 ;;
	--append) APPEND=$2 ;;
	--only) APPEND="${APPEND:+$APPEND }ckptvm.only=$2" ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$KVER" ] && [ -n "$SUITE" ] && [ -n "$INITRD" ] && [ -n "$OUT" ] || usage
case $NODES in ''|*[!0-9]*|0) die "--nodes must be a positive number" ;; esac
[ "$NODES" -le 200 ] || die "--nodes $NODES: addresses 169.254.77.10+i end at 200 guests"
case $TIMEOUT$VM_TIMEOUT in *[!0-9]*) die "--timeout and --vm-timeout take seconds" ;; esac
VMLINUX=$CACHE/kernels/$KVER/vmlinux
[ -s "$VMLINUX" ] || die "no guest kernel $VMLINUX; run scripts/deps.sh (make deps)"
[ -s "$INITRD" ] || die "no initramfs $INITRD; build it with mkinitramfs.sh"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; install qemu-system-x86"
[ "$NODES" -lt 3 ] || command -v vde_switch >/dev/null ||
	die "$NODES guests need vde_switch; install vde2"
[ "$NODES" -ne 2 ] || command -v ss >/dev/null ||
	die "2 guests need ss to find a free port; install iproute2"

# Measured (see Documentation/testing.md): 6.12 with two vCPUs under
# multi-threaded TCG crashes before /init in about 3% of boots (2 of 60
# here; 0 of 30 with one vCPU or with -accel tcg,thread=single).  Single-
# threaded TCG costs ~15% on a trivial suite and 1.85x on two CPU-bound
# processes; the retry below costs one boot when it happens.  Several guests
# share the two host cores, so each gets one vCPU.
SMP=2
[ "$NODES" -gt 1 ] && SMP=1
ACCEL=tcg
STALL=$((TIMEOUT + 60))

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT"/node[0-9]* "$OUT/tap" "$OUT/vm.log"
INITRD=$(cd "$(dirname "$INITRD")" && pwd)/${INITRD##*/}

# --- per-node state, kept in shell variables named <key><node> -------------
get() { eval "printf '%s' \"\${$1$2-}\""; }
put() { eval "$1$2=\$3"; }

VDEDIR=
cleanup() {
	i=0
	while [ $i -lt "$NODES" ]; do
		# Only guests still running: a reaped PID may belong to anyone now.
		if [ "$(get state $i)" = run ]; then
			kill "$(get pid $i)" 2>/dev/null || true
		fi
		# The pidfile names QEMU itself, in case its timeout wrapper died.
		if [ -s "$OUT/node$i/qemu.pid" ]; then
			q=$(cat "$OUT/node$i/qemu.pid")
			grep -qF "$OUT/node$i/" "/proc/$q/cmdline" 2>/dev/null && kill "$q" 2>/dev/null || true
		fi
		i=$((i + 1))
	done
	if [ -n "$VDEDIR" ]; then
		[ -s "$VDEDIR/pid" ] && kill "$(cat "$VDEDIR/pid")" 2>/dev/null || true
		rm -rf "$VDEDIR"
	fi
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- networking -------------------------------------------------------------
NET=none PORT=
if [ "$NODES" -eq 2 ]; then
	NET=socket
elif [ "$NODES" -ge 3 ]; then
	NET=vde
	# Short path in /tmp: the switch's unix sockets live in it and sun_path
	# holds 108 bytes, too few for a deep build directory.
	VDEDIR=$(mktemp -d /tmp/ckpt-vde.XXXXXX)
	vde_switch --sock "$VDEDIR/switch" --daemon --pidfile "$VDEDIR/pid" \
		>> "$OUT/vm.log" 2>&1 || die "vde_switch failed to start (see $OUT/vm.log)"
	i=0
	while [ ! -S "$VDEDIR/switch/ctl" ]; do
		[ $i -ge 50 ] && die "vde_switch did not create $VDEDIR/switch/ctl within 5 s"
		sleep 0.1
		i=$((i + 1))
	done
fi

port_is_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# A port for the socket netdev: spread by PID so parallel runs start apart,
# skip ports in use; bind races are caught when node0 starts (below).
pick_port() {
	local p
	p=$((20000 + ($$ * 7 + ${1:-0} * 131) % 30000))
	while ! port_is_free $p; do p=$((p + 1)); done
	PORT=$p
}

net_args() { # node
	local mac nd
	mac=$(printf '52:54:00:77:00:%02x' "$1")
	case $NET in
	none) return 0 ;;
	socket) [ "$1" -eq 0 ] && nd="socket,id=n0,listen=127.0.0.1:$PORT" ||
			nd="socket,id=n0,connect=127.0.0.1:$PORT" ;;
	vde) nd="vde,id=n0,sock=$VDEDIR/switch" ;;
	esac
	printf -- '-netdev %s -device virtio-net-pci,netdev=n0,mac=%s' "$nd" "$mac"
}

# --- booting one guest ------------------------------------------------------
launch() { # node
	local i=$1 d=$OUT/node$1 a w
	a=$(($(get att "$i") + 1))
	put att "$i" $a
	mkdir -p "$d"
	if [ $a -gt 1 ]; then
		for f in console results dmesg qemu; do
			[ -e "$d/$f.log" ] && mv "$d/$f.log" "$d/$f.attempt$((a - 1)).log"
		done
	fi
	rm -f "$d/qemu.pid"
	# shellcheck disable=SC2046 # net_args is a list of words by design
	set -- qemu-system-x86_64 -accel $ACCEL -cpu "$CPU" -m "$MEM" -smp $SMP \
		-name "ckpt-node$i" -kernel "$VMLINUX" -initrd "$INITRD" \
		-nographic -no-reboot -nodefaults \
		-serial "file:$d/console.log" -serial "file:$d/results.log" \
		-serial "file:$d/dmesg.log" $(net_args "$i") -pidfile "$d/qemu.pid" \
		-append "console=ttyS0 quiet panic=-1 ckptvm.node=$i ckptvm.nodes=$NODES ckptvm.suite=$SUITE ckptvm.timeout=$TIMEOUT${APPEND:+ $APPEND}"
	for w in "$@"; do printf "'%s' " "$w"; done > "$d/qemu.cmdline"
	echo >> "$d/qemu.cmdline"
	: > "$d/console.log"
	: > "$d/results.log"
	timeout -k 10 "$VM_TIMEOUT" "$@" < /dev/null > "$d/qemu.log" 2>&1 &
	put pid "$i" $!
	put start "$i" "$(date +%s)"
	put size "$i" 0
	put change "$i" "$(date +%s)"
	put inited "$i" 0
	put killed "$i" ""
	put state "$i" run
}

# Two guests: node0 listens, node1 connects, so node0 must be listening
# first.  If the port was taken between the check and QEMU's bind, QEMU
# exits at once with "Address already in use": pick another and repeat.
start_socket_pair() {
	local try i
	for try in 1 2 3 4 5 6 7 8; do
		pick_port $try
		put att 0 0
		launch 0
		i=0
		while ! ss -Hltn "sport = :$PORT" | grep -q .; do
			if ! kill -0 "$(get pid 0)" 2>/dev/null; then
				wait "$(get pid 0)" || true
				grep -q 'Address already in use' "$OUT/node0/qemu.log" ||
					die "node0 QEMU failed to start: $(cat "$OUT/node0/qemu.log")"
				say "port $PORT taken, trying another"
				continue 2
			fi
			[ $i -ge 100 ] && die "node0 QEMU is not listening on 127.0.0.1:$PORT after 10 s"
			sleep 0.1
			i=$((i + 1))
		done
		say "node0 listening on 127.0.0.1:$PORT"
		launch 1
		return 0
	done
	die "no free TCP port for the socket netdev after 8 tries"
}

T0=$(date +%s)
say "booting $NODES guest(s) of $KVER, suite '$SUITE', logs in $OUT"
i=0
while [ $i -lt "$NODES" ]; do put att $i 0; i=$((i + 1)); done
if [ "$NET" = socket ]; then
	start_socket_pair
else
	i=0
	while [ $i -lt "$NODES" ]; do
		launch $i
		i=$((i + 1))
	done
fi

# --- watching the guests ----------------------------------------------------
# Every half second: reap guests that exited (and retry a boot that never
# reached /init), kill a guest stuck before /init or silent on its results
# port for longer than a test may take.
finish() { # node qemu-status
	local d=$OUT/node$1
	{
		echo "qemu_status=$2"
		echo "attempts=$(get att "$1")"
		echo "inited=$(get inited "$1")"
		echo "killed=$(get killed "$1")"
		echo "seconds=$(($(date +%s) - $(get start "$1")))"
	} > "$d/host.status"
	put state "$1" finished
	running=$((running - 1))
}

running=$NODES
while [ $running -gt 0 ]; do
	sleep 0.5
	now=$(date +%s)
	i=0
	while [ $i -lt "$NODES" ]; do
		n=$i d=$OUT/node$i
		i=$((i + 1))
		[ "$(get state $n)" = run ] || continue
		p=$(get pid $n)
		if [ "$(get inited $n)" = 0 ] && grep -qF "$MARKER" "$d/console.log"; then
			put inited $n 1
		fi
		if kill -0 "$p" 2>/dev/null; then
			if [ "$(get inited $n)" = 0 ]; then
				if [ $((now - $(get start $n))) -gt $BOOT_LIMIT ]; then
					put killed $n "no /init after ${BOOT_LIMIT}s"
					kill "$p" 2>/dev/null || true
				fi
				continue
			fi
			s=$(stat -c %s "$d/results.log")
			if [ "$s" != "$(get size $n)" ]; then
				put size $n "$s"
				put change $n "$now"
			elif [ $((now - $(get change $n))) -gt $STALL ] && [ -z "$(get killed $n)" ]; then
				put killed $n "results port silent for ${STALL}s"
				say "node$n: results port silent for ${STALL}s, killing the guest"
				kill "$p" 2>/dev/null || true
			fi
			continue
		fi
		st=0
		wait "$p" || st=$?
		[ $st -eq 124 ] && put killed $n "still running after ${VM_TIMEOUT}s (--vm-timeout)"
		grep -qF "$MARKER" "$d/console.log" && put inited $n 1
		# Nothing of ours ran before the marker, so a retry hides nothing.
		if [ "$(get inited $n)" = 0 ] && [ "$(get att $n)" -lt $BOOT_ATTEMPTS ]; then
			why=$(get killed $n)
			say "node$n: $KVER guest died before /init (${why:-qemu status $st}, attempt $(get att $n) of $BOOT_ATTEMPTS), retrying the boot; old console in node$n/console.attempt$(get att $n).log"
			launch $n
			continue
		fi
		finish $n $st
	done
done
say "guests finished after $(($(date +%s) - T0))s"

# --- verdict ----------------------------------------------------------------
"$HERE/vm-report.sh" --kver "$KVER" --nodes "$NODES" --dir "$OUT" \
	--timeout "$TIMEOUT" > "$OUT/tap.tmp"
mv "$OUT/tap.tmp" "$OUT/tap"
cat "$OUT/tap"
if grep -q '^not ok' "$OUT/tap"; then
	printf 'vm: FAILED on %s (suite %s, %s node(s)): %s of %s checks failed; logs kept in %s\n' \
		"$KVER" "$SUITE" "$NODES" "$(grep -c '^not ok' "$OUT/tap")" \
		"$(grep -c '^\(not \)\{0,1\}ok' "$OUT/tap")" "$OUT" >&2
	exit 1
fi
say "passed on $KVER (suite $SUITE, $NODES node(s)), $(grep -c '^ok' "$OUT/tap") checks"
