// SPDX-License-Identifier: GPL-2.0
/* ckptctl thaw --job ID: let a frozen job run again. */
#include "ckptctl.h"
#include "ctl_client.h"

int thaw_main(int argc, char *argv[])
{
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "thaw", .shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.summary = "Let a frozen job run again.  Interrupted system calls restart\n"
				   "transparently.",
		},
		.type = CKPTD_CMD_THAW, .print = ckptctl_print_jobs,
	};

	return ckptctl_op_main(&op, argc, argv);
}
