#!/bin/sh
# Moving a job to a peer that must refuse it, on two guests.  Alpha (node 0)
# freezes a job (ckpt_rt_prog memory: anonymous memory, heap, stack, a
# written private mapping of DIR/mapped) and runs `restore --host beta`:
#   A. beta's ckptd holds another peer key   -> refused at authentication;
#   B. alpha's ckptd corrupts a chunk in flight (test hook
#      CKPTD_TEST_CORRUPT_CHUNK)               -> beta detects it, commits
#      nothing;
#   C. beta's copy of the job's mapped file differs -> refused by the
#      restore step on beta before anything runs.
# After each, the original is still frozen on alpha; at the end it is
# thawed and checks its own memory (PASS), so nothing of it was lost.
. "$(dirname "$0")/../lib/two_host.sh"
need_hosts 2
test_setup /tmp/d51 /tmp/d53
: > "$CKPTD_LOG"
cd /tmp

# thaw_and_verify JOB DIR: the original resumes and finds its state intact
thaw_and_verify() {
	ckptctl thaw --job "$1" >/dev/null 2>&1
	kill -USR1 "$(job_pid "$1")" 2>/dev/null
	wait_file "$2/result" 60
	grep -q '^PASS' "$2/result"
}

if [ "$ME" = alpha ]; then
	plan 12
	write_peers_conf
	export CKPTD_TEST_CORRUPT_CHUNK=2
	start_ckptd_or_bail
	unset CKPTD_TEST_CORRUPT_CHUNK
	run ckptctl run --job 51 -- ckpt_rt_prog memory /tmp/d51
	wait_file /tmp/d51/ready 60
	run ckptctl freeze --job 51
	barrier_wait 7611	# A: beta listens with a wrong key
	run ckptctl restore --host beta --job 51
	check "A. wrong key on beta: restore --host fails (exit $RC)" test "$RC" != 0
	check "A. the error names the step, beta and the key" \
		sh -c "printf '%s' \"\$1\" | grep -q \"step 'connect' on beta\" && printf '%s' \"\$1\" | grep -qi 'key'" _ "$OUT"
	check "A. job 51 is still frozen on alpha" all_in_state 51 I
	barrier_signal 1 7612
	barrier_wait 7613	# B: beta has the right key now
	run ckptctl restore --host beta --job 51
	check "B. corrupted transfer: restore --host fails (exit $RC)" test "$RC" != 0
	check "B. the error names the ship step and beta" \
		sh -c "printf '%s' \"\$1\" | grep -q \"step 'ship checkpoint [0-9]*' on beta\"" _ "$OUT"
	check "B. job 51 is still frozen on alpha" all_in_state 51 I
	set -- $(images 51)
	eval "last=\${$#}"
	run ckptctl image verify "$STORE/51/$last"
	check "B. alpha's checkpoint of job 51 still verifies" test "$RC" = 0
	barrier_signal 1 7614
	barrier_wait 7615	# B checked on beta
	# C: without the hook; the restart thaws job 51, which runs on
	stop_ckptd
	start_ckptd_or_bail
	run ckptctl run --job 53 -- ckpt_rt_prog memory /tmp/d53
	wait_file /tmp/d53/ready 60
	run ckptctl freeze --job 53
	barrier_signal 1 7616
	barrier_wait 7617	# beta wrote its own /tmp/d53/mapped
	run ckptctl restore --host beta --job 53
	check "C. mapped file differs on beta: restore --host fails (exit $RC)" test "$RC" != 0
	check "C. the error names the restore step, beta and the file" \
		sh -c "printf '%s' \"\$1\" | grep -q \"step 'restore' on beta\" && printf '%s' \"\$1\" | grep -q '/tmp/d53/mapped'" _ "$OUT"
	check "C. job 53 is still frozen on alpha" all_in_state 53 I
	barrier_signal 1 7618
	check "job 51, which stayed here through A and B, verifies its memory: $(cat /tmp/d51/result 2>/dev/null)" \
		thaw_and_verify 51 /tmp/d51
	check "job 53 thawed after C verifies its memory: $(cat /tmp/d53/result 2>/dev/null)" \
		thaw_and_verify 53 /tmp/d53
else
	plan 6
	write_peers_conf not-the-key-alpha-holds-0123456789
	start_ckptd_or_bail
	barrier_signal 0 7611
	barrier_wait 7612	# A done
	check "A. beta logged the refused connection from alpha" \
		grep -q 'peer connection from .* refused' "$CKPTD_LOG"
	stop_ckptd
	write_peers_conf
	start_ckptd_or_bail
	barrier_signal 0 7613
	barrier_wait 7614	# B done
	check "B. beta detected the corrupted transfer and discarded it" \
		grep -Eq 'arrived (corrupted|damaged)' "$CKPTD_LOG"
	check "B. beta holds no checkpoint of job 51, committed or staged" \
		sh -c "[ -z \"\$(ls -A $STORE/51 2>/dev/null)\" ]"
	barrier_signal 0 7615
	barrier_wait 7616	# alpha froze job 53
	printf 'not the file alpha mapped\n' > /tmp/d53/mapped
	barrier_signal 0 7617
	barrier_wait 7618	# C done
	check "C. beta logged the refused restore naming the file" \
		grep -q 'restore of job 53.*/tmp/d53/mapped' "$CKPTD_LOG"
	run ckptctl list --json
	check "C. beta does not list job 53" sh -c "! printf '%s' \"\$1\" | grep -q '\"job\":53'" _ "$OUT"
	check "C. no process of job 53 runs on beta" sh -c "! pgrep -f 'ckpt_rt_prog memory /tmp/d53'"
fi
[ "$TAP_FAILED" = 0 ] || sed 's/^/# ckptd: /' "$CKPTD_LOG"
finish
