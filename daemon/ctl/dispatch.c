// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatching control requests, and the queries: list and status.  Job
 * state comes from ckpt.ko at the time of the request; the registry says
 * which jobs exist and whose they are.  A freeze, checkpoint or restore
 * of a job spanning hosts goes to cluster/ before any local handler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>

#include "jobs/auth.h"
#include "cluster/ctl.h"
#include "jobs/jobs.h"
#include "log.h"

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

int ckptd_job_to_module(struct ckptd *d, struct ckptd_job *job,
			char *why, size_t size)
{
	struct ckpt_nl_error e;
	int ret;

	ret = ckpt_nl_job_create(d->nl, job->id, job->kind, job->pid,
				 job->kind == CKPT_JOB_CGROUP ? job->cgroup : NULL,
				 job->flags & CKPTD_JOB_PIDNS ? CKPT_JOB_F_OWN_PIDNS : 0,
				 d->cfg.lower_set ? d->cfg.lower_ptrs : NULL,
				 d->cfg.nr_lower, &e);
	if (ret) {
		snprintf(why, size, "ckpt.ko refused job %u: %s%s%s", job->id,
			 strerror(-ret), e.msg[0] ? ": " : "", e.msg);
		return ret;
	}
	job->in_module = 1;
	job->seq_base = CKPTD_SEQ_BASE_UNKNOWN;
	return 0;
}

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
	struct ckpt_nl_error e;
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

void ckptd_handle_request(struct ckptd *d, struct ckptd_req *rq)
{
	static void (*const handlers[__CKPTD_CMD_MAX])(struct ckptd *, struct ckptd_req *) = {
		[CKPTD_CMD_LIST] = ckptd_cmd_list,
		[CKPTD_CMD_STATUS] = ckptd_cmd_status,
		[CKPTD_CMD_RUN] = ckptd_cmd_run,
		[CKPTD_CMD_ATTACH] = ckptd_cmd_attach,
		[CKPTD_CMD_FREEZE] = ckptd_cmd_freeze,
		[CKPTD_CMD_THAW] = ckptd_cmd_thaw,
		[CKPTD_CMD_KILL] = ckptd_cmd_kill,
		[CKPTD_CMD_CHECKPOINT] = ckptd_cmd_checkpoint,
		[CKPTD_CMD_RESTORE] = ckptd_cmd_restore,
		[CKPTD_CMD_MIGRATE] = ckptd_cmd_migrate,
		[CKPTD_CMD_CLUSTER] = ckptd_cmd_cluster,
	};
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];

	if (f && (ckptd_ctl_u32(f) & ~CKPTD_F_ALL)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "bad request: unknown flags 0x%x",
				  ckptd_ctl_u32(f) & ~CKPTD_F_ALL);
		return;
	}
	/* a job spanning hosts: the cluster protocol, never a local handler */
	if (ckptd_cluster_route(d, rq))
		return;
	handlers[rq->cmd](d, rq);
}
