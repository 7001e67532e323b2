// SPDX-License-Identifier: GPL-2.0
/*
 * The dump set is the parked set: even root's frozen dump covers only what
 * the freeze parked.  A process with a secret that joins the job after the
 * freeze (setpgid into the group, or moved into the cgroup) fails
 * CKPT_IOC_DUMP with -EBUSY instead of being dumped while it runs, and its
 * secret is in no stream.  Thawed and frozen again, the job dumps with it.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define CG_JOIN		"/sys/fs/cgroup/ckpt-isolation-join"

FIXTURE(join) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	char secret[64];
	pid_t leader;
	pid_t *joiner;		/* shared: the late process, the leader */
};

FIXTURE_SETUP(join)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->joiner = wl_shared(2 * sizeof(pid_t));
	ASSERT_NE(NULL, self->joiner);
	snprintf(self->secret, sizeof(self->secret),
		 "ckpt-late-joiner-secret-%d-%ld", getpid(), (long)time(NULL));
	rmdir(CG_JOIN);
	ASSERT_EQ(0, mkdir(CG_JOIN, 0755));
	/* the group leader, in our session and in the cgroup */
	self->leader = dh_fork(NULL, 0);
	ASSERT_LE(0, self->leader);
	if (self->leader == 0) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (setpgid(0, 0) || wl_write_file(CG_JOIN "/cgroup.procs", pid))
			_exit(1);
		__atomic_store_n(&self->joiner[1], getpid(), __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	for (int i = 0; i < 500 && !self->joiner[1]; i++)
		wl_sleep_ms(10);
	ASSERT_EQ(self->leader, self->joiner[1]);
	ASSERT_EQ(self->leader, getpgid(self->leader));
}

FIXTURE_TEARDOWN(join)
{
	wl_kill_descendants();
	rmdir(CG_JOIN);
	close(self->dev);
	gnl_close(&self->g);
}

/* A process holding the secret that joins once @go is set: by setpgid
 * into the leader's group, or (@cgroup) by moving into the cgroup. */
static pid_t spawn_late_joiner(FIXTURE_DATA(join) *self, int *go, int cgroup)
{
	pid_t pid = dh_fork(NULL, 0);

	if (pid == 0) {
		char me[32];

		while (!__atomic_load_n(go, __ATOMIC_SEQ_CST))
			usleep(1000);
		snprintf(me, sizeof(me), "%d", getpid());
		if (cgroup ? wl_write_file(CG_JOIN "/cgroup.procs", me) :
			     setpgid(0, self->leader))
			_exit(1);
		__atomic_store_n(self->joiner, getpid(), __ATOMIC_SEQ_CST);
		wl_hold_secret(self->secret);
	}
	return pid;
}

static void late_joiner_case(struct __test_metadata *_metadata,
			     FIXTURE_DATA(join) *self, uint32_t kind)
{
	int *go = wl_shared(sizeof(int));
	struct dh_dump d;
	pid_t late;
	int fd;

	ASSERT_NE(NULL, go);
	late = spawn_late_joiner(self, go, kind == CKPT_JOB_CGROUP);
	ASSERT_LT(0, late);
	ASSERT_EQ(0, gnl_job_create(&self->g, 1, kind,
				    kind == CKPT_JOB_CGROUP ? 0 : self->leader,
				    kind == CKPT_JOB_CGROUP ?
				    "/ckpt-isolation-join" : NULL, &self->r)) {
		TH_LOG("JOB_CREATE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_freeze(&self->g, 1, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	__atomic_store_n(go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 500 && !*self->joiner; i++)
		wl_sleep_ms(10);
	ASSERT_EQ(late, *self->joiner);
	wl_sleep_ms(50);	/* the secret is in place */

	fd = dh_dump_open(self->dev, 1);
	EXPECT_EQ(-EBUSY, fd);
	if (fd >= 0) {
		uint8_t *buf;
		size_t len;

		dh_read_all(fd, 0, &buf, &len);
		EXPECT_EQ(NULL, memmem(buf, len, self->secret,
				       strlen(self->secret)));
		free(buf);
		close(fd);
	}
	/* still frozen; after a thaw and a new freeze the joiner is parked
	 * too and is dumped */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, 1));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, 1, &self->r));
	ASSERT_EQ(0, gnl_job_freeze(&self->g, 1, 5000, &self->r));
	ASSERT_EQ(0, dh_dump_job(self->dev, 1, &d)) {
		TH_LOG("dump after the new freeze: %s", d.error);
	}
	EXPECT_NE(NULL, memmem(d.buf, d.len, self->secret,
			       strlen(self->secret)));
	dh_dump_free(&d);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, 1, &self->r));
}

TEST_F(join, setpgid_into_frozen_group)
{
	late_joiner_case(_metadata, self, CKPT_JOB_PGID);
}

TEST_F(join, moved_into_frozen_cgroup)
{
	late_joiner_case(_metadata, self, CKPT_JOB_CGROUP);
}

TEST_HARNESS_MAIN
