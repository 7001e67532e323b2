// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_rt_prog MODE DIR [ARG]: a workload for the restore round trips.
 * It builds the state MODE names, writes DIR/ready, and waits.  After it
 * was checkpointed, killed and restored, SIGUSR1 makes it check its own
 * state and write "PASS ..." or "FAIL: why" to DIR/result, then exit.
 *
 *   memory [big]  anonymous memory, heap, stack, a written private file
 *                 mapping, a shared memfd mapping, untouched pages that
 *                 must stay zero; "big" adds a 256 MiB checksummed region
 *   threads       8 threads, each holding distinct SSE/AVX register values
 *                 (in the registers, across the checkpoint) and TLS values
 *   signals       a handler, flags and mask; a blocked signal pending at the
 *                 checkpoint is delivered once after the restore
 *   syscalls      threads in nanosleep (its full duration honoured), in a
 *                 futex wait and in read() on an empty pipe (both woken
 *                 after the restore) at the checkpoint
 *   chain         64 blocks of 64 KiB; each SIGUSR2 rewrites a quarter of
 *                 them (step n: DIR/step-n when done), for incremental
 *                 chains: the check compares every block with its last write
 *   tree          a child with a grandchild, each in its own process group,
 *                 joined by pipes holding unread data, and a zombie child
 *                 (exit status 7) never reaped; the check compares pids,
 *                 parents, groups, sessions and the zombie's status, and
 *                 each child reads its pipe's data back
 *   socket        holds a UDP socket (state a checkpoint cannot carry) on
 *                 fd 9; the check expects it closed by the restore
 *   files         a file at an offset, one opened O_APPEND, a file deleted
 *                 while open, a directory fd, a pipe with unread data
 *   eintr         a thread in epoll_wait(-1) on an eventfd never written,
 *                 the only one with SIGUSR2 unblocked, whose handler has
 *                 no SA_RESTART; the harness sends SIGUSR2 while the job is
 *                 frozen, before the checkpoint: after the restore the
 *                 handler runs once and epoll_wait returns -1/EINTR
 *   leaderexit [child]
 *                 the main thread (forks a child,) starts 3 threads and calls
 *                 pthread_exit: one holds 8 MiB with their checksum on its
 *                 stack and waits for SIGUSR1, one counts (its count on its
 *                 stack, and published), one reads a pipe with unread data;
 *                 the check compares pid, tids, /proc/self/status (State Z,
 *                 the thread count), memory, the count going on, the pipe,
 *                 and reaps the child (still ours) after a SIGTERM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static volatile sig_atomic_t check_now;
static char verdict[512];

static void result(const char *fmt, ...)
{
	char tmp[300], path[300];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(verdict, sizeof(verdict), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s/result.tmp", dir);
	snprintf(path, sizeof(path), "%s/result", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, verdict, strlen(verdict)) < 0 ||
	    write(fd, "\n", 1) < 0)
		exit(2);
	close(fd);
	rename(tmp, path);
	exit(0);
}

static void ready(void)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/ready", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		exit(2);
	close(fd);
}

static void on_usr1(int sig)
{
	(void)sig;
	check_now = 1;
}

/*
 * Waits for SIGUSR1 in sigsuspend (interrupted by the freeze, restarted),
 * with the current mask otherwise kept.  SIGUSR1 is blocked outside the
 * wait, as a correct program does: one that comes between the check and
 * the (re-executed) call stays pending instead of being handled before it.
 */
static void wait_check(void)
{
	sigset_t usr1, old, mask;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	mask = old;
	sigdelset(&mask, SIGUSR1);
	while (!check_now)
		sigsuspend(&mask);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Threads are created with SIGUSR1 blocked: it is for the main thread. */
static int spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t usr1, old;
	int ret;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	ret = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + i;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *q = p;

	for (size_t i = 0; i < len / 8; i++)
		q[i] = pattern(seed, i);
}

static long bad_word(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *q = p;

	for (size_t i = 0; i < len / 8; i++)
		if (q[i] != pattern(seed, i))
			return (long)i;
	return -1;
}

/* --- memory ---------------------------------------------------------------- */

