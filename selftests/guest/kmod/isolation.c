// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt.ko serves only callers holding CAP_CHECKPOINT_RESTORE or
 * CAP_SYS_ADMIN in the initial user namespace.  Each route by which an
 * unprivileged caller could read or stop somebody else's processes is
 * tried, as five identities (uid 65534, uid 1000, uid 0 with every
 * capability dropped, and "root" of a user namespace of its own made by
 * root and by uid 1000), and must end in -EPERM (with the extack message
 * for netlink) and leave the target as it was: a cgroup job of "/", a tree
 * over one's own shell with a root child, a process group or session
 * holding a root process, a non-dumpable process of one's own, JOB_GET
 * (do and dump), JOB_FREEZE / THAW / DESTROY of root's job, CKPT_IOC_DUMP
 * (pre-dump and frozen), CKPT_IOC_GET_ABI, the dump-fd ioctls on a session
 * fd handed over a unix socket, netlink sockets and /dev/ckpt files
 * changing hands in either direction, and the events group.  A secret
 * string in the heap of a root process (which root's own dump does carry)
 * never appears in any byte the caller got back.  CKPT_IOC_TAG_REGION stays
 * open to everybody and bounded per file (tag_region_limits.c: and charged
 * to the caller's memory cgroup).  Holding one of the two capabilities is
 * enough, whatever the uid.  A process joining a frozen job: see
 * dump_parked_set.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ckpt.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ckpt_user.h"
#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "privs.h"
#include "workload.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ROOT_JOB	100	/* root's job: a tree over the secret holder */
#define CALLER_JOB	7	/* ids the caller tries to create */
#define NO_JOB		999
#define MAX_STEPS	12

/* The refusal text the spec gives, in parts: what is missing, what to use. */
#define DENIED_CAP	"CAP_CHECKPOINT_RESTORE"
#define DENIED_HINT	"ckptd"

/* What the caller did and got, in memory shared with the test. */
struct step {
	char what[48];
	int err;
	char extack[256];
};

struct outcome {
	int become_err;		/* taking the identity failed: -errno */
	int nsteps;
	struct step steps[MAX_STEPS];
	uint64_t received;	/* bytes the kernel handed back, all kinds */
	int secret_hits;	/* ... that contained the secret */
	pid_t pids[4];		/* processes the caller made */
};

FIXTURE(iso) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	char secret[64];
	pid_t holder;		/* root's process holding the secret */
	struct outcome *o;	/* shared with the caller */
	void *shared;		/* scratch shared with helpers */
};

FIXTURE_VARIANT(iso) {
	uid_t uid;
	int drop_caps;		/* uid 0 stripped of every capability */
	int userns;		/* root of a user namespace of its own */
};

FIXTURE_VARIANT_ADD(iso, nobody) { .uid = 65534 };
FIXTURE_VARIANT_ADD(iso, user1000) { .uid = 1000 };
FIXTURE_VARIANT_ADD(iso, root_without_caps) { .uid = 0, .drop_caps = 1 };
FIXTURE_VARIANT_ADD(iso, userns_root_of_root) { .uid = 0, .userns = 1 };
FIXTURE_VARIANT_ADD(iso, userns_root_of_user) { .uid = 1000, .userns = 1 };

static pid_t spawn_holder(const char *secret)
{
	pid_t pid = dh_fork(NULL, 0);

	if (pid == 0)
		wl_hold_secret(secret);
	return pid;
}

FIXTURE_SETUP(iso)
{
	struct timespec ts;

	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->o = wl_shared(sizeof(*self->o));
	self->shared = wl_shared(4096);
	ASSERT_NE(NULL, self->o);
	ASSERT_NE(NULL, self->shared);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(self->secret, sizeof(self->secret),
		 "ckpt-isolation-secret-%08lx%08lx-%d",
		 (unsigned long)ts.tv_nsec, (unsigned long)ts.tv_sec, getpid());
	self->holder = spawn_holder(self->secret);
	ASSERT_LT(0, self->holder);
	ASSERT_EQ(0, gnl_job_create(&self->g, ROOT_JOB, CKPT_JOB_TREE,
				    self->holder, NULL, &self->r)) {
		TH_LOG("JOB_CREATE of root's job: %s", self->r.extack);
	}
}

FIXTURE_TEARDOWN(iso)
{
	struct gnl_reply r;

	/* Whatever the caller tried, root's job is still there and ckpt
	 * still answers root. */
	EXPECT_EQ(0, gnl_get_features(&self->g, &r));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, ROOT_JOB, &r));
	wl_kill_descendants();
	close(self->dev);
	gnl_close(&self->g);
}

