// SPDX-License-Identifier: GPL-2.0
/* ckptctl kill --job ID: SIGKILL the job's processes and forget the job. */
#include <stdio.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "json.h"

static void print(const struct ctl_reply *rep, int json)
{
	const struct ckptd_ctl_attrs *tb = &rep->tb;
	uint32_t id = tb->a[CKPTD_CA_JOB_ID] ? ckptd_ctl_u32(tb->a[CKPTD_CA_JOB_ID]) : 0;
	uint32_t n = tb->a[CKPTD_CA_NR_TASKS] ? ckptd_ctl_u32(tb->a[CKPTD_CA_NR_TASKS]) : 0;
	struct json_out j;

	if (!json) {
		printf("job %u: killed %u process(es); its checkpoints stay in the store\n", id, n);
		return;
	}
	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_u64(&j, "job", id);
	json_u64(&j, "killed", n);
	json_end_object(&j);
	json_finish(&j);
}

int kill_main(int argc, char *argv[])
{
	static const struct job_cmd jc = {
		.name = "kill", .cmd = CKPTD_CMD_KILL, .print = print,
		.summary = "Send SIGKILL to every process of the job (frozen ones too) and\n"
			   "forget the job.  Its checkpoints stay in the image store.",
	};

	return ckptctl_job_cmd(&jc, argc, argv);
}
