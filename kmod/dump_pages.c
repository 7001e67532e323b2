// SPDX-License-Identifier: GPL-2.0
/*
 * PAGES records: the contents of the pages of an address space that hold
 * data, in runs of up to CKPT_PAGES_MAX_RUN pages; for an incremental dump
 * only changed ones, the rest in PAGES_SAME records.
 *
 * Anonymous and private file mappings are read with get_user_pages in its
 * core-dump mode (FOLL_DUMP): the shared zero page fails instead of being
 * faulted in, swapped pages are read back.  Their page tables are looked
 * at first (softdirty.c's lockless walker, safe for VMAs with an anon_vma,
 * which every such mapping with data has): empty upper-level entries are
 * skipped whole, so a sparse reservation of terabytes costs nothing, and
 * only pages with a page table entry are handed to get_user_pages, so a
 * file page that was never faulted in is never read from its file (a FUSE
 * server that stops answering cannot wedge the dumper).  Of a private file
 * mapping only pages that were copied on write (anonymous pages) count,
 * and a mapping that never had one (no anon_vma) is skipped whole.  Shared
 * shmem and memfd mappings (and shared anonymous memory, SysV shm) are
 * read from their page cache without allocating; their swapped-out pages
 * are read back from swap.  Shared hugetlb mappings are refused with
 * -EOPNOTSUPP (their pages are not carried yet), never silently dropped.
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
#include "dump_pages.h"
#include "job.h"
#include "pagehash.h"
#include "record.h"
#include "regions.h"
#include "softdirty.h"

#define CKPT_PAGES_STEP_RECORDS	4	/* per step: at most 1 MiB of data */
#define CKPT_PAGES_STEP_SCAN	16384	/* and at most 64 MiB scanned */

enum ckpt_vma_pages {
	CKPT_PAGES_SKIP, CKPT_PAGES_GUP, CKPT_PAGES_SHMEM, CKPT_PAGES_REFUSE,
};

static enum ckpt_vma_pages ckpt_vma_pages(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return CKPT_PAGES_SKIP;
	if ((vma->vm_flags & (VM_HUGETLB | VM_SHARED)) ==
	    (VM_HUGETLB | VM_SHARED))
		return CKPT_PAGES_REFUSE;
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

/*
 * The page of shmem @mapping at @index, with a reference; NULL for a hole.
 * A swapped-out page (a swap entry in the page cache) is read back.
 */
static struct page *ckpt_shmem_page(struct address_space *mapping,
				    pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);
	struct page *page;

	if (!IS_ERR_OR_NULL(folio)) {
		page = folio_file_page(folio, index);
		get_page(page);
		folio_put(folio);
		return page;
	}
	if (!xa_is_value(xa_load(&mapping->i_pages, index)))
		return NULL;		/* a hole: never written */
	return shmem_read_mapping_page_gfp(mapping, index,
					   mapping_gfp_mask(mapping));
}

/*
 * Up to @n pages from @addr into @pages (NULL where there is no data).
 * 0, or -errno if a swapped-out shmem page cannot be read back.
 */
