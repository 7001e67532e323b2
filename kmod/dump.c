// SPDX-License-Identifier: GPL-2.0
/*
 * Dump sessions: a file descriptor (CKPT_IOC_DUMP) whose read() returns
 * the record stream of a frozen job, generated one process at a time into
 * a record buffer (record.c) by the producers of each kind of record
 * (dump_task.c, dump_mm.c, dump_pages.c) and copied out.  The session
 * holds the job; closing it before the end of the stream was read thaws
 * the job, so a dumper that dies never leaves the job frozen.  A pre-dump
 * reads a running job's memory and leaves its state alone.  With
 * CKPT_DUMP_DATA_FD the page contents go to the dumper's data file
 * (dump_pages.c), which the session holds until it is freed.  A committed
 * dump becomes the job's base for incremental dumps, and the base for
 * soft-dirty tracking too once the dumper says it cleared the bits in the
 * same freeze, or, for a pre-dump, after its open (the pre-copy protocol).
 *
 * A dump of a frozen job covers exactly the processes the freeze parked
 * (ckpt_freeze_dump_set); a pre-dump the members of the moment.  Only
 * privileged callers open sessions (device.c), at most
 * CKPT_DUMP_SESSIONS_MAX at once; their memory is charged to the caller.
 * A failed read() leaves a description for CKPT_IOC_DUMP_ERROR.
 */
#include "ckpt.h"

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "auth.h"
#include "dump.h"
#include "dump_mm.h"
#include "dump_pages.h"
#include "dump_task.h"
#include "features.h"
#include "freeze.h"
#include "job.h"
#include "members.h"
#include "pagehash.h"
#include "record.h"
#include "softdirty.h"

/*
 * The pid namespace the dump records pids in (job->rec_ns): the creator's,
 * or for CKPT_JOB_F_OWN_PIDNS the job's own, found at the first dump as
 * the outermost namespace of the members, which must be a child of the
 * creator's.  Every member must have a pid there.  Under job->lock.
 */
static int ckpt_dump_rec_ns(struct ckpt_job *job, struct ckpt_taskvec *procs)
{
	struct pid_namespace *ns = job->rec_ns, *pns;
	unsigned int i;
	int err = 0;

	if (!(job->flags & CKPT_JOB_F_OWN_PIDNS))
		return 0;	/* the creator's, set at create */
	rcu_read_lock();
	for (i = 0; !job->rec_ns && i < procs->n; i++) {
		pns = task_active_pid_ns(procs->tasks[i]);
		if (pns && (!ns || pns->level < ns->level))
			ns = pns;
	}
	if (!ns || ns->level <= job->pidns->level)
		err = -EXDEV;	/* no member, or not in a namespace of its own */
	for (i = 0; !err && i < procs->n; i++)
		if (!task_tgid_nr_ns(procs->tasks[i], ns))
			err = -EXDEV;
	if (!err && !job->rec_ns)
		job->rec_ns = get_pid_ns(ns);
	rcu_read_unlock();
	return err;
}

static atomic_t ckpt_nr_dumps = ATOMIC_INIT(0);

struct ckpt_dump {
	struct ckpt_job *job;		/* reference */
	u64 freeze_seq;			/* the freeze this dump belongs to */
	struct mutex lock;		/* one reader at a time */
	struct ckpt_taskvec procs;	/* member processes, in creation order */
	u8 *zombie;			/* per process: a zombie at the open */
	unsigned int next;		/* next process to start */
	struct task_struct *cur;	/* process being emitted, or NULL */
	struct mm_struct *mm;		/* its address space (mmget) */
	unsigned long addr;		/* next address for PAGES */
	bool begun, ended, complete;
	bool frozen;			/* the job was frozen at the open */
	bool committed, sd_cleared;
	bool keep_frozen;		/* CKPT_IOC_DUMP_KEEP_FROZEN */
	struct ckpt_sdbase *sd_pending;	/* a pre-dump's bits cleared after its
					 * open: the job's once committed */
	struct ckpt_pagehash *carry;	/* a pre-copy opened frozen: the
					 * parent's hash of its clean pages */
	u64 open_base_seq;		/* job->base_seq at the open */
	u32 flags;			/* CKPT_DUMP_* */
	u32 dirty_tracking;		/* enum ckpt_dirty_tracking */
	u64 seq, parent_seq;		/* this dump's and its parent's numbers */
	struct ckpt_pages_ctx pages;	/* parent and own page hashes, counts */
	u32 nr_threads, nr_vmas;
	struct ckpt_recbuf buf;
	size_t off;			/* bytes of buf already read */
	struct ckpt_dump_error error;	/* of the first failed read */
};

