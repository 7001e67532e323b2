#!/bin/sh
# The checkpoint data path through ckptctl alone, as an administrator uses
# it (issue 13).  A writer that rewrites random pages of 64 MiB as fast as
# it can is checkpointed full and incrementally while it writes, and frozen
# and checkpointed while frozen; killed and restored from each image, it
# checks that its memory is exactly one instant (ckpt_writer: a torn page,
# a stale page or a counter from another instant fails) and writes on.
# The --json of a checkpoint names its dirty tracking ("none" full,
# "soft-dirty" incremental), its frozen time and its stages; an incremental
# after 2 % of the pages changed carries about 2 % of them.  A full image
# store: checkpoint and freeze fail naming the image and the missing space,
# the job runs on (checkpoint) or stays frozen (freeze, as ckptctl(8)
# says), the earlier checkpoint is intact and nothing partial stays after a
# restart.  ckptd killed -9 while it writes a large checkpoint: the job
# runs, nothing half-written is listed or kept, the previous image
# verifies.  Another user can neither checkpoint nor freeze the job.  A
# control proves the writer's check fails on a changed byte.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 58
test_setup /tmp/d81 /tmp/d82 /tmp/d83 /tmp/d84 /tmp/d85 /tmp/small /tmp/state83
cleanup_paths /tmp/ckpt84.out
start_ckptd_or_bail
cd /tmp
T0=$(date +%s)
# took WHAT: how long the part took, as a comment
took() { T1=$(date +%s); diag "$1 took $((T1 - T0)) s"; T0=$T1; }

# writer_check DIR PID: SIGUSR1 to the writer until it writes DIR/result
# (or is gone); RESULT is the verdict, COUNT the iteration it checked
writer_check() {
	rm -f "$1/result"
	wait_for sh -c 'test -e "$1/result" && exit 0; kill -0 "$2" || exit 0
		kill -USR1 "$2"; sleep 1; exit 1' - "$1" "$2"
	RESULT=$(cat "$1/result" 2>/dev/null || echo "no verdict: pid $2 is gone")
	COUNT=$(printf '%s' "$RESULT" | sed -n 's/^PASS count \([0-9]*\) .*/\1/p')
	diag "writer $2: $RESULT"
}
passed() { case $RESULT in PASS*) return 0 ;; esac; return 1; }
# start_writer JOB DIR ARGS...: ckptctl run --job JOB -- ckpt_writer ARGS;
# PID is its pid once it wrote DIR/ready
start_writer() {
	j=$1 d=$2; shift 2
	run ckptctl run --job "$j" -- ckpt_writer "$@"
	wait_for test -e "$d/ready"
	PID=$(members "$j")
}
# gone PID: the process no longer runs (or is a zombie)
gone() { [ ! -e "/proc/$1" ] || [ "$(pstate "$1")" = Z ]; }
kill_job() { ckptctl kill --job "$1" >/dev/null; wait_for gone "$2"; }
# frozen JOB: every member is parked and ckptd says "frozen"
frozen() {
	all_in_state "$1" I &&
		ckptctl status --job "$1" --json | grep -q '"state":"frozen"'
}
# leftovers DIR: what DIR (a job's store directory) holds besides the
# store's .owner and checkpoint 1, on one line
leftovers() { ls -A "$1" | grep -vx -e .owner -e 1 | tr '\n' ' '; }
running() {
	not_parked "$1" &&
		ckptctl status --job "$1" --json | grep -q '"state":"running"'
}
# json_num KEY / json_str KEY: a value from the JSON in $OUT
json_num() { printf '%s' "$OUT" | sed -n "s/.*\"$1\": *\(-\{0,1\}[0-9][0-9.]*\).*/\1/p"; }
json_str() { printf '%s' "$OUT" | sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }
# json_is KEY VALUE: the string KEY of the JSON in $OUT is VALUE; else
# says what the reply holds
json_is() {
	[ "$(json_str "$1")" = "$2" ] && return 0
	echo "expected \"$1\":\"$2\" in: $OUT"
	return 1
}
# has_stages: $OUT has frozen_ms and stages {freeze_ms ... commit_ms},
# every one a number; says which is missing
has_stages() {
	[ -n "$(json_num frozen_ms)" ] || { echo "no number frozen_ms in: $OUT"; return 1; }
	st=$(printf '%s' "$OUT" | grep -o '"stages": *{[^}]*}')
	[ -n "$st" ] || { echo "no object stages in: $OUT"; return 1; }
	for k in mark_ms freeze_ms precopy_ms dump_ms capture_ms thaw_ms write_ms commit_ms; do
		printf '%s' "$st" | grep -Eq "\"$k\": *[0-9]+(\.[0-9]+)?[,}]" ||
			{ echo "stages has no number $k: $st"; return 1; }
	done
}

