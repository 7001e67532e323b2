// SPDX-License-Identifier: GPL-2.0
/*
 * THREAD records hold a thread's registers at its restart point.
 *
 * A thread loads distinctive values into the callee-saved registers (rbx,
 * rbp, r12-r15) and into xmm0-xmm15, then either spins in a loop that keeps
 * them, or blocks in a raw read(2) on a pipe with them live.  The dumped
 * user_regs_struct and user_i387_struct (NT_PRFPREG) must hold those
 * values; the spinner is recorded outside any system call, inside its loop,
 * and the reader as it will resume: ax == orig_ax == __NR_read and ip on
 * its syscall instruction.  After the thaw the read completes normally and
 * both threads find their registers unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define JOB	1

/* What the assembly loads and, when it is done, stores back. */
struct regvals {
	uint64_t gpr[6];	/* rbx, rbp, r12, r13, r14, r15 */
	uint8_t xmm[16][16];	/* xmm0..xmm15, at offset 48 */
};

/*
 * dr_spin(vals, counter, stop, out): load @vals, then count in *counter
 * until *stop is non-zero; store the registers in @out.
 * dr_read(vals, fd, buf, out): load @vals, read(fd, buf, 1) with a raw
 * syscall instruction (dr_read_insn); store the registers in @out; returns
 * what read returned.
 */
long dr_spin(const struct regvals *v, volatile uint64_t *counter,
	     volatile uint32_t *stop, struct regvals *out);
long dr_read(const struct regvals *v, int fd, void *buf, struct regvals *out);
extern const char dr_spin_loop[], dr_spin_loop_end[], dr_read_insn[];

#define LOAD_XMM(base) \
	"movdqu 48+16*0(" base "), %xmm0\n\t"	\
	"movdqu 48+16*1(" base "), %xmm1\n\t"	\
	"movdqu 48+16*2(" base "), %xmm2\n\t"	\
	"movdqu 48+16*3(" base "), %xmm3\n\t"	\
	"movdqu 48+16*4(" base "), %xmm4\n\t"	\
	"movdqu 48+16*5(" base "), %xmm5\n\t"	\
	"movdqu 48+16*6(" base "), %xmm6\n\t"	\
	"movdqu 48+16*7(" base "), %xmm7\n\t"	\
	"movdqu 48+16*8(" base "), %xmm8\n\t"	\
	"movdqu 48+16*9(" base "), %xmm9\n\t"	\
	"movdqu 48+16*10(" base "), %xmm10\n\t"	\
	"movdqu 48+16*11(" base "), %xmm11\n\t"	\
	"movdqu 48+16*12(" base "), %xmm12\n\t"	\
	"movdqu 48+16*13(" base "), %xmm13\n\t"	\
	"movdqu 48+16*14(" base "), %xmm14\n\t"	\
	"movdqu 48+16*15(" base "), %xmm15\n\t"

#define STORE_XMM(base) \
	"movdqu %xmm0, 48+16*0(" base ")\n\t"	\
	"movdqu %xmm1, 48+16*1(" base ")\n\t"	\
	"movdqu %xmm2, 48+16*2(" base ")\n\t"	\
	"movdqu %xmm3, 48+16*3(" base ")\n\t"	\
	"movdqu %xmm4, 48+16*4(" base ")\n\t"	\
	"movdqu %xmm5, 48+16*5(" base ")\n\t"	\
	"movdqu %xmm6, 48+16*6(" base ")\n\t"	\
	"movdqu %xmm7, 48+16*7(" base ")\n\t"	\
	"movdqu %xmm8, 48+16*8(" base ")\n\t"	\
	"movdqu %xmm9, 48+16*9(" base ")\n\t"	\
	"movdqu %xmm10, 48+16*10(" base ")\n\t"	\
	"movdqu %xmm11, 48+16*11(" base ")\n\t"	\
	"movdqu %xmm12, 48+16*12(" base ")\n\t"	\
	"movdqu %xmm13, 48+16*13(" base ")\n\t"	\
	"movdqu %xmm14, 48+16*14(" base ")\n\t"	\
	"movdqu %xmm15, 48+16*15(" base ")\n\t"

