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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "loop.h"
#include "ctl/server.h"
#include "image.h"
#include "image_format.h"
#include "image_store.h"
#include "jobs/auth.h"
#include "jobs/proc.h"
#include "jobs/registry.h"
#include "jobs/store_owner.h"
#include "log.h"
#include "proc_stat.h"
#include "ops/dump.h"
#include "ops/dump_read.h"
#include "ops/softdirty.h"
#include "proc_nspid.h"
#include "retention.h"
#include "store_list.h"

struct ops_ctx {
	struct ckpt_nl *nl;
	int dev_fd;
	int soft_dirty;		/* CKPT_FEATURE_SOFT_DIRTY: pre-copies use it */
	struct ckpt_err check_err;	/* of a stream's BEGIN check */
};

void *ckptd_ops_init(int *err)
{
	struct ops_ctx *c = calloc(1, sizeof(*c));
	struct ckpt_abi_info abi = { 0 };
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
	c->soft_dirty = !ioctl(c->dev_fd, CKPT_IOC_GET_ABI, &abi) &&
			(abi.features & CKPT_FEATURE_SOFT_DIRTY);
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

static void progress_set(struct ckptd_progress *p, uint64_t bytes, uint64_t total)
{
	if (!p)
		return;
	atomic_store(&p->total, total);
	atomic_store(&p->bytes, bytes);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One ckptd_dump(): the image being written and the streams read for it. */
struct dump_run {
	struct ops_ctx *c;
	struct ckptd_dump *dp;
	struct ckptd_image_wr *wr;
	struct ckptd_stream pre, fin;
	struct ckptd_recbuf x;	/* the capture's records */
	int precopied;		/* @pre is in the image and committed */
	int captured;		/* the frozen state is read: a later failure
				   is the image store's */
	int froze;		/* this call froze the job */
	uint64_t t_frozen;	/* when the job was frozen (now_us) */
};

/* A new dump session of the job with @flags, or -errno. */
static int open_session(struct dump_run *r, uint32_t flags, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	struct ckpt_dump_args args = {
		.job_id = dp->job_id, .flags = flags | CKPT_DUMP_DATA_FD,
		.data_fd = ckptd_image_wr_data_fd(r->wr),
	};
	int fd = ioctl(r->c->dev_fd, CKPT_IOC_DUMP, &args);

	if (fd >= 0)
		return fd;
	if (errno == ENODATA && (flags & CKPT_DUMP_INCREMENTAL))
		return ckpt_err_set(err, ENODATA, "job %u has no committed checkpoint in this ckptd run to be incremental to; take a full checkpoint first",
				    dp->job_id);
	if (errno == EINVAL)
		return ckpt_err_set(err, EINVAL, "job %u: ckpt.ko refused the dump request (flags 0x%x): is the loaded ckpt.ko older than ckptd? reload the module of this ckpt version",
				    dp->job_id, args.flags);
	return ckpt_err_sys(err, "job %u: ckpt.ko refused the dump", dp->job_id);
}

/*
 * An incremental image needs its parent in the store: a pre-copy whose
 * checkpoint failed later left ckpt.ko's base without one.
 */
static int parent_check(const struct ckptd_stream *s, void *arg)
{
	struct dump_run *r = arg;
	struct ckptd_dump *dp = r->dp;
	char dir[PATH_MAX + 64], path[PATH_MAX + 80];
	struct ckpt_err *err = &r->c->check_err;

	if (!s->parent_seq || r->precopied)
		return 0;
	if (ckptd_image_path(dir, sizeof(dir), dp->store, dp->job_id, s->parent_seq))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", dp->store);
	snprintf(path, sizeof(path), "%s/" CKPT_IMG_MANIFEST, dir);
	if (!access(path, F_OK))
		return 0;
	return ckpt_err_set(err, ENOENT, "job %u: an incremental checkpoint needs its parent image %s, which is not in the store (an earlier checkpoint failed after its pre-copy, or the image was removed); take a full checkpoint (without --incremental)",
			    dp->job_id, dir);
}

/* A failure to write into the image store (not of the job or the module). */
static int store_errno(int errnum)
{
	return errnum == ENOSPC || errnum == EDQUOT || errnum == EIO || errnum == EFBIG ||
	       errnum == EROFS;
}

/* Session @fd read to its end into @s (and the image). */
static int read_session(struct dump_run *r, int fd, struct ckptd_stream *s, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	char dir[PATH_MAX + 64], why[sizeof(err->msg)];
	int ret;

	ckpt_err_clear(&r->c->check_err);
	ret = ckptd_stream_read(s, fd, dp->job_id, dp->store, &dp->seq_base, parent_check, r,
				ckptd_image_wr_data_fd(r->wr), dp->progress, err);
	if (ret && r->c->check_err.errnum)
		*err = r->c->check_err;
	if (!ret || !store_errno(err->errnum))
		return ret;
	/* the image store failed: say which image, and what to do */
	if (!s->dump_seq ||
	    ckptd_image_path(dir, sizeof(dir), dp->store, dp->job_id, s->dump_seq))
		snprintf(dir, sizeof(dir), "%s/%u", dp->store, dp->job_id);
	ckpt_fmt(why, sizeof(why), "%s", err->msg);
	return ckpt_err_set(err, err->errnum, "image %s: %s; nothing was stored: free space in %s or set another image_store in ckptd.conf [%s]",
			    dir, strerror(err->errnum), dp->store, why);
}

/*
 * The pre-copy's session, its soft-dirty bits cleared and announced
 * (*@sd; 0: the module's dirty_tracking=hash, no announcement).  An
 * incremental one is opened and announced within a short freeze: only
 * then may ckpt.ko carry the parent's hashes of the pages still clean
 * since the parent, unread (uapi: a page written between the open and
 * the clear would be lost).  A full one needs no freeze.
 */
static int precopy_open(struct dump_run *r, uint32_t flags, int *sd, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	int mark = *sd && (flags & CKPT_DUMP_INCREMENTAL);
	struct ckptd_freeze f = *dp->freeze;
	struct ckpt_kjob kj = { 0 };
	uint64_t t = now_us();
	struct ckpt_err e;
	int fd, ret = 0;

	f.already_frozen = 0;
	if (mark && (ret = ckptd_dump_freeze(r->c, &f, &kj, err)))
		return ret;
	fd = open_session(r, flags | (*sd ? CKPT_DUMP_PRECOPY : 0), err);
	if (fd == -EOPNOTSUPP && *sd) {	/* the module's dirty_tracking=hash */
		*sd = 0;
		fd = open_session(r, flags, err);
	}
	if (fd >= 0 && *sd) {
		if (!mark && (ret = ckpt_nl_job_get(r->c->nl, dp->job_id, &kj, &e)))
			ret = ckpt_err_set(err, ret, "job %u: %s", dp->job_id, e.msg);
		if (!ret)
			ret = ckptd_softdirty_clear(fd, &kj, err);
	}
	ckpt_kjob_release(&kj);
	if (mark) {
		if (ckptd_dump_thaw(r->c, dp->job_id, &e)) {
			ret = ret ?: ckpt_err_set(err, e.errnum, "%s", e.msg);
		}
		dp->st.mark_us = now_us() - t;
	}
	if (fd >= 0 && ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * The pre-copy: every page written while the job runs, its soft-dirty
 * bits cleared right after the session opened, so that the frozen dump
 * that follows reads only what the job writes from then on.  Without
 * soft-dirty the pages are copied stable and the frozen dump compares
 * hashes.  Committed to ckpt.ko: the parent of the frozen dump.
 */
static int precopy(struct dump_run *r, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	uint32_t flags = CKPT_DUMP_PREDUMP | (dp->flags & CKPT_DUMP_INCREMENTAL);
	int sd = r->c->soft_dirty, fd, ret;

	ret = ckptd_dump_auth(r->c, dp->cred, dp->job_id, err);
	if (ret)
		return ret;
	fd = precopy_open(r, flags, &sd, err);
	if (fd < 0)
		return fd;
	ret = read_session(r, fd, &r->pre, err);
	if (!ret)
		ret = ckptd_dump_auth(r->c, dp->cred, dp->job_id, err);
	if (!ret)
		ret = ckptd_image_wr_add_stream(r->wr, r->pre.buf, r->pre.len, err);
	/* the bulk of the pages on disk before the freeze, not in it */
	if (!ret && fdatasync(ckptd_image_wr_data_fd(r->wr)))
		ret = ckpt_err_sys(err, "job %u: syncing the pages of the image being written in %s",
				   dp->job_id, dp->store);
	if (!ret && ioctl(fd, CKPT_IOC_DUMP_COMMIT))
		ret = ckpt_err_sys(err, "job %u: ckpt.ko refused the pre-copy's commit", dp->job_id);
	close(fd);
	if (ret)
		return ret;
	r->precopied = 1;
	dp->precopy_pages = r->pre.nr_pages;
	return 0;
}

/* The image's records, index and manifest: committed in the store. */
static int write_image(struct dump_run *r, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	struct ckptd_image_write_stats st = { 0 };
	uint64_t t = now_us();
	int ret;

	dp->seq = r->fin.dump_seq;
	if (ckptd_image_path(dp->dir, sizeof(dp->dir), dp->store, dp->job_id, dp->seq))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", dp->store);
	ret = ckptd_image_wr_commit(r->wr, dp->dir, r->x.buf, r->x.len, &st, err);
	dp->st.write_us = now_us() - t;
	if (ret)
		return ret;
	dp->bytes = st.bytes;
	dp->raw_bytes = st.raw_bytes;
	dp->nr_pages = st.nr_pages;
	dp->final_pages = r->fin.nr_pages;
	return 0;
}

/*
 * The image is in the store: the dump becomes ckpt.ko's base for the
 * next incremental one, and while the job is still frozen its soft-dirty
 * bits are cleared so that the next checkpoint reads only what changes
 * from now on.  A refusal costs only speed: the next incremental dump
 * names an older parent, which is in the store too, or compares hashes.
 */
static void commit(struct dump_run *r, int fd)
{
	struct ckptd_dump *dp = r->dp;
	uint64_t t = now_us();
	struct ckpt_err e;

	if (ioctl(fd, CKPT_IOC_DUMP_COMMIT))
		pr_warn("job %u: image %llu stored, but ckpt.ko refused the commit (%s): the next incremental dump is relative to an older one",
			dp->job_id, (unsigned long long)dp->seq, strerror(errno));
	else if (dp->frozen && r->c->soft_dirty &&
		 ckptd_softdirty_clear(fd, dp->frozen, &e))
		pr_warn("job %u: %s; its next incremental checkpoint compares page hashes instead",
			dp->job_id, e.msg);
	dp->st.commit_us = now_us() - t;
}

/* The frozen dump: everything, or what changed since the pre-copy. */
static int frozen_dump(struct dump_run *r, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	uint32_t flags = r->precopied ? CKPT_DUMP_INCREMENTAL : dp->flags;
	uint64_t t = now_us();
	int fd, ret;

	fd = open_session(r, flags, err);
	if (fd < 0)
		return fd;
	ret = read_session(r, fd, &r->fin, err);
	if (!ret && !dp->frozen)
		ret = ckptd_dump_auth(r->c, dp->cred, dp->job_id, err);
	dp->st.dump_us = now_us() - t;
	t = now_us();
	if (!ret && dp->frozen)
		ret = capture_members(dp, &r->x, err);
	dp->st.capture_us = now_us() - t;
	r->captured = !ret;
	if (!ret)
		ret = ckptd_image_wr_add_stream(r->wr, r->fin.buf, r->fin.len, err);
	if (!ret)
		ret = write_image(r, err);
	if (!ret)
		commit(r, fd);
	else if (dp->is_frozen)
		/* ckptd, not the session's close, decides whether it thaws */
		ioctl(fd, CKPT_IOC_DUMP_KEEP_FROZEN);
	close(fd);
	return ret;
}

/*
 * Thaw at the end?  Once committed, if asked (checkpoint).  After a
 * failure, a job this call froze runs again - except for freeze (no
 * @thaw) when the image store failed: that job stays frozen, as
 * documented, for the administrator to free space and checkpoint it.
 */
static int thaw_now(const struct dump_run *r, int ret, const struct ckpt_err *err)
{
	if (!ret)
		return r->dp->thaw;
	if (!r->froze)
		return 0;
	return r->dp->thaw || !(r->captured || store_errno(err->errnum));
}

/* The image being written, in a temporary directory of the job's. */
static int begin_image(struct dump_run *r, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	struct ckptd_image_write_opts o = {
		.compression = dp->compression, .level = dp->level,
	};
	char dir[PATH_MAX];
	int ret;

	ret = ckptd_store_job_dir(dp->store, dp->job_id, dp->uid, dp->gid, err);
	if (ret)
		return ret;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%u", dp->store, dp->job_id) >= sizeof(dir))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", dp->store);
	return ckptd_image_wr_begin(dir, &o, &r->wr, err);
}

static void end_run(struct dump_run *r)
{
	ckptd_image_wr_free(r->wr);
	r->wr = NULL;
	ckptd_stream_free(&r->pre);
	ckptd_stream_free(&r->fin);
	ckptd_recbuf_free(&r->x);
}

/* With @dp->freeze: the pre-copy, then the freeze. */
static int precopy_and_freeze(struct dump_run *r, struct ckpt_err *err)
{
	struct ckptd_dump *dp = r->dp;
	uint64_t t = now_us();
	int ret;

	ret = precopy(r, err);
	dp->st.precopy_us = now_us() - t;
	if (ret && dp->thaw)
		return ret;	/* checkpoint: the job never stopped */
	if (ret) {
		/* freeze: stop the job all the same, for a dump without one */
		pr_warn("job %u: the pre-copy failed (%s); freezing it for a dump of everything",
			dp->job_id, err->msg);
		ckpt_err_clear(err);
		end_run(r);
		r->precopied = 0;
		ret = begin_image(r, err);
		if (ret)
			return ret;
	}
	r->t_frozen = now_us();
	ret = ckptd_dump_freeze(r->c, dp->freeze, dp->kj, err);
	dp->st.freeze_us = now_us() - r->t_frozen;
	if (ret)
		return ret;	/* the job runs on */
	r->froze = 1;
	dp->is_frozen = 1;
	dp->frozen = dp->kj;
	return 0;
}

int ckptd_dump(void *ctx, struct ckptd_dump *dp, struct ckpt_err *err)
{
	struct dump_run r = { .c = ctx, .dp = dp, .t_frozen = now_us() };
	uint64_t t;
	struct ckpt_err gerr;
	unsigned int removed;
	int ret;

	memset(&dp->st, 0, sizeof(dp->st));
	dp->is_frozen = !!dp->frozen;
	dp->precopy_pages = dp->final_pages = dp->nr_pages = 0;
	dp->dirty_tracking = "none";
	dp->precopy_tracking = NULL;
	progress_set(dp->progress, 0, 0);
	/* a running job's members as the user who asked, before and after */
	if (!dp->frozen && !dp->freeze && (ret = ckptd_dump_auth(ctx, dp->cred, dp->job_id, err)))
		return ret;
	ret = begin_image(&r, err);
	if (!ret && dp->freeze)
		ret = precopy_and_freeze(&r, err);
	if (!ret)
		ret = frozen_dump(&r, err);
	if (dp->is_frozen && thaw_now(&r, ret, err)) {
		t = now_us();
		if (ckptd_dump_thaw(ctx, dp->job_id, &gerr))
			pr_warn("job %u: %s", dp->job_id, gerr.msg);
		else
			dp->is_frozen = 0;
		dp->st.thaw_us = now_us() - t;
	}
	if (dp->is_frozen || r.froze)
		dp->st.frozen_us = now_us() - r.t_frozen + dp->st.mark_us;
	if (ret && r.froze && dp->is_frozen) {
		char why[sizeof(err->msg)];

		ckpt_fmt(why, sizeof(why), "%s", err->msg);
		ckpt_err_set(err, err->errnum, "%s; job %u stays frozen: free space in %s and run 'ckptctl checkpoint --job %u', or 'ckptctl thaw --job %u'",
			     why, dp->job_id, dp->store, dp->job_id, dp->job_id);
	}
	if (dp->flags & CKPT_DUMP_INCREMENTAL)
		dp->dirty_tracking = ckptd_dirty_tracking_name(r.precopied ? r.pre.dirty_tracking :
								r.fin.dirty_tracking);
	if (r.precopied)
		dp->precopy_tracking = ckptd_dirty_tracking_name(r.fin.dirty_tracking);
	end_run(&r);	/* uncommitted: the temporary directory goes */
	if (ret)
		return ret;
	/* committed: now its owner's to read, and nobody else's */
	if (ckptd_store_give(dp->store, dp->job_id, dp->seq, dp->uid, &gerr))
		pr_warn("job %u: %s; only root can read the image", dp->job_id, gerr.msg);
	if (dp->keep && ckptd_retention_gc(dp->store, dp->job_id, dp->keep, &removed, &gerr))
		pr_warn("job %u: retention: %s", dp->job_id, gerr.msg);
	else if (dp->keep && removed)
		pr_info("job %u: retention removed %u old checkpoint(s)", dp->job_id, removed);
	return 0;
}
