// SPDX-License-Identifier: GPL-2.0
/*
 * The peer channel's listening side (peer_server.h, Documentation/migration.md):
 * accepting, one thread per session, and the requests of another host's
 * ckptd: JOB_CHECK, images in (peer/), RESTORE (the restorer of
 * ops/restorer.h), and the cluster messages, handed to cluster/part.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "ckptd.h"
#include "cluster/part.h"
#include "image.h"
#include "jobs/adopt.h"
#include "log.h"
#include "loop.h"
#include "loop_call.h"
#include "peer/peer_connect.h"
#include "peer/peer_xfer.h"
#include "migrate/peer_server.h"
#include "ops/op.h"
#include "ops/restorer.h"
#include "predump.h"

#define SESSIONS_MAX	16

/* What a session needs of the configuration, copied at accept. */
struct session {
	struct ckptd *d;
	struct ckpt_peer_conn *c;
	char client[CKPT_PEER_NAME];
	char node[CKPT_PEER_NAME];
	struct ckpt_peer_key key;
	char store[PATH_MAX];
	char state_dir[PATH_MAX];
	char restorer[PATH_MAX];
	unsigned int freeze_timeout_ms;
	struct ckpt_peer_recv_state rs;
};

/* JOB_CHECK and adoption: on the loop */
struct job_query {
	uint32_t id;
	struct ckptd_adopt adopt;
	struct ckpt_err err;
};

static void query_job(struct ckptd *d, void *arg)
{
	struct job_query *q = arg;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, q->id);
	unsigned int n = job ? ckptd_job_runs(d, job) : 0;

	ckpt_err_clear(&q->err);
	if (n)
		ckpt_err_set(&q->err, EEXIST, "job %u runs on %s already (%u processes); kill it there or restore elsewhere",
			     q->id, d->cfg.node_name, n);
}

static void adopt_job(struct ckptd *d, void *arg)
{
	struct job_query *q = arg;

	ckptd_job_adopt(d, &q->adopt, &q->err);
}

static int on_job_check(struct session *s)
{
	struct ckpt_peer_job j;
	struct job_query q = { 0 };

	if (s->c->hdr.len < sizeof(j))
		return ckpt_peer_send_error(s->c, -EPROTO, "short JOB_CHECK") ?: -EPROTO;
	memcpy(&j, s->c->buf, sizeof(j));
	q.id = j.job;
	ckptd_loop_call(s->d, query_job, &q);
	if (q.err.errnum)
		return ckpt_peer_send_error(s->c, -q.err.errnum, q.err.msg);
	return ckpt_peer_send(s->c, CKPT_PEER_OK, NULL, 0);
}

static int on_restore(struct session *s)
{
	struct ckpt_peer_restore rq;
	struct ckpt_peer_restored out = { 0 };
	struct ckptd_restored res;
	struct job_query q = { 0 };
	char dir[PATH_MAX + 64];
	struct ckpt_err e;
	int ret;

	if (s->c->hdr.len < sizeof(rq))
		return ckpt_peer_send_error(s->c, -EPROTO, "short RESTORE") ?: -EPROTO;
	memcpy(&rq, s->c->buf, sizeof(rq));
	if (!rq.job || !rq.seq || (rq.flags & ~CKPT_PEER_RESTORE_FLAGS))
		return ckpt_peer_send_error(s->c, -EINVAL, "RESTORE: bad job, checkpoint or flags");
	q.id = rq.job;
	ckptd_loop_call(s->d, query_job, &q);
	if (q.err.errnum)
		return ckpt_peer_send_error(s->c, -q.err.errnum, q.err.msg);
	ckptd_image_path(dir, sizeof(dir), s->store, rq.job, rq.seq);
	if (ckptd_image_is_predump(s->store, rq.job, rq.seq)) {
		ckpt_err_set(&e, EINVAL, "checkpoint %llu of job %u is a pre-dump of a migration, not a checkpoint: it is never restored; ship and restore the final checkpoint",
			     (unsigned long long)rq.seq, rq.job);
		return ckpt_peer_send_error(s->c, -EINVAL, e.msg);
	}
	pr_info("peer %s: restoring job %u from %s", s->client, rq.job, dir);
	ret = ckptd_run_restorer(s->restorer, dir, CKPTD_RESTORE_OTHER_HOST |
				 (rq.flags & CKPT_PEER_RESTORE_PIDNS ? CKPTD_RESTORE_PIDNS : 0),
				 &res, &e);
	if (!ret && ckptd_pid_running(res.root_pid))
		ret = ckpt_err_set(&e, ESRCH, "job %u was restored as pid %d but is no longer running",
				   rq.job, res.root_pid);
	if (ret) {
		pr_err("peer %s: restore of job %u: %s", s->client, rq.job, e.msg);
		return ckpt_peer_send_error(s->c, ret, e.msg);
	}
	q.adopt = (struct ckptd_adopt){
		.id = rq.job, .uid = rq.uid, .gid = rq.gid, .root_pid = res.root_pid,
		.pidns = !!(rq.flags & CKPT_PEER_RESTORE_PIDNS) || res.pidns,
		.last_seq = rq.seq,
	};
	ckptd_loop_call(s->d, adopt_job, &q);
	if (q.err.errnum)
		pr_warn("peer %s: job %u restored, but %s", s->client, rq.job, q.err.msg);
	pr_info("peer %s: job %u restored here, root pid %d", s->client, rq.job, res.root_pid);
	out.root_pid = res.root_pid;
	out.nr_procs = res.nr_procs;
	return ckpt_peer_send(s->c, CKPT_PEER_RESTORED, &out, sizeof(out));
}