#define PUSH_SAVED \
	"push %rbx\n\tpush %rbp\n\tpush %r12\n\t"	\
	"push %r13\n\tpush %r14\n\tpush %r15\n\t"
#define POP_SAVED \
	"pop %r15\n\tpop %r14\n\tpop %r13\n\t"		\
	"pop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
#define LOAD_GPRS(base) \
	"mov 0(" base "), %rbx\n\tmov 8(" base "), %rbp\n\t"	\
	"mov 16(" base "), %r12\n\tmov 24(" base "), %r13\n\t"	\
	"mov 32(" base "), %r14\n\tmov 40(" base "), %r15\n\t"
#define STORE_GPRS(base) \
	"mov %rbx, 0(" base ")\n\tmov %rbp, 8(" base ")\n\t"	\
	"mov %r12, 16(" base ")\n\tmov %r13, 24(" base ")\n\t"	\
	"mov %r14, 32(" base ")\n\tmov %r15, 40(" base ")\n\t"

asm(".text\n\t"
    ".globl dr_spin\n\t.type dr_spin, @function\n"
    "dr_spin:\n\t"
    PUSH_SAVED
    LOAD_XMM("%rdi")
    LOAD_GPRS("%rdi")
    ".globl dr_spin_loop\n"
    "dr_spin_loop:\n\t"
    "incq (%rsi)\n\t"
    "cmpl $0, (%rdx)\n\t"
    "je dr_spin_loop\n"
    ".globl dr_spin_loop_end\n"
    "dr_spin_loop_end:\n\t"
    STORE_GPRS("%rcx")
    STORE_XMM("%rcx")
    POP_SAVED
    "xor %eax, %eax\n\t"
    "ret\n\t"
    ".size dr_spin, .-dr_spin\n\t"

    ".globl dr_read\n\t.type dr_read, @function\n"
    "dr_read:\n\t"
    PUSH_SAVED
    "push %rcx\n\t"			/* out: the syscall clobbers rcx */
    LOAD_XMM("%rdi")
    LOAD_GPRS("%rdi")
    "mov %esi, %edi\n\t"		/* fd */
    "mov %rdx, %rsi\n\t"		/* buf */
    "mov $1, %edx\n\t"			/* count */
    "xor %eax, %eax\n\t"		/* __NR_read */
    ".globl dr_read_insn\n"
    "dr_read_insn:\n\t"
    "syscall\n\t"
    "pop %rcx\n\t"
    STORE_GPRS("%rcx")
    STORE_XMM("%rcx")
    POP_SAVED
    "ret\n\t"
    ".size dr_read, .-dr_read\n\t");

/* Shared between the test and its child (wl_shared). */
struct regs_shared {
	struct regvals vals, out;
	volatile uint64_t counter;
	volatile uint32_t stop;
	volatile pid_t tid;		/* the thread under test */
	volatile int done;		/* it returned from the assembly */
	long ret;
	char byte;
	int fd;				/* read end of the pipe */
};

static void fill_vals(struct regvals *v, uint64_t salt)
{
	int i, k;

	for (i = 0; i < 6; i++)
		v->gpr[i] = 0x1234000000000000ULL + salt * 0x100 + i + 1;
	for (i = 0; i < 16; i++)
		for (k = 0; k < 16; k++)
			v->xmm[i][k] = (uint8_t)(salt * 16 + i * 17 + k * 3 + 1);
}

static void *spin_thread(void *arg)
{
	struct regs_shared *s = arg;

	s->tid = gettid();
	dr_spin(&s->vals, &s->counter, &s->stop, &s->out);
	s->done = 1;
	return NULL;
}

static void *read_thread(void *arg)
{
	struct regs_shared *s = arg;

	s->tid = gettid();
	s->ret = dr_read(&s->vals, s->fd, &s->byte, &s->out);
	s->done = 1;
	return NULL;
}

/* The child: run @fn in a second thread, join it, exit 0 if the thread
 * found its registers as it had set them. */
