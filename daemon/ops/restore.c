// SPDX-License-Identifier: GPL-2.0
/*
 * restore on this host: pick the image (the newest committed one of the
 * job, or --seq N), verify it with the image library, then run the
 * restorer, `ckpt-restore [--pidns] IMAGE_DIR`, and report its own error.
 * All of it in the ops worker: verification reads the whole image.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/auth.h"
#include "cluster/cluster.h"
#include "image.h"
#include "jobs/lookup.h"
#include "jobs/adopt.h"
#include "ops/restore.h"
#include "migrate/restore_remote.h"
#include "log.h"
#include "ops/restorer.h"
#include "store_list.h"
#include "jobs/store_owner.h"
#include "worker.h"

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
	int err;
	char why[2048];
	uint64_t img_seq;
	char dir[PATH_MAX + 64];
	struct ckptd_restored restored;
	uint32_t uid, gid;		/* who asked: the owner of the adopted job */
	uint32_t owner_flags;		/* and its CKPTD_JOB_UNPRIV */
};

static void set_why(struct restore_op *op, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_why(struct restore_op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op->why, sizeof(op->why), fmt, ap);
	va_end(ap);
}

static int pick_image(struct restore_op *op)
{
	struct ckptd_store_entry *v;
	struct ckpt_err e;
	size_t n;
	int ret = ckptd_store_list(op->store, op->job_id, &v, &n, &e);

	if (ret) {
		set_why(op, "%s", e.msg);
		return ret;
	}
	if (!n) {
		set_why(op,
			 "job %u has no committed checkpoint in %s; 'ckptctl checkpoint --job %u' first",
			 op->job_id, op->store, op->job_id);
		ret = -ENOENT;
	} else if (op->want_seq) {
		ret = -ENOENT;
		for (size_t i = 0; i < n; i++)
			if (v[i].seq == op->want_seq && !v[i].predump)
				ret = 0;
		if (ret)
			set_why(op,
				 "job %u has no committed checkpoint %llu; 'ckptctl image ls %u' lists them",
				 op->job_id, (unsigned long long)op->want_seq, op->job_id);
		op->img_seq = op->want_seq;
	} else {
		/* the newest that is not a pre-dump of a migration */
		while (n && v[n - 1].predump)
			n--;
		if (!n) {
			set_why(op,
				 "job %u has only pre-dumps of an unfinished migration in %s, no checkpoint to restore",
				 op->job_id, op->store);
			ret = -ENOENT;
		}
		op->img_seq = n ? v[n - 1].seq : 0;
	}
	free(v);
	if (!ret)
		ret = ckptd_image_path(op->dir, sizeof(op->dir), op->store, op->job_id,
				       op->img_seq);
	return ret;
}

static int verify(struct restore_op *op)
{
	struct ckptd_image *img;
	struct ckpt_err e;
	int ret = ckptd_image_open(op->dir, &img, &e);

	if (!ret) {
		ret = ckptd_image_verify(img, &e);
		ckptd_image_close(img);
	}
	if (ret)
		set_why(op,
			 "image %s fails verification, not restoring it: %s", op->dir, e.msg);
	return ret;
}

static void restore_run(struct ckptd_work *w, void *ctx)
{
	struct restore_op *op = (struct restore_op *)w;

	(void)ctx;
	op->err = pick_image(op);
	if (!op->err)
		op->err = verify(op);
	if (!op->err)
		op->err = ckptd_run_restorer(op->restorer, op->dir,
					     op->pidns ? CKPTD_RESTORE_PIDNS : 0,
					     &op->restored, op->why, sizeof(op->why));
}

static void restore_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct restore_op *op = (struct restore_op *)w;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, op->job_id);

	d->ops_in_flight--;
	if (job)
		job->busy = 0;
	if (op->err) {
		pr_err("restore of job %u: %s", op->job_id, op->why);
		ckptd_reply_error(d, op->client_id, op->seq, op->err, "%s", op->why);
	} else {
		struct ckptd_adopt a = {
			.id = op->job_id, .uid = op->uid, .gid = op->gid,
			.owner_flags = op->owner_flags,
			.root_pid = op->restored.root_pid,
			.pidns = op->pidns || op->restored.pidns,
			.last_seq = op->img_seq,
		};
		struct ckpt_err why;

		pr_info("job %u restored from %s, root pid %d", op->job_id, op->dir,
			op->restored.root_pid);
		if (ckptd_job_adopt(d, &a, &why))
			pr_warn("job %u: %s", op->job_id, why.msg);
		ckptd_reply_init(&r, op->seq);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, op->restored.root_pid);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->img_seq);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->dir);
		ckptd_reply_send(d, op->client_id, &r);
	}
	free(op);
}

void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *seq_a = rq->tb.a[CKPTD_CA_SEQ];
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	struct ckptd_job *job;
	struct restore_op *op;
	uid_t owner = 0;
	gid_t group = 0;
	uint32_t id;

	if (rq->tb.a[CKPTD_CA_HOST]) {
		ckptd_cmd_restore_remote(d, rq);
		return;
	}
	id = ckptd_req_job_id(d, rq);
	if (!id)
		return;
	/* images outlive their job; without it only root may restore them */
	job = ckptd_registry_find(&d->reg, id);
	if (job) {
		job = ckptd_req_job(d, rq);
		if (!job)
			return;
		if (job->busy) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY,
					  "job %u is busy with another operation; retry when it completes", id);
			return;
		}
	} else if (!rq->cred.privileged &&
		   (ckptd_store_owner(d->cfg.image_store, id, &owner, &group) ||
		    owner != rq->uid || owner == 0)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u is not registered and its checkpoints are not yours; only root may restore them",
				  id);
		return;
	}
	if (!seq_a && ckptd_cluster_route(d, rq, id, -1))
		return;		/* a job spanning hosts: all of them */
	op = calloc(1, sizeof(*op));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->job_id = id;
	op->want_seq = seq_a ? ckptd_ctl_u64(seq_a) : 0;
	op->pidns = f_a && (ckptd_ctl_u32(f_a) & CKPTD_F_PIDNS);
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	snprintf(op->restorer, sizeof(op->restorer), "%s", d->cfg.restorer);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->uid = job ? job->uid : rq->uid;
	op->gid = job ? job->gid : rq->cred.privileged ? rq->gid : group;
	op->owner_flags = job ? job->flags : ckptd_cred_job_flags(&rq->cred);
	op->work.run = restore_run;
	op->work.done = restore_done;
	if (job)
		job->busy = 1;
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}
