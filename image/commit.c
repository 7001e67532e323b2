// SPDX-License-Identifier: GPL-2.0
/*
 * Committing an image (ckptd_image_wr_commit): records.img (the last
 * stream's records, BEGIN naming the image's parent, the captured records
 * before END), pagemap.img, the manifest, fsyncs, and the temporary
 * directory renamed to the image's.
 *
 * A plain image is version 3: pages.img is the data file as the module
 * wrote it, superseded pre-copy pages punched out, and the manifest's
 * sums are the module's per-page hashes; ckptd reads no page byte.  A
 * compressed image is version 2: the staging file's pages are read once,
 * in pagemap order, compressed into pages.img chunks and summed per
 * 1 MiB there (the one place ckptd hashes page data: compression is a
 * pass over the bytes anyway), and the staging file is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compress.h"
#include "io.h"
#include "writer.h"

struct committer {
	struct ckptd_image_wr *w;
	const char *dir;
	struct ckpt_err *err;
	struct ckptd_iow io;
	struct ckptd_iofile f[CKPT_IMG_NR_FILES];
	struct ckpt_img_manifest man;
	struct ckpt_img_zinfo zi;
	struct ckptd_zctx *z;
	uint8_t *stage[CKPT_IMG_NR_FILES];	/* one raw chunk being filled */
	size_t stage_fill[CKPT_IMG_NR_FILES];
	/* version 2: pages.img chunk sums */
	struct ckptd_xxh64 chunk;
	uint64_t chunk_fill;
	uint64_t *chunks;
	size_t chunks_cap;
	uint64_t file_size;		/* of the data file */
};

static const char *const file_names[CKPT_IMG_NR_FILES] = {
	[CKPT_IMG_F_RECORDS] = CKPT_IMG_RECORDS,
	[CKPT_IMG_F_PAGEMAP] = CKPT_IMG_PAGEMAP,
	[CKPT_IMG_F_PAGES] = CKPT_IMG_PAGES,
};

/* Packs the raw chunk staged for file i and appends it. */
static int flush_stage(struct committer *c, int i)
{
	const void *out;
	size_t len;
	int ret;

	if (!c->stage_fill[i])
		return 0;
	ret = ckptd_zchunk_pack(c->z, c->stage[i], c->stage_fill[i], &out, &len);
	if (ret)
		return ckpt_err_set(c->err, ret, "%s/%s: zstd compression failed; set 'compression = none' in ckptd.conf",
				    c->w->tmp, file_names[i]);
	c->stage_fill[i] = 0;
	return ckptd_iow_append(&c->io, &c->f[i], out, len);
}

/* Appends raw contents to file i, compressed if it is compressed. */
static int put(struct committer *c, int i, const void *data, size_t len)
{
	const uint8_t *p = data;
	int ret = 0;

	c->zi.raw_size[i] += len;
	if (!c->stage[i])
		return ckptd_iow_append(&c->io, &c->f[i], data, len);
	while (len && !ret) {
		size_t n = CKPT_IMG_CHUNK - c->stage_fill[i];

		if (n > len)
			n = len;
		memcpy(c->stage[i] + c->stage_fill[i], p, n);
		c->stage_fill[i] += n;
		p += n;
		len -= n;
		if (c->stage_fill[i] == CKPT_IMG_CHUNK)
			ret = flush_stage(c, i);
	}
	return ret;
}

static int push_chunk(struct committer *c)
{
	if (c->man.nr_chunks == c->chunks_cap) {
		size_t cap = c->chunks_cap ? 2 * c->chunks_cap : 256;
		uint64_t *n = realloc(c->chunks, cap * sizeof(*n));

		if (!n)
			return ckpt_err_set(c->err, -ENOMEM, "%s: out of memory for chunk checksums",
					    c->dir);
		c->chunks = n;
		c->chunks_cap = cap;
	}
	c->chunks[c->man.nr_chunks++] = ckptd_xxh64_digest(&c->chunk);
	ckptd_xxh64_init(&c->chunk, 0);
	c->chunk_fill = 0;
	return 0;
}

/* Version 2: raw page contents, summed per CKPT_IMG_CHUNK, compressed. */
static int add_pages(struct committer *c, const uint8_t *p, size_t len)
{
	size_t left = len;
	int ret;

	while (left) {
		size_t n = CKPT_IMG_CHUNK - c->chunk_fill;

		if (n > left)
			n = left;
		ckptd_xxh64_update(&c->chunk, p + (len - left), n);
		c->chunk_fill += n;
		left -= n;
		if (c->chunk_fill == CKPT_IMG_CHUNK) {
			ret = push_chunk(c);
			if (ret)
				return ret;
		}
	}
	return put(c, CKPT_IMG_F_PAGES, p, len);
}

