/* SPDX-License-Identifier: GPL-2.0 */
/* The job a control request names (lookup.c). */
#ifndef CKPTD_JOBS_LOOKUP_H
#define CKPTD_JOBS_LOOKUP_H

#include <stdint.h>

struct ckptd;
struct ckptd_job;
struct ckptd_req;

/*
 * The job named by the request's JOB_ID that the requester may act on, or
 * NULL after replying with the error (missing id, no such job, not yours).
 */
struct ckptd_job *ckptd_req_job(struct ckptd *d, struct ckptd_req *rq);
/* The request's JOB_ID (>= 1), or 0 after replying with the error. */
uint32_t ckptd_req_job_id(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_JOBS_LOOKUP_H */
