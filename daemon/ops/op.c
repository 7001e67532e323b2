// SPDX-License-Identifier: GPL-2.0
/* Claiming a job for an operation, submitting it, releasing it (op.h). */
#include <errno.h>

#include "kmod_nl.h"
#include "ops/op.h"

int ckptd_job_claim(struct ckptd *d, struct ckptd_job *job, unsigned int flags,
		    struct ckpt_err *err)
{
	if (job->busy)
		return ckpt_err_set(err, EBUSY,
				    "job %u is busy with another operation on %s; retry when it completes",
				    job->id, d->cfg.node_name);
	if ((flags & CKPTD_CLAIM_MODULE) && !job->in_module)
		return ckpt_err_set(err, ENOENT,
				    "job %u on %s is not known to ckpt.ko (lost at a restart); kill it and attach again",
				    job->id, d->cfg.node_name);
	if ((flags & CKPTD_CLAIM_RUNNING) && (job->flags & CKPTD_JOB_FROZEN))
		return ckpt_err_set(err, EALREADY,
				    "job %u is frozen already (image %llu); 'ckptctl thaw --job %u' first",
				    job->id, (unsigned long long)job->last_seq, job->id);
	if (!(flags & CKPTD_CLAIM_CHECK))
		job->busy = 1;
	return 0;
}

int ckptd_job_claim_req(struct ckptd *d, struct ckptd_req *rq, struct ckptd_job *job,
			unsigned int flags)
{
	struct ckpt_err err;
	int ret = ckptd_job_claim(d, job, flags, &err);

	if (ret)
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "%s", err.msg);
	return ret;
}

unsigned int ckptd_job_runs(struct ckptd *d, const struct ckptd_job *job)
{
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	unsigned int n = 0;

	if (job->in_module && !ckpt_nl_job_get(d->nl, job->id, &kj, &e))
		n = kj.nr_tasks;
	ckpt_kjob_release(&kj);
	return n;
}

struct ckptd_job *ckptd_job_release(struct ckptd *d, uint32_t id,
				    const struct ckptd_op_end *end)
{
	struct ckptd_job *job = ckptd_registry_find(&d->reg, id);

	if (!job)
		return NULL;
	job->busy = 0;
	if (!end)
		return job;
	job->seq_base = end->seq_base;
	if (end->frozen)
		job->flags |= CKPTD_JOB_FROZEN;
	else
		job->flags &= ~CKPTD_JOB_FROZEN;
	if (end->last_seq)
		job->last_seq = end->last_seq;
	return job;
}

void ckptd_op_submit(struct ckptd *d, struct ckptd_req *rq, struct ckptd_work *w,
		     struct ckptd_progress *progress)
{
	struct ckptd_client *c = rq && progress ? ckptd_client_find(d, rq->client_id) : NULL;

	if (c) {
		c->progress = progress;
		c->progress_seq = rq->seq;
	}
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, w);
}

void ckptd_op_done(struct ckptd *d)
{
	d->ops_in_flight--;
}

enum ckptd_capture_action ckptd_req_unsupported(uint32_t flags)
{
	return flags & CKPTD_F_UNSUP_CLOSE ? CKPTD_CAPTURE_CLOSE :
	       flags & CKPTD_F_UNSUP_DEVNULL ? CKPTD_CAPTURE_DEVNULL :
	       CKPTD_CAPTURE_FAIL;
}
