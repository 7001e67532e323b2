// SPDX-License-Identifier: GPL-2.0
/*
 * Restoring a cluster checkpoint (cluster.h): the newest global manifest
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

#include "cluster/cluster.h"
#include "cluster/store.h"
#include "image.h"
#include "jobs/persist.h"
#include "jobs/adopt.h"
#include "log.h"
#include "loop_call.h"
#include "migrate/remote.h"
#include "ops/restorer.h"
#include "worker.h"

struct rpart {
	struct ckptd_remote r;
	uint64_t seq;
	pid_t pid;
	int err;
	char why[1200];
};

struct crestore_op {
	struct ckptd_work work;
	uint32_t job_id, uid, gid;
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
	int err;
	char why[2048];
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

static void crestore_run(struct ckptd_work *w, void *ctx)
{
	struct crestore_op *op = (struct crestore_op *)w;
	struct ckpt_peer_cluster_job go = { .job = op->job_id };
	struct ckptd_held_restore *h = calloc(1, sizeof(*h));
	char dir[PATH_MAX + 64];
	int all = 1;

	(void)ctx;
	if (!h) {
		op->err = -ENOMEM;
		snprintf(op->why, sizeof(op->why), "out of memory");
		return;
	}
	/* 1. every host brings its part up to "go" */
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		p->err = ckptd_remote_open(&p->r, p->why, sizeof(p->why));
		if (!p->err && (p->err = send_restore(p->r.c, op, p->seq)))
			snprintf(p->why, sizeof(p->why), "%s", p->r.c->err.msg);
	}
	ckptd_image_path(dir, sizeof(dir), op->store, op->job_id, op->local_seq);
	op->err = ckptd_restorer_hold_start(op->restorer, dir, op->timeout_ms, h, op->why,
					    sizeof(op->why));
	all = !op->err;
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (!p->err && (p->err = ckpt_peer_expect(p->r.c, CKPT_PEER_OK, 0)))
			snprintf(p->why, sizeof(p->why), "%s", p->r.c->err.msg);
		all = all && !p->err;
	}
	/* 2. all of them, or none: a host without its part would reset connections */
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (!all) {
			if (!p->err) {
				p->err = -ECANCELED;
				snprintf(p->why, sizeof(p->why), "called off (another host failed)");
			}
		} else if ((p->err = ckpt_peer_send(p->r.c, CKPT_PEER_CLUSTER_GO, &go, sizeof(go)))) {
			snprintf(p->why, sizeof(p->why), "%s", p->r.c->err.msg);
		}
	}
	if (h->held) {
		int ret = ckptd_restorer_hold_finish(h, all, &op->restored, op->why, sizeof(op->why));

		if (!op->err)
			op->err = ret;
	}
	for (unsigned int i = 0; i < op->nr; i++) {
		struct rpart *p = &op->parts[i];

		if (all && !p->err) {
			p->err = ckpt_peer_expect(p->r.c, CKPT_PEER_RESTORED,
						  sizeof(struct ckpt_peer_restored));
			if (p->err)
				snprintf(p->why, sizeof(p->why), "%s", p->r.c->err.msg);
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
	struct ckptd_job *job = ckptd_registry_find(&d->reg, op->job_id);
	char msg[3500] = "", why[512];
	size_t len = 0, nest;

	d->ops_in_flight--;
	if (job)
		job->busy = 0;
	if (op->err)
		len += snprintf(msg + len, sizeof(msg) - len, "host %s (this host): %s", op->node, op->why);
	for (unsigned int i = 0; i < op->nr && len < sizeof(msg); i++)
		if (op->parts[i].err)
			len += snprintf(msg + len, sizeof(msg) - len, "%shost %s: %s", len ? "; " : "",
					op->parts[i].r.peer.name, op->parts[i].why);
	if (!op->err) {
		struct ckptd_adopt a = {
			.id = op->job_id, .uid = op->uid, .gid = op->gid,
			.root_pid = op->restored.root_pid,
			.pidns = op->pidns || op->restored.pidns,
			.last_seq = op->local_seq,
		};
		struct ckpt_err ae;

		if (ckptd_job_adopt(d, &a, &ae))
			pr_warn("job %u: %s", op->job_id, ae.msg);
	}
	if (len) {
		pr_err("cluster restore of job %u from global checkpoint %llu: %s", op->job_id,
		       (unsigned long long)op->g.id, msg);
		ckptd_reply_error(d, op->client_id, op->seq, op->err ?: -EIO,
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

void ckptd_cluster_restore_start(struct ckptd *d, struct ckptd_req *rq, uint32_t id)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];
	struct ckptd_job *job = ckptd_registry_find(&d->reg, id);
	struct crestore_op *op = calloc(1, sizeof(*op));
	char why[1024];
	int ret;

	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	if (job && job->in_module) {
		struct ckpt_kjob kj = { 0 };
		struct ckpt_err e;
		int alive = !ckpt_nl_job_get(d->nl, id, &kj, &e) && kj.nr_tasks;

		ckpt_kjob_release(&kj);
		if (alive) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EEXIST,
					  "job %u runs here already; 'ckptctl kill --job %u' on every host it spans first",
					  id, id);
			free(op);
			return;
		}
	}
	op->job_id = id;
	op->pidns = f && (ckptd_ctl_u32(f) & CKPTD_F_PIDNS);
	op->uid = job ? job->uid : rq->uid;
	op->gid = job ? job->gid : rq->gid;
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	snprintf(op->restorer, sizeof(op->restorer), "%s", d->cfg.restorer);
	snprintf(op->node, sizeof(op->node), "%s", d->cfg.node_name);
	op->timeout_ms = d->cfg.peer_timeout_ms;
	ret = ckptd_gmanifest_load(op->store, id, 0, &op->g, op->text, &op->text_len,
				   why, sizeof(why));
	if (!ret && !(op->local_seq = ckptd_gmanifest_seq_of(&op->g, op->node))) {
		snprintf(why, sizeof(why), "global checkpoint %llu of job %u does not name this host (%s)",
			 (unsigned long long)op->g.id, id, op->node);
		ret = -EINVAL;
	}
	for (unsigned int i = 0; !ret && i < op->g.n; i++) {
		struct rpart *p = &op->parts[op->nr];

		if (!strcmp(op->g.e[i].host, op->node))
			continue;
		p->seq = op->g.e[i].seq;
		ret = ckptd_remote_init(&p->r, &d->cfg, &d->peer_key, op->g.e[i].host,
					p->why, sizeof(p->why));
		if (ret)
			snprintf(why, sizeof(why), "host %s: %s", op->g.e[i].host, p->why);
		op->nr++;
	}
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "cluster restore of job %u: %s",
				  id, why);
		free(op);
		return;
	}
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = crestore_run;
	op->work.done = crestore_done;
	if (job)
		job->busy = 1;
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}

