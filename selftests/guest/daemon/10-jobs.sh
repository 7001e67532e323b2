#!/bin/sh
# ckptd and ckptctl on one host: run, attach, list, status, freeze, thaw,
# checkpoint (full, incremental), a daemon restart, retention, restore's
# checks, another user's job, and kill.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 30
test_setup
cleanup_paths /tmp/fake-restore /tmp/fake-restore.args /tmp/bad.conf

run ckptctl list
check "no ckptd: exit 3, says to start ckptd" \
	sh -c '[ "$1" = 3 ] && printf "%s" "$2" | grep -q "start it with"' - "$RC" "$OUT"

start_ckptd
check "ckptd starts and answers" kill -0 "$CKPTD_PID"

cd /tmp
run ckptctl run --job 42 -- ckpt_memhog 8
check "run --job 42: exit 0, cgroup job" sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "/ckpt/job-42"' - "$RC" "$OUT"
wait_for grep -q ready "$STATE/job-42.log"
check "run: the command runs in /sys/fs/cgroup/ckpt/job-42" \
	grep -qx "$(members 42)" /sys/fs/cgroup/ckpt/job-42/cgroup.procs

run ckptctl freeze --job 42
check "freeze --job 42: exit 0, checkpoint 1, job frozen" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 1 in .*42/1.*job frozen"' - "$RC" "$OUT"
check "freeze: every member is parked (state I)" all_in_state 42 I
run ckptctl status --job 42 --json
check "status --json: frozen, last_seq 1" sh -c 'printf "%s" "$1" | grep -q "\"state\":\"frozen\".*\"last_seq\":1,"' - "$OUT"
check "image ls lists checkpoint 1" test "$(images 42)" = 1
check "image verify accepts it" ckptctl image verify "$STORE/42/1"
run ckptctl freeze --job 42
check "freeze of a frozen job: refused, says to thaw" sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "thaw --job 42"' - "$RC" "$OUT"

run ckptctl thaw --job 42
thawed() { [ "$RC" = 0 ] && not_parked 42; }
check "thaw: exit 0, members run again" thawed

run ckptctl checkpoint --job 42
check "checkpoint: image 2, the job is running" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 2 in .*; job running"' - "$RC" "$OUT"
check "checkpoint: members not parked afterwards" not_parked 42
run ckptctl checkpoint --job 42 --incremental --json
check "checkpoint --incremental: image 3" sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "\"seq\":3,"' - "$RC" "$OUT"
run ckptctl image ls --store "$STORE" --json 42
check "image 3's parent is 2, and it verifies through the chain" \
	sh -c 'printf "%s" "$1" | grep -q "\"seq\":3,\"parent_seq\":2," && ckptctl image verify $2/42/3' - "$OUT" "$STORE"

sleep 1000 &
SLEEPER=$!
cleanup_pids $SLEEPER
run ckptctl attach --job 43 --pid "$SLEEPER"
check "attach --job 43 --pid: a tree job" sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "^43 .* tree "' - "$RC" "$OUT"
run ckptctl list --json
check "list --json: one line with jobs 42 and 43" \
	sh -c '[ "$(printf "%s\n" "$1" | wc -l)" = 1 ] && printf "%s" "$1" | grep -q "{\"jobs\":\[{\"job\":42,.*{\"job\":43,"' - "$OUT"
ckptctl freeze --job 43 >/dev/null

stop_ckptd
check "SIGTERM: ckptd exits 0" test $? = 0
start_ckptd
run ckptctl list
check "restart: both jobs are back" sh -c 'printf "%s" "$1" | grep -q "^42 " && printf "%s" "$1" | grep -q "^43 "' - "$OUT"
check "restart: job 43, frozen before, is frozen again" all_in_state 43 I
run ckptctl checkpoint --job 42 --incremental
check "restart: incremental without a full checkpoint first is refused clearly" \
	sh -c '[ "$1" != 0 ] && printf "%s" "$2" | grep -q "take a full checkpoint first"' - "$RC" "$OUT"
run ckptctl checkpoint --job 42
check "restart: image numbers go on (4)" sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 4 "' - "$RC" "$OUT"

printf 'keep = 2\nrestorer = /tmp/fake-restore\n' > /etc/ckpt/ckptd.conf
kill -HUP "$CKPTD_PID"
wait_for grep -q "configuration reloaded" "$CKPTD_LOG"
ckptctl checkpoint --job 42 --incremental >/dev/null
ckptctl checkpoint --job 42 --incremental >/dev/null
check "keep 2 after SIGHUP: 5 and 6 kept, and 4 that they need" test "$(images 42)" = "4 5 6"

cat > /tmp/fake-restore <<'EOS'
#!/bin/sh
echo "$*" > /tmp/fake-restore.args
echo "cannot restore: test restorer" >&2
exit 3
EOS
chmod +x /tmp/fake-restore
run ckptctl restore --job 42
check "restore: runs the restorer on the newest image, reports its error" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "status 3: cannot restore: test restorer" && grep -qE "(^| )$3/42/6\$" /tmp/fake-restore.args' - "$RC" "$OUT" "$STORE"
rm -f /tmp/fake-restore.args
# a byte of the last page: the frozen dump's, which the image always
# covers (a page the frozen dump superseded is not part of the image)
SIZE=$(stat -c %s "$STORE/42/5/pages.img")
printf 'x' | dd of="$STORE/42/5/pages.img" bs=1 seek=$((SIZE - 4096 + 100)) conv=notrunc 2>/dev/null
run ckptctl restore --job 42 --seq 5
check "restore: a damaged image is refused before the restorer runs" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "fails verification" && [ ! -e /tmp/fake-restore.args ]' - "$RC" "$OUT"

run su -s /bin/sh nobody -c 'ckptctl freeze --job 42'
check "another user's job: exit 4, names the owner" \
	sh -c '[ "$1" = 4 ] && printf "%s" "$2" | grep -q "belongs to uid 0"' - "$RC" "$OUT"
run su -s /bin/sh nobody -c 'cd /tmp && ckptctl run --job 50 -- ckpt_memhog 1 && ckptctl freeze --job 50 && ckptctl list'
check "a user runs and freezes their own job and lists only it" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "^50 *65534 " && ! printf "%s" "$2" | grep -q "^42 "' - "$RC" "$OUT"

M=$(members 42)
run ckptctl kill --job 42
check "kill: exit 0, job gone, its processes gone" \
	sh -c '[ "$1" = 0 ] && ! ckptctl status --job 42 && for p in $2; do [ ! -e /proc/$p ] || [ "$(cut -d" " -f3 /proc/$p/stat)" = Z ] || exit 1; done' - "$RC" "$M"
check "kill: the checkpoints stay" test -n "$(images 42)"
ckptctl kill --job 43 >/dev/null; ckptctl kill --job 50 >/dev/null
stop_ckptd

printf '[ckptd]\nkeep = 1\n[peers]\nnode1 = 10.0.0.1\n' > /tmp/bad.conf
run ckptd --foreground --config /tmp/bad.conf
check "an unknown key in [peers]: refused with file:line" \
	sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "/tmp/bad.conf:4: unknown key .node1. in \[peers\]"' - "$RC" "$OUT"
finish
