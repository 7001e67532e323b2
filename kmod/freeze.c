// SPDX-License-Identifier: GPL-2.0
/*
 * Freezing a job: every thread of every member is parked at its return to
 * user mode, where its user registers are complete and stable.
 *
 * One walk of the task list queues a task_work with TWA_SIGNAL on every
 * member thread, right as it finds it.  That kicks a thread out of an
 * interruptible sleep (its system call returns -ERESTART*, and the
 * architecture's signal code restarts it once the work has run and finds
 * no signal to deliver), and makes a fork in progress restart
 * (copy_process checks for pending signals before the child is attached),
 * so that no child escapes: after every known thread is parked, the task
 * list is walked again until a walk finds nobody new.  The work parks the
 * thread in a killable, no-load, freezable sleep until the freeze is
 * undone: a SIGKILL still ends a parked task, and the system freezer
 * (suspend, hibernation) freezes it like any sleeping task.
 *
 * The freezer sleeps while the threads park: each counts itself out of the
 * freeze's count of unsettled threads once (parked, or ended instead), and
 * only the one that brings the count down wakes it.  It looks at the
 * threads again only then, and every 100 ms for a thread that stopped
 * (SIGSTOP) or began to exit without running its work; those count as
 * frozen.  The parks live in one allocation made with the freeze, sized
 * for the threads the job had at its last freeze, with an index by task;
 * a walk that finds more threads than fit adds another set and walks on.
 * The thaw wakes each parked thread once.
 *
 * task_work_cancel is not exported, so a queued work can run long after
 * its freeze was undone: it then sees the freeze marked thawed and returns
 * at once.  Every queued work holds a reference on its freeze, and the
 * freeze one on this module, so neither goes away under it; unloading
 * ckpt.ko is refused while a thread has not run its work yet.  The work's
 * module_put (the freeze's last reference) cannot be the last instruction
 * of module code it executes, so the module's exit waits for an RCU-tasks
 * grace period (main.c), after which no task is still inside such a work.
 *
 * A freeze waits with job->lock held.  THAW and DESTROY (and the release of
 * the owning socket) cancel a freeze that is still waiting
 * (ckpt_freeze_cancel) instead of waiting behind it.
 *
 * The dump of a frozen job covers exactly what the freeze parked
 * (ckpt_freeze_dump_set): a process that became a member since, or a
 * parked one that left, makes the dump fail.
 */
#include "ckpt.h"

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait.h>

#include "compat.h"
#include "events.h"
#include "freeze.h"
#include "job.h"
#include "members.h"
#include "restart.h"

enum {
	CKPT_PARK_QUEUED,	/* work queued, not run yet */
	CKPT_PARK_PARKED,	/* parked, waiting for the thaw */
	CKPT_PARK_DONE,		/* ran after the thaw, or was thawed */
	CKPT_PARK_GONE,		/* exited or killed instead of parking */
};

struct ckpt_park {
	struct callback_head work;
	struct ckpt_freeze *fz;
	struct task_struct *task;	/* reference */
	int state;			/* CKPT_PARK_*, READ_ONCE */
	u32 walk;			/* the last walk that found it a member */
};

/*
 * Parks with an index by task (open addressing), in one allocation.  The
 * first set comes with its freeze, sized for the threads the job had at
 * its last freeze; a walk that finds more threads than fit adds a set
 * (queued works point into the sets: they never move).  Only the newest
 * set, the head of the list, has room.
 */
struct ckpt_parks {
	struct ckpt_parks *next;
	unsigned int n, cap;
	unsigned int mask;		/* of @slot: a power of two >= 2 * cap */
	u32 *slot;			/* 1 + the index of a park, 0 if free */
	struct ckpt_park park[];
};

struct ckpt_freeze {
	refcount_t ref;			/* the job's, one per queued work */
	wait_queue_head_t thaw_wq;	/* parked threads wait for the thaw */
	bool thawed;
	struct ckpt_job *job;		/* reference */
	/*
	 * Works queued that have neither parked nor ended: each thread
	 * counts itself out once, and wakes the freezer (job->park_wq) only
	 * when the count drops to @wake_at, the number of them the freezer
	 * found stopped or exiting (0 unless some are).
	 */
	atomic_t unsettled;
	int wake_at;			/* READ_ONCE */
	/* the rest is written only by the freezer, under job->lock */
	u32 walk;			/* walks of the task list so far */
	unsigned int nr;		/* parks in all the sets */
	struct ckpt_parks *parks;	/* the first set follows this struct */
};

