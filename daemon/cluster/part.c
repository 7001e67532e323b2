// SPDX-License-Identifier: GPL-2.0
/*
 * A participant of a cluster checkpoint or restore (part.h), in the peer
 * session thread of the coordinator's connection.  A round, with its own
 * ops context and this host's steps of cluster/step.c:
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
 *
 * A restore: CLUSTER_RESTORE names this host's image in the global
 * manifest; the job id must be free here; ckpt-restore --hold brings it
 * up to "go" (ops/restorer.h), OK; then CLUSTER_GO says go (RESTORED
 * with the root pid), anything else calls it off.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/part.h"
#include "cluster/step.h"
#include "cluster/store.h"
#include "image.h"
#include "jobs/auth.h"
#include "jobs/adopt.h"
#include "jobs/persist.h"
#include "log.h"
#include "loop_call.h"
#include "ops/dump.h"
#include "ops/op.h"
#include "ops/restorer.h"

/* On the loop: the job claimed for the round, or released after it. */
struct claim {
	uint32_t id;
	int release;		/* 0: claim the job, 1: release it */
	/* claim: out; release: in */
	int frozen, already_frozen;
	uint64_t seq_base, last_seq;
	struct ckptd_cred owner;	/* members are checked as the job's owner */
	struct ckpt_err err;
};

static void claim_job(struct ckptd *d, void *arg)
{
	struct claim *c = arg;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, c->id);
	struct ckptd_op_end end = {
		.seq_base = c->seq_base, .frozen = c->frozen, .last_seq = c->last_seq,
	};

	ckpt_err_clear(&c->err);
	if (c->release) {
		if (ckptd_job_release(d, c->id, &end))
			ckptd_persist(d, 0, 0, NULL);
		return;
	}
	if (!job) {
		ckpt_err_set(&c->err, ENOENT, "job %u is not attached on %s; attach it there (same id) or fix the cluster's host list",
			     c->id, d->cfg.node_name);
	} else if (!ckptd_job_claim(d, job, CKPTD_CLAIM_MODULE, &c->err)) {
		ckptd_cred_of_owner(job, &c->owner);
		c->already_frozen = !!(job->flags & CKPTD_JOB_FROZEN);
		c->seq_base = job->seq_base;
	}
}

/*
 * Logs the refusal in @e and sends it to the coordinator: what sending
 * returned (0: sent), so that callers return "refuse() ?: -errno".
 */
static int refuse(struct ckptd_cluster_session *s, const struct ckpt_err *e)
{
	pr_warn("peer %s: cluster round refused: %s", s->client, e->msg);
	return ckpt_peer_send_error(s->c, -e->errnum, e->msg);
}

/* The PREPARE's checks against this host's view of the job. */
static int check_prepare(struct ckptd_cluster_session *s, const struct ckptd_cluster_prepare *p)
{
	struct ckptd_cluster_hosts mine;
	char a[CKPT_PEER_CLUSTER_HOSTS], b[CKPT_PEER_CLUSTER_HOSTS];
	struct ckpt_err e, why;
	int ret = 0;

	if (strcmp(p->coordinator, s->client))
		ret = ckpt_err_set(&e, EPERM, "CLUSTER_PREPARE from %s names %s as the coordinator",
				   s->client, p->coordinator);
	else if (!ckptd_cluster_hosts_has(&p->hosts, s->node))
		ret = ckpt_err_set(&e, EINVAL, "%s is not among the hosts of job %u's round",
				   s->node, p->job);
	else if (ckptd_cluster_member_get(s->state_dir, p->job, &mine, &why))
		ret = ckpt_err_set(&e, ENOENT, "%s: %s; run 'ckptctl cluster set --job %u --hosts ...' there",
				   s->node, why.msg, p->job);
	if (ret)
		return refuse(s, &e) ?: ret;
	ckptd_cluster_hosts_format(&mine, a, sizeof(a));
	ckptd_cluster_hosts_format(&p->hosts, b, sizeof(b));
	if (strcmp(a, b)) {
		ret = ckpt_err_set(&e, EINVAL, "job %u spans %s on %s, but %s asks for %s; make 'ckptctl cluster set' agree on every host",
				   p->job, a, s->node, s->client, b);
		return refuse(s, &e) ?: ret;
	}
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
	struct ckptd_cluster_step st;
	uint64_t img_seq;
	struct ckptd_tcp_sndqs sndqs;	/* read at prepare, written at dump */
};

