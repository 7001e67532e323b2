// SPDX-License-Identifier: GPL-2.0
/*
 * Dump defects (issue 12), each a test that failed or crashed before the
 * fix:
 *
 * - a 64-thread member killed with SIGKILL while its job is frozen,
 *   between two reads of a dump: the read that reaches it fails with
 *   -ESRCH, CKPT_IOC_DUMP_ERROR names the pid, no oops, and the job thaws
 *   and goes away; the same kill racing a read (20 rounds, the member
 *   first in the dump) ends either way, cleanly: a read that oopses on a
 *   thread exiting under it (seen in getreg/task_user_regset_view) ends
 *   the reading thread, which the test reports;
 * - a process whose main thread called pthread_exit while three threads
 *   run on is dumped alive: TASK flag CKPT_TASK_LEADER_EXITED (not
 *   ZOMBIE), MM, VMAs and pages, a THREAD record per live thread only;
 *   after the thaw the threads carry on with their state intact;
 * - a 64 TiB MAP_NORESERVE region with 8 pages touched far apart dumps
 *   within a bound (page tables walked, holes skipped), and those 8 pages
 *   are in the stream with their contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "page_scan.h"
#include "workload.h"

#define PS		4096UL
#define KTHREADS	64	/* threads of the member that is killed */
#define EXIT_THREADS	3	/* threads left when the leader exits */
#define RACE_ROUNDS	20

FIXTURE(defects) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	uint32_t job;
};

FIXTURE_SETUP(defects)
{
	ASSERT_EQ(PS, sysconf(_SC_PAGESIZE));
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->job = getpid();
}

FIXTURE_TEARDOWN(defects)
{
	wl_kill_descendants();
	close(self->dev);
	gnl_close(&self->g);
}

#define FREEZE(self, id) \
	ASSERT_EQ(0, gnl_job_freeze(&(self)->g, id, 30000, &(self)->r)) \
		TH_LOG("JOB_FREEZE of job %u: %s", id, (self)->r.extack)

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* "Threads:" of /proc/@pid/status, or -1. */
static int proc_threads(pid_t pid)
{
	char path[64], line[128];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* --- a tree with a many-threaded member ----------------------------------- */

/*
 * root -> a (counts), k (KTHREADS threads, all in pause()), b (counts);
 * in this creation order, which is the order of the dump.  With @k_root,
 * k is the root itself (the first process of the dump) and a and b are
 * its children.
 */
struct ktree {
	pid_t root, a, k, b;
	uint32_t k_started;
	struct wl_counters c;	/* a and b count in c.count */
};

static void *k_thread(void *arg)
{
	struct ktree *t = arg;

	__atomic_add_fetch(&t->k_started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noreturn)) counter_loop(struct ktree *t)
{
	for (;;) {
		__atomic_add_fetch(&t->c.count, 1, __ATOMIC_SEQ_CST);
		usleep(1000);
	}
}

static void __attribute__((noreturn)) k_run(struct ktree *t)
{
	pthread_attr_t attr;
	pthread_t th;

	prctl(PR_SET_NAME, "ckpt-many");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 1; i < KTHREADS; i++)
		if (pthread_create(&th, &attr, k_thread, t))
			_exit(1);
	k_thread(t);
	_exit(0);
}

static void __attribute__((noreturn)) ktree_root(struct ktree *t, bool k_root)
{
	pid_t pid;

	prctl(PR_SET_NAME, "ckpt-kroot");
	pid = fork();
	if (pid == 0)
		counter_loop(t);
	t->a = pid;
	if (!k_root) {
		pid = fork();
		if (pid == 0)
			k_run(t);
		t->k = pid;
	}
	pid = fork();
	if (pid == 0)
		counter_loop(t);
	t->b = pid;
	if (k_root) {
		t->k = getpid();
		k_run(t);
	}
	for (;;)
		pause();
}

