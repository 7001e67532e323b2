// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl attach --job ID (--pid P [--tree|--pgid|--session] | --cgroup PATH):
 * make processes that already run a job.
 */
#include <stdint.h>

#include <linux/ckpt.h>

#include "ckptctl.h"
#include "ctl_client.h"

enum { O_PID, O_TREE, O_PGID, O_SESSION, O_CGROUP };

/* KIND, and PID or CGROUP. */
static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	unsigned int kinds = a->n[O_TREE] + a->n[O_PGID] + a->n[O_SESSION];
	const char *cgroup = a->str[O_CGROUP];
	uint32_t kind = CKPT_JOB_TREE;

	if (!a->job || a->argc || kinds > 1 || !a->n[O_PID] == !cgroup || (cgroup && kinds))
		return ckptctl_usage_error(a, "give --job ID and either --pid P (with at most one of --tree, --pgid, --session) or --cgroup PATH");
	if (cgroup)
		kind = CKPT_JOB_CGROUP;
	else if (a->n[O_PGID])
		kind = CKPT_JOB_PGID;
	else if (a->n[O_SESSION])
		kind = CKPT_JOB_SID;
	ckptd_ctl_put_u32(m, CKPTD_CA_KIND, kind);
	if (cgroup)
		ckptd_ctl_put_str(m, CKPTD_CA_CGROUP, cgroup);
	else
		ckptd_ctl_put_u32(m, CKPTD_CA_PID, a->num[O_PID]);
	return 0;
}

int attach_main(int argc, char *argv[])
{
	static const struct ckptctl_opt opts[] = {
		[O_PID] = { "pid", CKPTCTL_NUM, .min = 1, .max = UINT32_MAX,
			    .give = "a process id (a number from 1)" },
		[O_TREE] = { "tree", CKPTCTL_FLAG },
		[O_PGID] = { "pgid", CKPTCTL_FLAG },
		[O_SESSION] = { "session", CKPTCTL_FLAG },
		[O_CGROUP] = { "cgroup", CKPTCTL_STR },
		{ NULL },
	};
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "attach", .opts = opts,
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.help = "Usage: " CKPTCTL_PROG " attach --job ID (--pid P [--tree|--pgid|--session] | --cgroup PATH)\n"
				"                 [--json] [--socket PATH]\n"
				"\n"
				"Make running processes job ID: the process tree of P (--tree, the\n"
				"default; it follows forks), the process group P (--pgid), the session\n"
				"P (--session), or a cgroup v2 directory and its descendants (--cgroup,\n"
				"a path below the cgroup2 root such as /jobs/42).  A user may attach\n"
				"only their own processes and cgroups.\n"
				"\n"
				"  --json           one JSON object instead of text\n"
				"  --socket PATH    ckptd's control socket\n"
				"  --help           this text\n",
		},
		.type = CKPTD_CMD_ATTACH, .build = build, .print = ckptctl_print_jobs,
	};

	return ckptctl_op_main(&op, argc, argv);
}
