// SPDX-License-Identifier: GPL-2.0
/*
 * The freezer at scale: JOB_FREEZE of 100 processes x 4 threads parks every
 * thread (state I in /proc) and the freezing thread sleeps a handful of
 * times, not once per thread (each parked thread counts itself out; only
 * the last wakes the freezer), and JOB_THAW does not sleep at all; a job
 * that grew far beyond what its last freeze parked (and a deep chain of
 * processes beyond it) is parked whole; threads created all the time while
 * freezes run are parked too; a non-leader thread that cannot park fails
 * the freeze with -ETIMEDOUT naming its process, and the rest is thawed;
 * 1000 freeze/thaw cycles leave no module reference, no task_struct and
 * no kernel warning behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define MAX_TASKS 256

FIXTURE(scale) {
	struct gnl g;
	struct gnl_reply r;
	struct wl_counters *c;
	uint32_t job;		/* the test process's pid: unique per test */
	struct gnl_task t[MAX_TASKS];
};

FIXTURE_SETUP(scale)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	self->c = wl_shared(sizeof(*self->c));
	ASSERT_NE(NULL, self->c);
	self->job = getpid();
}

FIXTURE_TEARDOWN(scale)
{
	wl_kill_descendants();
	gnl_close(&self->g);
}

#define FREEZE_OK(self, ms) do {					\
	ASSERT_EQ(0, gnl_job_freeze(&(self)->g, (self)->job, ms, &(self)->r)) \
		TH_LOG("JOB_FREEZE: %s", (self)->r.extack);		\
	ASSERT_EQ(CKPT_JOB_FROZEN,					\
		  gnl_u32(&(self)->r, CKPT_A_JOB_STATE, 0));		\
} while (0)

#define THAW_OK(self)							\
	ASSERT_EQ(0, gnl_job_simple(&(self)->g, CKPT_CMD_JOB_THAW,	\
				    (self)->job, &(self)->r))		\
		TH_LOG("JOB_THAW: %s", (self)->r.extack)

/* Voluntary context switches of the calling thread so far. */
static long my_sleeps(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_nvcsw;
}

/* CPU time of the calling thread so far, in microseconds. */
static long long my_cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/*
 * Threads of @pid that /proc lists, and how many of them are not in state
 * @want (a thread that vanishes while looked at is not counted).  -errno
 * if the directory cannot be read.
 */
static int threads_not_in(pid_t pid, char want, int *not_in)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	*not_in = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);
		char st;

		if (tid <= 0)
			continue;
		st = wl_task_state(pid, tid);
		if (!st)
			continue;
		n++;
		if (st != want)
			(*not_in)++;
	}
	closedir(d);
	return n;
}

/*
 * Every thread of every process of the job reply in self->r is parked
 * (state I); their count.  With @exact, it must equal the reply's
 * NR_THREADS; else a thread may have been on its way out when the job was
 * frozen (it counts as frozen, then is gone): it must be gone within 2 s.
 */
static int all_parked(struct __test_metadata *_metadata,
		      FIXTURE_DATA(scale) *self, bool exact)
{
	int n = gnl_job_tasks(&self->r, self->t, MAX_TASKS), i, total = 0;

	EXPECT_LT(0, n);
	EXPECT_GE(MAX_TASKS, n);
	for (i = 0; i < n && i < MAX_TASKS; i++) {
		int not_in, k, tries = 0;

		for (;;) {
			k = threads_not_in(self->t[i].pid, 'I', &not_in);
			if (exact || !not_in || ++tries == 40)
				break;
			wl_sleep_ms(50);
		}
		EXPECT_LT(0, k) {
			TH_LOG("pid %u: cannot list its threads", self->t[i].pid);
		}
		EXPECT_EQ(0, not_in) {
			TH_LOG("pid %u: %d of its %d threads are not parked",
			       self->t[i].pid, not_in, k);
		}
		if (exact) {
			EXPECT_EQ((int)self->t[i].nr_threads, k);
		} else {
			EXPECT_GE((int)self->t[i].nr_threads, k);
		}
		total += k > 0 ? k : 0;
	}
	if (exact) {
		EXPECT_EQ(gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0),
			  (uint32_t)total);
	}
	return total;
}

/* (a) ------------------------------------------------------------------------ */

