// SPDX-License-Identifier: GPL-2.0
/*
 * freeze and checkpoint: the operation that turns a job into an image,
 * run in the ops worker (it blocks on the module and the disk).
 *
 *   1. freeze the job (unless FREEZE left it frozen already)
 *   2. open a dump session and read the whole stream into a memfd: this
 *      is the capture; the module's view of the job is now in memory
 *   3. capture what the module does not see, per member, while frozen
 *      (capture_member(): the place where daemon/capture plugs in)
 *   4. checkpoint: thaw now - the job runs while the image is written;
 *      freeze: the job stays frozen
 *   5. write the image from the memfd (daemon/image, io_uring)
 *   6. commit the dump to the module (CKPT_IOC_DUMP_COMMIT is allowed after
 *      a thaw: the stream was read to its end), so the next incremental
 *      dump is relative to this image; then retention
 *
 * Image numbers: the module numbers the dumps of a job from 1 each time
 * the job is created in it, and a restarted ckptd re-creates its jobs.
 * ckptd adds the job's seq_base (the highest number in the store when the
 * first dump of this module job was taken) to BEGIN.dump_seq and
 * parent_seq in the captured stream, so image numbers only ever grow.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "jobs/auth.h"
#include "capture/capture.h"
#include "ops/checkpoint.h"
#include "cluster/cluster.h"
#include "image.h"
#include "jobs/lookup.h"
#include "jobs/persist.h"
#include "log.h"
#include "proc_nspid.h"
#include "proc_stat.h"
#include "retention.h"
#include "store_list.h"
#include "jobs/store_owner.h"
#include "worker.h"

#define CAPTURE_BUF	(1U << 20)

enum op_kind { OP_FREEZE, OP_CHECKPOINT, OP_REFREEZE };

struct ckpt_op {
	struct ckptd_work work;
	enum op_kind kind;
	int incremental;
	enum ckptd_capture_action unsupported;	/* fds capture cannot handle */
	int tcp;		/* capture TCP connections (cluster) */
	struct ckptd_tcp_sndqs *sndqs;	/* cluster: out of freeze, into dump */
	int already_frozen;
	uint32_t job_id;
	uint32_t uid, gid;	/* the job's owner: owns its images */
	struct ckptd_cred cred;	/* who asked: the members are checked as it */
	uint64_t seq_base;
	char store[PATH_MAX];
	unsigned int keep;
	unsigned int timeout_ms;
	int compression, level;	/* ckptd.conf, for write_image() */
	uint64_t client_id;
	uint32_t seq;
	struct ckptd_progress progress;
	/* results */
	int err;
	char why[1024];
	int frozen;		/* the job is frozen when the operation ends */
	uint64_t img_seq;
	uint64_t bytes, raw_bytes;	/* image as stored, its contents */
	unsigned int frozen_ms, write_ms;	/* for the log */
	char dir[PATH_MAX + 64];
};

/* Growable buffer of records captured in userspace. */
struct extra_buf {
	uint8_t *data;
	size_t len;
};

/*
 * Userspace capture of one member process, while the job is frozen: its
 * open files, cwd, root and umask (daemon/capture/, Documentation/files.md),
 * read only from a process that is parked so that it never sees a process
 * that runs.
 */
static int capture_member(struct ckptd_capture *cap, pid_t pid, int own_ns,
			  struct ckptd_recbuf *rb, char *why, size_t size)
{
	/* a process whose main thread exited: seen through a live thread */
	char st = ckpt_proc_state(ckptd_capture_task(pid), 0);
	struct ckpt_err err = { 0 };
	pid_t img_pid;

	if (st == 'Z' || st == 'X' || !st)
		return 0;	/* zombies and the gone hold no files */
	if (st != 'I' && st != 'T' && st != 't') {
		snprintf(why, size, "member %d is not parked (state %c) although the job is frozen",
			 pid, st);
		return -EAGAIN;
	}
	/* as the dump records it: seen from here, or in the job's own pidns */
	img_pid = own_ns ? ckpt_proc_nspid(pid, 0) : pid;
	if (ckptd_capture_files(cap, pid, img_pid > 0 ? img_pid : pid, rb, &err)) {
		snprintf(why, size, "%s%s", err.msg, strstr(err.msg, "not supported") ?
			 " (ckptctl: --unsupported-fds close|devnull)" : "");
		return -EIO;
	}
	return 0;
}

