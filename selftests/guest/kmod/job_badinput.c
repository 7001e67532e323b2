// SPDX-License-Identifier: GPL-2.0
/*
 * Every job command refuses bad requests with the documented errno and an
 * extack message: a missing, wrongly sized, zero or unknown attribute, a
 * JOB_CREATE that names no valid anchor (bad kind, pid, cgroup, init, a
 * kernel thread), a job past CKPT_JOBS_MAX, a freeze timeout out of range,
 * an unknown job, a thaw of a running job, a freeze of a job that holds the
 * caller or a traced process.  An unprivileged caller is refused every
 * command, even on its own processes and jobs (isolation.c tries every
 * route).  After each case the family still answers.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

/* The job every fixture has: id 1, a tree of one sleeping process. */
#define JOB 1
#define NO_JOB 999

static const struct {
	uint8_t cmd;
	const char *name;
} job_cmds[] = {
	{ CKPT_CMD_JOB_CREATE, "JOB_CREATE" },
	{ CKPT_CMD_JOB_DESTROY, "JOB_DESTROY" },
	{ CKPT_CMD_JOB_GET, "JOB_GET" },
	{ CKPT_CMD_JOB_FREEZE, "JOB_FREEZE" },
	{ CKPT_CMD_JOB_THAW, "JOB_THAW" },
};

FIXTURE(bad) {
	struct gnl g;
	struct gnl_msg m;
	struct gnl_reply r;
	pid_t idle;
};

static pid_t spawn_idle(void)
{
	pid_t pid = wl_fork_clean();

	if (pid == 0)
		for (;;)
			pause();
	return pid;
}

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
	self->idle = spawn_idle();
	ASSERT_LT(0, self->idle);
	ASSERT_EQ(0, gnl_job_create(&self->g, JOB, CKPT_JOB_TREE, self->idle,
				    NULL, &self->r));
}

FIXTURE_TEARDOWN(bad)
{
	struct gnl_reply r;

	/* Whatever the case did, the family must still answer. */
	EXPECT_EQ(0, gnl_get_features(&self->g, &r));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &r));
	wl_kill_descendants();
	gnl_close(&self->g);
}

/* Start @cmd; for JOB_CREATE add a valid kind and pid so that only what
 * the case adds is wrong. */
static void start(FIXTURE_DATA(bad) *self, uint8_t cmd)
{
	gnl_msg_init(&self->m, &self->g, cmd, 0);
	if (cmd == CKPT_CMD_JOB_CREATE) {
		gnl_put_u32(&self->m, CKPT_A_JOB_KIND, CKPT_JOB_TREE);
		gnl_put_u32(&self->m, CKPT_A_JOB_PID, self->idle);
	}
}

/* --- the job id, for every command ---------------------------------------- */

TEST_F(bad, missing_id)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		EXPECT_REJECTED(-EINVAL, "missing CKPT_A_JOB_ID");
	}
}

TEST_F(bad, id_as_u16)
{
	uint16_t id = JOB;

	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		gnl_put(&self->m, CKPT_A_JOB_ID, &id, sizeof(id));
		EXPECT_REJECTED(-EINVAL, "invalid attribute length");
	}
}

TEST_F(bad, id_of_64_bytes)
{
	uint32_t id[16] = { JOB };

	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		gnl_put(&self->m, CKPT_A_JOB_ID, id, sizeof(id));
		EXPECT_REJECTED(-EINVAL, "invalid attribute length");
	}
}

TEST_F(bad, id_zero)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		gnl_put_u32(&self->m, CKPT_A_JOB_ID, 0);
		EXPECT_REJECTED(-ERANGE, "out of range");
	}
}

TEST_F(bad, unknown_attribute)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		gnl_put_u32(&self->m, CKPT_A_JOB_ID, 77);
		gnl_put_u32(&self->m, CKPT_A_JOB_MAX + 1, 1);
		EXPECT_REJECTED(-EINVAL, "Unknown attribute type");
	}
}

/* Known to the family, but not an input of the command (a reply field). */
TEST_F(bad, reply_only_attribute)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		start(self, job_cmds[i].cmd);
		gnl_put_u32(&self->m, CKPT_A_JOB_ID, 77);
		gnl_put_u32(&self->m, CKPT_A_JOB_STATE, CKPT_JOB_FROZEN);
		EXPECT_EQ(-EINVAL, gnl_request(&self->g, &self->m, &self->r));
		EXPECT_NE('\0', self->r.extack[0]);
	}
	/* nothing was created by the refused JOB_CREATE */
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 77, &self->r));
}

