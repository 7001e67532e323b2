// SPDX-License-Identifier: GPL-2.0
/*
 * Who belongs to a job.  Membership is decided afresh on every use, by
 * walking the task list under RCU (tasklist_lock and the cgroup task
 * iterator are not exported): a process tree by its real_parent chain, a
 * process group or session by its pid, a cgroup by the task's default
 * hierarchy cgroup.  Kernel threads, init and tasks invisible in the job's
 * pid namespace are never members.
 */
#include "ckpt.h"

#include <linux/cgroup.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "job.h"
#include "members.h"

/* Is @p (a thread group leader) a member?  Under rcu_read_lock(). */
bool ckpt_job_has_process(struct ckpt_job *job, struct task_struct *p)
{
	struct task_struct *q;
	int depth;

	if ((p->flags & PF_KTHREAD) || is_global_init(p) || !pid_alive(p))
		return false;
	if (!task_pid_nr_ns(p, job->pidns))
		return false;

	switch (job->kind) {
	case CKPT_JOB_TREE:
		/* bounded: a parent chain cannot be longer than pid_max */
		for (q = p, depth = 0; depth < PID_MAX_LIMIT; depth++) {
			if (task_pid(q) == job->pid)
				return true;
			if (q == &init_task || is_global_init(q))
				return false;
			q = rcu_dereference(q->real_parent);
		}
		return false;
	case CKPT_JOB_PGID:
		return task_pgrp(p) == job->pid;
	case CKPT_JOB_SID:
		return task_session(p) == job->pid;
	case CKPT_JOB_CGROUP:
		return cgroup_is_descendant(task_dfl_cgroup(p), job->cgrp);
	}
	return false;
}

static int ckpt_taskvec_grow(struct ckpt_taskvec *v)
{
	unsigned int cap = v->cap ? v->cap * 2 : 256;
	struct task_struct **t;

	t = kvmalloc_array(cap, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	kvfree(v->tasks);
	v->tasks = t;
	v->cap = cap;
	return 0;
}

void ckpt_taskvec_release(struct ckpt_taskvec *v)
{
	while (v->n)
		put_task_struct(v->tasks[--v->n]);
	kvfree(v->tasks);
	v->tasks = NULL;
	v->cap = 0;
}

/* One pass; -ENOSPC if @v is too small (nothing kept then). */
static int ckpt_members_pass(struct ckpt_job *job, bool threads,
			     struct ckpt_taskvec *v)
{
	struct task_struct *p, *t;
	int err = 0;

	rcu_read_lock();
	for_each_process(p) {
		if (!ckpt_job_has_process(job, p))
			continue;
		if (!threads) {
			if (v->n == v->cap) {
				err = -ENOSPC;
				goto out;
			}
			get_task_struct(p);
			v->tasks[v->n++] = p;
			continue;
		}
		for_each_thread(p, t) {
			if (v->n == v->cap) {
				err = -ENOSPC;
				goto out;
			}
			get_task_struct(t);
			v->tasks[v->n++] = t;
		}
	}
out:
	rcu_read_unlock();
	if (err)
		while (v->n)
			put_task_struct(v->tasks[--v->n]);
	return err;
}

int ckpt_members_collect(struct ckpt_job *job, bool threads,
			 struct ckpt_taskvec *v)
{
	int err;

	v->n = 0;
	if (!v->cap) {
		err = ckpt_taskvec_grow(v);
		if (err)
			return err;
	}
	while ((err = ckpt_members_pass(job, threads, v)) == -ENOSPC) {
		err = ckpt_taskvec_grow(v);
		if (err)
			return err;
	}
	return err;
}
