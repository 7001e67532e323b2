#!/bin/sh
# report.sh - turn the bench guests' result lines into bench/results/.
#
#   bench/report.sh --out DIR --kver KVER [--reps N] RESULTS.LOG...
#
# Reads every "# result: SCENARIO TOOL METRIC VALUE" line (one per
# repetition) of the guests' results logs, and writes
#   DIR/latest.md               the targets of issue 13 (today, target,
#                               measured, met?), where the time goes (per
#                               stage, the one-copy floor, /proc/vmstat
#                               page allocations per operation), the
#                               earlier targets and the other comparisons
#   DIR/checkpoint-vs-size.dat  the plot's data (median, min, max)
#   DIR/checkpoint-vs-size.png  checkpoint time against memory size (gnuplot)
# and prints the summary, one key=value line per ratio.  The format does not
# depend on the data: a value that is missing shows as "not measured" (or
# "n/a" for the fields a ckptd or module without them does not report).
set -eu

OUT='' KVER='' REPS=3
die() { printf 'bench report: error: %s\n' "$*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--kver) KVER=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1; see the comment at the top of $0" ;;
	*) break ;;
	esac
done
if [ -z "$OUT" ] || [ -z "$KVER" ] || [ $# = 0 ]; then
	die "usage: $0 --out DIR --kver KVER [--reps N] RESULTS.LOG..."
fi
for f in "$@"; do [ -r "$f" ] || die "no results log $f; did the bench guest run?"; done
command -v gnuplot >/dev/null || die "gnuplot missing; install gnuplot-nox (make deps)"
mkdir -p "$OUT"

# "SCENARIO TOOL METRIC n median min max" per key, sorted
STATS=$(LC_ALL=C tr -d '\r' < /dev/null; for f in "$@"; do LC_ALL=C tr -d '\r' < "$f"; done |
	LC_ALL=C awk '
	$1 == "#" && $2 == "result:" && $6 ~ /^-?[0-9.]+$/ {
		k = $3 " " $4 " " $5
		n[k]++
		v[k, n[k]] = $6 + 0
	}
	END {
		for (k in n) {
			c = n[k]
			for (i = 2; i <= c; i++) {	# insertion sort
				x = v[k, i]
				for (j = i - 1; j >= 1 && v[k, j] > x; j--)
					v[k, j + 1] = v[k, j]
				v[k, j + 1] = x
			}
			med = c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
			printf "%s %d %.1f %.1f %.1f\n", k, c, med, v[k, 1], v[k, c]
		}
	}' | LC_ALL=C sort)
NOTES=$(for f in "$@"; do LC_ALL=C tr -d '\r' < "$f"; done |
	LC_ALL=C awk '$1 == "#" && $2 == "result:" && $6 !~ /^-?[0-9.]+$/ { print $3, $4, $5, $6 }' | LC_ALL=C sort -u)
DIAG=$(for f in "$@"; do LC_ALL=C tr -d '\r' < "$f"; done | sed -n 's/^# bench: //p')
FAILS=$(for f in "$@"; do LC_ALL=C tr -d '\r' < "$f"; done | grep '^not ok' || true)

# stat SCENARIO TOOL METRIC FIELD: FIELD 1 = n, 2 = median, 3 = min, 4 = max
stat() {
	printf '%s\n' "$STATS" | LC_ALL=C awk -v k="$1 $2 $3" -v f="$4" \
		'$1 " " $2 " " $3 == k { print $(3 + f); exit }'
}
med() { stat "$1" "$2" "$3" 2; }

# cell SCENARIO TOOL METRIC UNIT: "median [min–max] UNIT (n=N)" or not measured
cell() {
	n=$(stat "$1" "$2" "$3" 1)
	if [ -z "$n" ]; then echo "not measured"; return; fi
	case ${4:-ms} in
	MiB) LC_ALL=C awk -v a="$(stat "$1" "$2" "$3" 2)" -v b="$(stat "$1" "$2" "$3" 3)" \
		-v c="$(stat "$1" "$2" "$3" 4)" -v n="$n" \
		'BEGIN { printf "%.2f MiB [%.2f–%.2f] (n=%d)", a / 1048576, b / 1048576, c / 1048576, n }' ;;
	*) echo "$(stat "$1" "$2" "$3" 2) ms [$(stat "$1" "$2" "$3" 3)–$(stat "$1" "$2" "$3" 4)] (n=$n)" ;;
	esac
}