/*
 * The records userspace captured (open files and the like) go into
 * records.img just before END, each checked like a stream record and
 * required to be of a userspace type.
 */
static int check_extra(struct committer *c, const void *extra, size_t len)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret;

	ckpt_stream_init(&s, extra, len);
	s.page_size = c->man.page_size;
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1)
		if (h->type < CKPT_REC_USER_BASE)
			return ckpt_err_set(c->err, -EINVAL, "%s: dump stream: captured record %u at offset %zu is a kernel record type; no image written",
					    c->dir, h->type, s.off - h->len);
	if (ret < 0)
		return ckpt_err_set(c->err, ret, "%s: dump stream: captured records: %s; no image written",
				    c->dir, s.error);
	return 0;
}

/* Version 2: the data file's pages, in pagemap order, into pages.img. */
static int compact_pages(struct committer *c)
{
	struct ckptd_image_wr *w = c->w;
	uint8_t *buf = malloc(CKPT_IMG_CHUNK);
	int ret = 0;

	if (!buf)
		return ckpt_err_set(c->err, -ENOMEM, "%s: out of memory", c->dir);
	for (size_t i = 0; i < w->cur.n && !ret; i++) {
		struct ckptd_wr_run *r = &w->cur.v[i];
		uint64_t len = (uint64_t)r->nr * w->page_size, done = 0;

		if (r->flags != CKPT_IMG_PME_DATA)
			continue;
		while (done < len && !ret) {
			size_t n = len - done < CKPT_IMG_CHUNK ? len - done : CKPT_IMG_CHUNK;
			ssize_t got = pread(w->data_fd, buf, n, r->off + done);

			if (got != (ssize_t)n) {
				ret = ckpt_err_set(c->err, got < 0 ? -errno : -EBADMSG,
						   "%s: read at offset %llu: %s", w->data_path,
						   (unsigned long long)(r->off + done),
						   got < 0 ? strerror(errno) : "shorter than the streams say");
				break;
			}
			ret = add_pages(c, buf, n);
			done += n;
		}
		r->off = c->zi.raw_size[CKPT_IMG_F_PAGES] - len;
	}
	free(buf);
	if (!ret && c->chunk_fill)
		ret = push_chunk(c);
	return ret;
}

static int setup_compression(struct committer *c)
{
	c->zi.compression = c->w->o.compression;
	c->zi.level = c->w->o.level ? c->w->o.level : CKPTD_ZSTD_LEVEL_DEFAULT;
	c->zi.zfiles = 1U << CKPT_IMG_F_RECORDS | 1U << CKPT_IMG_F_PAGES;
	c->man.version = CKPT_IMG_VERSION_COMPRESSED;
	c->man.hdr_len = sizeof(c->man) + sizeof(c->zi);
	c->man.chunk_size = CKPT_IMG_CHUNK;
	ckptd_xxh64_init(&c->chunk, 0);
	c->z = ckptd_zctx_new(c->zi.level);
	c->stage[CKPT_IMG_F_RECORDS] = malloc(CKPT_IMG_CHUNK);
	c->stage[CKPT_IMG_F_PAGES] = malloc(CKPT_IMG_CHUNK);
	if (!c->z || !c->stage[CKPT_IMG_F_RECORDS] || !c->stage[CKPT_IMG_F_PAGES])
		return ckpt_err_set(c->err, -ENOMEM, "%s: out of memory for zstd compression", c->dir);
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ENOSPC;
		done += n;
	}
	return 0;
}