static int mode_memory(int big)
{
	const size_t anon_len = 4 << 20, heap_len = 1 << 20, file_len = 64 << 10;
	size_t big_len = (size_t)256 << 20;
	uint64_t stack[2048];
	char path[300];
	uint8_t *anon, *heap, *file, *shm, *bigp = NULL, *holes;
	int fd, mfd;
	long w;

	anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	holes = mmap(NULL, anon_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap = malloc(heap_len);
	snprintf(path, sizeof(path), "%s/mapped", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	mfd = memfd_create("rt-shm", 0);
	if (anon == MAP_FAILED || holes == MAP_FAILED || !heap || fd < 0 ||
	    mfd < 0 || ftruncate(mfd, 1 << 20))
		return 2;
	/* the file holds pattern 7; the mapping's first half is rewritten */
	file = malloc(file_len);
	fill(file, file_len, 7);
	if (write(fd, file, file_len) != (ssize_t)file_len)
		return 2;
	free(file);
	file = mmap(NULL, file_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shm = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (file == MAP_FAILED || shm == MAP_FAILED)
		return 2;
	close(fd);
	close(mfd);
	fill(anon, anon_len, 1);
	fill(heap, heap_len, 2);
	fill(stack, sizeof(stack), 3);
	fill(file, file_len / 2, 4);
	fill(shm, 1 << 20, 5);
	holes[0] = 1;			/* one page touched, the rest never */
	if (big) {
		bigp = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (bigp == MAP_FAILED)
			return 2;
		fill(bigp, big_len, 6);
	}
	ready();
	wait_check();
	if ((w = bad_word(anon, anon_len, 1)) >= 0)
		result("FAIL: anonymous memory differs at word %ld", w);
	if ((w = bad_word(heap, heap_len, 2)) >= 0)
		result("FAIL: heap differs at word %ld", w);
	if ((w = bad_word(stack, sizeof(stack), 3)) >= 0)
		result("FAIL: stack differs at word %ld", w);
	if ((w = bad_word(file, file_len / 2, 4)) >= 0)
		result("FAIL: written private file pages differ at word %ld", w);
	/* the unwritten half still reads the file: pattern 7 at its offset */
	for (size_t i = 0; i < file_len / 2 / 8; i++)
		if (((uint64_t *)(file + file_len / 2))[i] !=
		    pattern(7, i + file_len / 2 / 8))
			result("FAIL: unwritten file pages differ at word %zu", i);
	if ((w = bad_word(shm, 1 << 20, 5)) >= 0)
		result("FAIL: shared memfd mapping differs at word %ld", w);
	if (holes[0] != 1)
		result("FAIL: the touched page lost its byte");
	for (size_t i = 4096; i < anon_len; i++)
		if (holes[i])
			result("FAIL: never-touched memory is not zero at %zu", i);
	if (big && (w = bad_word(bigp, big_len, 6)) >= 0)
		result("FAIL: 256 MiB region differs at word %ld", w);
	result("PASS memory%s", big ? " with 256 MiB" : "");
	return 0;
}

/* --- threads ---------------------------------------------------------------- */

#define NTHREADS 8
static volatile int go_check;
static __thread uint64_t tls_value;
static char thread_fail[NTHREADS][128];
static volatile int threads_ready;

static void *vector_thread(void *arg)
{
	long idx = (long)arg;
	uint64_t in[16][4], out[16][4];
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	tls_value = 0x1000 + (uint64_t)idx;
	for (int r = 0; r < 16; r++)
		for (int k = 0; k < 4; k++)
			in[r][k] = pattern(100 + (uint64_t)idx, (uint64_t)(r * 4 + k));
	__atomic_add_fetch(&threads_ready, 1, __ATOMIC_SEQ_CST);
	/* the values live only in ymm0..15 while this loops in nanosleep */
	__asm__ volatile(
		"vmovdqu 0(%[in]), %%ymm0\n vmovdqu 32(%[in]), %%ymm1\n"
		"vmovdqu 64(%[in]), %%ymm2\n vmovdqu 96(%[in]), %%ymm3\n"
		"vmovdqu 128(%[in]), %%ymm4\n vmovdqu 160(%[in]), %%ymm5\n"
		"vmovdqu 192(%[in]), %%ymm6\n vmovdqu 224(%[in]), %%ymm7\n"
		"vmovdqu 256(%[in]), %%ymm8\n vmovdqu 288(%[in]), %%ymm9\n"
		"vmovdqu 320(%[in]), %%ymm10\n vmovdqu 352(%[in]), %%ymm11\n"
		"vmovdqu 384(%[in]), %%ymm12\n vmovdqu 416(%[in]), %%ymm13\n"
		"vmovdqu 448(%[in]), %%ymm14\n vmovdqu 480(%[in]), %%ymm15\n"
		"1:\n"
		"mov $35, %%eax\n"		/* nanosleep(ts, NULL) */
		"mov %[ts], %%rdi\n"
		"xor %%esi, %%esi\n"
		"syscall\n"
		"cmpl $0, (%[go])\n"
		"je 1b\n"
		"vmovdqu %%ymm0, 0(%[out])\n vmovdqu %%ymm1, 32(%[out])\n"
		"vmovdqu %%ymm2, 64(%[out])\n vmovdqu %%ymm3, 96(%[out])\n"
		"vmovdqu %%ymm4, 128(%[out])\n vmovdqu %%ymm5, 160(%[out])\n"
		"vmovdqu %%ymm6, 192(%[out])\n vmovdqu %%ymm7, 224(%[out])\n"
		"vmovdqu %%ymm8, 256(%[out])\n vmovdqu %%ymm9, 288(%[out])\n"
		"vmovdqu %%ymm10, 320(%[out])\n vmovdqu %%ymm11, 352(%[out])\n"
		"vmovdqu %%ymm12, 384(%[out])\n vmovdqu %%ymm13, 416(%[out])\n"
		"vmovdqu %%ymm14, 448(%[out])\n vmovdqu %%ymm15, 480(%[out])\n"
		"vzeroupper\n"
		:
		: [in] "r"(in), [out] "r"(out), [ts] "r"(&ts), [go] "r"(&go_check)
		: "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0", "xmm1",
		  "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	if (memcmp(in, out, sizeof(in))) {
		for (int r = 0; r < 16; r++)
			if (memcmp(in[r], out[r], sizeof(in[r]))) {
				snprintf(thread_fail[idx], sizeof(thread_fail[idx]),
					 "thread %ld: ymm%d differs", idx, r);
				break;
			}
	} else if (tls_value != 0x1000 + (uint64_t)idx) {
		snprintf(thread_fail[idx], sizeof(thread_fail[idx]),
			 "thread %ld: TLS value %llx", idx,
			 (unsigned long long)tls_value);
	}
	return NULL;
}

static int mode_threads(void)
{
	pthread_t t[NTHREADS];

	for (long i = 0; i < NTHREADS; i++)
		if (spawn(&t[i], vector_thread, (void *)i))
			return 2;
	while (threads_ready < NTHREADS)
		usleep(1000);
	usleep(100 * 1000);	/* every thread in its loop */
	ready();
	wait_check();
	go_check = 1;
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NTHREADS; i++)
		if (thread_fail[i][0])
			result("FAIL: %s", thread_fail[i]);
	result("PASS %d threads kept their AVX registers and TLS", NTHREADS);
	return 0;
}

/* --- signals ----------------------------------------------------------------- */

static volatile int usr2_count;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static int mode_signals(void)
{
	struct sigaction sa = { .sa_handler = on_usr2, .sa_flags = SA_RESTART },
			 now;
	sigset_t block, cur;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR2);			/* pending while blocked */
	ready();
	wait_check();
	sigpending(&cur);
	if (!sigismember(&cur, SIGUSR2))
		result("FAIL: SIGUSR2 is no longer pending");
	if (usr2_count)
		result("FAIL: SIGUSR2 was delivered while blocked");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR2))
		result("FAIL: the signal mask lost SIGUSR2");
	sigaction(SIGUSR2, NULL, &now);
	if (now.sa_handler != on_usr2 || !(now.sa_flags & SA_RESTART) ||
	    !sigismember(&now.sa_mask, SIGHUP))
		result("FAIL: the SIGUSR2 action changed");
	sigaction(SIGINT, NULL, &now);
	if (now.sa_handler != SIG_IGN)
		result("FAIL: SIGINT is no longer ignored");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	if (usr2_count != 1)
		result("FAIL: the pending SIGUSR2 ran %d times", usr2_count);
	result("PASS handler, flags, mask and pending signal");
	return 0;
}

