/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one "job is busy" guard (claim.c): an operation claims its job on
 * the loop before it starts and ops/op.h releases it when it ends; a
 * quick request (thaw, kill) only checks.
 */
#ifndef CKPTD_JOBS_CLAIM_H
#define CKPTD_JOBS_CLAIM_H

#include "err.h"

struct ckptd;
struct ckptd_job;
struct ckptd_req;

#define CKPTD_CLAIM_MODULE	(1U << 0)	/* the job must exist in ckpt.ko */
#define CKPTD_CLAIM_CHECK	(1U << 1)	/* only check: leave it unclaimed */
#define CKPTD_CLAIM_RUNNING	(1U << 2)	/* the job must not be frozen (freeze) */

/*
 * 0 and @job claimed (busy) for an operation, or -EBUSY if another one
 * runs on it (-ENOENT if CKPTD_CLAIM_MODULE and ckpt.ko lost it,
 * -EALREADY if CKPTD_CLAIM_RUNNING and it is frozen).
 */
int ckptd_job_claim(struct ckptd *d, struct ckptd_job *job, unsigned int flags,
		    struct ckpt_err *err);
/* The same, replying the error to @rq: 0 or -errno. */
int ckptd_job_claim_req(struct ckptd *d, struct ckptd_req *rq, struct ckptd_job *job,
			unsigned int flags);

/* The processes @job has in ckpt.ko now: 0 if none (or not in it). */
unsigned int ckptd_job_runs(struct ckptd *d, const struct ckptd_job *job);

#endif /* CKPTD_JOBS_CLAIM_H */
