/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image store: writing a dump stream into an image directory and
 * reading and verifying it (format: image_format.h,
 * Documentation/image-format.md).  Every function returns 0 or -errno and,
 * on failure, leaves a message in err->msg naming the file and what to do.
 */
#ifndef CKPTD_IMAGE_H
#define CKPTD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ckpt.h>

#include "err.h"
#include "image_format.h"
#include "xxh64.h"

/* The zstd level of compressed images unless configured. */
#define CKPTD_ZSTD_LEVEL_DEFAULT	3


struct ckptd_image_write_opts {
	unsigned int queue_depth;	/* writes in flight; 0: default (16) */
	int no_uring;			/* 1: plain pwrite() */
	/*
	 * ckptd_image_write() only (ckptd_image_wr_commit() takes them as
	 * arguments): records captured in userspace while the job was
	 * frozen (types from CKPT_REC_USER_BASE, struct ckpt_rec framing),
	 * written to records.img just before END.  NULL/0: none.
	 */
	const void *extra_records;
	size_t extra_len;
	/* CKPT_IMG_COMP_*: records.img and pages.img compressed (v2) */
	int compression;
	int level;			/* zstd level; 0: default (3) */
};

/* What the writer saw, for logs and tests. */
struct ckptd_image_write_stats {
	int used_uring;
	uint64_t bytes;			/* the three files, as stored */
	uint64_t raw_bytes;		/* their contents before compression */
	uint64_t nr_pages;		/* pages the image carries (DATA) */
	uint64_t data_pages;		/* pages in the data file, superseded
					 * pre-copy pages included */
};

/*
 * The checksum of one page in a version 3 image, as ckpt.ko computes it
 * (kmod/pagehash.c, CKPT_REC_PAGES_FILE): xxh64 with seed 0, shifted
 * right by one bit.
 */
static inline uint64_t ckptd_page_sum(const void *page, size_t page_size)
{
	return ckptd_xxh64(page, page_size, 0) >> 1;
}

/*
 * Reads one dump stream from stream_fd to its END record and writes it as
 * the image directory dir (which must not exist; its parent must): the
 * writer of image_store.h with that one stream, its inline PAGES appended
 * to pages.img as they come.  On any failure, nothing is left behind.
 * opts and stats may be NULL.
 */
int ckptd_image_write(const char *dir, int stream_fd,
		      const struct ckptd_image_write_opts *opts,
		      struct ckptd_image_write_stats *stats,
		      struct ckpt_err *err);

/* "<store>/<job>/<seq>" into buf; -ENAMETOOLONG if it does not fit. */
int ckptd_image_path(char *buf, size_t size, const char *store,
		     uint32_t job, uint64_t seq);

/*
 * Removes every <store>/<job>/<seq> directory without a committed
 * manifest and every temporary directory of a writer that never committed
 * (<store>/<job>/.ckpt-write-*: crashed or aborted writes; run it when no
 * image is being written, as ckptd does at start).  *removed (may be
 * NULL) counts them.
 */
int ckptd_image_cleanup_partial(const char *store, unsigned int *removed,
				struct ckpt_err *err);

/* An open image: its manifest, records and pagemap in memory. */
struct ckptd_image {
	char dir[4096];
	struct ckpt_img_manifest man;
	uint64_t *chunk_sums;		/* man.nr_chunks */
	uint8_t *records;		/* records.img */
	size_t records_len;
	struct ckpt_img_pme *pagemap;	/* man.nr_pme */
	uint32_t *sorted;		/* pagemap indices by (pid, vaddr) */
	/*
	 * Compression (version 2) or none; for every image, raw_size[] is
	 * the size of each file's contents (the stored size if uncompressed).
	 */
	struct ckpt_img_zinfo zi;
	/*
	 * The raw page contents: pages.img itself, or for a compressed
	 * image a memfd that ckptd_image_pages_fd() fills (-1 until then).
	 */
	int pages_fd;
	int zpages_fd;			/* compressed pages.img, else -1 */
	bool pages_checked;		/* pages_fd filled, every chunk checked */
	bool want_pages_fd;		/* verify fills pages_fd on the way */
	struct ckptd_image *parent;	/* opened on demand */
	unsigned int depth;		/* in the parent chain */
};

/* "none", "zstd", or "unknown" */
const char *ckptd_image_compression_name(uint32_t compression);

/*
 * The raw page contents of img as a readable fd (owned by img): pages.img,
 * or for a compressed image a memfd it fills by decompressing pages.img,
 * checking every chunk.  Used by readers that pread page runs directly
 * (the restorer's blob).
 */
int ckptd_image_pages_fd(struct ckptd_image *img, int *fd,
			 struct ckpt_err *err);

/*
 * Opens an image directory: checks the manifest (magic, version, its own
 * checksum) and that the files have the sizes it names.  Does not read
 * the checksums of the files: ckptd_image_verify() does.
 */
int ckptd_image_open(const char *dir, struct ckptd_image **img,
		     struct ckpt_err *err);
void ckptd_image_close(struct ckptd_image *img);

/*
 * Checks every checksum, that records.img parses, that every pagemap
 * entry is in range, and for an incremental image that its parent chain
 * exists and verifies.  For a compressed image every chunk is
 * decompressed and checked; with want_pages_fd set (it is passed on to
 * the parents) the contents are kept, as ckptd_image_pages_fd() does.
 */
int ckptd_image_verify(struct ckptd_image *img, struct ckpt_err *err);
/*
 * The same for @img itself, and that its parent exists and holds every
 * unchanged page, without checking the parents' own contents again: for
 * an image added on top of parents that were verified when committed
 * (an image received from a peer, a migration's final checkpoint).
 */
int ckptd_image_verify_top(struct ckptd_image *img, struct ckpt_err *err);

/* The parent image of an incremental image (opened once, kept). */
int ckptd_image_parent(struct ckptd_image *img, struct ckptd_image **parent,
		       struct ckpt_err *err);

/*
 * Copies the contents of page vaddr of process pid into buf (page_size
 * bytes), following PAGES_SAME entries through the parents.  -ENOENT if
 * the image holds no data for it (a hole: zeroes at restore).
 */
int ckptd_image_read_page(struct ckptd_image *img, int32_t pid,
			  uint64_t vaddr, void *buf, struct ckpt_err *err);

/* The pagemap entry of this image holding (pid, vaddr), or NULL. */
const struct ckpt_img_pme *ckptd_image_find(const struct ckptd_image *img,
					    int32_t pid, uint64_t vaddr);

#endif /* CKPTD_IMAGE_H */
