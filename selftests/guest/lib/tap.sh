# tap.sh - TAP output for the guest's shell tests (busybox sh).
#   . tap.sh; plan 3; check "desc" cmd args...; ok_if "desc" test-expr...
#   finish   (exit status: 0 only if every test passed)
TAP_N=0
TAP_FAILED=0

plan() { echo "1..$1"; }

tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N $2"
	else
		echo "not ok $TAP_N $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# check DESC CMD...: passes when CMD exits 0; its output goes to the log.
check() {
	desc=$1; shift
	out=$("$@" 2>&1); rc=$?
	[ $rc = 0 ] || printf '# %s: exit %s\n%s\n' "$*" "$rc" "$out" | sed '2,$s/^/# /'
	tap_result $rc "$desc"
}

# diag TEXT: a comment line in the TAP stream
diag() { printf '# %s\n' "$*"; }

finish() { [ "$TAP_FAILED" = 0 ]; exit $?; }
