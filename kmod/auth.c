// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization: the one function that decides who may use ckpt.
 *
 * Privileged callers hold CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) in the
 * initial user namespace: a user namespace of one's own is not enough, as
 * ckpt acts on the whole host.  For a netlink request both the opener of the
 * socket and the sender must hold the capability (netlink_capable), so a
 * privileged socket handed to an unprivileged process grants nothing.
 *
 * Everybody else may act on a process only as ptrace attach would allow it
 * (ptrace_may_access is not exported, so the credential part of its rules
 * is restated here): the caller's uid equals the target's uid, euid and
 * suid, its gid the target's gid, egid and sgid, and the target is
 * dumpable.
 */
#include "ckpt.h"

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/skbuff.h>

#include "auth.h"

static bool ckpt_has_cap(const struct sk_buff *skb, int cap)
{
	return skb ? netlink_capable(skb, cap) : capable(cap);
}

/* @skb: the netlink request, or NULL for the current task's own request. */
bool ckpt_privileged(const struct sk_buff *skb)
{
	return ckpt_has_cap(skb, CAP_CHECKPOINT_RESTORE) ||
	       ckpt_has_cap(skb, CAP_SYS_ADMIN);
}

static bool ckpt_same_user_dumpable(struct task_struct *t)
{
	const struct cred *me = current_cred(), *tc;
	bool ok;

	rcu_read_lock();
	tc = __task_cred(t);
	ok = uid_eq(me->uid, tc->euid) && uid_eq(me->uid, tc->suid) &&
	     uid_eq(me->uid, tc->uid) && gid_eq(me->gid, tc->egid) &&
	     gid_eq(me->gid, tc->sgid) && gid_eq(me->gid, tc->gid);
	rcu_read_unlock();
	if (!ok)
		return false;

	task_lock(t);
	ok = t->mm && get_dumpable(t->mm) == SUID_DUMP_USER;
	task_unlock(t);
	return ok;
}

/*
 * May the caller use ckpt at all (@target NULL: module-wide operations are
 * for privileged callers only), or act on @target?  Returns 0, or -EPERM
 * with an extack message.
 */
int ckpt_authorize(const struct sk_buff *skb, struct task_struct *target,
		   struct netlink_ext_ack *extack)
{
	if (ckpt_privileged(skb))
		return 0;
	if (target && ckpt_same_user_dumpable(target))
		return 0;
	if (target)
		NL_SET_ERR_MSG_MOD(extack,
				   "permission denied: the process belongs to another user or is not dumpable");
	else
		NL_SET_ERR_MSG_MOD(extack,
				   "permission denied: ckpt needs root or CAP_CHECKPOINT_RESTORE");
	return -EPERM;
}
