// SPDX-License-Identifier: GPL-2.0
/*
 * Job lifecycle: JOB_CREATE, JOB_GET (do and dump) and JOB_DESTROY for each
 * kind of job.  Membership follows the processes (a tree picks up
 * grandchildren forked after the job was created and drops exited ones),
 * the counts and the task list (pid, ppid, threads, comm) are exact, ids are
 * unique per pid namespace whoever (privileged) made them, the owner uid is
 * information only, and a job dies with the socket that created it, thawing
 * its processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
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
#include "privs.h"
#include "workload.h"

#define USER 1000

FIXTURE(job) {
	struct gnl g;
	struct gnl_reply r;
	char cgroup[2][128];	/* directories to remove, innermost last */
};

FIXTURE_SETUP(job)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, NULL));
}

FIXTURE_TEARDOWN(job)
{
	wl_kill_descendants();
	for (int i = 1; i >= 0; i--)
		if (self->cgroup[i][0])
			rmdir(self->cgroup[i]);
	gnl_close(&self->g);
}

static void __attribute__((noreturn)) idle_forever(void)
{
	for (;;)
		pause();
}

/* A child that only sleeps; it holds no fd of the test. */
static pid_t spawn_idle(const char *name)
{
	pid_t pid = wl_fork_clean();

	if (pid == 0) {
		prctl(PR_SET_NAME, name);
		idle_forever();
	}
	return pid;
}

/* Wait until *@v (shared memory) is at least @want. */
static int wait_for(const volatile int *v, int want)
{
	uint64_t end = wl_now_ms() + 10000;

	while (__atomic_load_n(v, __ATOMIC_SEQ_CST) < want) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
	return 0;
}

static const struct gnl_task *find_task(const struct gnl_task *t, int n,
					pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (t[i].pid == (uint32_t)pid)
			return &t[i];
	return NULL;
}

/* The task @pid is in the list with this parent, thread count and comm. */
#define EXPECT_TASK(t, n, p, parent, threads, name) do {		\
	const struct gnl_task *__t = find_task(t, n, p);		\
	EXPECT_NE(NULL, __t) {						\
		TH_LOG("pid %d (%s) missing from the task list", p, name); \
	}								\
	if (__t) {							\
		EXPECT_EQ((uint32_t)(parent), __t->ppid);		\
		EXPECT_EQ((uint32_t)(threads), __t->nr_threads);	\
		EXPECT_STREQ(name, __t->comm);				\
	}								\
} while (0)

/* --- tree ------------------------------------------------------------- */

struct tree_ctl {
	int a, b, c, d;		/* pids */
	int ready;		/* processes (and threads) set up */
	int fork_d;		/* c forks d when set */
};

static void *sleeper(void *arg)
{
	idle_forever();
	return arg;
}

static void __attribute__((noreturn)) tree_d(struct tree_ctl *ctl)
{
	prctl(PR_SET_NAME, "ckpt-d");
	ctl->d = getpid();
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
	idle_forever();
}

static void __attribute__((noreturn)) tree_c(struct tree_ctl *ctl)
{
	prctl(PR_SET_NAME, "ckpt-c");
	signal(SIGCHLD, SIG_IGN);	/* d is reaped as soon as it exits */
	ctl->c = getpid();
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&ctl->fork_d, __ATOMIC_SEQ_CST))
		usleep(2000);
	if (fork() == 0)
		tree_d(ctl);
	idle_forever();
}

/* b: three threads */
static void __attribute__((noreturn)) tree_b(struct tree_ctl *ctl)
{
	pthread_t th;

	prctl(PR_SET_NAME, "ckpt-b");
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th, NULL, sleeper, NULL))
			_exit(1);
	ctl->b = getpid();
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
	if (fork() == 0)
		tree_c(ctl);
	idle_forever();
}

