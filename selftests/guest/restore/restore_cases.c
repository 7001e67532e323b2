// SPDX-License-Identifier: GPL-2.0
/*
 * Restore beyond one round trip: a process tree with a zombie, open files,
 * a process whose main thread exited, the same image restored twice, a
 * chain of incremental images, --pidns while the original pids are in use.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "restore_helpers.h"
#include "kselftest_harness.h"

FIXTURE(rc) {
	struct rh h;
	char msg[512];
};

FIXTURE_SETUP(rc)
{
	ASSERT_EQ(0, rh_init(&self->h, 2000 + (uint32_t)getpid()));
}

FIXTURE_TEARDOWN(rc)
{
	rh_fini(&self->h);
}

static int restore_and_check(struct __test_metadata *_metadata, struct rh *h,
			     uint64_t seq, const char *opts, char *msg,
			     size_t len)
{
	char path[200];
	int ret;

	snprintf(path, sizeof(path), "%s/result", h->dir);
	unlink(path);
	ret = rh_restore(h, seq, opts);
	if (ret)
		rh_print_err(h);
	EXPECT_EQ(0, ret);
	if (ret)
		return ret;
	ret = rh_verdict(h, msg, len);
	EXPECT_EQ(0, ret) TH_LOG("%s", msg);
	TH_LOG("%s", msg);
	return ret;
}

TEST_F_TIMEOUT(rc, tree_pipes_zombie, 180)
{
	uint64_t seq;

	ASSERT_EQ(0, rh_start(&self->h, "tree", NULL));
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_kill(&self->h));
	restore_and_check(_metadata, &self->h, seq, NULL, self->msg,
			  sizeof(self->msg));
}

TEST_F_TIMEOUT(rc, files, 180)
{
	uint64_t seq;

	ASSERT_EQ(0, rh_start(&self->h, "files", NULL));
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_kill(&self->h));
	restore_and_check(_metadata, &self->h, seq, NULL, self->msg,
			  sizeof(self->msg));
}

/*
 * The main thread called pthread_exit: the process is dumped as live, and
 * restored with its leader exited again; its 3 threads check their memory,
 * count, pipe, tids and /proc/self/status (State Z, the thread count).
 */
static void leader_exited(struct __test_metadata *_metadata,
			  FIXTURE_DATA(rc) *self, const char *arg)
{
	char path[64], line[128];
	int threads = 0;
	uint64_t seq;
	FILE *f;

	ASSERT_EQ(0, rh_start(&self->h, "leaderexit", arg));
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_kill(&self->h));
	ASSERT_EQ(0, rh_restore(&self->h, seq, NULL)) rh_print_err(&self->h);
	/* seen from outside: the leader a zombie, its threads running */
	snprintf(path, sizeof(path), "/proc/%d/status", self->h.pid);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			EXPECT_NE(NULL, strchr(line, 'Z')) TH_LOG("%s", line);
		sscanf(line, "Threads: %d", &threads);
	}
	fclose(f);
	EXPECT_EQ(4, threads);
	ASSERT_EQ(0, rh_verdict(&self->h, self->msg, sizeof(self->msg)))
		TH_LOG("%s", self->msg);
	TH_LOG("%s", self->msg);
}

TEST_F_TIMEOUT(rc, main_thread_exited, 180)
{
	leader_exited(_metadata, self, NULL);
}

/*
 * Its child, forked by the main thread, is reparented to a live thread
 * when that exits: it is still a member of the tree (its parent's thread
 * group is), is restored as a child of the process, survives the
 * restored leader's exit, and is reaped by a thread after a SIGTERM.
 */
TEST_F_TIMEOUT(rc, main_thread_exited_with_child, 180)
{
	leader_exited(_metadata, self, "child");
}

TEST_F_TIMEOUT(rc, same_image_twice, 180)
{
	pid_t pid = 0;
	uint64_t seq;

	ASSERT_EQ(0, rh_start(&self->h, "memory", NULL));
	pid = self->h.pid;
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_kill(&self->h));
	self->h.pid = pid;
	ASSERT_EQ(0, restore_and_check(_metadata, &self->h, seq, NULL,
				       self->msg, sizeof(self->msg)));
	/* the first restored copy exits after its verdict */
	for (int i = 0; i < 500 && rh_alive(pid); i++) {
		waitpid(-1, NULL, WNOHANG);	/* we are its subreaper */
		usleep(10000);
	}
	ASSERT_FALSE(rh_alive(pid));
	self->h.pid = pid;
	restore_and_check(_metadata, &self->h, seq, NULL, self->msg,
			  sizeof(self->msg));
}

/* full + three incrementals, a quarter of the blocks rewritten each time */
TEST_F_TIMEOUT(rc, incremental_chain, 240)
{
	uint64_t seq[4];

	ASSERT_EQ(0, rh_start(&self->h, "chain", NULL));
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq[0]));
	for (int i = 1; i < 4; i++) {
		ASSERT_EQ(0, rh_thaw(&self->h));
		ASSERT_EQ(0, rh_step(&self->h, i));
		ASSERT_EQ(0, rh_checkpoint(&self->h, 1, &seq[i]));
	}
	ASSERT_EQ(0, rh_kill(&self->h));
	restore_and_check(_metadata, &self->h, seq[3], NULL, self->msg,
			  sizeof(self->msg));
}

TEST_F_TIMEOUT(rc, pidns_while_pids_in_use, 180)
{
	pid_t orig, host;
	uint64_t seq;
	int st;

	ASSERT_EQ(0, rh_start(&self->h, "memory", NULL));
	orig = self->h.pid;
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &seq));
	ASSERT_EQ(0, rh_thaw(&self->h));
	/* the original still runs: its pid is taken */
	EXPECT_EQ(4, rh_restore(&self->h, seq, NULL));
	EXPECT_NE(NULL, strstr(self->h.err, "in use")) TH_LOG("%s", self->h.err);
	EXPECT_NE(NULL, strstr(self->h.err, "--pidns")) TH_LOG("%s", self->h.err);
	ASSERT_EQ(0, rh_restore(&self->h, seq, "--pidns --json"))
		rh_print_err(&self->h);
	host = rh_json_root_host_pid(&self->h);
	ASSERT_GT(host, 0);
	ASSERT_NE(orig, host);
	/* the original goes; the copy in its namespace checks itself */
	kill(orig, SIGKILL);
	waitpid(orig, &st, 0);
	self->h.pid = host;
	ASSERT_EQ(0, rh_verdict(&self->h, self->msg, sizeof(self->msg)))
		TH_LOG("%s", self->msg);
	TH_LOG("%s", self->msg);
}

TEST_HARNESS_MAIN
