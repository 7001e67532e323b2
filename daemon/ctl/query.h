/* SPDX-License-Identifier: GPL-2.0 */
/* The queries, list and status, and the JOB nest they reply with (query.c). */
#ifndef CKPTD_CTL_QUERY_H
#define CKPTD_CTL_QUERY_H

struct ckptd;
struct ckptd_ctl_msg;
struct ckptd_job;
struct ckptd_req;

/* Fills a JOB nest for @job; @detail adds the member pids. */
void ckptd_put_job(struct ckptd *d, struct ckptd_ctl_msg *m,
		   const struct ckptd_job *job, int detail);

void ckptd_cmd_list(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_status(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_CTL_QUERY_H */
