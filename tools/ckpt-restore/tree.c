// SPDX-License-Identifier: GPL-2.0
/*
 * The process tree: every process is created with its original pid
 * (clone3 set_tid) by its original parent, or by the restorer when its
 * parent is not part of the job.  A session leader calls setsid() before
 * creating its children so that they inherit the session; zombies are
 * created and exit at once with their recorded status.  With --pidns the
 * tree lives in a new pid namespace, whose init is the job's pid 1 if it
 * has one, else a small reaper.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blob/blob.h"
#include "files/files.h"
#include "memory/memory.h"
#include "restore.h"

static pid_t clone_with_pid(pid_t pid, int exit_signal, uint64_t flags)
{
	pid_t tid = pid;
	struct clone_args ca = {
		.flags = flags,
		.exit_signal = (uint64_t)exit_signal,
		.set_tid = pid ? (uint64_t)&tid : 0,
		.set_tid_size = pid ? 1 : 0,
	};

	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

static void __attribute__((noreturn)) become_zombie(const struct rst_task *t)
{
	int st = t->task->exit_code;

	if (st & 0x7f) {	/* killed by a signal */
		struct rlimit no_core = { 0, 0 };
		sigset_t set;

		setrlimit(RLIMIT_CORE, &no_core);
		signal(st & 0x7f, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, st & 0x7f);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(st & 0x7f);
	}
	_exit((st >> 8) & 0xff);
}

static int create(struct rst *r, struct rst_task *t);

/* Runs in the new process t: session, its children, then its restore. */
static void __attribute__((noreturn)) start(struct rst *r, struct rst_task *t,
					    pid_t creator)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/*
	 * Until its blob clears it: if whoever created this process dies
	 * (a failed restore, a killed restorer), this one dies too, and
	 * so on down the tree.  No half-restored job is left behind.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) ||
	    (getppid() != creator && !(r->opts.pidns && getppid() == 0)))
		_exit(127);	/* (a parent outside our pid namespace reads as 0) */
	if (t->task->flags & CKPT_TASK_ZOMBIE)
		become_zombie(t);
	if (t->task->sid == t->task->pid && getsid(0) != t->task->pid &&
	    setsid() < 0) {
		int ret = rst_fail(r, RST_EXIT_FAILED, errno, "pid %d: setsid: %s",
				   t->task->pid, strerror(errno));

		fprintf(stderr, "ckpt-restore: %s\n", r->err.msg);
		rst_report(t->rep_wr, ret, RST_REPORT_SETUP);
		_exit(127);
	}
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *c = &r->tasks[i];

		if (c->parent != t)
			continue;
		if (create(r, c)) {
			fprintf(stderr, "ckpt-restore: %s\n", r->err.msg);
			rst_report(t->rep_wr, -EEXIST, RST_REPORT_SETUP);
			_exit(127);
		}
		if (c->task->flags & CKPT_TASK_ZOMBIE) {
			/* it is dead: take back the SIGCHLD it sent us */
			siginfo_t si;
			sigset_t chld;
			struct timespec zero = { 0, 0 };

			waitid(P_PID, (id_t)c->host_pid, &si, WEXITED | WNOWAIT);
			sigemptyset(&chld);
			sigaddset(&chld, c->task->exit_signal > 0 ?
					 c->task->exit_signal : SIGCHLD);
			sigtimedwait(&chld, NULL, &zero);
		}
	}
	rst_report(t->rep_wr, 0, RST_REPORT_CREATED);
	rst_process_main(r, t);
}

static int create(struct rst *r, struct rst_task *t)
{
	int exit_signal = t->task->exit_signal;
	pid_t pid, self = getpid();

	if (exit_signal < 0 || exit_signal > 64)
		exit_signal = SIGCHLD;
	pid = clone_with_pid(r->opts.pidns && t->task->pid == 1 ? 1 :
			     t->task->pid, exit_signal, 0);
	if (pid < 0 && errno == EEXIST)
		return rst_fail(r, RST_EXIT_PID, EEXIST,
				"pid %d is in use on this host; stop what runs as pid %d or restore with --pidns",
				t->task->pid, t->task->pid);
	if (pid < 0)
		return rst_fail(r, RST_EXIT_FAILED, errno,
				"creating pid %d (clone3 with set_tid): %s%s",
				t->task->pid, strerror(errno),
				errno == EPERM ? " (restore needs root or CAP_CHECKPOINT_RESTORE)" : "");
	if (pid == 0)
		start(r, t, self);
	t->host_pid = pid;
	if (r->opts.pidns && t->task->pid == 1)
		r->ns_init = pid;
	return 0;
}

