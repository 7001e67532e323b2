# bench.sh - helpers of the side-by-side benchmark (busybox sh), after
# selftests' tap.sh and ckptd.sh.  Results are "# result: SCENARIO TOOL
# METRIC VALUE" lines, one per repetition; bench/report.sh on the host
# takes their median, min and max.
# Repetitions: 3, or ckptbench.reps=N on the kernel command line (bench/run.sh
# passes BENCH_REPS there).
REPS=3
for w in $(cat /proc/cmdline); do
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

# timed VAR CMD...: run CMD, set VAR to its wall time in ms and TOUT to its
# output (also logged as comments); returns CMD's status.
timed() {
	var=$1; shift
	TOUT=$(ckpt_bench_util time "$T" "$@" 2>&1); rc=$?
	[ -z "$TOUT" ] || printf '%s\n' "$TOUT" | sed 's/^/#   /'
	eval "$var=\$(cat $T 2>/dev/null)"
	[ $rc = 0 ] || echo "# FAILED (exit $rc): $*"
	return $rc
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
	ckptctl run --job "$1" -- ckpt_bench_wl "$2" "$3" $4 >/dev/null || return 1
	wait_path "$2/ready" 300
}

# wl_start_plain DIR MIB [KIB_PER_S]: the workload in a session of its own
# (what criu dump needs), stdio on /dev/null
wl_start_plain() {
	rm -rf "$1"; mkdir -p "$1"
	(cd /tmp && setsid ckpt_bench_wl "$1" "$2" $3 </dev/null >/dev/null 2>&1 &)
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
