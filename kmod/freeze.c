// SPDX-License-Identifier: GPL-2.0
/*
 * Freezing a job: every thread of every member is parked at its return to
 * user mode, where its user registers are complete and stable.
 *
 * Each thread gets a task_work queued with TWA_SIGNAL.  That kicks a thread
 * out of an interruptible sleep (its system call returns -ERESTART*, and
 * the architecture's signal code restarts it once the work has run and
 * finds no signal to deliver), and makes a fork in progress restart
 * (copy_process checks for pending signals before the child is attached),
 * so that no child escapes: after every known thread is parked, the members
 * are collected again until a pass finds nobody new.  The work parks the
 * thread in a killable, no-load, freezable sleep until the freeze is
 * undone: a SIGKILL still ends a parked task, and the system freezer
 * (suspend, hibernation) freezes it like any sleeping task.
 *
 * task_work_cancel is not exported, so a queued work can run long after
 * its freeze was undone: it then sees the freeze marked thawed and returns
 * at once.  Every queued work holds a reference on its freeze and on this
 * module, so neither goes away under it; unloading ckpt.ko is refused while
 * a thread has not run its work yet.  The work's module_put cannot be the
 * last instruction of module code it executes, so the module's exit waits
 * for an RCU-tasks grace period (main.c), after which no task is still
 * inside such a work.
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

#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/module.h>
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

struct ckpt_freeze {
	refcount_t ref;
	wait_queue_head_t thaw_wq;	/* parked threads wait for the thaw */
	bool thawed;
	struct ckpt_job *job;		/* reference */
	/* ckpt_park by task; written only by the freezer (job->lock) */
	DECLARE_HASHTABLE(parks, 10);
};

struct ckpt_park {
	struct callback_head work;
	struct hlist_node node;
	struct ckpt_freeze *fz;
	struct task_struct *task;	/* reference */
	int state;			/* CKPT_PARK_*, READ_ONCE */
};

static void ckpt_freeze_put(struct ckpt_freeze *fz)
{
	struct ckpt_park *pk;
	struct hlist_node *tmp;
	int bkt;

	if (!refcount_dec_and_test(&fz->ref))
		return;
	hash_for_each_safe(fz->parks, bkt, tmp, pk, node) {
		put_task_struct(pk->task);
		kfree(pk);
	}
	ckpt_job_put(fz->job);
	kfree(fz);
}

/* The task_work: runs in the thread itself on its way to user mode. */
static void ckpt_park_fn(struct callback_head *work)
{
	struct ckpt_park *pk = container_of(work, struct ckpt_park, work);
	struct ckpt_freeze *fz = pk->fz;
	struct ckpt_job *job = fz->job;
	int state = CKPT_PARK_GONE;

	if (READ_ONCE(fz->thawed)) {
		state = CKPT_PARK_DONE;
	} else if (!(current->flags & PF_EXITING)) {
		struct pt_regs *regs = task_pt_regs(current);
		bool restarted = ckpt_restart_fixup(regs);

		smp_store_release(&pk->state, CKPT_PARK_PARKED);
		wake_up(&job->park_wq);
		if (wait_event_state(fz->thaw_wq, READ_ONCE(fz->thawed),
				     (TASK_KILLABLE | TASK_NOLOAD |
				      TASK_FREEZABLE))) {
			ckpt_event_task(job, CKPT_EVENT_TASK_EXITED,
					task_pid_nr_ns(current, job->pidns));
		} else {
			state = CKPT_PARK_DONE;
			if (restarted)
				ckpt_restart_undo(regs);
		}
	}
	/* @fz holds @job: wake before the last reference may go */
	smp_store_release(&pk->state, state);
	wake_up(&job->park_wq);
	ckpt_freeze_put(fz);
	module_put(THIS_MODULE);
}

static struct ckpt_park *ckpt_park_find(const struct ckpt_freeze *fz,
					const struct task_struct *t)
{
	struct ckpt_park *pk;

	hash_for_each_possible(fz->parks, pk, node, (unsigned long)t)
		if (pk->task == t)
			return pk;
	return NULL;
}

/* Queue the parking work on @t; the reference on @t moves to the park. */
static int ckpt_park_queue(struct ckpt_freeze *fz, struct task_struct *t)
{
	struct ckpt_park *pk = kzalloc(sizeof(*pk), GFP_KERNEL_ACCOUNT);

	if (!pk) {
		put_task_struct(t);
		return -ENOMEM;
	}
	pk->fz = fz;
	pk->task = t;
	pk->state = CKPT_PARK_QUEUED;
	init_task_work(&pk->work, ckpt_park_fn);
	hash_add(fz->parks, &pk->node, (unsigned long)t);

	refcount_inc(&fz->ref);
	__module_get(THIS_MODULE);
	if (task_work_add(t, &pk->work, TWA_SIGNAL)) {
		/* exiting: it will never return to user mode */
		pk->state = CKPT_PARK_GONE;
		module_put(THIS_MODULE);
		refcount_dec(&fz->ref);		/* ours is still held */
	}
	return 0;
}

