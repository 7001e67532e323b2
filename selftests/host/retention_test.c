// SPDX-License-Identifier: GPL-2.0
/*
 * daemon/retention.c: keep N never deletes a parent that a kept
 * checkpoint needs, and never touches uncommitted directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "retention.h"
#include "store_list.h"

FIXTURE(store) {
	char dir[64];
};

FIXTURE_SETUP(store)
{
	char job[96];

	strcpy(self->dir, "/tmp/ckptd-ret-XXXXXX");
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

/* An image directory with a manifest header naming seq and parent. */
static int mkimage(const char *store, uint64_t seq, uint64_t parent, int committed)
{
	struct ckpt_img_manifest m = {
		.magic = CKPT_IMG_MAGIC, .version = CKPT_IMG_VERSION,
		.hdr_len = sizeof(m), .job_id = 1, .seq = seq, .parent_seq = parent,
	};
	char path[200];
	int fd;

	snprintf(path, sizeof(path), "%s/1/%llu", store, (unsigned long long)seq);
	if (mkdir(path, 0700))
		return -1;
	strcat(path, committed ? "/manifest" : "/pages.img");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, &m, sizeof(m)) != sizeof(m))
		return -1;
	return close(fd);
}

static void seqs(const char *store, char *out, size_t size)
{
	struct ckptd_store_entry *v;
	struct ckpt_err e;
	size_t n, off = 0;

	out[0] = 0;
	if (ckptd_store_list(store, 1, &v, &n, &e))
		return;
	for (size_t i = 0; i < n; i++)
		off += snprintf(out + off, size - off, "%s%llu", i ? " " : "",
				(unsigned long long)v[i].seq);
	free(v);
}

static int exists(const char *store, int seq)
{
	char path[200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/1/%d", store, seq);
	return !stat(path, &st);
}

TEST_F(store, keep_zero_keeps_all)
{
	char s[64];
	unsigned int removed = 9;
	struct ckpt_err e;

	for (int i = 1; i <= 4; i++)
		ASSERT_EQ(0, mkimage(self->dir, i, 0, 1));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 0, &removed, &e));
	EXPECT_EQ(0, removed);
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("1 2 3 4", s);
}

TEST_F(store, full_images_keep_newest)
{
	char s[64];
	unsigned int removed;
	struct ckpt_err e;

	for (int i = 1; i <= 5; i++)
		ASSERT_EQ(0, mkimage(self->dir, i, 0, 1));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 2, &removed, &e));
	EXPECT_EQ(3, removed);
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("4 5", s);
	EXPECT_FALSE(exists(self->dir, 1));
}

TEST_F(store, parents_of_kept_images_stay)
{
	char s[64];
	unsigned int removed;
	struct ckpt_err e;

	/* 1 <- 2 <- 3 (a chain), 4 full, 5 <- 6 */
	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 2, 1, 1));
	ASSERT_EQ(0, mkimage(self->dir, 3, 2, 1));
	ASSERT_EQ(0, mkimage(self->dir, 4, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 5, 4, 1));
	ASSERT_EQ(0, mkimage(self->dir, 6, 5, 1));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 1, &removed, &e));
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("4 5 6", s);	/* 6 needs 5 needs 4 */
	EXPECT_EQ(3, removed);
}

TEST_F(store, chain_reaching_back_to_the_oldest)
{
	char s[64];
	unsigned int removed;
	struct ckpt_err e;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 1));
	for (int i = 2; i <= 5; i++)
		ASSERT_EQ(0, mkimage(self->dir, i, i - 1, 1));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 2, &removed, &e));
	EXPECT_EQ(0, removed);
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("1 2 3 4 5", s);
}

TEST_F(store, uncommitted_directories_untouched)
{
	char s[64];
	unsigned int removed;
	struct ckpt_err e;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 0));	/* a write in progress */
	ASSERT_EQ(0, mkimage(self->dir, 2, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 3, 0, 1));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 1, &removed, &e));
	EXPECT_EQ(1, removed);
	EXPECT_TRUE(exists(self->dir, 1));
	EXPECT_FALSE(exists(self->dir, 2));
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("3", s);
}

TEST_F(store, unreadable_manifest_keeps_older_images)
{
	char s[64], path[200];
	unsigned int removed;
	struct ckpt_err e;
	int fd;

	ASSERT_EQ(0, mkimage(self->dir, 1, 0, 1));
	ASSERT_EQ(0, mkimage(self->dir, 2, 0, 1));
	snprintf(path, sizeof(path), "%s/1/3", self->dir);
	ASSERT_EQ(0, mkdir(path, 0700));
	strcat(path, "/manifest");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_EQ(3, write(fd, "bad", 3));
	close(fd);
	/* 3's parent is unknown: keep everything it might need */
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 1, &removed, &e));
	EXPECT_EQ(0, removed);
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("1 2 3", s);
}

TEST_HARNESS_MAIN
