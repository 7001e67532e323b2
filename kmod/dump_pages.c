// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES records: the contents of the pages of an address space that hold
 * data, in runs of up to CKPT_PAGES_MAX_RUN pages; for an incremental dump
 * only changed ones, the rest in PAGES_SAME records.
 *
 * Anonymous and private file mappings are read with get_user_pages in its
 * core-dump mode (FOLL_DUMP): holes and the shared zero page fail instead
 * of being faulted in, swapped pages are read back.  Of a private file
 * mapping only pages that were copied on write (anonymous pages) count,
 * and a mapping that never had one (no anon_vma) is skipped whole.  Shared
 * shmem and memfd mappings (and shared anonymous memory) are read from
 * their page cache without allocating.
 * Device mappings, the vdso/vvar and shared file mappings carry no data.
 *
 * An incremental dump whose parent's soft-dirty bits were cleared
 * (softdirty.c) looks at the page tables of anonymous memory first: a page
 * whose bit is clear and whose hash the parent holds is unchanged and not
 * read (get_user_pages still decides whether a page of a private file
 * mapping is a copy-on-write one); every other page is read, hashed and
 * compared as without soft-dirty bits.
 */
#include "ckpt.h"

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "compat.h"
#include "dump.h"
#include "job.h"
#include "pagehash.h"
#include "regions.h"
#include "softdirty.h"

#define CKPT_PAGES_STEP_RECORDS	4	/* per step: at most 1 MiB of data */
#define CKPT_PAGES_STEP_SCAN	16384	/* and at most 64 MiB scanned */

enum ckpt_vma_pages { CKPT_PAGES_SKIP, CKPT_PAGES_GUP, CKPT_PAGES_SHMEM };

static enum ckpt_vma_pages ckpt_vma_pages(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return CKPT_PAGES_SKIP;
	if (!vma->vm_file) {
		if (vma->vm_ops && vma->vm_ops->name)
			return CKPT_PAGES_SKIP;		/* vdso, vvar */
		if (vma->vm_flags & VM_SHARED)
			return CKPT_PAGES_SHMEM;	/* shared anonymous */
		/* never faulted (e.g. a PROT_NONE reservation): no pages */
		return vma->anon_vma ? CKPT_PAGES_GUP : CKPT_PAGES_SKIP;
	}
	if (vma->vm_flags & VM_SHARED)	/* memfd/shmem: in memory only */
		return shmem_file(vma->vm_file) ? CKPT_PAGES_SHMEM :
		       CKPT_PAGES_SKIP;		/* the data is in the file */
	return vma->anon_vma ? CKPT_PAGES_GUP : CKPT_PAGES_SKIP;
}

/* Up to @n pages from @addr into @pages (NULL where there is no data). */
static void ckpt_get_pages(struct mm_struct *mm, struct vm_area_struct *vma,
			   enum ckpt_vma_pages how, unsigned long addr,
			   unsigned int n, struct page **pages)
{
	unsigned int i = 0;

	if (how == CKPT_PAGES_SHMEM) {
		struct address_space *mapping = vma->vm_file->f_mapping;
		pgoff_t index = linear_page_index(vma, addr);

		for (i = 0; i < n; i++) {
			struct folio *folio = filemap_get_folio(mapping, index + i);

			pages[i] = NULL;
			if (IS_ERR_OR_NULL(folio))
				continue;
			pages[i] = folio_file_page(folio, index + i);
			get_page(pages[i]);
			folio_put(folio);
		}
		return;
	}

	while (i < n) {
		long got = ckpt_gup_remote(mm, addr + i * PAGE_SIZE, n - i,
					   FOLL_FORCE | FOLL_DUMP, pages + i, NULL);
		unsigned int k;

		if (got <= 0) {
			pages[i++] = NULL;	/* a hole or the zero page */
			continue;
		}
		for (k = i; k < i + got; k++) {
			if (vma->vm_file && !PageAnon(pages[k])) {
				put_page(pages[k]);	/* unmodified file page */
				pages[k] = NULL;
			}
		}
		i += got;
	}
}

static void ckpt_emit_same(struct ckpt_recbuf *b, pid_t pid,
			   unsigned long start, unsigned int n)
{
	struct ckpt_rec_pages_same *r;

	r = ckpt_rec_start(b, CKPT_REC_PAGES_SAME, sizeof(*r));
	if (!r)
		return;
	r->pid = pid;
	r->nr_pages = n;
	r->start = start;
	ckpt_rec_finish(b, r, sizeof(*r));
}

