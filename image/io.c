// SPDX-License-Identifier: GPL-2.0
/*
 * Image file writes.  A pool of page-aligned buffers: each file fills one
 * at a time and hands it to the kernel when full; the buffer comes back
 * when its write completes.  With io_uring up to qd writes are in flight;
 * without it (io_uring_queue_init failed, e.g. kernel.io_uring_disabled)
 * every buffer is written with pwrite() before the next is filled.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

struct ckptd_iobuf {
	uint8_t *mem;
	size_t len;		/* filled */
	size_t done;		/* written so far (short writes) */
	uint64_t off;		/* in the file */
	struct ckptd_iofile *file;
	bool busy;		/* being filled or in flight */
};

static void io_fail(struct ckptd_iow *w, struct ckptd_iobuf *b, int e)
{
	if (w->error)
		return;
	w->error = e;
	ckpt_err_msg(w->err, "%s: writing %zu bytes at offset %llu: %s%s",
		      b->file->path, b->len - b->done,
		      (unsigned long long)(b->off + b->done), strerror(-e),
		      e == -ENOSPC ? "; free space on that filesystem or choose another image store" : "");
}

int ckptd_iow_init(struct ckptd_iow *w, unsigned int qd, bool no_uring,
		   struct ckpt_err *err)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->err = err;
	w->qd = qd ? qd : 16;
	w->nbuf = w->qd + 3;	/* plus one being filled per file */
	w->bufs = calloc(w->nbuf, sizeof(*w->bufs));
	if (!w->bufs)
		goto nomem;
	for (unsigned int i = 0; i < w->nbuf; i++)
		if (posix_memalign((void **)&w->bufs[i].mem, 4096,
				   CKPTD_IOBUF_SIZE))
			goto nomem;
	if (!no_uring) {
		ret = io_uring_queue_init(w->qd, &w->ring, 0);
		w->uring = ret == 0;	/* else plain writes */
	}
	return 0;
nomem:
	ckptd_iow_exit(w);
	return ckpt_err_set(err, -ENOMEM, "image writer: out of memory for %u MiB of buffers",
		      w->nbuf);
}

void ckptd_iow_exit(struct ckptd_iow *w)
{
	if (w->uring)
		io_uring_queue_exit(&w->ring);
	w->uring = false;
	for (unsigned int i = 0; w->bufs && i < w->nbuf; i++)
		free(w->bufs[i].mem);
	free(w->bufs);
	w->bufs = NULL;
}

int ckptd_iofile_open(struct ckptd_iofile *f, const char *path, struct ckpt_err *err)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	ckptd_xxh64_init(&f->sum, 0);
	f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (f->fd < 0)
		return ckpt_err_set(err, -errno, "%s: cannot create: %s", path, strerror(errno));
	return 0;
}

int ckptd_iofile_close(struct ckptd_iofile *f, struct ckpt_err *err)
{
	int ret = 0;

	if (f->fd < 0)
		return 0;
	if (err && fsync(f->fd)) {
		ret = -errno;
		ckpt_err_msg(err, "%s: fsync: %s", f->path, strerror(errno));
	}
	close(f->fd);
	f->fd = -1;
	return ret;
}

static void buf_release(struct ckptd_iobuf *b)
{
	b->busy = false;
	b->file = NULL;
}

/* pwrite() the rest of b; also used after a short io_uring write. */
static void write_sync(struct ckptd_iow *w, struct ckptd_iobuf *b)
{
	while (b->done < b->len && !w->error) {
		ssize_t n = pwrite(b->file->fd, b->mem + b->done,
				   b->len - b->done, b->off + b->done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			io_fail(w, b, n < 0 ? -errno : -ENOSPC);
			break;
		}
		b->done += n;
	}
	buf_release(b);
}

static void reap_one(struct ckptd_iow *w, bool wait)
{
	struct io_uring_cqe *cqe;
	struct ckptd_iobuf *b;
	int ret;

	ret = wait ? io_uring_wait_cqe(&w->ring, &cqe)
		   : io_uring_peek_cqe(&w->ring, &cqe);
	if (ret)
		return;
	b = io_uring_cqe_get_data(cqe);
	ret = cqe->res;
	io_uring_cqe_seen(&w->ring, cqe);
	w->in_flight--;
	if (ret < 0) {
		io_fail(w, b, ret);
		buf_release(b);
	} else if ((size_t)ret < b->len - b->done) {
		/* short write (often the disk filling up): finish or fail
		 * synchronously so the error is the real one */
		b->done += ret;
		write_sync(w, b);
	} else {
		buf_release(b);
	}
}

static void submit(struct ckptd_iow *w, struct ckptd_iobuf *b)
{
	struct io_uring_sqe *sqe;

	if (!w->uring || w->error) {
		write_sync(w, b);
		return;
	}
	while (w->in_flight >= w->qd)
		reap_one(w, true);
	sqe = io_uring_get_sqe(&w->ring);
	io_uring_prep_write(sqe, b->file->fd, b->mem, b->len, b->off);
	io_uring_sqe_set_data(sqe, b);
	if (io_uring_submit(&w->ring) < 0) {
		/* cannot queue: write this one ourselves */
		write_sync(w, b);
		return;
	}
	w->in_flight++;
}

static struct ckptd_iobuf *get_buf(struct ckptd_iow *w)
{
	for (;;) {
		for (unsigned int i = 0; i < w->nbuf; i++)
			if (!w->bufs[i].busy) {
				w->bufs[i].busy = true;
				w->bufs[i].len = w->bufs[i].done = 0;
				return &w->bufs[i];
			}
		if (!w->uring || !w->in_flight)
			return NULL;	/* cannot happen: one per file */
		reap_one(w, true);
	}
}

int ckptd_iow_flush(struct ckptd_iow *w, struct ckptd_iofile *f)
{
	struct ckptd_iobuf *b = f->cur;

	if (!b)
		return w->error;
	f->cur = NULL;
	if (!b->len) {
		buf_release(b);
		return w->error;
	}
	submit(w, b);
	return w->error;
}

int ckptd_iow_append(struct ckptd_iow *w, struct ckptd_iofile *f,
		     const void *data, size_t len)
{
	const uint8_t *p = data;

	ckptd_xxh64_update(&f->sum, data, len);
	while (len && !w->error) {
		struct ckptd_iobuf *b = f->cur;
		size_t n;

		if (!b) {
			b = get_buf(w);
			if (!b) {
				ckpt_err_msg(w->err, "%s: image writer out of buffers",
					      f->path);
				return w->error = -ENOBUFS;
			}
			b->file = f;
			b->off = f->size;
			f->cur = b;
		}
		n = CKPTD_IOBUF_SIZE - b->len;
		if (n > len)
			n = len;
		memcpy(b->mem + b->len, p, n);
		b->len += n;
		f->size += n;
		p += n;
		len -= n;
		if (b->len == CKPTD_IOBUF_SIZE)
			ckptd_iow_flush(w, f);
		else if (w->uring && w->in_flight)
			reap_one(w, false);	/* keep buffers flowing */
	}
	return w->error;
}

int ckptd_iow_drain(struct ckptd_iow *w)
{
	while (w->uring && w->in_flight)
		reap_one(w, true);
	return w->error;
}
