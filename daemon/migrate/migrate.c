// SPDX-License-Identifier: GPL-2.0
/*
 * `ckptctl migrate --job ID --to other [--live]` (Documentation/migration.md):
 *
 *   1. connect     to the peer `other` and authenticate
 *   2. check       the job id is free there
 *   3. pre-copy    (--live) pre-dump N of the running job, stored here and
 *                  shipped; N = 1 is full, the next ones incremental, until
 *                  a pre-dump carried at most migrate_dirty_threshold, or
 *                  did not carry less than the one before, or
 *                  migrate_iterations were taken
 *   4. freeze      the job here: its downtime starts
 *   5. dump        the final dump (incremental to the last pre-dump with
 *                  --live, else full) with the job's files, stored here
 *   6. ship        the final checkpoint (and the job's output log)
 *   7. restore     there: the peer checks every file the job needs, then
 *                  restores it and confirms it runs: the downtime ends
 *   8. release     terminate the frozen original here (on the loop)
 *
 * Steps 1-7 run in the ops worker.  Failing before 4, the job runs on
 * here untouched; failing at 4 or later, it stays frozen and intact here
 * (thawed with --thaw-on-failure).  The error names the step and the host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "jobs/auth.h"
#include "ops/checkpoint.h"
#include "cluster/store.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "jobs/control.h"
#include "migrate/migrate.h"
#include "ckptd.h"
#include "log.h"
#include "ops/dump.h"
#include "migrate/remote.h"
#include "migrate/keepalive.h"
#include "worker.h"

/* how long the peer may take to verify or restore a large job */
#define WORK_TIMEOUT_MS		(10 * 60 * 1000)