# ratio A B: A / B (2 decimals, 3 below 1), empty when either is missing
# or B is 0
ratio() {
	[ -n "$1" ] && [ -n "$2" ] || return 0
	LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf (a / b < 1 ? "%.3f" : "%.2f"), a / b }'
}
# exact A B: A / B unrounded, for judging a target
exact() {
	[ -n "$1" ] && [ -n "$2" ] || return 0
	LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.9f", a / b }'
}

# met VALUE OP LIMIT: yes / NO / "not measured"
met() {
	[ -n "$1" ] || { echo "not measured"; return; }
	LC_ALL=C awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = op == ">=" ? v >= l : v <= l
		print ok ? "yes" : "**NO**" }'
}

# na SCENARIO TOOL METRIC: the median, or n/a (a field not reported)
na() {
	v=$(med "$1" "$2" "$3")
	echo "${v:-n/a}"
}

# nai SCENARIO TOOL METRIC: na for a count (no decimals)
nai() {
	v=$(med "$1" "$2" "$3")
	if [ -n "$v" ]; then LC_ALL=C awk -v v="$v" 'BEGIN { printf "%.0f\n", v }'; else echo n/a; fi
}

# note SCENARIO TOOL METRIC: the words a non-numeric result had (e.g.
# dirty_tracking), comma-separated when they differ between repetitions
note() {
	printf '%s\n' "$NOTES" | LC_ALL=C awk -v k="$1 $2 $3" \
		'$1 " " $2 " " $3 == k { v = v (v == "" ? "" : ",") $4 } END { print v }'
}

# calc EXPR A B: awk arithmetic on two numbers for a cell (a = A, b = B;
# EXPR prints), n/a when either is missing
calc() {
	if [ -z "$2" ] || [ -z "$3" ]; then echo n/a; return 0; fi
	LC_ALL=C awk -v a="$2" -v b="$3" "BEGIN { $1 }"
}

# all_met OP LIMIT VALUE...: yes if every VALUE meets it, "not measured"
# if one is missing
all_met() {
	op=$1 lim=$2; shift 2
	for v in "$@"; do [ -n "$v" ] || { echo "not measured"; return; }; done
	for v in "$@"; do
		[ "$(met "$v" "$op" "$lim")" = yes ] || { echo "**NO**"; return; }
	done
	echo yes
}

