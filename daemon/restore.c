// SPDX-License-Identifier: GPL-2.0
/*
 * restore on this host: pick the image (the newest committed one of the
 * job, or --seq N), verify it with the image library, then run the
 * restorer, `ckpt-restore [--pidns] IMAGE_DIR`, and report its own error.
 * All of it in the ops worker: verification reads the whole image.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "jobs.h"
#include "log.h"
#include "store_list.h"
#include "worker.h"

extern char **environ;

struct restore_op {
	struct ckptd_work work;
	uint32_t job_id;
	uint64_t want_seq;		/* 0: the newest */
	int pidns;
	char store[PATH_MAX];
	char restorer[PATH_MAX];
	uint64_t client_id;
	uint32_t seq;
	/* results */
	int err;
	char why[2048];
	uint64_t img_seq;
	char dir[PATH_MAX + 64];
};

static void set_why(struct restore_op *op, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_why(struct restore_op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op->why, sizeof(op->why), fmt, ap);
	va_end(ap);
}

static int pick_image(struct restore_op *op)
{
	struct ckptd_store_entry *v;
	struct ckptd_err e;
	size_t n;
	int ret = ckptd_store_list(op->store, op->job_id, &v, &n, &e);

	if (ret) {
		set_why(op, "%s", e.msg);
		return ret;
	}
	if (!n) {
		set_why(op,
			 "job %u has no committed checkpoint in %s; 'ckptctl checkpoint --job %u' first",
			 op->job_id, op->store, op->job_id);
		ret = -ENOENT;
	} else if (op->want_seq) {
		ret = -ENOENT;
		for (size_t i = 0; i < n; i++)
			if (v[i].seq == op->want_seq)
				ret = 0;
		if (ret)
			set_why(op,
				 "job %u has no committed checkpoint %llu; 'ckptctl image ls %u' lists them",
				 op->job_id, (unsigned long long)op->want_seq, op->job_id);
		op->img_seq = op->want_seq;
	} else {
		op->img_seq = v[n - 1].seq;
	}
	free(v);
	if (!ret)
		ret = ckptd_image_path(op->dir, sizeof(op->dir), op->store, op->job_id,
				       op->img_seq);
	return ret;
}

static int verify(struct restore_op *op)
{
	struct ckptd_image *img;
	struct ckptd_err e;
	int ret = ckptd_image_open(op->dir, &img, &e);

	if (!ret) {
		ret = ckptd_image_verify(img, &e);
		ckptd_image_close(img);
	}
	if (ret)
		set_why(op,
			 "image %s fails verification, not restoring it: %s", op->dir, e.msg);
	return ret;
}

/* Runs the restorer; its stderr becomes our message when it fails. */
static int run_restorer(struct restore_op *op)
{
	char *argv[4], msg[1536];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_set;
	size_t len = 0;
	int pfd[2], status, argc = 0, ret;
	pid_t pid;
	ssize_t n;

	argv[argc++] = op->restorer;
	if (op->pidns)
		argv[argc++] = "--pidns";
	argv[argc++] = op->dir;
	argv[argc] = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	/* ckptd blocks signals for its signalfd: the restorer must not */
	sigemptyset(&none);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_set);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawnp(&pid, op->restorer, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (ret) {
		close(pfd[0]);
		set_why(op,
			 "cannot run the restorer '%s': %s; install ckpt-restore or set restorer= in ckptd.conf",
			 op->restorer, strerror(-ret));
		return ret;
	}
	while ((n = read(pfd[0], msg + len, sizeof(msg) - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			len += n;
	close(pfd[0]);
	msg[len] = 0;
	while (len && msg[len - 1] == '\n')
		msg[--len] = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	set_why(op, "restore of %s failed: %s %s %d: %s",
		 op->dir, op->restorer, WIFEXITED(status) ? "exited with status" : "killed by signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		 len ? msg : "(no message)");
	return -ECANCELED;
}

static void restore_run(struct ckptd_work *w, void *ctx)
{
	struct restore_op *op = (struct restore_op *)w;

	(void)ctx;
	op->err = pick_image(op);
	if (!op->err)
		op->err = verify(op);
	if (!op->err)
		op->err = run_restorer(op);
}

static void restore_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct restore_op *op = (struct restore_op *)w;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, op->job_id);

	d->ops_in_flight--;
	if (job)
		job->busy = 0;
	if (op->err) {
		pr_err("restore of job %u: %s", op->job_id, op->why);
		ckptd_reply_error(d, op->client_id, op->seq, op->err, "%s", op->why);
	} else {
		pr_info("job %u restored from %s", op->job_id, op->dir);
		ckptd_reply_init(&r, op->seq);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->img_seq);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->dir);
		ckptd_reply_send(d, op->client_id, &r);
	}
	free(op);
}

void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *seq_a = rq->tb.a[CKPTD_CA_SEQ];
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	uint32_t id = ckptd_req_job_id(d, rq);
	struct ckptd_job *job;
	struct restore_op *op;

	if (!id)
		return;
	/* images outlive their job; without it only root may restore them */
	job = ckptd_registry_find(&d->reg, id);
	if (job) {
		job = ckptd_req_job(d, rq);
		if (!job)
			return;
		if (job->busy) {
			ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY,
					  "job %u is busy with another operation; retry when it completes", id);
			return;
		}
	} else if (rq->uid) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EPERM,
				  "job %u is not registered; only root may restore its images", id);
		return;
	}
	op = calloc(1, sizeof(*op));
	if (!op) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->job_id = id;
	op->want_seq = seq_a ? ckptd_ctl_u64(seq_a) : 0;
	op->pidns = f_a && (ckptd_ctl_u32(f_a) & CKPTD_F_PIDNS);
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	snprintf(op->restorer, sizeof(op->restorer), "%s", d->cfg.restorer);
	op->client_id = rq->client_id;
	op->seq = rq->seq;
	op->work.run = restore_run;
	op->work.done = restore_done;
	if (job)
		job->busy = 1;
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}
