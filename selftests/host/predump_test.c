// SPDX-License-Identifier: GPL-2.0
/*
 * daemon/predump.c: a migration's pre-dumps are told apart from
 * checkpoints, and removed once no committed checkpoint needs them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "kselftest_harness.h"
#include "predump.h"
#include "store_list.h"

FIXTURE(store) {
	char dir[64];
};

FIXTURE_SETUP(store)
{
	ASSERT_EQ(0, th_store(self->dir, sizeof(self->dir), "ckptd-pre", 1));
}

FIXTURE_TEARDOWN(store)
{
	th_rmtree(self->dir);
}

TEST_F(store, predump_told_apart)
{
	struct ckptd_store_entry *v;
	struct ckpt_err e;
	size_t n;

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 0, TH_IMG_PREDUMP));
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

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 0, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 3, 2, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 4, 3, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 5, 4, 0));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 6, 0, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 7, 6, TH_IMG_PREDUMP));
	ASSERT_EQ(0, ckptd_predump_gc(self->dir, 1, 0, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(2, removed);
	for (int k = 1; k <= 5; k++) {
		EXPECT_TRUE(th_exists("%s/1/%d", self->dir, k));
	}
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 6));
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 7));
}

/* keep_from: a running migration's own pre-dumps stay. */
TEST_F(store, gc_keeps_from)
{
	unsigned int removed = 0;
	struct ckpt_err e;

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 2, 0, TH_IMG_PREDUMP));
	ASSERT_EQ(0, th_mkimage(self->dir, 1, 3, 2, TH_IMG_PREDUMP));
	ASSERT_EQ(0, ckptd_predump_gc(self->dir, 1, 2, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 1));
	EXPECT_TRUE(th_exists("%s/1/%d", self->dir, 2));
	EXPECT_TRUE(th_exists("%s/1/%d", self->dir, 3));
}

TEST_F(store, gc_all_jobs)
{
	unsigned int removed = 9;
	struct ckpt_err e;

	ASSERT_EQ(0, th_mkimage(self->dir, 1, 1, 0, TH_IMG_PREDUMP));
	ASSERT_EQ(0, ckptd_predump_gc_all(self->dir, &removed, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(th_exists("%s/1/%d", self->dir, 1));
	removed = 9;
	ASSERT_EQ(0, ckptd_predump_gc_all("/nonexistent/store", &removed, &e));
	EXPECT_EQ(0, removed);
}

TEST_HARNESS_MAIN
