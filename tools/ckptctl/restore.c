// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl restore --job ID [--seq N] [--pidns]: restore on this host;
 * ckptctl restore --host NAME [--job ID] [--thaw-on-failure]: move the
 * frozen jobs to another host.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s restore --job ID [--seq N] [--pidns] [--json] [--socket PATH]\n"
		"       %s restore --host NAME [--job ID] [--thaw-on-failure] [--json]\n"
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
		"  --help           this text\n", ckptctl_prog, ckptctl_prog);
}

static void print(const struct ctl_reply *rep, int json)
{
	const struct ckptd_ctl_attr *pid = rep->tb.a[CKPTD_CA_PID];

	ckptctl_print_image_result(rep, json, "restored from checkpoint");
	if (pid && !json)
		printf("job %u: running again, root pid %u\n",
		       ckptd_ctl_u32(rep->tb.a[CKPTD_CA_JOB_ID]), ckptd_ctl_u32(pid));
}

/* --host: one JOB nest per job moved. */
static void print_moved(const struct ctl_reply *rep, int json)
{
	const struct ckptd_ctl_attr *a;
	struct json_out j;
	size_t pos;

	if (json) {
		json_init(&j, stdout);
		json_begin_array(&j, NULL);
	}
	for (a = ckptd_ctl_first_top(rep->h, &pos); a;
	     a = ckptd_ctl_next(rep->h + 1, rep->h->len - sizeof(*rep->h), &pos)) {
		struct ckptd_ctl_attrs tb;
		struct ckpt_err why;

		if (a->type != CKPTD_CA_JOB || ckptd_ctl_parse_nest(a, &tb, &why) ||
		    !tb.a[CKPTD_CA_JOB_ID] || !tb.a[CKPTD_CA_HOST] || !tb.a[CKPTD_CA_PID])
			continue;
		if (json) {
			json_begin_object(&j, NULL);
			json_u64(&j, "job", ckptd_ctl_u32(tb.a[CKPTD_CA_JOB_ID]));
			json_string(&j, "host", ckptd_ctl_str(tb.a[CKPTD_CA_HOST]));
			json_u64(&j, "pid", ckptd_ctl_u32(tb.a[CKPTD_CA_PID]));
			if (tb.a[CKPTD_CA_SEQ])
				json_u64(&j, "seq", ckptd_ctl_u64(tb.a[CKPTD_CA_SEQ]));
			json_end_object(&j);
		} else {
			printf("job %u: restored on %s from checkpoint %llu, root pid %u there; the original here is terminated\n",
			       ckptd_ctl_u32(tb.a[CKPTD_CA_JOB_ID]), ckptd_ctl_str(tb.a[CKPTD_CA_HOST]),
			       tb.a[CKPTD_CA_SEQ] ? (unsigned long long)ckptd_ctl_u64(tb.a[CKPTD_CA_SEQ]) : 0ULL,
			       ckptd_ctl_u32(tb.a[CKPTD_CA_PID]));
		}
	}
	if (json) {
		json_end_array(&j);
		json_finish(&j);
	}
}

int restore_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "seq", required_argument, NULL, 'n' },
		{ "pidns", no_argument, NULL, 'p' },
		{ "host", required_argument, NULL, 'H' },
		{ "thaw-on-failure", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	uint32_t job = 0, flags = 0;
	uint64_t seq = 0;
	const char *host = NULL;
	int json = 0, c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'n':
			seq = strtoull(optarg, &end, 10);
			if (*end || !seq) {
				fprintf(stderr, "%s restore: '%s' is not a checkpoint number\n",
					ckptctl_prog, optarg);
				return CKPTCTL_EXIT_USAGE;
			}
			break;
		case 'p': flags |= CKPTD_F_PIDNS; break;
		case 'H': host = optarg; break;
		case 'T': flags |= CKPTD_F_THAW_ON_FAILURE; break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if ((!job && !host) || optind < argc) {
		fprintf(stderr, "%s restore: --job ID or --host NAME is required; see '%s restore --help'\n",
			ckptctl_prog, ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	if (host ? seq || (flags & CKPTD_F_PIDNS) : !!(flags & CKPTD_F_THAW_ON_FAILURE)) {
		fprintf(stderr, "%s restore: %s\n", ckptctl_prog, host ?
			"--seq and --pidns are for restoring here, not with --host (the job keeps its own pid namespace)" :
			"--thaw-on-failure goes with --host");
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_RESTORE, (uint32_t)getpid());
	if (job)
		ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	if (host)
		ckptd_ctl_put_str(&m, CKPTD_CA_HOST, host);
	if (seq)
		ckptd_ctl_put_u64(&m, CKPTD_CA_SEQ, seq);
	if (flags)
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, flags);
	ret = ckptctl_request(&m, &rep, !json);
	if (!ret)
		(host ? print_moved : print)(&rep, json);
	return ret;
}