/* --- the caller ------------------------------------------------------------ */

static const char *secret_of_caller;

static void absorb(struct outcome *o, const void *buf, size_t len)
{
	o->received += len;
	if (len && memmem(buf, len, secret_of_caller, strlen(secret_of_caller)))
		o->secret_hits++;
}

static void note(struct outcome *o, const char *what, int err,
		 const struct gnl_reply *r)
{
	struct step *s;

	if (o->nsteps == MAX_STEPS)
		return;
	s = &o->steps[o->nsteps++];
	snprintf(s->what, sizeof(s->what), "%s", what);
	s->err = err;
	if (r) {
		snprintf(s->extack, sizeof(s->extack), "%s", r->extack);
		absorb(o, r->data, r->data_len);
		absorb(o, r->extack, strlen(r->extack));
	}
}

/* The result of an ioctl that must have been refused: a descriptor it
 * returned anyway is read to the end, and what came out is searched too. */
static void note_ioctl(struct outcome *o, const char *what, int ret)
{
	int err = ret < 0 ? -errno : ret;

	if (ret > 0 && strstr(what, "DUMP") == what) {
		uint8_t *buf;
		size_t len;

		dh_read_all(ret, 0, &buf, &len);
		absorb(o, buf, len);
		free(buf);
		close(ret);
	}
	note(o, what, err, NULL);
}

static int become_variant(const FIXTURE_VARIANT(iso) *v, int userns)
{
	int err = 0;

	if (v->uid)
		err = priv_become_user(v->uid);
	if (!err && v->drop_caps)
		err = priv_drop_all_caps();
	if (!err && userns && v->userns)
		err = priv_enter_userns();
	return err;
}

typedef void (*caller_fn)(struct outcome *o, void *arg);

/* Run @fn in a child that holds nothing of root's but @keep, as the
 * variant's identity; returns 0 once it finished cleanly. */
static int run_as(FIXTURE_DATA(iso) *self, const FIXTURE_VARIANT(iso) *v,
		  caller_fn fn, void *arg, int keep)
{
	struct outcome *o = self->o;
	int status;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	secret_of_caller = self->secret;
	pid = dh_fork(&keep, keep >= 0 ? 1 : 0);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		o->become_err = become_variant(v, 1);
		if (o->become_err)
			_exit(2);
		fn(o, arg);
		_exit(0);
	}
	status = dh_wait(pid, 60000);
	if (status < 0)
		return status;
	if (o->become_err)
		return o->become_err;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

/* Every step the caller took was refused with -EPERM (and, @netlink,
 * with the spec's extack), and nothing it got held the secret. */
#define EXPECT_ALL_DENIED(o, netlink) do {					\
	EXPECT_LT(0, (o)->nsteps);						\
	for (int i_ = 0; i_ < (o)->nsteps; i_++) {				\
		const struct step *s_ = &(o)->steps[i_];			\
		EXPECT_EQ(-EPERM, s_->err) {					\
			TH_LOG("%s: got %d (%s), extack \"%s\"", s_->what,	\
			       s_->err, strerror(-s_->err), s_->extack);	\
		}								\
		if (netlink) {							\
			EXPECT_NE(NULL, strstr(s_->extack, DENIED_CAP)) {	\
				TH_LOG("%s: extack \"%s\"", s_->what, s_->extack); \
			}							\
			EXPECT_NE(NULL, strstr(s_->extack, DENIED_HINT)) {	\
				TH_LOG("%s: extack \"%s\"", s_->what, s_->extack); \
			}							\
		}								\
	}									\
	EXPECT_EQ(0, (o)->secret_hits);						\
} while (0)

