// SPDX-License-Identifier: GPL-2.0
/*
 * JOB_FREEZE stops a job completely and JOB_THAW resumes it: 100 processes
 * of 4 threads stop counting, a tree that forks all the time stops forking
 * (no process appears or goes while frozen), a SIGSTOPped member counts as
 * frozen, stays stopped after the thaw and parks if continued while frozen,
 * a thread that cannot park (a vfork parent) fails the freeze with
 * -ETIMEDOUT and is named while the rest is thawed, closing the socket that
 * froze a job thaws it, ckpt.ko cannot be unloaded while threads are
 * parked, and the "events" group reports FROZEN, THAWED, DESTROYED,
 * FREEZE_FAILED and TASK_EXITED.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

FIXTURE(freeze) {
	struct gnl g;
	struct gnl_reply r;
	struct wl_counters *c;
	uint32_t job;		/* the test process's pid: unique per test */
};

FIXTURE_SETUP(freeze)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	self->c = wl_shared(sizeof(*self->c));
	ASSERT_NE(NULL, self->c);
	self->job = getpid();
}

FIXTURE_TEARDOWN(freeze)
{
	wl_kill_descendants();
	gnl_close(&self->g);
}

/* Log which thread made a freeze fail, and where it was. */
static void log_blame(struct __test_metadata *_metadata, struct gnl *g,
		      uint32_t id)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	char path[64], wchan[64] = "?";
	uint32_t pid;
	FILE *f;

	if (!r || gnl_job_simple(g, CKPT_CMD_JOB_GET, id, r)) {
		free(r);
		return;
	}
	pid = gnl_u32(r, CKPT_A_JOB_ERR_PID, 0);
	snprintf(path, sizeof(path), "/proc/%u/wchan", pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(wchan, sizeof(wchan), f))
			wchan[0] = '\0';
		fclose(f);
	}
	TH_LOG("blamed pid %u, state %c then, %c now, wchan %s", pid,
	       gnl_u32(r, CKPT_A_JOB_ERR_STATE, '?'),
	       wl_task_state(pid, pid) ?: '-', wchan);
	free(r);
}

#define FREEZE_OK(self, id, ms) do {					\
	ASSERT_EQ(0, gnl_job_freeze(&(self)->g, id, ms, &(self)->r)) {	\
		TH_LOG("JOB_FREEZE: %s", (self)->r.extack);		\
		log_blame(_metadata, &(self)->g, id);			\
	}								\
	ASSERT_EQ(CKPT_JOB_FROZEN,					\
		  gnl_u32(&(self)->r, CKPT_A_JOB_STATE, 0));		\
} while (0)

/* (a) ------------------------------------------------------------------------ */