struct migrate_op {
	struct ckptd_work work;
	struct ckptd_remote r;
	uint32_t job_id, uid, gid;
	struct ckptd_cred cred;		/* who asked (auth.h) */
	int pidns, live, thaw_on_failure;
	enum ckptd_capture_action unsupported;
	unsigned int max_iter, freeze_timeout_ms;
	uint64_t dirty_max;
	uint64_t seq_base;
	char store[PATH_MAX];
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_progress progress;
	/* results */
	int err;
	char why[2600];
	int frozen;			/* we froze it and it is frozen */
	unsigned int iterations;	/* pre-dumps shipped */
	uint64_t last_dirty;		/* bytes of the last pre-dump */
	uint64_t final_seq;		/* the final image, once stored here */
	uint64_t bytes;			/* shipped */
	uint64_t downtime_us;
	uint64_t t_dump, t_ship, t_restore;	/* ends of the downtime's steps */
	pid_t pid;			/* the root there */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int step_failed(struct migrate_op *op, int err, const char *host,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "step 'ship pre-dump 2' on beta failed: <why>"; @why is op->why's text. */
static int step_failed(struct migrate_op *op, int err, const char *host,
		       const char *fmt, ...)
{
	char step[64], why[1600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	snprintf(why, sizeof(why), "%.1500s", op->why);
	snprintf(op->why, sizeof(op->why), "migrate job %u to %s: step '%s' on %s failed: %s",
		 op->job_id, op->r.peer.name, step, host, why);
	op->err = err ?: -EIO;
	return op->err;
}

static int dump(struct migrate_op *op, void *ctx, uint32_t flags,
		const struct ckpt_kjob *frozen, struct ckptd_mig_dump *m)
{
	*m = (struct ckptd_mig_dump){
		.job_id = op->job_id, .cred = &op->cred, .uid = op->uid, .gid = op->gid,
		.flags = flags, .frozen = frozen,
		.unsupported = op->unsupported, .store = op->store,
		.seq_base = &op->seq_base, .progress = &op->progress,
	};
	return ckptd_mig_dump(ctx, m, op->why, sizeof(op->why));
}

static int ship(struct migrate_op *op, uint64_t seq)
{
	return ckptd_remote_ship(&op->r, op->job_id, seq, &op->progress, &op->bytes,
				 op->why, sizeof(op->why));
}

/* Step 3: pre-dumps of the running job until the dirty set is small. */
static int precopy(struct migrate_op *op, void *ctx)
{
	uint64_t page = sysconf(_SC_PAGESIZE), prev = UINT64_MAX;
	struct ckptd_mig_dump m;

	for (unsigned int i = 1; i <= op->max_iter; i++) {
		uint32_t flags = CKPT_DUMP_PREDUMP | (i > 1 ? CKPT_DUMP_INCREMENTAL : 0);
		struct ckptd_keepalive k;
		int ret;

		ckptd_keepalive_start(&k, &op->r, op->job_id);
		ret = dump(op, ctx, flags, NULL, &m);
		if (ret) {
			ckptd_keepalive_stop(&k, NULL, 0);
			return step_failed(op, ret, op->r.node, "pre-dump %u", i);
		}
		if (ckptd_keepalive_stop(&k, op->why, sizeof(op->why)))
			return step_failed(op, -EIO, op->r.peer.name, "check");
		if (ship(op, m.seq))
			return step_failed(op, -EIO, op->r.peer.name, "ship pre-dump %u", i);
		op->iterations = i;
		op->last_dirty = m.nr_pages * page;
		pr_info("migrate job %u to %s: pre-dump %u (checkpoint %llu) carried %llu KiB",
			op->job_id, op->r.peer.name, i, (unsigned long long)m.seq,
			(unsigned long long)(op->last_dirty >> 10));
		if (op->last_dirty <= op->dirty_max || op->last_dirty >= prev)
			break;
		prev = op->last_dirty;
	}
	return 0;
}

static void migrate_run(struct ckptd_work *w, void *ctx)
{
	struct migrate_op *op = (struct migrate_op *)w;
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	struct ckpt_err ae;
	struct ckptd_mig_dump m;
	struct ckptd_keepalive k;
	uint64_t t0;
	int ret;

	if ((op->err = ckptd_remote_open(&op->r, op->why, sizeof(op->why)))) {
		step_failed(op, op->err, op->r.peer.name, "connect");
		return;
	}
	/* the peer may verify and restore for longer than it may be silent */
	op->r.c->timeout_ms = op->r.timeout_ms * 10 > WORK_TIMEOUT_MS ?
			      op->r.timeout_ms * 10 : WORK_TIMEOUT_MS;
	if (ckptd_remote_check_job(&op->r, op->job_id, op->why, sizeof(op->why))) {
		step_failed(op, -EEXIST, op->r.peer.name, "check");
		goto out;
	}
	if (op->live && precopy(op, ctx))
		goto out;

	ret = ckptd_auth_job(ckptd_ops_nl(ctx), &op->cred, op->job_id, &ae);
	if (ret) {
		ckpt_fmt(op->why, sizeof(op->why), "%s", ae.msg);
		step_failed(op, ret, op->r.node, "authorize");
		goto out;
	}
	ckptd_keepalive_start(&k, &op->r, op->job_id);
	t0 = now_us();
	ret = ckpt_nl_job_freeze(ckptd_ops_nl(ctx), op->job_id, op->freeze_timeout_ms, &kj, &e);
	if (ret) {
		ckptd_keepalive_stop(&k, NULL, 0);
		snprintf(op->why, sizeof(op->why), "%s%s%s", strerror(-ret),
			 e.msg[0] ? ": " : "", e.msg);
		step_failed(op, ret, op->r.node, "freeze");
		goto out;
	}
	op->frozen = 1;
	/* the parked set, as the user: a member it may not take is never left frozen */
	ret = ckptd_auth_pids(&op->cred, op->job_id, kj.task_pids, kj.nr_task_pids, &ae);
	if (ret) {
		ckpt_fmt(op->why, sizeof(op->why), "%s", ae.msg);
		ckptd_keepalive_stop(&k, NULL, 0);
		if (!ckpt_nl_job_thaw(ckptd_ops_nl(ctx), op->job_id, &e))
			op->frozen = 0;
		step_failed(op, ret, op->r.node, "authorize");
		goto out;
	}
	ret = dump(op, ctx, op->live && op->iterations ? CKPT_DUMP_INCREMENTAL : 0, &kj, &m);
	if (ret) {
		ckptd_keepalive_stop(&k, NULL, 0);
		step_failed(op, ret, op->r.node, "dump");
		goto out;
	}
	if (ckptd_keepalive_stop(&k, op->why, sizeof(op->why))) {
		step_failed(op, -EIO, op->r.peer.name, "check");
		goto out;
	}
	op->final_seq = m.seq;
	op->t_dump = now_us() - t0;
	if (ship(op, m.seq) ||
	    ckptd_remote_ship_log(&op->r, op->job_id, op->why, sizeof(op->why))) {
		step_failed(op, -EIO, op->r.peer.name, "ship checkpoint %llu",
			    (unsigned long long)m.seq);
		goto out;
	}
	op->t_ship = now_us() - t0;
	ret = ckptd_remote_restore(&op->r, op->job_id, m.seq, op->uid, op->gid,
				   op->pidns, &op->pid, op->why, sizeof(op->why));
	if (ret) {
		step_failed(op, ret, op->r.peer.name, "restore");
		goto out;
	}
	op->downtime_us = now_us() - t0;
out:
	ckptd_remote_close(&op->r);
	ckpt_kjob_release(&kj);
}

static const char *left_as(const struct migrate_op *op, int thawed)
{
	if (!op->frozen)
		return "the job runs on here, untouched";
	if (thawed)
		return "the original was thawed here and runs on";
	return "the original stays frozen here, intact ('ckptctl thaw' resumes it, 'ckptctl restore --host' retries the move)";
}

static int still_frozen(struct ckptd *d, uint32_t id)
{
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	int ret = !ckpt_nl_job_get(d->nl, id, &kj, &e) && kj.state == CKPT_JOB_FROZEN;

	ckpt_kjob_release(&kj);
	return ret;
}

/* On the loop: release the original, or leave it as the failure left it. */
static void migrate_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct migrate_op *op = (struct migrate_op *)w;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, op->job_id);
	struct ckpt_err e;
	int thawed = 0;

	d->ops_in_flight--;
	if (job) {
		job->busy = 0;
		job->seq_base = op->seq_base;
	}
	if (op->err) {
		/* a dump session closed before its end thaws the job */
		if (op->frozen && !still_frozen(d, op->job_id))
			op->frozen = 0;
		if (job && op->frozen) {
			if (op->thaw_on_failure && !ckpt_nl_job_thaw(d->nl, op->job_id, &e))
				thawed = 1;
			if (thawed)
				job->flags &= ~CKPTD_JOB_FROZEN;
			else
				job->flags |= CKPTD_JOB_FROZEN;
			if (op->final_seq)
				job->last_seq = op->final_seq;
		}
		pr_err("%s; %s", op->why, left_as(op, thawed));
		ckptd_reply_error(d, op->client_id, op->seq, op->err, "%s; %s", op->why,
				  left_as(op, thawed));
		ckptd_persist(d, 0, 0, NULL);
		free(op);
		return;
	}
	if (job)
		ckptd_job_terminate(d, job);
	pr_info("job %u migrated to %s (%s, %u pre-dump(s), %llu bytes shipped): downtime %llu ms (freeze and dump %llu, ship %llu, restore %llu), root pid %d there; original released",
		op->job_id, op->r.peer.name, op->live ? "live" : "stop-and-copy", op->iterations,
		(unsigned long long)op->bytes, (unsigned long long)op->downtime_us / 1000,
		(unsigned long long)op->t_dump / 1000,
		(unsigned long long)(op->t_ship - op->t_dump) / 1000,
		(unsigned long long)(op->downtime_us - op->t_ship) / 1000, op->pid);
	ckptd_reply_init(&r, op->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_HOST, op->r.peer.name);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, op->pid);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->final_seq);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_DOWNTIME_US, op->downtime_us);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_ITERATIONS, op->iterations);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_BYTES, op->bytes);
	if (op->live)
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_TOTAL, op->last_dirty);
	ckptd_persist(d, op->client_id, op->seq, &r);
	free(op);
}

