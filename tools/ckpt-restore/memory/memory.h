/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ckpt-restore/memory/: the memory of a restored process.  Where each
 * page comes from through the image chain (page_runs.c), the files the job
 * maps and its shared-memory objects (mapped_files.c, shm.c), where the
 * blob goes in the target's layout (region.c), and the list of operations
 * the blob runs (plan.c, blob/blob.h) to turn the restorer's memory into
 * the target's.
 */
#ifndef CKPT_RESTORE_MEMORY_H
#define CKPT_RESTORE_MEMORY_H

#include "../blob/blob.h"
#include "../restore.h"

/* --- page_runs.c --------------------------------------------------------- */

/* One run of pages to read into place: from which image's pages.img. */
struct rst_run {
	uint64_t vaddr;
	uint64_t len;
	uint64_t offset;		/* in pages.img of image level */
	unsigned int level;		/* 0: the image restored, 1: its parent... */
};

/* The page runs of process pid through the chain, in address order. */
int rst_page_runs(struct rst *r, pid_t pid, struct rst_run **runs,
		  size_t *nr);

/* --- mapped_files.c: every mapped file and the exe unchanged ------------- */

int rst_check_files(struct rst *r);
/* Opens the file of a VMA for mapping (checked again against the image). */
int rst_open_vma_file(struct rst *r, const struct rst_task *t,
		      const struct ckpt_rec_vma *v);

/* --- shm.c: one memfd per shared-memory object of the job ---------------- */

bool rst_vma_is_shm_object(const struct ckpt_rec_vma *v);
int rst_shm_create(struct rst *r);
const struct rst_shm *rst_shm_find(const struct rst *r,
				   const struct ckpt_rec_vma *v);

/* --- region.c: the blob's place ------------------------------------------ */

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
#define RST_USER_TOP		0x7ffffffff000ULL	/* 47-bit user space */

static inline bool rst_overlaps(uint64_t s1, uint64_t e1, uint64_t s2,
				uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Reads /proc/self/maps for the kernel-provided mappings. */
int rst_self_read(struct rst *r, struct rst_self *self);

/*
 * Sizes the region for @t (@max_ops operations) and maps it, PROT_NONE,
 * in an address gap of the target's layout that is free here as well.
 */
int rst_region_map(struct rst *r, const struct rst_task *t,
		   const struct rst_self *self, size_t max_ops,
		   struct rst_region *reg);

/* --- plan.c: the blob's operation list ----------------------------------- */

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

#endif /* CKPT_RESTORE_MEMORY_H */
