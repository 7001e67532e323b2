/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libckpt_user - the optional in-application API of ckpt.
 *
 * An unmodified program is checkpointed without it.  A program that links
 * it can tell ckpt about its own memory.  Every function returns 0 or a
 * negative errno value and never sets errno.  See ckpt_tag_region(3).
 */
#ifndef CKPT_USER_H
#define CKPT_USER_H

#include <stddef.h>

#include <linux/ckpt.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Tag [addr, addr + len) of the calling process for every later checkpoint:
 * CKPT_REGION_LOWER (host-bound: left to a fresh lower half on a split
 * restore), CKPT_REGION_UPPER (application memory), or CKPT_REGION_EXCLUDE
 * (not saved; restored as zero pages).  addr and len must be page-aligned.
 * The tags last until the process exits or execs.
 */
int ckpt_tag_region(void *addr, size_t len, unsigned int tag);

#ifdef __cplusplus
}
#endif

#endif /* CKPT_USER_H */
