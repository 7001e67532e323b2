// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl migrate --job ID --to NAME [--live]: move a running job to the
 * peer NAME, stop-and-copy or with live pre-copy (Documentation/migration.md).
 */
#include <stdio.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "progress.h"

enum { O_TO, O_LIVE, O_ITER, O_DIRTY, O_THAW };

/* HOST, and the pre-copy bounds ITERATIONS and BYTES. */
static int build(const struct ckptctl_args *a, struct ckptd_ctl_msg *m)
{
	if (!a->job || !a->str[O_TO] || a->argc)
		return ckptctl_usage_error(a, "--job ID and --to NAME are required");
	if ((a->n[O_ITER] || a->n[O_DIRTY]) && !a->n[O_LIVE])
		return ckptctl_usage_error(a, "--max-iterations and --dirty-threshold go with --live");
	ckptd_ctl_put_str(m, CKPTD_CA_HOST, a->str[O_TO]);
	if (a->n[O_ITER])
		ckptd_ctl_put_u32(m, CKPTD_CA_ITERATIONS, a->num[O_ITER]);
	if (a->n[O_DIRTY])
		ckptd_ctl_put_u64(m, CKPTD_CA_BYTES, a->num[O_DIRTY]);
	return 0;
}

static void print(const struct ctl_reply *rep, const struct ckptctl_args *a)
{
	const struct ckptd_ctl_attrs *tb = &rep->tb;
	uint64_t down = ckptctl_u64(tb, CKPTD_CA_DOWNTIME_US);
	uint64_t bytes = ckptctl_u64(tb, CKPTD_CA_BYTES);
	uint32_t iter = ckptctl_u32(tb, CKPTD_CA_ITERATIONS);
	uint32_t job = ckptctl_u32(tb, CKPTD_CA_JOB_ID);
	uint32_t pid = ckptctl_u32(tb, CKPTD_CA_PID);
	uint64_t seq = ckptctl_u64(tb, CKPTD_CA_SEQ);
	const char *host = ckptctl_str(tb, CKPTD_CA_HOST, "?");
	int live = !!a->n[O_LIVE];
	struct json_out j;
	char b[32];

	if (a->json) {
		ckptctl_json_begin(&j);
		json_u64(&j, "job", job);
		json_string(&j, "host", host);
		json_u64(&j, "pid", pid);
		json_u64(&j, "seq", seq);
		json_bool(&j, "live", live);
		json_u64(&j, "iterations", iter);
		if (tb->a[CKPTD_CA_TOTAL])
			json_u64(&j, "last_dirty_bytes", ckptctl_u64(tb, CKPTD_CA_TOTAL));
		json_u64(&j, "bytes", bytes);
		json_u64(&j, "downtime_us", down);
		ckptctl_json_end(&j);
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
	static const struct ckptctl_opt opts[] = {
		[O_TO] = { "to", CKPTCTL_STR },
		[O_LIVE] = { "live", CKPTCTL_FLAG, .flag = CKPTD_F_LIVE },
		[O_ITER] = { "max-iterations", CKPTCTL_NUM, .min = 1, .max = 100,
			     .give = "a number from 1 to 100" },
		[O_DIRTY] = { "dirty-threshold", CKPTCTL_SIZE,
			      .give = "a size in bytes, or with K, M or G" },
		[O_THAW] = { "thaw-on-failure", CKPTCTL_FLAG, .flag = CKPTD_F_THAW_ON_FAILURE },
		{ NULL },
	};
	static const struct ckptctl_op op = {
		.cmd = {
			.name = "migrate", .opts = opts,
			.shared = CKPTCTL_O_JOB | CKPTCTL_O_CKPTD | CKPTCTL_O_UNSUP,
			.help = "Usage: " CKPTCTL_PROG " migrate --job ID --to NAME [--live] [--max-iterations N]\n"
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
				"job, or no peer NAME in ckptd.conf; see ckptctl(8).\n",
		},
		.type = CKPTD_CMD_MIGRATE, .progress = 1, .build = build, .print = print,
	};

	return ckptctl_op_main(&op, argc, argv);
}