TEST_F(job, tree_follows_forks_and_exits)
{
	struct tree_ctl *ctl = wl_shared(sizeof(*ctl));
	struct gnl_task t[8];
	pid_t a;
	int n;

	/* children write their own pids: a fork's 0 must not land in @ctl */
	ASSERT_NE(NULL, ctl);
	a = wl_fork_clean();
	ASSERT_LE(0, a);
	if (a == 0) {
		prctl(PR_SET_NAME, "ckpt-a");
		ctl->a = getpid();
		if (fork() == 0)
			tree_b(ctl);
		idle_forever();
	}
	ASSERT_EQ(0, wait_for(&ctl->ready, 2));		/* b and c */

	ASSERT_EQ(0, gnl_job_create(&self->g, 1, CKPT_JOB_TREE, ctl->a, NULL,
				    &self->r)) {
		TH_LOG("JOB_CREATE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 1, &self->r));
	EXPECT_EQ(1, gnl_u32(&self->r, CKPT_A_JOB_ID, 0));
	EXPECT_EQ(CKPT_JOB_TREE, gnl_u32(&self->r, CKPT_A_JOB_KIND, 0));
	EXPECT_EQ(ctl->a, gnl_u32(&self->r, CKPT_A_JOB_PID, 0));
	EXPECT_EQ(NULL, gnl_attr(&self->r, CKPT_A_JOB_CGROUP));
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	EXPECT_EQ(0, gnl_u32(&self->r, CKPT_A_JOB_OWNER_UID, -1));
	EXPECT_EQ(NULL, gnl_attr(&self->r, CKPT_A_JOB_ERR_PID));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(5, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	ASSERT_EQ(3, n);
	EXPECT_TASK(t, n, ctl->a, getpid(), 1, "ckpt-a");
	EXPECT_TASK(t, n, ctl->b, ctl->a, 3, "ckpt-b");
	EXPECT_TASK(t, n, ctl->c, ctl->b, 1, "ckpt-c");

	/* A great-grandchild forked after the job was created is a member. */
	__atomic_store_n(&ctl->fork_d, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, wait_for(&ctl->ready, 3));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 1, &self->r));
	EXPECT_EQ(4, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(6, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	ASSERT_EQ(4, n);
	EXPECT_TASK(t, n, ctl->d, ctl->c, 1, "ckpt-d");

	/* And one that exited (and was reaped) is not. */
	ASSERT_EQ(0, kill(ctl->d, SIGKILL));
	ASSERT_EQ(0, wl_wait_gone(ctl->d, 5000));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 1, &self->r));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	EXPECT_EQ(3, n);
	EXPECT_EQ(NULL, find_task(t, n > 0 ? n : 0, ctl->d));

	/* Destroying a running job leaves its processes alone. */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 1, &self->r));
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 1, &self->r));
	EXPECT_EQ(0, kill(ctl->c, 0));
	EXPECT_EQ('S', wl_task_state(ctl->a, ctl->a));
}

/* --- process group ------------------------------------------------------ */

struct group_ctl {
	int leader, member[2], other;
	int ready;
};

TEST_F(job, pgid_takes_the_group_only)
{
	struct group_ctl *ctl = wl_shared(sizeof(*ctl));
	struct gnl_task t[8];
	pid_t leader;
	int n;

	ASSERT_NE(NULL, ctl);
	leader = wl_fork_clean();
	ASSERT_LE(0, leader);
	if (leader == 0) {
		prctl(PR_SET_NAME, "ckpt-pgl");
		setpgid(0, 0);
		ctl->leader = getpid();
		for (int i = 0; i < 2; i++) {
			if (fork() == 0) {
				prctl(PR_SET_NAME, "ckpt-pgm");
				ctl->member[i] = getpid();
				__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
				idle_forever();
			}
		}
		if (fork() == 0) {
			/* a child of the leader, but in a group of its own */
			setpgid(0, 0);
			ctl->other = getpid();
			__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
			idle_forever();
		}
		idle_forever();
	}
	ASSERT_EQ(0, wait_for(&ctl->ready, 3));
	ASSERT_EQ(ctl->leader, getpgid(ctl->member[1]));
	ASSERT_EQ(ctl->other, getpgid(ctl->other));

	ASSERT_EQ(0, gnl_job_create(&self->g, 2, CKPT_JOB_PGID, ctl->leader,
				    NULL, &self->r)) {
		TH_LOG("JOB_CREATE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
	EXPECT_EQ(CKPT_JOB_PGID, gnl_u32(&self->r, CKPT_A_JOB_KIND, 0));
	EXPECT_EQ(ctl->leader, gnl_u32(&self->r, CKPT_A_JOB_PID, 0));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_THREADS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	ASSERT_EQ(3, n);
	EXPECT_TASK(t, n, ctl->leader, getpid(), 1, "ckpt-pgl");
	EXPECT_TASK(t, n, ctl->member[0], ctl->leader, 1, "ckpt-pgm");
	EXPECT_TASK(t, n, ctl->member[1], ctl->leader, 1, "ckpt-pgm");
	EXPECT_EQ(NULL, find_task(t, n, ctl->other));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 2, &self->r));
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 2, &self->r));
}

