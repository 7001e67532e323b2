// SPDX-License-Identifier: GPL-2.0
/*
 * Dump records of a process and its threads: TASK (ids, creds, rlimits,
 * process-wide pending signals), SIGACTIONS, and one THREAD per thread
 * with its register sets read through the regset interface, rewound to
 * the point where an interrupted system call restarts.
 *
 * A parked thread can still be killed (SIGKILL) while the dump reads it:
 * its sighand goes away as it is released, so signal state is read only
 * under a sighand lock that is re-checked (ckpt_lock_sighand), and a
 * thread found gone fails the dump with -ESRCH naming the process.  Its
 * registers live on its kernel stack, which is freed once it has exited:
 * they are read with that lock held, which an exiting thread must take
 * (to release itself) before its stack can go.
 */
#include "ckpt.h"

#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/futex.h>
#include <linux/pid_namespace.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <asm/unistd.h>

#include "dump_task.h"
#include "job.h"
#include "members.h"
#include "record.h"
#include "restart.h"

static u64 ckpt_sigset(const sigset_t *s)
{
	return s->sig[0];
}

/*
 * Lock @t's sighand, or NULL if @t has been released.  lock_task_sighand
 * is not exported; sighand_struct is freed only after an RCU grace period
 * (SLAB_TYPESAFE_BY_RCU), so it is locked under RCU and re-checked.
 */
static struct sighand_struct *ckpt_lock_sighand(struct task_struct *t,
						unsigned long *flags)
{
	struct sighand_struct *sh;

	rcu_read_lock();
	for (;;) {
		sh = rcu_dereference(t->sighand);
		if (!sh)
			break;
		spin_lock_irqsave(&sh->siglock, *flags);
		if (likely(sh == rcu_access_pointer(t->sighand)))
			break;
		spin_unlock_irqrestore(&sh->siglock, *flags);
	}
	rcu_read_unlock();
	return sh;
}

static void ckpt_unlock_sighand(struct sighand_struct *sh, unsigned long *flags)
{
	spin_unlock_irqrestore(&sh->siglock, *flags);
}

/* The process's main thread called pthread_exit; other threads run on. */
static bool ckpt_leader_exited(struct task_struct *p)
{
	return p->exit_state && !thread_group_empty(p);
}

static int ckpt_gone(struct ckpt_recbuf *b, struct ckpt_job *job,
		     struct task_struct *p)
{
	pid_t pid = task_tgid_nr_ns(p, job->rec_ns);

	return ckpt_rec_fail(b, -ESRCH, pid, 0, 0,
			     "pid %d exited during the dump", pid);
}

static void ckpt_fill_creds(struct ckpt_rec_task *r, struct task_struct *p)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *c;

	rcu_read_lock();
	c = __task_cred(p);
	r->uid = from_kuid_munged(ns, c->uid);
	r->euid = from_kuid_munged(ns, c->euid);
	r->suid = from_kuid_munged(ns, c->suid);
	r->fsuid = from_kuid_munged(ns, c->fsuid);
	r->gid = from_kgid_munged(ns, c->gid);
	r->egid = from_kgid_munged(ns, c->egid);
	r->sgid = from_kgid_munged(ns, c->sgid);
	r->fsgid = from_kgid_munged(ns, c->fsgid);
	memcpy(&r->cap_inheritable, &c->cap_inheritable, sizeof(u64));
	memcpy(&r->cap_permitted, &c->cap_permitted, sizeof(u64));
	memcpy(&r->cap_effective, &c->cap_effective, sizeof(u64));
	memcpy(&r->cap_bset, &c->cap_bset, sizeof(u64));
	memcpy(&r->cap_ambient, &c->cap_ambient, sizeof(u64));
	rcu_read_unlock();
}

static void ckpt_emit_task(struct ckpt_recbuf *b, struct ckpt_job *job,
			   struct task_struct *p)
{
	struct pid_namespace *ns = job->rec_ns;
	struct sighand_struct *sh;
	struct ckpt_rec_task *r;
	unsigned long flags;
	int i;

	r = ckpt_rec_start(b, CKPT_REC_TASK, sizeof(*r));
	if (!r)
		return;
	/* real_parent is valid only while @p is alive (pid_alive) */
	rcu_read_lock();
	if (pid_alive(p))
		r->ppid = task_tgid_nr_ns(rcu_dereference(p->real_parent), ns);
	rcu_read_unlock();
	r->pid = task_tgid_nr_ns(p, ns);
	r->pgid = task_pgrp_nr_ns(p, ns);
	r->sid = task_session_nr_ns(p, ns);
	r->nr_threads = get_nr_threads(p);
	if (ckpt_leader_exited(p)) {
		struct task_struct *t;

		r->flags |= CKPT_TASK_LEADER_EXITED;
		r->nr_threads = 0;	/* the live ones */
		rcu_read_lock();
		for_each_thread(p, t)
			if (!t->exit_state)
				r->nr_threads++;
		rcu_read_unlock();
	} else if (p->exit_state) {
		r->flags |= CKPT_TASK_ZOMBIE;
	}
	if (task_is_stopped(p))
		r->flags |= CKPT_TASK_STOPPED;
	r->personality = p->personality;
	r->exit_signal = p->exit_signal;
	r->exit_code = p->exit_code;
	ckpt_fill_creds(r, p);
	__get_task_comm(r->comm, sizeof(r->comm), p);

