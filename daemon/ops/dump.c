// SPDX-License-Identifier: GPL-2.0
/*
 * The one dump of a job into the store (dump.h): the ops context, the
 * freeze with its checks, the stream, the userspace capture, the image,
 * its owner, the commit and retention.
 *
 * Image numbers: the module numbers the dumps of a job from 1 each time
 * the job is created in it, and a restarted ckptd re-creates its jobs.
 * ckptd adds the job's seq_base (the highest number in the store when the
 * first dump of this module job was taken) to BEGIN.dump_seq and
 * parent_seq in the captured stream, so image numbers only ever grow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "loop.h"
#include "ctl/server.h"
#include "image.h"
#include "jobs/auth.h"
#include "jobs/proc.h"
#include "jobs/registry.h"
#include "jobs/store_owner.h"
#include "log.h"
#include "proc_stat.h"
#include "ops/dump.h"
#include "proc_nspid.h"
#include "retention.h"
#include "store_list.h"

#define STREAM_BUF	(1U << 20)

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

/* The members of job @id checked as @cred (jobs/auth.c). */
int ckptd_dump_auth(void *ctx, const struct ckptd_cred *cred, uint32_t id,
		    struct ckpt_err *err)
{
	struct ops_ctx *c = ctx;

	return ckptd_auth_job(c->nl, cred, id, err);
}

static int auth_pids(const struct ckptd_cred *cred, uint32_t id, const struct ckpt_kjob *kj,
		     struct ckpt_err *err)
{
	return ckptd_auth_pids(cred, id, kj->task_pids, kj->nr_task_pids, err);
}

int ckptd_dump_thaw(void *ctx, uint32_t job_id, struct ckpt_err *err)
{
	struct ops_ctx *c = ctx;
	struct ckpt_err e;
	int ret = ckpt_nl_job_thaw(c->nl, job_id, &e);

	return ret ? ckpt_err_set(err, ret, "thaw of job %u: %s", job_id, e.msg) : 0;
}

/*
 * The members are checked as the user who asked (auth.h) before the
 * freeze and again after it, on exactly the tasks the freeze parked: a
 * member that exec'd a setuid program while the freeze was queued parks
 * with its new credentials and is refused here.
 */
int ckptd_dump_freeze(void *ctx, struct ckptd_freeze *f, struct ckpt_kjob *kj,
		      struct ckpt_err *err)
{
	struct ops_ctx *c = ctx;
	struct ckpt_err e;
	int ret;

	if (!f->cred)
		return ckpt_err_set(err, EINVAL, "job %u: nobody to check its members as", f->job_id);
	if (f->already_frozen) {
		ret = ckpt_nl_job_get(c->nl, f->job_id, kj, &e);
		if (ret)
			return ckpt_err_set(err, ret, "job %u: %s: %s", f->job_id,
					    strerror(-ret), e.msg);
		ret = auth_pids(f->cred, f->job_id, kj, err);
		f->refused = !!ret;
		return ret;
	}
	ret = ckptd_dump_auth(c, f->cred, f->job_id, err);
	f->refused = !!ret;
	if (ret)
		return ret;
	ret = ckpt_nl_job_freeze(c->nl, f->job_id, f->timeout_ms, kj, &e);
	if (ret)
		return ckpt_err_set(err, ret, "freeze of job %u failed: %s%s%s; the job runs on",
				    f->job_id, strerror(-ret), e.msg[0] ? ": " : "", e.msg);
	ret = auth_pids(f->cred, f->job_id, kj, err);
	f->refused = !!ret;
	if (ret && ckpt_nl_job_thaw(c->nl, f->job_id, &e))
		pr_warn("job %u: thaw after a refused freeze: %s", f->job_id, e.msg);
	return ret;
}

/*
 * Userspace capture of one member process, while the job is frozen: its
 * open files, cwd, root and umask (daemon/capture/, Documentation/files.md),
 * read only from a process that is parked so that it never sees a process
 * that runs.
 */
static int capture_member(struct ckptd_capture *cap, pid_t pid, int own_ns,
			  struct ckptd_recbuf *rb, struct ckpt_err *err)
{
	/* a process whose main thread exited: seen through a live thread */
	char st = ckpt_proc_state(ckptd_capture_task(pid), 0);
	struct ckpt_err cerr = { 0 };
	pid_t img_pid;

	if (st == 'Z' || st == 'X' || !st)
		return 0;	/* zombies and the gone hold no files */
	if (st != 'I' && st != 'T' && st != 't')
		return ckpt_err_set(err, EAGAIN,
				    "member %d is not parked (state %c) although the job is frozen",
				    pid, st);
	/* as the dump records it: seen from here, or in the job's own pidns */
	img_pid = own_ns ? ckpt_proc_nspid(pid, 0) : pid;
	if (ckptd_capture_files(cap, pid, img_pid > 0 ? img_pid : pid, rb, &cerr))
		return ckpt_err_set(err, EAGAIN, "%s%s", cerr.msg,
				    strstr(cerr.msg, "not supported") ?
				    " (ckptctl: --unsupported-fds close|devnull)" : "");
	return 0;
}