/* --- syscalls ---------------------------------------------------------------- */

static uint32_t futex_word;
static volatile int futex_woken;
static double slept_s;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 4, 0 };
	double t0 = now_s();

	(void)arg;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	slept_s = now_s() - t0;
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	futex_woken = 1;
	return NULL;
}

static int sync_pipe[2];
static char pipe_got[16];
static volatile ssize_t pipe_n = -2;

static void *reader(void *arg)
{
	ssize_t n;

	(void)arg;
	do
		n = read(sync_pipe[0], pipe_got, sizeof(pipe_got) - 1);
	while (n < 0 && errno == EINTR);
	pipe_n = n;
	return NULL;
}

static int mode_syscalls(void)
{
	pthread_t s, w, rd;

	if (pipe(sync_pipe) || spawn(&s, sleeper, NULL) ||
	    spawn(&w, waiter, NULL) || spawn(&rd, reader, NULL))
		return 2;
	usleep(200 * 1000);
	ready();
	wait_check();
	if (futex_woken)
		result("FAIL: the futex waiter returned before it was woken");
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	pthread_join(w, NULL);
	if (pipe_n != -2)
		result("FAIL: read() on the empty pipe returned %zd early", pipe_n);
	if (write(sync_pipe[1], "after", 5) != 5)
		result("FAIL: writing the pipe");
	pthread_join(rd, NULL);
	if (pipe_n != 5 || memcmp(pipe_got, "after", 5))
		result("FAIL: read() on the pipe returned %zd", pipe_n);
	pthread_join(s, NULL);
	if (slept_s < 4.0)
		result("FAIL: nanosleep(4 s) returned after %.2f s", slept_s);
	result("PASS futex wait, pipe read and nanosleep (%.2f s) across the checkpoint",
	       slept_s);
	return 0;
}

