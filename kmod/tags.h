/* SPDX-License-Identifier: GPL-2.0 */
/* The upper/lower/special tag of a VMA (tags.c). */
#ifndef CKPT_TAGS_H
#define CKPT_TAGS_H

#include <linux/types.h>

struct ckpt_job;
struct vm_area_struct;

u32 ckpt_vma_tag(struct ckpt_job *job, struct vm_area_struct *vma,
		 const char *path);

#endif /* CKPT_TAGS_H */