SUMMARY=
# key NAME VALUE: a summary line (only for measured values)
key() {
	[ -n "$2" ] || { SUMMARY="$SUMMARY$1=not_measured
"; return; }
	SUMMARY="$SUMMARY$1=$2
"
}
# target NAME VALUE OP LIMIT: the "met?" cell (counted afterwards)
target() { met "$2" "$3" "$4"; }

MD=$OUT/latest.md
{
echo "# ckpt side by side with CRIU"
echo
echo "Generated by \`make bench\` (bench/run.sh, bench/report.sh) from one run"
echo "of the bench guests: kernel $KVER, QEMU/TCG (no KVM), $REPS repetitions per"
echo "number, ckpt and criu interleaved in the same guest.  Cells are median"
echo "[min–max] (n = repetitions).  TCG times are not real-hardware times: only"
echo "the ratios within this run mean something.  criu is Debian's criu $(printf '%s\n' "$NOTES" | awk '$1 == "meta" && $3 == "version" { sub(/^criu-/, "", $4); print $4 }')."
echo
echo "## Targets of issue 13 (one 6.1 guest run, medians; ratios only)"
echo
echo "Frozen time is the workload's (its longest stall between two 2 ms ticks);"
echo "\"today\" is the issue's measurement before the change."
echo
echo "| measurement | today | target | measured | met? |"
echo "|---|---|---|---|---|"
fr='' fx='' tr='' tx=''
for mib in 64 256 512; do
	s=full_${mib}m
	r=$(ratio "$(med $s criu frozen_ms)" "$(med $s ckpt frozen_ms)")
	fr="$fr${fr:+ / }${r:-n/a}"
	fx="$fx $(exact "$(med $s criu frozen_ms)" "$(med $s ckpt frozen_ms)")"
	r=$(ratio "$(med $s splice total_ms)" "$(med $s ckpt total_ms)")
	key "full_throughput_over_floor_${mib}m" "$r"
	tr="$tr${tr:+ / }${r:-n/a}"
	tx="$tx $(exact "$(med $s splice total_ms)" "$(med $s ckpt total_ms)")"
done
# shellcheck disable=SC2086 # three numbers, or fewer when one is missing
set -- $fx
[ $# = 3 ] || set -- "" 
echo "| full checkpoint, frozen time: criu / ckpt, 64 / 256 / 512 MiB | 0.61 / 0.33 / 0.41 | ≥ 5 (each) | $fr | $(all_met ">=" 5 "$@") |"
r=$(ratio "$(med full_256m criu total_ms)" "$(med full_256m ckpt total_ms)")
x=$(exact "$(med full_256m criu total_ms)" "$(med full_256m ckpt total_ms)")
echo "| full checkpoint, total time: criu / ckpt, 256 MiB | 0.18 | ≥ 1.5 | ${r:-n/a} | $(all_met ">=" 1.5 "$x") |"
# shellcheck disable=SC2086
set -- $tx
[ $# = 3 ] || set -- ""
echo "| full checkpoint throughput / one-copy floor (floor time / ckpt total time), 64 / 256 / 512 MiB | — | ≥ 0.9 (each) | $tr | $(all_met ">=" 0.9 "$@") |"
r=$(ratio "$(med incr_2 ckpt frozen_ms)" "$(med full_256m ckpt frozen_ms)")
x=$(exact "$(med incr_2 ckpt frozen_ms)" "$(med full_256m ckpt frozen_ms)")
trk=$(note incr_2 ckpt dirty_tracking)
m=$(all_met "<=" 0.03 "$x")
[ "$m" != yes ] || [ "$trk" = soft-dirty ] || m="**NO** (tracking: ${trk:-not reported})"
key incr_frozen_vs_full_2pct "$r"
key incr_2pct_dirty_tracking "${trk:-n/a}"
echo "| incremental 2 % spread (256 MiB): frozen / full checkpoint's frozen, soft-dirty used | 0.081 | ≤ 0.03, soft-dirty | ${r:-n/a} (tracking: ${trk:-n/a}) | $m |"
r=$(ratio "$(med freeze_100x4 cgroup total_ms)" "$(med freeze_100x4 ckpt total_ms)")
x=$(exact "$(med freeze_100x4 cgroup total_ms)" "$(med freeze_100x4 ckpt total_ms)")
key freeze_thaw_speedup_vs_cgroup "$r"
echo "| freeze + thaw 100 × 4: cgroup freezer / ckpt | 0.47 | ≥ 1.2 | ${r:-n/a} | $(all_met ">=" 1.2 "$x") |"
echo
echo "TARGETS13_LINE"
echo
echo "## Where the time goes: ckpt per stage (medians, ms)"
echo
echo "From ckptd's reply (\`ckptctl checkpoint|freeze --json\`); n/a: this ckptd"
echo "does not report the field.  \"frozen (wl)\" is the workload's own count,"
echo "\"frozen (ckptd)\" ckptd's; criu's frozen time is the workload's count too."
echo
echo "| scenario | total | frozen (wl) | frozen (ckptd) | freeze | pre-copy | dump | capture | thaw | write | commit | pre-copy pages | final pages | tracking | criu total | criu frozen (wl) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for s in full_64m full_256m full_512m incr_2 incr_20 incr_2blk stop_256m; do
	line="| $s | $(na $s ckpt total_ms) | $(na $s ckpt frozen_ms) | $(na $s ckpt reply_frozen_ms)"
	for k in freeze precopy dump capture thaw write commit; do
		line="$line | $(na $s ckpt stage_${k}_ms)"
	done
	t=$(note $s ckpt dirty_tracking)
	line="$line | $(nai $s ckpt precopy_pages) | $(nai $s ckpt final_pages) | ${t:-n/a} | $(na $s criu total_ms) | $(na $s criu frozen_ms) |"
	echo "$line"
done
echo
echo "## The one-copy floor, the write() baseline and the checkpoints (medians)"
echo
echo "The same N MiB moved into a fresh tmpfs file: write() in 1 MiB calls, and"
echo "vmsplice + splice (the floor: each byte copied once, into the file's page"
echo "cache).  Throughput = N MiB / median time."
echo
echo "| MiB | write() ms | write() MiB/s | floor ms | floor MiB/s | ckpt ms | ckpt MiB/s | criu ms | criu MiB/s | ckpt / floor |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for mib in 64 256 512; do
	s=full_${mib}m
	line="| $mib"
	for t in write splice ckpt criu; do
		m=$(med $s $t total_ms)
		line="$line | ${m:-n/a} | $(calc 'printf "%.1f", a * 1000 / b' "$mib" "$m")"
	done
	r=$(ratio "$(med $s splice total_ms)" "$(med $s ckpt total_ms)")
	echo "$line | ${r:-n/a} |"
done
echo
echo "## Page allocations per operation (/proc/vmstat deltas, medians, 4 KiB pages)"
echo
echo "Pages allocated = the sum of pgalloc_* around the command; per MiB = that"
echo "over the job's memory (one copy of every byte into fresh pages = 256 per"
echo "MiB).  shmem = the change of nr_shmem (tmpfs pages still held after it:"
echo "the image, when it is on tmpfs)."
echo
echo "| scenario | tool | MiB | pages allocated | per MiB | pages freed | shmem |"
echo "|---|---|---|---|---|---|---|"
rows=0
for s in full_64m full_256m full_512m incr_2 incr_20 incr_2blk stop_256m restore_256m kdump_256m; do
	case $s in full_*) mib=${s#full_}; mib=${mib%m} ;; *) mib=256 ;; esac
	for t in ckpt criu write splice stream data-fd; do
		a=$(med $s $t pgalloc)
		[ -n "$a" ] || continue
		echo "| $s | $t | $mib | $(nai $s $t pgalloc) | $(calc 'printf "%.0f", a / b' "$a" "$mib") | $(nai $s $t pgfree) | $(nai $s $t shmem) |"
		rows=$((rows + 1))
	done
done
[ $rows -gt 0 ] || echo "| not measured | | | | | | |"
echo
echo "## The kernel dump alone (bench_dump, 256 MiB, medians)"
echo
echo "No daemon, no image: the stream read and discarded, and with"
echo "CKPT_DUMP_DATA_FD the pages written by the module into a tmpfs file."
echo
echo "| what | ms | MiB/s | against the floor (floor ms / ms) |"
echo "|---|---|---|---|"
fl=$(med full_256m splice total_ms)
for t in stream data-fd memcpy; do
	m=$(med kdump_256m $t total_ms)
	if [ -z "$m" ] && [ $t = data-fd ]; then
		why=$(printf '%s\n' "$DIAG" | sed -n 's/^dump_data_fd_256MiB n\/a (\(.*\))$/\1/p' | head -n 1)
		echo "| DATA_FD into a tmpfs file | n/a${why:+: $why} | n/a | n/a |"
		continue
	fi
	case $t in
	stream) w="stream read and discarded" ;;
	data-fd) w="DATA_FD into a tmpfs file" ;;
	*) w="memcpy of 256 MiB" ;;
	esac
	r=$(ratio "$fl" "$m")
	echo "| $w | ${m:-n/a} | $(calc 'printf "%.1f", a * 1000 / b' 256 "$m") | ${r:-n/a} |"
done
echo
echo "## Results against the earlier targets"
echo
echo "| scenario | ckpt | criu (or other) | ratio | target | met? |"
echo "|---|---|---|---|---|---|"
for mib in 64 256 512; do
	s=full_${mib}m
	r=$(ratio "$(med $s criu total_ms)" "$(med $s ckpt total_ms)")
	x=$(exact "$(med $s criu total_ms)" "$(med $s ckpt total_ms)")
	key "dump_speedup_vs_criu_${mib}m" "$r"
	echo "| full checkpoint, $mib MiB: time (throughput ratio = criu time / ckpt time) | $(cell $s ckpt total_ms) | $(cell $s criu total_ms) | $r | ≥ 3 | $(target x "$x" ">=" 3) |"
done
for mib in 64 256 512; do
	s=full_${mib}m
	r=$(ratio "$(med $s write total_ms)" "$(med $s ckpt total_ms)")
	x=$(exact "$(med $s write total_ms)" "$(med $s ckpt total_ms)")
	key "dump_vs_baseline_${mib}m" "$r"
	echo "| full checkpoint, $mib MiB, against the baseline (other = write() of $mib MiB to a tmpfs file; ratio = ckpt throughput / baseline's) | $(cell $s ckpt total_ms) | $(cell $s write total_ms) | $r | ≥ 0.70 | $(target x "$x" ">=" 0.70) |"
done
r=$(ratio "$(med incr_2 ckpt frozen_ms)" "$(med full_256m ckpt frozen_ms)")
x=$(exact "$(med incr_2 ckpt frozen_ms)" "$(med full_256m ckpt frozen_ms)")
echo "| incremental, 2 % of 256 MiB rewritten (spread): ckpt's frozen time against its full checkpoint's (other = ckpt full checkpoint of 256 MiB, frozen time) | $(cell incr_2 ckpt frozen_ms) | $(cell full_256m ckpt frozen_ms) | $r | ≤ 0.10 | $(target x "$x" "<=" 0.10) |"
r=$(ratio "$(med restore_256m criu total_ms)" "$(med restore_256m ckpt total_ms)")
x=$(exact "$(med restore_256m criu total_ms)" "$(med restore_256m ckpt total_ms)")
key restore_speedup_vs_criu_256m "$r"
echo "| restore of 256 MiB until the job runs again (ratio = criu time / ckpt time) | $(cell restore_256m ckpt total_ms) | $(cell restore_256m criu total_ms) | $r | ≥ 2 | $(target x "$x" ">=" 2) |"
r=$(ratio "$(med freeze_100x4 cgroup total_ms)" "$(med freeze_100x4 ckpt total_ms)")
x=$(exact "$(med freeze_100x4 cgroup total_ms)" "$(med freeze_100x4 ckpt total_ms)")
echo "| freeze + thaw of 100 processes × 4 threads (other = cgroup v2 freezer on the same processes; ratio = cgroup time / ckpt time) | $(cell freeze_100x4 ckpt total_ms) | $(cell freeze_100x4 cgroup total_ms) | $r | ≥ 1 | $(target x "$x" ">=" 1) |"
echo
echo "TARGETS_LINE"
echo
echo "## Other comparisons (no target)"
echo
echo "| scenario | ckpt | criu (or other) | ratio | target | met? |"
echo "|---|---|---|---|---|---|"
for mib in 64 256 512; do
	s=full_${mib}m
	r=$(ratio "$(med $s criu frozen_ms)" "$(med $s ckpt frozen_ms)")
	key "dump_frozen_speedup_vs_criu_${mib}m" "$r"
	echo "| full checkpoint, $mib MiB: frozen time (ratio = criu / ckpt) | $(cell $s ckpt frozen_ms) | $(cell $s criu frozen_ms) | $r | — | — |"
done
for p in 2 20 2blk; do
	s=incr_$p
	case $p in
	2blk) what="2 % of 256 MiB as one block" kp=2pct_block ;;
	*) what="$p % of 256 MiB (spread)" kp=${p}pct ;;
	esac
	r=$(ratio "$(med $s criu total_ms)" "$(med $s ckpt total_ms)")
	key "incr_speedup_vs_criu_$kp" "$r"
	echo "| incremental, $what: time (ratio = criu / ckpt) | $(cell $s ckpt total_ms) | $(cell $s criu total_ms) | $r | — | — |"
	r=$(ratio "$(med $s criu frozen_ms)" "$(med $s ckpt frozen_ms)")
	key "incr_frozen_speedup_vs_criu_$kp" "$r"
	echo "| incremental, $what: frozen time (ratio = criu / ckpt) | $(cell $s ckpt frozen_ms) | $(cell $s criu frozen_ms) | $r | — | — |"
	r=$(ratio "$(med $s ckpt image_bytes)" "$(med $s criu image_bytes)")
	key "incr_bytes_vs_criu_$kp" "$r"
	echo "| incremental, $what: image bytes (ratio = ckpt / criu) | $(cell $s ckpt image_bytes MiB) | $(cell $s criu image_bytes MiB) | $r | — | — |"