static int capture_members(const struct ckpt_kjob *kj,
			   enum ckptd_capture_action unsupported, int tcp,
			   const struct ckptd_tcp_sndqs *sndqs,
			   struct extra_buf *x, char *why, size_t size)
{
	struct ckptd_capture_opts opts = {
		.unsupported = unsupported, .tcp = tcp, .sndqs = sndqs,
	};
	struct ckptd_recbuf rb = { 0 };
	struct ckptd_capture *cap;
	struct ckpt_err err = { 0 };
	int ret;

	ret = ckptd_capture_new(&opts, &cap, &err);
	if (ret) {
		snprintf(why, size, "%s", err.msg);
		return ret;
	}
	for (unsigned int i = 0; i < kj->nr_task_pids && !ret; i++)
		ret = capture_member(cap, kj->task_pids[i],
				     !!(kj->flags & CKPT_JOB_F_OWN_PIDNS), &rb, why, size);
	if (!ret && ckptd_capture_finish(cap, &rb, &err)) {
		snprintf(why, size, "%s", err.msg);
		ret = -EIO;
	}
	ckptd_capture_free(cap);
	if (ret) {
		ckptd_recbuf_free(&rb);
		return ret;
	}
	x->data = rb.buf;	/* ownership moves: freed with x */
	x->len = rb.len;
	return 0;
}

struct ops_ctx {
	struct ckpt_nl *nl;
	int dev_fd;
};

void *ckptd_ops_init(int *err)
{
	struct ops_ctx *c = calloc(1, sizeof(*c));
	struct ckpt_err e;

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = ckpt_nl_open(&c->nl, &e);
	if (*err) {
		pr_err("ops worker: netlink: %s", e.msg);
		free(c);
		return NULL;
	}
	c->dev_fd = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	if (c->dev_fd < 0) {
		*err = -errno;
		pr_err("cannot open /dev/ckpt: %s; is ckpt.ko loaded?", strerror(errno));
		ckpt_nl_close(c->nl);
		free(c);
		return NULL;
	}
	return c;
}

void ckptd_ops_fini(void *ctx)
{
	struct ops_ctx *c = ctx;

	if (!c)
		return;
	close(c->dev_fd);
	ckpt_nl_close(c->nl);
	free(c);
}

static int fail(struct ckpt_op *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ckpt_op *op, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op->why, sizeof(op->why), fmt, ap);
	va_end(ap);
	op->err = err;
	return err;
}

/*
 * Freezes the job, with the members checked as the user who asked
 * (auth.h) before the freeze and again after it, on exactly the tasks the
 * freeze parked: a member that exec'd a setuid program while the freeze was
 * queued parks with its new credentials and is refused here.  On a failure
 * after the freeze the caller thaws.
 */
static int freeze(struct ckpt_op *op, struct ops_ctx *c, struct ckpt_kjob *kj)
{
	struct ckpt_err ae;
	struct ckpt_err e;
	int ret;

	if (op->already_frozen) {
		ret = ckpt_nl_job_get(c->nl, op->job_id, kj, &e);
		if (ret)
			return fail(op, ret, "job %u: %s: %s", op->job_id,
				    strerror(-ret), e.msg);
	} else {
		ret = ckptd_auth_job(c->nl, &op->cred, op->job_id, &ae);
		if (ret)
			return fail(op, ret, "%s", ae.msg);
		ret = ckpt_nl_job_freeze(c->nl, op->job_id, op->timeout_ms, kj, &e);
		if (ret)
			return fail(op, ret, "freeze of job %u failed: %s%s%s; the job runs on",
				    op->job_id, strerror(-ret), e.msg[0] ? ": " : "", e.msg);
	}
	op->frozen = 1;
	ret = ckptd_auth_pids(&op->cred, op->job_id, kj->task_pids, kj->nr_task_pids, &ae);
	if (ret)
		return fail(op, ret, "%s", ae.msg);
	return 0;
}

