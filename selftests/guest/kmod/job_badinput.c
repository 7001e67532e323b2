// SPDX-License-Identifier: GPL-2.0
/*
 * Every job command refuses bad requests with the documented errno and an
 * extack message: a missing, wrongly sized, zero or unknown attribute, a
 * JOB_CREATE that names no valid anchor (bad kind, pid, cgroup, init, a
 * kernel thread, another user's process), a freeze timeout out of range, an
 * unknown job, a thaw of a running job, a freeze of a job that holds the
 * caller or a traced process, and an unprivileged freeze of somebody else's
 * process.  An unprivileged user may freeze its own processes.  After each
 * case the family still answers.
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
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, wl_become_subreaper());
	ASSERT_EQ(0, gnl_open(&self->g));
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
	int err[3];
	char extack[3][256];
	uint32_t state[3];	/* CKPT_A_JOB_STATE of the reply, 0 if none */
	uint32_t err_pid;	/* after the last request, from JOB_GET */
};

typedef void (*nobody_fn)(struct gnl *g, struct outcome *o, void *arg);

static void record(struct outcome *o, int i, int err, const struct gnl_reply *r)
{
	o->err[i] = err;
	memcpy(o->extack[i], r->extack, sizeof(o->extack[i]));
	o->state[i] = gnl_u32(r, CKPT_A_JOB_STATE, 0);
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
	EXPECT_EQ(-EPERM, o.err[0]);
	EXPECT_NE(NULL, strstr(o.extack[0], "permission denied")) {
		TH_LOG("extack was \"%s\"", o.extack[0]);
	}
}

/* Create jobs on one's own process until refused: err[0] is the refusal,
 * err[1] the count created before it. */
static void create_many(struct gnl *g, struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	pid_t own = spawn_idle();
	int i, err = 0;

	for (i = 0; i <= CKPT_JOBS_MAX && !err; i++)
		err = gnl_job_create(g, 1000 + i, CKPT_JOB_TREE, own, NULL, &r);
	record(o, 0, err, &r);
	o->err[1] = err ? i - 1 : i;
	kill(own, SIGKILL);
	waitpid(own, NULL, 0);
}

TEST_F(bad, too_many_jobs_for_an_unprivileged_user)
{
	struct outcome o;

	ASSERT_EQ(0, as_nobody(self, create_many, NULL, &o));
	EXPECT_EQ(CKPT_JOBS_MAX, o.err[1]);
	EXPECT_EQ(-ENOSPC, o.err[0]);
	EXPECT_NE(NULL, strstr(o.extack[0], "too many jobs")) {
		TH_LOG("extack was \"%s\"", o.extack[0]);
	}
	/* the jobs went with the user's socket; root is not limited */
	for (int i = 0; i <= CKPT_JOBS_MAX; i++)
		ASSERT_EQ(0, gnl_job_create(&self->g, 20000 + i, CKPT_JOB_TREE,
					    self->idle, NULL, &self->r));
	for (int i = 0; i <= CKPT_JOBS_MAX; i++)
		gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 20000 + i, &self->r);
}

/* Freeze and thaw a tree of one's own. */
static void freeze_own(struct gnl *g, struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	pid_t own = spawn_idle();

	record(o, 0, gnl_job_create(g, 3, CKPT_JOB_TREE, own, NULL, &r), &r);
	record(o, 1, gnl_job_freeze(g, 3, 5000, &r), &r);
	record(o, 2, gnl_job_simple(g, CKPT_CMD_JOB_THAW, 3, &r), &r);
	kill(own, SIGKILL);
	waitpid(own, NULL, 0);
}

