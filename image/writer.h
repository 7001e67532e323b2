/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image writer's state (internal to image/): write.c takes dump
 * streams and commits the image, compose.c keeps the page maps of the
 * streams and the per-page sums of the data file.
 */
#ifndef CKPTD_IMAGE_WRITER_H
#define CKPTD_IMAGE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump_stream.h"
#include "image_store.h"

/* Bit 63 of an in-memory sum: the page was described by a stream. */
#define CKPTD_WR_DESCRIBED	(1ULL << 63)

/* A run of consecutive pages of one process, as an image entry. */
struct ckptd_wr_run {
	int32_t pid;
	uint32_t flags;		/* CKPT_IMG_PME_DATA or _SAME */
	uint64_t vaddr;
	uint32_t nr;		/* pages */
	uint64_t off;		/* DATA: byte offset in the data file */
};

struct ckptd_wr_map {
	struct ckptd_wr_run *v;
	size_t n, cap;
};

struct ckptd_image_wr {
	char job_dir[4096];
	char tmp[4200];			/* the directory being filled */
	char data_path[4300];		/* pages.img, or the staging file */
	char name[4200];		/* what messages name */
	struct ckptd_image_write_opts o;
	int data_fd;
	uint64_t data_size;		/* bytes of the data file in use */
	uint64_t written_back;		/* writeback started up to here */
	uint64_t *sums;			/* per data-file page; bit 63: described */
	size_t nr_sums, sums_cap;
	struct ckptd_wr_map prev;	/* the previous stream's pages, sorted */
	struct ckptd_wr_map cur;	/* this stream's, in stream order */
	/* the stream being added, and what the earlier ones said */
	struct ckpt_stream s;
	unsigned int nr_streams;	/* complete ones */
	bool begin_seen, end_seen;
	uint32_t job_id, page_size;
	uint64_t first_parent;		/* BEGIN.parent_seq of the first */
	uint64_t prev_seq;		/* BEGIN.dump_seq of the previous */
	uint32_t prev_flags;
	uint64_t seq, parent_seq;	/* of the stream being added */
	uint64_t s_pages, s_same;	/* its page counts so far */
	uint64_t stream_file_end;	/* data file size when it was added */
	uint32_t tasks, threads, vmas;
	/* the last stream's records, page records left out */
	uint8_t *rec;
	size_t rec_len, rec_cap, end_off;
	int failed;			/* a refused stream: nothing commits */
};

int ckptd_wr_fail(struct ckptd_image_wr *w, struct ckpt_err *err, int ret,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The page records of a stream (compose.c). */
int ckptd_wr_pages_file(struct ckptd_image_wr *w,
			const struct ckpt_rec_pages_file *r, uint64_t off,
			struct ckpt_err *err);
int ckptd_wr_pages_inline(struct ckptd_image_wr *w,
			  const struct ckpt_rec_pages *r, uint64_t off,
			  struct ckpt_err *err);
int ckptd_wr_pages_same(struct ckptd_image_wr *w,
			const struct ckpt_rec_pages_same *r, uint64_t off,
			struct ckpt_err *err);
/* Starts the writeback of the data file (compose.c). */
void ckptd_wr_writeback(struct ckptd_image_wr *w, uint64_t at, uint64_t len);
/* A stream's END: its pages become the map the next one refers to. */
int ckptd_wr_stream_done(struct ckptd_image_wr *w, struct ckpt_err *err);
/* Punches the pages of the data file that no entry covers. */
int ckptd_wr_punch(struct ckptd_image_wr *w, uint64_t file_size,
		   struct ckpt_err *err);
void ckptd_wr_map_free(struct ckptd_wr_map *m);

#endif /* CKPTD_IMAGE_WRITER_H */
