/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-disk image format (Documentation/image-format.md): what an image
 * directory holds, written by ckptd (image/write.c) from a dump stream and
 * read by ckptctl, the restorer and the image library without ckpt.ko.
 * The records in records.img are the dump stream's (<linux/ckpt.h>) and
 * the captured files' (files_format.h).
 *
 * One directory per checkpoint, <store>/<job>/<seq>/, holding:
 *
 *   records.img   every record of the (last) dump stream except the page
 *                 records, verbatim (struct ckpt_rec framing)
 *   pages.img     raw page contents, page-aligned
 *   pagemap.img   struct ckpt_img_pme[], one per run of pages
 *   manifest      struct ckpt_img_manifest, then nr_chunks __u64 sums,
 *                 then one __u64: the xxh64 of everything before it.
 *                 Written last; a directory without it is not a
 *                 checkpoint.
 *
 * All numbers little-endian; all checksums XXH64 with seed 0.  Padding is
 * explicit and must be zero.  A reader refuses a manifest whose version is
 * newer than CKPT_IMG_VERSION; new fields are added only at the end of
 * the header (hdr_len tells a reader where the chunk sums start).
 *
 *   version 1     uncompressed, written by ckptd before the data file:
 *                 pages.img in stream order, covered exactly by the DATA
 *                 entries in pagemap order; chunk_size CKPT_IMG_CHUNK,
 *                 one xxh64 per 1 MiB of pages.img (the last shorter),
 *                 files[PAGES].xxh64 the whole file's.
 *   version 2     compressed (records.img and pages.img as struct
 *                 ckpt_img_zchunk chunks, struct ckpt_img_zinfo after the
 *                 header), otherwise as version 1.
 *   version 3     uncompressed, pages.img written by ckpt.ko itself
 *                 (CKPT_DUMP_DATA_FD): chunk_size == page_size, sum k is
 *                 the module's hash of page k of pages.img (xxh64 seed 0
 *                 of the page, shifted right by one bit:
 *                 CKPT_REC_PAGES_FILE), files[PAGES].xxh64 is 0 (no
 *                 whole-file sum).  DATA offsets need not ascend, and
 *                 pages.img may hold pages no entry covers (a pre-copy's
 *                 pages that the final dump wrote again: superseded,
 *                 punched out where the filesystem allows, their sums
 *                 not checked).
 *
 * An incremental image (parent_seq != 0) holds only the pages that
 * changed; its PAGES_SAME entries are found in the parent directory
 * <store>/<job>/<parent_seq>/, and on up the chain to a full image.
 */
#ifndef CKPT_IMAGE_FORMAT_H
#define CKPT_IMAGE_FORMAT_H

#include <linux/types.h>

#define CKPT_IMG_MAGIC		0x00474d4954504b43ULL	/* "CKPTIMG\0" */
#define CKPT_IMG_VERSION	3	/* the newest this code reads */
#define CKPT_IMG_VERSION_V1	1	/* uncompressed, 1 MiB chunk sums */
#define CKPT_IMG_VERSION_COMPRESSED 2	/* written for compressed images */
#define CKPT_IMG_VERSION_PLAIN	3	/* written for uncompressed images */
#define CKPT_IMG_CHUNK		(1U << 20)	/* v1/v2 pages.img checksum chunk */

#define CKPT_IMG_RECORDS	"records.img"
#define CKPT_IMG_PAGES		"pages.img"
#define CKPT_IMG_PAGEMAP	"pagemap.img"
#define CKPT_IMG_MANIFEST	"manifest"
#define CKPT_IMG_MANIFEST_TMP	"manifest.tmp"	/* version 1 and 2 writers */
/* A compressed image's data file while it is written (never committed). */
#define CKPT_IMG_PAGES_STAGE	"pages.stage"

/* ckpt_img_manifest.files[] */
enum ckpt_img_file {
	CKPT_IMG_F_RECORDS,
	CKPT_IMG_F_PAGEMAP,
	CKPT_IMG_F_PAGES,
	CKPT_IMG_NR_FILES,
};

