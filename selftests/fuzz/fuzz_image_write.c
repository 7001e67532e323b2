// SPDX-License-Identifier: GPL-2.0
/*
 * The consumer of the dump stream, the image writer (image/write.c,
 * compose.c, commit.c), which must either refuse its input and leave
 * nothing behind (no image directory, no temporary directory) or write
 * an image that ckptd_image_open() and ckptd_image_verify() accept.
 *
 * First byte: bit 0, zstd-compressed; bit 1, the writer of image_store.h
 * fed as ckptd feeds it: the rest is fuzz_section()s, the first the data
 * file as the module wrote it (padded to whole 4 KiB pages, at most
 * DATA_MAX bytes), each further one a dump stream (the pre-copies, then
 * the final dump; at most STREAMS_MAX); bit 2 (with bit 1), the hashes of
 * PAGES_FILE records fixed up to the data file's pages, so that mutations
 * get past them to the composition behind.  Without bit 1 the rest is one
 * stream read from an fd by ckptd_image_write(), inline pages and all.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "dump_stream.h"
#include "image.h"
#include "image_store.h"
#include "xxh64.h"

#define DATA_MAX	(64U << 12)
#define STREAMS_MAX	4

/* Sets the hash of every PAGES_FILE page inside data to the page's. */
static void fix_hashes(uint8_t *stream, size_t len, const uint8_t *data, size_t data_len)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;

	ckpt_stream_init(&s, stream, len);
	while (ckpt_stream_next(&s, &h, &body) == 1) {
		struct ckpt_rec_pages_file *r = (void *)(h + 1);
		uint64_t ps = s.page_size;

		if (h->type != CKPT_REC_PAGES_FILE || ps > data_len)
			continue;
		for (uint32_t i = 0; i < r->nr_pages; i++) {
			uint64_t off = r->offset + i * ps;

			if (off > data_len - ps)
				break;
			r->hash[i] = ckptd_xxh64(data + off, ps, 0) >> 1;
		}
	}
}

/* No temporary directory of a writer is left in dir. */
static void check_no_tmp(const char *dir, const char *msg)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, CKPTD_IMAGE_TMP_PREFIX, strlen(CKPTD_IMAGE_TMP_PREFIX)))
			continue;
		fprintf(stderr, "the writer left %s/%s behind: %s\n", dir, de->d_name, msg);
		abort();
	}
	if (d)
		closedir(d);
}

static int write_streams(const char *dir, uint8_t flags, const uint8_t *in, size_t size,
			 const struct ckptd_image_write_opts *o, struct ckpt_err *err)
{
	struct fuzz_cursor c = { in, size };
	static uint8_t data[DATA_MAX];
	struct ckptd_image_wr *w;
	const uint8_t *p;
	size_t len, data_len;
	int ret, n = 0;

	if (!fuzz_section(&c, &p, &len))
		return -EINVAL;
	if (len > DATA_MAX)
		len = DATA_MAX;
	data_len = (len + 4095) & ~(size_t)4095;
	memset(data, 0, data_len);
	if (p)
		memcpy(data, p, len);
	ret = ckptd_image_wr_begin(fuzz_scratch(), o, &w, err);
	if (ret)
		return ret;
	if (pwrite(ckptd_image_wr_data_fd(w), data, data_len, 0) != (ssize_t)data_len)
		abort();
	while (!ret && n++ < STREAMS_MAX && fuzz_section(&c, &p, &len)) {
		uint8_t *s = malloc(len ? len : 1);

		if (p)
			memcpy(s, p, len);
		else
			len = 0;
		if (flags & 4)
			fix_hashes(s, len, data, data_len);
		ret = ckptd_image_wr_add_stream(w, s, len, err);
		free(s);
	}
	if (!ret)
		ret = ckptd_image_wr_commit(w, dir, NULL, 0, NULL, err);
	ckptd_image_wr_free(w);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ckptd_image_write_opts o = { .queue_depth = 1, .no_uring = 1 };
	struct ckptd_image *img;
	struct ckpt_err err = { 0 };
	char dir[256];
	int ret;

	if (!size)
		return 0;
	if (data[0] & 1) {
		o.compression = CKPT_IMG_COMP_ZSTD;
		o.level = 1;
	}
	snprintf(dir, sizeof(dir), "%s/img", fuzz_scratch());
	if (data[0] & 2) {
		ret = write_streams(dir, data[0], data + 1, size - 1, &o, &err);
	} else {
		if (fd < 0)
			fd = memfd_create("stream", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) ||
		    (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) ||
		    lseek(fd, 0, SEEK_SET))
			abort();
		ret = ckptd_image_write(dir, fd, &o, NULL, &err);
	}
	fuzz_debug("image write: %d %s\n", ret, err.msg);
	check_no_tmp(fuzz_scratch(), err.msg);
	if (ret) {
		struct stat st;

		if (!stat(dir, &st)) {
			fprintf(stderr, "a failed write left %s behind: %s\n", dir, err.msg);
			abort();
		}
		return 0;
	}
	/* what the writer accepted, the reader must accept */
	ret = ckptd_image_open(dir, &img, &err);
	if (!ret) {
		ret = ckptd_image_verify(img, &err);
		ckptd_image_close(img);
	}
	/*
	 * Only these may fail: an incremental image's parent is not there,
	 * and a page hash the input made up (the writer trusts the module's).
	 */
	if (ret && !strstr(err.msg, "parent image") &&
	    ((data[0] & 6) != 2 || !strstr(err.msg, "checksum mismatch of the page"))) {
		fprintf(stderr, "the writer wrote an image the reader refuses: %s\n", err.msg);
		abort();
	}
	ckptd_image_remove_dir(dir);
	return 0;
}
