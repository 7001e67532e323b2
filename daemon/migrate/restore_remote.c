// SPDX-License-Identifier: GPL-2.0
/*
 * `ckptctl restore --host other [--job ID]`: every frozen job of this
 * host (or the one named) goes to the peer `other`, in this order per job:
 *
 *   1. check    the job id is free there
 *   2. ship     its newest checkpoint and the parents the peer lacks
 *   3. restore  ckpt-restore there (the peer verifies the image and every
 *               file first), and the peer confirms the root runs
 *   4. release  terminate the frozen original here
 *
 * Steps 1-3 run in the ops worker; 4 on the loop.  A job whose step 1-3
 * fails stays frozen here, intact (thawed with --thaw-on-failure); the
 * error names the step and the host.  Connecting (step 0) failing fails
 * every job the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/auth.h"
#include "ops/checkpoint.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "jobs/control.h"
#include "migrate/restore_remote.h"
#include "ckptd.h"
#include "log.h"
#include "migrate/remote.h"
#include "worker.h"

#define JOBS_MAX	256

struct moved_job {
	uint32_t id, uid, gid;
	uint64_t seq;
	int pidns;
	int err;
	char why[1536];
	pid_t pid;			/* the root on the other host */
};

struct remote_op {
	struct ckptd_work work;
	struct ckptd_remote r;
	struct ckptd_cred cred;		/* who asked (auth.h) */
	int thaw_on_failure;
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_progress progress;
	unsigned int nr;
	struct moved_job jobs[];
};

static void step_failed(struct remote_op *op, struct moved_job *j,
			const char *step, const char *why)
{
	char tmp[1200];

	snprintf(tmp, sizeof(tmp), "%s", why);
	snprintf(j->why, sizeof(j->why), "job %u: step '%s' on %s failed: %s",
		 j->id, step, op->r.peer.name, tmp);
}

static void remote_run(struct ckptd_work *w, void *ctx)
{
	struct remote_op *op = (struct remote_op *)w;
	struct ckpt_err ae;
	char why[1200];
	int ret;

	ret = ckptd_remote_open(&op->r, why, sizeof(why));
	for (unsigned int i = 0; i < op->nr; i++) {
		struct moved_job *j = &op->jobs[i];

		if (ret) {
			j->err = ret;
			step_failed(op, j, "connect", why);
			continue;
		}
		/* its members as the user who asks, before anything leaves */
		j->err = ckptd_auth_job(ckptd_ops_nl(ctx), &op->cred, j->id, &ae);
		if (j->err) {
			step_failed(op, j, "authorize", ae.msg);
			continue;
		}
		j->err = ckptd_remote_check_job(&op->r, j->id, why, sizeof(why));
		if (j->err) {
			step_failed(op, j, "check", why);
			continue;
		}
		j->err = ckptd_remote_ship(&op->r, j->id, j->seq, &op->progress, NULL,
					   why, sizeof(why)) ?:
			 ckptd_remote_ship_log(&op->r, j->id, why, sizeof(why));
		if (j->err) {
			char step[64];

			snprintf(step, sizeof(step), "ship checkpoint %llu", (unsigned long long)j->seq);
			step_failed(op, j, step, why);
			/* the peer drops a broken transfer and the connection */
			ckptd_remote_close(&op->r);
			ret = ckptd_remote_open(&op->r, why, sizeof(why));
			continue;
		}
		j->err = ckptd_remote_restore(&op->r, j->id, j->seq, j->uid, j->gid,
					      j->pidns, &j->pid, why, sizeof(why));
		if (j->err)
			step_failed(op, j, "restore", why);
	}
	ckptd_remote_close(&op->r);
}

