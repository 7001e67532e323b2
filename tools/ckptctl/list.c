// SPDX-License-Identifier: GPL-2.0
/* ckptctl list: the jobs (root sees every job, a user their own). */
#include <errno.h>
#include <stdio.h>

#include "ckptctl.h"
#include "ctl_client.h"

static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	(void)m;
	if (!a->argc)
		return 0;
	ckptctl_usage(a->cmd, stderr);
	return -EINVAL;
}

int list_main(int argc, char *argv[])
{
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "list", .shared = CKPTCTL_O_CKPTD,
			.help = "Usage: " CKPTCTL_PROG " list [--json] [--socket PATH]\n"
				"\n"
				"List the jobs ckptd manages: root sees every job, a user their own.\n"
				"STATE is running, frozen, freezing, busy (an operation runs) or lost\n"
				"(ckpt.ko no longer knows the job); LAST is the newest checkpoint.\n"
				"\n"
				"  --json           one JSON object {\"jobs\":[...]}\n"
				"  --socket PATH    ckptd's control socket\n"
				"  --help           this text\n",
		},
		.type = CKPTD_CMD_LIST, .build = build, .print = ckptctl_print_jobs,
	};

	return ckptctl_op_main(&op, argc, argv);
}
