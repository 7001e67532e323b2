// SPDX-License-Identifier: GPL-2.0
/*
 * Job listing defects (issue 12):
 *
 * - members whose parents are reaped while pre-dumps, JOB_GET and JOB_GET
 *   dumps run over and over: no crash, every answer well formed (the
 *   parent pid was read through freed memory before the fix);
 * - closing a generic netlink socket that has nothing to do with ckpt
 *   (each close runs ckpt's release notifier) stays fast while 1,024 jobs
 *   over a chain of 512 processes are listed in a loop: the notifier
 *   waited for the lock the listing held across its member walks.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <linux/genetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

FIXTURE(defects) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	uint32_t job;
};

FIXTURE_SETUP(defects)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->job = getpid();
}

FIXTURE_TEARDOWN(defects)
{
	wl_kill_descendants();
	close(self->dev);
	gnl_close(&self->g);
}

/* --- parents reaped under a pre-dump and JOB_GET --------------------------- */

#define REAP_WORKERS	4
#define REAP_SECONDS	6
#define PID_LIMIT	4194304		/* PID_MAX_LIMIT */

struct reapers {
	uint64_t rounds;	/* grandchildren born and reaped */
	uint32_t started;
};

/*
 * Each worker, forever: fork m; m forks g and reaps it, then exits; the
 * worker reaps m.  So members come and go and every g loses its parent
 * m (reaped and freed) right after g itself was reaped.
 */
static void __attribute__((noreturn)) reap_worker(struct reapers *rp)
{
	prctl(PR_SET_NAME, "ckpt-reaper");
	__atomic_add_fetch(&rp->started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		pid_t m = fork();

		if (m == 0) {
			pid_t g = fork();

			if (g == 0)
				_exit(0);
			if (g > 0)
				waitpid(g, NULL, 0);
			_exit(0);
		}
		if (m > 0) {
			waitpid(m, NULL, 0);
			__atomic_add_fetch(&rp->rounds, 1, __ATOMIC_SEQ_CST);
		}
	}
}