# --- 1. a writer that never stops, checkpointed while it writes
start_writer 81 /tmp/d81 run 64 /tmp/d81
sleep 2
run ckptctl checkpoint --job 81
check "writer: full checkpoint while it writes: exit 0, checkpoint 1, job running" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 1 in .*; job running"' - "$RC" "$OUT"
check "writer: no member parked after the checkpoint" not_parked 81
sleep 1
run ckptctl checkpoint --job 81 --incremental
check "writer: incremental checkpoint 2 while it writes: exit 0, job running" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 2 in .*; job running"' - "$RC" "$OUT"
kill_job 81 "$PID"
run ckptctl restore --job 81 --seq 1
check "writer: restore --seq 1 (the full checkpoint) after kill: exit 0, pid $PID" \
	sh -c '[ "$1" = 0 ] && kill -0 "$2"' - "$RC" "$PID"
writer_check /tmp/d81 "$PID"
check "writer from the full checkpoint: every page is of one instant: $RESULT" passed
C1=$COUNT
writer_check /tmp/d81 "$PID"
went_on() { passed && [ "${COUNT:-0}" -gt "${C1:-0}" ]; }
check "writer from the full checkpoint writes on: count $C1 then ${COUNT:-none} (expected larger)" went_on
kill_job 81 "$PID"
run ckptctl restore --job 81
check "writer: restore of the newest (incremental 2 over full 1): exit 0" \
	sh -c '[ "$1" = 0 ] && kill -0 "$2"' - "$RC" "$PID"
writer_check /tmp/d81 "$PID"
check "writer from the incremental checkpoint: every page is of one instant: $RESULT" passed

run ckptctl freeze --job 81
check "writer: freeze: exit 0, checkpoint 3, job frozen" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 3 in .*; job frozen"' - "$RC" "$OUT"
check "writer: freeze leaves it frozen (parked, status frozen)" frozen 81
run ckptctl checkpoint --job 81
check "writer: checkpoint while frozen: exit 0, checkpoint 4, job frozen" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 4 in .*; job frozen"' - "$RC" "$OUT"
check "writer: still frozen after that checkpoint (parked, status frozen)" frozen 81
kill_job 81 "$PID"
run ckptctl restore --job 81 --seq 4
check "writer: restore --seq 4 (taken while frozen): exit 0" \
	sh -c '[ "$1" = 0 ] && kill -0 "$2"' - "$RC" "$PID"
writer_check /tmp/d81 "$PID"
check "writer from the checkpoint taken while frozen: every page is of one instant: $RESULT" passed
kill_job 81 "$PID"
rm -rf "$STORE/81"
took "part 1 (writer: full, incremental, freeze, 3 restores)"

# --- 2. what the replies say, and what an incremental carries
start_writer 82 /tmp/d82 spread 64 /tmp/d82 2
run ckptctl checkpoint --job 82 --incremental
check "incremental before any full checkpoint: refused, says to take a full one, no image" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "take a full checkpoint first" && [ -z "$3" ]' \
	- "$RC" "$OUT" "$(images 82)"
run ckptctl checkpoint --job 82 --json
check "full checkpoint --json: exit 0" test "$RC" = 0
check "full checkpoint --json: dirty_tracking is \"none\" (got \"$(json_str dirty_tracking)\")" \
	json_is dirty_tracking none
check "full checkpoint --json: frozen_ms and stages mark_ms freeze_ms precopy_ms dump_ms capture_ms thaw_ms write_ms commit_ms, numbers" \
	has_stages
check "full checkpoint --json: the frozen dump found the pre-copy's changes by soft-dirty (got \"$(json_str precopy_tracking)\")" \
	json_is precopy_tracking soft-dirty
check "full checkpoint --json: the pre-copy wrote all 16384 pages while the job ran (precopy_pages $(json_num precopy_pages))" \
	test "$(json_num precopy_pages)" -ge 16384
check "full checkpoint: the first checkpoint is image 1, one number for pre-copy and frozen dump (got $(json_num seq))" \
	test "$(json_num seq)" = 1
FULL=$(json_num seq)
run ckptctl image show --json "$STORE/82/$FULL"
check "the full image carries all 16384 pages of the 64 MiB (nr_pages $(json_num nr_pages))" \
	test "$(json_num nr_pages)" -ge 16384