TEST_F(bad, unprivileged_freeze_of_own_processes)
{
	struct outcome o;

	ASSERT_EQ(0, as_nobody(self, freeze_own, NULL, &o));
	EXPECT_EQ(0, o.err[0]) {
		TH_LOG("JOB_CREATE: %s", o.extack[0]);
	}
	EXPECT_EQ(0, o.err[1]) {
		TH_LOG("JOB_FREEZE: %s", o.extack[1]);
	}
	EXPECT_EQ(CKPT_JOB_FROZEN, o.state[1]);
	EXPECT_EQ(0, o.err[2]) {
		TH_LOG("JOB_THAW: %s", o.extack[2]);
	}
}

struct mixed_group {
	int leader;		/* nobody's, leads the group */
	int root_member;	/* root's, joins the group */
	int created, joined;
	uint64_t count;		/* root_member counts */
};

static int wait_flag(const int *flag)
{
	uint64_t end = wl_now_ms() + 10000;

	while (!__atomic_load_n(flag, __ATOMIC_SEQ_CST)) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
	return 0;
}

/*
 * Create a job of one's own process group; once root's process has joined
 * the group, freeze it.
 */
static void freeze_mixed_group(struct gnl *g, struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct mixed_group *mg = arg;

	record(o, 0, gnl_job_create(g, 4, CKPT_JOB_PGID, mg->leader, NULL, &r), &r);
	__atomic_store_n(&mg->created, 1, __ATOMIC_SEQ_CST);
	if (wait_flag(&mg->joined))
		_exit(3);
	record(o, 1, gnl_job_freeze(g, 4, 5000, &r), &r);
	gnl_job_simple(g, CKPT_CMD_JOB_GET, 4, &r);
	o->state[2] = gnl_u32(&r, CKPT_A_JOB_STATE, 0);
	o->err_pid = gnl_u32(&r, CKPT_A_JOB_ERR_PID, 0);
}

TEST_F(bad, unprivileged_freeze_of_root_process)
{
	struct mixed_group *mg = wl_shared(sizeof(*mg));
	struct outcome o;
	uint64_t before;
	pid_t leader, member;

	ASSERT_NE(NULL, mg);
	/* nobody's group leader, in our session */
	leader = fork();
	ASSERT_LE(0, leader);
	if (leader == 0) {
		close(self->g.fd);
		if (ckpt_test_drop_privileges() || prctl(PR_SET_DUMPABLE, 1) ||
		    setpgid(0, 0))
			_exit(2);
		mg->leader = getpid();
		for (;;)
			pause();
	}
	ASSERT_EQ(0, wait_flag(&mg->leader));
	/* root's process joins it once the job exists, and counts */
	member = fork();
	ASSERT_LE(0, member);
	if (member == 0) {
		close(self->g.fd);
		if (wait_flag(&mg->created) || setpgid(0, mg->leader))
			_exit(2);
		mg->root_member = getpid();
		__atomic_store_n(&mg->joined, 1, __ATOMIC_SEQ_CST);
		for (;;) {
			__atomic_add_fetch(&mg->count, 1, __ATOMIC_SEQ_CST);
			usleep(2000);
		}
	}

	ASSERT_EQ(0, as_nobody(self, freeze_mixed_group, mg, &o));
	ASSERT_EQ(mg->leader, getpgid(mg->root_member));
	EXPECT_EQ(0, o.err[0]) {
		TH_LOG("JOB_CREATE: %s", o.extack[0]);
	}
	EXPECT_EQ(-EPERM, o.err[1]);
	EXPECT_NE(NULL, strstr(o.extack[1], "permission denied")) {
		TH_LOG("extack was \"%s\"", o.extack[1]);
	}
	EXPECT_EQ(CKPT_JOB_RUNNING, o.state[2]);
	EXPECT_EQ(mg->root_member, o.err_pid);
	/* neither process was left parked */
	EXPECT_EQ(0, wl_wait_state(mg->leader, "S", 2000));
	before = __atomic_load_n(&mg->count, __ATOMIC_SEQ_CST);
	wl_sleep_ms(100);
	EXPECT_NE(before, __atomic_load_n(&mg->count, __ATOMIC_SEQ_CST));
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
