// SPDX-License-Identifier: GPL-2.0
/* ckptctl run --job ID [--pidns] -- CMD...: ckptd starts CMD as a job. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s run --job ID [--pidns] [--json] [--socket PATH] -- CMD [ARG...]\n"
		"\n"
		"ckptd starts CMD as you, in this directory, in its own cgroup\n"
		"(<cgroup_dir>/job-ID) and, with --pidns, its own pid namespace; the\n"
		"job is that cgroup.  CMD's output goes to <state_dir>/job-ID.log.\n"
		"\n"
		"  --job ID         the new job's id\n"
		"  --pidns          run CMD as pid 1 of a new pid namespace\n"
		"  --json           one JSON object instead of text\n"
		"  --socket PATH    ckptd's control socket\n"
		"  --help           this text\n", ckptctl_prog);
}

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_jobs(rep, json, 0);
}

int run_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "pidns", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	char cwd[PATH_MAX];
	struct ckptd_ctl_msg m;
	uint32_t job = 0, flags = 0;
	int json = 0, c, ret;
	size_t nest;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'p': flags |= CKPTD_F_PIDNS; break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (!job || optind >= argc) {
		fprintf(stderr, "%s run: %s; see '%s run --help'\n", ckptctl_prog,
			!job ? "--job ID is required" : "the command to run is missing (after --)",
			ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	if (argc - optind > CKPTD_CTL_ARGV_MAX) {
		fprintf(stderr, "%s run: more than %d arguments\n", ckptctl_prog,
			CKPTD_CTL_ARGV_MAX);
		return CKPTCTL_EXIT_USAGE;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("ckptctl run: getcwd");
		return CKPTCTL_EXIT_FAILED;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	if (flags)
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, flags);
	ckptd_ctl_put_str(&m, CKPTD_CA_CWD, cwd);
	nest = ckptd_ctl_nest_start(&m, CKPTD_CA_ARGV);
	for (int i = optind; i < argc; i++)
		ckptd_ctl_put_str(&m, CKPTD_CA_ARG, argv[i]);
	ckptd_ctl_nest_end(&m, nest);
	ret = ckptctl_request(&m, &rep, 0);
	if (!ret)
		print(&rep, json);
	return ret;
}
