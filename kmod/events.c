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
#include "netlink.h"

/*
 * Events stop before the family is unregistered: its multicast group
 * offset would be stale after that.  Jobs destroyed while the module
 * unloads (a socket closing meanwhile) then go without an event.
 */
static DECLARE_RWSEM(ckpt_events_lock);
static bool ckpt_events_off;

void ckpt_events_stop(void)
{
	down_write(&ckpt_events_lock);
	ckpt_events_off = true;
	up_write(&ckpt_events_lock);
}

static void ckpt_event_send(struct sk_buff *skb)
{
	down_read(&ckpt_events_lock);
	if (ckpt_events_off)
		nlmsg_free(skb);
	else
		genlmsg_multicast(&ckpt_genl_family, skb, 0, CKPT_MCGRP_EVENTS,
				  GFP_KERNEL);
	up_read(&ckpt_events_lock);
}

static void ckpt_event(struct ckpt_job *job, u32 event, pid_t pid)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ckpt_genl_family, 0, CKPT_CMD_EVENT);
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
	ckpt_event_send(skb);
	return;
free:
	nlmsg_free(skb);
}

void ckpt_event_job(struct ckpt_job *job, u32 event)
{
	ckpt_event(job, event, 0);
}

void ckpt_event_task(struct ckpt_job *job, u32 event, pid_t pid)
{
	ckpt_event(job, event, pid);
}