static int ktree_start(struct ktree *t, bool k_root)
{
	uint64_t end = wl_now_ms() + 30000;
	pid_t root;

	memset(t, 0, sizeof(*t));
	root = wl_fork_clean();	/* not into *t: the child shares it */
	if (root < 0)
		return -errno;
	if (root == 0)
		ktree_root(t, k_root);
	t->root = root;
	while (__atomic_load_n(&t->k_started, __ATOMIC_SEQ_CST) < KTHREADS ||
	       !__atomic_load_n(&t->b, __ATOMIC_SEQ_CST) ||
	       proc_threads(t->k) != KTHREADS) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(10);
	}
	return 0;
}

/* Read exactly one record (header and body) of session @fd into @buf. */
static int read_record(int fd, uint8_t *buf, size_t size)
{
	struct ckpt_rec *h = (struct ckpt_rec *)buf;
	ssize_t n = read(fd, h, sizeof(*h));

	if (n != sizeof(*h))
		return n < 0 ? -errno : -EIO;
	if (h->len < sizeof(*h) || h->len > size)
		return -EBADMSG;
	n = read(fd, buf + sizeof(*h), h->len - sizeof(*h));
	if (n != (ssize_t)(h->len - sizeof(*h)))
		return n < 0 ? -errno : -EIO;
	return 0;
}

/* Wait until @pid is a zombie whose other threads are all gone. */
static int wait_dead(pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;

	while (wl_task_state(pid, pid) != 'Z' || proc_threads(pid) > 1) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(10);
	}
	return 0;
}

/* The rest of session @fd after what was read: the stream so far, the
 * read's result. */
struct rest {
	int fd;
	uint8_t *buf;
	size_t len;
	int err;
	int returned;		/* read() came back (an oops ends the thread) */
};

static void *read_rest(void *arg)
{
	struct rest *r = arg;

	r->err = dh_read_all(r->fd, 4096, &r->buf, &r->len);
	__atomic_store_n(&r->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

TEST_F_TIMEOUT(defects, kill_many_threaded_member_between_reads, 240)
{
	struct ktree *t = wl_shared(sizeof(*t));
	struct ckpt_dump_error e;
	uint8_t first[4096];
	struct rest rest = { 0 };
	struct dh_dump d;
	char want[32];
	int fd;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ktree_start(t, false));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, t->root,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	FREEZE(self, self->job);
	EXPECT_EQ(4, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(3 + KTHREADS, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));

	fd = dh_dump_open(self->dev, self->job);
	ASSERT_LE(0, fd) TH_LOG("CKPT_IOC_DUMP: %s", strerror(-fd));
	/* BEGIN is a read step of its own: no process is started yet */
	ASSERT_EQ(0, read_record(fd, first, sizeof(first)));
	ASSERT_EQ(CKPT_REC_BEGIN, ((struct ckpt_rec *)first)->type);

	/* the parked member and its 63 other threads die */
	ASSERT_EQ(0, kill(t->k, SIGKILL));
	ASSERT_EQ(0, wait_dead(t->k, 20000))
		TH_LOG("pid %d did not exit after SIGKILL (state %c)", t->k,
		       wl_task_state(t->k, t->k));

	rest.fd = fd;
	read_rest(&rest);
	EXPECT_EQ(-ESRCH, rest.err)
		TH_LOG("the read that reached killed pid %d returned %s (%zu bytes read)",
		       t->k, rest.err ? strerror(-rest.err) : "end of stream",
		       rest.len);
	ASSERT_EQ(0, dh_dump_error(fd, &e)) TH_LOG("CKPT_IOC_DUMP_ERROR failed");
	EXPECT_EQ(-ESRCH, e.error);
	EXPECT_EQ(t->k, e.pid);
	snprintf(want, sizeof(want), "pid %d", t->k);
	EXPECT_NE(NULL, strstr(e.msg, want)) TH_LOG("message: \"%s\"", e.msg);

	/* what came before it is whole: the root and the first child */
	{
		size_t blen = ((struct ckpt_rec *)first)->len;
		uint8_t *all = malloc(blen + rest.len);

		ASSERT_NE(NULL, all);
		memcpy(all, first, blen);
		memcpy(all + blen, rest.buf, rest.len);
		free(rest.buf);
		ASSERT_EQ(0, dh_dump_parse(&d, all, blen + rest.len))
			TH_LOG("%s", d.error);
	}
	EXPECT_EQ(1, dh_count(&d, CKPT_REC_TASK, t->root));
	EXPECT_EQ(1, dh_count(&d, CKPT_REC_TASK, t->a));
	EXPECT_EQ(NULL, d.end);
	dh_dump_free(&d);

	/* the job thaws and goes away */
	EXPECT_FALSE(wl_counter_moves(&t->c, 300));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r))
		TH_LOG("JOB_THAW: %s", self->r.extack);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, self->job));
	EXPECT_TRUE(wl_counter_moves(&t->c, 3000));
	close(fd);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r))
		TH_LOG("JOB_DESTROY: %s", self->r.extack);
}

