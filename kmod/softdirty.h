/* SPDX-License-Identifier: GPL-2.0 */
/* Soft-dirty tracking for incremental dumps (softdirty.c). */
#ifndef CKPT_SOFTDIRTY_H
#define CKPT_SOFTDIRTY_H

#include <linux/types.h>

struct mm_struct;
struct pid_namespace;
struct task_struct;
struct vm_area_struct;

/* May incremental dumps use soft-dirty bits (kernel and module parameter)? */
bool ckpt_softdirty_enabled(void);

/*
 * The address spaces whose soft-dirty bits userspace cleared right after
 * a committed dump (CKPT_IOC_DUMP_SOFTDIRTY_CLEARED), by pid.  Reference
 * counted: the job holds one while it stays valid, dumps hold theirs.
 */
struct ckpt_sdbase;

/* Of the @n processes @procs, with pids as seen in @ns. */
struct ckpt_sdbase *ckpt_sdbase_new(struct task_struct *const *procs,
				    unsigned int n, struct pid_namespace *ns);
struct ckpt_sdbase *ckpt_sdbase_get(struct ckpt_sdbase *sb);
void ckpt_sdbase_put(struct ckpt_sdbase *sb);
/* Were the bits of process @pid cleared while it had this very @mm? */
bool ckpt_sdbase_covers(struct ckpt_sdbase *sb, pid_t pid,
			struct mm_struct *mm);

/* What the page tables say of a page before it is read. */
enum ckpt_sd_state {
	CKPT_SD_HOLE,		/* no data: never touched, or the zero page */
	CKPT_SD_DIRTY,		/* written since the clear, or unknown: read it */
	CKPT_SD_CLEAN,		/* holds data, unchanged since the clear */
	CKPT_SD_CLEAN_IF_DATA,	/* unchanged; whether it holds data is for
				 * get_user_pages to say (no contents read) */
};

/* Can the page tables of @vma be read for its soft-dirty bits?  mmap_lock
 * held for reading. */
bool ckpt_softdirty_vma(struct vm_area_struct *vma);
/* The state of @n pages of @vma from @addr (inside it) into @state. */
void ckpt_softdirty_scan(struct vm_area_struct *vma, unsigned long addr,
			 unsigned int n, u8 *state);
unsigned long ckpt_pt_next_populated(struct mm_struct *mm, unsigned long addr,
				     unsigned long end);

#endif /* CKPT_SOFTDIRTY_H */