void ckptd_dump_error(int dump_fd, int err, char *buf, size_t size)
{
	struct ckpt_dump_error de;

	memset(&de, 0, sizeof(de));
	if (ioctl(dump_fd, CKPT_IOC_DUMP_ERROR, &de) || !de.msg[0]) {
		snprintf(buf, size, "%s", strerror(err));	/* ENOTTY: older ckpt.ko */
		return;
	}
	de.msg[sizeof(de.msg) - 1] = 0;
	snprintf(buf, size, "%s", de.msg);
}

/* Step 2: the whole stream into a memfd; BEGIN's numbers renumbered. */
static int capture_stream(struct ckpt_op *op, int dump_fd, int memfd)
{
	struct { struct ckpt_rec h; struct ckpt_rec_begin b; } begin;
	uint8_t *buf = malloc(CAPTURE_BUF);
	uint64_t total = 0;
	ssize_t n;

	if (!buf)
		return fail(op, -ENOMEM, "job %u: out of memory for the capture", op->job_id);
	while ((n = read(dump_fd, buf, CAPTURE_BUF)) != 0) {
		if (n < 0) {
			int err = errno;
			char msg[200];

			if (err == EINTR)
				continue;
			free(buf);
			ckptd_dump_error(dump_fd, err, msg, sizeof(msg));
			return fail(op, -err, "job %u: the dump failed at byte %llu of its stream: %s; nothing was stored",
				    op->job_id, (unsigned long long)total, msg);
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(memfd, buf + off, n - off);

			if (w < 0) {
				free(buf);
				return fail(op, -errno, "job %u: capture buffer (memfd): %s; free memory or swap",
					    op->job_id, strerror(errno));
			}
			off += w;
		}
		total += n;
		atomic_store(&op->progress.bytes, total);
	}
	free(buf);
	if (pread(memfd, &begin, sizeof(begin), 0) != sizeof(begin) ||
	    begin.h.type != CKPT_REC_BEGIN || begin.h.len < sizeof(begin))
		return fail(op, -EBADMSG, "job %u: the dump stream does not start with BEGIN",
			    op->job_id);
	if (op->seq_base == CKPTD_SEQ_BASE_UNKNOWN)
		op->seq_base = ckptd_store_max_seq(op->store, op->job_id);
	begin.b.dump_seq += op->seq_base;
	if (begin.b.parent_seq)
		begin.b.parent_seq += op->seq_base;
	if (pwrite(memfd, &begin, sizeof(begin), 0) != sizeof(begin))
		return fail(op, -errno, "job %u: capture buffer: %s", op->job_id, strerror(errno));
	op->img_seq = begin.b.dump_seq;
	atomic_store(&op->progress.total, total);
	atomic_store(&op->progress.bytes, 0);
	return 0;
}

static void on_progress(void *arg, uint64_t done)
{
	struct ckpt_op *op = arg;

	atomic_store(&op->progress.bytes, done);
}

