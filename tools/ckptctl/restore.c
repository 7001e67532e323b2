// SPDX-License-Identifier: GPL-2.0
/* ckptctl restore --job ID [--seq N] [--pidns]: restore on this host. */
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
		"\n"
		"Restore job ID on this host from its newest committed checkpoint (or\n"
		"checkpoint N).  ckptd verifies the whole image first and never restores\n"
		"one that fails; then it runs the restorer, ckpt-restore (restorer= in\n"
		"ckptd.conf), and reports its error if it fails.\n"
		"\n"
		"  --seq N          the checkpoint to restore ('image ls' lists them)\n"
		"  --pidns          restore into a new pid namespace\n"
		"  --json           one JSON object instead of text\n"
		"  --socket PATH    ckptd's control socket\n"
		"  --help           this text\n", ckptctl_prog);
}

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_image_result(rep, json, "restored from checkpoint");
}

int restore_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "seq", required_argument, NULL, 'n' },
		{ "pidns", no_argument, NULL, 'p' },
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
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (!job || optind < argc) {
		fprintf(stderr, "%s restore: --job ID is required; see '%s restore --help'\n",
			ckptctl_prog, ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_RESTORE, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	if (seq)
		ckptd_ctl_put_u64(&m, CKPTD_CA_SEQ, seq);
	if (flags)
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, flags);
	ret = ckptctl_request(&m, &rep, 1 && !json);
	if (!ret)
		print(&rep, json);
	return ret;
}
