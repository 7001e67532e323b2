// SPDX-License-Identifier: GPL-2.0
/*
 * The queries: list and status.  Job state comes from ckpt.ko at the time
 * of the request; the registry says which jobs exist and whose they are.
 */
#include <errno.h>

#include <linux/ckpt.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "jobs/auth.h"
#include "jobs/lookup.h"
#include "ctl/query.h"

static const char *state_name(uint32_t state)
{
	switch (state) {
	case CKPT_JOB_RUNNING: return "running";
	case CKPT_JOB_FREEZING: return "freezing";
	case CKPT_JOB_FROZEN: return "frozen";
	}
	return "?";
}

void ckptd_put_job(struct ckptd *d, struct ckptd_ctl_msg *m,
		   const struct ckptd_job *job, int detail)
{
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	size_t nest = ckptd_ctl_nest_start(m, CKPTD_CA_JOB);
	uint32_t flags = 0;
	int ret = -ENOENT;

	if (job->in_module)
		ret = ckpt_nl_job_get(d->nl, job->id, &kj, &e);
	if (job->flags & CKPTD_JOB_LAUNCHED)
		flags |= CKPTD_F_LAUNCHED;
	if (job->flags & CKPTD_JOB_PIDNS)
		flags |= CKPTD_F_PIDNS;
	ckptd_ctl_put_u32(m, CKPTD_CA_JOB_ID, job->id);
	ckptd_ctl_put_u32(m, CKPTD_CA_OWNER_UID, job->uid);
	ckptd_ctl_put_u32(m, CKPTD_CA_KIND, job->kind);
	ckptd_ctl_put_str(m, CKPTD_CA_STATE,
			  job->busy ? "busy" : ret ? "lost" : state_name(kj.state));
	if (job->kind == CKPT_JOB_CGROUP)
		ckptd_ctl_put_str(m, CKPTD_CA_CGROUP, job->cgroup);
	if (job->pid)
		ckptd_ctl_put_u32(m, CKPTD_CA_PID, job->pid);
	ckptd_ctl_put_u32(m, CKPTD_CA_NR_TASKS, ret ? 0 : kj.nr_tasks);
	ckptd_ctl_put_u32(m, CKPTD_CA_NR_THREADS, ret ? 0 : kj.nr_threads);
	ckptd_ctl_put_u64(m, CKPTD_CA_LAST_SEQ, job->last_seq);
	ckptd_ctl_put_u32(m, CKPTD_CA_FLAGS, flags);
	if (detail && !ret)
		for (unsigned int i = 0; i < kj.nr_task_pids; i++)
			ckptd_ctl_put_u32(m, CKPTD_CA_TASK, kj.task_pids[i]);
	ckptd_ctl_nest_end(m, nest);
	ckpt_kjob_release(&kj);
}

void ckptd_cmd_list(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;

	ckptd_reply_init(&r, rq->seq);
	for (struct ckptd_job *j = d->reg.jobs; j; j = j->next)
		if (ckptd_may_act(&rq->cred, j))
			ckptd_put_job(d, &r.m, j, 0);
	if (r.m.overflow) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EMSGSIZE,
				  "too many jobs for one reply; use 'ckptctl status --job ID'");
		return;
	}
	ckptd_reply_send(d, rq->client_id, &r);
}

void ckptd_cmd_status(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;
	struct ckptd_job *job = ckptd_req_job(d, rq);

	if (!job)
		return;
	ckptd_reply_init(&r, rq->seq);
	ckptd_put_job(d, &r.m, job, 1);
	ckptd_reply_send(d, rq->client_id, &r);
}