/* --- JOB_CREATE ------------------------------------------------------------- */

TEST_F(bad, create_kind_out_of_range)
{
	static const uint32_t kinds[] = { 0, CKPT_JOB_KIND_MAX + 1, ~0U };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		gnl_msg_init(&self->m, &self->g, CKPT_CMD_JOB_CREATE, 0);
		gnl_put_u32(&self->m, CKPT_A_JOB_ID, 2);
		gnl_put_u32(&self->m, CKPT_A_JOB_KIND, kinds[i]);
		gnl_put_u32(&self->m, CKPT_A_JOB_PID, self->idle);
		EXPECT_REJECTED(-ERANGE, "out of range");
	}
}

TEST_F(bad, create_missing_kind)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_JOB_CREATE, 0);
	gnl_put_u32(&self->m, CKPT_A_JOB_ID, 2);
	gnl_put_u32(&self->m, CKPT_A_JOB_PID, self->idle);
	EXPECT_REJECTED(-EINVAL, "missing CKPT_A_JOB_KIND");
}

TEST_F(bad, create_missing_pid)
{
	for (uint32_t kind = CKPT_JOB_TREE; kind <= CKPT_JOB_SID; kind++) {
		EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, kind, 0, NULL,
						  &self->r));
		EXPECT_NE(NULL, strstr(self->r.extack, "missing CKPT_A_JOB_PID")) {
			TH_LOG("kind %u: extack was \"%s\"", kind, self->r.extack);
		}
	}
}

TEST_F(bad, create_pid_zero)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_JOB_CREATE, 0);
	gnl_put_u32(&self->m, CKPT_A_JOB_ID, 2);
	gnl_put_u32(&self->m, CKPT_A_JOB_KIND, CKPT_JOB_TREE);
	gnl_put_u32(&self->m, CKPT_A_JOB_PID, 0);
	EXPECT_REJECTED(-ERANGE, "out of range");
}

TEST_F(bad, create_cgroup_kind_with_pid)
{
	EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, CKPT_JOB_CGROUP,
					  self->idle, "/", &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "takes no pid")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
}

TEST_F(bad, create_cgroup_kind_without_path)
{
	EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, CKPT_JOB_CGROUP, 0, NULL,
					  &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "missing CKPT_A_JOB_CGROUP")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
}

TEST_F(bad, create_cgroup_path_for_other_kinds)
{
	for (uint32_t kind = CKPT_JOB_TREE; kind <= CKPT_JOB_SID; kind++) {
		EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, kind, self->idle,
						  "/", &self->r));
		EXPECT_NE(NULL, strstr(self->r.extack, "only a cgroup job")) {
			TH_LOG("kind %u: extack was \"%s\"", kind, self->r.extack);
		}
	}
}

TEST_F(bad, create_nonexistent_cgroup)
{
	EXPECT_EQ(-ENOENT, gnl_job_create(&self->g, 2, CKPT_JOB_CGROUP, 0,
					  "/ckpt-no-such-cgroup", &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "no such cgroup")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
}

TEST_F(bad, create_nonexistent_pid)
{
	pid_t gone = fork();

	ASSERT_LE(0, gone);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	ASSERT_EQ(-1, kill(gone, 0));

	for (uint32_t kind = CKPT_JOB_TREE; kind <= CKPT_JOB_SID; kind++) {
		EXPECT_EQ(-ESRCH, gnl_job_create(&self->g, 2, kind, gone, NULL,
						 &self->r));
		EXPECT_NE(NULL, strstr(self->r.extack, "no process")) {
			TH_LOG("kind %u: extack was \"%s\"", kind, self->r.extack);
		}
	}
}

/* A live pid that leads no process group or session. */
TEST_F(bad, create_pgid_or_sid_of_a_non_leader)
{
	ASSERT_NE(self->idle, getpgid(self->idle));
	EXPECT_EQ(-ESRCH, gnl_job_create(&self->g, 2, CKPT_JOB_PGID, self->idle,
					 NULL, &self->r));
	EXPECT_EQ(-ESRCH, gnl_job_create(&self->g, 2, CKPT_JOB_SID, self->idle,
					 NULL, &self->r));
}

TEST_F(bad, create_init_or_kernel_thread)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	ASSERT_STREQ("kthreadd\n", comm);

	EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, CKPT_JOB_TREE, 1, NULL,
					  &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "kernel thread or init")) {
		TH_LOG("pid 1: extack was \"%s\"", self->r.extack);
	}
	EXPECT_EQ(-EINVAL, gnl_job_create(&self->g, 2, CKPT_JOB_TREE, 2, NULL,
					  &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "kernel thread or init")) {
		TH_LOG("pid 2: extack was \"%s\"", self->r.extack);
	}
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
}