/*
 * A migration that did not end with its final checkpoint here leaves
 * pre-dumps that nothing needs: they go with the session.
 */
static void drop_stale_predumps(struct session *s)
{
	unsigned int removed = 0;
	struct ckpt_err e;

	if (!s->rs.job)
		return;
	if (ckptd_predump_gc(s->store, s->rs.job, 0, &removed, &e))
		pr_warn("peer %s: %s", s->client, e.msg);
	else if (removed)
		pr_info("peer %s: removed %u pre-dump(s) of job %u that no checkpoint needs (an unfinished migration)",
			s->client, removed, s->rs.job);
}

static int on_cluster(struct session *s)
{
	struct ckptd_cluster_session cs = {
		.d = s->d, .c = s->c, .client = s->client, .node = s->node,
		.store = s->store, .state_dir = s->state_dir, .restorer = s->restorer,
		.freeze_timeout_ms = s->freeze_timeout_ms,
	};

	switch (s->c->hdr.type) {
	case CKPT_PEER_CLUSTER_PREPARE:
		return ckptd_cluster_serve_prepare(&cs);
	case CKPT_PEER_CLUSTER_RESTORE:
		return ckptd_cluster_serve_restore(&cs);
	}
	/* ABORT of a round this host refused: nothing to undo */
	return ckpt_peer_send(s->c, CKPT_PEER_OK, NULL, 0);
}

static int serve_one(struct session *s)
{
	struct ckpt_peer_conn *c = s->c;
	int ret = ckpt_peer_recv(c);

	if (ret)
		return ret;
	switch (c->hdr.type) {
	case CKPT_PEER_CLUSTER_PREPARE:
	case CKPT_PEER_CLUSTER_RESTORE:
	case CKPT_PEER_CLUSTER_ABORT:
		return on_cluster(s);
	case CKPT_PEER_JOB_CHECK:
		return on_job_check(s);
	case CKPT_PEER_IMAGE_HAVE:
		return ckpt_peer_recv_have(c, &s->rs);
	case CKPT_PEER_FILE_PUT:
		return ckpt_peer_recv_file(c, &s->rs);
	case CKPT_PEER_IMAGE_COMMIT:
		return ckpt_peer_recv_commit(c, &s->rs);
	case CKPT_PEER_RESTORE:
		return on_restore(s);
	}
	ckpt_peer_send_error(c, -EOPNOTSUPP, "unexpected request");
	return ckpt_peer_why(c, -EPROTO, "%s sent an unexpected %s", c->peer,
			     ckpt_peer_type_name(c->hdr.type));
}

