// SPDX-License-Identifier: GPL-2.0
/*
 * Writing an image: read a dump stream record by record (each one checked
 * by common/dump_stream.c), copy records to records.img, page contents to
 * pages.img and an index entry per page run to pagemap.img, then commit
 * with the manifest.  Any failure removes the directory.
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

#include "dump_stream.h"
#include "io.h"
#include "image_store.h"
#include "compress.h"

#define STREAM_BUF	(4U << 20)
#define RECORD_MAX	(64U << 20)	/* refuse records larger than this */

struct writer {
	const char *dir;
	struct ckpt_err *err;
	const struct ckptd_image_write_opts *opts;
	struct ckptd_iow io;
	struct ckptd_iofile f[CKPT_IMG_NR_FILES];
	struct ckpt_img_manifest man;
	struct ckpt_stream s;
	bool begin_seen, end_seen;
	/* pages.img chunk sums */
	struct ckptd_xxh64 chunk;
	uint64_t chunk_fill;
	uint64_t *chunks;
	size_t chunks_cap;
	const void *extra;	/* opts->extra_records */
	size_t extra_len;
	/* compression: records.img and pages.img go through stage[] */
	struct ckptd_zctx *z;
	struct ckpt_img_zinfo zi;
	uint8_t *stage[CKPT_IMG_NR_FILES];	/* one raw chunk being filled */
	size_t stage_fill[CKPT_IMG_NR_FILES];
};

static const char *const file_names[CKPT_IMG_NR_FILES] = {
	[CKPT_IMG_F_RECORDS] = CKPT_IMG_RECORDS,
	[CKPT_IMG_F_PAGEMAP] = CKPT_IMG_PAGEMAP,
	[CKPT_IMG_F_PAGES] = CKPT_IMG_PAGES,
};

static int bad_stream(struct writer *w, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad_stream(struct writer *w, int ret, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ckpt_err_set(w->err, ret, "%s: dump stream: %s; no image written",
		      w->dir, what);
}

/* Packs the raw chunk staged for file i and appends it. */
static int flush_stage(struct writer *w, int i)
{
	const void *out;
	size_t len;
	int ret;

	if (!w->stage_fill[i])
		return 0;
	ret = ckptd_zchunk_pack(w->z, w->stage[i], w->stage_fill[i], &out, &len);
	if (ret) {
		return ckpt_err_set(w->err, ret, "%s/%s: zstd compression failed; set 'compression = none' in ckptd.conf",
			      w->dir, file_names[i]);
	}
	w->stage_fill[i] = 0;
	return ckptd_iow_append(&w->io, &w->f[i], out, len);
}

/* Appends raw contents to file i, compressed if it is compressed. */
static int put(struct writer *w, int i, const void *data, size_t len)
{
	const uint8_t *p = data;
	int ret = 0;

	w->zi.raw_size[i] += len;
	if (!w->stage[i])
		return ckptd_iow_append(&w->io, &w->f[i], data, len);
	while (len && !ret) {
		size_t n = CKPT_IMG_CHUNK - w->stage_fill[i];

		if (n > len)
			n = len;
		memcpy(w->stage[i] + w->stage_fill[i], p, n);
		w->stage_fill[i] += n;
		p += n;
		len -= n;
		if (w->stage_fill[i] == CKPT_IMG_CHUNK)
			ret = flush_stage(w, i);
	}
	return ret;
}

static int push_chunk(struct writer *w)
{
	if (w->man.nr_chunks == w->chunks_cap) {
		size_t cap = w->chunks_cap ? 2 * w->chunks_cap : 256;
		uint64_t *n = realloc(w->chunks, cap * sizeof(*n));

		if (!n) {
			return ckpt_err_set(w->err, -ENOMEM, "%s: out of memory for chunk checksums",
				      w->dir);
		}
		w->chunks = n;
		w->chunks_cap = cap;
	}
	w->chunks[w->man.nr_chunks++] = ckptd_xxh64_digest(&w->chunk);
	ckptd_xxh64_init(&w->chunk, 0);
	w->chunk_fill = 0;
	return 0;
}

static int add_pages(struct writer *w, const uint8_t *p, size_t len)
{
	size_t left = len;
	int ret;

	while (left) {
		size_t n = CKPT_IMG_CHUNK - w->chunk_fill;

		if (n > left)
			n = left;
		ckptd_xxh64_update(&w->chunk, p + (len - left), n);
		w->chunk_fill += n;
		left -= n;
		if (w->chunk_fill == CKPT_IMG_CHUNK) {
			ret = push_chunk(w);
			if (ret)
				return ret;
		}
	}
	return put(w, CKPT_IMG_F_PAGES, p, len);
}

static int add_pme(struct writer *w, int32_t pid, uint32_t flags,
		   uint64_t vaddr, uint32_t nr, uint64_t offset)
{
	struct ckpt_img_pme e = {
		.pid = pid, .flags = flags, .vaddr = vaddr, .nr_pages = nr,
		.offset = offset,
	};

	w->man.nr_pme++;
	return put(w, CKPT_IMG_F_PAGEMAP, &e, sizeof(e));
}

/*
 * The records userspace captured (open files and the like) go into
 * records.img just before END, each checked like a stream record and
 * required to be of a userspace type.
 */
static int add_extra(struct writer *w, uint64_t off)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret;

	if (!w->extra_len)
		return 0;
	ckpt_stream_init(&s, w->extra, w->extra_len);
	s.page_size = w->man.page_size;
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1) {
		if (h->type < CKPT_REC_USER_BASE)
			return bad_stream(w, -EINVAL,
					  "captured record %u before END at offset %llu is a kernel record type",
					  h->type, (unsigned long long)off);
		ret = put(w, CKPT_IMG_F_RECORDS, h, h->len);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return bad_stream(w, ret, "captured records: %s", s.error);
	return 0;
}