static int caller_gnl(struct outcome *o, struct gnl *g)
{
	int err = gnl_open(g);

	if (err)
		note(o, "open the ckpt genl family", err, NULL);
	return err;
}

/* --- GET_FEATURES ---------------------------------------------------------- */

static void get_features(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct gnl g;

	if (caller_gnl(o, &g))
		return;
	note(o, "GET_FEATURES", gnl_get_features(&g, &r), &r);
}

TEST_F(iso, get_features)
{
	ASSERT_EQ(0, run_as(self, variant, get_features, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 1);
}

/* --- JOB_CREATE of each kind ------------------------------------------------- */

static void create_cgroup_root(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct gnl g;

	if (caller_gnl(o, &g))
		return;
	note(o, "JOB_CREATE cgroup \"/\"",
	     gnl_job_create(&g, CALLER_JOB, CKPT_JOB_CGROUP, 0, "/", &r), &r);
}

TEST_F(iso, create_cgroup_root)
{
	ASSERT_EQ(0, run_as(self, variant, create_cgroup_root, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
}

struct create_arg {
	uint32_t kind;
	pid_t pid;
	const char *what;
};

static void create_job(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct create_arg *a = arg;
	struct gnl g;

	if (caller_gnl(o, &g))
		return;
	note(o, a->what, gnl_job_create(&g, CALLER_JOB, a->kind, a->pid, NULL,
					&r), &r);
}

/*
 * A "shell" of the caller's uid whose child stayed root (as after sudo):
 * @self->shared gets the shell's pid and the root child's.  @lead: the
 * shell first starts a session of its own (and so leads its group).
 */
static pid_t spawn_shell_with_root_child(FIXTURE_DATA(iso) *self,
					 const FIXTURE_VARIANT(iso) *v,
					 int lead)
{
	pid_t *pids = self->shared;
	pid_t shell;

	pids[0] = pids[1] = 0;
	shell = dh_fork(NULL, 0);
	if (shell == 0) {
		pid_t child;

		if (lead && setsid() < 0)
			_exit(1);
		child = fork();
		if (child == 0)
			wl_hold_secret(self->secret);	/* stays root */
		if (child < 0 || become_variant(v, 0))
			_exit(1);
		pids[1] = child;
		__atomic_store_n(&pids[0], getpid(), __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	for (int i = 0; i < 1000 && shell > 0; i++) {
		if (__atomic_load_n(&pids[0], __ATOMIC_SEQ_CST))
			return shell;
		wl_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

TEST_F(iso, create_tree_over_own_shell_with_root_child)
{
	pid_t *pids = self->shared;
	struct create_arg a = { CKPT_JOB_TREE, 0, "JOB_CREATE tree of own shell" };

	ASSERT_LT(0, spawn_shell_with_root_child(self, variant, 0));
	a.pid = pids[0];
	ASSERT_EQ(0, run_as(self, variant, create_job, &a, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
}

TEST_F(iso, create_sid_holding_root_process)
{
	pid_t *pids = self->shared;
	struct create_arg a = { CKPT_JOB_SID, 0, "JOB_CREATE session" };

	ASSERT_LT(0, spawn_shell_with_root_child(self, variant, 1));
	ASSERT_EQ(pids[0], getsid(pids[1]));
	a.pid = pids[0];
	ASSERT_EQ(0, run_as(self, variant, create_job, &a, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
}

TEST_F(iso, create_pgid_holding_root_process)
{
	pid_t *pids = self->shared;
	struct create_arg a = { CKPT_JOB_PGID, 0, "JOB_CREATE process group" };

	ASSERT_LT(0, spawn_shell_with_root_child(self, variant, 1));
	ASSERT_EQ(pids[0], getpgid(pids[1]));
	a.pid = pids[0];
	ASSERT_EQ(0, run_as(self, variant, create_job, &a, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
}

/* A process of one's own, plain and non-dumpable (as ssh-agent makes
 * itself): neither can be made a job. */
static void create_own(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct gnl g;
	pid_t plain, hidden;

	if (caller_gnl(o, &g))
		return;
	plain = o->pids[0] = dh_fork(NULL, 0);
	if (plain == 0)
		wl_hold_secret(secret_of_caller);
	hidden = o->pids[1] = dh_fork(NULL, 0);
	if (hidden == 0) {
		if (prctl(PR_SET_DUMPABLE, 0))
			_exit(1);
		wl_hold_secret(secret_of_caller);
	}
	note(o, "JOB_CREATE tree of own process",
	     gnl_job_create(&g, CALLER_JOB, CKPT_JOB_TREE, plain, NULL, &r), &r);
	note(o, "JOB_CREATE tree of own non-dumpable process",
	     gnl_job_create(&g, CALLER_JOB + 1, CKPT_JOB_TREE, hidden, NULL, &r),
	     &r);
	kill(plain, SIGKILL);
	kill(hidden, SIGKILL);
}

TEST_F(iso, create_tree_of_own_process)
{
	ASSERT_EQ(0, run_as(self, variant, create_own, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
}

/* --- root's job: GET, FREEZE, THAW, DESTROY ---------------------------------- */

static void job_cmd(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	uint8_t cmd = *(uint8_t *)arg;
	static const char *const names[] = {
		[CKPT_CMD_JOB_DESTROY] = "JOB_DESTROY",
		[CKPT_CMD_JOB_GET] = "JOB_GET",
		[CKPT_CMD_JOB_FREEZE] = "JOB_FREEZE",
		[CKPT_CMD_JOB_THAW] = "JOB_THAW",
	};
	char what[48];
	struct gnl g;

	if (caller_gnl(o, &g))
		return;
	snprintf(what, sizeof(what), "%s of root's job", names[cmd]);
	note(o, what, gnl_job_simple(&g, cmd, ROOT_JOB, &r), &r);
	/* no answer tells whether an id exists */
	snprintf(what, sizeof(what), "%s of no job", names[cmd]);
	note(o, what, gnl_job_simple(&g, cmd, NO_JOB, &r), &r);
}

TEST_F(iso, get_root_job)
{
	uint8_t cmd = CKPT_CMD_JOB_GET;

	ASSERT_EQ(0, run_as(self, variant, job_cmd, &cmd, -1));
	EXPECT_ALL_DENIED(self->o, 1);
}

static void get_dump(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct gnl_job_info jobs[8];
	struct gnl g;
	int n;

	if (caller_gnl(o, &g))
		return;
	n = gnl_job_dump_r(&g, jobs, 8, &r);
	note(o, "JOB_GET dump", n, &r);
}

TEST_F(iso, get_dump)
{
	ASSERT_EQ(0, run_as(self, variant, get_dump, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	/* root sees its job in a dump */
	EXPECT_LE(1, gnl_job_dump(&self->g, NULL, 0));
}

TEST_F(iso, freeze_root_job)
{
	uint8_t cmd = CKPT_CMD_JOB_FREEZE;

	ASSERT_EQ(0, run_as(self, variant, job_cmd, &cmd, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, ROOT_JOB));
	EXPECT_EQ(0, wl_wait_state(self->holder, "S", 2000));
}

TEST_F(iso, thaw_root_job)
{
	uint8_t cmd = CKPT_CMD_JOB_THAW;

	ASSERT_EQ(0, gnl_job_freeze(&self->g, ROOT_JOB, 5000, &self->r)) {
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	}
	ASSERT_EQ(0, run_as(self, variant, job_cmd, &cmd, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, ROOT_JOB));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, ROOT_JOB,
				    &self->r));
}

TEST_F(iso, destroy_root_job)
{
	uint8_t cmd = CKPT_CMD_JOB_DESTROY;

	ASSERT_EQ(0, gnl_job_freeze(&self->g, ROOT_JOB, 5000, &self->r));
	ASSERT_EQ(0, run_as(self, variant, job_cmd, &cmd, -1));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, ROOT_JOB));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, ROOT_JOB,
				    &self->r));
}

/* --- /dev/ckpt ------------------------------------------------------------- */

static void dump_ioctls(struct outcome *o, void *arg)
{
	struct ckpt_dump_args full = { .job_id = ROOT_JOB };
	struct ckpt_dump_args pre = {
		.job_id = ROOT_JOB, .flags = CKPT_DUMP_PREDUMP,
	};
	struct ckpt_dump_args incr = {
		.job_id = ROOT_JOB, .flags = CKPT_DUMP_INCREMENTAL,
	};
	struct ckpt_dump_args none = { .job_id = NO_JOB };
	int dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		note(o, "open /dev/ckpt", -errno, NULL);
		return;
	}
	note_ioctl(o, "DUMP pre-dump of root's job",
		   ioctl(dev, CKPT_IOC_DUMP, &pre));
	note_ioctl(o, "DUMP of root's job", ioctl(dev, CKPT_IOC_DUMP, &full));
	note_ioctl(o, "DUMP incremental of root's job",
		   ioctl(dev, CKPT_IOC_DUMP, &incr));
	note_ioctl(o, "DUMP of no job", ioctl(dev, CKPT_IOC_DUMP, &none));
	close(dev);
}

TEST_F(iso, dump_running_root_job)
{
	ASSERT_EQ(0, run_as(self, variant, dump_ioctls, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 0);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, ROOT_JOB));
}

TEST_F(iso, dump_frozen_root_job)
{
	struct dh_dump d;

	ASSERT_EQ(0, gnl_job_freeze(&self->g, ROOT_JOB, 5000, &self->r));
	ASSERT_EQ(0, run_as(self, variant, dump_ioctls, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 0);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, ROOT_JOB));
	/* The control: root's own dump does carry the secret. */
	ASSERT_EQ(0, dh_dump_job(self->dev, ROOT_JOB, &d)) {
		TH_LOG("root's dump: %s", d.error);
	}
	EXPECT_NE(NULL, memmem(d.buf, d.len, self->secret,
			       strlen(self->secret)));
	dh_dump_free(&d);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, ROOT_JOB,
				    &self->r));
}

static void get_abi(struct outcome *o, void *arg)
{
	struct ckpt_abi_info info = { 0 };
	int dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		note(o, "open /dev/ckpt", -errno, NULL);
		return;
	}
	note_ioctl(o, "GET_ABI", ioctl(dev, CKPT_IOC_GET_ABI, &info));
	if (info.abi_version || info.features)
		note(o, "GET_ABI wrote its answer back", 0, NULL);
	close(dev);
}

TEST_F(iso, get_abi)
{
	ASSERT_EQ(0, run_as(self, variant, get_abi, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 0);
}

/* The session fd root hands over (a leak of ckptd, say) grants no
 * control over the session. */
static void dump_fd_ioctls(struct outcome *o, void *arg)
{
	struct ckpt_softdirty_cleared_args sd = { 0 };
	struct ckpt_dump_error de;
	int sock = *(int *)arg, fd = priv_recv_fd(sock);

	if (fd < 0) {
		note(o, "receive the dump fd", fd, NULL);
		return;
	}
	note_ioctl(o, "COMMIT on root's dump fd",
		   ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	note_ioctl(o, "SOFTDIRTY_CLEARED on root's dump fd",
		   ioctl(fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, &sd));
	memset(&de, 0, sizeof(de));
	note_ioctl(o, "DUMP_ERROR on root's dump fd",
		   ioctl(fd, CKPT_IOC_DUMP_ERROR, &de));
	absorb(o, &de, sizeof(de));
	close(fd);
}

TEST_F(iso, dump_fd_ioctls_on_handed_over_fd)
{
	uint8_t *buf;
	size_t len;
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, gnl_job_freeze(&self->g, ROOT_JOB, 5000, &self->r));
	fd = dh_dump_open(self->dev, ROOT_JOB);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dh_read_all(fd, 0, &buf, &len));
	free(buf);
	ASSERT_EQ(0, priv_send_fd(sv[0], fd));
	ASSERT_EQ(0, run_as(self, variant, dump_fd_ioctls, &sv[1], sv[1]));
	EXPECT_ALL_DENIED(self->o, 0);
	/* the session is root's still: its commit is the first */
	EXPECT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT)) {
		TH_LOG("root's COMMIT: %s", strerror(errno));
	}
	close(fd);
	close(sv[0]);
	close(sv[1]);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, ROOT_JOB,
				    &self->r));
}

/* Root's /dev/ckpt, handed to the caller: the caller counts too. */
static void use_root_dev(struct outcome *o, void *arg)
{
	struct ckpt_dump_args pre = {
		.job_id = ROOT_JOB, .flags = CKPT_DUMP_PREDUMP,
	};
	struct ckpt_abi_info info = { 0 };
	int sock = *(int *)arg, dev = priv_recv_fd(sock);

	if (dev < 0) {
		note(o, "receive root's /dev/ckpt", dev, NULL);
		return;
	}
	note_ioctl(o, "GET_ABI on root's /dev/ckpt",
		   ioctl(dev, CKPT_IOC_GET_ABI, &info));
	note_ioctl(o, "DUMP pre-dump on root's /dev/ckpt",
		   ioctl(dev, CKPT_IOC_DUMP, &pre));
	close(dev);
}

TEST_F(iso, root_dev_fd_handed_to_caller)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, priv_send_fd(sv[0], self->dev));
	ASSERT_EQ(0, run_as(self, variant, use_root_dev, &sv[1], sv[1]));
	EXPECT_ALL_DENIED(self->o, 0);
	close(sv[0]);
	close(sv[1]);
}

