// SPDX-License-Identifier: GPL-2.0
/* attach, thaw and kill: the quick job requests, answered on the loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "jobs/auth.h"
#include "cluster/kill.h"
#include "jobs/lookup.h"
#include "jobs/module.h"
#include "jobs/persist.h"
#include "ctl/query.h"
#include "jobs/claim.h"
#include "jobs/control.h"
#include "log.h"
#include "jobs/proc.h"
#include "jobs/registry.h"
#include "kmod_nl.h"

void ckptd_cmd_attach(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;
	const struct ckptd_ctl_attr *kind_a = rq->tb.a[CKPTD_CA_KIND];
	const struct ckptd_ctl_attr *pid_a = rq->tb.a[CKPTD_CA_PID];
	const struct ckptd_ctl_attr *cg_a = rq->tb.a[CKPTD_CA_CGROUP];
	uint32_t id = ckptd_req_job_id(d, rq), kind;
	struct ckpt_err why;
	char mnt[256], abs[4400];
	struct ckptd_job *job;
	uint64_t start = 0;
	int ret;

	if (!id)
		return;
	kind = kind_a ? ckptd_ctl_u32(kind_a) : 0;
	if (kind < CKPT_JOB_TREE || kind > CKPT_JOB_KIND_MAX ||
	    (kind == CKPT_JOB_CGROUP ? !cg_a || pid_a : !pid_a || cg_a)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "attach: give --pid P (with --tree, --pgid or --session) or --cgroup PATH");
		return;
	}
	if (ckptd_registry_find(&d->reg, id)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EEXIST,
				  "job %u exists already; pick another id or 'ckptctl kill --job %u'",
				  id, id);
		return;
	}
	if (kind == CKPT_JOB_CGROUP) {
		const char *path = ckptd_ctl_str(cg_a);

		if (path[0] != '/' || strlen(path) >= sizeof(job->cgroup) ||
		    strstr(path, "/..")) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
					  "cgroup '%s': give the path below the cgroup2 root, e.g. /jobs/42",
					  path);
			return;
		}
		if (ckptd_cgroup_mount(mnt, sizeof(mnt))) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
					  "no cgroup2 file system is mounted; mount it on /sys/fs/cgroup");
			return;
		}
		snprintf(abs, sizeof(abs), "%s%s", mnt, path);
		ret = ckptd_may_attach_cgroup(&rq->cred, abs, &why);
	} else {
		ret = ckptd_may_attach_pid(&rq->cred, ckptd_ctl_u32(pid_a), &why);
		if (!ret)
			ret = ckptd_proc_starttime(ckptd_ctl_u32(pid_a), &start);
		if (ret == -ESRCH)
			ckpt_err_set(&why, ret, "no process %u; check the pid",
				     ckptd_ctl_u32(pid_a));
	}
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "attach job %u: %s", id, why.msg);
		return;
	}
	job = ckptd_registry_add(&d->reg, id);
	if (!job) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	job->uid = rq->uid;
	job->gid = rq->gid;
	job->flags |= ckptd_cred_job_flags(&rq->cred);
	job->kind = kind;
	if (kind == CKPT_JOB_CGROUP) {
		snprintf(job->cgroup, sizeof(job->cgroup), "%s", ckptd_ctl_str(cg_a));
	} else {
		job->pid = ckptd_ctl_u32(pid_a);
		job->starttime = start;
	}
	ret = ckptd_job_to_module(d, job, &why);
	/* the anchor and every member there is now, as the kernel sees them */
	if (!ret) {
		ret = ckptd_auth_job(d->nl, &rq->cred, id, &why);
		if (ret) {
			struct ckpt_err e;

			if (ckpt_nl_job_destroy(d->nl, id, &e))
				pr_warn("job %u: destroying it in ckpt.ko: %s", id, e.msg);
			pr_info("attach of job %u by uid %u refused: %s", id, rq->uid, why.msg);
		}
	}
	if (ret) {
		ckptd_registry_remove(&d->reg, job);
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "%s", why.msg);
		return;
	}
	pr_info("job %u attached by uid %u", id, rq->uid);
	ckptd_reply_init(&r, rq->seq);
	ckptd_put_job(d, &r.m, job, 0);
	ckptd_persist(d, rq->client_id, rq->seq, &r);
}

