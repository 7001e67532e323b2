#!/bin/sh
# vm-report.sh - judge a finished vm.sh run directory; flat TAP on stdout.
#
#   vm-report.sh --kver KVER --nodes N --dir DIR [--timeout S]
#
# Per node (DIR/node$i): one TAP line per result of every test program
# (results-tap.awk), one line for the guest itself (reached /init, no
# panic, not killed, reported "### suite done") and one for the kernel log
# (no BUG:/WARNING:/Oops/Call Trace/general protection in dmesg.log or
# console.log).  Lines are numbered across all nodes; the plan comes first.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
KVER= NODES=1 DIR= TIMEOUT=300
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || { sed -n 4p "$0" >&2; exit 2; }
	case $1 in
	--kver) KVER=$2 ;;
	--nodes) NODES=$2 ;;
	--dir) DIR=$2 ;;
	--timeout) TIMEOUT=$2 ;;
	*) sed -n 4p "$0" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$KVER" ] && [ -n "$DIR" ] || { sed -n 4p "$0" >&2; exit 2; }

# Lines a healthy kernel never prints.
BAD='BUG:|WARNING:|Oops|Call Trace|general protection'

# value KEY FILE: KEY=value from host.status (empty if absent)
value() { sed -n "s/^$1=//p" "$2" 2>/dev/null | head -n 1; }

# Suspicious kernel lines from dmesg.log, then those only on the console
# (a panicking guest never writes dmesg.log).  Each is tagged with the test
# that was running, from the "ckpt-guest: begin NAME" marks.
bad_kernel_lines() { # node dir
	for f in "$2/dmesg.log" "$2/console.log"; do
		[ -s "$f" ] || continue
		LC_ALL=C tr -d '\r' < "$f" | LC_ALL=C awk -v bad="$BAD" -v f="${f##*/}" '
			/ckpt-guest: (node[0-9]+: )?begin / { t = $0; sub(/.*begin /, "", t) }
			$0 ~ bad { print $0 (t != "" ? "   [during " t "]" : "   [boot]") }'
	done | awk '!seen[$0]++'
}

node_report() { # node
	n=$1 d=$DIR/node$1
	st=$(value qemu_status "$d/host.status")
	att=$(value attempts "$d/host.status")
	inited=$(value inited "$d/host.status")
	killed=$(value killed "$d/host.status")
	panic=$(LC_ALL=C grep -a 'Kernel panic' "$d/console.log" 2>/dev/null | tr -d '\r' | head -n 3 || true)

	if [ -n "$killed" ]; then
		death="guest killed by the host: $killed"
	elif [ -n "$panic" ]; then
		death="kernel panic"
	else
		death="guest stopped (QEMU exit status ${st:-unknown})"
	fi

	[ -s "$d/results.log" ] &&
		LC_ALL=C awk -v kver="$KVER" -v node="$n" -v timeout="$TIMEOUT" \
			-v death="$death" -f "$HERE/results-tap.awk" "$d/results.log"

	g="$KVER node$n guest"
	if [ "$inited" != 1 ]; then
		echo "not ok $g: never reached /init in ${att:-?} boot attempt(s); see $d/console.log"
	elif [ -n "$panic" ]; then
		echo "not ok $g: kernel panic; see $d/console.log"
		printf '%s\n' "$panic" | sed 's/^/#   /'
	elif [ -n "$killed" ]; then
		echo "not ok $g: $killed, killed; see $d/console.log"
	elif ! grep -qx '### suite done' "$d/results.log" 2>/dev/null; then
		echo "not ok $g: stopped before '### suite done' (QEMU exit status ${st:-unknown})"
	else
		retry=
		[ "${att:-1}" -gt 1 ] && retry=" (boot retried: $((att - 1)) crash(es) before /init)"
		echo "ok $g: suite finished, powered off$retry"
	fi

	bad=$(bad_kernel_lines "$n" "$d")
	if [ -z "$bad" ]; then
		echo "ok $KVER node$n dmesg clean"
	else
		cnt=$(printf '%s\n' "$bad" | wc -l)
		echo "not ok $KVER node$n dmesg: $cnt line(s) with BUG/WARNING/Oops/Call Trace/general protection; see $d/dmesg.log"
		printf '%s\n' "$bad" | head -n 20 | sed 's/^/#   /'
		[ "$cnt" -le 20 ] || echo "#   ... $((cnt - 20)) more"
	fi
}

out=$(i=0; while [ $i -lt "$NODES" ]; do node_report $i; i=$((i + 1)); done)
printf '1..%s\n' "$(printf '%s\n' "$out" | grep -c '^\(not \)\{0,1\}ok ')"
printf '%s\n' "$out" | awk '
	/^ok / { print "ok " ++n substr($0, 3); next }
	/^not ok / { print "not ok " ++n substr($0, 7); next }
	{ print }'
