// SPDX-License-Identifier: GPL-2.0
/*
 * Content hashes of the pages of a dump, by process and address: the
 * dirty tracking that works on every kernel.  A dump records the hash of
 * every page it carries; once committed, its hashes become the job's base,
 * and the next incremental dump carries only pages whose hash differs.  An
 * uncommitted dump's hashes are thrown away, so it cannot make a later
 * incremental dump miss a page.
 *
 * With soft-dirty tracking (softdirty.c), a page known unchanged is not
 * read: its hash is carried over from the parent, so that every dump can
 * be the parent of the next one whichever way that one finds changes.
 *
 * Two levels of XArray: pid -> (page number -> hash).  Hashes are 63 bits
 * of xxh64 (an XArray value holds 63 bits).
 */
#include "ckpt.h"

#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <linux/xxhash.h>

#include "pagehash.h"

struct ckpt_pagehash {
	refcount_t ref;
	struct xarray procs;		/* pid -> struct xarray of hashes */
};

struct ckpt_pagehash *ckpt_pagehash_new(void)
{
	struct ckpt_pagehash *ph = kzalloc(sizeof(*ph), GFP_KERNEL_ACCOUNT);

	if (ph) {
		refcount_set(&ph->ref, 1);
		xa_init(&ph->procs);
	}
	return ph;
}

struct ckpt_pagehash *ckpt_pagehash_get(struct ckpt_pagehash *ph)
{
	if (ph)
		refcount_inc(&ph->ref);
	return ph;
}

void ckpt_pagehash_put(struct ckpt_pagehash *ph)
{
	struct xarray *pages;
	unsigned long pid;

	if (!ph || !refcount_dec_and_test(&ph->ref))
		return;
	xa_for_each(&ph->procs, pid, pages) {
		xa_destroy(pages);
		kfree(pages);
	}
	xa_destroy(&ph->procs);
	kfree(ph);
}

u64 ckpt_page_hash(const void *data)
{
	return xxh64(data, PAGE_SIZE, 0) >> 1;
}

/* The table of @pid's pages, created on first use. */
static struct xarray *ckpt_pagehash_proc(struct ckpt_pagehash *ph, pid_t pid)
{
	struct xarray *pages = xa_load(&ph->procs, pid);
	void *old;

	if (pages)
		return pages;
	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	xa_init(pages);
	old = xa_store(&ph->procs, pid, pages, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		kfree(pages);
		return ERR_PTR(xa_err(old));
	}
	return pages;
}

/*
 * One walk and one lock round trip for a run of consecutive pages: the
 * store moves to the next slot of the same node (xas_next) instead of
 * walking the tree from the top for each page.
 */
int ckpt_pagehash_add_run(struct ckpt_pagehash *ph, pid_t pid,
			  unsigned long addr, const u64 *hash, unsigned int n)
{
	struct xarray *pages;
	unsigned int i = 0;

	if (!n)
		return 0;
	pages = ckpt_pagehash_proc(ph, pid);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	{
		XA_STATE(xas, pages, addr >> PAGE_SHIFT);

		do {
			xas_lock(&xas);
			for (;;) {
				xas_store(&xas, xa_mk_value(hash[i]));
				if (xas_error(&xas) || ++i == n)
					break;
				xas_next(&xas);
			}
			xas_unlock(&xas);
		} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT));
		return xas_error(&xas);
	}
}

int ckpt_pagehash_add(struct ckpt_pagehash *ph, pid_t pid, unsigned long addr,
		      u64 hash)
{
	return ckpt_pagehash_add_run(ph, pid, addr, &hash, 1);
}

bool ckpt_pagehash_lookup(struct ckpt_pagehash *ph, pid_t pid,
			  unsigned long addr, u64 *hash)
{
	struct xarray *pages = ph ? xa_load(&ph->procs, pid) : NULL;
	void *v = pages ? xa_load(pages, addr >> PAGE_SHIFT) : NULL;

	if (!v || !xa_is_value(v))
		return false;
	*hash = xa_to_value(v);
	return true;
}

bool ckpt_pagehash_same(struct ckpt_pagehash *ph, pid_t pid,
			unsigned long addr, u64 hash)
{
	u64 h;

	return ckpt_pagehash_lookup(ph, pid, addr, &h) && h == hash;
}
