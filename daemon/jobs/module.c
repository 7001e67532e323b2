// SPDX-License-Identifier: GPL-2.0
/*
 * A registered job's counterpart in ckpt.ko: creating it there, with the
 * job's kind, anchor, flags and the configured lower namespaces.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ckpt.h>

#include "ckptd.h"
#include "jobs/module.h"

int ckptd_job_to_module(struct ckptd *d, struct ckptd_job *job,
			struct ckpt_err *e)
{
	struct ckpt_err ne;
	int ret;

	ret = ckpt_nl_job_create(d->nl, job->id, job->kind, job->pid,
				 job->kind == CKPT_JOB_CGROUP ? job->cgroup : NULL,
				 job->flags & CKPTD_JOB_PIDNS ? CKPT_JOB_F_OWN_PIDNS : 0,
				 d->cfg.lower_set ? d->cfg.lower_ptrs : NULL,
				 d->cfg.nr_lower, &ne);
	if (ret) {
		return ckpt_err_set(e, ret, "ckpt.ko refused job %u: %s%s%s", job->id,
				    strerror(-ret), ne.msg[0] ? ": " : "", ne.msg);
	}
	job->in_module = 1;
	job->seq_base = CKPTD_SEQ_BASE_UNKNOWN;
	return 0;
}

