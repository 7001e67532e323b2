// SPDX-License-Identifier: GPL-2.0
/*
 * The freestanding restorer: no libc, position-independent, no data of its
 * own (all state lives in struct rst_blob_args).  It runs with every signal
 * blocked and replaces the restorer's memory with the target's, so it may
 * not touch anything outside the blob region once the first op has run.
 * See blob.h for the protocol.
 */
#include <linux/types.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/futex.h>
#include <linux/capability.h>
#include <asm/unistd.h>
#include <asm/signal.h>

#include "blob.h"

#define NORETURN __attribute__((noreturn))

/* entry at offset 0, then the syscall instruction ckpt-restore borrows */
__asm__(".section .text.entry,\"ax\",@progbits\n"
	".globl rst_blob_entry\n"
	"rst_blob_entry:\n"
	"	jmp rst_blob_main\n"
	"	.balign 8\n"
	"rst_blob_syscall:\n"
	"	syscall\n"
	"	int3\n"
	".previous\n");

static inline long sys6(long nr, long a, long b, long c, long d, long e,
			long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n)			sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)		sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)		sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)	sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)	sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e)	sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static NORETURN void die(void)
{
	for (;;)
		sys1(__NR_exit_group, 127);
}

static void report(struct rst_blob_args *a, int error, __u32 op,
		   __u32 thread, long value)
{
	struct rst_blob_report r = {
		.magic = RST_BLOB_MAGIC, .error = error, .op = op,
		.thread = thread, .value = (__u64)value,
		.blob_start = a->blob_start, .blob_len = a->blob_len,
	};

	sys3(__NR_write, a->notify_fd, &r, sizeof(r));
}

static NORETURN void fail(struct rst_blob_args *a, int error, __u32 op,
			  __u32 thread, long value)
{
	report(a, error, op, thread, value);
	die();
}

static NORETURN void park(struct rst_blob_args *a)
{
	for (;;)
		sys6(__NR_futex, (long)&a->park, FUTEX_WAIT, 0, 0, 0, 0);
}

static long do_pread(const struct rst_op *op)
{
	__u64 done = 0;

	while (done < op->a[2]) {
		long n = sys4(__NR_pread64, op->a[0], op->a[1] + done,
			      op->a[2] - done, op->a[3] + done);

		if (n == -4 /* EINTR */)
			continue;
		if (n <= 0)
			return n ? n : -5 /* EIO: image shorter than it said */;
		done += n;
	}
	return 0;
}

static long run_op(const struct rst_op *op)
{
	long r;

	switch (op->kind) {
	case RST_OP_MUNMAP:
		return sys2(__NR_munmap, op->a[0], op->a[1]);
	case RST_OP_MREMAP:
		r = sys5(__NR_mremap, op->a[0], op->a[1], op->a[1],
			 MREMAP_MAYMOVE | MREMAP_FIXED, op->a[2]);
		return r == (long)op->a[2] ? 0 : (r < 0 ? r : -14);
	case RST_OP_MMAP:
		r = sys6(__NR_mmap, op->a[0], op->a[1], op->a[2], op->a[3],
			 op->a[4], op->a[5]);
		return r == (long)op->a[0] ? 0 : (r < 0 ? r : -14);
	case RST_OP_PREAD:
		return do_pread(op);
	case RST_OP_MPROTECT:
		return sys3(__NR_mprotect, op->a[0], op->a[1], op->a[2]);
	case RST_OP_CLOSE:
		return sys3(__NR_close_range, op->a[0], op->a[1], 0);
	case RST_OP_PRCTL:
		return sys5(__NR_prctl, op->a[0], op->a[1], op->a[2], op->a[3],
			    op->a[4]);
	case RST_OP_PERSONALITY:
		r = sys1(__NR_personality, op->a[0]);
		return r < 0 ? r : 0;
	case RST_OP_PRLIMIT: {
		__u64 lim[2] = { op->a[1], op->a[2] };

		return sys4(__NR_prlimit64, 0, op->a[0], lim, 0);
	}
	}
	return -22;
}

static long set_creds(const struct rst_blob_creds *c)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ (__u32)c->cap_effective, (__u32)c->cap_permitted,
		  (__u32)c->cap_inheritable },
		{ (__u32)(c->cap_effective >> 32), (__u32)(c->cap_permitted >> 32),
		  (__u32)(c->cap_inheritable >> 32) },
	};
	long r;

	if (!c->set)
		return 0;
	for (int cap = 0; cap < 64; cap++) {
		if (c->cap_bset & (1ULL << cap))
			continue;
		r = sys2(__NR_prctl, PR_CAPBSET_DROP, cap);
		if (r && r != -22)	/* EINVAL: no such capability here */
			return r;
	}
	r = sys2(__NR_prctl, PR_SET_KEEPCAPS, 1);
	if (!r)
		r = sys3(__NR_setresgid, c->gid, c->egid, c->sgid);
	if (!r)
		r = sys3(__NR_setresuid, c->uid, c->euid, c->suid);
	if (r)
		return r;
	sys1(__NR_setfsgid, c->fsgid);
	sys1(__NR_setfsuid, c->fsuid);
	r = sys2(__NR_capset, &hdr, data);
	if (!r)
		r = sys2(__NR_prctl, PR_SET_KEEPCAPS, 0);
	for (int cap = 0; !r && cap < 64; cap++)
		if (c->cap_ambient & (1ULL << cap))
			r = sys5(__NR_prctl, PR_CAP_AMBIENT,
				 PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	if (!r)
		r = sys2(__NR_prctl, PR_SET_DUMPABLE, c->dumpable);
	return r;
}

