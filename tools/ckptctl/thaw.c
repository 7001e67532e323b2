// SPDX-License-Identifier: GPL-2.0
/* ckptctl thaw --job ID: let a frozen job run again. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_jobs(rep, json, 0);
}

int thaw_main(int argc, char *argv[])
{
	static const struct job_cmd jc = {
		.name = "thaw", .cmd = CKPTD_CMD_THAW, .print = print,
		.summary = "Let a frozen job run again.  Interrupted system calls restart\n"
			   "transparently.",
	};

	return ckptctl_job_cmd(&jc, argc, argv);
}
