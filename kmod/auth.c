// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization: the one place that decides who may use ckpt.ko.
 *
 * The module serves privileged callers only: CAP_CHECKPOINT_RESTORE (or
 * CAP_SYS_ADMIN) in the initial user namespace, as ckpt acts on the whole
 * host and a user namespace of one's own is not enough.  The module cannot
 * reach the kernel's full ptrace check (ptrace_may_access, Yama and the
 * LSM hooks are not exported), so it does not restate a part of it: an
 * ordinary user goes through ckptd, which authorizes every member of a job
 * with the kernel's own check under the user's credentials
 * (Documentation/security.md).
 *
 * Netlink: both the opener of the socket and the sender must hold the
 * capability (netlink_capable), so a privileged socket handed to an
 * unprivileged process grants nothing.  Files: likewise the opener of
 * /dev/ckpt (or of a dump session) and the caller of the ioctl.  The one
 * exception is CKPT_IOC_TAG_REGION, which acts on the calling process only
 * and is bounded and charged to its memory cgroup (regions.c).
 */
#include "ckpt.h"

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/user_namespace.h>

#include "auth.h"

bool ckpt_privileged(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_CHECKPOINT_RESTORE) ||
	       netlink_capable(skb, CAP_SYS_ADMIN);
}

static bool ckpt_file_capable(const struct file *file, int cap)
{
	return file_ns_capable(file, &init_user_ns, cap) && capable(cap);
}

bool ckpt_file_privileged(const struct file *file)
{
	return ckpt_file_capable(file, CAP_CHECKPOINT_RESTORE) ||
	       ckpt_file_capable(file, CAP_SYS_ADMIN);
}

int ckpt_nl_authorize(const struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (ckpt_privileged(skb))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "permission denied: ckpt.ko serves only callers with CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN; ordinary users go through ckptd (ckptctl)");
	return -EPERM;
}