/* --- unprivileged callers ------------------------------------------------ */

/* What the unprivileged child got back for each request it made. */
struct outcome {
	int err[8];
	char extack[8][256];
};

typedef void (*nobody_fn)(struct gnl *g, struct outcome *o, void *arg);

static void record(struct outcome *o, int i, int err, const struct gnl_reply *r)
{
	o->err[i] = err;
	memcpy(o->extack[i], r->extack, sizeof(o->extack[i]));
}

/* Run @fn as uid/gid 65534 (dumpable) with a socket of its own. */
static int as_nobody(FIXTURE_DATA(bad) *self, nobody_fn fn, void *arg,
		     struct outcome *o)
{
	struct outcome *shared = wl_shared(sizeof(*o));
	int status;
	pid_t pid;

	if (!shared)
		return -ENOMEM;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct gnl g;

		close(self->g.fd);
		if (ckpt_test_drop_privileges() || prctl(PR_SET_DUMPABLE, 1) ||
		    gnl_open(&g))
			_exit(2);
		fn(&g, shared, arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -ECHILD;
	*o = *shared;
	return 0;
}

#define EXPECT_PERMISSION_DENIED(o, i) do {				\
	EXPECT_EQ(-EPERM, (o).err[i]);					\
	EXPECT_NE(NULL, strstr((o).extack[i], "permission denied")) {	\
		TH_LOG("request %d: extack was \"%s\"", i, (o).extack[i]); \
	}								\
} while (0)

static void create_on(struct gnl *g, struct outcome *o, void *arg)
{
	static struct gnl_reply r;

	record(o, 0, gnl_job_create(g, 2, CKPT_JOB_TREE, *(pid_t *)arg, NULL,
				    &r), &r);
}

TEST_F(bad, create_unprivileged_on_root_process)
{
	struct outcome o;

	ASSERT_EQ(0, as_nobody(self, create_on, &self->idle, &o));
	EXPECT_PERMISSION_DENIED(o, 0);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
}

/* Every command on a process of one's own: a job of one's own is refused
 * at JOB_CREATE, and every command naming a job is refused before the id
 * is even looked up (root's job 1 and a job that exists nowhere alike). */
static void own_process_cycle(struct gnl *g, struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	pid_t own = spawn_idle();

	record(o, 0, gnl_job_create(g, 3, CKPT_JOB_TREE, own, NULL, &r), &r);
	record(o, 1, gnl_job_freeze(g, 3, 5000, &r), &r);
	record(o, 2, gnl_job_simple(g, CKPT_CMD_JOB_GET, 3, &r), &r);
	record(o, 3, gnl_job_simple(g, CKPT_CMD_JOB_THAW, 3, &r), &r);
	record(o, 4, gnl_job_simple(g, CKPT_CMD_JOB_DESTROY, 3, &r), &r);
	record(o, 5, gnl_job_freeze(g, JOB, 5000, &r), &r);
	record(o, 6, gnl_job_simple(g, CKPT_CMD_JOB_GET, JOB, &r), &r);
	record(o, 7, gnl_job_simple(g, CKPT_CMD_JOB_DESTROY, JOB, &r), &r);
	kill(own, SIGKILL);
	waitpid(own, NULL, 0);
}

TEST_F(bad, unprivileged_caller_refused_every_command)
{
	struct outcome o;

	ASSERT_EQ(0, as_nobody(self, own_process_cycle, NULL, &o));
	for (int i = 0; i < 8; i++)
		EXPECT_PERMISSION_DENIED(o, i);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 3, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
}

/* --- the host-wide job cap ------------------------------------------------ */

/* CKPT_JOBS_MAX jobs on the host, whoever made them, then -ENOSPC; the
 * fixture's job counts too.  They go with the socket that made them. */