static int write_image(struct ckpt_op *op, int memfd, const struct extra_buf *x)
{
	struct ckptd_image_write_opts o = {
		.extra_records = x->data, .extra_len = x->len,
		.progress = on_progress, .progress_arg = op,
		.compression = op->compression, .level = op->level,
	};
	struct ckptd_image_write_stats st;
	struct ckpt_err ierr = { 0 };
	int ret;

	ret = ckptd_store_job_dir(op->store, op->job_id, op->uid, op->gid, &ierr);
	if (ret)
		return fail(op, ret, "%s", ierr.msg);
	if (ckptd_image_path(op->dir, sizeof(op->dir), op->store, op->job_id, op->img_seq))
		return fail(op, -ENAMETOOLONG, "image store path %s is too long", op->store);
	if (lseek(memfd, 0, SEEK_SET))
		return fail(op, -errno, "capture buffer: %s", strerror(errno));
	ret = ckptd_image_write(op->dir, memfd, &o, &st, &ierr);
	if (ret)
		return fail(op, ret, "writing the image of job %u failed: %s", op->job_id, ierr.msg);
	/* committed: now its owner's to read, and nobody else's */
	if (ckptd_store_give(op->store, op->job_id, op->img_seq, op->uid, &ierr))
		pr_warn("job %u: %s; only root can read the image", op->job_id, ierr.msg);
	op->bytes = st.bytes;
	op->raw_bytes = st.raw_bytes;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void op_run(struct ckptd_work *w, void *ctx)
{
	struct ckpt_op *op = (struct ckpt_op *)w;
	struct ops_ctx *c = ctx;
	struct ckpt_dump_args args = { .job_id = op->job_id };
	struct extra_buf x = { 0 };
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	struct ckpt_err gerr;
	int dump_fd = -1, memfd = -1, thaw_now;
	unsigned int removed;
	uint64_t t0 = now_ms(), t1;

	op->frozen = op->already_frozen;
	if (freeze(op, c, &kj))
		goto thaw;	/* thaws only what this operation froze */
	if (op->kind == OP_REFREEZE && op->sndqs) {
		struct ckpt_err cerr = { 0 };

		/* cluster prepare: the send queues, while every host is frozen */
		if (ckptd_capture_tcp_sndqs((const pid_t *)kj.task_pids, kj.nr_task_pids,
					    op->sndqs, &cerr)) {
			fail(op, -EIO, "job %u: %s", op->job_id, cerr.msg);
			goto thaw;
		}
	}
	if (op->kind == OP_REFREEZE)
		goto out;
	/* a checkpoint of a job FREEZE left frozen leaves it frozen */
	thaw_now = op->kind == OP_CHECKPOINT && !op->already_frozen;

	if (op->incremental)
		args.flags |= CKPT_DUMP_INCREMENTAL;
	dump_fd = ioctl(c->dev_fd, CKPT_IOC_DUMP, &args);
	if (dump_fd < 0) {
		fail(op, -errno, errno == ENODATA ?
		     "job %u has no committed checkpoint in this ckptd run to be incremental to; take a full checkpoint first" :
		     "job %u: cannot open a dump: %s", op->job_id, strerror(errno));
		goto thaw;
	}
	memfd = memfd_create("ckptd-capture", MFD_CLOEXEC);
	if (memfd < 0) {
		fail(op, -errno, "job %u: memfd_create: %s", op->job_id, strerror(errno));
		goto thaw;
	}
	if (capture_stream(op, dump_fd, memfd))
		goto thaw;
	if (capture_members(&kj, op->unsupported, op->tcp, op->sndqs, &x, op->why, sizeof(op->why))) {
		op->err = -EAGAIN;
		goto thaw;
	}
	if (thaw_now) {
		if (ckpt_nl_job_thaw(c->nl, op->job_id, &e))
			pr_warn("job %u: thaw after capture: %s", op->job_id, e.msg);
		op->frozen = 0;
	}
	t1 = now_ms();
	op->frozen_ms = t1 - t0;
	if (write_image(op, memfd, &x))
		goto out;	/* nothing committed: the next dump is still correct */
	op->write_ms = now_ms() - t1;
	if (ioctl(dump_fd, CKPT_IOC_DUMP_COMMIT))
		pr_warn("job %u: image %llu stored, but ckpt.ko refused the commit (%s): the next incremental checkpoint is relative to an older one",
			op->job_id, (unsigned long long)op->img_seq, strerror(errno));
	if (ckptd_retention_gc(op->store, op->job_id, op->keep, &removed, &gerr))
		pr_warn("job %u: retention: %s", op->job_id, gerr.msg);
	else if (removed)
		pr_info("job %u: retention removed %u old checkpoint(s)", op->job_id, removed);
	goto out;
thaw:
	/* the capture failed: the job must not stay frozen because of us */
	if (op->frozen && !op->already_frozen) {
		ckpt_nl_job_thaw(c->nl, op->job_id, &e);
		op->frozen = 0;
	}
out:
	if (memfd >= 0)
		close(memfd);
	if (dump_fd >= 0)
		close(dump_fd);
	free(x.data);
	ckpt_kjob_release(&kj);
}

static void op_done(struct ckptd *d, struct ckptd_work *w)
{
	static struct ckptd_reply r;
	struct ckpt_op *op = (struct ckpt_op *)w;
	struct ckptd_job *job = ckptd_registry_find(&d->reg, op->job_id);
	static const char *const names[] = { "freeze", "checkpoint", "refreeze" };

	d->ops_in_flight--;
	if (job) {
		job->busy = 0;
		job->seq_base = op->seq_base;
		if (op->frozen)
			job->flags |= CKPTD_JOB_FROZEN;
		else
			job->flags &= ~CKPTD_JOB_FROZEN;
		if (!op->err && op->kind != OP_REFREEZE)
			job->last_seq = op->img_seq;
	}
	if (op->err) {
		pr_err("%s: %s", names[op->kind], op->why);
		ckptd_reply_error(d, op->client_id, op->seq, op->err, "%s", op->why);
		if (job)
			ckptd_persist(d, 0, 0, NULL);
	} else {
		if (op->kind != OP_REFREEZE)
			pr_info("job %u: %s %llu written to %s (%llu bytes, %llu before compression; %s %u ms, image written in %u ms)%s",
				op->job_id, names[op->kind], (unsigned long long)op->img_seq,
				op->dir, (unsigned long long)op->bytes,
				(unsigned long long)op->raw_bytes,
				op->frozen ? "capture" : "frozen", op->frozen_ms,
				op->write_ms, op->frozen ? ", job frozen" : "");
		ckptd_reply_init(&r, op->seq);
		ckptd_ctl_put_u32(&r.m, CKPTD_CA_JOB_ID, op->job_id);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_SEQ, op->img_seq);
		ckptd_ctl_put_u64(&r.m, CKPTD_CA_BYTES, op->bytes);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_IMAGE_DIR, op->dir);
		ckptd_ctl_put_str(&r.m, CKPTD_CA_STATE, op->frozen ? "frozen" : "running");
		if (job)
			ckptd_persist(d, op->client_id, op->seq, &r);
		else
			ckptd_reply_send(d, op->client_id, &r);
	}
	free(op);
}