#define ckpt_for_each_park(fz, ps, i, pk)				\
	for (ps = (fz)->parks; ps; ps = ps->next)			\
		for (i = 0; i < ps->n && ((pk) = &ps->park[i]); i++)

static size_t ckpt_parks_size(unsigned int cap)
{
	return struct_size((struct ckpt_parks *)NULL, park, cap) +
	       roundup_pow_of_two(2 * (size_t)cap) * sizeof(u32);
}

/* @ps is zeroed memory of ckpt_parks_size(@cap) bytes. */
static void ckpt_parks_init(struct ckpt_parks *ps, unsigned int cap)
{
	ps->cap = cap;
	ps->mask = roundup_pow_of_two(2 * (size_t)cap) - 1;
	ps->slot = (u32 *)&ps->park[cap];
}

/* A job's first freeze has room for this many threads before it grows. */
#define CKPT_FREEZE_FIRST_GUESS	240

/* Room for @n threads and some that may come while the freeze runs. */
static unsigned int ckpt_parks_room(unsigned int n)
{
	return min_t(unsigned int, n + n / 8 + 16, PID_MAX_LIMIT);
}

static void ckpt_freeze_put(struct ckpt_freeze *fz)
{
	struct ckpt_parks *ps, *next;
	struct ckpt_park *pk;
	unsigned int i;

	if (!refcount_dec_and_test(&fz->ref))
		return;
	ckpt_for_each_park(fz, ps, i, pk)
		put_task_struct(pk->task);
	for (ps = fz->parks; ps; ps = next) {
		next = ps->next;
		if (ps != (struct ckpt_parks *)(fz + 1))
			kvfree(ps);
	}
	ckpt_job_put(fz->job);
	kvfree(fz);
	/* the last of this module's code that a parking work runs */
	module_put(THIS_MODULE);
}

static struct ckpt_park *ckpt_park_find(const struct ckpt_freeze *fz,
					const struct task_struct *t)
{
	const struct ckpt_parks *ps;
	unsigned int i;

	for (ps = fz->parks; ps; ps = ps->next)
		for (i = hash_ptr(t, 32) & ps->mask; ps->slot[i];
		     i = (i + 1) & ps->mask)
			if (ps->park[ps->slot[i] - 1].task == t)
				return (struct ckpt_park *)&ps->park[ps->slot[i] - 1];
	return NULL;
}

/* @pk leaves the threads the freezer waits for, as @state. */
static void ckpt_park_settle(struct ckpt_park *pk, int state)
{
	struct ckpt_freeze *fz = pk->fz;

	smp_store_release(&pk->state, state);
	/* fully ordered: pairs with the freezer's write of wake_at */
	if (atomic_dec_return(&fz->unsettled) <= READ_ONCE(fz->wake_at))
		wake_up(&fz->job->park_wq);
}

/*
 * Sleep until the thaw; -EINTR if killed.  The thread says it is parked
 * only once its task state is the parked one, so that whoever sees the
 * job frozen also sees every thread asleep (state I in /proc), never
 * still running on its way into the sleep.  *@announced: it did.
 */
static int ckpt_park_sleep(struct ckpt_park *pk, bool *announced)
{
	struct ckpt_freeze *fz = pk->fz;
	struct wait_queue_entry wait;
	int err = 0;

	init_wait_entry(&wait, 0);
	for (;;) {
		long intr = prepare_to_wait_event(&fz->thaw_wq, &wait,
						  TASK_KILLABLE | TASK_NOLOAD |
						  TASK_FREEZABLE);

		if (READ_ONCE(fz->thawed))
			break;
		if (intr) {
			err = -EINTR;
			break;
		}
		if (!*announced) {
			ckpt_park_settle(pk, CKPT_PARK_PARKED);
			*announced = true;
		}
		schedule();
	}
	finish_wait(&fz->thaw_wq, &wait);
	return err;
}

