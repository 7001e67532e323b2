// SPDX-License-Identifier: GPL-2.0
/* ckptctl list: the jobs (root sees every job, a user their own). */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s list [--json] [--socket PATH]\n"
		"\n"
		"List the jobs ckptd manages: root sees every job, a user their own.\n"
		"STATE is running, frozen, freezing, busy (an operation runs) or lost\n"
		"(ckpt.ko no longer knows the job); LAST is the newest checkpoint.\n"
		"\n"
		"  --json           one JSON object {\"jobs\":[...]}\n"
		"  --socket PATH    ckptd's control socket\n"
		"  --help           this text\n", ckptctl_prog);
}

int list_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	int json = 0, c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, (uint32_t)getpid());
	ret = ckptctl_request(&m, &rep, 0);
	if (!ret)
		ckptctl_print_jobs(&rep, json, 0);
	return ret;
}
