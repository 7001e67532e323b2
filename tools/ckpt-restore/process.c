// SPDX-License-Identifier: GPL-2.0
/*
 * A restored process, from its creation with its original pid to the jump
 * into its blob: group and session, signal handlers, the descriptors its
 * mappings need, the blob region with its operation list, and the jump.
 * Any failure is reported to the restorer, which kills the whole job.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memory/memory.h"

extern const char rst_blob_bin[], rst_blob_bin_end[];

static void __attribute__((noreturn)) child_fail(struct rst *r,
						 struct rst_task *t, int err)
{
	fprintf(stderr, "ckpt-restore: %s\n", r->err.msg);
	rst_report(t->rep_wr, err ? err : -EINVAL, RST_REPORT_SETUP);
	_exit(127);
}

/* mprotect() of the blob region, or the process fails. */
static void protect(struct rst *r, struct rst_task *t, uint64_t start,
		    uint64_t len, int prot, const char *what)
{
	if (mprotect((void *)start, len, prot))
		child_fail(r, t, rst_fail(r, RST_EXIT_FAILED, errno,
					  "pid %d: %s: %s", t->task->pid, what,
					  strerror(errno)));
}

/* The job's own descriptors, keeping those the blob still needs. */
static int install_files(struct rst *r, struct rst_task *t, const int *fds,
			 int exe_fd)
{
	size_t n = 0, max = t->nr_vmas + r->nr_levels + r->nr_shm + 2;
	int *keep = calloc(max, sizeof(*keep)), ret;

	if (!keep)
		return rst_fail(r, RST_EXIT_FAILED, ENOMEM, "pid %d: out of memory",
				t->task->pid);
	for (size_t i = 0; i < t->nr_vmas; i++)
		if (fds[i] >= 0)
			keep[n++] = fds[i];
	for (unsigned int l = 0; l < r->nr_levels; l++)
		keep[n++] = r->level_fds[l];
	for (size_t i = 0; i < r->nr_shm; i++)
		keep[n++] = r->shm[i].fd;
	keep[n++] = t->rep_wr;
	if (exe_fd >= 0)
		keep[n++] = exe_fd;
	ret = rst_files_install(r, t, keep, n);
	free(keep);
	return ret;
}

/* The kernel's struct sigaction for rt_sigaction(2). */
struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static int set_sigactions(struct rst *r, struct rst_task *t)
{
	const struct ckpt_rec_sigactions *s = t->sigactions;

	for (uint32_t i = 0; i < s->nr && i < 64; i++) {
		int sig = (int)i + 1;
		struct ksigaction ka = {
			s->act[i].handler, s->act[i].flags,
			s->act[i].restorer, s->act[i].mask,
		};

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, &ka, NULL, 8))
			return rst_fail(r, RST_EXIT_FAILED, errno,
					"pid %d: signal %d handler: %s", t->task->pid,
					sig, strerror(errno));
	}
	return 0;
}

static int set_group(struct rst *r, struct rst_task *t)
{
	pid_t pgid = t->task->pgid;

	if (getpgid(0) == pgid || !pgid)
		return 0;
	if (setpgid(0, pgid == t->task->pid ? 0 : pgid) == 0)
		return 0;
	return rst_fail(r, RST_EXIT_UNSUPPORTED, errno,
			"pid %d: cannot join process group %d: %s (its leader is not part of the job)",
			t->task->pid, pgid, strerror(errno));
}

/* One descriptor per VMA to map from: a file or a shared-memory object. */
static int open_vma_fds(struct rst *r, struct rst_task *t, int *fds)
{
	for (size_t i = 0; i < t->nr_vmas; i++) {
		const struct ckpt_rec_vma *v = t->vmas[i];
		const struct rst_shm *shm;
		int fd;

		fds[i] = -1;
		if (v->tag == CKPT_TAG_SPECIAL || (v->flags & CKPT_VMA_ANON))
			continue;
		if (rst_vma_is_shm_object(v)) {
			shm = rst_shm_find(r, v);
			if (!shm)
				return rst_fail(r, RST_EXIT_UNSUPPORTED, EOPNOTSUPP,
						"pid %d: private mapping of shared memory %s at 0x%llx cannot be restored",
						t->task->pid, v->path_len > 1 ? v->path : "",
						(unsigned long long)v->start);
			fds[i] = shm->fd;
			continue;
		}
		fd = rst_open_vma_file(r, t, v);
		if (fd < 0)
			return fd;
		fds[i] = rst_fd_high(r, fd);
		if (fds[i] < 0)
			return fds[i];
	}
	return 0;
}

