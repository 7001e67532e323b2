// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl migrate --job ID --to NAME [--live]: move a running job to the
 * peer NAME, stop-and-copy or with live pre-copy (Documentation/migration.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckptctl.h"
#include "size.h"
#include "ctl_client.h"
#include "progress.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s migrate --job ID --to NAME [--live] [--max-iterations N]\n"
		"                  [--dirty-threshold SIZE] [--thaw-on-failure]\n"
		"                  [--unsupported-fds fail|close|devnull] [--json] [--socket PATH]\n"
		"\n"
		"Move the running job ID to the peer NAME ([peers] in ckptd.conf).\n"
		"Stop-and-copy (the default) freezes the job, ships a full checkpoint,\n"
		"restores it on NAME and terminates the original here.  With --live the\n"
		"job keeps running while pre-dumps of its memory are shipped, each\n"
		"carrying only what changed since the one before, until one carries at\n"
		"most the dirty threshold, stops shrinking, or the iteration bound is\n"
		"reached; then the job is frozen and only the last changes are shipped,\n"
		"so it is stopped for much less time.  The downtime (the time the job\n"
		"is frozen, as it sees it) is reported.\n"
		"\n"
		"If a step fails the original is intact: it runs on if the failure came\n"
		"before the final freeze, else it stays frozen (thawed with\n"
		"--thaw-on-failure).  The error names the step and the host.  NAME\n"
		"checks every file the job needs before anything here is terminated.\n"
		"\n"
		"  --to NAME             the peer to move to\n"
		"  --live                pre-copy while the job runs\n"
		"  --max-iterations N    pre-dumps at most (default: migrate_iterations\n"
		"                        of ckptd.conf, 8)\n"
		"  --dirty-threshold SIZE  stop pre-copying once a pre-dump carried at\n"
		"                        most SIZE (K, M, G; default: migrate_dirty_threshold, 4M)\n"
		"  --thaw-on-failure     thaw the original if the move fails after the freeze\n"
		"  --unsupported-fds ACTION  an fd that cannot be carried fails the move\n"
		"                        (fail, default), or is closed or /dev/null after it\n"
		"  --json                one JSON object instead of text\n"
		"  --socket PATH         ckptd's control socket\n"
		"  --help                this text\n"
		"\n"
		"Exit status: 0 moved; 1 a step failed (the message names it and the\n"
		"host); 2 bad usage; 3 ckptd is not running; 4 not your job; 5 no such\n"
		"job, or no peer NAME in ckptd.conf; see ckptctl(8).\n", ckptctl_prog);
}

static void print(const struct ctl_reply *rep, int json, int live)
{
	const struct ckptd_ctl_attrs *tb = &rep->tb;
	uint64_t down = tb->a[CKPTD_CA_DOWNTIME_US] ? ckptd_ctl_u64(tb->a[CKPTD_CA_DOWNTIME_US]) : 0;
	uint64_t bytes = tb->a[CKPTD_CA_BYTES] ? ckptd_ctl_u64(tb->a[CKPTD_CA_BYTES]) : 0;
	uint32_t iter = tb->a[CKPTD_CA_ITERATIONS] ? ckptd_ctl_u32(tb->a[CKPTD_CA_ITERATIONS]) : 0;
	uint32_t job = tb->a[CKPTD_CA_JOB_ID] ? ckptd_ctl_u32(tb->a[CKPTD_CA_JOB_ID]) : 0;
	uint32_t pid = tb->a[CKPTD_CA_PID] ? ckptd_ctl_u32(tb->a[CKPTD_CA_PID]) : 0;
	uint64_t seq = tb->a[CKPTD_CA_SEQ] ? ckptd_ctl_u64(tb->a[CKPTD_CA_SEQ]) : 0;
	const char *host = tb->a[CKPTD_CA_HOST] ? ckptd_ctl_str(tb->a[CKPTD_CA_HOST]) : "?";
	struct json_out j;
	char b[32];

	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_u64(&j, "job", job);
		json_string(&j, "host", host);
		json_u64(&j, "pid", pid);
		json_u64(&j, "seq", seq);
		json_bool(&j, "live", live);
		json_u64(&j, "iterations", iter);
		if (tb->a[CKPTD_CA_TOTAL])
			json_u64(&j, "last_dirty_bytes", ckptd_ctl_u64(tb->a[CKPTD_CA_TOTAL]));
		json_u64(&j, "bytes", bytes);
		json_u64(&j, "downtime_us", down);
		json_end_object(&j);
		json_finish(&j);
		return;
	}
	ckptctl_fmt_bytes(b, sizeof(b), bytes);
	printf("job %u: migrated to %s (%s", job, host, live ? "live" : "stop-and-copy");
	if (live)
		printf(", %u pre-dump%s", iter, iter == 1 ? "" : "s");
	printf(", %s shipped), root pid %u there, from checkpoint %llu\n", b, pid,
	       (unsigned long long)seq);
	printf("job %u: downtime %llu.%03llu ms (frozen here until running on %s); the original here is terminated\n",
	       job, (unsigned long long)down / 1000, (unsigned long long)down % 1000, host);
}

