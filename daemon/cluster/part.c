// SPDX-License-Identifier: GPL-2.0
/*
 * A participant of a cluster checkpoint (cluster.h), in the peer session
 * thread of the coordinator's connection, with its own ops context:
 *
 *   CLUSTER_PREPARE  check it (this host and the coordinator are among the
 *                    hosts the job spans here, the lists agree), claim the
 *                    job (busy), freeze it; OK
 *   CLUSTER_DUMP     a full image of the frozen job; DUMPED { seq, max_id }
 *   CLUSTER_COMMIT   store the global manifest's copy; OK; thaw unless the
 *                    round is a freeze (or the job was frozen before)
 *   CLUSTER_ABORT    drop the round's image, thaw; OK
 *
 * The connection dropping, or no message within the peer timeout, before
 * COMMIT is an abort.  Test hooks (selftests/guest/net/): the environment
 * variable CKPTD_TEST_CLUSTER_PREPARE=exit makes ckptd die (SIGKILL) on
 * receiving PREPARE, =stall:MS makes it answer PREPARE MS ms late;
 * CKPTD_TEST_CLUSTER_DUMP the same on receiving DUMP (the job frozen).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/auth.h"
#include "ops/checkpoint.h"
#include "cluster/cluster.h"
#include "cluster/store.h"
#include "image.h"
#include "jobs/persist.h"
#include "log.h"
#include "loop_call.h"

struct claim {
	uint32_t id;
	int release;		/* 0: claim the job, 1: release it */
	/* claim: out; release: in */
	int frozen, already_frozen;
	uint64_t seq_base, last_seq;
	struct ckptd_cred owner;	/* members are checked as the job's owner */
	int ret;
	char why[512];
};

static void claim_job(struct ckptd *d, void *arg)
{
	struct claim *c = arg;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, c->id);

	c->ret = 0;
	if (c->release) {
		if (!job)
			return;
		job->busy = 0;
		job->seq_base = c->seq_base;
		if (c->frozen)
			job->flags |= CKPTD_JOB_FROZEN;
		else
			job->flags &= ~CKPTD_JOB_FROZEN;
		if (c->last_seq)
			job->last_seq = c->last_seq;
		ckptd_persist(d, 0, 0, NULL);
		return;
	}
	if (!job) {
		c->ret = -ENOENT;
		snprintf(c->why, sizeof(c->why), "job %u is not attached on %s; attach it there (same id) or fix the cluster's host list",
			 c->id, d->cfg.node_name);
	} else if (job->busy) {
		c->ret = -EBUSY;
		snprintf(c->why, sizeof(c->why), "job %u is busy with another operation on %s; retry when it completes",
			 c->id, d->cfg.node_name);
	} else if (!job->in_module) {
		c->ret = -ENOENT;
		snprintf(c->why, sizeof(c->why), "job %u on %s is not known to ckpt.ko (lost at a restart); kill it and attach again",
			 c->id, d->cfg.node_name);
	} else {
		job->busy = 1;
		ckptd_cred_of_owner(job, &c->owner);
		c->already_frozen = !!(job->flags & CKPTD_JOB_FROZEN);
		c->seq_base = job->seq_base;
	}
}

static int refuse(struct ckptd_cluster_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct ckptd_cluster_session *s, int err, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pr_warn("peer %s: cluster round refused: %s", s->client, why);
	return ckpt_peer_send_error(s->c, err, why);
}

/* The PREPARE's checks against this host's view of the job. */
static int check_prepare(struct ckptd_cluster_session *s, const struct ckptd_cluster_prepare *p)
{
	struct ckptd_cluster_hosts mine;
	char why[512], a[CKPT_PEER_CLUSTER_HOSTS], b[CKPT_PEER_CLUSTER_HOSTS];

	if (strcmp(p->coordinator, s->client))
		return refuse(s, -EPERM, "CLUSTER_PREPARE from %s names %s as the coordinator",
			      s->client, p->coordinator) ?: -EPERM;
	if (!ckptd_cluster_hosts_has(&p->hosts, s->node))
		return refuse(s, -EINVAL, "%s is not among the hosts of job %u's round", s->node,
			      p->job) ?: -EINVAL;
	if (ckptd_cluster_member_get(s->state_dir, p->job, &mine, why, sizeof(why)))
		return refuse(s, -ENOENT, "%s: %s; run 'ckptctl cluster set --job %u --hosts ...' there",
			      s->node, why, p->job) ?: -ENOENT;
	ckptd_cluster_hosts_format(&mine, a, sizeof(a));
	ckptd_cluster_hosts_format(&p->hosts, b, sizeof(b));
	if (strcmp(a, b))
		return refuse(s, -EINVAL, "job %u spans %s on %s, but %s asks for %s; make 'ckptctl cluster set' agree on every host",
			      p->job, a, s->node, s->client, b) ?: -EINVAL;
	return 0;
}

