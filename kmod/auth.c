// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization: the one function that decides who may use ckpt.
 *
 * Module-wide operations need root or CAP_CHECKPOINT_RESTORE in the initial
 * user namespace: a user namespace of one's own is not enough, as ckpt acts
 * on the whole host.  For a netlink request both the opener of the socket and
 * the sender must hold the capability (netlink_capable), so a privileged
 * socket handed to an unprivileged process grants nothing.
 */
#include "ckpt.h"

#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>

#include "auth.h"

static bool ckpt_has_cap(const struct sk_buff *skb, int cap)
{
	return skb ? netlink_capable(skb, cap) : capable(cap);
}

/*
 * @skb: the netlink request, or NULL for a request the current task makes on
 * /dev/ckpt.  Returns 0, or -EPERM with an extack message.
 */
int ckpt_authorize(const struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (ckpt_has_cap(skb, CAP_CHECKPOINT_RESTORE) ||
	    ckpt_has_cap(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "permission denied: ckpt needs root or CAP_CHECKPOINT_RESTORE");
	return -EPERM;
}
