/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the fuzz targets that read compressed image files (fuzz_image,
 * fuzz_image_zread): checksums put right in mutated chunk headers, so
 * that mutations get past them to the zstd frames behind.
 */
#ifndef CKPT_FUZZ_ZCHUNK_H
#define CKPT_FUZZ_ZCHUNK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "image.h"
#include "xxh64.h"

/*
 * Gives every chunk header of the compressed file f (len bytes) the
 * checksums of its compressed and decompressed bytes; sums (nr_sums, or
 * NULL) receives the latter, as a pages.img's manifest holds them.
 */
static inline void fuzz_fix_zchunks(uint8_t *f, size_t len, uint64_t *sums,
				    uint64_t nr_sums)
{
	static uint8_t *raw;
	size_t off = 0;

	if (!raw)
		raw = malloc(CKPT_IMG_CHUNK);
	for (uint64_t k = 0; off + sizeof(struct ckpt_img_zchunk) <= len; k++) {
		struct ckpt_img_zchunk h;
		size_t comp, n;

		memcpy(&h, f + off, sizeof(h));
		comp = len - off - sizeof(h);
		if (h.comp_len < comp)
			comp = h.comp_len;
		h.xxh64 = ckptd_xxh64(f + off + sizeof(h), comp, 0);
		n = ZSTD_decompress(raw, CKPT_IMG_CHUNK, f + off + sizeof(h), comp);
		if (!ZSTD_isError(n)) {
			h.raw_xxh64 = ckptd_xxh64(raw, n, 0);
			if (sums && k < nr_sums)
				memcpy(&sums[k], &h.raw_xxh64, 8);
		}
		memcpy(f + off, &h, sizeof(h));
		off += sizeof(h) + ((comp + 7) & ~(size_t)7);
	}
}

#endif /* CKPT_FUZZ_ZCHUNK_H */