static void test_hook(const char *var)
{
	const char *h = getenv(var);

	if (!h)
		return;
	if (!strcmp(h, "exit")) {
		pr_warn("test hook %s=exit: dying", var);
		kill(getpid(), SIGKILL);
	}
	if (!strncmp(h, "stall:", 6))
		usleep(strtoul(h + 6, NULL, 10) * 1000);
}

struct round {
	struct ckptd_cluster_session *s;
	void *ctx;
	struct ckptd_cluster_prepare p;
	struct claim cl;
	struct ckptd_ckpt_step st;
	uint64_t img_seq;
	struct ckptd_tcp_sndqs sndqs;	/* read at prepare, written at dump */
};

static void thaw(struct round *r)
{
	struct ckptd_ckpt_step t = { .job_id = r->p.job, .thaw = 1 };

	if (!r->cl.frozen || r->cl.already_frozen)
		return;
	if (ckptd_ckpt_step(r->ctx, &t))
		pr_err("cluster round of job %u: %s", r->p.job, t.why);
	else
		r->cl.frozen = 0;
}

static void discard(struct round *r)
{
	char dir[PATH_MAX + 64];

	if (!r->img_seq)
		return;
	ckptd_image_path(dir, sizeof(dir), r->s->store, r->p.job, r->img_seq);
	if (ckptd_cluster_discard_image(dir))
		pr_warn("cluster round of job %u aborted: cannot remove %s", r->p.job, dir);
	r->img_seq = 0;
}

static int on_dump(struct round *r)
{
	struct ckpt_peer_cluster_dumped out = { 0 };
	uint64_t *ids;
	size_t n;
	int ret;

	test_hook("CKPTD_TEST_CLUSTER_DUMP");
	memset(&r->st, 0, sizeof(r->st));
	r->st.job_id = r->p.job;
	r->st.cred = &r->cl.owner;
	r->st.uid = r->cl.owner.uid;
	r->st.gid = r->cl.owner.gid;
	r->st.dump = 1;
	r->st.sndqs = &r->sndqs;
	r->st.seq_base = r->cl.seq_base;
	snprintf(r->st.store, sizeof(r->st.store), "%s", r->s->store);
	ret = ckptd_ckpt_step(r->ctx, &r->st);
	r->cl.seq_base = r->st.seq_base;
	if (ret)
		return refuse(r->s, ret, "%s: %s", r->s->node, r->st.why);
	r->img_seq = r->st.img_seq;
	out.seq = r->img_seq;
	if (!ckptd_gmanifest_ids(r->s->store, r->p.job, &ids, &n) && n)
		out.max_id = ids[n - 1];
	free(ids);
	return ckpt_peer_send(r->s->c, CKPT_PEER_CLUSTER_DUMPED, &out, sizeof(out));
}

static int on_commit(struct round *r)
{
	struct ckpt_peer_cluster_commit h;
	struct ckptd_gmanifest g;
	char why[1024];
	int ret;

	if (!r->img_seq)
		return refuse(r->s, -EPROTO, "CLUSTER_COMMIT of job %u before its dump", r->p.job) ?: -EPROTO;
	ret = ckptd_cluster_check_commit(r->s->c->buf, r->s->c->hdr.len, r->s->node, &h, &g,
					 why, sizeof(why));
	if (!ret && (h.job != r->p.job || h.seq != r->img_seq)) {
		snprintf(why, sizeof(why), "CLUSTER_COMMIT for job %u image %llu, but this round is job %u image %llu",
			 h.job, (unsigned long long)h.seq, r->p.job, (unsigned long long)r->img_seq);
		ret = -EINVAL;
	}
	if (!ret)
		ret = ckptd_gmanifest_store(r->s->store, &g, (const char *)r->s->c->buf + sizeof(h),
					    h.text_len, why, sizeof(why));
	if (ret)
		return refuse(r->s, ret, "%s", why) ?: ret;
	pr_info("job %u: cluster %s %llu committed by %s (image %llu here)", r->p.job,
		g.freeze ? "freeze" : "checkpoint", (unsigned long long)g.id, r->s->client,
		(unsigned long long)r->img_seq);
	r->cl.last_seq = r->img_seq;
	r->img_seq = 0;		/* it is part of a global checkpoint now */
	if (!(r->p.flags & CKPT_PEER_CLUSTER_FREEZE))
		thaw(r);
	return ckpt_peer_send(r->s->c, CKPT_PEER_OK, NULL, 0);
}

