// SPDX-License-Identifier: GPL-2.0
/* ckptctl freeze --job ID: freeze and write a full checkpoint; stays frozen. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_image_result(rep, json, "frozen, checkpoint");
}

int freeze_main(int argc, char *argv[])
{
	static const struct job_cmd jc = {
		.name = "freeze", .cmd = CKPTD_CMD_FREEZE, .print = print, .progress = 1, .unsupported_fds = 1,
		.summary = "Freeze every process of the job at a safe point and write a full\n"
			   "checkpoint to <image_store>/<job>/<seq>.  The job stays frozen\n"
			   "until 'thaw', 'kill' or a restore elsewhere.  If writing fails\n"
			   "(e.g. the disk is full) the job stays frozen and nothing is stored.",
	};

	return ckptctl_job_cmd(&jc, argc, argv);
}
