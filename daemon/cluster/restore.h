/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The coordinator of a cluster restore (restore.c): the newest global
 * checkpoint of the job restored on every host it names, or on none.
 */
#ifndef CKPTD_CLUSTER_RESTORE_H
#define CKPTD_CLUSTER_RESTORE_H

#include "ckptd.h"
#include "ctl/server.h"
#include "ops/restore.h"

/* On the loop, for the job @who may restore (ops/restore.h). */
void ckptd_cluster_restore_start(struct ckptd *d, struct ckptd_req *rq,
				 const struct ckptd_restore_who *who);

#endif /* CKPTD_CLUSTER_RESTORE_H */
