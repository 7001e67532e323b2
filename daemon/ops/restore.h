/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may restore a job's images, and registering the restored job
 * (restore.c): on the loop, for a restore here and a cluster restore
 * (cluster/restore.c) alike.
 */
#ifndef CKPTD_OPS_RESTORE_H
#define CKPTD_OPS_RESTORE_H

#include <stdint.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "jobs/registry.h"
#include "ops/restorer.h"

void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq);

struct ckptd_restore_who {
	uint32_t id;
	struct ckptd_job *job;		/* registered: claimed (ops/op.h); or NULL */
	uint32_t uid, gid;		/* the owner of the restored job */
	uint32_t owner_flags;		/* and its CKPTD_JOB_UNPRIV */
};

/*
 * The request's job: a registered one the requester may act on (claimed),
 * or images without a job, which only root or their owner may restore.
 * 0 with @who filled, or -errno after replying the error.
 */
int ckptd_restore_allowed(struct ckptd *d, struct ckptd_req *rq,
			  struct ckptd_restore_who *who);

/*
 * On the loop: registers the job restored from image @seq as @who's
 * (jobs/adopt.c); @pidns: a new pid namespace was asked for.  A failure
 * is logged: the job runs anyway.
 */
void ckptd_restore_adopt(struct ckptd *d, const struct ckptd_restore_who *who, int pidns,
			 const struct ckptd_restored *res, uint64_t seq);

#endif /* CKPTD_OPS_RESTORE_H */