static void ckpt_emit_run(struct ckpt_recbuf *b, struct ckpt_pages_ctx *pc,
			  pid_t pid, unsigned long start, struct page **pages,
			  unsigned int n)
{
	size_t body = sizeof(struct ckpt_rec_pages) + (size_t)n * PAGE_SIZE;
	struct ckpt_rec_pages *r;
	unsigned int i;
	int err;

	r = ckpt_rec_start(b, CKPT_REC_PAGES, body);
	if (!r)
		return;
	r->pid = pid;
	r->nr_pages = n;
	r->start = start;
	for (i = 0; i < n; i++) {
		u8 *dst = r->data + (size_t)i * PAGE_SIZE;
		void *src = kmap_local_page(pages[i]);

		memcpy(dst, src, PAGE_SIZE);
		kunmap_local(src);
		if (!pc->live)
			continue;
		err = ckpt_pagehash_add(pc->hashes, pid, start + i * PAGE_SIZE,
					ckpt_page_hash(dst));
		if (err)
			b->err = err;
	}
	ckpt_rec_finish(b, r, body);
}

enum { CKPT_PG_NONE, CKPT_PG_DATA, CKPT_PG_SAME };

/*
 * Soft-dirty: the state of each page from the page tables, with the
 * parent's hash of the clean ones in @hash.  A clean page the parent has
 * no hash of (it held no data then, or was excluded) is read like a dirty
 * one.  Without soft-dirty bits for @vma every page is DIRTY: read it.
 */
static void ckpt_sd_states(struct ckpt_pages_ctx *pc, bool sd,
			   struct vm_area_struct *vma, pid_t pid,
			   unsigned long addr, unsigned int n, u8 *state,
			   u64 *hash)
{
	unsigned int i;

	if (!sd || !ckpt_softdirty_vma(vma)) {
		memset(state, CKPT_SD_DIRTY, n);
		return;
	}
	ckpt_softdirty_scan(vma, addr, n, state);
	for (i = 0; i < n; i++) {
		unsigned long a = addr + i * PAGE_SIZE;

		if (state[i] != CKPT_SD_CLEAN && state[i] != CKPT_SD_CLEAN_IF_DATA)
			continue;
		if (ckpt_regions_excluded(vma->vm_mm, a))
			state[i] = CKPT_SD_HOLE;	/* EXCLUDE: no data */
		else if (!ckpt_pagehash_lookup(pc->parent, pid, a, &hash[i]))
			state[i] = CKPT_SD_DIRTY;
	}
}

static bool ckpt_sd_needs_page(u8 state)
{
	return state == CKPT_SD_DIRTY || state == CKPT_SD_CLEAN_IF_DATA;
}

/* The pages get_user_pages must look at, in runs; NULL for the others. */
static void ckpt_get_needed_pages(struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  enum ckpt_vma_pages how, unsigned long addr,
				  unsigned int n, const u8 *state,
				  struct page **pages)
{
	unsigned int i, end;

	for (i = 0; i < n; i = end) {
		bool need = ckpt_sd_needs_page(state[i]);

		for (end = i + 1; end < n && ckpt_sd_needs_page(state[end]) == need;
		     end++)
			;
		if (need)
			ckpt_get_pages(mm, vma, how, addr + i * PAGE_SIZE,
				       end - i, pages + i);
		else
			memset(pages + i, 0, (end - i) * sizeof(*pages));
	}
}

/*
 * Hash every page with data into this dump's hashes; in an incremental
 * dump a page whose hash the parent holds too is SAME, else DATA.  A page
 * soft-dirty says is unchanged is SAME unread, with the parent's hash.
 */
