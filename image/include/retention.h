/* SPDX-License-Identifier: GPL-2.0 */
/* Retention: keep the newest N checkpoints of a job and what they need. */
#ifndef CKPTD_RETENTION_H
#define CKPTD_RETENTION_H

#include <stdint.h>

#include "image.h"

/*
 * Removes the committed images of @job beyond the newest @keep (0: keep
 * all), except every image that a kept one needs through its chain of
 * parents.  Uncommitted directories are left alone (a write may be in
 * progress; ckptd_image_cleanup_partial() handles them at start).  An
 * image is removed manifest first, so a crash midway leaves no image that
 * looks committed but is not whole.  *removed may be NULL.
 */
int ckptd_retention_gc(const char *store, uint32_t job, unsigned int keep,
		       unsigned int *removed, struct ckpt_err *err);

#endif /* CKPTD_RETENTION_H */
