#!/bin/sh
# Side by side in one guest run: ckpt (through a real ckptd, images on
# tmpfs) and Debian's criu on the same workload, ckpt_bench_wl, with
# repetitions interleaved (ckpt, criu, ckpt, ...) so that a change in the
# host's load hits both alike.  Scenarios:
#   full_<N>m    a full checkpoint of N MiB of written memory while the job
#                keeps running: `ckptctl checkpoint` against `criu dump
#                --leave-running`; against write()-ing N MiB to a tmpfs file
#                and against the one-copy floor (the same bytes moved into
#                a tmpfs file by vmsplice + splice)
#   incr_<P>     P % of 256 MiB rewritten, one page in every 100/P, after a
#                full checkpoint (ckpt) or a `criu pre-dump --track-mem`:
#                `ckptctl checkpoint --incremental` against `criu dump
#                --track-mem --prev-images-dir`; time, frozen time, image
#                bytes.  incr_2blk: the same 2 % as one block (with THP,
#                spread writes dirty every 2 MiB huge page for soft-dirty)
#   stop_256m    a checkpoint that stops the job: `ckptctl freeze` against
#                `criu dump` (which kills it)
#   restore_256m `ckptctl restore` (verifies the image, runs ckpt-restore)
#                against `criu restore -d`, both until the job runs again
# Frozen times are measured by the workload itself: its longest stall
# between two 2 ms ticks.  Every workload checks all its pages at the end.
# Around every timed command: /proc/vmstat deltas (pages allocated, freed,
# nr_shmem); for ckpt also the per-stage fields of its --json reply when
# ckptd reports them (bench.sh stage_results).
# shellcheck disable=SC1091 # the guest's paths
. "$(dirname "$0")/../lib/tap.sh"
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib/ckptd.sh"
# shellcheck disable=SC1091
. "$(dirname "$0")/../bench-lib/bench.sh"
plan 5
load_module
rm -rf "$STATE" "$BENCH_STORE" "$CRIU_DIR"
bench_ckptd_conf
start_ckptd || { echo "# ckptd did not start:"; sed 's/^/# /' "$CKPTD_LOG"; exit 1; }
cd /tmp || exit 1
ms='' # set by timed
DK=/tmp/wl-ckpt DC=/tmp/wl-criu
echo "# result: meta criu version criu-$(criu --version 2>&1 | sed -n "s/^Version: *//p")"
diag "$REPS repetitions; $(nproc) vCPU; $(free -m | awk '/Mem:/ {print $2}') MiB"
# Warm-up: QEMU backs guest memory on first touch; touch 2 GiB once so that
# no tool pays for it.
ckpt_bench_util write 1024 /tmp/warm >/dev/null; rm -f /tmp/warm
criu check >/dev/null 2>&1 || diag "criu check: $(criu check 2>&1 | tail -2 | tr '\n' ' ')"

full() { # MIB JOB
	mib=$1 job=$2 s=full_$1m
	wl_start_ckpt "$job" $DK "$mib" && wl_start_plain $DC "$mib" || return 1
	r=0
	while [ $r -lt "$REPS" ]; do
		gap $DK >/dev/null
		timed ms ckptctl checkpoint --job "$job" --json || return 1
		result "$s" ckpt total_ms "$ms"
		result "$s" ckpt frozen_ms "$(gap $DK)"
		vm_result "$s" ckpt
		stage_results "$s"
		clean_images "$job"
		gap $DC >/dev/null
		timed ms criu dump -t "$(wl_pid $DC)" -D "$CRIU_DIR" --leave-running \
			-o "$CRIU_LOGS/dump.log" || { criu_log dump; return 1; }
		result "$s" criu total_ms "$ms"
		result "$s" criu frozen_ms "$(gap $DC)"
		vm_result "$s" criu
		clean_images "$job"
		line=$(ckpt_bench_util write "$mib" /tmp/baseline.bin) || return 1
		rm -f /tmp/baseline.bin
		copy_result "$s" write "$line" || return 1
		line=$(ckpt_bench_util splice "$mib" /tmp/baseline.bin) || return 1
		rm -f /tmp/baseline.bin
		copy_result "$s" splice "$line" || return 1
		r=$((r + 1))
	done
	verify $DK && verify $DC || return 1
	ckptctl kill --job "$job" >/dev/null
	wl_stop $DK
	wl_stop $DC
}