static int ckpt_classify(struct ckpt_pages_ctx *pc, pid_t pid,
			 unsigned long addr, struct page **pages,
			 const u8 *state, const u64 *parent_hash,
			 unsigned int n, u8 *kind)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		unsigned long a = addr + i * PAGE_SIZE;
		void *src;
		u64 h;

		kind[i] = CKPT_PG_NONE;
		if (state[i] == CKPT_SD_CLEAN ||
		    (state[i] == CKPT_SD_CLEAN_IF_DATA && pages[i])) {
			kind[i] = CKPT_PG_SAME;
			pc->nr_unread++;
			err = ckpt_pagehash_add(pc->hashes, pid, a,
						parent_hash[i]);
			if (err)
				return err;
			continue;
		}
		if (state[i] != CKPT_SD_DIRTY || !pages[i])
			continue;
		src = kmap_local_page(pages[i]);
		h = ckpt_page_hash(src);
		kunmap_local(src);
		kind[i] = pc->parent && ckpt_pagehash_same(pc->parent, pid, a, h) ?
			  CKPT_PG_SAME : CKPT_PG_DATA;
		/* a live page may change before it is copied: then the hash
		 * of the copy is the one to keep (ckpt_emit_run) */
		if (kind[i] == CKPT_PG_DATA && pc->live)
			continue;
		err = ckpt_pagehash_add(pc->hashes, pid, a, h);
		if (err)
			return err;
	}
	return 0;
}

/* One record per run of pages of the same kind. */
static void ckpt_emit_runs(struct ckpt_recbuf *b, struct ckpt_pages_ctx *pc,
			   pid_t pid, unsigned long addr, struct page **pages,
			   const u8 *kind, unsigned int n, unsigned int *records)
{
	unsigned int i, run;

	for (i = 0; i < n; i = run) {
		for (run = i + 1; run < n && kind[run] == kind[i]; run++)
			;
		if (kind[i] == CKPT_PG_DATA) {
			ckpt_emit_run(b, pc, pid, addr + i * PAGE_SIZE,
				      pages + i, run - i);
			pc->nr_pages += run - i;
			(*records)++;
		} else if (kind[i] == CKPT_PG_SAME) {
			ckpt_emit_same(b, pid, addr + i * PAGE_SIZE, run - i);
			pc->nr_same += run - i;
		}
	}
}

/*
 * Emit the next few PAGES records of @mm from *@addr on.  Returns 1 if
 * there is more, 0 when the address space is done, or -errno.
 */
int ckpt_dump_pages_step(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 unsigned long *addr, struct ckpt_pages_ctx *pc)
{
	u8 kind[CKPT_PAGES_MAX_RUN], state[CKPT_PAGES_MAX_RUN];
	u64 parent_hash[CKPT_PAGES_MAX_RUN];
	struct page *pages[CKPT_PAGES_MAX_RUN];
	pid_t pid = task_tgid_nr_ns(p, job->rec_ns);
	unsigned int records = 0, scanned = 0;
	bool sd = ckpt_sdbase_covers(pc->sd, pid, mm);
	int ret = 1;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (records < CKPT_PAGES_STEP_RECORDS &&
	       scanned < CKPT_PAGES_STEP_SCAN && !b->err) {
		struct vm_area_struct *vma = find_vma(mm, *addr);
		enum ckpt_vma_pages how;
		unsigned int n, i;
		int err;

		if (!vma) {
			ret = 0;
			break;
		}
		if (*addr < vma->vm_start)
			*addr = vma->vm_start;
		how = ckpt_vma_pages(vma);
		if (how == CKPT_PAGES_SKIP) {
			*addr = vma->vm_end;
			continue;
		}
		n = min_t(unsigned long, CKPT_PAGES_MAX_RUN,
			  (vma->vm_end - *addr) >> PAGE_SHIFT);
		ckpt_sd_states(pc, sd && how == CKPT_PAGES_GUP, vma, pid, *addr,
			       n, state, parent_hash);
		ckpt_get_needed_pages(mm, vma, how, *addr, n, state, pages);
		for (i = 0; i < n; i++) {
			if (pages[i] && state[i] == CKPT_SD_DIRTY &&
			    ckpt_regions_excluded(mm, *addr + i * PAGE_SIZE)) {
				put_page(pages[i]);	/* EXCLUDE: no data */
				pages[i] = NULL;
			}
		}

		err = ckpt_classify(pc, pid, *addr, pages, state, parent_hash,
				    n, kind);
		if (err)
			b->err = err;
		else
			ckpt_emit_runs(b, pc, pid, *addr, pages, kind, n, &records);
		for (i = 0; i < n; i++)
			if (pages[i])
				put_page(pages[i]);
		*addr += (unsigned long)n << PAGE_SHIFT;
		scanned += n;
	}
	mmap_read_unlock(mm);
	return b->err ?: ret;
}
