// SPDX-License-Identifier: GPL-2.0
/*
 * restore on this host (RESTORE): who may restore the job (restore.h),
 * then in the ops worker (verification reads the whole image) pick the
 * image (the newest committed one of the job, or --seq N), verify it with
 * the image library, run the restorer (restorer.h) and report its own
 * error; on the loop, adopt the restored job.  RESTORE --host goes to
 * migrate/restore_remote.c, a job spanning hosts to cluster/ (routed by
 * ctl/dispatch.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "jobs/auth.h"
#include "jobs/adopt.h"
#include "jobs/lookup.h"
#include "jobs/store_owner.h"
#include "log.h"
#include "ops/op.h"
#include "ops/restore.h"
#include "ops/restorer.h"
#include "store_list.h"

struct restore_op {
	struct ckptd_work work;
	uint32_t job_id;
	uint64_t want_seq;		/* 0: the newest */
	int pidns;
	char store[PATH_MAX];
	char restorer[PATH_MAX];
	uint64_t client_id;
	uint32_t seq;
	/* results */
	struct ckpt_err err;
	uint64_t img_seq;
	char dir[PATH_MAX + 64];
	struct ckptd_restored restored;
	struct ckptd_restore_who who;	/* the owner of the adopted job */
};

static int pick_image(struct restore_op *op)
{
	struct ckptd_store_entry *v;
	struct ckpt_err *e = &op->err;
	size_t n;
	int ret = ckptd_store_list(op->store, op->job_id, &v, &n, e);

	if (ret) {
		e->errnum = -ret;	/* the image library leaves it to us */
		return ret;
	}
	if (!n) {
		ret = ckpt_err_set(e, ENOENT,
				   "job %u has no committed checkpoint in %s; 'ckptctl checkpoint --job %u' first",
				   op->job_id, op->store, op->job_id);
	} else if (op->want_seq) {
		ret = -ENOENT;
		for (size_t i = 0; i < n; i++)
			if (v[i].seq == op->want_seq && !v[i].predump)
				ret = 0;
		if (ret)
			ckpt_err_set(e, ENOENT,
				     "job %u has no committed checkpoint %llu; 'ckptctl image ls %u' lists them",
				     op->job_id, (unsigned long long)op->want_seq, op->job_id);
		op->img_seq = op->want_seq;
	} else {
		/* the newest that is not a pre-dump of a migration */
		while (n && v[n - 1].predump)
			n--;
		if (!n)
			ret = ckpt_err_set(e, ENOENT,
					   "job %u has only pre-dumps of an unfinished migration in %s, no checkpoint to restore",
					   op->job_id, op->store);
		op->img_seq = n ? v[n - 1].seq : 0;
	}
	free(v);
	if (!ret && ckptd_image_path(op->dir, sizeof(op->dir), op->store, op->job_id,
				     op->img_seq))
		ret = ckpt_err_set(e, ENAMETOOLONG, "image store path %s is too long", op->store);
	return ret;
}

static int verify(struct restore_op *op)
{
	struct ckptd_image *img;
	int ret = ckptd_image_open(op->dir, &img, &op->err);

	if (!ret) {
		ret = ckptd_image_verify(img, &op->err);
		ckptd_image_close(img);
	}
	if (ret) {
		op->err.errnum = -ret;	/* the image library leaves it to us */
		ckpt_err_prefix(&op->err, "image %s fails verification, not restoring it", op->dir);
	}
	return ret;
}

static void restore_run(struct ckptd_work *w, void *ctx)
{
	struct restore_op *op = (struct restore_op *)w;

	(void)ctx;
	if (!pick_image(op) && !verify(op))
		ckptd_run_restorer(op->restorer, op->dir, op->pidns ? CKPTD_RESTORE_PIDNS : 0,
				   &op->restored, &op->err);
}

static void restore_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct restore_op *op = (struct restore_op *)w;

	ckptd_op_done(d);
	ckptd_job_release(d, op->job_id, NULL);
	if (op->err.errnum) {
		pr_err("restore of job %u: %s", op->job_id, op->err.msg);
		ckptd_reply_error(d, op->client_id, op->seq, -op->err.errnum, "%s", op->err.msg);
	} else {
		pr_info("job %u restored from %s, root pid %d", op->job_id, op->dir,
			op->restored.root_pid);
		ckptd_restore_adopt(d, &op->who, op->pidns, &op->restored, op->img_seq);
		ckptd_reply_init(&r, op->seq);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, op->restored.root_pid);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->img_seq);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->dir);
		ckptd_reply_send(d, op->client_id, &r);
	}
	free(op);
}

int ckptd_restore_allowed(struct ckptd *d, struct ckptd_req *rq,
			  struct ckptd_restore_who *who)
{
	uid_t owner = 0;
	gid_t group = 0;

	memset(who, 0, sizeof(*who));
	who->id = ckptd_req_job_id(d, rq);
	if (!who->id)
		return -EINVAL;
	/* images outlive their job; without it only root may restore them */
	if (ckptd_registry_find(&d->reg, who->id)) {
		who->job = ckptd_req_job(d, rq);
		if (!who->job)
			return -EPERM;
		if (ckptd_job_claim_req(d, rq, who->job, 0))
			return -EBUSY;
		who->uid = who->job->uid;
		who->gid = who->job->gid;
		who->owner_flags = who->job->flags;
		return 0;
	}
	if (!rq->cred.privileged &&
	    (ckptd_store_owner(d->cfg.image_store, who->id, &owner, &group) ||
	     owner != rq->uid || owner == 0)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u is not registered and its checkpoints are not yours; only root may restore them",
				  who->id);
		return -EPERM;
	}
	who->uid = rq->uid;
	who->gid = rq->cred.privileged ? rq->gid : group;
	who->owner_flags = ckptd_cred_job_flags(&rq->cred);
	return 0;
}

void ckptd_restore_adopt(struct ckptd *d, const struct ckptd_restore_who *who, int pidns,
			 const struct ckptd_restored *res, uint64_t seq)
{
	struct ckptd_adopt a = {
		.id = who->id, .uid = who->uid, .gid = who->gid,
		.owner_flags = who->owner_flags, .root_pid = res->root_pid,
		.pidns = pidns || res->pidns, .last_seq = seq,
	};
	struct ckpt_err e;

	if (ckptd_job_adopt(d, &a, &e))
		pr_warn("job %u: %s", who->id, e.msg);
}

void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *seq_a = rq->tb.a[CKPTD_CA_SEQ];
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	struct ckptd_restore_who who;
	struct restore_op *op;

	if (ckptd_restore_allowed(d, rq, &who))
		return;
	op = calloc(1, sizeof(*op));
	if (!op) {
		ckptd_job_release(d, who.id, NULL);
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->job_id = who.id;
	op->want_seq = seq_a ? ckptd_ctl_u64(seq_a) : 0;
	op->pidns = f_a && (ckptd_ctl_u32(f_a) & CKPTD_F_PIDNS);
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	snprintf(op->restorer, sizeof(op->restorer), "%s", d->cfg.restorer);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->who = who;
	op->work.run = restore_run;
	op->work.done = restore_done;
	ckptd_op_submit(d, rq, &op->work, NULL);
}