/* --- sockets and files changing hands, events ---------------------------------- */

/* Root's own socket, handed to the caller: the sender counts too. */
static void use_root_socket(struct outcome *o, void *arg)
{
	static struct gnl_reply r;
	struct gnl g = *(struct gnl *)arg;	/* family resolved by root */
	int sock = g.fd;

	g.fd = priv_recv_fd(sock);
	close(sock);
	if (g.fd < 0) {
		note(o, "receive root's socket", g.fd, NULL);
		return;
	}
	note(o, "GET_FEATURES on root's socket", gnl_get_features(&g, &r), &r);
	note(o, "JOB_GET on root's socket",
	     gnl_job_simple(&g, CKPT_CMD_JOB_GET, ROOT_JOB, &r), &r);
	note(o, "JOB_DESTROY on root's socket",
	     gnl_job_simple(&g, CKPT_CMD_JOB_DESTROY, ROOT_JOB, &r), &r);
	note(o, "JOB_CREATE on root's socket",
	     gnl_job_create(&g, CALLER_JOB, CKPT_JOB_CGROUP, 0, "/", &r), &r);
}

TEST_F(iso, root_socket_handed_to_caller)
{
	struct gnl mine, pass;
	int sv[2];

	ASSERT_EQ(0, gnl_open(&mine));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, priv_send_fd(sv[0], mine.fd));
	pass = mine;
	pass.fd = sv[1];
	ASSERT_EQ(0, run_as(self, variant, use_root_socket, &pass, sv[1]));
	EXPECT_ALL_DENIED(self->o, 1);
	EXPECT_EQ(-ENOENT, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
					  CALLER_JOB, &self->r));
	/* still root's to use */
	EXPECT_EQ(0, gnl_get_features(&mine, &self->r));
	gnl_close(&mine);
	close(sv[0]);
	close(sv[1]);
}

