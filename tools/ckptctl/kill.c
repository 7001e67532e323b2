// SPDX-License-Identifier: GPL-2.0
/* ckptctl kill --job ID: SIGKILL the job's processes and forget the job. */
#include <stdio.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void print(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	uint32_t id = ckptctl_u32(&rep->tb, CKPTD_CA_JOB_ID);
	uint32_t n = ckptctl_u32(&rep->tb, CKPTD_CA_NR_TASKS);
	struct json_out j;

	if (!a->json) {
		printf("job %u: killed %u process(es); its checkpoints stay in the store\n", id, n);
		return;
	}
	ckptctl_json_begin(&j);
	json_u64(&j, "job", id);
	json_u64(&j, "killed", n);
	ckptctl_json_end(&j);
}

int kill_main(int argc, char *argv[])
{
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "kill", .shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.summary = "Send SIGKILL to every process of the job (frozen ones too) and\n"
				   "forget the job.  Its checkpoints stay in the image store.",
		},
		.type = CKPTD_CMD_KILL, .print = print,
	};

	return ckptctl_op_main(&op, argc, argv);
}
