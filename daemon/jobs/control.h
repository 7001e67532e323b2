/* SPDX-License-Identifier: GPL-2.0 */
/* Attach, thaw and kill; terminating a job; launched cgroups to remove (control.c). */
#ifndef CKPTD_JOBS_CONTROL_H
#define CKPTD_JOBS_CONTROL_H

struct ckptd;
struct ckptd_job;
struct ckptd_req;

void ckptd_cmd_attach(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_thaw(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_kill(struct ckptd *d, struct ckptd_req *rq);

/*
 * Kills every member (frozen ones too), forgets the job in ckpt.ko and the
 * registry (the caller persists); returns the processes signalled.
 */
unsigned int ckptd_job_terminate(struct ckptd *d, struct ckptd_job *job);

/* Launched cgroups that could not be removed yet (still busy). */
void ckptd_rmdir_later(struct ckptd *d, const char *path);
void ckptd_rmdir_retry(struct ckptd *d);

#endif /* CKPTD_JOBS_CONTROL_H */
