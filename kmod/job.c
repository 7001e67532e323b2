// SPDX-License-Identifier: GPL-2.0
/*
 * The job registry: creation, lookup, destruction, and the rule that a job
 * lives only as long as the netlink socket that created it.  When a socket
 * is closed (ckptd crashed, was killed), its jobs are thawed and destroyed,
 * and freezes it owned on other jobs are undone.
 */
#include "ckpt.h"

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "events.h"
#include "freeze.h"
#include "job.h"
#include "pagehash.h"
#include "softdirty.h"

static LIST_HEAD(ckpt_jobs);
static DEFINE_MUTEX(ckpt_jobs_lock);

static bool ckpt_job_mine(const struct ckpt_job *job)
{
	return job->pidns == task_active_pid_ns(current) &&
	       uid_eq(job->owner, current_euid());
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
	kfree(job);
}

void ckpt_job_put(struct ckpt_job *job)
{
	if (job && refcount_dec_and_test(&job->ref))
		ckpt_job_free(job);
}

int ckpt_job_create(struct ckpt_job_spec *spec, u32 portid, bool privileged)
{
	struct ckpt_job *job, *j;
	unsigned int mine = 0;
	int err = 0;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	refcount_set(&job->ref, 1);
	mutex_init(&job->lock);
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
		if (!uid_eq(j->owner, job->owner))
			continue;
		mine++;
		if (j->id == job->id && j->pidns == job->pidns) {
			err = -EEXIST;
			break;
		}
	}
	/* an unprivileged user cannot fill kernel memory with jobs */
	if (!err && !privileged && mine >= CKPT_JOBS_PER_USER_MAX)
		err = -ENOSPC;
	if (!err)
		list_add_tail(&job->node, &ckpt_jobs);
	mutex_unlock(&ckpt_jobs_lock);

	if (err)
		ckpt_job_free(job);
	return err;
}

/* The caller's job @id, with a reference, or NULL. */
struct ckpt_job *ckpt_job_find(u32 id)
{
	struct ckpt_job *j, *found = NULL;

	mutex_lock(&ckpt_jobs_lock);
	list_for_each_entry(j, &ckpt_jobs, node) {
		if (j->id == id && ckpt_job_mine(j)) {
			refcount_inc(&j->ref);
			found = j;
			break;
		}
	}
	mutex_unlock(&ckpt_jobs_lock);
	return found;
}

/* Thaw and unlist @job; the caller's reference stays the caller's. */
void ckpt_job_destroy(struct ckpt_job *job)
{
	bool unlisted = false;

	mutex_lock(&job->lock);
	if (!job->dead) {
		job->dead = true;
		ckpt_freeze_undo(job);
		mutex_lock(&ckpt_jobs_lock);
		list_del(&job->node);
		mutex_unlock(&ckpt_jobs_lock);
		unlisted = true;
	}
	mutex_unlock(&job->lock);
	if (unlisted) {
		ckpt_event_job(job, CKPT_EVENT_DESTROYED);
		ckpt_job_put(job);	/* the list's reference */
	}
}

int ckpt_jobs_walk(bool all_users, unsigned long *pos,
		   int (*fn)(struct ckpt_job *job, void *arg), void *arg)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	unsigned long i = 0;
	struct ckpt_job *j;
	int ret = 0;

	mutex_lock(&ckpt_jobs_lock);
	list_for_each_entry(j, &ckpt_jobs, node) {
		if (j->pidns != ns || (!all_users && !ckpt_job_mine(j)))
			continue;
		if (i++ < *pos)
			continue;
		ret = fn(j, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&ckpt_jobs_lock);
	return ret;
}

/* Jobs, or freezes, owned by the socket @portid (or every job if 0). */
static struct ckpt_job *ckpt_job_next_owned(u32 portid, bool *freeze_only)
{
	struct ckpt_job *j, *found = NULL;

	mutex_lock(&ckpt_jobs_lock);
	list_for_each_entry(j, &ckpt_jobs, node) {
		if (!portid || j->portid == portid) {
			*freeze_only = false;
		} else if (READ_ONCE(j->freeze_portid) == portid) {
			*freeze_only = true;
		} else {
			continue;
		}
		refcount_inc(&j->ref);
		found = j;
		break;
	}
	mutex_unlock(&ckpt_jobs_lock);
	return found;
}

static void ckpt_jobs_release(u32 portid)
{
	struct ckpt_job *job;
	bool freeze_only;

	while ((job = ckpt_job_next_owned(portid, &freeze_only))) {
		if (freeze_only) {
			mutex_lock(&job->lock);
			if (job->freeze_portid == portid)
				ckpt_freeze_undo(job);
			mutex_unlock(&job->lock);
		} else {
			ckpt_job_destroy(job);
		}
		ckpt_job_put(job);
	}
}

static int ckpt_netlink_event(struct notifier_block *nb, unsigned long what,
			      void *ptr)
{
	struct netlink_notify *n = ptr;

	if (what == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net) &&
	    n->portid)
		ckpt_jobs_release(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block ckpt_netlink_notifier = {
	.notifier_call = ckpt_netlink_event,
};

int __init ckpt_jobs_init(void)
{
	return netlink_register_notifier(&ckpt_netlink_notifier);
}

void ckpt_jobs_exit(void)
{
	netlink_unregister_notifier(&ckpt_netlink_notifier);
	ckpt_jobs_release(0);
}
