// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-restore: recreate a checkpointed job from an image directory.
 *
 *   verify the image chain and every file the job maps
 *   create the process tree with the original pids
 *   in each process: signal handlers, the blob with its operation list
 *   when every blob has reported: registers, masks, pending signals, go
 *
 * Any failure kills every process already created: no half-restored job
 * ever runs its own code.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blob/blob.h"
#include "files_format.h"
#include "restore.h"
#include "restore_files.h"

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
				return -1;
			}
			*timeout = (unsigned int)v;
			break;
		}
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ckpt-restore: expected one IMAGE_DIR\n");
		usage(stderr);
		return -1;
	}
	*dir = argv[optind];
	return 0;
}

/* Room for the restorer's descriptors above every number the job uses. */
static int pick_fd_base(struct rst *r)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2048 + 8 * r->nr_tasks) {
		rst_fail(r, RST_EXIT_FAILED,
			 "RLIMIT_NOFILE hard limit %llu is too low; raise it to at least %zu",
			 (unsigned long long)rl.rlim_cur, 2048 + 8 * r->nr_tasks);
		return -EMFILE;
	}
	/* above every descriptor number the job had */
	r->fd_base = 1024;
	for (size_t i = 0; i < r->nr_tasks; i++)
		for (size_t j = 0; j < r->tasks[i].nr_urecs; j++) {
			const struct ckpt_rec *h = r->tasks[i].urecs[j];
			const struct ckpt_rec_fd *fd = (const void *)(h + 1);

			if (h->type == CKPT_REC_FD && fd->fd + 16 > r->fd_base)
				r->fd_base = fd->fd + 16;
		}
	if (rl.rlim_cur < (rlim_t)r->fd_base + 1024 + 8 * r->nr_tasks) {
		rst_fail(r, RST_EXIT_FAILED,
			 "RLIMIT_NOFILE hard limit %llu is too low for descriptor %d of the job; raise it",
			 (unsigned long long)rl.rlim_cur, r->fd_base - 16);
		return -EMFILE;
	}
	close(r->fd_base);
	r->level_fds = calloc(r->nr_levels, sizeof(int));
	if (!r->level_fds)
		return -ENOMEM;
	for (unsigned int l = 0; l < r->nr_levels; l++) {
		int fd;

		/* raw contents: pages.img, or a compressed one's memfd */
		if (ckptd_image_pages_fd(r->levels[l], &fd, &r->err)) {
			r->exit_code = RST_EXIT_IMAGE;
			return -EBADMSG;
		}
		r->level_fds[l] = rst_fd_high(r, dup(fd));
		if (r->level_fds[l] < 0)
			return r->level_fds[l];
	}
	return 0;
}

static const char *op_name(uint32_t op)
{
	switch (op) {
	case RST_REPORT_THREAD: return "creating or setting up a thread";
	case RST_REPORT_SETUP: return "preparing the process";
	default: return "an operation of the restorer blob";
	}
}

/* One report from every live process; @final: the blob's, else CREATED. */
static int collect(struct rst *r, bool final)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];
		struct rst_blob_report rep;
		struct pollfd pfd = { .fd = t->rep_rd, .events = POLLIN };
		struct timespec now;
		long left;
		ssize_t n;

		if (t->task->flags & CKPT_TASK_ZOMBIE)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)r->timeout_s * 1000 -
		       (now.tv_sec - start.tv_sec) * 1000 -
		       (now.tv_nsec - start.tv_nsec) / 1000000;
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1) {
			rst_fail(r, RST_EXIT_FAILED,
				 "pid %d did not report within %u s (%s); the restore was aborted",
				 t->task->pid, r->timeout_s,
				 final ? "replacing its memory" : "creating the process tree");
			return -ETIMEDOUT;
		}
		n = read(t->rep_rd, &rep, sizeof(rep));
		if (n != sizeof(rep) || rep.magic != RST_BLOB_MAGIC) {
			char how[64] = "";
			int st;

			/* a process the restorer created itself tells how */
			if (t->host_pid > 0 &&
			    waitpid(t->host_pid, &st, __WALL) == t->host_pid)
				snprintf(how, sizeof(how), WIFSIGNALED(st) ?
					 " (killed by signal %d)" : " (exit status %d)",
					 WIFSIGNALED(st) ? WTERMSIG(st) :
					 WEXITSTATUS(st));
			rst_fail(r, RST_EXIT_FAILED,
				 "pid %d died while %s%s", t->task->pid,
				 final ? "its memory was replaced" : "it was created",
				 how);
			return -ESRCH;
		}
		t->created = true;
		if (rep.error) {
			if (!r->err.msg[0] || rep.op != RST_REPORT_SETUP)
				rst_fail(r, rep.op == RST_REPORT_SETUP &&
						 rep.error == -EEXIST ?
						 RST_EXIT_PID : RST_EXIT_FAILED,
					 "pid %d: %s (op %u) failed: %s", t->task->pid,
					 op_name(rep.op), rep.op, strerror(-rep.error));
			if (!r->exit_code)
				r->exit_code = RST_EXIT_FAILED;
			return rep.error;
		}
		if (final) {
			t->blob_start = rep.blob_start;
			t->blob_len = rep.blob_len;
		}
	}
	return 0;
}

/* --hold: every process is ready; the caller says when they go on. */
static int hold(struct rst *r)
{
	char line[16] = "";

	printf("held\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "go\n")) {
		rst_fail(r, RST_EXIT_FAILED, "the restore was called off while held (no 'go' on stdin)");
		return -ECANCELED;
	}
	return 0;
}

static int release_tcp(struct rst *r)
{
	char why[256];
	int ret = rst_tcp_release(why, sizeof(why));

	if (ret)
		rst_fail(r, RST_EXIT_FAILED, "%s", why);
	return ret;
}

static int go(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];

		if (t->task->flags & CKPT_TASK_ZOMBIE)
			continue;
		if (write(t->ctl_wr, "g", 1) != 1) {
			rst_fail(r, RST_EXIT_FAILED, "pid %d: %s", t->task->pid,
				 strerror(errno));
			return -EIO;
		}
	}
	return 0;
}

static void print_result(struct rst *r, const char *dir)
{
	pid_t root = r->tasks[0].task->pid;

	if (r->opts.json) {
		printf("{\"restored\":true,\"job\":%u,\"seq\":%llu,\"image\":\"%s\",\"processes\":%zu,\"root_pid\":%d,\"pidns\":%s,\"root_host_pid\":%d}\n",
		       r->img->man.job_id, (unsigned long long)r->img->man.seq,
		       dir, r->nr_tasks, root, r->opts.pidns ? "true" : "false",
		       r->tasks[0].host_pid);
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
		ret = pick_fd_base(&r);
	if (!ret)
		ret = rst_files_setup(&r);
	if (!ret)
		ret = rst_create_tree(&r);
	rst_files_cleanup(r.files);	/* the processes have their copies */
	r.files = NULL;
	if (!ret)
		ret = collect(&r, false);
	if (!ret && r.opts.hold)
		ret = hold(&r);
	if (!ret)
		ret = release_tcp(&r);
	if (!ret)
		ret = go(&r);
	if (!ret)
		ret = collect(&r, true);
	if (!ret)
		ret = rst_finalize(&r);
	if (ret) {
		rst_tcp_drop();		/* still in repair mode: closed silently */
		rst_kill_all(&r);
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