static void ckpt_emit_begin(struct ckpt_dump *d)
{
	struct ckpt_rec_begin *r;

	r = ckpt_rec_start(&d->buf, CKPT_REC_BEGIN, sizeof(*r));
	if (!r)
		return;
	r->magic = CKPT_STREAM_MAGIC;
	r->version = CKPT_STREAM_VERSION;
	r->job_id = d->job->id;
	r->page_size = PAGE_SIZE;
	r->nr_tasks = d->procs.n;
	r->features = ckpt_features();
	r->time_ns = ktime_get_real_ns();
	strscpy(r->kernel_release, utsname()->release, sizeof(r->kernel_release));
	r->dump_seq = d->seq;
	r->parent_seq = d->parent_seq;
	r->flags = d->flags;
	r->dirty_tracking = d->dirty_tracking;
	ckpt_rec_finish(&d->buf, r, sizeof(*r));
}

static void ckpt_emit_end(struct ckpt_dump *d)
{
	struct ckpt_rec_end *r;

	r = ckpt_rec_start(&d->buf, CKPT_REC_END, sizeof(*r));
	if (!r)
		return;
	r->nr_tasks = d->procs.n;
	r->nr_threads = d->nr_threads;
	r->nr_vmas = d->nr_vmas;
	r->nr_pages = d->pages.nr_pages;
	r->nr_pages_same = d->pages.nr_same;
	r->nr_pages_unread = d->pages.nr_unread;
	ckpt_rec_finish(&d->buf, r, sizeof(*r));
}

/*
 * Has @p, parked when the dump was opened, been killed since?  (A zombie
 * then is dumped as one.)
 */
static bool ckpt_dump_lost(struct ckpt_dump *d, struct task_struct *p,
			   unsigned int i)
{
	struct task_struct *t;
	bool lost = false;

	if (d->zombie[i])
		return false;
	rcu_read_lock();
	if (!pid_alive(p) || (p->exit_state && thread_group_empty(p)))
		lost = true;
	else
		for_each_thread(p, t)
			if (t->flags & PF_EXITING && !t->exit_state)
				lost = true;
	rcu_read_unlock();
	return lost;
}

/* Start process @i: TASK, SIGACTIONS, THREADs, then MM and VMAs. */
static int ckpt_dump_start_process(struct ckpt_dump *d, unsigned int i)
{
	struct task_struct *p = d->procs.tasks[i];
	bool frozen = !(d->flags & CKPT_DUMP_PREDUMP);
	u32 n;
	int err;

	if (frozen && ckpt_dump_lost(d, p, i)) {
		pid_t pid = task_tgid_nr_ns(p, d->job->rec_ns);

		return ckpt_rec_fail(&d->buf, -ESRCH, pid, 0, 0,
				     "pid %d exited during the dump", pid);
	}
	err = ckpt_dump_task(&d->buf, d->job, p, frozen, &n);
	if (err)
		return err;
	d->nr_threads += n;
	d->mm = ckpt_process_mm(p);
	if (!d->mm)
		return 0;		/* a zombie: nothing more */
	err = ckpt_dump_mm(&d->buf, d->job, p, d->mm, &n);
	d->nr_vmas += n;
	d->cur = p;
	d->addr = 0;
	return err;
}

static void ckpt_dump_end_process(struct ckpt_dump *d)
{
	if (d->mm)
		mmput(d->mm);
	d->mm = NULL;
	d->cur = NULL;
}

