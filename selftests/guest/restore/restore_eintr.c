// SPDX-License-Identifier: GPL-2.0
/*
 * A signal that comes while a job is frozen interrupts an epoll_wait the
 * freeze kicked out, after a restore too (issue 12): a thread of the
 * workload waits in epoll_wait(-1) with a SIGUSR2 handler installed
 * without SA_RESTART; the job is frozen, SIGUSR2 is sent, the job is
 * checkpointed with the signal pending, killed and restored.  The restored
 * thread runs the handler once and epoll_wait returns -1/EINTR, as it
 * would have had the job never been frozen.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "restore_helpers.h"
#include "kselftest_harness.h"

FIXTURE(re) {
	struct rh h;
	struct gnl_reply r;
	char msg[512];
};

FIXTURE_SETUP(re)
{
	ASSERT_EQ(0, rh_init(&self->h, 3000 + (uint32_t)getpid()));
}

FIXTURE_TEARDOWN(re)
{
	rh_fini(&self->h);
}

TEST_F_TIMEOUT(re, epoll_wait_eintr_after_restore, 240)
{
	char path[200];
	uint64_t seq;
	int ret;

	ASSERT_EQ(0, rh_start(&self->h, "eintr", NULL));
	ASSERT_EQ(0, gnl_job_create(&self->h.g, self->h.job, CKPT_JOB_TREE,
				    self->h.pid, NULL, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_freeze(&self->h.g, self->h.job, 0, &self->r))
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	/* pending in the frozen process: the checkpoint records it */
	ASSERT_EQ(0, kill(self->h.pid, SIGUSR2));
	usleep(200 * 1000);
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_kill(&self->h));

	snprintf(path, sizeof(path), "%s/result", self->h.dir);
	unlink(path);
	ret = rh_restore(&self->h, seq, NULL);
	if (ret)
		rh_print_err(&self->h);
	ASSERT_EQ(0, ret);
	ret = rh_verdict(&self->h, self->msg, sizeof(self->msg));
	EXPECT_EQ(0, ret) TH_LOG("%s", self->msg);
	TH_LOG("%s", self->msg);
}

TEST_HARNESS_MAIN
