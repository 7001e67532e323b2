# two_host.sh - the opening of the multi-guest tests (busybox sh): tap.sh,
# ckptd.sh and peers.sh, then
#   need_hosts N [WHAT]  the test skips unless the run has N guests or more;
#                        nodes N and beyond have no part in WHAT and skip
#   hosts_start DIR...   test_setup DIR... (ckptd.sh; all removed on exit),
#                        ckptd.conf with [peers], ckptd started (or
#                        "Bail out!"), and the working directory /tmp
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LIB/tap.sh"
. "$LIB/ckptd.sh"
. "$LIB/peers.sh"

need_hosts() {
	[ "$CKPT_NODES" -ge "$1" ] || { echo "1..0 # SKIP needs $1 guests"; exit 0; }
	[ "$NODE" -lt "$1" ] ||
		{ echo "1..0 # SKIP $ME has no part in ${2:-this $1-host test}"; exit 0; }
}

hosts_start() {
	test_setup "$@"
	write_peers_conf
	start_ckptd_or_bail
	cd /tmp
}
