#!/bin/sh
# ckptctl check: the table, --json, and the errors an administrator sees.
. "$(dirname "$0")/../lib/tap.sh"
KO=${CKPT_KO:-/lib/ckpt/ckpt.ko}
plan 9
[ -e /sys/module/ckpt ] || insmod "$KO"
# the next test finds ckpt.ko loaded even if this one stops while it is not
trap 'st=$?; [ -e /sys/module/ckpt ] || insmod "$KO"; exit $st' EXIT
trap 'exit 143' TERM
# as extended regular expressions: releases contain "+" (6.12.117+deb12)
ere() { printf '%s' "$1" | sed 's/[].[^$*+?(){}|\\]/\\&/g'; }
REL=$(ere "$(uname -r)")
VER=$(ere "$(cat /sys/module/ckpt/version)")

# run CMD...: sets OUT (stdout+stderr) and RC, and logs the output.
run() { OUT=$("$@" 2>&1); RC=$?; printf '%s\n' "$OUT" | sed 's/^/# /'; }
has() { printf '%s\n' "$OUT" | grep -Eq -- "$1"; }

table_names_release_and_version() {
	has "^kernel +$REL\$" && has "^ckpt\.ko +$VER \(ABI 2;"
}
table_lists_features() {
	for f in soft_dirty checkpoint_restore io_uring userfaultfd xsave; do
		has "^$f +(yes|no) " || return 1
	done
}
json_is_one_object() {
	[ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && has '^\{.*\}$'
}
json_values() {
	has '"abi_version":2,' && has "\"kernel_release\":\"$REL\"" &&
		has '"soft_dirty":(true|false)' && has "\"module_version\":\"$VER\""
}

run ckptctl check
check "table: exit 0" test "$RC" = 0
check "table: names kernel release and module version" table_names_release_and_version
check "table: lists every feature with yes/no" table_lists_features

run ckptctl check --json
check "--json: exit 0, one line, one object" json_is_one_object
check "--json: values" json_values

run su -s /bin/sh nobody -c 'ckptctl check'
check "unprivileged: exit 4 with the kernel's reason" \
	sh -c "[ $RC = 4 ] && printf '%s' \"\$1\" | grep -q CAP_CHECKPOINT_RESTORE" - "$OUT"

run ckptctl check --bogus
check "usage error: exit 2" test "$RC" = 2
run ckptctl check --help
check "--help: exit 0 and describes --json" sh -c "[ $RC = 0 ] && printf '%s' \"\$1\" | grep -q -- --json" - "$OUT"

rmmod ckpt
run ckptctl check
insmod "$KO"
check "module not loaded: exit 3, says to modprobe" \
	sh -c "[ $RC = 3 ] && printf '%s' \"\$1\" | grep -q 'modprobe ckpt'" - "$OUT"
finish
