#!/bin/sh
# Migration downtime of a 256 MiB process that rewrites ~1 MiB/s, from
# alpha (node 0) to beta (node 1), measured on alpha from the moment the
# job is stopped until beta says it runs again:
#   ckpt stop-and-copy  `ckptctl freeze` + `ckptctl restore --host beta`
#                       (which returns once beta confirms the job runs)
#   ckpt live           `ckptctl migrate --job ID --to beta --live --json`,
#                       when this ckptctl has it (the "migrate" branch); the
#                       downtime is the one ckptctl reports (downtime_us)
#   criu page-server    `criu dump --page-server` straight into beta's
#                       `criu page-server`, the other images sent over TCP,
#                       `criu restore -d` on beta, then beta signals alpha
# beta verifies every restored workload's memory.  The workload gets a pid
# above 20000 on alpha (pid_max is 32768 here), which is free on beta:
# neither tool changes pids here.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
. "$(dirname "$0")/../lib/peers.sh"
. "$(dirname "$0")/../bench-lib/bench.sh"
[ "$CKPT_NODES" -ge 2 ] || { echo "1..0 # SKIP needs two guests"; exit 0; }
[ "$NODE" -le 1 ] || { echo "1..0 # SKIP $ME has no part in this two-host run"; exit 0; }
load_module
rm -rf "$STATE" "$BENCH_STORE" "$CRIU_DIR"
bench_ckptd_conf
write_peers_conf
{ printf 'image_store = %s\n' "$BENCH_STORE"; cat /etc/ckpt/ckptd.conf; } > /tmp/ckptd.conf.new
mv /tmp/ckptd.conf.new /etc/ckpt/ckptd.conf
if ! start_ckptd; then
	echo "1..0 # SKIP ckptd did not start; its log:"
	sed 's/^/# /' "$CKPTD_LOG"
	sed 's/^/# conf: /' /etc/ckpt/ckptd.conf
	exit 1
fi
cd /tmp
D=/tmp/wl-mig
mkdir -p $D
BETA=$(node_addr 1)
HAS_MIGRATE=0
ckptctl migrate --help >/dev/null 2>&1 && HAS_MIGRATE=1

# barrier_fail NODE PORT: the barrier's message with the wrong seed, so that
# the waiting net_xfer fails and the other side records no number
barrier_fail() { "$XFER" send "$(node_addr "$1")" "$2" 16 1 >/dev/null 2>&1; }

skip_one() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP $1"; }

# new_pid_base N: the next process gets pid N + 1 (alpha only)
new_pid_base() { echo "$1" > /proc/sys/kernel/ns_last_pid; }

# alpha_ckpt JOB ROUND: one stop-and-copy move of a new workload to beta
alpha_ckpt() { # JOB ROUND
	new_pid_base $((20000 + $2 * 100))
	wl_start_ckpt "$1" $D 256 1024 || return 1
	sleep 2
	timed f ckptctl freeze --job "$1" || return 1
	timed m ckptctl restore --host beta --job "$1" || return 1
	result migrate_256m ckpt-stop-copy downtime_ms "$(awk "BEGIN { print $f + $m }")"
	result migrate_256m ckpt-stop-copy freeze_ms "$f"
	rm -rf "${BENCH_STORE:?}/$1"	# the stopped original's image (tmpfs)
}

alpha_live() { # JOB ROUND
	new_pid_base $((24000 + $2 * 100))
	wl_start_ckpt "$1" $D 256 1024 || return 1
	sleep 2
	timed t ckptctl migrate --job "$1" --to beta --live --json || return 1
	# ckptctl measures the downtime: frozen here until running on beta
	dt=$(printf '%s' "$TOUT" | sed -n 's/.*"downtime_us":\([0-9]*\).*/\1/p')
	result migrate_256m ckpt-live total_ms "$t"
	if [ -n "$dt" ]; then
		result migrate_256m ckpt-live downtime_ms "$(awk "BEGIN { printf \"%.1f\", $dt / 1000 }")"
	else
		echo "# ckptctl migrate --json gave no downtime_us: $TOUT"
	fi
	rm -rf "${BENCH_STORE:?}/$1"
}