static int ckpt_get_pages(struct mm_struct *mm, struct vm_area_struct *vma,
			  enum ckpt_vma_pages how, unsigned long addr,
			  unsigned int n, struct page **pages)
{
	unsigned int i = 0;

	if (how == CKPT_PAGES_SHMEM) {
		struct address_space *mapping = vma->vm_file->f_mapping;
		pgoff_t index = linear_page_index(vma, addr);

		for (i = 0; i < n; i++) {
			struct page *page = ckpt_shmem_page(mapping, index + i);

			if (IS_ERR(page)) {
				while (i--)
					if (pages[i])
						put_page(pages[i]);
				memset(pages, 0, n * sizeof(*pages));
				return PTR_ERR(page);
			}
			pages[i] = page;
		}
		return 0;
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
	return 0;
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

/* May @vma's page tables be read without locks (softdirty.c)? */
static bool ckpt_vma_walkable(struct vm_area_struct *vma,
			      enum ckpt_vma_pages how)
{
	return how == CKPT_PAGES_GUP && READ_ONCE(vma->anon_vma) &&
	       !(vma->vm_flags & VM_HUGETLB);
}

/*
 * The state of each page from the page tables.  With soft-dirty (@sd), the
 * parent's hash of the clean ones goes in @hash; a clean page the parent
 * has no hash of (it held no data then, or was excluded) is read like a
 * dirty one.  Without, a page with a page table entry is DIRTY (read it)
 * and one without is a HOLE; memory whose page tables cannot be walked is
 * all DIRTY.
 */
static void ckpt_sd_states(struct ckpt_pages_ctx *pc, bool sd,
			   struct vm_area_struct *vma, enum ckpt_vma_pages how,
			   const struct ckpt_region_snap *excl, pid_t pid,
			   unsigned long addr, unsigned int n, u8 *state,
			   u64 *hash)
{
	unsigned int i;

	if (!sd || !ckpt_softdirty_vma(vma)) {
		if (!ckpt_vma_walkable(vma, how)) {
			memset(state, CKPT_SD_DIRTY, n);
			return;
		}
		ckpt_softdirty_scan(vma, addr, n, state);
		for (i = 0; i < n; i++)
			if (state[i] != CKPT_SD_HOLE)
				state[i] = CKPT_SD_DIRTY;
		return;
	}
	ckpt_softdirty_scan(vma, addr, n, state);
	for (i = 0; i < n; i++) {
		unsigned long a = addr + i * PAGE_SIZE;

		if (state[i] != CKPT_SD_CLEAN && state[i] != CKPT_SD_CLEAN_IF_DATA)
			continue;
		if (ckpt_regions_excluded(excl, a))
			state[i] = CKPT_SD_HOLE;	/* EXCLUDE: no data */
		else if (!ckpt_pagehash_lookup(pc->parent, pid, a, &hash[i]))
			state[i] = CKPT_SD_DIRTY;
	}
}

static bool ckpt_sd_needs_page(u8 state)
{
	return state == CKPT_SD_DIRTY || state == CKPT_SD_CLEAN_IF_DATA;
}

/*
 * The pages get_user_pages must look at, in runs; NULL for the others.
 * On error every entry is NULL.
 */
static int ckpt_get_needed_pages(struct mm_struct *mm,
				 struct vm_area_struct *vma,
				 enum ckpt_vma_pages how, unsigned long addr,
				 unsigned int n, const u8 *state,
				 struct page **pages)
{
	unsigned int i, end;
	int err = 0;

	memset(pages, 0, n * sizeof(*pages));
	for (i = 0; i < n && !err; i = end) {
		bool need = ckpt_sd_needs_page(state[i]);

		for (end = i + 1; end < n && ckpt_sd_needs_page(state[end]) == need;
		     end++)
			;
		if (need)
			err = ckpt_get_pages(mm, vma, how, addr + i * PAGE_SIZE,
					     end - i, pages + i);
	}
	if (err)
		for (i = 0; i < n; i++)
			if (pages[i]) {
				put_page(pages[i]);
				pages[i] = NULL;
			}
	return err;
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
	struct ckpt_region_snap *excl;
	int ret = 1;

	excl = ckpt_regions_snapshot(mm);
	if (IS_ERR(excl))
		return PTR_ERR(excl);
	if (mmap_read_lock_killable(mm)) {
		ckpt_regions_snap_free(excl);
		return -EINTR;
	}
	while (records < CKPT_PAGES_STEP_RECORDS &&
	       scanned < CKPT_PAGES_STEP_SCAN && !b->err) {
		struct vm_area_struct *vma = find_vma(mm, *addr);
		enum ckpt_vma_pages how;
		unsigned long next;
		unsigned int n, i;
		int err;

		if (!vma) {
			ret = 0;
			break;
		}
		if (*addr < vma->vm_start)
			*addr = vma->vm_start;
		how = ckpt_vma_pages(vma);
		if (how == CKPT_PAGES_REFUSE) {
			ckpt_rec_fail(b, -EOPNOTSUPP, pid, vma->vm_start,
				      vma->vm_end,
				      "pid %d: shared hugetlb mapping %lx-%lx cannot be checkpointed yet",
				      pid, vma->vm_start, vma->vm_end);
			break;
		}
		if (how == CKPT_PAGES_SKIP) {
			*addr = vma->vm_end;
			continue;
		}
		if (ckpt_vma_walkable(vma, how)) {
			next = ckpt_pt_next_populated(mm, *addr, vma->vm_end);
			if (next != *addr) {
				*addr = next;	/* holes: nothing to read */
				continue;
			}
		}
		n = min_t(unsigned long, CKPT_PAGES_MAX_RUN,
			  (vma->vm_end - *addr) >> PAGE_SHIFT);
		ckpt_sd_states(pc, sd && how == CKPT_PAGES_GUP, vma, how, excl,
			       pid, *addr, n, state, parent_hash);
		err = ckpt_get_needed_pages(mm, vma, how, *addr, n, state, pages);
		if (err) {
			ckpt_rec_fail(b, err, pid, *addr,
				      *addr + ((unsigned long)n << PAGE_SHIFT),
				      "pid %d: cannot read swapped-out shared memory at %lx (error %d)",
				      pid, *addr, err);
			break;
		}
		for (i = 0; i < n; i++) {
			if (pages[i] && state[i] == CKPT_SD_DIRTY &&
			    ckpt_regions_excluded(excl, *addr + i * PAGE_SIZE)) {
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
	ckpt_regions_snap_free(excl);
	return b->err ?: ret;
}