int migrate_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "to", required_argument, NULL, 't' },
		{ "live", no_argument, NULL, 'l' },
		{ "max-iterations", required_argument, NULL, 'i' },
		{ "dirty-threshold", required_argument, NULL, 'd' },
		{ "thaw-on-failure", no_argument, NULL, 'T' },
		{ "unsupported-fds", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'J' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct ctl_reply rep;
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	uint32_t job = 0, flags = 0, iter = 0;
	uint64_t dirty = 0;
	const char *host = NULL;
	int json = 0, have_dirty = 0, c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			job = ckptctl_parse_job(optarg);
			if (!job)
				return CKPTCTL_EXIT_USAGE;
			break;
		case 't': host = optarg; break;
		case 'l': flags |= CKPTD_F_LIVE; break;
		case 'i':
			iter = strtoul(optarg, &end, 10);
			if (*end || iter < 1 || iter > 100) {
				fprintf(stderr, "%s migrate: --max-iterations '%s': give a number from 1 to 100\n",
					ckptctl_prog, optarg);
				return CKPTCTL_EXIT_USAGE;
			}
			break;
		case 'd':
			if (ckpt_parse_size(optarg, &dirty)) {
				fprintf(stderr, "%s migrate: --dirty-threshold '%s': give a size in bytes, or with K, M or G\n",
					ckptctl_prog, optarg);
				return CKPTCTL_EXIT_USAGE;
			}
			have_dirty = 1;
			break;
		case 'T': flags |= CKPTD_F_THAW_ON_FAILURE; break;
		case 'u':
			if (ckptctl_parse_unsupported("migrate", optarg, &flags))
				return CKPTCTL_EXIT_USAGE;
			break;
		case 'J': json = 1; break;
		case 'S': ckptctl_socket = optarg; break;
		case 'h': usage(stdout); return CKPTCTL_EXIT_OK;
		default: usage(stderr); return CKPTCTL_EXIT_USAGE;
		}
	}
	if (!job || !host || optind < argc) {
		fprintf(stderr, "%s migrate: --job ID and --to NAME are required; see '%s migrate --help'\n",
			ckptctl_prog, ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	if ((iter || have_dirty) && !(flags & CKPTD_F_LIVE)) {
		fprintf(stderr, "%s migrate: --max-iterations and --dirty-threshold go with --live\n",
			ckptctl_prog);
		return CKPTCTL_EXIT_USAGE;
	}
	ckptd_ctl_start(&m, buf, CKPTD_CMD_MIGRATE, (uint32_t)getpid());
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, job);
	ckptd_ctl_put_str(&m, CKPTD_CA_HOST, host);
	if (flags)
		ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, flags);
	if (iter)
		ckptd_ctl_put_u32(&m, CKPTD_CA_ITERATIONS, iter);
	if (have_dirty)
		ckptd_ctl_put_u64(&m, CKPTD_CA_BYTES, dirty);
	ret = ckptctl_request(&m, &rep, !json);
	if (!ret)
		print(&rep, json, !!(flags & CKPTD_F_LIVE));
	return ret;
}
