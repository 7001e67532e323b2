// SPDX-License-Identifier: GPL-2.0
/*
 * A freeze is invisible to a blocking system call: a child blocked in
 * nanosleep, read (pipe, socket), futex wait, epoll_wait, accept, wait4 or
 * poll is frozen (JOB_GET says FROZEN, the thread is parked), held 300 ms,
 * thawed, goes back to sleep in the same call, and once woken the normal
 * way gets the normal result: never EINTR, never a short sleep.  The
 * parking work is a signal-like interruption, so each of these calls must
 * be restarted by the kernel; epoll_wait relies on ckpt's own fixup.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

/* What the child's one system call returned, sent over self->res. */
struct result {
	long ret;
	int err;		/* errno if ret < 0 */
	int status;		/* wait4 */
	uint32_t events;	/* epoll_wait, poll */
	uint64_t elapsed_ms;	/* nanosleep */
	char data[32];		/* what read/accept received */
};

FIXTURE(sys) {
	struct gnl g;
	struct gnl_reply r;
	int res[2];		/* child -> test: struct result */
	pid_t child;
	uint32_t job;		/* the test process's pid: unique per test */
};

FIXTURE_SETUP(sys)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	ASSERT_EQ(0, pipe(self->res));
	self->job = getpid();
}

FIXTURE_TEARDOWN(sys)
{
	wl_kill_descendants();
	gnl_close(&self->g);
	close(self->res[0]);
	close(self->res[1]);
}

/* In the child: keep only what it needs. */
static void child_init(FIXTURE_DATA(sys) *self)
{
	close(self->g.fd);
	close(self->res[0]);
}

static void __attribute__((noreturn))
child_report(FIXTURE_DATA(sys) *self, struct result *res, long ret)
{
	res->ret = ret;
	res->err = ret < 0 ? errno : 0;
	if (write(self->res[1], res, sizeof(*res)) != sizeof(*res))
		_exit(1);
	_exit(0);
}

/*
 * The child is asleep in system call @nr: freeze its job, check that it is
 * frozen and parked, hold 300 ms, thaw, and wait until it sleeps again in
 * @nr_after (the same call, or restart_syscall for the calls resumed with
 * their remaining time).  Its result must not have arrived yet.
 */
static void freeze_while_blocked(struct __test_metadata *_metadata,
				 FIXTURE_DATA(sys) *self, long nr,
				 long nr_after)
{
	struct pollfd pfd = { .fd = self->res[0], .events = POLLIN };

	close(self->res[1]);
	self->res[1] = -1;
	ASSERT_EQ(0, wl_wait_blocked(self->child, nr, 5000)) {
		TH_LOG("child state %c, syscall %ld", wl_task_state(self->child, self->child),
		       wl_proc_syscall(self->child));
	}
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->child,
				    NULL, &self->r));
	ASSERT_EQ(0, gnl_job_freeze(&self->g, self->job, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	ASSERT_EQ(CKPT_JOB_FROZEN, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	/* parked: a killable no-load sleep, which /proc shows as idle (it
	 * counts as parked just before it goes to sleep) */
	EXPECT_EQ(0, wl_wait_state(self->child, "I", 2000));
	wl_sleep_ms(300);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, self->job, &self->r));
	ASSERT_EQ(0, wl_wait_blocked(self->child, nr_after, 5000)) {
		struct result res;

		TH_LOG("after the thaw: child state %c, syscall %ld",
		       wl_task_state(self->child, self->child),
		       wl_proc_syscall(self->child));
		if (!wl_read_full(self->res[0], &res, sizeof(res), 0))
			TH_LOG("the call returned %ld (%s) before it was woken",
			       res.ret, res.ret < 0 ? strerror(res.err) : "no error");
	}
	EXPECT_EQ(0, poll(&pfd, 1, 0)) {
		TH_LOG("the child's call returned before it was woken");
	}
}

static void get_result(struct __test_metadata *_metadata,
		       FIXTURE_DATA(sys) *self, struct result *res)
{
	int status;

	ASSERT_EQ(0, wl_read_full(self->res[0], res, sizeof(*res), 10000));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (res->ret < 0)
		TH_LOG("the call failed: %s", strerror(res->err));
}

#define FORK_CHILD(self) do {						\
	(self)->child = fork();						\
	ASSERT_LE(0, (self)->child);					\
} while (0)

TEST_F(sys, nanosleep)
{
	struct result res = { 0 };

	FORK_CHILD(self);
	if (self->child == 0) {
		struct timespec ts = { 2, 0 };
		uint64_t t0;
		long ret;

		child_init(self);
		t0 = wl_now_ms();
		ret = nanosleep(&ts, NULL);
		res.elapsed_ms = wl_now_ms() - t0;
		child_report(self, &res, ret);
	}
	/* glibc's nanosleep is clock_nanosleep; it resumes for the rest */
	freeze_while_blocked(_metadata, self, SYS_clock_nanosleep,
			     SYS_restart_syscall);
	get_result(_metadata, self, &res);
	EXPECT_EQ(0, res.ret);
	EXPECT_LE(2000, res.elapsed_ms);
	EXPECT_GT(10000, res.elapsed_ms);
}

TEST_F(sys, pipe_read)
{
	struct result res = { 0 };
	int p[2];

	ASSERT_EQ(0, pipe(p));
	FORK_CHILD(self);
	if (self->child == 0) {
		child_init(self);
		close(p[1]);
		child_report(self, &res, read(p[0], res.data, sizeof(res.data)));
	}
	close(p[0]);
	freeze_while_blocked(_metadata, self, SYS_read, SYS_read);
	ASSERT_EQ(5, write(p[1], "hello", 5));
	get_result(_metadata, self, &res);
	EXPECT_EQ(5, res.ret);
	EXPECT_EQ(0, memcmp(res.data, "hello", 5));
	close(p[1]);
}