/* The caller's socket, handed to root: the opener counts too (for
 * messages sent without an address, where netlink_capable checks it). */
static void hand_own_socket(struct outcome *o, void *arg)
{
	int sock = *(int *)arg;
	struct gnl g;
	char c;

	if (caller_gnl(o, &g))
		return;
	note(o, "hand the socket over", priv_send_fd(sock, g.fd), NULL);
	/* the socket lives on with root */
	if (read(sock, &c, 1) < 0)
		_exit(3);
}

TEST_F(iso, caller_socket_handed_to_root)
{
	struct gnl theirs = { .fd = -1 };
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	memset(self->o, 0, sizeof(*self->o));
	pid = dh_fork(&sv[1], 1);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_variant(variant, 1))
			_exit(2);
		hand_own_socket(self->o, &sv[1]);
		_exit(0);
	}
	theirs.fd = priv_recv_fd(sv[0]);
	ASSERT_LE(0, theirs.fd);
	theirs.family = self->g.family;
	theirs.implicit_dst = 1;
	close(sv[0]);	/* the child may go */
	ASSERT_EQ(0, WEXITSTATUS(dh_wait(pid, 10000)));
	close(sv[1]);

	EXPECT_EQ(-EPERM, gnl_get_features(&theirs, &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, DENIED_CAP)) {
		TH_LOG("extack \"%s\"", self->r.extack);
	}
	EXPECT_EQ(-EPERM, gnl_job_simple(&theirs, CKPT_CMD_JOB_GET, ROOT_JOB,
					 &self->r));
	EXPECT_EQ(-EPERM, gnl_job_simple(&theirs, CKPT_CMD_JOB_DESTROY,
					 ROOT_JOB, &self->r));
	EXPECT_EQ(-EPERM, gnl_job_create(&theirs, CALLER_JOB, CKPT_JOB_TREE,
					 self->holder, NULL, &self->r));
	gnl_close(&theirs);
}

