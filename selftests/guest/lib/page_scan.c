// SPDX-License-Identifier: GPL-2.0
/* A dump session read record by record (see page_scan.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "page_scan.h"

/* The largest record the module makes: a PAGES record of a full run. */
#define PS_BODY_MAX	(sizeof(struct ckpt_rec_pages) + \
			 CKPT_PAGES_MAX_RUN * PS_PAGE)

static int read_full(int fd, void *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t k = read(fd, (char *)buf + n, len - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EIO;
		n += k;
	}
	return 0;
}

/* The region holding page @addr of @pid, and its index there in *@pg. */
static struct ps_region *region_of(struct ps_region *r, size_t nr, pid_t pid,
				   uint64_t addr, size_t *pg)
{
	for (size_t i = 0; i < nr; i++) {
		if ((r[i].pid && r[i].pid != pid) || addr < r[i].start ||
		    (addr - r[i].start) / PS_PAGE >= r[i].npages)
			continue;
		*pg = (addr - r[i].start) / PS_PAGE;
		return &r[i];
	}
	return NULL;
}

static void on_pages(const struct ckpt_rec_pages *p, struct ps_region *r,
		     size_t nr, struct ps_stats *st)
{
	for (unsigned int i = 0; i < p->nr_pages; i++) {
		const uint8_t *data = p->data + (size_t)i * PS_PAGE;
		struct ps_region *in;
		size_t pg;

		in = region_of(r, nr, p->pid, p->start + i * PS_PAGE, &pg);
		if (!in)
			continue;
		in->pages++;
		if (in->first)
			in->first[pg] = data[0];
		if (in->kind)
			in->kind[pg] = PS_DATA;
		if (in->check && !in->check(pg, data, in->arg))
			in->bad++;
	}
	st->pages += p->nr_pages;
	st->page_bytes += (uint64_t)p->nr_pages * PS_PAGE;
}

static void on_same(const struct ckpt_rec_pages_same *p, struct ps_region *r,
		    size_t nr, struct ps_stats *st)
{
	for (unsigned int i = 0; i < p->nr_pages; i++) {
		struct ps_region *in;
		size_t pg;

		in = region_of(r, nr, p->pid, p->start + i * PS_PAGE, &pg);
		if (!in)
			continue;
		in->same++;
		if (in->kind)
			in->kind[pg] = PS_SAME;
	}
	st->same += p->nr_pages;
}

int ps_read_dump(int fd, struct ps_region *r, size_t nr, struct ps_stats *st)
{
	uint8_t *body = malloc(PS_BODY_MAX);
	struct ckpt_rec h;
	int err = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < nr; i++) {
		if (r[i].kind)
			memset(r[i].kind, PS_NONE, r[i].npages);
		r[i].pages = r[i].same = r[i].bad = 0;
	}
	if (!body)
		return -ENOMEM;
	for (;;) {
		size_t n;

		err = read_full(fd, &h, sizeof(h));
		if (err)
			break;
		n = h.len - sizeof(h);
		if (h.len < sizeof(h) || n > PS_BODY_MAX) {
			err = -EBADMSG;
			break;
		}
		err = read_full(fd, body, n);
		if (err)
			break;
		memset(body + n, 0, PS_BODY_MAX - n > 64 ? 64 : PS_BODY_MAX - n);
		if (h.type == CKPT_REC_BEGIN && n >= sizeof(struct ckpt_rec_begin)) {
			const struct ckpt_rec_begin *b = (void *)body;

			st->seq = b->dump_seq;
			st->parent = b->parent_seq;
			st->flags = b->flags;
			st->tracking = b->dirty_tracking;
		} else if (h.type == CKPT_REC_PAGES &&
			   n >= sizeof(struct ckpt_rec_pages)) {
			const struct ckpt_rec_pages *p = (void *)body;

			if (p->nr_pages > CKPT_PAGES_MAX_RUN ||
			    n < sizeof(*p) + p->nr_pages * PS_PAGE) {
				err = -EBADMSG;
				break;
			}
			on_pages(p, r, nr, st);
		} else if (h.type == CKPT_REC_PAGES_SAME &&
			   n >= sizeof(struct ckpt_rec_pages_same)) {
			on_same((void *)body, r, nr, st);
		} else if (h.type == CKPT_REC_THREAD) {
			st->threads++;
		} else if (h.type == CKPT_REC_END) {
			const struct ckpt_rec_end *e = (void *)body;

			/* fields past a shorter END read as 0 (zeroed above) */
			st->end_pages = e->nr_pages;
			st->end_same = e->nr_pages_same;
			st->end_unread = e->nr_pages_unread;
			break;
		}
	}
	for (size_t i = 0; i < nr; i++) {
		st->region_pages += r[i].pages;
		st->region_same += r[i].same;
		st->region_bad += r[i].bad;
	}
	free(body);
	return err;
}
