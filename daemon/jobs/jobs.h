/* SPDX-License-Identifier: GPL-2.0 */
/* Control requests on jobs, and what they share. */
#ifndef CKPTD_JOBS_H
#define CKPTD_JOBS_H

#include "ckptd.h"
#include "ctl/server.h"

/*
 * The job named by the request's JOB_ID that the requester may act on, or
 * NULL after replying with the error (missing id, no such job, not yours).
 */
struct ckptd_job *ckptd_req_job(struct ckptd *d, struct ckptd_req *rq);
/* The request's JOB_ID (>= 1), or 0 after replying with the error. */
uint32_t ckptd_req_job_id(struct ckptd *d, struct ckptd_req *rq);

/* Creates @job in ckpt.ko; 0 or -errno with the module's message in @why. */
int ckptd_job_to_module(struct ckptd *d, struct ckptd_job *job,
			char *why, size_t size);

/*
 * Writes the registry (in the io worker: never on the loop) and then
 * sends @r (copied; NULL: nothing) to the client, or an error if the
 * write failed.
 */
void ckptd_persist(struct ckptd *d, uint64_t client_id, uint32_t seq,
		   const struct ckptd_reply *r);

/* Fills a JOB nest for @job; @detail adds the member pids. */
void ckptd_put_job(struct ckptd *d, struct ckptd_ctl_msg *m,
		   const struct ckptd_job *job, int detail);

void ckptd_cmd_list(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_status(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_attach(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_thaw(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_kill(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_run(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_freeze(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_checkpoint(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq);

/* A job ckpt-restore brought up, to register (job_adopt.c). */
struct ckptd_adopt {
	uint32_t id;
	uint32_t uid, gid;
	uint32_t owner_flags;		/* CKPTD_JOB_UNPRIV of the job it was */
	pid_t root_pid;
	int pidns;
	uint64_t last_seq;		/* the image it came from */
};

/*
 * On the loop: registers the restored job (replacing a registered job of
 * that id whose processes are gone) and creates it in ckpt.ko.
 */
int ckptd_job_adopt(struct ckptd *d, const struct ckptd_adopt *a,
		    char *why, size_t size);

/*
 * Kills every member (frozen ones too), forgets the job in ckpt.ko and the
 * registry (the caller persists); returns the processes signalled.
 */
unsigned int ckptd_job_terminate(struct ckptd *d, struct ckptd_job *job);
void ckptd_cmd_restore_remote(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_migrate(struct ckptd *d, struct ckptd_req *rq);

/* Launched cgroups that could not be removed yet (still busy). */
void ckptd_rmdir_later(struct ckptd *d, const char *path);
void ckptd_rmdir_retry(struct ckptd *d);

/* Reaps the commands RUN started that exited (launch.c). */
void ckptd_children_reap(struct ckptd *d);

/* At start: re-create the registry's jobs in the module (recover.c). */
void ckptd_jobs_recover(struct ckptd *d);
/* Re-freezes a job that was frozen before a restart (checkpoint.c). */
void ckptd_refreeze(struct ckptd *d, struct ckptd_job *job);

#endif /* CKPTD_JOBS_H */
