# ckptd.sh - helpers of the daemon suite (busybox sh), after tap.sh.
KO=${CKPT_KO:-/lib/ckpt/ckpt.ko}
STATE=/var/lib/ckpt
STORE=$STATE/images
CKPTD_LOG=/tmp/ckptd.log

load_module() { [ -e /sys/module/ckpt ] || insmod "$KO"; }

# start_ckptd [ARGS...]: ckptd in the foreground, logging to $CKPTD_LOG;
# returns once its socket answers (or ckptd exited).
start_ckptd() {
	ckptd --foreground "$@" >>"$CKPTD_LOG" 2>&1 &
	CKPTD_PID=$!
	while ! ckptctl list >/dev/null 2>&1; do
		kill -0 "$CKPTD_PID" 2>/dev/null ||
			{ tail -5 "$CKPTD_LOG" | sed 's/^/# ckptd exited: /'; return 1; }
		usleep 20000
	done
}

stop_ckptd() {
	kill -TERM "$CKPTD_PID" 2>/dev/null
	wait "$CKPTD_PID"
}

# run CMD...: sets OUT (stdout+stderr) and RC, and logs the output.
run() { OUT=$("$@" 2>&1); RC=$?; printf '%s\n' "$OUT" | sed 's/^/# /'; }
has() { printf '%s\n' "$OUT" | grep -Eq -- "$1"; }

# members JOB: the member pids of a job, space-separated
members() {
	ckptctl status --job "$1" --json | sed -n 's/.*"members":\[\([0-9,]*\)\].*/\1/p' | tr , ' '
}

# job_pid JOB: the anchor (root) pid of a job, from ckptctl status
job_pid() { ckptctl status --job "$1" --json 2>/dev/null | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }

# state PID: the state letter of a process
pstate() { sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null; }

# pids_in_state LETTERS PID...: every pid is in one of LETTERS
pids_in_state() {
	letters=$1; shift
	[ $# -gt 0 ] || return 1
	for p in "$@"; do
		case "$letters" in *"$(pstate "$p")"*) ;; *) echo "pid $p state $(pstate "$p")"; return 1;; esac
	done
}
# all_in_state JOB LETTERS: every member of JOB is in one of LETTERS
all_in_state() { pids_in_state "$2" $(members "$1"); }
# not_parked JOB: no member of JOB is parked by a freeze
not_parked() {
	for p in $(members "$1"); do [ "$(pstate "$p")" != I ] || return 1; done
}

# wait_for CMD...: until CMD succeeds (the test's own time limit bounds it)
wait_for() { while ! "$@" >/dev/null 2>&1; do usleep 20000; done; }

# images JOB: the committed seqs of a job, space-separated
images() {
	ckptctl image ls --store "$STORE" --json "$1" |
		grep -o '"seq":[0-9]*' | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//'
}

# start_ckptd_or_bail [ARGS...]: start_ckptd, or ckptd's log and "Bail out!"
start_ckptd_or_bail() {
	start_ckptd "$@" && return 0
	sed 's/^/# ckptd: /' "$CKPTD_LOG"
	echo "Bail out! ckptd did not start on ${ME:-$(hostname)}"
	exit 1
}

# --- cleanup on exit ----------------------------------------------------
# Whatever way the test ends (its own exit, a failure, the guest's
# watchdog's SIGTERM), the EXIT trap kills the processes of every job the
# running ckptd lists (SIGKILL to its members on this host only: a cluster
# job's other hosts are left alone), stops ckptd, kills the processes
# given to cleanup_pids, and unmounts and removes the paths given to
# cleanup_paths.
CLEANUP_PIDS=
CLEANUP_PATHS=
cleanup_pids() { CLEANUP_PIDS="$CLEANUP_PIDS $*"; }
cleanup_paths() { CLEANUP_PATHS="$CLEANUP_PATHS $*"; }

ckptd_cleanup() {
	st=$?
	trap - EXIT
	if [ -n "${CKPTD_PID:-}" ] && kill -0 "$CKPTD_PID" 2>/dev/null; then
		for j in $(ckptctl list --json 2>/dev/null | grep -o '"job":[0-9]*' | cut -d: -f2); do
			pids=$(members "$j")
			[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		done
		stop_ckptd
	fi
	[ -z "$CLEANUP_PIDS" ] || kill -KILL $CLEANUP_PIDS 2>/dev/null
	for p in $CLEANUP_PATHS; do
		grep -q " $p " /proc/mounts && umount "$p"
		rm -rf "$p"
	done
	exit $st
}
trap ckptd_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# test_setup PATH...: ckpt.ko loaded; the daemon's state, /etc/ckpt and
# PATHs emptied (directories made again) and removed when the test ends
test_setup() {
	load_module
	rm -rf "$STATE" /etc/ckpt "$@"
	mkdir -p /etc/ckpt "$@"
	cleanup_paths "$STATE" /etc/ckpt "$@"
}

# add_test_users: users u1000 and u1001 (uid = gid = 1000, 1001, home
# /tmp) exist, and / is 0755 so that they reach /bin, /tmp and the store
# (an initramfs root is 0700)
add_test_users() {
	chmod 755 /
	grep -q '^u1000:' /etc/passwd && return 0
	echo 'u1000:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd
	echo 'u1001:x:1001:1001::/tmp:/bin/sh' >> /etc/passwd
	echo 'u1000:x:1000:' >> /etc/group
	echo 'u1001:x:1001:' >> /etc/group
}
