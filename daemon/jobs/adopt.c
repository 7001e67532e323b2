// SPDX-License-Identifier: GPL-2.0
/*
 * Adopting a restored job: after ckpt-restore brought a job up (here, or
 * received from another host), it becomes a job of this ckptd again, a
 * process tree anchored at its restored root, so that it can be
 * checkpointed, frozen and moved on like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ckpt.h>

#include "err.h"
#include "jobs/module.h"
#include "jobs/persist.h"
#include "jobs/adopt.h"
#include "ckptd.h"
#include "log.h"
#include "jobs/proc.h"
#include "ops/restorer.h"

int ckptd_job_adopt(struct ckptd *d, const struct ckptd_adopt *a,
		    struct ckpt_err *e)
{
	struct ckptd_job *job = ckptd_registry_find(&d->reg, a->id);
	uint64_t start = 0;
	int ret;

	if (job) {
		struct ckpt_kjob kj = { 0 };
		struct ckpt_err ne;
		int alive = job->in_module && !ckpt_nl_job_get(d->nl, job->id, &kj, &ne) &&
			    kj.nr_tasks > 0;

		ckpt_kjob_release(&kj);
		if (alive)
			return ckpt_err_set(e, EEXIST, "job %u is registered here already; the restored processes (root pid %d) run unmanaged",
					    a->id, a->root_pid);
		/* the registered job is the one that was killed: replace it */
		if (job->in_module)
			ckpt_nl_job_destroy(d->nl, job->id, &ne);
		ckptd_registry_remove(&d->reg, job);
	}
	ret = ckptd_proc_starttime(a->root_pid, &start);
	if (ret) {
		return ckpt_err_set(e, ret, "the restored root pid %d of job %u is gone", a->root_pid, a->id);
	}
	job = ckptd_registry_add(&d->reg, a->id);
	if (!job)
		return ckpt_err_set(e, ENOMEM, "ckptd is out of memory");
	job->uid = a->uid;
	job->gid = a->gid;
	job->kind = CKPT_JOB_TREE;
	job->pid = a->root_pid;
	job->starttime = start;
	job->last_seq = a->last_seq;
	job->flags = (a->pidns ? CKPTD_JOB_PIDNS : 0) | (a->owner_flags & CKPTD_JOB_UNPRIV);
	ret = ckptd_job_to_module(d, job, e);
	if (ret) {
		ckptd_registry_remove(&d->reg, job);
		return ret;
	}
	pr_info("job %u adopted: restored root pid %d (owner uid %u)", a->id,
		a->root_pid, a->uid);
	ckptd_persist(d, 0, 0, NULL);
	return 0;
}
