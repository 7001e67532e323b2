// SPDX-License-Identifier: GPL-2.0
/*
 * The last step, when every blob has reported: attach to each thread with
 * ptrace while it is parked in its blob, write its registers through the
 * regset interface (the inverse of how ckpt.ko read them), have the leader
 * unmap the blob through the blob's own syscall instruction, queue the
 * pending signals, set the signal masks, and detach everything at once.
 * Nothing of the job runs its own code before the last detach.
 *
 * A process whose main thread had exited (CKPT_TASK_LEADER_EXITED): its
 * leader is held at the entry of SYS_exit issued on the blob's syscall
 * instruction, its first live thread unmaps the blob, and the leader is
 * let go and has exited before any thread of the job runs.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blob/blob.h"
#include "proc_nspid.h"
#include "proc_stat.h"
#include "restore.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef NT_386_TLS
#define NT_386_TLS 0x200
#endif

/* With --pidns: the host pid of job pid @pid, found in the new namespace. */
static pid_t host_pid_of(struct rst *r, pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)) && found < 0) {
		int host = atoi(e->d_name);
		char path[64];
		struct stat st;

		if (host <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", host);
		if (stat(path, &st) || st.st_ino != r->pidns_ino)
			continue;
		if (ckpt_proc_nspid(host, 0) == pid)
			found = host;
	}
	closedir(d);
	return found;
}

/* The host tid of each thread of @t, in record order. */
static int find_tids(struct rst *r, struct rst_task *t)
{
	pid_t host = r->opts.pidns ? host_pid_of(r, t->task->pid) : t->task->pid;
	char path[96];
	size_t found = 0;
	struct dirent *e;
	DIR *d;

	t->host_tids = calloc(t->nr_threads, sizeof(pid_t));
	snprintf(path, sizeof(path), "/proc/%d/task", host);
	d = host > 0 ? opendir(path) : NULL;
	if (!t->host_tids || !d) {
		rst_fail(r, RST_EXIT_FAILED, ESRCH, "pid %d: its threads cannot be found (%s)",
			 t->task->pid, strerror(errno));
		if (d)
			closedir(d);
		return -ESRCH;
	}
	t->host_pid = host;
	while ((e = readdir(d))) {
		pid_t tid = atoi(e->d_name), nstid;

		if (tid <= 0)
			continue;
		nstid = r->opts.pidns ? ckpt_proc_nspid(host, tid) : tid;
		if (rst_leader_exited(t) && nstid == t->task->pid)
			t->host_leader = tid;
		for (size_t i = 0; i < t->nr_threads; i++)
			if (t->threads[i]->tid == nstid) {
				t->host_tids[i] = tid;
				found++;
			}
	}
	closedir(d);
	if (found != t->nr_threads || (rst_leader_exited(t) && !t->host_leader))
		return rst_fail(r, RST_EXIT_FAILED, ESRCH,
				"pid %d: %zu of %zu threads found%s",
				t->task->pid, found, t->nr_threads,
				rst_leader_exited(t) && !t->host_leader ?
				", and not its leader" : "");
	return 0;
}

static int ptrace_fail(struct rst *r, struct rst_task *t, pid_t tid,
		       const char *what)
{
	return rst_fail(r, RST_EXIT_FAILED, errno, "pid %d thread %d: %s: %s",
			t->task->pid, tid, what, strerror(errno));
}

static int wait_stop(pid_t tid, int want_sig, int *status)
{
	for (;;) {
		pid_t p = waitpid(tid, status, __WALL);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return -errno;
		if (!WIFSTOPPED(*status))
			return -ESRCH;	/* it died */
		if (WSTOPSIG(*status) == want_sig)
			return 0;
		/* another stop (a signal): pass it on and keep waiting */
		if (ptrace(PTRACE_SYSCALL, tid, 0,
			   (void *)(long)(WSTOPSIG(*status) & 0x7f)))
			return -errno;
	}
}

static int seize(struct rst *r, struct rst_task *t, pid_t tid)
{
	int st;

	if (ptrace(PTRACE_SEIZE, tid, 0,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL))
		return ptrace_fail(r, t, tid, "PTRACE_SEIZE");
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return ptrace_fail(r, t, tid, "PTRACE_INTERRUPT");
	if (waitpid(tid, &st, __WALL) != tid || !WIFSTOPPED(st))
		return ptrace_fail(r, t, tid, "waiting for the stop");
	return 0;
}

