#!/bin/sh
# Compressed images end to end.  With compression = zstd in ckptd.conf a
# job started with ckptctl run is checkpointed (full); after a reload to
# compression = none it is checkpointed incrementally, and after one back
# to zstd once more: a chain mixing both.  Killed and brought back with
# `ckptctl restore`, the workload checks every block of its memory and
# says PASS.  Then a flipped byte in a compressed chunk: `ckptctl image
# verify` names the file and chunk, `ckptctl restore` and ckpt-restore
# refuse the image and nothing runs.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 20
test_setup /tmp/d46

# reload_conf TEXT: new ckptd.conf, SIGHUP, wait until ckptd took it
reload_conf() {
	n=$(grep -c "configuration reloaded" "$CKPTD_LOG")
	printf '%b' "$1" > /etc/ckpt/ckptd.conf
	kill -HUP "$CKPTD_PID"
	wait_for sh -c "[ \$(grep -c 'configuration reloaded' $CKPTD_LOG) -gt $n ]"
}
last_image() { set -- $(images 46); eval echo "\${$#}"; }
# json_num KEY: a number from the JSON in $OUT
json_num() { printf '%s' "$OUT" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# flip FILE OFFSET: invert one bit of one byte in place
flip() {
	b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %o $((b ^ 64)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

printf 'compression = zstd\ncompression_level = 3\n' > /etc/ckpt/ckptd.conf
start_ckptd
cd /tmp
run ckptctl run --job 46 -- ckpt_rt_prog chain /tmp/d46
wait_for test -e /tmp/d46/ready
PID=$(members 46)

run ckptctl checkpoint --job 46
check "checkpoint with compression = zstd: exit 0" test "$RC" = 0
S1=$(last_image)
run ckptctl image show "$STORE/46/$S1"
check "image show names zstd level 3 with stored and raw sizes" has "^compression +zstd \(level 3\): .* stored, .* raw"
run ckptctl image show --json "$STORE/46/$S1"
check "the full image is stored smaller than its contents ($(json_num bytes) < $(json_num raw_bytes))" \
	test "$(json_num bytes)" -lt "$(json_num raw_bytes)"

kill -USR2 "$PID"
wait_for test -e /tmp/d46/step-1
reload_conf 'compression = none\n'
run ckptctl checkpoint --job 46 --incremental
check "incremental checkpoint with compression = none: exit 0" test "$RC" = 0
S2=$(last_image)
run ckptctl image show "$STORE/46/$S2"
check "image show: image $S2 is uncompressed, parent $S1" sh -c \
	'printf "%s" "$1" | grep -q "^compression *none" && printf "%s" "$1" | grep -Eq "^parent +$2 "' - "$OUT" "$S1"

kill -USR2 "$PID"
wait_for test -e /tmp/d46/step-2
reload_conf 'compression = zstd\ncompression_level = 9\n'
run ckptctl checkpoint --job 46 --incremental
check "incremental checkpoint with zstd level 9: exit 0" test "$RC" = 0
S3=$(last_image)
run ckptctl image show "$STORE/46/$S3"
check "image show: image $S3 is zstd level 9, parent $S2" sh -c \
	'printf "%s" "$1" | grep -q "^compression *zstd (level 9)" && printf "%s" "$1" | grep -Eq "^parent +$2 "' - "$OUT" "$S2"
run ckptctl image ls --store "$STORE" --json 46
check "image ls --json names each image's compression" has '"compression":"zstd".*"compression":"none".*"compression":"zstd"'
run ckptctl image verify "$STORE/46/$S3"
check "image verify: the mixed chain is valid" has "parent chain valid"

run ckptctl kill --job 46
wait_for sh -c "! kill -0 $PID"
check "kill --job 46: the workload is gone" sh -c "! kill -0 $PID"
run ckptctl restore --job 46
check "restore --job 46 from the mixed chain: exit 0" test "$RC" = 0
check "the restored workload runs as pid $PID" kill -0 "$PID"
# SIGUSR1 until it answers: one that lands before the restored thread is
# back in its wait is taken by the handler and the restarted wait misses it
wait_for sh -c "test -e /tmp/d46/result || { kill -USR1 $PID; sleep 1; false; }"
check "the restored workload finds every block intact: $(cat /tmp/d46/result)" \
	grep -q '^PASS 64 blocks after 2 steps' /tmp/d46/result
wait_for sh -c "! kill -0 $PID"

# a flipped byte inside the compressed data of chunk 0 of the full image
# (the 32-byte chunk header comes first)
flip "$STORE/46/$S1/pages.img" 200
run ckptctl image verify "$STORE/46/$S1"
check "image verify of the flipped byte: exit 1" test "$RC" = 1
check "it names pages.img and compressed chunk 0" \
	has "$STORE/46/$S1/pages.img: compressed chunk 0 \(offset 0\): checksum mismatch"
run ckptctl image verify "$STORE/46/$S3"
check "image verify of the newest image finds it through the chain" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "46/$3/pages.img: compressed chunk 0"' - "$RC" "$OUT" "$S1"
rm -f /tmp/d46/result
run ckptctl restore --job 46
check "restore of the corrupt chain: refused (exit 1) naming the chunk" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "fails verification.*pages.img: compressed chunk 0"' - "$RC" "$OUT"
check "nothing was restored: no pid $PID" sh -c "! kill -0 $PID"
run ckpt-restore "$STORE/46/$S3"
check "ckpt-restore refuses it with exit 2 (image corrupt), naming the chunk" \
	sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "pages.img: compressed chunk 0"' - "$RC" "$OUT"
check "still nothing runs as pid $PID" sh -c "! kill -0 $PID"
finish
