/* SPDX-License-Identifier: GPL-2.0 */
/* The "ckpt" generic netlink family (netlink.c): registered by main.c. */
#ifndef CKPT_NETLINK_H
#define CKPT_NETLINK_H

int ckpt_netlink_init(void);
void ckpt_netlink_exit(void);

#endif /* CKPT_NETLINK_H */