/* The task_work: runs in the thread itself on its way to user mode. */
static void ckpt_park_fn(struct callback_head *work)
{
	struct ckpt_park *pk = container_of(work, struct ckpt_park, work);
	struct ckpt_freeze *fz = pk->fz;
	struct ckpt_job *job = fz->job;
	int state = CKPT_PARK_GONE;
	bool announced = false;

	if (READ_ONCE(fz->thawed)) {
		state = CKPT_PARK_DONE;
	} else if (!(current->flags & PF_EXITING)) {
		struct pt_regs *regs = task_pt_regs(current);
		bool restarted = ckpt_restart_fixup(regs);

		if (ckpt_park_sleep(pk, &announced)) {
			ckpt_event_task(job, CKPT_EVENT_TASK_EXITED,
					task_pid_nr_ns(current, job->pidns));
		} else {
			state = CKPT_PARK_DONE;
			if (restarted)
				ckpt_restart_undo(regs);
		}
	}
	/* @fz holds @job: settle before the last reference may go */
	if (announced)
		smp_store_release(&pk->state, state);
	else
		ckpt_park_settle(pk, state);
	ckpt_freeze_put(fz);
}

/*
 * Queue the parking work on @t, a member thread not parked yet, under
 * rcu_read_lock.  False if the sets are full.
 */
static bool ckpt_park_queue(struct ckpt_freeze *fz, struct task_struct *t)
{
	struct ckpt_parks *ps = fz->parks;
	struct ckpt_park *pk;
	unsigned int i;

	if (ps->n == ps->cap)
		return false;
	pk = &ps->park[ps->n++];
	for (i = hash_ptr(t, 32) & ps->mask; ps->slot[i]; i = (i + 1) & ps->mask)
		;
	ps->slot[i] = ps->n;
	fz->nr++;

	get_task_struct(t);
	pk->fz = fz;
	pk->task = t;
	pk->state = CKPT_PARK_QUEUED;
	pk->walk = fz->walk;
	init_task_work(&pk->work, ckpt_park_fn);
	refcount_inc(&fz->ref);
	atomic_inc(&fz->unsettled);
	/* a full barrier: the work sees the park filled in */
	if (task_work_add(t, &pk->work, TWA_SIGNAL)) {
		/* exiting: it will never return to user mode */
		pk->state = CKPT_PARK_GONE;
		atomic_dec(&fz->unsettled);
		refcount_dec(&fz->ref);		/* the job's is still held */
	}
	return true;
}

/* A freeze and its first set of parks, for about @n threads. */
static struct ckpt_freeze *ckpt_freeze_alloc(unsigned int n)
{
	unsigned int cap = ckpt_parks_room(n);
	struct ckpt_freeze *fz;

	fz = kvzalloc(sizeof(*fz) + ckpt_parks_size(cap), GFP_KERNEL_ACCOUNT);
	if (!fz)
		return NULL;
	fz->parks = (struct ckpt_parks *)(fz + 1);
	ckpt_parks_init(fz->parks, cap);
	return fz;
}

/* Another set of parks, for @missing threads that did not fit. */
static int ckpt_freeze_grow(struct ckpt_freeze *fz, unsigned int missing)
{
	unsigned int cap = ckpt_parks_room(missing + fz->nr / 2);
	struct ckpt_parks *ps;

	ps = kvzalloc(ckpt_parks_size(cap), GFP_KERNEL_ACCOUNT);
	if (!ps)
		return -ENOMEM;
	ckpt_parks_init(ps, cap);
	ps->next = fz->parks;
	fz->parks = ps;
	return 0;
}

/* Stopped, or on its way out: a thread that will not run its work now. */
static bool ckpt_park_held(const struct ckpt_park *pk)
{
	const struct task_struct *t = pk->task;

	return task_is_stopped(t) || (t->flags & PF_EXITING) || t->exit_state;
}

/*
 * The first thread that has not settled (neither parked nor ended) and is
 * neither stopped nor exiting, or NULL; *@held counts those that are.
 */