/* --pidns without a pid 1 in the job: the namespace's init reaps. */
static void __attribute__((noreturn)) reaper(int parent_pidfd)
{
	int st;

	for (;;) {
		pid_t p = waitpid(-1, &st, 0);

		if (p > 0 || errno == EINTR)
			continue;
		/* no child: wait until the restorer is gone (it may still
		 * hand us orphans), then once more for its orphans */
		if (parent_pidfd >= 0) {
			struct pollfd pfd = { .fd = parent_pidfd, .events = POLLIN };

			poll(&pfd, 1, -1);
			close(parent_pidfd);
			parent_pidfd = -1;
			continue;
		}
		_exit(0);
	}
}

static int setup_pidns(struct rst *r)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return rst_fail(r, RST_EXIT_FAILED, errno,
				"--pidns: unshare(CLONE_NEWPID): %s", strerror(errno));
	if (rst_task_by_pid(r, 1))
		return 0;	/* the job's own init becomes pid 1 */
	pid = clone_with_pid(0, SIGCHLD, 0);
	if (pid < 0)
		return rst_fail(r, RST_EXIT_FAILED, errno,
				"--pidns: creating the init: %s", strerror(errno));
	if (pid == 0) {
		/* the roots are our children: orphans stay in the namespace */
		prctl(PR_SET_NAME, "ckpt-ns-init");
		for (size_t i = 0; i < r->nr_tasks; i++) {
			struct rst_task *t = &r->tasks[i];

			if (t->parent || !create(r, t))
				continue;
			fprintf(stderr, "ckpt-restore: %s\n", r->err.msg);
			rst_report(t->rep_wr, -ECHILD, RST_REPORT_SETUP);
			_exit(127);
		}
		reaper(pidfd);
	}
	if (pidfd >= 0)
		close(pidfd);
	r->ns_init = pid;
	return 0;
}

static int make_pipes(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];
		int ctl[2], rep[2];

		if (pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
			return rst_fail(r, RST_EXIT_FAILED, errno,
					"pid %d: its control and report pipes: %s",
					t->task->pid, strerror(errno));
		t->ctl_rd = rst_fd_high(r, ctl[0]);
		t->ctl_wr = rst_fd_high(r, ctl[1]);
		t->rep_rd = rst_fd_high(r, rep[0]);
		t->rep_wr = rst_fd_high(r, rep[1]);
		if (t->ctl_rd < 0 || t->ctl_wr < 0 || t->rep_rd < 0 ||
		    t->rep_wr < 0)
			return -EMFILE;
	}
	return 0;
}

int rst_create_tree(struct rst *r)
{
	int ret;

	ret = make_pipes(r);
	if (!ret)
		ret = rst_shm_create(r);
	if (!ret && r->opts.pidns)
		ret = setup_pidns(r);
	/* in a namespace without the job's own init, the reaper made them */
	bool made = r->ns_init && !rst_task_by_pid(r, 1);

	for (size_t i = 0; i < r->nr_tasks && !ret && !made; i++)
		if (!r->tasks[i].parent)
			ret = create(r, &r->tasks[i]);
	/* the namespace's link resolves once its first process exists */
	if (!ret && r->opts.pidns) {
		struct stat st;

		if (stat("/proc/self/ns/pid_for_children", &st))
			ret = rst_fail(r, RST_EXIT_FAILED, errno,
				       "--pidns: the new namespace: %s",
				       strerror(errno));
		else
			r->pidns_ino = st.st_ino;
	}
	/* the processes hold the other ends: a dead one reads as EOF */
	for (size_t i = 0; i < r->nr_tasks; i++) {
		close(r->tasks[i].ctl_rd);
		close(r->tasks[i].rep_wr);
		r->tasks[i].ctl_rd = r->tasks[i].rep_wr = -1;
	}
	return ret;
}

/*
 * A failed restore: the TCP connections' copies still in repair mode are
 * closed (silently), and every process of the job that exists is killed:
 * in a new pid namespace its init takes all with it; else each pid that
 * reported (a pid that never did may belong to someone else).
 */
void rst_abort(struct rst *r)
{
	rst_tcp_drop();
	if (r->opts.pidns) {
		if (r->ns_init > 0)
			kill(r->ns_init, SIGKILL);
		return;
	}
	for (size_t i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].created)
			kill(r->tasks[i].task->pid, SIGKILL);
	for (size_t i = 0; i < r->nr_tasks; i++)
		if (!r->tasks[i].parent && r->tasks[i].host_pid > 0)
			waitpid(r->tasks[i].host_pid, NULL, __WALL);
}