static void submit(struct ckptd *d, struct ckptd_req *rq, struct ckptd_job *job,
		   enum op_kind kind, uint32_t flags)
{
	struct ckpt_op *op = calloc(1, sizeof(*op));
	struct ckptd_client *c;

	if (!op) {
		if (rq)
			ckptd_reply_error(d, rq->client_id, rq->seq, -ENOMEM, "ckptd is out of memory");
		return;
	}
	op->kind = kind;
	op->incremental = !!(flags & CKPTD_F_INCREMENTAL);
	op->unsupported = flags & CKPTD_F_UNSUP_CLOSE ? CKPTD_CAPTURE_CLOSE :
			  flags & CKPTD_F_UNSUP_DEVNULL ? CKPTD_CAPTURE_DEVNULL :
			  CKPTD_CAPTURE_FAIL;
	op->already_frozen = !!(job->flags & CKPTD_JOB_FROZEN) && kind != OP_REFREEZE;
	op->job_id = job->id;
	op->uid = job->uid;
	op->gid = job->gid;
	if (rq)
		op->cred = rq->cred;
	else
		ckptd_cred_of_owner(job, &op->cred);
	op->seq_base = job->seq_base;
	snprintf(op->store, sizeof(op->store), "%s", d->cfg.image_store);
	op->keep = d->cfg.keep;
	op->compression = d->cfg.compression;
	op->level = d->cfg.compression_level;
	op->timeout_ms = d->cfg.freeze_timeout_ms;
	op->work.run = op_run;
	op->work.done = op_done;
	if (rq) {
		op->client_id = rq->client_id;
		op->seq = rq->seq;
		c = ckptd_client_find(d, rq->client_id);
		if (c) {
			c->progress = &op->progress;
			c->progress_seq = rq->seq;
		}
	}
	job->busy = 1;
	d->ops_in_flight++;
	ckptd_worker_submit(d->ops, &op->work);
}

static struct ckptd_job *usable_job(struct ckptd *d, struct ckptd_req *rq)
{
	struct ckptd_job *job = ckptd_req_job(d, rq);

	if (!job)
		return NULL;
	if (job->busy) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EBUSY,
				  "job %u is busy with another operation; retry when it completes",
				  job->id);
		return NULL;
	}
	if (!job->in_module) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
				  "job %u is not known to ckpt.ko (lost at a restart); kill it and attach again",
				  job->id);
		return NULL;
	}
	return job;
}