/* The job may move: not busy, in the module, of this host only, running. */
static int movable(struct ckptd *d, struct ckptd_req *rq, const struct ckptd_job *job,
		   const char *host)
{
	struct ckptd_cluster_hosts hosts;
	const char *why = NULL;
	char buf[512];

	if (job->busy)
		why = "is busy with another operation; retry when it completes";
	else if (!job->in_module)
		why = "is not known to ckpt.ko (lost at a restart); kill it and attach again";
	if (why) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY, "job %u %s", job->id, why);
		return 0;
	}
	if (ckptd_cluster_member_get(d->cfg.state_dir, job->id, &hosts, buf, sizeof(buf)) != -ENOENT) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "job %u spans hosts ('ckptctl cluster ls --job %u'): migrate moves a job of one host; 'ckptctl cluster unset --job %u' first",
				  job->id, job->id, job->id);
		return 0;
	}
	if (job->flags & CKPTD_JOB_FROZEN) {
		snprintf(buf, sizeof(buf),
			 "job %u is frozen: migrate moves a running job; 'ckptctl restore --host %s --job %u' moves a frozen one (or 'ckptctl thaw --job %u' first)",
			 job->id, host, job->id, job->id);
		ckptd_reply_error(d, rq->client_id, rq->seq, -EALREADY, "%s", buf);
		return 0;
	}
	return 1;
}

