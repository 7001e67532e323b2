// SPDX-License-Identifier: GPL-2.0
/*
 * CKPT_JOB_F_OWN_PIDNS: a job whose root is the init of a pid namespace of
 * its own records, in its dumps, the pids its processes see there (root 1,
 * its child 2), and JOB_GET reports the flag; the same job without the
 * flag records the creator's view.  A flagged job that does not run in a
 * namespace of its own cannot be dumped (-EXDEV), and an unknown flag bit
 * is refused with an extack message.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define JOB 31

/* A process in a new pid namespace (pid 1 there) with one child (pid 2);
 * both pause.  The host pid of the init, or -errno. */
static pid_t spawn_ns_tree(int ready_fd)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		pid_t c = fork();

		if (c == 0)
			for (;;)
				pause();
		if (write(ready_fd, "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	return pid;
}

FIXTURE(pidns) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	pid_t init;
};

FIXTURE_SETUP(pidns)
{
	int p[2];
	char c;

	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
	self->dev = dh_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, pipe(p));
	self->init = spawn_ns_tree(p[1]);
	ASSERT_LT(0, self->init) TH_LOG("clone(CLONE_NEWPID): %s", strerror(-self->init));
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	close(p[1]);
}

FIXTURE_TEARDOWN(pidns)
{
	gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, JOB, &self->r);
	if (self->init > 0) {
		kill(self->init, SIGKILL);	/* takes its namespace with it */
		waitpid(self->init, NULL, 0);
	}
	close(self->dev);
	gnl_close(&self->g);
}

/* JOB_CREATE of the tree at @root with CKPT_A_JOB_FLAGS @flags. */
static int create(struct gnl *g, pid_t root, uint32_t flags, struct gnl_reply *r)
{
	struct gnl_msg m;

	gnl_msg_init(&m, g, CKPT_CMD_JOB_CREATE, 0);
	gnl_put_u32(&m, CKPT_A_JOB_ID, JOB);
	gnl_put_u32(&m, CKPT_A_JOB_KIND, CKPT_JOB_TREE);
	gnl_put_u32(&m, CKPT_A_JOB_PID, (uint32_t)root);
	gnl_put_u32(&m, CKPT_A_JOB_FLAGS, flags);
	return gnl_request(g, &m, r);
}

TEST_F(pidns, own_namespace_pids_recorded)
{
	const struct ckpt_rec_task *t;
	struct dh_dump d;

	ASSERT_EQ(0, create(&self->g, self->init, CKPT_JOB_F_OWN_PIDNS, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(CKPT_JOB_F_OWN_PIDNS, gnl_u32(&self->r, CKPT_A_JOB_FLAGS, 0));
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 0, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &d)) TH_LOG("%s", d.error);
	ASSERT_EQ(2, dh_count(&d, CKPT_REC_TASK, 0));
	t = dh_nth(&d, CKPT_REC_TASK, 1, 0);
	ASSERT_NE(NULL, t) TH_LOG("no TASK record of pid 1 (the namespace's view)");
	EXPECT_EQ(0, t->ppid);		/* its parent is outside the namespace */
	t = dh_nth(&d, CKPT_REC_TASK, 2, 0);
	ASSERT_NE(NULL, t) TH_LOG("no TASK record of pid 2");
	EXPECT_EQ(1, t->ppid);
	EXPECT_NE(NULL, dh_thread(&d, 1));
	EXPECT_NE(NULL, dh_thread(&d, 2));
	EXPECT_EQ(0, dh_count(&d, CKPT_REC_TASK, self->init));
	dh_dump_free(&d);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

TEST_F(pidns, without_flag_creator_view)
{
	struct dh_dump d;

	ASSERT_EQ(0, create(&self->g, self->init, 0, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(0, gnl_u32(&self->r, CKPT_A_JOB_FLAGS, 0));
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 0, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &d)) TH_LOG("%s", d.error);
	EXPECT_EQ(1, dh_count(&d, CKPT_REC_TASK, self->init));
	EXPECT_EQ(0, dh_count(&d, CKPT_REC_TASK, 1));
	dh_dump_free(&d);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

/* The flag on a job in the creator's own namespace: no dump, a clear errno. */
TEST_F(pidns, flag_without_own_namespace_refused)
{
	pid_t idle = wl_fork_clean();

	if (idle == 0)
		for (;;)
			pause();
	ASSERT_LT(0, idle);
	ASSERT_EQ(0, create(&self->g, idle, CKPT_JOB_F_OWN_PIDNS, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 0, &self->r)) TH_LOG("%s", self->r.extack);
	EXPECT_EQ(-EXDEV, dh_dump_open(self->dev, JOB));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	kill(idle, SIGKILL);
	waitpid(idle, NULL, 0);
}

TEST_F(pidns, unknown_flag_refused)
{
	EXPECT_EQ(-EINVAL, create(&self->g, self->init, 1U << 7, &self->r));
	EXPECT_NE('\0', self->r.extack[0]);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
}

TEST_HARNESS_MAIN
