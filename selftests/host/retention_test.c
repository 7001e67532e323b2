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

#include "helpers.h"
#include "kselftest_harness.h"
#include "retention.h"
#include "store_list.h"

FIXTURE(store) {
	char dir[64];
};

FIXTURE_SETUP(store)
{
	ASSERT_EQ(0, th_store(self->dir, sizeof(self->dir), "ckptd-ret", 1));
}

FIXTURE_TEARDOWN(store)
{
	th_rmtree(self->dir);
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

TEST_F(store, keep_zero_keeps_all)
{
	char s[64];
	unsigned int removed = 9;
	struct ckpt_err e;

	for (int i = 1; i <= 4; i++)
		ASSERT_EQ(0, th_mkimage(self->dir, 1, i, 0, 0));
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
		ASSERT_EQ(0, th_mkimage(self->dir, 1, i, 0, 0));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 2, &removed, &e));
	EXPECT_EQ(3, removed);
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("4 5", s);
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 1));
}

TEST_F(store, parents_of_kept_images_stay)
{
	char s[64];
	unsigned int removed;
	struct ckpt_err e;

	/* 1 <- 2 <- 3 (a chain), 4 full, 5 <- 6 */
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 1, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 3, 2, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 4, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 5, 4, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 6, 5, 0));
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

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, 0));
	for (int i = 2; i <= 5; i++)
		ASSERT_EQ(0, th_mkimage(self->dir, 1, i, i - 1, 0));
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

	/* a write in progress */
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, TH_IMG_UNCOMMITTED));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 3, 0, 0));
	ASSERT_EQ(0, ckptd_retention_gc(self->dir, 1, 1, &removed, &e));
	EXPECT_EQ(1, removed);
	EXPECT_TRUE(th_exists("%s/1/%d", self->dir, 1));
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 2));
	seqs(self->dir, s, sizeof(s));
	EXPECT_STREQ("3", s);
}

TEST_F(store, unreadable_manifest_keeps_older_images)
{
	char s[64], path[200];
	unsigned int removed;
	struct ckpt_err e;
	int fd;

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 0, 0));
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
