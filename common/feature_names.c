// SPDX-License-Identifier: GPL-2.0
#include <linux/ckpt.h>

#include "feature_names.h"

const struct ckpt_feature_desc ckpt_feature_descs[] = {
	{ CKPT_FEATURE_SOFT_DIRTY, "soft_dirty",
	  "the kernel tracks written pages (soft-dirty bits)" },
	{ CKPT_FEATURE_CHECKPOINT_RESTORE, "checkpoint_restore",
	  "the restorer rebuilds mm layout with prctl(PR_SET_MM)" },
	{ CKPT_FEATURE_IO_URING, "io_uring",
	  "ckptd writes images asynchronously" },
	{ CKPT_FEATURE_USERFAULTFD, "userfaultfd",
	  "lazy restore of page contents" },
	{ CKPT_FEATURE_XSAVE, "xsave",
	  "FPU/AVX register state is saved with XSAVE" },
};

const size_t ckpt_n_feature_descs =
	sizeof(ckpt_feature_descs) / sizeof(ckpt_feature_descs[0]);

uint64_t ckpt_features_unknown(uint64_t bits)
{
	for (size_t i = 0; i < ckpt_n_feature_descs; i++)
		bits &= ~ckpt_feature_descs[i].bit;
	return bits;
}
