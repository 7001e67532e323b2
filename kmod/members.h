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
/*
 * Is @p a member, in a walk of the task list (for_each_process, creation
 * order) in which @seen(q, @arg) says whether process q was found to be a
 * member earlier in the same walk?  One step per process, however deep
 * the tree.  Under rcu_read_lock().
 */
bool ckpt_job_has_process_walk(struct ckpt_job *job, struct task_struct *p,
			       bool (*seen)(const struct task_struct *q,
					    void *arg),
			       void *arg);
/* Every thread (threads=true) or every process of @job's members. */
int ckpt_members_collect(struct ckpt_job *job, bool threads,
			 struct ckpt_taskvec *v);
void ckpt_taskvec_release(struct ckpt_taskvec *v);

#endif /* CKPT_MEMBERS_H */
