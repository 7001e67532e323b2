// SPDX-License-Identifier: GPL-2.0
/*
 * The pages of an image being written, from one or more dump streams:
 * each stream's page records become runs (DATA: at an offset of the data
 * file, with the hash of each page; SAME: in the image's parent), and a
 * stream after the first (the final dump after a pre-copy) has its
 * PAGES_SAME resolved against the runs of the stream before it: a page
 * the pre-copy wrote is DATA at the pre-copy's offset, a page the
 * pre-copy found unchanged is SAME, i.e. in the image's parent.  The data
 * file's pages that no run of the last stream covers were superseded and
 * are punched out at commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"
#include "xxh64.h"

int ckptd_wr_fail(struct ckptd_image_wr *w, struct ckpt_err *err, int ret,
		  const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	w->failed = ret;
	return ckpt_err_set(err, ret, "%s: dump stream %u: %s; no image written",
			    w->name, w->nr_streams + 1, what);
}

void ckptd_wr_map_free(struct ckptd_wr_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Room for the sums of the data file's first @pages pages. */
static int sums_reserve(struct ckptd_image_wr *w, uint64_t pages,
			struct ckpt_err *err)
{
	if (pages > w->sums_cap) {
		size_t cap = w->sums_cap ? w->sums_cap : 1024;
		uint64_t *n;

		while (cap < pages)
			cap *= 2;
		n = realloc(w->sums, cap * sizeof(*n));
		if (!n)
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory for the sums of %llu pages",
					    w->name, (unsigned long long)pages);
		memset(n + w->sums_cap, 0, (cap - w->sums_cap) * sizeof(*n));
		w->sums = n;
		w->sums_cap = cap;
	}
	if (pages > w->nr_sums)
		w->nr_sums = pages;
	return 0;
}

static int add_run(struct ckptd_image_wr *w, int32_t pid, uint32_t flags,
		   uint64_t vaddr, uint32_t nr, uint64_t off, struct ckpt_err *err)
{
	struct ckptd_wr_map *m = &w->cur;
	struct ckptd_wr_run *last = m->n ? &m->v[m->n - 1] : NULL;

	/* a pre-copy's runs resolved one after another join up again */
	if (last && last->pid == pid && last->flags == flags &&
	    last->vaddr + (uint64_t)last->nr * w->page_size == vaddr &&
	    (flags == CKPT_IMG_PME_SAME ||
	     last->off + (uint64_t)last->nr * w->page_size == off) &&
	    (uint64_t)last->nr + nr <= UINT32_MAX) {
		last->nr += nr;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		struct ckptd_wr_run *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory for the page index",
					    w->name);
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct ckptd_wr_run){
		.pid = pid, .flags = flags, .vaddr = vaddr, .nr = nr, .off = off,
	};
	return 0;
}

/* The run of @nr pages from @start must not wrap the address space. */
static int check_range(struct ckptd_image_wr *w, const char *what, int32_t pid,
		       uint64_t start, uint32_t nr, uint64_t off,
		       struct ckpt_err *err)
{
	uint64_t len = (uint64_t)nr * w->page_size;

	if (start + len < start)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "%s record at offset %llu: %u pages of pid %d from 0x%llx run past the end of the address space",
				     what, (unsigned long long)off, nr, pid,
				     (unsigned long long)start);
	return 0;
}

int ckptd_wr_pages_file(struct ckptd_image_wr *w,
			const struct ckpt_rec_pages_file *r, uint64_t off,
			struct ckpt_err *err)
{
	uint64_t ps = w->page_size, first = r->offset / ps;
	int ret;

