// SPDX-License-Identifier: GPL-2.0
/*
 * Verifying an image: every checksum the manifest names, records.img
 * parsed as a dump stream, every pagemap entry in range, and for an
 * incremental image the parent chain, down to each unchanged page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_stream.h"
#include "image.h"
#include "zread.h"
#include "xxh64.h"

/*
 * Version 3: exactly the pages DATA entries cover, each against the
 * module's hash of it; pages of pages.img no entry covers (superseded
 * pre-copy pages) are not read.
 */
static int verify_page_sums(struct ckptd_image *img, struct ckpt_err *err)
{
	uint64_t ps = img->man.page_size;
	size_t per = CKPT_IMG_CHUNK / ps ? CKPT_IMG_CHUNK / ps : 1;
	uint8_t *buf = malloc(per * ps);
	int ret = 0;

	if (!buf)
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", img->dir);
	for (uint64_t i = 0; i < img->man.nr_pme && !ret; i++) {
		const struct ckpt_img_pme *e = &img->pagemap[i];

		if (e->flags != CKPT_IMG_PME_DATA)
			continue;
		for (uint64_t p = 0; p < e->nr_pages && !ret; p += per) {
			uint64_t n = e->nr_pages - p < per ? e->nr_pages - p : per;
			uint64_t off = e->offset + p * ps;
			ssize_t got = pread(img->pages_fd, buf, n * ps, off);

			if (got != (ssize_t)(n * ps)) {
				ret = ckpt_err_set(err, got < 0 ? -errno : -EBADMSG,
						   "%s/" CKPT_IMG_PAGES ": read at offset %llu: %s",
						   img->dir, (unsigned long long)off,
						   got < 0 ? strerror(errno) : "file shorter than the manifest says");
				break;
			}
			for (uint64_t k = 0; k < n; k++) {
				uint64_t at = off + k * ps;

				if (ckptd_page_sum(buf + k * ps, ps) == img->chunk_sums[at / ps])
					continue;
				ret = ckpt_err_set(err, -EBADMSG,
						   "%s/" CKPT_IMG_PAGES ": checksum mismatch of the page at offset %llu (pid %d, address 0x%llx): page data is corrupt; restore from another checkpoint",
						   img->dir, (unsigned long long)at, e->pid,
						   (unsigned long long)(e->vaddr + (p + k) * ps));
				break;
			}
		}
	}
	free(buf);
	return ret;
}

static int verify_pages(struct ckptd_image *img, struct ckpt_err *err)
{
	uint64_t size = img->man.files[CKPT_IMG_F_PAGES].size;
	uint8_t *buf = malloc(CKPT_IMG_CHUNK);
	struct ckptd_xxh64 all;
	int ret = 0;

	if (img->man.version == CKPT_IMG_VERSION_PLAIN) {
		free(buf);
		return verify_page_sums(img, err);
	}
	if (ckptd_image_zfile(img, CKPT_IMG_F_PAGES)) {
		free(buf);
		if (img->pages_checked)
			return 0;	/* decompressed with every check already */
		return ckptd_image_zpages(img, img->want_pages_fd, err);
	}
	if (!buf) {
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", img->dir);
	}
	ckptd_xxh64_init(&all, 0);
	for (uint64_t i = 0; i < img->man.nr_chunks && !ret; i++) {
		uint64_t off = i * CKPT_IMG_CHUNK;
		size_t len = size - off < CKPT_IMG_CHUNK ? size - off : CKPT_IMG_CHUNK;
		ssize_t n = pread(img->pages_fd, buf, len, off);

		if (n != (ssize_t)len) {
			ret = n < 0 ? -errno : -EBADMSG;
			ckpt_err_msg(err, "%s/" CKPT_IMG_PAGES ": read at offset %llu: %s",
				      img->dir, (unsigned long long)off,
				      n < 0 ? strerror(errno) : "file shorter than the manifest says");
			break;
		}
		ckptd_xxh64_update(&all, buf, len);
		if (ckptd_xxh64(buf, len, 0) != img->chunk_sums[i]) {
			ckpt_err_msg(err, "%s/" CKPT_IMG_PAGES ": checksum mismatch in chunk %llu (offset %llu, %zu bytes): page data is corrupt",
				      img->dir, (unsigned long long)i,
				      (unsigned long long)off, len);
			ret = -EBADMSG;
		}
	}
	if (!ret && ckptd_xxh64_digest(&all) != img->man.files[CKPT_IMG_F_PAGES].xxh64) {
		ckpt_err_msg(err, "%s/" CKPT_IMG_PAGES ": whole-file checksum mismatch: page data is corrupt",
			      img->dir);
		ret = -EBADMSG;
	}
	free(buf);
	return ret;
}

