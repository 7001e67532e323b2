// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers that ckpt builds on (CKPT_FEATURE_*). */
#include "ckpt.h"

#include <linux/kconfig.h>
#include <asm/cpufeature.h>

#include "features.h"

u64 ckpt_features(void)
{
	u64 bits = 0;

	if (IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		bits |= CKPT_FEATURE_SOFT_DIRTY;
	if (IS_ENABLED(CONFIG_CHECKPOINT_RESTORE))
		bits |= CKPT_FEATURE_CHECKPOINT_RESTORE;
	if (IS_ENABLED(CONFIG_IO_URING))
		bits |= CKPT_FEATURE_IO_URING;
	if (IS_ENABLED(CONFIG_USERFAULTFD))
		bits |= CKPT_FEATURE_USERFAULTFD;
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		bits |= CKPT_FEATURE_XSAVE;
	return bits;
}
