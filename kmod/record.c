// SPDX-License-Identifier: GPL-2.0
/*
 * The record buffer of a dump session (record.h): a growable buffer of
 * dump stream records, charged to the dumper's memory cgroup, that keeps
 * the first error of the dump and its description.  After a failure every
 * further record is refused, so a producer may go on appending and check
 * the error once at the end of its step.
 */
#include "ckpt.h"

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "record.h"

void ckpt_recbuf_init(struct ckpt_recbuf *b, struct ckpt_dump_error *error)
{
	memset(b, 0, sizeof(*b));
	b->error = error;
}

void ckpt_recbuf_reset(struct ckpt_recbuf *b)
{
	b->len = 0;
}

void ckpt_recbuf_release(struct ckpt_recbuf *b)
{
	kvfree(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int ckpt_rec_fail(struct ckpt_recbuf *b, int err, pid_t pid,
		  unsigned long start, unsigned long end, const char *fmt, ...)
{
	va_list ap;

	if (!b->err)
		b->err = err;
	if (b->error && !b->error->error) {
		b->error->error = err;
		b->error->pid = pid;
		b->error->start = start;
		b->error->end = end;
		va_start(ap, fmt);
		vsnprintf(b->error->msg, sizeof(b->error->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

void *ckpt_rec_start_raw(struct ckpt_recbuf *b, u32 type, size_t head,
			 size_t body)
{
	size_t need = ALIGN(sizeof(struct ckpt_rec) + body, 8);
	struct ckpt_rec *h;

	if (b->err)
		return NULL;
	if (b->len + need > b->cap) {
		size_t cap = max(b->cap * 2, b->len + need + PAGE_SIZE);
		u8 *d = kvmalloc(cap, GFP_KERNEL_ACCOUNT);

		if (!d) {
			b->err = -ENOMEM;
			return NULL;
		}
		if (b->len)
			memcpy(d, b->data, b->len);
		kvfree(b->data);
		b->data = d;
		b->cap = cap;
	}
	h = (struct ckpt_rec *)(b->data + b->len);
	/* the header, the fixed part of the body and the padding: the rest
	 * is the producer's to fill (page contents are not zeroed first) */
	memset(h, 0, sizeof(*h) + head);
	memset((u8 *)(h + 1) + body, 0, need - sizeof(*h) - body);
	h->type = type;
	h->len = need;
	return h + 1;
}

void *ckpt_rec_start(struct ckpt_recbuf *b, u32 type, size_t body)
{
	return ckpt_rec_start_raw(b, type, body, body);
}

void ckpt_rec_finish(struct ckpt_recbuf *b, void *body, size_t body_len)
{
	struct ckpt_rec *h = (struct ckpt_rec *)body - 1;

	h->len = ALIGN(sizeof(*h) + body_len, 8);
	b->len = (u8 *)h - b->data + h->len;
}
