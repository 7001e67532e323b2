/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jobs spanning hosts on the control socket (ctl.c); Documentation/cluster.md.
 *
 * A job spans hosts when `ckptctl cluster set --job ID --hosts a,b` was run
 * on each of them (the same job id attached on each).  Then `freeze` and
 * `checkpoint` of that job on any of its hosts make this ckptd the
 * coordinator of a two-phase protocol over the peer channel (round.c):
 *
 *   prepare  every host freezes the job            (the barrier)
 *   dump     every host writes a full image of it
 *   commit   the coordinator writes the global manifest naming every
 *            host's image (the commit point) and sends it to each host
 *   or abort every host discards its image of the round and thaws
 *
 * and `restore` of it restores the newest global checkpoint on every host
 * (restore.c).  The other hosts' side of both is part.c's.
 */
#ifndef CKPTD_CLUSTER_CTL_H
#define CKPTD_CLUSTER_CTL_H

#include "ckptd.h"
#include "ctl/server.h"

/*
 * Called by ctl/dispatch.c before the local handlers: FREEZE, CHECKPOINT
 * or RESTORE (without --host or --seq) of a job that spans hosts is
 * handled here (1: the protocol runs or an error was sent); 0 for every
 * other request.
 */
int ckptd_cluster_route(struct ckptd *d, struct ckptd_req *rq);

/* CKPTD_CMD_CLUSTER: set, unset or list. */
void ckptd_cmd_cluster(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_CLUSTER_CTL_H */
