# bench.sh - helpers of the side-by-side benchmark (busybox sh), after
# selftests' tap.sh and ckptd.sh.  Results are "# result: SCENARIO TOOL
# METRIC VALUE" lines, one per repetition; bench/report.sh on the host
# takes their median, min and max.
# Repetitions: 3, or ckptbench.reps=N on the kernel command line (bench/run.sh
# passes BENCH_REPS there).
# shellcheck disable=SC2034 # REPS is the suites'
REPS=3
# shellcheck disable=SC2013 # the command line is words
for w in $(cat /proc/cmdline); do
	# shellcheck disable=SC2034
	case $w in ckptbench.reps=*) REPS=${w#*=} ;; esac
done
BENCH_STORE=/tmp/ckpt-images	# ckptd's image store, on tmpfs
CRIU_DIR=/tmp/criu		# CRIU's images, on tmpfs
CRIU_LOGS=/tmp/criu-logs
T=/tmp/bench-time		# ckpt_bench_util time writes here

result() { echo "# result: $1 $2 $3 $4"; }

# bench_ckptd_conf: ckptd.conf with the image store on tmpfs, no retention
# (the script deletes images between repetitions, outside the timings)
bench_ckptd_conf() {
	mkdir -p /etc/ckpt "$BENCH_STORE" "$CRIU_DIR" "$CRIU_LOGS"
	printf 'image_store = %s\n' "$BENCH_STORE" > /etc/ckpt/ckptd.conf
}

# timed VAR CMD...: run CMD, set VAR to its wall time in ms, VM_ALLOC,
# VM_FREE and VM_SHMEM to the /proc/vmstat deltas around it (pages
# allocated, freed, and the change of nr_shmem) and TOUT to its output
# (also logged as comments); returns CMD's status.
timed() {
	var=$1; shift
	TOUT=$(ckpt_bench_util time "$T" "$@" 2>&1); rc=$?
	[ -z "$TOUT" ] || printf '%s\n' "$TOUT" | sed 's/^/#   /'
	t_ms='' VM_ALLOC='' VM_FREE='' VM_SHMEM=''
	# shellcheck disable=SC2034 # t_ms is read by the eval
	[ -r "$T" ] && read -r t_ms VM_ALLOC VM_FREE VM_SHMEM < "$T"
	eval "$var=\$t_ms"
	[ $rc = 0 ] || echo "# FAILED (exit $rc): $*"
	return $rc
}

# vm_result SCENARIO TOOL: the result lines of the last timed command's
# /proc/vmstat deltas (or of a "MS PGALLOC PGFREE SHMEM" line in VM_*)
vm_result() {
	[ -n "$VM_ALLOC" ] || return 0
	result "$1" "$2" pgalloc "$VM_ALLOC"
	result "$1" "$2" pgfree "$VM_FREE"
	result "$1" "$2" shmem "$VM_SHMEM"
}

# copy_result SCENARIO TOOL LINE: the result lines of ckpt_bench_util
# write/splice output "MS PGALLOC PGFREE SHMEM"
copy_result() {
	# shellcheck disable=SC2086 # four numbers
	set -- "$1" "$2" $3
	[ $# = 6 ] || { echo "# ckpt_bench_util printed no \"MS PGALLOC PGFREE SHMEM\" line for $1 $2"; return 1; }
	result "$1" "$2" total_ms "$3"
	VM_ALLOC=$4 VM_FREE=$5 VM_SHMEM=$6
	vm_result "$1" "$2"
}

# json_num JSON KEY: the number of "KEY":N in ckptctl's one-line JSON
# output (also inside a nested object), empty if absent
json_num() { printf '%s' "$1" | sed -n 's/.*"'"$2"'":\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p' | head -n 1; }

# json_str JSON KEY: the string of "KEY":"S", empty if absent
json_str() { printf '%s' "$1" | sed -n 's/.*"'"$2"'":"\([^"]*\)".*/\1/p' | head -n 1; }

# stage_results SCENARIO: the per-stage fields of a ckptctl checkpoint or
# freeze --json reply in TOUT (those it has: older ckptds report none),
# as result lines of tool ckpt: reply_frozen_ms (ckptd's own count of the
# frozen window), precopy_pages, final_pages, <stage>_ms for every stage
# of "stages", and dirty_tracking (a word, not a number)
stage_results() {
	for k in frozen_ms precopy_pages final_pages; do
		v=$(json_num "$TOUT" $k)
		[ -z "$v" ] || case $k in
			frozen_ms) result "$1" ckpt reply_frozen_ms "$v" ;;
			*) result "$1" ckpt "$k" "$v" ;;
		esac
	done
	stg=$(printf '%s' "$TOUT" | sed -n 's/.*"stages":{\([^}]*\)}.*/\1/p' | head -n 1)
	for k in freeze_ms precopy_ms dump_ms capture_ms thaw_ms write_ms commit_ms; do
		v=$(json_num "$stg" $k)
		[ -z "$v" ] || result "$1" ckpt "stage_$k" "$v"
	done
	v=$(json_str "$TOUT" dirty_tracking)
	[ -z "$v" ] || result "$1" ckpt dirty_tracking "$v"
}