static void thaw(struct round *r)
{
	struct ckpt_err e;

	if (!r->cl.frozen || r->cl.already_frozen)
		return;
	if (ckptd_dump_thaw(r->ctx, r->p.job, &e))
		pr_err("cluster round of job %u: %s", r->p.job, e.msg);
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
	struct ckpt_err e;
	uint64_t *ids;
	size_t n;
	int ret;

	test_hook("CKPTD_TEST_CLUSTER_DUMP");
	ret = ckptd_cluster_step_dump(r->ctx, &r->st, &e);
	r->cl.seq_base = r->st.seq_base;
	if (ret) {
		ckpt_err_prefix(&e, "%s", r->s->node);
		return refuse(r->s, &e);
	}
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
	struct ckpt_err e;
	int ret;

	if (!r->img_seq) {
		ret = ckpt_err_set(&e, EPROTO, "CLUSTER_COMMIT of job %u before its dump", r->p.job);
		return refuse(r->s, &e) ?: ret;
	}
	ret = ckptd_cluster_check_commit(r->s->c->buf, r->s->c->hdr.len, r->s->node, &h, &g, &e);
	if (!ret && (h.job != r->p.job || h.seq != r->img_seq))
		ret = ckpt_err_set(&e, EINVAL, "CLUSTER_COMMIT for job %u image %llu, but this round is job %u image %llu",
				   h.job, (unsigned long long)h.seq, r->p.job,
				   (unsigned long long)r->img_seq);
	if (!ret)
		ret = ckptd_gmanifest_store(r->s->store, &g, (const char *)r->s->c->buf + sizeof(h),
					    h.text_len, &e);
	if (ret)
		return refuse(r->s, &e) ?: ret;
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
	struct ckpt_err e;
	uint32_t job;
	int ret;

	for (;;) {
		ret = ckpt_peer_recv(c);
		if (ret)
			return ret;
		switch (c->hdr.type) {
		case CKPT_PEER_CLUSTER_DUMP:
			if (ckptd_cluster_check_job(c->buf, c->hdr.len, &job, &e) ||
			    job != r->p.job || r->img_seq) {
				ckpt_err_set(&e, EPROTO, "unexpected CLUSTER_DUMP of job %u", r->p.job);
				return refuse(r->s, &e) ?: -EPROTO;
			}
			ret = on_dump(r);
			if (ret)
				return ret;
			continue;
		case CKPT_PEER_CLUSTER_COMMIT:
			ret = on_commit(r);
			return ret ?: 1;
		case CKPT_PEER_CLUSTER_ABORT:
			if (ckptd_cluster_check_job(c->buf, c->hdr.len, &job, &e) ||
			    job != r->p.job) {
				ckpt_err_set(&e, EPROTO, "malformed CLUSTER_ABORT");
				return refuse(r->s, &e) ?: -EPROTO;
			}
			pr_info("job %u: cluster round aborted by %s", r->p.job, r->s->client);
			discard(r);
			thaw(r);
			return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0) ?: 1;
		}
		ckpt_err_set(&e, EPROTO, "unexpected %s during a cluster round of job %u",
			     ckpt_peer_type_name(c->hdr.type), r->p.job);
		refuse(r->s, &e);
		return ckpt_peer_why(c, -EPROTO, "%s sent %s during a cluster round", c->peer,
				     ckpt_peer_type_name(c->hdr.type));
	}
}

