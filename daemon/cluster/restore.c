// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator of a cluster restore (restore.h), in the ops worker;
 * the participant's side is part.c's.  The newest global manifest
 * of the job here names one image per host.  The coordinator (this host)
 * sends CLUSTER_RESTORE with the manifest to every other host; each
 * checks the manifest names its image and that the job id is free there,
 * and runs ckpt-restore --hold, which brings everything up to "go" (TCP
 * connections still in repair mode) and answers OK.  The coordinator
 * does the same here; when every host is held it sends CLUSTER_GO to all
 * and says go here; else every host calls its restore off (nothing of
 * the job runs anywhere).  The error names each host that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/restore.h"
#include "cluster/store.h"
#include "image.h"
#include "jobs/persist.h"
#include "jobs/adopt.h"
#include "log.h"
#include "migrate/remote.h"
#include "ops/op.h"
#include "ops/restorer.h"

struct rpart {
	struct ckptd_remote r;
	uint64_t seq;
	pid_t pid;
	struct ckpt_err err;
};

struct crestore_op {
	struct ckptd_work work;
	uint32_t job_id;
	struct ckptd_restore_who who;	/* the owner of the restored job */
	int pidns;
	char store[PATH_MAX];
	char restorer[PATH_MAX];
	char node[CKPT_PEER_NAME];
	struct ckptd_gmanifest g;
	char text[CKPTD_CLUSTER_TEXT_MAX];
	size_t text_len;
	uint64_t client_id;
	uint32_t seq;
	unsigned int timeout_ms;
	unsigned int nr;
	struct rpart parts[CKPTD_CLUSTER_HOSTS_MAX];
	/* this host */
	uint64_t local_seq;
	struct ckpt_err err;
	struct ckptd_restored restored;
};

static int send_restore(struct ckpt_peer_conn *c, const struct crestore_op *op, uint64_t seq)
{
	static __thread char msg[sizeof(struct ckpt_peer_cluster_commit) + CKPTD_CLUSTER_TEXT_MAX];
	struct ckpt_peer_cluster_commit h = {
		.job = op->job_id, .text_len = op->text_len, .id = op->g.id, .seq = seq,
	};

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), op->text, op->text_len);
	return ckpt_peer_send(c, CKPT_PEER_CLUSTER_RESTORE, msg, sizeof(h) + op->text_len);
}

/* A host's error: what its connection says went wrong. */
static void conn_failed(struct rpart *p, int ret)
{
	ckpt_err_set(&p->err, ret, "%s", p->r.c->err.msg);
}

static void crestore_run(struct ckptd_work *w, void *ctx)
{
	struct crestore_op *op = (struct crestore_op *)w;
	struct ckpt_peer_cluster_job go = { .job = op->job_id };
	struct ckptd_restorer *h = calloc(1, sizeof(*h));
	char dir[PATH_MAX + 64];
	int all = 1, ret;

	(void)ctx;
	if (!h) {
		ckpt_err_set(&op->err, ENOMEM, "out of memory");
		return;
	}
	/* 1. every host brings its part up to "go" */
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (!ckptd_remote_open(&p->r, &p->err) && (ret = send_restore(p->r.c, op, p->seq)))
			conn_failed(p, ret);
	}
	ckptd_image_path(dir, sizeof(dir), op->store, op->job_id, op->local_seq);
	all = !ckptd_restorer_start(op->restorer, dir, CKPTD_RESTORE_HOLD, op->timeout_ms, h,
				    &op->err);
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (!p->err.errnum && (ret = ckpt_peer_expect(p->r.c, CKPT_PEER_OK, 0)))
			conn_failed(p, ret);
		all = all && !p->err.errnum;
	}
	/* 2. all of them, or none: a host without its part would reset connections */
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (!all) {
			if (!p->err.errnum)
				ckpt_err_set(&p->err, ECANCELED, "called off (another host failed)");
		} else if ((ret = ckpt_peer_send(p->r.c, CKPT_PEER_CLUSTER_GO, &go, sizeof(go)))) {
			conn_failed(p, ret);
		}
	}
	if (h->held) {
		struct ckpt_err e;

		if (ckptd_restorer_finish(h, all, &op->restored, &e) && !op->err.errnum)
			op->err = e;
	}
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (all && !p->err.errnum) {
			ret = ckpt_peer_expect(p->r.c, CKPT_PEER_RESTORED,
					       sizeof(struct ckpt_peer_restored));
			if (ret)
				conn_failed(p, ret);
			else
				p->pid = ((struct ckpt_peer_restored *)p->r.c->buf)->root_pid;
		}
		ckptd_remote_close(&p->r);	/* without GO: called off there */
	}
	free(h);
}