# wait_path PATH SECS
wait_path() {
	n=$(($2 * 50))
	while [ ! -e "$1" ] && [ $n -gt 0 ]; do usleep 20000; n=$((n - 1)); done
	[ -e "$1" ] || { echo "# no $1 after $2 s"; return 1; }
}

wl_pid() { cat "$1/ready"; }

# wl_cmd DIR COMMAND: one command to the workload in DIR (ckpt_bench_wl);
# prints its answer
wl_cmd() {
	rm -f "$1/reply"
	echo "$2" > "$1/cmd"
	kill -USR1 "$(wl_pid "$1")" || return 1
	wait_path "$1/reply" 120 || return 1
	cat "$1/reply"
}

# wl_start_ckpt JOB DIR MIB [KIB_PER_S]: the workload as a ckpt job
wl_start_ckpt() {
	rm -rf "$2"; mkdir -p "$2"
	ckptctl run --job "$1" -- ckpt_bench_wl "$2" "$3" ${4:+"$4"} >/dev/null || return 1
	wait_path "$2/ready" 300
}

# wl_start_plain DIR MIB [KIB_PER_S]: the workload in a session of its own
# (what criu dump needs), stdio on /dev/null
wl_start_plain() {
	rm -rf "$1"; mkdir -p "$1"
	(cd /tmp && setsid ckpt_bench_wl "$1" "$2" ${3:+"$3"} </dev/null >/dev/null 2>&1 &)
	wait_path "$1/ready" 300
}

# wl_stop DIR: SIGKILL the workload and wait until it is gone
wl_stop() {
	p=$(wl_pid "$1" 2>/dev/null) || return 0
	kill -KILL "$p" 2>/dev/null
	n=0
	while kill -0 "$p" 2>/dev/null && [ "$(pstate "$p")" != Z ] && [ $n -lt 500 ]; do usleep 20000; n=$((n + 1)); done
}

# gap DIR: the workload's longest stall since the last call, in ms
gap() { wl_cmd "$1" gap; }

# verify DIR: the workload checks all its pages
verify() {
	v=$(wl_cmd "$1" verify)
	echo "# verify $1: $v"
	case $v in PASS*) return 0 ;; esac
	return 1
}

# ckpt_image_dir: the "image" of ckptctl --json output in $OUT
json_image() { printf '%s' "$1" | sed -n 's/.*"image":"\([^"]*\)".*/\1/p'; }

# clean_images JOB: drop every image of JOB and every CRIU image dir
clean_images() {
	rm -rf "${BENCH_STORE:?}/$1" "${CRIU_DIR:?}"/*
}

# criu_log NAME: the end of a failed criu command's log, into the TAP log
criu_log() { tail -n 15 "$CRIU_LOGS/$1.log" 2>/dev/null | sed 's/^/#   /'; }

# scenario DESC FUNC ARGS...: run a scenario with its output in the log (the
# result lines), then one TAP line for it
scenario() {
	desc=$1; shift
	"$@"
	tap_result $? "$desc"
}
