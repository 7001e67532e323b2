// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-restore: recreate a checkpointed job from an image directory.  Only
 * the options, the steps in order and the result are here (README.md):
 *
 *   verify the image chain and every file the job maps    job.c, memory/
 *   descriptors and the job's open files                  fds.c, files/
 *   create the process tree with the original pids        tree.c
 *   in each process: signal handlers, the blob with its   process.c,
 *   operation list                                         memory/, blob/
 *   every process reported (--hold: and "go"): go         report.c
 *   when every blob has reported: registers, masks,       finalize.c
 *   pending signals, release
 *
 * Any failure kills every process already created: no half-restored job
 * ever runs its own code.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memory/memory.h"
#include "restore.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckpt-restore [OPTIONS] IMAGE_DIR\n"
		"Recreate the job checkpointed in IMAGE_DIR (<store>/<job>/<seq>;\n"
		"an incremental image brings its parents from the same job directory).\n"
		"\n"
		"  --pidns          restore in a new pid namespace (the original pids\n"
		"                   may then be in use on this host); implied when the\n"
		"                   job ran in a namespace of its own (its root is pid 1)\n"
		"  --verify-only    check the image and the files it needs, restore nothing\n"
		"  --keep-creds     do not restore uids, gids and capabilities\n"
		"  --other-host     the image was taken on another host: files match\n"
		"                   by size and modification time, not inode\n"
		"  --hold           when every process is ready, print 'held' and wait for\n"
		"                   a line 'go' on stdin (anything else: give up); TCP\n"
		"                   connections leave repair mode only then (cluster restore)\n"
		"  --timeout SEC    give up when a process takes longer (default 60)\n"
		"  --json           print the result as JSON\n"
		"  -h, --help       this help\n"
		"\n"
		"Exit status: 0 restored (or verified), 1 usage, 2 bad image,\n"
		"3 a file the job uses is missing or changed, 4 a pid is in use,\n"
		"5 unsupported state, 6 the restore failed (nothing left running).\n"
		"See ckpt-restore(8).\n");
}

static int parse(int argc, char **argv, struct rst_opts *o,
		 unsigned int *timeout, const char **dir)
{
	static const struct option opts[] = {
		{ "pidns", no_argument, NULL, 'p' },
		{ "verify-only", no_argument, NULL, 'v' },
		{ "keep-creds", no_argument, NULL, 'k' },
		{ "other-host", no_argument, NULL, 'o' },
		{ "hold", no_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->pidns = true; break;
		case 'v': o->verify_only = true; break;
		case 'k': o->keep_creds = true; break;
		case 'o': o->other_host = true; break;
		case 'H': o->hold = true; break;
		case 'j': o->json = true; break;
		case 't': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 3600) {
				fprintf(stderr, "ckpt-restore: --timeout: '%s' is not 1..3600 seconds\n",
					optarg);
				return -EINVAL;
			}
			*timeout = (unsigned int)v;
			break;
		}
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ckpt-restore: expected one IMAGE_DIR\n");
		usage(stderr);
		return -EINVAL;
	}
	*dir = argv[optind];
	return 0;
}

static void print_result(struct rst *r, const char *dir)
{
	pid_t root = r->tasks[0].task->pid;

	if (r->opts.json) {
		struct json_out j;

		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_bool(&j, "restored", true);
		json_u64(&j, "job", r->img->man.job_id);
		json_u64(&j, "seq", r->img->man.seq);
		json_string(&j, "image", dir);
		json_u64(&j, "processes", r->nr_tasks);
		json_u64(&j, "root_pid", (uint64_t)root);
		json_bool(&j, "pidns", r->opts.pidns);
		json_u64(&j, "root_host_pid", (uint64_t)r->tasks[0].host_pid);
		json_end_object(&j);
		json_finish(&j);
		return;
	}
	printf("restored job %u (checkpoint %llu): %zu process%s, root pid %d%s\n",
	       r->img->man.job_id, (unsigned long long)r->img->man.seq,
	       r->nr_tasks, r->nr_tasks == 1 ? "" : "es", root,
	       r->opts.pidns ? " in a new pid namespace" : "");
}

int main(int argc, char **argv)
{
	struct rst r = { .timeout_s = 60 };
	const char *dir;
	int ret;

	if (parse(argc, argv, &r.opts, &r.timeout_s, &dir))
		return RST_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	ret = rst_load(&r, dir);
	/* pid 1 is never a job member outside the job's own namespace */
	if (!ret && rst_task_by_pid(&r, 1))
		r.opts.pidns = true;
	if (!ret)
		ret = rst_check_files(&r);
	if (!ret && r.opts.verify_only) {
		printf("%s: image and files verified, %zu processes\n", dir,
		       r.nr_tasks);
		rst_free(&r);
		return RST_EXIT_OK;
	}
	if (!ret)
		ret = rst_fds_setup(&r);
	if (!ret)
		ret = rst_files_setup(&r);
	if (!ret)
		ret = rst_create_tree(&r);
	rst_files_done(&r);	/* the processes have their copies */
	if (!ret)
		ret = rst_collect(&r, false);
	if (!ret && r.opts.hold)
		ret = rst_hold(&r);
	if (!ret)
		ret = rst_go(&r);
	if (!ret)
		ret = rst_collect(&r, true);
	if (!ret)
		ret = rst_finalize(&r);
	if (ret) {
		rst_abort(&r);
		fprintf(stderr, "ckpt-restore: %s\n", r.err.msg[0] ? r.err.msg :
			strerror(-ret));
		ret = r.exit_code ? r.exit_code : RST_EXIT_FAILED;
		rst_free(&r);
		return ret;
	}
	print_result(&r, dir);
	rst_free(&r);
	return RST_EXIT_OK;
}