/*
 * The kill lands while a read is emitting the member's threads (it is the
 * first process of the dump), or just before, or after: no oops, and the
 * dump either completes or names it.
 */
TEST_F_TIMEOUT(defects, kill_many_threaded_member_during_read, 400)
{
	struct ktree *t = wl_shared(sizeof(*t));
	int complete = 0, failed = 0;

	ASSERT_NE(NULL, t);
	for (int round = 0; round < RACE_ROUNDS; round++) {
		struct rest rest = { 0 };
		struct ckpt_dump_error e;
		uint8_t first[4096];
		pthread_t th;
		uint32_t id = self->job + 1 + round;
		int fd;

		ASSERT_EQ(0, ktree_start(t, true));
		ASSERT_EQ(0, gnl_job_create(&self->g, id, CKPT_JOB_TREE, t->root,
					    NULL, &self->r)) TH_LOG("%s", self->r.extack);
		FREEZE(self, id);
		fd = dh_dump_open(self->dev, id);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, read_record(fd, first, sizeof(first)));

		rest.fd = fd;
		ASSERT_EQ(0, pthread_create(&th, NULL, read_rest, &rest));
		/* a little later each round: before, during, after */
		for (uint64_t end = now_us() + round * 300; now_us() < end;)
			;
		ASSERT_EQ(0, kill(t->k, SIGKILL));
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_TRUE(__atomic_load_n(&rest.returned, __ATOMIC_SEQ_CST))
			TH_LOG("round %d: the thread reading the dump died inside read() while pid %d was killed: a kernel oops (see the kernel log)",
			       round, t->k);
		if (rest.err == 0) {
			complete++;
		} else {
			failed++;
			EXPECT_EQ(-ESRCH, rest.err)
				TH_LOG("round %d: %s", round, strerror(-rest.err));
			ASSERT_EQ(0, dh_dump_error(fd, &e));
			EXPECT_EQ(-ESRCH, e.error);
			EXPECT_EQ(t->k, e.pid) TH_LOG("round %d: %s", round, e.msg);
		}
		free(rest.buf);
		EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, id, &self->r))
			TH_LOG("round %d: JOB_THAW: %s", round, self->r.extack);
		close(fd);
		EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, id, &self->r));
		wl_kill_descendants();
	}
	TH_LOG("%d rounds: %d dumps complete, %d failed with -ESRCH", RACE_ROUNDS,
	       complete, failed);
}

/* --- pthread_exit of the main thread -------------------------------------- */

#define BUF_WORDS	(64 * 1024 / 8)

struct exited {
	pid_t pid;
	pid_t tid[EXIT_THREADS];
	uint64_t *buf[EXIT_THREADS];	/* each thread's state */
	uint32_t started;
	struct wl_counters c;	/* the threads count in c.count */
	uint32_t bad;		/* a thread found its state changed */
};

static uint64_t word(int i, size_t w)
{
	return (0x9e3779b97f4a7c15ULL * (w + 1)) ^ ((uint64_t)(i + 1) << 56);
}

static struct exited *g_ex;