/* --- chain --------------------------------------------------------------- */

#define BLOCKS 64
#define BLOCK (64 << 10)
static volatile sig_atomic_t step_now;

static void on_usr2_step(int sig)
{
	(void)sig;
	step_now = 1;
}

static void mark(const char *what, int n)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s-%d", dir, what, n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static int mode_chain(void)
{
	struct sigaction sa = { .sa_handler = on_usr2_step };
	uint64_t gen_of[BLOCKS];
	uint8_t *mem = mmap(NULL, BLOCKS * BLOCK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sigset_t mask, usr;
	int step = 0;

	if (mem == MAP_FAILED)
		return 2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	/*
	 * SIGUSR1/2 stay blocked but inside sigsuspend(): one that comes
	 * while the loop runs (after a freeze interrupted the wait) stays
	 * pending instead of being lost before the next wait.
	 */
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	sigaddset(&usr, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr, &mask);
	sigdelset(&mask, SIGUSR1);
	sigdelset(&mask, SIGUSR2);
	for (int b = 0; b < BLOCKS; b++) {
		gen_of[b] = (uint64_t)b;
		fill(mem + (size_t)b * BLOCK, BLOCK, gen_of[b]);
	}
	ready();
	while (!check_now) {
		sigsuspend(&mask);
		if (!step_now)
			continue;
		step_now = 0;
		step++;
		for (int b = step % 4; b < BLOCKS; b += 4) {
			gen_of[b] = 1000ULL * (uint64_t)step + (uint64_t)b;
			fill(mem + (size_t)b * BLOCK, BLOCK, gen_of[b]);
		}
		mark("step", step);
	}
	for (int b = 0; b < BLOCKS; b++)
		if (bad_word(mem + (size_t)b * BLOCK, BLOCK, gen_of[b]) >= 0)
			result("FAIL: block %d does not hold its write of step %llu",
			       b, (unsigned long long)(gen_of[b] / 1000));
	result("PASS %d blocks after %d steps", BLOCKS, step);
	return 0;
}

/* --- tree ---------------------------------------------------------------- */

/*
 * A child of the tree: on SIGUSR1 it checks its own parent, group and
 * session (through syscalls, which answer in its pid namespace: /proc may
 * belong to another one), reads its pipe and reports.
 */
static void child_wait(const char *name, int rfd, const char *want,
		       pid_t ppid, pid_t sid)
{
	char buf[64] = "", path[300], tmp[310];
	sigset_t mask;
	ssize_t n;
	int fd;

	wait_check();
	n = read(rfd, buf, sizeof(buf) - 1);
	/* written aside and renamed: the reader never sees it half-written */
	snprintf(path, sizeof(path), "%s/result-%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (getppid() != ppid || getpgrp() != getpid() || getsid(0) != sid)
			dprintf(fd, "FAIL: parent %d, group %d, session %d; expected %d, %d, %d\n",
				getppid(), getpgrp(), getsid(0), ppid, getpid(), sid);
		else
			dprintf(fd, "%s\n", n == (ssize_t)strlen(want) &&
				!memcmp(buf, want, (size_t)n) ? "PASS" :
				"FAIL: its pipe's unread data differ");
		close(fd);
		rename(tmp, path);
	}
	sigemptyset(&mask);
	for (;;)
		sigsuspend(&mask);	/* until killed */
}

/* The verdict of child @name (in @buf), waiting up to 30 s for it. */
static int child_verdict(const char *name, char *buf, size_t size)
{
	char path[300];
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/result-%s", dir, name);
	for (int i = 0; i < 3000 && !(f = fopen(path, "r")); i++)
		usleep(10000);
	snprintf(buf, size, "no verdict");
	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return strncmp(buf, "PASS", 4) ? -1 : 0;
}

static int mode_tree(void)
{
	pid_t me = getpid(), sid = getsid(0), a, b = 0, z;
	int pfd[2], p1[2], p2[2], st;
	char v[160];
	siginfo_t si;

	if (pipe(pfd) || pipe(p1) || pipe(p2))
		return 2;
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		b = fork();
		if (b == 0) {
			setpgid(0, 0);
			child_wait("b", p2[0], "from-a-to-b", getppid(), sid);
		}
		if (write(pfd[1], &b, sizeof(b)) != sizeof(b) ||
		    write(p2[1], "from-a-to-b", 11) != 11)
			_exit(2);
		child_wait("a", p1[0], "from-main-to-a", me, sid);
	}
	if (read(pfd[0], &b, sizeof(b)) != sizeof(b) ||
	    write(p1[1], "from-main-to-a", 14) != 14)
		return 2;
	z = fork();
	if (z == 0)
		_exit(7);
	/* the zombie exists; leave it unreaped */
	waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT);
	close(pfd[0]);
	close(pfd[1]);
	usleep(100 * 1000);
	ready();
	wait_check();
	if (getsid(0) != sid)
		result("FAIL: session changed from %d to %d", sid, getsid(0));
	if (getpgid(a) != a || getsid(a) != sid)
		result("FAIL: child %d: group or session changed", a);
	if (getpgid(b) != b || getsid(b) != sid)
		result("FAIL: grandchild %d: group or session changed", b);
	/* only a child of ours can be waited for */
	st = 0;
	if (waitpid(z, &st, WNOHANG) != z || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 7)
		result("FAIL: zombie %d: not our child, or status %#x, not exit 7", z, st);
	kill(a, SIGUSR1);
	kill(b, SIGUSR1);
	if (child_verdict("a", v, sizeof(v)))
		result("FAIL: child %d: %s", a, v);
	if (child_verdict("b", v, sizeof(v)))
		result("FAIL: grandchild %d: %s", b, v);
	kill(b, SIGKILL);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	result("PASS tree of 3 processes joined by pipes with unread data, a zombie (exit 7)");
	return 0;
}

