/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of an address space (dump_mm.c): MM, VMAs and the regions
 * the application tagged.  Called by dump.c for each live process.
 */
#ifndef CKPT_DUMP_MM_H
#define CKPT_DUMP_MM_H

#include <linux/types.h>

struct ckpt_job;
struct ckpt_recbuf;
struct mm_struct;
struct task_struct;

/* The address space of @p, or of a live thread if its leader exited. */
struct mm_struct *ckpt_process_mm(struct task_struct *p);
/* MM, one VMA per mapping (counted in *@nr_vmas), then REGIONs. */
int ckpt_dump_mm(struct ckpt_recbuf *b, struct ckpt_job *job,
		 struct task_struct *p, struct mm_struct *mm, u32 *nr_vmas);

#endif /* CKPT_DUMP_MM_H */