static void *ex_thread(void *arg)
{
	int i = (int)(long)arg;
	uint64_t *buf = malloc(BUF_WORDS * 8);

	if (!buf)
		_exit(3);
	for (size_t w = 0; w < BUF_WORDS; w++)
		buf[w] = word(i, w);
	g_ex->buf[i] = buf;
	g_ex->tid[i] = syscall(SYS_gettid);
	__atomic_add_fetch(&g_ex->started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		for (size_t w = 0; w < BUF_WORDS; w += 509)
			if (buf[w] != word(i, w))
				__atomic_add_fetch(&g_ex->bad, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&g_ex->c.count, 1, __ATOMIC_SEQ_CST);
		usleep(2000);
	}
	return NULL;
}

TEST_F_TIMEOUT(defects, leader_exited_dumped_alive, 180)
{
	struct exited *ex = wl_shared(sizeof(*ex));
	const struct ckpt_rec_task *task;
	const struct ckpt_rec_thread *th;
	struct dh_dump d;
	pid_t pid;
	int i;

	ASSERT_NE(NULL, ex);
	pid = wl_fork_clean();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pthread_t t;

		prctl(PR_SET_NAME, "ckpt-noleader");
		g_ex = ex;
		ex->pid = getpid();
		for (i = 0; i < EXIT_THREADS; i++)
			if (pthread_create(&t, NULL, ex_thread, (void *)(long)i))
				_exit(2);
		while (__atomic_load_n(&ex->started, __ATOMIC_SEQ_CST) < EXIT_THREADS)
			usleep(1000);
		pthread_exit(NULL);
	}
	ASSERT_EQ(0, wl_wait_state(pid, "Z", 20000));
	ASSERT_EQ(EXIT_THREADS + 1, proc_threads(pid));
	ASSERT_TRUE(wl_counter_moves(&ex->c, 3000));

	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	FREEZE(self, self->job);
	ASSERT_EQ(0, dh_dump_job(self->dev, self->job, &d)) TH_LOG("%s", d.error);

	ASSERT_EQ(1, dh_count(&d, CKPT_REC_TASK, pid));
	task = dh_nth(&d, CKPT_REC_TASK, pid, 0);
	EXPECT_TRUE(task->flags & CKPT_TASK_LEADER_EXITED)
		TH_LOG("TASK flags of pid %d: %#x", pid, task->flags);
	EXPECT_FALSE(task->flags & CKPT_TASK_ZOMBIE)
		TH_LOG("pid %d dumped as a zombie", pid);
	EXPECT_EQ(1, dh_count(&d, CKPT_REC_SIGACTIONS, pid));
	EXPECT_EQ(1, dh_count(&d, CKPT_REC_MM, pid));
	EXPECT_LT(0, dh_count(&d, CKPT_REC_VMA, pid));
	EXPECT_LT(0, dh_count(&d, CKPT_REC_PAGES, pid));

	/* one THREAD per live thread, none for the exited leader */
	EXPECT_EQ(EXIT_THREADS, dh_count(&d, CKPT_REC_THREAD, pid));
	EXPECT_EQ(NULL, dh_thread(&d, pid));
	for (i = 0; i < EXIT_THREADS; i++) {
		const uint8_t *pg;

		th = dh_thread(&d, ex->tid[i]);
		EXPECT_NE(NULL, th) TH_LOG("no THREAD record of tid %d", ex->tid[i]);
		if (th)
			EXPECT_NE(NULL, dh_thread_regs(th));
		/* each thread's state is in the pages */
		pg = dh_page(&d, pid, (uintptr_t)ex->buf[i] + 8 * PS);
		EXPECT_NE(NULL, pg) TH_LOG("thread %d's buffer is not in the dump", i);
		if (pg) {
			size_t w0 = ((((uintptr_t)ex->buf[i] + 8 * PS) & ~(PS - 1)) -
				     (uintptr_t)ex->buf[i]) / 8;

			EXPECT_EQ(word(i, w0), ((const uint64_t *)pg)[0]);
		}
	}
	dh_dump_free(&d);

	EXPECT_FALSE(wl_counter_moves(&ex->c, 300));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_TRUE(wl_counter_moves(&ex->c, 3000));
	wl_sleep_ms(200);
	EXPECT_EQ(0, ex->bad);
	EXPECT_EQ(EXIT_THREADS + 1, proc_threads(pid));
}

