// SPDX-License-Identifier: GPL-2.0
/*
 * Where each page of a process comes from: the image restored holds the
 * changed pages, and PAGES_SAME entries send a reader to the parent, and
 * on up the chain.  The result is a list of runs (address, length, level,
 * offset in that level's pages.img), merged where contiguous, in address
 * order, that the blob reads straight into place.
 */
#include <errno.h>
#include <stdlib.h>

#include "memory.h"

struct runs {
	struct rst_run *v;
	size_t nr, cap;
};

static int add(struct runs *rs, uint64_t vaddr, uint64_t len,
	       unsigned int level, uint64_t offset)
{
	struct rst_run *last = rs->nr ? &rs->v[rs->nr - 1] : NULL;

	if (last && last->level == level && last->vaddr + last->len == vaddr &&
	    last->offset + last->len == offset) {
		last->len += len;
		return 0;
	}
	if (rs->nr == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct rst_run *n = realloc(rs->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rs->v = n;
		rs->cap = cap;
	}
	rs->v[rs->nr++] = (struct rst_run){
		.vaddr = vaddr, .len = len, .offset = offset, .level = level,
	};
	return 0;
}

/* One unchanged page: the first ancestor holding its data. */
static int resolve_same(struct rst *r, struct runs *rs, pid_t pid,
			uint64_t vaddr)
{
	for (unsigned int l = 1; l < r->nr_levels; l++) {
		const struct ckpt_img_pme *e =
			ckptd_image_find(r->levels[l], pid, vaddr);

		if (!e)
			break;
		if (e->flags & CKPT_IMG_PME_DATA)
			return add(rs, vaddr, r->page_size, l,
				   e->offset + (vaddr - e->vaddr));
	}
	return rst_fail(r, RST_EXIT_IMAGE, EBADMSG,
			"%s: page 0x%llx of pid %d is marked unchanged but no parent image holds it; the chain is broken, restore from a full image",
			r->img->dir, (unsigned long long)vaddr, pid);
}

int rst_page_runs(struct rst *r, pid_t pid, struct rst_run **out, size_t *nr)
{
	const struct ckptd_image *img = r->levels[0];
	struct runs rs = { 0 };
	int ret = 0;

	for (uint64_t i = 0; i < img->man.nr_pme && !ret; i++) {
		const struct ckpt_img_pme *e = &img->pagemap[img->sorted[i]];
		uint64_t len = (uint64_t)e->nr_pages * r->page_size;

		if (e->pid != pid)
			continue;
		if (e->flags & CKPT_IMG_PME_DATA) {
			ret = add(&rs, e->vaddr, len, 0, e->offset);
			continue;
		}
		for (uint64_t a = e->vaddr; a < e->vaddr + len && !ret;
		     a += r->page_size)
			ret = resolve_same(r, &rs, pid, a);
	}
	if (ret) {
		if (ret == -ENOMEM)
			rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
		free(rs.v);
		return ret;
	}
	*out = rs.v;
	*nr = rs.nr;
	return 0;
}
