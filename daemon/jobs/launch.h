/* SPDX-License-Identifier: GPL-2.0 */
/* RUN: starting a command as a new job, and reaping it (launch.c). */
#ifndef CKPTD_JOBS_LAUNCH_H
#define CKPTD_JOBS_LAUNCH_H

struct ckptd;
struct ckptd_req;

void ckptd_cmd_run(struct ckptd *d, struct ckptd_req *rq);
/* Reaps the commands RUN started that exited. */
void ckptd_children_reap(struct ckptd *d);

#endif /* CKPTD_JOBS_LAUNCH_H */