/* --- socket --------------------------------------------------------------- */

static int mode_socket(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || dup2(s, 9) != 9)
		return 2;
	close(s);
	ready();
	wait_check();
	if (fcntl(9, F_GETFD) != -1 || errno != EBADF)
		result("FAIL: fd 9 is still open after the restore");
	result("PASS the socket's fd 9 was restored as closed");
	return 0;
}

/* --- files ----------------------------------------------------------------- */

static int mode_files(void)
{
	char path[300], buf[64];
	int rd, ap, del, dfd, p[2];
	struct stat st, dst;

	snprintf(path, sizeof(path), "%s/offset", dir);
	rd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	snprintf(path, sizeof(path), "%s/append", dir);
	ap = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	snprintf(path, sizeof(path), "%s/deleted", dir);
	del = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (rd < 0 || ap < 0 || del < 0 || dfd < 0 || pipe(p) ||
	    write(rd, "0123456789abcdefghij", 20) != 20 ||
	    lseek(rd, 7, SEEK_SET) != 7 || write(ap, "one,", 4) != 4 ||
	    write(del, "deleted-but-open", 16) != 16 || unlink(path) ||
	    write(p[1], "unread", 6) != 6 || fstat(dfd, &dst))
		return 2;
	ready();
	wait_check();
	if (lseek(rd, 0, SEEK_CUR) != 7)
		result("FAIL: file offset %lld, expected 7",
		       (long long)lseek(rd, 0, SEEK_CUR));
	if (read(rd, buf, 3) != 3 || memcmp(buf, "789", 3))
		result("FAIL: reading at the offset");
	if (!(fcntl(ap, F_GETFL) & O_APPEND))
		result("FAIL: O_APPEND lost");
	lseek(ap, 0, SEEK_SET);
	if (write(ap, "two", 3) != 3)
		result("FAIL: append write");
	snprintf(path, sizeof(path), "%s/append", dir);
	{
		int f = open(path, O_RDONLY);
		ssize_t n = f >= 0 ? read(f, buf, sizeof(buf)) : -1;

		if (n != 7 || memcmp(buf, "one,two", 7))
			result("FAIL: O_APPEND file holds %.*s", (int)(n > 0 ? n : 0), buf);
	}
	if (pread(del, buf, 16, 0) != 16 || memcmp(buf, "deleted-but-open", 16))
		result("FAIL: the deleted-while-open file lost its contents");
	if (fstat(dfd, &st) || !S_ISDIR(st.st_mode) || st.st_ino != dst.st_ino)
		result("FAIL: the directory fd is not the directory");
	if (read(p[0], buf, 6) != 6 || memcmp(buf, "unread", 6))
		result("FAIL: the pipe lost its unread data");
	result("PASS offset, O_APPEND, deleted-while-open file, directory, pipe data");
	return 0;
}