static bool ckpt_park_settled(struct ckpt_park *pk)
{
	struct task_struct *t = pk->task;

	return smp_load_acquire(&pk->state) != CKPT_PARK_QUEUED ||
	       task_is_stopped(t) || (t->flags & PF_EXITING) || t->exit_state;
}

/* The first thread that is neither parked nor stopped nor gone, or NULL. */
static struct ckpt_park *ckpt_freeze_unsettled(struct ckpt_freeze *fz)
{
	struct ckpt_park *pk;
	int bkt;

	hash_for_each(fz->parks, bkt, pk, node)
		if (!ckpt_park_settled(pk))
			return pk;
	return NULL;
}

static bool ckpt_freeze_cancelled(struct ckpt_job *job)
{
	return READ_ONCE(job->cancel_seq) == job->freeze_seq;
}

static int ckpt_freeze_wait(struct ckpt_job *job, struct ckpt_freeze *fz,
			    unsigned long deadline, struct ckpt_park **late)
{
	while ((*late = ckpt_freeze_unsettled(fz))) {
		long left = (long)(deadline - jiffies);

		if (ckpt_freeze_cancelled(job))
			return -ECANCELED;
		if (left <= 0)
			return -ETIMEDOUT;
		if (wait_event_killable_timeout(job->park_wq,
						!ckpt_freeze_unsettled(fz) ||
						ckpt_freeze_cancelled(job),
						min_t(long, left, HZ / 10)) < 0)
			return -EINTR;
	}
	return 0;
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

/* Queue work on every member thread not seen yet; *found counts them. */
static int ckpt_freeze_pass(struct ckpt_job *job, struct ckpt_freeze *fz,
			    unsigned int *found, struct task_struct **bad,
			    struct netlink_ext_ack *extack)
{
	struct ckpt_taskvec v = { 0 };
	unsigned int i;
	int err;

	*found = 0;
	err = ckpt_members_collect(job, true, &v);
	for (i = 0; !err && i < v.n; i++) {
		struct task_struct *t = v.tasks[i];

		if (ckpt_park_find(fz, t))
			continue;
		if (same_thread_group(t, current)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the job contains the calling process");
			err = -EDEADLK;
		} else if (t->flags & PF_IO_WORKER) {
			ckpt_extack_fmt(extack,
					"a member uses io_uring worker threads (io-wq or SQPOLL), which ckpt cannot checkpoint yet",
					"pid %d uses io_uring worker threads (io-wq or SQPOLL), which ckpt cannot checkpoint yet",
					task_tgid_nr_ns(t, job->pidns));
			err = -EOPNOTSUPP;
		} else if (READ_ONCE(t->ptrace)) {
			ckpt_extack_fmt(extack,
					"a member is traced by a debugger; detach it and retry",
					"pid %d is traced by a debugger; detach it and retry",
					task_tgid_nr_ns(t, job->pidns));
			err = -EBUSY;
		}
		if (err) {
			*bad = t;
			break;
		}
		v.tasks[i] = NULL;
		err = ckpt_park_queue(fz, t);
		(*found)++;
	}
	if (err && *bad)
		get_task_struct(*bad);
	for (i = 0; i < v.n; i++)
		if (v.tasks[i])
			put_task_struct(v.tasks[i]);
	v.n = 0;
	ckpt_taskvec_release(&v);
	return err;
}

static void ckpt_freeze_blame(struct ckpt_job *job, struct task_struct *t)
{
	job->err_pid = task_pid_nr_ns(t, job->pidns);
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
	fz = kzalloc(sizeof(*fz), GFP_KERNEL_ACCOUNT);
	if (!fz)
		return -ENOMEM;
	refcount_set(&fz->ref, 1);		/* the job's */
	init_waitqueue_head(&fz->thaw_wq);
	hash_init(fz->parks);
	refcount_inc(&job->ref);
	fz->job = job;

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
	struct ckpt_park *pk;
	int err, bkt;

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
		hash_for_each(fz->parks, bkt, pk, node)
			if (smp_load_acquire(&pk->state) == CKPT_PARK_PARKED)
				total++;
	}
	if (!*bad && total != parked) {
		/* parked threads not counted above belong to non-members */
		hash_for_each(fz->parks, bkt, pk, node) {
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
