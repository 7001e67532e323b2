/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coordinated checkpoints of a job spanning hosts (Documentation/cluster.md).
 *
 * A job spans hosts when `ckptctl cluster set --job ID --hosts a,b` was run
 * on each of them (the same job id attached on each).  Then `freeze` and
 * `checkpoint` of that job on any of its hosts make this ckptd the
 * coordinator of a two-phase protocol over the peer channel:
 *
 *   prepare  every host freezes the job            (the barrier)
 *   dump     every host writes a full image of it
 *   commit   the coordinator writes the global manifest naming every
 *            host's image (the commit point) and sends it to each host
 *   or abort every host discards its image of the round and thaws
 *
 * and `restore` of it restores the newest global checkpoint on every host.
 */
#ifndef CKPTD_CLUSTER_H
#define CKPTD_CLUSTER_H

#include <limits.h>
#include <sys/types.h>

#include "capture/capture.h"
#include "ckptd.h"
#include "cluster/msg.h"
#include "ctl/server.h"
#include "peer/peer_wire.h"
#include "ops/restorer.h"

/*
 * FREEZE / CHECKPOINT / RESTORE of a job that spans hosts: 1 if it does
 * (the request is handled: the protocol runs or an error was sent), 0 if
 * it is a local job.  @freeze: 1 freeze, 0 checkpoint, -1 restore.
 */
int ckptd_cluster_route(struct ckptd *d, struct ckptd_req *rq, uint32_t job, int freeze);

/* CKPTD_CMD_CLUSTER: set, unset or list (cluster_ctl.c). */
void ckptd_cmd_cluster(struct ckptd *d, struct ckptd_req *rq);

/*
 * Before a job spanning hosts is killed: its established TCP connections
 * go into repair mode, so they close without a FIN or RST (cluster_kill.c).
 */
void ckptd_cluster_quiet_kill(struct ckptd *d, uint32_t job);

/* The peer side, in a peer session thread (cluster_part.c). */
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
/* CLUSTER_RESTORE in c->buf (cluster_restore.c). */
int ckptd_cluster_serve_restore(struct ckptd_cluster_session *s);

/* The coordinator of a freeze or checkpoint (cluster.c), from the route. */
void ckptd_cluster_checkpoint_start(struct ckptd *d, struct ckptd_req *rq,
				    struct ckptd_job *job, const struct ckptd_cluster_hosts *h,
				    int freeze, enum ckptd_capture_action unsupported);

/* The coordinator of a restore (cluster_restore.c), from the route. */
void ckptd_cluster_restore_start(struct ckptd *d, struct ckptd_req *rq, uint32_t job);

/* ckpt-restore --hold (cluster_restorer.c) */
struct ckptd_held_restore {
	pid_t pid;
	int in_fd, out_fd;
	int held;
	char dir[PATH_MAX + 64];
	char msg[2048];			/* what it printed */
	size_t len;
};

/*
 * Runs `RESTORER --json --hold DIR` until it prints "held" (every process
 * ready, TCP connections in repair mode): 0, or -errno with its message.
 */
int ckptd_restorer_hold_start(const char *restorer, const char *dir, unsigned int timeout_ms,
			      struct ckptd_held_restore *h, char *why, size_t size);
/* Says go (@go) or calls it off, and waits for the restorer's result. */
int ckptd_restorer_hold_finish(struct ckptd_held_restore *h, int go,
			       struct ckptd_restored *out, char *why, size_t size);

#endif /* CKPTD_CLUSTER_H */
