// SPDX-License-Identifier: GPL-2.0
/*
 * The job a control request names: its JOB_ID attribute, the registered
 * job of that id, whether the requester may act on it and whether another
 * operation holds it.  Each failure is answered here, so a handler only
 * returns when it gets nothing.
 */
#include <errno.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "jobs/auth.h"
#include "jobs/lookup.h"

uint32_t ckptd_req_job_id(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *a = rq->tb.a[CKPTD_CA_JOB_ID];

	if (!a || !ckptd_ctl_u32(a)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "%s: missing job id (--job ID, 1 or more)",
				  ckptd_ctl_cmd_name(rq->cmd));
		return 0;
	}
	return ckptd_ctl_u32(a);
}

struct ckptd_job *ckptd_req_job(struct ckptd *d, struct ckptd_req *rq)
{
	uint32_t id = ckptd_req_job_id(d, rq);
	struct ckptd_job *job;

	if (!id)
		return NULL;
	job = ckptd_registry_find(&d->reg, id);
	if (!job) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
				  "no job %u; 'ckptctl list' shows the jobs", id);
		return NULL;
	}
	if (!ckptd_may_act(&rq->cred, job)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u belongs to uid %u%s: you (uid %u%s) may act only on your own jobs",
				  id, job->uid, job->uid || (job->flags & CKPTD_JOB_UNPRIV) ? "" : " (root)",
				  rq->uid, rq->uid ? "" : ", without CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN");
		return NULL;
	}
	return job;
}
