/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_FEATURES_H
#define CKPT_FEATURES_H

#include <linux/types.h>

u64 ckpt_features(void);

#endif /* CKPT_FEATURES_H */
