// SPDX-License-Identifier: GPL-2.0
/* common/feature_names.c names every CKPT_FEATURE_* bit exactly once. */
#include <linux/ckpt.h>
#include <string.h>

#include "feature_names.h"
#include "kselftest_harness.h"

TEST(every_bit_named_once)
{
	const uint64_t all = CKPT_FEATURE_SOFT_DIRTY |
		CKPT_FEATURE_CHECKPOINT_RESTORE | CKPT_FEATURE_IO_URING |
		CKPT_FEATURE_USERFAULTFD | CKPT_FEATURE_XSAVE;
	uint64_t seen = 0;

	for (size_t i = 0; i < ckpt_n_feature_descs; i++) {
		const struct ckpt_feature_desc *d = &ckpt_feature_descs[i];

		EXPECT_EQ(1, __builtin_popcountll(d->bit));
		EXPECT_EQ(0, seen & d->bit);
		seen |= d->bit;
		for (size_t k = 0; k < i; k++)
			EXPECT_NE(0, strcmp(d->name, ckpt_feature_descs[k].name));
	}
	EXPECT_EQ(all, seen);
	EXPECT_EQ(0, ckpt_features_unknown(all));
	EXPECT_EQ(1ULL << 63, ckpt_features_unknown(all | 1ULL << 63));
}

TEST_HARNESS_MAIN
