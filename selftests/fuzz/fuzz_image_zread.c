// SPDX-License-Identifier: GPL-2.0
/*
 * Compressed image files (image/compress.c, ckptd_zfile_read()):
 * a records.img or pages.img of a version 2 image as a sequence of chunk
 * headers and zstd frames, read back and checked chunk by chunk.
 *
 * Input: the raw size the manifest claims (u64, little-endian), a flags
 * byte, then the stored file.  Flag bit 0 gives every chunk header the
 * checksums of its compressed and decompressed bytes, so that mutations
 * get past them to the frames.
 */
#include <sys/mman.h>
#include <zstd.h>

#include "fuzz.h"
#include "fuzz_zchunk.h"
#include "image.h"
#include "compress.h"
#include "xxh64.h"

struct sink {
	uint64_t next, bytes;
};

static int chunk(void *arg, uint64_t index, const void *raw, size_t len,
		 struct ckpt_err *err)
{
	struct sink *s = arg;

	(void)err;
	/* chunks come in order, each CKPT_IMG_CHUNK but the last */
	if (index != s->next++ || !len || len > CKPT_IMG_CHUNK)
		abort();
	s->bytes += len;
	fuzz_keep(((const uint8_t *)raw)[len - 1]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ckpt_err err = { 0 };
	struct sink s = { 0 };
	uint64_t raw_size, sum;
	uint8_t *f;
	size_t len;
	int ret;

	if (size < 9)
		return 0;
	memcpy(&raw_size, data, 8);
	len = size - 9;
	f = malloc(len ? len : 1);
	memcpy(f, data + 9, len);
	if (data[8] & 1)
		fuzz_fix_zchunks(f, len, NULL, 0);
	if (fd < 0)
		fd = memfd_create("zfile", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, f, len, 0) != (ssize_t)len)
		abort();
	free(f);
	ret = ckptd_zfile_read(fd, "records.img", len, raw_size, &sum, chunk, &s, &err);
	if (!ret && s.bytes != raw_size) {
		fprintf(stderr, "read %llu bytes of a file whose contents are %llu\n",
			(unsigned long long)s.bytes, (unsigned long long)raw_size);
		abort();
	}
	fuzz_debug("compressed file: %d %s\n", ret, err.msg);
	fuzz_keep(sum + strlen(err.msg));
	return 0;
}
