#!/bin/sh
# ckptctl on the host, where ckpt.ko cannot be loaded: usage, help, exit
# codes and the messages that tell the administrator to load the module or
# to start ckptd.
set -u
CKPTCTL=${CKPTCTL:-$(dirname "$0")/../bin/ckptctl}
n=0 failed=0
t() {
	desc=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $desc"; else echo "not ok $n $desc"; failed=1; fi
}
echo "1..15"
out=$("$CKPTCTL" 2>&1); rc=$?
t "no command: exit 2 with usage" [ "$rc" = 2 -a -n "$(echo "$out" | grep '^Usage:')" ]
out=$("$CKPTCTL" --help); rc=$?
t "--help: exit 0, lists check" [ "$rc" = 0 -a -n "$(echo "$out" | grep '^  check ')" ]
out=$("$CKPTCTL" frobnicate 2>&1); rc=$?
t "unknown command: exit 2, names it" [ "$rc" = 2 -a -n "$(echo "$out" | grep "unknown command 'frobnicate'")" ]
out=$("$CKPTCTL" --version); rc=$?
t "--version: exit 0" [ "$rc" = 0 -a -n "$(echo "$out" | grep '^ckptctl [0-9]')" ]
out=$("$CKPTCTL" check extra 2>&1); rc=$?
t "check with a stray argument: exit 2" [ "$rc" = 2 ]
if grep -qw ckpt /proc/net/genetlink 2>/dev/null || [ -e /sys/module/ckpt ]; then
	echo "ok 6 # SKIP ckpt.ko is loaded on this host"
	echo "ok 7 # SKIP ckpt.ko is loaded on this host"
else
	out=$("$CKPTCTL" check 2>&1); rc=$?
	t "module absent: exit 3" [ "$rc" = 3 ]
	t "module absent: says to modprobe ckpt" [ -n "$(echo "$out" | grep "modprobe ckpt")" ]
fi
out=$(CKPTD_SOCKET=/nonexistent/ckptd.sock "$CKPTCTL" list 2>&1); rc=$?
t "ckptd not running: exit 3" [ "$rc" = 3 ]
t "ckptd not running: names the socket, says to start ckptd" \
	[ -n "$(echo "$out" | grep "/nonexistent/ckptd.sock.*start it with 'systemctl start ckptd'")" ]
out=$("$CKPTCTL" freeze 2>&1); rc=$?
t "freeze without --job: exit 2, says --job is required" \
	[ "$rc" = 2 -a -n "$(echo "$out" | grep -- "--job ID is required")" ]
out=$("$CKPTCTL" migrate --job 4 2>&1); rc=$?
t "migrate without --to: exit 2, says --to is required" \
	[ "$rc" = 2 -a -n "$(echo "$out" | grep -- "--to NAME are required")" ]
out=$("$CKPTCTL" migrate --job 4 --to b --max-iterations 3 2>&1); rc=$?
t "migrate --max-iterations without --live: exit 2, says why" \
	[ "$rc" = 2 -a -n "$(echo "$out" | grep -- "go with --live")" ]
out=$("$CKPTCTL" migrate --job 4 --to b --live --dirty-threshold 4Q 2>&1); rc=$?
t "migrate --dirty-threshold 4Q: exit 2, names the value" \
	[ "$rc" = 2 -a -n "$(echo "$out" | grep -- "'4Q': give a size")" ]
out=$(CKPTD_SOCKET=/nonexistent/ckptd.sock "$CKPTCTL" migrate --job 4 --to b --live 2>&1); rc=$?
t "migrate with ckptd not running: exit 3" [ "$rc" = 3 ]
helps=0
for c in run attach list status freeze thaw kill checkpoint restore migrate check image; do
	"$CKPTCTL" $c --help | grep -q '^Usage:' || helps=1
done
"$CKPTCTL" image ls --help | grep -q '^Usage:' || helps=1
t "--help works for every command" [ "$helps" = 0 ]
exit $failed
