/* SPDX-License-Identifier: GPL-2.0 */
/* Who may use ckpt.ko (auth.c): the privilege checks of netlink and ioctls. */
#ifndef CKPT_AUTH_H
#define CKPT_AUTH_H

#include <linux/netlink.h>

struct file;
struct sk_buff;

/* The netlink request @skb comes from a privileged socket and sender. */
bool ckpt_privileged(const struct sk_buff *skb);
/* 0, or -EPERM with an extack message. */
int ckpt_nl_authorize(const struct sk_buff *skb, struct netlink_ext_ack *extack);
/* The opener of @file and the current task are both privileged. */
bool ckpt_file_privileged(const struct file *file);

#endif /* CKPT_AUTH_H */