static void crestore_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct crestore_op *op = (struct crestore_op *)w;
	char msg[3500] = "", why[512];
	size_t len = 0, nest;

	ckptd_op_done(d);
	ckptd_job_release(d, op->job_id, NULL);
	if (op->err.errnum)
		len += snprintf(msg + len, sizeof(msg) - len, "host %s (this host): %s", op->node,
				op->err.msg);
	for (unsigned int i = 0; i < op->nr && len < sizeof(msg); i++)
		if (op->parts[i].err.errnum)
			len += snprintf(msg + len, sizeof(msg) - len, "%shost %s: %s", len ? "; " : "",
					op->parts[i].r.peer.name, op->parts[i].err.msg);
	if (!op->err.errnum)
		ckptd_restore_adopt(d, &op->who, op->pidns, &op->restored, op->local_seq);
	if (len) {
		pr_err("cluster restore of job %u from global checkpoint %llu: %s", op->job_id,
		       (unsigned long long)op->g.id, msg);
		ckptd_reply_error(d, op->client_id, op->seq, -op->err.errnum ?: -EIO,
				  "cluster restore of job %u from global checkpoint %llu failed on: %s; the hosts not named restored it",
				  op->job_id, (unsigned long long)op->g.id, msg);
		ckptd_persist(d, 0, 0, NULL);
		free(op);
		return;
	}
	pr_info("job %u restored on %u hosts from global checkpoint %llu, root pid %d here",
		op->job_id, op->nr + 1, (unsigned long long)op->g.id, op->restored.root_pid);
	ckptd_reply_init(&r, op->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, op->restored.root_pid);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->g.id);
	ckptd_gmanifest_path(why, sizeof(why), op->store, op->job_id, op->g.id);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, why);
	for (unsigned int i = 0; i < op->nr; i++) {
		nest = ckptd_ctl_nest_start(&r.m, CKPTD_CA_JOB);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_HOST, op->parts[i].r.peer.name);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_PID, op->parts[i].pid);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->parts[i].seq);
		ckptd_ctl_nest_end(&r.m, nest);
	}
	ckptd_persist(d, op->client_id, op->seq, &r);
	free(op);
}

/* The manifest to restore, this host's image in it, every other host's peer. */
static int prepare(struct ckptd *d, struct crestore_op *op, struct ckpt_err *err)
{
	int ret = ckptd_gmanifest_load(op->store, op->job_id, 0, &op->g, op->text,
				       &op->text_len, err);

	if (ret)
		return ret;
	op->local_seq = ckptd_gmanifest_seq_of(&op->g, op->node);
	if (!op->local_seq)
		return ckpt_err_set(err, EINVAL, "global checkpoint %llu of job %u does not name this host (%s)",
				    (unsigned long long)op->g.id, op->job_id, op->node);
	for (unsigned int i = 0; i < op->g.n; i++) {
		struct rpart *p = &op->parts[op->nr];

		if (!strcmp(op->g.e[i].host, op->node))
			continue;
		p->seq = op->g.e[i].seq;
		ret = ckptd_remote_init(&p->r, &d->cfg, &d->peer_key, op->g.e[i].host, err);
		if (ret) {
			ckpt_err_prefix(err, "host %s", op->g.e[i].host);
			return ret;
		}
		op->nr++;
	}
	return 0;
}

void ckptd_cluster_restore_start(struct ckptd *d, struct ckptd_req *rq,
				 const struct ckptd_restore_who *who)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];
	struct crestore_op *op = calloc(1, sizeof(*op));
	struct ckpt_err e;
	int ret = -ENOMEM;

	if (!op)
		ckpt_err_set(&e, ENOMEM, "ckptd is out of memory");
	else if (who->job && ckptd_job_runs(d, who->job))
		ret = ckpt_err_set(&e, EEXIST, "job %u runs here already; 'ckptctl kill --job %u' on every host it spans first",
				   who->id, who->id);
	else
		ret = 0;
	if (!ret) {
		op->job_id = who->id;
		op->pidns = f && (ckptd_ctl_u32(f) & CKPTD_F_PIDNS);
		op->who = *who;
		snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
		snprintf(op->restorer, sizeof(op->restorer), "%s", d->cfg.restorer);
		snprintf(op->node, sizeof(op->node), "%s", d->cfg.node_name);
		op->timeout_ms = d->cfg.peer_timeout_ms;
		ret = prepare(d, op, &e);
		if (ret)
			ckpt_err_prefix(&e, "cluster restore of job %u", who->id);
	}
	if (ret) {
		ckptd_job_release(d, who->id, NULL);
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "%s", e.msg);
		free(op);
		return;
	}
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = crestore_run;
	op->work.done = crestore_done;
	ckptd_op_submit(d, rq, &op->work, NULL);
}