struct ckpt_img_file_sum {
	__u64 size;		/* bytes */
	__u64 xxh64;		/* of the whole file */
};

struct ckpt_img_manifest {
	__u64 magic;		/* CKPT_IMG_MAGIC */
	__u32 version;		/* CKPT_IMG_VERSION */
	__u32 hdr_len;		/* sizeof(struct ckpt_img_manifest) */
	__u32 job_id;
	__u32 page_size;
	__u64 seq;		/* BEGIN.dump_seq */
	__u64 parent_seq;	/* BEGIN.parent_seq: 0 for a full image */
	__u32 stream_version;	/* BEGIN.version */
	__u32 dump_flags;	/* BEGIN.flags (CKPT_DUMP_*) */
	__u64 time_ns;		/* BEGIN.time_ns */
	struct ckpt_img_file_sum files[CKPT_IMG_NR_FILES];
	__u32 nr_tasks, nr_threads, nr_vmas;	/* counted while writing */
	__u32 chunk_size;	/* CKPT_IMG_CHUNK; version 3: page_size */
	__u64 nr_pages;		/* pages of DATA entries */
	__u64 nr_pages_same;	/* pages resolved through the parent */
	__u64 nr_pme;		/* entries in pagemap.img */
	__u64 nr_chunks;	/* sums following this header; version 3:
				 * one per page of pages.img */
};

/*
 * Version 2: a compressed image.  struct ckpt_img_manifest is followed by
 * struct ckpt_img_zinfo (hdr_len counts both).  files[].size and .xxh64
 * then describe the files as stored; zinfo.raw_size their contents.  The
 * chunk sums stay those of the raw pages.img contents.
 */
enum ckpt_img_compression {
	CKPT_IMG_COMP_NONE,
	CKPT_IMG_COMP_ZSTD,		/* libzstd frames */
	CKPT_IMG_COMP_NR,		/* readers refuse this and above */
};

struct ckpt_img_zinfo {
	__u32 compression;	/* CKPT_IMG_COMP_* */
	__s32 level;		/* the writer's level (information only) */
	__u32 zfiles;		/* 1 << CKPT_IMG_F_*: the compressed files */
	__u32 pad;
	__u64 raw_size[CKPT_IMG_NR_FILES];	/* bytes once decompressed */
};

/*
 * A compressed file is a sequence of chunks, each this header, then
 * comp_len bytes of one compressed frame, then zeroes to a multiple of 8.
 * Chunk k holds bytes [k * CKPT_IMG_CHUNK, ...) of the raw contents; all
 * but the last hold CKPT_IMG_CHUNK bytes.
 */
#define CKPT_IMG_ZCHUNK_MAGIC	0x4b4e48435a504b43ULL	/* "CKPZCHNK" */

struct ckpt_img_zchunk {
	__u64 magic;		/* CKPT_IMG_ZCHUNK_MAGIC */
	__u32 raw_len;		/* 1 .. CKPT_IMG_CHUNK */
	__u32 comp_len;		/* compressed bytes after this header */
	__u64 raw_xxh64;	/* of the raw_len bytes once decompressed */
	__u64 xxh64;		/* of the comp_len compressed bytes */
};

#define CKPT_IMG_PME_DATA	(1U << 0)	/* contents at offset in pages.img */
#define CKPT_IMG_PME_SAME	(1U << 1)	/* contents in the parent image */
#define CKPT_IMG_PME_FLAGS	(CKPT_IMG_PME_DATA | CKPT_IMG_PME_SAME)

/* pagemap.img entry: a run of consecutive pages of one process. */
struct ckpt_img_pme {
	__s32 pid;
	__u32 flags;		/* exactly one of CKPT_IMG_PME_DATA / _SAME */
	__u64 vaddr;		/* first page */
	__u32 nr_pages;
	__u32 pad;
	__u64 offset;		/* DATA: byte offset in pages.img (page-
				 * aligned); SAME: 0 */
};

#endif /* CKPT_IMAGE_FORMAT_H */