void ckptd_cmd_thaw(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;
	struct ckptd_job *job = ckptd_req_job(d, rq);
	struct ckpt_err e;
	int ret;

	if (!job || ckptd_job_claim_req(d, rq, job, CKPTD_CLAIM_CHECK))
		return;
	ret = ckpt_nl_job_thaw(d->nl, job->id, &e);
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "thaw job %u: %s%s%s",
				  job->id, ret == -EALREADY ? "it is not frozen" : strerror(-ret),
				  e.msg[0] && ret != -EALREADY ? ": " : "",
				  ret != -EALREADY ? e.msg : "");
		return;
	}
	pr_info("job %u thawed by uid %u", job->id, rq->uid);
	job->flags &= ~CKPTD_JOB_FROZEN;
	ckptd_reply_init(&r, rq->seq);
	ckptd_put_job(d, &r.m, job, 0);
	ckptd_persist(d, rq->client_id, rq->seq, &r);
}

void ckptd_rmdir_later(struct ckptd *d, const char *path)
{
	char **v = realloc(d->rmdir_pending,
			   (d->nr_rmdir_pending + 1) * sizeof(*v));

	if (!v)
		return;
	d->rmdir_pending = v;
	v[d->nr_rmdir_pending] = strdup(path);
	if (v[d->nr_rmdir_pending])
		d->nr_rmdir_pending++;
}

void ckptd_rmdir_retry(struct ckptd *d)
{
	unsigned int i = 0;

	while (i < d->nr_rmdir_pending) {
		char *p = d->rmdir_pending[i];

		if (!rmdir(p) || errno == ENOENT) {
			free(p);
			d->rmdir_pending[i] = d->rmdir_pending[--d->nr_rmdir_pending];
		} else {
			i++;
		}
	}
}

unsigned int ckptd_job_terminate(struct ckptd *d, struct ckptd_job *job)
{
	struct ckpt_err e;
	struct ckpt_kjob kj;
	char mnt[256], abs[4400];
	unsigned int killed = 0;
	uint32_t id = job->id;

	if (job->in_module)
		ckptd_cluster_quiet_kill(d, id);	/* no FIN/RST (cluster.h) */
	if (job->kind == CKPT_JOB_CGROUP && !ckptd_cgroup_mount(mnt, sizeof(mnt))) {
		snprintf(abs, sizeof(abs), "%s%s", mnt, job->cgroup);
		if (ckptd_cgroup_kill(abs))
			pr_warn("job %u: cgroup.kill of %s: %s", id, abs, strerror(errno));
	}
	/* members as the module sees them: SIGKILL ends frozen tasks too */
	if (job->in_module && !ckpt_nl_job_get(d->nl, id, &kj, &e)) {
		for (unsigned int i = 0; i < kj.nr_task_pids; i++)
			if (!kill(kj.task_pids[i], SIGKILL))
				killed++;
		ckpt_kjob_release(&kj);
	}
	if (job->in_module && ckpt_nl_job_destroy(d->nl, id, &e))
		pr_warn("job %u: destroying it in ckpt.ko: %s", id, e.msg);
	if ((job->flags & CKPTD_JOB_LAUNCHED) && !ckptd_cgroup_mount(mnt, sizeof(mnt))) {
		snprintf(abs, sizeof(abs), "%s%s", mnt, job->cgroup);
		if (rmdir(abs))
			ckptd_rmdir_later(d, abs);	/* members still exiting */
	}
	ckptd_registry_remove(&d->reg, job);
	return killed;
}

void ckptd_cmd_kill(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;
	struct ckptd_job *job = ckptd_req_job(d, rq);
	unsigned int killed;
	struct ckpt_err why;
	uint32_t id;
	int ret;

	if (!job || ckptd_job_claim_req(d, rq, job, CKPTD_CLAIM_CHECK))
		return;
	/* SIGKILL from root: only to members the user could signal itself */
	ret = ckptd_auth_job(d->nl, &rq->cred, job->id, &why);
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "kill: %s", why.msg);
		return;
	}
	id = job->id;
	killed = ckptd_job_terminate(d, job);
	pr_info("job %u killed by uid %u (%u processes)", id, rq->uid, killed);
	ckptd_reply_init(&r, rq->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, id);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_NR_TASKS, killed);
	ckptd_persist(d, rq->client_id, rq->seq, &r);
}