	if (!(r->flags & CKPT_TASK_ZOMBIE)) {
		for (i = 0; i < CKPT_NR_RLIMITS && i < RLIM_NLIMITS; i++) {
			r->rlimits[i].cur = task_rlimit(p, i);
			r->rlimits[i].max = task_rlimit_max(p, i);
		}
		sh = ckpt_lock_sighand(p, &flags);
		if (!sh) {
			ckpt_gone(b, job, p);
			return;
		}
		r->shared_pending = ckpt_sigset(&p->signal->shared_pending.signal);
		ckpt_unlock_sighand(sh, &flags);
	}
	ckpt_rec_finish(b, r, sizeof(*r));
}

static void ckpt_emit_sigactions(struct ckpt_recbuf *b, struct ckpt_job *job,
				 struct task_struct *p)
{
	size_t body = sizeof(struct ckpt_rec_sigactions) +
		      _NSIG * sizeof(struct ckpt_sigaction);
	struct ckpt_rec_sigactions *r;
	struct sighand_struct *sh;
	unsigned long flags;
	int i;

	r = ckpt_rec_start(b, CKPT_REC_SIGACTIONS, body);
	if (!r)
		return;
	r->pid = task_tgid_nr_ns(p, job->rec_ns);
	r->nr = _NSIG;
	sh = ckpt_lock_sighand(p, &flags);
	if (!sh) {
		ckpt_gone(b, job, p);
		return;
	}
	for (i = 0; i < _NSIG; i++) {
		const struct k_sigaction *k = &sh->action[i];

		r->act[i].handler = (unsigned long)k->sa.sa_handler;
		r->act[i].flags = k->sa.sa_flags;
		r->act[i].restorer = (unsigned long)k->sa.sa_restorer;
		r->act[i].mask = ckpt_sigset(&k->sa.sa_mask);
	}
	ckpt_unlock_sighand(sh, &flags);
	ckpt_rec_finish(b, r, body);
}

static const struct user_regset *ckpt_regset(const struct user_regset_view *v,
					     unsigned int note)
{
	unsigned int i;

	for (i = 0; i < v->n; i++)
		if (v->regsets[i].core_note_type == note)
			return &v->regsets[i];
	return NULL;
}

/*
 * Regset @note of @t into @dst (room for @max bytes, zeroed); its length,
 * 0 if the regset does not exist or is not active, or -errno.  Does not
 * sleep or allocate: called under @t's sighand lock.
 */
static int ckpt_get_regset(struct task_struct *t, unsigned int note,
			   void *dst, size_t max)
{
	const struct user_regset *rs = ckpt_regset(task_user_regset_view(t), note);

	if (!rs || (rs->active && rs->active(t, rs) <= 0))
		return 0;
	if (rs->n * rs->size > max)
		return -E2BIG;
	return regset_get(t, rs, rs->n * rs->size, dst);
}

/*
 * A thread parked with an interrupted system call in its registers will
 * re-execute it when it resumes; record that state, so that a restore
 * resumes the same way.  ERESTART_RESTARTBLOCK re-executes the original
 * call too: its restart block is kernel state a restore cannot carry.
 * A call whose -EINTR the freeze turned into a restart (restart.c) is
 * recorded as interrupted again if a signal arrived meanwhile
 * (@sig_pending): restored, the signal's handler runs and the call fails
 * with EINTR, as after a thaw.
 */
static void ckpt_rewind_syscall(struct user_regs_struct *regs,
				bool sig_pending)
{
	if ((long)regs->orig_ax < 0)
		return;
	if (sig_pending && ckpt_restart_was_eintr((long)regs->orig_ax,
						  (long)regs->ax)) {
		regs->ax = -EINTR;
		return;
	}
	switch ((long)regs->ax) {
	case -ERESTARTSYS:
	case -ERESTARTNOHAND:
	case -ERESTARTNOINTR:
	case -ERESTART_RESTARTBLOCK:
		regs->ax = regs->orig_ax;
		regs->ip -= 2;		/* the syscall instruction */
		break;
	}
}

#define CKPT_REGS_MAX	(64 * 1024)

