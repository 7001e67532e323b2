// SPDX-License-Identifier: GPL-2.0
/*
 * On the loop: which jobs span hosts, and routing their freeze,
 * checkpoint and restore to the cluster protocol (ctl.h);
 * CKPTD_CMD_CLUSTER (`ckptctl cluster set|unset|ls`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/ctl.h"
#include "cluster/restore.h"
#include "cluster/round.h"
#include "cluster/store.h"
#include "jobs/lookup.h"
#include "log.h"
#include "ops/op.h"
#include "ops/restore.h"

/* FREEZE or CHECKPOINT of @id, which spans @h. */
static void route_checkpoint(struct ckptd *d, struct ckptd_req *rq, uint32_t id,
			     const struct ckptd_cluster_hosts *h)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];
	uint32_t flags = f ? ckptd_ctl_u32(f) : 0;
	int freeze = rq->cmd == CKPTD_CMD_FREEZE;
	struct ckptd_job *job;

	if (flags & CKPTD_F_INCREMENTAL) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EOPNOTSUPP,
				  "job %u spans hosts: cluster checkpoints are always full; drop --incremental",
				  id);
		return;
	}
	job = ckptd_req_job(d, rq);
	if (!job || ckptd_job_claim_req(d, rq, job, CKPTD_CLAIM_MODULE |
					(freeze ? CKPTD_CLAIM_RUNNING : 0)))
		return;
	ckptd_cluster_checkpoint_start(d, rq, job, h, freeze, ckptd_req_unsupported(flags));
}

int ckptd_cluster_route(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *id_a = rq->tb.a[CKPTD_CA_JOB_ID];
	struct ckptd_cluster_hosts h;
	struct ckptd_restore_who who;
	struct ckpt_err e;
	uint32_t id = id_a ? ckptd_ctl_u32(id_a) : 0;
	int ret;

	if (!id || (rq->cmd != CKPTD_CMD_FREEZE && rq->cmd != CKPTD_CMD_CHECKPOINT &&
		    rq->cmd != CKPTD_CMD_RESTORE))
		return 0;
	if (rq->cmd == CKPTD_CMD_RESTORE && (rq->tb.a[CKPTD_CA_HOST] || rq->tb.a[CKPTD_CA_SEQ]))
		return 0;	/* to another host, or one image of this host */
	ret = ckptd_cluster_member_get(d->cfg.state_dir, id, &h, &e);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "%s; fix it with 'ckptctl cluster set --job %u --hosts ...'",
				  e.msg, id);
	else if (!ckptd_cluster_hosts_has(&h, d->cfg.node_name))
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "job %u spans hosts %s, which do not include this host (%s, 'name' in [peers]); fix it with 'ckptctl cluster set'",
				  id, h.name[0], d->cfg.node_name);
	else if (rq->cmd != CKPTD_CMD_RESTORE)
		route_checkpoint(d, rq, id, &h);
	else if (!ckptd_restore_allowed(d, rq, &who))
		ckptd_cluster_restore_start(d, rq, &who);
	return 1;
}

static void list(struct ckptd *d, struct ckptd_req *rq, uint32_t id)
{
	static struct ckptd_reply r;
	static char text[CKPTD_CLUSTER_TEXT_MAX];
	struct ckptd_cluster_hosts h;
	struct ckptd_gmanifest g;
	struct ckpt_err e;
	char buf[CKPT_PEER_CLUSTER_HOSTS * 2];
	uint64_t *ids;
	size_t n, len;

	ckptd_reply_init(&r, rq->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, id);
	if (!ckptd_cluster_member_get(d->cfg.state_dir, id, &h, &e)) {
		ckptd_cluster_hosts_format(&h, buf, sizeof(buf));
		ckptd_ctl_put_str(&r.m, CKPTD_CA_CLUSTER, buf);
	}
	if (ckptd_gmanifest_ids(d->cfg.image_store, id, &ids, &n)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EIO,
				  "cannot list the global checkpoints of job %u in %s", id,
				  d->cfg.image_store);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t nest, bl = 0;

		if (ckptd_gmanifest_load(d->cfg.image_store, id, ids[i], &g, text, &len, &e))
			continue;	/* damaged: never listed */
		for (unsigned int k = 0; k < g.n && bl < sizeof(buf); k++)
			bl += snprintf(buf + bl, sizeof(buf) - bl, "%s%s:%llu", k ? "," : "",
				       g.e[k].host, (unsigned long long)g.e[k].seq);
		nest = ckptd_ctl_nest_start(&r.m, CKPTD_CA_JOB);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, g.id);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_STATE, g.freeze ? "freeze" : "checkpoint");
		ckptd_ctl_put_str(&r.m, CKPTD_CA_HOST, g.coordinator);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_CLUSTER, buf);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_TOTAL, (uint64_t)g.time_ns);
		ckptd_ctl_nest_end(&r.m, nest);
	}
	free(ids);
	ckptd_reply_send(d, rq->client_id, &r);
}

void ckptd_cmd_cluster(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *a = rq->tb.a[CKPTD_CA_CLUSTER];
	static struct ckptd_reply r;
	struct ckptd_cluster_hosts h;
	uint32_t id = ckptd_req_job_id(d, rq);
	const char *list_s;
	struct ckpt_err e;
	int ret;

	if (!id)
		return;
	if (!a) {
		list(d, rq, id);
		return;
	}
	if (!rq->cred.privileged) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "only root (with CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN) may say which hosts job %u spans", id);
		return;
	}
	list_s = ckptd_ctl_str(a);
	ret = *list_s ? ckptd_cluster_hosts_parse(list_s, &h, &e) : 0;
	if (!ret && *list_s && !ckptd_cluster_hosts_has(&h, d->cfg.node_name))
		ret = ckpt_err_set(&e, EINVAL, "cluster host list '%s' does not include this host, %s ('name' in [peers])",
				   list_s, d->cfg.node_name);
	for (unsigned int i = 0; !ret && *list_s && i < h.n; i++)
		if (strcmp(h.name[i], d->cfg.node_name) &&
		    !ckptd_config_peer(&d->cfg, h.name[i]))
			ret = ckpt_err_set(&e, ENOENT, "host %s is not a peer in [peers] of ckptd.conf; add 'peer %s = ADDRESS' and send ckptd SIGHUP",
					   h.name[i], h.name[i]);
	if (!ret)
		ret = ckptd_cluster_member_set(d->cfg.state_dir, id, *list_s ? &h : NULL, &e);
	if (ret) {
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "%s", e.msg);
		return;
	}
	pr_info("job %u: %s", id, *list_s ? "spans hosts" : "spans no other host any more");
	ckptd_reply_init(&r, rq->seq);
	ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, id);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_CLUSTER, list_s);
	ckptd_reply_send(d, rq->client_id, &r);
}
