/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record buffer of a dump session: records of the dump stream (struct
 * ckpt_rec framing, uapi header) appended for one step of the stream, and
 * the first error of the dump with the description CKPT_IOC_DUMP_ERROR
 * reports.  The producers (dump_task.c, dump_mm.c, dump_pages.c,
 * regions.c) append to it; dump.c owns it and hands its bytes to read().
 */
#ifndef CKPT_RECORD_H
#define CKPT_RECORD_H

#include <linux/compiler.h>
#include <linux/types.h>

struct ckpt_dump_error;

struct ckpt_recbuf {
	u8 *data;
	size_t len, cap;
	int err;		/* first error; further appends do nothing */
	struct ckpt_dump_error *error;	/* what CKPT_IOC_DUMP_ERROR reports */
};

/* An empty buffer whose failures are described in @error (or NULL). */
void ckpt_recbuf_init(struct ckpt_recbuf *b, struct ckpt_dump_error *error);
/* Empty it for the next step; the memory and the error stay. */
void ckpt_recbuf_reset(struct ckpt_recbuf *b);
void ckpt_recbuf_release(struct ckpt_recbuf *b);

/*
 * Append a record of type @type with room for @body bytes of body, zeroed;
 * returns the body, or NULL once the buffer has failed.
 */
void *ckpt_rec_start(struct ckpt_recbuf *b, u32 type, size_t body);
/*
 * The same, but only the first @head bytes of the body are zeroed (and
 * the padding after it): the producer writes the other @body - @head.
 */
void *ckpt_rec_start_raw(struct ckpt_recbuf *b, u32 type, size_t head,
			 size_t body);
/* Shrink the record just started to @body_len bytes of body. */
void ckpt_rec_finish(struct ckpt_recbuf *b, void *body, size_t body_len);
/*
 * Fail the dump with @err, saying why (of process @pid, and for memory the
 * range @start-@end, else 0); the first failure wins.  Returns @err.
 */
__printf(6, 7)
int ckpt_rec_fail(struct ckpt_recbuf *b, int err, pid_t pid,
		  unsigned long start, unsigned long end, const char *fmt, ...);

#endif /* CKPT_RECORD_H */