/* After PREPARE: DUMP, then COMMIT or ABORT; anything else aborts. */
static int run_round(struct round *r)
{
	struct ckpt_peer_conn *c = r->s->c;
	uint32_t job;
	char why[256];
	int ret;

	for (;;) {
		ret = ckpt_peer_recv(c);
		if (ret)
			return ret;
		switch (c->hdr.type) {
		case CKPT_PEER_CLUSTER_DUMP:
			if (ckptd_cluster_check_job(c->buf, c->hdr.len, &job, why, sizeof(why)) ||
			    job != r->p.job || r->img_seq)
				return refuse(r->s, -EPROTO, "unexpected CLUSTER_DUMP of job %u", r->p.job) ?: -EPROTO;
			ret = on_dump(r);
			if (ret)
				return ret;
			continue;
		case CKPT_PEER_CLUSTER_COMMIT:
			ret = on_commit(r);
			return ret ?: 1;
		case CKPT_PEER_CLUSTER_ABORT:
			if (ckptd_cluster_check_job(c->buf, c->hdr.len, &job, why, sizeof(why)) ||
			    job != r->p.job)
				return refuse(r->s, -EPROTO, "malformed CLUSTER_ABORT") ?: -EPROTO;
			pr_info("job %u: cluster round aborted by %s", r->p.job, r->s->client);
			discard(r);
			thaw(r);
			return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0) ?: 1;
		}
		refuse(r->s, -EPROTO, "unexpected %s during a cluster round of job %u",
		       ckpt_peer_type_name(c->hdr.type), r->p.job);
		return ckpt_peer_why(c, -EPROTO, "%s sent %s during a cluster round", c->peer,
				     ckpt_peer_type_name(c->hdr.type));
	}
}

int ckptd_cluster_serve_prepare(struct ckptd_cluster_session *s)
{
	struct round *r = calloc(1, sizeof(*r));
	char why[1024];
	int ret, err;

	if (!r)
		return ckpt_peer_send_error(s->c, -ENOMEM, "out of memory") ?: -ENOMEM;
	r->s = s;
	ret = ckptd_cluster_check_prepare(s->c->buf, s->c->hdr.len, &r->p, why, sizeof(why));
	if (ret) {
		ret = refuse(s, ret, "%s", why) ?: -EPROTO;
		goto out;
	}
	ret = check_prepare(s, &r->p);
	if (ret)
		goto out;
	r->cl.id = r->p.job;
	ckptd_loop_call(s->d, claim_job, &r->cl);
	if (r->cl.ret) {
		ret = refuse(s, r->cl.ret, "%s", r->cl.why);
		goto out;
	}
	test_hook("CKPTD_TEST_CLUSTER_PREPARE");
	r->ctx = ckptd_ops_init(&err);
	if (!r->ctx) {
		ret = refuse(s, err, "%s cannot open ckpt.ko for the round: %s", s->node,
			     strerror(-err));
		goto release;
	}
	r->st.job_id = r->p.job;
	r->st.cred = &r->cl.owner;
	r->st.uid = r->cl.owner.uid;
	r->st.gid = r->cl.owner.gid;
	r->st.timeout_ms = s->freeze_timeout_ms;
	r->st.already_frozen = r->cl.already_frozen;
	r->st.sndqs = &r->sndqs;
	if (ckptd_ckpt_step(r->ctx, &r->st)) {
		ret = refuse(s, -EAGAIN, "%s: %s", s->node, r->st.why);
	} else {
		r->cl.frozen = 1;
		pr_info("job %u: frozen for the cluster round of %s", r->p.job, s->client);
		ret = ckpt_peer_send(s->c, CKPT_PEER_OK, NULL, 0);
		if (!ret)
			ret = run_round(r);
		if (ret < 0) {
			pr_warn("job %u: cluster round of %s aborted here: %s", r->p.job, s->client,
				s->c->err.msg[0] ? s->c->err.msg : strerror(-ret));
			discard(r);
			thaw(r);
		}
		ret = ret > 0 ? 0 : ret;
	}
	ckptd_ops_fini(r->ctx);
release:
	ckptd_tcp_sndqs_free(&r->sndqs);
	r->cl.release = 1;
	ckptd_loop_call(s->d, claim_job, &r->cl);
out:
	free(r);
	return ret;
}
