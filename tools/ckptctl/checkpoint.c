// SPDX-License-Identifier: GPL-2.0
/* ckptctl checkpoint --job ID [--incremental]: the job runs on. */
#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_image_result(rep, json, "checkpoint");
}

int checkpoint_main(int argc, char *argv[])
{
	static const struct job_cmd jc = {
		.name = "checkpoint", .cmd = CKPTD_CMD_CHECKPOINT, .print = print,
		.progress = 1, .unsupported_fds = 1, .flag_name = "incremental", .flag_bit = CKPTD_F_INCREMENTAL,
		.summary = "Checkpoint a job: it is frozen only while its state is captured\n"
			   "into memory, then runs on while the image is written.  The command\n"
			   "returns when the image is stored.  --incremental stores only the\n"
			   "pages changed since the job's last checkpoint (by this ckptd run).",
	};

	return ckptctl_job_cmd(&jc, argc, argv);
}