/* The manifest, in the temporary directory (its rename commits). */
static int write_manifest(struct committer *c)
{
	struct ckptd_image_wr *w = c->w;
	size_t hdr = c->man.hdr_len, len = hdr + c->man.nr_chunks * 8 + 8;
	uint8_t *m = calloc(1, len);
	char path[4300];
	uint64_t self, *sums;
	int fd, ret;

	if (!m)
		return ckpt_err_set(c->err, -ENOMEM, "%s: out of memory for the manifest", c->dir);
	memcpy(m, &c->man, sizeof(c->man));
	if (c->z)
		memcpy(m + sizeof(c->man), &c->zi, sizeof(c->zi));
	sums = (uint64_t *)(m + hdr);
	if (c->z) {
		memcpy(sums, c->chunks, c->man.nr_chunks * 8);
	} else {
		/* version 3: the module's hash of each page; 0 if none */
		for (uint64_t k = 0; k < c->man.nr_chunks && k < w->nr_sums; k++)
			sums[k] = w->sums[k] & ~CKPTD_WR_DESCRIBED;
	}
	self = ckptd_xxh64(m, len - 8, 0);
	memcpy(m + len - 8, &self, 8);

	snprintf(path, sizeof(path), "%s/" CKPT_IMG_MANIFEST, w->tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	ret = fd < 0 ? -errno : write_all(fd, m, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(m);
	if (ret)
		return ckpt_err_set(c->err, ret, "%s: writing the manifest: %s%s", path,
				    strerror(-ret), ret == -ENOSPC ?
				    "; free space on that filesystem or choose another image store" : "");
	return 0;
}

/* The temporary directory becomes dir, which must not exist. */
static int rename_into_place(struct committer *c)
{
	char parent[4200];
	struct stat st;
	int ret;

	ret = ckptd_fsync_dir(c->w->tmp, c->err);
	if (ret)
		return ret;
	if (renameat2(AT_FDCWD, c->w->tmp, AT_FDCWD, c->dir, RENAME_NOREPLACE)) {
		/* a filesystem without RENAME_NOREPLACE: check, then rename */
		if (errno != EINVAL && errno != ENOSYS)
			goto fail;
		if (!lstat(c->dir, &st)) {
			errno = EEXIST;
			goto fail;
		}
		if (rename(c->w->tmp, c->dir))
			goto fail;
	}
	c->w->tmp[0] = '\0';	/* committed: nothing to remove */
	snprintf(parent, sizeof(parent), "%s", c->dir);
	ret = ckptd_fsync_dir(dirname(parent), c->err);
	if (ret) {
		/* not durable: a failed write leaves no image, manifest first */
		snprintf(parent, sizeof(parent), "%s/" CKPT_IMG_MANIFEST, c->dir);
		unlink(parent);
		ckptd_image_remove_dir(c->dir);
	}
	return ret;
fail:
	return ckpt_err_set(c->err, -errno, "%s: cannot rename the image written in %s into place: %s%s",
			    c->dir, c->w->tmp, strerror(errno), errno == EEXIST ?
			    " (an image of that seq exists; remove it or use another seq)" : "");
}

/* The header from the last stream's BEGIN, which now names the parent. */
static int fill_header(struct committer *c)
{
	struct ckptd_image_wr *w = c->w;
	struct ckpt_rec_begin *b = (void *)(w->rec + sizeof(struct ckpt_rec));

	b->parent_seq = w->first_parent;
	b->flags &= ~CKPT_DUMP_PRECOPY;
	if (w->first_parent)
		b->flags |= CKPT_DUMP_INCREMENTAL;
	else
		b->flags &= ~CKPT_DUMP_INCREMENTAL;
	c->man.magic = CKPT_IMG_MAGIC;
	c->man.version = CKPT_IMG_VERSION_PLAIN;
	c->man.hdr_len = sizeof(c->man);
	c->man.job_id = w->job_id;
	c->man.page_size = w->page_size;
	c->man.seq = w->seq;
	c->man.parent_seq = w->first_parent;
	c->man.stream_version = b->version;
	c->man.dump_flags = b->flags;
	c->man.time_ns = b->time_ns;
	c->man.nr_tasks = w->tasks;
	c->man.nr_threads = w->threads;
	c->man.nr_vmas = w->vmas;
	c->man.nr_pme = w->cur.n;
	for (size_t i = 0; i < w->cur.n; i++) {
		if (w->cur.v[i].flags == CKPT_IMG_PME_DATA)
			c->man.nr_pages += w->cur.v[i].nr;
		else
			c->man.nr_pages_same += w->cur.v[i].nr;
	}
	if (c->file_size % w->page_size || c->file_size < w->data_size)
		return ckpt_err_set(c->err, -EBADMSG, "%s: %llu bytes, the dump streams wrote %llu in pages of %u bytes: the file was truncated or written by someone else",
				    w->data_path, (unsigned long long)c->file_size,
				    (unsigned long long)w->data_size, w->page_size);
	if (!w->o.compression) {
		c->man.chunk_size = w->page_size;
		c->man.nr_chunks = c->file_size / w->page_size;
	}
	return 0;
}

static int write_files(struct committer *c, const void *extra, size_t extra_len)
{
	struct ckptd_image_wr *w = c->w;
	char path[4300];
	int ret = 0;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		c->f[i].fd = -1;
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++) {
		if (i == CKPT_IMG_F_PAGES && !c->z)
			continue;	/* the data file itself */
		snprintf(path, sizeof(path), "%s/%s", w->tmp, file_names[i]);
		ret = ckptd_iofile_open(&c->f[i], path, c->err);
	}
	if (!ret)
		ret = put(c, CKPT_IMG_F_RECORDS, w->rec, w->end_off);
	if (!ret && extra_len)
		ret = put(c, CKPT_IMG_F_RECORDS, extra, extra_len);
	if (!ret)
		ret = put(c, CKPT_IMG_F_RECORDS, w->rec + w->end_off,
			  w->rec_len - w->end_off);
	if (!ret)
		ret = c->z ? compact_pages(c) : ckptd_wr_punch(w, c->file_size, c->err);
	for (size_t i = 0; i < w->cur.n && !ret; i++) {
		const struct ckptd_wr_run *r = &w->cur.v[i];
		struct ckpt_img_pme e = {
			.pid = r->pid, .flags = r->flags, .vaddr = r->vaddr,
			.nr_pages = r->nr,
			.offset = r->flags == CKPT_IMG_PME_DATA ? r->off : 0,
		};

		ret = put(c, CKPT_IMG_F_PAGEMAP, &e, sizeof(e));
	}
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++)
		ret = c->stage[i] ? flush_stage(c, i) : 0;
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++)
		ret = c->f[i].fd >= 0 ? ckptd_iow_flush(&c->io, &c->f[i]) : 0;
	if (!ret)
		ret = ckptd_iow_drain(&c->io);
	else
		ckptd_iow_drain(&c->io);	/* buffers must come back first */
	for (int i = 0; i < CKPT_IMG_NR_FILES && !ret; i++) {
		if (c->f[i].fd < 0)
			continue;
		c->man.files[i].size = c->f[i].size;
		c->man.files[i].xxh64 = ckptd_xxh64_digest(&c->f[i].sum);
		ret = ckptd_iofile_close(&c->f[i], c->err);
	}
	if (ret)
		return ret;
	if (c->z) {
		if (unlink(w->data_path))
			return ckpt_err_sys(c->err, "%s: cannot remove the staging file", w->data_path);
	} else {
		/* version 3: pages.img is the data file, summed per page */
		c->zi.raw_size[CKPT_IMG_F_PAGES] = c->file_size;
		c->man.files[CKPT_IMG_F_PAGES].size = c->file_size;
		c->man.files[CKPT_IMG_F_PAGES].xxh64 = 0;
		if (fsync(w->data_fd))
			return ckpt_err_sys(c->err, "%s: fsync", w->data_path);
	}
	close(w->data_fd);
	w->data_fd = -1;
	return 0;
}

