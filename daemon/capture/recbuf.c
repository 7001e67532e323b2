// SPDX-License-Identifier: GPL-2.0
/* The record buffer the capture appends to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

void ckptd_recbuf_free(struct ckptd_recbuf *rb)
{
	free(rb->buf);
	memset(rb, 0, sizeof(*rb));
}

int cap_rec_add(struct ckptd_recbuf *rb, uint32_t type, const void *body,
		size_t body_len, const void *tail, size_t tail_len)
{
	size_t raw = sizeof(struct ckpt_rec) + body_len + tail_len;
	size_t len = (raw + 7) & ~(size_t)7;
	struct ckpt_rec *h;

	if (raw < body_len || len > UINT32_MAX)
		return -E2BIG;
	if (rb->len + len > rb->cap) {
		size_t cap = rb->cap ? rb->cap : 4096;
		uint8_t *n;

		while (cap < rb->len + len)
			cap *= 2;
		n = realloc(rb->buf, cap);
		if (!n)
			return -ENOMEM;
		rb->buf = n;
		rb->cap = cap;
	}
	h = (struct ckpt_rec *)(rb->buf + rb->len);
	memset(h, 0, len);
	h->type = type;
	h->len = len;
	memcpy(h + 1, body, body_len);
	if (tail_len)
		memcpy((uint8_t *)(h + 1) + body_len, tail, tail_len);
	rb->len += len;
	return 0;
}
