// SPDX-License-Identifier: GPL-2.0
/*
 * The restorer and its processes.  Each restored process reports over its
 * report pipe (struct rst_blob_report): once created (with its children),
 * and once its blob has replaced its memory; between the two it waits for
 * a "go" on its control pipe.  The restorer collects one report from every
 * live process within the timeout, with --hold waits for "go" on its own
 * stdin (every host of a cluster restore ready), takes the job's TCP
 * connections out of repair mode and lets the processes go on.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blob/blob.h"
#include "files/files.h"
#include "restore.h"

void rst_report(int fd, int error, uint32_t op)
{
	struct rst_blob_report rep = {
		.magic = RST_BLOB_MAGIC, .error = error, .op = op,
	};

	if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(127);
}

static const char *op_name(uint32_t op)
{
	switch (op) {
	case RST_REPORT_THREAD: return "creating or setting up a thread";
	case RST_REPORT_SETUP: return "preparing the process";
	default: return "an operation of the restorer blob";
	}
}

/* A report that is not one: how the process ended, if the restorer made it. */
static int died(struct rst *r, struct rst_task *t, bool final)
{
	char how[64] = "";
	int st;

	if (t->host_pid > 0 && waitpid(t->host_pid, &st, __WALL) == t->host_pid)
		snprintf(how, sizeof(how), WIFSIGNALED(st) ?
			 " (killed by signal %d)" : " (exit status %d)",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return rst_fail(r, RST_EXIT_FAILED, ESRCH, "pid %d died while %s%s",
			t->task->pid,
			final ? "its memory was replaced" : "it was created", how);
}

/* A process reported a failure: a pid in use is RST_EXIT_PID. */
static int failed(struct rst *r, struct rst_task *t,
		  const struct rst_blob_report *rep)
{
	int code = rep->op == RST_REPORT_SETUP && rep->error == -EEXIST ?
		   RST_EXIT_PID : RST_EXIT_FAILED;

	/* a message of the restorer's own about the setup stays */
	if (r->err.msg[0] && rep->op == RST_REPORT_SETUP) {
		if (!r->exit_code)
			r->exit_code = RST_EXIT_FAILED;
		return rep->error;
	}
	rst_fail(r, code, rep->error, "pid %d: %s (op %u) failed: %s",
		 t->task->pid, op_name(rep->op), rep->op, strerror(-rep->error));
	return rep->error;
}

int rst_collect(struct rst *r, bool final)
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
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return rst_fail(r, RST_EXIT_FAILED, ETIMEDOUT,
					"pid %d did not report within %u s (%s); the restore was aborted",
					t->task->pid, r->timeout_s,
					final ? "replacing its memory" : "creating the process tree");
		n = read(t->rep_rd, &rep, sizeof(rep));
		if (n != sizeof(rep) || rep.magic != RST_BLOB_MAGIC)
			return died(r, t, final);
		t->created = true;
		if (rep.error)
			return failed(r, t, &rep);
		if (final) {
			t->blob_start = rep.blob_start;
			t->blob_len = rep.blob_len;
		}
	}
	return 0;
}

int rst_hold(struct rst *r)
{
	char line[16] = "";

	printf("held\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "go\n"))
		return rst_fail(r, RST_EXIT_FAILED, ECANCELED,
				"the restore was called off while held (no 'go' on stdin)");
	return 0;
}

int rst_go(struct rst *r)
{
	struct ckpt_err err = { 0 };
	int ret = rst_tcp_release(&err);

	if (ret)
		return rst_fail(r, RST_EXIT_FAILED, ret, "%s", err.msg);
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];

		if (t->task->flags & CKPT_TASK_ZOMBIE)
			continue;
		if (write(t->ctl_wr, "g", 1) != 1)
			return rst_fail(r, RST_EXIT_FAILED, EIO, "pid %d: %s",
					t->task->pid, strerror(errno));
	}
	return 0;
}