int ckptd_cluster_serve_prepare(struct ckptd_cluster_session *s)
{
	struct round *r = calloc(1, sizeof(*r));
	struct ckpt_err e;
	int ret, err;

	if (!r)
		return ckpt_peer_send_error(s->c, -ENOMEM, "out of memory") ?: -ENOMEM;
	r->s = s;
	ret = ckptd_cluster_check_prepare(s->c->buf, s->c->hdr.len, &r->p, &e);
	if (ret) {
		ret = refuse(s, &e) ?: -EPROTO;
		goto out;
	}
	ret = check_prepare(s, &r->p);
	if (ret)
		goto out;
	r->cl.id = r->p.job;
	ckptd_loop_call(s->d, claim_job, &r->cl);
	if (r->cl.err.errnum) {
		ret = refuse(s, &r->cl.err);
		goto out;
	}
	test_hook("CKPTD_TEST_CLUSTER_PREPARE");
	r->ctx = ckptd_ops_init(&err);
	if (!r->ctx) {
		ckpt_err_set(&e, err, "%s cannot open ckpt.ko for the round: %s", s->node,
			     strerror(-err));
		ret = refuse(s, &e);
		goto release;
	}
	r->st = (struct ckptd_cluster_step){
		.job_id = r->p.job, .cred = &r->cl.owner,
		.uid = r->cl.owner.uid, .gid = r->cl.owner.gid,
		.timeout_ms = s->freeze_timeout_ms, .store = s->store,
		.seq_base = r->cl.seq_base, .sndqs = &r->sndqs,
	};
	if (ckptd_cluster_step_freeze(r->ctx, &r->st, r->cl.already_frozen, &e)) {
		ckpt_err_prefix(&e, "%s", s->node);
		e.errnum = EAGAIN;
		ret = refuse(s, &e);
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

/* --- a cluster restore ---------------------------------------------------- */

/* On the loop: the job id is free here (check), or the restored job adopted. */
struct adopt_call {
	struct ckptd_adopt a;
	int check;		/* 1: only check the id is free */
	struct ckpt_err err;
};

static void adopt_on_loop(struct ckptd *d, void *arg)
{
	struct adopt_call *c = arg;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, c->a.id);

	ckpt_err_clear(&c->err);
	if (!c->check) {
		ckptd_job_adopt(d, &c->a, &c->err);
		ckptd_persist(d, 0, 0, NULL);
		return;
	}
	if (!job)
		return;
	c->a.uid = job->uid;
	c->a.gid = job->gid;
	if (ckptd_job_claim(d, job, CKPTD_CLAIM_CHECK, NULL) || ckptd_job_runs(d, job))
		ckpt_err_set(&c->err, EEXIST, "job %u runs on %s already; kill it there first ('ckptctl kill --job %u')",
			     c->a.id, d->cfg.node_name, c->a.id);
}

/* Sends @e to the coordinator and returns what it should end the session with. */
static int restore_failed(struct ckptd_cluster_session *s, uint32_t job, const struct ckpt_err *e)
{
	pr_err("peer %s: cluster restore of job %u: %s", s->client, job, e->msg);
	return ckpt_peer_send_error(s->c, -e->errnum, e->msg);
}

int ckptd_cluster_serve_restore(struct ckptd_cluster_session *s)
{
	struct ckpt_peer_cluster_commit h;
	struct ckpt_peer_restored out = { 0 };
	struct ckptd_gmanifest g;
	struct ckptd_restored res;
	struct ckptd_restorer *held;
	struct adopt_call ac = { .check = 1 };
	char dir[PATH_MAX + 64], path[PATH_MAX];
	struct ckpt_err e;
	uint32_t job;
	int ret;

	ret = ckptd_cluster_check_commit(s->c->buf, s->c->hdr.len, s->node, &h, &g, &e);
	if (ret)
		return ckpt_peer_send_error(s->c, ret, e.msg) ?: ret;
	ac.a.id = h.job;
	ckptd_loop_call(s->d, adopt_on_loop, &ac);
	if (ac.err.errnum)
		return ckpt_peer_send_error(s->c, -ac.err.errnum, ac.err.msg);
	/* the coordinator's copy is authoritative: keep one here too */
	ckptd_gmanifest_path(path, sizeof(path), s->store, h.job, h.id);
	if (access(path, F_OK) &&
	    ckptd_gmanifest_store(s->store, &g, (const char *)s->c->buf + sizeof(h), h.text_len, &e))
		pr_warn("peer %s: %s", s->client, e.msg);
	ckptd_image_path(dir, sizeof(dir), s->store, h.job, h.seq);
	pr_info("peer %s: restoring job %u from %s (global checkpoint %llu)", s->client, h.job,
		dir, (unsigned long long)h.id);
	held = calloc(1, sizeof(*held));
	if (!held)
		return ckpt_peer_send_error(s->c, -ENOMEM, "out of memory") ?: -ENOMEM;
	ret = ckptd_restorer_start(s->restorer, dir, CKPTD_RESTORE_HOLD, s->c->timeout_ms, held, &e);
	if (ret) {
		free(held);
		return restore_failed(s, h.job, &e);
	}
	ret = ckpt_peer_send(s->c, CKPT_PEER_OK, NULL, 0) ?: ckpt_peer_recv(s->c);
	if (!ret && (s->c->hdr.type != CKPT_PEER_CLUSTER_GO ||
		     ckptd_cluster_check_job(s->c->buf, s->c->hdr.len, &job, &e) ||
		     job != h.job))
		ret = ckpt_peer_why(s->c, -EPROTO, "%s sent %s instead of CLUSTER_GO", s->c->peer,
				    ckpt_peer_type_name(s->c->hdr.type));
	if (ret) {
		pr_warn("peer %s: cluster restore of job %u called off: %s", s->client, h.job,
			s->c->err.msg);
		ckptd_restorer_finish(held, 0, &res, &e);
		free(held);
		return ret;
	}
	ret = ckptd_restorer_finish(held, 1, &res, &e);
	free(held);
	if (ret)
		return restore_failed(s, h.job, &e);
	ac.check = 0;
	ac.a.root_pid = res.root_pid;
	ac.a.pidns = res.pidns;
	ac.a.last_seq = h.seq;
	ckptd_loop_call(s->d, adopt_on_loop, &ac);
	if (ac.err.errnum)
		pr_warn("peer %s: job %u restored, but %s", s->client, h.job, ac.err.msg);
	pr_info("peer %s: job %u restored here (global checkpoint %llu), root pid %d", s->client,
		h.job, (unsigned long long)h.id, res.root_pid);
	out.root_pid = res.root_pid;
	out.nr_procs = res.nr_procs;
	return ckpt_peer_send(s->c, CKPT_PEER_RESTORED, &out, sizeof(out));
}
