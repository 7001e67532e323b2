// SPDX-License-Identifier: GPL-2.0
/*
 * Soft-dirty tracking for incremental dumps: on kernels with
 * CONFIG_MEM_SOFT_DIRTY, a write to a page sets the soft-dirty bit of its
 * page table entry, and writing 4 to /proc/<pid>/clear_refs clears them
 * all.  The module cannot clear them itself (clear_refs has no
 * write_iter, its code is not exported), so the dumper does it right
 * after a committed dump of the frozen job and says so
 * (CKPT_IOC_DUMP_SOFTDIRTY_CLEARED); this file keeps what was cleared, as
 * pid -> address space, and reads the bits back for the next incremental
 * dump.  A page whose bit is still clear holds what the parent dump saw,
 * and is listed unchanged without being read.
 *
 * The page tables are read without their locks, under mmap_lock for
 * reading, with the inline walkers of the kernel headers (follow_pte and
 * the walk_page_range family are not exported everywhere).  That is safe
 * only where page tables are not freed under mmap_lock held for reading:
 * VMAs with an anon_vma, which khugepaged never retracts.  Other memory is
 * compared by hash.  Each entry is read once (READ_ONCE) and everything
 * below it follows from that copy.
 *
 * Module parameter dirty_tracking: "auto" (soft-dirty where the kernel
 * has it), "softdirty" (the same, but refused on a kernel without it),
 * "hash" (never use soft-dirty bits: the fallback, forced for tests).
 */
#include "ckpt.h"

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/xarray.h>

#include "softdirty.h"

enum { CKPT_TRACK_AUTO, CKPT_TRACK_SOFTDIRTY, CKPT_TRACK_HASH };

static const char * const ckpt_track_names[] = {
	[CKPT_TRACK_AUTO] = "auto",
	[CKPT_TRACK_SOFTDIRTY] = "softdirty",
	[CKPT_TRACK_HASH] = "hash",
};

static int ckpt_track_mode = CKPT_TRACK_AUTO;

static int ckpt_track_set(const char *val, const struct kernel_param *kp)
{
	int mode = sysfs_match_string(ckpt_track_names, val);

	if (mode < 0)
		return -EINVAL;
	if (mode == CKPT_TRACK_SOFTDIRTY && !IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		return -EOPNOTSUPP;
	WRITE_ONCE(ckpt_track_mode, mode);
	return 0;
}

static int ckpt_track_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 ckpt_track_names[READ_ONCE(ckpt_track_mode)]);
}

static const struct kernel_param_ops ckpt_track_ops = {
	.set = ckpt_track_set,
	.get = ckpt_track_get,
};

module_param_cb(dirty_tracking, &ckpt_track_ops, NULL, 0644);
MODULE_PARM_DESC(dirty_tracking,
		 "how incremental dumps find changed pages: auto (soft-dirty bits where the kernel has them), softdirty, hash (compare page hashes)");

bool ckpt_softdirty_enabled(void)
{
	return IS_ENABLED(CONFIG_MEM_SOFT_DIRTY) &&
	       READ_ONCE(ckpt_track_mode) != CKPT_TRACK_HASH;
}

struct ckpt_sdbase {
	refcount_t ref;
	struct xarray mms;	/* pid -> mm_struct (mmgrab: identity only) */
};

struct ckpt_sdbase *ckpt_sdbase_get(struct ckpt_sdbase *sb)
{
	if (sb)
		refcount_inc(&sb->ref);
	return sb;
}

void ckpt_sdbase_put(struct ckpt_sdbase *sb)
{
	struct mm_struct *mm;
	unsigned long pid;

	if (!sb || !refcount_dec_and_test(&sb->ref))
		return;
	xa_for_each(&sb->mms, pid, mm)
		mmdrop(mm);
	xa_destroy(&sb->mms);
	kfree(sb);
}

/*
 * The address spaces of the @n processes @procs now.  Held by mmgrab, an
 * mm_struct cannot
 * be freed and its address reused, so a process that exec'd (new mm) or a
 * new process that got an old pid is never taken for a cleared one.
 */
struct ckpt_sdbase *ckpt_sdbase_new(struct task_struct *const *procs,
				    unsigned int n, struct pid_namespace *ns)
{
	struct ckpt_sdbase *sb = kzalloc(sizeof(*sb), GFP_KERNEL_ACCOUNT);
	unsigned int i;
	int err = 0;

	if (!sb)
		return ERR_PTR(-ENOMEM);
	refcount_set(&sb->ref, 1);
	xa_init(&sb->mms);
	for (i = 0; i < n && !err; i++) {
		struct task_struct *p = procs[i];
		pid_t pid = task_tgid_nr_ns(p, ns);
		struct mm_struct *mm;

		if (pid <= 0)
			continue;		/* gone meanwhile */
		mm = get_task_mm(p);
		if (!mm)
			continue;		/* a zombie: no memory */
		mmgrab(mm);
		err = xa_insert(&sb->mms, pid, mm, GFP_KERNEL_ACCOUNT);
		if (err)
			mmdrop(mm);
		mmput(mm);
	}
	if (err) {
		ckpt_sdbase_put(sb);
		return ERR_PTR(err);
	}
	return sb;
}

bool ckpt_sdbase_covers(struct ckpt_sdbase *sb, pid_t pid,
			struct mm_struct *mm)
{
	return sb && mm && xa_load(&sb->mms, pid) == mm;
}

