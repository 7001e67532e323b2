// SPDX-License-Identifier: GPL-2.0
/* ckptctl checkpoint --job ID [--incremental]: the job runs on. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	ckptctl_print_image_result(rep, a, "checkpoint");
}

int checkpoint_main(int argc, char *argv[])
{
	static const struct ckptctl_opt opts[] = {
		{ "incremental", CKPTCTL_FLAG, .flag = CKPTD_F_INCREMENTAL },
		{ NULL },
	};
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "checkpoint", .opts = opts,
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD | CKPTCTL_O_UNSUP,
			.summary = "Checkpoint a job: it is frozen only while its state is captured\n"
				   "into memory, then runs on while the image is written.  The command\n"
				   "returns when the image is stored.  --incremental stores only the\n"
				   "pages changed since the job's last checkpoint (by this ckptd run).",
		},
		.type = CKPTD_CMD_CHECKPOINT, .progress = 1, .print = print,
	};

	return ckptctl_op_main(&op, argc, argv);
}
