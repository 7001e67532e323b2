/* SPDX-License-Identifier: GPL-2.0 */
/* CKPT_FEATURE_* bits of the running kernel (features.c). */
#ifndef CKPT_FEATURES_H
#define CKPT_FEATURES_H

#include <linux/types.h>

u64 ckpt_features(void);

#endif /* CKPT_FEATURES_H */
