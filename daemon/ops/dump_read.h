/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading one dump session (dump_read.c): the metadata stream of a
 * CKPT_DUMP_DATA_FD dump into memory (page contents went to the image's
 * data file), BEGIN's numbers moved by the job's seq base (dump.c), and
 * the module's own account of a failed read.
 */
#ifndef CKPTD_OPS_DUMP_READ_H
#define CKPTD_OPS_DUMP_READ_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ckptd_progress;

struct ckptd_stream {
	uint8_t *buf;
	size_t len, cap;
	/* BEGIN, once read (numbers already moved by the seq base) */
	uint64_t dump_seq, parent_seq;
	uint32_t dirty_tracking;
	uint64_t nr_pages;		/* pages in PAGES / PAGES_FILE records */
};

/*
 * The whole stream of session @dump_fd of job @job_id into @s, BEGIN's
 * dump_seq and parent_seq moved by *@seq_base (taken from the store
 * first if it is CKPTD_SEQ_BASE_UNKNOWN).  @check, if not NULL, is
 * called once BEGIN is in: a non-zero return stops the read with it.
 * Progress: bytes of @data_fd so far.
 */
int ckptd_stream_read(struct ckptd_stream *s, int dump_fd, uint32_t job_id,
		      const char *store, uint64_t *seq_base,
		      int (*check)(const struct ckptd_stream *s, void *arg), void *arg,
		      int data_fd, struct ckptd_progress *progress, struct ckpt_err *err);
void ckptd_stream_free(struct ckptd_stream *s);

#endif /* CKPTD_OPS_DUMP_READ_H */
