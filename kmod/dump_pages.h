/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page contents of an address space (dump_pages.c): PAGES (or, with a
 * data file, PAGES_FILE records and the pages written to the file) and,
 * for incremental dumps, PAGES_SAME records, a few at a time.  dump.c
 * calls one step per read() refill until the address space is done.
 */
#ifndef CKPT_DUMP_PAGES_H
#define CKPT_DUMP_PAGES_H

#include <linux/types.h>

struct ckpt_job;
struct ckpt_pages_scratch;
struct ckpt_pagehash;
struct ckpt_recbuf;
struct ckpt_sdbase;
struct file;
struct mm_struct;
struct task_struct;

/* What the page walk of one dump needs and counts. */
struct ckpt_pages_ctx {
	struct ckpt_pagehash *parent;	/* incremental: the parent's hashes */
	struct ckpt_pagehash *hashes;	/* this dump's, for its commit */
	struct ckpt_sdbase *sd;		/* soft-dirty bits cleared after the
					 * parent, or NULL: hashes only */
	struct ckpt_pagehash *carry;	/* or NULL; else clean pages take their
					 * hash from here, not from @parent */
	struct ckpt_sdbase *track;	/* a pre-copy: bits cleared after this
					 * dump's open; pages they track are
					 * written from the running memory */
	struct file *data;		/* CKPT_DUMP_DATA_FD, or NULL */
	loff_t pos;			/* where the next page goes in it */
	bool live;			/* the job runs: pages change meanwhile */
	bool parent_torn;		/* the parent was a pre-copy: its pages
					 * in the data file may be torn, so a
					 * hash match proves nothing */
	struct ckpt_pages_scratch *s;	/* per session (ckpt_pages_ctx_init) */
	u64 nr_pages, nr_same;
	u64 nr_unread;			/* of nr_same: clean by soft-dirty */
};

/* The session's buffers (and, for a live dump, its stable copies); 0 or
 * -ENOMEM.  ckpt_pages_ctx_release frees them and puts nothing else. */
int ckpt_pages_ctx_init(struct ckpt_pages_ctx *pc);
void ckpt_pages_ctx_release(struct ckpt_pages_ctx *pc);

/*
 * Into @carry, the hash @pc->parent holds of every page of process @p
 * (@pid) that @pc->sd says is unchanged since the parent: the pages a
 * pre-copy opened in the same freeze may list unchanged, unread, once
 * the bits are cleared again.  0 or -errno.
 */
int ckpt_pages_carry(struct ckpt_pages_ctx *pc, struct task_struct *p,
		     pid_t pid, struct ckpt_pagehash *carry);

/*
 * Emit the next few records of @mm from *@addr on.  Returns 1 if there is
 * more, 0 when the address space is done, or -errno.
 */
int ckpt_dump_pages_step(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 unsigned long *addr, struct ckpt_pages_ctx *pc);

#endif /* CKPT_DUMP_PAGES_H */
