// SPDX-License-Identifier: GPL-2.0
/*
 * The coordinator of a cluster freeze or checkpoint (round.h), in the ops
 * worker; this host's own steps are cluster/step.c's:
 *
 *   connect  to every other host of the job (nothing is frozen yet)
 *   prepare  freeze here, send CLUSTER_PREPARE to all, wait for every OK
 *   dump     send CLUSTER_DUMP to all, dump here, wait for every DUMPED
 *   commit   write the global manifest here: from now on the checkpoint
 *            exists; send it to every host with CLUSTER_COMMIT
 *   resume   thaw here (checkpoint) or leave frozen (freeze)
 *
 * Any host failing, refusing or not answering within [peers] timeout_ms
 * before the commit aborts the round: CLUSTER_ABORT to every host that
 * got PREPARE (each thaws and drops its image of the round), the same
 * here; the error names the host and the phase.  A host that did not
 * hear ABORT (dead, unreachable) aborts on its own when its connection
 * to the coordinator drops or times out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster/round.h"
#include "cluster/step.h"
#include "cluster/store.h"
#include "image.h"
#include "jobs/auth.h"
#include "jobs/persist.h"
#include "log.h"
#include "migrate/remote.h"
#include "ops/dump.h"
#include "ops/op.h"

struct part {
	struct ckptd_remote r;
	int asked;			/* PREPARE was sent: ABORT it on failure */
	uint64_t seq, max_id;
};

struct cluster_op {
	struct ckptd_work work;
	uint32_t job_id;
	struct ckptd_cred cred;		/* who asked (auth.h) */
	int freeze, already_frozen;
	struct ckptd_cluster_step step;	/* this host's */
	char store[PATH_MAX];
	char node[CKPT_PEER_NAME];
	unsigned int timeout_ms;
	struct ckptd_cluster_hosts hosts;
	uint64_t client_id;
	uint32_t seq;
	unsigned int nr;
	struct part parts[CKPTD_CLUSTER_HOSTS_MAX];
	/* results */
	struct ckpt_err err;
	int frozen;
	struct ckptd_gmanifest g;
	char gpath[PATH_MAX];
	uint64_t local_seq, barrier_us, commit_us;
	char warn[1024];
	struct ckptd_tcp_sndqs sndqs;	/* read at prepare, written at dump */
};

