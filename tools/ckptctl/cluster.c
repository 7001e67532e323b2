// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl cluster set --job ID --hosts A,B[,...] | unset --job ID |
 * ls --job ID: which hosts a job spans, and its global checkpoints.
 */
#include <stdio.h>
#include <string.h>

#include "ckptctl.h"
#include "ctl_client.h"

enum { O_HOSTS };

static const char help[] =
	"Usage: " CKPTCTL_PROG " cluster set --job ID --hosts HOST,HOST[,...] [--socket PATH]\n"
	"       " CKPTCTL_PROG " cluster unset --job ID [--socket PATH]\n"
	"       " CKPTCTL_PROG " cluster ls --job ID [--json] [--socket PATH]\n"
	"\n"
	"A job spans hosts when the same job id is attached on each of them and\n"
	"'cluster set' named them on each (root only; every host a [peers] entry,\n"
	"this host among them).  Then 'freeze' and 'checkpoint' of the job on any\n"
	"of them take a coordinated checkpoint of all (prepare, dump, commit of a\n"
	"global manifest, or abort everywhere), and 'restore --job ID' restores\n"
	"the newest one on every host.  'ls' lists the global checkpoints held\n"
	"here: id, kind, coordinator and each host's image.\n"
	"See ckptctl(8) and Documentation/cluster.md.\n";

/* CLUSTER: the hosts for set, "" for unset, none for ls. */
static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	const char *hosts = a->str[O_HOSTS];
	int set = !strcmp(a->cmd->action, "set");

	if (a->argc || !a->job || set != !!hosts || (hosts && !*hosts))
		return ckptctl_usage_error(a, "%s", a->argc ? "unexpected argument" :
					   !a->job ? "--job ID is required" :
					   hosts && *hosts ? "--hosts belongs to 'set' only" :
					   "--hosts HOST,HOST is required");
	if (strcmp(a->cmd->action, "ls"))
		ckptd_ctl_put_str(m, CKPTD_CA_CLUSTER, hosts ? hosts : "");
	return 0;
}

static void print_set(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	(void)rep;
	if (a->str[O_HOSTS])
		printf("job %u spans hosts %s\n", a->job, a->str[O_HOSTS]);
	else
		printf("job %u spans no other host any more\n", a->job);
}

static void print_ls(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	const char *hosts = ckptctl_str(&rep->tb, CKPTD_CA_CLUSTER, NULL);
	uint32_t job = ckptctl_u32(&rep->tb, CKPTD_CA_JOB_ID);
	struct ckptd_ctl_attrs tb;
	struct json_out j;
	size_t pos = 0;

	if (a->json) {
		ckptctl_json_begin(&j);
		json_u64(&j, "job", job);
		json_string(&j, "hosts", hosts ? hosts : "");
		json_begin_array(&j, "checkpoints");
	} else {
		printf("job %u spans %s\n", job, hosts ? hosts : "no hosts here (a local job)");
	}
	while (ckptctl_next_job(rep, &pos, &tb)) {
		if (!tb.a[CKPTD_CA_SEQ] || !tb.a[CKPTD_CA_STATE] || !tb.a[CKPTD_CA_CLUSTER] ||
		    !tb.a[CKPTD_CA_HOST])
			continue;
		if (!a->json) {
			printf("  global %s %llu by %s: %s\n", ckptctl_str(&tb, CKPTD_CA_STATE, ""),
			       (unsigned long long)ckptctl_u64(&tb, CKPTD_CA_SEQ),
			       ckptctl_str(&tb, CKPTD_CA_HOST, ""), ckptctl_str(&tb, CKPTD_CA_CLUSTER, ""));
			continue;
		}
		json_begin_object(&j, NULL);
		json_u64(&j, "id", ckptctl_u64(&tb, CKPTD_CA_SEQ));
		json_string(&j, "kind", ckptctl_str(&tb, CKPTD_CA_STATE, ""));
		json_string(&j, "coordinator", ckptctl_str(&tb, CKPTD_CA_HOST, ""));
		json_string(&j, "images", ckptctl_str(&tb, CKPTD_CA_CLUSTER, ""));
		json_end_object(&j);
	}
	if (a->json) {
		json_end_array(&j);
		ckptctl_json_end(&j);
	}
}

static const struct ckptctl_opt opts[] = {
	[O_HOSTS] = { "hosts", CKPTCTL_STR },
	{ NULL },
};

#define CLUSTER_OP(act, printer) {						\
	.cmd = { .name = "cluster", .action = act, .help = help, .opts = opts,	\
		 .shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD },			\
	.type = CKPTD_CMD_CLUSTER, .build = build, .print = printer,		\
}

static const struct ckptctl_op ops[] = {
	CLUSTER_OP("set", print_set),
	CLUSTER_OP("unset", print_set),
	CLUSTER_OP("ls", print_ls),
};

int cluster_main(int argc, char *argv[])
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? CKPTCTL_EXIT_USAGE : CKPTCTL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[1], ops[i].cmd.action))
			return ckptctl_op_main(&ops[i], argc - 1, argv + 1);
	fprintf(stderr, "%s cluster: unknown action '%s' (set, unset or ls)\n",
		CKPTCTL_PROG, argv[1]);
	return CKPTCTL_EXIT_USAGE;
}
