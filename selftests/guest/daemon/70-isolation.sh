#!/bin/sh
# Users through ckptd (Documentation/security.md, "ckptd: who may do what"):
# uid 1000's own job checkpoints and restores end to end, its images are
# readable by uid 1000 alone and writable by nobody but root; every route to
# another's process is refused naming the pid, leaving the job running and
# no image written - a setuid-root child (attach --tree and run), a
# non-dumpable process, a binary with file capabilities, a root process that
# joins the job's cgroup between checkpoints or after a freeze, cgroup "/";
# (also with /proc mounted hidepid=2); uid 1001's job is invisible and untouchable for uid 1000; a uid 0 client
# without capabilities is not root; and a secret held by a refused target
# never reaches the image store or any reply.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/ckptd.sh"
plan 58
rm -rf /tmp/d80 /tmp/replies /tmp/t6* /tmp/isol_*
test_setup
cleanup_paths /tmp/d80 /tmp/replies /tmp/t6* /tmp/isol_* /tmp/t92.caps
# an initramfs root is 0700: users must reach /bin, /tmp and the store
chmod 755 /
grep -q '^u1000:' /etc/passwd || {
	echo 'u1000:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd
	echo 'u1001:x:1001:1001::/tmp:/bin/sh' >> /etc/passwd
	echo 'u1000:x:1000:' >> /etc/group
	echo 'u1001:x:1001:' >> /etc/group
}
start_ckptd
cd /tmp

# as USER CMD: CMD (a shell line) as USER, in /tmp
as() { u=$1; shift; su -s /bin/sh "$u" -c "cd /tmp && $*"; }
# urun USER CMD: run, as USER; every reply is kept for the secret check
urun() { run as "$@"; printf '%s\n' "$OUT" >> /tmp/replies; }
# refused JOB PID: the last command failed, naming the job and the pid
refused() { [ "$RC" != 0 ] && has "job $1: pid $2 "; }
# running PID...: none of them is parked by a freeze
running() { for p in "$@"; do [ "$(pstate "$p")" != I ] || return 1; done; }
# job_running JOB: ckptd says so too
job_running() { ckptctl status --job "$1" --json | grep -q '"state":"running"'; }
# euid PID: the effective uid of a process
euid() { awk '/^Uid:/ { print $3 }' "/proc/$1/status"; }
# a pid, once its file exists
pid_of() { wait_for test -s "$1"; cat "$1"; }
# no_job JOB: ckptd knows no such job
no_job() { ! ckptctl status --job "$1" >/dev/null 2>&1; }
# only_images JOB SEQS: the committed checkpoints of JOB are exactly SEQS
only_images() { [ "$(images "$1")" = "$2" ]; }
# first_member JOB: once the job has one, its first member pid
first_member() {
	wait_for sh -c "ckptctl status --job $1 --json | grep -q '\"members\":\[[0-9]'"
	members "$1" | cut -d' ' -f1
}

# a secret that only root's processes hold, made now
SECRET="isol-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hold_secret() {	# hold_secret OUTFILE: a root process with the secret in its heap
	(umask 077; printf '%s' "$SECRET" > /tmp/isol_secret)
	ckpt_isol secret /tmp/isol_secret > "$1" &
	wait_for grep -q ready "$1"
}

# --- (a) the unprivileged workflow, end to end
mkdir /tmp/d80 && chown 1000:1000 /tmp/d80
urun u1000 "ckptctl run --job 80 -- ckpt_rt_prog memory /tmp/d80"
check "u1000: run --job 80: exit 0" test "$RC" = 0
wait_for test -e /tmp/d80/ready
PID=$(members 80)
urun u1000 "ckptctl checkpoint --job 80"
check "u1000: checkpoint of its own job: exit 0, checkpoint 1" \
	sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "checkpoint 1 "' - "$RC" "$OUT"
check "image 80/1 and its files: root's, nothing for others" \
	sh -c 'for f in $1 $1/*; do [ "$(stat -c %u "$f")" = 0 ] || exit 1
		case $(stat -c %A "$f") in *---) ;; *) exit 1 ;; esac; done' - "$STORE/80/1"
urun u1000 "ckptctl image ls --store $STORE 80 && ckptctl image verify $STORE/80/1 && cat $STORE/80/1/* >/dev/null"
check "u1000 reads its image (image ls, image verify, the files)" test "$RC" = 0
urun u1000 "echo x >> $STORE/80/1/pages.img; chmod 666 $STORE/80/1/pages.img; rm -rf $STORE/80/1"
check "u1000 cannot change, chmod or remove its image: it verifies" ckptctl image verify "$STORE/80/1"
urun u1000 "ckptctl kill --job 80"
wait_for sh -c "! kill -0 $PID"
urun u1000 "ckptctl restore --job 80"
check "u1000: restore --job 80 after kill: exit 0" test "$RC" = 0
check "the restored workload runs as pid $PID, uid 1000" \
	sh -c 'grep -q "^Uid:[[:space:]]*1000[[:space:]]" /proc/$1/status' - "$PID"
