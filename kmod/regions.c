// SPDX-License-Identifier: GPL-2.0
/*
 * Regions an application tags itself (libckpt_user's ckpt_tag_region):
 * LOWER or UPPER to override the tag of its memory, EXCLUDE to keep pages
 * out of every dump.  The tags belong to the /dev/ckpt file they were made
 * through and to the address space of the process that made them; closing
 * the file forgets them.  The address space is only compared, never used:
 * mmgrab keeps the pointer from being reused while the set exists.
 *
 * Anyone may tag (it is the one ioctl open to unprivileged callers): a set
 * grows with its regions, at most CKPT_TAG_REGIONS_MAX per file, and its
 * memory is charged to the caller's memory cgroup.  The page walk of a
 * dump takes a snapshot of a process's regions once per step instead of
 * taking the global lock once per page.
 */
#include "ckpt.h"

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "record.h"
#include "regions.h"

struct ckpt_region {
	u64 start, end;
	u32 tag;
};

struct ckpt_regions {
	struct list_head node;		/* ckpt_region_sets */
	struct mm_struct *mm;		/* mmgrab: identity only */
	unsigned int n, cap;
	struct ckpt_region *r;		/* oldest first */
};

struct ckpt_region_snap {
	unsigned int n;
	struct ckpt_region r[];		/* oldest first */
};

static LIST_HEAD(ckpt_region_sets);
static DEFINE_MUTEX(ckpt_regions_lock);

static int ckpt_regions_grow(struct ckpt_regions *set)
{
	unsigned int cap = min(set->cap ? set->cap * 2 : 8, CKPT_TAG_REGIONS_MAX);
	struct ckpt_region *r;

	r = kvmalloc_array(cap, sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	if (set->n)
		memcpy(r, set->r, set->n * sizeof(*r));
	kvfree(set->r);
	set->r = r;
	set->cap = cap;
	return 0;
}

int ckpt_regions_tag(struct ckpt_regions **setp,
		     const struct ckpt_tag_region_args *a)
{
	struct ckpt_regions *set;
	int err = 0;

	if (a->flags || !a->len || !PAGE_ALIGNED(a->addr) ||
	    !PAGE_ALIGNED(a->len) || a->addr + a->len < a->addr ||
	    a->addr + a->len > TASK_SIZE_MAX)
		return -EINVAL;
	if (a->tag != CKPT_REGION_UPPER && a->tag != CKPT_REGION_LOWER &&
	    a->tag != CKPT_REGION_EXCLUDE)
		return -EINVAL;
	if (!current->mm)
		return -EINVAL;

	mutex_lock(&ckpt_regions_lock);
	set = *setp;
	if (!set) {
		set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
		if (!set) {
			err = -ENOMEM;
			goto out;
		}
		mmgrab(current->mm);
		set->mm = current->mm;
		list_add_tail(&set->node, &ckpt_region_sets);
		*setp = set;
	}
	if (set->mm != current->mm) {
		err = -EINVAL;	/* the fd came from another process */
	} else if (set->n == CKPT_TAG_REGIONS_MAX) {
		err = -ENOSPC;
	} else if (set->n < set->cap || !(err = ckpt_regions_grow(set))) {
		set->r[set->n].start = a->addr;
		set->r[set->n].end = a->addr + a->len;
		set->r[set->n].tag = a->tag;
		set->n++;
	}
out:
	mutex_unlock(&ckpt_regions_lock);
	return err;
}

void ckpt_regions_free(struct ckpt_regions *set)
{
	if (!set)
		return;
	mutex_lock(&ckpt_regions_lock);
	list_del(&set->node);
	mutex_unlock(&ckpt_regions_lock);
	mmdrop(set->mm);
	kvfree(set->r);
	kfree(set);
}

void ckpt_regions_emit(struct ckpt_recbuf *b, struct mm_struct *mm, pid_t pid)
{
	struct ckpt_regions *set;
	unsigned int i;

	mutex_lock(&ckpt_regions_lock);
	list_for_each_entry(set, &ckpt_region_sets, node) {
		if (set->mm != mm)
			continue;
		for (i = 0; i < set->n; i++) {
			struct ckpt_rec_region *r;

			r = ckpt_rec_start(b, CKPT_REC_REGION, sizeof(*r));
			if (!r)
				break;
			r->pid = pid;
			r->tag = set->r[i].tag;
			r->start = set->r[i].start;
			r->end = set->r[i].end;
			ckpt_rec_finish(b, r, sizeof(*r));
		}
	}
	mutex_unlock(&ckpt_regions_lock);
}

/*
 * The newest region of @mm covering [@start, @end) entirely, or NULL.
 * Under ckpt_regions_lock.
 */
static const struct ckpt_region *ckpt_region_covering(struct mm_struct *mm,
						      unsigned long start,
						      unsigned long end)
{
	const struct ckpt_region *found = NULL;
	struct ckpt_regions *set;
	unsigned int i;

	list_for_each_entry(set, &ckpt_region_sets, node) {
		if (set->mm != mm)
			continue;
		for (i = 0; i < set->n; i++) {
			const struct ckpt_region *r = &set->r[i];

			if (r->start <= start && r->end >= end)
				found = r;	/* later entries are newer */
		}
	}
	return found;
}

/* The application's LOWER/UPPER tag for a whole VMA, or 0. */
u32 ckpt_regions_tag_of(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	const struct ckpt_region *r;
	u32 tag = 0;

	mutex_lock(&ckpt_regions_lock);
	r = ckpt_region_covering(mm, start, end);
	if (r && r->tag != CKPT_REGION_EXCLUDE)
		tag = r->tag;
	mutex_unlock(&ckpt_regions_lock);
	return tag;
}

/*
 * Every region of @mm, oldest first, in one allocation: NULL if it has
 * none, or an ERR_PTR.
 */
struct ckpt_region_snap *ckpt_regions_snapshot(struct mm_struct *mm)
{
	struct ckpt_region_snap *snap = NULL;
	struct ckpt_regions *set;
	unsigned int n = 0;

	mutex_lock(&ckpt_regions_lock);
	list_for_each_entry(set, &ckpt_region_sets, node)
		if (set->mm == mm)
			n += set->n;
	if (n) {
		snap = kvmalloc(struct_size(snap, r, n), GFP_KERNEL_ACCOUNT);
		if (!snap) {
			snap = ERR_PTR(-ENOMEM);
			goto out;
		}
		snap->n = 0;
		list_for_each_entry(set, &ckpt_region_sets, node) {
			if (set->mm != mm)
				continue;
			memcpy(snap->r + snap->n, set->r, set->n * sizeof(*set->r));
			snap->n += set->n;
		}
	}
out:
	mutex_unlock(&ckpt_regions_lock);
	return snap;
}

void ckpt_regions_snap_free(struct ckpt_region_snap *snap)
{
	if (!IS_ERR_OR_NULL(snap))
		kvfree(snap);
}

/* Is the page at @addr excluded?  The newest region covering it says. */
bool ckpt_regions_excluded(const struct ckpt_region_snap *snap,
			   unsigned long addr)
{
	unsigned int i;

	if (IS_ERR_OR_NULL(snap))
		return false;
	for (i = snap->n; i--;) {
		const struct ckpt_region *r = &snap->r[i];

		if (r->start < addr + PAGE_SIZE && r->end > addr)
			return r->tag == CKPT_REGION_EXCLUDE;
	}
	return false;
}