bool ckpt_softdirty_vma(struct vm_area_struct *vma)
{
	/* VM_SOFTDIRTY: mapped (or grown) since the clear, all of it new */
	return IS_ENABLED(CONFIG_MEM_SOFT_DIRTY) && READ_ONCE(vma->anon_vma) &&
	       !(vma->vm_flags & (VM_SOFTDIRTY | VM_HUGETLB));
}

#define CKPT_SD_TABLE	0xff	/* internal: a page table follows */

static u8 ckpt_sd_pte(struct vm_area_struct *vma, pte_t pte)
{
	swp_entry_t entry;

	if (pte_none(pte))
		return CKPT_SD_HOLE;
	if (pte_present(pte)) {
		if (pte_soft_dirty(pte))
			return CKPT_SD_DIRTY;
		if (is_zero_pfn(pte_pfn(pte)))
			return CKPT_SD_HOLE;	/* read after the clear */
		/* anonymous VMAs map anonymous pages (and the zero page);
		 * private file VMAs file pages too, which are not data */
		return vma_is_anonymous(vma) ? CKPT_SD_CLEAN :
					       CKPT_SD_CLEAN_IF_DATA;
	}
	entry = pte_to_swp_entry(pte);
	if (non_swap_entry(entry))	/* migration, marker, device, poison */
		return CKPT_SD_DIRTY;
	return pte_swp_soft_dirty(pte) ? CKPT_SD_DIRTY : CKPT_SD_CLEAN;
}

/* The pmd entry for @addr in *@pmdv, or the state of the whole range it
 * would cover when there is no page table of ptes below. */
static u8 ckpt_sd_pmd(struct mm_struct *mm, unsigned long addr, pmd_t *pmdv)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud, pudv;

	if (pgd_none(READ_ONCE(*pgd)))
		return CKPT_SD_HOLE;
	if (pgd_bad(READ_ONCE(*pgd)))
		return CKPT_SD_DIRTY;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)))
		return CKPT_SD_HOLE;
	if (p4d_bad(READ_ONCE(*p4d)))
		return CKPT_SD_DIRTY;
	pud = pud_offset(p4d, addr);
	pudv = READ_ONCE(*pud);
	if (pud_none(pudv))
		return CKPT_SD_HOLE;
	if (!pud_present(pudv) || pud_bad(pudv))
		return CKPT_SD_DIRTY;		/* huge or odd: read it */
	*pmdv = READ_ONCE(*pmd_offset(pud, addr));
	if (pmd_none(*pmdv))
		return CKPT_SD_HOLE;
	if (!pmd_present(*pmdv))
		return CKPT_SD_DIRTY;		/* a huge page in migration */
	if (pmd_trans_huge(*pmdv))		/* maybe the huge zero page */
		return pmd_soft_dirty(*pmdv) ? CKPT_SD_DIRTY :
					       CKPT_SD_CLEAN_IF_DATA;
	if (pmd_bad(*pmdv))
		return CKPT_SD_DIRTY;
	return CKPT_SD_TABLE;
}

void ckpt_softdirty_scan(struct vm_area_struct *vma, unsigned long addr,
			 unsigned int n, u8 *state)
{
	unsigned long end = addr + ((unsigned long)n << PAGE_SHIFT);
	unsigned int i = 0;

	/* Page tables of VMAs retracted by khugepaged are freed after an RCU
	 * grace period; ours are never retracted, this is belt and braces. */
	rcu_read_lock();
	while (i < n) {
		unsigned long a = addr + ((unsigned long)i << PAGE_SHIFT);
		unsigned int k = (pmd_addr_end(a, end) - a) >> PAGE_SHIFT;
		pmd_t pmdv;
		u8 s = ckpt_sd_pmd(vma->vm_mm, a, &pmdv);

		if (s == CKPT_SD_TABLE) {
			pte_t *pte = pte_offset_kernel(&pmdv, a);
			unsigned int j;

			for (j = 0; j < k; j++)
				state[i + j] = ckpt_sd_pte(vma, ptep_get(pte + j));
		} else {
			memset(state + i, s, k);
		}
		i += k;
	}
	rcu_read_unlock();
}

/*
 * The first address in [@addr, @end) of @mm whose page tables hold
 * something (a page table of ptes, a huge page, or an entry the walker
 * does not understand), or @end: a sparse mapping's holes are skipped a
 * whole upper-level entry at a time.  Same rules as ckpt_softdirty_scan:
 * only for VMAs with an anon_vma, under mmap_lock.
 */
unsigned long ckpt_pt_next_populated(struct mm_struct *mm, unsigned long addr,
				     unsigned long end)
{
	rcu_read_lock();
	while (addr < end) {
		pgd_t *pgd = pgd_offset(mm, addr);
		p4d_t *p4d;
		pud_t *pud, pudv;

		if (pgd_none(READ_ONCE(*pgd))) {
			addr = pgd_addr_end(addr, end);
			continue;
		}
		if (pgd_bad(READ_ONCE(*pgd)))
			break;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(READ_ONCE(*p4d))) {
			addr = p4d_addr_end(addr, end);
			continue;
		}
		if (p4d_bad(READ_ONCE(*p4d)))
			break;
		pud = pud_offset(p4d, addr);
		pudv = READ_ONCE(*pud);
		if (pud_none(pudv)) {
			addr = pud_addr_end(addr, end);
			continue;
		}
		if (!pud_present(pudv) || pud_bad(pudv))
			break;
		if (pmd_none(READ_ONCE(*pmd_offset(pud, addr)))) {
			addr = pmd_addr_end(addr, end);
			continue;
		}
		break;
	}
	rcu_read_unlock();
	return min(addr, end);
}
