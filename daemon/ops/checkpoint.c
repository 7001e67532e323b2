// SPDX-License-Identifier: GPL-2.0
/*
 * freeze and checkpoint of a job of this host (FREEZE, CHECKPOINT), and
 * the re-freeze at start of a job that was frozen before a restart; in
 * the ops worker, on the one dump path (dump.h):
 *
 *   a running job: the pre-copy while it runs, the freeze, the dump of
 *   what changed since with the capture of its members, the image
 *   committed, ckpt.ko's commit; then checkpoint thaws it, freeze leaves
 *   it frozen
 *   a job FREEZE left frozen: its members checked, one dump; it stays
 *   frozen
 *
 * Jobs spanning hosts never come here: ctl/dispatch.c routes them to
 * cluster/ first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ckpt.h>

#include "jobs/auth.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "log.h"
#include "ops/dump.h"
#include "ops/op.h"

enum op_kind { OP_FREEZE, OP_CHECKPOINT, OP_REFREEZE };

struct ckpt_op {
	struct ckptd_work work;
	enum op_kind kind;
	struct ckptd_freeze fz;
	struct ckptd_cred cred;	/* who asked: the members are checked as it */
	struct ckptd_dump dp;
	char store[PATH_MAX];
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_progress progress;
	/* results */
	struct ckpt_err err;
	int frozen;		/* the job is frozen when the operation ends */
};

static void op_run(struct ckptd_work *w, void *ctx)
{
	struct ckpt_op *op = (struct ckpt_op *)w;
	struct ckpt_kjob kj = { 0 };

	op->frozen = op->fz.already_frozen;
	if (op->kind == OP_REFREEZE || op->fz.already_frozen) {
		/* a re-freeze; or the members of a frozen job, checked */
		if (ckptd_dump_freeze(ctx, &op->fz, &kj, &op->err))
			goto out;
		op->frozen = 1;
		if (op->kind == OP_REFREEZE)
			goto out;
		op->dp.frozen = &kj;
	} else {
		op->dp.freeze = &op->fz;
		op->dp.kj = &kj;
		op->dp.thaw = op->kind == OP_CHECKPOINT;
	}
	ckptd_dump(ctx, &op->dp, &op->err);
	op->frozen = op->dp.is_frozen;
out:
	ckpt_kjob_release(&kj);
}

/* Where the time went, for the reply (ckptctl --json "stages"). */
static void put_stages(struct ckptd_ctl_msg *m, const struct ckptd_dump *dp)
{
	const struct ckptd_dump_stages *st = &dp->st;

	ckptd_ctl_put_u64(m, CKPTD_CA_FROZEN_US, st->frozen_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_MARK_US, st->mark_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_FREEZE_US, st->freeze_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_PRECOPY_US, st->precopy_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_DUMP_US, st->dump_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_CAPTURE_US, st->capture_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_WRITE_US, st->write_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_COMMIT_US, st->commit_us);
	ckptd_ctl_put_u64(m, CKPTD_CA_STAGE_THAW_US, st->thaw_us);
	ckptd_ctl_put_str(m, CKPTD_CA_DIRTY_TRACKING, dp->dirty_tracking);
	if (dp->precopy_tracking)
		ckptd_ctl_put_str(m, CKPTD_CA_PRECOPY_TRACKING, dp->precopy_tracking);
	ckptd_ctl_put_u64(m, CKPTD_CA_PRECOPY_PAGES, dp->precopy_pages);
	ckptd_ctl_put_u64(m, CKPTD_CA_FINAL_PAGES, dp->final_pages);
}

