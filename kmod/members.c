// SPDX-License-Identifier: GPL-2.0
/*
 * Who belongs to a job.  Membership is decided afresh on every use, by
 * walking the task list under RCU (tasklist_lock and the cgroup task
 * iterator are not exported): a process tree by its real_parent chain, a
 * process group or session by its pid, a cgroup by the task's default
 * hierarchy cgroup.  Kernel threads, init and tasks invisible in the job's
 * pid namespace are never members.
 *
 * A collection walks the task list once, in creation order, in which a
 * process's real parent always comes before it (a parent is older than
 * its child, and orphans are reparented to an older ancestor or init):
 * a process belongs to a tree if it is the root or its parent was found
 * to belong, looked up in a set of the members found so far.  So a
 * collection costs one step per process, however deep the tree.
 */
#include "ckpt.h"

#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/log2.h>
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
			/* the parent may be any thread of a process */
			if (task_tgid(q) == job->pid)
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

/* Thread group leaders found to be members in one pass (open addressing). */
struct ckpt_procset {
	const struct task_struct **slot;
	unsigned int mask;
};

static int ckpt_procset_init(struct ckpt_procset *s, unsigned int n)
{
	unsigned int size = roundup_pow_of_two(max(2 * n, 64U));

	s->slot = kvcalloc(size, sizeof(*s->slot), GFP_KERNEL_ACCOUNT);
	s->mask = size - 1;
	return s->slot ? 0 : -ENOMEM;
}

static unsigned int ckpt_procset_hash(const struct ckpt_procset *s,
				      const struct task_struct *p)
{
	return hash_ptr(p, 32) & s->mask;
}

static bool ckpt_procset_has(const struct ckpt_procset *s,
			     const struct task_struct *p)
{
	unsigned int i;

	for (i = ckpt_procset_hash(s, p); s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == p)
			return true;
	return false;
}

/* Never full: it holds at most half as many entries as slots. */
static void ckpt_procset_add(struct ckpt_procset *s,
			     const struct task_struct *p)
{
	unsigned int i;

	for (i = ckpt_procset_hash(s, p); s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == p)
			return;
	s->slot[i] = p;
}

bool ckpt_job_has_process_walk(struct ckpt_job *job, struct task_struct *p,
			       bool (*seen)(const struct task_struct *q,
					    void *arg),
			       void *arg)
{
	if (job->kind != CKPT_JOB_TREE)
		return ckpt_job_has_process(job, p);
	if ((p->flags & PF_KTHREAD) || is_global_init(p) || !pid_alive(p) ||
	    !task_pid_nr_ns(p, job->pidns))
		return false;
	/* the real parent is the thread that forked: its process counts */
	return task_pid(p) == job->pid ||
	       seen(rcu_dereference(p->real_parent)->group_leader, arg);
}

static bool ckpt_procset_seen(const struct task_struct *q, void *set)
{
	return ckpt_procset_has(set, q);
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

/*
 * One pass; -ENOSPC if @v (or @set, sized like it) is too small (nothing
 * kept then).
 */
static int ckpt_members_pass(struct ckpt_job *job, bool threads,
			     struct ckpt_taskvec *v, struct ckpt_procset *set)
{
	unsigned int nr_procs = 0;
	struct task_struct *p, *t;
	int err = 0;

	rcu_read_lock();
	for_each_process(p) {
		if (!ckpt_job_has_process_walk(job, p, ckpt_procset_seen, set))
			continue;
		if (nr_procs == v->cap) {
			err = -ENOSPC;
			goto out;
		}
		nr_procs++;
		ckpt_procset_add(set, p);
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
	struct ckpt_procset set = { 0 };
	int err;

	v->n = 0;
	if (!v->cap) {
		err = ckpt_taskvec_grow(v);
		if (err)
			return err;
	}
	for (;;) {
		err = ckpt_procset_init(&set, v->cap);
		if (err)
			return err;
		err = ckpt_members_pass(job, threads, v, &set);
		kvfree(set.slot);
		if (err != -ENOSPC)
			return err;
		err = ckpt_taskvec_grow(v);
		if (err)
			return err;
	}
}
