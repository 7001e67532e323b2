/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_AUTH_H
#define CKPT_AUTH_H

#include <linux/netlink.h>

struct sk_buff;
struct task_struct;

int ckpt_authorize(const struct sk_buff *skb, struct task_struct *target,
		   struct netlink_ext_ack *extack);
bool ckpt_privileged(const struct sk_buff *skb);

#endif /* CKPT_AUTH_H */