/* --- the participant ---------------------------------------------------- */

struct adopt_call {
	struct ckptd_adopt a;
	int check;		/* 1: only check the id is free */
	int ret;
	char why[512];
};

static void adopt_on_loop(struct ckptd *d, void *arg)
{
	struct adopt_call *c = arg;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, c->a.id);
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;

	c->ret = 0;
	if (!c->check) {
		struct ckpt_err ae;

		c->ret = ckptd_job_adopt(d, &c->a, &ae);
		if (c->ret)
			ckpt_fmt(c->why, sizeof(c->why), "%s", ae.msg);
		ckptd_persist(d, 0, 0, NULL);
		return;
	}
	if (!job)
		return;
	c->a.uid = job->uid;
	c->a.gid = job->gid;
	if (job->busy || (job->in_module && !ckpt_nl_job_get(d->nl, job->id, &kj, &e) &&
			  kj.nr_tasks)) {
		c->ret = -EEXIST;
		snprintf(c->why, sizeof(c->why), "job %u runs on %s already; kill it there first ('ckptctl kill --job %u')",
			 c->a.id, d->cfg.node_name, c->a.id);
	}
	ckpt_kjob_release(&kj);
}

int ckptd_cluster_serve_restore(struct ckptd_cluster_session *s)
{
	struct ckpt_peer_cluster_commit h;
	struct ckpt_peer_restored out = { 0 };
	struct ckptd_gmanifest g;
	struct ckptd_restored res;
	struct ckptd_held_restore *held;
	struct adopt_call ac = { .check = 1 };
	char why[2048], dir[PATH_MAX + 64], path[PATH_MAX];
	uint32_t job;
	int ret;

	ret = ckptd_cluster_check_commit(s->c->buf, s->c->hdr.len, s->node, &h, &g, why,
					 sizeof(why));
	if (ret)
		return ckpt_peer_send_error(s->c, ret, why) ?: ret;
	ac.a.id = h.job;
	ckptd_loop_call(s->d, adopt_on_loop, &ac);
	if (ac.ret)
		return ckpt_peer_send_error(s->c, ac.ret, ac.why);
	/* the coordinator's copy is authoritative: keep one here too */
	ckptd_gmanifest_path(path, sizeof(path), s->store, h.job, h.id);
	if (access(path, F_OK))
		ckptd_gmanifest_store(s->store, &g, (const char *)s->c->buf + sizeof(h), h.text_len,
				      why, sizeof(why));
	ckptd_image_path(dir, sizeof(dir), s->store, h.job, h.seq);
	pr_info("peer %s: restoring job %u from %s (global checkpoint %llu)", s->client, h.job,
		dir, (unsigned long long)h.id);
	held = calloc(1, sizeof(*held));
	if (!held)
		return ckpt_peer_send_error(s->c, -ENOMEM, "out of memory") ?: -ENOMEM;
	ret = ckptd_restorer_hold_start(s->restorer, dir, s->c->timeout_ms, held, why, sizeof(why));
	if (ret) {
		pr_err("peer %s: cluster restore of job %u: %s", s->client, h.job, why);
		free(held);
		return ckpt_peer_send_error(s->c, ret, why);
	}
	ret = ckpt_peer_send(s->c, CKPT_PEER_OK, NULL, 0) ?: ckpt_peer_recv(s->c);
	if (!ret && (s->c->hdr.type != CKPT_PEER_CLUSTER_GO ||
		     ckptd_cluster_check_job(s->c->buf, s->c->hdr.len, &job, why, sizeof(why)) ||
		     job != h.job))
		ret = ckpt_peer_why(s->c, -EPROTO, "%s sent %s instead of CLUSTER_GO", s->c->peer,
				    ckpt_peer_type_name(s->c->hdr.type));
	if (ret) {
		pr_warn("peer %s: cluster restore of job %u called off: %s", s->client, h.job,
			s->c->err.msg);
		ckptd_restorer_hold_finish(held, 0, &res, why, sizeof(why));
		free(held);
		return ret;
	}
	ret = ckptd_restorer_hold_finish(held, 1, &res, why, sizeof(why));
	free(held);
	if (ret) {
		pr_err("peer %s: cluster restore of job %u: %s", s->client, h.job, why);
		return ckpt_peer_send_error(s->c, ret, why);
	}
	ac.check = 0;
	ac.a.root_pid = res.root_pid;
	ac.a.pidns = res.pidns;
	ac.a.last_seq = h.seq;
	ckptd_loop_call(s->d, adopt_on_loop, &ac);
	if (ac.ret)
		pr_warn("peer %s: job %u restored, but %s", s->client, h.job, ac.why);
	pr_info("peer %s: job %u restored here (global checkpoint %llu), root pid %d", s->client,
		h.job, (unsigned long long)h.id, res.root_pid);
	out.root_pid = res.root_pid;
	out.nr_procs = res.nr_procs;
	return ckpt_peer_send(s->c, CKPT_PEER_RESTORED, &out, sizeof(out));
}
