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
 * Steps 1-7 run in the ops worker; 3-5 on the one dump path (ops/dump.h).  Failing before 4, the job runs on
 * here untouched; failing at 4 or later, it stays frozen and intact here
 * (thawed with --thaw-on-failure).  The error names the step and the host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "cluster/store.h"
#include "jobs/auth.h"
#include "jobs/control.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "log.h"
#include "migrate/keepalive.h"
#include "migrate/remote.h"
#include "ops/dump.h"
#include "ops/op.h"

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
	int compression, level;
	uint64_t seq_base;
	char store[PATH_MAX];
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_progress progress;
	/* results */
	struct ckpt_err err;
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

/* "migrate job 5 to beta: step 'ship pre-dump 2' on beta failed: <@e>" */
static void step_failed(struct migrate_op *op, const struct ckpt_err *e, const char *host,
			const char *step)
{
	ckpt_err_set(&op->err, e->errnum ?: EIO, "migrate job %u to %s: step '%s' on %s failed: %s",
		     op->job_id, op->r.peer.name, step, host, e->msg);
}

/* One dump into the store: a pre-dump of the running job, or the final one. */
static int dump(struct migrate_op *op, void *ctx, uint32_t flags,
		const struct ckpt_kjob *frozen, struct ckptd_dump *dp, struct ckpt_err *e)
{
	int ret;

	*dp = (struct ckptd_dump){
		.job_id = op->job_id, .uid = op->uid, .gid = op->gid,
		.flags = flags, .frozen = frozen, .cred = &op->cred,
		.unsupported = op->unsupported, .store = op->store,
		.compression = op->compression, .level = op->level,
		.progress = &op->progress, .seq_base = op->seq_base,
	};
	ret = ckptd_dump(ctx, dp, e);
	op->seq_base = dp->seq_base;
	return ret;
}

/* The dump's end: the keepalive's check failing meanwhile is "check"'s. */
static int dumped(struct migrate_op *op, struct ckptd_keepalive *k, int ret,
		  const struct ckpt_err *e, const char *step)
{
	struct ckpt_err kerr;

	if (ckptd_keepalive_stop(k, &kerr) && !ret) {
		kerr.errnum = EIO;
		step_failed(op, &kerr, op->r.peer.name, "check");
		return -EIO;
	}
	if (ret)
		step_failed(op, e, op->r.node, step);
	return ret;
}

/* Step 3: pre-dumps of the running job until the dirty set is small. */
static int precopy(struct migrate_op *op, void *ctx)
{
	uint64_t page = sysconf(_SC_PAGESIZE), prev = UINT64_MAX;
	struct ckptd_dump *dp = malloc(sizeof(*dp));
	struct ckpt_err e;
	char step[64];
	int ret = 0;

	if (!dp) {
		ckpt_err_set(&e, ENOMEM, "out of memory");
		step_failed(op, &e, op->r.node, "pre-dump");
		return -ENOMEM;
	}
	for (unsigned int i = 1; i <= op->max_iter; i++) {
		uint32_t flags = CKPT_DUMP_PREDUMP | (i > 1 ? CKPT_DUMP_INCREMENTAL : 0);
		struct ckptd_keepalive k;

		ckptd_keepalive_start(&k, &op->r, op->job_id);
		ckpt_fmt(step, sizeof(step), "pre-dump %u", i);
		ret = dumped(op, &k, dump(op, ctx, flags, NULL, dp, &e), &e, step);
		if (ret)
			break;
		ret = ckptd_remote_ship(&op->r, op->job_id, dp->seq, &op->progress, &op->bytes, &e);
		if (ret) {
			ckpt_fmt(step, sizeof(step), "ship pre-dump %u", i);
			e.errnum = EIO;
			step_failed(op, &e, op->r.peer.name, step);
			break;
		}
		op->iterations = i;
		op->last_dirty = dp->nr_pages * page;
		pr_info("migrate job %u to %s: pre-dump %u (checkpoint %llu) carried %llu KiB",
			op->job_id, op->r.peer.name, i, (unsigned long long)dp->seq,
			(unsigned long long)(op->last_dirty >> 10));
		if (op->last_dirty <= op->dirty_max || op->last_dirty >= prev)
			break;
		prev = op->last_dirty;
	}
	free(dp);
	return ret;
}

/* Steps 4 and 5: freeze, final dump; the job stays frozen. */
static int freeze_and_dump(struct migrate_op *op, void *ctx, struct ckptd_dump *dp)
{
	struct ckptd_freeze f = {
		.job_id = op->job_id, .cred = &op->cred, .timeout_ms = op->freeze_timeout_ms,
	};
	struct ckpt_kjob kj = { 0 };
	struct ckptd_keepalive k;
	struct ckpt_err e;
	int ret;

	ckptd_keepalive_start(&k, &op->r, op->job_id);
	ret = ckptd_dump_freeze(ctx, &f, &kj, &e);
	if (ret) {
		ckptd_keepalive_stop(&k, NULL);
		step_failed(op, &e, op->r.node, f.refused ? "authorize" : "freeze");
		goto out;
	}
	op->frozen = 1;
	ret = dump(op, ctx, op->live && op->iterations ? CKPT_DUMP_INCREMENTAL : 0, &kj, dp, &e);
	ret = dumped(op, &k, ret, &e, "dump");
out:
	ckpt_kjob_release(&kj);
	return ret;
}

