# peers.sh - multi-guest helpers (busybox sh), after tap.sh and ckptd.sh.
# Node i is called node_name i ("alpha", "beta", "gamma"), at the i-th
# address of CKPT_PEERS; every node's ckptd knows every other as a peer.
NODE=${CKPT_NODE:?not run by the ckpt guest /init}
PEER_KEY=/etc/ckpt/peer.key

node_name() { i=$1; set -- alpha beta gamma delta; shift "$i"; echo "$1"; }
node_addr() { k=$1; set -- $CKPT_PEERS; shift "$k"; echo "$1"; }
ME=$(node_name "$NODE")

# write_peers_conf [KEY]: ckptd.conf with [peers] and the shared key
# (KEY: the key's text; the same on every node unless a test says not)
write_peers_conf() {
	mkdir -p /etc/ckpt
	printf '%s\n' "${1:-ckpt-test-shared-key-0123456789abcdef}" > "$PEER_KEY"
	chmod 600 "$PEER_KEY"
	{
		echo "[peers]"
		echo "name = $ME"
		echo "key_file = $PEER_KEY"
		echo "timeout_ms = 20000"
		i=0
		for a in $CKPT_PEERS; do
			echo "peer $(node_name $i) = $a"
			i=$((i + 1))
		done
	} > /etc/ckpt/ckptd.conf
}

# barrier_signal NODE PORT / barrier_wait PORT: one node tells another it
# reached a point (net_xfer retries connecting for 60 s, waits as long).
XFER=$(command -v net_xfer) || XFER=$(cd "$(dirname "$0")" && pwd)/bin/net_xfer
barrier_signal() { "$XFER" send "$(node_addr "$1")" "$2" 16 "$2" >/dev/null 2>&1; }
barrier_wait() { "$XFER" recv "$1" 16 "$1" >/dev/null 2>&1; }


# wait_file PATH SECS: until PATH exists, at most SECS seconds
wait_file() {
	n=$(($2 * 50))
	while [ ! -e "$1" ] && [ $n -gt 0 ]; do usleep 20000; n=$((n - 1)); done
	[ -e "$1" ]
}

# barrier_signal_long NODE PORT SECS / barrier_wait_long PORT SECS: the
# same, retried for up to SECS seconds (the other node may be busy longer
# than one attempt waits, e.g. with a migration under TCG)
barrier_signal_long() {
	end=$(($(date +%s) + $3))
	until barrier_signal "$1" "$2"; do [ "$(date +%s)" -lt $end ] || return 1; done
}
barrier_wait_long() {
	end=$(($(date +%s) + $2))
	until barrier_wait "$1"; do [ "$(date +%s)" -lt $end ] || return 1; done
}
