/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The end of jobs (teardown.c): destroyed on request, or with the netlink
 * socket that owns them.
 */
#ifndef CKPT_TEARDOWN_H
#define CKPT_TEARDOWN_H

#include <linux/types.h>

struct ckpt_job;

/* Thaw and unlist; 0, or -EINTR if @interruptible and a signal came. */
int ckpt_job_destroy(struct ckpt_job *job, bool interruptible);

/* Follow socket closes; the exit destroys every job left. */
int ckpt_teardown_init(void);
void ckpt_teardown_exit(void);

#endif /* CKPT_TEARDOWN_H */
