/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_AUTH_H
#define CKPT_AUTH_H

#include <linux/netlink.h>

struct sk_buff;

int ckpt_authorize(const struct sk_buff *skb, struct netlink_ext_ack *extack);

#endif /* CKPT_AUTH_H */
