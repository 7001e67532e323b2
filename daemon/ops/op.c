// SPDX-License-Identifier: GPL-2.0
/* Submitting an operation to the ops worker, releasing its job (op.h). */
#include "ops/op.h"

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
