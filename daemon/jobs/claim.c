// SPDX-License-Identifier: GPL-2.0
/* The one "job is busy" guard: claiming a job for an operation (claim.h). */
#include <errno.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "jobs/claim.h"
#include "jobs/registry.h"
#include "kmod_nl.h"

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