/* --- eintr ------------------------------------------------------------------ */

static volatile sig_atomic_t eintr_handled;
static volatile long ep_ret = -2;	/* -2: epoll_wait has not returned */
static volatile int ep_errno;

static void on_usr2_eintr(int sig)
{
	(void)sig;
	eintr_handled++;
}

static void *epoll_waiter(void *arg)
{
	struct epoll_event ev;
	sigset_t usr2;
	long r;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
	r = syscall(SYS_epoll_wait, (int)(long)arg, &ev, 1, -1);
	ep_errno = r < 0 ? errno : 0;
	ep_ret = r;
	return NULL;
}

static int mode_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_usr2_eintr };	/* no SA_RESTART */
	struct epoll_event ev = { .events = EPOLLIN };
	int efd = eventfd(0, EFD_CLOEXEC), epfd = epoll_create1(EPOLL_CLOEXEC);
	sigset_t usr2;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	/* only the waiter takes SIGUSR2 */
	if (efd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) ||
	    sigaction(SIGUSR2, &sa, NULL) || sigprocmask(SIG_BLOCK, &usr2, NULL) ||
	    spawn(&t, epoll_waiter, (void *)(long)epfd))
		return 2;
	usleep(200 * 1000);	/* in epoll_wait */
	ready();
	wait_check();
	for (int i = 0; i < 200 && ep_ret == -2; i++)
		usleep(10 * 1000);
	if (ep_ret == -2)
		result("FAIL: epoll_wait still waits after the restore (SIGUSR2 handled %d times)",
		       (int)eintr_handled);
	if (ep_ret != -1 || ep_errno != EINTR)
		result("FAIL: epoll_wait returned %ld (%s), not -1/EINTR", ep_ret,
		       strerror(ep_errno));
	if (eintr_handled != 1)
		result("FAIL: the SIGUSR2 handler ran %d times, not once", (int)eintr_handled);
	pthread_join(t, NULL);
	result("PASS the signal sent while frozen ran its handler and epoll_wait returned EINTR after the restore");
	return 0;
}