static int set_regset(struct rst *r, struct rst_task *t, pid_t tid, int type,
		      const void *data, size_t len, const char *what)
{
	struct iovec iov = { (void *)data, len };

	if (!len)
		return 0;
	if (ptrace(PTRACE_SETREGSET, tid, (void *)(long)type, &iov))
		return ptrace_fail(r, t, tid, what);
	return 0;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* FP, xstate and TLS of one thread; its general registers come last. */
static int set_fpu_tls(struct rst *r, struct rst_task *t, size_t i,
		       struct user_regs_struct *regs)
{
	const struct ckpt_rec_thread *th = t->threads[i];
	const uint8_t *d = th->data;
	pid_t tid = t->host_tids[i];
	size_t off = 0;
	int ret;

	if (th->regs_len != sizeof(*regs))
		return rst_fail(r, RST_EXIT_IMAGE, EBADMSG,
				"pid %d thread %d: general registers of %u bytes, expected %zu",
				t->task->pid, th->tid, th->regs_len, sizeof(*regs));
	memcpy(regs, d, sizeof(*regs));
	regs->orig_rax = (unsigned long long)-1;	/* no syscall restart */
	off += align8(th->regs_len);
	ret = set_regset(r, t, tid, NT_PRFPREG, d + off, th->fpregs_len,
			 "FPU/SSE registers");
	off += align8(th->fpregs_len);
	if (!ret)
		ret = set_regset(r, t, tid, NT_X86_XSTATE, d + off,
				 th->xstate_len,
				 "extended (AVX) state; the CPU may lack a feature the job used");
	off += align8(th->xstate_len);
	if (!ret)
		ret = set_regset(r, t, tid, NT_386_TLS, d + off, th->tls_len,
				 "TLS descriptors");
	return ret;
}

/*
 * Thread tid runs syscall nr(a0, a1) on the blob's own syscall instruction,
 * starting from regs, until its syscall stop number @stops (1: the call's
 * entry, 2: its exit); regs is then what the thread holds.  msg names, in
 * failures, setting the registers, waiting and reading them back.
 */
static int blob_syscall(struct rst *r, struct rst_task *t, pid_t tid,
			struct user_regs_struct *regs, unsigned long long nr,
			unsigned long long a0, unsigned long long a1, int stops,
			const char *const msg[3])
{
	struct iovec iov = { regs, sizeof(*regs) };
	int st;

	regs->rip = t->blob_start + RST_BLOB_SYSCALL_OFF;
	regs->rax = nr;
	regs->rdi = a0;
	regs->rsi = a1;
	regs->orig_rax = (unsigned long long)-1;
	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &iov))
		return ptrace_fail(r, t, tid, msg[0]);
	for (int stop = 0; stop < stops; stop++) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, 0))
			return ptrace_fail(r, t, tid, "PTRACE_SYSCALL");
		if (wait_stop(tid, SIGTRAP | 0x80, &st))
			return ptrace_fail(r, t, tid, msg[1]);
	}
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov))
		return ptrace_fail(r, t, tid, msg[2]);
	return 0;
}

/* The leader runs munmap(blob) on the blob's own syscall instruction. */
static int unmap_blob(struct rst *r, struct rst_task *t, pid_t tid,
		      const struct user_regs_struct *final)
{
	static const char *const msg[3] = {
		"registers for the blob's unmap", "waiting for the unmap",
		"reading the unmap's result",
	};
	struct user_regs_struct regs = *final;
	int ret;

	/* to the syscall's entry, then its exit */
	ret = blob_syscall(r, t, tid, &regs, SYS_munmap, t->blob_start,
			   t->blob_len, 2, msg);
	if (ret)
		return ret;
	if (regs.rax != 0) {
		errno = -(int)regs.rax;
		return ptrace_fail(r, t, tid, "unmapping the restorer blob");
	}
	return 0;
}

/*
 * The main thread had exited: the leader, which created the process and
 * its threads, leaves with SYS_exit (this thread only) issued on the
 * blob's syscall instruction.  It is held at the entry of that call: the
 * instruction has run, so the blob can be unmapped under it, and it exits
 * when rst_finalize() detaches it.
 */
static int hold_leader_at_exit(struct rst *r, struct rst_task *t)
{
	static const char *const msg[3] = {
		"registers for the leader's exit",
		"waiting for the leader's exit call",
		"reading the leader's exit call",
	};
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };
	pid_t tid = t->host_leader;
	int ret;

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov))
		return ptrace_fail(r, t, tid, "reading the exiting leader's registers");
	/* held at the call's entry */
	ret = blob_syscall(r, t, tid, &regs, SYS_exit, 0, 0, 1, msg);
	if (ret)
		return ret;
	if (regs.orig_rax != SYS_exit) {
		errno = EPROTO;
		return ptrace_fail(r, t, tid, "stopping the leader at its exit call");
	}
	return 0;
}

