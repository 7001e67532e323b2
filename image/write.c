// SPDX-License-Identifier: GPL-2.0
/*
 * Writing an image: a writer owns a temporary directory in the job's
 * store directory and the data file the module writes page contents into
 * (CKPT_DUMP_DATA_FD); it takes one or more complete dump streams (the
 * pre-copies, then the final dump), each checked record by record by
 * common/dump_stream.c, and commits: records.img, pagemap.img, the
 * manifest, then the directory renamed into place.  Any failure, or a
 * writer freed uncommitted, removes the temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"

#define STREAM_BUF	(4U << 20)
#define RECORD_MAX	(64U << 20)	/* refuse records larger than this */

static int rec_put(struct ckptd_image_wr *w, const struct ckpt_rec *h,
		   struct ckpt_err *err)
{
	if (w->rec_len + h->len > w->rec_cap) {
		size_t cap = w->rec_cap ? w->rec_cap : 65536;
		uint8_t *n;

		while (cap < w->rec_len + h->len)
			cap *= 2;
		n = realloc(w->rec, cap);
		if (!n)
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory for %zu bytes of records",
					    w->name, cap);
		w->rec = n;
		w->rec_cap = cap;
	}
	memcpy(w->rec + w->rec_len, h, h->len);
	w->rec_len += h->len;
	return 0;
}

static int on_begin(struct ckptd_image_wr *w, const struct ckpt_rec_begin *r,
		    uint64_t off, struct ckpt_err *err)
{
	if (w->begin_seen)
		return ckptd_wr_fail(w, err, -EBADMSG, "second BEGIN at offset %llu",
				     (unsigned long long)off);
	/* the dump after a pre-copy has the pre-copy's number (uapi) */
	if (!r->dump_seq || r->parent_seq > r->dump_seq ||
	    (r->parent_seq == r->dump_seq &&
	     !(w->nr_streams && (w->prev_flags & CKPT_DUMP_PRECOPY))))
		return ckptd_wr_fail(w, err, -EBADMSG, "BEGIN names dump %llu with parent %llu",
				     (unsigned long long)r->dump_seq,
				     (unsigned long long)r->parent_seq);
	if (w->stream_file_end % r->page_size)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "%s holds %llu bytes, not a multiple of the %u-byte pages",
				     w->data_path, (unsigned long long)w->stream_file_end,
				     r->page_size);
	if (!w->nr_streams) {
		w->job_id = r->job_id;
		w->page_size = r->page_size;
		w->first_parent = r->parent_seq;
	} else if (r->job_id != w->job_id || r->page_size != w->page_size) {
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "BEGIN of job %u with %u-byte pages after a pre-copy of job %u with %u-byte pages",
				     r->job_id, r->page_size, w->job_id, w->page_size);
	} else if (!(w->prev_flags & CKPT_DUMP_PREDUMP)) {
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "the dump before it (%llu) is not a pre-dump: only pre-dumps (CKPT_DUMP_PREDUMP) come before an image's last dump",
				     (unsigned long long)w->prev_seq);
	} else if (r->parent_seq != w->prev_seq) {
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "BEGIN names parent %llu, the pre-copy before it is dump %llu: the composition is inconsistent",
				     (unsigned long long)r->parent_seq,
				     (unsigned long long)w->prev_seq);
	}
	w->begin_seen = true;
	w->seq = r->dump_seq;
	w->parent_seq = r->parent_seq;
	w->rec_len = w->end_off = 0;
	w->tasks = w->threads = w->vmas = 0;
	w->s_pages = w->s_same = 0;
	w->cur.n = 0;
	if (w->data_size < w->stream_file_end)
		w->data_size = w->stream_file_end;
	return 0;
}

static int on_end(struct ckptd_image_wr *w, const struct ckpt_rec_end *r,
		  struct ckpt_err *err)
{
	if (r->nr_pages != w->s_pages || r->nr_pages_same != w->s_same)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "END counts %llu pages and %llu unchanged, the stream held %llu and %llu (records lost)",
				     (unsigned long long)r->nr_pages,
				     (unsigned long long)r->nr_pages_same,
				     (unsigned long long)w->s_pages,
				     (unsigned long long)w->s_same);
	w->end_seen = true;
	w->end_off = w->rec_len;
	return 0;
}