TEST_F_TIMEOUT(scale, hundred_by_four_parked_with_few_wakeups, 240)
{
	uint64_t t0, ms;
	long before, freeze_sleeps, thaw_sleeps;
	long long cpu;

	ASSERT_EQ(0, wl_counters_start(self->c, 100, 4, 20000, 60000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE,
				    self->c->root, NULL, &self->r));

	/* twice: the second freeze is sized by the first */
	for (int round = 0; round < 2; round++) {
		t0 = wl_now_ms();
		cpu = my_cpu_us();
		before = my_sleeps();
		FREEZE_OK(self, 20000);
		freeze_sleeps = my_sleeps() - before;
		cpu = my_cpu_us() - cpu;
		ms = wl_now_ms() - t0;
		EXPECT_EQ(101, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
		EXPECT_EQ(401, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
		/*
		 * The freezer sleeps until the last of the 400 threads wakes
		 * it, and looks again every 100 ms: never once per thread.
		 */
		TH_LOG("round %d: freeze %llu ms, the freezer slept %ld times and ran %lld ms",
		       round, (unsigned long long)ms, freeze_sleeps, cpu / 1000);
		EXPECT_GE(4 + (long)ms / 100, freeze_sleeps);
		EXPECT_EQ(401, all_parked(_metadata, self, true));
		EXPECT_FALSE(wl_counter_moves(self->c, 300));

		before = my_sleeps();
		THAW_OK(self);
		thaw_sleeps = my_sleeps() - before;
		/* one wake-up per parked thread; the thawer waits for none */
		EXPECT_GE(1, thaw_sleeps);
		EXPECT_TRUE(wl_counter_moves(self->c, 5000));
	}
}

/* (b) ------------------------------------------------------------------------ */

/*
 * A process tree that grows on a byte on @in: its root forks a chain of
 * @depth processes, each the child of the one before, each with one more
 * thread than the main one, all pausing.  It writes a byte on @out once
 * all of it is there.
 */
struct chain {
	int in[2], out[2];
	uint32_t *ready;	/* shared: processes of the chain up */
};

static void *pauser(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noreturn)) chain_link(struct chain *ch, int left)
{
	pthread_t th;

	if (pthread_create(&th, NULL, pauser, NULL))
		_exit(1);
	__atomic_add_fetch(ch->ready, 1, __ATOMIC_SEQ_CST);
	if (left > 1 && fork() == 0)
		chain_link(ch, left - 1);
	pauser(NULL);
	_exit(0);
}

static pid_t spawn_chain_root(FIXTURE_DATA(scale) *self, struct chain *ch,
			      int depth)
{
	pid_t pid;

	ch->ready = wl_shared(sizeof(*ch->ready));
	if (!ch->ready || pipe(ch->in) || pipe(ch->out))
		return -ENOMEM;
	pid = fork();
	if (pid == 0) {
		char c;

		close(self->g.fd);
		/* the read is parked by the first freeze and restarted */
		if (read(ch->in[0], &c, 1) != 1)
			_exit(1);
		if (fork() == 0)
			chain_link(ch, depth);
		while (__atomic_load_n(ch->ready, __ATOMIC_SEQ_CST) < (uint32_t)depth)
			usleep(1000);
		if (write(ch->out[1], "r", 1) != 1)
			_exit(1);
		pauser(NULL);
	}
	return pid;
}

TEST_F_TIMEOUT(scale, job_grown_past_last_freeze_parked_whole, 240)
{
	enum { DEPTH = 60 };
	struct chain ch;
	char c = 0;
	pid_t root;

	root = spawn_chain_root(self, &ch, DEPTH);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, wl_wait_state(root, "S", 5000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, root,
				    NULL, &self->r));
	/* sized for one thread */
	FREEZE_OK(self, 10000);
	EXPECT_EQ(1, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	THAW_OK(self);

	/*
	 * 121 threads, 60 of them in a chain of processes whose parents
	 * did not fit in the parks of the first walk.
	 */
	ASSERT_EQ(1, write(ch.in[1], "g", 1));
	ASSERT_EQ(0, wl_read_full(ch.out[0], &c, 1, 60000));
	FREEZE_OK(self, 20000);
	EXPECT_EQ(1 + DEPTH, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(1 + 2 * DEPTH, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	EXPECT_EQ(1 + 2 * DEPTH, all_parked(_metadata, self, true));
	THAW_OK(self);

	/* and the next freeze, sized by this one, again */
	FREEZE_OK(self, 20000);
	EXPECT_EQ(1 + 2 * DEPTH, all_parked(_metadata, self, true));
	THAW_OK(self);
}

/* (c) ------------------------------------------------------------------------ */

/*
 * Threads that create threads all the time: @spawners threads each start
 * a thread that exits after a short sleep, again and again, so that
 * threads are being created while every freeze runs.
 */
struct churn {
	uint64_t created;	/* shared: threads created so far */
};

static void *short_lived(void *arg)
{
	(void)arg;
	usleep(1000 + rand() % 4000);
	return NULL;
}

static void *spawner(void *arg)
{
	struct churn *ch = arg;
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_t th;

		if (!pthread_create(&th, &a, short_lived, NULL))
			__atomic_add_fetch(&ch->created, 1, __ATOMIC_SEQ_CST);
		usleep(500);
	}
	return NULL;
}

TEST_F_TIMEOUT(scale, threads_created_while_freezing_are_parked, 240)
{
	enum { PROCS = 4, SPAWNERS = 4, ROUNDS = 20 };
	struct churn *ch = wl_shared(sizeof(*ch));
	pid_t root;

	ASSERT_NE(NULL, ch);
	root = fork();
	ASSERT_LE(0, root);
	if (root == 0) {
		close(self->g.fd);
		for (int i = 1; i < PROCS; i++)
			if (fork() == 0)
				break;
		for (int i = 0; i < SPAWNERS; i++) {
			pthread_t th;

			if (pthread_create(&th, NULL, spawner, ch))
				_exit(1);
		}
		pauser(NULL);
	}
	while (__atomic_load_n(&ch->created, __ATOMIC_SEQ_CST) < 200)
		wl_sleep_ms(10);
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, root,
				    NULL, &self->r));

	for (int round = 0; round < ROUNDS; round++) {
		uint64_t created;
		int n;

		FREEZE_OK(self, 20000);
		EXPECT_EQ(PROCS, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
		/* no thread escaped: all parked, none created since */
		created = __atomic_load_n(&ch->created, __ATOMIC_SEQ_CST);
		n = all_parked(_metadata, self, false);
		EXPECT_LE(PROCS * (1 + SPAWNERS), n);
		wl_sleep_ms(50);
		EXPECT_EQ(created, __atomic_load_n(&ch->created, __ATOMIC_SEQ_CST));
		THAW_OK(self);
		if (!_metadata->passed)
			break;
		wl_sleep_ms(rand() % 20);
	}
}

/* (d) ------------------------------------------------------------------------ */

/*
 * A process of 4 threads, one of which (not the main one) vforks a child
 * that waits on @in: that thread waits for the child killably and cannot
 * park; the rest counts on @c.
 */
struct vfork_thread {
	int in[2];
	uint64_t *count;	/* shared */
};

static void *counting(void *arg)
{
	uint64_t *count = arg;

	for (;;) {
		__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
		usleep(5000);
	}
	return NULL;
}

static void *vforking(void *arg)
{
	struct vfork_thread *v = arg;

	if (vfork() == 0) {
		char c;

		_exit(read(v->in[0], &c, 1) == 1 ? 0 : 1);
	}
	return pauser(NULL);
}

TEST_F_TIMEOUT(scale, thread_that_cannot_park_is_named, 120)
{
	struct vfork_thread v;
	struct gnl_reply *r = &self->r;
	char pidstr[16];
	uint64_t t0, ms, seen;
	pid_t p, child;

	v.count = wl_shared(sizeof(*v.count));
	ASSERT_NE(NULL, v.count);
	ASSERT_EQ(0, pipe(v.in));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		pthread_t th;

		close(self->g.fd);
		prctl(PR_SET_NAME, "ckpt-vfthread");
		for (int i = 0; i < 2; i++)
			if (pthread_create(&th, NULL, counting, v.count))
				_exit(1);
		if (pthread_create(&th, NULL, vforking, &v))
			_exit(1);
		counting(v.count);
	}
	for (int i = 0; i < 500 && wl_find_child(p) <= 0; i++)
		wl_sleep_ms(10);
	child = wl_find_child(p);
	ASSERT_LT(0, child);
	ASSERT_EQ(0, wl_wait_state(child, "S", 5000));	/* in read */
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, p,
				    NULL, r));

	t0 = wl_now_ms();
	ASSERT_EQ(-ETIMEDOUT, gnl_job_freeze(&self->g, self->job, 1500, r));
	ms = wl_now_ms() - t0;
	EXPECT_LE(1500, ms);
	EXPECT_GT(10000, ms);
	EXPECT_NE(NULL, strstr(r->extack, "did not stop")) {
		TH_LOG("extack was \"%s\"", r->extack);
	}
	/* kernels with formatted extack messages (6.3+) name the pid */
	snprintf(pidstr, sizeof(pidstr), "pid %d ", p);
	if (strstr(r->extack, "pid "))
		EXPECT_NE(NULL, strstr(r->extack, pidstr)) {
			TH_LOG("extack was \"%s\"", r->extack);
		}

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(r, CKPT_A_JOB_STATE, 0));
	/* the process, not the thread: pids name processes */
	EXPECT_EQ((uint32_t)p, gnl_u32(r, CKPT_A_JOB_ERR_PID, 0));
	EXPECT_EQ('D', gnl_u32(r, CKPT_A_JOB_ERR_STATE, 0));

	/* the counting threads were thawed */
	seen = __atomic_load_n(v.count, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 300 && __atomic_load_n(v.count, __ATOMIC_SEQ_CST) == seen; i++)
		wl_sleep_ms(10);
	EXPECT_NE(seen, __atomic_load_n(v.count, __ATOMIC_SEQ_CST));
	close(v.in[1]);
}