static struct ckpt_park *ckpt_freeze_unsettled(struct ckpt_freeze *fz,
					       int *held)
{
	struct ckpt_park *pk, *late = NULL;
	struct ckpt_parks *ps;
	unsigned int i;

	*held = 0;
	ckpt_for_each_park(fz, ps, i, pk) {
		if (smp_load_acquire(&pk->state) != CKPT_PARK_QUEUED)
			continue;
		if (ckpt_park_held(pk))
			(*held)++;
		else if (!late)
			late = pk;
	}
	return late;
}

static bool ckpt_freeze_cancelled(struct ckpt_job *job)
{
	return READ_ONCE(job->cancel_seq) == job->freeze_seq;
}

/*
 * Until every queued thread has settled or is stopped or exiting.  The
 * threads count themselves out; the last one wakes the freezer, which
 * looks at the parks again only then, and every 100 ms for threads that
 * stopped without running their work.
 */
static int ckpt_freeze_wait(struct ckpt_job *job, struct ckpt_freeze *fz,
			    unsigned long deadline, struct ckpt_park **late)
{
	for (;;) {
		long left = (long)(deadline - jiffies);
		int held;

		*late = NULL;
		if (!atomic_read(&fz->unsettled))
			return 0;
		*late = ckpt_freeze_unsettled(fz, &held);
		if (!*late)
			return 0;
		if (ckpt_freeze_cancelled(job))
			return -ECANCELED;
		if (left <= 0)
			return -ETIMEDOUT;
		WRITE_ONCE(fz->wake_at, held);
		smp_mb();	/* pairs with ckpt_park_settle's atomic_dec_return */
		if (wait_event_killable_timeout(job->park_wq,
						atomic_read(&fz->unsettled) <= held ||
						ckpt_freeze_cancelled(job),
						min_t(long, left, HZ / 10)) < 0)
			return -EINTR;
	}
}

/*
 * Cancel the freeze of @job that is still waiting for its threads, if any;
 * without job->lock.  True if one was waiting (it then fails with
 * -ECANCELED and thaws what it parked).
 */
bool ckpt_freeze_cancel(struct ckpt_job *job)
{
	u64 seq;

	if (READ_ONCE(job->state) != CKPT_JOB_FREEZING)
		return false;
	smp_rmb();	/* the freeze's number is written before its state */
	seq = READ_ONCE(job->freeze_seq);
	WRITE_ONCE(job->cancel_seq, seq);
	wake_up_all(&job->park_wq);
	return true;
}

/* What one walk of the task list did. */
struct ckpt_walk {
	unsigned int found;		/* threads queued */
	unsigned int missing;		/* new threads that did not fit */
	struct task_struct *bad;	/* reference: a thread we cannot park */
	int err;			/* why */
};

/* Was process @q found to be a member earlier in this walk? */
static bool ckpt_freeze_seen(const struct task_struct *q, void *arg)
{
	const struct ckpt_freeze *fz = arg;
	const struct ckpt_park *pk = ckpt_park_find(fz, q);

	return pk && pk->walk == fz->walk;
}

static int ckpt_park_refused(struct task_struct *t)
{
	if (same_thread_group(t, current))
		return -EDEADLK;
	if (t->flags & PF_IO_WORKER)
		return -EOPNOTSUPP;
	if (READ_ONCE(t->ptrace))
		return -EBUSY;
	return 0;
}

/*
 * One walk of the task list: queue the work on every member thread that
 * has none yet.  Once a thread did not fit, a process whose parent did
 * not fit either is checked by its ancestry instead, so that
 * @w->missing counts every thread left out.
 */
static void ckpt_freeze_walk(struct ckpt_job *job, struct ckpt_freeze *fz,
			     struct ckpt_walk *w)
{
	struct task_struct *p, *t;

	memset(w, 0, sizeof(*w));
	fz->walk++;
	rcu_read_lock();
	for_each_process(p) {
		if (!ckpt_job_has_process_walk(job, p, ckpt_freeze_seen, fz) &&
		    !(w->missing && job->kind == CKPT_JOB_TREE &&
		      ckpt_job_has_process(job, p)))
			continue;
		for_each_thread(p, t) {
			struct ckpt_park *pk = ckpt_park_find(fz, t);

			if (pk) {
				pk->walk = fz->walk;
				continue;
			}
			w->err = ckpt_park_refused(t);
			if (w->err) {
				get_task_struct(t);
				w->bad = t;
				goto out;
			}
			if (ckpt_park_queue(fz, t))
				w->found++;
			else
				w->missing++;
		}
	}
out:
	rcu_read_unlock();
}