/* Refill the buffer with the next step; 0 at the end of the stream. */
static int ckpt_dump_step(struct ckpt_dump *d)
{
	int err = 0;

	ckpt_recbuf_reset(&d->buf);
	d->off = 0;
	if (!(d->flags & CKPT_DUMP_PREDUMP) &&
	    (READ_ONCE(d->job->state) != CKPT_JOB_FROZEN ||
	     READ_ONCE(d->job->freeze_seq) != d->freeze_seq))
		err = -ESTALE;		/* thawed under us: the dump is void */

	while (!d->buf.len && !err && !d->ended) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
		} else if (!d->begun && (d->flags & CKPT_DUMP_PRECOPY) &&
			   !d->sd_pending) {
			err = ckpt_rec_fail(&d->buf, -EINVAL, 0, 0, 0,
					    "a pre-copy dump is read only after its dumper cleared the soft-dirty bits of the job's processes and said so with CKPT_IOC_DUMP_SOFTDIRTY_CLEARED");
		} else if (!d->begun) {
			d->begun = true;
			ckpt_emit_begin(d);
		} else if (d->cur) {
			err = ckpt_dump_pages_step(&d->buf, d->job, d->cur,
						   d->mm, &d->addr, &d->pages);
			if (err == 0)
				ckpt_dump_end_process(d);
			err = min(err, 0);
		} else if (d->next < d->procs.n) {
			err = ckpt_dump_start_process(d, d->next++);
		} else {
			d->ended = true;
			ckpt_emit_end(d);
		}
	}
	err = err ?: d->buf.err;
	if (err && !d->error.error)
		ckpt_rec_fail(&d->buf, err, d->cur ?
			      task_tgid_nr_ns(d->cur, d->job->rec_ns) : 0, 0, 0,
			      err == -ESTALE ?
			      "the job was thawed or frozen again during the dump" :
			      "the dump failed (error %d)", err);
	return err ?: d->buf.len;
}

static ssize_t ckpt_dump_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct ckpt_dump *d = file->private_data;
	ssize_t done = 0;
	int err = 0;

	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	while (done < count) {
		size_t n;

		if (d->off == d->buf.len) {
			err = ckpt_dump_step(d);
			if (err <= 0)
				break;
			err = 0;
		}
		n = min(count - done, d->buf.len - d->off);
		if (copy_to_user(ubuf + done, d->buf.data + d->off, n)) {
			err = -EFAULT;
			break;
		}
		d->off += n;
		done += n;
	}
	if (d->ended && d->off == d->buf.len)
		d->complete = true;
	mutex_unlock(&d->lock);
	return done ?: err;
}

static void ckpt_dump_free(struct ckpt_dump *d)
{
	ckpt_dump_end_process(d);
	ckpt_taskvec_release(&d->procs);
	ckpt_pagehash_put(d->pages.parent);
	ckpt_pagehash_put(d->pages.hashes);
	ckpt_sdbase_put(d->pages.sd);
	ckpt_sdbase_put(d->sd_pending);
	ckpt_sdbase_put(d->pages.track);
	ckpt_pagehash_put(d->carry);
	ckpt_pagehash_put(d->pages.carry);
	ckpt_pages_ctx_release(&d->pages);
	if (d->pages.data)
		fput(d->pages.data);
	ckpt_recbuf_release(&d->buf);
	kfree(d->zombie);
	ckpt_job_put(d->job);
	kfree(d);
	atomic_dec(&ckpt_nr_dumps);
}

static int ckpt_dump_release(struct inode *inode, struct file *file)
{
	struct ckpt_dump *d = file->private_data;
	struct ckpt_job *job = d->job;

	/*
	 * An unfinished dump: the dumper went away, so the job runs again.
	 * Only this dump's own freeze is undone; a later freeze (which may
	 * be waiting with job->lock held) is none of its business.
	 */
	if (!d->complete && !(d->flags & CKPT_DUMP_PREDUMP) && !d->keep_frozen &&
	    READ_ONCE(job->freeze_seq) == d->freeze_seq &&
	    READ_ONCE(job->state) == CKPT_JOB_FROZEN) {
		mutex_lock(&job->lock);
		if (job->freeze && job->freeze_seq == d->freeze_seq)
			ckpt_freeze_undo(job);
		mutex_unlock(&job->lock);
	}

	ckpt_dump_free(d);
	return 0;
}