done
r=$(ratio "$(med incr_20 ckpt frozen_ms)" "$(med full_256m ckpt frozen_ms)")
key incr_frozen_vs_full_20pct "$r"
echo "| incremental, 20 %: ckpt's frozen time against its full checkpoint's | $(cell incr_20 ckpt frozen_ms) | $(cell full_256m ckpt frozen_ms) | $r | — | — |"
r=$(ratio "$(med stop_256m criu total_ms)" "$(med stop_256m ckpt total_ms)")
key stop_speedup_vs_criu_256m "$r"
echo "| checkpoint that stops the job, 256 MiB: \`ckptctl freeze\` against \`criu dump\` (ratio = criu / ckpt) | $(cell stop_256m ckpt total_ms) | $(cell stop_256m criu total_ms) | $r | — | — |"
r=$(ratio "$(med migrate_256m criu-page-server downtime_ms)" "$(med migrate_256m ckpt-stop-copy downtime_ms)")
key migrate_downtime_speedup_vs_criu_256m "$r"
echo "| migration of 256 MiB writing 1 MiB/s, downtime: ckpt stop-and-copy against criu page-server (ratio = criu / ckpt) | $(cell migrate_256m ckpt-stop-copy downtime_ms) | $(cell migrate_256m criu-page-server downtime_ms) | $r | — | — |"
live=$(cell migrate_256m ckpt-live downtime_ms)
why=$(printf '%s\n' "$NOTES" | awk '$1 == "migrate_256m" && $2 == "ckpt-live" { print $4 }')
[ "$live" != "not measured" ] || [ -z "$why" ] || live="not measured: $(echo "$why" | tr - ' ')"
r=$(ratio "$(med migrate_256m criu-page-server downtime_ms)" "$(med migrate_256m ckpt-live downtime_ms)")
key migrate_live_downtime_speedup_vs_criu_256m "$r"
echo "| migration of 256 MiB writing 1 MiB/s, downtime: ckpt live (\`ckptctl migrate --live\`) against criu page-server | $live | $(cell migrate_256m criu-page-server downtime_ms) | $r | — | — |"
echo
echo "## Where ckpt's checkpoint time goes (256 MiB, medians)"
echo
t=$(med full_256m ckpt total_ms) f=$(med full_256m ckpt frozen_ms) c=$(med full_256m criu total_ms)
ks=$(med kdump_256m stream total_ms) kd=$(med kdump_256m data-fd total_ms) fl=$(med full_256m splice total_ms)
if [ -n "$t" ] && [ -n "$f" ]; then
	LC_ALL=C awk -v t="$t" -v f="$f" -v c="${c:-0}" -v ks="${ks:-}" -v kd="${kd:-}" -v fl="${fl:-}" 'BEGIN {
		printf "- `ckptctl checkpoint`: %.0f ms in all; the job is frozen for %.0f ms (the workload'"'"'s count) and runs during the other %.0f ms (a pre-copy before the freeze, the image written and committed after the thaw; the stage table above splits them when ckptd reports its stages).\n", t, f, t - f
		if (fl != "")
			printf "- The one-copy floor for the same 256 MiB (vmsplice + splice into tmpfs) is %.0f ms; criu'"'"'s whole dump takes %.0f ms.\n", fl, c
		if (ks != "")
			printf "- The kernel dump alone (bench_dump, no daemon): %.0f ms as a stream read and discarded", ks
		if (ks != "" && kd != "")
			printf ", %.0f ms with the pages written by the module into a tmpfs file (DATA_FD)", kd
		if (ks != "")
			printf ".\n"
	}'
