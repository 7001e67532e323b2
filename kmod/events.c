// SPDX-License-Identifier: GPL-2.0
/*
 * Job events on the "events" multicast group (CKPT_CMD_EVENT messages).
 * Best effort: with no listener, or no memory, an event is dropped; the
 * state they report can always be read back with CKPT_CMD_JOB_GET.
 */
#include "ckpt.h"

#include <linux/rwsem.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

#include "events.h"
#include "job.h"

/*
 * Events go out on the family and group netlink.c starts them with, once
 * registered, and stop before the family is unregistered: its multicast
 * group offset would be stale after that.  Jobs destroyed while the module
 * unloads (a socket closing meanwhile) then go without an event.
 */
static DECLARE_RWSEM(ckpt_events_lock);
static const struct genl_family *ckpt_events_family;	/* NULL: stopped */
static unsigned int ckpt_events_group;

void ckpt_events_start(const struct genl_family *family, unsigned int group)
{
	down_write(&ckpt_events_lock);
	ckpt_events_family = family;
	ckpt_events_group = group;
	up_write(&ckpt_events_lock);
}

void ckpt_events_stop(void)
{
	down_write(&ckpt_events_lock);
	ckpt_events_family = NULL;
	up_write(&ckpt_events_lock);
}

static void ckpt_event(struct ckpt_job *job, u32 event, pid_t pid)
{
	const struct genl_family *family;
	struct sk_buff *skb;
	void *hdr;

	down_read(&ckpt_events_lock);
	family = ckpt_events_family;
	if (!family)
		goto unlock;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto unlock;
	hdr = genlmsg_put(skb, 0, 0, family, 0, CKPT_CMD_EVENT);
	if (!hdr)
		goto free;
	if (nla_put_u32(skb, CKPT_A_JOB_EVENT, event) ||
	    nla_put_u32(skb, CKPT_A_JOB_ID, job->id) ||
	    nla_put_u32(skb, CKPT_A_JOB_OWNER_UID,
			from_kuid_munged(&init_user_ns, job->owner)) ||
	    (pid && nla_put_u32(skb, CKPT_A_JOB_PID, pid)) ||
	    (event == CKPT_EVENT_FREEZE_FAILED && job->err_pid &&
	     (nla_put_u32(skb, CKPT_A_JOB_ERR_PID, job->err_pid) ||
	      nla_put_u32(skb, CKPT_A_JOB_ERR_STATE, job->err_state))))
		goto free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(family, skb, 0, ckpt_events_group, GFP_KERNEL);
	goto unlock;
free:
	nlmsg_free(skb);
unlock:
	up_read(&ckpt_events_lock);
}

void ckpt_event_job(struct ckpt_job *job, u32 event)
{
	ckpt_event(job, event, 0);
}

void ckpt_event_task(struct ckpt_job *job, u32 event, pid_t pid)
{
	ckpt_event(job, event, pid);
}
