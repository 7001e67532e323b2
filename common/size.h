/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes as administrators write them: "4096", "64K", "4M", "1G" (an
 * optional "i" and "B" after the unit, any case).  Used by ckptd.conf's
 * migrate_dirty_threshold and ckptctl migrate --dirty-threshold.
 */
#ifndef CKPT_SIZE_H
#define CKPT_SIZE_H

#include <stdint.h>

/* @val in bytes into @out; -EINVAL if it is not a size or does not fit. */
int ckpt_parse_size(const char *val, uint64_t *out);

#endif /* CKPT_SIZE_H */