static int on_record(struct ckptd_image_wr *w, const struct ckpt_rec *h,
		     uint64_t off, struct ckpt_err *err)
{
	const void *b = h + 1;
	int ret = 0;

	if (w->end_seen)
		return ckptd_wr_fail(w, err, -EBADMSG, "%s record after END at offset %llu",
				     ckpt_rec_name(h->type), (unsigned long long)off);
	switch (h->type) {
	case CKPT_REC_BEGIN:
		ret = on_begin(w, b, off, err);
		break;
	case CKPT_REC_PAGES:
		return ckptd_wr_pages_inline(w, b, off, err);
	case CKPT_REC_PAGES_FILE:
		return ckptd_wr_pages_file(w, b, off, err);
	case CKPT_REC_PAGES_SAME:
		return ckptd_wr_pages_same(w, b, off, err);
	case CKPT_REC_END:
		ret = on_end(w, b, err);
		break;
	case CKPT_REC_TASK:
		w->tasks++;
		break;
	case CKPT_REC_THREAD:
		w->threads++;
		break;
	case CKPT_REC_VMA:
		w->vmas++;
		break;
	}
	return ret ? ret : rec_put(w, h, err);
}

/* Before a stream: what the module has written into the data file. */
static int stream_start(struct ckptd_image_wr *w, struct ckpt_err *err)
{
	struct stat st;

	if (w->failed)
		return ckpt_err_set(err, w->failed, "%s: an earlier dump stream was refused; free the writer and start over",
				    w->name);
	if (w->data_fd < 0)
		return ckpt_err_set(err, -EINVAL, "%s: the image is committed already", w->name);
	if (fstat(w->data_fd, &st)) {
		w->failed = -errno;
		return ckpt_err_sys(err, "%s: fstat", w->data_path);
	}
	w->stream_file_end = st.st_size;
	w->begin_seen = w->end_seen = false;
	return 0;
}

static int stream_finish(struct ckptd_image_wr *w, uint64_t off,
			 struct ckpt_err *err)
{
	int ret;

	if (!w->end_seen)
		return ckptd_wr_fail(w, err, -EBADMSG,
				     "ended at offset %llu before its END record (truncated dump)",
				     (unsigned long long)off);
	ret = ckptd_wr_stream_done(w, err);
	if (ret)
		return ret;
	/* the module's pages of this stream: on their way to the disk */
	if (w->data_size < w->stream_file_end)
		w->data_size = w->stream_file_end;
	ckptd_wr_writeback(w, 0, 0);
	w->prev_seq = w->seq;
	w->prev_flags = ((const struct ckpt_rec_begin *)(w->rec + sizeof(struct ckpt_rec)))->flags;
	w->nr_streams++;
	return 0;
}

int ckptd_image_wr_add_stream(struct ckptd_image_wr *w, const void *stream,
			      size_t len, struct ckpt_err *err)
{
	const struct ckpt_rec *rec;
	size_t body;
	int ret = stream_start(w, err);

	if (ret)
		return ret;
	ckpt_stream_init(&w->s, stream, len);
	while ((ret = ckpt_stream_next(&w->s, &rec, &body)) == 1) {
		ret = on_record(w, rec, w->s.off - rec->len, err);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return ckptd_wr_fail(w, err, ret, "%s", w->s.error);
	return stream_finish(w, len, err);
}

int ckptd_image_wr_data_fd(const struct ckptd_image_wr *w)
{
	return w->data_fd;
}

int ckptd_image_wr_begin(const char *job_dir, const struct ckptd_image_write_opts *o,
			 struct ckptd_image_wr **out, struct ckpt_err *err)
{
	static const struct ckptd_image_write_opts defaults;
	struct ckptd_image_wr *w;
	int ret;

	if (!o)
		o = &defaults;
	if (o->compression != CKPT_IMG_COMP_NONE && o->compression != CKPT_IMG_COMP_ZSTD)
		return ckpt_err_set(err, -EINVAL, "%s: unknown compression %d; use none or zstd",
				    job_dir, o->compression);
	w = calloc(1, sizeof(*w));
	if (!w)
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", job_dir);
	w->o = *o;
	w->o.extra_records = NULL;
	w->o.extra_len = 0;
	w->data_fd = -1;
	if (snprintf(w->job_dir, sizeof(w->job_dir), "%s", job_dir) >= (int)sizeof(w->job_dir)) {
		free(w);
		return ckpt_err_set(err, -ENAMETOOLONG, "%s: path too long", job_dir);
	}
	snprintf(w->tmp, sizeof(w->tmp), "%s/" CKPTD_IMAGE_TMP_PREFIX "XXXXXX", job_dir);
	if (!mkdtemp(w->tmp)) {
		ret = ckpt_err_sys(err, "%s: cannot create a directory for the image being written",
				   job_dir);
		free(w);
		return ret;
	}
	chmod(w->tmp, 0750);
	snprintf(w->name, sizeof(w->name), "%s", w->tmp);
	snprintf(w->data_path, sizeof(w->data_path), "%s/%s", w->tmp,
		 o->compression ? CKPT_IMG_PAGES_STAGE : CKPT_IMG_PAGES);
	w->data_fd = open(w->data_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (w->data_fd < 0) {
		ret = ckpt_err_sys(err, "%s: cannot create", w->data_path);
		ckptd_image_wr_free(w);
		return ret;
	}
	*out = w;
	return 0;
}

void ckptd_image_wr_free(struct ckptd_image_wr *w)
{
	if (!w)
		return;
	if (w->data_fd >= 0)
		close(w->data_fd);
	if (w->tmp[0])
		ckptd_image_remove_dir(w->tmp);
	ckptd_wr_map_free(&w->prev);
	ckptd_wr_map_free(&w->cur);
	free(w->sums);
	free(w->rec);
	free(w);
}

/* --- the whole stream from an fd (the API before the data file) ------ */

static ssize_t read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		poll(&pfd, 1, -1);
	}
}