incr() { # JOB PCT[:block]...
	job=$1; shift
	wl_start_ckpt "$job" $DK 256 && wl_start_plain $DC 256 || return 1
	for arg in "$@"; do
		pct=${arg%:block} how=
		s=incr_$pct
		[ "$pct" = "$arg" ] || { how=" block"; s=incr_${pct}blk; }
		r=0
		while [ $r -lt "$REPS" ]; do
			ckptctl checkpoint --job "$job" >/dev/null || return 1
			wl_cmd $DK "rewrite $pct$how" >/dev/null || return 1
			gap $DK >/dev/null
			timed ms ckptctl checkpoint --job "$job" --incremental --json || return 1
			result "$s" ckpt total_ms "$ms"
			result "$s" ckpt frozen_ms "$(gap $DK)"
			vm_result "$s" ckpt
			stage_results "$s"
			dir=$(json_image "$TOUT")
			[ -d "$dir" ] || { echo "# no image dir in: $TOUT"; return 1; }
			result "$s" ckpt image_bytes "$(ckpt_bench_util bytes "$dir")"
			clean_images "$job"
			pid=$(wl_pid $DC)
			mkdir -p "$CRIU_DIR/pre"
			criu pre-dump -t "$pid" -D "$CRIU_DIR/pre" --track-mem \
				-o "$CRIU_LOGS/pre.log" || { criu_log pre; return 1; }
			wl_cmd $DC "rewrite $pct$how" >/dev/null || return 1
			gap $DC >/dev/null
			mkdir -p "$CRIU_DIR/dump"
			timed ms criu dump -t "$pid" -D "$CRIU_DIR/dump" --track-mem \
				--prev-images-dir ../pre --leave-running \
				-o "$CRIU_LOGS/dump.log" || { criu_log dump; return 1; }
			result "$s" criu total_ms "$ms"
			result "$s" criu frozen_ms "$(gap $DC)"
			vm_result "$s" criu
			result "$s" criu image_bytes "$(ckpt_bench_util bytes "$CRIU_DIR/dump")"
			clean_images "$job"
			r=$((r + 1))
		done
	done
	verify $DK && verify $DC || return 1
	ckptctl kill --job "$job" >/dev/null
	wl_stop $DK
	wl_stop $DC
}

restore() { # JOB
	r=0 s=restore_256m
	while [ $r -lt "$REPS" ]; do
		job=$(($1 + r))
		wl_start_ckpt "$job" $DK 256 || return 1
		pid=$(wl_pid $DK)
		timed ms ckptctl freeze --job "$job" --json || return 1
		result stop_256m ckpt total_ms "$ms"
		vm_result stop_256m ckpt
		stage_results stop_256m
		ckptctl kill --job "$job" >/dev/null || return 1
		wl_stop $DK
		timed ms ckptctl restore --job "$job" || return 1
		result "$s" ckpt total_ms "$ms"
		vm_result "$s" ckpt
		verify $DK || return 1
		ckptctl kill --job "$job" >/dev/null
		wl_stop $DK
		clean_images "$job"

		wl_start_plain $DC 256 || return 1
		pid=$(wl_pid $DC)
		timed ms criu dump -t "$pid" -D "$CRIU_DIR" -o "$CRIU_LOGS/dump.log" ||
			{ criu_log dump; return 1; }
		result stop_256m criu total_ms "$ms"
		vm_result stop_256m criu
		wl_stop $DC
		timed ms criu restore -D "$CRIU_DIR" -d -o "$CRIU_LOGS/restore.log" ||
			{ criu_log restore; return 1; }
		result "$s" criu total_ms "$ms"
		vm_result "$s" criu
		verify $DC || return 1
		wl_stop $DC
		clean_images "$job"
		r=$((r + 1))
	done
}

for mib in 64 256 512; do
	scenario "full checkpoint of $mib MiB: ckpt, criu, write() and vmsplice+splice, $REPS times each" full "$mib" "7$mib"
done
scenario "incremental at 2 % and 20 % (spread) and 2 % (one block): ckpt and criu, $REPS times each" incr 80 2 20 2:block
scenario "stop and restore 256 MiB: ckpt and criu, $REPS times each" restore 90
stop_ckptd
finish
