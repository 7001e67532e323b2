// SPDX-License-Identifier: GPL-2.0
/*
 * Freeze defects (issue 12), each a test that failed or hung before the
 * fix:
 *
 * - the system freezer (suspend with pm_test=freezer) succeeds while a
 *   ckpt job is frozen, and the job is still frozen after it and thaws;
 * - JOB_THAW and JOB_DESTROY of a job whose JOB_FREEZE still waits for a
 *   member that cannot park (a vfork parent) cancel that freeze: THAW or
 *   DESTROY returns 0 at once and the freeze -ECANCELED; a process blocked
 *   in JOB_THAW dies promptly of SIGKILL;
 * - a thread in epoll_wait kicked by a freeze keeps waiting after the thaw
 *   when no signal came, but a SIGUSR1 whose handler has no SA_RESTART,
 *   sent while it is parked, runs the handler and epoll_wait returns EINTR.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

FIXTURE(defects) {
	struct gnl g;
	struct gnl_reply r;
	struct wl_counters *c;
	uint32_t job;
};

FIXTURE_SETUP(defects)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	self->c = wl_shared(sizeof(*self->c));
	ASSERT_NE(NULL, self->c);
	self->job = getpid();
}

FIXTURE_TEARDOWN(defects)
{
	wl_kill_descendants();
	gnl_close(&self->g);
}

#define FREEZE(self, id) \
	ASSERT_EQ(0, gnl_job_freeze(&(self)->g, id, 30000, &(self)->r)) \
		TH_LOG("JOB_FREEZE of job %u: %s", id, (self)->r.extack)

/* --- the system freezer ------------------------------------------------------ */

TEST_F_TIMEOUT(defects, suspend_freezer_with_frozen_job, 180)
{
	char states[128], pm_test[256];
	const char *state;
	uint64_t t0, ms;
	int err;

	ASSERT_EQ(0, wl_read_file("/sys/power/state", states, sizeof(states)))
		TH_LOG("no /sys/power/state: the kernel lacks CONFIG_SUSPEND");
	ASSERT_EQ(0, wl_read_file("/sys/power/pm_test", pm_test, sizeof(pm_test)))
		TH_LOG("no /sys/power/pm_test: the kernel lacks CONFIG_PM_DEBUG");
	state = strstr(states, "freeze") ? "freeze" : strstr(states, "mem") ? "mem" : NULL;
	ASSERT_NE(NULL, state) TH_LOG("/sys/power/state offers \"%s\"", states);

	ASSERT_EQ(0, wl_counters_start(self->c, 2, 2, 1000, 30000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	FREEZE(self, self->job);
	ASSERT_FALSE(wl_counter_moves(self->c, 300));

	ASSERT_EQ(0, wl_write_file("/sys/power/pm_test", "freezer"));
	t0 = wl_now_ms();
	err = wl_write_file("/sys/power/state", state);
	ms = wl_now_ms() - t0;
	wl_write_file("/sys/power/pm_test", "none");
	TH_LOG("echo %s > /sys/power/state (pm_test freezer): %s after %llu ms",
	       state, err ? strerror(-err) : "done", (unsigned long long)ms);
	EXPECT_EQ(0, err)
		TH_LOG("the system freezer failed while job %u was frozen; the kernel log names the tasks that refused",
		       self->job);

	/* still frozen by ckpt, and thaws */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, self->job));
	EXPECT_FALSE(wl_counter_moves(self->c, 500));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
	/* and freezes again */
	FREEZE(self, self->job);
	EXPECT_FALSE(wl_counter_moves(self->c, 300));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_TRUE(wl_counter_moves(self->c, 3000));
}

/* --- cancelling a waiting freeze ------------------------------------------- */

#define LONG_FREEZE_MS	60000

/*
 * A member that cannot park: it vforked a child that sleeps in read() on
 * @in; the parent waits for the child killable, which the freeze's
 * TWA_SIGNAL does not interrupt.  The child is a member too.
 */
static pid_t spawn_vforker(int *in_wr, pid_t *child)
{
	int in[2];
	pid_t pid;

	if (pipe(in))
		return -errno;
	pid = dh_fork(&in[0], 1);	/* the child keeps only the read end */
	if (pid == 0) {
		char c;

		prctl(PR_SET_NAME, "ckpt-vforker");
		if (vfork() == 0) {
			if (read(in[0], &c, 1) != 1)
				_exit(1);
			_exit(0);
		}
		for (;;)
			pause();
	}
	close(in[0]);
	*in_wr = in[1];
	if (pid < 0)
		return -errno;
	if (wl_wait_state(pid, "D", 10000))
		return -ETIMEDOUT;
	*child = wl_find_child(pid);
	if (*child < 0 || wl_wait_state(*child, "S", 10000))
		return -ESRCH;
	return pid;
}

/* JOB_FREEZE on a socket of its own, in a thread. */
struct freeze_call {
	struct gnl g;
	struct gnl_reply r;
	uint32_t id;
	int err;
	uint64_t ms;		/* how long it took */
	uint32_t done;
	pthread_t th;
};

