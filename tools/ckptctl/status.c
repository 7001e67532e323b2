// SPDX-License-Identifier: GPL-2.0
/* ckptctl status --job ID: one job and its member pids. */
#include "ckptctl.h"
#include "ctl_client.h"

int status_main(int argc, char *argv[])
{
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "status", .shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.summary = "Show one job: its kind, state, owner, newest checkpoint and\n"
				   "the pids of its members as ckpt.ko sees them now.",
		},
		.type = CKPTD_CMD_STATUS, .print = ckptctl_print_job_status,
	};

	return ckptctl_op_main(&op, argc, argv);
}