/* Feeds every whole record of the stream to on_record(). */
static int consume(struct ckptd_image_wr *w, int fd, struct ckpt_err *err)
{
	size_t cap = STREAM_BUF, have = 0, pos;
	uint8_t *buf = malloc(cap);
	uint64_t base = 0;	/* stream offset of buf[0] */
	bool eof = false;
	int ret;

	if (!buf)
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", w->name);
	ret = stream_start(w, err);
	memset(&w->s, 0, sizeof(w->s));
	while (!ret) {
		ssize_t n;

		/* whole records in buf[0..have) */
		pos = 0;
		while (!ret) {
			const struct ckpt_rec *h = (const void *)(buf + pos);
			const struct ckpt_rec *rec;
			size_t left = have - pos, body, win = left;
			bool whole = false;

			if (left >= sizeof(*h)) {
				/* a malformed length goes to the parser */
				whole = h->len < sizeof(*h) || h->len % 8 ||
					h->len > RECORD_MAX || h->len <= left;
				/*
				 * only a valid length narrows the window: the
				 * parser must see (and refuse) a length 0
				 */
				if (whole && h->len >= sizeof(*h) && h->len <= left)
					win = h->len;
			}
			if (!whole) {
				if (!eof)
					break;	/* read more */
				if (!left)
					goto out;	/* clean end of input */
			}
			ckpt_stream_window(&w->s, buf + pos, win, base + pos);
			ret = ckpt_stream_next(&w->s, &rec, &body);
			if (ret < 0) {
				ckptd_wr_fail(w, err, ret, "%s", w->s.error);
				goto out;
			}
			ret = on_record(w, rec, base + pos, err);
			pos += rec->len;
		}
		if (ret)
			break;
		/* keep the partial record, make room for it, read more */
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		base += pos;
		if (have >= sizeof(struct ckpt_rec)) {
			uint32_t rlen = ((const struct ckpt_rec *)buf)->len;

			if (rlen > cap && rlen <= RECORD_MAX) {
				uint8_t *nb = realloc(buf, rlen);

				if (!nb) {
					ret = ckpt_err_set(err, -ENOMEM, "%s: out of memory for a %u-byte record",
							   w->name, rlen);
					break;
				}
				buf = nb;
				cap = rlen;
			}
		}
		n = read_some(fd, buf + have, cap - have);
		if (n < 0) {
			ret = ckptd_wr_fail(w, err, n, "read at offset %llu: %s",
					    (unsigned long long)(base + have),
					    strerror(-n));
			break;
		}
		eof = n == 0;
		have += n;
	}
out:
	free(buf);
	return ret ? ret : stream_finish(w, base + have, err);
}

int ckptd_image_write(const char *dir, int stream_fd,
		      const struct ckptd_image_write_opts *opts,
		      struct ckptd_image_write_stats *stats,
		      struct ckpt_err *err)
{
	static const struct ckptd_image_write_opts defaults;
	char parent[4200];
	struct ckptd_image_wr *w;
	struct stat st;
	int ret;

	if (!opts)
		opts = &defaults;
	if (!lstat(dir, &st))
		return ckpt_err_set(err, -EEXIST, "%s: cannot create the image directory: %s (an image of that seq exists; remove it or use another seq)",
				    dir, strerror(EEXIST));
	snprintf(parent, sizeof(parent), "%s", dir);
	ret = ckptd_image_wr_begin(dirname(parent), opts, &w, err);
	if (ret)
		return ret;
	snprintf(w->name, sizeof(w->name), "%s", dir);
	ret = consume(w, stream_fd, err);
	if (!ret)
		ret = ckptd_image_wr_commit(w, dir, opts->extra_records,
					    opts->extra_len, stats, err);
	ckptd_image_wr_free(w);
	return ret;
}
