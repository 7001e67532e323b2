// SPDX-License-Identifier: GPL-2.0
/*
 * At start: ckpt.ko destroyed every job of the previous ckptd when its
 * netlink socket closed, so each registered job whose processes still
 * exist is created again, and re-frozen if FREEZE had left it frozen.
 * Jobs whose processes are gone are dropped (their images stay).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/ckpt.h>

#include "err.h"
#include "jobs/module.h"
#include "jobs/persist.h"
#include "jobs/recover.h"
#include "ops/checkpoint.h"
#include "ckptd.h"
#include "log.h"
#include "jobs/proc.h"

/* 1 if @job's processes are still there, else 0 with the reason in @e. */
static int still_there(struct ckptd_job *job, struct ckpt_err *e)
{
	char mnt[256], abs[4400];
	uint64_t start;
	struct stat st;

	if (job->kind == CKPT_JOB_CGROUP) {
		if (ckptd_cgroup_mount(mnt, sizeof(mnt))) {
			ckpt_err_msg(e, "no cgroup2 file system mounted");
			return 0;
		}
		snprintf(abs, sizeof(abs), "%s%s", mnt, job->cgroup);
		if (stat(abs, &st)) {
			ckpt_err_msg(e, "cgroup %s is gone", job->cgroup);
			return 0;
		}
		return 1;
	}
	if (ckptd_proc_starttime(job->pid, &start)) {
		ckpt_err_msg(e, "process %u is gone", job->pid);
		return 0;
	}
	if (start != job->starttime) {
		ckpt_err_msg(e, "pid %u now belongs to another process", job->pid);
		return 0;
	}
	return 1;
}

void ckptd_jobs_recover(struct ckptd *d)
{
	struct ckptd_job *job, *next;
	unsigned int kept = 0, dropped = 0;
	struct ckpt_err why;

	for (job = d->reg.jobs; job; job = next) {
		next = job->next;
		if (!still_there(job, &why)) {
			pr_info("job %u dropped from the registry: %s", job->id, why.msg);
			ckptd_registry_remove(&d->reg, job);
			dropped++;
			continue;
		}
		if (ckptd_job_to_module(d, job, &why)) {
			pr_err("job %u not re-created: %s; 'ckptctl kill --job %u' to forget it",
			       job->id, why.msg, job->id);
			continue;
		}
		kept++;
		if (job->flags & CKPTD_JOB_FROZEN) {
			pr_info("job %u was frozen before the restart: freezing it again", job->id);
			ckptd_refreeze(d, job);
		}
	}
	if (kept || dropped)
		pr_info("registry: %u job(s) re-created, %u dropped", kept, dropped);
	if (dropped)
		ckptd_persist(d, 0, 0, NULL);
}
