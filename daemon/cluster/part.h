/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A participant's side of cluster rounds and cluster restores (part.c):
 * the coordinator's CLUSTER_PREPARE or CLUSTER_RESTORE arrived on a peer
 * session (migrate/peer_server.c), which hands it here in its thread.
 */
#ifndef CKPTD_CLUSTER_PART_H
#define CKPTD_CLUSTER_PART_H

struct ckptd;
struct ckpt_peer_conn;

struct ckptd_cluster_session {
	struct ckptd *d;
	struct ckpt_peer_conn *c;
	const char *client;		/* the authenticated peer */
	const char *node;		/* this host */
	const char *store, *state_dir, *restorer;
	unsigned int freeze_timeout_ms;
};

/* CLUSTER_PREPARE in c->buf: runs the round to its commit or abort. */
int ckptd_cluster_serve_prepare(struct ckptd_cluster_session *s);
/* CLUSTER_RESTORE in c->buf: held restore, then GO or called off. */
int ckptd_cluster_serve_restore(struct ckptd_cluster_session *s);

#endif /* CKPTD_CLUSTER_PART_H */
