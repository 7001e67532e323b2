/* SPDX-License-Identifier: GPL-2.0 */
/* A registered job's counterpart in ckpt.ko (module.c). */
#ifndef CKPTD_JOBS_MODULE_H
#define CKPTD_JOBS_MODULE_H

#include <stddef.h>

struct ckpt_err;

struct ckptd;
struct ckptd_job;

/* Creates @job in ckpt.ko; 0 or -errno with the module's message in @e. */
int ckptd_job_to_module(struct ckptd *d, struct ckptd_job *job,
			struct ckpt_err *e);

#endif /* CKPTD_JOBS_MODULE_H */
