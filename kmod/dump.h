/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_DUMP_H
#define CKPT_DUMP_H

#include <linux/types.h>

struct ckpt_dump_args;
struct ckpt_dump_error;
struct ckpt_job;
struct ckpt_pagehash;
struct ckpt_sdbase;
struct mm_struct;
struct task_struct;

/* A growable buffer of records for one step of the stream. */
struct ckpt_recbuf {
	u8 *data;
	size_t len, cap;
	int err;		/* first error; further appends do nothing */
	struct ckpt_dump_error *error;	/* what CKPT_IOC_DUMP_ERROR reports */
};

void *ckpt_rec_start(struct ckpt_recbuf *b, u32 type, size_t body);
void ckpt_rec_finish(struct ckpt_recbuf *b, void *body, size_t body_len);
/* Fail the dump with @err, saying why; returns @err. */
__printf(6, 7)
int ckpt_dump_fail(struct ckpt_recbuf *b, int err, pid_t pid,
		   unsigned long start, unsigned long end, const char *fmt, ...);

/* Producers, in dump_task.c and dump_mm.c.  Return the first error. */
int ckpt_dump_task(struct ckpt_recbuf *b, struct ckpt_job *job,
		   struct task_struct *p, bool threads, u32 *nr_threads);
int ckpt_dump_mm(struct ckpt_recbuf *b, struct ckpt_job *job,
		 struct task_struct *p, struct mm_struct *mm, u32 *nr_vmas);
/* The address space of @p, or of a live thread if its leader exited. */
struct mm_struct *ckpt_process_mm(struct task_struct *p);
/* What the page walk of one dump needs and counts. */
struct ckpt_pages_ctx {
	struct ckpt_pagehash *parent;	/* incremental: the parent's hashes */
	struct ckpt_pagehash *hashes;	/* this dump's, for its commit */
	struct ckpt_sdbase *sd;		/* soft-dirty bits cleared after the
					 * parent, or NULL: hashes only */
	bool live;			/* the job runs: pages change meanwhile */
	u64 nr_pages, nr_same;
	u64 nr_unread;			/* of nr_same: clean by soft-dirty */
};

int ckpt_dump_pages_step(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 unsigned long *addr, struct ckpt_pages_ctx *pc);

int ckpt_dump_open(const struct ckpt_dump_args *args);

#endif /* CKPT_DUMP_H */
