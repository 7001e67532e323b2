/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compressed image files (internal): one struct ckpt_img_zchunk per
 * CKPT_IMG_CHUNK bytes of contents, each holding one zstd frame
 * (Documentation/image-format.md, "Compression").
 */
#ifndef CKPTD_IMAGE_ZSTD_H
#define CKPTD_IMAGE_ZSTD_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct ckptd_zctx;

/* A compressor of chunks at @level; NULL when out of memory. */
struct ckptd_zctx *ckptd_zctx_new(int level);
void ckptd_zctx_free(struct ckptd_zctx *z);

/*
 * Compresses @len (<= CKPT_IMG_CHUNK) bytes into one chunk (header,
 * frame, padding) in the context's buffer; *out and *out_len name it
 * until the next call.
 */
int ckptd_zchunk_pack(struct ckptd_zctx *z, const void *raw, size_t len,
		      const void **out, size_t *out_len);

/* A chunk read back: where it is, for messages. */
struct ckptd_zchunk_at {
	const char *path;	/* the file */
	uint64_t index;		/* chunk number */
	uint64_t off;		/* of its header in the file */
};

/*
 * Checks the header @h of a chunk of a file of @file_size bytes at at->off
 * and that it may hold @want_raw bytes: magic, padding, sizes (a chunk
 * claiming more than CKPT_IMG_CHUNK bytes is refused before anything is
 * allocated).  *next: the offset of the chunk after it.
 */
int ckptd_zchunk_check(const struct ckpt_img_zchunk *h, uint64_t file_size,
		       uint32_t want_raw, const struct ckptd_zchunk_at *at,
		       uint64_t *next, struct ckpt_err *err);

/*
 * Decompresses the compressed bytes @comp of chunk @h into @raw (room for
 * h->raw_len bytes), checking their checksum first and the result's after.
 */
int ckptd_zchunk_unpack(void *dctx, const struct ckpt_img_zchunk *h,
			const void *comp, void *raw,
			const struct ckptd_zchunk_at *at, struct ckpt_err *err);

/*
 * Reads a whole compressed file (an open fd of @file_size bytes whose
 * contents are @raw_size bytes), calling @fn on each decompressed chunk in
 * order; @sum gets the xxh64 of the file as stored.  Stops at the first
 * error of its own or of @fn.
 */
int ckptd_zfile_read(int fd, const char *path, uint64_t file_size,
		     uint64_t raw_size, uint64_t *sum,
		     int (*fn)(void *arg, uint64_t index, const void *raw,
			       size_t len, struct ckpt_err *err),
		     void *arg, struct ckpt_err *err);

#endif /* CKPTD_IMAGE_ZSTD_H */