/* The request's flags that a freeze or a checkpoint takes. */
static uint32_t op_flags(const struct ckptd_req *rq, uint32_t allowed)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];

	return f ? ckptd_ctl_u32(f) & allowed : 0;
}

void ckptd_cmd_freeze(struct ckptd *d, struct ckptd_req *rq)
{
	struct ckptd_job *job = usable_job(d, rq);

	if (!job)
		return;
	if (job->flags & CKPTD_JOB_FROZEN) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EALREADY,
				  "job %u is frozen already (image %llu); 'ckptctl thaw --job %u' first",
				  job->id, (unsigned long long)job->last_seq, job->id);
		return;
	}
	if (ckptd_cluster_route(d, rq, job->id, 1))
		return;
	submit(d, rq, job, OP_FREEZE,
	       op_flags(rq, CKPTD_F_UNSUP_CLOSE | CKPTD_F_UNSUP_DEVNULL));
}

void ckptd_cmd_checkpoint(struct ckptd *d, struct ckptd_req *rq)
{
	struct ckptd_job *job = usable_job(d, rq);

	if (job && !ckptd_cluster_route(d, rq, job->id, 0))
		submit(d, rq, job, OP_CHECKPOINT,
		       op_flags(rq, CKPTD_F_INCREMENTAL | CKPTD_F_UNSUP_CLOSE |
				    CKPTD_F_UNSUP_DEVNULL));
}

void ckptd_refreeze(struct ckptd *d, struct ckptd_job *job)
{
	submit(d, NULL, job, OP_REFREEZE, 0);
}

/* For other operations of the ops worker (migrate.c): its context... */
struct ckpt_nl *ckptd_ops_nl(void *ctx)
{
	return ((struct ops_ctx *)ctx)->nl;
}

int ckptd_ops_dev(void *ctx)
{
	return ((struct ops_ctx *)ctx)->dev_fd;
}

/* ...and the userspace capture of a frozen job's members. */
int ckptd_capture_job(const struct ckpt_kjob *kj, enum ckptd_capture_action unsupported,
		      uint8_t **data, size_t *len, char *why, size_t size)
{
	struct extra_buf x = { 0 };
	/* no TCP connections: they do not move between hosts */
	int ret = capture_members(kj, unsupported, 0, NULL, &x, why, size);

	*data = x.data;
	*len = x.len;
	return ret;
}

/* Cluster checkpoints (checkpoint.h): one step, in the caller's thread. */
int ckptd_ckpt_step(void *ctx, struct ckptd_ckpt_step *s)
{
	struct ckpt_op *op = calloc(1, sizeof(*op));
	struct ckpt_err e;
	int ret;

	if (!op) {
		snprintf(s->why, sizeof(s->why), "job %u: ckptd is out of memory", s->job_id);
		return -ENOMEM;
	}
	if (s->thaw) {
		ret = ckpt_nl_job_thaw(((struct ops_ctx *)ctx)->nl, s->job_id, &e);
		if (ret)
			snprintf(s->why, sizeof(s->why), "thaw of job %u: %s", s->job_id, e.msg);
		free(op);
		return ret;
	}
	op->kind = s->dump ? OP_CHECKPOINT : OP_REFREEZE;
	op->already_frozen = s->dump || s->already_frozen;	/* dump: stays frozen */
	op->unsupported = s->unsupported;
	op->tcp = 1;
	op->sndqs = s->sndqs;
	if (!s->cred) {
		snprintf(s->why, sizeof(s->why), "job %u: nobody to check its members as", s->job_id);
		free(op);
		return -EINVAL;
	}
	op->job_id = s->job_id;
	op->cred = *s->cred;
	op->uid = s->uid;
	op->gid = s->gid;
	op->seq_base = s->seq_base;
	snprintf(op->store, sizeof(op->store), "%s", s->store);
	op->timeout_ms = s->timeout_ms;
	op_run(&op->work, ctx);
	ret = op->err;
	s->seq_base = op->seq_base;
	s->img_seq = op->img_seq;
	s->bytes = op->bytes;
	snprintf(s->dir, sizeof(s->dir), "%s", op->dir);
	snprintf(s->why, sizeof(s->why), "%s", op->why);
	free(op);
	return ret;
}