TEST_F_TIMEOUT(bad, too_many_jobs, 300)
{
	struct gnl many;
	int made = 1, err = 0;		/* the fixture's job */

	ASSERT_EQ(0, gnl_open(&many));
	for (uint32_t id = 1000; made < CKPT_JOBS_MAX + 1 && !err; id++) {
		err = gnl_job_create(&many, id, CKPT_JOB_TREE, self->idle,
				     NULL, &self->r);
		if (!err)
			made++;
	}
	EXPECT_EQ(CKPT_JOBS_MAX, made);
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_NE(NULL, strstr(self->r.extack, "too many jobs")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	/* another socket, and so anybody else, is refused as well */
	EXPECT_EQ(-ENOSPC, gnl_job_create(&self->g, 2, CKPT_JOB_TREE,
					  self->idle, NULL, &self->r));
	gnl_close(&many);
	/* room again once they are gone */
	EXPECT_EQ(0, gnl_job_create(&self->g, 2, CKPT_JOB_TREE, self->idle,
				    NULL, &self->r)) {
		TH_LOG("JOB_CREATE after the close: %s", self->r.extack);
	}
}

/* --- JOB_FREEZE, JOB_THAW ----------------------------------------------------- */

TEST_F(bad, freeze_timeout_out_of_range)
{
	static const uint32_t bad_ms[] = { 0, CKPT_FREEZE_TIMEOUT_MS_MAX + 1, ~0U };

	for (size_t i = 0; i < ARRAY_SIZE(bad_ms); i++) {
		gnl_msg_init(&self->m, &self->g, CKPT_CMD_JOB_FREEZE, 0);
		gnl_put_u32(&self->m, CKPT_A_JOB_ID, JOB);
		gnl_put_u32(&self->m, CKPT_A_JOB_TIMEOUT_MS, bad_ms[i]);
		EXPECT_REJECTED(-ERANGE, "out of range");
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));

	/* the largest value is accepted */
	EXPECT_EQ(0, gnl_job_freeze(&self->g, JOB, CKPT_FREEZE_TIMEOUT_MS_MAX,
				    &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

TEST_F(bad, unknown_job)
{
	for (size_t i = 1; i < ARRAY_SIZE(job_cmds); i++) {
		TH_LOG("%s", job_cmds[i].name);
		EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, job_cmds[i].cmd,
						  NO_JOB, &self->r));
		EXPECT_NE(NULL, strstr(self->r.extack, "no such job")) {
			TH_LOG("extack was \"%s\"", self->r.extack);
		}
	}
}

TEST_F(bad, thaw_of_running_job)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_JOB_THAW, 0);
	gnl_put_u32(&self->m, CKPT_A_JOB_ID, JOB);
	EXPECT_REJECTED(-EALREADY, "not frozen");

	/* and of a job thawed already */
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 5000, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	EXPECT_REJECTED(-EALREADY, "not frozen");
}

TEST_F(bad, freeze_of_frozen_job)
{
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 5000, &self->r));
	EXPECT_EQ(-EALREADY, gnl_job_freeze(&self->g, JOB, 5000, &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "already frozen")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	/* still frozen by the first request */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(CKPT_JOB_FROZEN, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

TEST_F(bad, freeze_of_job_holding_the_caller)
{
	ASSERT_EQ(0, gnl_job_create(&self->g, 2, CKPT_JOB_TREE, getpid(), NULL,
				    &self->r));
	EXPECT_EQ(-EDEADLK, gnl_job_freeze(&self->g, 2, 5000, &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "calling process")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(getpid(), gnl_u32(&self->r, CKPT_A_JOB_ERR_PID, 0));
	/* the other member (the fixture's process) was not left parked: it
	 * runs the undone work and goes back to sleep in pause() */
	EXPECT_EQ(0, wl_wait_state(self->idle, "S", 2000)) {
		TH_LOG("state %c", wl_task_state(self->idle, self->idle));
	}
}

TEST_F(bad, freeze_of_traced_member)
{
	int status;

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, self->idle, 0, 0));
	EXPECT_EQ(-EBUSY, gnl_job_freeze(&self->g, JOB, 5000, &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "traced")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, JOB, &self->r));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(self->idle, gnl_u32(&self->r, CKPT_A_JOB_ERR_PID, 0));

	/* Once the debugger is gone, the same job freezes. */
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, self->idle, 0, 0));
	ASSERT_EQ(self->idle, waitpid(self->idle, &status, __WALL));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->idle, 0, 0));
	EXPECT_EQ(0, gnl_job_freeze(&self->g, JOB, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE after detach: %s", self->r.extack);
	}
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

TEST_HARNESS_MAIN