static void __attribute__((noreturn))
child_main(struct regs_shared *s, void *(*fn)(void *))
{
	pthread_t th;

	prctl(PR_SET_NAME, "ckpt-dumpregs");
	if (pthread_create(&th, NULL, fn, s) || pthread_join(th, NULL))
		_exit(2);
	_exit(memcmp(&s->vals, &s->out, sizeof(s->out)) ? 1 : 0);
}

/* The system call thread @tid of @pid sleeps in, from /proc; -1 if none. */
static long thread_syscall(pid_t pid, pid_t tid)
{
	char path[64], buf[128] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

FIXTURE(regs) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	struct regs_shared *s;
	struct dh_dump d;
	pid_t child;
};

FIXTURE_SETUP(regs)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->s = wl_shared(sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
}

FIXTURE_TEARDOWN(regs)
{
	wl_kill_descendants();
	dh_dump_free(&self->d);
	close(self->dev);
	gnl_close(&self->g);
}

/* The values in the dumped registers of @t are @v's. */
static void check_values(struct __test_metadata *_metadata,
			 const struct ckpt_rec_thread *t,
			 const struct regvals *v)
{
	const struct user_regs_struct *regs = dh_thread_regs(t);
	const struct user_fpregs_struct *fp = dh_thread_fpregs(t);
	int i;

	ASSERT_EQ(sizeof(*regs), t->regs_len);
	ASSERT_EQ(512, t->fpregs_len);
	ASSERT_NE(NULL, regs);
	ASSERT_NE(NULL, fp);
	EXPECT_EQ(v->gpr[0], regs->rbx);
	EXPECT_EQ(v->gpr[1], regs->rbp);
	EXPECT_EQ(v->gpr[2], regs->r12);
	EXPECT_EQ(v->gpr[3], regs->r13);
	EXPECT_EQ(v->gpr[4], regs->r14);
	EXPECT_EQ(v->gpr[5], regs->r15);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, memcmp(v->xmm[i], (const uint8_t *)fp->xmm_space + 16 * i, 16))
			TH_LOG("xmm%d differs", i);
	/* with XSAVE the same registers are in the legacy area of XSTATE */
	if (t->xstate_len >= 416) {
		const uint8_t *xs = (const uint8_t *)fp + ((t->fpregs_len + 7) & ~7U);

		EXPECT_EQ(0, memcmp(v->xmm, xs + 160, sizeof(v->xmm)))
			TH_LOG("xmm registers in NT_X86_XSTATE differ");
	}
	/* user mode, 64-bit code segment */
	EXPECT_EQ(3, regs->cs & 3);
	EXPECT_EQ(3, regs->ss & 3);
}

static void start_child(struct __test_metadata *_metadata,
			FIXTURE_DATA(regs) *self, void *(*fn)(void *),
			int keep_fd)
{
	uint64_t end = wl_now_ms() + 20000;

	self->child = dh_fork(&keep_fd, keep_fd >= 0);
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		child_main(self->s, fn);
	while (!self->s->tid) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the thread did not start");
		wl_sleep_ms(5);
	}
}

TEST_F_TIMEOUT(regs, spinning_thread, 60)
{
	const struct user_regs_struct *regs;
	const struct ckpt_rec_thread *t;
	struct regs_shared *s = self->s;
	uint64_t before, end;
	int status;

	fill_vals(&s->vals, 1);
	start_child(_metadata, self, spin_thread, -1);
	end = wl_now_ms() + 20000;
	while (s->counter < 1000) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the thread does not spin");
		wl_sleep_ms(5);
	}

	ASSERT_EQ(0, dh_job_create_frozen(&self->g, JOB, self->child, &self->r))
		TH_LOG("%s", self->r.extack);
	before = s->counter;
	wl_sleep_ms(200);
	EXPECT_EQ(before, s->counter) TH_LOG("the spinner runs while frozen");
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &self->d))
		TH_LOG("%s", self->d.error);
	EXPECT_EQ(2, dh_count(&self->d, CKPT_REC_THREAD, 0));

	t = dh_thread(&self->d, s->tid);
	ASSERT_NE(NULL, t) TH_LOG("no THREAD record for tid %d", s->tid);
	EXPECT_EQ(self->child, t->pid);
	check_values(_metadata, t, &s->vals);
	regs = dh_thread_regs(t);
	/* stopped in its loop, not in a system call, arguments still there */
	EXPECT_EQ(-1, (long)regs->orig_rax);
	EXPECT_LE((uintptr_t)dr_spin_loop, regs->rip);
	EXPECT_GT((uintptr_t)dr_spin_loop_end, regs->rip);
	EXPECT_EQ((uintptr_t)&s->vals, regs->rdi);
	EXPECT_EQ((uintptr_t)&s->counter, regs->rsi);
	EXPECT_EQ((uintptr_t)&s->stop, regs->rdx);
	EXPECT_EQ((uintptr_t)&s->out, regs->rcx);

	/* thawed, it spins on with its registers intact */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	end = wl_now_ms() + 10000;
	while (s->counter == before) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the spinner did not resume");
		wl_sleep_ms(5);
	}
	s->stop = 1;
	status = dh_wait(self->child, 20000);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d", status);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("registers changed across the freeze");
}

