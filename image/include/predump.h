/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pre-dump images (live migration, Documentation/migration.md) in the
 * image store.  A pre-dump is committed like any image, so the final
 * incremental checkpoint can name it as its parent, but it is never a
 * checkpoint by itself: it has no registers, so it is never listed or
 * restored, and one that no final checkpoint needs is stale.
 */
#ifndef CKPTD_PREDUMP_H
#define CKPTD_PREDUMP_H

#include <stdint.h>

#include "image.h"

/* 1 if <store>/<job>/<seq> is a committed pre-dump, else 0. */
int ckptd_image_is_predump(const char *store, uint32_t job, uint64_t seq);

/*
 * Removes the pre-dumps of @job that no committed checkpoint (a
 * non-pre-dump image) has in its parent chain, except those newer than
 * @keep_from (0: none kept; a running migration's own, or the module's
 * newest committed dump).  *removed counts them.
 */
int ckptd_predump_gc(const char *store, uint32_t job, uint64_t keep_from,
		     unsigned int *removed, struct ckpt_err *err);
/* The same for every job of the store (at start, when nothing runs). */
int ckptd_predump_gc_all(const char *store, unsigned int *removed,
			 struct ckpt_err *err);

#endif /* CKPTD_PREDUMP_H */
