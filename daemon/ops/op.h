/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every operation on a job shares, on the loop: the claim of its
 * job (jobs/claim.h), handing the operation to the ops worker (with the
 * client's progress), and the job's state when the operation ends.
 */
#ifndef CKPTD_OPS_OP_H
#define CKPTD_OPS_OP_H

#include <stdint.h>

#include "capture/capture.h"
#include "ckptd.h"
#include "ctl/server.h"
#include "err.h"
#include "jobs/claim.h"
#include "jobs/registry.h"
#include "worker.h"

/* The job's state when an operation ends. */
struct ckptd_op_end {
	uint64_t seq_base;
	int frozen;
	uint64_t last_seq;		/* its newest image now; 0: unchanged */
};

/*
 * Releases job @id (if it is still registered) and records @end (NULL:
 * only the release); returns the job or NULL.
 */
struct ckptd_job *ckptd_job_release(struct ckptd *d, uint32_t id,
				    const struct ckptd_op_end *end);

/*
 * Hands @w to the ops worker; @progress (may be NULL) is what the client
 * of @rq sees while it waits.  Its done() calls ckptd_op_done().
 */
void ckptd_op_submit(struct ckptd *d, struct ckptd_req *rq, struct ckptd_work *w,
		     struct ckptd_progress *progress);
void ckptd_op_done(struct ckptd *d);

/* The choice of --unsupported-fds in a request's flags (CKPTD_F_UNSUP_*). */
enum ckptd_capture_action ckptd_req_unsupported(uint32_t flags);

#endif /* CKPTD_OPS_OP_H */