/* Lets the held leader exit; 0 once it is a zombie the others outlive. */
static int release_leader(struct rst *r, struct rst_task *t)
{
	struct timespec ms = { 0, 1000000 };
	char st = 0;

	if (ptrace(PTRACE_DETACH, t->host_leader, 0, 0))
		return ptrace_fail(r, t, t->host_leader, "releasing the exiting leader");
	for (unsigned int i = 0; i < r->timeout_s * 1000; i++) {
		st = ckpt_proc_state(t->host_pid, t->host_leader);
		if (st == 'Z' || st == 'X')
			return 0;
		nanosleep(&ms, NULL);
	}
	return rst_fail(r, RST_EXIT_FAILED, ETIMEDOUT,
			"pid %d: its leader thread did not exit within %u s (state %c)",
			t->task->pid, r->timeout_s, st ? st : '?');
}

static int queue_signals(struct rst *r, struct rst_task *t)
{
	for (int sig = 1; sig <= 64; sig++) {
		uint64_t bit = 1ULL << (sig - 1);

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if ((t->task->shared_pending & bit) && kill(t->host_pid, sig))
			return ptrace_fail(r, t, t->host_pid, "queueing a pending signal");
		for (size_t i = 0; i < t->nr_threads; i++)
			if ((t->threads[i]->pending & bit) &&
			    syscall(SYS_tgkill, t->host_pid, t->host_tids[i], sig))
				return ptrace_fail(r, t, t->host_tids[i],
						   "queueing a pending signal");
	}
	return 0;
}

static int finalize_task(struct rst *r, struct rst_task *t)
{
	struct user_regs_struct *regs;
	int ret;

	ret = find_tids(r, t);
	if (ret)
		return ret;
	regs = calloc(t->nr_threads, sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr_threads && !ret; i++)
		ret = seize(r, t, t->host_tids[i]);
	if (!ret && rst_leader_exited(t))
		ret = seize(r, t, t->host_leader);
	for (size_t i = 0; i < t->nr_threads && !ret; i++)
		ret = set_fpu_tls(r, t, i, &regs[i]);
	/* an exited leader is held at its exit; a live thread unmaps */
	if (!ret && rst_leader_exited(t))
		ret = hold_leader_at_exit(r, t);
	if (!ret)
		ret = unmap_blob(r, t, t->host_tids[0], &regs[0]);
	for (size_t i = 0; i < t->nr_threads && !ret; i++) {
		struct iovec iov = { &regs[i], sizeof(regs[i]) };
		uint64_t mask = t->threads[i]->blocked;

		if (ptrace(PTRACE_SETREGSET, t->host_tids[i], (void *)NT_PRSTATUS,
			   &iov))
			ret = ptrace_fail(r, t, t->host_tids[i],
					  "general registers");
		else if (ptrace(PTRACE_SETSIGMASK, t->host_tids[i],
				(void *)sizeof(mask), &mask))
			ret = ptrace_fail(r, t, t->host_tids[i], "signal mask");
	}
	if (!ret)
		ret = queue_signals(r, t);
	free(regs);
	return ret;
}

int rst_finalize(struct rst *r)
{
	int ret = 0;

	for (size_t i = 0; i < r->nr_tasks && !ret; i++)
		if (!(r->tasks[i].task->flags & CKPT_TASK_ZOMBIE))
			ret = finalize_task(r, &r->tasks[i]);
	if (ret)
		return ret;	/* PTRACE_O_EXITKILL: the caller kills them */
	/* exited leaders first: the job runs as the checkpoint saw it */
	for (size_t i = 0; i < r->nr_tasks && !ret; i++)
		if (!(r->tasks[i].task->flags & CKPT_TASK_ZOMBIE) &&
		    rst_leader_exited(&r->tasks[i]))
			ret = release_leader(r, &r->tasks[i]);
	if (ret)
		return ret;
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];

		if (t->task->flags & CKPT_TASK_ZOMBIE)
			continue;
		for (size_t j = 0; j < t->nr_threads; j++)
			ptrace(PTRACE_DETACH, t->host_tids[j], 0, 0);
		if (t->task->flags & CKPT_TASK_STOPPED)
			kill(t->host_pid, SIGSTOP);
	}
	return 0;
}
