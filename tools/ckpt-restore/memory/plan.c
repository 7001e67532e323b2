// SPDX-License-Identifier: GPL-2.0
/*
 * The blob's operation list for one process.  Order matters:
 *   personality (it changes how mmap lays things out)
 *   unmap everything of the restorer but the blob and the kernel's own
 *   mappings, move [vdso]/[vvar] to where the target had them (through a
 *   parking area inside the blob region, so that no move lands on a
 *   mapping still to be moved), map every VMA of the target (writable
 *   where pages will be read in), read the pages into place, set the
 *   final protections, the mm fields, the limits, and close the
 *   restorer's descriptors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "memory.h"

static const char *vma_name(const struct ckpt_rec_vma *v)
{
	return v->path_len > 1 ? v->path : "";
}

size_t rst_plan_max_ops(const struct rst_task *t, const struct rst_self *self,
			size_t nr_runs)
{
	return 1 + 2 * (self->nr_sp + 2) + 2 * self->nr_sp + 2 * t->nr_vmas +
	       nr_runs + 2 + CKPT_NR_RLIMITS + 1;
}

static int emit(struct rst_plan *p, uint32_t kind, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (p->nr == p->max)
		return -E2BIG;
	p->ops[p->nr++] = (struct rst_op){
		.kind = kind, .a = { a0, a1, a2, a3, a4, a5 },
	};
	return 0;
}

/* Unmaps [s, e) except the kernel's own mappings and the blob region. */
static int unmap_range(struct rst_plan *p, const struct rst_self *self,
		       const struct rst_region *reg, uint64_t s, uint64_t e)
{
	uint64_t keep_s[RST_SPECIALS_MAX + 1], keep_e[RST_SPECIALS_MAX + 1];
	unsigned int n = 0;
	int ret = 0;

	for (unsigned int i = 0; i < self->nr_sp; i++) {
		keep_s[n] = self->sp[i].start;
		keep_e[n++] = self->sp[i].end;
	}
	keep_s[n] = reg->start;
	keep_e[n++] = reg->start + reg->len;
	/* sort the kept ranges */
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (keep_s[j] < keep_s[i]) {
				uint64_t ts = keep_s[i], te = keep_e[i];

				keep_s[i] = keep_s[j];
				keep_e[i] = keep_e[j];
				keep_s[j] = ts;
				keep_e[j] = te;
			}
	for (unsigned int i = 0; i < n && !ret; i++) {
		if (keep_s[i] > s)
			ret = emit(p, RST_OP_MUNMAP, s, keep_s[i] - s, 0, 0, 0, 0);
		if (keep_e[i] > s)
			s = keep_e[i];
	}
	if (!ret && e > s)
		ret = emit(p, RST_OP_MUNMAP, s, e - s, 0, 0, 0, 0);
	return ret;
}

static const struct rst_special *self_special(const struct rst_self *self,
					      const char *name)
{
	for (unsigned int i = 0; i < self->nr_sp; i++)
		if (!strcmp(self->sp[i].name, name))
			return &self->sp[i];
	return NULL;
}

/* [vdso], [vvar]...: the kernel's mappings moved to the target's places. */
static int move_specials(struct rst *r, const struct rst_task *t,
			 const struct rst_self *self,
			 const struct rst_region *reg, struct rst_plan *p)
{
	uint64_t park = reg->start + reg->park_off;
	uint64_t parked[RST_SPECIALS_MAX];
	bool wanted[RST_SPECIALS_MAX] = { false };
	int ret = 0;

	for (size_t i = 0; i < t->nr_vmas; i++) {
		const struct ckpt_rec_vma *v = t->vmas[i];
		const struct rst_special *sp;

		if (v->tag != CKPT_TAG_SPECIAL)
			continue;
		sp = self_special(self, vma_name(v));
		if (!sp || sp->end - sp->start != v->end - v->start)
			return rst_fail(r, RST_EXIT_UNSUPPORTED, EOPNOTSUPP,
					"pid %d: kernel mapping %s at 0x%llx (%llu bytes) has no match of that size on this kernel; restore on a host running the kernel the job was checkpointed on",
					t->task->pid, vma_name(v),
					(unsigned long long)v->start,
					(unsigned long long)(v->end - v->start));
		wanted[sp - self->sp] = true;
	}
	for (unsigned int i = 0; i < self->nr_sp && !ret; i++) {
		const struct rst_special *sp = &self->sp[i];

		if (!wanted[i]) {
			ret = emit(p, RST_OP_MUNMAP, sp->start,
				   sp->end - sp->start, 0, 0, 0, 0);
			continue;
		}
		parked[i] = park;
		ret = emit(p, RST_OP_MREMAP, sp->start, sp->end - sp->start,
			   park, 0, 0, 0);
		park += sp->end - sp->start;
	}
	for (size_t i = 0; i < t->nr_vmas && !ret; i++) {
		const struct ckpt_rec_vma *v = t->vmas[i];
		const struct rst_special *sp;

		if (v->tag != CKPT_TAG_SPECIAL)
			continue;
		sp = self_special(self, vma_name(v));
		ret = emit(p, RST_OP_MREMAP, parked[sp - self->sp],
			   v->end - v->start, v->start, 0, 0, 0);
	}
	return ret;
}