static int on_record(struct writer *w, const struct ckpt_rec *h, uint64_t off)
{
	const void *b = h + 1;

	if (w->end_seen)
		return bad_stream(w, -EBADMSG, "%s record after END at offset %llu",
				  ckpt_rec_name(h->type), (unsigned long long)off);
	switch (h->type) {
	case CKPT_REC_BEGIN: {
		const struct ckpt_rec_begin *r = b;

		if (w->begin_seen)
			return bad_stream(w, -EBADMSG, "second BEGIN at offset %llu",
					  (unsigned long long)off);
		if (!r->dump_seq || r->parent_seq >= r->dump_seq)
			return bad_stream(w, -EBADMSG,
					  "BEGIN names dump %llu with parent %llu",
					  (unsigned long long)r->dump_seq,
					  (unsigned long long)r->parent_seq);
		w->begin_seen = true;
		w->man.job_id = r->job_id;
		w->man.page_size = r->page_size;
		w->man.seq = r->dump_seq;
		w->man.parent_seq = r->parent_seq;
		w->man.stream_version = r->version;
		w->man.dump_flags = r->flags;
		w->man.time_ns = r->time_ns;
		break;
	}
	case CKPT_REC_PAGES: {
		const struct ckpt_rec_pages *r = b;
		size_t len = (size_t)r->nr_pages * w->man.page_size;
		int ret;

		ret = add_pme(w, r->pid, CKPT_IMG_PME_DATA, r->start, r->nr_pages,
			      w->zi.raw_size[CKPT_IMG_F_PAGES]);
		if (!ret)
			ret = add_pages(w, r->data, len);
		w->man.nr_pages += r->nr_pages;
		return ret;
	}
	case CKPT_REC_PAGES_SAME: {
		const struct ckpt_rec_pages_same *r = b;

		if (!w->man.parent_seq)
			return bad_stream(w, -EBADMSG,
					  "PAGES_SAME at offset %llu in a full (not incremental) dump",
					  (unsigned long long)off);
		w->man.nr_pages_same += r->nr_pages;
		return add_pme(w, r->pid, CKPT_IMG_PME_SAME, r->start,
			       r->nr_pages, 0);
	}
	case CKPT_REC_END: {
		const struct ckpt_rec_end *r = b;
		int ret;

		ret = add_extra(w, off);
		if (ret)
			return ret;
		if (r->nr_pages != w->man.nr_pages ||
		    r->nr_pages_same != w->man.nr_pages_same)
			return bad_stream(w, -EBADMSG,
					  "END counts %llu pages and %llu unchanged, the stream held %llu and %llu (records lost)",
					  (unsigned long long)r->nr_pages,
					  (unsigned long long)r->nr_pages_same,
					  (unsigned long long)w->man.nr_pages,
					  (unsigned long long)w->man.nr_pages_same);
		w->end_seen = true;
		break;
	}
	case CKPT_REC_TASK:
		w->man.nr_tasks++;
		break;
	case CKPT_REC_THREAD:
		w->man.nr_threads++;
		break;
	case CKPT_REC_VMA:
		w->man.nr_vmas++;
		break;
	}
	return put(w, CKPT_IMG_F_RECORDS, h, h->len);
}

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
static int consume(struct writer *w, int fd)
{
	size_t cap = STREAM_BUF, have = 0, pos;
	uint8_t *buf = malloc(cap);
	uint64_t base = 0;	/* stream offset of buf[0] */
	bool eof = false;
	int ret = 0;

	if (!buf) {
		return ckpt_err_set(w->err, -ENOMEM, "%s: out of memory", w->dir);
	}
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
				bad_stream(w, ret, "%s", w->s.error);
				goto out;
			}
			ret = on_record(w, rec, base + pos);
			pos += rec->len;
		}
		if (ret)
			break;
		/* keep the partial record, make room for it, read more */
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		base += pos;
		if (w->opts->progress)
			w->opts->progress(w->opts->progress_arg, base);
		if (have >= sizeof(struct ckpt_rec)) {
			const struct ckpt_rec *h = (const void *)buf;

			uint32_t rlen = h->len;

			if (rlen > cap && rlen <= RECORD_MAX) {
				uint8_t *nb = realloc(buf, rlen);

				if (!nb) {
					ret = -ENOMEM;
					ckpt_err_msg(w->err, "%s: out of memory for a %u-byte record",
						      w->dir, rlen);
					break;
				}
				buf = nb;
				cap = rlen;
			}
		}
		n = read_some(fd, buf + have, cap - have);
		if (n < 0) {
			ret = bad_stream(w, n, "read at offset %llu: %s",
					 (unsigned long long)(base + have),
					 strerror(-n));
			break;
		}
		eof = n == 0;
		have += n;
	}