/* The executable for PR_SET_MM_MAP's exe_fd at *fd; -1 when it has none. */
static int open_exe(struct rst *r, struct rst_task *t, int *fd)
{
	const struct ckpt_rec_mm *mm = t->mm;

	*fd = -1;
	if (!mm->exe_path[0])
		return 0;
	*fd = open(mm->exe_path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return rst_fail(r, RST_EXIT_FILES, errno,
				"%s: the executable of pid %d: %s", mm->exe_path,
				t->task->pid, strerror(errno));
	*fd = rst_fd_high(r, *fd);
	return *fd < 0 ? *fd : 0;
}

static size_t auxv_bytes(const struct ckpt_rec_mm *mm)
{
	size_t n = 0;

	while (n + 2 <= sizeof(mm->auxv) / sizeof(mm->auxv[0])) {
		n += 2;
		if (mm->auxv[n - 2] == 0)	/* AT_NULL */
			break;
	}
	return n * sizeof(uint64_t);
}

/* struct rst_blob_args, threads, ops, prctl_mm_map and auxv, in the region. */
static int fill_args(struct rst *r, struct rst_task *t,
		     const struct rst_self *self, const struct rst_region *reg,
		     const int *fds, const struct rst_run *runs, size_t nr_runs,
		     size_t max_ops, int exe_fd)
{
	char *base = (char *)reg->start + reg->args_off;
	struct rst_blob_args *a = (void *)base;
	struct rst_blob_thread *th = (void *)(a + 1);
	size_t nr_th = rst_blob_threads(t), first = rst_leader_exited(t);
	struct rst_plan p = { .ops = (void *)(th + nr_th), .max = max_ops };
	struct prctl_mm_map *mm = (void *)(p.ops + max_ops);
	uint64_t *auxv = (void *)(mm + 1);
	const struct ckpt_rec_task *tk = t->task;
	size_t auxlen = auxv_bytes(t->mm);
	int ret;

	*mm = (struct prctl_mm_map){
		.start_code = t->mm->start_code, .end_code = t->mm->end_code,
		.start_data = t->mm->start_data, .end_data = t->mm->end_data,
		.start_brk = t->mm->start_brk, .brk = t->mm->brk,
		.start_stack = t->mm->start_stack,
		.arg_start = t->mm->arg_start, .arg_end = t->mm->arg_end,
		.env_start = t->mm->env_start, .env_end = t->mm->env_end,
		.auxv = (__u64 *)auxv, .auxv_size = (unsigned int)auxlen,
		.exe_fd = (unsigned int)exe_fd,
	};
	memcpy(auxv, t->mm->auxv, auxlen);
	*a = (struct rst_blob_args){
		.magic = RST_BLOB_MAGIC,
		.blob_start = reg->start, .blob_len = reg->len,
		.ops_off = (char *)p.ops - base,
		.nr_threads = (uint32_t)nr_th,
		.threads_off = (char *)th - base,
		.notify_fd = r->fd_base,
		.creds = {
			.uid = tk->uid, .euid = tk->euid, .suid = tk->suid,
			.fsuid = tk->fsuid, .gid = tk->gid, .egid = tk->egid,
			.sgid = tk->sgid, .fsgid = tk->fsgid,
			.cap_inheritable = tk->cap_inheritable,
			.cap_permitted = tk->cap_permitted,
			.cap_effective = tk->cap_effective,
			.cap_bset = tk->cap_bset, .cap_ambient = tk->cap_ambient,
			.set = !r->opts.keep_creds, .dumpable = 1,
		},
	};
	/*
	 * A leader that had exited has no state of its own to set: it
	 * creates the threads and is ended by finalize.c.
	 */
	if (first)
		th[0] = (struct rst_blob_thread){
			.tid = tk->pid,
			.stack_top = reg->start + reg->stacks_off + RST_THREAD_STACK,
		};
	for (size_t i = first; i < nr_th; i++) {
		const struct ckpt_rec_thread *rt = t->threads[i - first];

		th[i] = (struct rst_blob_thread){
			.tid = rt->tid, .ss_flags = rt->sas_ss_flags,
			.robust_list = rt->robust_list,
			.robust_list_len = rt->robust_list_len,
			.clear_child_tid = rt->clear_child_tid,
			.ss_sp = rt->sas_ss_sp, .ss_size = rt->sas_ss_size,
			.stack_top = reg->start + reg->stacks_off +
				     (i + 1) * RST_THREAD_STACK,
		};
	}
	ret = rst_plan_build(r, t, self, reg, fds, runs, nr_runs,
			     (uint64_t)mm, sizeof(*mm), &p);
	a->nr_ops = (uint32_t)p.nr;
	return ret;
}

/*
 * glibc registered an rseq area in this thread's TLS: the kernel writes
 * to it at every preemption, and the blob is about to unmap it.
 */
static int unregister_rseq(struct rst *r, struct rst_task *t)
{
	void *area;

	if (!__rseq_size)
		return 0;
	area = (char *)__builtin_thread_pointer() + __rseq_offset;
	if (syscall(SYS_rseq, area, __rseq_size < 32 ? 32 : __rseq_size,
		    RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0 || errno == EINVAL)
		return 0;
	return rst_fail(r, RST_EXIT_FAILED, errno, "pid %d: unregistering rseq: %s",
			t->task->pid, strerror(errno));
}

/* CKPT_RESTORE_DEBUG=1: the blob's operations on stderr, one per line. */
static void dump_ops(const struct rst_task *t, const struct rst_region *reg)
{
	const struct rst_blob_args *a = (void *)(reg->start + reg->args_off);
	const struct rst_op *op = (const void *)((const char *)a + a->ops_off);

	fprintf(stderr, "ckpt-restore: pid %d: blob at 0x%llx+0x%llx, %u ops, %u threads\n",
		t->task->pid, (unsigned long long)reg->start,
		(unsigned long long)reg->len, a->nr_ops, a->nr_threads);
	for (size_t i = 0; i < t->nr_threads; i++)
		fprintf(stderr, "  thread %d: blocked %llx pending %llx shared %llx\n",
			t->threads[i]->tid,
			(unsigned long long)t->threads[i]->blocked,
			(unsigned long long)t->threads[i]->pending,
			(unsigned long long)t->task->shared_pending);
	for (uint32_t i = 0; i < a->nr_ops; i++)
		fprintf(stderr, "  op %u: kind %u %llx %llx %llx %llx %llx %llx\n",
			i, op[i].kind, (unsigned long long)op[i].a[0],
			(unsigned long long)op[i].a[1], (unsigned long long)op[i].a[2],
			(unsigned long long)op[i].a[3], (unsigned long long)op[i].a[4],
			(unsigned long long)op[i].a[5]);
}

static void __attribute__((noreturn)) jump(const struct rst_region *reg)
{
	uint64_t sp = reg->start + reg->stacks_off + RST_THREAD_STACK;
	uint64_t args = reg->start + reg->args_off;

	__asm__ volatile("mov %0, %%rsp\n"
			 "xor %%ebp, %%ebp\n"
			 "mov %1, %%rdi\n"
			 "jmp *%2\n"
			 : : "r"(sp), "r"(args), "r"(reg->start) : "memory");
	__builtin_unreachable();
}

void rst_process_main(struct rst *r, struct rst_task *t)
{
	struct rst_run *runs = NULL;
	struct rst_region reg;
	struct rst_self self;
	size_t nr_runs = 0, max_ops;
	int *fds, exe_fd, ret;
	char go;

	if (read(t->ctl_rd, &go, 1) != 1)
		_exit(127);	/* the restorer is gone: it kills the job */
	close(t->ctl_rd);
	fds = calloc(t->nr_vmas + 1, sizeof(*fds));
	if (!fds)
		child_fail(r, t, rst_fail(r, RST_EXIT_FAILED, ENOMEM,
					  "pid %d: out of memory", t->task->pid));
	ret = set_group(r, t);
	if (!ret)
		ret = set_sigactions(r, t);
	if (!ret)
		ret = rst_page_runs(r, t->task->pid, &runs, &nr_runs);
	/* mapped files by their paths before a recorded chroot applies */
	if (!ret)
		ret = open_vma_fds(r, t, fds);
	if (ret)
		child_fail(r, t, ret);
	ret = open_exe(r, t, &exe_fd);
	if (ret)
		child_fail(r, t, ret);
	ret = install_files(r, t, fds, exe_fd);
	if (ret)
		child_fail(r, t, ret);
	/* the notify descriptor is fd_base itself; the blob closes the rest */
	if (dup2(t->rep_wr, r->fd_base) < 0)
		child_fail(r, t, rst_fail(r, RST_EXIT_FAILED, errno,
					  "pid %d: dup2: %s", t->task->pid,
					  strerror(errno)));
	ret = rst_self_read(r, &self);
	if (ret)
		child_fail(r, t, ret);
	max_ops = rst_plan_max_ops(t, &self, nr_runs);
	ret = rst_region_map(r, t, &self, max_ops, &reg);
	if (ret)
		child_fail(r, t, ret);
	protect(r, t, reg.start, reg.park_off, PROT_READ | PROT_WRITE,
		"making the blob region writable");
	memcpy((void *)reg.start, rst_blob_bin, rst_blob_bin_end - rst_blob_bin);
	ret = fill_args(r, t, &self, &reg, fds, runs, nr_runs, max_ops, exe_fd);
	if (ret)
		child_fail(r, t, ret);
	protect(r, t, reg.start, reg.code_len, PROT_READ | PROT_EXEC,
		"making the blob code executable");
	if (getenv("CKPT_RESTORE_DEBUG"))
		dump_ops(t, &reg);
	ret = unregister_rseq(r, t);
	if (ret)
		child_fail(r, t, ret);
	jump(&reg);
}
