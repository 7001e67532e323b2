/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Soft-dirty bits of a job's processes (softdirty.c): cleared by writing
 * 4 to /proc/<pid>/clear_refs, then announced to ckpt.ko on a dump
 * session (CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, the protocols in the uapi
 * header).  Only ckptd clears the bits of a job's processes.
 */
#ifndef CKPTD_OPS_SOFTDIRTY_H
#define CKPTD_OPS_SOFTDIRTY_H

#include <stdint.h>

#include "err.h"

struct ckpt_kjob;

/*
 * Clears the bits of every member of @kj and announces it on @dump_fd.
 * A member that exited meanwhile is skipped.  0, or -errno with the
 * reason in @err: the session then has no soft-dirty tracking.
 */
int ckptd_softdirty_clear(int dump_fd, const struct ckpt_kjob *kj, struct ckpt_err *err);

/* "none", "hash" or "soft-dirty": BEGIN.dirty_tracking in words. */
const char *ckptd_dirty_tracking_name(uint32_t tracking);

#endif /* CKPTD_OPS_SOFTDIRTY_H */
