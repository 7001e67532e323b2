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
 * The mmap_lock of the address space is held only to find the pages of a
 * chunk of at most CKPT_PAGES_MAX_RUN pages and take references to them;
 * they are hashed, compared and written after it is dropped, and the next
 * chunk finds its VMA again by address.  Every page that is read is hashed
 * exactly once, and that hash is the one the stream and the dump's hashes
 * carry.  With a data file (CKPT_DUMP_DATA_FD) the pages of a chunk that
 * hold new data are written to it in one vfs_iter_write over the pages
 * themselves (a bio_vec iterator): one copy of each byte, by the file
 * system.  A page the running job may change while it is hashed and
 * written (a pre-dump) is first copied to one of the session's stable
 * pages, which is hashed and written instead; a pre-copy writes straight
 * from the running memory the pages whose changes the soft-dirty bits it
 * was announced with will show.
 *
 * An incremental dump whose parent's soft-dirty bits were cleared
 * (softdirty.c) looks at the page tables of anonymous memory first: a page
 * whose bit is clear and whose hash the parent holds is unchanged and not
 * read (get_user_pages still decides whether a page of a private file
 * mapping is a copy-on-write one); every other page is read, hashed and
 * compared as without soft-dirty bits.
 */
#include "ckpt.h"

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>

#include "compat.h"
#include "dump_pages.h"
#include "job.h"
#include "pagehash.h"
#include "record.h"
#include "regions.h"
#include "softdirty.h"

#define CKPT_PAGES_STEP_RECORDS	4	/* per step: at most 1 MiB of data */
#define CKPT_PAGES_STEP_FILE	64	/* or 16 MiB written to the data file */
#define CKPT_PAGES_STEP_SCAN	16384	/* and at most 64 MiB scanned */

/* What one chunk of pages needs, allocated once per session. */
struct ckpt_pages_scratch {
	struct page *pages[CKPT_PAGES_MAX_RUN];	/* referenced, or NULL */
	struct page *bounce[CKPT_PAGES_MAX_RUN];	/* live: stable copies */
	struct page *src[CKPT_PAGES_MAX_RUN];	/* what is hashed and written */
	u64 hash[CKPT_PAGES_MAX_RUN];	/* of each page (the parent's if unread) */
	u8 state[CKPT_PAGES_MAX_RUN];	/* enum ckpt_sd_state */
	u8 kind[CKPT_PAGES_MAX_RUN];
	struct bio_vec bv[CKPT_PAGES_MAX_RUN];
};

int ckpt_pages_ctx_init(struct ckpt_pages_ctx *pc)
{
	unsigned int i;

	pc->s = kzalloc(sizeof(*pc->s), GFP_KERNEL_ACCOUNT);
	if (!pc->s)
		return -ENOMEM;
	for (i = 0; pc->live && i < CKPT_PAGES_MAX_RUN; i++) {
		pc->s->bounce[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!pc->s->bounce[i])
			return -ENOMEM;	/* the release frees the others */
	}
	return 0;
}

void ckpt_pages_ctx_release(struct ckpt_pages_ctx *pc)
{
	unsigned int i;

	if (!pc->s)
		return;
	for (i = 0; i < CKPT_PAGES_MAX_RUN; i++)
		if (pc->s->bounce[i])
			__free_page(pc->s->bounce[i]);
	kfree(pc->s);
	pc->s = NULL;
}

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

/* A PAGES record: the contents of @src copied into the stream. */
static void ckpt_emit_run(struct ckpt_recbuf *b, pid_t pid,
			  unsigned long start, struct page **src,
			  unsigned int n)
{
	size_t body = sizeof(struct ckpt_rec_pages) + (size_t)n * PAGE_SIZE;
	struct ckpt_rec_pages *r;
	unsigned int i;

	r = ckpt_rec_start_raw(b, CKPT_REC_PAGES, sizeof(*r), body);
	if (!r)
		return;
	r->pid = pid;
	r->nr_pages = n;
	r->start = start;
	for (i = 0; i < n; i++)
		memcpy_from_page((char *)r->data + (size_t)i * PAGE_SIZE,
				 src[i], 0, PAGE_SIZE);
	ckpt_rec_finish(b, r, body);
}