TEST_F_TIMEOUT(freeze, hundred_processes_of_four_threads, 120)
{
	ASSERT_EQ(0, wl_counters_start(self->c, 100, 4, 20000, 60000));
	ASSERT_TRUE(wl_counter_moves(self->c, 1000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));

	FREEZE_OK(self, self->job, 8000);
	/* the idle root and 100 workers */
	EXPECT_EQ(101, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(401, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	EXPECT_EQ(101, gnl_job_tasks(&self->r, NULL, 0));
	EXPECT_FALSE(wl_counter_moves(self->c, 500));
	/* parked: a killable no-load sleep, which /proc shows as idle */
	EXPECT_EQ('I', wl_task_state(self->c->root, self->c->root));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	EXPECT_EQ(CKPT_JOB_FROZEN, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(401, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
}

/* (b) ------------------------------------------------------------------------ */

#define BOMB_CAP 200

struct bomb {
	uint32_t live;		/* processes below the root */
	uint64_t forks;		/* successful forks so far */
};

/*
 * Every process forks every few milliseconds while fewer than BOMB_CAP
 * live; children exit after 100-400 ms.  The root is a subreaper, so
 * orphans stay in the tree, and nobody has to reap (SIGCHLD ignored).
 */
static void __attribute__((noreturn)) bomb_run(struct bomb *b)
{
	bool root = true;
	uint64_t start = 0, life = 0;

	setpgid(0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN);
	srand(getpid());
	for (;;) {
		if (!root && wl_now_ms() - start > life) {
			__atomic_sub_fetch(&b->live, 1, __ATOMIC_SEQ_CST);
			_exit(0);
		}
		if (__atomic_add_fetch(&b->live, 1, __ATOMIC_SEQ_CST) <= BOMB_CAP) {
			pid_t pid = fork();

			if (pid == 0) {
				root = false;
				srand(getpid());
				start = wl_now_ms();
				life = 100 + rand() % 300;
				__atomic_add_fetch(&b->forks, 1, __ATOMIC_SEQ_CST);
				continue;
			}
			if (pid < 0)
				__atomic_sub_fetch(&b->live, 1, __ATOMIC_SEQ_CST);
		} else {
			__atomic_sub_fetch(&b->live, 1, __ATOMIC_SEQ_CST);
		}
		usleep(5000 + rand() % 10000);
	}
}

static int cmp_task(const void *a, const void *b)
{
	const struct gnl_task *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

#define MAX_TASKS 1024

/* The job's sorted task list: how many, or -errno. */
static int task_set(FIXTURE_DATA(freeze) *self, struct gnl_task *t)
{
	int err = gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r);
	int n;

	if (err)
		return err;
	n = gnl_job_tasks(&self->r, t, MAX_TASKS);
	if (n < 0 || n > MAX_TASKS)
		return -EPROTO;
	if (gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0) != (uint32_t)n)
		return -EPROTO;
	qsort(t, n, sizeof(*t), cmp_task);
	return n;
}

TEST_F_TIMEOUT(freeze, forking_tree_stops_forking, 120)
{
	static struct gnl_task t1[MAX_TASKS], t2[MAX_TASKS];
	struct bomb *b = wl_shared(sizeof(*b));
	uint64_t forks, end, t0;
	int n1, n2, parked = 0;
	pid_t root;

	ASSERT_NE(NULL, b);
	root = wl_fork_clean();
	ASSERT_LE(0, root);
	if (root == 0)
		bomb_run(b);
	/* busy: many live processes and steady turnover */
	end = wl_now_ms() + 30000;
	while (__atomic_load_n(&b->live, __ATOMIC_SEQ_CST) < BOMB_CAP / 2 ||
	       __atomic_load_n(&b->forks, __ATOMIC_SEQ_CST) < BOMB_CAP) {
		ASSERT_GT(end, wl_now_ms()) {
			TH_LOG("only %u live after %llu forks", b->live,
			       (unsigned long long)b->forks);
		}
		wl_sleep_ms(20);
	}
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, root, NULL,
				    &self->r));
	t0 = wl_now_ms();
	FREEZE_OK(self, self->job, 8000);
	TH_LOG("frozen in %llu ms with %u processes after %llu forks",
	       (unsigned long long)(wl_now_ms() - t0),
	       gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0),
	       (unsigned long long)b->forks);
	/* let threads that were already exiting finish */
	wl_sleep_ms(200);

	forks = __atomic_load_n(&b->forks, __ATOMIC_SEQ_CST);
	n1 = task_set(self, t1);
	ASSERT_LT(1, n1);
	wl_sleep_ms(300);
	n2 = task_set(self, t2);
	EXPECT_EQ(n1, n2);
	EXPECT_EQ(forks, __atomic_load_n(&b->forks, __ATOMIC_SEQ_CST));
	for (int i = 0; n1 == n2 && i < n1; i++) {
		if (t1[i].pid != t2[i].pid) {
			EXPECT_EQ(t1[i].pid, t2[i].pid) {
				TH_LOG("the task sets differ from the %dth pid on", i);
			}
			break;
		}
	}
	for (int i = 0; i < n1; i++)
		parked += wl_task_state(t1[i].pid, t1[i].pid) == 'I';
	EXPECT_EQ(n1, parked) {
		TH_LOG("%d of %d processes are not parked", n1 - parked, n1);
	}

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	end = wl_now_ms() + 3000;
	while (__atomic_load_n(&b->forks, __ATOMIC_SEQ_CST) == forks &&
	       wl_now_ms() < end)
		wl_sleep_ms(10);
	EXPECT_NE(forks, __atomic_load_n(&b->forks, __ATOMIC_SEQ_CST));

	/* Stop it frozen, so that nothing forks while it is killed. */
	FREEZE_OK(self, self->job, 8000);
	kill(-root, SIGKILL);
	wl_kill_descendants();
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
}

