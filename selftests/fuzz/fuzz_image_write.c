// SPDX-License-Identifier: GPL-2.0
/*
 * The consumer of the dump stream, the image writer
 * (image/write.c): the input after its first byte is a
 * stream as read from /dev/ckpt, written as an image directory by
 * ckptd_image_write() (first byte, bit 0: zstd-compressed), which must
 * either refuse it and leave nothing behind or write an image that
 * ckptd_image_open() and ckptd_image_verify() accept.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "image.h"
#include "image_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ckptd_image_write_opts o = { .queue_depth = 1, .no_uring = 1, .no_direct = 1 };
	struct ckptd_image *img;
	struct ckpt_err err = { 0 };
	char dir[256];
	int ret;

	if (!size)
		return 0;
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
