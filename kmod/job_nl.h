/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handlers of the job commands (job_nl.c), wired up in netlink.c, which
 * hands them its family before registering it.
 */
#ifndef CKPT_JOB_NL_H
#define CKPT_JOB_NL_H

#include <net/genetlink.h>

void ckpt_job_nl_init(const struct genl_family *family);

int ckpt_nl_job_create(struct sk_buff *skb, struct genl_info *info);
int ckpt_nl_job_destroy(struct sk_buff *skb, struct genl_info *info);
int ckpt_nl_job_get(struct sk_buff *skb, struct genl_info *info);
int ckpt_nl_job_dump(struct sk_buff *skb, struct netlink_callback *cb);
int ckpt_nl_job_freeze(struct sk_buff *skb, struct genl_info *info);
int ckpt_nl_job_thaw(struct sk_buff *skb, struct genl_info *info);

#endif /* CKPT_JOB_NL_H */