TEST_F(sys, socket_read)
{
	struct result res = { 0 };
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	FORK_CHILD(self);
	if (self->child == 0) {
		child_init(self);
		close(sv[0]);
		child_report(self, &res, read(sv[1], res.data, sizeof(res.data)));
	}
	close(sv[1]);
	freeze_while_blocked(_metadata, self, SYS_read, SYS_read);
	ASSERT_EQ(7, write(sv[0], "socket!", 7));
	get_result(_metadata, self, &res);
	EXPECT_EQ(7, res.ret);
	EXPECT_EQ(0, memcmp(res.data, "socket!", 7));
	close(sv[0]);
}

TEST_F(sys, futex_wait)
{
	struct result res = { 0 };
	uint32_t *word = wl_shared(sizeof(*word));

	ASSERT_NE(NULL, word);
	FORK_CHILD(self);
	if (self->child == 0) {
		child_init(self);
		child_report(self, &res, syscall(SYS_futex, word, FUTEX_WAIT, 0,
						 NULL, NULL, 0));
	}
	freeze_while_blocked(_metadata, self, SYS_futex, SYS_futex);
	__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
	/* exactly one waiter: the child went back to sleep on the word */
	EXPECT_EQ(1, syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0));
	get_result(_metadata, self, &res);
	EXPECT_EQ(0, res.ret);
}

TEST_F(sys, epoll_wait)
{
	struct result res = { 0 };
	int p[2];

	ASSERT_EQ(0, pipe(p));
	FORK_CHILD(self);
	if (self->child == 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 42 };
		int ep = epoll_create1(0);
		long ret;

		child_init(self);
		close(p[1]);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
			_exit(2);
		memset(&ev, 0, sizeof(ev));
		ret = epoll_wait(ep, &ev, 1, -1);
		res.events = ev.events;
		res.status = ev.data.u32;
		child_report(self, &res, ret);
	}
	close(p[0]);
	freeze_while_blocked(_metadata, self, SYS_epoll_wait, SYS_epoll_wait);
	ASSERT_EQ(1, write(p[1], "e", 1));
	get_result(_metadata, self, &res);
	EXPECT_EQ(1, res.ret);
	EXPECT_EQ(EPOLLIN, res.events);
	EXPECT_EQ(42, res.status);
	close(p[1]);
}

TEST_F(sys, accept)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct result res = { 0 };
	socklen_t len;
	int lfd, cfd;

	/* abstract name, unique per test process */
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		       "ckpt-accept-%d", getpid());
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sun, len));
	ASSERT_EQ(0, listen(lfd, 4));
	FORK_CHILD(self);
	if (self->child == 0) {
		long fd;

		child_init(self);
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0 && read(fd, res.data, 2) != 2)
			_exit(2);
		child_report(self, &res, fd);
	}
	close(lfd);
	freeze_while_blocked(_metadata, self, SYS_accept, SYS_accept);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, connect(cfd, (struct sockaddr *)&sun, len));
	ASSERT_EQ(2, write(cfd, "hi", 2));
	get_result(_metadata, self, &res);
	EXPECT_LE(0, res.ret);
	EXPECT_EQ(0, memcmp(res.data, "hi", 2));
	close(cfd);
}

TEST_F(sys, wait4)
{
	struct result res = { 0 };
	int gate[2];

	ASSERT_EQ(0, pipe(gate));
	FORK_CHILD(self);
	if (self->child == 0) {
		pid_t g;
		long ret;

		child_init(self);
		g = fork();
		if (g == 0) {
			char c;

			/* a member too: frozen in read, exits when told */
			close(gate[1]);
			_exit(read(gate[0], &c, 1) == 1 ? 42 : 3);
		}
		close(gate[0]);
		ret = wait4(g, &res.status, 0, NULL);
		snprintf(res.data, sizeof(res.data), "%d", g);
		child_report(self, &res, ret);
	}
	close(gate[0]);
	freeze_while_blocked(_metadata, self, SYS_wait4, SYS_wait4);
	ASSERT_EQ(1, write(gate[1], "g", 1));
	get_result(_metadata, self, &res);
	EXPECT_LT(0, res.ret);
	EXPECT_EQ(atoi(res.data), res.ret);
	EXPECT_TRUE(WIFEXITED(res.status));
	EXPECT_EQ(42, WEXITSTATUS(res.status));
	close(gate[1]);
}

TEST_F(sys, poll)
{
	struct result res = { 0 };
	int p[2];

	ASSERT_EQ(0, pipe(p));
	FORK_CHILD(self);
	if (self->child == 0) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long ret;

		child_init(self);
		close(p[1]);
		ret = poll(&pfd, 1, -1);
		res.events = pfd.revents;
		child_report(self, &res, ret);
	}
	close(p[0]);
	/* poll resumes through restart_syscall, even without a timeout */
	freeze_while_blocked(_metadata, self, SYS_poll, SYS_restart_syscall);
	ASSERT_EQ(1, write(p[1], "p", 1));
	get_result(_metadata, self, &res);
	EXPECT_EQ(1, res.ret);
	EXPECT_EQ(POLLIN, res.events);
	close(p[1]);
}

TEST_HARNESS_MAIN
