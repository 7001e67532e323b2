/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freezing and thawing a job (freeze.c), called with or without job->lock
 * as marked.
 */
#ifndef CKPT_FREEZE_H
#define CKPT_FREEZE_H

#include <linux/netlink.h>
#include <linux/types.h>

struct ckpt_job;
struct ckpt_taskvec;
struct task_struct;

/* With job->lock held. */
int ckpt_freeze_job(struct ckpt_job *job, u32 portid, unsigned int timeout_ms,
		    struct netlink_ext_ack *extack);
void ckpt_freeze_undo(struct ckpt_job *job);
int ckpt_freeze_dump_set(struct ckpt_job *job, struct ckpt_taskvec *procs,
			 struct task_struct **bad);
/* Without job->lock. */
bool ckpt_freeze_cancel(struct ckpt_job *job);

#endif /* CKPT_FREEZE_H */
