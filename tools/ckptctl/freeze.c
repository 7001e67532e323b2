// SPDX-License-Identifier: GPL-2.0
/* ckptctl freeze --job ID: freeze and write a full checkpoint; stays frozen. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	ckptctl_print_image_result(rep, a, "frozen, checkpoint");
}

int freeze_main(int argc, char *argv[])
{
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "freeze",
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD | CKPTCTL_O_UNSUP,
			.summary = "Freeze every process of the job at a safe point and write a full\n"
				   "checkpoint to <image_store>/<job>/<seq>.  The job stays frozen\n"
				   "until 'thaw', 'kill' or a restore elsewhere.  If writing fails\n"
				   "(e.g. the disk is full) the job stays frozen and nothing is stored.",
		},
		.type = CKPTD_CMD_FREEZE, .progress = 1, .print = print,
	};

	return ckptctl_op_main(&op, argc, argv);
}
