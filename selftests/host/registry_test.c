// SPDX-License-Identifier: GPL-2.0
/* daemon/jobs/registry.c: the job registry's format, load/save and atomicity. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "helpers.h"
#include "kselftest_harness.h"
#include "jobs/registry.h"

FIXTURE(reg) {
	char dir[64];
	struct ckpt_err err;
	struct ckptd_registry r;
};

FIXTURE_SETUP(reg)
{
	ASSERT_EQ(0, th_tmpdir(self->dir, sizeof(self->dir), "ckptd-reg"));
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(reg)
{
	ckptd_registry_free(&self->r);
	th_rmtree(self->dir);
}

static void save(struct __test_metadata *_metadata, struct ckptd_registry *r,
		 const char *dir, struct ckpt_err *err)
{
	size_t len;
	char *text = ckptd_registry_format(r, &len);

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, ckptd_registry_write(dir, text, len, err)) TH_LOG("%s", err->msg);
	free(text);
}

TEST_F(reg, missing_file_is_empty)
{
	ASSERT_EQ(0, ckptd_registry_load(&self->r, self->dir, &self->err));
	EXPECT_EQ(NULL, self->r.jobs);
}

TEST_F(reg, save_and_load_round_trip)
{
	struct ckptd_registry back = { 0 };
	struct ckptd_job *j;

	j = ckptd_registry_add(&self->r, 42);
	j->uid = 1000; j->gid = 100; j->kind = CKPT_JOB_CGROUP;
	strcpy(j->cgroup, "/ckpt/job-42");
	j->flags = CKPTD_JOB_LAUNCHED | CKPTD_JOB_FROZEN;
	j->last_seq = 7;
	j = ckptd_registry_add(&self->r, 5);
	j->kind = CKPT_JOB_TREE; j->pid = 1234; j->starttime = 99887766;
	save(_metadata, &self->r, self->dir, &self->err);

	ASSERT_EQ(0, ckptd_registry_load(&back, self->dir, &self->err))
		TH_LOG("%s", self->err.msg);
	j = back.jobs;
	ASSERT_NE(NULL, j);
	EXPECT_EQ(5, j->id);		/* kept sorted by id */
	EXPECT_EQ(1234, j->pid);
	EXPECT_EQ(99887766, j->starttime);
	EXPECT_EQ(0, j->cgroup[0]);
	j = j->next;
	ASSERT_NE(NULL, j);
	EXPECT_EQ(42, j->id);
	EXPECT_EQ(1000, j->uid);
	EXPECT_EQ(100, j->gid);
	EXPECT_STREQ("/ckpt/job-42", j->cgroup);
	EXPECT_EQ(CKPTD_JOB_LAUNCHED | CKPTD_JOB_FROZEN, j->flags);
	EXPECT_EQ(7, j->last_seq);
	EXPECT_EQ(CKPTD_SEQ_BASE_UNKNOWN, j->seq_base);	/* not persisted */
	EXPECT_EQ(NULL, j->next);
	ckptd_registry_free(&back);
}

TEST_F(reg, write_is_atomic)
{
	struct ckptd_registry back = { 0 };
	char path[128];
	struct stat st;

	ckptd_registry_add(&self->r, 1)->kind = CKPT_JOB_TREE;
	save(_metadata, &self->r, self->dir, &self->err);
	/* a crash mid-write leaves jobs.tmp; jobs is the old, whole file */
	snprintf(path, sizeof(path), "%s/jobs.tmp", self->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(9, write(fd, "ckptd-job", 9));
	close(fd);
	ASSERT_EQ(0, ckptd_registry_load(&back, self->dir, &self->err));
	ASSERT_NE(NULL, back.jobs);
	EXPECT_EQ(1, back.jobs->id);
	ckptd_registry_free(&back);
	/* the next write replaces the stale tmp and leaves none behind */
	ckptd_registry_add(&self->r, 2)->kind = CKPT_JOB_TREE;
	save(_metadata, &self->r, self->dir, &self->err);
	EXPECT_NE(0, stat(path, &st));
	ASSERT_EQ(0, ckptd_registry_load(&back, self->dir, &self->err));
	EXPECT_EQ(2, back.jobs->next->id);
	ckptd_registry_free(&back);
}

TEST_F(reg, write_failure_keeps_old_file)
{
	struct ckptd_registry back = { 0 };
	char path[128];
	size_t len;
	char *text;

	ckptd_registry_add(&self->r, 3)->kind = CKPT_JOB_TREE;
	save(_metadata, &self->r, self->dir, &self->err);
	/* jobs.tmp cannot be created (a directory is in the way) */
	snprintf(path, sizeof(path), "%s/jobs.tmp", self->dir);
	ASSERT_EQ(0, mkdir(path, 0700));
	text = ckptd_registry_format(&self->r, &len);
	EXPECT_NE(0, ckptd_registry_write(self->dir, text, len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "jobs.tmp"));
	free(text);
	rmdir(path);
	ASSERT_EQ(0, ckptd_registry_load(&back, self->dir, &self->err));
	EXPECT_EQ(3, back.jobs->id);
	ckptd_registry_free(&back);
}

static const struct {
	const char *text, *want;
} bad[] = {
	{ "", "r:1: empty file" },
	{ "something else\n", "r:1: not a ckptd job registry" },
	{ "ckptd-jobs 2\n", "r:1: registry version 2" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=-", "r:2: last line not terminated" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0\n", "r:2: key 'cgroup' missing" },
	{ "ckptd-jobs 1\njob id=0 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=-\n", "r:2: job id 0" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=9 pid=1 start=1 flags=0 last_seq=0 cgroup=-\n", "r:2: kind 9 is unknown" },
	{ "ckptd-jobs 1\njob id=1 uid=x gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=-\n", "r:2: uid: 'x'" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=- id=2\n", "r:2: key 'id' given twice" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=-\n"
	  "job id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=-\n", "r:3: job 1 listed twice" },
	{ "ckptd-jobs 1\nnot a job\n", "r:2: expected a 'job' line" },
	{ "ckptd-jobs 1\njob id=1 uid=0 gid=0 kind=1 pid=1 start=1 flags=0 last_seq=0 cgroup=- color=red\n", "r:2: unknown key 'color'" },
};

TEST_F(reg, damaged_files_refused_with_line)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ckptd_registry r = { 0 };

		EXPECT_EQ(-EINVAL, ckptd_registry_parse(&r, "r", bad[i].text, &self->err));
		EXPECT_EQ(0, strncmp(self->err.msg, bad[i].want, strlen(bad[i].want)))
			TH_LOG("case %zu: got \"%s\"", i, self->err.msg);
		EXPECT_EQ(NULL, r.jobs);
	}
}

TEST_F(reg, find_and_remove)
{
	ckptd_registry_add(&self->r, 3);
	ckptd_registry_add(&self->r, 1);
	ckptd_registry_add(&self->r, 2);
	EXPECT_EQ(1, self->r.jobs->id);
	ckptd_registry_remove(&self->r, ckptd_registry_find(&self->r, 2));
	EXPECT_EQ(NULL, ckptd_registry_find(&self->r, 2));
	EXPECT_EQ(3, self->r.jobs->next->id);
}

TEST_HARNESS_MAIN