/* The records of what the module does not see, for extra_records. */
static int capture_members(const struct ckptd_dump *dp, struct ckptd_recbuf *rb,
			   struct ckpt_err *err)
{
	struct ckptd_capture_opts opts = {
		.unsupported = dp->unsupported, .tcp = dp->tcp, .sndqs = dp->sndqs,
	};
	const struct ckpt_kjob *kj = dp->frozen;
	struct ckptd_capture *cap;
	struct ckpt_err cerr = { 0 };
	int ret;

	ret = ckptd_capture_new(&opts, &cap, &cerr);
	if (ret)
		return ckpt_err_set(err, EAGAIN, "%s", cerr.msg);
	for (unsigned int i = 0; i < kj->nr_task_pids && !ret; i++)
		ret = capture_member(cap, kj->task_pids[i],
				     !!(kj->flags & CKPT_JOB_F_OWN_PIDNS), rb, err);
	if (!ret && ckptd_capture_finish(cap, rb, &cerr))
		ret = ckpt_err_set(err, EAGAIN, "%s", cerr.msg);
	ckptd_capture_free(cap);
	return ret;
}

/*
 * After read() of dump session @dump_fd failed with @errnum: the module's
 * own account (CKPT_IOC_DUMP_ERROR: process, range, cause), or
 * strerror(@errnum) from an older ckpt.ko.
 */
static void dump_error(int dump_fd, int errnum, char *buf, size_t size)
{
	struct ckpt_dump_error de;

	memset(&de, 0, sizeof(de));
	if (ioctl(dump_fd, CKPT_IOC_DUMP_ERROR, &de) || !de.msg[0]) {
		ckpt_fmt(buf, size, "%s", strerror(errnum));
		return;
	}
	de.msg[sizeof(de.msg) - 1] = 0;
	ckpt_fmt(buf, size, "%s", de.msg);
}

static void progress_set(struct ckptd_progress *p, uint64_t bytes, uint64_t total)
{
	if (!p)
		return;
	atomic_store(&p->total, total);
	atomic_store(&p->bytes, bytes);
}

/* The whole stream into @memfd; BEGIN's numbers moved by the seq base. */
static int read_stream(struct ckptd_dump *dp, int dump_fd, int memfd, struct ckpt_err *err)
{
	struct { struct ckpt_rec h; struct ckpt_rec_begin b; } begin;
	uint8_t *buf = malloc(STREAM_BUF);
	uint64_t total = 0;
	ssize_t n;

	if (!buf)
		return ckpt_err_set(err, ENOMEM, "job %u: out of memory for the dump", dp->job_id);
	while ((n = read(dump_fd, buf, STREAM_BUF)) != 0) {
		if (n < 0) {
			int errnum = errno;
			char msg[200];

			if (errnum == EINTR)
				continue;
			free(buf);
			dump_error(dump_fd, errnum, msg, sizeof(msg));
			return ckpt_err_set(err, errnum, "job %u: the dump failed at byte %llu of its stream: %s%s; nothing was stored",
					    dp->job_id, (unsigned long long)total, msg,
					    errnum == ESTALE ? " (the job was frozen or thawed meanwhile)" : "");
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(memfd, buf + off, n - off);

			if (w < 0) {
				free(buf);
				return ckpt_err_sys(err, "job %u: dump buffer (memfd); free memory or swap",
						    dp->job_id);
			}
			off += w;
		}
		total += n;
		progress_set(dp->progress, total, 0);
	}
	free(buf);
	if (pread(memfd, &begin, sizeof(begin), 0) != sizeof(begin) ||
	    begin.h.type != CKPT_REC_BEGIN || begin.h.len < sizeof(begin))
		return ckpt_err_set(err, EBADMSG, "job %u: the dump stream does not start with BEGIN",
				    dp->job_id);
	if (dp->seq_base == CKPTD_SEQ_BASE_UNKNOWN)
		dp->seq_base = ckptd_store_max_seq(dp->store, dp->job_id);
	begin.b.dump_seq += dp->seq_base;
	if (begin.b.parent_seq)
		begin.b.parent_seq += dp->seq_base;
	if (pwrite(memfd, &begin, sizeof(begin), 0) != sizeof(begin))
		return ckpt_err_sys(err, "job %u: dump buffer", dp->job_id);
	dp->seq = begin.b.dump_seq;
	progress_set(dp->progress, 0, total);
	return 0;
}

static void on_progress(void *arg, uint64_t done)
{
	struct ckptd_progress *p = arg;

	atomic_store(&p->bytes, done);
}

