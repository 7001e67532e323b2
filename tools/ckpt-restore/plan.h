/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planning one process's restore: where its blob goes, and the list of
 * operations the blob runs (blob/blob.h) to turn the restorer's memory
 * into the target's.
 */
#ifndef CKPT_RESTORE_PLAN_H
#define CKPT_RESTORE_PLAN_H

#include "blob/blob.h"
#include "restore.h"

#define RST_SPECIALS_MAX	8

struct rst_special {
	uint64_t start, end;
	char name[24];
};

/* What ckpt-restore needs to know of its own address space. */
struct rst_self {
	struct rst_special sp[RST_SPECIALS_MAX];	/* [vdso], [vvar]... */
	unsigned int nr_sp;
};

/* The blob region of one process, laid out. */
struct rst_region {
	uint64_t start, len;
	uint64_t code_len;		/* code pages */
	uint64_t args_off, args_len;	/* struct rst_blob_args and what follows */
	uint64_t stacks_off;		/* 64 KiB per thread */
	uint64_t park_off, park_len;	/* where vdso/vvar wait while moving */
};

#define RST_THREAD_STACK	65536u

/* Reads /proc/self/maps for the kernel-provided mappings. */
int rst_self_read(struct rst *r, struct rst_self *self);

/*
 * Sizes the region for @t (@max_ops operations) and maps it, PROT_NONE,
 * in an address gap of the target's layout that is free here as well.
 */
int rst_region_map(struct rst *r, const struct rst_task *t,
		   const struct rst_self *self, size_t max_ops,
		   struct rst_region *reg);

/* Operation list under construction. */
struct rst_plan {
	struct rst_op *ops;
	size_t nr, max;
};

/* Upper bound of the operations rst_plan_build() emits for @t. */
size_t rst_plan_max_ops(const struct rst_task *t, const struct rst_self *self,
			size_t nr_runs);

/*
 * Emits every operation for @t: @file_fds[i] is the descriptor to map
 * VMA i from (or -1), @runs its page runs, @mm_map_addr/@mm_map_len the
 * struct prctl_mm_map already written into the region.
 */
int rst_plan_build(struct rst *r, const struct rst_task *t,
		   const struct rst_self *self, const struct rst_region *reg,
		   const int *file_fds, const struct rst_run *runs,
		   size_t nr_runs, uint64_t mm_map_addr, uint64_t mm_map_len,
		   struct rst_plan *p);

#endif /* CKPT_RESTORE_PLAN_H */