static int ckpt_emit_thread(struct ckpt_recbuf *b, struct ckpt_job *job,
			    struct task_struct *t)
{
	struct ckpt_rec_thread *r;
	struct sighand_struct *sh;
	unsigned long flags;
	size_t off = 0;
	u64 shared;
	int n;

	r = ckpt_rec_start(b, CKPT_REC_THREAD, sizeof(*r) + CKPT_REGS_MAX);
	if (!r)
		return b->err;
	r->pid = task_tgid_nr_ns(t, job->rec_ns);
	r->tid = task_pid_nr_ns(t, job->rec_ns);
	sh = ckpt_lock_sighand(t, &flags);
	if (!sh || (t->flags & PF_EXITING)) {
		if (sh)
			ckpt_unlock_sighand(sh, &flags);
		return ckpt_gone(b, job, t);
	}
	r->pending = ckpt_sigset(&t->pending.signal);
	shared = ckpt_sigset(&t->signal->shared_pending.signal);
	/*
	 * A thread parked inside sigsuspend/ppoll/pselect/epoll_pwait runs
	 * with the call's temporary mask; the mask it will have when the
	 * call restarts is the one saved for restoring.
	 */
	r->blocked = ckpt_sigset(test_tsk_restore_sigmask(t) ?
				 &t->saved_sigmask : &t->blocked);
	r->clear_child_tid = (unsigned long)t->clear_child_tid;
	r->robust_list = (unsigned long)t->robust_list;
	r->robust_list_len = sizeof(struct robust_list_head);
	r->sas_ss_sp = t->sas_ss_sp;
	r->sas_ss_size = t->sas_ss_size;
	r->sas_ss_flags = t->sas_ss_flags;

	n = ckpt_get_regset(t, NT_PRSTATUS, r->data, CKPT_REGS_MAX);
	if (n != sizeof(struct user_regs_struct))
		goto fail;
	ckpt_rewind_syscall((struct user_regs_struct *)r->data,
			    (r->pending | shared) & ~r->blocked);
	r->regs_len = n;
	off = ALIGN(n, 8);

	n = ckpt_get_regset(t, NT_PRFPREG, r->data + off, CKPT_REGS_MAX - off);
	if (n < 0)
		goto fail;
	r->fpregs_len = n;
	off += ALIGN(n, 8);

	n = ckpt_get_regset(t, NT_X86_XSTATE, r->data + off, CKPT_REGS_MAX - off);
	if (n < 0)
		goto fail;
	r->xstate_len = n;
	off += ALIGN(n, 8);

	n = ckpt_get_regset(t, NT_386_TLS, r->data + off, CKPT_REGS_MAX - off);
	if (n < 0)
		goto fail;
	r->tls_len = n;
	off += ALIGN(n, 8);
	ckpt_unlock_sighand(sh, &flags);

	ckpt_rec_finish(b, r, sizeof(*r) + off);
	return 0;
fail:
	ckpt_unlock_sighand(sh, &flags);
	return ckpt_rec_fail(b, n < 0 ? n : -EIO, r->pid, 0, 0,
			     "cannot read the registers of tid %d of pid %d (%d)",
			     r->tid, r->pid, n < 0 ? n : -EIO);
}

/* References to the live threads of @p, leader first; 0 or -errno. */
static int ckpt_collect_threads(struct task_struct *p, struct ckpt_taskvec *v)
{
	struct task_struct *t;
	unsigned int cap;

	for (cap = get_nr_threads(p) + 8;; cap *= 2) {
		v->tasks = kvmalloc_array(cap, sizeof(*v->tasks), GFP_KERNEL);
		if (!v->tasks)
			return -ENOMEM;
		v->cap = cap;
		v->n = 0;
		rcu_read_lock();
		for_each_thread(p, t) {
			if (t->exit_state)
				continue;
			if (v->n == v->cap)
				break;
			get_task_struct(t);
			v->tasks[v->n++] = t;
		}
		rcu_read_unlock();
		if (v->n < v->cap)
			return 0;
		ckpt_taskvec_release(v);
	}
}

/* TASK, and with @threads (a frozen job) SIGACTIONS and every THREAD. */
int ckpt_dump_task(struct ckpt_recbuf *b, struct ckpt_job *job,
		   struct task_struct *p, bool threads, u32 *nr_threads)
{
	struct ckpt_taskvec v = { 0 };
	unsigned int i;
	int err;

	*nr_threads = 0;
	ckpt_emit_task(b, job, p);
	if ((p->exit_state && !ckpt_leader_exited(p)) || !threads)
		return b->err;
	ckpt_emit_sigactions(b, job, p);

	err = b->err ?: ckpt_collect_threads(p, &v);
	for (i = 0; !err && i < v.n; i++) {
		err = ckpt_emit_thread(b, job, v.tasks[i]);
		if (!err)
			(*nr_threads)++;
	}
	ckpt_taskvec_release(&v);
	return err ?: b->err;
}