static void migrate_run(struct ckptd_work *w, void *ctx)
{
	struct migrate_op *op = (struct migrate_op *)w;
	struct ckptd_dump *dp = malloc(sizeof(*dp));
	struct ckpt_err e;
	char step[64];
	uint64_t t0;

	if (!dp) {
		ckpt_err_set(&op->err, ENOMEM, "migrate job %u: ckptd is out of memory", op->job_id);
		return;
	}
	if (ckptd_remote_open(&op->r, &e)) {
		step_failed(op, &e, op->r.peer.name, "connect");
		goto out;
	}
	/* the peer may verify and restore for longer than it may be silent */
	op->r.c->timeout_ms = op->r.timeout_ms * 10 > WORK_TIMEOUT_MS ?
			      op->r.timeout_ms * 10 : WORK_TIMEOUT_MS;
	if (ckptd_remote_check_job(&op->r, op->job_id, &e)) {
		e.errnum = EEXIST;
		step_failed(op, &e, op->r.peer.name, "check");
		goto out;
	}
	if (op->live && precopy(op, ctx))
		goto out;
	t0 = now_us();
	if (freeze_and_dump(op, ctx, dp))
		goto out;
	op->final_seq = dp->seq;
	op->t_dump = now_us() - t0;
	if (ckptd_remote_ship(&op->r, op->job_id, dp->seq, &op->progress, &op->bytes, &e) ||
	    ckptd_remote_ship_log(&op->r, op->job_id, &e)) {
		ckpt_fmt(step, sizeof(step), "ship checkpoint %llu", (unsigned long long)dp->seq);
		e.errnum = EIO;
		step_failed(op, &e, op->r.peer.name, step);
		goto out;
	}
	op->t_ship = now_us() - t0;
	if (ckptd_remote_restore(&op->r, op->job_id, dp->seq, op->uid, op->gid,
				 op->pidns, &op->pid, &e)) {
		step_failed(op, &e, op->r.peer.name, "restore");
		goto out;
	}
	op->downtime_us = now_us() - t0;
out:
	ckptd_remote_close(&op->r);
	free(dp);
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
	struct ckptd_op_end end = { .seq_base = op->seq_base };
	struct ckptd_job *job;
	struct ckpt_err e;
	int thawed = 0;

	ckptd_op_done(d);
	if (op->err.errnum) {
		/* a dump session closed before its end thaws the job */
		if (op->frozen && !still_frozen(d, op->job_id))
			op->frozen = 0;
		if (op->frozen && op->thaw_on_failure && !ckpt_nl_job_thaw(d->nl, op->job_id, &e))
			thawed = 1;
		end.frozen = op->frozen && !thawed;
		end.last_seq = op->frozen ? op->final_seq : 0;
		ckptd_job_release(d, op->job_id, &end);
		pr_err("%s; %s", op->err.msg, left_as(op, thawed));
		ckptd_reply_error(d, op->client_id, op->seq, -op->err.errnum, "%s; %s", op->err.msg,
				  left_as(op, thawed));
		ckptd_persist(d, 0, 0, NULL);
		free(op);
		return;
	}
	job = ckptd_job_release(d, op->job_id, &end);
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

/* The job may move: of this host only, running (claimed by the caller). */
static int movable(struct ckptd *d, struct ckptd_req *rq, const struct ckptd_job *job,
		   const char *host)
{
	struct ckptd_cluster_hosts hosts;

	if (ckptd_cluster_member_get(d->cfg.state_dir, job->id, &hosts, NULL) != -ENOENT) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "job %u spans hosts ('ckptctl cluster ls --job %u'): migrate moves a job of one host; 'ckptctl cluster unset --job %u' first",
				  job->id, job->id, job->id);
		return 0;
	}
	if (job->flags & CKPTD_JOB_FROZEN) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EALREADY,
				  "job %u is frozen: migrate moves a running job; 'ckptctl restore --host %s --job %u' moves a frozen one (or 'ckptctl thaw --job %u' first)",
				  job->id, host, job->id, job->id);
		return 0;
	}
	if (job->flags & CKPTD_JOB_UNPRIV) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u belongs to uid 0 without capabilities: it cannot move to another host (its owner there would be root); ask root",
				  job->id);
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
	struct ckpt_err e;
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
	if (!job || ckptd_job_claim_req(d, rq, job, CKPTD_CLAIM_MODULE | CKPTD_CLAIM_CHECK) ||
	    !movable(d, rq, job, host))
		return;
	op = calloc(1, sizeof(*op));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	ret = ckptd_remote_init(&op->r, &d->cfg, &d->peer_key, host, &e);
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "migrate --to %s: %s", host, e.msg);
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
	op->unsupported = ckptd_req_unsupported(flags);
	op->max_iter = it_a ? ckptd_ctl_u32(it_a) : d->cfg.migrate_iterations;
	op->dirty_max = dirty_a ? ckptd_ctl_u64(dirty_a) : d->cfg.migrate_dirty_bytes;
	op->freeze_timeout_ms = d->cfg.freeze_timeout_ms;
	op->compression = d->cfg.compression;
	op->level = d->cfg.compression_level;
	op->seq_base = job->seq_base;
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = migrate_run;
	op->work.done = migrate_done;
	ckptd_job_claim(d, job, 0, NULL);
	pr_info("migrate job %u to %s (%s) requested by uid %u", job->id, host,
		op->live ? "live pre-copy" : "stop-and-copy", rq->uid);
	ckptd_op_submit(d, rq, &op->work, &op->progress);
}
