// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring worker threads are refused at freeze (issue 12): a member with
 * an SQPOLL ring (an "iou-sqp" thread) and a member with an io-wq worker
 * (an "iou-wrk" thread blocked in a pipe read submitted with IOSQE_ASYNC)
 * each fail JOB_FREEZE with -EOPNOTSUPP and an extack naming io_uring (and
 * the pid, on kernels with formatted extack messages: 6.2 and later),
 * and CKPT_A_JOB_ERR_PID of JOB_GET names the pid; the job stays running
 * and the program carries on (its pending read completes).  Before the fix
 * the worker threads were parked and dumped like user threads.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/ckpt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

struct uring_prog {
	struct wl_counters c;	/* the program counts in c.count */
	uint32_t ready;
	int setup_err;		/* -errno of the ring's setup */
	uint32_t completed;	/* the async read completed */
	int cqe_res;
	char got[8];
};

FIXTURE(uring) {
	struct gnl g;
	struct gnl_reply r;
	struct uring_prog *p;
	uint32_t job;
};

FIXTURE_SETUP(uring)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	self->p = wl_shared(sizeof(*self->p));
	ASSERT_NE(NULL, self->p);
	self->job = getpid();
}

FIXTURE_TEARDOWN(uring)
{
	wl_kill_descendants();
	gnl_close(&self->g);
}

/* The tid of a thread of @pid whose comm starts with @prefix, or 0. */
static pid_t find_thread(pid_t pid, const char *prefix)
{
	char path[96], comm[32];
	struct dirent *d;
	pid_t found = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		int fd, tid = atoi(d->d_name);
		ssize_t n;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		comm[n > 0 ? n : 0] = '\0';
		if (!strncmp(comm, prefix, strlen(prefix)))
			found = tid;
	}
	closedir(dir);
	return found;
}

static void __attribute__((noreturn)) sqpoll_prog(struct uring_prog *p)
{
	struct io_uring ring;
	int err;

	prctl(PR_SET_NAME, "ckpt-sqpoll");
	err = io_uring_queue_init(8, &ring, IORING_SETUP_SQPOLL);
	p->setup_err = err;
	__atomic_store_n(&p->ready, 1, __ATOMIC_SEQ_CST);
	if (err)
		_exit(2);
	for (;;) {
		__atomic_add_fetch(&p->c.count, 1, __ATOMIC_SEQ_CST);
		usleep(1000);
	}
}

static void __attribute__((noreturn)) iowq_prog(struct uring_prog *p, int rd)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int err;

	prctl(PR_SET_NAME, "ckpt-iowq");
	err = io_uring_queue_init(8, &ring, 0);
	if (!err) {
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, rd, p->got, sizeof(p->got), 0);
		sqe->flags |= IOSQE_ASYNC;	/* punted to an io-wq worker */
		err = io_uring_submit(&ring);
		err = err == 1 ? 0 : err < 0 ? err : -EIO;
	}
	p->setup_err = err;
	__atomic_store_n(&p->ready, 1, __ATOMIC_SEQ_CST);
	if (err)
		_exit(2);
	for (;;) {
		if (!p->completed && io_uring_peek_cqe(&ring, &cqe) == 0) {
			p->cqe_res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			__atomic_store_n(&p->completed, 1, __ATOMIC_SEQ_CST);
		}
		__atomic_add_fetch(&p->c.count, 1, __ATOMIC_SEQ_CST);
		usleep(1000);
	}
}

static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 1;
	return ma > major || (ma == major && mi >= minor);
}

