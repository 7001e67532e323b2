// SPDX-License-Identifier: GPL-2.0
/*
 * The "ckpt" generic netlink family: commands, attribute policies and the
 * events multicast group.  The attribute tree of each command is documented
 * in uapi/linux/ckpt.h.  Every request goes through strict policy validation
 * (the family has no legacy commands), so handlers only check presence and
 * meaning.  The job handlers (job_nl.c) and the events (events.c) are
 * handed the family here, so that neither refers back to this file.
 */
#include "ckpt.h"

#include <linux/utsname.h>
#include <net/genetlink.h>

#include "auth.h"
#include "compat.h"
#include "events.h"
#include "features.h"
#include "job_nl.h"
#include "netlink.h"

static struct genl_family ckpt_genl_family __ro_after_init;

static const struct nla_policy ckpt_features_policy[CKPT_A_FEATURES_MAX + 1] = {
	[CKPT_A_FEATURES_ABI_VERSION] = NLA_POLICY_MIN(NLA_U32, 1),
	[CKPT_A_FEATURES_CLIENT] = { .type = NLA_NUL_STRING,
				     .len = CKPT_CLIENT_NAME_MAX },
};

static int ckpt_fill_features(struct sk_buff *msg)
{
	if (nla_put_u32(msg, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, CKPT_A_FEATURES_BITS, ckpt_features(),
			      CKPT_A_FEATURES_PAD) ||
	    nla_put_string(msg, CKPT_A_FEATURES_KERNEL_RELEASE,
			   utsname()->release) ||
	    nla_put_string(msg, CKPT_A_FEATURES_MODULE_VERSION, CKPT_VERSION) ||
	    nla_put_u32(msg, CKPT_A_FEATURES_PAGE_SIZE, PAGE_SIZE))
		return -EMSGSIZE;
	return 0;
}

static int ckpt_nl_get_features(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u32 client_abi;
	void *hdr;
	int err;

	err = ckpt_nl_authorize(skb, info->extack);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, CKPT_A_FEATURES_ABI_VERSION)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing CKPT_A_FEATURES_ABI_VERSION (the client's ABI version)");
		return -EINVAL;
	}

	client_abi = nla_get_u32(info->attrs[CKPT_A_FEATURES_ABI_VERSION]);
	if (client_abi > CKPT_ABI_VERSION) {
		ckpt_extack_fmt(info->extack,
				"client ABI is newer than this ckpt.ko; install the matching module",
				"client ABI %u is newer than ckpt.ko ABI %u; install the matching module",
				client_abi, CKPT_ABI_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (info->attrs[CKPT_A_FEATURES_CLIENT])
		pr_debug("GET_FEATURES from %s (ABI %u)\n",
			 (char *)nla_data(info->attrs[CKPT_A_FEATURES_CLIENT]),
			 client_abi);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ckpt_genl_family, 0,
				CKPT_CMD_GET_FEATURES);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free_msg;
	}
	err = ckpt_fill_features(msg);
	if (err)
		goto free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

free_msg:
	nlmsg_free(msg);
	return err;
}

static const struct nla_policy ckpt_pattern_policy[CKPT_A_PATTERN_MAX + 1] = {
	[CKPT_A_PATTERN_GLOB] = { .type = NLA_NUL_STRING,
				  .len = CKPT_PATTERN_MAX },
};

static const struct nla_policy ckpt_job_create_policy[CKPT_A_JOB_MAX + 1] = {
	[CKPT_A_JOB_LOWER_PATTERNS] = NLA_POLICY_NESTED(ckpt_pattern_policy),
	[CKPT_A_JOB_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CKPT_A_JOB_KIND] = NLA_POLICY_RANGE(NLA_U32, CKPT_JOB_TREE,
					     CKPT_JOB_KIND_MAX),
	[CKPT_A_JOB_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CKPT_A_JOB_CGROUP] = { .type = NLA_NUL_STRING,
				.len = CKPT_CGROUP_PATH_MAX },
	[CKPT_A_JOB_FLAGS] = NLA_POLICY_MASK(NLA_U32, CKPT_JOB_F_ALL),
};

/* Commands that name a job and nothing else. */
static const struct nla_policy ckpt_job_id_policy[CKPT_A_JOB_MAX + 1] = {
	[CKPT_A_JOB_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* not const: 6.1's nla_policy points to a mutable range */
static struct netlink_range_validation ckpt_timeout_range = {
	.min = 1,
	.max = CKPT_FREEZE_TIMEOUT_MS_MAX,
};

static const struct nla_policy ckpt_job_freeze_policy[CKPT_A_JOB_MAX + 1] = {
	[CKPT_A_JOB_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CKPT_A_JOB_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&ckpt_timeout_range),
};

static const struct genl_ops ckpt_genl_ops[] = {
	{
		.cmd = CKPT_CMD_GET_FEATURES,
		.doit = ckpt_nl_get_features,
		.policy = ckpt_features_policy,
		.maxattr = CKPT_A_FEATURES_MAX,
	},
	{
		.cmd = CKPT_CMD_JOB_CREATE,
		.doit = ckpt_nl_job_create,
		.policy = ckpt_job_create_policy,
		.maxattr = CKPT_A_JOB_MAX,
	},
	{
		.cmd = CKPT_CMD_JOB_DESTROY,
		.doit = ckpt_nl_job_destroy,
		.policy = ckpt_job_id_policy,
		.maxattr = CKPT_A_JOB_MAX,
	},
	{
		.cmd = CKPT_CMD_JOB_GET,
		.doit = ckpt_nl_job_get,
		.dumpit = ckpt_nl_job_dump,
		.policy = ckpt_job_id_policy,
		.maxattr = CKPT_A_JOB_MAX,
	},
	{
		.cmd = CKPT_CMD_JOB_FREEZE,
		.doit = ckpt_nl_job_freeze,
		.policy = ckpt_job_freeze_policy,
		.maxattr = CKPT_A_JOB_MAX,
	},
	{
		.cmd = CKPT_CMD_JOB_THAW,
		.doit = ckpt_nl_job_thaw,
		.policy = ckpt_job_id_policy,
		.maxattr = CKPT_A_JOB_MAX,
	},
};

enum ckpt_mcgrp { CKPT_MCGRP_EVENTS };

static const struct genl_multicast_group ckpt_genl_mcgrps[] = {
	/* checked at bind: CAP_NET_ADMIN in the initial user namespace
	 * (GENL_*_ADMIN_PERM are flags of commands, not of groups) */
	[CKPT_MCGRP_EVENTS] = { .name = CKPT_MCGRP_EVENTS_NAME,
				.flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family ckpt_genl_family __ro_after_init = {
	.name = CKPT_GENL_NAME,
	.version = CKPT_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = ckpt_genl_ops,
	.n_ops = ARRAY_SIZE(ckpt_genl_ops),
	.mcgrps = ckpt_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ckpt_genl_mcgrps),
	/* a freeze may wait for seconds: never under the global genl_lock */
	.parallel_ops = true,
	/* every command validates strictly and rejects reserved header bits */
	.resv_start_op = CKPT_CMD_UNSPEC,
};

int __init ckpt_netlink_init(void)
{
	int err;

	ckpt_job_nl_init(&ckpt_genl_family);
	err = genl_register_family(&ckpt_genl_family);

	if (!err)
		ckpt_events_start(&ckpt_genl_family, CKPT_MCGRP_EVENTS);
	return err;
}

void ckpt_netlink_exit(void)
{
	ckpt_events_stop();
	genl_unregister_family(&ckpt_genl_family);
}
