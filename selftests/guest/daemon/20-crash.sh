#!/bin/sh
# Crash safety: kill -9 of ckptd while it writes a checkpoint, and a full
# image store during a checkpoint and a freeze.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 14
test_setup
cleanup_paths /tmp/freeze7.out /tmp/small /tmp/state2
start_ckptd
cd /tmp

# --- kill -9 during a freeze's image write (256 MiB to write)
ckptctl run --job 7 -- ckpt_memhog 256 >/dev/null
wait_for grep -q ready "$STATE/job-7.log"
M7=$(members 7)
ckptctl freeze --job 7 >/tmp/freeze7.out 2>&1 &
FREEZER=$!
# the writer's temporary directory exists: ckptd is writing (or the freeze
# failed early); the image directory appears only when it is committed
tmpdir() { ls -d "$STORE"/7/.ckpt-write-* 2>/dev/null; }
wait_for sh -c 'ls -d "$1"/7/.ckpt-write-* >/dev/null 2>&1 || ! kill -0 "$2"' - "$STORE" "$FREEZER"
kill -9 "$CKPTD_PID"
wait "$CKPTD_PID" 2>/dev/null
check "killed while the image was not yet committed" sh -c '[ ! -e "$1/7/1" ] && [ -n "$2" ]' - "$STORE" "$(tmpdir)"
wait "$FREEZER"
check "ckptctl freeze says ckptd went away" grep -q "closed the connection" /tmp/freeze7.out
no_member_parked() { for p in $M7; do [ "$(pstate "$p")" != I ] || return 1; done; }
check "ckpt.ko thawed the job when ckptd's sockets closed" no_member_parked
check "the partial checkpoint is not listed" test -z "$(images 7)"
check "the partial checkpoint does not verify" sh -c '! ckptctl image verify "$1"' - "$(tmpdir)"
start_ckptd
check "the next start removes it and says so" \
	sh -c '[ -z "$1" ] && grep -q "removed 1 uncommitted" "$2"' - "$(tmpdir)" "$CKPTD_LOG"
run ckptctl status --job 7
check "job 7 is still registered and running" sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q " running "' - "$RC" "$OUT"
ckptctl kill --job 7 >/dev/null
stop_ckptd

# --- a full image store (24 MiB tmpfs)
mkdir -p /tmp/small && mount -t tmpfs -o size=24m tmpfs /tmp/small
SMALL="--image-store /tmp/small --state-dir /tmp/state2"
start_ckptd $SMALL
ckptctl run --job 8 -- ckpt_memhog 2 >/dev/null
ckptctl run --job 9 -- ckpt_memhog 64 >/dev/null
wait_for grep -q ready /tmp/state2/job-8.log
wait_for grep -q ready /tmp/state2/job-9.log
run ckptctl checkpoint --job 8
check "a small job fits" test "$RC" = 0
run ckptctl checkpoint --job 9
check "checkpoint on a full store: clear error naming the image" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "/tmp/small/9/1.*No space left"' - "$RC" "$OUT"
check "checkpoint on a full store: the job runs" not_parked 9
run ckptctl freeze --job 9
check "freeze on a full store: fails, the job stays frozen" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "No space left"' - "$RC" "$OUT"
check "freeze on a full store: members parked" all_in_state 9 I
check "the earlier checkpoint is untouched and nothing of job 9 is left" \
	sh -c 'ckptctl image verify /tmp/small/8/1 && [ -z "$(ls /tmp/small/9 2>/dev/null)" ]'
ckptctl kill --job 8 >/dev/null; ckptctl kill --job 9 >/dev/null
stop_ckptd
check "ckptd stops cleanly" test $? = 0
umount /tmp/small
finish