out:
	free(buf);
	if (!ret && !w->end_seen)
		ret = bad_stream(w, -EBADMSG,
				 "ended at offset %llu before its END record (truncated dump)",
				 (unsigned long long)(base + have));
	return ret;
}

static int write_manifest(struct writer *w)
{
	char tmp[4200], path[4200];
	size_t hdr = w->man.hdr_len, len = hdr + w->man.nr_chunks * 8 + 8;
	uint8_t *m = calloc(1, len);
	uint64_t self;
	size_t done = 0;
	int fd, ret = 0;

	if (!m) {
		return ckpt_err_set(w->err, -ENOMEM, "%s: out of memory for the manifest", w->dir);
	}
	memcpy(m, &w->man, sizeof(w->man));
	if (w->z)
		memcpy(m + sizeof(w->man), &w->zi, sizeof(w->zi));
	if (w->man.nr_chunks)
		memcpy(m + hdr, w->chunks, w->man.nr_chunks * 8);
	self = ckptd_xxh64(m, len - 8, 0);
	memcpy(m + len - 8, &self, 8);

	snprintf(tmp, sizeof(tmp), "%s/" CKPT_IMG_MANIFEST_TMP, w->dir);
	snprintf(path, sizeof(path), "%s/" CKPT_IMG_MANIFEST, w->dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, m + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			goto fail;
		}
		done += n;
	}
	if (fsync(fd))
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	free(m);
	return ckptd_fsync_dir(w->dir, w->err);
fail:
	ret = -errno;
	ckpt_err_msg(w->err, "%s: writing the manifest: %s%s", tmp,
		      strerror(errno), errno == ENOSPC ?
		      "; free space on that filesystem or choose another image store" : "");
	if (fd >= 0)
		close(fd);
	free(m);
	return ret;
}

static int open_files(struct writer *w, const struct ckptd_image_write_opts *o)
{
	char path[4200];
	int ret;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		w->f[i].fd = -1;
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", w->dir, file_names[i]);
		ret = ckptd_iofile_open(&w->f[i], path,
					i == CKPT_IMG_F_PAGES && !o->no_direct && !w->z,
					w->err);
		if (ret)
			return ret;
	}
	return 0;
}

