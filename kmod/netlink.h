/* SPDX-License-Identifier: GPL-2.0 */
/* The "ckpt" generic netlink family (netlink.c) and its multicast group. */
#ifndef CKPT_NETLINK_H
#define CKPT_NETLINK_H

#include <net/genetlink.h>

enum ckpt_mcgrp { CKPT_MCGRP_EVENTS };

extern struct genl_family ckpt_genl_family;

int ckpt_netlink_init(void);
void ckpt_netlink_exit(void);

#endif /* CKPT_NETLINK_H */
