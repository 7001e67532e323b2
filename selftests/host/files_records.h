/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking things up in, and building, captured file records
 * (CKPT_REC_FS / FD / FILE_DATA / EPOLL_TFD) for the file tests.
 */
#ifndef FILES_RECORDS_H
#define FILES_RECORDS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>

#include "capture.h"
#include "dump_stream.h"
#include "files_format.h"

/* Calls fn(rec, body, ctx) for every record of rb; stops when it returns 1. */
static void fr_each(const struct ckptd_recbuf *rb,
		    int (*fn)(const struct ckpt_rec *, const void *, void *),
		    void *ctx)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;

	ckpt_stream_init(&s, rb->buf, rb->len);
	s.page_size = 1;
	while (ckpt_stream_next(&s, &h, &body) == 1)
		if (fn(h, h + 1, ctx))
			return;
}

struct fr_find {
	uint32_t type;
	int32_t pid;
	int fd;			/* FD: fd; EPOLL_TFD: tfd; -1: any */
	int epfd;		/* EPOLL_TFD: epfd */
	const void *found;
	unsigned int count;
};

static int fr_match(const struct ckpt_rec *h, const void *b, void *ctx)
{
	struct fr_find *f = ctx;
	const struct ckpt_rec_fd *fd = b;
	const struct ckpt_rec_epoll_tfd *t = b;

	if (h->type != f->type || *(const int32_t *)b != f->pid)
		return 0;
	if (h->type == CKPT_REC_FD && f->fd >= 0 && fd->fd != f->fd)
		return 0;
	if (h->type == CKPT_REC_EPOLL_TFD && f->fd >= 0 &&
	    (t->tfd != f->fd || t->epfd != f->epfd))
		return 0;
	if (!f->found)
		f->found = b;
	f->count++;
	return 0;
}

static const void *fr_get(const struct ckptd_recbuf *rb, uint32_t type,
			  int32_t pid, int fd, int epfd, unsigned int *count)
{
	struct fr_find f = { .type = type, .pid = pid, .fd = fd, .epfd = epfd };

	fr_each(rb, fr_match, &f);
	if (count)
		*count = f.count;
	return f.found;
}

static __attribute__((unused)) const struct ckpt_rec_fd *
fr_fd(const struct ckptd_recbuf *rb, int32_t pid, int fd)
{
	return fr_get(rb, CKPT_REC_FD, pid, fd, 0, NULL);
}

static __attribute__((unused)) const struct ckpt_rec_fs *
fr_fs(const struct ckptd_recbuf *rb, int32_t pid)
{
	return fr_get(rb, CKPT_REC_FS, pid, -1, 0, NULL);
}

static __attribute__((unused)) unsigned int
fr_count(const struct ckptd_recbuf *rb, uint32_t type, int32_t pid)
{
	unsigned int n;

	fr_get(rb, type, pid, -1, 0, &n);
	return n;
}

static __attribute__((unused)) const struct ckpt_rec_epoll_tfd *
fr_tfd(const struct ckptd_recbuf *rb, int32_t pid, int epfd, int tfd)
{
	return fr_get(rb, CKPT_REC_EPOLL_TFD, pid, tfd, epfd, NULL);
}

struct fr_data {
	uint64_t obj_id;
	uint8_t *out;		/* bytes placed at their offsets */
	size_t cap;
	size_t stored;		/* bytes in records */
	size_t end;		/* highest offset + len */
	unsigned int nr, nr_msg;
	int bad;		/* a piece past cap */
};

static int fr_collect(const struct ckpt_rec *h, const void *b, void *ctx)
{
	const struct ckpt_rec_file_data *r = b;
	struct fr_data *d = ctx;

	if (h->type != CKPT_REC_FILE_DATA || r->obj_id != d->obj_id)
		return 0;
	d->nr++;
	d->nr_msg += !!(r->flags & CKPT_DATA_MSG);
	d->stored += r->len;
	if (r->offset + r->len > d->cap) {
		d->bad = 1;
		return 0;
	}
	memcpy(d->out + r->offset, r->data, r->len);
	if (r->offset + r->len > d->end)
		d->end = r->offset + r->len;
	return 0;
}

/* The data of obj_id, placed by offset into out (cap bytes, zeroed first). */
static __attribute__((unused)) struct fr_data
fr_data(const struct ckptd_recbuf *rb, uint64_t obj_id, void *out, size_t cap)
{
	struct fr_data d = { .obj_id = obj_id, .out = out, .cap = cap };

	memset(out, 0, cap);
	fr_each(rb, fr_collect, &d);
	return d;
}

/* Appends a record to rb (for building records by hand); aborts on ENOMEM. */
static __attribute__((unused)) void *
fr_add(struct ckptd_recbuf *rb, uint32_t type, const void *body,
       size_t body_len, const void *tail, size_t tail_len)
{
	size_t len = (sizeof(struct ckpt_rec) + body_len + tail_len + 7) & ~(size_t)7;
	struct ckpt_rec *h;

	if (rb->len + len > rb->cap) {
		rb->cap = (rb->len + len) * 2;
		rb->buf = realloc(rb->buf, rb->cap);
		if (!rb->buf)
			abort();
	}
	h = (struct ckpt_rec *)(rb->buf + rb->len);
	memset(h, 0, len);
	h->type = type;
	h->len = len;
	memcpy(h + 1, body, body_len);
	if (tail_len)
		memcpy((uint8_t *)(h + 1) + body_len, tail, tail_len);
	rb->len += len;
	return h + 1;
}

#endif /* FILES_RECORDS_H */