static void *session_main(void *arg)
{
	struct session *s = arg;
	int ret;

	ret = ckpt_peer_auth_server(s->c, &s->key, s->node, s->client, sizeof(s->client));
	if (ret) {
		pr_warn("peer connection from %s refused: %s", s->c->peer,
			ret == -ECONNRESET ? "it hung up during the handshake (it does not accept our key)" :
			s->c->err.msg);
		goto out;
	}
	pr_info("peer %s connected from %s", s->client, s->c->peer);
	s->rs.store = s->store;
	s->rs.state_dir = s->state_dir;
	while (!(ret = serve_one(s)))
		;
	if (ret != -ECONNRESET)
		pr_warn("peer %s: %s", s->client, s->c->err.msg);
	if (s->rs.staging[0]) {
		pr_warn("peer %s: transfer of job %u checkpoint %llu incomplete; discarded",
			s->client, s->rs.job, (unsigned long long)s->rs.seq);
		ckpt_peer_recv_abort(&s->rs);
	}
	drop_stale_predumps(s);
out:
	s->d->peer_sessions--;
	ckpt_peer_conn_free(s->c);
	memset(&s->key, 0, sizeof(s->key));
	free(s);
	return NULL;
}

static void on_accept(struct ckptd *d, struct ckptd_watch *w, uint32_t ev)
{
	char addr[96];
	struct session *s;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	(void)ev;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	ckpt_peer_addr_str(fd, addr, sizeof(addr));
	if (d->peer_sessions >= SESSIONS_MAX || d->stopping) {
		pr_warn("peer connection from %s refused: %s", addr,
			d->stopping ? "ckptd is stopping" : "too many peer sessions");
		close(fd);
		return;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->c = ckpt_peer_conn_new(fd, addr, d->cfg.peer_timeout_ms);
	else
		close(fd);
	if (!s || !s->c) {
		free(s);
		return;
	}
	s->d = d;
	snprintf(s->node, sizeof(s->node), "%s", d->cfg.node_name);
	s->key = d->peer_key;
	snprintf(s->store, sizeof(s->store), "%s", d->cfg.image_store);
	snprintf(s->state_dir, sizeof(s->state_dir), "%s", d->cfg.state_dir);
	snprintf(s->restorer, sizeof(s->restorer), "%s", d->cfg.restorer);
	s->freeze_timeout_ms = d->cfg.freeze_timeout_ms;
	d->peer_sessions++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, session_main, s)) {
		d->peer_sessions--;
		ckpt_peer_conn_free(s->c);
		free(s);
	}
	pthread_attr_destroy(&attr);
}

int ckptd_peer_reload_key(struct ckptd *d)
{
	struct ckpt_peer_key k;
	struct ckpt_err why;
	int ret;

	if (!d->cfg.peers_on)
		return 0;
	ret = ckpt_peer_key_load(&k, d->cfg.peer_key_file, &why);
	if (ret) {
		pr_err("%s", why.msg);
		return ret;
	}
	d->peer_key = k;
	memset(&k, 0, sizeof(k));
	return 0;
}

int ckptd_peer_listen(struct ckptd *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
	const char *host = d->cfg.peer_listen[0] ? d->cfg.peer_listen : "0.0.0.0";
	char port[8];
	unsigned int removed = 0;
	int fd, one = 1, ret;

	d->peer_w.fd = -1;
	if (!d->cfg.peers_on)
		return 0;
	if (ckptd_peer_reload_key(d))
		return -EACCES;	/* nothing listens unauthenticated */
	if (!ckpt_peer_cleanup_staging(d->cfg.image_store, &removed) && removed)
		pr_info("removed %u unfinished incoming transfer(s)", removed);
	snprintf(port, sizeof(port), "%u", d->cfg.peer_port);
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		pr_err("[peers] listen = %s: %s", host, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		pr_err("peer channel: cannot listen on %s port %s: %s", host, port,
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -errno;
	}
	freeaddrinfo(ai);
	d->peer_w.fd = fd;
	d->peer_w.fn = on_accept;
	ret = ckptd_loop_add(d, &d->peer_w, EPOLLIN);
	if (ret)
		return ret;
	pr_info("peer channel: %s listening on %s port %s, %u peer(s) known", d->cfg.node_name,
		host, port, d->cfg.nr_peers);
	return 0;
}

void ckptd_peer_close(struct ckptd *d)
{
	if (d->peer_w.fd < 0)
		return;
	ckptd_loop_del(d, &d->peer_w);
	close(d->peer_w.fd);
	d->peer_w.fd = -1;
}
