// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-restore --verify-only on images of a process whose main thread had
 * exited (CKPT_TASK_LEADER_EXITED): a well-formed one is accepted, and
 * every malformed combination is refused with exit code 2 and a message
 * naming the pid: LEADER_EXITED with ZOMBIE, with a THREAD record of the
 * leader, without any THREAD record; and without the flag, a process
 * whose first THREAD is not its leader is still refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "synth_stream.h"
#include "helpers.h"
#include "kselftest_harness.h"

#define LE_PID	100

/* One process, pid 100, with @flags and THREAD records for @tids. */
static void le_job(struct synth *s, uint32_t flags, uint32_t nr_threads,
		   const int32_t *tids, size_t nr_tids)
{
	struct ckpt_rec_task t = { .pid = LE_PID, .ppid = 1, .pgid = LE_PID,
				   .sid = LE_PID, .flags = flags,
				   .nr_threads = nr_threads };
	struct ckpt_rec_sigactions sa = { .pid = LE_PID };
	struct ckpt_rec_mm *mm;

	memset(s, 0, sizeof(*s));
	synth_begin(s, 1, 0);
	strcpy(t.comm, "leaderless");
	synth_rec(s, CKPT_REC_TASK, &t, sizeof(t));
	s->tasks++;
	synth_rec(s, CKPT_REC_SIGACTIONS, &sa, sizeof(sa));
	for (size_t i = 0; i < nr_tids; i++)
		synth_thread(s, LE_PID, tids[i]);
	mm = synth_rec(s, CKPT_REC_MM, NULL, sizeof(*mm));
	mm->pid = LE_PID;
	synth_vma(s, LE_PID, SYN_HEAP, SYN_HEAP + 4 * SYN_PAGE, "");
	synth_pages(s, LE_PID, SYN_HEAP, 4, 1, 0);
	synth_end(s);
}

FIXTURE(le) {
	char store[64];
	char dir[128];
	char restorer[PATH_MAX + 32];
	char out[4096];
};

FIXTURE_SETUP(le)
{
	char self_exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	ASSERT_LT(0, n);
	self_exe[n] = '\0';
	/* build/host/<test> -> build/bin/ckpt-restore */
	*strrchr(self_exe, '/') = '\0';
	snprintf(self->restorer, sizeof(self->restorer), "%s/../bin/ckpt-restore",
		 self_exe);
	ASSERT_EQ(0, access(self->restorer, X_OK)) TH_LOG("%s: build it first (make userspace)",
							 self->restorer);
	ASSERT_EQ(0, th_store(self->store, sizeof(self->store), "ckpt-le", SYN_JOB));
	snprintf(self->dir, sizeof(self->dir), "%s/%d/1", self->store, SYN_JOB);
}

FIXTURE_TEARDOWN(le)
{
	if (th_rmtree(self->store))
		TH_LOG("could not remove %s", self->store);
}

/* Writes the image, runs ckpt-restore --verify-only: its exit code. */
static int verify(FIXTURE_DATA(le) *self, uint32_t flags, uint32_t nr_threads,
		  const int32_t *tids, size_t nr_tids)
{
	struct ckpt_err err = { 0 };
	struct synth s;
	int p[2], st, ret;
	ssize_t n, len = 0;
	pid_t pid;

	le_job(&s, flags, nr_threads, tids, nr_tids);
	ret = th_write_stream(self->dir, &s, NULL, NULL, &err);
	synth_free(&s);
	if (ret) {
		fprintf(stderr, "# image write: %s\n", err.msg);
		return -1;
	}
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl(self->restorer, "ckpt-restore", "--verify-only", self->dir,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len < (ssize_t)sizeof(self->out) - 1 &&
	       (n = read(p[0], self->out + len, sizeof(self->out) - 1 - len)) > 0)
		len += n;
	self->out[len] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(le, well_formed_is_accepted)
{
	const int32_t tids[] = { 101, 102, 103 };

	/* the kernel may count the exited leader in the thread count */
	EXPECT_EQ(0, verify(self, CKPT_TASK_LEADER_EXITED, 4, tids, 3))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "verified")) TH_LOG("%s", self->out);
}

TEST_F(le, well_formed_counting_live_threads_only)
{
	const int32_t tids[] = { 101, 102 };

	EXPECT_EQ(0, verify(self, CKPT_TASK_LEADER_EXITED, 2, tids, 2))
		TH_LOG("%s", self->out);
}

TEST_F(le, zombie_and_leader_exited)
{
	const int32_t tids[] = { 101 };

	EXPECT_EQ(2, verify(self, CKPT_TASK_LEADER_EXITED | CKPT_TASK_ZOMBIE, 2,
			    tids, 1));
	EXPECT_NE(NULL, strstr(self->out, "zombie and leader-exited of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_F(le, thread_record_of_the_exited_leader)
{
	const int32_t tids[] = { 101, 100 };

	EXPECT_EQ(2, verify(self, CKPT_TASK_LEADER_EXITED, 2, tids, 2));
	EXPECT_NE(NULL, strstr(self->out, "THREAD record of its exited leader of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_F(le, no_thread_record)
{
	EXPECT_EQ(2, verify(self, CKPT_TASK_LEADER_EXITED, 1, NULL, 0));
	EXPECT_NE(NULL, strstr(self->out, "without a THREAD record (a live thread) of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_F(le, thread_count_off_by_two)
{
	const int32_t tids[] = { 101 };

	EXPECT_EQ(2, verify(self, CKPT_TASK_LEADER_EXITED, 3, tids, 1));
	EXPECT_NE(NULL, strstr(self->out, "thread count of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_F(le, without_the_flag_the_leader_must_come_first)
{
	const int32_t tids[] = { 101, 102 };

	EXPECT_EQ(2, verify(self, 0, 2, tids, 2));
	EXPECT_NE(NULL, strstr(self->out, "not the leader of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_F(le, unknown_task_flag)
{
	const int32_t tids[] = { 100 };

	EXPECT_EQ(2, verify(self, 1U << 7, 1, tids, 1));
	EXPECT_NE(NULL, strstr(self->out, "unknown flags of pid 100"))
		TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
