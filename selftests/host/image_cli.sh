#!/bin/sh
# ckptctl image show|verify on images made by the image_mkimage helper:
# table and --json output, exit codes 0/1/2, and a corrupted image.
set -u
CKPTCTL=${CKPTCTL:-$(dirname "$0")/../bin/ckptctl}
MKIMAGE=${IMAGE_MKIMAGE:-$(dirname "$0")/../testbin/image_mkimage}
store=$(mktemp -d /tmp/ckpt-image-cli.XXXXXX)
trap 'rm -rf "$store"' EXIT
n=0 failed=0
t() {
	desc=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $desc"; else echo "not ok $n $desc"; failed=1; fi
}
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
# chk RC PATTERN...: exit code was RC and the output matches every PATTERN
chk() {
	[ "$rc" = "$1" ] || return 1
	shift
	for p in "$@"; do has "$out" "$p" || return 1; done
}
echo "1..12"
"$MKIMAGE" "$store" || { echo "Bail out! image_mkimage failed"; exit 1; }
full=$store/7/1 incr=$store/7/2

out=$("$CKPTCTL" image show "$incr" 2>&1); rc=$?
t "show: exit 0, job, seq and parent" chk 0 '^job  *7$' '^parent  *1 (incremental)'
t "show: one row per process with comm and pages" has "$out" '^ *100  *1 server  *2  *2  *150  *150$'
out=$("$CKPTCTL" image show --json "$full"); rc=$?
t "show --json: exit 0, one object" [ "$rc" = 0 -a "$(printf '%s\n' "$out" | wc -l)" = 1 ]
t "show --json: fields" chk 0 '"job":7,"seq":1,"parent_seq":0' '"pid":101,"ppid":100,"comm":"worker","threads":1,"vmas":2,"pages":150'
out=$("$CKPTCTL" image verify "$incr"); rc=$?
t "verify good incremental image: exit 0, says the format" chk 0 "valid (format 3, job 7, seq 2"
out=$("$CKPTCTL" image 2>&1); rc=$?
t "no subcommand: exit 2" [ "$rc" = 2 ]
out=$("$CKPTCTL" image verify --json "$full" 2>&1); rc=$?
t "verify --json: exit 2" [ "$rc" = 2 ]
out=$("$CKPTCTL" image --help); rc=$?
t "--help: exit 0" chk 0 '^Usage:'
out=$("$CKPTCTL" image show "$store/7" 2>&1); rc=$?
t "not an image: exit 1, says no manifest" chk 1 "no manifest"

# flip one byte in the middle of pages.img
printf 'X' | dd of="$full/pages.img" bs=1 seek=1000000 conv=notrunc 2>/dev/null
out=$("$CKPTCTL" image verify "$full" 2>&1); rc=$?
t "corrupt pages.img: exit 1, names file, page offset, pid and address" \
	chk 1 "pages.img: checksum mismatch of the page at offset 999424 (pid 100, address 0x100f4000)"
out=$("$CKPTCTL" image verify "$incr" 2>&1); rc=$?
t "child of a corrupt parent: exit 1" chk 1 "7/1/pages.img"
rm "$incr/../1/manifest"
out=$("$CKPTCTL" image verify "$incr" 2>&1); rc=$?
t "parent not committed: exit 1, names the parent" chk 1 "parent image 1 is missing"
exit $failed