/*
 * The dump was stored: its page hashes become the job's base.  Soft-dirty
 * bits cleared after the old base say nothing about the new one until the
 * dumper clears them again, unless this is a pre-dump whose dumper
 * cleared them after its open: those bits become the job's.  A pre-copy
 * base is torn: the next dump may not trust a hash match with it.
 */
static long ckpt_dump_commit(struct ckpt_dump *d)
{
	struct ckpt_job *job = d->job;
	struct ckpt_pagehash *old = NULL;
	struct ckpt_sdbase *old_sd = NULL;
	long err = 0;

	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	if (!d->complete || d->committed) {
		err = -EINVAL;	/* not read to the end, or committed already */
		goto out;
	}
	if (mutex_lock_interruptible(&job->lock)) {
		err = -EINTR;
		goto out;
	}
	if (d->seq < job->base_seq) {
		err = -ESTALE;	/* a newer dump was committed meanwhile */
	} else if (d->sd_pending && job->base_seq != d->open_base_seq) {
		err = -ESTALE;	/* another dump was committed since the open */
	} else {
		old = job->base;
		old_sd = job->sd;
		job->base = d->pages.hashes;
		job->base_seq = d->seq;
		job->base_torn = d->flags & CKPT_DUMP_PRECOPY;
		job->sd = d->sd_pending;
		d->sd_pending = NULL;
		d->pages.hashes = NULL;
		d->committed = true;
	}
	mutex_unlock(&job->lock);
	ckpt_pagehash_put(old);
	ckpt_sdbase_put(old_sd);
out:
	mutex_unlock(&d->lock);
	return err;
}

/*
 * The dumper cleared the soft-dirty bits of this dump's processes (see
 * CKPT_IOC_DUMP_SOFTDIRTY_CLEARED in the uapi header).  The bits are
 * trusted only if nothing can have run between the dump and the clear:
 * the dump is the job's base and the job has stayed frozen since it was
 * opened.  Any other clear lost writes the base does not hold, so a
 * refusal also forgets soft-dirty tracking of the base; only a repeated
 * call within the same freeze leaves it alone.
 */
/*
 * The pre-copy protocol: the dumper cleared the soft-dirty bits of the
 * pre-dump's processes after its open, before its first read.  Pages the
 * job writes from now on show it, so the bits become the job's tracking
 * once this dump is committed; a pre-copy writes the pages they track
 * straight from the running memory.  The clear wiped the bits the job's
 * base had, so that tracking is forgotten now.  An incremental pre-copy
 * opened while the job was frozen, and announced in the same freeze,
 * took at its open the parent's hash of every page that was clean then
 * (ckpt_dump_carry): nothing ran since, so a page clean now too is
 * unchanged, unread.  Any other incremental pre-dump compares hashes with
 * its parent: bits looked at before a clear of a running job miss a page
 * written between that look and the clear.
 */