/* Freeze the job of @pid (whose io_uring thread is @io_tid): refused. */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(uring) *self, pid_t pid, pid_t io_tid)
{
	char want[32], extack[sizeof(self->r.extack)];
	uint32_t err_pid;
	int err;

	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	err = gnl_job_freeze(&self->g, self->job, 5000, &self->r);
	TH_LOG("JOB_FREEZE of pid %d (io_uring thread %d): %d \"%s\"", pid, io_tid,
	       err, self->r.extack);
	EXPECT_EQ(-EOPNOTSUPP, err);
	EXPECT_NE(NULL, strstr(self->r.extack, "io_uring"));
	/* JOB_GET below replaces the reply */
	snprintf(extack, sizeof(extack), "%s", self->r.extack);

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	err_pid = gnl_u32(&self->r, CKPT_A_JOB_ERR_PID, 0);
	TH_LOG("CKPT_A_JOB_ERR_PID %u", err_pid);
	/* the process, as the extack says: "pid N uses io_uring ..." */
	EXPECT_EQ((uint32_t)pid, err_pid)
		TH_LOG("CKPT_A_JOB_ERR_PID is %u, not pid %d%s", err_pid, pid,
		       err_pid == (uint32_t)io_tid ? " (it is the io_uring thread)" : "");
	/* formatted extack messages exist from 6.2 on; 6.1 has a fixed one */
	if (err == -EOPNOTSUPP && kernel_at_least(6, 2)) {
		snprintf(want, sizeof(want), "pid %u", err_pid);
		EXPECT_NE(NULL, strstr(extack, want)) TH_LOG("extack \"%s\"", extack);
	}
	EXPECT_TRUE(wl_counter_moves(&self->p->c, 3000));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
}

static int wait_ready(struct uring_prog *p)
{
	uint64_t end = wl_now_ms() + 20000;

	while (!__atomic_load_n(&p->ready, __ATOMIC_SEQ_CST)) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(10);
	}
	return p->setup_err;
}

/* wait up to 10 s for a thread named @prefix in @pid */
static pid_t wait_thread(pid_t pid, const char *prefix)
{
	uint64_t end = wl_now_ms() + 10000;
	pid_t tid;

	while (!(tid = find_thread(pid, prefix)) && wl_now_ms() < end)
		wl_sleep_ms(10);
	return tid;
}

TEST_F_TIMEOUT(uring, sqpoll_member_refused, 120)
{
	pid_t pid, tid;

	pid = wl_fork_clean();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sqpoll_prog(self->p);
	ASSERT_EQ(0, wait_ready(self->p)) TH_LOG("io_uring_queue_init(SQPOLL) failed");
	tid = wait_thread(pid, "iou-sqp");
	ASSERT_LT(0, tid) TH_LOG("pid %d has no iou-sqp thread", pid);
	expect_refused(_metadata, self, pid, tid);
}

TEST_F_TIMEOUT(uring, iowq_member_refused, 120)
{
	int pfd[2], keep[1];
	pid_t pid, tid;
	uint64_t end;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	keep[0] = pfd[0];
	pid = dh_fork(keep, 1);
	ASSERT_LE(0, pid);
	if (pid == 0)
		iowq_prog(self->p, pfd[0]);
	close(pfd[0]);
	ASSERT_EQ(0, wait_ready(self->p)) TH_LOG("io_uring read with IOSQE_ASYNC failed");
	tid = wait_thread(pid, "iou-wrk");
	ASSERT_LT(0, tid) TH_LOG("pid %d has no iou-wrk thread", pid);
	expect_refused(_metadata, self, pid, tid);

	/* the pending read completes: the program was never stopped */
	EXPECT_FALSE(self->p->completed);
	ASSERT_EQ(4, write(pfd[1], "ckpt", 4));
	end = wl_now_ms() + 10000;
	while (!__atomic_load_n(&self->p->completed, __ATOMIC_SEQ_CST) &&
	       wl_now_ms() < end)
		wl_sleep_ms(10);
	ASSERT_TRUE(self->p->completed) TH_LOG("the io_uring read never completed");
	EXPECT_EQ(4, self->p->cqe_res);
	EXPECT_EQ(0, memcmp(self->p->got, "ckpt", 4));
	close(pfd[1]);
}

TEST_HARNESS_MAIN