/* --- session ------------------------------------------------------------ */

TEST_F(job, sid_takes_every_group_of_the_session)
{
	struct group_ctl *ctl = wl_shared(sizeof(*ctl));
	struct gnl_task t[8];
	pid_t leader;
	int n;

	ASSERT_NE(NULL, ctl);
	leader = wl_fork_clean();
	ASSERT_LE(0, leader);
	if (leader == 0) {
		prctl(PR_SET_NAME, "ckpt-sl");
		if (setsid() < 0)
			_exit(1);
		ctl->leader = getpid();
		if (fork() == 0) {
			prctl(PR_SET_NAME, "ckpt-sm");
			ctl->member[0] = getpid();
			__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
			idle_forever();
		}
		if (fork() == 0) {
			/* another process group of the same session */
			prctl(PR_SET_NAME, "ckpt-sg");
			setpgid(0, 0);
			ctl->member[1] = getpid();
			__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
			idle_forever();
		}
		idle_forever();
	}
	ASSERT_EQ(0, wait_for(&ctl->ready, 2));
	ASSERT_EQ(ctl->leader, getsid(ctl->member[1]));
	ASSERT_EQ(ctl->member[1], getpgid(ctl->member[1]));

	ASSERT_EQ(0, gnl_job_create(&self->g, 3, CKPT_JOB_SID, ctl->leader,
				    NULL, &self->r)) {
		TH_LOG("JOB_CREATE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 3, &self->r));
	EXPECT_EQ(CKPT_JOB_SID, gnl_u32(&self->r, CKPT_A_JOB_KIND, 0));
	EXPECT_EQ(ctl->leader, gnl_u32(&self->r, CKPT_A_JOB_PID, 0));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	ASSERT_EQ(3, n);
	EXPECT_TASK(t, n, ctl->leader, getpid(), 1, "ckpt-sl");
	EXPECT_TASK(t, n, ctl->member[0], ctl->leader, 1, "ckpt-sm");
	EXPECT_TASK(t, n, ctl->member[1], ctl->leader, 1, "ckpt-sg");
	EXPECT_EQ(NULL, find_task(t, n, getpid()));	/* another session */

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 3, &self->r));
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 3, &self->r));
}

/* --- cgroup --------------------------------------------------------------- */

static int cgroup_move(const char *dir, pid_t pid)
{
	char path[192], buf[32];
	int fd, len, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write(fd, buf, len) != len)
		err = -errno;
	close(fd);
	return err;
}

struct cgroup_ctl {
	int x, y, z;
	int moved, ready;
};