TEST_F_TIMEOUT(regs, thread_blocked_in_read, 60)
{
	const struct user_regs_struct *regs;
	const struct ckpt_rec_thread *t;
	struct regs_shared *s = self->s;
	uint8_t insn[2] = { 0 };
	int p[2], status;
	uint64_t end;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	s->fd = p[0];
	fill_vals(&s->vals, 2);
	start_child(_metadata, self, read_thread, p[0]);
	close(p[0]);
	end = wl_now_ms() + 20000;
	while (wl_task_state(self->child, s->tid) != 'S' ||
	       thread_syscall(self->child, s->tid) != __NR_read) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the thread does not block in read");
		wl_sleep_ms(5);
	}

	ASSERT_EQ(0, dh_job_create_frozen(&self->g, JOB, self->child, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &self->d))
		TH_LOG("%s", self->d.error);

	t = dh_thread(&self->d, s->tid);
	ASSERT_NE(NULL, t) TH_LOG("no THREAD record for tid %d", s->tid);
	check_values(_metadata, t, &s->vals);
	regs = dh_thread_regs(t);
	/* as it will resume: the read again, from its syscall instruction */
	EXPECT_EQ(__NR_read, regs->orig_rax);
	EXPECT_EQ(__NR_read, regs->rax);
	EXPECT_EQ((uintptr_t)dr_read_insn, regs->rip);
	EXPECT_EQ(p[0], (int)regs->rdi);
	EXPECT_EQ((uintptr_t)&s->byte, regs->rsi);
	EXPECT_EQ(1, regs->rdx);
	ASSERT_EQ(0, dh_peek(self->child, regs->rip, insn, 2));
	EXPECT_EQ(0x0f, insn[0]);
	EXPECT_EQ(0x05, insn[1]);
	{
		/* if the text page is carried at all, it says the same */
		const uint8_t *pg = dh_page(&self->d, self->child, regs->rip);

		if (pg && (regs->rip & 4095) < 4095)
			EXPECT_EQ(0, memcmp(pg + (regs->rip & 4095), "\x0f\x05", 2));
	}

	/* the main thread waits in pthread_join: its futex call is rewound too */
	t = dh_thread(&self->d, self->child);
	ASSERT_NE(NULL, t);
	regs = dh_thread_regs(t);
	ASSERT_NE(NULL, regs);
	EXPECT_EQ(__NR_futex, regs->orig_rax);
	EXPECT_EQ(__NR_futex, regs->rax);
	ASSERT_EQ(0, dh_peek(self->child, regs->rip, insn, 2));
	EXPECT_EQ(0x0f, insn[0]);
	EXPECT_EQ(0x05, insn[1]);

	/* data arriving while frozen waits for the thaw; then the read
	 * returns it as if nothing happened */
	ASSERT_EQ(1, write(p[1], "x", 1));
	wl_sleep_ms(200);
	EXPECT_EQ(0, s->done);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	status = dh_wait(self->child, 20000);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d", status);
	EXPECT_EQ(1, s->done);
	EXPECT_EQ(1, s->ret);
	EXPECT_EQ('x', s->byte);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("registers changed across the freeze");
	close(p[1]);
}

TEST_HARNESS_MAIN
