#!/bin/sh
# Passes, with one skipped result; also checks the runner's contract.
echo "TAP version 13"
echo "1..4"
echo "ok 1 plain pass"
echo "ok 2 - dash-style description"
echo "ok 3 skipped one # SKIP not supported here"
sid=$(ps -o pid,sid | awk -v p=$$ '$1 == p { print $2 }')
if [ "$sid" = "$$" ] && [ -n "$CKPT_KVER" ] && [ "$CKPT_KO" = /lib/ckpt/ckpt.ko ]; then
	echo "ok 4 own session, CKPT_* environment set"
else
	echo "not ok 4 session $sid (pid $$), CKPT_KVER=$CKPT_KVER CKPT_KO=$CKPT_KO"
fi