/* The caller's /dev/ckpt, handed to root: the opener counts for ioctls. */
static void hand_own_dev(struct outcome *o, void *arg)
{
	int sock = *(int *)arg, dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	char c;

	if (dev < 0) {
		note(o, "open /dev/ckpt", -errno, NULL);
		return;
	}
	note(o, "hand /dev/ckpt over", priv_send_fd(sock, dev), NULL);
	if (read(sock, &c, 1) < 0)
		_exit(3);
}

TEST_F(iso, caller_dev_fd_handed_to_root)
{
	struct ckpt_dump_args pre = {
		.job_id = ROOT_JOB, .flags = CKPT_DUMP_PREDUMP,
	};
	struct ckpt_abi_info info = { 0 };
	int sv[2], dev, fd;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	memset(self->o, 0, sizeof(*self->o));
	pid = dh_fork(&sv[1], 1);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_variant(variant, 1))
			_exit(2);
		hand_own_dev(self->o, &sv[1]);
		_exit(0);
	}
	dev = priv_recv_fd(sv[0]);
	ASSERT_LE(0, dev);
	close(sv[0]);
	ASSERT_EQ(0, WEXITSTATUS(dh_wait(pid, 10000)));
	close(sv[1]);

	EXPECT_EQ(-1, ioctl(dev, CKPT_IOC_GET_ABI, &info));
	EXPECT_EQ(EPERM, errno);
	fd = ioctl(dev, CKPT_IOC_DUMP, &pre);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EPERM, errno);
	if (fd >= 0)
		close(fd);
	close(dev);
}