/* --- leaderexit ------------------------------------------------------------- */

#define LE_MEM (8 << 20)
static volatile int le_go;
static volatile uint64_t le_count, le_count_sum;
static int le_pipe[2];
static pid_t le_tid[3], le_child;
static char le_fail[3][160];

/* "State:" letter and "Threads:" count of /proc/self/status. */
static int le_status(char *state, int *threads)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*state = 0;
	*threads = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "State: %c", state);
		sscanf(line, "Threads: %d", threads);
	}
	fclose(f);
	return *state && *threads > 0 ? 0 : -1;
}

static void le_wait_go(void)
{
	while (!__atomic_load_n(&le_go, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &le_go, FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void *le_counter(void *arg)
{
	struct timespec ms = { 0, 1000 * 1000 };
	uint64_t mine = 0, stop_at = 0;

	(void)arg;
	le_tid[1] = gettid();
	/* counts on, 100 more after the check began */
	while (!stop_at || mine < stop_at) {
		mine++;
		le_count = mine;
		le_count_sum = pattern(9, mine);
		nanosleep(&ms, NULL);
		if (!stop_at && __atomic_load_n(&le_go, __ATOMIC_SEQ_CST))
			stop_at = mine + 100;
	}
	if (le_count != mine || le_count_sum != pattern(9, mine))
		snprintf(le_fail[1], sizeof(le_fail[1]),
			 "counter thread: its count %llu, published %llu",
			 (unsigned long long)mine, (unsigned long long)le_count);
	if (gettid() != le_tid[1])
		snprintf(le_fail[1], sizeof(le_fail[1]),
			 "counter thread: tid %d, was %d", gettid(), le_tid[1]);
	return NULL;
}

static void *le_reader(void *arg)
{
	char buf[32] = "";
	ssize_t n;

	(void)arg;
	le_tid[2] = gettid();
	le_wait_go();
	n = read(le_pipe[0], buf, 11);
	if (n != 11 || memcmp(buf, "before-exit", 11))
		snprintf(le_fail[2], sizeof(le_fail[2]),
			 "pipe thread: the unread data came back as %zd bytes", n);
	else if ((n = read(le_pipe[0], buf, sizeof(buf))) != 5 ||
		 memcmp(buf, "after", 5))
		snprintf(le_fail[2], sizeof(le_fail[2]),
			 "pipe thread: the write after the restore came as %zd bytes", n);
	else if (gettid() != le_tid[2])
		snprintf(le_fail[2], sizeof(le_fail[2]),
			 "pipe thread: tid %d, was %d", gettid(), le_tid[2]);
	return NULL;
}

/* Holds the memory, waits for SIGUSR1 and checks the process. */
static void *le_checker(void *arg)
{
	pid_t pid = (pid_t)(long)arg;
	uint8_t *mem = mmap(NULL, LE_MEM, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t sum = 0, now = 0, c1;
	pthread_t cnt, rd;
	sigset_t usr1;
	int threads, threads_after, st_child = 0;
	char st;
	long w;

	if (mem == MAP_FAILED)
		exit(2);
	le_tid[0] = gettid();
	fill(mem, LE_MEM, 11);
	for (size_t i = 0; i < LE_MEM / 8; i++)
		sum += ((uint64_t *)mem)[i] * (i | 1);
	if (spawn(&cnt, le_counter, NULL) || spawn(&rd, le_reader, NULL))
		exit(2);
	/* the main thread is gone: the process lives in its 3 threads */
	for (int i = 0; i < 5000; i++) {
		if (!le_status(&st, &threads) && st == 'Z' && le_tid[1] && le_tid[2])
			break;
		usleep(1000);
	}
	if (st != 'Z')
		exit(3);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	ready();
	wait_check();
	if (getpid() != pid || gettid() != le_tid[0])
		result("FAIL: pid %d tid %d, was %d and %d", getpid(), gettid(),
		       pid, le_tid[0]);
	if (le_status(&st, &threads_after) || st != 'Z')
		result("FAIL: /proc/self/status says State %c: the main thread is back", st);
	if (threads_after != threads)
		result("FAIL: /proc/self/status says Threads %d, was %d",
		       threads_after, threads);
	if ((w = bad_word(mem, LE_MEM, 11)) >= 0)
		result("FAIL: the checker's memory differs at word %ld", w);
	for (size_t i = 0; i < LE_MEM / 8; i++)
		now += ((uint64_t *)mem)[i] * (i | 1);
	if (now != sum)
		result("FAIL: the checksum on the checker's stack no longer matches");
	c1 = le_count;
	usleep(100 * 1000);
	if (le_count <= c1)
		result("FAIL: the counter thread stopped at %llu", (unsigned long long)c1);
	/* the child the main thread made is still ours, and alive */
	if (le_child && kill(le_child, SIGTERM))
		result("FAIL: the child %d is gone", le_child);
	if (le_child && (waitpid(le_child, &st_child, 0) != le_child ||
			 !WIFSIGNALED(st_child) || WTERMSIG(st_child) != SIGTERM))
		result("FAIL: the child %d is not ours, or did not die of SIGTERM (%#x)",
		       le_child, st_child);
	if (write(le_pipe[1], "after", 5) != 5)
		result("FAIL: writing the pipe after the restore");
	__atomic_store_n(&le_go, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &le_go, FUTEX_WAKE, 8, NULL, NULL, 0);
	pthread_join(cnt, NULL);
	pthread_join(rd, NULL);
	for (int i = 0; i < 3; i++)
		if (le_fail[i][0])
			result("FAIL: %s", le_fail[i]);
	result("PASS main thread exited (State Z, Threads %d); 3 threads kept memory, count (%llu), pipe data%s",
	       threads, (unsigned long long)le_count, le_child ? ", its child" : "");
	return NULL;
}

static int mode_leaderexit(int child)
{
	pthread_t chk;

	if (pipe(le_pipe) || write(le_pipe[1], "before-exit", 11) != 11)
		return 2;
	/* a child of the main thread: it outlives it, and its restore */
	if (child && (le_child = fork()) < 0)
		return 2;
	if (child && le_child == 0) {
		for (;;)
			pause();
	}
	if (spawn(&chk, le_checker, (void *)(long)getpid()))
		return 2;
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	if (argc < 3) {
		fprintf(stderr, "usage: ckpt_rt_prog memory|threads|signals|syscalls|chain|tree|socket|files|eintr|leaderexit DIR [ARG]\n");
		return 1;
	}
	dir = argv[2];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (!strcmp(argv[1], "memory"))
		return mode_memory(argc > 3 && !strcmp(argv[3], "big"));
	if (!strcmp(argv[1], "threads"))
		return mode_threads();
	if (!strcmp(argv[1], "signals"))
		return mode_signals();
	if (!strcmp(argv[1], "syscalls"))
		return mode_syscalls();
	if (!strcmp(argv[1], "chain"))
		return mode_chain();
	if (!strcmp(argv[1], "tree"))
		return mode_tree();
	if (!strcmp(argv[1], "files"))
		return mode_files();
	if (!strcmp(argv[1], "socket"))
		return mode_socket();
	if (!strcmp(argv[1], "eintr"))
		return mode_eintr();
	if (!strcmp(argv[1], "leaderexit"))
		return mode_leaderexit(argc > 3 && !strcmp(argv[3], "child"));
	fprintf(stderr, "ckpt_rt_prog: unknown mode %s\n", argv[1]);
	return 1;
}