/* The round's error: which host failed in which phase, and why. */
static int fail(struct cluster_op *op, int err, const char *host, const char *phase,
		const char *why)
{
	return ckpt_err_set(&op->err, err,
			    "cluster %s of job %u aborted: host %s failed in phase '%s': %s",
			    op->freeze ? "freeze" : "checkpoint", op->job_id, host, phase, why);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* A participant's error, with "timed out" spelled out. */
static int part_fail(struct cluster_op *op, struct part *p, int err, const char *phase)
{
	char why[64];

	if (err != -ETIMEDOUT)
		return fail(op, err, p->r.peer.name, phase, p->r.c->err.msg);
	ckpt_fmt(why, sizeof(why), "no answer within %u ms ([peers] timeout_ms)", op->timeout_ms);
	return fail(op, err, p->r.peer.name, phase, why);
}

static void abort_all(struct cluster_op *op, void *ctx, int dumped_here)
{
	struct ckpt_peer_cluster_job j = { .job = op->job_id };
	struct ckpt_err e;

	for (unsigned int i = 0; i < op->nr; i++) {
		struct part *p = &op->parts[i];

		if (!p->asked || !p->r.c)
			continue;
		if (ckpt_peer_send(p->r.c, CKPT_PEER_CLUSTER_ABORT, &j, sizeof(j)) ||
		    ckpt_peer_expect(p->r.c, CKPT_PEER_OK, 0))
			pr_warn("cluster abort of job %u: %s did not confirm (%s); it aborts on its own when the connection drops",
				op->job_id, p->r.peer.name, p->r.c->err.msg);
	}
	if (dumped_here && op->local_seq) {
		char dir[PATH_MAX + 64];

		ckptd_image_path(dir, sizeof(dir), op->store, op->job_id, op->local_seq);
		if (ckptd_cluster_discard_image(dir))
			pr_warn("cluster abort of job %u: cannot remove %s", op->job_id, dir);
	}
	if (op->frozen && !op->already_frozen) {
		if (ckptd_dump_thaw(ctx, op->job_id, &e))
			pr_warn("cluster abort of job %u: %s", op->job_id, e.msg);
		else
			op->frozen = 0;
	}
}

static int prepare(struct cluster_op *op, void *ctx, uint64_t t0)
{
	struct ckpt_peer_cluster_prepare m = { .job = op->job_id };
	struct ckpt_err e;
	int ret;

	m.flags = op->freeze ? CKPT_PEER_CLUSTER_FREEZE : 0;
	snprintf(m.coordinator, sizeof(m.coordinator), "%s", op->node);
	ckptd_cluster_hosts_format(&op->hosts, m.hosts, sizeof(m.hosts));
	for (unsigned int i = 0; i < op->nr; i++) {
		struct part *p = &op->parts[i];

		p->asked = 1;
		ret = ckpt_peer_send(p->r.c, CKPT_PEER_CLUSTER_PREPARE, &m, sizeof(m));
		if (ret)
			return part_fail(op, p, ret, "prepare");
	}
	ret = ckptd_cluster_step_freeze(ctx, &op->step, op->already_frozen, &e);
	if (ret)
		return fail(op, ret, op->node, "prepare", e.msg);
	op->frozen = 1;
	for (unsigned int i = 0; i < op->nr; i++) {
		struct part *p = &op->parts[i];

		ret = ckpt_peer_expect(p->r.c, CKPT_PEER_OK, 0);
		if (ret)
			return part_fail(op, p, ret, "prepare");
	}
	op->barrier_us = now_us() - t0;
	return 0;
}

static int dump(struct cluster_op *op, void *ctx)
{
	struct ckpt_peer_cluster_job j = { .job = op->job_id };
	struct ckpt_peer_cluster_dumped dm;
	struct ckpt_err e;
	int ret;

	for (unsigned int i = 0; i < op->nr; i++) {
		ret = ckpt_peer_send(op->parts[i].r.c, CKPT_PEER_CLUSTER_DUMP, &j, sizeof(j));
		if (ret)
			return part_fail(op, &op->parts[i], ret, "dump");
	}
	ret = ckptd_cluster_step_dump(ctx, &op->step, &e);
	if (ret)
		return fail(op, ret, op->node, "dump", e.msg);
	op->local_seq = op->step.img_seq;
	for (unsigned int i = 0; i < op->nr; i++) {
		struct part *p = &op->parts[i];

		ret = ckpt_peer_expect(p->r.c, CKPT_PEER_CLUSTER_DUMPED, 0);
		if (!ret && ckptd_cluster_check_dumped(p->r.c->buf, p->r.c->hdr.len, &dm, &e))
			ret = ckpt_peer_why(p->r.c, -EPROTO, "%s", e.msg);
		if (ret)
			return part_fail(op, p, ret, "dump");
		p->seq = dm.seq;
		p->max_id = dm.max_id;
	}
	return 0;
}

static int add_entry(struct ckptd_gmanifest *g, const char *host, uint64_t seq)
{
	unsigned int i = g->n++;

	/* hosts are sorted: insert in place */
	while (i && strcmp(g->e[i - 1].host, host) > 0) {
		g->e[i] = g->e[i - 1];
		i--;
	}
	snprintf(g->e[i].host, sizeof(g->e[i].host), "%s", host);
	g->e[i].seq = seq;
	return 0;
}

static int commit(struct cluster_op *op, uint64_t t0)
{
	struct ckptd_gmanifest *g = &op->g;
	struct ckpt_peer_cluster_commit h = { .job = op->job_id };
	static __thread char msg[sizeof(h) + CKPTD_CLUSTER_TEXT_MAX];
	char *text = msg + sizeof(h);
	uint64_t *ids, max_id = 0;
	struct ckpt_err e;
	struct timespec ts;
	size_t n, len, wl = 0;
	int ret;

	if (!ckptd_gmanifest_ids(op->store, op->job_id, &ids, &n) && n)
		max_id = ids[n - 1];
	free(ids);
	memset(g, 0, sizeof(*g));
	for (unsigned int i = 0; i < op->nr; i++) {
		if (op->parts[i].max_id > max_id)
			max_id = op->parts[i].max_id;
		add_entry(g, op->parts[i].r.peer.name, op->parts[i].seq);
	}
	add_entry(g, op->node, op->local_seq);
	g->job = op->job_id;
	g->id = max_id + 1;
	g->freeze = op->freeze;
	clock_gettime(CLOCK_REALTIME, &ts);
	g->time_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	snprintf(g->coordinator, sizeof(g->coordinator), "%s", op->node);
	ret = ckptd_gmanifest_format(g, text, CKPTD_CLUSTER_TEXT_MAX, &len);
	if (!ret)
		ret = ckptd_gmanifest_store(op->store, g, text, len, &e);
	else
		ckpt_err_set(&e, ret, "it does not fit in %d bytes", CKPTD_CLUSTER_TEXT_MAX);
	if (ret) {
		ckpt_err_prefix(&e, "writing the global manifest");
		return fail(op, ret, op->node, "commit", e.msg);
	}
	op->commit_us = now_us() - t0;
	ckptd_gmanifest_path(op->gpath, sizeof(op->gpath), op->store, op->job_id, g->id);
	/* committed: a host that misses its copy is reported, nothing undone */
	h.text_len = len;
	h.id = g->id;
	for (unsigned int i = 0; i < op->nr; i++) {
		struct part *p = &op->parts[i];

		h.seq = p->seq;
		memcpy(msg, &h, sizeof(h));
		ret = ckpt_peer_send(p->r.c, CKPT_PEER_CLUSTER_COMMIT, msg, sizeof(h) + len);
		if (!ret)
			ret = ckpt_peer_expect(p->r.c, CKPT_PEER_OK, 0);
		if (ret) {
			pr_warn("cluster checkpoint %llu of job %u is committed, but %s did not store its copy of the global manifest: %s",
				(unsigned long long)g->id, op->job_id, p->r.peer.name, p->r.c->err.msg);
			if (wl < sizeof(op->warn))
				wl += snprintf(op->warn + wl, sizeof(op->warn) - wl,
					       "%s%s did not store its copy of the global manifest",
					       wl ? "; " : "", p->r.peer.name);
		}
	}
	return 0;
}

static void cluster_run(struct ckptd_work *w, void *ctx)
{
	struct cluster_op *op = (struct cluster_op *)w;
	struct ckpt_err e;
	uint64_t t0;
	int ret;

	op->frozen = op->already_frozen;
	for (unsigned int i = 0; i < op->nr; i++) {
		ret = ckptd_remote_open(&op->parts[i].r, &e);
		if (ret) {
			fail(op, ret, op->parts[i].r.peer.name, "connect", e.msg);
			goto out;
		}
	}
	t0 = now_us();
	if (prepare(op, ctx, t0)) {
		abort_all(op, ctx, 0);
		goto out;
	}
	if (dump(op, ctx) || commit(op, t0)) {
		abort_all(op, ctx, 1);
		goto out;
	}
	if (!op->freeze && !op->already_frozen) {
		if (ckptd_dump_thaw(ctx, op->job_id, &e))
			pr_warn("cluster checkpoint of job %u: %s", op->job_id, e.msg);
		else
			op->frozen = 0;
	}
out:
	ckptd_tcp_sndqs_free(&op->sndqs);
	for (unsigned int i = 0; i < op->nr; i++)
		ckptd_remote_close(&op->parts[i].r);
}

static void cluster_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct cluster_op *op = (struct cluster_op *)w;
	struct ckptd_op_end end = {
		.seq_base = op->step.seq_base, .frozen = op->frozen,
		.last_seq = op->err.errnum ? 0 : op->local_seq,
	};
	char hosts[CKPT_PEER_CLUSTER_HOSTS * 2];
	size_t n = 0;

	ckptd_op_done(d);
	ckptd_job_release(d, op->job_id, &end);
	if (op->err.errnum) {
		pr_err("%s", op->err.msg);
		ckptd_reply_error(d, op->client_id, op->seq, -op->err.errnum, "%s; every host thawed%s, no global checkpoint was committed, earlier ones stay restorable",
				  op->err.msg, op->already_frozen ? " (but this one, frozen before)" : "");
		ckptd_persist(d, 0, 0, NULL);
		free(op);
		return;
	}
	for (unsigned int i = 0; i < op->g.n && n < sizeof(hosts); i++)
		n += snprintf(hosts + n, sizeof(hosts) - n, "%s%s:%llu", i ? "," : "",
			      op->g.e[i].host, (unsigned long long)op->g.e[i].seq);
	pr_info("job %u: cluster %s %llu committed (%s): all prepared in %llu us, committed in %llu us%s%s",
		op->job_id, op->freeze ? "freeze" : "checkpoint", (unsigned long long)op->g.id,
		hosts, (unsigned long long)op->barrier_us, (unsigned long long)op->commit_us,
		op->warn[0] ? "; but " : "", op->warn);
	ckptd_reply_init(&r, op->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->g.id);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->gpath);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_STATE, op->frozen ? "frozen" : "running");
	ckptd_ctl_put_str(&r.m, CKPTD_CA_CLUSTER, hosts);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_BARRIER_US, op->barrier_us);
	ckptd_ctl_put_u64(&r.m, CKPTD_CA_COMMIT_US, op->commit_us);
	ckptd_persist(d, op->client_id, op->seq, &r);
	free(op);
}