kill -USR1 "$PID"
wait_for test -e /tmp/d80/result
check "the restored workload finds its memory and files intact: $(cat /tmp/d80/result)" \
	grep -q '^PASS' /tmp/d80/result
ckptctl kill --job 80 >/dev/null

# --- (b) routes to processes that are not the user's: refused, naming the pid
cp "$(command -v ckpt_isol)" /tmp/isol_suid && chmod 4755 /tmp/isol_suid
cat > /tmp/isol_tree.sh <<'EOF'
#!/bin/sh
# isol_tree.sh PIDFILE: a shell with a setuid-root child
/tmp/isol_suid sleep &
echo $! > "$1"
exec ckpt_isol sleep
EOF
chmod 755 /tmp/isol_tree.sh
as u1000 "echo \$\$ > /tmp/t61.anchor; exec /tmp/isol_tree.sh /tmp/t61.child" </dev/null >/dev/null 2>&1 &
ANCHOR=$(pid_of /tmp/t61.anchor); SUID=$(pid_of /tmp/t61.child)
cleanup_pids $ANCHOR $SUID
wait_for test "$(euid "$SUID")" = 0
urun u1000 "ckptctl attach --job 61 --tree --pid $ANCHOR"
check "attach --tree over its shell with a setuid-root child: refused, names pid $SUID" refused 61 "$SUID"
check "... job 61 is not created" no_job 61
check "... its processes run" running "$ANCHOR" "$SUID"

urun u1000 "ckptctl run --job 62 -- /tmp/isol_tree.sh /tmp/t62.child"
SUID=$(pid_of /tmp/t62.child)
cleanup_pids $SUID
wait_for test "$(euid "$SUID")" = 0
urun u1000 "ckptctl checkpoint --job 62"
check "run + checkpoint of a tree with a setuid-root child: refused, names pid $SUID" refused 62 "$SUID"
urun u1000 "ckptctl freeze --job 62"
check "freeze of it: refused, names pid $SUID" refused 62 "$SUID"
check "... job 62 runs" job_running 62
check "... nothing of it is parked" running $(members 62)
check "... no image written" only_images 62 ""

urun u1000 "ckptctl run --job 63 -- ckpt_isol nodump"
NODUMP=$(first_member 63)
wait_for sh -c "grep -q ckpt_isol /proc/$NODUMP/comm"
sleep 1
urun u1000 "ckptctl checkpoint --job 63"
check "a same-uid process that made itself non-dumpable: refused, names pid $NODUMP" refused 63 "$NODUMP"
check "... job 63 runs" job_running 63
check "... no image of it" only_images 63 ""

cp "$(command -v ckpt_isol)" /tmp/isol_cap && chmod 755 /tmp/isol_cap
check "root gives a copy of ckpt_isol the file capability cap_net_raw" ckpt_isol setcap /tmp/isol_cap
urun u1000 "ckptctl run --job 64 -- /tmp/isol_cap sleep"
CAPP=$(first_member 64)
wait_for sh -c "grep -q '^CapPrm:.*2000' /proc/$CAPP/status"
urun u1000 "ckptctl checkpoint --job 64"
check "a process holding a file capability uid 1000 lacks: refused, names pid $CAPP" refused 64 "$CAPP"
check "... job 64 runs" job_running 64

urun u1000 "ckptctl attach --job 65 --cgroup /"
check "attach --cgroup / as uid 1000: refused" sh -c '[ "$1" != 0 ] && printf "%s" "$2" | grep -q "cgroup .* belongs to uid 0"' - "$RC" "$OUT"

urun u1000 "ckptctl run --job 66 -- ckpt_isol sleep"
urun u1000 "ckptctl checkpoint --job 66"
check "job 66: a first checkpoint is taken" test "$RC" = 0
hold_secret /tmp/t66.out
ROOTP=$!
cleanup_pids $ROOTP
echo "$ROOTP" > /sys/fs/cgroup/ckpt/job-66/cgroup.procs
urun u1000 "ckptctl checkpoint --job 66"
check "a root process joined the job's cgroup since: checkpoint refused, names pid $ROOTP" refused 66 "$ROOTP"
check "... job 66 runs" job_running 66
check "... its only image is 1" only_images 66 1
check "... and the root process is not parked" running "$ROOTP"

