// SPDX-License-Identifier: GPL-2.0
/*
 * The job registry: the job object (its references and what it holds),
 * creation, lookup and the list of jobs.  Ending a job (destruction, the
 * close of the socket that owns it) is teardown.c.
 *
 * The list is read under RCU: lookups, listings and the release notifier
 * (which runs on every generic netlink socket close on the host) never
 * wait for a mutex; ckpt_jobs_lock only orders additions and removals.
 * A job's memory is freed an RCU grace period after its last reference.
 */
#include "ckpt.h"

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>

#include "job.h"
#include "pagehash.h"
#include "softdirty.h"

static LIST_HEAD(ckpt_jobs);
static DEFINE_MUTEX(ckpt_jobs_lock);
static unsigned int ckpt_nr_jobs;	/* under ckpt_jobs_lock */

static bool ckpt_job_visible(const struct ckpt_job *job)
{
	return job->pidns == task_active_pid_ns(current);
}

void ckpt_patterns_free(char **patterns, unsigned int n)
{
	while (patterns && n)
		kfree(patterns[--n]);
	kfree(patterns);
}

static void ckpt_job_free(struct ckpt_job *job)
{
	ckpt_patterns_free(job->lower_patterns, job->nr_lower_patterns);
	ckpt_pagehash_put(job->base);
	ckpt_sdbase_put(job->sd);
	put_pid(job->pid);
	if (job->cgrp)
		cgroup_put(job->cgrp);
	kfree(job->cgroup_path);
	put_pid_ns(job->pidns);
	if (job->rec_ns)
		put_pid_ns(job->rec_ns);
	kfree_rcu(job, rcu);	/* RCU readers may still compare its fields */
}

void ckpt_job_put(struct ckpt_job *job)
{
	if (job && refcount_dec_and_test(&job->ref))
		ckpt_job_free(job);
}

int ckpt_job_create(struct ckpt_job_spec *spec, u32 portid)
{
	struct ckpt_job *job, *j;
	int err = 0;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return -ENOMEM;
	refcount_set(&job->ref, 1);
	mutex_init(&job->lock);
	init_waitqueue_head(&job->park_wq);
	job->id = spec->id;
	job->kind = spec->kind;
	job->owner = current_euid();
	job->pidns = get_pid_ns(task_active_pid_ns(current));
	job->flags = spec->flags;
	if (!(job->flags & CKPT_JOB_F_OWN_PIDNS))
		job->rec_ns = get_pid_ns(job->pidns);
	job->portid = portid;
	job->state = CKPT_JOB_RUNNING;
	job->pid = spec->pid;
	job->cgrp = spec->cgrp;
	job->cgroup_path = spec->cgroup_path;
	job->lower_patterns = spec->lower_patterns;
	job->nr_lower_patterns = spec->nr_lower_patterns;
	spec->lower_patterns = NULL;
	spec->nr_lower_patterns = 0;
	spec->pid = NULL;
	spec->cgrp = NULL;
	spec->cgroup_path = NULL;

	mutex_lock(&ckpt_jobs_lock);
	list_for_each_entry(j, &ckpt_jobs, node) {
		if (j->id == job->id && j->pidns == job->pidns) {
			err = -EEXIST;
			break;
		}
	}
	if (!err && ckpt_nr_jobs >= CKPT_JOBS_MAX)
		err = -ENOSPC;
	if (!err) {
		ckpt_nr_jobs++;
		list_add_tail_rcu(&job->node, &ckpt_jobs);
	}
	mutex_unlock(&ckpt_jobs_lock);

	if (err)
		ckpt_job_free(job);
	return err;
}

/* Job @id of the caller's pid namespace, with a reference, or NULL. */
struct ckpt_job *ckpt_job_find(u32 id)
{
	struct ckpt_job *j, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(j, &ckpt_jobs, node) {
		if (j->id == id && ckpt_job_visible(j) &&
		    refcount_inc_not_zero(&j->ref)) {
			found = j;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Take @job off the list (job->lock held, the job marked dead). */
void ckpt_job_unlist(struct ckpt_job *job)
{
	mutex_lock(&ckpt_jobs_lock);
	list_del_rcu(&job->node);
	ckpt_nr_jobs--;
	mutex_unlock(&ckpt_jobs_lock);
}

/* The @pos-th job of the caller's pid namespace, with a reference. */
static struct ckpt_job *ckpt_job_at(unsigned long pos)
{
	struct ckpt_job *j, *found = NULL;
	unsigned long i = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(j, &ckpt_jobs, node) {
		if (!ckpt_job_visible(j) || i++ < pos)
			continue;
		if (refcount_inc_not_zero(&j->ref)) {
			found = j;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

int ckpt_jobs_walk(unsigned long *pos,
		   int (*fn)(struct ckpt_job *job, void *arg), void *arg)
{
	struct ckpt_job *j;
	int ret = 0;

	while ((j = ckpt_job_at(*pos))) {
		ret = fn(j, arg);
		ckpt_job_put(j);
		if (ret)
			break;
		(*pos)++;
	}
	return ret;
}

/* Jobs, or freezes, owned by the socket @portid (or every job if 0). */
struct ckpt_job *ckpt_job_next_owned(u32 portid, bool *freeze_only)
{
	struct ckpt_job *j, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(j, &ckpt_jobs, node) {
		if (!portid || j->portid == portid) {
			*freeze_only = false;
		} else if (READ_ONCE(j->freeze_portid) == portid) {
			*freeze_only = true;
		} else {
			continue;
		}
		if (READ_ONCE(j->dead) && !*freeze_only)
			continue;	/* being unlisted already */
		if (refcount_inc_not_zero(&j->ref)) {
			found = j;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}