static void *freeze_thread(void *arg)
{
	struct freeze_call *fc = arg;
	uint64_t t0 = wl_now_ms();

	fc->err = gnl_job_freeze(&fc->g, fc->id, LONG_FREEZE_MS, &fc->r);
	fc->ms = wl_now_ms() - t0;
	__atomic_store_n(&fc->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int freeze_start(struct freeze_call *fc, uint32_t id)
{
	int err;

	memset(fc, 0, sizeof(*fc));
	fc->id = id;
	err = gnl_open(&fc->g);
	if (err)
		return err;
	return -pthread_create(&fc->th, NULL, freeze_thread, fc);
}

/* Join the freeze (it ends by LONG_FREEZE_MS at the latest). */
static void freeze_join(struct freeze_call *fc)
{
	pthread_join(fc->th, NULL);
	gnl_close(&fc->g);
}

static void cancel_by(struct __test_metadata *_metadata,
		      FIXTURE_DATA(defects) *self, uint8_t cmd,
		      const char *name)
{
	struct freeze_call *fc = calloc(1, sizeof(*fc));
	pid_t parent, child;
	uint64_t t0, ms, end;
	int in_wr, err;

	ASSERT_NE(NULL, fc);
	parent = spawn_vforker(&in_wr, &child);
	ASSERT_LT(0, parent) TH_LOG("the vfork parent did not start");
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, parent,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);

	ASSERT_EQ(0, freeze_start(fc, self->job));
	/* the freeze waits: the child parked, the parent cannot */
	wl_sleep_ms(1000);
	ASSERT_FALSE(__atomic_load_n(&fc->done, __ATOMIC_SEQ_CST))
		TH_LOG("JOB_FREEZE returned %d early: %s", fc->err, fc->r.extack);
	EXPECT_EQ(CKPT_JOB_FREEZING, dh_job_state(&self->g, self->job));

	t0 = wl_now_ms();
	err = gnl_job_simple(&self->g, cmd, self->job, &self->r);
	ms = wl_now_ms() - t0;
	TH_LOG("%s of job %u during its freeze: %d after %llu ms", name, self->job,
	       err, (unsigned long long)ms);
	EXPECT_EQ(0, err) TH_LOG("%s: %s", name, self->r.extack);
	EXPECT_GT(5000, ms) TH_LOG("%s waited for the freeze", name);

	end = wl_now_ms() + 5000;
	while (!__atomic_load_n(&fc->done, __ATOMIC_SEQ_CST) && wl_now_ms() < end)
		wl_sleep_ms(10);
	EXPECT_TRUE(__atomic_load_n(&fc->done, __ATOMIC_SEQ_CST))
		TH_LOG("JOB_FREEZE still waits 5 s after %s", name);
	freeze_join(fc);
	TH_LOG("JOB_FREEZE returned %d after %llu ms", fc->err,
	       (unsigned long long)fc->ms);
	EXPECT_EQ(-ECANCELED, fc->err) TH_LOG("extack: %s", fc->r.extack);

	if (cmd == CKPT_CMD_JOB_THAW) {
		EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, self->job));
	} else {
		EXPECT_EQ(-ENOENT, dh_job_state(&self->g, self->job));
	}
	/* the child runs again: it reads and exits, and the parent resumes */
	EXPECT_EQ(1, write(in_wr, "x", 1));
	EXPECT_EQ(0, wl_wait_state(child, "Z", 10000));	/* its parent never reaps */
	EXPECT_EQ(0, wl_wait_state(parent, "S", 10000));
	close(in_wr);
	if (cmd == CKPT_CMD_JOB_THAW)
		gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r);
	free(fc);
}

TEST_F_TIMEOUT(defects, thaw_cancels_waiting_freeze, 180)
{
	cancel_by(_metadata, self, CKPT_CMD_JOB_THAW, "JOB_THAW");
}

TEST_F_TIMEOUT(defects, destroy_cancels_waiting_freeze, 180)
{
	cancel_by(_metadata, self, CKPT_CMD_JOB_DESTROY, "JOB_DESTROY");
}