else
	echo "- not measured"
fi
echo
echo "## What each number covers"
echo
cat "$(dirname "$0")/results-legend.md"
echo
echo "## Every measurement"
echo
echo "| scenario | tool | metric | n | median | min | max |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "$STATS" | awk 'NF == 7 {
	if ($3 ~ /^(image_bytes|pgalloc|pgfree|shmem|precopy_pages|final_pages)$/)
		printf "| %s | %s | %s | %s | %d | %d | %d |\n", $1, $2, $3, $4, $5, $6, $7
	else
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
if [ -n "$DIAG" ]; then
	echo
	echo "## Diagnostics of ckpt alone (bench_dump)"
	echo
	echo "The kernel dump stream of a 256 MiB process read and discarded (no"
	echo "daemon, no image) against memcpy of 256 MiB in the same guest."
	echo
	printf '%s\n' "$DIAG" | sed 's/^/- /'
fi
if [ -n "$FAILS" ]; then
	echo
	echo "## Failed steps in this run"
	echo
	printf '%s\n' "$FAILS" | sed 's/^/    /'
fi
} > "$MD.tmp"
# count SECTION: "MET TOTAL" of the target table under "## SECTION" (its
# rows begin with a lower-case word, the met ones end in "| yes |")
count() {
	awk -v h="## $1" 'index($0, h) == 1 { t = 1; next } /^## / { t = 0 }
		t && /^\| [a-z]/ && !/^\| (scenario|measurement) \|/ { n++ }
		t && /\| yes \|$/ { m++ }
		END { print m + 0, n + 0 }' "$MD.tmp"
}
# shellcheck disable=SC2046 # two numbers
set -- $(count "Targets of issue 13") $(count "Results against the earlier targets")
MET13=$1 TARGETS13=$2 MET=$3 TARGETS=$4
sed -e "s/^TARGETS13_LINE\$/$MET13 of $TARGETS13 targets met./" \
	-e "s/^TARGETS_LINE\$/$MET of $TARGETS earlier targets met./" "$MD.tmp" > "$MD"
