/* SPDX-License-Identifier: GPL-2.0 */
/* XXH64 (seed 0 in the image format), one-shot and streaming. */
#ifndef CKPTD_XXH64_H
#define CKPTD_XXH64_H

#include <stddef.h>
#include <stdint.h>

struct ckptd_xxh64 {
	uint64_t total;
	uint64_t v[4];
	uint8_t buf[32];
	uint32_t buf_len;
	uint64_t seed;
};

void ckptd_xxh64_init(struct ckptd_xxh64 *st, uint64_t seed);
void ckptd_xxh64_update(struct ckptd_xxh64 *st, const void *data, size_t len);
uint64_t ckptd_xxh64_digest(const struct ckptd_xxh64 *st);
uint64_t ckptd_xxh64(const void *data, size_t len, uint64_t seed);

#endif /* CKPTD_XXH64_H */