/* (c) ------------------------------------------------------------------------ */

TEST_F(freeze, stopped_member_stays_stopped)
{
	char proc[64];
	pid_t worker;
	int n;
	struct gnl_task t[4];

	ASSERT_EQ(0, wl_counters_start(self->c, 1, 1, 2000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	n = gnl_job_tasks(&self->r, t, 4);
	ASSERT_EQ(2, n);
	worker = t[0].pid == (uint32_t)self->c->root ? t[1].pid : t[0].pid;
	snprintf(proc, sizeof(proc), "/proc/%d", worker);

	ASSERT_EQ(0, kill(worker, SIGSTOP));
	ASSERT_EQ(0, wl_wait_state(worker, "T", 5000));
	ASSERT_FALSE(wl_counter_moves(self->c, 100));

	FREEZE_OK(self, self->job, 5000);
	EXPECT_EQ(2, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));

	/* still stopped: the thaw is no SIGCONT */
	wl_sleep_ms(300);
	EXPECT_EQ('T', wl_task_state(worker, worker));
	EXPECT_FALSE(wl_counter_moves(self->c, 200));

	ASSERT_EQ(0, kill(worker, SIGCONT));
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
	EXPECT_NE('T', wl_task_state(worker, worker));
}

TEST_F(freeze, stopped_member_continued_while_frozen_parks)
{
	struct gnl_task t[4];
	pid_t worker;

	ASSERT_EQ(0, wl_counters_start(self->c, 1, 1, 2000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE,
				    self->c->root, NULL, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	ASSERT_EQ(2, gnl_job_tasks(&self->r, t, 4));
	worker = t[0].pid == (uint32_t)self->c->root ? t[1].pid : t[0].pid;
	ASSERT_EQ(0, kill(worker, SIGSTOP));
	ASSERT_EQ(0, wl_wait_state(worker, "T", 5000));
	FREEZE_OK(self, self->job, 5000);

	/* SIGCONT while frozen: it parks instead of running */
	ASSERT_EQ(0, kill(worker, SIGCONT));
	EXPECT_EQ(0, wl_wait_state(worker, "I", 3000)) {
		TH_LOG("state %c", wl_task_state(worker, worker));
	}
	EXPECT_FALSE(wl_counter_moves(self->c, 300));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
}

/* (d) ------------------------------------------------------------------------ */

/*
 * A process that vforks a child which sleeps interruptibly (reading @p's
 * "in" pipe) and answers "x" on the "out" pipe once it reads a byte.  The
 * child parks at once; its parent waits for it uninterruptibly (killable)
 * and cannot.
 */
struct vfork_pipes {
	int in[2], out[2];
};

static pid_t spawn_vforker(FIXTURE_DATA(freeze) *self, struct vfork_pipes *p)
{
	pid_t pid;

	if (pipe(p->in) || pipe(p->out))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(self->g.fd);
		close(p->in[1]);
		close(p->out[0]);
		prctl(PR_SET_NAME, "ckpt-vforker");
		if (vfork() == 0) {
			char c;

			if (read(p->in[0], &c, 1) != 1 ||
			    write(p->out[1], "x", 1) != 1)
				_exit(1);
			_exit(0);
		}
		for (;;)
			pause();
	}
	close(p->in[0]);
	close(p->out[1]);
	return pid;
}

struct freeze_call {
	struct gnl *g;
	struct gnl_reply *r;
	uint32_t id, timeout_ms;
	int err;
};

static void *freeze_thread(void *arg)
{
	struct freeze_call *fc = arg;

	fc->err = gnl_job_freeze(fc->g, fc->id, fc->timeout_ms, fc->r);
	return NULL;
}

TEST_F(freeze, vfork_parent_times_out_and_job_thaws)
{
	struct freeze_call fc = { &self->g, &self->r, self->job, 1000, 0 };
	char pidstr[16], c = 0, child_state = 0;
	struct vfork_pipes p;
	pthread_t th;
	uint64_t t0;
	pid_t parent, child;

	parent = spawn_vforker(self, &p);
	ASSERT_LT(0, parent);
	ASSERT_EQ(0, wl_wait_state(parent, "D", 5000));
	child = wl_find_child(parent);
	ASSERT_LT(0, child);
	ASSERT_EQ(0, wl_wait_state(child, "S", 5000));	/* in read */
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, parent, NULL,
				    &self->r));

	/* While the freeze waits for the parent, the child is parked. */
	t0 = wl_now_ms();
	ASSERT_EQ(0, pthread_create(&th, NULL, freeze_thread, &fc));
	while (wl_now_ms() - t0 < 800 &&
	       (child_state = wl_task_state(child, child)) != 'I')
		wl_sleep_ms(5);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ('I', child_state);
	EXPECT_EQ('D', wl_task_state(parent, parent));

	EXPECT_EQ(-ETIMEDOUT, fc.err);
	EXPECT_LE(1000, wl_now_ms() - t0);
	EXPECT_NE(NULL, strstr(self->r.extack, "did not stop")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	/* kernels with formatted extack messages (6.3+) name the pid */
	snprintf(pidstr, sizeof(pidstr), "pid %d ", parent);
	if (strstr(self->r.extack, "pid "))
		EXPECT_NE(NULL, strstr(self->r.extack, pidstr)) {
			TH_LOG("extack was \"%s\"", self->r.extack);
		}

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(parent, gnl_u32(&self->r, CKPT_A_JOB_ERR_PID, 0));
	EXPECT_EQ('D', gnl_u32(&self->r, CKPT_A_JOB_ERR_STATE, 0));
	EXPECT_EQ(2, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));

	/* The child was thawed: it reads and answers. */
	ASSERT_EQ(1, write(p.in[1], "g", 1));
	ASSERT_EQ(0, wl_read_full(p.out[0], &c, 1, 5000));
	EXPECT_EQ('x', c);
	close(p.in[1]);
	close(p.out[0]);
}