TEST_F(job, cgroup_takes_the_directory_and_below)
{
	struct cgroup_ctl *ctl = wl_shared(sizeof(*ctl));
	char rel[64];
	struct gnl_task t[8];
	pid_t x;
	int n;

	ASSERT_NE(NULL, ctl);
	snprintf(rel, sizeof(rel), "/ckpt-test-%d", getpid());
	snprintf(self->cgroup[0], sizeof(self->cgroup[0]), "/sys/fs/cgroup%s", rel);
	snprintf(self->cgroup[1], sizeof(self->cgroup[1]), "/sys/fs/cgroup%s/sub", rel);
	ASSERT_EQ(0, mkdir(self->cgroup[0], 0755));
	ASSERT_EQ(0, mkdir(self->cgroup[1], 0755));

	/* x is moved in, then forks y (which inherits the cgroup) */
	x = wl_fork_clean();
	ASSERT_LE(0, x);
	if (x == 0) {
		prctl(PR_SET_NAME, "ckpt-cgx");
		while (!__atomic_load_n(&ctl->moved, __ATOMIC_SEQ_CST))
			usleep(2000);
		if (fork() == 0) {
			prctl(PR_SET_NAME, "ckpt-cgy");
			ctl->y = getpid();
			__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
			idle_forever();
		}
		idle_forever();
	}
	ctl->x = x;
	ctl->z = spawn_idle("ckpt-cgz");	/* in the child cgroup */
	ASSERT_LE(0, ctl->z);
	ASSERT_EQ(0, cgroup_move(self->cgroup[0], ctl->x));
	ASSERT_EQ(0, cgroup_move(self->cgroup[1], ctl->z));
	__atomic_store_n(&ctl->moved, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, wait_for(&ctl->ready, 1));

	ASSERT_EQ(0, gnl_job_create(&self->g, 4, CKPT_JOB_CGROUP, 0, rel,
				    &self->r)) {
		TH_LOG("JOB_CREATE: %s", self->r.extack);
	}
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 4, &self->r));
	EXPECT_EQ(CKPT_JOB_CGROUP, gnl_u32(&self->r, CKPT_A_JOB_KIND, 0));
	EXPECT_EQ(NULL, gnl_attr(&self->r, CKPT_A_JOB_PID));
	ASSERT_NE(NULL, gnl_str(&self->r, CKPT_A_JOB_CGROUP));
	EXPECT_STREQ(rel, gnl_str(&self->r, CKPT_A_JOB_CGROUP));
	EXPECT_EQ(3, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));
	n = gnl_job_tasks(&self->r, t, 8);
	ASSERT_EQ(3, n);
	EXPECT_TASK(t, n, ctl->x, getpid(), 1, "ckpt-cgx");
	EXPECT_TASK(t, n, ctl->y, ctl->x, 1, "ckpt-cgy");
	EXPECT_TASK(t, n, ctl->z, getpid(), 1, "ckpt-cgz");

	/* A process moved out is no longer a member. */
	ASSERT_EQ(0, cgroup_move("/sys/fs/cgroup", ctl->z));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 4, &self->r));
	EXPECT_EQ(2, gnl_u32(&self->r, CKPT_A_JOB_NR_TASKS, 0));

	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 4, &self->r));
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 4, &self->r));
}

/* --- ids ------------------------------------------------------------------ */

TEST_F(job, duplicate_id_is_refused)
{
	pid_t a = spawn_idle("ckpt-dup-a"), b = spawn_idle("ckpt-dup-b");
	struct gnl other;

	ASSERT_LT(0, a);
	ASSERT_LT(0, b);
	ASSERT_EQ(0, gnl_job_create(&self->g, 5, CKPT_JOB_TREE, a, NULL, &self->r));
	EXPECT_EQ(-EEXIST, gnl_job_create(&self->g, 5, CKPT_JOB_TREE, b, NULL,
					  &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "exists")) {
		TH_LOG("extack was \"%s\"", self->r.extack);
	}
	/* Ids are per pid namespace, not per socket. */
	ASSERT_EQ(0, gnl_open(&other));
	EXPECT_EQ(-EEXIST, gnl_job_create(&other, 5, CKPT_JOB_TREE, b, NULL,
					  &self->r));
	gnl_close(&other);
	/* The first job is unchanged. */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 5, &self->r));
	EXPECT_EQ(a, gnl_u32(&self->r, CKPT_A_JOB_PID, 0));
}

TEST_F(job, destroyed_id_is_gone_and_reusable)
{
	static const uint8_t cmds[] = { CKPT_CMD_JOB_GET, CKPT_CMD_JOB_DESTROY,
					CKPT_CMD_JOB_FREEZE, CKPT_CMD_JOB_THAW };
	pid_t a = spawn_idle("ckpt-gone");

	ASSERT_LT(0, a);
	ASSERT_EQ(0, gnl_job_create(&self->g, 6, CKPT_JOB_TREE, a, NULL, &self->r));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 6, &self->r));
	for (size_t i = 0; i < sizeof(cmds); i++) {
		EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, cmds[i], 6, &self->r)) {
			TH_LOG("command %u", cmds[i]);
		}
		EXPECT_NE(NULL, strstr(self->r.extack, "no such job")) {
			TH_LOG("extack was \"%s\"", self->r.extack);
		}
	}
	EXPECT_EQ(0, gnl_job_create(&self->g, 6, CKPT_JOB_TREE, a, NULL, &self->r));
}