static int finish(struct writer *w)
{
	char parent[4200];
	int ret = 0;

	if (w->chunk_fill)
		ret = push_chunk(w);
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++)
		ret = flush_stage(w, i);
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++)
		ret = ckptd_iow_flush(&w->io, &w->f[i]);
	if (!ret)
		ret = ckptd_iow_drain(&w->io);
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++) {
		w->man.files[i].size = w->f[i].size;
		w->man.files[i].xxh64 = ckptd_xxh64_digest(&w->f[i].sum);
		ret = ckptd_iofile_close(&w->f[i], w->err);
	}
	if (!ret)
		ret = write_manifest(w);
	if (!ret) {
		/* make the new directory's own entry durable too */
		snprintf(parent, sizeof(parent), "%s", w->dir);
		ret = ckptd_fsync_dir(dirname(parent), w->err);
	}
	return ret;
}

/* Compression: records.img and pages.img in chunks (the index stays raw). */
static int setup_compression(struct writer *w,
			     const struct ckptd_image_write_opts *o)
{
	if (o->compression == CKPT_IMG_COMP_NONE)
		return 0;
	if (o->compression != CKPT_IMG_COMP_ZSTD) {
		return ckpt_err_set(w->err, -EINVAL, "%s: unknown compression %d; use none or zstd",
			      w->dir, o->compression);
	}
	w->zi.compression = o->compression;
	w->zi.level = o->level ? o->level : CKPTD_ZSTD_LEVEL_DEFAULT;
	w->zi.zfiles = 1U << CKPT_IMG_F_RECORDS | 1U << CKPT_IMG_F_PAGES;
	w->man.version = CKPT_IMG_VERSION;
	w->man.hdr_len = sizeof(w->man) + sizeof(w->zi);
	w->z = ckptd_zctx_new(w->zi.level);
	w->stage[CKPT_IMG_F_RECORDS] = malloc(CKPT_IMG_CHUNK);
	w->stage[CKPT_IMG_F_PAGES] = malloc(CKPT_IMG_CHUNK);
	if (!w->z || !w->stage[CKPT_IMG_F_RECORDS] || !w->stage[CKPT_IMG_F_PAGES]) {
		return ckpt_err_set(w->err, -ENOMEM, "%s: out of memory for zstd compression", w->dir);
	}
	return 0;
}

int ckptd_image_write(const char *dir, int stream_fd,
		      const struct ckptd_image_write_opts *opts,
		      struct ckptd_image_write_stats *stats,
		      struct ckpt_err *err)
{
	static const struct ckptd_image_write_opts defaults;
	struct writer *w;
	int ret;

	if (!opts)
		opts = &defaults;
	if (mkdir(dir, 0750)) {
		ret = -errno;
		return ckpt_err_set(err, ret, "%s: cannot create the image directory: %s%s",
			      dir, strerror(errno), errno == EEXIST ?
			      " (an image of that seq exists; remove it or use another seq)" : "");
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		rmdir(dir);
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", dir);
	}
	w->dir = dir;
	w->err = err;
	w->opts = opts;
	w->extra = opts->extra_records;
	w->extra_len = opts->extra_len;
	w->man.magic = CKPT_IMG_MAGIC;
	w->man.version = CKPT_IMG_VERSION_PLAIN;
	w->man.hdr_len = sizeof(w->man);
	w->man.chunk_size = CKPT_IMG_CHUNK;
	ckptd_xxh64_init(&w->chunk, 0);

	ret = setup_compression(w, opts);
	if (ret)
		goto out_dir;
	ret = ckptd_iow_init(&w->io, opts->queue_depth, opts->no_uring, err);
	if (ret)
		goto out_dir;
	ret = open_files(w, opts);
	if (!ret)
		ret = consume(w, stream_fd);
	if (!ret)
		ret = finish(w);
	if (ret)
		ckptd_iow_drain(&w->io);	/* buffers must come back first */
	if (stats) {
		stats->used_uring = w->io.uring;
		stats->used_direct = w->f[CKPT_IMG_F_PAGES].direct;
		stats->bytes = stats->raw_bytes = 0;
		for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
			stats->bytes += w->f[i].size;
			stats->raw_bytes += w->zi.raw_size[i];
		}
	}
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		ckptd_iofile_close(&w->f[i], NULL);
	ckptd_iow_exit(&w->io);
out_dir:
	if (ret)
		ckptd_image_remove_dir(dir);
	free(w->chunks);
	ckptd_zctx_free(w->z);
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		free(w->stage[i]);
	free(w);
	return ret;
}