/* (e) ------------------------------------------------------------------------ */

TEST_F(freeze, closing_freezer_socket_thaws_job)
{
	struct gnl freezer;

	ASSERT_EQ(0, wl_counters_start(self->c, 2, 2, 5000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));
	ASSERT_EQ(0, gnl_open(&freezer));
	ASSERT_EQ(0, gnl_job_freeze(&freezer, self->job, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	ASSERT_FALSE(wl_counter_moves(self->c, 300));
	gnl_close(&freezer);

	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
	/* the job is the creator's and lives on, running */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(-EALREADY, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job,
					    &self->r));
	/* and can be frozen again */
	FREEZE_OK(self, self->job, 5000);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
}

/* (f) ------------------------------------------------------------------------ */

static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/ckpt/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static bool module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/ckpt", &st) == 0;
}

TEST_F(freeze, unload_refused_while_frozen)
{
	uint64_t end;

	ASSERT_EQ(0, wl_counters_start(self->c, 1, 2, 5000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));
	FREEZE_OK(self, self->job, 5000);
	EXPECT_LE(1, module_refcnt());		/* the freeze holds it */

	EXPECT_NE(0, system("rmmod ckpt 2>/dev/null"));
	EXPECT_TRUE(module_loaded());
	EXPECT_FALSE(wl_counter_moves(self->c, 200));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	/* the woken threads drop their references on their way out */
	end = wl_now_ms() + 5000;
	while (module_refcnt() != 0 && wl_now_ms() < end)
		wl_sleep_ms(10);
	EXPECT_EQ(0, module_refcnt());
	EXPECT_EQ(0, system("rmmod ckpt"));
	EXPECT_FALSE(module_loaded());
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));

	/* back for the tests that follow */
	ASSERT_EQ(0, ckpt_test_load_module());
}

/* (g) ------------------------------------------------------------------------ */