/* (e) ------------------------------------------------------------------------ */

static int module_refcnt(void)
{
	char buf[32];

	if (wl_read_file("/sys/module/ckpt/refcnt", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

/* Active objects of the task_struct slab cache, or -1. */
static long task_structs(void)
{
	char line[512];
	long n = -1;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "task_struct ", 12)) {
			n = atol(line + 12);
			break;
		}
	fclose(f);
	return n;
}

/* Lines of the kernel log from @fd (opened before) that warn or oops. */
static int kernel_warnings(struct __test_metadata *_metadata, int fd)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		if (strstr(rec, "WARNING") || strstr(rec, "BUG") ||
		    strstr(rec, "Oops") || strstr(rec, "refcount_t")) {
			TH_LOG("kernel: %s", rec);
			n++;
		}
	}
	return n;
}

TEST_F_TIMEOUT(scale, thousand_cycles_leave_nothing_behind, 600)
{
	enum { CYCLES = 1000 };
	long tasks_before, tasks_after;
	int kmsg, refs = -1, i;
	uint64_t end;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, (int)lseek(kmsg, 0, SEEK_END) < 0 ? -1 : 0);
	tasks_before = task_structs();
	ASSERT_LT(0, tasks_before);
	ASSERT_EQ(0, module_refcnt());

	ASSERT_EQ(0, wl_counters_start(self->c, 10, 4, 5000, 30000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE,
				    self->c->root, NULL, &self->r));
	for (i = 0; i < CYCLES; i++) {
		ASSERT_EQ(0, gnl_job_freeze(&self->g, self->job, 20000, &self->r)) {
			TH_LOG("cycle %d: JOB_FREEZE: %s", i, self->r.extack);
		}
		ASSERT_EQ(41, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0)) {
			TH_LOG("cycle %d", i);
		}
		ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW,
					    self->job, &self->r)) {
			TH_LOG("cycle %d: JOB_THAW: %s", i, self->r.extack);
		}
	}
	EXPECT_TRUE(wl_counter_moves(self->c, 5000));

	/* every freeze was freed: each held the module until then */
	end = wl_now_ms() + 10000;
	while ((refs = module_refcnt()) != 0 && wl_now_ms() < end)
		wl_sleep_ms(10);
	EXPECT_EQ(0, refs);

	/* and with them their references on the 41 threads */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job,
				    &self->r));
	wl_kill_descendants();
	end = wl_now_ms() + 10000;
	do {
		wl_sleep_ms(100);	/* task_structs are freed after RCU */
		tasks_after = task_structs();
	} while (tasks_after > tasks_before + 10 && wl_now_ms() < end);
	EXPECT_GE(tasks_before + 10, tasks_after) {
		TH_LOG("task_struct objects: %ld before, %ld after",
		       tasks_before, tasks_after);
	}
	EXPECT_EQ(0, kernel_warnings(_metadata, kmsg));
	close(kmsg);
}

TEST_HARNESS_MAIN
