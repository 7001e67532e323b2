// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl cluster set --job ID --hosts A,B[,...] | unset --job ID |
 * ls --job ID: which hosts a job spans, and its global checkpoints.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s cluster set --job ID --hosts HOST,HOST[,...] [--socket PATH]\n"
		"       %s cluster unset --job ID [--socket PATH]\n"
		"       %s cluster ls --job ID [--json] [--socket PATH]\n"
		"\n"
		"A job spans hosts when the same job id is attached on each of them and\n"
		"'cluster set' named them on each (root only; every host a [peers] entry,\n"
		"this host among them).  Then 'freeze' and 'checkpoint' of the job on any\n"
		"of them take a coordinated checkpoint of all (prepare, dump, commit of a\n"
		"global manifest, or abort everywhere), and 'restore --job ID' restores\n"
		"the newest one on every host.  'ls' lists the global checkpoints held\n"
		"here: id, kind, coordinator and each host's image.\n"
		"See ckptctl(8) and Documentation/cluster.md.\n",
		ckptctl_prog, ckptctl_prog, ckptctl_prog);
}

static void print_ls(const struct ctl_reply *rep, int json)
{
	const struct ckptd_ctl_attr *a, *hosts = rep->tb.a[CKPTD_CA_CLUSTER];
	uint32_t job = ckptd_ctl_u32(rep->tb.a[CKPTD_CA_JOB_ID]);
	struct json_out j;
	size_t pos;

	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_u64(&j, "job", job);
		json_string(&j, "hosts", hosts ? ckptd_ctl_str(hosts) : "");
		json_begin_array(&j, "checkpoints");
	} else {
		printf("job %u spans %s\n", job, hosts ? ckptd_ctl_str(hosts) : "no hosts here (a local job)");
	}
	for (a = ckptd_ctl_first_top(rep->h, &pos); a;
	     a = ckptd_ctl_next(rep->h + 1, rep->h->len - sizeof(*rep->h), &pos)) {
		struct ckptd_ctl_attrs tb;
		struct ckpt_err why;

		if (a->type != CKPTD_CA_JOB || ckptd_ctl_parse_nest(a, &tb, &why) ||
		    !tb.a[CKPTD_CA_SEQ] || !tb.a[CKPTD_CA_STATE] || !tb.a[CKPTD_CA_CLUSTER] ||
		    !tb.a[CKPTD_CA_HOST])
			continue;
		if (json) {
			json_begin_object(&j, NULL);
			json_u64(&j, "id", ckptd_ctl_u64(tb.a[CKPTD_CA_SEQ]));
			json_string(&j, "kind", ckptd_ctl_str(tb.a[CKPTD_CA_STATE]));
			json_string(&j, "coordinator", ckptd_ctl_str(tb.a[CKPTD_CA_HOST]));
			json_string(&j, "images", ckptd_ctl_str(tb.a[CKPTD_CA_CLUSTER]));
			json_end_object(&j);
		} else {
			printf("  global %s %llu by %s: %s\n", ckptd_ctl_str(tb.a[CKPTD_CA_STATE]),
			       (unsigned long long)ckptd_ctl_u64(tb.a[CKPTD_CA_SEQ]),
			       ckptd_ctl_str(tb.a[CKPTD_CA_HOST]), ckptd_ctl_str(tb.a[CKPTD_CA_CLUSTER]));
		}
	}
	if (json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	}
}

int cluster_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	const char *hosts = NULL, *what;
	uint32_t job = 0;
	int json = 0, c, ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CKPTCTL_EXIT_USAGE : CKPTCTL_EXIT_OK;
	}
	what = argv[1];
	if (strcmp(what, "set") && strcmp(what, "unset") && strcmp(what, "ls")) {
		fprintf(stderr, "%s cluster: unknown action '%s' (set, unset or ls)\n",
			ckptctl_prog, what);
		return CKPTCTL_EXIT_USAGE;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'H': hosts = optarg; break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (optind < argc || !job || (!strcmp(what, "set") != !!hosts) ||
	    (hosts && !*hosts)) {
		fprintf(stderr, "%s cluster %s: %s; see '%s cluster --help'\n", ckptctl_prog, what,
			optind < argc ? "unexpected argument" : !job ? "--job ID is required" :
			hosts && *hosts ? "--hosts belongs to 'set' only" : "--hosts HOST,HOST is required",
			ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_CLUSTER, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	if (strcmp(what, "ls"))
		ckptd_ctl_put_str(&m, CKPTD_CA_CLUSTER, hosts ? hosts : "");
	ret = ckptctl_request(&m, &rep, 0);
	if (ret)
		return ret;
	if (!strcmp(what, "ls"))
		print_ls(&rep, json);
	else if (hosts)
		printf("job %u spans hosts %s\n", job, hosts);
	else
		printf("job %u spans no other host any more\n", job);
	return CKPTCTL_EXIT_OK;
}
