// SPDX-License-Identifier: GPL-2.0
/*
 * zstd chunks of a compressed image file: packing one chunk (writer),
 * checking and unpacking one (readers), and reading a whole file chunk by
 * chunk with every check.  Nothing is allocated from a size read from the
 * file: a chunk holds at most CKPT_IMG_CHUNK bytes, and a frame that says
 * otherwise is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "compress.h"
#include "xxh64.h"

struct ckptd_zctx {
	ZSTD_CCtx *cctx;
	uint8_t *buf;
	size_t cap;
};

static size_t comp_max(void)
{
	return ZSTD_compressBound(CKPT_IMG_CHUNK);
}

struct ckptd_zctx *ckptd_zctx_new(int level)
{
	struct ckptd_zctx *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->cap = sizeof(struct ckpt_img_zchunk) + comp_max() + 8;
	z->buf = malloc(z->cap);
	z->cctx = ZSTD_createCCtx();
	if (!z->buf || !z->cctx ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_contentSizeFlag, 1))) {
		ckptd_zctx_free(z);
		return NULL;
	}
	return z;
}

void ckptd_zctx_free(struct ckptd_zctx *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->buf);
	free(z);
}

int ckptd_zchunk_pack(struct ckptd_zctx *z, const void *raw, size_t len,
		      const void **out, size_t *out_len)
{
	struct ckpt_img_zchunk h = {
		.magic = CKPT_IMG_ZCHUNK_MAGIC, .raw_len = len,
	};
	uint8_t *data = z->buf + sizeof(h);
	size_t n, padded;

	if (!len || len > CKPT_IMG_CHUNK)
		return -EINVAL;
	n = ZSTD_compress2(z->cctx, data, comp_max(), raw, len);
	if (ZSTD_isError(n))
		return -EIO;
	padded = (n + 7) & ~(size_t)7;
	memset(data + n, 0, padded - n);
	h.comp_len = n;
	h.raw_xxh64 = ckptd_xxh64(raw, len, 0);
	h.xxh64 = ckptd_xxh64(data, n, 0);
	memcpy(z->buf, &h, sizeof(h));
	*out = z->buf;
	*out_len = sizeof(h) + padded;
	return 0;
}

static int bad(struct ckpt_err *err, const struct ckptd_zchunk_at *at,
	       const char *what)
{
	return ckpt_err_set(err, -EBADMSG, "%s: compressed chunk %llu (offset %llu): %s; the image is corrupt, restore an older checkpoint",
		      at->path, (unsigned long long)at->index,
		      (unsigned long long)at->off, what);
}

int ckptd_zchunk_check(const struct ckpt_img_zchunk *h, uint64_t file_size,
		       uint32_t want_raw, const struct ckptd_zchunk_at *at,
		       uint64_t *next, struct ckpt_err *err)
{
	uint64_t end = at->off + sizeof(*h) + (((uint64_t)h->comp_len + 7) & ~7ULL);
	char what[160];

	if (h->magic != CKPT_IMG_ZCHUNK_MAGIC)
		return bad(err, at, "no chunk header (bad magic)");
	if (h->raw_len > CKPT_IMG_CHUNK) {
		snprintf(what, sizeof(what),
			 "claims %u bytes once decompressed, more than a chunk's %u",
			 h->raw_len, CKPT_IMG_CHUNK);
		return bad(err, at, what);
	}
	if (h->raw_len != want_raw) {
		snprintf(what, sizeof(what),
			 "holds %u bytes once decompressed, the manifest implies %u",
			 h->raw_len, want_raw);
		return bad(err, at, what);
	}
	if (!h->comp_len || h->comp_len > comp_max()) {
		snprintf(what, sizeof(what), "compressed length %u is out of range",
			 h->comp_len);
		return bad(err, at, what);
	}
	if (end > file_size) {
		snprintf(what, sizeof(what),
			 "%u compressed bytes run past the end of the file (%llu bytes): truncated",
			 h->comp_len, (unsigned long long)file_size);
		return bad(err, at, what);
	}
	*next = end;
	return 0;
}

int ckptd_zchunk_unpack(void *dctx, const struct ckpt_img_zchunk *h,
			const void *comp, void *raw,
			const struct ckptd_zchunk_at *at, struct ckpt_err *err)
{
	const uint8_t *pad = (const uint8_t *)comp + h->comp_len;
	unsigned long long fcs;
	char what[200];
	size_t n;

	for (uint32_t i = h->comp_len; i % 8; i++)
		if (*pad++)
			return bad(err, at, "non-zero padding after the compressed bytes");
	if (ckptd_xxh64(comp, h->comp_len, 0) != h->xxh64)
		return bad(err, at, "checksum mismatch of the compressed bytes");
	fcs = ZSTD_getFrameContentSize(comp, h->comp_len);
	if (fcs != h->raw_len) {
		if (fcs == ZSTD_CONTENTSIZE_ERROR || fcs == ZSTD_CONTENTSIZE_UNKNOWN)
			snprintf(what, sizeof(what), "not a zstd frame with a content size");
		else
			snprintf(what, sizeof(what),
				 "the zstd frame claims %llu bytes, the chunk %u",
				 fcs, h->raw_len);
		return bad(err, at, what);
	}
	n = ZSTD_decompressDCtx(dctx, raw, h->raw_len, comp, h->comp_len);
	if (ZSTD_isError(n) || n != h->raw_len) {
		snprintf(what, sizeof(what), "zstd cannot decompress it (%s)",
			 ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output");
		return bad(err, at, what);
	}
	if (ckptd_xxh64(raw, n, 0) != h->raw_xxh64)
		return bad(err, at, "checksum mismatch of the decompressed bytes");
	return 0;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off,
		   const struct ckptd_zchunk_at *at, struct ckpt_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			ckpt_err_msg(err, "%s: compressed chunk %llu: read at offset %llu: %s",
				      at->path, (unsigned long long)at->index,
				      (unsigned long long)(off + done), strerror(e));
			return -e;
		}
		if (!n)
			return bad(err, at, "the file ends inside it: truncated");
		done += n;
	}
	return 0;
}

int ckptd_zfile_read(int fd, const char *path, uint64_t file_size,
		     uint64_t raw_size, uint64_t *sum,
		     int (*fn)(void *arg, uint64_t index, const void *raw,
			       size_t len, struct ckpt_err *err),
		     void *arg, struct ckpt_err *err)
{
	struct ckptd_zchunk_at at = { .path = path };
	size_t cap = comp_max() + 8;
	uint8_t *comp = malloc(cap), *raw = malloc(CKPT_IMG_CHUNK);
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	uint64_t done = 0;
	struct ckptd_xxh64 all;
	int ret = 0;

	ckptd_xxh64_init(&all, 0);
	if (!comp || !raw || !dctx) {
		ckpt_err_msg(err, "%s: out of memory for decompression", path);
		ret = -ENOMEM;
		goto out;
	}
	while (!ret && (done < raw_size || at.off < file_size)) {
		struct ckpt_img_zchunk h;
		uint64_t left = raw_size - done, next;
		uint32_t want = left < CKPT_IMG_CHUNK ? left : CKPT_IMG_CHUNK;

		if (!want) {
			ret = bad(err, &at, "more chunks than the manifest's size implies");
			break;
		}
		if (file_size - at.off < sizeof(h)) {
			ret = bad(err, &at, "the file ends inside its header: truncated");
			break;
		}
		ret = read_at(fd, &h, sizeof(h), at.off, &at, err);
		if (!ret)
			ret = ckptd_zchunk_check(&h, file_size, want, &at, &next, err);
		if (!ret)
			ret = read_at(fd, comp, next - at.off - sizeof(h),
				      at.off + sizeof(h), &at, err);
		if (!ret)
			ret = ckptd_zchunk_unpack(dctx, &h, comp, raw, &at, err);
		if (ret)
			break;
		ckptd_xxh64_update(&all, &h, sizeof(h));
		ckptd_xxh64_update(&all, comp, next - at.off - sizeof(h));
		ret = fn(arg, at.index, raw, h.raw_len, err);
		done += h.raw_len;
		at.off = next;
		at.index++;
	}
	if (sum)
		*sum = ckptd_xxh64_digest(&all);
out:
	ZSTD_freeDCtx(dctx);
	free(comp);
	free(raw);
	return ret;
}
