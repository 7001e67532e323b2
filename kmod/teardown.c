// SPDX-License-Identifier: GPL-2.0
/*
 * The end of jobs: CKPT_CMD_JOB_DESTROY, and the rule that a job lives only
 * as long as the netlink socket that created it.  When a socket is closed
 * (ckptd crashed, was killed), its jobs are thawed and destroyed, and
 * freezes it owned on other jobs are undone; at module unload every job
 * goes.  The release notifier runs on every generic netlink socket close
 * on the host and finds the socket's jobs under RCU (job.c).
 */
#include "ckpt.h"

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/net_namespace.h>

#include "events.h"
#include "freeze.h"
#include "job.h"
#include "teardown.h"

/*
 * Thaw and unlist @job; the caller's reference stays the caller's.  A
 * freeze still waiting for its threads is cancelled first.
 */
int ckpt_job_destroy(struct ckpt_job *job, bool interruptible)
{
	bool unlisted = false;

	ckpt_freeze_cancel(job);
	if (!interruptible)
		mutex_lock(&job->lock);
	else if (mutex_lock_interruptible(&job->lock))
		return -EINTR;
	if (!job->dead) {
		job->dead = true;
		ckpt_freeze_undo(job);
		ckpt_job_unlist(job);
		unlisted = true;
	}
	mutex_unlock(&job->lock);
	if (unlisted) {
		ckpt_event_job(job, CKPT_EVENT_DESTROYED);
		ckpt_job_put(job);	/* the list's reference */
	}
	return 0;
}

static void ckpt_jobs_release(u32 portid)
{
	struct ckpt_job *job;
	bool freeze_only;

	while ((job = ckpt_job_next_owned(portid, &freeze_only))) {
		if (freeze_only) {
			ckpt_freeze_cancel(job);
			mutex_lock(&job->lock);
			if (job->freeze_portid == portid)
				ckpt_freeze_undo(job);
			mutex_unlock(&job->lock);
		} else {
			ckpt_job_destroy(job, false);
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

int __init ckpt_teardown_init(void)
{
	return netlink_register_notifier(&ckpt_netlink_notifier);
}

void ckpt_teardown_exit(void)
{
	netlink_unregister_notifier(&ckpt_netlink_notifier);
	ckpt_jobs_release(0);
}
