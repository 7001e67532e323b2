// SPDX-License-Identifier: GPL-2.0
/*
 * daemon/predump.c: a migration's pre-dumps are told apart from
 * checkpoints, and removed once no committed checkpoint needs them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "predump.h"
#include "store_list.h"

FIXTURE(store) {
	char dir[64];
};

FIXTURE_SETUP(store)
{
	char job[96];

	strcpy(self->dir, "/tmp/ckptd-pre-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(job, sizeof(job), "%s/1", self->dir);
	ASSERT_EQ(0, mkdir(job, 0700));
}

FIXTURE_TEARDOWN(store)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	system(cmd);
}

/* A committed image of job 1: seq, parent, pre-dump or not. */
static int mkimage(const char *store, uint64_t seq, uint64_t parent, int predump)
{
	struct ckpt_img_manifest m = {
		.magic = CKPT_IMG_MAGIC, .version = CKPT_IMG_VERSION,
		.hdr_len = sizeof(m), .job_id = 1, .seq = seq, .parent_seq = parent,
		.dump_flags = (predump ? CKPT_DUMP_PREDUMP : 0) |
			      (parent ? CKPT_DUMP_INCREMENTAL : 0),
	};
	char path[200];
	int fd;

	snprintf(path, sizeof(path), "%s/1/%llu", store, (unsigned long long)seq);
	if (mkdir(path, 0700))
		return -1;
	strcat(path, "/manifest");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, &m, sizeof(m)) != sizeof(m))
		return -1;
	return close(fd);
}

static int exists(const char *store, int seq)
{
	char path[200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/1/%d", store, seq);
	return !stat(path, &st);
}

TEST_F(store, predump_told_apart)
{
	struct ckptd_store_entry *v;
	struct ckpt_err e;
	size_t n;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 0));
	ASSERT_EQ(0, mkimage(self->dir, 2, 0, 1));
	EXPECT_EQ(0, ckptd_image_is_predump(self->dir, 1, 1));
	EXPECT_EQ(1, ckptd_image_is_predump(self->dir, 1, 2));
	EXPECT_EQ(0, ckptd_image_is_predump(self->dir, 1, 3));	/* none */
	ASSERT_EQ(0, ckptd_store_list(self->dir, 1, &v, &n, &e));
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, v[0].predump);
	EXPECT_EQ(1, v[1].predump);
	free(v);
}

/*
 * 1 full checkpoint; 2-4 a finished migration's pre-dumps and 5 its final
 * checkpoint; 6-7 an unfinished one's pre-dumps: only 6 and 7 go.
 */
TEST_F(store, gc_removes_only_what_no_checkpoint_needs)
{
	unsigned int removed = 0;
	struct ckpt_err e;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 0));
	ASSERT_EQ(0, mkimage(self->dir, 2, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 3, 2, 1));
	ASSERT_EQ(0, mkimage(self->dir, 4, 3, 1));
	ASSERT_EQ(0, mkimage(self->dir, 5, 4, 0));
	ASSERT_EQ(0, mkimage(self->dir, 6, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 7, 6, 1));
	ASSERT_EQ(0, ckptd_predump_gc(self->dir, 1, 0, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(2, removed);
	for (int k = 1; k <= 5; k++) {
		EXPECT_TRUE(exists(self->dir, k));
	}
	EXPECT_FALSE(exists(self->dir, 6));
	EXPECT_FALSE(exists(self->dir, 7));
}

/* keep_from: a running migration's own pre-dumps stay. */
TEST_F(store, gc_keeps_from)
{
	unsigned int removed = 0;
	struct ckpt_err e;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 2, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 3, 2, 1));
	ASSERT_EQ(0, ckptd_predump_gc(self->dir, 1, 2, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(exists(self->dir, 1));
	EXPECT_TRUE(exists(self->dir, 2));
	EXPECT_TRUE(exists(self->dir, 3));
}

TEST_F(store, gc_all_jobs)
{
	unsigned int removed = 9;
	struct ckpt_err e;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 1));
	ASSERT_EQ(0, ckptd_predump_gc_all(self->dir, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(exists(self->dir, 1));
	removed = 9;
	ASSERT_EQ(0, ckptd_predump_gc_all("/nonexistent/store", &removed, &e));
	EXPECT_EQ(0, removed);
}

TEST_HARNESS_MAIN
