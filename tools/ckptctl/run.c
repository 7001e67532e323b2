// SPDX-License-Identifier: GPL-2.0
/* ckptctl run --job ID [--pidns] -- CMD...: ckptd starts CMD as a job. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"

/* CWD, and ARGV: the operands. */
static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	char cwd[PATH_MAX];
	size_t nest;

	if (!a->job || !a->argc)
		return ckptctl_usage_error(a, "%s", !a->job ? "--job ID is required" :
					   "the command to run is missing (after --)");
	if (a->argc > CKPTD_CTL_ARGV_MAX) {
		fprintf(stderr, "%s run: more than %d arguments\n", CKPTCTL_PROG,
			CKPTD_CTL_ARGV_MAX);
		return -EINVAL;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("ckptctl run: getcwd");
		return -errno;
	}
	ckptd_ctl_put_str(m, CKPTD_CA_CWD, cwd);
	nest = ckptd_ctl_nest_start(m, CKPTD_CA_ARGV);
	for (int i = 0; i < a->argc; i++)
		ckptd_ctl_put_str(m, CKPTD_CA_ARG, a->argv[i]);
	ckptd_ctl_nest_end(m, nest);
	return 0;
}

int run_main(int argc, char *argv[])
{
	static const struct ckptctl_opt opts[] = {
		{ "pidns", CKPTCTL_FLAG, .flag = CKPTD_F_PIDNS },
		{ NULL },
	};
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "run", .opts = opts, .in_order = 1,
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.help = "Usage: " CKPTCTL_PROG " run --job ID [--pidns] [--json] [--socket PATH] -- CMD [ARG...]\n"
				"\n"
				"ckptd starts CMD as you, in this directory, in its own cgroup\n"
				"(<cgroup_dir>/job-ID) and, with --pidns, its own pid namespace; the\n"
				"job is that cgroup.  CMD's output goes to <state_dir>/job-ID.log.\n"
				"\n"
				"  --job ID         the new job's id\n"
				"  --pidns          run CMD as pid 1 of a new pid namespace\n"
				"  --json           one JSON object instead of text\n"
				"  --socket PATH    ckptd's control socket\n"
				"  --help           this text\n",
		},
		.type = CKPTD_CMD_RUN, .build = build, .print = ckptctl_print_jobs,
	};

	return ckptctl_op_main(&op, argc, argv);
}
