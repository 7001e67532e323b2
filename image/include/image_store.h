/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing images into the store, and directory helpers for code that
 * fills image directories itself (a peer receiving images).
 */
#ifndef CKPTD_IMAGE_STORE_H
#define CKPTD_IMAGE_STORE_H

#include "image.h"

/*
 * The temporary directory of an image being written, in the job's store
 * directory: "<store>/<job>/.ckpt-write-XXXXXX".  Never listed (not a
 * seq), removed by ckptd_image_cleanup_partial().
 */
#define CKPTD_IMAGE_TMP_PREFIX	".ckpt-write-"

/*
 * The image writer: one copy of each page byte, each page hashed once.
 *
 *   ckptd_image_wr_begin(job_dir)   a temporary directory in job_dir and
 *                                   an empty data file in it
 *   ckptd_image_wr_data_fd()        that file: CKPT_IOC_DUMP's data_fd
 *                                   (CKPT_DUMP_DATA_FD)
 *   ckptd_image_wr_add_stream()     each complete dump stream read from
 *                                   the dump fd, after its END: the
 *                                   pre-copies (CKPT_DUMP_PREDUMP), then
 *                                   the final dump
 *   ckptd_image_wr_commit(dir)      records.img, pagemap.img, manifest;
 *                                   the temporary directory becomes dir
 *   ckptd_image_wr_free()           uncommitted: the directory is removed
 *
 * The image is the last stream: its records (BEGIN naming the first
 * stream's parent as the image's parent), its PAGES_FILE as DATA at their
 * offsets with their hashes, its PAGES_SAME resolved through the streams
 * before it (a page a pre-copy wrote is DATA there, one a pre-copy found
 * unchanged is SAME: in the image's parent; a page no earlier stream
 * lists is refused as an inconsistent composition).  Inline PAGES (a
 * stream without CKPT_DUMP_DATA_FD) are appended to the data file, hashed
 * here.  Each stream's BEGIN must name the dump before it as its parent.
 * A stream must not be added while a dump writes into the data file.  A
 * refused stream fails the writer: only ckptd_image_wr_free() is left.
 *
 * Plain images are format version 3 (pages.img is the data file, the
 * manifest holds the module's per-page hashes; pages no entry covers are
 * punched out where the filesystem can); compressed ones are version 2,
 * compressed from a staging data file at commit.
 */
struct ckptd_image_wr;

/* o may be NULL; o->extra_records is ignored (see commit). */
int ckptd_image_wr_begin(const char *job_dir, const struct ckptd_image_write_opts *o,
			 struct ckptd_image_wr **out, struct ckpt_err *err);
int ckptd_image_wr_data_fd(const struct ckptd_image_wr *w);
int ckptd_image_wr_add_stream(struct ckptd_image_wr *w, const void *stream,
			      size_t len, struct ckpt_err *err);
/*
 * extra: records captured in userspace (types from CKPT_REC_USER_BASE),
 * written just before END.  dir must not exist; its parent should be the
 * job_dir of ckptd_image_wr_begin() (a rename: same filesystem).  st may
 * be NULL.  On failure nothing is committed; free the writer.
 */
int ckptd_image_wr_commit(struct ckptd_image_wr *w, const char *dir,
			  const void *extra, size_t extra_len,
			  struct ckptd_image_write_stats *st, struct ckpt_err *err);
void ckptd_image_wr_free(struct ckptd_image_wr *w);

/* Removes dir and the files in it (an image directory has no subdirs). */
int ckptd_image_remove_dir(const char *dir);
/* fsync() of a directory, after a rename or create in it. */
int ckptd_fsync_dir(const char *dir, struct ckpt_err *err);

#endif /* CKPTD_IMAGE_STORE_H */