/* What every thread sets for itself; 0 or -errno. */
static long thread_state(struct rst_blob_args *a, const struct rst_blob_thread *t)
{
	long r = 0;

	if (t->robust_list)
		r = sys2(__NR_set_robust_list, t->robust_list,
			 t->robust_list_len);
	if (r)
		return r;
	sys1(__NR_set_tid_address, t->clear_child_tid);
	if (t->ss_sp || t->ss_size) {
		struct { __u64 sp; __s32 flags; __u32 pad; __u64 size; } ss = {
			t->ss_sp, (__s32)(t->ss_flags & ~1u /* SS_ONSTACK */), 0,
			t->ss_size,
		};

		r = sys2(__NR_sigaltstack, &ss, 0);
		if (r)
			return r;
	}
	return set_creds(&a->creds);
}

static struct rst_blob_thread *thread_at(struct rst_blob_args *a, __u32 i)
{
	return (struct rst_blob_thread *)((char *)a + a->threads_off) + i;
}

/* A new thread starts here, on its own blob stack. */
static NORETURN void thread_main(struct rst_blob_args *a, __u32 idx)
{
	long r = thread_state(a, thread_at(a, idx));

	if (r) {
		a->thread_error = (__s32)r;
		a->thread_error_idx = idx;
	}
	__atomic_add_fetch(&a->threads_ready, 1, __ATOMIC_SEQ_CST);
	sys6(__NR_futex, (long)&a->threads_ready, FUTEX_WAKE, 1, 0, 0, 0);
	park(a);
}

/*
 * clone3 that runs fn(a, idx) on the child's stack.  The child returns
 * from the syscall with rsp at the new stack; r12..r15 survive the call.
 */
static long clone_thread(struct clone_args *ca, struct rst_blob_args *a,
			 __u32 idx)
{
	register long r12 __asm__("r12") = (long)thread_main;
	register long r13 __asm__("r13") = (long)a;
	register long r14 __asm__("r14") = idx;
	long ret;

	__asm__ volatile("syscall\n"
			 "test %%rax, %%rax\n"
			 "jnz 1f\n"
			 "xor %%ebp, %%ebp\n"
			 "mov %%r13, %%rdi\n"
			 "mov %%r14, %%rsi\n"
			 "and $-16, %%rsp\n"
			 "call *%%r12\n"
			 "ud2\n"
			 "1:\n"
			 : "=a"(ret)
			 : "a"(__NR_clone3), "D"(ca), "S"(sizeof(*ca)),
			   "r"(r12), "r"(r13), "r"(r14)
			 : "rcx", "r11", "memory");
	return ret;
}

static void make_threads(struct rst_blob_args *a)
{
	for (__u32 i = 1; i < a->nr_threads; i++) {
		struct rst_blob_thread *t = thread_at(a, i);
		__u64 tid = (__u64)t->tid;
		struct clone_args ca = {
			.flags = CLONE_VM | CLONE_FS | CLONE_FILES |
				 CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
			.stack = t->stack_top - 65536,
			.stack_size = 65536,
			.set_tid = (__u64)&tid,
			.set_tid_size = 1,
		};
		long r = clone_thread(&ca, a, i);

		if (r < 0)
			fail(a, (int)r, RST_REPORT_THREAD, i, r);
	}
	/* wait until every new thread has set itself up */
	for (;;) {
		__u32 n = __atomic_load_n(&a->threads_ready, __ATOMIC_SEQ_CST);

		if (n >= a->nr_threads - 1)
			break;
		sys6(__NR_futex, (long)&a->threads_ready, FUTEX_WAIT, n, 0, 0, 0);
	}
	if (a->thread_error)
		fail(a, a->thread_error, RST_REPORT_THREAD, a->thread_error_idx,
		     a->thread_error);
}

__attribute__((used, visibility("hidden")))
NORETURN void rst_blob_main(struct rst_blob_args *a)
{
	const struct rst_op *ops = (const void *)((char *)a + a->ops_off);
	long r;

	if (a->magic != RST_BLOB_MAGIC)
		die();
	for (__u32 i = 0; i < a->nr_ops; i++) {
		r = run_op(&ops[i]);
		if (r)
			fail(a, (int)r, i, 0, r);
	}
	make_threads(a);
	r = thread_state(a, thread_at(a, 0));
	if (r)
		fail(a, (int)r, RST_REPORT_THREAD, 0, r);
	report(a, 0, 0, 0, 0);
	sys1(__NR_close, a->notify_fd);
	park(a);
}
