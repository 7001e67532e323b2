/* SPDX-License-Identifier: GPL-2.0 */
/* Who belongs to a job (members.c): snapshots of its tasks. */
#ifndef CKPT_MEMBERS_H
#define CKPT_MEMBERS_H

#include <linux/types.h>

struct ckpt_job;
struct task_struct;

/* A snapshot of tasks, each with a reference. */
struct ckpt_taskvec {
	struct task_struct **tasks;
	unsigned int n, cap;
};

bool ckpt_job_has_process(struct ckpt_job *job, struct task_struct *p);
/* Every thread (threads=true) or every process of @job's members. */
int ckpt_members_collect(struct ckpt_job *job, bool threads,
			 struct ckpt_taskvec *v);
void ckpt_taskvec_release(struct ckpt_taskvec *v);

#endif /* CKPT_MEMBERS_H */