static int verify_records(struct ckptd_image *img, struct ckpt_err *err)
{
	uint32_t tasks = 0, threads = 0, vmas = 0;
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	bool end = false;
	size_t body;
	int ret;

	/* a compressed records.img was checked chunk by chunk at open */
	if (!ckptd_image_zfile(img, CKPT_IMG_F_RECORDS) &&
	    ckptd_xxh64(img->records, img->records_len, 0) !=
	    img->man.files[CKPT_IMG_F_RECORDS].xxh64) {
		return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_RECORDS ": checksum mismatch: the records are corrupt",
			      img->dir);
	}
	ckpt_stream_init(&s, img->records, img->records_len);
	while ((ret = ckpt_stream_next(&s, &rec, &body)) > 0) {
		uint64_t off = s.off - rec->len;

		if (end || rec->type == CKPT_REC_PAGES ||
		    rec->type == CKPT_REC_PAGES_SAME) {
			return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_RECORDS ": unexpected %s record at offset %llu",
				      img->dir, ckpt_rec_name(rec->type),
				      (unsigned long long)off);
		}
		if (rec->type == CKPT_REC_BEGIN) {
			const struct ckpt_rec_begin *b = (const void *)(rec + 1);

			if (b->job_id != img->man.job_id ||
			    b->dump_seq != img->man.seq ||
			    b->parent_seq != img->man.parent_seq) {
				return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_RECORDS ": BEGIN (job %u seq %llu) does not match the manifest (job %u seq %llu)",
					      img->dir, b->job_id,
					      (unsigned long long)b->dump_seq,
					      img->man.job_id,
					      (unsigned long long)img->man.seq);
			}
		}
		tasks += rec->type == CKPT_REC_TASK;
		threads += rec->type == CKPT_REC_THREAD;
		vmas += rec->type == CKPT_REC_VMA;
		end |= rec->type == CKPT_REC_END;
	}
	if (ret < 0) {
		return ckpt_err_set(err, ret, "%s/" CKPT_IMG_RECORDS ": %s", img->dir, s.error);
	}
	if (!end || tasks != img->man.nr_tasks || threads != img->man.nr_threads ||
	    vmas != img->man.nr_vmas) {
		return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_RECORDS ": %s (%u tasks, %u threads, %u VMAs; the manifest says %u, %u, %u)",
			      img->dir, end ? "record counts differ" : "no END record (truncated)",
			      tasks, threads, vmas, img->man.nr_tasks,
			      img->man.nr_threads, img->man.nr_vmas);
	}
	return 0;
}

static int bad_pme(struct ckptd_image *img, uint64_t i, const char *what,
		   struct ckpt_err *err)
{
	return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_PAGEMAP ": entry %llu (offset %llu): %s",
		      img->dir, (unsigned long long)i,
		      (unsigned long long)(i * sizeof(struct ckpt_img_pme)), what);
}

/*
 * Version 3: DATA entries in any order, but no page of pages.img is two
 * entries' (a bitmap of its pages).
 */
static int claim_pages(struct ckptd_image *img, uint8_t *used, uint64_t i,
		       const struct ckpt_img_pme *e, struct ckpt_err *err)
{
	uint64_t first = e->offset / img->man.page_size;

	if (e->offset % img->man.page_size)
		return bad_pme(img, i, "offset not page-aligned", err);
	for (uint64_t k = first; k < first + e->nr_pages; k++) {
		if (used[k / 8] & (1U << (k % 8))) {
			char what[160];

			snprintf(what, sizeof(what),
				 "page at offset %llu of " CKPT_IMG_PAGES " is another entry's too",
				 (unsigned long long)(k * img->man.page_size));
			return bad_pme(img, i, what, err);
		}
		used[k / 8] |= 1U << (k % 8);
	}
	return 0;
}