/* A PAGES_FILE record: where the run goes in the data file, its hashes. */
static void ckpt_emit_file_run(struct ckpt_recbuf *b, pid_t pid,
			       unsigned long start, loff_t offset,
			       const u64 *hash, unsigned int n)
{
	size_t body = struct_size_t(struct ckpt_rec_pages_file, hash, n);
	struct ckpt_rec_pages_file *r;

	r = ckpt_rec_start_raw(b, CKPT_REC_PAGES_FILE, sizeof(*r), body);
	if (!r)
		return;
	r->pid = pid;
	r->nr_pages = n;
	r->start = start;
	r->offset = offset;
	memcpy(r->hash, hash, (size_t)n * sizeof(*hash));
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
		else if (!ckpt_pagehash_lookup(pc->carry ?: pc->parent, pid, a,
					       &hash[i]))
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
 * Hash every page read (src[]) and keep it in this dump's hashes; in an
 * incremental dump a page whose hash the parent holds too is SAME (unless
 * the parent is torn), else DATA.  A page soft-dirty says is unchanged is
 * SAME unread, with the parent's hash (already in hash[]).
 */
static int ckpt_classify(struct ckpt_pages_ctx *pc, pid_t pid,
			 unsigned long addr, unsigned int n)
{
	struct ckpt_pages_scratch *s = pc->s;
	unsigned int i, run;

	for (i = 0; i < n; i++) {
		unsigned long a = addr + i * PAGE_SIZE;
		void *src;

		s->kind[i] = CKPT_PG_NONE;
		if (s->state[i] == CKPT_SD_CLEAN ||
		    (s->state[i] == CKPT_SD_CLEAN_IF_DATA && s->pages[i])) {
			s->kind[i] = CKPT_PG_SAME;
			pc->nr_unread++;
			continue;
		}
		if (s->state[i] != CKPT_SD_DIRTY || !s->pages[i])
			continue;
		src = kmap_local_page(s->src[i]);
		s->hash[i] = ckpt_page_hash(src);
		kunmap_local(src);
		s->kind[i] = pc->parent && !pc->parent_torn &&
			     ckpt_pagehash_same(pc->parent, pid, a, s->hash[i]) ?
			     CKPT_PG_SAME : CKPT_PG_DATA;
	}
	for (i = 0; i < n; i = run) {
		int err;

		for (run = i + 1; run < n &&
		     (s->kind[run] == CKPT_PG_NONE) == (s->kind[i] == CKPT_PG_NONE);
		     run++)
			;
		if (s->kind[i] == CKPT_PG_NONE)
			continue;
		err = ckpt_pagehash_add_run(pc->hashes, pid, addr + i * PAGE_SIZE,
					    s->hash + i, run - i);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Write the @nr pages of s->bv (@bytes) to the data file at pc->pos: the
 * file system copies them once, from the pages themselves.
 */
static int ckpt_write_pages(struct ckpt_pages_ctx *pc, unsigned int nr)
{
	size_t bytes = (size_t)nr << PAGE_SHIFT;
	struct iov_iter it;
	int err = 0;

	iov_iter_bvec(&it, ITER_SOURCE, pc->s->bv, nr, bytes);
	file_start_write(pc->data);
	while (iov_iter_count(&it)) {
		ssize_t ret = vfs_iter_write(pc->data, &it, &pc->pos, 0);

		if (ret <= 0) {
			err = ret ?: -EIO;
			break;
		}
	}
	file_end_write(pc->data);
	return err;
}

/*
 * One record per run of pages of the same kind; with a data file, the
 * DATA pages of the chunk written to it in one go.
 */
static void ckpt_emit_runs(struct ckpt_recbuf *b, struct ckpt_pages_ctx *pc,
			   pid_t pid, unsigned long addr, unsigned int n,
			   unsigned int *records)
{
	struct ckpt_pages_scratch *s = pc->s;
	loff_t start_pos = pc->pos;
	unsigned int i, run, nr = 0;
	int err;

	for (i = 0; i < n; i = run) {
		for (run = i + 1; run < n && s->kind[run] == s->kind[i]; run++)
			;
		if (s->kind[i] == CKPT_PG_DATA && pc->data) {
			ckpt_emit_file_run(b, pid, addr + i * PAGE_SIZE,
					   start_pos + ((loff_t)nr << PAGE_SHIFT),
					   s->hash + i, run - i);
			pc->nr_pages += run - i;
			for (; i < run; i++, nr++) {
				s->bv[nr].bv_page = s->src[i];
				s->bv[nr].bv_len = PAGE_SIZE;
				s->bv[nr].bv_offset = 0;
			}
			(*records)++;
		} else if (s->kind[i] == CKPT_PG_DATA) {
			ckpt_emit_run(b, pid, addr + i * PAGE_SIZE, s->src + i,
				      run - i);
			pc->nr_pages += run - i;
			(*records)++;
		} else if (s->kind[i] == CKPT_PG_SAME) {
			ckpt_emit_same(b, pid, addr + i * PAGE_SIZE, run - i);
			pc->nr_same += run - i;
		}
	}
	if (!nr || b->err)
		return;
	err = ckpt_write_pages(pc, nr);
	if (err)
		ckpt_rec_fail(b, err, pid, addr, addr + ((unsigned long)n << PAGE_SHIFT),
			      "pid %d: writing %u pages of %lx-%lx to the data file at offset %lld failed: %s (error %d)",
			      pid, nr, addr, addr + ((unsigned long)n << PAGE_SHIFT),
			      (long long)start_pos,
			      err == -ENOSPC ? "its file system is full" :
			      err == -EFBIG ? "the file is too large" :
			      "write error", err);
}

/* The hashes of the clean pages of the @n from @addr of @vma, in runs. */
static int ckpt_carry_chunk(struct ckpt_pages_ctx *pc, struct vm_area_struct *vma,
			    pid_t pid, unsigned long addr, unsigned int n,
			    struct ckpt_pagehash *carry)
{
	u8 state[CKPT_PAGES_MAX_RUN];
	u64 hash[CKPT_PAGES_MAX_RUN];
	unsigned int i, k = 0;
	int err = 0;

	ckpt_softdirty_scan(vma, addr, n, state);
	for (i = 0; i <= n && !err; i++) {
		unsigned long a = addr + i * PAGE_SIZE;

		if (i < n && (state[i] == CKPT_SD_CLEAN ||
			      state[i] == CKPT_SD_CLEAN_IF_DATA) &&
		    ckpt_pagehash_lookup(pc->parent, pid, a, &hash[k])) {
			k++;
			continue;
		}
		/* the run of k pages before page i */
		err = ckpt_pagehash_add_run(carry, pid, a - k * PAGE_SIZE,
					    hash, k);
		k = 0;
	}
	return err;
}

int ckpt_pages_carry(struct ckpt_pages_ctx *pc, struct task_struct *p,
		     pid_t pid, struct ckpt_pagehash *carry)
{
	struct mm_struct *mm = get_task_mm(p);
	unsigned long addr = 0;
	int err = 0;

	if (!mm)
		return 0;		/* a zombie */
	if (!ckpt_sdbase_covers(pc->sd, pid, mm))
		goto out;		/* exec'd since: nothing is known */
	if (mmap_read_lock_killable(mm)) {
		err = -EINTR;
		goto out;
	}
	while (!err) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long next;
		unsigned int n;

		if (!vma)
			break;
		if (addr < vma->vm_start)
			addr = vma->vm_start;
		if (ckpt_vma_pages(vma) != CKPT_PAGES_GUP ||
		    !ckpt_vma_walkable(vma, CKPT_PAGES_GUP) ||
		    !ckpt_softdirty_vma(vma)) {
			addr = vma->vm_end;
			continue;
		}
		next = ckpt_pt_next_populated(mm, addr, vma->vm_end);
		if (next != addr) {
			addr = next;
			continue;
		}
		n = min_t(unsigned long, CKPT_PAGES_MAX_RUN,
			  (vma->vm_end - addr) >> PAGE_SHIFT);
		err = ckpt_carry_chunk(pc, vma, pid, addr, n, carry);
		addr += (unsigned long)n << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	mmap_read_unlock(mm);
out:
	mmput(mm);
	return err;
}

/*
 * Under @mm's mmap_lock: the next chunk of pages from *@addr on, with a
 * reference to each page to be read in s->pages and its state in
 * s->state; *@stable says whether the pages can be hashed and written as
 * they are (the job is frozen, or a pre-copy's soft-dirty bits will show
 * a change).  Returns the number of pages, 0 at the end of the address
 * space, or -errno (described in @b).
 */
static int ckpt_collect_chunk(struct ckpt_recbuf *b, struct ckpt_pages_ctx *pc,
			      struct mm_struct *mm, pid_t pid, bool sd,
			      bool track, const struct ckpt_region_snap *excl,
			      unsigned long *addr, bool *stable)
{
	struct ckpt_pages_scratch *s = pc->s;
	unsigned int n;
	int err;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (;;) {
		struct vm_area_struct *vma = find_vma(mm, *addr);
		enum ckpt_vma_pages how;
		unsigned long next;

		if (!vma) {
			n = 0;
			break;
		}
		if (*addr < vma->vm_start)
			*addr = vma->vm_start;
		how = ckpt_vma_pages(vma);
		if (how == CKPT_PAGES_REFUSE) {
			mmap_read_unlock(mm);
			return ckpt_rec_fail(b, -EOPNOTSUPP, pid, vma->vm_start,
					     vma->vm_end,
					     "pid %d: shared hugetlb mapping %lx-%lx cannot be checkpointed yet",
					     pid, vma->vm_start, vma->vm_end);
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
		*stable = !pc->live ||
			  (track && how == CKPT_PAGES_GUP && ckpt_softdirty_vma(vma));
		ckpt_sd_states(pc, sd && how == CKPT_PAGES_GUP, vma, how, excl,
			       pid, *addr, n, s->state, s->hash);
		err = ckpt_get_needed_pages(mm, vma, how, *addr, n, s->state,
					    s->pages);
		if (err) {
			mmap_read_unlock(mm);
			return ckpt_rec_fail(b, err, pid, *addr,
					     *addr + ((unsigned long)n << PAGE_SHIFT),
					     "pid %d: cannot read swapped-out shared memory at %lx (error %d)",
					     pid, *addr, err);
		}
		break;
	}
	mmap_read_unlock(mm);
	return n;
}

/*
 * Emit the next few PAGES (or PAGES_FILE) records of @mm from *@addr on.
 * Returns 1 if there is more, 0 when the address space is done, or -errno.
 */
int ckpt_dump_pages_step(struct ckpt_recbuf *b, struct ckpt_job *job,
			 struct task_struct *p, struct mm_struct *mm,
			 unsigned long *addr, struct ckpt_pages_ctx *pc)
{
	struct ckpt_pages_scratch *s = pc->s;
	pid_t pid = task_tgid_nr_ns(p, job->rec_ns);
	unsigned int records = 0, scanned = 0;
	unsigned int max_records = pc->data ? CKPT_PAGES_STEP_FILE :
					      CKPT_PAGES_STEP_RECORDS;
	bool sd = ckpt_sdbase_covers(pc->sd, pid, mm);
	bool track = ckpt_sdbase_covers(pc->track, pid, mm);
	struct ckpt_region_snap *excl;
	int ret = 1;

	if (b->err)
		return b->err;
	excl = ckpt_regions_snapshot(mm);
	if (IS_ERR(excl))
		return PTR_ERR(excl);
	while (records < max_records && scanned < CKPT_PAGES_STEP_SCAN &&
	       !b->err) {
		bool stable = false;
		unsigned int i;
		int n, err;

		n = ckpt_collect_chunk(b, pc, mm, pid, sd, track, excl, addr,
				       &stable);
		if (n <= 0) {
			ret = n;
			break;
		}
		for (i = 0; i < n; i++) {
			struct page *page = s->pages[i];

			if (page && s->state[i] == CKPT_SD_DIRTY &&
			    ckpt_regions_excluded(excl, *addr + i * PAGE_SIZE)) {
				put_page(page);	/* EXCLUDE: no data */
				s->pages[i] = page = NULL;
			}
			s->src[i] = page;
			if (page && !stable && s->state[i] == CKPT_SD_DIRTY) {
				copy_highpage(s->bounce[i], page);
				s->src[i] = s->bounce[i];
			}
		}

		err = ckpt_classify(pc, pid, *addr, n);
		if (err)
			b->err = err;
		else
			ckpt_emit_runs(b, pc, pid, *addr, n, &records);
		for (i = 0; i < n; i++)
			if (s->pages[i])
				put_page(s->pages[i]);
		*addr += (unsigned long)n << PAGE_SHIFT;
		scanned += n;
	}
	ckpt_regions_snap_free(excl);
	return b->err ?: ret;
}
