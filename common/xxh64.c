// SPDX-License-Identifier: GPL-2.0
/*
 * XXH64, written from the published algorithm description: four 64-bit
 * lanes over 32-byte stripes, then the tail in 8-, 4- and 1-byte steps,
 * then the avalanche.  Used for every checksum in an image.
 */
#include <string.h>

#include "xxh64.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);	/* little-endian host (x86-64) */
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t round1(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
	acc ^= round1(0, v);
	return acc * P1 + P4;
}

static void stripes(uint64_t v[4], const uint8_t *p, size_t n)
{
	for (; n >= 32; n -= 32, p += 32) {
		v[0] = round1(v[0], rd64(p));
		v[1] = round1(v[1], rd64(p + 8));
		v[2] = round1(v[2], rd64(p + 16));
		v[3] = round1(v[3], rd64(p + 24));
	}
}

void ckptd_xxh64_init(struct ckptd_xxh64 *st, uint64_t seed)
{
	memset(st, 0, sizeof(*st));
	st->seed = seed;
	st->v[0] = seed + P1 + P2;
	st->v[1] = seed + P2;
	st->v[2] = seed;
	st->v[3] = seed - P1;
}

void ckptd_xxh64_update(struct ckptd_xxh64 *st, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	/* nothing to add; data may be NULL (an empty peer message) */
	if (!len)
		return;
	st->total += len;
	if (st->buf_len) {
		n = 32 - st->buf_len;
		if (n > len)
			n = len;
		memcpy(st->buf + st->buf_len, p, n);
		st->buf_len += n;
		p += n;
		len -= n;
		if (st->buf_len < 32)
			return;
		stripes(st->v, st->buf, 32);
		st->buf_len = 0;
	}
	n = len & ~(size_t)31;
	stripes(st->v, p, n);
	p += n;
	len -= n;
	memcpy(st->buf, p, len);
	st->buf_len = len;
}

uint64_t ckptd_xxh64_digest(const struct ckptd_xxh64 *st)
{
	const uint8_t *p = st->buf;
	size_t n = st->buf_len;
	uint64_t h;

	if (st->total >= 32) {
		h = rotl(st->v[0], 1) + rotl(st->v[1], 7) +
		    rotl(st->v[2], 12) + rotl(st->v[3], 18);
		for (int i = 0; i < 4; i++)
			h = merge(h, st->v[i]);
	} else {
		h = st->seed + P5;
	}
	h += st->total;
	for (; n >= 8; n -= 8, p += 8) {
		h ^= round1(0, rd64(p));
		h = rotl(h, 27) * P1 + P4;
	}
	if (n >= 4) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
		n -= 4;
	}
	for (; n; n--, p++) {
		h ^= *p * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t ckptd_xxh64(const void *data, size_t len, uint64_t seed)
{
	struct ckptd_xxh64 st;

	ckptd_xxh64_init(&st, seed);
	ckptd_xxh64_update(&st, data, len);
	return ckptd_xxh64_digest(&st);
}
