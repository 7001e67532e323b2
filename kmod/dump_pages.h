/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page contents of an address space (dump_pages.c): PAGES and, for
 * incremental dumps, PAGES_SAME records, a few at a time.  dump.c calls
 * one step per read() refill until the address space is done.
 */
#ifndef CKPT_DUMP_PAGES_H
#define CKPT_DUMP_PAGES_H

#include <linux/types.h>

struct ckpt_job;
struct ckpt_pagehash;
struct ckpt_recbuf;
struct ckpt_sdbase;
struct mm_struct;
struct task_struct;

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

/*
 * Emit the next few records of @mm from *@addr on.  Returns 1 if there is
 * more, 0 when the address space is done, or -errno.
 */
int ckpt_dump_pages_step(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 unsigned long *addr, struct ckpt_pages_ctx *pc);

#endif /* CKPT_DUMP_PAGES_H */
