/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_FREEZE_H
#define CKPT_FREEZE_H

#include <linux/netlink.h>
#include <linux/types.h>

struct ckpt_job;
struct sk_buff;

/* Both with job->lock held. */
int ckpt_freeze_job(struct ckpt_job *job, const struct sk_buff *skb,
		    u32 portid, unsigned int timeout_ms,
		    struct netlink_ext_ack *extack);
void ckpt_freeze_undo(struct ckpt_job *job);

#endif /* CKPT_FREEZE_H */
