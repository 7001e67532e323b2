#!/bin/sh
# 10-net-xfer.sh - the guests' network carries bulk data intact.
#
# The nodes form a ring: node i sends 32 MiB to node i+1 and receives 32 MiB
# from node i-1 (mod N), all at once, with net_xfer (from PATH, the
# initramfs puts it in /usr/bin; else bin/net_xfer beside this script).
# Works for any N; a single guest sends to itself over lo.
# Uses CKPT_NODE, CKPT_NODES, CKPT_PEERS from the guest's /init.
set -u

BYTES=$((32 * 1024 * 1024))
PORT=7700
XFER=$(command -v net_xfer) || XFER=$(cd "$(dirname "$0")" && pwd)/bin/net_xfer
LOG=${TMPDIR:-/tmp}/net-xfer.$$
node=${CKPT_NODE:?not run by the ckpt guest /init} nodes=${CKPT_NODES:?}
next=$(((node + 1) % nodes))
prev=$(((node + nodes - 1) % nodes))

# addr K: the K-th word of CKPT_PEERS
addr() {
	k=$1
	set -- $CKPT_PEERS
	[ "$k" -lt $# ] || return 0
	shift "$k"
	echo "$1"
}
to=$(addr "$next") from=$(addr "$prev")

echo "1..2"
if [ ! -x "$XFER" ] || [ -z "$to" ] || [ -z "$from" ]; then
	echo "# missing $XFER, or no address for node $next/$prev in CKPT_PEERS='$CKPT_PEERS'"
	echo "not ok 1 node$node sent 32 MiB to node$next"
	echo "not ok 2 node$node received 32 MiB from node$prev"
	exit 1
fi

# Seeds differ per sender, so data from the wrong peer cannot pass.
"$XFER" recv $PORT $BYTES $((1000 + prev)) > "$LOG.recv" 2>&1 &
rpid=$!
trap 'st=$?; kill $rpid 2>/dev/null; rm -f "$LOG.send" "$LOG.recv"; exit $st' EXIT
trap 'exit 143' TERM
"$XFER" send "$to" $PORT $BYTES $((1000 + node)) > "$LOG.send" 2>&1
sst=$?
wait $rpid
rst=$?

sed 's/^/# /' "$LOG.send"
if [ $sst -eq 0 ]; then
	echo "ok 1 node$node sent 32 MiB to $to"
else
	echo "not ok 1 node$node sent 32 MiB to $to (net_xfer send exit status $sst)"
fi
sed 's/^/# /' "$LOG.recv"
if [ $rst -eq 0 ]; then
	echo "ok 2 node$node received 32 MiB from $from, checksum matches"
else
	echo "not ok 2 node$node received 32 MiB from $from (net_xfer recv exit status $rst)"
fi
[ $sst -eq 0 ] && [ $rst -eq 0 ]
