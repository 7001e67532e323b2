/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions an application tagged through /dev/ckpt (regions.c), and their
 * records in a dump.
 */
#ifndef CKPT_REGIONS_H
#define CKPT_REGIONS_H

#include <linux/types.h>

struct ckpt_recbuf;
struct ckpt_region_snap;
struct ckpt_regions;
struct ckpt_tag_region_args;
struct mm_struct;

int ckpt_regions_tag(struct ckpt_regions **set,
		     const struct ckpt_tag_region_args *args);
void ckpt_regions_free(struct ckpt_regions *set);

/* For dumps of @mm: */
void ckpt_regions_emit(struct ckpt_recbuf *b, struct mm_struct *mm, pid_t pid);
u32 ckpt_regions_tag_of(struct mm_struct *mm, unsigned long start,
			unsigned long end);
/* The regions of @mm at one moment, for a page walk without locks. */
struct ckpt_region_snap *ckpt_regions_snapshot(struct mm_struct *mm);
void ckpt_regions_snap_free(struct ckpt_region_snap *snap);
bool ckpt_regions_excluded(const struct ckpt_region_snap *snap,
			   unsigned long addr);

#endif /* CKPT_REGIONS_H */