static void op_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct ckpt_op *op = (struct ckpt_op *)w;
	static const char *const names[] = { "freeze", "checkpoint", "refreeze" };
	int ok = !op->err.errnum;
	struct ckptd_op_end end = {
		.seq_base = op->dp.seq_base, .frozen = op->frozen,
		.last_seq = ok && op->kind != OP_REFREEZE ? op->dp.seq : 0,
	};
	struct ckptd_job *job = ckptd_job_release(d, op->fz.job_id, &end);

	ckptd_op_done(d);
	if (!ok) {
		pr_err("%s: %s", names[op->kind], op->err.msg);
		ckptd_reply_error(d, op->client_id, op->seq, -op->err.errnum, "%s", op->err.msg);
		if (job)
			ckptd_persist(d, 0, 0, NULL);
		free(op);
		return;
	}
	if (op->kind != OP_REFREEZE)
		pr_info("job %u: %s %llu written to %s (%llu bytes, %llu before compression; %s %.1f ms: dump %.1f, capture %.1f, write %.1f, commit %.1f; pre-copy of %llu pages in %.1f ms while it ran)%s",
			op->fz.job_id, names[op->kind], (unsigned long long)op->dp.seq,
			op->dp.dir, (unsigned long long)op->dp.bytes,
			(unsigned long long)op->dp.raw_bytes,
			op->frozen ? "frozen so far" : "frozen", op->dp.st.frozen_us / 1000.0,
			op->dp.st.dump_us / 1000.0, op->dp.st.capture_us / 1000.0,
			op->dp.st.write_us / 1000.0, op->dp.st.commit_us / 1000.0,
			(unsigned long long)op->dp.precopy_pages, op->dp.st.precopy_us / 1000.0,
			op->frozen ? ", job frozen" : "");
	ckptd_reply_init(&r, op->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->fz.job_id);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->dp.seq);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_BYTES, op->dp.bytes);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->dp.dir);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_STATE, op->frozen ? "frozen" : "running");
	if (op->kind != OP_REFREEZE)
		put_stages(&r.m, &op->dp);
	if (job)
		ckptd_persist(d, op->client_id, op->seq, &r);
	else
		ckptd_reply_send(d, op->client_id, &r);
	free(op);
}

/* On the loop, with @job claimed: the operation to the ops worker. */
static void submit(struct ckptd *d, struct ckptd_req *rq, struct ckptd_job *job,
		   enum op_kind kind, uint32_t flags)
{
	struct ckpt_op *op = calloc(1, sizeof(*op));

	if (!op) {
		ckptd_job_release(d, job->id, NULL);
		if (rq)
			ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->kind = kind;
	if (rq)
		op->cred = rq->cred;
	else
		ckptd_cred_of_owner(job, &op->cred);
	op->fz = (struct ckptd_freeze){
		.job_id = job->id, .cred = &op->cred,
		.timeout_ms = d->cfg.freeze_timeout_ms,
		.already_frozen = !!(job->flags & CKPTD_JOB_FROZEN) && kind != OP_REFREEZE,
	};
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	op->dp = (struct ckptd_dump){
		.job_id = job->id, .uid = job->uid, .gid = job->gid,
		.flags = flags & CKPTD_F_INCREMENTAL ? CKPT_DUMP_INCREMENTAL : 0,
		.cred = &op->cred, .unsupported = ckptd_req_unsupported(flags),
		.store = op->store, .keep = d->cfg.keep,
		.compression = d->cfg.compression, .level = d->cfg.compression_level,
		.progress = &op->progress, .seq_base = job->seq_base,
	};
	op->work.run = op_run;
	op->work.done = op_done;
	if (rq) {
		op->client_id = rq->client_id;
		op->seq = rq->seq;
	}
	ckptd_op_submit(d, rq, &op->work, &op->progress);
}

/* The job of the request, claimed for a freeze or a checkpoint. */
static struct ckptd_job *claim(struct ckptd *d, struct ckptd_req *rq, unsigned int flags)
{
	struct ckptd_job *job = ckptd_req_job(d, rq);

	return job && !ckptd_job_claim_req(d, rq, job, CKPTD_CLAIM_MODULE | flags) ? job : NULL;
}

/* The request's flags that a freeze or a checkpoint takes. */
static uint32_t op_flags(const struct ckptd_req *rq, uint32_t allowed)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];

	return f ? ckptd_ctl_u32(f) & allowed : 0;
}

void ckptd_cmd_freeze(struct ckptd *d, struct ckptd_req *rq)
{
	struct ckptd_job *job = claim(d, rq, CKPTD_CLAIM_RUNNING);

	if (job)
		submit(d, rq, job, OP_FREEZE,
		       op_flags(rq, CKPTD_F_UNSUP_CLOSE | CKPTD_F_UNSUP_DEVNULL));
}

void ckptd_cmd_checkpoint(struct ckptd *d, struct ckptd_req *rq)
{
	struct ckptd_job *job = claim(d, rq, 0);

	if (job)
		submit(d, rq, job, OP_CHECKPOINT,
		       op_flags(rq, CKPTD_F_INCREMENTAL | CKPTD_F_UNSUP_CLOSE |
				    CKPTD_F_UNSUP_DEVNULL));
}

void ckptd_refreeze(struct ckptd *d, struct ckptd_job *job)
{
	if (!ckptd_job_claim(d, job, 0, NULL))
		submit(d, NULL, job, OP_REFREEZE, 0);
}