/* --- a 64 TiB hole ---------------------------------------------------------- */

#define HOLE_SIZE	(1ULL << 46)		/* 2^34 pages */
#define HOLE_TOUCHED	8
#define HOLE_BOUND_MS	120000

struct hole {
	uint64_t base;
	uint32_t ready;
	/* the reader's results */
	int err;
	uint64_t ms, pages, region_pages, region_bad, end_pages;
	uint32_t done;
};

static uint64_t hole_page(size_t i)
{
	/* spread over the whole region, not aligned to anything big */
	return (HOLE_SIZE / HOLE_TOUCHED) * i + (i * 7 + 3) * PS;
}

static int hole_check(size_t pg, const uint8_t *data, void *arg)
{
	const uint64_t *w = (const uint64_t *)data;

	(void)arg;
	return w[0] == pg * PS + 0x5a5a && w[PS / 8 - 1] == ~(pg * PS);
}

TEST_F_TIMEOUT(defects, noreserve_64tib_hole, 300)
{
	struct hole *h = wl_shared(sizeof(*h));
	pid_t pid, reader;
	int fd, status;
	uint64_t t0;

	ASSERT_NE(NULL, h);
	pid = wl_fork_clean();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *p = mmap(NULL, HOLE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);

		prctl(PR_SET_NAME, "ckpt-hole");
		/* 4 KiB pages: a 2 MiB THP around each touched page would be
		 * carried whole (it holds data, zeroes) */
		if (p == MAP_FAILED || madvise(p, HOLE_SIZE, MADV_NOHUGEPAGE))
			_exit(2);
		for (size_t i = 0; i < HOLE_TOUCHED; i++) {
			uint64_t *w = (uint64_t *)(p + hole_page(i));

			w[0] = hole_page(i) + 0x5a5a;
			w[PS / 8 - 1] = ~hole_page(i);
		}
		h->base = (uintptr_t)p;
		__atomic_store_n(&h->ready, 1, __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	for (t0 = wl_now_ms(); !__atomic_load_n(&h->ready, __ATOMIC_SEQ_CST);) {
		ASSERT_GT(t0 + 20000, wl_now_ms()) TH_LOG("the 64 TiB mapping failed");
		wl_sleep_ms(10);
	}

	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	FREEZE(self, self->job);
	fd = dh_dump_open(self->dev, self->job);
	ASSERT_LE(0, fd);

	/* read in a child, so that a dump that takes hours can be stopped */
	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		struct ps_region rg = {
			.pid = pid, .start = h->base, .npages = HOLE_SIZE / PS,
			.check = hole_check,
		};
		struct ps_stats st;
		uint64_t start = wl_now_ms();

		h->err = ps_read_dump(fd, &rg, 1, &st);
		h->ms = wl_now_ms() - start;
		h->pages = st.pages;
		h->region_pages = st.region_pages;
		h->region_bad = st.region_bad;
		h->end_pages = st.end_pages;
		__atomic_store_n(&h->done, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	t0 = wl_now_ms();
	status = dh_wait(reader, HOLE_BOUND_MS);
	if (status == -ETIMEDOUT) {
		kill(reader, SIGKILL);
		dh_wait(reader, 30000);
	}
	close(fd);
	ASSERT_TRUE(__atomic_load_n(&h->done, __ATOMIC_SEQ_CST))
		TH_LOG("the dump of a 64 TiB MAP_NORESERVE region with %d touched pages did not finish within %d s (stopped after %llu ms)",
		       HOLE_TOUCHED, HOLE_BOUND_MS / 1000,
		       (unsigned long long)(wl_now_ms() - t0));
	TH_LOG("64 TiB hole: dump read in %llu ms, %llu pages in the stream",
	       (unsigned long long)h->ms, (unsigned long long)h->pages);
	EXPECT_EQ(0, h->err);
	EXPECT_EQ(HOLE_TOUCHED, h->region_pages);
	EXPECT_EQ(0, h->region_bad);
	EXPECT_EQ(h->pages, h->end_pages);
}

TEST_HARNESS_MAIN