rm -f "$MD.tmp"

# The plot: full checkpoint time against memory size.
DAT=$OUT/checkpoint-vs-size.dat
{
	echo "# MiB  ckpt(med min max)  criu(med min max)  write(med min max), ms"
	for mib in 64 256 512; do
		line="$mib"
		for t in ckpt criu write; do
			m=$(stat full_${mib}m $t total_ms 2)
			if [ -n "$m" ]; then
				line="$line $m $(stat full_${mib}m $t total_ms 3) $(stat full_${mib}m $t total_ms 4)"
			else
				line="$line NaN NaN NaN"
			fi
		done
		echo "$line"
	done
} > "$DAT"
plot_ok=1
gnuplot 2>"$OUT/gnuplot.err" <<EOF || plot_ok=0
set terminal png size 900,600 font ",11"
set output "$OUT/checkpoint-vs-size.png"
set title "Full checkpoint to tmpfs, $KVER under QEMU/TCG (median, bars: min-max)"
set xlabel "written anonymous memory (MiB)"
set ylabel "time (s)"
set key top left
set grid
set xrange [0:576]
set xtics (64, 128, 256, 384, 512)
set yrange [0:*]
plot "$DAT" using 1:(\$2/1000):(\$3/1000):(\$4/1000) with yerrorlines lw 2 pt 7 title "ckptctl checkpoint", \
     "$DAT" using 1:(\$5/1000):(\$6/1000):(\$7/1000) with yerrorlines lw 2 pt 5 title "criu dump --leave-running", \
     "$DAT" using 1:(\$8/1000):(\$9/1000):(\$10/1000) with yerrorlines lw 2 pt 9 dt 2 title "baseline: write() to tmpfs"
EOF

printf '%s' "$SUMMARY"
echo "targets13_met=$MET13/$TARGETS13"
echo "targets_met=$MET/$TARGETS"
if [ $plot_ok = 0 ]; then
	echo "bench report: no plot: gnuplot failed on $DAT (no full checkpoint measured?):" >&2
	tail -n 3 "$OUT/gnuplot.err" >&2
	exit 1
fi
rm -f "$OUT/gnuplot.err"