void ckptd_cmd_migrate(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	const struct ckptd_ctl_attr *it_a = rq->tb.a[CKPTD_CA_ITERATIONS];
	const struct ckptd_ctl_attr *dirty_a = rq->tb.a[CKPTD_CA_BYTES];
	const char *host = ckptd_ctl_str(rq->tb.a[CKPTD_CA_HOST]);
	uint32_t flags = f_a ? ckptd_ctl_u32(f_a) : 0;
	struct ckptd_job *job;
	struct migrate_op *op;
	struct ckptd_client *c;
	char why[512];
	int ret;

	if (!host || !*host) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "migrate: missing the host to move to (--to NAME, a peer of [peers] in ckptd.conf)");
		return;
	}
	if (it_a && (ckptd_ctl_u32(it_a) < 1 || ckptd_ctl_u32(it_a) > 100)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "migrate: --max-iterations must be from 1 to 100");
		return;
	}
	job = ckptd_req_job(d, rq);
	if (!job || !movable(d, rq, job, host))
		return;
	if (job->flags & CKPTD_JOB_UNPRIV) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u belongs to uid 0 without capabilities: it cannot move to another host (its owner there would be root); ask root",
				  job->id);
		return;
	}
	op = calloc(1, sizeof(*op));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	ret = ckptd_remote_init(&op->r, &d->cfg, &d->peer_key, host, why, sizeof(why));
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "migrate --to %s: %s", host, why);
		free(op);
		return;
	}
	op->job_id = job->id;
	op->uid = job->uid;
	op->gid = job->gid;
	op->cred = rq->cred;
	op->pidns = !!(job->flags & CKPTD_JOB_PIDNS);
	op->live = !!(flags & CKPTD_F_LIVE);
	op->thaw_on_failure = !!(flags & CKPTD_F_THAW_ON_FAILURE);
	op->unsupported = flags & CKPTD_F_UNSUP_CLOSE ? CKPTD_CAPTURE_CLOSE :
			  flags & CKPTD_F_UNSUP_DEVNULL ? CKPTD_CAPTURE_DEVNULL :
			  CKPTD_CAPTURE_FAIL;
	op->max_iter = it_a ? ckptd_ctl_u32(it_a) : d->cfg.migrate_iterations;
	op->dirty_max = dirty_a ? ckptd_ctl_u64(dirty_a) : d->cfg.migrate_dirty_bytes;
	op->freeze_timeout_ms = d->cfg.freeze_timeout_ms;
	op->seq_base = job->seq_base;
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = migrate_run;
	op->work.done = migrate_done;
	job->busy = 1;
	c = ckptd_client_find(d, rq->client_id);
	if (c) {
		c->progress = &op->progress;
		c->progress_seq = rq->seq;
	}
	pr_info("migrate job %u to %s (%s) requested by uid %u", job->id, host,
		op->live ? "live pre-copy" : "stop-and-copy", rq->uid);
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}
