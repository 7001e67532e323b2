// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl restore --job ID [--seq N] [--pidns]: restore on this host;
 * ckptctl restore --host NAME [--job ID] [--thaw-on-failure]: move the
 * frozen jobs to another host.
 */
#include <stdio.h>

#include "ckptctl.h"
#include "ctl_client.h"

enum { O_SEQ, O_PIDNS, O_HOST, O_THAW };

/* HOST or SEQ. */
static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	const char *host = a->str[O_HOST];

	if ((!a->job && !host) || a->argc)
		return ckptctl_usage_error(a, "--job ID or --host NAME is required");
	if (host ? a->n[O_SEQ] || a->n[O_PIDNS] : a->n[O_THAW])
		return ckptctl_usage_error(a, "%s", host ?
					   "--seq and --pidns are for restoring here, not with --host (the job keeps its own pid namespace)" :
					   "--thaw-on-failure goes with --host");
	if (host)
		ckptd_ctl_put_str(m, CKPTD_CA_HOST, host);
	if (a->n[O_SEQ])
		ckptd_ctl_put_u64(m, CKPTD_CA_SEQ, a->num[O_SEQ]);
	return 0;
}

static void print_here(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	const struct ckptd_ctl_attr *pid = rep->tb.a[CKPTD_CA_PID];

	ckptctl_print_image_result(rep, a, "restored from checkpoint");
	if (pid && !a->json)
		printf("job %u: running again, root pid %u\n",
		       ckptctl_u32(&rep->tb, CKPTD_CA_JOB_ID), ckptd_ctl_u32(pid));
}

/* --host: one JOB nest per job moved. */
static void print_moved(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	struct ckptd_ctl_attrs tb;
	struct json_out j;
	size_t pos = 0;

	if (a->json) {
		json_init(&j, stdout);
		json_begin_array(&j, NULL);
	}
	while (ckptctl_next_job(rep, &pos, &tb)) {
		if (!tb.a[CKPTD_CA_JOB_ID] || !tb.a[CKPTD_CA_HOST] || !tb.a[CKPTD_CA_PID])
			continue;
		if (!a->json) {
			printf("job %u: restored on %s from checkpoint %llu, root pid %u there; the original here is terminated\n",
			       ckptctl_u32(&tb, CKPTD_CA_JOB_ID), ckptctl_str(&tb, CKPTD_CA_HOST, ""),
			       (unsigned long long)ckptctl_u64(&tb, CKPTD_CA_SEQ),
			       ckptctl_u32(&tb, CKPTD_CA_PID));
			continue;
		}
		json_begin_object(&j, NULL);
		json_u64(&j, "job", ckptctl_u32(&tb, CKPTD_CA_JOB_ID));
		json_string(&j, "host", ckptctl_str(&tb, CKPTD_CA_HOST, ""));
		json_u64(&j, "pid", ckptctl_u32(&tb, CKPTD_CA_PID));
		if (tb.a[CKPTD_CA_SEQ])
			json_u64(&j, "seq", ckptctl_u64(&tb, CKPTD_CA_SEQ));
		json_end_object(&j);
	}
	if (a->json) {
		json_end_array(&j);
		json_finish(&j);
	}
}

static void print(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	(a->str[O_HOST] ? print_moved : print_here)(rep, a);
}

int restore_main(int argc, char *argv[])
{
	static const struct ckptctl_opt opts[] = {
		[O_SEQ] = { "seq", CKPTCTL_NUM, .min = 1, .max = UINT64_MAX,
			    .give = "a checkpoint number (from 1; 'ckptctl image ls' lists them)" },
		[O_PIDNS] = { "pidns", CKPTCTL_FLAG, .flag = CKPTD_F_PIDNS },
		[O_HOST] = { "host", CKPTCTL_STR },
		[O_THAW] = { "thaw-on-failure", CKPTCTL_FLAG, .flag = CKPTD_F_THAW_ON_FAILURE },
		{ NULL },
	};
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "restore", .opts = opts,
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD,
			.help = "Usage: " CKPTCTL_PROG " restore --job ID [--seq N] [--pidns] [--json] [--socket PATH]\n"
				"       " CKPTCTL_PROG " restore --host NAME [--job ID] [--thaw-on-failure] [--json]\n"
				"\n"
				"Restore job ID on this host from its newest committed checkpoint (or\n"
				"checkpoint N).  ckptd verifies the whole image first and never restores\n"
				"one that fails; then it runs the restorer, ckpt-restore (restorer= in\n"
				"ckptd.conf), and reports its error if it fails.\n"
				"\n"
				"With --host, every frozen job on this host (or job ID) moves to the\n"
				"peer NAME ([peers] in ckptd.conf): its newest checkpoint is shipped,\n"
				"restored there and confirmed running, then the frozen original here\n"
				"is terminated.  If a step fails the original stays frozen and intact,\n"
				"and the error names the step and the host.\n"
				"\n"
				"  --seq N          the checkpoint to restore ('image ls' lists them)\n"
				"  --pidns          restore into a new pid namespace\n"
				"  --host NAME      restore on the peer NAME instead of here\n"
				"  --thaw-on-failure  with --host: thaw an original whose move failed\n"
				"  --json           one JSON object instead of text\n"
				"  --socket PATH    ckptd's control socket\n"
				"  --help           this text\n",
		},
		.type = CKPTD_CMD_RESTORE, .progress = 1, .build = build, .print = print,
	};

	return ckptctl_op_main(&op, argc, argv);
}
