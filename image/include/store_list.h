/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listing the committed checkpoints in the image store: the jobs under
 * <store>/ and the images under <store>/<job>/ that have a manifest.
 * Only manifest headers are read; ckptd_image_verify() checks the rest.
 */
#ifndef CKPTD_STORE_LIST_H
#define CKPTD_STORE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct ckptd_store_entry {
	uint64_t seq, parent_seq;
	uint64_t time_ns;
	uint64_t bytes;			/* the three files, as stored */
	uint64_t raw_bytes;		/* their contents (compressed: more) */
	uint32_t compression;		/* CKPT_IMG_COMP_* */
	uint64_t nr_pages, nr_pages_same;
	uint32_t nr_tasks;
	int bad;			/* the manifest could not be read */
	int predump;			/* a pre-dump (migrate): never restored */
};

/*
 * The committed images of @job, sorted by seq (ascending), in a malloc()ed
 * array; *n their number (0 and NULL if the job has none).
 */
int ckptd_store_list(const char *store, uint32_t job,
		     struct ckptd_store_entry **out, size_t *n,
		     struct ckpt_err *err);

/* The job ids that have a directory in the store, sorted; malloc()ed. */
int ckptd_store_jobs(const char *store, uint32_t **out, size_t *n,
		     struct ckpt_err *err);

/* The highest seq of any directory of @job, committed or not (0: none). */
uint64_t ckptd_store_max_seq(const char *store, uint32_t job);

/* Whether v[i] is kept, with every image its parent chain reaches. */
typedef bool (*ckptd_store_root_fn)(const struct ckptd_store_entry *v, size_t n, size_t i,
				    const void *arg);

/*
 * Garbage collection of @job's images, never breaking a parent chain: the
 * images @root keeps, every parent they reach, and (an image whose
 * manifest cannot be read might be the child of any older one) every
 * image older than an unreadable one stay; the others (with
 * @predumps_only, only the pre-dumps among them) are removed, each counted
 * in *@removed.  @what says why, for the message.
 */
int ckptd_store_gc(const char *store, uint32_t job, ckptd_store_root_fn root,
		   const void *arg, int predumps_only, const char *what,
		   unsigned int *removed, struct ckpt_err *err);

/*
 * Removes one committed image: its manifest first, so that a half-removed
 * image never looks committed, then the directory.  @what says why, for
 * the message ("a stale pre-dump", "for retention").
 */
int ckptd_store_remove(const char *store, uint32_t job, uint64_t seq,
		       const char *what, struct ckpt_err *err);

#endif /* CKPTD_STORE_LIST_H */