	ret = check_range(w, "PAGES_FILE", r->pid, r->start, r->nr_pages, off, err);
	if (ret)
		return ret;
	if (r->offset > w->stream_file_end ||
	    r->nr_pages > (w->stream_file_end - r->offset) / ps)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "PAGES_FILE record at offset %llu: %u pages at offset %llu of %s, which holds %llu bytes (the module's writes are missing)",
				     (unsigned long long)off, r->nr_pages,
				     (unsigned long long)r->offset, w->data_path,
				     (unsigned long long)w->stream_file_end);
	ret = sums_reserve(w, first + r->nr_pages, err);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < r->nr_pages; i++) {
		uint64_t *s = &w->sums[first + i];

		if (*s & CKPTD_WR_DESCRIBED)
			return ckptd_wr_fail(w, err, -EBADMSG,
					     "PAGES_FILE record at offset %llu: the page at offset %llu of %s is already another page's",
					     (unsigned long long)off,
					     (unsigned long long)((first + i) * ps),
					     w->data_path);
		if (r->hash[i] & CKPTD_WR_DESCRIBED)
			return ckptd_wr_fail(w, err, -EBADMSG,
					     "PAGES_FILE record at offset %llu: hash %u has its top bit set (a page hash is xxh64 >> 1)",
					     (unsigned long long)off, i);
		*s = r->hash[i] | CKPTD_WR_DESCRIBED;
	}
	w->s_pages += r->nr_pages;
	return add_run(w, r->pid, CKPT_IMG_PME_DATA, r->start, r->nr_pages,
		       r->offset, err);
}

/* Inline page data (a stream without CKPT_DUMP_DATA_FD): appended here. */
int ckptd_wr_pages_inline(struct ckptd_image_wr *w,
			  const struct ckpt_rec_pages *r, uint64_t off,
			  struct ckpt_err *err)
{
	uint64_t ps = w->page_size, at = w->data_size, first = at / ps;
	size_t len = (size_t)r->nr_pages * ps, done = 0;
	int ret;

	ret = check_range(w, "PAGES", r->pid, r->start, r->nr_pages, off, err);
	if (!ret)
		ret = sums_reserve(w, first + r->nr_pages, err);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < r->nr_pages; i++)
		w->sums[first + i] = ckptd_page_sum(r->data + i * ps, ps) |
				     CKPTD_WR_DESCRIBED;
	while (done < len) {
		ssize_t n = pwrite(w->data_fd, r->data + done, len - done, at + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n ? errno : ENOSPC;

			w->failed = -e;
			return ckpt_err_set(err, -e, "%s: writing %zu bytes at offset %llu: %s%s",
					    w->data_path, len - done,
					    (unsigned long long)(at + done), strerror(e),
					    e == ENOSPC ? "; free space on that filesystem or choose another image store" : "");
		}
		done += n;
	}
	w->data_size += len;
	w->s_pages += r->nr_pages;
	ckptd_wr_writeback(w, at, len);
	return add_run(w, r->pid, CKPT_IMG_PME_DATA, r->start, r->nr_pages, at, err);
}

/*
 * Starts writing back what the data file got since the last call, every
 * WRITEBACK_STEP bytes (or all of it with len 0), so that the commit's
 * fsync finds little left to write: on a disk the pages then go out while
 * the streams are still being read.  No durability is added or lost;
 * errors are the fsync's to report.
 */
#define WRITEBACK_STEP	(8ULL << 20)

void ckptd_wr_writeback(struct ckptd_image_wr *w, uint64_t at, uint64_t len)
{
	uint64_t end = len ? at + len : w->data_size;

	if (len && end - w->written_back < WRITEBACK_STEP)
		return;
	if (end > w->written_back)
		sync_file_range(w->data_fd, w->written_back, end - w->written_back,
				SYNC_FILE_RANGE_WRITE);
	w->written_back = end;
}