/* --- dump ----------------------------------------------------------------- */

static const struct gnl_job_info *find_job(const struct gnl_job_info *j,
					   int n, uint32_t id, uint32_t owner)
{
	for (int i = 0; i < n; i++)
		if (j[i].id == id && j[i].owner_uid == owner)
			return &j[i];
	return NULL;
}

TEST_F(job, dump_lists_every_job)
{
	struct gnl_job_info j[8];
	const struct gnl_job_info *p;
	pid_t w[3];
	struct gnl other;
	int n;

	for (int i = 0; i < 3; i++) {
		w[i] = spawn_idle("ckpt-dump");
		ASSERT_LT(0, w[i]);
	}
	ASSERT_EQ(0, gnl_open(&other));
	ASSERT_EQ(0, gnl_job_create(&self->g, 11, CKPT_JOB_TREE, w[0], NULL, &self->r));
	ASSERT_EQ(0, gnl_job_create(&self->g, 12, CKPT_JOB_TREE, w[1], NULL, &self->r));
	/* from another socket of the same user */
	ASSERT_EQ(0, gnl_job_create(&other, 13, CKPT_JOB_TREE, w[2], NULL, &self->r));

	n = gnl_job_dump(&self->g, j, 8);
	ASSERT_EQ(3, n);
	for (int i = 0; i < 3; i++) {
		p = find_job(j, n, 11 + i, 0);
		ASSERT_NE(NULL, p) {
			TH_LOG("job %d missing from the dump", 11 + i);
		}
		EXPECT_EQ(CKPT_JOB_TREE, p->kind);
		EXPECT_EQ(w[i], p->pid);
		EXPECT_EQ(CKPT_JOB_RUNNING, p->state);
		EXPECT_EQ(1, p->nr_tasks);
		EXPECT_EQ(1, p->nr_threads);
		EXPECT_EQ(0, p->has_tasks);	/* no task list in a dump */
	}
	/* A destroyed job leaves the dump. */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, 12, &self->r));
	n = gnl_job_dump(&other, j, 8);
	ASSERT_EQ(2, n);
	EXPECT_EQ(NULL, find_job(j, n, 12, 0));
	gnl_close(&other);
}

/* What a privileged caller that is not root (uid 1000 holding
 * CAP_CHECKPOINT_RESTORE) saw, sent back over a pipe. */
struct user_view {
	int create_taken_err;		/* JOB_CREATE of root's id 30 */
	int create_err;			/* JOB_CREATE of a free id, 32 */
	int dump_n;
	struct gnl_job_info dump[4];
	int get_root_err;		/* JOB_GET of root's job 31 */
	uint32_t get_root_pid, get_root_owner;
	pid_t workload;
};

static void __attribute__((noreturn))
user_child(int report, int release)
{
	static struct user_view v;
	static struct gnl_reply r;
	struct gnl g;
	char c;

	if (priv_become_user_with_cap(USER, CAP_CHECKPOINT_RESTORE))
		_exit(2);
	v.workload = spawn_idle("ckpt-user");
	if (v.workload < 0 || gnl_open(&g))
		_exit(3);
	v.create_taken_err = gnl_job_create(&g, 30, CKPT_JOB_TREE, v.workload,
					    NULL, &r);
	v.create_err = gnl_job_create(&g, 32, CKPT_JOB_TREE, v.workload, NULL,
				      &r);
	v.dump_n = gnl_job_dump(&g, v.dump, 4);
	v.get_root_err = gnl_job_simple(&g, CKPT_CMD_JOB_GET, 31, &r);
	v.get_root_pid = gnl_u32(&r, CKPT_A_JOB_PID, 0);
	v.get_root_owner = gnl_u32(&r, CKPT_A_JOB_OWNER_UID, -1);
	if (write(report, &v, sizeof(v)) != sizeof(v))
		_exit(4);
	/* keep the socket, and so the job, until root has looked */
	if (read(release, &c, 1) < 0)
		_exit(5);
	_exit(0);
}