TEST_F_TIMEOUT(defects, blocked_thaw_dies_of_sigkill, 180)
{
	struct freeze_call *fc = calloc(1, sizeof(*fc));
	pid_t parent, child, thawer;
	int in_wr, status;
	uint64_t t0, ms;
	char st;

	ASSERT_NE(NULL, fc);
	parent = spawn_vforker(&in_wr, &child);
	ASSERT_LT(0, parent);
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, parent,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, freeze_start(fc, self->job));
	wl_sleep_ms(1000);

	/* a process asks for the thaw on a socket of its own */
	thawer = wl_fork_clean();
	ASSERT_LE(0, thawer);
	if (thawer == 0) {
		struct gnl g;
		struct gnl_reply r;

		prctl(PR_SET_NAME, "ckpt-thawer");
		if (gnl_open(&g))
			_exit(2);
		gnl_job_simple(&g, CKPT_CMD_JOB_THAW, self->job, &r);
		for (;;)
			pause();
	}
	/* it is in JOB_THAW (or already past it) */
	t0 = wl_now_ms();
	while ((st = wl_task_state(thawer, thawer)) != 'D' && wl_now_ms() - t0 < 1000)
		wl_sleep_ms(5);
	TH_LOG("the thawer is in state %c", st ?: '-');

	ASSERT_EQ(0, kill(thawer, SIGKILL));
	t0 = wl_now_ms();
	status = dh_wait(thawer, 5000);
	ms = wl_now_ms() - t0;
	EXPECT_LE(0, status)
		TH_LOG("pid %d blocked in JOB_THAW did not die within 5 s of SIGKILL (state %c)",
		       thawer, wl_task_state(thawer, thawer));
	if (status >= 0) {
		EXPECT_TRUE(WIFSIGNALED(status));
		TH_LOG("it died %llu ms after SIGKILL", (unsigned long long)ms);
	}
	/* whatever became of the freeze, the job can be thawed and ended */
	freeze_join(fc);
	TH_LOG("JOB_FREEZE returned %d after %llu ms", fc->err,
	       (unsigned long long)fc->ms);
	gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
	EXPECT_EQ(1, write(in_wr, "x", 1));
	EXPECT_EQ(0, wl_wait_state(child, "Z", 10000));	/* its parent never reaps */
	close(in_wr);
	free(fc);
}

/* --- epoll_wait and EINTR --------------------------------------------------- */

struct ep {
	pid_t pid;
	uint32_t handled;	/* SIGUSR1 handler runs */
	uint32_t calls;		/* epoll_wait returns */
	int ret, err;		/* of the last one */
	uint32_t ready;
};

static struct ep *g_ep;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(&g_ep->handled, 1, __ATOMIC_SEQ_CST);
}

static void __attribute__((noreturn)) ep_main(struct ep *ep, int efd)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	uint64_t v;

	prctl(PR_SET_NAME, "ckpt-epoll");
	g_ep = ep;
	sigemptyset(&sa.sa_mask);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) ||
	    sigaction(SIGUSR1, &sa, NULL))
		_exit(2);
	ep->pid = getpid();
	__atomic_store_n(&ep->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		long r = syscall(SYS_epoll_wait, epfd, &ev, 1, -1);

		ep->err = r < 0 ? errno : 0;
		ep->ret = r;
		__atomic_add_fetch(&ep->calls, 1, __ATOMIC_SEQ_CST);
		if (r == 1 && read(efd, &v, sizeof(v)) != sizeof(v))
			_exit(3);
	}
}

/* Wait until epoll_wait has returned @n times; 0 or -ETIMEDOUT. */
static int wait_calls(struct ep *ep, uint32_t n, unsigned int ms)
{
	uint64_t end = wl_now_ms() + ms;

	while (__atomic_load_n(&ep->calls, __ATOMIC_SEQ_CST) < n) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
	return 0;
}

TEST_F_TIMEOUT(defects, epoll_wait_eintr_only_for_a_signal, 180)
{
	struct ep *ep = wl_shared(sizeof(*ep));
	uint64_t one = 1;
	int efd, keep[1];
	pid_t pid;

	ASSERT_NE(NULL, ep);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	keep[0] = efd;
	pid = dh_fork(keep, 1);
	ASSERT_LE(0, pid);
	if (pid == 0)
		ep_main(ep, efd);
	ASSERT_EQ(0, wl_wait_blocked(pid, SYS_epoll_wait, 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);

	/* (a) a freeze and a thaw without a signal: epoll_wait goes on */
	FREEZE(self, self->job);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_EQ(-ETIMEDOUT, wait_calls(ep, 1, 1000))
		TH_LOG("epoll_wait returned %d (%s) after a thaw without a signal",
		       ep->ret, strerror(ep->err));
	EXPECT_EQ(0, wl_wait_blocked(pid, SYS_epoll_wait, 10000));
	ASSERT_EQ(sizeof(one), write(efd, &one, sizeof(one)));
	ASSERT_EQ(0, wait_calls(ep, 1, 10000))
		TH_LOG("epoll_wait did not see the eventfd written after the thaw");
	EXPECT_EQ(1, ep->ret);
	EXPECT_EQ(0, ep->handled);

	/* (b) SIGUSR1 (handler without SA_RESTART) while parked: EINTR */
	ASSERT_EQ(0, wl_wait_blocked(pid, SYS_epoll_wait, 10000));
	FREEZE(self, self->job);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	wl_sleep_ms(300);
	EXPECT_EQ(0, ep->handled);	/* parked: nothing runs */
	EXPECT_EQ(1, ep->calls);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	EXPECT_EQ(0, wait_calls(ep, 2, 10000))
		TH_LOG("epoll_wait did not return after SIGUSR1 came while parked (handler ran %u times)",
		       ep->handled);
	EXPECT_EQ(1, ep->handled);
	EXPECT_EQ(-1, ep->ret);
	EXPECT_EQ(EINTR, ep->err) TH_LOG("epoll_wait failed with %s", strerror(ep->err));
	close(efd);
}

TEST_HARNESS_MAIN
