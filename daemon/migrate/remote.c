// SPDX-License-Identifier: GPL-2.0
/* Moving a job to another host: the steps over the peer channel (remote.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer/peer_connect.h"
#include "peer/peer_xfer.h"
#include "migrate/remote.h"

int ckptd_remote_init(struct ckptd_remote *r, const struct ckptd_config *cfg,
		      const struct ckpt_peer_key *key, const char *host, struct ckpt_err *err)
{
	const struct ckptd_peer_cfg *p = ckptd_config_peer(cfg, host);
	const char *hook = getenv("CKPTD_TEST_CORRUPT_CHUNK");

	memset(r, 0, sizeof(*r));
	if (!cfg->peers_on)
		return ckpt_err_set(err, ENOENT, "this ckptd has no [peers] section in its ckptd.conf; add the peers and a key_file (ckptd.conf(5))");
	if (!p)
		return ckpt_err_set(err, ENOENT, "no peer '%s' in [peers] of ckptd.conf; add 'peer %s = ADDRESS' and send ckptd SIGHUP",
				    host, host);
	if (!strcmp(host, cfg->node_name))
		return ckpt_err_set(err, EINVAL, "'%s' is this host; use 'ckptctl restore --job ID' to restore here",
				    host);
	r->peer = *p;
	snprintf(r->node, sizeof(r->node), "%s", cfg->node_name);
	r->key = *key;
	snprintf(r->store, sizeof(r->store), "%s", cfg->image_store);
	snprintf(r->state_dir, sizeof(r->state_dir), "%s", cfg->state_dir);
	r->timeout_ms = cfg->peer_timeout_ms;
	r->corrupt_chunk = hook ? strtoull(hook, NULL, 10) : 0;
	return 0;
}

/* What the connection says failed, into @err. */
static int conn_err(struct ckptd_remote *r, int ret, struct ckpt_err *err)
{
	return ret ? ckpt_err_set(err, ret, "%s", r->c->err.msg) : 0;
}

int ckptd_remote_open(struct ckptd_remote *r, struct ckpt_err *err)
{
	char name[CKPT_PEER_NAME];
	int ret = ckpt_peer_connect(r->peer.name, r->peer.host, r->peer.port,
				    r->timeout_ms, &r->c, err);

	if (ret)
		return ret;
	ret = ckpt_peer_auth_client(r->c, &r->key, r->node, r->peer.name,
				    name, sizeof(name));
	if (ret) {
		conn_err(r, ret, err);
		ckptd_remote_close(r);
	}
	return ret;
}

void ckptd_remote_close(struct ckptd_remote *r)
{
	ckpt_peer_conn_free(r->c);
	r->c = NULL;
	memset(&r->key, 0, sizeof(r->key));
}

int ckptd_remote_check_job(struct ckptd_remote *r, uint32_t job, struct ckpt_err *err)
{
	struct ckpt_peer_job j = { .job = job };
	int ret = ckpt_peer_send(r->c, CKPT_PEER_JOB_CHECK, &j, sizeof(j));

	if (!ret)
		ret = ckpt_peer_expect(r->c, CKPT_PEER_OK, 0);
	return conn_err(r, ret, err);
}

static void on_sent(void *arg, uint64_t sent, uint64_t total)
{
	struct ckptd_progress *p = arg;

	atomic_store(&p->total, total);
	atomic_store(&p->bytes, sent);
}

int ckptd_remote_ship(struct ckptd_remote *r, uint32_t job, uint64_t seq,
		      struct ckptd_progress *progress, uint64_t *bytes, struct ckpt_err *err)
{
	struct ckpt_peer_send_opts o = {
		.progress = progress ? on_sent : NULL, .progress_arg = progress,
		.corrupt_chunk = r->corrupt_chunk,
	};
	struct ckpt_peer_send_stats st;
	int ret = ckpt_peer_send_chain(r->c, r->store, job, seq, &o, &st);

	if (bytes)
		*bytes += st.bytes;
	return conn_err(r, ret, err);
}

int ckptd_remote_ship_log(struct ckptd_remote *r, uint32_t job, struct ckpt_err *err)
{
	char path[PATH_MAX + 32];
	int ret;

	snprintf(path, sizeof(path), "%s/job-%u.log", r->state_dir, job);
	if (access(path, F_OK))
		return 0;
	ret = ckpt_peer_send_job_log(r->c, job, path);
	return conn_err(r, ret, err);
}

int ckptd_remote_restore(struct ckptd_remote *r, uint32_t job, uint64_t seq,
			 uint32_t uid, uint32_t gid, int pidns, pid_t *pid, struct ckpt_err *err)
{
	struct ckpt_peer_restore rq = {
		.job = job, .seq = seq, .uid = uid, .gid = gid,
		.flags = pidns ? CKPT_PEER_RESTORE_PIDNS : 0,
	};
	int ret = ckpt_peer_send(r->c, CKPT_PEER_RESTORE, &rq, sizeof(rq));

	if (!ret)
		ret = ckpt_peer_expect(r->c, CKPT_PEER_RESTORED,
				       sizeof(struct ckpt_peer_restored));
	if (ret)
		return conn_err(r, ret, err);
	*pid = ((struct ckpt_peer_restored *)r->c->buf)->root_pid;
	return 0;
}