/*
 * Queue the work on every member thread not seen yet, growing the parks
 * until all fit; *@found counts them.
 */
static int ckpt_freeze_pass(struct ckpt_job *job, struct ckpt_freeze *fz,
			    unsigned int *found, struct task_struct **bad,
			    struct netlink_ext_ack *extack)
{
	struct ckpt_walk w;
	int err = 0;

	*found = 0;
	*bad = NULL;
	for (;;) {
		ckpt_freeze_walk(job, fz, &w);
		*found += w.found;
		if (w.err || !w.missing)
			break;
		err = ckpt_freeze_grow(fz, w.missing);
		if (err)
			return err;
	}
	*bad = w.bad;
	switch (w.err) {
	case -EDEADLK:
		NL_SET_ERR_MSG_MOD(extack,
				   "the job contains the calling process");
		break;
	case -EOPNOTSUPP:
		ckpt_extack_fmt(extack,
				"a member uses io_uring worker threads (io-wq or SQPOLL), which ckpt cannot checkpoint yet",
				"pid %d has io_uring threads (io-wq, SQPOLL): not supported yet",
				task_tgid_nr_ns(w.bad, job->pidns));
		break;
	case -EBUSY:
		ckpt_extack_fmt(extack,
				"a member is traced by a debugger; detach it and retry",
				"pid %d is traced by a debugger; detach it and retry",
				task_tgid_nr_ns(w.bad, job->pidns));
		break;
	}
	return w.err;
}

static void ckpt_freeze_blame(struct ckpt_job *job, struct task_struct *t)
{
	job->err_pid = task_tgid_nr_ns(t, job->pidns);	/* the process */
	job->err_state = task_state_to_char(t);
}

int ckpt_freeze_job(struct ckpt_job *job, u32 portid, unsigned int timeout_ms,
		    struct netlink_ext_ack *extack)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct task_struct *bad = NULL;
	struct ckpt_park *late = NULL;
	struct ckpt_freeze *fz;
	unsigned int found, total = 0;
	int err;

	if (job->freeze) {
		NL_SET_ERR_MSG_MOD(extack, "the job is already frozen");
		return -EALREADY;
	}
	fz = ckpt_freeze_alloc(job->freeze_threads ?: CKPT_FREEZE_FIRST_GUESS);
	if (!fz)
		return -ENOMEM;
	refcount_set(&fz->ref, 1);		/* the job's */
	init_waitqueue_head(&fz->thaw_wq);
	refcount_inc(&job->ref);
	fz->job = job;
	/* a work may run after the freeze is undone: it holds the freeze */
	__module_get(THIS_MODULE);

	job->freeze = fz;
	WRITE_ONCE(job->freeze_seq, job->freeze_seq + 1);
	job->freeze_portid = portid;
	job->err_pid = 0;
	job->err_state = 0;
	smp_wmb();	/* pairs with ckpt_freeze_cancel */
	WRITE_ONCE(job->state, CKPT_JOB_FREEZING);

	/* Until a pass finds no new thread with everyone parked. */
	do {
		err = ckpt_freeze_pass(job, fz, &found, &bad, extack);
		if (err)
			goto fail;
		total += found;
		err = ckpt_freeze_wait(job, fz, deadline, &late);
		if (err)
			goto fail;
	} while (found);

	job->freeze_threads = fz->nr;
	if (!total) {
		NL_SET_ERR_MSG_MOD(extack, "the job has no processes");
		err = -ESRCH;
		goto fail;
	}
	WRITE_ONCE(job->state, CKPT_JOB_FROZEN);
	ckpt_event_job(job, CKPT_EVENT_FROZEN);
	return 0;