static long ckpt_dump_sd_cleared_pre(struct ckpt_dump *d,
				     const struct ckpt_softdirty_cleared_args *args)
{
	struct ckpt_sdbase *sb, *old;
	struct ckpt_job *job = d->job;
	bool carried;

	if (!ckpt_softdirty_enabled())
		return -EOPNOTSUPP;
	if (args->flags || args->reserved)
		return -EINVAL;
	if (d->sd_pending)
		return -EALREADY;
	sb = ckpt_sdbase_new(d->procs.tasks, d->procs.n, job->rec_ns);
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	if (mutex_lock_interruptible(&job->lock)) {
		ckpt_sdbase_put(sb);
		return -EINTR;
	}
	old = job->sd;
	job->sd = NULL;
	carried = d->carry && d->frozen &&
		  READ_ONCE(job->state) == CKPT_JOB_FROZEN &&
		  job->freeze_seq == d->freeze_seq;
	mutex_unlock(&job->lock);
	ckpt_sdbase_put(old);

	d->sd_pending = sb;
	if (d->flags & CKPT_DUMP_PRECOPY)
		d->pages.track = ckpt_sdbase_get(sb);
	ckpt_sdbase_put(d->pages.sd);
	d->pages.sd = NULL;
	if (carried) {
		d->pages.sd = ckpt_sdbase_get(sb);
		d->pages.carry = d->carry;
		d->carry = NULL;
		d->dirty_tracking = CKPT_DIRTY_SOFT_DIRTY;
	} else if (d->flags & CKPT_DUMP_INCREMENTAL) {
		d->dirty_tracking = CKPT_DIRTY_HASH;
	}
	ckpt_pagehash_put(d->carry);
	d->carry = NULL;
	return 0;
}