TEST_F(job, ids_are_shared_by_privileged_users)
{
	struct user_view v;
	struct gnl_job_info j[8];
	const struct gnl_job_info *p;
	int report[2], release[2], n;
	pid_t root_w = spawn_idle("ckpt-rootw"), child;

	ASSERT_LT(0, root_w);
	ASSERT_EQ(0, gnl_job_create(&self->g, 30, CKPT_JOB_TREE, root_w, NULL, &self->r));
	ASSERT_EQ(0, gnl_job_create(&self->g, 31, CKPT_JOB_TREE, root_w, NULL, &self->r));

	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(release));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(self->g.fd);
		close(report[0]);
		close(release[1]);
		user_child(report[1], release[0]);
	}
	close(report[1]);
	close(release[0]);
	ASSERT_EQ(0, wl_read_full(report[0], &v, sizeof(v), 10000));

	/* root's id is taken for everybody; a free one is the user's */
	EXPECT_EQ(-EEXIST, v.create_taken_err);
	EXPECT_EQ(0, v.create_err);
	/* the user sees every job, and root's by id */
	EXPECT_EQ(3, v.dump_n);
	EXPECT_EQ(0, v.get_root_err);
	EXPECT_EQ(root_w, v.get_root_pid);
	EXPECT_EQ(0, v.get_root_owner);

	/* Root sees the user's job, owned by the user, and may act on it. */
	n = gnl_job_dump(&self->g, j, 8);
	EXPECT_EQ(3, n);
	p = find_job(j, n, 32, USER);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(v.workload, p->pid);
	EXPECT_NE(NULL, find_job(j, n, 30, 0));
	EXPECT_NE(NULL, find_job(j, n, 31, 0));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 32, &self->r));
	EXPECT_EQ(v.workload, gnl_u32(&self->r, CKPT_A_JOB_PID, 0));
	EXPECT_EQ(USER, gnl_u32(&self->r, CKPT_A_JOB_OWNER_UID, -1));
	EXPECT_EQ(0, gnl_job_freeze(&self->g, 32, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE of the user's job: %s", self->r.extack);
	}
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, 32, &self->r));

	/* The user's socket closes with it: its job goes, root's stay. */
	close(release[1]);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	n = gnl_job_dump(&self->g, j, 8);
	EXPECT_EQ(2, n);
	EXPECT_EQ(NULL, find_job(j, n, 32, USER));
	close(report[0]);
}

/* --- the creating socket ---------------------------------------------------- */

TEST_F(job, closing_creator_socket_destroys_job)
{
	pid_t a = spawn_idle("ckpt-owned");
	struct gnl creator;

	ASSERT_LT(0, a);
	ASSERT_EQ(0, gnl_open(&creator));
	ASSERT_EQ(0, gnl_job_create(&creator, 40, CKPT_JOB_TREE, a, NULL, &self->r));
	/* visible from another socket of the same user */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 40, &self->r));
	gnl_close(&creator);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 40, &self->r));
	EXPECT_EQ(0, kill(a, 0));	/* the process lives on */
}

TEST_F(job, closing_creator_socket_thaws_frozen_job)
{
	struct wl_counters *c = wl_shared(sizeof(*c));
	struct gnl creator;

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, wl_counters_start(c, 2, 2, 10000, 10000));
	ASSERT_EQ(0, gnl_open(&creator));
	ASSERT_EQ(0, gnl_job_create(&creator, 41, CKPT_JOB_TREE, c->root, NULL,
				    &self->r));
	ASSERT_EQ(0, gnl_job_freeze(&creator, 41, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	ASSERT_FALSE(wl_counter_moves(c, 300));
	gnl_close(&creator);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, 41, &self->r));
	EXPECT_TRUE(wl_counter_moves(c, 3000));
}

TEST_HARNESS_MAIN
