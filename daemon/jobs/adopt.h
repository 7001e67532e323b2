/* SPDX-License-Identifier: GPL-2.0 */
/* Registering a job that ckpt-restore brought up (adopt.c). */
#ifndef CKPTD_JOBS_ADOPT_H
#define CKPTD_JOBS_ADOPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ckpt_err;

struct ckptd;

/* A job ckpt-restore brought up, to register. */
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
		    struct ckpt_err *e);

#endif /* CKPTD_JOBS_ADOPT_H */