static int vma_prot(const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_READ ? PROT_READ : 0) |
	       (v->flags & CKPT_VMA_WRITE ? PROT_WRITE : 0) |
	       (v->flags & CKPT_VMA_EXEC ? PROT_EXEC : 0);
}

static bool has_pages(const struct ckpt_rec_vma *v, const struct rst_run *runs,
		      size_t nr_runs)
{
	for (size_t i = 0; i < nr_runs; i++)
		if (rst_overlaps(v->start, v->end, runs[i].vaddr,
			     runs[i].vaddr + runs[i].len))
			return true;
	return false;
}

static int map_vma(struct rst *r, const struct rst_task *t,
		   const struct ckpt_rec_vma *v, int fd, bool fill,
		   struct rst_plan *p)
{
	int prot = vma_prot(v) | (fill ? PROT_READ | PROT_WRITE : 0);
	int flags = MAP_FIXED_NOREPLACE;
	uint64_t off = 0;

	if (v->flags & CKPT_VMA_ANON) {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		fd = -1;
		if (v->flags & CKPT_VMA_GROWSDOWN)
			flags |= MAP_GROWSDOWN;
	} else {
		if (fd < 0)
			return rst_fail(r, RST_EXIT_FAILED, EBADF,
					"pid %d: no file to map at 0x%llx (%s)",
					t->task->pid, (unsigned long long)v->start,
					vma_name(v));
		flags |= (v->flags & CKPT_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE;
		off = v->pgoff * r->page_size;
	}
	return emit(p, RST_OP_MMAP, v->start, v->end - v->start, prot, flags,
		    (uint64_t)(int64_t)fd, off);
}

static int restore_mm(const struct rst_task *t, uint64_t mm_map_addr,
		      uint64_t mm_map_len,
		      struct rst_plan *p)
{
	int ret;

	ret = emit(p, RST_OP_PRCTL, PR_SET_MM, PR_SET_MM_MAP, mm_map_addr,
		   mm_map_len, 0, 0);
	/* set by tree.c while the restore could still fail */
	if (!ret)
		ret = emit(p, RST_OP_PRCTL, PR_SET_PDEATHSIG, 0, 0, 0, 0, 0);
	for (int i = 0; i < CKPT_NR_RLIMITS && !ret; i++)
		ret = emit(p, RST_OP_PRLIMIT, i, t->task->rlimits[i].cur,
			   t->task->rlimits[i].max, 0, 0, 0);
	return ret;
}

int rst_plan_build(struct rst *r, const struct rst_task *t,
		   const struct rst_self *self, const struct rst_region *reg,
		   const int *file_fds, const struct rst_run *runs,
		   size_t nr_runs, uint64_t mm_map_addr, uint64_t mm_map_len,
		   struct rst_plan *p)
{
	bool *fill = calloc(t->nr_vmas + 1, sizeof(*fill));
	int ret;

	if (!fill)
		return -ENOMEM;
	ret = emit(p, RST_OP_PERSONALITY, t->task->personality, 0, 0, 0, 0, 0);
	if (!ret)
		ret = unmap_range(p, self, reg, 0, RST_USER_TOP);
	if (!ret)
		ret = move_specials(r, t, self, reg, p);
	for (size_t i = 0; i < t->nr_vmas && !ret; i++) {
		const struct ckpt_rec_vma *v = t->vmas[i];

		if (v->tag == CKPT_TAG_SPECIAL)
			continue;
		fill[i] = has_pages(v, runs, nr_runs);
		ret = map_vma(r, t, v, file_fds[i], fill[i], p);
	}
	for (size_t i = 0; i < nr_runs && !ret; i++)
		ret = emit(p, RST_OP_PREAD, r->level_fds[runs[i].level],
			   runs[i].vaddr, runs[i].len, runs[i].offset, 0, 0);
	for (size_t i = 0; i < t->nr_vmas && !ret; i++) {
		const struct ckpt_rec_vma *v = t->vmas[i];

		if (fill[i] && vma_prot(v) != (vma_prot(v) | PROT_READ | PROT_WRITE))
			ret = emit(p, RST_OP_MPROTECT, v->start,
				   v->end - v->start, vma_prot(v), 0, 0, 0);
	}
	if (!ret)
		ret = restore_mm(t, mm_map_addr, mm_map_len, p);
	if (!ret)
		ret = emit(p, RST_OP_CLOSE, r->fd_base + 1, ~0U, 0, 0, 0, 0);
	free(fill);
	if (ret == -E2BIG)
		rst_fail(r, RST_EXIT_FAILED, E2BIG, "pid %d: operation list overflow",
			 t->task->pid);
	else if (ret == -ENOMEM)
		rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
	return ret;
}