/* The "events" group names jobs, owners and exiting pids: listeners need
 * CAP_NET_ADMIN (a group's GENL_MCAST_CAP_NET_ADMIN, checked at bind). */
static void join_events(struct outcome *o, void *arg)
{
	struct gnl g;

	if (caller_gnl(o, &g))
		return;
	note(o, "join the events group", gnl_events_join(&g), NULL);
}

TEST_F(iso, events_group)
{
	ASSERT_EQ(0, run_as(self, variant, join_events, NULL, -1));
	EXPECT_ALL_DENIED(self->o, 0);
}

/* --- TAG_REGION: open to everybody, bounded -------------------------------- */

static void tag_regions(struct outcome *o, void *arg)
{
	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, err = 0;

	if (mem == MAP_FAILED) {
		note(o, "mmap", -errno, NULL);
		return;
	}
	note(o, "tag EXCLUDE", ckpt_tag_region(mem, page, CKPT_REGION_EXCLUDE),
	     NULL);
	note(o, "tag LOWER", ckpt_tag_region(mem + page, page,
					     CKPT_REGION_LOWER), NULL);
	note(o, "tag UPPER", ckpt_tag_region(mem + 2 * page, 2 * page,
					     CKPT_REGION_UPPER), NULL);
	for (i = 3; i < CKPT_TAG_REGIONS_MAX && !err; i++)
		err = ckpt_tag_region(mem + (i % 4) * page, page,
				      CKPT_REGION_UPPER);
	note(o, "tag up to CKPT_TAG_REGIONS_MAX", err, NULL);
	o->pids[0] = i;
	note(o, "tag one more", ckpt_tag_region(mem, page, CKPT_REGION_UPPER),
	     NULL);
}