kill -USR2 "$PID"
wait_for test -e /tmp/d82/step-1
run ckptctl checkpoint --job 82 --incremental --json
check "incremental checkpoint --json: exit 0" test "$RC" = 0
check "incremental --json: dirty_tracking is \"soft-dirty\" (got \"$(json_str dirty_tracking)\")" \
	json_is dirty_tracking soft-dirty
check "incremental --json: frozen_ms and the eight stages, numbers" has_stages
check "incremental --json: the frozen dump against the pre-copy used soft-dirty (got \"$(json_str precopy_tracking)\")" \
	json_is precopy_tracking soft-dirty
check "incremental: image 2 follows image 1 (got $(json_num seq))" test "$(json_num seq)" = 2
INC=$(json_num seq)
run ckptctl image show --json "$STORE/82/$INC"
N=$(json_num nr_pages)
check "the incremental after 328 of 16384 pages (2 %) were rewritten carries $N pages (expected 328 to 982, < 6 %)" \
	sh -c '[ "${1:-0}" -ge 328 ] && [ "$1" -lt 983 ]' - "$N"
run ckptctl checkpoint --job 86
check "checkpoint of a job that does not exist: exit 5, names job 86" \
	sh -c '[ "$1" = 5 ] && printf "%s" "$2" | grep -q "job 86"' - "$RC" "$OUT"
run ckptctl checkpoint --job 82x
check "checkpoint --job 82x: usage error (exit 2) naming the value" \
	sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "82x"' - "$RC" "$OUT"
kill_job 82 "$PID"
rm -rf "$STORE/82"
stop_ckptd
took "part 2 (replies, 2 % incremental)"

# --- 3. a full image store (tmpfs): an earlier checkpoint fits, then a filler
# leaves 8 MiB for the next checkpoint of the 32 MiB job.  192 MiB: a
# pre-copied image of a job that rewrites every page while it is written
# may hold each page twice, and the last checkpoint needs room for that
mount -t tmpfs -o size=192m tmpfs /tmp/small
mkdir /tmp/small/store
SMALL="--image-store /tmp/small/store --state-dir /tmp/state83"
start_ckptd_or_bail $SMALL
STORE0=$STORE STORE=/tmp/small/store
start_writer 83 /tmp/d83 run 32 /tmp/d83
run ckptctl checkpoint --job 83
check "small store: checkpoint 1 of the 32 MiB writer fits" test "$RC" = 0
free_kb=$(df -k /tmp/small | awk 'NR == 2 { print $4 }')
dd if=/dev/zero of=/tmp/small/filler bs=1k count=$((free_kb - 8192)) 2>/dev/null
run ckptctl checkpoint --job 83
check "full store: checkpoint fails (exit 1) naming the image in /tmp/small/store/83, \"No space left\" and to free space" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "/tmp/small/store/83" &&
		printf "%s" "$2" | grep -q "No space left" && printf "%s" "$2" | grep -q "free space"' - "$RC" "$OUT"
check "full store: after the failed checkpoint the job runs (not parked, status running)" running 83
writer_check /tmp/d83 "$PID"
check "full store: the writer's memory is intact: $RESULT" passed
check "full store: image ls lists checkpoint 1 only (got \"$(images 83)\")" test "$(images 83)" = 1
check "full store: checkpoint 1 verifies" ckptctl image verify /tmp/small/store/83/1
run ckptctl freeze --job 83
check "full store: freeze fails (exit 1) saying \"No space left\"" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "No space left"' - "$RC" "$OUT"
check "full store: freeze leaves the job frozen, as ckptctl(8) says" frozen 83
check "full store: still only checkpoint 1 listed (got \"$(images 83)\")" test "$(images 83)" = 1
run ckptctl thaw --job 83
thawed() { [ "$RC" = 0 ] && running 83; }
check "full store: thaw after the failed freeze: exit 0, the job runs" thawed
stop_ckptd
start_ckptd_or_bail $SMALL
check "full store: after a restart /tmp/small/store/83 holds nothing but checkpoint 1 (and .owner); left: \"$(leftovers /tmp/small/store/83)\"" \
	test -z "$(leftovers /tmp/small/store/83)"
check "full store: checkpoint 1 still verifies after the restart" ckptctl image verify /tmp/small/store/83/1
rm -f /tmp/small/filler
run ckptctl checkpoint --job 83
check "full store: with the space freed a checkpoint succeeds and verifies" \
	sh -c '[ "$1" = 0 ] && ckptctl image verify "$2"' - "$RC" "$(printf '%s' "$OUT" | sed -n 's/.* in \([^ ;]*\).*/\1/p')"
kill_job 83 "$PID"
stop_ckptd
umount /tmp/small
STORE=$STORE0
took "part 3 (full store)"

