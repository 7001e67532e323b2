// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl attach --job ID (--pid P [--tree|--pgid|--session] | --cgroup PATH):
 * make processes that already run a job.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s attach --job ID (--pid P [--tree|--pgid|--session] | --cgroup PATH)\n"
		"                 [--json] [--socket PATH]\n"
		"\n"
		"Make running processes job ID: the process tree of P (--tree, the\n"
		"default; it follows forks), the process group P (--pgid), the session\n"
		"P (--session), or a cgroup v2 directory and its descendants (--cgroup,\n"
		"a path below the cgroup2 root such as /jobs/42).  A user may attach\n"
		"only their own processes and cgroups.\n"
		"\n"
		"  --json           one JSON object instead of text\n"
		"  --socket PATH    ckptd's control socket\n"
		"  --help           this text\n", ckptctl_prog);
}

static void print(const struct ctl_reply *rep, int json)
{
	ckptctl_print_jobs(rep, json, 0);
}

int attach_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "tree", no_argument, NULL, 't' },
		{ "pgid", no_argument, NULL, 'g' },
		{ "session", no_argument, NULL, 's' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	const char *cgroup = NULL;
	uint32_t job = 0, pid = 0, kind = 0;
	int json = 0, c, ret, kinds = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'p':
			pid = strtoul(optarg, &end, 10);
			if (*end || !pid) {
				fprintf(stderr, "%s attach: '%s' is not a pid\n", ckptctl_prog, optarg);
				return CKPTCTL_EXIT_USAGE;
			}
			break;
		case 't': kind = CKPT_JOB_TREE; kinds++; break;
		case 'g': kind = CKPT_JOB_PGID; kinds++; break;
		case 's': kind = CKPT_JOB_SID; kinds++; break;
		case 'c': cgroup = optarg; break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (!job || optind < argc || kinds > 1 || !!pid == !!cgroup || (cgroup && kinds)) {
		fprintf(stderr, "%s attach: give --job ID and either --pid P (with at most one of --tree, --pgid, --session) or --cgroup PATH; see '%s attach --help'\n",
			ckptctl_prog, ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	if (cgroup)
		kind = CKPT_JOB_CGROUP;
	else if (!kind)
		kind = CKPT_JOB_TREE;
	ckptd_ctl_start(&m, buf, CKPTD_CMD_ATTACH, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	ckptd_ctl_put_u32(&m, CKPTD_CA_KIND, kind);
	if (cgroup)
		ckptd_ctl_put_str(&m, CKPTD_CA_CGROUP, cgroup);
	else
		ckptd_ctl_put_u32(&m, CKPTD_CA_PID, pid);
	ret = ckptctl_request(&m, &rep, 0);
	if (!ret)
		print(&rep, json);
	return ret;
}