/* On the loop: release the originals that run elsewhere now. */
static void remote_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct remote_op *op = (struct remote_op *)w;
	char msg[3000] = "";
	size_t len = 0;
	unsigned int failed = 0;
	struct ckpt_err e;

	d->ops_in_flight--;
	ckptd_reply_init(&r, op->seq);
	for (unsigned int i = 0; i < op->nr; i++) {
		struct moved_job *j = &op->jobs[i];
		struct ckptd_job *job = ckptd_registry_find(&d->reg, j->id);
		size_t nest;

		if (job)
			job->busy = 0;
		if (j->err) {
			failed++;
			if (op->thaw_on_failure && job && !ckpt_nl_job_thaw(d->nl, j->id, &e))
				job->flags &= ~CKPTD_JOB_FROZEN;
			pr_err("restore --host %s: %s", op->r.peer.name, j->why);
			len += snprintf(msg + len, len < sizeof(msg) ? sizeof(msg) - len : 0,
					"%s%s; %s", len ? "\n" : "", j->why,
					op->thaw_on_failure ? "the original was thawed here" :
					"the original stays frozen here, intact ('ckptctl thaw' resumes it)");
			continue;
		}
		if (job)
			ckptd_job_terminate(d, job);
		pr_info("job %u restored on %s (root pid %d there), original released",
			j->id, op->r.peer.name, j->pid);
		nest = ckptd_ctl_nest_start(&r.m, CKPTD_CA_JOB);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, j->id);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_HOST, op->r.peer.name);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, j->pid);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, j->seq);
		ckptd_ctl_nest_end(&r.m, nest);
	}
	if (failed)
		ckptd_reply_error(d, op->client_id, op->seq, op->jobs[0].err ?: -ECANCELED,
				  "%s%s", msg, failed < op->nr ? "\n(the other jobs moved)" : "");
	ckptd_persist(d, failed ? 0 : op->client_id, op->seq, failed ? NULL : &r);
	free(op);
}

static int want_job(const struct ckptd_job *j, const struct ckptd_req *rq, uint32_t id)
{
	if (id)
		return j->id == id;
	return (j->flags & CKPTD_JOB_FROZEN) && ckptd_may_act(&rq->cred, j);
}

void ckptd_cmd_restore_remote(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *id_a = rq->tb.a[CKPTD_CA_JOB_ID];
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	const char *host = ckptd_ctl_str(rq->tb.a[CKPTD_CA_HOST]);
	uint32_t id = id_a ? ckptd_ctl_u32(id_a) : 0;
	struct remote_op *op;
	struct ckptd_client *c;
	unsigned int n = 0;
	char why[512];

	if (id && !ckptd_req_job(d, rq))
		return;
	op = calloc(1, sizeof(*op) + JOBS_MAX * sizeof(op->jobs[0]));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	if (ckptd_remote_init(&op->r, &d->cfg, &d->peer_key, host, why, sizeof(why))) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT, "restore --host %s: %s", host, why);
		free(op);
		return;
	}
	for (struct ckptd_job *j = d->reg.jobs; j; j = j->next) {
		struct moved_job *m = &op->jobs[n];
		int err = 0;

		if (!want_job(j, rq, id))
			continue;
		if (j->busy)
			err = snprintf(why, sizeof(why), "job %u is busy with another operation; retry when it completes", j->id);
		else if (!(j->flags & CKPTD_JOB_FROZEN) || !j->last_seq)
			err = snprintf(why, sizeof(why), "job %u is not frozen; 'ckptctl freeze --job %u' first (or 'ckptctl migrate --job %u --to %s')",
				       j->id, j->id, j->id, host);
		else if (j->flags & CKPTD_JOB_UNPRIV)
			err = snprintf(why, sizeof(why), "job %u belongs to uid 0 without capabilities: it cannot move to another host (its owner there would be root); ask root",
				       j->id);
		else if (n == JOBS_MAX)
			err = snprintf(why, sizeof(why), "more than %d frozen jobs; name one with --job", JOBS_MAX);
		if (err) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY, "%s", why);
			free(op);
			return;
		}
		m->id = j->id;
		m->uid = j->uid;
		m->gid = j->gid;
		m->seq = j->last_seq;
		m->pidns = !!(j->flags & CKPTD_JOB_PIDNS);
		n++;
	}
	if (!n) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
				  "no frozen job of yours on this host; 'ckptctl freeze --job ID' first");
		free(op);
		return;
	}
	op->nr = n;
	op->cred = rq->cred;
	op->thaw_on_failure = f_a && (ckptd_ctl_u32(f_a) & CKPTD_F_THAW_ON_FAILURE);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = remote_run;
	op->work.done = remote_done;
	for (unsigned int i = 0; i < n; i++)
		ckptd_registry_find(&d->reg, op->jobs[i].id)->busy = 1;
	c = ckptd_client_find(d, rq->client_id);
	if (c) {
		c->progress = &op->progress;
		c->progress_seq = rq->seq;
	}
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}