/* On the loop: a cluster freeze or checkpoint of claimed @job (round.h). */
void ckptd_cluster_checkpoint_start(struct ckptd *d, struct ckptd_req *rq,
				    struct ckptd_job *job, const struct ckptd_cluster_hosts *h,
				    int freeze, enum ckptd_capture_action unsupported)
{
	struct cluster_op *op = calloc(1, sizeof(*op));
	struct ckpt_err e;

	if (!op) {
		ckptd_job_release(d, job->id, NULL);
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->job_id = job->id;
	op->cred = rq->cred;
	op->freeze = freeze;
	op->already_frozen = !!(job->flags & CKPTD_JOB_FROZEN);
	op->hosts = *h;
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	snprintf(op->node, sizeof(op->node), "%s", d->cfg.node_name);
	op->timeout_ms = d->cfg.peer_timeout_ms;
	op->step = (struct ckptd_cluster_step){
		.job_id = job->id, .cred = &op->cred, .uid = job->uid, .gid = job->gid,
		.timeout_ms = op->timeout_ms, .unsupported = unsupported,
		.store = op->store, .seq_base = job->seq_base, .sndqs = &op->sndqs,
	};
	for (unsigned int i = 0; i < h->n; i++) {
		if (!strcmp(h->name[i], op->node))
			continue;
		if (ckptd_remote_init(&op->parts[op->nr].r, &d->cfg, &d->peer_key, h->name[i],
				      &e)) {
			ckptd_job_release(d, job->id, NULL);
			ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
					  "cluster %s of job %u: host %s: %s",
					  freeze ? "freeze" : "checkpoint", job->id, h->name[i], e.msg);
			free(op);
			return;
		}
		op->nr++;
	}
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = cluster_run;
	op->work.done = cluster_done;
	ckptd_op_submit(d, rq, &op->work, NULL);
}
