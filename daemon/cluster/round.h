/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The coordinator of a cluster freeze or checkpoint (round.c): prepare,
 * dump, commit or abort on every host the job spans
 * (Documentation/cluster.md).
 */
#ifndef CKPTD_CLUSTER_ROUND_H
#define CKPTD_CLUSTER_ROUND_H

#include "capture/capture.h"
#include "ckptd.h"
#include "cluster/msg.h"
#include "ctl/server.h"
#include "jobs/registry.h"

/*
 * On the loop: starts the round for @job, claimed (ops/op.h) by the
 * caller, which spans @h; replies to @rq when it ends.
 */
void ckptd_cluster_checkpoint_start(struct ckptd *d, struct ckptd_req *rq,
				    struct ckptd_job *job, const struct ckptd_cluster_hosts *h,
				    int freeze, enum ckptd_capture_action unsupported);

#endif /* CKPTD_CLUSTER_ROUND_H */