static long ckpt_dump_sd_cleared(struct ckpt_dump *d, void __user *uarg)
{
	struct ckpt_softdirty_cleared_args args;
	struct ckpt_sdbase *sb = NULL, *old = NULL;
	struct ckpt_job *job = d->job;
	bool locked;
	long err = 0;

	if (!IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		return -EOPNOTSUPP;
	if (copy_from_user(&args, uarg, sizeof(args)))
		err = -EFAULT;
	locked = !mutex_lock_killable(&d->lock);
	if (locked && !err && (d->flags & CKPT_DUMP_PREDUMP) && !d->begun) {
		err = ckpt_dump_sd_cleared_pre(d, &args);
		mutex_unlock(&d->lock);
		return err;
	}
	if (!locked)
		err = err ?: -EINTR;
	else if (!err && (args.flags || args.reserved))
		err = -EINVAL;
	else if (!err && (!d->complete || !d->committed))
		err = -EINVAL;	/* not read to the end, or not committed */
	if (!err) {
		sb = ckpt_sdbase_new(d->procs.tasks, d->procs.n,
				     job->rec_ns);
		if (IS_ERR(sb)) {
			err = PTR_ERR(sb);
			sb = NULL;
		}
	}

	if (mutex_lock_interruptible(&job->lock)) {
		if (locked)
			mutex_unlock(&d->lock);
		ckpt_sdbase_put(sb);
		return -EINTR;
	}
	if (err)
		;
	else if (job->base_seq != d->seq)
		err = -ESTALE;	/* a newer dump was committed meanwhile */
	else if (!d->frozen || READ_ONCE(job->state) != CKPT_JOB_FROZEN ||
		 job->freeze_seq != d->freeze_seq)
		err = -ESTALE;	/* the job ran since the dump was opened */
	else if (d->sd_cleared && job->sd)
		err = -EALREADY;
	if (!err) {
		old = job->sd;
		job->sd = sb;
		sb = NULL;
		d->sd_cleared = true;
	} else if (err != -EALREADY) {
		old = job->sd;
		job->sd = NULL;
	}
	mutex_unlock(&job->lock);
	if (locked)
		mutex_unlock(&d->lock);
	ckpt_sdbase_put(old);
	ckpt_sdbase_put(sb);
	return err;
}

/*
 * The dumper keeps the job frozen although this dump failed or stays
 * unfinished: closing the session no longer thaws it (uapi).
 */
static long ckpt_dump_keep_frozen(struct ckpt_dump *d)
{
	if (d->flags & CKPT_DUMP_PREDUMP)
		return -EINVAL;
	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	d->keep_frozen = true;
	mutex_unlock(&d->lock);
	return 0;
}

static long ckpt_dump_get_error(struct ckpt_dump *d, void __user *uarg)
{
	struct ckpt_dump_error e;

	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	e = d->error;
	mutex_unlock(&d->lock);
	if (!e.error)
		return -ENODATA;
	e.msg[sizeof(e.msg) - 1] = '\0';
	return copy_to_user(uarg, &e, sizeof(e)) ? -EFAULT : 0;
}

static long ckpt_dump_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	if (!ckpt_file_privileged(file))
		return -EPERM;
	switch (cmd) {
	case CKPT_IOC_DUMP_ERROR:
		return ckpt_dump_get_error(file->private_data,
					   (void __user *)arg);
	case CKPT_IOC_DUMP_KEEP_FROZEN:
		return ckpt_dump_keep_frozen(file->private_data);
	case CKPT_IOC_DUMP_COMMIT:
		return ckpt_dump_commit(file->private_data);
	case CKPT_IOC_DUMP_SOFTDIRTY_CLEARED:
		return ckpt_dump_sd_cleared(file->private_data,
					    (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ckpt_dump_fops = {
	.owner = THIS_MODULE,
	.read = ckpt_dump_read,
	.release = ckpt_dump_release,
	.unlocked_ioctl = ckpt_dump_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Which of the dump's processes are zombies now (dumped as such). */
static int ckpt_dump_note_zombies(struct ckpt_dump *d)
{
	unsigned int i;

	d->zombie = kcalloc(max(d->procs.n, 1U), 1, GFP_KERNEL_ACCOUNT);
	if (!d->zombie)
		return -ENOMEM;
	rcu_read_lock();
	for (i = 0; i < d->procs.n; i++) {
		struct task_struct *p = d->procs.tasks[i];

		d->zombie[i] = p->exit_state && thread_group_empty(p);
	}
	rcu_read_unlock();
	return 0;
}

/* The processes of a frozen dump: the parked set; -EBUSY says who not. */
static int ckpt_dump_frozen_set(struct ckpt_dump *d)
{
	struct ckpt_job *job = d->job;
	struct task_struct *bad;
	int err;

	err = ckpt_freeze_dump_set(job, &d->procs, &bad);
	if (err == -EBUSY && bad) {
		pr_info("job %u: pid %d is a member the freeze did not park (it joined after the freeze, or left); thaw and freeze again\n",
			job->id, task_tgid_nr_ns(bad, job->pidns));
		job->err_pid = task_tgid_nr_ns(bad, job->pidns);
		job->err_state = task_state_to_char(bad);
		put_task_struct(bad);
	}
	return err;
}

/*
 * An incremental pre-copy opened while the job is frozen, with soft-dirty
 * bits cleared after its parent: the parent's hash of every page clean
 * now, for the pages still clean after the announced clear.
 */
static int ckpt_dump_carry(struct ckpt_dump *d)
{
	unsigned int i;
	int err = 0;

	if ((d->flags & (CKPT_DUMP_PRECOPY | CKPT_DUMP_INCREMENTAL)) !=
	    (CKPT_DUMP_PRECOPY | CKPT_DUMP_INCREMENTAL) ||
	    !d->frozen || !d->pages.sd)
		return 0;
	d->carry = ckpt_pagehash_new();
	if (!d->carry)
		return -ENOMEM;
	for (i = 0; i < d->procs.n && !err; i++) {
		struct task_struct *p = d->procs.tasks[i];

		err = ckpt_pages_carry(&d->pages, p,
				       task_tgid_nr_ns(p, d->job->rec_ns),
				       d->carry);
	}
	return err;
}

/*
 * The data file of a CKPT_DUMP_DATA_FD dump: a regular file open for
 * writing whose size is page-aligned; pages go from its end on.
 */
static int ckpt_dump_data_file(struct ckpt_dump *d, int fd)
{
	struct file *f = fget(fd);
	loff_t size;

	if (!f)
		return -EBADF;
	d->pages.data = f;
	if (!S_ISREG(file_inode(f)->i_mode))
		return -EINVAL;
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!(f->f_mode & FMODE_CAN_WRITE) || !f->f_op->write_iter)
		return -EINVAL;	/* a file system without write_iter */
	size = i_size_read(file_inode(f));
	if (!PAGE_ALIGNED(size))
		return -EINVAL;
	d->pages.pos = size;
	return 0;
}

static int ckpt_dump_check_args(const struct ckpt_dump_args *args)
{
	u32 flags = args->flags;

	if ((flags & ~CKPT_DUMP_FLAGS) || args->reserved0 || args->reserved)
		return -EINVAL;
	if (!(flags & CKPT_DUMP_DATA_FD) && args->data_fd)
		return -EINVAL;
	if ((flags & CKPT_DUMP_PRECOPY) &&
	    (flags & (CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD)) !=
	    (CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD))
		return -EINVAL;
	if ((flags & CKPT_DUMP_PRECOPY) && !ckpt_softdirty_enabled())
		return -EOPNOTSUPP;
	return 0;
}

int ckpt_dump_open(const struct ckpt_dump_args *args)
{
	struct ckpt_dump *d;
	struct ckpt_job *job;
	int err, fd;

	err = ckpt_dump_check_args(args);
	if (err)
		return err;
	job = ckpt_job_find(args->job_id);
	if (!job)
		return -ENOENT;
	if (atomic_inc_return(&ckpt_nr_dumps) > CKPT_DUMP_SESSIONS_MAX) {
		atomic_dec(&ckpt_nr_dumps);
		ckpt_job_put(job);
		return -ENFILE;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		atomic_dec(&ckpt_nr_dumps);
		err = -ENOMEM;
		goto put_job;
	}
	mutex_init(&d->lock);
	ckpt_recbuf_init(&d->buf, &d->error);
	d->job = job;
	d->flags = args->flags;
	d->pages.live = d->flags & CKPT_DUMP_PREDUMP;
	d->pages.hashes = ckpt_pagehash_new();
	if (!d->pages.hashes) {
		err = -ENOMEM;
		goto free;
	}
	err = ckpt_pages_ctx_init(&d->pages);
	if (!err && (d->flags & CKPT_DUMP_DATA_FD))
		err = ckpt_dump_data_file(d, args->data_fd);
	if (err)
		goto free;

	if (mutex_lock_interruptible(&job->lock)) {
		err = -EINTR;
		goto free;
	}
	if (job->dead || (READ_ONCE(job->state) != CKPT_JOB_FROZEN &&
			  !(d->flags & CKPT_DUMP_PREDUMP))) {
		err = -EBUSY;
	} else if ((d->flags & CKPT_DUMP_INCREMENTAL) && !job->base) {
		err = -ENODATA;	/* nothing committed to be relative to */
	} else {
		d->freeze_seq = job->freeze_seq;
		d->frozen = READ_ONCE(job->state) == CKPT_JOB_FROZEN;
		/* a pre-copy shares the number of the frozen dump after it */
		d->seq = d->flags & CKPT_DUMP_PRECOPY ? job->dump_seq + 1 :
							++job->dump_seq;
		d->open_base_seq = job->base_seq;
		if (d->flags & CKPT_DUMP_INCREMENTAL) {
			d->parent_seq = job->base_seq;
			d->pages.parent = ckpt_pagehash_get(job->base);
			d->pages.parent_torn = job->base_torn;
			if (ckpt_softdirty_enabled())
				d->pages.sd = ckpt_sdbase_get(job->sd);
			d->dirty_tracking = d->pages.sd ? CKPT_DIRTY_SOFT_DIRTY :
							  CKPT_DIRTY_HASH;
		}
		err = (d->frozen ? ckpt_dump_frozen_set(d) :
			ckpt_members_collect(job, false, &d->procs)) ?:
		      ckpt_dump_rec_ns(job, &d->procs) ?:
		      ckpt_dump_note_zombies(d);
	}
	mutex_unlock(&job->lock);
	err = err ?: ckpt_dump_carry(d);
	if (err)
		goto free;

	fd = anon_inode_getfd("[ckpt-dump]", &ckpt_dump_fops, d,
			      O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = fd;
free:
	ckpt_dump_free(d);	/* puts the job */
	return err;
put_job:
	ckpt_job_put(job);
	return err;
}