static int verify_pagemap(struct ckptd_image *img, struct ckpt_err *err)
{
	uint64_t ps = img->man.page_size, next = 0, data = 0, same = 0;
	uint64_t pages_size = img->zi.raw_size[CKPT_IMG_F_PAGES];
	bool v3 = img->man.version == CKPT_IMG_VERSION_PLAIN;
	uint8_t *used = NULL;
	int ret = 0;

	if (ckptd_xxh64(img->pagemap, img->man.nr_pme * sizeof(*img->pagemap), 0) !=
	    img->man.files[CKPT_IMG_F_PAGEMAP].xxh64) {
		return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_PAGEMAP ": checksum mismatch: the page index is corrupt",
			      img->dir);
	}
	if (v3) {
		used = calloc(1, img->man.nr_chunks / 8 + 1);
		if (!used)
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory", img->dir);
	}
	for (uint64_t i = 0; i < img->man.nr_pme && !ret; i++) {
		const struct ckpt_img_pme *e = &img->pagemap[i];
		uint64_t len = e->nr_pages * ps;

		if (e->pad || !e->nr_pages || e->vaddr % ps ||
		    (e->flags != CKPT_IMG_PME_DATA && e->flags != CKPT_IMG_PME_SAME)) {
			ret = bad_pme(img, i, "bad flags, padding, count or address", err);
			break;
		}
		if (e->vaddr + len < e->vaddr) {
			ret = bad_pme(img, i, "address range past the end of the address space", err);
			break;
		}
		if (e->flags == CKPT_IMG_PME_SAME) {
			if (!img->man.parent_seq)
				ret = bad_pme(img, i, "unchanged pages in a full image", err);
			same += e->nr_pages;
			continue;
		}
		if (e->offset > pages_size || len > pages_size - e->offset) {
			char what[160];

			snprintf(what, sizeof(what),
				 "%u pages at offset %llu point past the end of " CKPT_IMG_PAGES " (%llu bytes)",
				 e->nr_pages, (unsigned long long)e->offset,
				 (unsigned long long)pages_size);
			ret = bad_pme(img, i, what, err);
			break;
		}
		if (v3)
			ret = claim_pages(img, used, i, e, err);
		else if (e->offset != next)
			ret = bad_pme(img, i, "offset not in stream order (overlapping or gap)", err);
		next += len;
		data += e->nr_pages;
	}
	free(used);
	if (ret)
		return ret;
	if ((!v3 && next != pages_size) || data != img->man.nr_pages ||
	    same != img->man.nr_pages_same) {
		return ckpt_err_set(err, -EBADMSG, "%s/" CKPT_IMG_PAGEMAP ": indexes %llu pages (%llu unchanged), the manifest says %llu (%llu)",
			      img->dir, (unsigned long long)data,
			      (unsigned long long)same,
			      (unsigned long long)img->man.nr_pages,
			      (unsigned long long)img->man.nr_pages_same);
	}
	return 0;
}

/*
 * Every unchanged page must exist somewhere up the chain: each run is
 * covered by the parent's entries, found one entry at a time (not page by
 * page: a run may claim 2^32 pages).
 */
static int verify_same(struct ckptd_image *img, struct ckptd_image *parent,
		       struct ckpt_err *err)
{
	uint64_t ps = img->man.page_size;

	for (uint64_t i = 0; i < img->man.nr_pme; i++) {
		const struct ckpt_img_pme *e = &img->pagemap[i];
		uint64_t va = e->vaddr, end = e->vaddr + e->nr_pages * ps;

		if (e->flags != CKPT_IMG_PME_SAME)
			continue;
		while (va < end) {
			const struct ckpt_img_pme *p = ckptd_image_find(parent, e->pid, va);
			uint64_t next = p ? p->vaddr + p->nr_pages * ps : 0;
			char what[160];

			if (!p || next <= va) {
				snprintf(what, sizeof(what),
					 "unchanged page 0x%llx of pid %d is not in parent %llu",
					 (unsigned long long)va, e->pid,
					 (unsigned long long)parent->man.seq);
				return bad_pme(img, i, what, err);
			}
			va = next;
		}
	}
	return 0;
}

static int verify(struct ckptd_image *img, int chain, struct ckpt_err *err)
{
	struct ckptd_image *parent;
	int ret;

	ret = verify_records(img, err);
	if (!ret)
		ret = verify_pagemap(img, err);
	if (!ret)
		ret = verify_pages(img, err);
	if (ret || !img->man.parent_seq)
		return ret;
	ret = ckptd_image_parent(img, &parent, err);
	if (!ret)
		ret = verify_same(img, parent, err);
	if (!ret && chain)
		ret = verify(parent, 1, err);
	return ret;
}

int ckptd_image_verify(struct ckptd_image *img, struct ckpt_err *err)
{
	return verify(img, 1, err);
}

int ckptd_image_verify_top(struct ckptd_image *img, struct ckpt_err *err)
{
	return verify(img, 0, err);
}