urun u1000 "ckptctl run --job 67 -- ckpt_isol sleep"
urun u1000 "ckptctl freeze --job 67"
check "job 67: frozen by its owner (image 1)" test "$RC" = 0
hold_secret /tmp/t67.out
ROOTP2=$!
cleanup_pids $ROOTP2
echo "$ROOTP2" > /sys/fs/cgroup/ckpt/job-67/cgroup.procs
urun u1000 "ckptctl checkpoint --job 67"
check "a root process joined after the freeze: checkpoint refused, names pid $ROOTP2" refused 67 "$ROOTP2"
check "... no image beyond 1" only_images 67 1
urun u1000 "ckptctl thaw --job 67"
check "... thaw by its owner: exit 0" test "$RC" = 0
check "... the root process runs" running "$ROOTP2"
urun u1000 "ckptctl kill --job 66"
check "kill of a job holding a root process: refused, names pid $ROOTP" refused 66 "$ROOTP"
check "... the root process lives" kill -0 "$ROOTP"
# hidepid=invisible: the user's check cannot see root's process at all
if mount -o remount,hidepid=2 /proc; then
	urun u1000 "ckptctl checkpoint --job 66"
	check "/proc with hidepid=2: checkpoint still refused, names pid $ROOTP" refused 66 "$ROOTP"
	mount -o remount,hidepid=0 /proc
else
	check "/proc can be remounted with hidepid=2" false
fi

# --- (c) another user's job
urun u1001 "ckptctl run --job 70 -- ckpt_isol sleep && ckptctl checkpoint --job 70"
check "u1001: run and checkpoint job 70" test "$RC" = 0
urun u1000 "ckptctl list"
check "u1000: list does not show uid 1001's job 70" sh -c '[ "$1" = 0 ] && ! printf "%s" "$2" | grep -q "^70 "' - "$RC" "$OUT"
for cmd in status checkpoint freeze thaw kill restore; do
	urun u1000 "ckptctl $cmd --job 70"
	check "u1000: $cmd --job 70 of uid 1001: refused (exit 4), names the job" \
		sh -c '[ "$1" = 4 ] && printf "%s" "$2" | grep -q "job 70 belongs to uid 1001"' - "$RC" "$OUT"
done
urun u1000 "ckptctl image ls --store $STORE 70"
check "u1000: image ls 70: refused" sh -c '[ "$1" != 0 ] && ! printf "%s" "$2" | grep -q "70/1"' - "$RC" "$OUT"
urun u1000 "ckptctl image show $STORE/70/1"
check "u1000: image show of 70/1: refused" test "$RC" != 0
urun u1000 "cat $STORE/70/1/pages.img"
check "u1000: reading the files of 70/1: refused" test "$RC" != 0
urun u1000 "rm -rf $STORE/70/1 $STORE/70"
check "u1000: deleting 70/1: refused, it verifies still" ckptctl image verify "$STORE/70/1"
check "job 70 is untouched: running" job_running 70

# --- (d) uid 0 without capabilities is not root
ckptctl run --job 90 -- ckpt_isol sleep >/dev/null
urun root "ckpt_isol dropcaps ckptctl list"
check "uid 0 without capabilities: list hides root's job 90" sh -c '[ "$1" = 0 ] && ! printf "%s" "$2" | grep -q "^90 "' - "$RC" "$OUT"
urun root "ckpt_isol dropcaps ckptctl checkpoint --job 90"
check "... checkpoint of root's job: refused, names the job" \
	sh -c '[ "$1" = 4 ] && printf "%s" "$2" | grep -q "job 90 belongs to uid 0 (root)"' - "$RC" "$OUT"
urun root "ckpt_isol dropcaps ckptctl kill --job 90"
check "... kill of root's job: refused (exit 4)" test "$RC" = 4
check "... job 90 runs" job_running 90
ckpt_isol sleep &
ROOTS=$!
cleanup_pids $ROOTS
urun root "ckpt_isol dropcaps ckptctl attach --job 91 --pid $ROOTS"
check "... attach of a root process with capabilities: refused, names pid $ROOTS" refused 91 "$ROOTS"
urun root "ckpt_isol dropcaps ckptctl run --job 92 -- sh -c 'grep CapEff /proc/self/status > /tmp/t92.caps; exec ckpt_isol sleep'"
wait_for test -s /tmp/t92.caps
check "... run: its command has no capabilities either" grep -q '0000000000000000' /tmp/t92.caps

# --- (e) the secret; the control: a user's own secret is in its own image
OWN="own-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$OWN" > /tmp/t68.secret && chown 1000 /tmp/t68.secret
urun u1000 "ckptctl run --job 68 -- ckpt_isol secret /tmp/t68.secret"
wait_for test ! -e /tmp/t68.secret
urun u1000 "ckptctl checkpoint --job 68"
check "control: u1000's own secret is in its own checkpoint" grep -rq "$OWN" "$STORE/68"
rm -rf "$STORE/68"
check "the secret of root's processes is nowhere in the image store" sh -c '! grep -rq "$1" "$2"' - "$SECRET" "$STORE"
check "... nor in any reply" sh -c '! grep -q "$1" /tmp/replies' - "$SECRET"

kill "$ROOTP" "$ROOTP2" "$ROOTS" 2>/dev/null
for j in 62 63 64 66 67 68 70 90 92; do ckptctl kill --job $j >/dev/null 2>&1; done
kill "$ANCHOR" 2>/dev/null; kill -9 "$SUID" 2>/dev/null
stop_ckptd
finish