static int write_image(struct ckptd_dump *dp, int memfd, const struct ckptd_recbuf *x,
		       struct ckpt_err *err)
{
	struct ckptd_image_write_opts o = {
		.extra_records = x->buf, .extra_len = x->len,
		.progress = dp->progress ? on_progress : NULL, .progress_arg = dp->progress,
		.compression = dp->compression, .level = dp->level,
	};
	struct ckptd_image_write_stats st;
	struct ckpt_err ierr = { 0 };
	struct ckptd_image *img;
	int ret;

	ret = ckptd_store_job_dir(dp->store, dp->job_id, dp->uid, dp->gid, err);
	if (ret)
		return ret;
	if (ckptd_image_path(dp->dir, sizeof(dp->dir), dp->store, dp->job_id, dp->seq))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", dp->store);
	if (lseek(memfd, 0, SEEK_SET))
		return ckpt_err_sys(err, "job %u: dump buffer", dp->job_id);
	ret = ckptd_image_write(dp->dir, memfd, &o, &st, &ierr);
	if (ret)
		return ckpt_err_set(err, ret, "writing image %s of job %u failed: %s", dp->dir,
				    dp->job_id, ierr.msg);
	dp->bytes = st.bytes;
	dp->raw_bytes = st.raw_bytes;
	/* a pre-dump's pages are its dirty set: migration's stop condition */
	if ((dp->flags & CKPT_DUMP_PREDUMP) && !ckptd_image_open(dp->dir, &img, &ierr)) {
		dp->nr_pages = img->man.nr_pages;
		ckptd_image_close(img);
	}
	/* committed: now its owner's to read, and nobody else's */
	if (ckptd_store_give(dp->store, dp->job_id, dp->seq, dp->uid, &ierr))
		pr_warn("job %u: %s; only root can read the image", dp->job_id, ierr.msg);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ckptd_dump(void *ctx, struct ckptd_dump *dp, struct ckpt_err *err)
{
	struct ops_ctx *c = ctx;
	struct ckpt_dump_args args = { .job_id = dp->job_id, .flags = dp->flags };
	struct ckptd_recbuf x = { 0 };
	struct ckpt_err gerr;
	unsigned int removed;
	uint64_t t0 = now_ms(), t1;
	int dump_fd, memfd = -1, ret;

	dp->thawed = dp->captured = 0;
	progress_set(dp->progress, 0, 0);
	/* a running job's members as the user who asked, before and after */
	if (!dp->frozen && (ret = ckptd_dump_auth(c, dp->cred, dp->job_id, err)))
		return ret;
	dump_fd = ioctl(c->dev_fd, CKPT_IOC_DUMP, &args);
	if (dump_fd < 0)
		return errno == ENODATA && (dp->flags & CKPT_DUMP_INCREMENTAL) ?
		       ckpt_err_set(err, ENODATA, "job %u has no committed checkpoint in this ckptd run to be incremental to; take a full checkpoint first",
				    dp->job_id) :
		       ckpt_err_sys(err, "job %u: ckpt.ko refused the dump", dp->job_id);
	memfd = memfd_create("ckptd-dump", MFD_CLOEXEC);
	if (memfd < 0) {
		ret = ckpt_err_sys(err, "job %u: memfd_create", dp->job_id);
		goto out;
	}
	ret = read_stream(dp, dump_fd, memfd, err);
	if (!ret && !dp->frozen)
		ret = ckptd_dump_auth(c, dp->cred, dp->job_id, err);
	if (!ret && dp->frozen)
		ret = capture_members(dp, &x, err);
	if (ret)
		goto out;
	dp->captured = 1;
	if (dp->thaw) {
		if (ckptd_dump_thaw(ctx, dp->job_id, &gerr))
			pr_warn("job %u: after the capture: %s", dp->job_id, gerr.msg);
		dp->thawed = 1;
	}
	t1 = now_ms();
	dp->capture_ms = t1 - t0;
	ret = write_image(dp, memfd, &x, err);
	if (ret)
		goto out;	/* nothing committed: the next dump is still correct */
	dp->write_ms = now_ms() - t1;
	/* committed, it is the parent of the next incremental dump; else the
	 * next one names an older parent, which is in the store too */
	if (ioctl(dump_fd, CKPT_IOC_DUMP_COMMIT))
		pr_warn("job %u: image %llu stored, but ckpt.ko refused the commit (%s): the next incremental dump is relative to an older one",
			dp->job_id, (unsigned long long)dp->seq, strerror(errno));
	if (!dp->keep)
		goto out;
	if (ckptd_retention_gc(dp->store, dp->job_id, dp->keep, &removed, &gerr))
		pr_warn("job %u: retention: %s", dp->job_id, gerr.msg);
	else if (removed)
		pr_info("job %u: retention removed %u old checkpoint(s)", dp->job_id, removed);
out:
	ckptd_recbuf_free(&x);
	if (memfd >= 0)
		close(memfd);
	close(dump_fd);
	return ret;
}