fail:
	if (err == -ETIMEDOUT && late) {
		ckpt_freeze_blame(job, late->task);
		ckpt_extack_fmt(extack,
				"a thread did not stop in time (uninterruptible sleep?); the job was thawed",
				"pid %d did not stop within %u ms (state %c); the job was thawed",
				job->err_pid, timeout_ms, job->err_state);
		pr_info("job %u: freeze failed: pid %d did not stop within %u ms (state %c)\n",
			job->id, job->err_pid, timeout_ms, job->err_state);
	} else if (err == -ECANCELED) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the freeze was cancelled by a thaw or destroy of the job; the job was thawed");
	} else if (bad) {
		ckpt_freeze_blame(job, bad);
		put_task_struct(bad);
	}
	ckpt_freeze_undo(job);
	ckpt_event_job(job, CKPT_EVENT_FREEZE_FAILED);
	return err;
}

void ckpt_freeze_undo(struct ckpt_job *job)
{
	struct ckpt_freeze *fz = job->freeze;
	bool was_frozen;

	if (!fz)
		return;
	was_frozen = READ_ONCE(job->state) == CKPT_JOB_FROZEN;
	WRITE_ONCE(fz->thawed, true);
	wake_up_all(&fz->thaw_wq);
	job->freeze = NULL;
	WRITE_ONCE(job->freeze_portid, 0);
	WRITE_ONCE(job->state, CKPT_JOB_RUNNING);
	ckpt_freeze_put(fz);
	if (was_frozen)
		ckpt_event_job(job, CKPT_EVENT_THAWED);
}

/*
 * Does the freeze cover @p?  Every live thread of it is parked; *@parked
 * counts them.  A zombie (no live thread) is covered.  Under
 * rcu_read_lock and job->lock.
 */
static bool ckpt_freeze_covers(const struct ckpt_freeze *fz,
			       struct task_struct *p, unsigned int *parked)
{
	struct task_struct *t;

	for_each_thread(p, t) {
		struct ckpt_park *pk;

		if (t->exit_state)
			continue;
		pk = ckpt_park_find(fz, t);
		if (!pk || smp_load_acquire(&pk->state) != CKPT_PARK_PARKED)
			return false;
		(*parked)++;
	}
	return true;
}

/*
 * The processes a dump of the frozen @job covers: exactly those whose
 * threads this freeze parked, which must be exactly the members now.
 * -EBUSY with *@bad (a reference) if a member is not covered (it joined
 * after the freeze, or has a thread that is not parked) or a parked
 * process is no member any more.  Under job->lock.
 */
int ckpt_freeze_dump_set(struct ckpt_job *job, struct ckpt_taskvec *procs,
			 struct task_struct **bad)
{
	struct ckpt_freeze *fz = job->freeze;
	unsigned int i, parked = 0, total = 0;
	struct task_struct *left = NULL;
	struct ckpt_parks *ps;
	struct ckpt_park *pk;
	int err;

	*bad = NULL;
	if (!fz || READ_ONCE(job->state) != CKPT_JOB_FROZEN)
		return -EBUSY;
	err = ckpt_members_collect(job, false, procs);
	if (err)
		return err;
	rcu_read_lock();
	for (i = 0; i < procs->n && !*bad; i++)
		if (!ckpt_freeze_covers(fz, procs->tasks[i], &parked))
			*bad = procs->tasks[i];
	if (!*bad) {
		ckpt_for_each_park(fz, ps, i, pk)
			if (smp_load_acquire(&pk->state) == CKPT_PARK_PARKED)
				total++;
	}
	if (!*bad && total != parked) {
		/* parked threads not counted above belong to non-members */
		ckpt_for_each_park(fz, ps, i, pk) {
			if (!left &&
			    smp_load_acquire(&pk->state) == CKPT_PARK_PARKED &&
			    pid_alive(pk->task) &&
			    !ckpt_job_has_process(job, pk->task->group_leader))
				left = pk->task;
		}
		*bad = left ?: (procs->n ? procs->tasks[0] : NULL);
	}
	if (*bad)
		get_task_struct(*bad);
	rcu_read_unlock();
	if (*bad) {
		ckpt_taskvec_release(procs);
		return -EBUSY;
	}
	return 0;
}