alpha_criu() { # ROUND
	p=$((7800 + $1 * 10))
	barrier_wait $p		# beta's page server and receiver listen
	new_pid_base $((28000 + $1 * 100))
	wl_start_plain $D 256 1024 || return 1
	sleep 2
	pid=$(wl_pid $D)
	rm -rf "$CRIU_DIR"; mkdir -p "$CRIU_DIR"
	timed ms sh -c "criu dump -t $pid -D $CRIU_DIR --page-server --address $BETA --port $((p + 1)) -o $CRIU_LOGS/mig-dump.log &&
		tar -C $CRIU_DIR -cf /tmp/criu-rest.tar . &&
		ckpt_bench_util send $BETA $((p + 2)) /tmp/criu-rest.tar &&
		$XFER recv $((p + 3)) 16 $((p + 3)) >/dev/null" || {
		criu_log mig-dump
		# beta waits for the images: an empty file ends its round
		[ -e /tmp/criu-rest.tar ] || ckpt_bench_util send "$BETA" $((p + 2)) /dev/null
		rm -rf "${CRIU_DIR:?}" /tmp/criu-rest.tar
		return 1
	}
	result migrate_256m criu-page-server downtime_ms "$ms"
	rm -rf "${CRIU_DIR:?}" /tmp/criu-rest.tar
}

beta_criu() { # ROUND
	p=$((7800 + $1 * 10))
	rm -rf "$CRIU_DIR"; mkdir -p "$CRIU_DIR"
	criu page-server -D "$CRIU_DIR" --port $((p + 1)) -d -o "$CRIU_LOGS/ps.log" || { criu_log ps; return 1; }
	ckpt_bench_util recv $((p + 2)) /tmp/criu-rest.tar &
	rpid=$!
	barrier_signal 0 $p
	wait $rpid || return 1
	[ -s /tmp/criu-rest.tar ] || { echo "# alpha's criu dump failed (see its log)"; return 1; }
	tar -C "$CRIU_DIR" -xf /tmp/criu-rest.tar || return 1
	rm -f /tmp/criu-mig.pid		# criu restore will not overwrite it
	criu restore -D "$CRIU_DIR" -d --pidfile /tmp/criu-mig.pid -o "$CRIU_LOGS/mig-restore.log" ||
		{ criu_log mig-restore; barrier_fail 0 $((p + 3)); return 1; }
	barrier_signal 0 $((p + 3))
	cat /tmp/criu-mig.pid > $D/ready
	verify $D
	rc=$?
	wl_stop $D
	rm -rf "${CRIU_DIR:?}" /tmp/criu-rest.tar
	return $rc
}

# beta_ckpt JOB: verify the job restored here, then kill it
beta_ckpt() {
	pid=$(job_pid "$1")
	[ -n "$pid" ] || { echo "# job $1 is not registered here"; return 1; }
	echo "$pid" > $D/ready
	verify $D
	rc=$?
	ckptctl kill --job "$1" >/dev/null
	wl_stop $D
	rm -rf "${BENCH_STORE:?}/$1"	# the shipped image (tmpfs)
	return $rc
}

if [ "$ME" = alpha ]; then
	plan 3
	barrier_wait 7700	# beta's ckptd is up
	r=0 ok=0
	while [ $r -lt "$REPS" ]; do
		alpha_ckpt $((60 + r)) $r || ok=1
		barrier_signal 1 $((7710 + r))
		r=$((r + 1))
	done
	tap_result $ok "ckpt stop-and-copy migration of 256 MiB, $REPS times"
	if [ $HAS_MIGRATE = 1 ]; then
		r=0 ok=0
		while [ $r -lt "$REPS" ]; do
			alpha_live $((65 + r)) $r || ok=1
			barrier_signal 1 $((7720 + r))
			r=$((r + 1))
		done
		tap_result $ok "ckpt live migration of 256 MiB, $REPS times"
	else
		skip_one "ckpt live migration: this ckptctl has no 'migrate' command"
		echo "# result: migrate_256m ckpt-live not_measured ckptctl-has-no-migrate-command"
	fi
	r=0 ok=0
	while [ $r -lt "$REPS" ]; do
		alpha_criu $r || ok=1
		r=$((r + 1))
	done
	tap_result $ok "criu page-server migration of 256 MiB, $REPS times"
else
	plan 3
	barrier_signal 0 7700
	r=0 ok=0
	while [ $r -lt "$REPS" ]; do
		barrier_wait $((7710 + r))
		beta_ckpt $((60 + r)) || ok=1
		r=$((r + 1))
	done
	tap_result $ok "ckpt stop-and-copy: the migrated workloads run here with their memory intact"
	if [ $HAS_MIGRATE = 1 ]; then
		r=0 ok=0
		while [ $r -lt "$REPS" ]; do
			barrier_wait $((7720 + r))
			beta_ckpt $((65 + r)) || ok=1
			r=$((r + 1))
		done
		tap_result $ok "ckpt live: the migrated workloads run here with their memory intact"
	else
		skip_one "ckpt live migration: this ckptctl has no 'migrate' command"
	fi
	r=0 ok=0
	while [ $r -lt "$REPS" ]; do
		beta_criu $r || ok=1
		r=$((r + 1))
	done
	tap_result $ok "criu page-server: the migrated workloads run here with their memory intact"
fi
stop_ckptd
finish
