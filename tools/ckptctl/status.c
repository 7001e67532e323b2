// SPDX-License-Identifier: GPL-2.0
/* ckptctl status --job ID: one job and its member pids. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_jobs(rep, json, 1);
}

int status_main(int argc, char *argv[])
{
	static const struct job_cmd jc = {
		.name = "status", .cmd = CKPTD_CMD_STATUS, .print = print,
		.summary = "Show one job: its kind, state, owner, newest checkpoint and\n"
			   "the pids of its members as ckpt.ko sees them now.",
	};

	return ckptctl_job_cmd(&jc, argc, argv);
}