# --- 4. ckptd killed -9 while it writes a large checkpoint
start_ckptd_or_bail
start_writer 84 /tmp/d84 run 192 /tmp/d84
run ckptctl checkpoint --job 84
check "192 MiB writer: checkpoint 1: exit 0" test "$RC" = 0
# writing_dir JOB: an entry of the job's store directory other than 1
# that holds 4 MiB or more (the next checkpoint being written)
writing_dir() {
	for d in $(ls -A "$STORE/$1"); do
		case $d in 1|.owner) continue ;; esac
		[ "$(du -sk "$STORE/$1/$d" | cut -f1)" -ge 4096 ] && return 0
	done
	return 1
}
ckptctl checkpoint --job 84 >/tmp/ckpt84.out 2>&1 &
CLIENT=$!
while ! writing_dir 84 && kill -0 "$CLIENT" 2>/dev/null; do usleep 20000; done
PARTIAL=$(leftovers "$STORE/84")
kill -9 "$CKPTD_PID"
wait "$CKPTD_PID" 2>/dev/null
wait "$CLIENT"
check "ckptd killed -9 while writing checkpoint 2 (being written in $STORE/84: ${PARTIAL:-nothing found before it ended})" \
	sh -c '[ -n "$1" ] && grep -q "closed the connection" /tmp/ckpt84.out' - "$PARTIAL"
check "killed ckptd: the job runs (no member parked)" not_parked 84
check "killed ckptd: image ls lists checkpoint 1 only (got \"$(images 84)\")" test "$(images 84)" = 1
start_ckptd_or_bail
check "restarted ckptd: $STORE/84 holds nothing but checkpoint 1 (and .owner); left: \"$(leftovers "$STORE/84")\"" \
	test -z "$(leftovers "$STORE/84")"
check "restarted ckptd: job 84 is registered and running" running 84
check "restarted ckptd: checkpoint 1 verifies" ckptctl image verify "$STORE/84/1"
writer_check /tmp/d84 "$PID"
check "restarted ckptd: the writer's memory is intact: $RESULT" passed
kill_job 84 "$PID"
rm -rf "$STORE/84"
took "part 4 (ckptd killed -9 mid-checkpoint)"

# --- 5. another user's job
add_test_users
mkdir -p /tmp/d85 && chown 1000:1000 /tmp/d85
as() { u=$1; shift; su -s /bin/sh "$u" -c "cd /tmp && $*"; }
run as u1000 "ckptctl run --job 85 -- ckpt_writer run 8 /tmp/d85"
check "u1000 runs the writer as job 85" test "$RC" = 0
wait_for test -e /tmp/d85/ready
PID=$(members 85)
run as u1001 "ckptctl checkpoint --job 85"
check "u1001: checkpoint of u1000's job 85: refused (exit 4), names the job and its owner" \
	sh -c '[ "$1" = 4 ] && printf "%s" "$2" | grep -q "job 85 belongs to uid 1000"' - "$RC" "$OUT"
run as u1001 "ckptctl freeze --job 85"
check "u1001: freeze of u1000's job 85: refused (exit 4), names the job and its owner" \
	sh -c '[ "$1" = 4 ] && printf "%s" "$2" | grep -q "job 85 belongs to uid 1000"' - "$RC" "$OUT"
check "job 85 untouched: running, no member parked" running 85
check "job 85 untouched: no image (got \"$(images 85)\")" test -z "$(images 85)"
writer_check /tmp/d85 "$PID"
check "job 85 untouched: the writer's memory is intact: $RESULT" passed

# control: the check can fail.  One byte changed in pages 5 and 6 of the
# stopped writer; the check runs before the writer touches more than the
# one page its current iteration writes
BASE=$(sed -n 's/.* at \(0x[0-9a-f]*\)$/\1/p' /tmp/d85/ready)
kill -STOP "$PID"
for pg in 5 6; do
	printf '\377' | dd of="/proc/$PID/mem" bs=1 seek=$((BASE + pg * 4096 + 800)) conv=notrunc 2>/dev/null ||
		diag "cannot change byte 800 of page $pg at $BASE in pid $PID"
done
rm -f /tmp/d85/result
kill -USR1 "$PID"
kill -CONT "$PID"
wait_for test -e /tmp/d85/result
RESULT=$(cat /tmp/d85/result)
check "control: a byte changed in pages 5 and 6 of the live writer: its check fails naming one: $RESULT" \
	sh -c 'printf "%s" "$1" | grep -Eq "^FAIL: page [56] "' - "$RESULT"
kill_job 85 "$PID"
stop_ckptd
took "part 5 (another user)"
finish
