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
#include "jobs/control.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "log.h"
#include "migrate/remote.h"
#include "ops/dump.h"
#include "ops/op.h"

#define JOBS_MAX	256

struct moved_job {
	uint32_t id, uid, gid;
	uint64_t seq;
	int pidns;
	struct ckpt_err err;
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

/* "job 5: step 'ship checkpoint 3' on beta failed: <@e>" as @j's error. */
static void step_failed(struct remote_op *op, struct moved_job *j, const char *step,
			const struct ckpt_err *e)
{
	ckpt_err_set(&j->err, e->errnum, "job %u: step '%s' on %s failed: %s", j->id, step,
		     op->r.peer.name, e->msg);
}

static void remote_run(struct ckptd_work *w, void *ctx)
{
	struct remote_op *op = (struct remote_op *)w;
	struct ckpt_err conn, e;
	char step[64];
	int ret;

	ret = ckptd_remote_open(&op->r, &conn);
	for (unsigned int i = 0; i < op->nr; i++) {
		struct moved_job *j = &op->jobs[i];

		if (ret) {
			step_failed(op, j, "connect", &conn);
			continue;
		}
		/* its members as the user who asks, before anything leaves */
		if (ckptd_dump_auth(ctx, &op->cred, j->id, &e)) {
			step_failed(op, j, "authorize", &e);
			continue;
		}
		if (ckptd_remote_check_job(&op->r, j->id, &e)) {
			step_failed(op, j, "check", &e);
			continue;
		}
		if (ckptd_remote_ship(&op->r, j->id, j->seq, &op->progress, NULL, &e) ||
		    ckptd_remote_ship_log(&op->r, j->id, &e)) {
			ckpt_fmt(step, sizeof(step), "ship checkpoint %llu", (unsigned long long)j->seq);
			step_failed(op, j, step, &e);
			/* the peer drops a broken transfer and the connection */
			ckptd_remote_close(&op->r);
			ret = ckptd_remote_open(&op->r, &conn);
			continue;
		}
		if (ckptd_remote_restore(&op->r, j->id, j->seq, j->uid, j->gid, j->pidns, &j->pid, &e))
			step_failed(op, j, "restore", &e);
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

	ckptd_op_done(d);
	ckptd_reply_init(&r, op->seq);
	for (unsigned int i = 0; i < op->nr; i++) {
		struct moved_job *j = &op->jobs[i];
		struct ckptd_job *job = ckptd_job_release(d, j->id, NULL);
		size_t nest;

		if (j->err.errnum) {
			failed++;
			if (op->thaw_on_failure && job && !ckpt_nl_job_thaw(d->nl, j->id, &e))
				job->flags &= ~CKPTD_JOB_FROZEN;
			pr_err("restore --host %s: %s", op->r.peer.name, j->err.msg);
			len += snprintf(msg + len, len < sizeof(msg) ? sizeof(msg) - len : 0,
					"%s%s; %s", len ? "\n" : "", j->err.msg,
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
		ckptd_reply_error(d, op->client_id, op->seq, -op->jobs[0].err.errnum ?: -ECANCELED,
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
	unsigned int n = 0;
	struct ckpt_err e;

	if (id && !ckptd_req_job(d, rq))
		return;
	op = calloc(1, sizeof(*op) + JOBS_MAX * sizeof(op->jobs[0]));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	if (ckptd_remote_init(&op->r, &d->cfg, &d->peer_key, host, &e)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT, "restore --host %s: %s", host, e.msg);
		free(op);
		return;
	}
	for (struct ckptd_job *j = d->reg.jobs; j; j = j->next) {
		struct moved_job *m = &op->jobs[n];
		int err;

		if (!want_job(j, rq, id))
			continue;
		err = ckptd_job_claim(d, j, CKPTD_CLAIM_CHECK, &e);
		if (!err && (!(j->flags & CKPTD_JOB_FROZEN) || !j->last_seq))
			err = ckpt_err_set(&e, EBUSY, "job %u is not frozen; 'ckptctl freeze --job %u' first (or 'ckptctl migrate --job %u --to %s')",
					   j->id, j->id, j->id, host);
		else if (!err && (j->flags & CKPTD_JOB_UNPRIV))
			err = ckpt_err_set(&e, EBUSY, "job %u belongs to uid 0 without capabilities: it cannot move to another host (its owner there would be root); ask root",
					   j->id);
		else if (!err && n == JOBS_MAX)
			err = ckpt_err_set(&e, EBUSY, "more than %d frozen jobs; name one with --job", JOBS_MAX);
		if (err) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY, "%s", e.msg);
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
		ckptd_job_claim(d, ckptd_registry_find(&d->reg, op->jobs[i].id), 0, NULL);
	ckptd_op_submit(d, rq, &op->work, &op->progress);
}