int ckptd_image_wr_commit(struct ckptd_image_wr *w, const char *dir,
			  const void *extra, size_t extra_len,
			  struct ckptd_image_write_stats *st, struct ckpt_err *err)
{
	struct committer c = { .w = w, .dir = dir, .err = err };
	struct stat sb;
	int ret;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		c.f[i].fd = -1;
	if (w->failed)
		return ckpt_err_set(err, w->failed, "%s: an earlier dump stream was refused; no image written",
				    dir);
	if (w->data_fd < 0)
		return ckpt_err_set(err, -EINVAL, "%s: the image is committed already", dir);
	if (!w->nr_streams)
		return ckpt_err_set(err, -EINVAL, "%s: no dump stream was added; no image written", dir);
	if (fstat(w->data_fd, &sb))
		return ckpt_err_sys(err, "%s: fstat", w->data_path);
	c.file_size = sb.st_size;
	ret = fill_header(&c);
	if (!ret && extra_len)
		ret = check_extra(&c, extra, extra_len);
	if (!ret && w->o.compression)
		ret = setup_compression(&c);
	if (!ret)
		ret = ckptd_iow_init(&c.io, w->o.queue_depth, w->o.no_uring, err);
	if (!ret) {
		ret = write_files(&c, extra, extra_len);
		for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
			ckptd_iofile_close(&c.f[i], NULL);
		if (st) {
			memset(st, 0, sizeof(*st));
			st->used_uring = c.io.uring;
			for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
				st->bytes += c.man.files[i].size;
				st->raw_bytes += c.zi.raw_size[i];
			}
			st->nr_pages = c.man.nr_pages;
			st->data_pages = c.file_size / w->page_size;
		}
		ckptd_iow_exit(&c.io);
	}
	if (!ret)
		ret = write_manifest(&c);
	if (!ret)
		ret = rename_into_place(&c);
	if (ret)
		w->failed = ret;
	free(c.chunks);
	ckptd_zctx_free(c.z);
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		free(c.stage[i]);
	return ret;
}
