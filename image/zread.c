// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a compressed image (version 2): records.img decompressed into
 * memory when the image is opened, pages.img decompressed chunk by chunk
 * to verify it, or into a memfd for readers that pread page runs (the
 * restorer).  Every chunk is checked on the way (compress.c); the
 * checksums of the raw pages are the manifest's chunk sums, as for an
 * uncompressed image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zread.h"
#include "compress.h"

#define RECORDS_RAW_MAX	(1ULL << 30)	/* refuse larger records.img contents */

const char *ckptd_image_compression_name(uint32_t compression)
{
	switch (compression) {
	case CKPT_IMG_COMP_NONE: return "none";
	case CKPT_IMG_COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

bool ckptd_image_zfile(const struct ckptd_image *img, int file)
{
	return img->zi.zfiles & (1U << file);
}

struct rec_sink {
	uint8_t *buf;
	size_t len, cap;
	const char *path;
};

static int rec_chunk(void *arg, uint64_t index, const void *raw, size_t len,
		     struct ckpt_err *err)
{
	struct rec_sink *s = arg;

	(void)index;
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : CKPT_IMG_CHUNK;
		uint8_t *n = realloc(s->buf, cap);

		if (!n) {
			return ckpt_err_set(err, -ENOMEM, "%s: out of memory for %zu bytes of records",
				      s->path, cap);
		}
		s->buf = n;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, raw, len);
	s->len += len;
	return 0;
}

int ckptd_image_load_zrecords(struct ckptd_image *img, struct ckpt_err *err)
{
	const struct ckpt_img_file_sum *f = &img->man.files[CKPT_IMG_F_RECORDS];
	uint64_t raw = img->zi.raw_size[CKPT_IMG_F_RECORDS], sum;
	char path[4200];
	struct rec_sink s = { .path = path };
	int fd, ret;

	snprintf(path, sizeof(path), "%s/" CKPT_IMG_RECORDS, img->dir);
	if (raw > RECORDS_RAW_MAX) {
		return ckpt_err_set(err, -EFBIG, "%s: %llu bytes once decompressed, more than the %llu a reader accepts: the manifest is corrupt",
			      path, (unsigned long long)raw, RECORDS_RAW_MAX);
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return ckpt_err_set(err, -errno, "%s: %s", path, strerror(errno));
	}
	ret = ckptd_zfile_read(fd, path, f->size, raw, &sum, rec_chunk, &s, err);
	close(fd);
	if (!ret && sum != f->xxh64) {
		ckpt_err_msg(err, "%s: checksum mismatch of the stored file: the records are corrupt",
			      path);
		ret = -EBADMSG;
	}
	if (ret) {
		free(s.buf);
		return ret;
	}
	img->records = s.buf ? s.buf : malloc(1);
	img->records_len = s.len;
	if (!img->records) {
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

struct page_sink {
	struct ckptd_image *img;
	int out_fd;			/* -1: only check */
	const char *path;
};

static int page_chunk(void *arg, uint64_t index, const void *raw, size_t len,
		      struct ckpt_err *err)
{
	struct page_sink *s = arg;
	uint64_t off = index * CKPT_IMG_CHUNK;
	size_t done = 0;

	if (ckptd_xxh64(raw, len, 0) != s->img->chunk_sums[index]) {
		return ckpt_err_set(err, -EBADMSG, "%s: checksum mismatch in chunk %llu (raw offset %llu, %zu bytes): page data is corrupt",
			      s->path, (unsigned long long)index,
			      (unsigned long long)off, len);
	}
	while (s->out_fd >= 0 && done < len) {
		ssize_t n = pwrite(s->out_fd, (const uint8_t *)raw + done,
				   len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n ? errno : ENOSPC;

			ckpt_err_msg(err, "%s: decompressing chunk %llu into memory: %s; free memory or restore on a larger host",
				      s->path, (unsigned long long)index, strerror(e));
			return -e;
		}
		done += n;
	}
	return 0;
}

/* Decompresses and checks pages.img; into a new memfd if @keep. */
int ckptd_image_zpages(struct ckptd_image *img, bool keep, struct ckpt_err *err)
{
	const struct ckpt_img_file_sum *f = &img->man.files[CKPT_IMG_F_PAGES];
	char path[4200];
	struct page_sink s = { .img = img, .out_fd = -1, .path = path };
	uint64_t sum;
	int ret;

	snprintf(path, sizeof(path), "%s/" CKPT_IMG_PAGES, img->dir);
	if (keep) {
		s.out_fd = memfd_create("ckpt-pages", MFD_CLOEXEC);
		if (s.out_fd < 0) {
			return ckpt_err_set(err, -errno, "%s: memfd_create: %s", path, strerror(errno));
		}
	}
	ret = ckptd_zfile_read(img->zpages_fd, path, f->size,
			       img->zi.raw_size[CKPT_IMG_F_PAGES], &sum,
			       page_chunk, &s, err);
	if (!ret && sum != f->xxh64) {
		ckpt_err_msg(err, "%s: whole-file checksum mismatch: page data is corrupt",
			      path);
		ret = -EBADMSG;
	}
	if (ret || !keep) {
		if (s.out_fd >= 0)
			close(s.out_fd);
		return ret;
	}
	img->pages_fd = s.out_fd;
	img->pages_checked = true;
	return 0;
}

int ckptd_image_pages_fd(struct ckptd_image *img, int *fd,
			 struct ckpt_err *err)
{
	int ret;

	if (img->pages_fd < 0) {
		ret = ckptd_image_zpages(img, true, err);
		if (ret)
			return ret;
	}
	*fd = img->pages_fd;
	return 0;
}