TEST_F_TIMEOUT(defects, reaped_parents_under_predump_and_get, 240)
{
	struct reapers *rp = wl_shared(sizeof(*rp));
	struct gnl_task *tasks = calloc(4096, sizeof(*tasks));
	unsigned int predumps = 0, predump_esrch = 0, gets = 0, lists = 0, gone = 0;
	uint64_t end, rounds0;
	pid_t root;

	ASSERT_NE(NULL, rp);
	ASSERT_NE(NULL, tasks);
	root = wl_fork_clean();
	ASSERT_LE(0, root);
	if (root == 0) {
		prctl(PR_SET_NAME, "ckpt-reaproot");
		for (int i = 0; i < REAP_WORKERS; i++)
			if (fork() == 0)
				reap_worker(rp);
		for (;;)
			pause();
	}
	for (end = wl_now_ms() + 20000;
	     __atomic_load_n(&rp->started, __ATOMIC_SEQ_CST) < REAP_WORKERS;) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the reaping workers did not start");
		wl_sleep_ms(10);
	}
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, root,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);

	rounds0 = __atomic_load_n(&rp->rounds, __ATOMIC_SEQ_CST);
	end = wl_now_ms() + REAP_SECONDS * 1000;
	while (wl_now_ms() < end) {
		struct ckpt_dump_args a = { .job_id = self->job,
					    .flags = CKPT_DUMP_PREDUMP };
		struct ckpt_dump_error e;
		struct dh_dump d;
		uint8_t *buf;
		size_t len;
		int fd, err, n;

		/* a pre-dump of the running job */
		fd = ioctl(self->dev, CKPT_IOC_DUMP, &a);
		ASSERT_LE(0, fd) TH_LOG("CKPT_IOC_DUMP (PREDUMP): %s", strerror(errno));
		err = dh_read_all(fd, 0, &buf, &len);
		predumps++;
		if (err == -ESRCH) {
			/* a member exited while it was dumped: named */
			predump_esrch++;
			EXPECT_EQ(0, dh_dump_error(fd, &e));
			EXPECT_EQ(-ESRCH, e.error);
			EXPECT_LT(0, e.pid) TH_LOG("%s", e.msg);
			free(buf);
		} else {
			ASSERT_EQ(0, err) TH_LOG("pre-dump read: %s", strerror(-err));
			ASSERT_EQ(0, dh_dump_parse(&d, buf, len)) TH_LOG("%s", d.error);
			EXPECT_NE(NULL, d.end);
			for (size_t k = 0; k < dh_count(&d, CKPT_REC_TASK, 0); k++) {
				const struct ckpt_rec_task *t = dh_nth(&d, CKPT_REC_TASK, 0, k);

				EXPECT_TRUE(t->ppid >= 0 && t->ppid < PID_LIMIT)
					TH_LOG("TASK of pid %d: ppid %d", t->pid, t->ppid);
			}
			dh_dump_free(&d);
		}
		close(fd);

		/* JOB_GET: the task list with parent pids */
		ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET, self->job, &self->r))
			TH_LOG("JOB_GET: %s", self->r.extack);
		n = gnl_job_tasks(&self->r, tasks, 4096);
		ASSERT_LE(1, n);
		for (int k = 0; k < n && k < 4096; k++) {
			/* a task reaped since it was collected reads as 0 */
			if (!tasks[k].pid)
				gone++;
			EXPECT_TRUE(tasks[k].ppid < PID_LIMIT && tasks[k].pid < PID_LIMIT)
				TH_LOG("JOB_GET task pid %u ppid %u", tasks[k].pid,
				       tasks[k].ppid);
		}
		gets++;

		/* and the listing */
		ASSERT_LE(1, gnl_job_dump(&self->g, NULL, 0));
		lists++;
		if (_metadata->passed == 0)
			break;
	}
	TH_LOG("%u pre-dumps (%u ended -ESRCH), %u JOB_GET (%u tasks gone by the reply), %u listings while %llu parents were reaped",
	       predumps, predump_esrch, gets, gone, lists,
	       (unsigned long long)(__atomic_load_n(&rp->rounds, __ATOMIC_SEQ_CST) - rounds0));
	EXPECT_LT(rounds0, __atomic_load_n(&rp->rounds, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
	free(tasks);
}

/* --- genl socket close while jobs are listed -------------------------------- */

#define CHAIN		512	/* processes, each the parent of the next */
#define NJOBS		1024
#define CLOSES		500
#define CLOSE_BOUND_MS	1000
#define CLOSE_BUDGET_MS	120000	/* stop early past this */

struct chain {
	pid_t pid[CHAIN];
	uint32_t ready;
};

static void __attribute__((noreturn)) chain_run(struct chain *c)
{
	prctl(PR_SET_NAME, "ckpt-chain");
	for (int i = 0; i < CHAIN; i++) {
		pid_t next;

		c->pid[i] = getpid();
		if (i == CHAIN - 1)
			break;
		next = fork();
		if (next < 0)
			_exit(1);
		if (next > 0)
			for (;;)
				pause();
	}
	__atomic_store_n(&c->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

struct lister {
	struct gnl g;
	uint32_t stop;
	uint32_t listings;	/* complete listings */
	int last;		/* jobs the last one held, or -errno */
	uint64_t ms;		/* time spent listing */
};

static void *list_loop(void *arg)
{
	struct lister *l = arg;

	while (!__atomic_load_n(&l->stop, __ATOMIC_SEQ_CST)) {
		uint64_t t0 = wl_now_ms();

		l->last = gnl_job_dump(&l->g, NULL, 0);
		l->ms += wl_now_ms() - t0;
		if (l->last < 0)
			break;
		__atomic_add_fetch(&l->listings, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/* Open a genl socket, ask nlctrl about itself, close it: the close's
 * duration in microseconds, or -errno. */
static long nlctrl_round(void)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[64];
	} req = { 0 };
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct nlattr *a = (struct nlattr *)req.attrs;
	struct timeval tv = { .tv_sec = 30 };
	char rx[8192];
	uint64_t t0;
	struct timespec ts0, ts1;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -errno;
	}
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof("nlctrl");
	memcpy(req.attrs + NLA_HDRLEN, "nlctrl", sizeof("nlctrl"));
	req.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0 || recv(fd, rx, sizeof(rx), 0) <= 0 ||
	    ((struct nlmsghdr *)rx)->nlmsg_type != GENL_ID_CTRL) {
		close(fd);
		return -EPROTO;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	t0 = (ts1.tv_sec - ts0.tv_sec) * 1000000ULL;
	return t0 + ts1.tv_nsec / 1000 - ts0.tv_nsec / 1000;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

TEST_F_TIMEOUT(defects, genl_close_not_blocked_by_listing, 600)
{
	struct chain *c = wl_shared(sizeof(*c));
	struct lister *l = calloc(1, sizeof(*l));
	static long us[CLOSES];
	uint64_t t0, sum = 0, idle_max = 0;
	unsigned int done, listings0;
	pthread_t th;
	pid_t head;
	int i;

	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, l);
	head = wl_fork_clean();
	ASSERT_LE(0, head);
	if (head == 0)
		chain_run(c);
	for (t0 = wl_now_ms(); !__atomic_load_n(&c->ready, __ATOMIC_SEQ_CST);) {
		ASSERT_GT(t0 + 120000, wl_now_ms()) TH_LOG("the chain of %d processes did not start", CHAIN);
		wl_sleep_ms(20);
	}
	TH_LOG("a chain of %d processes in %llu ms", CHAIN,
	       (unsigned long long)(wl_now_ms() - t0));

	/* closes without any listing: the baseline */
	for (i = 0; i < 20; i++) {
		long v = nlctrl_round();

		ASSERT_LE(0, v) TH_LOG("nlctrl round: %s", strerror(-v));
		if ((uint64_t)v > idle_max)
			idle_max = v;
	}

	t0 = wl_now_ms();
	for (i = 0; i < NJOBS; i++)
		ASSERT_EQ(0, gnl_job_create(&self->g, 100000 + i, CKPT_JOB_TREE,
					    c->pid[i % CHAIN], NULL, &self->r))
			TH_LOG("job %d: %s", 100000 + i, self->r.extack);
	TH_LOG("%d tree jobs created in %llu ms", NJOBS,
	       (unsigned long long)(wl_now_ms() - t0));

	ASSERT_EQ(0, gnl_open(&l->g));
	ASSERT_EQ(0, pthread_create(&th, NULL, list_loop, l));
	/* the listing runs */
	wl_sleep_ms(200);
	listings0 = __atomic_load_n(&l->listings, __ATOMIC_SEQ_CST);

	t0 = wl_now_ms();
	for (done = 0; done < CLOSES && wl_now_ms() - t0 < CLOSE_BUDGET_MS; done++) {
		us[done] = nlctrl_round();
		ASSERT_LE(0, us[done]) TH_LOG("nlctrl round: %s", strerror(-us[done]));
		sum += us[done];
	}
	__atomic_store_n(&l->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);

	qsort(us, done, sizeof(us[0]), cmp_long);
	TH_LOG("%u genl socket closes in %llu ms while %u listings of %d jobs ran (%.0f ms each): close max %.1f ms, p99 %.1f ms, median %.3f ms, mean %.3f ms (idle max %.3f ms)",
	       done, (unsigned long long)(wl_now_ms() - t0),
	       l->listings - listings0, l->last,
	       l->listings ? (double)l->ms / l->listings : 0.0,
	       us[done - 1] / 1000.0, us[done * 99 / 100] / 1000.0,
	       us[done / 2] / 1000.0, (double)sum / done / 1000.0,
	       idle_max / 1000.0);
	EXPECT_EQ(CLOSES, done) TH_LOG("the closes did not finish within %d s", CLOSE_BUDGET_MS / 1000);
	EXPECT_GT(CLOSE_BOUND_MS * 1000L, us[done - 1])
		TH_LOG("a genl socket close took %.1f ms while ckpt jobs were listed",
		       us[done - 1] / 1000.0);
	EXPECT_LE(NJOBS, l->last);
	gnl_close(&l->g);
	free(l);
}

TEST_HARNESS_MAIN
