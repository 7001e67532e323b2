/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the dump stream of ckpt.ko (records defined in <linux/ckpt.h>)
 * from memory, with every length checked: the input may be truncated or
 * malformed, and nothing here reads outside it.
 */
#ifndef CKPT_DUMP_STREAM_H
#define CKPT_DUMP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ckpt.h>

struct ckpt_stream {
	const uint8_t *buf;
	size_t len;
	size_t off;		/* of the next record */
	uint64_t base;		/* stream offset of buf[0], for messages */
	uint32_t page_size;	/* from BEGIN, 0 before it */
	char error[160];	/* why the last call failed */
};

void ckpt_stream_init(struct ckpt_stream *s, const void *buf, size_t len);

/*
 * Moves a stream to the next window of a larger input read piece by piece
 * (the caller keeps whole records together): page_size and the offsets in
 * messages carry on; base is the stream offset of buf[0].
 */
void ckpt_stream_window(struct ckpt_stream *s, const void *buf, size_t len,
			uint64_t base);

/*
 * The next record in *rec and its body length in *body_len.  Returns 1,
 * 0 at the end of the input, or -EBADMSG (s->error says what and where)
 * for a malformed record, or -EPROTONOSUPPORT for a stream of a newer
 * version.  Known record types are checked for their minimum size and
 * internal lengths; unknown types are returned for the caller to skip.
 */
int ckpt_stream_next(struct ckpt_stream *s, const struct ckpt_rec **rec,
		     size_t *body_len);

const char *ckpt_rec_name(uint32_t type);

#endif /* CKPT_DUMP_STREAM_H */