/* The next event of job @id that is not TASK_EXITED, or -errno. */
static int next_job_event(struct gnl *ev, uint32_t id, struct gnl_event *e,
			  int timeout_ms)
{
	int err;

	do {
		err = gnl_event_next(ev, e, timeout_ms);
	} while (!err && (e->id != id || e->event == CKPT_EVENT_TASK_EXITED));
	return err;
}

TEST_F(freeze, events_frozen_then_thawed)
{
	struct gnl ev;
	struct gnl_event e;

	ASSERT_EQ(0, gnl_open(&ev));
	ASSERT_EQ(0, gnl_events_join(&ev));
	ASSERT_EQ(0, wl_counters_start(self->c, 1, 1, 5000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, 7, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));
	FREEZE_OK(self, 7, 5000);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, 7, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 7, &self->r));

	ASSERT_EQ(0, next_job_event(&ev, 7, &e, 5000));
	EXPECT_EQ(CKPT_EVENT_FROZEN, e.event);
	EXPECT_EQ(0, e.owner_uid);
	ASSERT_EQ(0, next_job_event(&ev, 7, &e, 5000));
	EXPECT_EQ(CKPT_EVENT_THAWED, e.event);
	ASSERT_EQ(0, next_job_event(&ev, 7, &e, 5000));
	EXPECT_EQ(CKPT_EVENT_DESTROYED, e.event);
	gnl_close(&ev);
}

TEST_F(freeze, event_freeze_failed_names_the_thread)
{
	struct vfork_pipes p;
	struct gnl ev;
	struct gnl_event e;
	pid_t parent;

	ASSERT_EQ(0, gnl_open(&ev));
	ASSERT_EQ(0, gnl_events_join(&ev));
	parent = spawn_vforker(self, &p);
	ASSERT_LT(0, parent);
	ASSERT_EQ(0, wl_wait_state(parent, "D", 5000));
	ASSERT_EQ(0, gnl_job_create(&self->g, 8, CKPT_JOB_TREE, parent, NULL,
				    &self->r));
	ASSERT_EQ(-ETIMEDOUT, gnl_job_freeze(&self->g, 8, 1000, &self->r));

	ASSERT_EQ(0, next_job_event(&ev, 8, &e, 5000));
	EXPECT_EQ(CKPT_EVENT_FREEZE_FAILED, e.event);
	EXPECT_EQ(parent, e.err_pid);
	EXPECT_EQ('D', e.err_state);
	/* a failed freeze was never frozen: no THAWED follows */
	EXPECT_EQ(-ETIMEDOUT, next_job_event(&ev, 8, &e, 500)) {
		TH_LOG("unexpected event %u", e.event);
	}
	gnl_close(&ev);
	close(p.in[1]);
	close(p.out[0]);
}

TEST_F(freeze, event_task_exited_for_killed_parked_thread)
{
	struct gnl ev;
	struct gnl_event e;
	struct gnl_task t[4];
	pid_t worker;
	int err;

	ASSERT_EQ(0, gnl_open(&ev));
	ASSERT_EQ(0, gnl_events_join(&ev));
	ASSERT_EQ(0, wl_counters_start(self->c, 1, 1, 5000, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, 9, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r));
	FREEZE_OK(self, 9, 5000);
	ASSERT_EQ(2, gnl_job_tasks(&self->r, t, 4));
	worker = t[0].pid == (uint32_t)self->c->root ? t[1].pid : t[0].pid;

	/* SIGKILL still ends a parked thread, and says so */
	ASSERT_EQ(0, kill(worker, SIGKILL));
	do {
		err = gnl_event_next(&ev, &e, 5000);
	} while (!err && (e.id != 9 || e.event != CKPT_EVENT_TASK_EXITED));
	ASSERT_EQ(0, err);
	EXPECT_EQ(worker, e.pid);
	/* the rest of the job stays frozen */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 9, &self->r));
	EXPECT_EQ(CKPT_JOB_FROZEN, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ('I', wl_task_state(self->c->root, self->c->root));
	gnl_close(&ev);
}

TEST_HARNESS_MAIN