/* The run of @m holding (pid, va), or NULL; @m is sorted. */
static const struct ckptd_wr_run *map_find(const struct ckptd_wr_map *m,
					   uint32_t ps, int32_t pid, uint64_t va)
{
	size_t lo = 0, hi = m->n;
	const struct ckptd_wr_run *best = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ckptd_wr_run *e = &m->v[mid];

		if (e->pid < pid || (e->pid == pid && e->vaddr <= va)) {
			best = e;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (best && best->pid == pid &&
	    va - best->vaddr < (uint64_t)best->nr * ps)
		return best;
	return NULL;
}

int ckptd_wr_pages_same(struct ckptd_image_wr *w,
			const struct ckpt_rec_pages_same *r, uint64_t off,
			struct ckpt_err *err)
{
	uint64_t ps = w->page_size, va = r->start, end;
	int ret;

	if (!w->parent_seq)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "PAGES_SAME at offset %llu in a full (not incremental) dump",
				     (unsigned long long)off);
	ret = check_range(w, "PAGES_SAME", r->pid, r->start, r->nr_pages, off, err);
	if (ret)
		return ret;
	w->s_same += r->nr_pages;
	if (!w->nr_streams)	/* unchanged since the image's parent */
		return add_run(w, r->pid, CKPT_IMG_PME_SAME, r->start,
			       r->nr_pages, 0, err);
	end = va + r->nr_pages * ps;
	while (va < end) {
		const struct ckptd_wr_run *e = map_find(&w->prev, ps, r->pid, va);
		uint64_t e_end, piece_end;

		if (!e)
			return ckptd_wr_fail(w, err, -EBADMSG,
					     "PAGES_SAME at offset %llu: page 0x%llx of pid %d is not in the pre-copy before it (dump %llu): the composition is inconsistent",
					     (unsigned long long)off,
					     (unsigned long long)va, r->pid,
					     (unsigned long long)w->prev_seq);
		e_end = e->vaddr + (uint64_t)e->nr * ps;
		piece_end = e_end < end ? e_end : end;
		ret = add_run(w, r->pid, e->flags, va, (piece_end - va) / ps,
			      e->flags == CKPT_IMG_PME_DATA ? e->off + (va - e->vaddr) : 0,
			      err);
		if (ret)
			return ret;
		va = piece_end;
	}
	return 0;
}

static int run_cmp(const void *a, const void *b)
{
	const struct ckptd_wr_run *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

int ckptd_wr_stream_done(struct ckptd_image_wr *w, struct ckpt_err *err)
{
	struct ckptd_wr_map m = { 0 };

	if (w->cur.n) {
		m.v = malloc(w->cur.n * sizeof(*m.v));
		if (!m.v)
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory for the page index",
					    w->name);
		memcpy(m.v, w->cur.v, w->cur.n * sizeof(*m.v));
		m.n = m.cap = w->cur.n;
		qsort(m.v, m.n, sizeof(*m.v), run_cmp);
	}
	for (size_t i = 1; i < m.n; i++) {
		const struct ckptd_wr_run *a = &m.v[i - 1], *b = &m.v[i];

		if (a->pid == b->pid &&
		    a->vaddr + (uint64_t)a->nr * w->page_size > b->vaddr) {
			ckptd_wr_fail(w, err, -EBADMSG,
				      "page 0x%llx of pid %d is in two page records",
				      (unsigned long long)b->vaddr, b->pid);
			free(m.v);
			return -EBADMSG;
		}
	}
	ckptd_wr_map_free(&w->prev);
	w->prev = m;
	return 0;
}

static int off_cmp(const void *a, const void *b)
{
	const struct ckptd_wr_run *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int punch(struct ckptd_image_wr *w, uint64_t from, uint64_t to,
		 bool *unsupported, struct ckpt_err *err)
{
	if (*unsupported || from >= to)
		return 0;
	if (!fallocate(w->data_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       from, to - from))
		return 0;
	if (errno == EOPNOTSUPP || errno == ENOSYS) {
		*unsupported = true;	/* the pages stay, unused */
		return 0;
	}
	return ckpt_err_set(err, -errno, "%s: punching out superseded pages at offset %llu (%llu bytes): %s",
			    w->data_path, (unsigned long long)from,
			    (unsigned long long)(to - from), strerror(errno));
}

int ckptd_wr_punch(struct ckptd_image_wr *w, uint64_t file_size,
		   struct ckpt_err *err)
{
	struct ckptd_wr_run *v;
	uint64_t at = 0;
	bool unsupported = false;
	size_t n = 0;
	int ret = 0;

	v = malloc((w->cur.n + 1) * sizeof(*v));
	if (!v)
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", w->name);
	for (size_t i = 0; i < w->cur.n; i++)
		if (w->cur.v[i].flags == CKPT_IMG_PME_DATA)
			v[n++] = w->cur.v[i];
	qsort(v, n, sizeof(*v), off_cmp);
	for (size_t i = 0; i < n && !ret; i++) {
		ret = punch(w, at, v[i].off, &unsupported, err);
		at = v[i].off + (uint64_t)v[i].nr * w->page_size;
	}
	if (!ret)
		ret = punch(w, at, file_size, &unsupported, err);
	free(v);
	return ret;
}