TEST_F(iso, tag_region_is_open_and_bounded)
{
	struct outcome *o = self->o;

	ASSERT_EQ(0, run_as(self, variant, tag_regions, NULL, -1));
	ASSERT_EQ(5, o->nsteps);
	for (int i = 0; i < 4; i++) {
		const struct step *s = &o->steps[i];

		EXPECT_EQ(0, s->err) {
			TH_LOG("%s: %s", s->what, strerror(-s->err));
		}
	}
	EXPECT_EQ(CKPT_TAG_REGIONS_MAX, o->pids[0]);
	EXPECT_EQ(-ENOSPC, o->steps[4].err);
}

/* --- holding the capability is enough, whatever the uid ------------------- */

FIXTURE(cap) {
	char secret[64];
	pid_t holder;
};

FIXTURE_SETUP(cap)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, wl_become_subreaper());
	snprintf(self->secret, sizeof(self->secret),
		 "ckpt-capable-secret-%d-%ld", getpid(), (long)time(NULL));
	self->holder = spawn_holder(self->secret);
	ASSERT_LT(0, self->holder);
}

FIXTURE_TEARDOWN(cap)
{
	wl_kill_descendants();
}

struct cap_outcome {
	int features, create, freeze, abi, dump, thaw, destroy;
	int secret_in_stream;
};

/* As uid 1000 holding only @cap: the whole job cycle on root's process. */
static int with_cap(FIXTURE_DATA(cap) *self, int cap, struct cap_outcome *c)
{
	pid_t pid;
	int status;

	memset(c, 0, sizeof(*c));
	pid = dh_fork(NULL, 0);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		struct ckpt_abi_info info = { 0 };
		static struct gnl_reply r;
		struct dh_dump d;
		struct gnl g;
		int dev;

		if (priv_become_user_with_cap(1000, cap) || gnl_open(&g))
			_exit(2);
		dev = dh_dev_open();
		c->features = gnl_get_features(&g, &r);
		c->create = gnl_job_create(&g, CALLER_JOB, CKPT_JOB_TREE,
					   self->holder, NULL, &r);
		c->freeze = gnl_job_freeze(&g, CALLER_JOB, 5000, &r);
		c->abi = ioctl(dev, CKPT_IOC_GET_ABI, &info) ? -errno : 0;
		c->dump = dh_dump_job(dev, CALLER_JOB, &d);
		if (!c->dump)
			c->secret_in_stream = memmem(d.buf, d.len, self->secret,
						     strlen(self->secret)) != NULL;
		c->thaw = gnl_job_simple(&g, CKPT_CMD_JOB_THAW, CALLER_JOB, &r);
		c->destroy = gnl_job_simple(&g, CKPT_CMD_JOB_DESTROY,
					    CALLER_JOB, &r);
		_exit(0);
	}
	status = dh_wait(pid, 60000);
	return status >= 0 && WIFEXITED(status) && !WEXITSTATUS(status) ?
	       0 : -ECHILD;
}

#define EXPECT_FULL_USE(c) do {					\
	EXPECT_EQ(0, (c).features);				\
	EXPECT_EQ(0, (c).create);				\
	EXPECT_EQ(0, (c).freeze);				\
	EXPECT_EQ(0, (c).abi);					\
	EXPECT_EQ(0, (c).dump);					\
	EXPECT_EQ(1, (c).secret_in_stream);			\
	EXPECT_EQ(0, (c).thaw);					\
	EXPECT_EQ(0, (c).destroy);				\
} while (0)

TEST_F(cap, cap_checkpoint_restore_is_enough)
{
	struct cap_outcome *c = wl_shared(sizeof(*c));

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, with_cap(self, CAP_CHECKPOINT_RESTORE, c));
	EXPECT_FULL_USE(*c);
}

TEST_F(cap, cap_sys_admin_is_enough)
{
	struct cap_outcome *c = wl_shared(sizeof(*c));

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, with_cap(self, CAP_SYS_ADMIN, c));
	EXPECT_FULL_USE(*c);
}

TEST_HARNESS_MAIN
