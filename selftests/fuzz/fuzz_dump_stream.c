// SPDX-License-Identifier: GPL-2.0
/*
 * The dump stream (common/dump_stream.c) and its consumer, the image
 * writer (daemon/image/image_write.c): the input after its first byte is a
 * stream as read from /dev/ckpt.  It is walked record by record in memory,
 * then written as an image directory by ckptd_image_write() (first byte,
 * bit 0: zstd-compressed), which must either refuse it or write an image
 * that ckptd_image_open() and ckptd_image_verify() accept.
 */
#include <sys/mman.h>

#include "dump_stream.h"
#include "fuzz.h"
#include "image.h"
#include "image_store.h"

static void walk(const uint8_t *buf, size_t len)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body;
	int ret;

	ckpt_stream_init(&s, buf, len);
	while ((ret = ckpt_stream_next(&s, &rec, &body)) > 0)
		fuzz_keep(rec->type + body + strlen(ckpt_rec_name(rec->type)));
	if (ret < 0)
		fuzz_keep(strlen(s.error));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ckptd_image_write_opts o = { .queue_depth = 1, .no_uring = 1, .no_direct = 1 };
	struct ckptd_image *img;
	struct ckptd_err err = { "" };
	char dir[256];
	uint8_t *copy;
	int ret;

	if (!size)
		return 0;
	/* exactly the stream's bytes, so that ASan sees every overread */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	walk(copy, size - 1);
	free(copy);

	if (fd < 0)
		fd = memfd_create("stream", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) ||
	    (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) ||
	    lseek(fd, 0, SEEK_SET))
		abort();
	if (data[0] & 1) {
		o.compression = CKPT_IMG_COMP_ZSTD;
		o.level = 1;
	}
	snprintf(dir, sizeof(dir), "%s/img", fuzz_scratch());
	ret = ckptd_image_write(dir, fd, &o, NULL, &err);
	fuzz_debug("image write: %d %s\n", ret, err.msg);
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
	/* an incremental image's parent is not there: only that may fail */
	if (ret && !strstr(err.msg, "parent image")) {
		fprintf(stderr, "the writer wrote an image the reader refuses: %s\n", err.msg);
		abort();
	}
	ckptd_image_remove_dir(dir);
	return 0;
}
